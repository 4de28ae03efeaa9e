//! Table mappings. Only this crate sees them; module crates see their own model types.

pub mod attachment;
pub mod audit_log;
pub mod binding_code;
pub mod building;
pub mod company;
pub mod equipment;
pub mod equipment_category;
pub mod grant;
pub mod house;
pub mod job;
pub mod job_schedule;
pub mod login_attempt;
pub mod message;
pub mod meter;
pub mod meter_reading;
pub mod notification_preference;
pub mod occupancy;
pub mod ownership;
pub mod person;
pub mod project;
pub mod role;
pub mod session;
pub mod unit;
pub mod user;
