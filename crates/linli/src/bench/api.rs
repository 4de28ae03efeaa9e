//! `linli bench api`: the real server, on a database this bench fills (houses, people, a year of
//! bills, some of it paid), loaded through HTTP by `rlt` at 50 and 200 connections. Every figure
//! is printed beside the same server's trivial endpoint (the web app's index page, served from
//! memory, touching no database) measured in the same run, so the ratio says how much of the
//! server's capacity the endpoint leaves.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use chrono::{Datelike, Months};
use clap::Parser as _;
use linli_billing::{AssignmentTarget, BillingCycle, FeeKind, NewPayment, PaymentChannel, Period};
use linli_core::{Authz, Fen, Id, PageRequest};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Client, scratch};
use crate::demo::{billing as bills, community};
use crate::server;

pub struct Options {
    pub houses: Vec<usize>,
    pub connections: Vec<u32>,
    pub seconds: u64,
    pub months: u32,
    pub postgres: Option<String>,
    pub json: bool,
}

/// One endpoint under one load.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub backend: String,
    pub houses: usize,
    pub connections: u32,
    pub endpoint: String,
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Requests per second as a share of the trivial endpoint's in the same run.
    pub ratio: f64,
    /// Answers that were not 2xx, by status ("Server Error(503)": 12).
    pub not_ok: std::collections::BTreeMap<String, u64>,
}

/// What one database size cost: filling it, and the server's memory.
#[derive(Debug, Clone, Serialize)]
pub struct Filled {
    pub backend: String,
    pub houses: usize,
    pub bills: u64,
    pub payments: u64,
    pub fill_s: f64,
    /// The process's peak resident memory while filling, and then while under load (the
    /// bench's own client is in the same process; it holds little).
    pub fill_peak_mb: u64,
    pub load_peak_mb: u64,
    /// Resident memory once the load stopped.
    pub after_mb: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    filled: Vec<Filled>,
    figures: Vec<Figure>,
}

pub async fn api(o: &Options) -> anyhow::Result<()> {
    let mut report = Report { filled: Vec::new(), figures: Vec::new() };
    for server_url in std::iter::once(None).chain(o.postgres.as_deref().map(Some)) {
        for &houses in &o.houses {
            let (filled, figures) = one(server_url, houses, o).await?;
            if !o.json {
                print_filled(&filled);
            }
            report.filled.push(filled);
            report.figures.extend(figures);
        }
    }
    if o.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}

