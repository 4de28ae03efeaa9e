//! Signing in, sessions and users (`linli-auth`).

pub mod sessions;
pub mod users;
