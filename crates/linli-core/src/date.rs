//! Dates that come in from outside (requests, spreadsheets): written strictly — a day
//! `YYYY-MM-DD`, a billing period `YYYY-MM`, four-digit year, no sign, no `2026-1-1` — and within
//! a named window around today, so a typing mistake (`0001-01-01`, `9999-12`) is refused with a
//! field code instead of turning into centuries of late fees.
//!
//! Request types use the deserialisers of one window module (`billing`, `record`, `any`):
//! `#[serde(deserialize_with = "date::billing::day")]`. A refusal carries its field code as the
//! serde message; the HTTP extractors answer 422 naming the field with that code (`code_of`).

use chrono::{Months, NaiveDate};

/// The text is not a date written `YYYY-MM-DD` (or a period `YYYY-MM`), or no such day exists.
pub const INVALID_DATE: &str = "invalid_date";
/// A well-written date outside its field's window.
pub const OUT_OF_RANGE: &str = "date_out_of_range";
/// Backdated further than `BACKDATING_WINDOW_MONTHS`.
pub const TOO_FAR_BACK: &str = "too_far_back";
/// A day that has not come yet where only past days make sense.
pub const IN_THE_FUTURE: &str = "in_the_future";

/// Every field code a date refusal can carry.
pub const CODES: &[&str] = &[INVALID_DATE, OUT_OF_RANGE, TOO_FAR_BACK, IN_THE_FUTURE];

/// How far back money may be dated when it is recorded (补录): a transfer that arrived last
/// week, a cheque of last month. Older than this is a typing mistake (or a way around the late
/// fee) and is refused.
pub const BACKDATING_WINDOW_MONTHS: u32 = 12;

/// Years a bill may lie back: three years is the limitation period for claims (诉讼时效,
/// 民法典 art. 188), so older charges cannot be collected anyway.
pub const BILLING_YEARS_BACK: u32 = 3;
/// Years ahead a bill may fall due: no cycle is longer than a year, and a yearly cycle may be
/// billed well before it starts; two years leaves room for that and nothing more.
pub const BILLING_YEARS_AHEAD: u32 = 2;
/// Years back a lasting fact may start (an ownership, an occupancy, a fee standard, equipment
/// bought): a residential land-use right runs 70 years, so no current record predates that.
pub const RECORD_YEARS_BACK: u32 = 70;
/// Years ahead such a fact may end (a lease's end, a warranty): a lease may not exceed 20 years
/// (民法典 art. 705).
pub const RECORD_YEARS_AHEAD: u32 = 20;

/// The named windows dates must fall in, relative to today's business date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Any day with a four-digit year (0000–9999): for filters that only narrow a search, and
    /// days a service checks against another day than today (`received_on`).
    Any,
    /// Money received: today or up to `BACKDATING_WINDOW_MONTHS` earlier.
    Backdating,
    /// Due dates, billing periods, meter readings, report days: `BILLING_YEARS_BACK` years back
    /// to `BILLING_YEARS_AHEAD` ahead.
    Billing,
    /// Lasting facts (ownerships, occupancies, fee standards, equipment): `RECORD_YEARS_BACK`
    /// years back to `RECORD_YEARS_AHEAD` ahead.
    Record,
}

fn years(n: u32) -> Months {
    Months::new(n * 12)
}

impl Window {
    /// The first and last day allowed, both included, on `today`.
    pub fn bounds(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (back, ahead) = match self {
            Window::Any => {
                return (
                    NaiveDate::from_ymd_opt(0, 1, 1).expect("a day"),
                    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a day"),
                );
            }
            Window::Backdating => return (today - Months::new(BACKDATING_WINDOW_MONTHS), today),
            Window::Billing => (years(BILLING_YEARS_BACK), years(BILLING_YEARS_AHEAD)),
            Window::Record => (years(RECORD_YEARS_BACK), years(RECORD_YEARS_AHEAD)),
        };
        (today - back, today + ahead)
    }

