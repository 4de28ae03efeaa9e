//! Owners, residents and bindings (`linli-people`).

pub mod bindings;
pub mod persons;
