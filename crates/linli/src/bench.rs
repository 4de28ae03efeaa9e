//! `linli bench`: speed measured on a fresh database of its own, printed as figures. Tests never
//! time anything; this is where speed is measured.

use std::time::Instant;

use linli_core::Authz;
use sea_orm::ConnectionTrait;

use crate::config::Config;
use crate::demo::community;
use crate::server;

/// A fresh database for one run: a temporary SQLite file, or a new database on the PostgreSQL
/// server named by `server_url` (dropped afterwards).
struct Scratch {
    url: String,
    cleanup: Option<(String, String)>,
    dir: Option<std::path::PathBuf>,
}

async fn scratch(server_url: Option<&str>) -> anyhow::Result<Scratch> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis();
    match server_url {
        None => {
            let dir = std::env::temp_dir().join(format!("linli-bench-{stamp}"));
            std::fs::create_dir_all(&dir)?;
            Ok(Scratch { url: format!("sqlite://{}/bench.db?mode=rwc", dir.display()), cleanup: None, dir: Some(dir) })
        }
        Some(base) => {
            let name = format!("linli_bench_{stamp}");
            let admin = linli_db::connect(base).await?;
            admin.conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
            admin.conn.close().await.ok();
            let (head, _) = base.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("postgres URL without a database"))?;
            Ok(Scratch { url: format!("{head}/{name}"), cleanup: Some((base.to_string(), name)), dir: None })
        }
    }
}

impl Scratch {
    async fn drop_it(self) {
        if let Some((base, name)) = self.cleanup
            && let Ok(admin) = linli_db::connect(&base).await
        {
            let _ = admin.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Imports the demo community's house sheet of `houses` rows, then imports it again.
#[allow(clippy::cast_precision_loss)] // row counts far below 2^52
pub async fn import(houses: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    for server_url in std::iter::once(None).chain(postgres.map(Some)) {
        let s = scratch(server_url).await?;
        let config = Config {
            database_url: Some(s.url.clone()),
            workers: false,
            secret_key: Some(BENCH_KEY.into()),
            ..Config::default()
        };
        let (db, company) = server::open(&config).await?;
        let app = server::app(&db, &config)?;
        let system = Authz::system(company);
        let project = app
            .projects
            .create(&system, linli_property::NewProject::named("基准小区", linli_property::ProjectKind::Residential))
            .await?;
        let csv = community::house_sheet(houses);
        let t = Instant::now();
        let first = app.structure.import_houses(&system, project.id, "bench.csv", csv.as_bytes(), false).await?;
        let first_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let again = app.structure.import_houses(&system, project.id, "bench.csv", csv.as_bytes(), false).await?;
        let again_s = t.elapsed().as_secs_f64();
        let backend = db.backend.as_str();
        println!(
            "houses import on {backend:<8}: {} rows in {first_s:.2} s = {:.0} rows/s (created {}, failed {})",
            first.total_rows,
            first.total_rows as f64 / first_s,
            first.created,
            first.failed
        );
        println!(
            "re-import on {backend:<8}    : {} rows in {again_s:.2} s = {:.0} rows/s (created {}, unchanged {})",
            again.total_rows,
            again.total_rows as f64 / again_s,
            again.created,
            again.unchanged
        );
        db.conn.close().await.ok();
        s.drop_it().await;
    }
    Ok(())
}

/// A fixed key: the bench's data is thrown away.
const BENCH_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
