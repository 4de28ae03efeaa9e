//! `linli billing run` and `linli check ledger`.

use linli_billing::{BillingService, RunState};
use linli_core::{Authz, Id, PageRequest};

use crate::config::Config;
use crate::server;

/// Bills written per transaction by the CLI and the job: each commit costs more than a few hundred
/// rows, and 2,000 bills hold the SQLite writer for tens of milliseconds.
pub const CHUNK: usize = 2_000;

fn service(db: &linli_db::Db, config: &Config) -> anyhow::Result<BillingService> {
    Ok(server::app(db, config)?.billing)
}

/// Runs billing for a project and month to the end: resumes the project's unfinished run of that
/// month if there is one (after a crash), else previews and confirms a new one.
pub async fn run(config: &Config, project_id: Id, period: &str, chunk: usize) -> anyhow::Result<()> {
    let (db, company) = server::open(config).await?;
    let app = server::app(&db, config)?;
    let billing = app.billing.clone();
    let authz = Authz::system(company);
    let runs = billing.runs.runs(&authz, Some(project_id), PageRequest { page: 1, page_size: 100 }).await?;
    let unfinished = runs.items.into_iter().find(|r| r.period == period && r.state == RunState::Running);
    let run = match unfinished {
        Some(r) => {
            println!("resuming run {} of {period}", r.id);
            r
        }
        None => {
            let preview = billing.runs.preview_run(&authz, project_id, period, &[]).await?;
            println!(
                "run {}: {} bills, {} 元, {} problems",
                preview.id,
                preview.bills,
                preview.total_fen,
                preview.problems.len()
            );
            billing.runs.confirm_run(&authz, preview.id).await?
        }
    };
    let (done, written) = billing.runs.execute_run(run.id, chunk).await?;
    println!(
        "run {} {}: {} bills written now, {} in the run, {} 元",
        done.id,
        done.state.as_str(),
        written,
        done.bills,
        done.total_fen
    );
    Ok(())
}

/// Verifies every ledger entry's seal and every cached balance; an error (exit 1) when any fails.
pub async fn check_ledger(config: &Config) -> anyhow::Result<()> {
    // Only reads: no migration or bootstrap writes, so it runs beside a busy server on SQLite.
    let db = linli_db::connect(&config.database_url()).await?;
    let check = service(&db, config)?.reports.check_ledger().await?;
    println!("ledger: {} entries, {} bills checked", check.entries, check.bills);
    if check.ok() {
        println!("ledger OK: every seal matches and every balance equals the sum of its entries");
        return Ok(());
    }
    let show = |ids: &[Id]| ids.iter().take(20).map(ToString::to_string).collect::<Vec<_>>().join(", ");
    if !check.bad_seals.is_empty() {
        println!("{} entries were changed after they were written: {}", check.bad_seals.len(), show(&check.bad_seals));
    }
    if !check.bill_mismatches.is_empty() {
        println!("{} bills do not match their entries: {}", check.bill_mismatches.len(), show(&check.bill_mismatches));
    }
    if !check.balance_mismatches.is_empty() {
        println!(
            "{} houses' balances do not match their entries: {}",
            check.balance_mismatches.len(),
            show(&check.balance_mismatches)
        );
    }
    if !check.payment_mismatches.is_empty() {
        println!(
            "{} payments do not match their entries: {}",
            check.payment_mismatches.len(),
            show(&check.payment_mismatches)
        );
    }
    anyhow::bail!("ledger check failed")
}
