//! The notify module's storage (`linli-notify`): the outbox, templates and channels.

pub(crate) mod repo;
