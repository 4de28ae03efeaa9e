//! Refunds of a paid order back through its channel (退款原路返回), and the rules for them (pure).
//!
//! The money leaves the house's prepaid balance in the same transaction that records the refund
//! as pending, so it cannot be spent twice while the channel works; the channel is then asked
//! with the refund's own number (a retry with the same number refunds once). A refund the
//! channel refuses puts the money back by a second sealed entry; the first is never edited.

use chrono::{DateTime, Utc};
use linli_billing::PaymentChannel;
use linli_core::{Error, Fen, Id, Result, text_enum};
use serde::{Deserialize, Serialize};

use crate::order::{OrderState, PaymentOrder};

text_enum! {
    RefundState {
        /// Taken from the balance; the channel has not confirmed yet.
        Pending = "pending",
        /// The channel returned the money to the payer.
        Refunded = "refunded",
        /// The channel refused; the money is back in the balance.
        Failed = "failed",
    }
}

/// The most characters of a refund's reason (WeChat Pay shows 80 to the payer).
pub const REASON_MAX: usize = 80;

/// What a manager asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewOrderRefund {
    #[schema(schema_with = linli_core::schema::amount_fen)]
    pub amount_fen: Fen,
    #[schema(min_length = 1, max_length = 80)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PaymentRefund {
    pub id: Id,
    pub order_id: Id,
    pub house_id: Id,
    pub channel: PaymentChannel,
    /// Linli's number for the refund at the channel (商户退款单号).
    pub out_refund_no: String,
    pub amount_fen: Fen,
    pub reason: String,
    pub state: RefundState,
    /// The channel's number for it, once it answered.
    pub channel_refund_no: Option<String>,
    /// Why the channel refused, when it did.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub refunded_at: Option<DateTime<Utc>>,
}

/// What a channel is asked to return.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRefund {
    pub out_trade_no: String,
    pub channel_trade_no: String,
    pub out_refund_no: String,
    pub refund_fen: Fen,
    /// The order's whole amount (WeChat Pay wants it).
    pub total_fen: Fen,
    pub reason: String,
}

/// A channel's answer to a refund request or a refund query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAnswer {
    /// The money went back; the channel's number for the refund.
    Refunded(String),
    /// Accepted, not finished yet (asked again later).
    Processing(String),
    /// Refused for good, with the channel's reason.
    Refused(String),
}

/// The rule: only a paid order, a positive amount, a reason, and never more than the order paid
/// less what was refunded (or is being refunded) already.
pub fn check_refund(order: &PaymentOrder, refunded: Fen, new: &NewOrderRefund) -> Result<()> {
    if order.state != OrderState::Paid {
        return Err(Error::invalid("order", "not_paid"));
    }
    if new.amount_fen.0 <= 0 {
        return Err(Error::invalid("amount_fen", "must_be_positive"));
    }
    if refunded.0 + new.amount_fen.0 > order.amount_fen.0 {
        return Err(Error::invalid("amount_fen", "exceeds_paid"));
    }
    linli_core::error::required_text_alone("reason", &new.reason, REASON_MAX).map(drop)
}

/// `RF` + the order's number's time and hex + a sequence: unique per order, within WeChat's and
/// Alipay's 64 characters.
pub fn out_refund_no(out_trade_no: &str, nth: u64) -> String {
    format!("RF{}{nth:02}", out_trade_no.trim_start_matches("LL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(amount: i64) -> PaymentOrder {
        let now = Utc::now();
        PaymentOrder {
            id: 1,
            company_id: 1,
            project_id: 1,
            house_id: 1,
            channel: PaymentChannel::Wechat,
            out_trade_no: "LL20261203100000000000AB".into(),
            amount_fen: Fen(amount),
            description: String::new(),
            state: OrderState::Paid,
            code_url: None,
            qr_svg: None,
            expires_at: now,
            created_at: now,
            paid_at: Some(now),
            payment_id: Some(1),
            channel_trade_no: Some("4200000001".into()),
        }
    }

    fn ask(amount: i64) -> NewOrderRefund {
        NewOrderRefund { amount_fen: Fen(amount), reason: "多缴".into() }
    }

    /// The refusal as its field and code read.
    fn refused(r: Result<()>) -> String {
        format!("{:?}", r.unwrap_err())
    }

    #[test]
    fn never_more_than_the_order_paid_less_what_was_refunded() {
        let code = |field, code| format!("{:?}", Error::invalid(field, code));
        assert!(check_refund(&paid(10_000), Fen(0), &ask(10_000)).is_ok());
        assert!(check_refund(&paid(10_000), Fen(4_000), &ask(6_000)).is_ok());
        assert_eq!(refused(check_refund(&paid(10_000), Fen(4_000), &ask(6_001))), code("amount_fen", "exceeds_paid"));
        assert_eq!(refused(check_refund(&paid(10_000), Fen(0), &ask(0))), code("amount_fen", "must_be_positive"));
        let unpaid = PaymentOrder { state: OrderState::Pending, ..paid(10_000) };
        assert_eq!(refused(check_refund(&unpaid, Fen(0), &ask(1))), code("order", "not_paid"));
        let no_reason = NewOrderRefund { reason: "  ".into(), ..ask(1) };
        assert_eq!(refused(check_refund(&paid(10_000), Fen(0), &no_reason)), code("reason", "required"));
    }

    #[test]
    fn a_refund_number_is_the_orders_with_a_sequence() {
        assert_eq!(out_refund_no("LL20261203100000000000AB", 1), "RF20261203100000000000AB01");
    }
}
