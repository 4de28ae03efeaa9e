//! Test support: a fresh, migrated database per test, on SQLite always and on PostgreSQL when
//! `LINLI_TEST_DATABASE_URL` names a server. `db_test!` writes one test for each.

use crate::connect::connect_with;
use crate::{Db, connect};

pub struct TestDb {
    pub db: Db,
    /// The database URL the test server should use (PostgreSQL: with its own schema).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema { admin_url: String, schema: String },
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

impl TestDb {
    /// A migrated SQLite database in a temporary file (a file, not `:memory:`, so several
    /// connections share it as they do in production).
    pub async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("linli-test-{}.db", unique()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = connect(&url).await.expect("open test SQLite");
        db.migrate().await.expect("migrate test SQLite");
        Self { db, url, cleanup: Cleanup::File(path) }
    }

    /// A migrated, empty schema of its own on the PostgreSQL server, or `None` without one.
    pub async fn postgres() -> Option<Self> {
        let admin_url = std::env::var("LINLI_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
        let schema = format!("t_{}", unique());
        let admin = connect(&admin_url).await.expect("connect to LINLI_TEST_DATABASE_URL");
        sea_orm::ConnectionTrait::execute_unprepared(&admin.conn, &format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create test schema");
        admin.conn.close().await.ok();
        let db = connect_with(&admin_url, Some(&schema), 4).await.expect("connect test schema");
        db.migrate().await.expect("migrate test schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        Some(Self { db, url, cleanup: Cleanup::Schema { admin_url, schema } })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Schema { admin_url, schema } => {
                let (url, sql) = (admin_url.clone(), format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                // Drop runs inside the test's runtime; a thread of its own may block on a new one.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    rt.block_on(async {
                        let db = connect(&url).await.ok()?;
                        sea_orm::ConnectionTrait::execute_unprepared(&db.conn, &sql).await.ok()?;
                        db.conn.close().await.ok()
                    })
                })
                .join();
            }
        }
    }
}

/// `db_test!(async fn name(db: TestDb) { … })` expands to `name::sqlite` and `name::postgres`;
/// the PostgreSQL one says it was skipped when no server is configured.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident : TestDb) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            async fn run($db: $crate::testing::TestDb) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::testing::TestDb::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::testing::TestDb::postgres().await {
                    Some(db) => run(db).await,
                    None => eprintln!("skipped: LINLI_TEST_DATABASE_URL is not set"),
                }
            }
        }
    };
}

impl crate::Db {
    /// Tests only: the connection, to stage what the API cannot make (a tampered ledger entry, a
    /// run killed half-way, a database that went away) and to look at what storage holds (that
    /// an ID number is stored encrypted).
    pub fn raw(&self) -> &sea_orm::DatabaseConnection {
        self.writer()
    }

    /// Tests only: closes every pool, so each later query fails as it would with the server gone.
    pub async fn close_pools(&self) {
        self.conn.clone().close().await.ok();
        self.writer().clone().close().await.ok();
    }
}
