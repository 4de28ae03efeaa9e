//! Payments through the channels (WeChat Pay, Alipay): payment orders (支付订单) a resident asks
//! for, the channel's notification that settles one through the ledger exactly once, and the log
//! of every notification with what became of it. The channels' protocols live in
//! `linli-gateway::pay`; this crate sees them through [`PayChannel`].

pub mod order;
pub mod reconcile;
mod reconcile_service;
pub mod refund;
pub mod service;

pub use order::{NewOrder, NotificationOutcome, OrderState, PaidNotice, PaymentOrder, Settlement};
pub use reconcile::{Discrepancy, Reconciliation, ReconciliationDetail};
pub use reconcile_service::{Decided, ReconcileRepo, ReconcileService, ReconciliationFilter};
pub use refund::{ChannelRefund, NewOrderRefund, PaymentRefund, RefundAnswer, RefundState};
pub use service::{
    ChannelOrder, Expired, NotifyAnswer, OrderDetail, OrderFilter, OrderRepo, OrderService, PayChannel, Standing,
};
