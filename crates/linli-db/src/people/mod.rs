//! The people module's storage (`linli-people`): owners and residents, bindings, imports.

pub(crate) mod binding;
pub(crate) mod import;
pub(crate) mod repo;
