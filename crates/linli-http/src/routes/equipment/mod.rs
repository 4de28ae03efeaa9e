//! The equipment register and its attachments (`linli-equipment`).

pub mod attachments;
pub mod register;
