//! `linli bench`: speed measured on a fresh database of its own, printed as figures. Tests never
//! time anything; this is where speed is measured.

mod api;
mod payments;

pub use api::{Options as ApiOptions, api};
pub use payments::payments;

use std::time::Instant;

use linli_core::Authz;

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
            linli_db::create_database(base, &name).await?;
            let (head, _) = base.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("postgres URL without a database"))?;
            Ok(Scratch { url: format!("{head}/{name}"), cleanup: Some((base.to_string(), name)), dir: None })
        }
    }
}

impl Scratch {
    /// The bench's configuration on this database: a fixed key, files beside the database.
    fn config(&self, workers: bool) -> Config {
        Config {
            database_url: Some(self.url.clone()),
            data_dir: self.dir.clone().unwrap_or_else(std::env::temp_dir),
            workers,
            secret_key: Some(BENCH_KEY.into()),
            ..Config::default()
        }
    }

    async fn drop_it(self) {
        if let Some((base, name)) = self.cleanup {
            let _ = linli_db::drop_database(&base, &name).await;
        }
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Imports the demo community's house sheet of `houses` rows, imports it again, then compares
/// a plain insert of every row the import wrote (buildings, units, houses, audit rows) with a
/// second import of the same sheet into tables of the same size.
#[allow(clippy::cast_precision_loss)] // row counts far below 2^52
pub async fn import(houses: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    use linli_property::{NewProject, ProjectKind};
    for server_url in std::iter::once(None).chain(postgres.map(Some)) {
        let s = scratch(server_url).await?;
        let config = s.config(false);
        let (db, company) = server::open(&config).await?;
        let app = server::app(&db, &config)?;
        let system = Authz::system(company);
        let mut projects = Vec::new();
        for name in ["基准小区", "基准小区(基线)", "基准小区(再导入)"] {
            projects.push(app.projects.create(&system, NewProject::named(name, ProjectKind::Residential)).await?.id);
        }
        let csv = community::house_sheet(houses);
        let t = Instant::now();
        let first = app.structure.import_houses(&system, projects[0], "bench.csv", csv.as_bytes(), false).await?;
        let first_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let again = app.structure.import_houses(&system, projects[0], "bench.csv", csv.as_bytes(), false).await?;
        let again_s = t.elapsed().as_secs_f64();

        // The baseline goes first, into the smaller tables: if anything, it is favoured.
        let rows = linli_db::plain::copy_of_project(&db, projects[0], projects[1]).await?;
        let n = rows.rows();
        let t = Instant::now();
        linli_db::plain::write(&db, rows).await?;
        let plain_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let third = app.structure.import_houses(&system, projects[2], "bench.csv", csv.as_bytes(), false).await?;
        let third_s = t.elapsed().as_secs_f64();

        let backend = db.backend.as_str();
        println!("houses import on {backend}:");
        println!(
            "  first import        : {} rows in {first_s:.2} s = {:.0} rows/s (created {}, failed {})",
            first.total_rows,
            first.total_rows as f64 / first_s,
            first.created,
            first.failed
        );
        println!(
            "  re-import           : {} rows in {again_s:.2} s = {:.0} rows/s (created {}, unchanged {})",
            again.total_rows,
            again.total_rows as f64 / again_s,
            again.created,
            again.unchanged
        );
        println!(
            "  plain insert        : {n} houses with their buildings, units and audit rows in {plain_s:.2} s = {:.0} rows/s",
            n as f64 / plain_s
        );
        println!(
            "  import, same tables : {} rows in {third_s:.2} s = {:.0} rows/s",
            third.created,
            third.created as f64 / third_s
        );
        println!("  ratio import / plain: {:.2} (speed; 1.00 would be as fast as the plain insert)", plain_s / third_s);
        db.close().await;
        s.drop_it().await;
    }
    Ok(())
}

/// A fixed key: the bench's data is thrown away.
const BENCH_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

/// A project of `houses` houses all owned by one person (with `phone`, if given, so bills are
/// announced to them) and two area fee items, `BASE` and `WYF`, at 2.35 元/m²/月.
async fn owned_houses(
    app: &linli_http::App,
    system: &Authz,
    houses: usize,
    phone: Option<&str>,
) -> anyhow::Result<(linli_property::Project, Vec<i64>)> {
    use linli_billing::{AssignmentTarget, BillingCycle, FeeKind};
    use rust_decimal::Decimal;

    use crate::demo::billing as bills;

    let project = app
        .projects
        .create(system, linli_property::NewProject::named("基准小区", linli_property::ProjectKind::Residential))
        .await?;
    app.structure
        .import_houses(system, project.id, "bench.csv", community::house_sheet(houses).as_bytes(), false)
        .await?;
    let owners = community::one_owner_sheet(houses, "基准业主", phone, "2020-01-01");
    let imported = app.people.import_persons(system, project.id, "bench-owners.csv", owners.as_bytes(), false).await?;
    anyhow::ensure!(imported.failed == 0, "bench owners did not import: {:?}", imported.errors.first());
    let mut items = Vec::new();
    for code in ["BASE", "WYF"] {
        let mut wyf = bills::item(project.id, code, "物业费", FeeKind::Area, BillingCycle::Monthly);
        wyf.vacancy_rate = Some(Decimal::new(7, 1));
        let fee = app.billing.fees.create_fee_item(system, wyf).await?;
        app.billing
            .fees
            .add_standard(system, fee.id, bills::standard("2020-01-01".parse()?, Decimal::new(235, 2)))
            .await?;
        app.billing.fees.add_assignment(system, fee.id, bills::assign(AssignmentTarget::Project, None, None)).await?;
        items.push(fee.id);
    }
    Ok((project, items))
}

/// Bills `houses` houses (each owned, one area fee) for one month, and measures against a plain
/// bulk insert of the same rows into the same tables of the same database.
#[allow(clippy::cast_precision_loss)] // row counts far below 2^52
pub async fn billing(houses: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    use linli_billing::{Period, run};

    for server_url in std::iter::once(None).chain(postgres.map(Some)) {
        let s = scratch(server_url).await?;
        let config = s.config(false);
        let (db, company) = server::open(&config).await?;
        let app = server::app(&db, &config)?;
        let system = Authz::system(company);
        let t = Instant::now();
        let (project, items) = owned_houses(&app, &system, houses, None).await?;
        let seeded_s = t.elapsed().as_secs_f64();
        let backend = db.backend.as_str();
        let month = Period::parse_month("2026-01").ok_or_else(|| anyhow::anyhow!("month"))?;

        // Baseline first, so the run is the one that writes into the larger tables.
        let repo: std::sync::Arc<dyn linli_billing::BillingRepo> = std::sync::Arc::new(db.clone());
        let inputs = repo.run_inputs(project.id, month, &items[..1]).await?;
        let rows = run::compute(project.id, month, &inputs).bills;
        let plain = linli_db::plain::bills(&db, &rows, app.billing.seal()).await?;
        let t = Instant::now();
        linli_db::plain::write(&db, plain).await?;
        let plain_s = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let preview = app.billing.runs.preview_run(&system, project.id, "2026-01", &items[1..]).await?;
        app.billing.runs.confirm_run(&system, preview.id).await?;
        let (done, written) = app.billing.runs.execute_run(preview.id, crate::billing_cli::CHUNK).await?;
        let run_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let rerun = app.billing.runs.preview_run(&system, project.id, "2026-01", &items[1..]).await?;
        app.billing.runs.confirm_run(&system, rerun.id).await?;
        let (_, again) = app.billing.runs.execute_run(rerun.id, crate::billing_cli::CHUNK).await?;
        let again_s = t.elapsed().as_secs_f64();

        println!("billing on {backend:<8}: {houses} houses seeded in {seeded_s:.1} s");
        println!(
            "  plain insert        : {} bills + entries in {plain_s:.2} s = {:.0} bills/s (rows built before the clock)",
            rows.len(),
            rows.len() as f64 / plain_s
        );
        println!(
            "  billing run         : {written} bills ({} 元) in {run_s:.2} s = {:.0} bills/s (preview, confirm, compute, write)",
            done.total_fen,
            written as f64 / run_s
        );
        println!("  ratio run / plain   : {:.2} (speed; 1.00 would be as fast as the plain insert)", plain_s / run_s);
        println!("  the same run again   : {again} new bills in {again_s:.2} s");
        db.close().await;
        s.drop_it().await;
    }
    Ok(())
}

/// Counter payments through the real server by 1, 4, 8… cashiers at once, each level while the
/// job workers write a billing run's bills and deliver its notices. Prints payments per second,
/// the ratio to one cashier alone, and every answer that was not a receipt.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
pub async fn writes(parallel: &[usize], payments: usize, houses: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    for server_url in std::iter::once(None).chain(postgres.map(Some)) {
        let s = scratch(server_url).await?;
        let config = s.config(true);
        let (db, company) = server::open(&config).await?;
        let system = Authz::system(company);
        let app = server::app(&db, &config)?;
        let (project, items) = owned_houses(&app, &system, houses, Some("13800000000")).await?;
        let password = "bench-cashier-password";
        let cashier = linli_auth::NewUser {
            username: "bench-cashier".into(),
            display_name: "基准收费员".into(),
            phone: None,
            password: password.into(),
        };
        crate::admin::create_user(&db, company, cashier, Some("cashier"), None).await?;
        let running = server::start(db.clone(), &config, "127.0.0.1:0").await?;
        let client =
            Client { base: format!("http://{}", running.addr), http: reqwest::Client::new(), token: String::new() };
        let token = client.login("bench-cashier", password).await?;
        let client = std::sync::Arc::new(Client { token, ..client });
        let ids = client.house_ids(project.id).await?;
        let backend = db.backend.as_str();
        println!("counter payments on {backend}: {} houses, {payments} payments per level", ids.len());

        let mut alone = None;
        for (level, &p) in parallel.iter().enumerate() {
            // A new month's run for the workers to write and announce meanwhile.
            let month = format!("2025-{:02}", level % 12 + 1);
            let run = app.billing.runs.preview_run(&system, project.id, &month, &items).await?;
            app.billing.runs.confirm_run(&system, run.id).await?;

            let t = Instant::now();
            let mut tasks = Vec::new();
            for w in 0..p {
                let (client, ids) = (client.clone(), ids.clone());
                tasks.push(tokio::spawn(async move {
                    let mut tally = Tally::default();
                    for i in (w..payments).step_by(p) {
                        // Every fourth payment goes to the same house: writers on one account.
                        let house = if i % 4 == 0 { ids[0] } else { ids[i % ids.len()] };
                        tally.add(client.pay(house, &format!("bench-{level}-{i}")).await);
                    }
                    tally
                }));
            }
            let mut tally = Tally::default();
            for task in tasks {
                tally.merge(task.await?);
            }
            let secs = t.elapsed().as_secs_f64();
            let rate = tally.ok as f64 / secs;
            let ratio = alone.map_or_else(|| "baseline".to_string(), |a: f64| format!("{:.2}× one cashier", rate / a));
            alone.get_or_insert(rate);
            println!(
                "  {p:>2} at once: {} payments in {secs:.2} s = {rate:.0}/s ({ratio}); errors {} (5xx {}){}",
                tally.ok,
                tally.failed + tally.server_errors,
                tally.server_errors,
                tally.first_error.map(|e| format!("; first: {e}")).unwrap_or_default()
            );
        }
        let check = app.billing.reports.check_ledger().await?;
        println!("  ledger check: {}", if check.ok() { "ok" } else { "DIFFERENCES" });
        running.shutdown().await;
        db.close().await;
        s.drop_it().await;
    }
    Ok(())
}

struct Client {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Client {
    async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let res = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await?
            .error_for_status()?;
        let body: serde_json::Value = res.json().await?;
        body["token"].as_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("login without a token"))
    }

    async fn house_ids(&self, project: i64) -> anyhow::Result<Vec<i64>> {
        let mut ids = Vec::new();
        for page in 1.. {
            let url = format!("{}/api/v1/houses?project_id={project}&page={page}&page_size=500", self.base);
            let body: serde_json::Value =
                self.http.get(url).bearer_auth(&self.token).send().await?.error_for_status()?.json().await?;
            let items = body["items"].as_array().cloned().unwrap_or_default();
            ids.extend(items.iter().filter_map(|h| h["id"].as_i64()));
            if items.is_empty() || ids.len() as u64 >= body["total"].as_u64().unwrap_or(0) {
                break;
            }
        }
        anyhow::ensure!(!ids.is_empty(), "the bench project has no houses");
        Ok(ids)
    }

    /// One counter payment of 1.00 元 received today; the status and, for an error, its body.
    async fn pay(&self, house: i64, key: &str) -> Result<(), (u16, String)> {
        let body = serde_json::json!({
            "amount_fen": 100, "channel": "cash", "received_on": linli_core::time::today().to_string(),
        });
        let res = self
            .http
            .post(format!("{}/api/v1/houses/{house}/payments", self.base))
            .bearer_auth(&self.token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await
            .map_err(|e| (0, e.to_string()))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        Err((status.as_u16(), res.text().await.unwrap_or_default()))
    }
}

#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
    server_errors: usize,
    first_error: Option<String>,
}

impl Tally {
    fn add(&mut self, r: Result<(), (u16, String)>) {
        match r {
            Ok(()) => self.ok += 1,
            Err((status, body)) => {
                if status == 0 || status >= 500 {
                    self.server_errors += 1;
                } else {
                    self.failed += 1;
                }
                self.first_error
                    .get_or_insert_with(|| format!("{status} {}", body.chars().take(160).collect::<String>()));
            }
        }
    }

    fn merge(&mut self, o: Tally) {
        self.ok += o.ok;
        self.failed += o.failed;
        self.server_errors += o.server_errors;
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
    }
}
