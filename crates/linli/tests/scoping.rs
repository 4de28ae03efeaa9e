//! Tenancy: a user granted project A never sees project B's rows. The list endpoints are read
//! from the server's own OpenAPI document, so a new list is covered as soon as it exists: rows
//! carrying `project_id` are checked generically, others need a rule in `project_of`.

mod common;

use common::TestServer;
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct World {
    a: i64,
    b: i64,
    user_b: i64,
}

/// The project a row belongs to, as far as scoping goes; `None` for company-level rows (the
/// audit of a user's creation, say), which only company-wide readers may see.
fn project_of(path: &str, item: &Value, w: &World) -> Option<i64> {
    if let Some(p) = item.get("project_id") {
        return p.as_i64();
    }
    Some(match path {
        "/api/v1/projects" => item["id"].as_i64().unwrap(),
        // Users are company records: A's reader sees those granted on A, so B's manager is "B".
        "/api/v1/users" => {
            if item["id"].as_i64() == Some(w.user_b) {
                w.b
            } else {
                w.a
            }
        }
        other => panic!("{other} lists rows without project_id: add a rule to tests/scoping.rs"),
    })
}

/// Lists of what the caller personally receives: filtered by recipient, not by project
/// (`tests/notify_api.rs` covers them).
const PERSONAL: &[&str] = &["/api/v1/inbox"];

/// Lists of company-wide work with no project (a merchant account serves every project): a user
/// granted only projects is refused them outright (`tests/payments_api.rs` covers the rest).
const COMPANY_WIDE: &[&str] = &["/api/v1/reconciliations"];

