//! Database errors to service errors: constraint violations become conflicts with a stable
//! code; anything else is internal and logged, never shown.

use linli_core::{Code, Error};
use sea_orm::{DbErr, SqlErr};

pub(crate) fn internal(e: DbErr) -> Error {
    Error::Internal(anyhow::Error::new(e))
}

/// A unique violation becomes `code`; other errors stay internal.
pub(crate) fn unique_as(code: Code) -> impl Fn(DbErr) -> Error {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(code),
        _ => internal(e),
    }
}

pub(crate) trait OrInternal<T> {
    fn or_internal(self) -> Result<T, Error>;
}

impl<T> OrInternal<T> for Result<T, DbErr> {
    fn or_internal(self) -> Result<T, Error> {
        self.map_err(internal)
    }
}

impl<T> OrInternal<T> for Result<T, serde_json::Error> {
    fn or_internal(self) -> Result<T, Error> {
        self.map_err(Error::internal)
    }
}
