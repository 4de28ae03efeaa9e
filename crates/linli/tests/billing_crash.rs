//! A billing run for a 1,500-house project, killed in the middle: running `linli billing run`
//! again resumes it and leaves exactly the bills a run computes, once each, and a third run adds
//! nothing. Uses the real binary on the test's database (SQLite file or PostgreSQL schema).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestServer;
use linli_billing::{BillingRepo, Period, run};
use linli_db::db_test;
use serde_json::json;

const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

fn linli(s: &TestServer, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_linli"));
    c.args(args)
        .env("LINLI_DATABASE_URL", &s.db.url)
        .env("LINLI_SECRET_KEY", KEY)
        .env("LINLI_DATA_DIR", &s.data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

db_test!(
    async fn a_killed_run_resumes_to_exactly_the_same_bills(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let office = s.create_project(&admin, "云栖科技园").await;
        linli::demo::community::seed(s.app(), s.company, p, office, 1500).await.unwrap();
        for (code, name, kind, price) in [("WYF", "物业费", "area", "2.35"), ("LJF", "垃圾清运费", "fixed", "10")]
        {
            let item = s
                .post(
                    "/api/v1/fee-items",
                    &admin,
                    json!({"project_id": p, "code": code, "name": name, "kind": kind, "vacancy_rate": "0.7"}),
                )
                .await
                .id();
            s.post(
                &format!("/api/v1/fee-items/{item}/standards"),
                &admin,
                json!({"effective_from": "2000-01-01", "price": price}),
            )
            .await;
            s.post(&format!("/api/v1/fee-items/{item}/assignments"), &admin, json!({"target": "project"})).await;
        }
        // What the run must produce, computed without writing.
        let repo: &dyn BillingRepo = &s.db.db;
        let month = Period::parse_month("2026-01").unwrap();
        let expected = run::compute(p, month, &repo.run_inputs(p, month, &[]).await.unwrap()).bills;
        assert!(expected.len() > 1500, "{}", expected.len());

        // Small chunks, and killed once some are written.
        let project = p.to_string();
        let args = ["billing", "run", "--project", &project, "--period", "2026-01", "--chunk", "10"];
        let mut child = linli(&s, &args).spawn().unwrap();
        let started = Instant::now();
        let mut written = 0;
        while written == 0 && started.elapsed() < Duration::from_mins(2) {
            written = s.db.bill_count().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let at_kill = s.db.bill_count().await;
        println!("{}: killed with {at_kill} of {} bills written", s.backend(), expected.len());
        assert!(at_kill > 0 && (at_kill as usize) < expected.len(), "killed at {at_kill} of {}", expected.len());

        let resumed = linli(&s, &args).output().unwrap();
        let out = String::from_utf8_lossy(&resumed.stdout);
        assert!(resumed.status.success(), "{out}{}", String::from_utf8_lossy(&resumed.stderr));
        assert!(out.contains("resuming run"), "{out}");
        let again = linli(&s, &args).output().unwrap();
        let out = String::from_utf8_lossy(&again.stdout);
        assert!(again.status.success() && out.contains(" 0 bills written now"), "{out}");

        // Exactly the computed bills, once each, each with one charge entry.
        let bills = s.db.bill_count().await;
        assert_eq!(bills as usize, expected.len());
        assert_eq!(s.db.charge_entry_count().await, bills);
        let total: i64 = expected.iter().map(|b| b.amount.0).sum();
        assert_eq!(s.db.bills_total_fen().await, total);
        let page = linli_core::PageRequest { page: 1, page_size: 500 };
        let authz = linli_core::Authz::system(s.company);
        let mut seen = std::collections::HashSet::new();
        let mut page_no = 1;
        loop {
            let got = s
                .app()
                .billing
                .payments
                .bills(
                    &authz,
                    &linli_billing::BillFilter { project_id: Some(p), ..Default::default() },
                    linli_core::PageRequest { page: page_no, ..page },
                )
                .await
                .unwrap();
            if got.items.is_empty() {
                break;
            }
            for b in got.items {
                let key = linli_billing::NewBill::key(b.fee_item_id, b.period_start, b.house_id);
                let want = expected.iter().find(|e| e.bill_key == key).expect("a computed bill");
                assert_eq!(b.amount_fen, want.amount, "{key}");
                assert!(seen.insert(key));
            }
            page_no += 1;
        }
        assert_eq!(seen.len(), expected.len());
        let check = linli(&s, &["check", "ledger"]).output().unwrap();
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    }
);
