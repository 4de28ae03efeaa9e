//! Billing through the API: fee items and standards, a run previewed then confirmed, the late
//! fee of a partly paid bill day by day, idempotent payments, adjustments that need a second
//! person, reports, and the ledger check catching an edited entry.

mod common;

use chrono::Utc;
use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// A project with one owned house of 100 m² and a property fee of 10.00 元/m²/月 with 万分之五
/// per day late: January 2026 is a bill of exactly 1,000.00 元 due on 2026-01-31.
async fn setup(s: &TestServer, admin: &str) -> (i64, i64, i64) {
    let p = s.create_project(admin, "翠湖花园").await;
    let b = s.post("/api/v1/buildings", admin, json!({"project_id": p, "name": "1栋", "floors_above": 10})).await.body
        ["id"]
        .as_i64()
        .unwrap();
    let h = s
        .post("/api/v1/houses", admin, json!({"building_id": b, "number": "301", "floor": 3, "gross_area": "100"}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let owner = s
        .post("/api/v1/persons", admin, json!({"project_id": p, "name": "张伟", "phone": "13800001111"}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let o = s
        .post(&format!("/api/v1/houses/{h}/ownerships"), admin, json!({"person_id": owner, "started_on": "2020-05-01"}))
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
    let item = s
        .post(
            "/api/v1/fee-items",
            admin,
            json!({"project_id": p, "code": "WYF", "name": "物业费", "kind": "area", "cycle": "monthly", "due_day": 31,
                   "late_fee": {"daily_rate": "0.0005", "grace_days": 0, "cap_rate": null}}),
        )
        .await;
    assert_eq!(item.status, StatusCode::CREATED, "{}", item.body);
    let item = item.body["id"].as_i64().unwrap();
    let std = s
        .post(
            &format!("/api/v1/fee-items/{item}/standards"),
            admin,
            json!({"effective_from": "2025-01-01", "price": "10.00"}),
        )
        .await;
    assert_eq!(std.status, StatusCode::CREATED, "{}", std.body);
    let a = s.post(&format!("/api/v1/fee-items/{item}/assignments"), admin, json!({"target": "project"})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    (p, h, item)
}

async fn bill_month(s: &TestServer, token: &str, p: i64, period: &str) -> Value {
    let preview = s.post("/api/v1/billing-runs", token, json!({"project_id": p, "period": period})).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().unwrap();
    let confirmed = s.post(&format!("/api/v1/billing-runs/{id}/confirm"), token, json!({})).await;
    assert_eq!(confirmed.status, StatusCode::ACCEPTED, "{}", confirmed.body);
    s.run_jobs(Utc::now()).await;
    s.get(&format!("/api/v1/billing-runs/{id}"), token).await.body
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
            pay(&s, &admin, h, "pay-1", json!({"amount_fen": 50_000, "channel": "cash", "received_on": "2026-02-10"}))
                .await;
        assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
        // 10 days at 1,000.00 accrued by then are posted; the money pays principal first.
        assert_eq!(receipt.body["late_fees_posted_fen"], 500);
        assert_eq!(receipt.body["allocations"], json!([{"bill_id": bill, "part": "principal", "amount_fen": 50_000}]));

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

        // The same key again records nothing new; with another amount it is refused.
        let again =
            pay(&s, &admin, h, "pay-1", json!({"amount_fen": 50_000, "channel": "cash", "received_on": "2026-02-10"}))
                .await;
        assert_eq!(again.body["payment"]["id"], receipt.body["payment"]["id"]);
        let other =
            pay(&s, &admin, h, "pay-1", json!({"amount_fen": 1, "channel": "cash", "received_on": "2026-02-10"})).await;
        assert_problem(&other, 409, "idempotency_key_reused");
        assert_eq!(s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body["principal_due_fen"], 50_000);

        // Paying the rest on 2026-02-20 settles principal and late fee; the extra stays prepaid.
        let rest = pay(
            &s,
            &admin,
            h,
            "pay-2",
            json!({"amount_fen": 60_000, "channel": "wechat", "received_on": "2026-02-20"}),
        )
        .await;
        assert_eq!(rest.body["balance_fen"], 60_000 - 50_000 - 750, "{}", rest.body);
        let d = s.get(&format!("/api/v1/bills/{bill}"), &admin).await.body;
        assert_eq!((d["state"].as_str(), d["settled_on"].as_str()), (Some("paid"), Some("2026-02-20")));

        // The prepaid rest pays February's bill when it is issued.
        bill_month(&s, &admin, p, "2026-02").await;
        let feb = s.get(&format!("/api/v1/bills?project_id={p}&period=2026-02"), &admin).await.body;
        assert_eq!(feb["items"][0]["principal_due_fen"], 100_000 - 9_250);

        let check = s.app().billing.check_ledger().await.unwrap();
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
        let body = json!({"amount_fen": 5_000, "channel": "cash", "received_on": "2026-02-10", "allocate": false});
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
        assert!(s.app().billing.check_ledger().await.unwrap().ok());

        // A one-off fee: two key cards at 50.00, charged once however often the request is sent.
        let body = json!({"project_id": p, "code": "MJK", "name": "门禁卡", "kind": "one_off"});
        let card = s.post("/api/v1/fee-items", &admin, body).await.body["id"].as_i64().unwrap();
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
        let zero =
            pay(&s, &admin, h, "k0", json!({"amount_fen": 0, "channel": "cash", "received_on": "2026-02-10"})).await;
        assert_eq!(zero.body["errors"][0], json!({"field": "amount_fen", "code": "must_be_positive"}));
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
        let id = asked.body["id"].as_i64().unwrap();
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
        let own = own.body["id"].as_i64().unwrap();
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
        pay(&s, &admin, h, "k", json!({"amount_fen": 100_000, "channel": "alipay", "received_on": "2025-02-01"})).await;
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
    async fn the_ledger_check_fails_when_an_entry_was_edited(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, h, _) = setup(&s, &admin).await;
        bill_month(&s, &admin, p, "2026-01").await;
        pay(&s, &admin, h, "k", json!({"amount_fen": 30_000, "channel": "cash", "received_on": "2026-01-15"})).await;
        assert!(s.app().billing.check_ledger().await.unwrap().ok());

        // The database refuses to change an entry.
        let conn = &s.db.db.conn;
        assert!(
            conn.execute_unprepared("UPDATE ledger_entries SET principal_fen = -1 WHERE kind = 'allocation'")
                .await
                .is_err()
        );
        // Someone who drops the guard and edits one is caught by the seals.
        let drop = if s.backend() == "postgres" {
            "DROP TRIGGER ledger_entries_append_only ON ledger_entries"
        } else {
            "DROP TRIGGER ledger_entries_no_update"
        };
        conn.execute_unprepared(drop).await.unwrap();
        conn.execute_unprepared("UPDATE ledger_entries SET principal_fen = -3000000 WHERE kind = 'allocation'")
            .await
            .unwrap();
        let check = s.app().billing.check_ledger().await.unwrap();
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
        let water = water.body["id"].as_i64().unwrap();
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
        assert_eq!(far.body["errors"][0], json!({"field": "as_of", "code": "out_of_range"}), "{}", far.body);
        let year = s.get(&format!("/api/v1/reports/collection?project_id={p}&year=999999"), &admin).await;
        assert_eq!(year.body["errors"][0], json!({"field": "year", "code": "out_of_range"}), "{}", year.body);
    }
);
