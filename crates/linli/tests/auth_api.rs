//! Signing in and out through the real server, on SQLite and PostgreSQL.

mod common;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::json;

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
        let me = s.get("/api/v1/auth/me", &admin).await.body["id"].as_i64().unwrap();
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