    /// `Ok` when `day` is inside the window on `today`, else the field code saying on which side.
    pub fn check(self, day: NaiveDate, today: NaiveDate) -> Result<NaiveDate, &'static str> {
        let (first, last) = self.bounds(today);
        let (before, after) = match self {
            Window::Backdating => (TOO_FAR_BACK, IN_THE_FUTURE),
            _ => (OUT_OF_RANGE, OUT_OF_RANGE),
        };
        if day < first {
            Err(before)
        } else if day > last {
            Err(after)
        } else {
            Ok(day)
        }
    }

    /// The same check as a validation error on `field`.
    pub fn check_field(self, field: &str, day: NaiveDate, today: NaiveDate) -> crate::Result<NaiveDate> {
        self.check(day, today).map_err(|code| crate::Error::invalid(field, code))
    }

    /// A billing period (given by its first day) is inside when its month overlaps the window.
    pub fn check_month(self, first_day: NaiveDate, today: NaiveDate) -> Result<NaiveDate, &'static str> {
        let last_day = (first_day + Months::new(1)).pred_opt().unwrap_or(first_day);
        let (first, last) = self.bounds(today);
        if last_day < first {
            self.check(last_day, today)
        } else if first_day > last {
            self.check(first_day, today)
        } else {
            Ok(first_day)
        }
    }
}

fn shaped(text: &str, len: usize) -> bool {
    let b = text.as_bytes();
    b.len() == len && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// A day written exactly `YYYY-MM-DD` (four-digit year, two-digit month and day): no sign, no
/// extra digits, no `2026-1-1`, no 30 February.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    if !shaped(text, 10) {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A billing period written exactly `YYYY-MM`, as its first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    if !shaped(text, 7) {
        return None;
    }
    NaiveDate::from_ymd_opt(text[..4].parse().ok()?, text[5..].parse().ok()?, 1)
}

/// A day from outside, parsed and checked against `window` on `today`; the error is a field code.
pub fn day_in(text: &str, window: Window, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    window.check(parse_day(text).ok_or(INVALID_DATE)?, today)
}

/// A day in a spreadsheet cell: `2026/1/5` as spreadsheet programs write it is read too (the
/// year still four digits), and the window applies as to requests; the error is a field code.
pub fn sheet_day_in(text: &str, window: Window, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let text = text.trim().replace('/', "-");
    let mut parts = text.split('-');
    let day = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None)
            if y.len() == 4
                && (1..=2).contains(&m.len())
                && (1..=2).contains(&d.len())
                && text.bytes().all(|c| c == b'-' || c.is_ascii_digit()) =>
        {
            NaiveDate::from_ymd_opt(y.parse().ok().unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0))
        }
        _ => None,
    };
    window.check(day.ok_or(INVALID_DATE)?, today)
}

/// A billing period from outside, normalised to `YYYY-MM`; the error is a field code.
pub fn month_in(text: &str, window: Window, today: NaiveDate) -> Result<String, &'static str> {
    let first = parse_month(text).ok_or(INVALID_DATE)?;
    window.check_month(first, today)?;
    Ok(first.format("%Y-%m").to_string())
}

/// The field code a date deserialiser put in a serde error message, if one did.
pub fn code_of(message: &str) -> Option<&'static str> {
    CODES.iter().copied().find(|c| {
        message.starts_with(c) && !message[c.len()..].starts_with(|ch: char| ch == '_' || ch.is_ascii_alphanumeric())
    })
}

#[doc(hidden)]
pub mod de {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, de::Error as _};

    use super::Window;

    pub fn day<'de, D: Deserializer<'de>>(d: D, w: Window) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        super::day_in(&text, w, crate::time::today()).map_err(D::Error::custom)
    }

    pub fn opt_day<'de, D: Deserializer<'de>>(d: D, w: Window) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::day_in(&text, w, crate::time::today()).map(Some).map_err(D::Error::custom),
        }
    }

    pub fn month<'de, D: Deserializer<'de>>(d: D, w: Window) -> Result<String, D::Error> {
        let text = String::deserialize(d)?;
        super::month_in(&text, w, crate::time::today()).map_err(D::Error::custom)
    }

    pub fn opt_month<'de, D: Deserializer<'de>>(d: D, w: Window) -> Result<Option<String>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::month_in(&text, w, crate::time::today()).map(Some).map_err(D::Error::custom),
        }
    }
}

/// Serde deserialisers for one window: `day`, `opt_day` (absent or `null` = none; add
/// `#[serde(default)]`), `change_day` (a patch's `Change`: absent = keep, `null` = clear; add
/// `#[serde(default)]`), `month` and `opt_month` (billing periods as `YYYY-MM` strings).
macro_rules! window_module {
    ($(#[$doc:meta])* $name:ident, $window:expr) => {
        $(#[$doc])*
        pub mod $name {
            use chrono::NaiveDate;
            use serde::Deserializer;

            use super::{Window, de};

            const W: Window = $window;

            pub fn day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
                de::day(d, W)
            }

            pub fn opt_day<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
                de::opt_day(d, W)
            }

            pub fn change_day<'de, D: Deserializer<'de>>(d: D) -> Result<crate::Change<NaiveDate>, D::Error> {
                de::opt_day(d, W).map(crate::Change::from_nullable)
            }

            pub fn month<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
                de::month(d, W)
            }

            pub fn opt_month<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
                de::opt_month(d, W)
            }
        }
    };
}

