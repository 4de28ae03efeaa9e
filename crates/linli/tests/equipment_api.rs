//! The equipment register through the API: items, filters, the maintenance schedule, history,
//! permissions, attachments and QR labels.

mod common;

use std::collections::HashMap;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Category codes to ids, from the seeded tree.
async fn categories(s: &TestServer, token: &str) -> HashMap<String, i64> {
    fn walk(nodes: &Value, out: &mut HashMap<String, i64>) {
        for n in nodes.as_array().unwrap() {
            out.insert(n["code"].as_str().unwrap().to_string(), n["id"].as_i64().unwrap());
            walk(&n["children"], out);
        }
    }
    let tree = s.get("/api/v1/equipment-categories", token).await;
    assert_eq!(tree.status, StatusCode::OK, "{}", tree.body);
    let mut out = HashMap::new();
    walk(&tree.body, &mut out);
    out
}

/// A building row: the buildings API belongs to the property module.
async fn insert_building(s: &TestServer, project: i64, name: &str) -> i64 {
    s.db.insert_building(project, name, 18).await
}

async fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let a = s.post("/api/v1/equipment", token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body
}

async fn patch(s: &TestServer, token: &str, id: i64, body: Value) -> common::Answer {
    s.call(Method::PATCH, &format!("/api/v1/equipment/{id}"), Some(token), Some(body)).await
}

/// The codes a list answers, in order.
async fn codes(s: &TestServer, token: &str, query: &str) -> Vec<String> {
    let a = s.get(&format!("/api/v1/equipment?{query}"), token).await;
    assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.body);
    a.body["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect()
}

fn field_errors(a: &common::Answer) -> Vec<(String, String)> {
    a.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_string(), e["code"].as_str().unwrap().to_string()))
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_string(), code.to_string())
}

