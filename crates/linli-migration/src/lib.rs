//! One set of migrations for SQLite and PostgreSQL. Migrations are append-only: a released one
//! is never edited, a change is a new file.

// Migrations read best with the schema DSL in scope.
#![allow(clippy::wildcard_imports)]

pub use sea_orm_migration::prelude::*;

mod m0001_platform;
mod m0002_basic_information;
mod m0003_notifications;
mod m0004_billing;
mod m0005_meters;
mod m0006_backdated_payments;
mod m0007_throttle;
mod m0008_read_paths;
mod m0009_bill_list_order;
mod m0010_person_search;
mod m0011_bill_counts;
mod m0012_search_grams;
mod m0013_current_people;
mod m0014_payment_orders;
mod m0015_counter;
mod m0016_payment_refunds;
mod m0018_reconciliation;
mod util;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_platform::Migration),
            Box::new(m0002_basic_information::Migration),
            Box::new(m0003_notifications::Migration),
            Box::new(m0004_billing::Migration),
            Box::new(m0005_meters::Migration),
            Box::new(m0006_backdated_payments::Migration),
            Box::new(m0007_throttle::Migration),
            Box::new(m0008_read_paths::Migration),
            Box::new(m0009_bill_list_order::Migration),
            Box::new(m0010_person_search::Migration),
            Box::new(m0011_bill_counts::Migration),
            Box::new(m0012_search_grams::Migration),
            Box::new(m0013_current_people::Migration),
            Box::new(m0014_payment_orders::Migration),
            Box::new(m0015_counter::Migration),
            Box::new(m0016_payment_refunds::Migration),
            Box::new(m0018_reconciliation::Migration),
        ]
    }
}