async fn one(server_url: Option<&str>, houses: usize, o: &Options) -> anyhow::Result<(Filled, Vec<Figure>)> {
    let s = scratch(server_url).await?;
    let config = s.config(false);
    reset_peak();
    let t = Instant::now();
    let (db, company) = server::open(&config).await?;
    let app = server::app(&db, &config)?;
    let fill = fill(&app, company, houses, o.months).await?;
    db.analyze().await?;
    let fill_s = t.elapsed().as_secs_f64();
    let fill_peak_mb = memory().0;
    let backend = db.backend.as_str().to_string();
    eprintln!("{backend}: {houses} houses, {} bills, {} payments filled in {fill_s:.1} s", fill.bills, fill.payments);

    reset_peak();
    let running = server::start(db.clone(), &config, "127.0.0.1:0").await?;
    let base = format!("http://{}", running.addr);
    let staff = sign_in_staff(&base, &db, company).await?;
    let resident = sign_in_resident(&base, &db, company, &fill.resident_phone).await?;
    let year = linli_core::time::today().year();
    let p = fill.project;
    let b = fill.building;
    // Requests vary within each endpoint (pages, houses, names), so no answer is served warm
    // from a single cached row.
    let pages: Vec<String> = (1..=20)
        .map(|page| format!("/api/v1/houses?project_id={p}&building_id={b}&state=occupied&page={page}&page_size=20"))
        .collect();
    let spread = |f: &dyn Fn(Id) -> String| -> Vec<String> {
        let step = (fill.houses.len() / 97).max(1);
        fill.houses.iter().step_by(step).map(|&h| f(h)).collect()
    };
    let names: Vec<String> = ["王伟", "李芳", "张", "刘娜", "陈", "杨静", "黄", "赵丽"]
        .iter()
        .map(|q| format!("/api/v1/persons?project_id={p}&q={}", percent(q)))
        .collect();
    let endpoints: Vec<(&str, Vec<String>, &str)> = vec![
        ("houses list (building, occupied)", pages, staff.as_str()),
        ("house detail", spread(&|h| format!("/api/v1/houses/{h}")), staff.as_str()),
        ("owner search by name", names, staff.as_str()),
        (
            "house search by owner (houses?q=)",
            vec![format!("/api/v1/houses?project_id={p}&q={}", percent("王伟"))],
            staff.as_str(),
        ),
        ("a house's bills", spread(&|h| format!("/api/v1/bills?house_id={h}")), staff.as_str()),
        ("bill list (project)", vec![format!("/api/v1/bills?project_id={p}")], staff.as_str()),
        ("arrears report", vec![format!("/api/v1/reports/arrears?project_id={p}")], staff.as_str()),
        ("collection report", vec![format!("/api/v1/reports/collection?project_id={p}&year={year}")], staff.as_str()),
        ("dashboard stats", vec![format!("/api/v1/projects/{p}/stats")], staff.as_str()),
        ("resident: bindings", vec!["/api/v1/bindings".into()], resident.as_str()),
        ("resident: bills", vec![format!("/api/v1/my/houses/{}/bills", fill.resident_house)], resident.as_str()),
        ("resident: inbox", vec!["/api/v1/inbox".into()], resident.as_str()),
    ];
    let mut figures = Vec::new();
    for &c in &o.connections {
        let trivial = load(&base, "", vec!["/".into()], c, o.seconds).await?;
        let limit = trivial.requests_per_s;
        let mut row = |endpoint: &str, m: Measured| {
            let f = Figure {
                backend: backend.clone(),
                houses,
                connections: c,
                endpoint: endpoint.into(),
                requests_per_s: m.requests_per_s,
                p50_ms: m.p50_ms,
                p99_ms: m.p99_ms,
                ratio: if limit > 0.0 { m.requests_per_s / limit } else { 0.0 },
                not_ok: m.not_ok,
            };
            if !o.json {
                print_figure(&f);
            }
            figures.push(f);
        };
        row("trivial: GET / (no database)", trivial);
        for (name, paths, token) in &endpoints {
            let m = load(&base, token, paths.clone(), c, o.seconds).await?;
            row(name, m);
        }
    }
    let (load_peak_mb, after_mb) = memory();
    running.shutdown().await;
    db.close().await;
    s.drop_it().await;
    let filled = Filled {
        backend,
        houses,
        bills: fill.bills,
        payments: fill.payments,
        fill_s,
        fill_peak_mb,
        load_peak_mb,
        after_mb,
    };
    Ok((filled, figures))
}

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

struct Fill {
    project: Id,
    building: Id,
    houses: Vec<Id>,
    bills: u64,
    payments: u64,
    resident_phone: String,
    resident_house: Id,
}

