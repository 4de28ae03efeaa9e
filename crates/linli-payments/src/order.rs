//! A payment order and the rules that decide what a channel's notification does to it (pure).

use chrono::{DateTime, Duration, Utc};
use linli_billing::PaymentChannel;
use linli_core::text_enum;
use linli_core::{Fen, Id};
use serde::{Deserialize, Serialize};

text_enum! {
    OrderState {
        /// Sent to the channel, not paid yet.
        Pending = "pending",
        /// The channel said it was paid; the payment is in the ledger.
        Paid = "paid",
        /// Given up (the channel could not take it).
        Closed = "closed",
    }
}

/// How long a resident has to pay an order; the channel closes it after (`time_expire`).
pub const ORDER_MINUTES: i64 = 120;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PaymentOrder {
    pub id: Id,
    #[serde(skip)]
    pub company_id: Id,
    pub project_id: Id,
    pub house_id: Id,
    pub channel: PaymentChannel,
    /// Linli's number for the order at the channel (商户订单号).
    pub out_trade_no: String,
    pub amount_fen: Fen,
    pub description: String,
    pub state: OrderState,
    /// What the QR code carries (`weixin://wxpay/…`); empty until the channel answered.
    pub code_url: Option<String>,
    /// The code as an SVG image, while the order waits to be paid.
    pub qr_svg: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// The ledger's payment, once paid.
    pub payment_id: Option<Id>,
    /// The channel's number for the payment (微信支付订单号, 支付宝交易号), once paid.
    pub channel_trade_no: Option<String>,
}

/// What a resident asks for: the channel, and the amount (what the house owes when left out; more
/// is kept as prepaid balance).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewOrder {
    pub channel: PaymentChannel,
    #[serde(default)]
    #[schema(schema_with = linli_core::schema::optional_amount_fen)]
    pub amount_fen: Option<Fen>,
}

/// A channel's word that an order was paid, read from a notification whose signature held.
#[derive(Debug, Clone, PartialEq)]
pub struct PaidNotice {
    pub notification_id: String,
    pub out_trade_no: String,
    /// The channel's number for the payment (`transaction_id`, `trade_no`).
    pub channel_trade_no: String,
    pub amount_fen: Fen,
    /// `false`: the notification is about the order but not a payment (closed, refunded…).
    pub paid: bool,
}

/// What a notification does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Record the payment and mark the order paid.
    Settle,
    /// Already paid: answer success, record nothing.
    Repeated,
    /// Not a payment: answer success, record nothing.
    Ignored,
    /// Genuine but not to be credited: logged for reconciliation.
    Refused(&'static str),
}

text_enum! {
    /// What became of a notification, as its log row says.
    NotificationOutcome {
        Settled = "settled",
        Repeated = "repeated",
        Ignored = "ignored",
        Refused = "refused",
    }
}

/// The rule: a paid notice settles its order once, for exactly the order's amount, whatever
/// state the order is in otherwise (money the channel took is credited even after the order
/// was closed here).
pub fn settlement(order: Option<&PaymentOrder>, notice: &PaidNotice) -> Settlement {
    let Some(order) = order else {
        return Settlement::Refused("unknown_order");
    };
    if !notice.paid {
        return Settlement::Ignored;
    }
    if notice.amount_fen != order.amount_fen {
        return Settlement::Refused("amount_mismatch");
    }
    if order.state == OrderState::Paid {
        return Settlement::Repeated;
    }
    Settlement::Settle
}

/// `LL` + the Beijing time to the second + 8 hex digits: 24 characters of `[0-9A-Z]`, within
/// WeChat's 6–32 and Alipay's 64, readable by staff on a bill file.
pub fn out_trade_no(now: DateTime<Utc>, random: u32) -> String {
    format!("LL{}{random:08X}", now.with_timezone(&linli_core::time::cst()).format("%Y%m%d%H%M%S"))
}

/// The code as an SVG image for the page to show (what the payer scans), 4 px a module.
pub fn qr_svg(code_url: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(code_url.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().quiet_zone(true).min_dimensions(200, 200).build())
}

pub fn expires_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::minutes(ORDER_MINUTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(state: OrderState) -> PaymentOrder {
        let now = DateTime::parse_from_rfc3339("2026-12-03T02:00:00Z").unwrap().with_timezone(&Utc);
        PaymentOrder {
            id: 1,
            company_id: 1,
            project_id: 1,
            house_id: 1,
            channel: PaymentChannel::Wechat,
            out_trade_no: "LL20261203100000000000AB".into(),
            amount_fen: Fen(100_500),
            description: "1栋301 物业费".into(),
            state,
            code_url: None,
            qr_svg: None,
            expires_at: expires_at(now),
            created_at: now,
            paid_at: None,
            payment_id: None,
            channel_trade_no: None,
        }
    }

    fn notice(amount: i64, paid: bool) -> PaidNotice {
        PaidNotice {
            notification_id: "EV-1".into(),
            out_trade_no: "LL20261203100000000000AB".into(),
            channel_trade_no: "4200000001".into(),
            amount_fen: Fen(amount),
            paid,
        }
    }

    #[test]
    fn a_paid_notice_settles_its_order_once_and_only_for_its_amount() {
        assert_eq!(settlement(Some(&order(OrderState::Pending)), &notice(100_500, true)), Settlement::Settle);
        assert_eq!(settlement(Some(&order(OrderState::Paid)), &notice(100_500, true)), Settlement::Repeated);
        // Money the channel took after the order was given up here is still credited.
        assert_eq!(settlement(Some(&order(OrderState::Closed)), &notice(100_500, true)), Settlement::Settle);
        assert_eq!(
            settlement(Some(&order(OrderState::Pending)), &notice(100_499, true)),
            Settlement::Refused("amount_mismatch")
        );
        assert_eq!(settlement(Some(&order(OrderState::Pending)), &notice(100_500, false)), Settlement::Ignored);
        assert_eq!(settlement(None, &notice(100_500, true)), Settlement::Refused("unknown_order"));
    }

    #[test]
    fn a_code_url_becomes_an_svg_qr_code() {
        let svg = qr_svg("weixin://wxpay/bizpayurl?pr=abc1234").unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    }

    #[test]
    fn an_out_trade_no_is_24_characters_of_beijing_time_and_hex() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T16:30:05Z").unwrap().with_timezone(&Utc);
        let no = out_trade_no(now, 0xAB);
        assert_eq!(no, "LL20261204003005000000AB");
        assert_eq!(no.len(), 24);
        assert!(no.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
