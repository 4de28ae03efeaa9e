//! Projects' structure through the API: buildings, units, houses, the tree and the stats.

mod common;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn building(s: &TestServer, token: &str, project: i64, name: &str) -> i64 {
    let a = s
        .post(
            "/api/v1/buildings",
            token,
            json!({"project_id": project, "name": name, "floors_above": 18, "floors_below": 1, "elevator_count": 2}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.id()
}

async fn unit(s: &TestServer, token: &str, building: i64, name: &str) -> i64 {
    let a = s.post("/api/v1/units", token, json!({"building_id": building, "name": name})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.id()
}

async fn house(s: &TestServer, token: &str, body: Value) -> reqwest::StatusCode {
    s.post("/api/v1/houses", token, body).await.status
}

db_test!(
    async fn a_project_gets_buildings_units_and_houses_with_checked_areas_and_numbers(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let created = s
        .post("/api/v1/projects", &admin, json!({"name": "翠湖花园", "kind": "residential", "address": "杭州市西湖区翠湖路1号", "land_area": "52000.5", "building_area": "168000", "contact_phone": "0571-88880000"}))
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["land_area"], "52000.50");
        assert_eq!(created.body["building_area"], "168000.00");
        assert_eq!(created.body["time_zone"], "Asia/Shanghai");
        let p = created.id();

        let b1 = building(&s, &admin, p, "1栋").await;
        let b2 = building(&s, &admin, p, "2栋").await;
        let dup_building = s.post("/api/v1/buildings", &admin, json!({"project_id": p, "name": "1栋"})).await;
        assert_problem(&dup_building, 409, "building_name_taken");
        let u1 = unit(&s, &admin, b1, "1单元").await;
        let u2 = unit(&s, &admin, b2, "1单元").await;

        let h = s.post("/api/v1/houses", &admin, json!({"building_id": b1, "unit_id": u1, "number": "301", "floor": 3, "layout": "3室2厅", "gross_area": "89.47", "inner_area": "72.10", "orientation": "南北"})).await;
        assert_eq!(h.status, StatusCode::CREATED, "{}", h.body);
        assert_eq!(h.body["gross_area"], "89.47");
        assert_eq!(h.body["inner_area"], "72.10");
        assert_eq!(h.body["building_name"], "1栋");
        assert_eq!(h.body["unit_name"], "1单元");
        assert_eq!(h.body["state"], "vacant");
        let house_id = h.id();

        // Area 0 and -1 are field errors; so is a floor the building does not have.
        for bad in [json!("0"), json!("-1"), json!("0.00")] {
            let a = s
                .post(
                    "/api/v1/houses",
                    &admin,
                    json!({"building_id": b1, "unit_id": u1, "number": "302", "floor": 3, "gross_area": bad}),
                )
                .await;
            assert_problem(&a, 422, "validation_failed");
            assert_eq!(a.body["errors"][0], json!({"field": "gross_area", "code": "must_be_positive"}));
        }
        // Decimals are texts, as the document says: a JSON number is refused, not read.
        for number in [json!(90), json!(89.47)] {
            let a = s
                .post(
                    "/api/v1/houses",
                    &admin,
                    json!({"building_id": b1, "unit_id": u1, "number": "302", "floor": 3, "gross_area": number}),
                )
                .await;
            assert_problem(&a, 422, "validation_failed");
            assert_eq!(a.body["errors"][0], json!({"field": "gross_area", "code": "invalid"}));
        }
        let high = s
            .post(
                "/api/v1/houses",
                &admin,
                json!({"building_id": b1, "unit_id": u1, "number": "9901", "floor": 99, "gross_area": "90"}),
            )
            .await;
        assert_eq!(high.body["errors"][0], json!({"field": "floor", "code": "not_in_building"}));
        // The same number in the same unit is a conflict; in another building it is fine.
        let dup = s
            .post(
                "/api/v1/houses",
                &admin,
                json!({"building_id": b1, "unit_id": u1, "number": "301", "floor": 3, "gross_area": "90"}),
            )
            .await;
        assert_problem(&dup, 409, "house_number_taken");
        assert_eq!(house(&s, &admin, json!({"building_id": b2, "unit_id": u2, "number": "301", "floor": 3, "gross_area": "90", "state": "occupied"})).await, StatusCode::CREATED);
        assert_eq!(house(&s, &admin, json!({"building_id": b2, "unit_id": u2, "number": "302", "floor": 3, "gross_area": "90", "state": "occupied"})).await, StatusCode::CREATED);
        // A unit of another building is refused.
        let wrong_unit = s
            .post(
                "/api/v1/houses",
                &admin,
                json!({"building_id": b1, "unit_id": u2, "number": "401", "floor": 4, "gross_area": "90"}),
            )
            .await;
        assert_eq!(wrong_unit.body["errors"][0], json!({"field": "unit_id", "code": "not_in_building"}));

        let by_building = s.get(&format!("/api/v1/houses?building_id={b2}"), &admin).await;
        assert_eq!(by_building.body["total"], 2);
        let occupied = s.get(&format!("/api/v1/houses?project_id={p}&state=occupied"), &admin).await;
        assert_eq!(occupied.body["total"], 2);
        let vacant_b1 = s.get(&format!("/api/v1/houses?building_id={b1}&state=vacant"), &admin).await;
        assert_eq!(vacant_b1.body["items"][0]["id"], house_id);
        assert_problem(&s.get("/api/v1/houses?state=haunted", &admin).await, 422, "validation_failed");

        let patched = s
            .call(
                Method::PATCH,
                &format!("/api/v1/houses/{house_id}"),
                Some(&admin),
                Some(json!({"state": "under_renovation", "gross_area": "90.10"})),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        assert_eq!(patched.body["gross_area"], "90.10");
        assert_eq!(patched.body["state"], "under_renovation");

        let tree = s.get(&format!("/api/v1/projects/{p}/structure"), &admin).await;
        assert_eq!(tree.status, StatusCode::OK);
        assert_eq!(tree.body[0]["building"]["name"], "1栋");
        assert_eq!(tree.body[0]["house_count"], 1);
        assert_eq!(tree.body[1]["units"][0]["house_count"], 2);
        let stats = s.get(&format!("/api/v1/projects/{p}/stats"), &admin).await;
        assert_eq!(stats.body["houses"], 3);
        assert_eq!(stats.body["occupied"], 2);
        assert_eq!(stats.body["buildings"], 2);

        // A building with houses cannot be deleted; an empty one can.
        let refused = s.call(Method::DELETE, &format!("/api/v1/buildings/{b1}"), Some(&admin), None).await;
        assert_problem(&refused, 409, "still_referenced");
        assert_eq!(refused.body["referenced_by"], json!(["house", "unit"]), "{}", refused.body);
        let b3 = building(&s, &admin, p, "3栋").await;
        // The stats read above are not served again after a change.
        assert_eq!(s.get(&format!("/api/v1/projects/{p}/stats"), &admin).await.body["buildings"], 3);
        assert_eq!(
            s.call(Method::DELETE, &format!("/api/v1/buildings/{b3}"), Some(&admin), None).await.status,
            StatusCode::NO_CONTENT
        );
    }
);

db_test!(
    async fn a_cashier_reads_houses_but_cannot_change_them(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let b = building(&s, &admin, p, "1栋").await;
        s.create_user("cashier1", Some("cashier"), Some(p)).await;
        let cashier = s.login("cashier1").await;
        assert_eq!(s.get(&format!("/api/v1/buildings/{b}"), &cashier).await.status, StatusCode::OK);
        let denied = s.post("/api/v1/buildings", &cashier, json!({"project_id": p, "name": "9栋"})).await;
        assert_problem(&denied, 403, "forbidden");
        let denied_house = s
            .post(
                "/api/v1/houses",
                &cashier,
                json!({"building_id": b, "number": "101", "floor": 1, "gross_area": "50"}),
            )
            .await;
        assert_problem(&denied_house, 403, "forbidden");
    }
);

async fn labels_found(s: &TestServer, token: &str, project: i64, q: &str) -> Vec<String> {
    let q = urlencoding(q);
    let a = s.get(&format!("/api/v1/houses?project_id={project}&page_size=100&q={q}"), token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let mut labels: Vec<String> = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}{}{}",
                h["building_name"].as_str().unwrap(),
                h["unit_name"].as_str().unwrap_or(""),
                h["number"].as_str().unwrap()
            )
        })
        .collect();
    labels.sort();
    labels
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

db_test!(
    async fn houses_are_found_by_the_label_the_console_shows_and_wildcards_match_literally(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.post("/api/v1/projects", &admin, json!({"name": "翠湖_花园", "kind": "residential"})).await.id();
        let other = s.post("/api/v1/projects", &admin, json!({"name": "翠湖x花园", "kind": "residential"})).await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
        let b1 = building(&s, &admin, p, "1栋").await;
        let b2 = building(&s, &admin, p, "2栋").await;
        let u1 = unit(&s, &admin, b1, "1单元").await;
        let u2 = unit(&s, &admin, b1, "2单元").await;
        for (unit, number) in [(Some(u1), "702"), (Some(u2), "702"), (Some(u1), "1702"), (Some(u1), "701")] {
            let body = json!({"building_id": b1, "unit_id": unit, "number": number, "floor": 7, "gross_area": "90"});
            assert_eq!(house(&s, &admin, body).await, StatusCode::CREATED);
        }
        assert_eq!(
            house(&s, &admin, json!({"building_id": b2, "number": "702", "floor": 7, "gross_area": "90"})).await,
            StatusCode::CREATED
        );

        assert_eq!(labels_found(&s, &admin, p, "1栋1单元702").await, ["1栋1单元702"]);
        assert_eq!(labels_found(&s, &admin, p, "1栋1单元70").await, ["1栋1单元701", "1栋1单元702"]);
        assert_eq!(labels_found(&s, &admin, p, "1栋 2单元 702").await, ["1栋2单元702"]);
        assert_eq!(labels_found(&s, &admin, p, "2栋702").await, ["2栋702"]);
        // "1栋702" is how a house of 1栋 is named without its unit.
        assert_eq!(labels_found(&s, &admin, p, "1栋702").await, ["1栋1单元702", "1栋2单元702"]);
        assert_eq!(labels_found(&s, &admin, p, "1-1-702").await, ["1栋1单元702"]);
        assert_eq!(labels_found(&s, &admin, p, "2-702").await, ["2栋702"]);
        assert_eq!(labels_found(&s, &admin, p, "702").await.len(), 4);
        assert_eq!(labels_found(&s, &admin, p, "7%2").await, Vec::<String>::new());
        assert_eq!(labels_found(&s, &admin, p, "%").await, Vec::<String>::new());
        assert_eq!(labels_found(&s, &admin, p, "_").await, Vec::<String>::new());

        // The search follows a renamed building and forgets a deleted house.
        let renamed = patch(&s, &admin, &format!("/api/v1/buildings/{b2}"), json!({"name": "二栋"})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!(labels_found(&s, &admin, p, "二栋702").await, ["二栋702"]);
        assert_eq!(labels_found(&s, &admin, p, "2栋702").await, Vec::<String>::new());
        let gone = labels_found(&s, &admin, p, "1栋1单元1702").await;
        assert_eq!(gone, ["1栋1单元1702"]);
        let houses = s.get(&format!("/api/v1/houses?project_id={p}&q=1702"), &admin).await.body;
        let id = houses["items"][0]["id"].as_i64().unwrap();
        let deleted = s.call(Method::DELETE, &format!("/api/v1/houses/{id}"), Some(&admin), None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        assert_eq!(labels_found(&s, &admin, p, "1702").await, Vec::<String>::new());
        let left = s.db.search_grams("house").await;
        let grams: usize = ["1栋1单元702", "1栋2单元702", "1栋1单元701", "二栋702"]
            .iter()
            .map(|l| {
                let (b, rest) = l.split_once('栋').unwrap();
                let b = format!("{b}栋");
                match rest.split_once("单元") {
                    Some((u, n)) => linli_core::grams::of_house(&b, Some(&format!("{u}单元")), n).len(),
                    None => linli_core::grams::of_house(&b, None, rest).len(),
                }
            })
            .sum();
        assert_eq!(left as usize, grams, "each house keeps exactly its label's grams");
        // A renamed unit and a renumbered house are found by what they are now.
        let renamed = patch(&s, &admin, &format!("/api/v1/units/{u1}"), json!({"name": "甲单元"})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!(labels_found(&s, &admin, p, "甲单元702").await, ["1栋甲单元702"]);
        assert_eq!(labels_found(&s, &admin, p, "1栋1单元702").await, Vec::<String>::new());
        let houses = s.get(&format!("/api/v1/houses?project_id={p}&q=701"), &admin).await.body;
        let id = houses["items"][0]["id"].as_i64().unwrap();
        let renumbered = patch(&s, &admin, &format!("/api/v1/houses/{id}"), json!({"number": "709"})).await;
        assert_eq!(renumbered.status, StatusCode::OK, "{}", renumbered.body);
        assert_eq!(labels_found(&s, &admin, p, "709").await, ["1栋甲单元709"]);
        assert_eq!(labels_found(&s, &admin, p, "701").await, Vec::<String>::new());

        // The same escaping in every `q=` filter: `_` and `%` are characters, not wildcards.
        let names = |a: &common::Answer| -> Vec<String> {
            a.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(names(&s.get("/api/v1/projects?q=_", &admin).await), ["翠湖_花园"]);
        assert_eq!(names(&s.get("/api/v1/projects?q=%25", &admin).await), Vec::<String>::new());
        assert_eq!(names(&s.get("/api/v1/projects?q=%5C", &admin).await), Vec::<String>::new());
        assert_eq!(s.get("/api/v1/users?q=%25", &admin).await.body["total"], 0);
    }
);

async fn patch(s: &TestServer, token: &str, path: &str, body: Value) -> common::Answer {
    s.call(Method::PATCH, path, Some(token), Some(body)).await
}

/// `{"<field>": null}`.
fn null(field: &str) -> Value {
    Value::Object([(field.to_string(), Value::Null)].into_iter().collect())
}

/// A required field has nothing to clear to: `null` is refused naming it, and nothing changes.
async fn null_is_refused(s: &TestServer, token: &str, path: &str, fields: &[&str]) {
    let before = s.get(path, token).await.body;
    for field in fields {
        let a = patch(s, token, path, null(field)).await;
        assert_problem(&a, 422, "validation_failed");
        assert_eq!(a.body["errors"], json!([{"field": field, "code": "invalid"}]), "{field}");
    }
    assert_eq!(s.get(path, token).await.body, before);
}

db_test!(
    async fn a_house_patch_keeps_what_it_leaves_out_sets_values_and_clears_with_null(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let b = building(&s, &admin, p, "1栋").await;
        let u = unit(&s, &admin, b, "1单元").await;
        let h = s.post("/api/v1/houses", &admin, json!({"building_id": b, "unit_id": u, "number": "301", "floor": 3, "layout": "3室2厅", "gross_area": "89.47", "inner_area": "72.10", "orientation": "南北"})).await;
        assert_eq!(h.status, StatusCode::CREATED, "{}", h.body);
        let house = format!("/api/v1/houses/{}", h.body["id"]);

        let set = patch(&s, &admin, &house, json!({"layout": "2室1厅", "inner_area": "70.5"})).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert_eq!((set.body["layout"].as_str(), set.body["inner_area"].as_str()), (Some("2室1厅"), Some("70.50")));
        // Left out: kept.
        assert_eq!((set.body["orientation"].as_str(), set.body["number"].as_str()), (Some("南北"), Some("301")));
        assert_eq!((set.body["gross_area"].as_str(), set.body["floor"].as_i64()), (Some("89.47"), Some(3)));

        let cleared = patch(&s, &admin, &house, json!({"inner_area": null, "orientation": null})).await;
        assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
        assert_eq!((&cleared.body["inner_area"], &cleared.body["orientation"]), (&Value::Null, &Value::Null));
        assert_eq!(cleared.body["layout"], "2室1厅");
        assert_eq!(patch(&s, &admin, &house, null("layout")).await.body["layout"], Value::Null);
        let stored = s.get(&house, &admin).await.body;
        assert_eq!(
            (&stored["layout"], &stored["inner_area"], &stored["orientation"]),
            (&Value::Null, &Value::Null, &Value::Null)
        );
        assert_eq!(stored["gross_area"], "89.47");

        null_is_refused(&s, &admin, &house, &["number", "floor", "gross_area", "usage", "state"]).await;
    }
);

db_test!(
    async fn building_and_unit_patches_keep_what_they_leave_out_and_refuse_null(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let b = building(&s, &admin, p, "1栋").await;
        let u = unit(&s, &admin, b, "1单元").await;

        // A building has no optional field: every field is kept or set, none cleared.
        let building = format!("/api/v1/buildings/{b}");
        let set = patch(&s, &admin, &building, json!({"name": "1号楼", "elevator_count": 4})).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert_eq!((set.body["name"].as_str(), set.body["elevator_count"].as_i64()), (Some("1号楼"), Some(4)));
        assert_eq!((set.body["floors_above"].as_i64(), set.body["floors_below"].as_i64()), (Some(18), Some(1)));
        assert_eq!(set.body["kind"], "residential");
        null_is_refused(&s, &admin, &building, &["name", "floors_above", "floors_below", "elevator_count", "kind"])
            .await;

        // A unit has its name only: left out, it is kept.
        let unit = format!("/api/v1/units/{u}");
        let kept = patch(&s, &admin, &unit, json!({})).await;
        assert_eq!((kept.status, kept.body["name"].as_str()), (StatusCode::OK, Some("1单元")), "{}", kept.body);
        let renamed = patch(&s, &admin, &unit, json!({"name": "一单元"})).await;
        assert_eq!(renamed.body["name"], "一单元", "{}", renamed.body);
        let a = patch(&s, &admin, &unit, null("name")).await;
        assert_problem(&a, 422, "validation_failed");
        assert_eq!(a.body["errors"], json!([{"field": "name", "code": "invalid"}]));
        let units = s.get(&format!("/api/v1/units?building_id={b}"), &admin).await;
        assert_eq!(units.body["items"][0]["name"], "一单元", "{}", units.body);
    }
);
