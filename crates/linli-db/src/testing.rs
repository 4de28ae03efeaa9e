//! Test support: a fresh, migrated database per test, on SQLite always and on PostgreSQL when
//! `LINLI_TEST_DATABASE_URL` names a server. `db_test!` writes one test for each.

use crate::connect::connect_with;
use crate::{Db, connect};
use sea_orm::{ConnectionTrait, Statement};

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
    /// Tests only: closes every pool, so each later query fails as it would with the server gone.
    pub async fn close_pools(&self) {
        self.conn.clone().close().await.ok();
        self.writer().clone().close().await.ok();
    }
}

/// Tests only: what the API cannot make or show, staged or read here, where the SQL lives, so
/// that no test writes SQL of its own: a tampered ledger entry, a run killed half-way, a bill
/// issued in the past, what storage holds byte for byte.
impl TestDb {
    async fn execute(&self, sql: &str, values: Vec<sea_orm::Value>) -> Result<(), sea_orm::DbErr> {
        let conn = self.db.writer();
        let backend = conn.get_database_backend();
        conn.execute_raw(Statement::from_sql_and_values(backend, placeholders(backend, sql), values)).await.map(|_| ())
    }

    async fn number(&self, sql: &str) -> i64 {
        let conn = self.db.writer();
        let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
        row.and_then(|r| r.try_get_by_index::<Option<i64>>(0).unwrap()).unwrap_or(0)
    }

    async fn texts(&self, sql: &str) -> Vec<String> {
        let conn = self.db.writer();
        let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
        rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
    }

    /// How many bills are stored, whatever their state.
    pub async fn bill_count(&self) -> i64 {
        self.number("SELECT COUNT(*) FROM bills").await
    }

    /// How many charge entries the ledger holds (one per bill).
    pub async fn charge_entry_count(&self) -> i64 {
        self.number("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'charge'").await
    }

    /// The sum of every stored bill's amount, in fen.
    pub async fn bills_total_fen(&self) -> i64 {
        self.number("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM bills").await
    }

    /// Sets every allocation entry's principal, as someone editing the database by hand would:
    /// refused while the ledger's append-only guard stands.
    pub async fn edit_allocations(&self, principal_fen: i64) -> Result<(), sea_orm::DbErr> {
        self.execute(
            "UPDATE ledger_entries SET principal_fen = ? WHERE kind = 'allocation'",
            vec![principal_fen.into()],
        )
        .await
    }

    /// Drops the trigger that keeps ledger entries append-only.
    pub async fn drop_ledger_guard(&self) {
        let sql = match self.db.backend {
            crate::Backend::Postgres => "DROP TRIGGER ledger_entries_append_only ON ledger_entries",
            crate::Backend::Sqlite => "DROP TRIGGER ledger_entries_no_update",
        };
        self.execute(sql, vec![]).await.unwrap();
    }

    /// Pretends the bill was issued at `at` (the run that wrote it ran back then).
    pub async fn set_bill_issued_at(&self, bill: i64, at: chrono::DateTime<chrono::Utc>) {
        self.execute("UPDATE bills SET issued_at = ? WHERE id = ?", vec![at.into(), bill.into()]).await.unwrap();
    }

    /// Renames an equipment category behind the service's back (a company's own name for it).
    pub async fn rename_category(&self, code: &str, name_zh: &str) {
        self.execute("UPDATE equipment_categories SET name_zh = ? WHERE code = ?", vec![name_zh.into(), code.into()])
            .await
            .unwrap();
    }

    /// Deletes an equipment category outright, as a damaged seed would leave it.
    pub async fn delete_category(&self, code: &str) {
        self.execute("DELETE FROM equipment_categories WHERE code = ?", vec![code.into()]).await.unwrap();
    }

    async fn insert(&self, sql: &str, values: Vec<sea_orm::Value>, table: &str) -> i64 {
        self.execute(sql, values).await.unwrap();
        self.number(&format!("SELECT MAX(id) FROM {table}")).await
    }

    /// A residential project written straight to storage, for storage tests below the services.
    pub async fn insert_project(&self, company: i64, name: &str) -> i64 {
        let sql = "INSERT INTO projects (company_id, name, kind, created_at, updated_at) \
                   VALUES (?, ?, 'residential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
        self.insert(sql, vec![company.into(), name.into()], "projects").await
    }

    /// A residential building of `floors` floors written straight to storage.
    pub async fn insert_building(&self, project: i64, name: &str, floors: i32) -> i64 {
        let sql = "INSERT INTO buildings (project_id, name, floors_above, floors_below, elevator_count, kind, \
                   created_at, updated_at) VALUES (?, ?, ?, 0, 0, 'residential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
        self.insert(sql, vec![project.into(), name.into(), floors.into()], "buildings").await
    }

    /// An occupied first-floor house of `area_x100` hundredths of a m², written straight to storage.
    pub async fn insert_house(&self, project: i64, building: i64, number: &str, area_x100: i64) -> i64 {
        let sql = "INSERT INTO houses (project_id, building_id, unit_id, number, floor, gross_area_x100, usage, \
                   state, created_at, updated_at) VALUES (?, ?, 0, ?, 1, ?, 'residential', 'occupied', \
                   CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
        self.insert(sql, vec![project.into(), building.into(), number.into(), area_x100.into()], "houses").await
    }

    /// The HTML bodies of every email message in the outbox.
    pub async fn email_bodies(&self) -> Vec<String> {
        self.texts("SELECT html FROM messages WHERE channel = 'email' ORDER BY id").await
    }

    /// How many search grams (`search_grams`) rows of a kind (`person`, `house`) hold.
    pub async fn search_grams(&self, kind: &str) -> i64 {
        assert!(kind.chars().all(|c| c.is_ascii_lowercase()), "a kind");
        self.number(&format!("SELECT COUNT(*) FROM search_grams WHERE kind = '{kind}'")).await
    }

    /// Payments recorded for a house, whatever their channel.
    pub async fn payments_of_house(&self, house_id: i64) -> i64 {
        self.number(&format!("SELECT COUNT(*) FROM payments WHERE house_id = {house_id}")).await
    }

    /// Channel notifications logged with this outcome (`settled`, `repeated`, `refused`…), and
    /// the reasons given for them, in order.
    pub async fn payment_notifications(&self, outcome: &str) -> Vec<String> {
        assert!(outcome.chars().all(|c| c.is_ascii_lowercase()), "an outcome");
        self.texts(&format!(
            "SELECT COALESCE(reason, '') FROM payment_notifications WHERE outcome = '{outcome}' ORDER BY id"
        ))
        .await
    }

    /// Every row of a table as JSON text (PostgreSQL), to look for a plain value in storage.
    pub async fn rows_as_json(&self, table: &str) -> Vec<String> {
        assert!(table.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "a table name");
        self.texts(&format!("SELECT row_to_json(t)::text FROM {table} t")).await
    }
}

/// `?` placeholders as the backend writes them (`$1, $2…` on PostgreSQL).
fn placeholders(backend: sea_orm::DbBackend, sql: &str) -> String {
    if backend != sea_orm::DbBackend::Postgres {
        return sql.to_string();
    }
    let mut parts = sql.split('?');
    let first = parts.next().unwrap_or_default().to_string();
    parts.enumerate().fold(first, |out, (n, part)| format!("{out}${}{part}", n + 1))
}
