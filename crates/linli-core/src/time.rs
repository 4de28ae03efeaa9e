//! Business dates. Every project is in China Standard Time today (UTC+8, no daylight saving);
//! per-project zones take over here when a project outside it exists.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// The business date of an instant.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&cst()).date_naive()
}

/// Today's business date.
pub fn today() -> NaiveDate {
    date_of(Utc::now())
}
