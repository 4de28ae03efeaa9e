//! The committed test-only keys of the simulator and its test merchant (`src/pay/testkeys/`, see
//! its README). They protect nothing: never configure them for a real merchant.

pub const MCHID: &str = "1900000001";
pub const APPID: &str = "wxd678efh567hg6787";

/// The test merchant's API key (`apiclient_key.pem`) and its certificate serial.
pub const MERCHANT_PRIVATE_KEY_PEM: &str = include_str!("../../testkeys/wechat_merchant_key.pem");
pub const MERCHANT_PUBLIC_KEY_PEM: &str = include_str!("../../testkeys/wechat_merchant_public.pem");
pub const MERCHANT_SERIAL_NO: &str = "5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F";

/// The simulator's "WeChat Pay" key, by both of its names.
pub const PLATFORM_PRIVATE_KEY_PEM: &str = include_str!("../../testkeys/wechat_platform_key.pem");
pub const PLATFORM_PUBLIC_KEY_PEM: &str = include_str!("../../testkeys/wechat_platform_public.pem");
pub const PLATFORM_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_TEST0000000000000000000001";
pub const PLATFORM_CERTIFICATE_PEM: &str = include_str!("../../testkeys/wechat_platform_cert.pem");
pub const PLATFORM_CERTIFICATE_SERIAL: &str = "4F2A9C61D0E37B85A1C6E2F94B7D3018C5E6A29B";

/// 32 ASCII characters, like a real APIv3 key.
pub const APIV3_KEY: &str = "LinliSimulatorApiV3Key0000000001";
