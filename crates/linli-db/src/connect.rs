use std::str::FromStr;
use std::time::Duration;

use linli_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("unsupported database URL (use sqlite://… or postgres://…)")
        }
    }
}

/// The connection pools and the backend behind them.
///
/// SQLite allows one writer at a time, and a deferred transaction that read first fails at once
/// with "database is locked" (SQLITE_BUSY_SNAPSHOT) when it tries to write after another writer
/// committed: no busy timeout helps. So on SQLite every write goes through one writer connection
/// (writers in this process queue for it) and its transactions start with `BEGIN IMMEDIATE`, which
/// takes the write lock up front and waits in the busy timeout for writers in other processes (the
/// CLI beside a running server). The reader connections are `query_only`, so a write that bypasses
/// [`Db::begin`] and [`Db::writer`] fails in tests instead of racing in production. PostgreSQL needs
/// none of this: both are the same pool there.
#[derive(Clone, Debug)]
pub struct Db {
    /// Readers (on PostgreSQL, the one pool). Private to storage, like the writer: everything
    /// else goes through the repo traits, so nothing bypasses their checks and audit.
    pub(crate) conn: DatabaseConnection,
    writer: DatabaseConnection,
    pub backend: Backend,
}

/// How long a writer waits for its turn before the request fails (it answers 503, not 500).
const WRITE_WAIT: Duration = Duration::from_secs(30);

impl Db {
    /// Brings the schema up to date; safe to call on every start and from several instances.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.writer, None).await?;
        self.analyze().await?;
        Ok(())
    }

    /// Refreshes the planner's statistics. SQLite keeps none until asked (without them it walked
    /// 2 M bills through the wrong index), and `PRAGMA optimize` analyzes only the tables that
    /// changed enough since; PostgreSQL's autovacuum analyzes on its own, but only later, so a
    /// bulk load (an import, a billing run, the demo) is analyzed at once.
    ///
    /// On SQLite each connection reads the statistics once and keeps them, so the readers opened
    /// before a bulk load would plan with the old ones until replaced; `ANALYZE sqlite_schema`
    /// makes every connection reload them.
    pub async fn analyze(&self) -> anyhow::Result<()> {
        use sea_orm::ConnectionTrait;
        match self.backend {
            Backend::Sqlite => {
                self.writer.execute_unprepared("PRAGMA optimize=0x10002").await?;
                self.writer.execute_unprepared("ANALYZE sqlite_schema").await?;
            }
            Backend::Postgres => {
                self.writer.execute_unprepared("ANALYZE").await?;
            }
        }
        Ok(())
    }

    /// Starts a write transaction: the only way to begin one (clippy forbids the ORM's own `begin`).
    pub(crate) async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend {
            Backend::Sqlite => {
                let options = TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..TransactionOptions::default()
                };
                self.writer.begin_with_options(options).await
            }
            #[allow(clippy::disallowed_methods)]
            Backend::Postgres => self.writer.begin().await,
        }
    }

    /// The connection for a single write statement outside a transaction (a job claim, a session
    /// touch): on SQLite it queues behind the open write transaction instead of racing it.
    pub(crate) fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Closes both pools.
    pub async fn close(self) {
        self.conn.close().await.ok();
        if self.backend == Backend::Sqlite {
            self.writer.close().await.ok();
        }
    }
}

/// `/healthz` asks this: a real query through the pool (on SQLite one that reads the file),
/// given up after `timeout`.
impl linli_core::Probe for Db {
    fn ping(
        &self,
        timeout: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = linli_core::Result<()>> + Send + '_>> {
        Box::pin(async move {
            let unavailable = linli_core::Error::Unavailable { retry_after_secs: crate::error::RETRY_AFTER_SECS };
            let sql = match self.backend {
                Backend::Sqlite => "SELECT count(*) FROM sqlite_schema",
                Backend::Postgres => "SELECT 1",
            };
            match tokio::time::timeout(timeout, self.conn.execute_unprepared(sql)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(crate::error::internal(e)),
                Err(_) => Err(unavailable),
            }
        })
    }
}

/// How long a request waits for a free connection. Short, so that during an outage or an
/// overload requests answer 503 within seconds instead of queueing for half a minute.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects; for SQLite creates the file and its directory and turns on WAL, so readers never wait
/// for the writer.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    connect_with(url, None, 16).await
}

pub(crate) async fn connect_with(url: &str, search_path: Option<&str>, max_connections: u32) -> anyhow::Result<Db> {
    let backend = Backend::of_url(url)?;
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).acquire_timeout(ACQUIRE_TIMEOUT);
    match backend {
        Backend::Sqlite => {
            let parsed = SqliteConnectOptions::from_str(url)?;
            if let Some(dir) = parsed.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let sqlite = |o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(WRITE_WAIT)
                    .foreign_keys(true)
            };
            // The writer first: it creates the file and switches it to WAL.
            let mut w = opts.clone();
            w.max_connections(1).min_connections(1).acquire_timeout(WRITE_WAIT).map_sqlx_sqlite_opts(sqlite);
            let writer = Database::connect(w).await?;
            opts.max_connections(max_connections.min(8))
                .map_sqlx_sqlite_opts(move |o| sqlite(o).pragma("query_only", "ON"));
            let conn = Database::connect(opts).await?;
            Ok(Db { conn, writer, backend })
        }
        Backend::Postgres => {
            opts.max_connections(max_connections);
            if let Some(path) = search_path {
                opts.set_schema_search_path(path.to_string());
            }
            let conn = Database::connect(opts).await?;
            Ok(Db { writer: conn.clone(), conn, backend })
        }
    }
}

/// A PostgreSQL database name Linli creates for itself (benchmarks): letters, digits and `_`.
fn plain_name(name: &str) -> anyhow::Result<&str> {
    let ok = !name.is_empty() && name.len() <= 63 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok { Ok(name) } else { anyhow::bail!("not a plain database name: {name:?}") }
}

/// Creates database `name` on the PostgreSQL server `admin_url` points at.
pub async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let admin = connect(admin_url).await?;
    admin.conn.execute_unprepared(&format!("CREATE DATABASE {}", plain_name(name)?)).await?;
    admin.close().await;
    Ok(())
}

/// Drops database `name` there, closing its connections.
pub async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let admin = connect(admin_url).await?;
    admin.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", plain_name(name)?)).await?;
    admin.close().await;
    Ok(())
}
