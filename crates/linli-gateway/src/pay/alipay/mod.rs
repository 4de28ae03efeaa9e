//! Alipay (支付宝) Open Platform, public-key mode with RSA2: QR-code payments
//! (`alipay.trade.precreate`), phone-web payments (`alipay.trade.wap.pay`), query, close, refund,
//! the daily trade bill, and the asynchronous notifications, plus a simulator of the gateway.
//!
//! This module owns the wire protocol: signing, verifying every answer and notification, fen to
//! yuan at the edge, and sorting failures into "fix it", "retry" and "distrust". It never decides
//! whether a bill is paid: the caller checks a verified [`Notification`] (or a query) against its
//! own order, amount included, and records it idempotently.

pub mod bill;
pub mod client;
pub mod clock;
pub mod model;
pub mod sign;
pub mod simulator;

mod error;
#[cfg(test)]
mod vectors;

pub use bill::TradeBill;
pub use client::{AlipayClient, AlipayConfig};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AlipayError;
pub use model::{
    BillRequest, Notification, PrecreateRequest, PrecreateResponse, QueryResponse, RefundRequest, RefundResponse,
    TradeRef, TradeStatus, WapPayRequest,
};
