//! Signing in and out through the real server, on SQLite and PostgreSQL.

mod common;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

db_test!(
    async fn healthz_names_the_backend(db: TestDb) {
        let s = TestServer::start(db).await;
        let a = s.call(Method::GET, "/healthz", None, None).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.body["status"], "ok");
        assert_eq!(a.body["database"], s.backend());
    }
);

db_test!(
    async fn login_me_and_logout_with_a_bearer_token(db: TestDb) {
        let s = TestServer::start(db).await;
        let token = s.login("admin").await;
        let me = s.get("/api/v1/auth/me", &token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["username"], "admin");
        assert_eq!(me.body["grants"][0]["role"], "admin");
        assert!(me.body["permissions"].as_array().unwrap().iter().any(|p| p == "auth.user.manage"));

        let anonymous = s.call(Method::GET, "/api/v1/auth/me", None, None).await;
        assert_problem(&anonymous, 401, "unauthenticated");
        let forged = s.get("/api/v1/auth/me", "not-a-token").await;
        assert_problem(&forged, 401, "unauthenticated");

        let out = s.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_problem(&s.get("/api/v1/auth/me", &token).await, 401, "unauthenticated");
    }
);

db_test!(
    async fn six_wrong_passwords_in_a_row_answer_429_with_retry_after(db: TestDb) {
        let s = TestServer::start(db).await;
        for _ in 0..5 {
            let a = s
                .call(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({"username": "admin", "password": "wrong-password"})),
                )
                .await;
            assert_problem(&a, 401, "invalid_credentials");
        }
        let sixth = s
            .http
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = sixth.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 800 && retry <= 900, "retry-after {retry}");
        // Even the right password waits for the window: the throttle is checked first.
        let right = s
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "admin", "password": common::ADMIN_PASSWORD})),
            )
            .await;
        assert_problem(&right, 429, "too_many_attempts");
        // Another username is not affected.
        s.create_user("other", None, None).await;
        s.login("other").await;
    }
);

db_test!(
    async fn an_unknown_user_and_a_disabled_user_cannot_sign_in(db: TestDb) {
        let s = TestServer::start(db).await;
        let unknown = s
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "nobody", "password": "whatever-1"})),
            )
            .await;
        assert_problem(&unknown, 401, "invalid_credentials");

        let id = s.create_user("leaver", Some("cashier"), None).await;
        let leaver = s.login("leaver").await;
        let admin = s.login("admin").await;
        let off = s.post(&format!("/api/v1/users/{id}/disable"), &admin, json!({})).await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        assert_eq!(off.body["disabled"], true);
        // Disabling ends the sessions the user had.
        assert_problem(&s.get("/api/v1/auth/me", &leaver).await, 401, "unauthenticated");
        let again = s
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "leaver", "password": common::password_of("leaver")})),
            )
            .await;
        assert_problem(&again, 403, "account_disabled");
        // Nobody disables themselves by accident.
        let me = s.get("/api/v1/auth/me", &admin).await.id();
        assert_problem(
            &s.post(&format!("/api/v1/users/{me}/disable"), &admin, json!({})).await,
            409,
            "cannot_disable_self",
        );
    }
);

