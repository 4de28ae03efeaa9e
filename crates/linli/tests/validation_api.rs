//! Hostile input refused at the edge (issue 9): dates strict and bounded.

mod common;

use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A project with one building, one house (100 m²), one person and a one-off fee item with a
/// standard of 50,000.00 元 at 万分之五 per day late.
async fn setup(s: &TestServer, admin: &str) -> (i64, i64, i64, i64, i64) {
    let c = Community::new(s, admin, "100").await;
    let person = s.create_person(admin, c.project, "张伟", "13800001111").await;
    let body = json!({"project_id": c.project, "code": "ZX", "name": "装修押金", "kind": "one_off",
                      "late_fee": {"daily_rate": "0.0005", "grace_days": 0, "cap_rate": null}});
    let item = s.create_fee_item(admin, body, "2020-01-01", "50000").await;
    (c.project, c.building, c.house, person, item)
}

fn field_error(a: &common::Answer, field: &str, code: &str) {
    assert_problem(a, 422, "validation_failed");
    assert_eq!(a.body["errors"][0], json!({"field": field, "code": code}), "{}", a.body);
}

db_test!(
    async fn dates_are_strict_and_inside_their_window(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _, h, person, item) = setup(&s, &admin).await;
        let today = linli_core::time::today();

        // One-off charges: 0001-01-01 would be 2,000 years of late fee on 50,000 元.
        let charge = |due: Value| {
            let s = &s;
            let admin = &admin;
            async move {
                s.post(&format!("/api/v1/houses/{h}/charges"), admin, json!({"fee_item_id": item, "due_on": due})).await
            }
        };
        field_error(&charge(json!("0001-01-01")).await, "due_on", "date_out_of_range");
        field_error(&charge(json!("9999-12-31")).await, "due_on", "date_out_of_range");
        field_error(&charge(json!("2026-1-1")).await, "due_on", "invalid_date");
        field_error(&charge(json!("2026-02-30")).await, "due_on", "invalid_date");
        let bills = s.get(&format!("/api/v1/bills?project_id={p}"), &admin).await.body;
        assert_eq!(bills["total"], 0, "{bills}");
        let ok = charge(json!(today.to_string())).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

        // Billing periods.
        for (period, code) in
            [("0000-01", "date_out_of_range"), ("9999-12", "date_out_of_range"), ("2026-1", "invalid_date")]
        {
            let run = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": period})).await;
            field_error(&run, "period", code);
        }
        let sheet = s.get(&format!("/api/v1/meter-readings/sheet?project_id={p}&period=9999-12"), &admin).await;
        field_error(&sheet, "period", "date_out_of_range");

        // Ownerships and occupancies.
        let owned = s
            .post(
                &format!("/api/v1/houses/{h}/ownerships"),
                &admin,
                json!({"person_id": person, "started_on": "0842-01-01"}),
            )
            .await;
        field_error(&owned, "started_on", "date_out_of_range");
        let moved = s
            .post(
                &format!("/api/v1/houses/{h}/occupancies"),
                &admin,
                json!({"person_id": person, "relation": "owner", "moved_in_on": "2026-1-1"}),
            )
            .await;
        field_error(&moved, "moved_in_on", "invalid_date");
        let owned = s
            .post(
                &format!("/api/v1/houses/{h}/ownerships"),
                &admin,
                json!({"person_id": person, "started_on": "2020-05-01"}),
            )
            .await;
        assert_eq!(owned.status, StatusCode::CREATED, "{}", owned.body);

        // Report days in the query string.
        let arrears = s.get(&format!("/api/v1/reports/arrears?project_id={p}&as_of=2026-1-1"), &admin).await;
        field_error(&arrears, "as_of", "invalid_date");
    }
);

