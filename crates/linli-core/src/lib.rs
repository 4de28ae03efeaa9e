//! Linli's shared vocabulary: errors with stable codes, money in fen, pages, permissions,
//! the acting user and the audit event every change writes. No IO lives here (`memo` only keeps
//! what the caller computed).

pub mod actor;
pub mod area;
pub mod audit;
pub mod authz;
pub mod change;
pub mod date;
pub mod decimal;
pub mod error;
pub mod grams;
pub mod health;
pub mod html;
pub mod memo;
pub mod money;
pub mod page;
pub mod permission;
pub mod schema;
pub mod text;
mod text_enum;
pub mod throttle;
pub mod time;

pub use actor::Actor;
pub use area::Area;
pub use audit::AuditEvent;
pub use authz::{Authz, BoundHouse, Granted, GrantedCompany, ProjectSet, Resident, Scope};
pub use change::Change;
pub use error::{Code, Error, FieldError, Result};
pub use health::Probe;
pub use money::Fen;
pub use page::{Page, PageRequest};
pub use permission::Permission;
pub use throttle::{Limit, Throttle, ThrottleStore};

/// Database ids are `i64` on both backends.
pub type Id = i64;