/// The demo estate's houses and people (owners, families, tenants, vacant houses), property and
/// rubbish fees billed every month for `months` months up to this one, and every third house
/// paying everything it owes.
async fn fill(app: &linli_http::App, company: Id, houses: usize, months: u32) -> anyhow::Result<Fill> {
    use linli_property::{HouseFilter, NewProject, ProjectKind};
    let system = Authz::system(company);
    let project = app.projects.create(&system, NewProject::named("基准小区", ProjectKind::Residential)).await?;
    let sheet = community::house_sheet(houses);
    let h = app.structure.import_houses(&system, project.id, "bench.csv", sheet.as_bytes(), false).await?;
    anyhow::ensure!(h.failed == 0, "bench houses did not import: {:?}", h.errors.first());
    let people = community::people_sheet(houses);
    let p = app.people.import_persons(&system, project.id, "bench-people.csv", people.as_bytes(), false).await?;
    anyhow::ensure!(p.failed == 0, "bench people did not import: {:?}", p.errors.first());

    let mut wyf = bills::item(project.id, "WYF", "物业费", FeeKind::Area, BillingCycle::Monthly);
    wyf.vacancy_rate = Some(Decimal::new(7, 1));
    let ljf = bills::item(project.id, "LJF", "垃圾清运费", FeeKind::Fixed, BillingCycle::Monthly);
    for (item, price) in [(wyf, Decimal::new(235, 2)), (ljf, Decimal::from(10))] {
        let fee = app.billing.fees.create_fee_item(&system, item).await?;
        app.billing.fees.add_standard(&system, fee.id, bills::standard("2020-01-01".parse()?, price)).await?;
        app.billing.fees.add_assignment(&system, fee.id, bills::assign(AssignmentTarget::Project, None, None)).await?;
    }
    let today = linli_core::time::today();
    let this = Period::month(today.year(), today.month()).context("this month")?.start;
    let mut bills = 0;
    for back in (0..months).rev() {
        let month = this.checked_sub_months(Months::new(back)).context("month")?;
        let run = app.billing.runs.preview_run(&system, project.id, &month.format("%Y-%m").to_string(), &[]).await?;
        app.billing.runs.confirm_run(&system, run.id).await?;
        bills += app.billing.runs.execute_run(run.id, crate::billing_cli::CHUNK).await?.1;
    }

    let filter = HouseFilter { project_id: Some(project.id), ..Default::default() };
    let list = app.structure.list_houses(&system, &filter, PageRequest::all()).await?.items;
    let mut payments = 0;
    for h in list.iter().step_by(3) {
        let account = app.billing.payments.account(&system, h.id, None).await?;
        let owed = account.total_due_fen.0 - account.balance_fen.0;
        if owed > 0 {
            let p = NewPayment {
                amount_fen: Fen(owed),
                channel: PaymentChannel::Wechat,
                received_on: today,
                bill_ids: None,
                earmark_fee_item_id: None,
                allocate: true,
                payer: None,
                note: None,
            };
            app.billing.payments.pay(&system, h.id, p, None).await?;
            payments += 1;
        }
    }
    let first = list.first().context("no houses")?;
    Ok(Fill {
        project: project.id,
        building: first.building_id,
        houses: list.iter().map(|h| h.id).collect(),
        bills,
        payments,
        // The first house's owner (`community::people_sheet` gives house 0 an owner).
        resident_phone: community::owner_phone(0),
        resident_house: first.id,
    })
}

const PASSWORD: &str = "bench-password-not-secret";

async fn login(base: &str, username: &str) -> anyhow::Result<String> {
    let client = Client { base: base.into(), http: reqwest::Client::new(), token: String::new() };
    client.login(username, PASSWORD).await
}

async fn sign_in_staff(base: &str, db: &linli_db::Db, company: Id) -> anyhow::Result<String> {
    let user = linli_auth::NewUser {
        username: "bench-manager".into(),
        display_name: "基准经理".into(),
        phone: None,
        password: PASSWORD.into(),
    };
    crate::admin::create_user(db, company, user, Some("manager"), None).await?;
    login(base, "bench-manager").await
}