db_test!(
    async fn deleting_what_is_still_referenced_is_409_naming_what_holds_it(db: TestDb) {
        use reqwest::Method;
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, b, h, _, item) = setup(&s, &admin).await;
        let delete = |path: String| {
            let s = &s;
            let admin = &admin;
            async move { s.call(Method::DELETE, &path, Some(admin), None).await }
        };

        // A house with a bill (and no owners): 409, not a foreign-key 500.
        let charged =
            s.post(&format!("/api/v1/houses/{h}/charges"), &admin, json!({"fee_item_id": item, "note": "押金"})).await;
        assert_eq!(charged.status, StatusCode::CREATED, "{}", charged.body);
        let refused = delete(format!("/api/v1/houses/{h}")).await;
        assert_problem(&refused, 409, "still_referenced");
        assert_eq!(refused.body["referenced_by"], json!(["bill", "ledger_entry"]), "{}", refused.body);

        // A house with only a meter.
        let h2 = s
            .post("/api/v1/houses", &admin, json!({"building_id": b, "number": "302", "floor": 3, "gross_area": "90"}))
            .await
            .id();
        let meter = s
            .post(
                "/api/v1/meters",
                &admin,
                json!({"project_id": p, "house_id": h2, "kind": "water", "number": "W-302"}),
            )
            .await;
        assert_eq!(meter.status, StatusCode::CREATED, "{}", meter.body);
        let refused = delete(format!("/api/v1/houses/{h2}")).await;
        assert_problem(&refused, 409, "still_referenced");
        assert_eq!(refused.body["referenced_by"], json!(["meter"]), "{}", refused.body);

        // A building with only a shared meter; a unit with a house.
        let b2 =
            s.post("/api/v1/buildings", &admin, json!({"project_id": p, "name": "2栋", "floors_above": 6})).await.id();
        let shared = s
            .post(
                "/api/v1/meters",
                &admin,
                json!({"project_id": p, "building_id": b2, "kind": "electricity", "number": "E-2"}),
            )
            .await;
        assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
        let refused = delete(format!("/api/v1/buildings/{b2}")).await;
        assert_problem(&refused, 409, "still_referenced");
        assert_eq!(refused.body["referenced_by"], json!(["meter"]), "{}", refused.body);
        let b3 =
            s.post("/api/v1/buildings", &admin, json!({"project_id": p, "name": "3栋", "floors_above": 6})).await.id();
        let u = s.post("/api/v1/units", &admin, json!({"building_id": b3, "name": "1单元"})).await.id();
        let placed = s
            .post(
                "/api/v1/houses",
                &admin,
                json!({"building_id": b3, "unit_id": u, "number": "101", "floor": 1, "gross_area": "80"}),
            )
            .await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let refused = delete(format!("/api/v1/units/{u}")).await;
        assert_problem(&refused, 409, "still_referenced");
        assert_eq!(refused.body["referenced_by"], json!(["house"]), "{}", refused.body);

        // Nothing was deleted; what nothing refers to still goes.
        assert_eq!(s.get(&format!("/api/v1/houses/{h}"), &admin).await.status, StatusCode::OK);
        let h3 = s
            .post("/api/v1/houses", &admin, json!({"building_id": b, "number": "303", "floor": 3, "gross_area": "90"}))
            .await
            .id();
        assert_eq!(delete(format!("/api/v1/houses/{h3}")).await.status, StatusCode::NO_CONTENT);
    }
);

db_test!(
    async fn a_run_whose_worker_died_says_it_is_interrupted_and_when_it_resumes(db: TestDb) {
        use linli_jobs::JobStore;
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _, h, person, _) = setup(&s, &admin).await;
        let owned = s
            .post(
                &format!("/api/v1/houses/{h}/ownerships"),
                &admin,
                json!({"person_id": person, "started_on": "2020-05-01"}),
            )
            .await;
        assert_eq!(owned.status, StatusCode::CREATED, "{}", owned.body);
        let month = linli_core::time::today().format("%Y-%m").to_string();
        let preview = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": month})).await;
        assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
        let id = preview.id();
        let confirmed = s.post(&format!("/api/v1/billing-runs/{id}/confirm"), &admin, json!({})).await;
        assert_eq!(confirmed.status, StatusCode::ACCEPTED, "{}", confirmed.body);
        let run = s.get(&format!("/api/v1/billing-runs/{id}"), &admin).await.body;
        assert_eq!((run["state"].as_str(), run["stalled"].as_bool()), (Some("running"), Some(false)), "{run}");
        assert_eq!(run["lease_expires_at"], Value::Null, "not started yet");

        // A worker of another host holds it: it works on it, as far as this server knows.
        let now = chrono::Utc::now();
        let claimed = s.db.db.claim("elsewhere.example-1", now, chrono::Duration::minutes(5), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let run = s.get(&format!("/api/v1/billing-runs/{id}"), &admin).await.body;
        assert_eq!(run["stalled"], false, "{run}");
        assert!(run["lease_expires_at"].is_string(), "{run}");

        // Its lease ran out and a process of this host took it and died (a crash, kill -9).
        let own_host = linli_jobs::process_owner().rsplit_once('-').unwrap().0.to_string();
        let later = now + chrono::Duration::minutes(6);
        let dead = format!("{own_host}-4000000000");
        assert_eq!(s.db.db.claim(&dead, later, chrono::Duration::minutes(5), 10).await.unwrap().len(), 1);
        let run = s.get(&format!("/api/v1/billing-runs/{id}"), &admin).await.body;
        assert_eq!((run["state"].as_str(), run["stalled"].as_bool()), (Some("running"), Some(true)), "{run}");
        let resumes: chrono::DateTime<chrono::Utc> = run["lease_expires_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(resumes.timestamp(), (later + chrono::Duration::minutes(5)).timestamp());
    }
);

db_test!(
    async fn control_characters_are_refused_in_names_and_text_and_line_breaks_only_in_notes(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _, h, _, item) = setup(&s, &admin).await;
        for name in ["张\u{0}伟", "张\u{7}伟", "\u{1b}[2J张伟", "张伟\u{7f}", "张\n伟"] {
            let a =
                s.post("/api/v1/persons", &admin, json!({"project_id": p, "name": name, "phone": "13800001111"})).await;
            field_error(&a, "name", "control_character");
        }
        let b =
            s.post("/api/v1/buildings", &admin, json!({"project_id": p, "name": "1栋\u{0}", "floors_above": 6})).await;
        field_error(&b, "name", "control_character");
        assert_eq!(s.get(&format!("/api/v1/persons?project_id={p}"), &admin).await.body["total"], 1, "only setup's");
        // A multi-line field keeps its line breaks; a control character is still refused there.
        let two_lines = s
            .post(
                &format!("/api/v1/houses/{h}/charges"),
                &admin,
                json!({"fee_item_id": item, "note": "第一行\n第二行"}),
            )
            .await;
        assert_eq!(two_lines.status, StatusCode::CREATED, "{}", two_lines.body);
        let bell = s
            .post(&format!("/api/v1/houses/{h}/charges"), &admin, json!({"fee_item_id": item, "note": "响铃\u{7}"}))
            .await;
        field_error(&bell, "note", "control_character");
        // A field the request type does not have is ignored, and so is what it holds.
        let extra = s
            .post(
                "/api/v1/buildings",
                &admin,
                json!({"project_id": p, "name": "2栋", "floors_above": 6, "x\u{7}": {"y": "\u{1b}"}}),
            )
            .await;
        assert_eq!(extra.status, StatusCode::CREATED, "{}", extra.body);
        // A query text holds none either (PostgreSQL would refuse a NUL in text with a 500).
        let q = s.get(&format!("/api/v1/equipment/export?project_id={p}&q=a%00b"), &admin).await;
        field_error(&q, "q", "control_character");
        // A body is an object: serde would read a struct from an array.
        let array = s.post("/api/v1/buildings", &admin, json!([p, "3栋", 6])).await;
        field_error(&array, "body", "invalid");
    }
);