db_test!(
    async fn items_are_registered_filtered_updated_and_kept_on_their_maintenance_schedule(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let q = s.create_project(&admin, "云栖科技园").await;
        let building = insert_building(&s, p, "1栋").await;
        let elsewhere = insert_building(&s, q, "A座").await;

        let tree = s.get("/api/v1/equipment-categories", &admin).await.body;
        let roots: Vec<&str> = tree.as_array().unwrap().iter().map(|n| n["name_zh"].as_str().unwrap()).collect();
        assert_eq!(roots, ["电梯", "消防", "给排水", "供配电", "暖通空调", "安防", "其他"]);
        let lifts: Vec<&str> =
            tree[0]["children"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect();
        assert_eq!(lifts, ["passenger", "freight", "escalator"]);
        let cat = categories(&s, &admin).await;

        // Monthly from 01-31 lands on the last day of February.
        let lift = create(
            &s,
            &admin,
            json!({"project_id": p, "category_id": cat["passenger"], "code": "DT-01", "name": "1栋1号客梯",
                   "brand": "青禾电梯", "model": "QH-P1000", "building_id": building, "location": "电梯厅",
                   "purchased_on": "2024-06-01", "purchase_price_fen": 32_000_000,
                   "cycle_unit": "month", "cycle_every": 1, "last_maintained_on": "2025-01-31"}),
        )
        .await;
        let lift_id = lift["id"].as_i64().unwrap();
        assert_eq!(lift["next_maintenance_on"], "2025-02-28");
        assert_eq!(lift["building_name"], "1栋");
        assert_eq!(lift["state"], "running");
        assert_eq!(lift["purchase_price_fen"], 32_000_000);
        // Never maintained: a year after a purchase on 02-29 is 02-28.
        let pump = create(
            &s,
            &admin,
            json!({"project_id": p, "category_id": cat["fire_pump"], "code": "XF-01", "name": "消防主泵",
                   "brand": "安屏消防", "purchased_on": "2024-02-29", "cycle_unit": "year", "cycle_every": 1}),
        )
        .await;
        assert_eq!(pump["next_maintenance_on"], "2025-02-28");
        let hvac = create(
            &s,
            &admin,
            json!({"project_id": p, "category_id": cat["hvac"], "code": "KT-01", "name": "会所空调", "location": "会所"}),
        )
        .await;
        assert_eq!(hvac["next_maintenance_on"], Value::Null);

        let all = format!("project_id={p}");
        assert_eq!(codes(&s, &admin, &all).await, ["DT-01", "KT-01", "XF-01"]);
        assert_eq!(codes(&s, &admin, &format!("{all}&category_id={}", cat["elevator"])).await, ["DT-01"]);
        assert_eq!(codes(&s, &admin, &format!("{all}&category_id={}", cat["fire_protection"])).await, ["XF-01"]);
        assert_eq!(codes(&s, &admin, &format!("{all}&due_before=2025-02-28")).await, ["DT-01", "XF-01"]);
        assert!(codes(&s, &admin, &format!("{all}&due_before=2025-02-27")).await.is_empty());
        assert_eq!(codes(&s, &admin, &format!("{all}&building_id={building}")).await, ["DT-01"]);
        assert_eq!(codes(&s, &admin, &format!("{all}&q=%E9%9D%92%E7%A6%BE")).await, ["DT-01"]); // 青禾
        assert_eq!(codes(&s, &admin, &format!("{all}&q=QH-P")).await, ["DT-01"]);
        assert_eq!(codes(&s, &admin, &format!("{all}&q=XF")).await, ["XF-01"]);
        assert_eq!(codes(&s, &admin, &format!("{all}&state=running")).await.len(), 3);
        let paged = s.get(&format!("/api/v1/equipment?{all}&page=2&page_size=2"), &admin).await.body;
        assert_eq!((paged["total"].as_u64(), paged["items"].as_array().unwrap().len()), (Some(3), 1));
        assert_problem(&s.get("/api/v1/equipment?due_before=tomorrow", &admin).await, 422, "validation_failed");

        // A patch changes what it names; null clears; the schedule follows the cycle.
        let faulty = patch(&s, &admin, lift_id, json!({"state": "faulty", "brand": null})).await;
        assert_eq!(faulty.status, StatusCode::OK, "{}", faulty.body);
        assert_eq!((&faulty.body["state"], &faulty.body["brand"]), (&json!("faulty"), &Value::Null));
        assert_eq!(faulty.body["model"], "QH-P1000");
        assert_eq!(faulty.body["next_maintenance_on"], "2025-02-28");
        assert_eq!(codes(&s, &admin, &format!("{all}&state=faulty")).await, ["DT-01"]);
        let fortnightly = patch(&s, &admin, lift_id, json!({"cycle_unit": "week", "cycle_every": 2})).await;
        assert_eq!(fortnightly.body["next_maintenance_on"], "2025-02-14");
        let retired = patch(&s, &admin, hvac["id"].as_i64().unwrap(), json!({"state": "retired"})).await;
        assert_eq!(retired.body["state"], "retired");

        // Field errors, all at once.
        let half_cycle = s
            .post(
                "/api/v1/equipment",
                &admin,
                json!({"project_id": p, "category_id": cat["camera"], "code": "AF 01", "name": "东门摄像机",
                       "cycle_unit": "month", "purchase_price_fen": -5}),
            )
            .await;
        assert_problem(&half_cycle, 422, "validation_failed");
        assert_eq!(
            field_errors(&half_cycle),
            [
                pair("code", "invalid"),
                pair("purchase_price_fen", "must_not_be_negative"),
                pair("cycle_every", "conditionally_required")
            ]
        );
        let foreign_building = s
            .post(
                "/api/v1/equipment",
                &admin,
                json!({"project_id": p, "category_id": cat["camera"], "code": "AF-01", "name": "东门摄像机",
                       "building_id": elsewhere}),
            )
            .await;
        assert_problem(&foreign_building, 422, "validation_failed");
        assert_eq!(field_errors(&foreign_building), [pair("building_id", "not_in_project")]);
        let unknown_category = s
            .post(
                "/api/v1/equipment",
                &admin,
                json!({"project_id": p, "category_id": 999_999, "code": "X", "name": "x"}),
            )
            .await;
        assert_eq!(field_errors(&unknown_category), [pair("category_id", "not_found")]);
        let no_name = s
            .post("/api/v1/equipment", &admin, json!({"project_id": p, "category_id": cat["other"], "code": "X"}))
            .await;
        assert_eq!(field_errors(&no_name), [pair("name", "required")]);
        let bad_state = s
            .post(
                "/api/v1/equipment",
                &admin,
                json!({"project_id": p, "category_id": cat["other"], "code": "X", "name": "x", "state": "broken"}),
            )
            .await;
        assert_eq!(field_errors(&bad_state), [pair("state", "invalid")]);
        let warranty = patch(&s, &admin, lift_id, json!({"warranty_until": "2024-05-31"})).await;
        assert_eq!(field_errors(&warranty), [pair("warranty_until", "before_purchase")]);

        // Codes are unique per project, not across projects.
        let dup = s
            .post(
                "/api/v1/equipment",
                &admin,
                json!({"project_id": p, "category_id": cat["freight"], "code": "DT-01", "name": "货梯"}),
            )
            .await;
        assert_problem(&dup, 409, "equipment_code_taken");
        create(&s, &admin, json!({"project_id": q, "category_id": cat["freight"], "code": "DT-01", "name": "货梯"}))
            .await;
        assert_problem(&patch(&s, &admin, lift_id, json!({"code": "XF-01"})).await, 409, "equipment_code_taken");

        // Recording maintenance moves the schedule; the past and the future are refused.
        let maintained = format!("/api/v1/equipment/{lift_id}/maintained");
        let m = s.post(&maintained, &admin, json!({"on": "2025-03-15"})).await;
        assert_eq!(m.status, StatusCode::OK, "{}", m.body);
        assert_eq!(
            (&m.body["last_maintained_on"], &m.body["next_maintenance_on"]),
            (&json!("2025-03-15"), &json!("2025-03-29"))
        );
        let earlier = s.post(&maintained, &admin, json!({"on": "2025-03-01"})).await;
        assert_eq!(field_errors(&earlier), [pair("on", "before_last_maintenance")]);
        let tomorrow = linli_core::time::today().succ_opt().unwrap().to_string();
        let future = s.post(&maintained, &admin, json!({"on": tomorrow})).await;
        assert_eq!(field_errors(&future), [pair("on", "in_future")]);
        let far = s.post(&maintained, &admin, json!({"on": "2999-01-01"})).await;
        assert_eq!(field_errors(&far), [pair("on", "date_out_of_range")]);

        // The item's history, newest first, with before and after.
        let history = s.get(&format!("/api/v1/equipment/{lift_id}/history"), &admin).await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);
        let actions: Vec<&str> =
            history.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(
            actions,
            ["equipment.item.maintained", "equipment.item.updated", "equipment.item.updated", "equipment.item.created"]
        );
        let cycle_change = &history.body["items"][1];
        assert_eq!(
            (&cycle_change["before"]["cycle_unit"], &cycle_change["after"]["cycle_unit"]),
            (&json!("month"), &json!("week"))
        );
        assert_eq!(history.body["items"][0]["actor_name"], "admin");
        assert_eq!(history.body["items"][3]["project_id"], p);

        let del = s.call(Method::DELETE, &format!("/api/v1/equipment/{lift_id}"), Some(&admin), None).await;
        assert_eq!(del.status, StatusCode::NO_CONTENT);
        assert_problem(&s.get(&format!("/api/v1/equipment/{lift_id}"), &admin).await, 404, "not_found");
        let again = s.call(Method::DELETE, &format!("/api/v1/equipment/{lift_id}"), Some(&admin), None).await;
        assert_problem(&again, 404, "not_found");
        let log = s.get(&format!("/api/v1/audit-log?entity=equipment&entity_id={lift_id}"), &admin).await;
        assert_eq!(log.body["items"][0]["action"], "equipment.item.deleted");
    }
);