/// A resident account bound, the way a resident binds, to the house whose owner has `phone`.
async fn sign_in_resident(base: &str, db: &linli_db::Db, company: Id, phone: &str) -> anyhow::Result<String> {
    let user = linli_auth::NewUser {
        username: "bench-resident".into(),
        display_name: "基准业主".into(),
        phone: None,
        password: PASSWORD.into(),
    };
    crate::admin::create_user(db, company, user, None, None).await?;
    let token = login(base, "bench-resident").await?;
    let http = reqwest::Client::new();
    http.post(format!("{base}/api/v1/bindings/code"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await?
        .error_for_status()?;
    let text = linli_people::binding::demo_sender().last_to(phone).context("no binding code was sent")?;
    let code: String = text.chars().filter(char::is_ascii_digit).collect::<String>().chars().take(6).collect();
    http.post(format!("{base}/api/v1/bindings"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "phone": phone, "code": code }))
        .send()
        .await?
        .error_for_status()
        .context("binding the bench resident")?;
    Ok(token)
}

/// GETs of `paths`, taken in turn, by `connections` workers for `seconds`.
#[derive(Clone)]
struct Suite {
    http: reqwest::Client,
    base: Arc<str>,
    token: Arc<str>,
    paths: Arc<Vec<String>>,
}

#[async_trait]
impl rlt::StatelessBenchSuite for Suite {
    async fn bench(&mut self, info: &rlt::IterInfo) -> anyhow::Result<rlt::IterReport> {
        let path = &self.paths[usize::try_from(info.runner_seq).unwrap_or(0) % self.paths.len()];
        let t = Instant::now();
        let mut req = self.http.get(format!("{}{path}", self.base));
        if !self.token.is_empty() {
            req = req.bearer_auth(&*self.token);
        }
        let res = req.send().await?;
        let code = i64::from(res.status().as_u16());
        let status = match code {
            200..=299 => rlt::Status::success(code),
            400..=499 => rlt::Status::client_error(code),
            _ => rlt::Status::server_error(code),
        };
        let bytes = res.bytes().await?.len() as u64;
        Ok(rlt::IterReport { duration: t.elapsed(), status, bytes, items: 1 })
    }
}

struct Measured {
    requests_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    not_ok: std::collections::BTreeMap<String, u64>,
}

/// rlt drives the workers and keeps the histogram; its JSON report is read back.
async fn load(base: &str, token: &str, paths: Vec<String>, connections: u32, seconds: u64) -> anyhow::Result<Measured> {
    let out = tempfile::Builder::new().prefix("linli-bench-api-").suffix(".json").tempfile()?.into_temp_path();
    let cli = rlt::cli::BenchCli::try_parse_from([
        "bench".to_string(),
        "--concurrency".into(),
        connections.to_string(),
        "--duration".into(),
        format!("{seconds}s"),
        "--warmup".into(),
        (u64::from(connections) * 2).to_string(),
        "--quiet".into(),
        "--output".into(),
        "json".into(),
        "--output-file".into(),
        out.to_string_lossy().into_owned(),
    ])?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections as usize).timeout(Duration::from_mins(1));
    let suite = Suite { http: http.build()?, base: base.into(), token: token.into(), paths: Arc::new(paths) };
    rlt::cli::run(cli, suite).await?;
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out)?)?;
    let ms = |p: &str| report["latency"]["percentiles"][p].as_f64().unwrap_or(0.0) * 1000.0;
    let mut not_ok = std::collections::BTreeMap::new();
    if let Some(statuses) = report["status"].as_object() {
        for (k, v) in statuses {
            if !k.starts_with("Success") {
                not_ok.insert(k.clone(), v.as_u64().unwrap_or(0));
            }
        }
    }
    if let Some(errors) = report["errors"].as_object() {
        for (k, v) in errors {
            not_ok.insert(k.chars().take(80).collect(), v.as_u64().unwrap_or(0));
        }
    }
    // Successful answers only: a fast 503 is not throughput.
    let ok = report["status"]
        .as_object()
        .map_or(0, |m| m.iter().filter(|(k, _)| k.starts_with("Success")).filter_map(|(_, v)| v.as_u64()).sum::<u64>());
    let secs = report["summary"]["total_time"].as_f64().unwrap_or(1.0).max(1e-9);
    #[allow(clippy::cast_precision_loss)] // request counts far below 2^52
    let requests_per_s = ok as f64 / secs;
    Ok(Measured { requests_per_s, p50_ms: ms("p50"), p99_ms: ms("p99"), not_ok })
}

/// Linux: resets the peak resident size (`VmHWM`) to the current one.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// (peak, current) resident memory in MB, from `/proc/self/status`; zeros elsewhere.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (kb("VmHWM:") / 1024, kb("VmRSS:") / 1024)
}

fn print_filled(f: &Filled) {
    println!(
        "{} at {} houses: {} bills and {} payments filled in {:.1} s; peak memory {} MB filling, {} MB under load, {} MB after",
        f.backend, f.houses, f.bills, f.payments, f.fill_s, f.fill_peak_mb, f.load_peak_mb, f.after_mb
    );
}

fn print_figure(f: &Figure) {
    let errors = if f.not_ok.is_empty() {
        String::new()
    } else {
        format!("  not ok: {}", f.not_ok.iter().map(|(k, v)| format!("{k} ×{v}")).collect::<Vec<_>>().join(", "))
    };
    println!(
        "{:<8} {:>6} houses {:>3} conns  {:<36} {:>9.0} req/s  p50 {:>8.1} ms  p99 {:>8.1} ms  {:>6.3} of trivial{errors}",
        f.backend, f.houses, f.connections, f.endpoint, f.requests_per_s, f.p50_ms, f.p99_ms, f.ratio
    );
}
