//! Fee items, runs, bills, payments, reports and meters (`linli-billing`).

pub mod bills;
pub mod fees;
pub mod meters;
pub mod reports;
