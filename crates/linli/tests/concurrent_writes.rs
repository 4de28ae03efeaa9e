//! Several cashiers at once: eight writers post counter payments (on different houses and on the
//! same house, with retries and the same key sent twice at once) while the job workers deliver a
//! billing run's notifications. Every payment is recorded exactly once, no answer is a 5xx, and
//! the money adds up house by house.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use common::TestServer;
use linli_db::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Barrier;

const WRITERS: usize = 8;
const PAYMENTS_EACH: usize = 12;
const HOUSES: usize = 24;

/// A project of `HOUSES` owned houses of 100 m² at 1.00 元/m²/月 (no late fee), billed for
/// January 2026: every house owes 100.00 元, and the run has queued one notice per owner.
async fn billed_project(s: &TestServer, admin: &str) -> Vec<i64> {
    let p = s.create_project(admin, "翠湖花园").await;
    let b = s.create_building(admin, p, "1栋", 30).await;
    let mut houses = Vec::new();
    for i in 0..HOUSES {
        let number = format!("{}{:02}", i / 4 + 1, i % 4 + 1);
        let h = s.create_house(admin, b, &number, (i / 4 + 1) as i32, "100").await;
        let owner = s.create_person(admin, p, &format!("业主{i}"), &format!("1380000{i:04}")).await;
        s.add_ownership(admin, h, owner, "2020-05-01").await;
        houses.push(h);
    }
    let body =
        json!({"project_id": p, "code": "WYF", "name": "物业费", "kind": "area", "cycle": "monthly", "due_day": 31});
    let item = s.create_fee_item(admin, body, "2025-01-01", "1.00").await;
    s.assign_to_project(admin, item).await;
    let run = s.post("/api/v1/billing-runs", admin, json!({"project_id": p, "period": "2026-01"})).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    let id = run.id();
    let confirmed = s.post(&format!("/api/v1/billing-runs/{id}/confirm"), admin, json!({})).await;
    assert_eq!(confirmed.status, StatusCode::ACCEPTED, "{}", confirmed.body);
    // Writes the bills and queues the notices; their delivery is left for the writers' time.
    s.run_jobs_once(Utc::now()).await;
    houses
}

async fn pay(s: &TestServer, token: &str, house: i64, key: &str, amount: i64) -> (StatusCode, Value) {
    let today = linli_core::time::today().to_string();
    let res = s
        .http
        .post(s.url(&format!("/api/v1/houses/{house}/payments")))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&json!({"amount_fen": amount, "channel": "cash", "received_on": today}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Which house the writer's i-th payment goes to: even writers all pay the first house, odd
/// writers spread over the others.
fn house_of(houses: &[i64], writer: usize, i: usize) -> i64 {
    if writer.is_multiple_of(2) { houses[0] } else { houses[1 + (writer * PAYMENTS_EACH + i) % (houses.len() - 1)] }
}

db_test!(
    async fn eight_writers_and_the_job_workers_record_every_payment_exactly_once(db: TestDb) {
        let s = Arc::new(TestServer::start(db).await);
        let admin = s.login("admin").await;
        s.create_user("cashier", Some("cashier"), None).await;
        let houses = billed_project(&s, &admin).await;
        let pending = s.get("/api/v1/messages?state=pending", &admin).await.body["total"].as_i64().unwrap_or(0);

        let token = s.login("cashier").await;
        // The writers, the job worker and this task start together.
        let start = Arc::new(Barrier::new(WRITERS + 2));
        let done = Arc::new(AtomicBool::new(false));
        // The job workers deliver the run's notices while the cashiers write.
        let worker = {
            let (s, start, done) = (s.clone(), start.clone(), done.clone());
            tokio::spawn(async move {
                start.wait().await;
                let mut delivered = 0;
                // A day ahead, so notices held back by quiet hours are due too.
                let at = Utc::now() + chrono::Duration::days(1);
                while !done.load(Ordering::Relaxed) {
                    delivered += s.run_jobs_once(at).await;
                    // Workers poll; a claim that found nothing waits a moment before the next.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                delivered
            })
        };
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (s, start, houses, token) = (s.clone(), start.clone(), houses.clone(), token.clone());
            writers.push(tokio::spawn(async move {
                start.wait().await;
                let mut answers = Vec::new();
                for i in 0..PAYMENTS_EACH {
                    let house = house_of(&houses, w, i);
                    let amount = 100 + (w * PAYMENTS_EACH + i) as i64;
                    let key = format!("w{w}-{i}");
                    let first = pay(&s, &token, house, &key, amount).await;
                    // The cashier's retry of the same payment (a timeout, a double click).
                    let again = pay(&s, &token, house, &key, amount).await;
                    // Writers 0 and 2 also send the same payment at the same moment.
                    let shared = if w == 0 || w == 2 {
                        Some((format!("both-{i}"), pay(&s, &token, houses[0], &format!("both-{i}"), 7).await))
                    } else {
                        None
                    };
                    answers.push((key, house, amount, first, again, shared));
                }
                answers
            }));
        }
        start.wait().await;
        let mut all = Vec::new();
        for w in writers {
            all.extend(w.await.unwrap());
        }
        done.store(true, Ordering::Relaxed);
        let mut delivered = worker.await.unwrap();
        // Payments queue receipts of their own; what the last writes queued is sent now.
        let at = Utc::now() + chrono::Duration::days(1);
        loop {
            let sent = s.run_jobs_once(at).await;
            if sent == 0 {
                break;
            }
            delivered += sent;
        }

        // Every answer is a receipt; a retry answers the same receipt.
        let mut paid: BTreeMap<i64, i64> = BTreeMap::new();
        let mut receipts = BTreeSet::new();
        let mut shared: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        for (key, house, amount, first, again, both) in &all {
            assert!(first.0.is_success(), "{key}: {} {}", first.0, first.1);
            assert!(again.0.is_success(), "{key} again: {} {}", again.0, again.1);
            let id = first.1["payment"]["id"].as_i64().unwrap();
            assert_eq!(again.1["payment"]["id"].as_i64(), Some(id), "{key}: the retry is the same payment");
            assert!(receipts.insert(id), "{key}: payment {id} answered twice");
            *paid.entry(*house).or_default() += amount;
            if let Some((k, (status, body))) = both {
                assert!(status.is_success(), "{k}: {status} {body}");
                shared.entry(k.clone()).or_default().insert(body["payment"]["id"].as_i64().unwrap());
            }
        }
        assert_eq!(receipts.len(), WRITERS * PAYMENTS_EACH);
        for (k, ids) in &shared {
            assert_eq!(ids.len(), 1, "{k} sent twice at once made {ids:?}");
            *paid.entry(houses[0]).or_default() += 7;
        }

        // The money adds up: what each house paid is its bill paid down plus its prepaid rest.
        for (house, total) in &paid {
            let acc = s.get(&format!("/api/v1/houses/{house}/account"), &admin).await.body;
            let due = acc["total_due_fen"].as_i64().unwrap();
            let balance = acc["balance_fen"].as_i64().unwrap();
            assert_eq!(10_000 - due + balance, *total, "house {house}: {acc}");
        }
        let check = s.app().billing.reports.check_ledger().await.unwrap();
        assert!(check.ok(), "{check:?}");
        // The workers delivered the run's notices meanwhile.
        assert!(pending > 0 && delivered as i64 >= pending, "{delivered} of {pending} notices delivered");
        let left = s.get("/api/v1/messages?state=pending", &admin).await.body["total"].as_i64();
        assert_eq!(left, Some(0));
    }
);
