//! Messages, templates and the inbox (`linli-notify`).

pub mod messages;
