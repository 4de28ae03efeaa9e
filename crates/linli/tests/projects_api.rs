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

async fn patch(s: &TestServer, token: &str, path: &str, body: serde_json::Value) -> common::Answer {
    s.call(Method::PATCH, path, Some(token), Some(body)).await
}

/// `{"<field>": null}`.
fn null(field: &str) -> serde_json::Value {
    serde_json::Value::Object([(field.to_string(), serde_json::Value::Null)].into_iter().collect())
}

db_test!(
    async fn a_project_patch_keeps_what_it_leaves_out_sets_values_and_clears_with_null(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let created = s
            .post("/api/v1/projects", &admin, json!({"name": "翠湖花园", "kind": "residential", "address": "翠湖路1号", "land_area": "52000.5", "building_area": "168000", "contact_name": "王经理", "contact_phone": "0571-88880000"}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let project = format!("/api/v1/projects/{}", created.body["id"]);

        let set = patch(&s, &admin, &project, json!({"contact_name": "李经理", "land_area": "52001"})).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert_eq!(
            (set.body["contact_name"].as_str(), set.body["land_area"].as_str()),
            (Some("李经理"), Some("52001.00"))
        );
        // Left out: kept.
        assert_eq!(
            (set.body["address"].as_str(), set.body["building_area"].as_str()),
            (Some("翠湖路1号"), Some("168000.00"))
        );
        assert_eq!(
            (set.body["name"].as_str(), set.body["time_zone"].as_str()),
            (Some("翠湖花园"), Some("Asia/Shanghai"))
        );

        let cleared = patch(
            &s,
            &admin,
            &project,
            json!({"address": null, "land_area": null, "building_area": null, "contact_phone": null}),
        )
        .await;
        assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
        for field in ["address", "land_area", "building_area", "contact_phone"] {
            assert_eq!(cleared.body[field], serde_json::Value::Null, "{field}");
        }
        assert_eq!(cleared.body["contact_name"], "李经理");
        // An empty text clears too, as it always has.
        assert_eq!(
            patch(&s, &admin, &project, json!({"contact_name": ""})).await.body["contact_name"],
            serde_json::Value::Null
        );
        let stored = s.get(&project, &admin).await.body;
        assert_eq!(
            (&stored["address"], &stored["land_area"], &stored["contact_name"]),
            (&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::Value::Null)
        );

        // A required field has nothing to clear to: null is refused naming it.
        for field in ["name", "kind", "time_zone"] {
            let a = patch(&s, &admin, &project, null(field)).await;
            assert_problem(&a, 422, "validation_failed");
            assert_eq!(a.body["errors"], json!([{"field": field, "code": "invalid"}]), "{field}");
        }
        assert_eq!(s.get(&project, &admin).await.body, stored);
    }
);

db_test!(
    async fn a_user_patch_removes_the_phone_with_null(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let created = s
            .post("/api/v1/users", &admin, json!({"username": "zhangsan", "display_name": "张三", "phone": "13800000001", "password": "zhangsan-pw"}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let user = format!("/api/v1/users/{}", created.body["id"]);
        let renamed = patch(&s, &admin, &user, json!({"display_name": "张三丰"})).await;
        assert_eq!(
            (renamed.body["display_name"].as_str(), renamed.body["phone"].as_str()),
            (Some("张三丰"), Some("13800000001")),
            "{}",
            renamed.body
        );
        let removed = patch(&s, &admin, &user, null("phone")).await;
        assert_eq!(
            (removed.status, &removed.body["phone"]),
            (StatusCode::OK, &serde_json::Value::Null),
            "{}",
            removed.body
        );
        assert_eq!(patch(&s, &admin, &user, json!({"phone": "13800000002"})).await.body["phone"], "13800000002");
        assert_eq!(patch(&s, &admin, &user, json!({"phone": ""})).await.body["phone"], serde_json::Value::Null);
        let a = patch(&s, &admin, &user, null("display_name")).await;
        assert_problem(&a, 422, "validation_failed");
        assert_eq!(a.body["errors"], json!([{"field": "display_name", "code": "invalid"}]));
    }
);
