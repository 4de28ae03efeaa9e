use std::str::FromStr;
use std::time::Duration;

use linli_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

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

/// A connection pool and the backend behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    pub backend: Backend,
}

impl Db {
    /// Brings the schema up to date; safe to call on every start and from several instances.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }
}

/// Connects; for SQLite creates the file and its directory, and turns on WAL with a busy timeout
/// so the web server and the job workers can write concurrently.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    connect_with(url, None, 16).await
}

pub(crate) async fn connect_with(url: &str, search_path: Option<&str>, max_connections: u32) -> anyhow::Result<Db> {
    let backend = Backend::of_url(url)?;
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(30));
    match backend {
        Backend::Sqlite => {
            let parsed = SqliteConnectOptions::from_str(url)?;
            if let Some(dir) = parsed.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            opts.max_connections(max_connections.min(8)).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        }
        Backend::Postgres => {
            opts.max_connections(max_connections);
            if let Some(path) = search_path {
                opts.set_schema_search_path(path.to_string());
            }
        }
    }
    let conn = Database::connect(opts).await?;
    Ok(Db { conn, backend })
}
