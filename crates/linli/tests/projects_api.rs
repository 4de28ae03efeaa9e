//! Projects, users, grants and the audit log through the API.

mod common;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::json;

db_test!(
    async fn bad_input_answers_problems_with_field_codes_never_500(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let blank = s.post("/api/v1/projects", &admin, json!({"name": "  ", "kind": "residential"})).await;
        assert_problem(&blank, 422, "validation_failed");
        assert_eq!(blank.body["errors"][0], json!({"field": "name", "code": "required"}));

        let missing = s.post("/api/v1/projects", &admin, json!({"kind": "residential"})).await;
        assert_problem(&missing, 422, "validation_failed");
        assert_eq!(missing.body["errors"][0]["field"], "name");

        let bad_kind = s.post("/api/v1/projects", &admin, json!({"name": "x", "kind": "castle"})).await;
        assert_problem(&bad_kind, 422, "validation_failed");
        assert_eq!(bad_kind.body["errors"][0]["field"], "kind");

        let broken = s
            .http
            .post(s.url("/api/v1/projects"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"name\":")
            .send()
            .await
            .unwrap();
        assert_eq!(broken.status(), StatusCode::BAD_REQUEST);

        // A page far past the end is an empty page; beyond the document's bounds it is refused.
        let far = s.get("/api/v1/projects?page=10000000&page_size=500", &admin).await;
        assert_eq!(far.status, StatusCode::OK, "{}", far.body);
        assert_eq!(far.body["items"], json!([]));
        for q in [format!("page={}", u64::MAX), "page=0".into(), "page_size=501".into(), "page_size=0".into()] {
            let out = s.get(&format!("/api/v1/projects?{q}"), &admin).await;
            assert_problem(&out, 422, "validation_failed");
            assert_eq!(out.body["errors"][0]["code"], "out_of_range", "{q}");
        }
        let bad_page = s.get("/api/v1/projects?page=abc", &admin).await;
        assert_problem(&bad_page, 422, "validation_failed");
        assert_eq!(bad_page.body["errors"][0]["field"], "page");

        s.create_project(&admin, "翠湖花园").await;
        let dup = s.post("/api/v1/projects", &admin, json!({"name": "翠湖花园", "kind": "office"})).await;
        assert_problem(&dup, 409, "project_name_taken");

        assert_problem(&s.get("/api/v1/projects/999999", &admin).await, 404, "not_found");
        assert_problem(&s.get("/api/v1/no-such-thing", &admin).await, 404, "not_found");
        let wrong_method = s.call(Method::DELETE, "/api/v1/projects", Some(&admin), None).await;
        assert_problem(&wrong_method, 405, "method_not_allowed");
    }
);

db_test!(
    async fn every_change_is_audited_with_before_and_after(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let id = s.create_project(&admin, "旧名").await;
        let patched =
            s.call(Method::PATCH, &format!("/api/v1/projects/{id}"), Some(&admin), Some(json!({"name": "新名"}))).await;
        assert_eq!(patched.status, StatusCode::OK);
        assert_eq!(patched.body["name"], "新名");

        let log = s.get(&format!("/api/v1/audit-log?entity=project&entity_id={id}"), &admin).await;
        assert_eq!(log.status, StatusCode::OK);
        let items = log.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{}", log.body);
        assert_eq!(items[0]["action"], "property.project.updated");
        assert_eq!(items[0]["before"]["name"], "旧名");
        assert_eq!(items[0]["after"]["name"], "新名");
        assert_eq!(items[0]["actor_name"], "admin");
        assert_eq!(items[0]["project_id"], id);
        assert_eq!(items[1]["action"], "property.project.created");
    }
);

db_test!(
    async fn admins_manage_users_and_grants_and_others_may_not(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let created = s
            .post(
                "/api/v1/users",
                &admin,
                json!({"username": "13800000001", "display_name": "张三", "password": "zhangsan-pw"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let uid = created.id();
        let dup = s
            .post(
                "/api/v1/users",
                &admin,
                json!({"username": "13800000001", "display_name": "重复", "password": "zhangsan-pw"}),
            )
            .await;
        assert_problem(&dup, 409, "username_taken");
        let weak = s
            .post("/api/v1/users", &admin, json!({"username": "weak", "display_name": "弱", "password": "short"}))
            .await;
        assert_problem(&weak, 422, "validation_failed");

        let g = s
            .post(&format!("/api/v1/users/{uid}/grants"), &admin, json!({"project_id": p, "role": "technician"}))
            .await;
        assert_eq!(g.status, StatusCode::CREATED, "{}", g.body);
        assert_eq!(g.body["project_name"], "翠湖花园");
        let again = s
            .post(&format!("/api/v1/users/{uid}/grants"), &admin, json!({"project_id": p, "role": "technician"}))
            .await;
        assert_problem(&again, 409, "grant_exists");
        let bad_role =
            s.post(&format!("/api/v1/users/{uid}/grants"), &admin, json!({"project_id": p, "role": "king"})).await;
        assert_problem(&bad_role, 422, "validation_failed");

        // The technician signs in by phone number, sees the project, and may not manage users.
        let login = s
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "13800000001", "password": "zhangsan-pw"})),
            )
            .await;
        let tech = login.body["token"].as_str().unwrap().to_string();
        assert_eq!(login.body["user"]["projects"][0]["id"], p);
        let denied = s
            .post("/api/v1/users", &tech, json!({"username": "x1234", "display_name": "x", "password": "password-1"}))
            .await;
        assert_problem(&denied, 403, "forbidden");

        // A new password ends the old sessions.
        let reset = s.post(&format!("/api/v1/users/{uid}/password"), &admin, json!({"password": "another-pw"})).await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT);
        assert_problem(&s.get("/api/v1/auth/me", &tech).await, 401, "unauthenticated");

        let grant_id = g.id();
        let del = s.call(Method::DELETE, &format!("/api/v1/users/{uid}/grants/{grant_id}"), Some(&admin), None).await;
        assert_eq!(del.status, StatusCode::NO_CONTENT);
        assert_eq!(s.get(&format!("/api/v1/users/{uid}/grants"), &admin).await.body, json!([]));

        let roles = s.get("/api/v1/roles", &admin).await;
        let codes: Vec<_> =
            roles.body.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect();
        assert_eq!(codes, ["admin", "manager", "cashier", "service_desk", "technician", "guard", "resident"]);
    }
);
