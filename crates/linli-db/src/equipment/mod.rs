//! The equipment module's storage (`linli-equipment`): the register, categories, attachments.

pub(crate) mod attachments;
pub(crate) mod categories;
pub(crate) mod repo;
