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

/// Bills `houses` houses (each owned, one area fee) for one month, and measures against a plain
/// bulk insert of the same rows into the same tables of the same database.
#[allow(clippy::cast_precision_loss)] // row counts far below 2^52
pub async fn billing(houses: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    use linli_billing::{AssignmentTarget, BillingCycle, FeeKind, Period, run};

    use crate::demo::billing as bills;
    use rust_decimal::Decimal;

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
        let t = Instant::now();
        app.structure
            .import_houses(&system, project.id, "bench.csv", community::house_sheet(houses).as_bytes(), false)
            .await?;
        let owner = app
            .people
            .create(
                &system,
                linli_people::NewPerson {
                    project_id: project.id,
                    kind: linli_people::PersonKind::Person,
                    name: "基准业主".into(),
                    phone: None,
                    phone2: None,
                    id_type: None,
                    id_number: None,
                    gender: None,
                    emergency_contact: None,
                    emergency_phone: None,
                    bank_account: None,
                    notes: None,
                },
            )
            .await?;
        db.conn
            .execute_unprepared(&format!(
                "INSERT INTO ownerships (project_id, house_id, person_id, share_bp, started_on, created_at) \
                 SELECT project_id, id, {}, 10000, '2020-01-01', created_at FROM houses WHERE project_id = {}",
                owner.id, project.id
            ))
            .await?;
        let mut items = Vec::new();
        for code in ["BASE", "WYF"] {
            let mut wyf = bills::item(project.id, code, "物业费", FeeKind::Area, BillingCycle::Monthly);
            wyf.vacancy_rate = Some(Decimal::new(7, 1));
            let fee = app.billing.create_fee_item(&system, wyf).await?;
            app.billing
                .add_standard(&system, fee.id, bills::standard("2020-01-01".parse()?, Decimal::new(235, 2)))
                .await?;
            app.billing.add_assignment(&system, fee.id, bills::assign(AssignmentTarget::Project, None, None)).await?;
            items.push(fee.id);
        }
        let seeded_s = t.elapsed().as_secs_f64();
        let backend = db.backend.as_str();
        let month = Period::parse_month("2026-01").ok_or_else(|| anyhow::anyhow!("month"))?;

        // Baseline first, so the run is the one that writes into the larger tables.
        let repo: std::sync::Arc<dyn linli_billing::BillingRepo> = std::sync::Arc::new(db.clone());
        let inputs = repo.run_inputs(project.id, month, &items[..1]).await?;
        let rows = run::compute(project.id, month, &inputs).bills;
        let t = Instant::now();
        linli_db::bulk_insert_plain(&db, &rows, app.billing.seal(), crate::billing_cli::CHUNK).await?;
        let plain_s = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let preview = app.billing.preview_run(&system, project.id, "2026-01", &items[1..]).await?;
        app.billing.confirm_run(&system, preview.id).await?;
        let (done, written) = app.billing.execute_run(preview.id, crate::billing_cli::CHUNK).await?;
        let run_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let rerun = app.billing.preview_run(&system, project.id, "2026-01", &items[1..]).await?;
        app.billing.confirm_run(&system, rerun.id).await?;
        let (_, again) = app.billing.execute_run(rerun.id, crate::billing_cli::CHUNK).await?;
        let again_s = t.elapsed().as_secs_f64();

        println!("billing on {backend:<8}: {houses} houses seeded in {seeded_s:.1} s");
        println!(
            "  plain bulk insert   : {} bills + entries in {plain_s:.2} s = {:.0} bills/s",
            rows.len(),
            rows.len() as f64 / plain_s
        );
        println!(
            "  billing run         : {written} bills ({} 元) in {run_s:.2} s = {:.0} bills/s (preview, confirm, compute, write)",
            done.total_fen,
            written as f64 / run_s
        );
        println!("  ratio run / plain   : {:.2}×", run_s / plain_s);
        println!("  the same run again   : {again} new bills in {again_s:.2} s");
        db.conn.close().await.ok();
        s.drop_it().await;
    }
    Ok(())
}
