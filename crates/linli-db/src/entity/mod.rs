//! Table mappings. Only this crate sees them; module crates see their own model types.

pub mod attachment;
pub mod audit_log;
pub mod company;
pub mod equipment;
pub mod equipment_category;
pub mod grant;
pub mod job;
pub mod job_schedule;
pub mod login_attempt;
pub mod project;
pub mod role;
pub mod session;
pub mod user;