db_test!(
    async fn cookie_sessions_need_the_csrf_token_for_writes(db: TestDb) {
        let s = TestServer::start(db).await;
        let browser = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let login = browser
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        let cookies: Vec<String> =
            login.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        let session = cookies.iter().find(|c| c.starts_with("linli_session=")).unwrap();
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
        let csrf = login.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();

        // Reads work with the cookie alone.
        assert_eq!(browser.get(s.url("/api/v1/auth/me")).send().await.unwrap().status(), StatusCode::OK);
        // A write without the header is refused, as a cross-site form post would be.
        let no_header = browser
            .post(s.url("/api/v1/projects"))
            .json(&json!({"name": "无令牌", "kind": "office"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_header.status(), StatusCode::FORBIDDEN);
        assert_eq!(no_header.json::<serde_json::Value>().await.unwrap()["code"], "csrf_failed");
        let with_header = browser
            .post(s.url("/api/v1/projects"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "有令牌", "kind": "office"}))
            .send()
            .await
            .unwrap();
        assert_eq!(with_header.status(), StatusCode::CREATED);
        let out = browser.post(s.url("/api/v1/auth/logout")).header("x-csrf-token", &csrf).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        assert_eq!(browser.get(s.url("/api/v1/auth/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
);

/// A sign-in as if through a proxy from `source`: status, `Retry-After` and body.
async fn login_from(s: &TestServer, source: &str, username: &str, password: &str) -> (u16, Option<u64>, Value) {
    let res = s
        .http
        .post(s.url("/api/v1/auth/login"))
        .header("x-forwarded-for", source)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

/// The test server behind a trusted proxy (the test client itself, on 127.0.0.1).
async fn behind_proxy(db: linli_db::testing::TestDb) -> TestServer {
    TestServer::start_with(db, |c| c.trusted_proxies = "127.0.0.1".into()).await
}

db_test!(
    async fn an_attacker_cannot_lock_the_admin_out_from_a_source_that_has_not_failed(db: TestDb) {
        let s = behind_proxy(db).await;
        let right = common::ADMIN_PASSWORD;
        // Five wrong passwords from one address: that address is refused for the account,
        // even with the right password, until its window closes.
        for _ in 0..linli_auth::ACCOUNT_SOURCE_MAX {
            assert_eq!(login_from(&s, "203.0.113.9", "admin", "wrong-password").await.0, 401);
        }
        let (status, retry, body) = login_from(&s, "203.0.113.9", "admin", right).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")));
        assert!(retry.is_some_and(|r| r > 800 && r <= 900), "{retry:?}");
        // The office, at another address, signs in.
        assert_eq!(login_from(&s, "198.51.100.7", "admin", right).await.0, 200);

        // The attacker moves on through more addresses until the account has 20 failures: the
        // account is slowed, not locked. Addresses that failed are refused...
        for i in 10..13 {
            for _ in 0..linli_auth::ACCOUNT_SOURCE_MAX {
                assert_eq!(login_from(&s, &format!("203.0.113.{i}"), "admin", "wrong-password").await.0, 401);
            }
        }
        assert_eq!(login_from(&s, "203.0.113.10", "admin", right).await.0, 429);
        // ...while the admin signs in from an address that has not failed, and from the one
        // they used before.
        assert_eq!(login_from(&s, "192.0.2.44", "admin", right).await.0, 200);
        assert_eq!(login_from(&s, "198.51.100.7", "admin", right).await.0, 200);
        // Other accounts are not affected by any of it.
        s.create_user("cashier1", Some("cashier"), None).await;
        assert_eq!(login_from(&s, "192.0.2.50", "cashier1", &common::password_of("cashier1")).await.0, 200);
    }
);

db_test!(
    async fn one_source_spraying_many_accounts_is_refused_for_all_of_them(db: TestDb) {
        let s = behind_proxy(db).await;
        for i in 0..linli_auth::SOURCE_MAX {
            assert_eq!(login_from(&s, "203.0.113.9", &format!("user{i}"), "wrong-password").await.0, 401);
        }
        // The next account from that address is refused before any password is checked.
        let (status, retry, _) = login_from(&s, "203.0.113.9", "admin", common::ADMIN_PASSWORD).await;
        assert_eq!(status, 429);
        assert!(retry.is_some_and(|r| r <= 900));
        assert_eq!(login_from(&s, "198.51.100.7", "admin", common::ADMIN_PASSWORD).await.0, 200);
    }
);

db_test!(
    async fn x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(db: TestDb) {
        let s = TestServer::start(db).await;
        // Claiming a new address per attempt does not escape the limit of the real one.
        for i in 0..linli_auth::ACCOUNT_SOURCE_MAX {
            assert_eq!(login_from(&s, &format!("203.0.113.{i}"), "admin", "wrong-password").await.0, 401);
        }
        assert_eq!(login_from(&s, "198.51.100.7", "admin", common::ADMIN_PASSWORD).await.0, 429);
    }
);

db_test!(
    async fn users_change_their_own_password_and_their_other_sessions_end(db: TestDb) {
        let s = TestServer::start(db).await;
        s.create_user("cashier1", Some("cashier"), None).await;
        let old = common::password_of("cashier1");
        let here = s.login("cashier1").await;
        let elsewhere = s.login("cashier1").await;
        let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

        let wrong = s.post("/api/v1/auth/password", &here, change("not-my-password", "brand-new-pass")).await;
        assert_problem(&wrong, 422, "validation_failed");
        assert_eq!(wrong.body["errors"][0], json!({"field": "current_password", "code": "incorrect"}));
        let short = s.post("/api/v1/auth/password", &here, change(&old, "short")).await;
        assert_eq!(short.body["errors"], json!([{"field": "new_password", "code": "too_short"}]));
        let same = s.post("/api/v1/auth/password", &here, change(&old, &old)).await;
        assert_eq!(same.body["errors"], json!([{"field": "new_password", "code": "same_as_current"}]));

        let done = s.post("/api/v1/auth/password", &here, change(&old, "brand-new-pass")).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        // This session stays, the other one ended; only the new password signs in.
        assert_eq!(s.get("/api/v1/auth/me", &here).await.status, StatusCode::OK);
        assert_problem(&s.get("/api/v1/auth/me", &elsewhere).await, 401, "unauthenticated");
        let with_old = s
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "cashier1", "password": old})))
            .await;
        assert_problem(&with_old, 401, "invalid_credentials");
        let with_new = s
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "cashier1", "password": "brand-new-pass"})),
            )
            .await;
        assert_eq!(with_new.status, StatusCode::OK);

        // Audited, without any password in the row.
        let admin = s.login("admin").await;
        let log = s.get("/api/v1/audit-log?action=auth.user.password_changed", &admin).await.body;
        assert_eq!(log["total"], 1, "{log}");
        assert_eq!(log["items"][0]["actor_name"], "cashier1");
        assert_eq!(log["items"][0]["after"]["other_sessions_ended"], 1);
        assert!(!log.to_string().contains("brand-new-pass"));

        // A stolen session cannot guess the password behind it: five wrong tries, then 429.
        for _ in 0..5 {
            let a = s.post("/api/v1/auth/password", &here, change("guess-guess", "another-pass-1")).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let limited = s.post("/api/v1/auth/password", &here, change("brand-new-pass", "another-pass-1")).await;
        assert_problem(&limited, 429, "too_many_attempts");
        // Without a session there is nothing to change.
        let anonymous =
            s.call(Method::POST, "/api/v1/auth/password", None, Some(change("brand-new-pass", "another-pass-1"))).await;
        assert_problem(&anonymous, 401, "unauthenticated");
    }
);
