//! A resident binds their account to the houses they own with a code sent to the owner's phone.

mod common;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::StatusCode;
use serde_json::json;

/// The code of the newest demo SMS to a phone.
fn code_sent_to(phone: &str) -> String {
    let text = linli_people::binding::demo_sender().last_to(phone).expect("an SMS was sent");
    text.chars().filter(char::is_ascii_digit).take(6).collect()
}

db_test!(
    async fn a_resident_binds_to_the_owners_house_with_the_code_from_the_owners_phone(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let b =
            s.post("/api/v1/buildings", &admin, json!({"project_id": p, "name": "1栋", "floors_above": 6})).await.body
                ["id"]
                .as_i64()
                .unwrap();
        let h = s
            .post("/api/v1/houses", &admin, json!({"building_id": b, "number": "301", "floor": 3, "gross_area": 89.47}))
            .await
            .body["id"]
            .as_i64()
            .unwrap();
        // A phone number unique to this test run, since the demo SMS outbox is shared in the process.
        // The SQLite and PostgreSQL variants run at the same time with the same ids.
        let phone = format!("139{}{:07}", u8::from(s.backend() == "postgres"), (h * 7919 + p) % 10_000_000);
        let owner = s
            .post("/api/v1/persons", &admin, json!({"project_id": p, "name": "陈业主", "phone": phone}))
            .await
            .body["id"]
            .as_i64()
            .unwrap();
        s.post(
            &format!("/api/v1/houses/{h}/ownerships"),
            &admin,
            json!({"person_id": owner, "started_on": "2021-01-01"}),
        )
        .await;

        // A freshly registered account with no grants at all.
        s.create_user("newcomer", None, None).await;
        let me = s.login("newcomer").await;
        assert_eq!(s.get("/api/v1/bindings", &me).await.body["ownerships"], json!([]));
        assert_problem(&s.get(&format!("/api/v1/houses/{h}"), &me).await, 403, "forbidden");

        let sent = s.post("/api/v1/bindings/code", &me, json!({"phone": phone})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        let code = code_sent_to(&phone);
        assert_eq!(code.len(), 6);
        // Asking again at once is throttled.
        assert_problem(&s.post("/api/v1/bindings/code", &me, json!({"phone": phone})).await, 429, "too_many_attempts");

        let wrong = if code == "000000" { "111111" } else { "000000" };
        let bad = s.post("/api/v1/bindings", &me, json!({"phone": phone, "code": wrong})).await;
        assert_eq!(bad.body["errors"][0], json!({"field": "code", "code": "binding_code_invalid"}));

        let ok = s.post("/api/v1/bindings", &me, json!({"phone": phone, "code": code})).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.body["ownerships"][0]["house_label"], "1栋301");
        // The code is spent; the account now has the resident role on the project.
        let again = s.post("/api/v1/bindings", &me, json!({"phone": phone, "code": code})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        let me_now = s.get("/api/v1/auth/me", &me).await.body;
        assert_eq!(me_now["grants"][0]["role"], "resident");
        assert_eq!(me_now["grants"][0]["project_id"], p);
        assert_eq!(s.get(&format!("/api/v1/persons/{owner}"), &admin).await.body["user_id"], me_now["id"]);

        // A phone that is nobody's gets the same answer and no SMS.
        let stranger = if s.backend() == "postgres" { "13799999991" } else { "13799999990" };
        let quiet = s.post("/api/v1/bindings/code", &me, json!({"phone": stranger})).await;
        assert_eq!(quiet.status, StatusCode::ACCEPTED);
        assert!(linli_people::binding::demo_sender().last_to(stranger).is_none());
        // Another account cannot take over a bound owner.
        s.create_user("intruder", None, None).await;
        let other = s.login("intruder").await;
        s.post("/api/v1/bindings/code", &other, json!({"phone": phone})).await;
        let code2 = code_sent_to(&phone);
        let taken = s.post("/api/v1/bindings", &other, json!({"phone": phone, "code": code2})).await;
        assert_problem(&taken, 409, "person_bound_elsewhere");
    }
);
