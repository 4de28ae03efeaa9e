//! The cashier's day (收银班次 / 交班): a till session opens with a float of change, takes the
//! payments its cashier records while it is open, and is handed over with the cash counted.
//! The report's arithmetic lives here: takings by channel, the cash the drawer should hold
//! (float + cash taken − cash paid out) and the difference to what was counted (短款 short,
//! 长款 over). Pure.

use chrono::{DateTime, Utc};
use linli_core::{Error, Fen, Id, Result, text_enum};
use serde::{Deserialize, Serialize};

use crate::account::PaymentChannel;
use crate::receipt::PaymentRow;
use crate::service::MAX_AMOUNT;

/// The longest note a hand-over records (characters).
pub const TILL_NOTE_MAX: usize = 200;
/// The largest float of change a session opens with: 10,000.00 元.
pub const MAX_FLOAT: Fen = Fen(1_000_000);

text_enum! {
    TillState { Open = "open", Closed = "closed", }
}

text_enum! {
    /// How the counted cash compares with what the drawer should hold.
    TillOutcome {
        /// 账实相符.
        Balanced = "balanced",
        /// 短款: less cash than expected.
        Short = "short",
        /// 长款: more cash than expected.
        Over = "over",
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewTillSession {
    pub project_id: Id,
    /// The change in the drawer at the start (备用金), in fen.
    #[schema(schema_with = linli_core::schema::float_fen)]
    pub opening_float_fen: Fen,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TillHandOver {
    /// The cash counted in the drawer at hand-over, float included, in fen.
    #[schema(schema_with = linli_core::schema::counted_fen)]
    pub counted_cash_fen: Fen,
    #[schema(max_length = 200)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TillSession {
    pub id: Id,
    pub project_id: Id,
    pub cashier_id: Id,
    pub cashier_name: String,
    pub state: TillState,
    pub opened_at: DateTime<Utc>,
    pub opening_float_fen: Fen,
    pub closed_at: Option<DateTime<Utc>>,
    pub counted_cash_fen: Option<Fen>,
    pub expected_cash_fen: Option<Fen>,
    /// Counted − expected: negative is 短款, positive 长款.
    pub difference_fen: Option<Fen>,
    pub note: Option<String>,
}

/// One channel's takings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChannelTakings {
    pub channel: PaymentChannel,
    pub count: i64,
    pub amount_fen: Fen,
}

/// What a session took and what its drawer should hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Takings {
    /// Channels in their fixed order (cash, card, transfer, WeChat, Alipay, bank), those with payments.
    pub by_channel: Vec<ChannelTakings>,
    pub count: i64,
    pub total_fen: Fen,
    /// Voided receipts are not takings: listed apart.
    pub voided_count: i64,
    pub voided_fen: Fen,
    pub cash_refunds_fen: Fen,
    /// Float + cash taken − cash refunded.
    pub expected_cash_fen: Fen,
}

/// A session with its takings and payments: the shift report (交班报表).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TillReport {
    pub session: TillSession,
    pub takings: Takings,
    pub outcome: Option<TillOutcome>,
    pub payments: Vec<PaymentRow>,
}

/// Which sessions a list shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TillFilter {
    pub project_id: Option<Id>,
    pub cashier_id: Option<Id>,
    pub state: Option<TillState>,
}

/// The takings of a session's payments (amount, channel, voided) and the cash refunded from
/// its drawer.
pub fn takings(opening_float: Fen, payments: &[(PaymentChannel, Fen, bool)], cash_refunds: Fen) -> Takings {
    let mut by_channel: Vec<ChannelTakings> = Vec::new();
    let (mut voided_count, mut voided_fen) = (0, 0);
    for &(channel, amount, voided) in payments {
        if voided {
            voided_count += 1;
            voided_fen += amount.0;
            continue;
        }
        match by_channel.iter_mut().find(|t| t.channel == channel) {
            Some(t) => {
                t.count += 1;
                t.amount_fen.0 += amount.0;
            }
            None => by_channel.push(ChannelTakings { channel, count: 1, amount_fen: amount }),
        }
    }
    by_channel.sort_by_key(|t| PaymentChannel::ALL.iter().position(|c| *c == t.channel));
    let cash = by_channel.iter().find(|t| t.channel == PaymentChannel::Cash).map_or(0, |t| t.amount_fen.0);
    Takings {
        count: by_channel.iter().map(|t| t.count).sum(),
        total_fen: Fen(by_channel.iter().map(|t| t.amount_fen.0).sum()),
        by_channel,
        voided_count,
        voided_fen: Fen(voided_fen),
        cash_refunds_fen: cash_refunds,
        expected_cash_fen: Fen(opening_float.0 + cash - cash_refunds.0),
    }
}