window_module!(
    /// Strict shape only ([`Window::Any`]): filters, and days a service checks against another day.
    any,
    Window::Any
);
window_module!(
    /// [`Window::Billing`]: due dates, billing periods, readings, report days.
    billing,
    Window::Billing
);
window_module!(
    /// [`Window::Record`]: ownerships, occupancies, fee standards, equipment.
    record,
    Window::Record
);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_day_is_exactly_yyyy_mm_dd() {
        assert_eq!(parse_day("2026-02-10"), Some(d("2026-02-10")));
        for bad in [
            "2026-1-1",
            "0000-01-01x",
            "-0001-01-01",
            "+2026-01-01",
            "20260-01-01",
            "2026-02-30",
            "2026/02/10",
            "",
            " 2026-02-10",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert_eq!(parse_month("2026-02"), Some(d("2026-02-01")));
        for bad in ["2026-2", "2026-13", "2026-00", "+202-01", "2026-02-01", "202601"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn windows_refuse_centuries_and_say_which_side() {
        let today = d("2026-12-01");
        assert_eq!(day_in("0001-01-01", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(day_in("2023-12-01", Window::Billing, today), Ok(d("2023-12-01")));
        assert_eq!(day_in("2023-11-30", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(day_in("2028-12-01", Window::Billing, today), Ok(d("2028-12-01")));
        assert_eq!(day_in("2028-12-02", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(day_in("2026-1-1", Window::Billing, today), Err(INVALID_DATE));
        assert_eq!(day_in("2276-01-01", Window::Record, today), Err(OUT_OF_RANGE));
        assert_eq!(day_in("0842-01-01", Window::Record, today), Err(OUT_OF_RANGE));
        assert_eq!(day_in("1990-05-01", Window::Record, today), Ok(d("1990-05-01")));
        assert_eq!(day_in("2025-12-01", Window::Backdating, today), Ok(d("2025-12-01")));
        assert_eq!(day_in("2025-11-30", Window::Backdating, today), Err(TOO_FAR_BACK));
        assert_eq!(day_in("2026-12-02", Window::Backdating, today), Err(IN_THE_FUTURE));
        assert_eq!(day_in("0000-01-01", Window::Backdating, today), Err(TOO_FAR_BACK));
    }

    #[test]
    fn spreadsheet_days_may_be_unpadded_but_stay_in_the_window() {
        let today = d("2026-12-01");
        assert_eq!(sheet_day_in("2026/1/5", Window::Record, today), Ok(d("2026-01-05")));
        assert_eq!(sheet_day_in("2026-01-05", Window::Record, today), Ok(d("2026-01-05")));
        assert_eq!(sheet_day_in("0842-01-05", Window::Record, today), Err(OUT_OF_RANGE));
        assert_eq!(sheet_day_in("26/1/5", Window::Record, today), Err(INVALID_DATE));
        assert_eq!(sheet_day_in("+2026-1-5", Window::Record, today), Err(INVALID_DATE));
    }

    #[test]
    fn a_period_counts_when_its_month_touches_the_window() {
        let today = d("2026-12-01");
        assert_eq!(month_in("2023-12", Window::Billing, today).as_deref(), Ok("2023-12"));
        assert_eq!(month_in("2023-11", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(month_in("2028-12", Window::Billing, today).as_deref(), Ok("2028-12"));
        assert_eq!(month_in("2029-01", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(month_in("0000-01", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(month_in("9999-12", Window::Billing, today), Err(OUT_OF_RANGE));
        assert_eq!(month_in("2026-1", Window::Billing, today), Err(INVALID_DATE));
    }

    #[test]
    fn refusals_carry_their_code_through_serde() {
        #[derive(Debug, serde::Deserialize)]
        struct Req {
            #[serde(deserialize_with = "billing::day")]
            #[allow(dead_code)]
            due_on: NaiveDate,
        }
        let err = serde_json::from_str::<Req>(r#"{"due_on":"0001-01-01"}"#).unwrap_err();
        assert_eq!(code_of(&err.to_string()), Some(OUT_OF_RANGE));
        let err = serde_json::from_str::<Req>(r#"{"due_on":"2026-1-1"}"#).unwrap_err();
        assert_eq!(code_of(&err.to_string()), Some(INVALID_DATE));
        assert_eq!(code_of("invalid type: integer"), None);
    }
}