db_test!(
    async fn technicians_read_equipment_managers_change_it_and_other_projects_stay_hidden(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "项目A").await;
        let b = s.create_project(&admin, "项目B").await;
        let cat = categories(&s, &admin).await;
        let item = |p: i64, code: &str| json!({"project_id": p, "category_id": cat["domestic_pump"], "code": code, "name": "生活水泵"});
        let in_a = create(&s, &admin, item(a, "GS-01")).await["id"].as_i64().unwrap();
        let in_b = create(&s, &admin, item(b, "GS-01")).await["id"].as_i64().unwrap();
        s.create_user("tech", Some("technician"), Some(a)).await;
        s.create_user("manager_a", Some("manager"), Some(a)).await;
        s.create_user("cashier", Some("cashier"), Some(a)).await;
        let tech = s.login("tech").await;
        let manager = s.login("manager_a").await;
        let cashier = s.login("cashier").await;

        // The technician reads A's register, its history and labels, and nothing of B.
        assert_eq!(s.get("/api/v1/equipment", &tech).await.body["total"], 1);
        assert_eq!(s.get(&format!("/api/v1/equipment/{in_a}"), &tech).await.status, StatusCode::OK);
        assert_eq!(s.get(&format!("/api/v1/equipment/{in_a}/history"), &tech).await.status, StatusCode::OK);
        assert_eq!(s.get(&format!("/api/v1/equipment/{in_a}/label.svg"), &tech).await.status, StatusCode::OK);
        assert_eq!(s.get("/api/v1/equipment-categories", &tech).await.status, StatusCode::OK);
        for path in [
            format!("/api/v1/equipment/{in_b}"),
            format!("/api/v1/equipment/{in_b}/history"),
            format!("/api/v1/equipment/{in_b}/attachments"),
            format!("/api/v1/equipment/{in_b}/label.svg"),
            format!("/api/v1/equipment/labels?ids={in_a},{in_b}"),
        ] {
            assert_problem(&s.get(&path, &tech).await, 404, "not_found");
        }
        assert_eq!(s.get(&format!("/api/v1/equipment?project_id={b}"), &tech).await.body["total"], 0);

        // … and changes nothing.
        assert_problem(&s.post("/api/v1/equipment", &tech, item(a, "GS-02")).await, 403, "forbidden");
        assert_problem(&patch(&s, &tech, in_a, json!({"name": "x"})).await, 403, "forbidden");
        let del = s.call(Method::DELETE, &format!("/api/v1/equipment/{in_a}"), Some(&tech), None).await;
        assert_problem(&del, 403, "forbidden");
        let m = s.post(&format!("/api/v1/equipment/{in_a}/maintained"), &tech, json!({"on": "2025-01-01"})).await;
        assert_problem(&m, 403, "forbidden");

        // A's manager changes A's equipment; B's is as if it did not exist.
        assert_eq!(patch(&s, &manager, in_a, json!({"name": "1#生活水泵"})).await.status, StatusCode::OK);
        assert_problem(&s.post("/api/v1/equipment", &manager, item(b, "GS-02")).await, 404, "not_found");
        assert_problem(&patch(&s, &manager, in_b, json!({"name": "x"})).await, 404, "not_found");

        // Without any equipment permission the register is closed.
        assert_problem(&s.get("/api/v1/equipment", &cashier).await, 403, "forbidden");
    }
);