db_test!(
    async fn marking_someone_elses_inbox_message_read_is_404(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let resident = s.create_user("resident1", Some("resident"), Some(p)).await;
        s.create_user("resident2", Some("resident"), Some(p)).await;
        let mine = s.login("resident1").await;
        let other = s.login("resident2").await;
        let sent = s
            .post(
                "/api/v1/messages",
                &admin,
                json!({"user_id": resident, "project_id": p, "title": "停水通知", "text": "明日停水。"}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        s.run_jobs(chrono::Utc::now()).await;
        let id = s.get("/api/v1/inbox", &mine).await.body["items"][0]["id"].as_i64().unwrap();

        assert_problem(&s.post(&format!("/api/v1/inbox/{id}/read"), &other, json!({})).await, 404, "not_found");
        assert_problem(&s.post("/api/v1/inbox/999999/read", &mine, json!({})).await, 404, "not_found");
        assert_eq!(s.get("/api/v1/inbox/unread", &mine).await.body["unread"], 1);
        // The owner marks it read, and again: both fine.
        for _ in 0..2 {
            let read = s.post(&format!("/api/v1/inbox/{id}/read"), &mine, json!({})).await;
            assert_eq!((read.status, read.body["unread"].as_i64()), (StatusCode::OK, Some(0)), "{}", read.body);
        }
    }
);

db_test!(
    async fn whole_numbers_written_with_a_zero_fraction_are_integers_in_paths_and_queries(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _, house, _, _) = setup(&s, &admin).await;
        // JSON Schema's `integer` admits 7.0: the document's integers do too.
        let plain = s.get(&format!("/api/v1/houses/{house}"), &admin).await;
        let written = s.get(&format!("/api/v1/houses/{house}.0"), &admin).await;
        assert_eq!(written.status, StatusCode::OK, "{}", written.body);
        assert_eq!(written.body["id"], plain.body["id"]);
        // In a body too, however large: a float near 2^51 is read exactly, not half off.
        let far = s
            .post("/api/v1/persons", &admin, json!({"project_id": -2_251_799_813_685_247.0_f64, "name": "张三"}))
            .await;
        assert_eq!(far.status, StatusCode::NOT_FOUND, "{}", far.body);
        let listed = s.get(&format!("/api/v1/houses?project_id={p}.00&page=1.0&page_size=5.0"), &admin).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert_eq!(listed.body["page_size"], 5);
        // Other fractions are still not integers.
        let half = s.get("/api/v1/houses?page=1.5", &admin).await;
        assert_problem(&half, 422, "validation_failed");
        assert_eq!(half.body["errors"][0]["field"], "page");
        assert_eq!(s.get(&format!("/api/v1/houses/{house}.5"), &admin).await.status, StatusCode::BAD_REQUEST);
    }
);
