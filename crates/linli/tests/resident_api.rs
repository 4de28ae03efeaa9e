//! A resident's own houses on the phone: the account and bills of a house they are bound to,
//! and nothing of any other house.

mod common;

use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use reqwest::StatusCode;
use serde_json::json;

db_test!(
    async fn a_bound_resident_sees_their_houses_account_and_bills_and_no_other_house(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let c = Community::new(&s, &admin, "100.00").await;
        let (p, h) = (c.project, c.house);
        // Unique to this run: the demo SMS outbox is shared by the SQLite and PostgreSQL variants.
        let phone = format!("138{}{:07}", u8::from(s.backend() == "postgres"), (h * 7907 + p) % 10_000_000);
        c.owner(&s, &admin, "陈业主", &phone, "2021-01-01").await;
        let neighbour = s.create_house(&admin, c.building, "302", 3, "80.00").await;
        let other_owner = s.create_person(&admin, p, "王芳", "13900000008").await;
        s.add_ownership(&admin, neighbour, other_owner, "2021-01-01").await;
        let item = c.property_fee(&s, &admin).await;
        let run = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": "2026-01"})).await.id();
        s.post(&format!("/api/v1/billing-runs/{run}/confirm"), &admin, json!({})).await;
        s.app().billing.runs.execute_run(run, 100).await.unwrap();
        let all = s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body;
        assert_eq!(all["total"], 2, "{all}");
        let theirs =
            all["items"].as_array().unwrap().iter().find(|b| b["house_id"] == neighbour).unwrap()["id"].clone();

        s.create_user("chen", None, None).await;
        let me = s.login("chen").await;
        // Not bound yet: the house is nobody's business of theirs.
        assert_problem(&s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await, 404, "not_found");
        s.bind(&me, &phone).await;

        let account = s.get(&format!("/api/v1/my/houses/{h}/account?as_of=2026-02-10"), &me).await;
        assert_eq!(account.status, StatusCode::OK, "{}", account.body);
        assert_eq!(account.body["house_label"], "1栋301");
        // 100 m² × 10.00 元, 10 days late at 万分之五: 5.00 元.
        assert_eq!(account.body["open_bills"][0]["principal_due_fen"], 100_000, "{}", account.body);
        assert_eq!(account.body["total_due_fen"], 100_500, "{}", account.body);
        assert_eq!(account.body["pending_adjustments"], json!([]));

        let bills = s.get(&format!("/api/v1/my/houses/{h}/bills"), &me).await.body;
        assert_eq!(bills["total"], 1, "{bills}");
        let mine = bills["items"][0]["id"].as_i64().unwrap();
        assert_eq!(bills["items"][0]["fee_item_id"], item);
        assert_eq!(s.get(&format!("/api/v1/my/houses/{h}/bills?state=paid"), &me).await.body["total"], 0);
        let bill = s.get(&format!("/api/v1/my/houses/{h}/bills/{mine}"), &me).await;
        assert_eq!((bill.status, bill.body["lines"][0]["amount_fen"].as_i64()), (StatusCode::OK, Some(100_000)));

        // Another house, another house's bill through their own house, and the staff endpoints:
        // the same 404 a missing house gets, and 403 where staff permission is needed.
        assert_problem(&s.get(&format!("/api/v1/my/houses/{neighbour}/account"), &me).await, 404, "not_found");
        assert_problem(&s.get(&format!("/api/v1/my/houses/{neighbour}/bills"), &me).await, 404, "not_found");
        assert_problem(&s.get(&format!("/api/v1/my/houses/{h}/bills/{theirs}"), &me).await, 404, "not_found");
        assert_problem(&s.get("/api/v1/my/houses/999999/account", &me).await, 404, "not_found");
        assert_problem(&s.get(&format!("/api/v1/houses/{h}/account"), &me).await, 403, "forbidden");
        assert_problem(&s.get(&format!("/api/v1/bills?house_id={h}"), &me).await, 403, "forbidden");

        // Sold: the former owner sees the house no more.
        let buyer = s.create_person(&admin, p, "李娜", "13900000009").await;
        let sale = json!({"person_id": buyer, "started_on": "2026-01-15", "replace_current": true});
        assert_eq!(s.post(&format!("/api/v1/houses/{h}/ownerships"), &admin, sale).await.status, StatusCode::CREATED);
        assert_problem(&s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await, 404, "not_found");
        assert_problem(&s.get(&format!("/api/v1/my/houses/{h}/bills/{mine}"), &me).await, 404, "not_found");
    }
);
