//! Payments through the channels (WeChat Pay, Alipay): payment orders (支付订单) a resident asks
//! for, the channel's notification that settles one through the ledger exactly once, and the log
//! of every notification with what became of it. The channels' protocols live in
//! `linli-gateway::pay`; this crate sees them through [`PayChannel`].

pub mod order;
pub mod service;

pub use order::{NewOrder, NotificationOutcome, OrderState, PaidNotice, PaymentOrder, Settlement};
pub use service::{ChannelOrder, NotifyAnswer, OrderRepo, OrderService, PayChannel};
