//! Storage: the only crate that knows SQL. Connects to SQLite or PostgreSQL from a URL, runs the
//! migrations and implements every module's repository trait with the same code on both.
//! Each repository method is one transaction, including the audit row it writes.

mod audit;
mod auth;
mod billing;
mod bootstrap;
mod bulk;
mod connect;
mod entity;
mod equipment;
mod error;
mod import_tx;
mod job_store;
mod meters;
mod notify;
mod page;
mod payments;
mod people;
pub mod plain;
mod property;
mod references;
mod scope;
mod search;
#[cfg(feature = "testing")]
pub mod testing;

pub use billing::{overdue_messages, payment_messages, run_messages};
pub use bootstrap::{ensure_company, sync_roles};
pub use connect::{Backend, Db, connect, create_database, drop_database};
pub use equipment::categories::ensure_equipment_categories;
pub use sea_orm::DatabaseConnection;