fn paged_lists(doc: &Value) -> Vec<(String, bool)> {
    let paths = doc["paths"].as_object().unwrap();
    let mut lists = Vec::new();
    for (path, ops) in paths {
        let schema = &ops["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        if !path.contains('{')
            && !PERSONAL.contains(&path.as_str())
            && !COMPANY_WIDE.contains(&path.as_str())
            && schema.as_str().is_some_and(|r| r.starts_with("#/components/schemas/Page_"))
        {
            let has_detail = paths.get(&format!("{path}/{{id}}")).is_some_and(|d| d.get("get").is_some());
            lists.push((path.clone(), has_detail));
        }
    }
    lists
}

/// Rows of every kind in one project: a building, a unit, a house, and a change in the audit log.
async fn seed(s: &TestServer, admin: &str, project: i64, tag: &str) {
    let r = s
        .call(
            Method::PATCH,
            &format!("/api/v1/projects/{project}"),
            Some(admin),
            Some(json!({"name": format!("项目{tag}")})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let b = s
        .post(
            "/api/v1/buildings",
            admin,
            json!({"project_id": project, "name": format!("{tag}1栋"), "floors_above": 6}),
        )
        .await;
    let b = b.id();
    let u = s.post("/api/v1/units", admin, json!({"building_id": b, "name": "1单元"})).await;
    let u = u.id();
    let h = s
        .post(
            "/api/v1/houses",
            admin,
            json!({"building_id": b, "unit_id": u, "number": "101", "floor": 1, "gross_area": "88"}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.body);
    // The same meter number on both sides, with a reading.
    let m = s
        .post(
            "/api/v1/meters",
            admin,
            json!({"project_id": project, "house_id": h.body["id"], "kind": "water", "number": "W-101"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
    let rows = json!([{"meter_id": m.body["id"], "value": "12.5", "read_on": "2026-01-25"}]);
    let r = s
        .post("/api/v1/meter-readings", admin, json!({"project_id": project, "period": "2026-01", "rows": rows}))
        .await;
    assert_eq!(r.body[0]["status"], "created", "{}", r.body);
    let person = s.post("/api/v1/persons", admin, json!({"project_id": project, "name": format!("业主{tag}")})).await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.body);
    // The same equipment code on both sides: codes are unique per project only.
    let category = s.get("/api/v1/equipment-categories", admin).await.body[0]["id"].as_i64().unwrap();
    let body = json!({"project_id": project, "category_id": category, "code": "DT-01", "name": "客梯"});
    let e = s.post("/api/v1/equipment", admin, body).await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.body);
    // A message about the project, in the outbox's log.
    let notice = linli_notify::Notification {
        company_id: s.company,
        project_id: Some(project),
        kind: linli_notify::Kind::NoticePublished,
        recipient: linli_notify::Recipient { email: Some("owner@example.com".into()), ..Default::default() },
        params: json!({"title": format!("{tag}通知"), "summary": "……"}),
        dedupe_key: None,
    };
    s.app().notify.notify(notice, chrono::Utc::now()).await.unwrap();
    // Billing: an owned house, a fee item, a run with its bill, and an adjustment asked for.
    let (house, owner) = (h.id(), person.id());
    s.post(
        &format!("/api/v1/houses/{house}/ownerships"),
        admin,
        json!({"person_id": owner, "started_on": "2020-01-01"}),
    )
    .await;
    let item = s
        .post(
            "/api/v1/fee-items",
            admin,
            json!({"project_id": project, "code": "WYF", "name": "物业费", "kind": "area"}),
        )
        .await;
    let item = item.id();
    s.post(
        &format!("/api/v1/fee-items/{item}/standards"),
        admin,
        json!({"effective_from": "2020-01-01", "price": "2"}),
    )
    .await;
    s.post(&format!("/api/v1/fee-items/{item}/assignments"), admin, json!({"target": "project"})).await;
    let run = s.post("/api/v1/billing-runs", admin, json!({"project_id": project, "period": "2026-01"})).await;
    s.post(&format!("/api/v1/billing-runs/{}/confirm", run.body["id"]), admin, json!({})).await;
    s.run_jobs(chrono::Utc::now()).await;
    let bills = s.get(&format!("/api/v1/bills?project_id={project}"), admin).await;
    let bill = bills.body["items"][0]["id"].as_i64().expect("a bill");
    let body = json!({"kind": "waive_late_fee", "amount_fen": 1, "reason": "测试"});
    let adj = s.post(&format!("/api/v1/bills/{bill}/adjustments"), admin, body).await;
    assert_eq!(adj.status, StatusCode::CREATED, "{}", adj.body);
    // The counter: a till session and a payment taken in it (the payment log, the sessions).
    let till = s.post("/api/v1/till-sessions", admin, json!({"project_id": project, "opening_float_fen": 0})).await;
    assert_eq!(till.status, StatusCode::CREATED, "{}", till.body);
    let today = linli_core::time::today().to_string();
    let paid = s
        .post(
            &format!("/api/v1/houses/{house}/payments"),
            admin,
            json!({"amount_fen": 100, "channel": "cash", "received_on": today}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    // A payment order of the house, as a resident's page would have made it (through the
    // orders' storage: no channel is configured here).
    let now = chrono::Utc::now();
    let row = linli_payments::service::NewOrderRow {
        company_id: s.company,
        project_id: project,
        house_id: house,
        channel: linli_billing::PaymentChannel::Wechat,
        order: linli_payments::ChannelOrder {
            out_trade_no: linli_payments::order::out_trade_no(now, u32::try_from(project).unwrap()),
            amount_fen: linli_core::Fen(100),
            description: format!("{tag}1栋101 物业缴费"),
            expires_at: linli_payments::order::expires_at(now),
        },
        idempotency_key: None,
        created_by: None,
        created_at: now,
    };
    let actor = linli_core::Authz::system(s.company).actor().clone();
    let audit = linli_core::AuditEvent::new(&actor, "payments.order.created", "payment_order").project(Some(project));
    linli_payments::OrderRepo::insert_order(&s.db.db, row, audit).await.unwrap();
}

db_test!(
    async fn every_list_shows_only_granted_projects_and_other_records_are_404(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "A").await;
        let b = s.create_project(&admin, "B").await;
        s.create_user("manager_a", Some("manager"), Some(a)).await;
        let user_b = s.create_user("manager_b", Some("manager"), Some(b)).await;
        seed(&s, &admin, a, "A").await;
        seed(&s, &admin, b, "B").await;
        let w = World { a, b, user_b };
        let token = s.login("manager_a").await;

        let doc = s.call(Method::GET, "/api/openapi.json", None, None).await.body;
        let lists = paged_lists(&doc);
        assert!(lists.len() >= 6, "{lists:?}");
        for path in COMPANY_WIDE {
            assert_eq!(s.get(path, &token).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        for (path, has_detail) in &lists {
            let mine = s.get(&format!("{path}?page_size=500"), &token).await;
            assert_eq!(mine.status, StatusCode::OK, "{path}: {}", mine.body);
            let items = mine.body["items"].as_array().unwrap();
            assert!(!items.is_empty(), "{path} shows project A's user nothing; the check would prove nothing");
            for item in items {
                assert_eq!(project_of(path, item, &w), Some(a), "{path} leaked {item}");
            }
            let all = s.get(&format!("{path}?page_size=500"), &admin).await;
            let theirs: Vec<&Value> =
                all.body["items"].as_array().unwrap().iter().filter(|i| project_of(path, i, &w) == Some(b)).collect();
            assert!(!theirs.is_empty(), "{path}: no rows of B to hide");
            if *has_detail {
                let id = theirs[0]["id"].as_i64().unwrap();
                let detail = s.get(&format!("{path}/{id}"), &token).await;
                common::assert_problem(&detail, 404, "not_found");
            }
        }
        // Asking for B explicitly does not get around the scope.
        for path in [
            "/api/v1/audit-log",
            "/api/v1/houses",
            "/api/v1/buildings",
            "/api/v1/persons",
            "/api/v1/equipment",
            "/api/v1/meters",
            "/api/v1/meter-readings",
        ] {
            let sneaky = s.get(&format!("{path}?project_id={b}"), &token).await;
            assert_eq!(sneaky.body["total"], 0, "{path}");
        }
        common::assert_problem(&s.get(&format!("/api/v1/projects/{b}/structure"), &token).await, 404, "not_found");
        common::assert_problem(&s.get(&format!("/api/v1/projects/{b}/stats"), &token).await, 404, "not_found");
    }
);

db_test!(
    async fn the_audit_log_names_actors_and_objects_and_its_actor_filter_stays_in_scope(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "A").await;
        let b = s.create_project(&admin, "B").await;
        s.create_user("manager_a", Some("manager"), Some(a)).await;
        let user_b = s.create_user("manager_b", Some("manager"), Some(b)).await;
        seed(&s, &admin, a, "A").await;
        seed(&s, &admin, b, "B").await;
        let token_b = s.login("manager_b").await;
        let p = s.post("/api/v1/persons", &token_b, json!({"project_id": b, "name": "只在B"})).await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
        let token = s.login("manager_a").await;

        let log = s.get("/api/v1/audit-log?entity=house&action=property.house.created", &token).await.body;
        assert_eq!(log["total"], 1, "{log}");
        let row = &log["items"][0];
        assert_eq!(row["actor_display_name"], "用户admin");
        assert_eq!(row["entity_label"], "A1栋1单元101");
        let log = s.get("/api/v1/audit-log?entity=person", &token).await.body;
        assert_eq!(log["items"][0]["entity_label"], "业主A", "{log}");
        let log = s.get("/api/v1/audit-log?entity=project", &admin).await.body;
        let labels: Vec<&str> =
            log["items"].as_array().unwrap().iter().filter_map(|r| r["entity_label"].as_str()).collect();
        assert!(labels.contains(&"项目A") && labels.contains(&"项目B"), "{log}");

        // Only those who acted in what the reader may see; for a company-wide reader, everyone.
        let actors = s.get("/api/v1/audit-log/actors", &token).await;
        assert_eq!(actors.status, StatusCode::OK, "{}", actors.body);
        let names: Vec<&str> =
            actors.body.as_array().unwrap().iter().map(|u| u["display_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["用户admin"]);
        let all = s.get("/api/v1/audit-log/actors", &admin).await.body;
        assert!(
            all.as_array().unwrap().iter().any(|u| u["id"] == user_b && u["display_name"] == "用户manager_b"),
            "{all}"
        );
        // Filtering by someone outside the reader's view finds nothing.
        assert_eq!(s.get(&format!("/api/v1/audit-log?actor_id={user_b}"), &token).await.body["total"], 0);
        let guard = s.create_user("guard_a", Some("guard"), Some(a)).await;
        assert!(guard > 0);
        let guard = s.login("guard_a").await;
        common::assert_problem(&s.get("/api/v1/audit-log/actors", &guard).await, 403, "forbidden");
    }
);
