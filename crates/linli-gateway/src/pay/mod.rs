//! Payment channels: each channel's protocol client and a simulator that speaks it. This module
//! only declares them and holds what they truly share (RSA keys, a secret wrapper); a channel's
//! rules stay in its own folder.

pub mod alipay;
pub mod bank;
pub mod rsa;
pub mod secret;
pub mod wechat;

pub use secret::Secret;
