//! Payment channels: an adapter and a simulator per channel, sharing only the RSA helpers.

pub mod alipay;
pub mod rsa;
