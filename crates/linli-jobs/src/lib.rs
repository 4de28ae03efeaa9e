//! The durable job queue and the scheduler of recurring jobs. Claims are leases: a worker that
//! dies leaves its job to be claimed again when the lease expires, so handlers must be
//! idempotent. Safe with several `linli` instances on one PostgreSQL.

mod backoff;
pub mod claim;
mod job;
mod store;
mod worker;

pub use backoff::backoff;
pub use job::{Job, JobState, NewJob, Schedule, holder_gone, process_owner};
pub use store::JobStore;
pub use worker::{JobHandler, Scheduler, Worker};