fn form(file_name: &str, bytes: &[u8], field: &str) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string());
    reqwest::multipart::Form::new().part(field.to_string(), part)
}

async fn upload(s: &TestServer, token: &str, id: i64, f: reqwest::multipart::Form) -> common::Answer {
    let res = s
        .http
        .post(s.url(&format!("/api/v1/equipment/{id}/attachments")))
        .bearer_auth(token)
        .multipart(f)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = res.json().await.unwrap_or(Value::Null);
    common::Answer { status, content_type, body }
}

fn stored_files(s: &TestServer) -> usize {
    let root = s.data_dir.join("files");
    std::fs::read_dir(&root).map_or(0, |dirs| dirs.map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count()).sum())
}

db_test!(
    async fn attachments_round_trip_byte_for_byte_and_other_file_types_are_refused(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "项目A").await;
        let b = s.create_project(&admin, "项目B").await;
        let cat = categories(&s, &admin).await;
        let new = |p: i64, code: &str| json!({"project_id": p, "category_id": cat["passenger"], "code": code, "name": "客梯"});
        let lift = create(&s, &admin, new(a, "DT-01")).await["id"].as_i64().unwrap();
        let lift2 = create(&s, &admin, new(a, "DT-02")).await["id"].as_i64().unwrap();
        s.create_user("manager_b", Some("manager"), Some(b)).await;
        let other = s.login("manager_b").await;

        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend((0..=255u8).cycle().take(70_000));
        let up = upload(&s, &admin, lift, form("电梯 使用说明书.pdf", &pdf, "file")).await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
        assert_eq!(up.body["file_name"], "电梯 使用说明书.pdf");
        assert_eq!(up.body["content_type"], "application/pdf");
        assert_eq!(up.body["size"], pdf.len());
        let att = up.id();
        let listed = s.get(&format!("/api/v1/equipment/{lift}/attachments"), &admin).await;
        assert_eq!(listed.body.as_array().unwrap().len(), 1);

        let res = s.http.get(s.url(&format!("/api/v1/attachments/{att}"))).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(
            disposition
                .contains("filename*=UTF-8''%E7%94%B5%E6%A2%AF%20%E4%BD%BF%E7%94%A8%E8%AF%B4%E6%98%8E%E4%B9%A6.pdf"),
            "{disposition}"
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), pdf.as_slice());

        // The same manual for a second lift is a second row over one stored file.
        let again = upload(&s, &admin, lift2, form("说明书.pdf", &pdf, "file")).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.body["sha256"], up.body["sha256"]);
        assert_eq!(stored_files(&s), 1);

        for (name, bytes) in
            [("setup.exe", &b"MZ\x90\x00"[..]), ("fake.pdf", b"<html><script>"), ("logo.svg", b"<svg/>")]
        {
            let refused = upload(&s, &admin, lift, form(name, bytes, "file")).await;
            assert_problem(&refused, 422, "validation_failed");
            assert_eq!(field_errors(&refused), [pair("file", "unsupported_type")], "{name}");
        }
        let too_big = upload(&s, &admin, lift, form("big.txt", &vec![b'a'; 20 * 1024 * 1024 + 1], "file")).await;
        assert_eq!(field_errors(&too_big), [pair("file", "too_large")]);
        // The form holds `file` and nothing else, as the document says.
        let no_file = upload(&s, &admin, lift, form("a.pdf", &pdf, "document")).await;
        assert_eq!(field_errors(&no_file), [pair("form", "unknown_field")]);

        // Another project's manager cannot see or remove it.
        assert_problem(&s.get(&format!("/api/v1/attachments/{att}"), &other).await, 404, "not_found");
        let del = s.call(Method::DELETE, &format!("/api/v1/attachments/{att}"), Some(&other), None).await;
        assert_problem(&del, 404, "not_found");
        assert_problem(&upload(&s, &other, lift, form("a.pdf", &pdf, "file")).await, 404, "not_found");

        let del = s.call(Method::DELETE, &format!("/api/v1/attachments/{att}"), Some(&admin), None).await;
        assert_eq!(del.status, StatusCode::NO_CONTENT);
        assert_problem(&s.get(&format!("/api/v1/attachments/{att}"), &admin).await, 404, "not_found");
        assert_eq!(s.get(&format!("/api/v1/equipment/{lift}/attachments"), &admin).await.body, json!([]));
        let history = s.get(&format!("/api/v1/equipment/{lift}/history"), &admin).await.body;
        let actions: Vec<&str> =
            history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["equipment.attachment.deleted", "equipment.attachment.created", "equipment.item.created"]);
    }
);

