//! Database errors to service errors: constraint violations become conflicts with a stable
//! code; a database that cannot be reached (refused, closed, no free connection in time) becomes
//! `Unavailable` (503 with `Retry-After`); anything else is internal and logged, never shown.
//! A foreign-key violation is never a 500: on a delete it is `StillReferenced` (409
//! `still_referenced`), otherwise a 409 `conflict` (a row it points to went away meanwhile).
//! Every `DbErr` in this crate passes through `internal`, so this is the one place that decides.

use linli_core::{Code, Error};
use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What a client is told to wait before retrying while the database is unreachable or busy.
pub const RETRY_AFTER_SECS: u64 = 5;

pub(crate) fn internal(e: DbErr) -> Error {
    if is_unavailable(&e) {
        tracing::warn!(error = %e, "database unavailable");
        return Error::Unavailable { retry_after_secs: RETRY_AFTER_SECS };
    }
    if let Some(SqlErr::ForeignKeyConstraintViolation(msg)) = e.sql_err() {
        return foreign_key_violation(&msg, false);
    }
    Error::Internal(anyhow::Error::new(e))
}

/// The error of a `DELETE` statement: a foreign-key violation means something still refers to
/// the row. `references::refuse_if_referenced` names the kinds beforehand; this catches a row
/// added in between (PostgreSQL names its table, SQLite does not).
pub(crate) fn delete_failed(e: DbErr) -> Error {
    match e.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(msg)) => foreign_key_violation(&msg, true),
        _ => internal(e),
    }
}

/// PostgreSQL: `update or delete on table "houses" violates foreign key constraint
/// "fk_bills_house_id" on table "bills"`; SQLite: `FOREIGN KEY constraint failed`.
fn foreign_key_violation(msg: &str, deleting: bool) -> Error {
    let referencing = msg
        .starts_with("update or delete on table")
        .then(|| msg.rsplit_once("on table \"").map(|(_, t)| t.trim_end_matches('"').to_string()))
        .flatten();
    match referencing {
        Some(table) => Error::StillReferenced(vec![crate::references::kind_of(&table)]),
        None if deleting => Error::StillReferenced(vec![]),
        None => Error::Conflict(Code::Conflict),
    }
}

/// The database is down, unreachable or out of connections: nothing the request did wrong, and
/// retrying later may succeed.
pub(crate) fn is_unavailable(e: &DbErr) -> bool {
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => sqlx_unavailable(s),
        _ => false,
    }
}

fn sqlx_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(d) => {
            d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some_and(|pg| pg_unavailable(pg.code()))
        }
        _ => false,
    }
}

/// SQLSTATEs of a server that went away or refuses sessions: connection exceptions (08…),
/// administrator or crash shutdown and "cannot connect now" (57P01–57P03, also what
/// `pg_terminate_backend` sends), too many connections (53300).
fn pg_unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03" | "53300")
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

/// sqlx's own errors, where storage talks to the driver directly (the benches' COPY).
impl<T> OrInternal<T> for Result<T, sqlx::Error> {
    fn or_internal(self) -> Result<T, Error> {
        self.map_err(|e| internal(DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(e)))))
    }
}

impl<T> OrInternal<T> for Result<T, serde_json::Error> {
    fn or_internal(self) -> Result<T, Error> {
        self.map_err(Error::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn a_pool_timeout_or_a_closed_pool_is_unavailable_and_a_bad_query_is_internal() {
        for e in [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        ] {
            assert!(matches!(internal(e), Error::Unavailable { retry_after_secs: RETRY_AFTER_SECS }));
        }
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let e = DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(sqlx::Error::Io(refused))));
        assert!(matches!(internal(e), Error::Unavailable { .. }));
        assert!(matches!(internal(DbErr::Custom("syntax".into())), Error::Internal(_)));
    }

    #[test]
    fn foreign_key_violations_are_conflicts_naming_the_referencing_kind_when_known() {
        let pg = r#"update or delete on table "houses" violates foreign key constraint "fk_bills_house_id" on table "bills""#;
        assert!(matches!(foreign_key_violation(pg, false), Error::StillReferenced(k) if k == ["bill"]));
        let insert = r#"insert or update on table "bills" violates foreign key constraint "fk_bills_house_id""#;
        assert!(matches!(foreign_key_violation(insert, false), Error::Conflict(Code::Conflict)));
        let sqlite = "FOREIGN KEY constraint failed";
        assert!(matches!(foreign_key_violation(sqlite, true), Error::StillReferenced(k) if k.is_empty()));
        assert!(matches!(foreign_key_violation(sqlite, false), Error::Conflict(Code::Conflict)));
    }

    #[test]
    fn postgres_shutdown_and_connection_sqlstates_are_unavailable() {
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(pg_unavailable(code), "{code}");
        }
        for code in ["23505", "40001", "42P01"] {
            assert!(!pg_unavailable(code), "{code}");
        }
    }
}
