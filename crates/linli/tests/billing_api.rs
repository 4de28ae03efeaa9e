//! Billing through the API: fee items and standards, a run previewed then confirmed, the late
//! fee of a partly paid bill day by day, idempotent payments, adjustments that need a second
//! person, reports, and the ledger check catching an edited entry.

mod common;

use chrono::Utc;
use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A project with one owned house of 100 m² and a property fee of 10.00 元/m²/月 with 万分之五
/// per day late: January 2026 is a bill of exactly 1,000.00 元 due on 2026-01-31.
async fn setup(s: &TestServer, admin: &str) -> (i64, i64, i64) {
    let c = Community::new(s, admin, "100").await;
    c.owner(s, admin, "张伟", "13800001111", "2020-05-01").await;
    let item = c.property_fee(s, admin).await;
    (c.project, c.house, item)
}

async fn bill_month(s: &TestServer, token: &str, p: i64, period: &str) -> Value {
    let preview = s.post("/api/v1/billing-runs", token, json!({"project_id": p, "period": period})).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.id();
    let confirmed = s.post(&format!("/api/v1/billing-runs/{id}/confirm"), token, json!({})).await;
    assert_eq!(confirmed.status, StatusCode::ACCEPTED, "{}", confirmed.body);
    s.run_jobs(Utc::now()).await;
    s.get(&format!("/api/v1/billing-runs/{id}"), token).await.body
}

/// A payment recorded on a past day, as the office would have recorded it then (the API records
/// every payment today): the history the late-fee stories below need.
async fn pay_on(s: &TestServer, house: i64, body: Value) -> Value {
    let p: linli_billing::NewPayment = serde_json::from_value(body).unwrap();
    let on = p.received_on;
    let receipt =
        s.app().billing.payments.replay_payment(&linli_core::Authz::system(s.company), house, p, on).await.unwrap();
    serde_json::to_value(receipt).unwrap()
}

async fn pay(s: &TestServer, token: &str, house: i64, key: &str, body: Value) -> common::Answer {
    let mut h = HeaderMap::new();
    h.insert("idempotency-key", key.parse().unwrap());
    let res = s
        .http
        .post(s.url(&format!("/api/v1/houses/{house}/payments")))
        .bearer_auth(token)
        .headers(h)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = res.json().await.unwrap();
    common::Answer { status, content_type, body }
}