/// Reads the label's QR code the way a phone would: draws the modules of the SVG's QR path as
/// pixels and decodes them with rqrr.
fn decode_qr(svg: &str) -> String {
    let qr = &svg[1 + svg[1..].find("<svg").expect("a nested QR <svg>")..];
    let n: usize = qr.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let d = qr.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut dark = vec![false; n * n];
    // Each module is `M{left} {top}h{w}v{h}H{left}V{top}`.
    for cmd in d.split('M').filter(|c| !c.is_empty()) {
        let num = |s: &str| s.parse::<usize>().unwrap();
        let (left, rest) = cmd.split_once(' ').unwrap();
        let (top, rest) = rest.split_once('h').unwrap();
        let (w, rest) = rest.split_once('v').unwrap();
        let (h, _) = rest.split_once('H').unwrap();
        for y in num(top)..num(top) + num(h) {
            for x in num(left)..num(left) + num(w) {
                dark[y * n + x] = true;
            }
        }
    }
    let scale = 6;
    let mut img =
        rqrr::PreparedImage::prepare_from_bitmap(n * scale, n * scale, |x, y| dark[(y / scale) * n + x / scale]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the label");
    grids[0].decode().unwrap().1
}

db_test!(
    async fn labels_carry_a_qr_code_of_the_items_phone_page_and_print_on_a4(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "项目A").await;
        let b = s.create_project(&admin, "项目B").await;
        let cat = categories(&s, &admin).await;
        let lift = create(
            &s,
            &admin,
            json!({"project_id": a, "category_id": cat["passenger"], "code": "DT-01", "name": "1栋1号客梯", "location": "1栋 电梯厅"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let pump = create(
            &s,
            &admin,
            json!({"project_id": a, "category_id": cat["fire_pump"], "code": "XF-01", "name": "消防主泵 <A>"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let in_b = create(
            &s,
            &admin,
            json!({"project_id": b, "category_id": cat["camera"], "code": "AF-01", "name": "摄像机"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();

        let res = s
            .http
            .get(s.url(&format!("/api/v1/equipment/{lift}/label.svg")))
            .bearer_auth(&admin)
            .header("host", "wuye.example.cn")
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
        let svg = res.text().await.unwrap();
        assert_eq!(decode_qr(&svg), format!("https://wuye.example.cn/m/equipment/{lift}"));
        for text in ["DT-01", "1栋1号客梯", "1栋 电梯厅", "Noto Sans CJK SC"] {
            assert!(svg.contains(text), "{text} missing from {svg}");
        }

        let direct = s.get(&format!("/api/v1/equipment/{pump}/label.svg"), &admin).await;
        let svg = direct.body.as_str().unwrap();
        assert_eq!(decode_qr(svg), format!("{}/m/equipment/{pump}", s.base));
        assert!(svg.contains("消防主泵 &lt;A&gt;"), "names are escaped: {svg}");

        let page = s.get(&format!("/api/v1/equipment/labels?ids={lift},{pump}"), &admin).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
        let html = page.body.as_str().unwrap();
        assert!(html.contains("size: A4") && html.contains("@media print"));
        assert_eq!(html.matches("data-equipment-id=").count(), 2);
        let (first, second) = (html.find("DT-01").unwrap(), html.find("XF-01").unwrap());
        assert!(first < second, "labels in the order asked for");

        // One item of a project the user may not see spoils the page.
        s.create_user("manager_a", Some("manager"), Some(a)).await;
        let manager = s.login("manager_a").await;
        let mixed = s.get(&format!("/api/v1/equipment/labels?ids={lift},{in_b}"), &manager).await;
        assert_problem(&mixed, 404, "not_found");
        assert_problem(&s.get("/api/v1/equipment/labels?ids=1,x", &admin).await, 422, "validation_failed");
        assert_problem(&s.get("/api/v1/equipment/labels?ids=", &admin).await, 422, "validation_failed");
    }
);

db_test!(
    async fn labels_encode_the_configured_public_url_whatever_address_the_browser_used(db: TestDb) {
        let s = TestServer::start_with(db, |c| c.public_url = Some("http://192.168.1.20:8080/".into())).await;
        let admin = s.login("admin").await;
        let a = s.create_project(&admin, "项目A").await;
        let cat = categories(&s, &admin).await;
        let lift = create(
            &s,
            &admin,
            json!({"project_id": a, "category_id": cat["passenger"], "code": "DT-01", "name": "1栋1号客梯"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        // Asked for at 127.0.0.1, which no phone can open: the label still encodes the public URL.
        let svg = s.get(&format!("/api/v1/equipment/{lift}/label.svg"), &admin).await;
        assert_eq!(decode_qr(svg.body.as_str().unwrap()), format!("http://192.168.1.20:8080/m/equipment/{lift}"));
        let page = s.get(&format!("/api/v1/equipment/labels?ids={lift}"), &admin).await;
        assert!(page.body.as_str().unwrap().contains("data-equipment-id="));
        assert!(!page.body.as_str().unwrap().contains("127.0.0.1"), "no loopback address on the page");
    }
);

db_test!(
    async fn the_demo_register_is_seeded_once_with_a_fault_and_work_due(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        linli::demo::equipment::seed(&s.db.db, s.company, p).await.unwrap();
        linli::demo::equipment::seed(&s.db.db, s.company, p).await.unwrap();
        let all = s.get(&format!("/api/v1/equipment?project_id={p}&page_size=500"), &admin).await.body;
        assert_eq!(all["total"], 26);
        assert_eq!(s.get(&format!("/api/v1/equipment?project_id={p}&state=faulty"), &admin).await.body["total"], 1);
        let today = chrono::Utc::now().date_naive() + chrono::Days::new(1);
        let due = s.get(&format!("/api/v1/equipment?project_id={p}&due_before={today}"), &admin).await.body;
        assert!(due["total"].as_u64().unwrap() > 0, "something is due: {due}");
        assert!(due["total"].as_u64() < all["total"].as_u64(), "not everything is due");
    }
);
