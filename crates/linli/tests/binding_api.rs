//! A resident binds their account to the houses they own with a code sent to the owner's phone.

mod common;

use common::{Community, TestServer, assert_problem, binding_code_sent_to};
use linli_db::db_test;
use reqwest::StatusCode;
use serde_json::json;

/// Forgets the phone's resend cooldown, as a minute passing would.
async fn minute_passes(s: &TestServer, phone: &str) {
    let throttle = linli_core::Throttle::new(std::sync::Arc::new(s.db.db.clone()));
    throttle.clear(&linli_people::binding::REQUESTS_PER_PHONE, phone).await.unwrap();
}

/// A project with one house owned by someone with this phone.
async fn owned_house(s: &TestServer, admin: &str, phone: &str) -> i64 {
    let c = Community::with_floors(s, admin, 6, "89.47").await;
    c.owner(s, admin, "陈业主", phone, "2021-01-01").await;
    c.house
}

/// Status, `Retry-After` and the body's keys and code: everything but the values a client cannot
/// compare anyway (the expiry time).
async fn answer(s: &TestServer, path: &str, token: &str, body: serde_json::Value) -> (u16, Option<u64>, String) {
    let res = s.http.post(s.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let v: serde_json::Value = res.json().await.unwrap();
    let keys: Vec<&String> = v.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    (status, retry.map(|r| r.div_ceil(60)), format!("{keys:?} {} {}", v["code"], v["errors"]))
}

db_test!(
    async fn binding_answers_the_same_whoever_owns_the_phone_and_caps_attempts(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        // Phones unique to this run: the demo SMS outbox is shared by the tests of this process.
        let tag = u8::from(s.backend() == "postgres");
        let phone = |n: u32| format!("1370{tag}{n:06}");
        let (owner_phone, other_phone) = (phone(1), phone(2));
        owned_house(&s, &admin, &owner_phone).await;
        // Two probing accounts doing the same things, one with an owner's phone, one with another.
        let mut probers = Vec::new();
        for name in ["prober1", "prober2"] {
            s.create_user(name, None, None).await;
            probers.push(s.login(name).await);
        }
        let (a, b) = (&probers[0], &probers[1]);
        let code = "/api/v1/bindings/code";
        let confirm = "/api/v1/bindings";

        // Requesting a code, twice: the same answers for an owner's phone and for any other.
        let mut seen = Vec::new();
        for _ in 0..2 {
            let owner = answer(&s, code, a, json!({"phone": owner_phone})).await;
            let other = answer(&s, code, b, json!({"phone": other_phone})).await;
            assert_eq!(owner, other);
            seen.push(owner);
        }
        assert_eq!((seen[0].0, seen[1].0, seen[1].1), (202, 429, Some(1)), "resend after the minute: {seen:?}");

        // Confirming with wrong codes: 422 five times, then 429, for either phone.
        for _ in 0..6 {
            let owner = answer(&s, confirm, a, json!({"phone": owner_phone, "code": "000000"})).await;
            let other = answer(&s, confirm, b, json!({"phone": other_phone, "code": "000000"})).await;
            assert_eq!(owner, other);
        }
        let last = answer(&s, confirm, a, json!({"phone": owner_phone, "code": "000000"})).await;
        assert_eq!(last.0, 429, "{last:?}");

        // Each account is capped across phones: ten confirmations an hour (refused ones count)...
        let mut statuses = Vec::new();
        for n in 10..14 {
            statuses.push(answer(&s, confirm, a, json!({"phone": phone(n), "code": "000000"})).await.0);
        }
        assert_eq!(statuses, [422, 422, 422, 429]);
        // ...and five code requests an hour.
        let mut statuses = Vec::new();
        for n in 20..24 {
            statuses.push(answer(&s, code, a, json!({"phone": phone(n)})).await.0);
        }
        assert_eq!(statuses, [202, 202, 202, 429]);

        // Each phone is capped across accounts: one code a minute (so the owner got one text in
        // all of this, the other phone none), and twenty confirmations an hour.
        s.create_user("sibling", None, None).await;
        let sibling = s.login("sibling").await;
        assert_eq!(answer(&s, code, &sibling, json!({"phone": owner_phone})).await.0, 429);
        let sms = linli_people::binding::demo_sender();
        assert_eq!((sms.count_to(&owner_phone), sms.count_to(&other_phone)), (1, 0));
        let mut statuses = Vec::new();
        for i in 0..4 {
            let name = format!("helper{i}");
            s.create_user(&name, None, None).await;
            let t = s.login(&name).await;
            for _ in 0..5 {
                statuses.push(answer(&s, confirm, &t, json!({"phone": other_phone, "code": "000000"})).await.0);
            }
        }
        // prober2 made five; three helpers make fifteen more; the fourth helper is refused.
        assert_eq!(statuses[..15], [422; 15]);
        assert_eq!(statuses[15..], [429; 5]);
    }
);

db_test!(
    async fn a_resident_binds_to_the_owners_house_with_the_code_from_the_owners_phone(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let c = Community::with_floors(&s, &admin, 6, "89.47").await;
        let (p, h) = (c.project, c.house);
        // A phone number unique to this test run, since the demo SMS outbox is shared in the process.
        // The SQLite and PostgreSQL variants run at the same time with the same ids.
        let phone = format!("139{}{:07}", u8::from(s.backend() == "postgres"), (h * 7919 + p) % 10_000_000);
        let owner = c.owner(&s, &admin, "陈业主", &phone, "2021-01-01").await;

        // A freshly registered account with no grants at all.
        s.create_user("newcomer", None, None).await;
        let me = s.login("newcomer").await;
        assert_eq!(s.get("/api/v1/bindings", &me).await.body["ownerships"], json!([]));
        assert_problem(&s.get(&format!("/api/v1/houses/{h}"), &me).await, 403, "forbidden");

        let sent = s.post("/api/v1/bindings/code", &me, json!({"phone": phone})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        let code = binding_code_sent_to(&phone);
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
        // Another account cannot take over a bound owner (once the phone's minute has passed).
        s.create_user("intruder", None, None).await;
        let other = s.login("intruder").await;
        minute_passes(&s, &phone).await;
        let sent = s.post("/api/v1/bindings/code", &other, json!({"phone": phone})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        let code2 = binding_code_sent_to(&phone);
        let taken = s.post("/api/v1/bindings", &other, json!({"phone": phone, "code": code2})).await;
        assert_problem(&taken, 409, "person_bound_elsewhere");
    }
);
