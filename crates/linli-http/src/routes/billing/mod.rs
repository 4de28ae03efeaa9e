//! Fee items, runs, bills, payments and reports (`linli-billing`).

pub mod bills;
pub mod counter;
pub mod fees;
pub mod mine;
pub mod reports;
