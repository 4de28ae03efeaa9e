//! Storage: the only crate that knows SQL. Connects to SQLite or PostgreSQL from a URL, runs the
//! migrations and implements every module's repository trait with the same code on both.
//! Each repository method is one transaction, including the audit row it writes.

mod attachment_repo;
mod audit;
mod auth_repo;
mod billing;
mod binding_repo;
mod bootstrap;
mod building_ref;
mod connect;
mod entity;
mod equipment_category;
mod equipment_repo;
mod error;
mod house_import;
mod import_tx;
mod job_store;
mod meter_repo;
mod notify_repo;
mod page;
mod people_repo;
mod person_import;
mod project_repo;
mod scope;
mod structure_repo;
#[cfg(feature = "testing")]
pub mod testing;

pub use billing::{BillNotice, bulk_insert_plain, overdue_notices, run_notices};
pub use bootstrap::{ensure_company, sync_roles};
pub use connect::{Backend, Db, connect};
pub use equipment_category::ensure_equipment_categories;
pub use sea_orm::DatabaseConnection;
