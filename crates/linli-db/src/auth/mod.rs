//! The auth module's storage (`linli-auth`): users, roles, sessions, and attempt counters.

pub(crate) mod repo;
pub(crate) mod throttle;
