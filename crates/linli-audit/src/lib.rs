//! The audit log: who changed what, when, in which project, with the before and after state.
//! Rows are written by every module's repository in the same transaction as the change; this
//! crate owns reading them. It never writes or edits a row itself.

mod model;
mod service;

pub use model::{AuditActor, AuditEntry, AuditFilter};
pub use service::{AuditRepo, AuditService};