/// Counted − expected, and what that means.
pub fn difference(counted: Fen, expected: Fen) -> (Fen, TillOutcome) {
    let d = Fen(counted.0 - expected.0);
    let outcome = match d.0.signum() {
        0 => TillOutcome::Balanced,
        -1 => TillOutcome::Short,
        _ => TillOutcome::Over,
    };
    (d, outcome)
}

pub fn check_float(float: Fen) -> Result<()> {
    if float.0 < 0 {
        return Err(Error::invalid("opening_float_fen", "must_not_be_negative"));
    }
    if float > MAX_FLOAT {
        return Err(Error::invalid("opening_float_fen", "too_large"));
    }
    Ok(())
}

/// A hand-over's counted cash and note, bounded.
pub fn check_hand_over(h: &TillHandOver) -> Result<Option<String>> {
    if h.counted_cash_fen.0 < 0 {
        return Err(Error::invalid("counted_cash_fen", "must_not_be_negative"));
    }
    if h.counted_cash_fen > MAX_AMOUNT {
        return Err(Error::invalid("counted_cash_fen", "too_large"));
    }
    let note = h.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note
        && (n.chars().count() > TILL_NOTE_MAX || linli_core::text::has_control_character(n, false))
    {
        return Err(Error::invalid("note", "too_long"));
    }
    Ok(note.map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::PaymentChannel::{Card, Cash, Wechat};

    #[test]
    fn three_cash_payments_and_one_by_card_one_yuan_short() {
        // Float 200.00; cash 100.00 + 250.50 + 49.50; card 300.00; a voided 80.00 cash receipt.
        let paid = [
            (Cash, Fen(10_000), false),
            (Card, Fen(30_000), false),
            (Cash, Fen(25_050), false),
            (Cash, Fen(8_000), true),
            (Cash, Fen(4_950), false),
        ];
        let t = takings(Fen(20_000), &paid, Fen::ZERO);
        assert_eq!(
            t.by_channel,
            [
                ChannelTakings { channel: Cash, count: 3, amount_fen: Fen(40_000) },
                ChannelTakings { channel: Card, count: 1, amount_fen: Fen(30_000) },
            ]
        );
        assert_eq!((t.count, t.total_fen, t.voided_count, t.voided_fen), (4, Fen(70_000), 1, Fen(8_000)));
        assert_eq!(t.expected_cash_fen, Fen(60_000));
        assert_eq!(difference(Fen(59_900), t.expected_cash_fen), (Fen(-100), TillOutcome::Short));
        assert_eq!(difference(Fen(60_000), t.expected_cash_fen), (Fen(0), TillOutcome::Balanced));
        assert_eq!(difference(Fen(60_050), t.expected_cash_fen), (Fen(50), TillOutcome::Over));
    }

    #[test]
    fn cash_refunded_leaves_the_drawer_and_scanned_payments_never_enter_it() {
        let t = takings(Fen(5_000), &[(Wechat, Fen(9_900), false), (Cash, Fen(1_000), false)], Fen(300));
        assert_eq!(t.expected_cash_fen, Fen(5_700));
        assert_eq!(t.by_channel[0].channel, Cash);
    }

    #[test]
    fn a_float_is_bounded() {
        assert!(check_float(Fen(0)).is_ok());
        assert!(check_float(Fen(-1)).is_err());
        assert!(check_float(Fen(1_000_001)).is_err());
    }
}
