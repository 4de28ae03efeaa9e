//! Tenancy: a user granted project A never sees project B's rows. The list endpoints are read
//! from the server's own OpenAPI document, so a new list without a check here fails this test.

mod common;

use common::TestServer;
use linli_db::db_test;
use reqwest::StatusCode;
use serde_json::Value;

/// What project A's user may see on each paged list, and a record of B to probe by id.
struct World {
    a: i64,
    b: i64,
    user_a: i64,
    user_b: i64,
    equipment_b: i64,
}

/// Checks one list's items; answers the id of a B record to look up, if the list has details.
fn check(path: &str, items: &[Value], w: &World) -> Option<i64> {
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    match path {
        "/api/v1/projects" => {
            assert_eq!(ids, [w.a], "{path}");
            Some(w.b)
        }
        "/api/v1/audit-log" => {
            for i in items {
                assert_eq!(i["project_id"].as_i64(), Some(w.a), "{path}: {i}");
            }
            None
        }
        "/api/v1/equipment" => {
            for i in items {
                assert_eq!(i["project_id"].as_i64(), Some(w.a), "{path}: {i}");
            }
            Some(w.equipment_b)
        }
        "/api/v1/users" => {
            assert!(ids.contains(&w.user_a), "{path}");
            assert!(!ids.contains(&w.user_b), "{path}");
            Some(w.user_b)
        }
        other => panic!("{other} is a list without a scoping check: add one to tests/scoping.rs"),
    }
}

fn paged_lists(doc: &Value) -> Vec<String> {
    let mut lists = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let schema = &ops["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        if !path.contains('{') && schema.as_str().is_some_and(|r| r.starts_with("#/components/schemas/Page_")) {
            lists.push(path.clone());
        }
    }
    lists
}

db_test!(
    async fn every_list_shows_only_granted_projects_and_other_records_are_404(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "项目A").await;
        let b = s.create_project(&admin, "项目B").await;
        let user_a = s.create_user("manager_a", Some("manager"), Some(a)).await;
        let user_b = s.create_user("manager_b", Some("manager"), Some(b)).await;
        // Changes in both projects, so each list has rows on both sides.
        for (p, name) in [(a, "项目A一"), (b, "项目B一")] {
            let r = s
                .call(
                    reqwest::Method::PATCH,
                    &format!("/api/v1/projects/{p}"),
                    Some(&admin),
                    Some(serde_json::json!({"name": name})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        // Equipment on both sides, with the same code: codes are per project.
        let category = s.get("/api/v1/equipment-categories", &admin).await.body[0]["id"].as_i64().unwrap();
        let mut equipment = Vec::new();
        for p in [a, b] {
            let body = serde_json::json!({"project_id": p, "category_id": category, "code": "DT-01", "name": "客梯"});
            let r = s.post("/api/v1/equipment", &admin, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            equipment.push(r.body["id"].as_i64().unwrap());
        }
        let w = World { a, b, user_a, user_b, equipment_b: equipment[1] };
        let token = s.login("manager_a").await;

        let doc = s.call(reqwest::Method::GET, "/api/openapi.json", None, None).await.body;
        let lists = paged_lists(&doc);
        assert!(lists.len() >= 3, "{lists:?}");
        for path in &lists {
            let page = s.get(&format!("{path}?page_size=500"), &token).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            let items = page.body["items"].as_array().unwrap();
            assert!(!items.is_empty(), "{path} shows project A's user nothing; the check would prove nothing");
            // The admin sees more than A's user on every list: B's rows exist.
            let all = s.get(&format!("{path}?page_size=500"), &admin).await;
            assert!(all.body["total"].as_u64() > page.body["total"].as_u64(), "{path}: no rows of B to hide");
            if let Some(b_id) = check(path, items, &w) {
                let detail = s.get(&format!("{path}/{b_id}"), &token).await;
                common::assert_problem(&detail, 404, "not_found");
            }
        }
        // Filtering for B explicitly does not get around the scope.
        let sneaky = s.get(&format!("/api/v1/audit-log?project_id={b}"), &token).await;
        assert_eq!(sneaky.body["total"], 0);
    }
);