db_test!(
    async fn a_partial_payment_lowers_the_late_fee_base_from_the_next_day(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;

        // The preview writes nothing; the confirmed run writes one bill.
        let preview = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": "2026-01"})).await.body;
        assert_eq!(
            (preview["state"].as_str(), preview["bills"].as_i64(), preview["total_fen"].as_i64()),
            (Some("preview"), Some(1), Some(100_000))
        );
        assert_eq!(s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["total"], 0);
        let run = bill_month(&s, &admin, p, "2026-01").await;
        assert_eq!(run["state"], "completed", "{run}");
        let bills = s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body;
        assert_eq!(bills["total"], 1);
        let bill = bills["items"][0]["id"].as_i64().unwrap();
        assert_eq!(bills["items"][0]["amount_fen"], 100_000);
        // The owner is told by SMS, once.
        let told = s.get(&format!("/api/v1/messages?project_id={p}&kind=bill_issued"), &admin).await.body;
        assert_eq!(told["total"], 1, "{told}");
        assert!(told["items"][0]["body"].as_str().unwrap().contains("1000.00"), "{told}");
        assert_eq!(bills["items"][0]["due_on"], "2026-01-31");

        // 500.00 paid at the counter on 2026-02-10.
        let receipt =
            pay_on(&s, h, json!({"amount_fen": 50_000, "channel": "cash", "received_on": "2026-02-10"})).await;
        // 10 days at 1,000.00 accrued by then are posted; the money pays principal first.
        assert_eq!(receipt["late_fees_posted_fen"], 500);
        assert_eq!(receipt["allocations"], json!([{"bill_id": bill, "part": "principal", "amount_fen": 50_000}]));
        assert_eq!(receipt["waivers_proposed"], json!([]));

        // On 2026-02-20: 1000 × 0.0005 × 10 + 500 × 0.0005 × 10 = 7.50, and the bill says why.
        let d = s.get(&format!("/api/v1/bills/{bill}?as_of=2026-02-20"), &admin).await.body;
        assert_eq!(d["late_fee"]["amount_fen"], 750, "{d}");
        assert_eq!(
            d["late_fee"]["days"],
            json!([
                {"from": "2026-02-01", "to": "2026-02-10", "days": 10, "principal_fen": 100_000, "amount": "5.0000"},
                {"from": "2026-02-11", "to": "2026-02-20", "days": 10, "principal_fen": 50_000, "amount": "2.5000"},
            ])
        );
        assert_eq!(d["principal_due_fen"], 50_000);
        assert_eq!(d["lines"][0]["formula"], "100 × 10 × 1 = 1000.00");
        let kinds: Vec<&str> = d["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["charge", "late_fee", "allocation"]);
        let account = s.get(&format!("/api/v1/houses/{h}/account?as_of=2026-02-20"), &admin).await.body;
        assert_eq!(account["open_bills"][0]["late_fee_accrued_fen"], 750);
        assert_eq!(account["total_due_fen"], 50_750);

        // The printable statement and the building's notices say the same.
        let page = s
            .http
            .get(s.url(&format!("/api/v1/houses/{h}/statement?as_of=2026-02-20")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let page = page.text().await.unwrap();
        assert!(page.contains("滞纳金 2026-02-11 至 2026-02-20：10 天 × 500.00 元 × 0.0005 = 2.50 元"), "{page}");
        assert!(page.contains("应缴合计（含滞纳金）：<b>507.50 元</b>"), "{page}");
        let building = bills["items"][0]["building_id"].as_i64().unwrap();
        let notices = s
            .http
            .get(s.url(&format!("/api/v1/bill-notices?building_id={building}&period=2026-01")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert!(notices.text().await.unwrap().contains("缴费通知单 · 1栋301"));

        // Paying the rest on 2026-02-20 settles principal and late fee; the extra stays prepaid.
        let rest = pay_on(&s, h, json!({"amount_fen": 60_000, "channel": "wechat", "received_on": "2026-02-20"})).await;
        assert_eq!(rest["balance_fen"], 60_000 - 50_000 - 750, "{rest}");
        let d = s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body;
        assert_eq!((d["state"].as_str(), d["settled_on"].as_str()), (Some("paid"), Some("2026-02-20")));

        // The prepaid rest pays February's bill when it is issued.
        bill_month(&s, &admin, p, "2026-02").await;
        let feb = s.get(&format!("/api/v1/bills?project_id={p}&period=2026-02"), &admin).await.body;
        assert_eq!(feb["items"][0]["principal_due_fen"], 100_000 - 9_250);

        // At the counter (today): the same key again records nothing new; with another amount it
        // is refused.
        let today = linli_core::time::today().to_string();
        let body = json!({"amount_fen": 5_000, "channel": "cash", "received_on": today, "allocate": false});
        let first = pay(&s, &admin, h, "pay-3", body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let again = pay(&s, &admin, h, "pay-3", body).await;
        assert_eq!(again.body["payment"]["id"], first.body["payment"]["id"]);
        let other =
            pay(&s, &admin, h, "pay-3", json!({"amount_fen": 1, "channel": "cash", "received_on": today})).await;
        assert_problem(&other, 409, "idempotency_key_reused");
        let account = s.get(&format!("/api/v1/houses/{h}/account"), &admin).await.body;
        assert_eq!(account["balance_fen"], 5_000, "{account}");

        let check = s.app().billing.reports.check_ledger().await.unwrap();
        assert!(check.ok(), "{check:?}");
    }
);

db_test!(
    async fn running_a_month_twice_adds_nothing_and_bad_input_is_refused(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, item) = setup(&s, &admin).await;
        bill_month(&s, &admin, p, "2026-01").await;
        let second = bill_month(&s, &admin, p, "2026-01").await;
        assert_eq!(second["state"], "completed");
        assert_eq!(s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["total"], 1);
        let confirm_again = s.post(&format!("/api/v1/billing-runs/{}/confirm", second["id"]), &admin, json!({})).await;
        assert_problem(&confirm_again, 409, "run_not_preview");

        let bad_month = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": "2026-13"})).await;
        assert_problem(&bad_month, 422, "validation_failed");
        let taken = s
            .post("/api/v1/fee-items", &admin, json!({"project_id": p, "code": "WYF", "name": "x", "kind": "fixed"}))
            .await;
        assert_problem(&taken, 409, "fee_item_code_taken");
        let tiers = s
            .post(&format!("/api/v1/fee-items/{item}/standards"), &admin, json!({"effective_from": "2026-03-01", "price": "1", "tiers": [{"up_to": "20", "price": "1"}, {"up_to": "10", "price": "2"}]}))
            .await;
        assert_eq!(tiers.body["errors"][0], json!({"field": "tiers", "code": "not_increasing"}));

        // Money kept as prepaid balance can be refunded, never more than is held.
        let today = linli_core::time::today().to_string();
        let body = json!({"amount_fen": 5_000, "channel": "cash", "received_on": today, "allocate": false});
        let kept = pay(&s, &admin, h, "keep", body).await;
        assert_eq!(kept.body["balance_fen"], 5_000, "{}", kept.body);
        let body = json!({"amount_fen": 3_000, "channel": "cash", "reason": "多缴退回"});
        let back = s.post(&format!("/api/v1/houses/{h}/refunds"), &admin, body).await;
        assert_eq!(
            (back.status, back.body["balance_fen"].as_i64()),
            (StatusCode::CREATED, Some(2_000)),
            "{}",
            back.body
        );
        let body = json!({"amount_fen": 2_001, "channel": "cash", "reason": "x"});
        let too_much = s.post(&format!("/api/v1/houses/{h}/refunds"), &admin, body).await;
        assert_eq!(too_much.body["errors"][0], json!({"field": "amount_fen", "code": "exceeds_balance"}));
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());

        // A one-off fee: two key cards at 50.00, charged once however often the request is sent.
        let body = json!({"project_id": p, "code": "MJK", "name": "门禁卡", "kind": "one_off"});
        let card = s.post("/api/v1/fee-items", &admin, body).await.id();
        let body = json!({"effective_from": "2020-01-01", "price": "50"});
        s.post(&format!("/api/v1/fee-items/{card}/standards"), &admin, body).await;
        let mut charges = Vec::new();
        for _ in 0..2 {
            let res = s
                .http
                .post(s.url(&format!("/api/v1/houses/{h}/charges")))
                .bearer_auth(&admin)
                .header("idempotency-key", "card-1")
                .json(&json!({"fee_item_id": card, "quantity": 2}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            charges.push(res.json::<Value>().await.unwrap());
        }
        assert_eq!(charges[0]["id"], charges[1]["id"]);
        assert_eq!(charges[0]["amount_fen"], 10_000);
        let listed = s.get(&format!("/api/v1/bills?project_id={p}&fee_item_id={card}"), &admin).await.body;
        assert_eq!(listed["total"], 1);
        let wrong = s.post(&format!("/api/v1/houses/{h}/charges"), &admin, json!({"fee_item_id": item})).await;
        assert_eq!(wrong.body["errors"][0], json!({"field": "fee_item_id", "code": "not_one_off"}));
        let zero = pay(&s, &admin, h, "k0", json!({"amount_fen": 0, "channel": "cash", "received_on": today})).await;
        assert_eq!(zero.body["errors"][0], json!({"field": "amount_fen", "code": "must_be_positive"}));
        // The key is what the document says: 1 to 100 visible ASCII characters.
        let long = "k".repeat(101);
        for bad in ["two words", "tab\tkey", long.as_str()] {
            let a = pay(&s, &admin, h, bad, json!({"amount_fen": 100, "channel": "cash", "received_on": today})).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(a.body["errors"][0], json!({"field": "Idempotency-Key", "code": "invalid"}), "{bad}");
        }
        let future =
            pay(&s, &admin, h, "k1", json!({"amount_fen": 100, "channel": "cash", "received_on": "2999-01-01"})).await;
        assert_eq!(future.body["errors"][0], json!({"field": "received_on", "code": "in_the_future"}));

        // A price change from 1 March: January keeps its price, March has the new one.
        let change = s
            .post(
                &format!("/api/v1/fee-items/{item}/standards"),
                &admin,
                json!({"effective_from": "2026-03-01", "price": "12.00"}),
            )
            .await;
        assert_eq!(change.status, StatusCode::CREATED);
        let standards = s.get(&format!("/api/v1/fee-items/{item}/standards"), &admin).await.body;
        assert_eq!(standards[0]["effective_to"], "2026-02-28");
        bill_month(&s, &admin, p, "2026-03").await;
        let mar = s.get(&format!("/api/v1/bills?project_id={p}&period=2026-03"), &admin).await.body;
        assert_eq!(mar["items"][0]["amount_fen"], 120_000);
        let jan = s.get(&format!("/api/v1/bills?project_id={p}&period=2026-01"), &admin).await.body;
        assert_eq!(jan["items"][0]["amount_fen"], 100_000);
        // Unfiltered or by month, the totals are the counts kept as bills are inserted (the runs
        // and the one-off charge): they agree with the rows.
        let all = s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body;
        assert_eq!((all["total"].as_u64(), all["items"].as_array().map(Vec::len)), (Some(3), Some(3)), "{all}");
        assert_eq!((mar["total"].as_u64(), jan["total"].as_u64()), (Some(1), Some(1)));
        assert_eq!(s.get(&format!("/api/v1/bills?project_id={p}&period=2026-02"), &admin).await.body["total"], 0);
    }
);

db_test!(
    async fn a_waiver_needs_someone_else_to_approve_it(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _, _) = setup(&s, &admin).await;
        s.create_user("cashier1", Some("cashier"), Some(p)).await;
        let cashier = s.login("cashier1").await;
        bill_month(&s, &admin, p, "2026-01").await;
        let bill =
            s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["items"][0]["id"].as_i64().unwrap();

        let asked = s
            .post(
                &format!("/api/v1/bills/{bill}/adjustments"),
                &cashier,
                json!({"kind": "waive_principal", "amount_fen": 20_000, "reason": "漏水维修补偿"}),
            )
            .await;
        assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
        let id = asked.id();
        // Nothing changes until approved; the cashier may not approve.
        assert_eq!(s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body["principal_due_fen"], 100_000);
        assert_problem(
            &s.post(&format!("/api/v1/adjustments/{id}/approve"), &cashier, json!({})).await,
            403,
            "forbidden",
        );
        let approved = s.post(&format!("/api/v1/adjustments/{id}/approve"), &admin, json!({})).await;
        assert_eq!(approved.body["state"], "approved", "{}", approved.body);
        assert_eq!(s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body["principal_due_fen"], 80_000);
        assert_problem(
            &s.post(&format!("/api/v1/adjustments/{id}/approve"), &admin, json!({})).await,
            409,
            "adjustment_decided",
        );

        // An approver cannot approve their own request.
        let own = s
            .post(
                &format!("/api/v1/bills/{bill}/adjustments"),
                &admin,
                json!({"kind": "waive_late_fee", "amount_fen": 100, "reason": "x"}),
            )
            .await;
        let own = own.id();
        assert_problem(
            &s.post(&format!("/api/v1/adjustments/{own}/approve"), &admin, json!({})).await,
            403,
            "same_requester_and_approver",
        );
        let pending = s.get(&format!("/api/v1/adjustments?project_id={p}&state=pending"), &cashier).await.body;
        assert_eq!(pending["total"], 1);
        let audit = s.get(&format!("/api/v1/audit-log?project_id={p}&action=billing.adjustment"), &admin).await.body;
        assert_eq!(audit["total"], 3, "{audit}");
    }
);

db_test!(
    async fn reports_show_arrears_by_age_and_the_collection_rate(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        for m in ["2025-01", "2025-09", "2026-01"] {
            bill_month(&s, &admin, p, m).await;
        }
        pay_on(&s, h, json!({"amount_fen": 100_000, "channel": "alipay", "received_on": "2025-02-01"})).await;
        // As of 2026-03-01: Sept 2025 is 151 days overdue (4–6), Jan 2026 29 days (1–3).
        let r = s.get(&format!("/api/v1/reports/arrears?project_id={p}&as_of=2026-03-01"), &admin).await.body;
        assert_eq!(r["rows"][0]["building_name"], "1栋");
        assert_eq!(r["rows"][0]["houses"], 1);
        assert_eq!(
            (r["total"]["band_1_3_fen"].as_i64(), r["total"]["band_4_6_fen"].as_i64()),
            (Some(100_000), Some(100_000))
        );
        assert_eq!(r["total"]["total_fen"], 200_000);
        let xlsx = s
            .http
            .get(s.url(&format!("/api/v1/reports/arrears?project_id={p}&format=xlsx")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

        let c = s.get(&format!("/api/v1/reports/collection?project_id={p}&year=2025"), &admin).await.body;
        assert_eq!(
            c[0],
            json!({"period": "2025-01", "fee_item_id": c[0]["fee_item_id"], "fee_item_name": "物业费", "billed_fen": 100_000, "collected_fen": 100_000, "rate": "1"})
        );
        assert_eq!((c[1]["period"].as_str(), c[1]["collected_fen"].as_i64()), (Some("2025-09"), Some(0)));
        let income =
            s.get(&format!("/api/v1/reports/income?project_id={p}&from=2025-01-01&to=2025-12-31"), &admin).await.body;
        assert_eq!(
            income,
            json!([{"fee_item_id": c[0]["fee_item_id"], "fee_item_name": "物业费", "channel": "alipay", "amount_fen": 100_000}])
        );

        // Another project's manager sees none of it.
        let other = s.create_project(&admin, "云栖科技园").await;
        s.create_user("manager2", Some("manager"), Some(other)).await;
        let m2 = s.login("manager2").await;
        assert_problem(&s.get(&format!("/api/v1/reports/arrears?project_id={p}"), &m2).await, 404, "not_found");
        assert_eq!(s.get("/api/v1/bills", &m2).await.body["total"], 0);
    }
);

db_test!(
    /// The reports are served again while the project's ledger has not moved: a payment, a new
    /// month's bills and a renamed building must all show on the next request.
    async fn reports_asked_again_show_every_payment_bill_and_rename(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        bill_month(&s, &admin, p, "2025-01").await;
        let arrears = format!("/api/v1/reports/arrears?project_id={p}&as_of=2026-03-01");
        let collection = format!("/api/v1/reports/collection?project_id={p}&year=2025");
        let first = s.get(&arrears, &admin).await.body;
        assert_eq!(first["total"]["total_fen"], 100_000);
        assert_eq!(s.get(&arrears, &admin).await.body, first, "asked again, unchanged");
        assert_eq!(s.get(&collection, &admin).await.body[0]["collected_fen"], 0);

        pay_on(&s, h, json!({"amount_fen": 40_000, "channel": "cash", "received_on": "2025-02-01"})).await;
        assert_eq!(s.get(&arrears, &admin).await.body["total"]["total_fen"], 60_000, "after a payment");
        assert_eq!(s.get(&collection, &admin).await.body[0]["collected_fen"], 40_000);

        bill_month(&s, &admin, p, "2025-02").await;
        assert_eq!(s.get(&arrears, &admin).await.body["total"]["total_fen"], 160_000, "after a new month");

        let building = first["rows"][0]["building_id"].as_i64().unwrap();
        let renamed = s
            .call(
                Method::PATCH,
                &format!("/api/v1/buildings/{building}"),
                Some(&admin),
                Some(json!({"name": "一号楼"})),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!(s.get(&arrears, &admin).await.body["rows"][0]["building_name"], "一号楼", "after a rename");
    }
);

db_test!(
    async fn the_ledger_check_fails_when_an_entry_was_edited(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        bill_month(&s, &admin, p, "2026-01").await;
        pay_on(&s, h, json!({"amount_fen": 30_000, "channel": "cash", "received_on": "2026-01-15"})).await;
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());

        // The database refuses to change an entry.
        assert!(s.db.edit_allocations(-1).await.is_err());
        // Someone who drops the guard and edits one is caught by the seals.
        s.db.drop_ledger_guard().await;
        s.db.edit_allocations(-3_000_000).await.unwrap();
        let check = s.app().billing.reports.check_ledger().await.unwrap();
        assert!(!check.ok());
        assert_eq!(check.bad_seals.len(), 1, "{check:?}");
        assert_eq!(check.bill_mismatches.len(), 1, "{check:?}");
    }
);

db_test!(
    async fn meter_readings_become_tiered_water_bills(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        let water = s
            .post(
                "/api/v1/fee-items",
                &admin,
                json!({"project_id": p, "code": "SF", "name": "水费", "kind": "metered", "meter_kind": "water", "loss_rate": "0.05"}),
            )
            .await;
        assert_eq!(water.status, StatusCode::CREATED, "{}", water.body);
        let water = water.id();
        let tiers =
            json!([{"up_to": "10", "price": "3.5"}, {"up_to": "20", "price": "4.5"}, {"up_to": null, "price": "6.0"}]);
        let std = s
            .post(
                &format!("/api/v1/fee-items/{water}/standards"),
                &admin,
                json!({"effective_from": "2020-01-01", "price": "3.5", "tiers": tiers}),
            )
            .await;
        assert_eq!(std.status, StatusCode::CREATED, "{}", std.body);
        let meter = s
            .post(
                "/api/v1/meters",
                &admin,
                json!({"project_id": p, "house_id": h, "kind": "water", "number": "W-301", "initial_value": "100"}),
            )
            .await;
        assert_eq!(meter.status, StatusCode::CREATED, "{}", meter.body);
        let read = s
            .post(
                "/api/v1/meter-readings",
                &admin,
                json!({"project_id": p, "period": "2026-01", "rows": [{"meter_id": meter.body["id"], "value": "125"}]}),
            )
            .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);

        bill_month(&s, &admin, p, "2026-01").await;
        let bills = s.get(&format!("/api/v1/bills?project_id={p}&fee_item_id={water}"), &admin).await.body;
        // 25 t: 35.00 + 45.00 + 30.00 = 110.00; loss 5% = 5.50; 115.50.
        assert_eq!(bills["total"], 1, "{bills}");
        assert_eq!(bills["items"][0]["amount_fen"], 11_550);
        let d = s.get(&format!("/api/v1/bills/{}", bills["items"][0]["id"]), &admin).await.body;
        let formulas: Vec<&str> =
            d["lines"].as_array().unwrap().iter().map(|l| l["formula"].as_str().unwrap()).collect();
        assert_eq!(formulas, ["10 × 3.5 = 35.00", "10 × 4.5 = 45.00", "5 × 6 = 30.00", "110.00 × 0.05 = 5.50"]);
    }
);

db_test!(
    async fn figures_beyond_any_real_bill_are_refused_not_overflowed(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _, item) = setup(&s, &admin).await;
        bill_month(&s, &admin, p, "2026-01").await;
        let bill =
            s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["items"][0]["id"].as_i64().unwrap();

        let body = json!({"kind": "adjust", "amount_fen": i64::MAX, "reason": "x"});
        let huge = s.post(&format!("/api/v1/bills/{bill}/adjustments"), &admin, body).await;
        assert_eq!(huge.body["errors"][0], json!({"field": "amount_fen", "code": "too_large"}), "{}", huge.body);
        let body = json!({"kind": "adjust", "amount_fen": i64::MIN, "reason": "x"});
        let low = s.post(&format!("/api/v1/bills/{bill}/adjustments"), &admin, body).await;
        assert_eq!(low.body["errors"][0], json!({"field": "amount_fen", "code": "too_large"}), "{}", low.body);
        let price = s
            .post(
                &format!("/api/v1/fee-items/{item}/standards"),
                &admin,
                json!({"effective_from": "2026-03-01", "price": "1e27"}),
            )
            .await;
        assert_eq!(price.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", price.body);
        let body = json!({"project_id": p, "code": "X", "name": "x", "kind": "fixed", "late_fee": {"daily_rate": "0.0005", "grace_days": 4_000_000_000u32, "cap_rate": null}});
        let grace = s.post("/api/v1/fee-items", &admin, body).await;
        assert_eq!(
            grace.body["errors"][0],
            json!({"field": "late_fee.grace_days", "code": "out_of_range"}),
            "{}",
            grace.body
        );
        let far = s.get(&format!("/api/v1/bills/{bill}?as_of=9999-12-31"), &admin).await;
        assert_eq!(far.body["errors"][0], json!({"field": "as_of", "code": "date_out_of_range"}), "{}", far.body);
        let year = s.get(&format!("/api/v1/reports/collection?project_id={p}&year=999999"), &admin).await;
        assert_eq!(year.body["errors"][0], json!({"field": "year", "code": "out_of_range"}), "{}", year.body);
    }
);

/// Pretends the bill was issued on `day` (the run that wrote it ran back then).
async fn issued_on(s: &TestServer, bill: i64, day: chrono::NaiveDate) {
    s.db.set_bill_issued_at(bill, day.and_hms_opt(1, 0, 0).unwrap().and_utc()).await;
}

db_test!(
    async fn a_backdated_payment_keeps_the_late_fee_until_someone_else_approves_a_waiver(db: TestDb) {
        use chrono::{Datelike, Days, Months};
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        s.create_user("cashier1", Some("cashier"), Some(p)).await;
        s.create_user("manager1", Some("manager"), Some(p)).await;
        let cashier = s.login("cashier1").await;
        let manager = s.login("manager1").await;

        // The bill of the month two months back (1,000.00 due on its last day), issued back then.
        let today = linli_core::time::today();
        let month = today.with_day(1).unwrap().checked_sub_months(Months::new(2)).unwrap();
        bill_month(&s, &admin, p, &month.format("%Y-%m").to_string()).await;
        let bill = s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["items"][0].clone();
        let due: chrono::NaiveDate = bill["due_on"].as_str().unwrap().parse().unwrap();
        let bill = bill["id"].as_i64().unwrap();
        issued_on(&s, bill, month).await;
        let late_days = (today - due).num_days();
        assert!(late_days > 7, "{due} {today}");

        // Dates outside the window, or not YYYY-MM-DD, are refused and record nothing.
        let year_and_a_day = today.checked_sub_months(Months::new(12)).unwrap().checked_sub_days(Days::new(1)).unwrap();
        for (day, code) in [
            (year_and_a_day.to_string(), "too_far_back"),
            ("2000-01-01".to_string(), "too_far_back"),
            ("0000-01-01".to_string(), "too_far_back"),
            ("-0001-01-01".to_string(), "invalid_date"),
            ("2026-1-1".to_string(), "invalid_date"),
            (today.checked_add_days(Days::new(1)).unwrap().to_string(), "in_the_future"),
        ] {
            let body = json!({"amount_fen": 100_000, "channel": "transfer", "received_on": day});
            let refused = pay(&s, &cashier, h, &format!("bad-{day}"), body).await;
            assert_problem(&refused, 422, "validation_failed");
            assert_eq!(refused.body["errors"][0], json!({"field": "received_on", "code": code}), "{day}");
        }
        assert_eq!(s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body["principal_due_fen"], 100_000);

        // A transfer of the principal that arrived a week ago, recorded today by the cashier.
        let week_ago = today.checked_sub_days(Days::new(7)).unwrap();
        let body = json!({"amount_fen": 100_000, "channel": "transfer", "received_on": week_ago.to_string()});
        let receipt = pay(&s, &cashier, h, "transfer-1", body).await;
        assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
        // Late fees count up to today: 1,000.00 × 0.0005 = 0.50 a day, every day since the due date.
        let fee_today = 50 * late_days;
        assert_eq!(receipt.body["late_fees_posted_fen"], fee_today, "{}", receipt.body);
        assert_eq!(receipt.body["payment"]["received_on"], week_ago.to_string());
        // Counting from a week ago would have saved 7 days × 0.50 = 3.50: proposed, not applied.
        let waivers = receipt.body["waivers_proposed"].as_array().unwrap().clone();
        assert_eq!(waivers.len(), 1, "{}", receipt.body);
        let w = &waivers[0];
        assert_eq!(
            (w["kind"].as_str(), w["amount_fen"].as_i64(), w["state"].as_str(), w["bill_id"].as_i64()),
            (Some("waive_late_fee"), Some(350), Some("pending"), Some(bill))
        );
        assert_eq!(w["payment_id"], receipt.body["payment"]["id"]);
        let receipt_no = receipt.body["payment"]["receipt_no"].as_str().unwrap();
        assert!(w["reason"].as_str().unwrap().contains(receipt_no), "{w}");
        let d = s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body;
        assert_eq!((d["principal_due_fen"].as_i64(), d["late_fee_due_fen"].as_i64()), (Some(0), Some(fee_today)));
        assert_eq!(d["settled_on"], Value::Null);
        // The same key again answers the same receipt, the proposal included, and proposes nothing new.
        let body = json!({"amount_fen": 100_000, "channel": "transfer", "received_on": week_ago.to_string()});
        let again = pay(&s, &cashier, h, "transfer-1", body).await;
        assert_eq!(again.body["waivers_proposed"], receipt.body["waivers_proposed"]);
        // The counter sees the waiver waiting.
        let account = s.get(&format!("/api/v1/houses/{h}/account"), &cashier).await.body;
        assert_eq!(account["pending_adjustments"], json!([w]), "{account}");
        assert_eq!(account["total_due_fen"], fee_today);

        // The cashier pays the late fee owed today; the bill is settled today, not a week ago.
        let body = json!({"amount_fen": fee_today, "channel": "cash", "received_on": today.to_string()});
        let rest = pay(&s, &cashier, h, "cash-1", body).await;
        assert_eq!(rest.body["waivers_proposed"], json!([]), "{}", rest.body);
        let d = s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body;
        assert_eq!((d["state"].as_str(), d["settled_on"].as_str()), (Some("paid"), Some(today.to_string().as_str())));

        // The cashier cannot approve it; a manager can, and the 3.50 already paid comes back as
        // prepaid balance. The bill stays settled on the same day.
        let id = w["id"].as_i64().unwrap();
        assert_problem(
            &s.post(&format!("/api/v1/adjustments/{id}/approve"), &cashier, json!({})).await,
            403,
            "forbidden",
        );
        let approved = s.post(&format!("/api/v1/adjustments/{id}/approve"), &manager, json!({})).await;
        assert_eq!(approved.body["state"], "approved", "{}", approved.body);
        let d = s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body;
        assert_eq!(
            (d["late_fee_due_fen"].as_i64(), d["settled_on"].as_str()),
            (Some(0), Some(today.to_string().as_str()))
        );
        let account = s.get(&format!("/api/v1/houses/{h}/account"), &cashier).await.body;
        assert_eq!(
            (account["balance_fen"].as_i64(), account["pending_adjustments"].as_array().map(Vec::len)),
            (Some(350), Some(0))
        );
        // Income counts the late fee once, less what was returned.
        let income =
            s.get(&format!("/api/v1/reports/income?project_id={p}&from={today}&to={today}"), &admin).await.body;
        let total: i64 = income.as_array().unwrap().iter().map(|r| r["amount_fen"].as_i64().unwrap()).sum();
        assert_eq!(total, 100_000 + fee_today - 350, "{income}");
        let check = s.app().billing.reports.check_ledger().await.unwrap();
        assert!(check.ok(), "{check:?}");
    }
);

db_test!(
    async fn a_backdated_payment_waiver_can_be_rejected_and_only_the_system_replays_history(db: TestDb) {
        use chrono::{Datelike, Days, Months};
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        s.create_user("manager1", Some("manager"), Some(p)).await;
        let manager = s.login("manager1").await;
        let today = linli_core::time::today();
        let month = today.with_day(1).unwrap().checked_sub_months(Months::new(2)).unwrap();
        bill_month(&s, &admin, p, &month.format("%Y-%m").to_string()).await;
        let bill =
            s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["items"][0]["id"].as_i64().unwrap();
        issued_on(&s, bill, month).await;

        // Half the principal, three days back, recorded by the admin: 500.00 × 0.0005 × 3 = 0.75.
        let three_days_ago = today.checked_sub_days(Days::new(3)).unwrap();
        let body = json!({"amount_fen": 50_000, "channel": "bank", "received_on": three_days_ago.to_string()});
        let receipt = pay(&s, &admin, h, "bank-1", body).await;
        assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
        let w = &receipt.body["waivers_proposed"][0];
        assert_eq!(w["amount_fen"], 75, "{}", receipt.body);
        let id = w["id"].as_i64().unwrap();
        // Not by the one who recorded it, whatever their permissions.
        assert_problem(
            &s.post(&format!("/api/v1/adjustments/{id}/approve"), &admin, json!({})).await,
            403,
            "same_requester_and_approver",
        );
        let before = s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body["late_fee_due_fen"].clone();
        let rejected = s.post(&format!("/api/v1/adjustments/{id}/reject"), &manager, json!({})).await;
        assert_eq!(rejected.body["state"], "rejected", "{}", rejected.body);
        assert_eq!(s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body["late_fee_due_fen"], before);

        // Replaying history is for the system (the demo), never for a signed-in user.
        let body: linli_billing::NewPayment = serde_json::from_value(
            json!({"amount_fen": 1, "channel": "cash", "received_on": three_days_ago.to_string()}),
        )
        .unwrap();
        let actor = linli_core::Actor { user_id: Some(1), company_id: s.company, name: "admin".into(), ip: None };
        let user = linli_core::Authz::new(actor, vec![]);
        let refused = s.app().billing.payments.replay_payment(&user, h, body, three_days_ago).await;
        assert!(matches!(refused, Err(linli_core::Error::Forbidden(_))), "{refused:?}");
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);

db_test!(
    async fn a_statement_line_rounds_its_late_fee_as_the_charge_does(db: TestDb) {
        use chrono::Days;
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        // A one-off 10.00 fee due yesterday at 万分之五: today it is 0.005 元 late, charged 0.01.
        let body = json!({"project_id": p, "code": "BZJ", "name": "门禁卡", "kind": "one_off",
                          "late_fee": {"daily_rate": "0.0005", "grace_days": 0, "cap_rate": null}});
        let card = s.post("/api/v1/fee-items", &admin, body).await;
        assert_eq!(card.status, StatusCode::CREATED, "{}", card.body);
        let card = card.id();
        let body = json!({"effective_from": "2020-01-01", "price": "10"});
        s.post(&format!("/api/v1/fee-items/{card}/standards"), &admin, body).await;
        let yesterday = linli_core::time::today().checked_sub_days(Days::new(1)).unwrap();
        let charged = s
            .post(
                &format!("/api/v1/houses/{h}/charges"),
                &admin,
                json!({"fee_item_id": card, "due_on": yesterday.to_string()}),
            )
            .await;
        assert_eq!(charged.status, StatusCode::CREATED, "{}", charged.body);
        let account = s.get(&format!("/api/v1/houses/{h}/account"), &admin).await.body;
        assert_eq!(account["open_bills"][0]["late_fee_accrued_fen"], 1, "{account}");
        let page = s
            .http
            .get(s.url(&format!("/api/v1/houses/{h}/statement")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let today = linli_core::time::today();
        let line = format!("滞纳金 {today} 至 {today}：1 天 × 10.00 元 × 0.0005 = 0.01 元");
        assert!(page.contains(&line), "{page}");
        assert!(page.contains("<td class=\"n\">0.01</td></tr>"), "{page}");
        assert!(page.contains("应缴合计（含滞纳金）：<b>10.01 元</b>"), "{page}");
    }
);

db_test!(
    async fn adjustments_run_problems_and_meters_name_their_house_by_its_label(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, owned, _) = setup(&s, &admin).await;
        // A second house, in a unit and without an owner: the run cannot bill it.
        let b = s.get(&format!("/api/v1/houses/{owned}"), &admin).await.body["building_id"].as_i64().unwrap();
        let u = s.post("/api/v1/units", &admin, json!({"building_id": b, "name": "1单元"})).await.id();
        let h = s
            .post(
                "/api/v1/houses",
                &admin,
                json!({"building_id": b, "unit_id": u, "number": "302", "floor": 3, "gross_area": "90"}),
            )
            .await;
        assert_eq!(h.status, StatusCode::CREATED, "{}", h.body);
        let unowned = h.id();

        let preview = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": "2026-01"})).await.body;
        let problem = json!({"house_id": unowned, "house_label": "1栋1单元302", "code": "no_owner"});
        assert_eq!(
            preview["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| json!({"house_id": q["house_id"], "house_label": q["house_label"], "code": q["code"]}))
                .collect::<Vec<_>>(),
            std::slice::from_ref(&problem),
            "{preview}"
        );
        let run = bill_month(&s, &admin, p, "2026-01").await;
        assert_eq!(run["problems"][0]["house_label"], "1栋1单元302", "{run}");
        let runs = s.get(&format!("/api/v1/billing-runs?project_id={p}"), &admin).await.body;
        assert_eq!(runs["items"][0]["problems"][0]["house_label"], "1栋1单元302", "{runs}");

        let bill =
            s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body["items"][0]["id"].as_i64().unwrap();
        let body = json!({"kind": "waive_principal", "amount_fen": 100, "reason": "漏水维修补偿"});
        let asked = s.post(&format!("/api/v1/bills/{bill}/adjustments"), &admin, body).await;
        assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
        assert_eq!(asked.body["house_label"], "1栋301", "{}", asked.body);
        let listed = s.get(&format!("/api/v1/adjustments?project_id={p}"), &admin).await.body;
        assert_eq!(listed["items"][0]["house_label"], "1栋301", "{listed}");
        let account = s.get(&format!("/api/v1/houses/{owned}/account"), &admin).await.body;
        assert_eq!(account["pending_adjustments"][0]["house_label"], "1栋301", "{account}");

        let m = s
            .post(
                "/api/v1/meters",
                &admin,
                json!({"project_id": p, "house_id": unowned, "kind": "water", "number": "W-302"}),
            )
            .await;
        assert_eq!(
            (m.status, m.body["house_label"].as_str()),
            (StatusCode::CREATED, Some("1栋1单元302")),
            "{}",
            m.body
        );
        let meters = s.get(&format!("/api/v1/meters?project_id={p}"), &admin).await.body;
        assert_eq!(meters["items"][0]["house_label"], "1栋1单元302", "{meters}");
    }
);

db_test!(
    async fn a_batch_of_payments_records_what_paying_one_by_one_records(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, a, _) = setup(&s, &admin).await;
        let building = s.get(&format!("/api/v1/houses/{a}"), &admin).await.body["building_id"].as_i64().unwrap();
        let b = s.create_house(&admin, building, "302", 3, "80").await;
        let twin_a = s.create_house(&admin, building, "401", 4, "100").await;
        let twin_b = s.create_house(&admin, building, "402", 4, "80").await;
        for (n, house) in [b, twin_a, twin_b].into_iter().enumerate() {
            let person = s.create_person(&admin, p, &format!("业主{n}"), &format!("1380000200{n}")).await;
            s.add_ownership(&admin, house, person, "2020-05-01").await;
        }
        bill_month(&s, &admin, p, "2026-01").await;
        bill_month(&s, &admin, p, "2026-02").await;
        let system = linli_core::Authz::system(s.company);
        let on: chrono::NaiveDate = "2026-02-10".parse().unwrap();
        let payment = |amount: i64| -> linli_billing::NewPayment {
            serde_json::from_value(json!({"amount_fen": amount, "channel": "bank", "received_on": on.to_string()}))
                .unwrap()
        };

        // What is owed on the day, as the account says it (accrued late fees included).
        let owed = s.app().billing.payments.owed(&system, p, &[a, b, twin_a, twin_b], Some(on)).await.unwrap();
        for (house, fen) in &owed {
            let acc = s.get(&format!("/api/v1/houses/{house}/account?as_of={on}"), &admin).await.body;
            let expected = acc["total_due_fen"].as_i64().unwrap() - acc["balance_fen"].as_i64().unwrap();
            assert_eq!(fen.0, expected, "{acc}");
        }
        assert!(owed.iter().all(|(_, f)| f.0 > 0), "{owed:?}");

        // Part of January for one house, more than everything for the other: one by one, then
        // the same for their twins in one batch.
        let (part, more) = (30_000, owed.iter().find(|(h, _)| *h == b).unwrap().1.0 + 12_345);
        let mut single = Vec::new();
        for (house, amount) in [(a, part), (b, more)] {
            let r = s.app().billing.payments.replay_payment(&system, house, payment(amount), on).await.unwrap();
            single.push(r);
        }
        let batch = vec![(twin_a, payment(part)), (twin_b, payment(more))];
        let batched = s.app().billing.payments.replay_payments(&system, p, batch, on).await.unwrap();
        assert_eq!(batched.len(), 2);
        for (one, many) in single.iter().zip(&batched) {
            assert_eq!(one.payment.amount_fen, many.payment.amount_fen);
            assert_eq!(one.late_fees_posted_fen, many.late_fees_posted_fen);
            assert_eq!(one.balance_fen, many.balance_fen);
            let parts = |r: &linli_billing::Receipt| -> Vec<(String, i64)> {
                r.allocations.iter().map(|x| (format!("{:?}", x.part), x.amount.0)).collect()
            };
            assert_eq!(parts(one), parts(many));
        }
        // One receipt book for the project: the four payments took its first four numbers, in order.
        let numbers: Vec<&str> = single.iter().chain(&batched).map(|r| r.payment.receipt_no.as_str()).collect();
        let expected: Vec<String> = (1..=4).map(|n| format!("SK{p}-{n:08}")).collect();
        assert_eq!(numbers, expected);
        assert!(batched[0].late_fees_posted_fen.0 > 0, "January was late on 2026-02-10");
        for (house, twin) in [(a, twin_a), (b, twin_b)] {
            let one = s.get(&format!("/api/v1/houses/{house}/account?as_of=2026-03-15"), &admin).await.body;
            let other = s.get(&format!("/api/v1/houses/{twin}/account?as_of=2026-03-15"), &admin).await.body;
            for field in ["total_due_fen", "balance_fen"] {
                assert_eq!(one[field], other[field], "{field}: {one} / {other}");
            }
            let dues = |acc: &Value| -> Vec<(i64, i64)> {
                acc["open_bills"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| (o["principal_due_fen"].as_i64().unwrap(), o["late_fee_accrued_fen"].as_i64().unwrap()))
                    .collect()
            };
            assert_eq!(dues(&one), dues(&other));
        }
        // Each payment of the batch is in the audit log, and the ledger's seals hold.
        let audit =
            s.get(&format!("/api/v1/audit-log?project_id={p}&action=billing.payment.received"), &admin).await.body;
        assert_eq!(audit["total"], 4, "{audit}");
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());

        // A house twice in one batch, or one of another project, records nothing.
        let twice = vec![(a, payment(100)), (a, payment(100))];
        let err = s.app().billing.payments.replay_payments(&system, p, twice, on).await.unwrap_err();
        assert!(matches!(err, linli_core::Error::Validation(..)), "{err:?}");
        let other = s.create_project(&admin, "云栖科技园").await;
        let far = s.create_building(&admin, other, "A座", 5).await;
        let far = s.create_house(&admin, far, "101", 1, "50").await;
        let mixed = vec![(a, payment(100)), (far, payment(100))];
        let err = s.app().billing.payments.replay_payments(&system, p, mixed, on).await.unwrap_err();
        assert!(matches!(err, linli_core::Error::NotFound { .. }), "{err:?}");
        let audit =
            s.get(&format!("/api/v1/audit-log?project_id={p}&action=billing.payment.received"), &admin).await.body;
        assert_eq!(audit["total"], 4, "nothing of a refused batch is kept");
        assert!(s.app().billing.payments.owed(&system, p, &[far], None).await.unwrap().is_empty());
    }
);
