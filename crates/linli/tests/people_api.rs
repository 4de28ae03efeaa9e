//! Owners and residents through the API: masked ID numbers, encrypted at rest, found by exact
//! number, revealed only with permission and always audited; ownership and occupancy history.

mod common;

use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Valid 18-digit 身份证 numbers (checked by hand with the MOD 11-2 weights).
const ID_A: &str = "110101199003074477";
const ID_B: &str = "11010519491231002X";

async fn setup(s: &TestServer, admin: &str) -> (i64, i64) {
    let c = Community::new(s, admin, "89.47").await;
    (c.project, c.house)
}

async fn person(s: &TestServer, token: &str, project: i64, name: &str, id_number: &str) -> Value {
    let a = s.post("/api/v1/persons", token, json!({"project_id": project, "name": name, "phone": "13800001111", "id_number": id_number, "bank_account": "6222020200112233445"})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body
}

/// Every stored byte of the database as text: the SQLite file and its WAL, or PostgreSQL rows.
async fn everything_stored(s: &TestServer) -> String {
    if s.backend() == "sqlite" {
        let path = s.db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
        let mut all = Vec::new();
        for suffix in ["", "-wal"] {
            all.extend(std::fs::read(format!("{path}{suffix}")).unwrap_or_default());
        }
        String::from_utf8_lossy(&all).into_owned()
    } else {
        let mut out = String::new();
        for table in ["persons", "audit_log"] {
            out.extend(s.db.rows_as_json(table).await);
        }
        out
    }
}

db_test!(
    async fn id_numbers_are_masked_encrypted_searchable_and_checked(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _) = setup(&s, &admin).await;
        let created = person(&s, &admin, p, "张伟", ID_A).await;
        assert_eq!(created["id_number"], "110101********4477");
        assert_eq!(created["id_type"], "resident_id_card");
        assert_eq!(created["bank_account"], "622202*********3445");
        let id = created["id"].as_i64().unwrap();
        person(&s, &admin, p, "李娜", ID_B).await;

        let detail = s.get(&format!("/api/v1/persons/{id}"), &admin).await;
        assert_eq!(detail.body["id_number"], "110101********4477");
        let list = s.get(&format!("/api/v1/persons?project_id={p}"), &admin).await;
        assert!(
            list.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["id_number"].as_str().unwrap().contains("********"))
        );

        // The raw number is nowhere in storage (nor the bank account).
        let stored = everything_stored(&s).await;
        assert!(stored.contains("张伟"), "the dump should contain the rows at all");
        assert!(!stored.contains(ID_A) && !stored.contains("6222020200112233445"));

        // Found by the full number (spaces and case do not matter), not by a part of it.
        let found = s.get(&format!("/api/v1/persons?id_number={}", "1101 0119 9003 0744 77"), &admin).await;
        assert_eq!(found.body["total"], 1);
        assert_eq!(found.body["items"][0]["id"], id);
        let lower_x = s.get("/api/v1/persons?id_number=11010519491231002x", &admin).await;
        assert_eq!(lower_x.body["items"][0]["name"], "李娜");
        assert_eq!(s.get("/api/v1/persons?id_number=1101011990", &admin).await.body["total"], 0);

        // A wrong check digit is refused with a field error.
        let bad = s
            .post(
                "/api/v1/persons",
                &admin,
                json!({"project_id": p, "name": "王芳", "id_number": "110101199003074478"}),
            )
            .await;
        assert_problem(&bad, 422, "validation_failed");
        assert_eq!(bad.body["errors"][0], json!({"field": "id_number", "code": "invalid_checksum"}));
    }
);

db_test!(
    async fn revealing_needs_the_permission_and_is_audited(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _) = setup(&s, &admin).await;
        let id = person(&s, &admin, p, "张伟", ID_A).await["id"].as_i64().unwrap();

        s.create_user("desk", Some("service_desk"), Some(p)).await;
        let desk = s.login("desk").await;
        assert_eq!(s.get(&format!("/api/v1/persons/{id}"), &desk).await.body["id_number"], "110101********4477");
        assert_problem(&s.post(&format!("/api/v1/persons/{id}/reveal"), &desk, json!({})).await, 403, "forbidden");

        let shown = s.post(&format!("/api/v1/persons/{id}/reveal"), &admin, json!({})).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert_eq!(shown.body["id_number"], ID_A);
        assert_eq!(shown.body["bank_account"], "6222020200112233445");
        let log = s
            .get(&format!("/api/v1/audit-log?entity=person&entity_id={id}&action=people.person.revealed"), &admin)
            .await;
        assert_eq!(log.body["total"], 1);
        assert_eq!(log.body["items"][0]["actor_name"], "admin");
        assert_eq!(log.body["items"][0]["after"]["fields"], json!(["id_number", "bank_account"]));
    }
);

db_test!(
    async fn a_sale_keeps_past_owners_and_moving_in_and_out_sets_the_house_state(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, house) = setup(&s, &admin).await;
        let seller = person(&s, &admin, p, "张伟", ID_A).await["id"].as_i64().unwrap();
        let buyer = person(&s, &admin, p, "李娜", ID_B).await["id"].as_i64().unwrap();

        let first = s
            .post(
                &format!("/api/v1/houses/{house}/ownerships"),
                &admin,
                json!({"person_id": seller, "started_on": "2020-05-01"}),
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.body["share"], "100.00");
        // Read before the sale, so the counts after it must not be the ones kept from now.
        assert_eq!(stats(&s, &admin, p).await["owners"], 1);
        assert_eq!(first.body["house_label"], "1栋301");
        // A co-owner beyond 100% is refused; the sale replaces the owner.
        let over = s
            .post(
                &format!("/api/v1/houses/{house}/ownerships"),
                &admin,
                json!({"person_id": buyer, "share": "10", "started_on": "2026-03-01"}),
            )
            .await;
        assert_eq!(over.body["errors"][0], json!({"field": "share", "code": "exceeds_total"}));
        let sale = s
            .post(
                &format!("/api/v1/houses/{house}/ownerships"),
                &admin,
                json!({"person_id": buyer, "started_on": "2026-03-01", "replace_current": true}),
            )
            .await;
        assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
        // The dashboard counts current owners only: the seller no longer is one.
        assert_eq!(
            (stats(&s, &admin, p).await["owners"].as_u64(), stats(&s, &admin, p).await["residents"].as_u64()),
            (Some(1), Some(0))
        );

        let people = s.get(&format!("/api/v1/houses/{house}/people"), &admin).await;
        let owners = people.body["owners"].as_array().unwrap();
        assert_eq!(owners.len(), 2);
        assert_eq!((owners[0]["person_name"].as_str(), owners[0]["ended_on"].is_null()), (Some("李娜"), true));
        assert_eq!(
            (owners[1]["person_name"].as_str(), owners[1]["ended_on"].as_str()),
            (Some("张伟"), Some("2026-03-01"))
        );

        // Moving in makes the vacant house occupied; the last one out makes it vacant again.
        let stay = s
            .post(
                &format!("/api/v1/houses/{house}/occupancies"),
                &admin,
                json!({"person_id": buyer, "relation": "owner", "moved_in_on": "2026-03-15"}),
            )
            .await;
        assert_eq!(stay.status, StatusCode::CREATED, "{}", stay.body);
        assert_eq!(s.get(&format!("/api/v1/houses/{house}"), &admin).await.body["state"], "occupied");
        assert_eq!(stats(&s, &admin, p).await["residents"], 1);
        let again = s
            .post(
                &format!("/api/v1/houses/{house}/occupancies"),
                &admin,
                json!({"person_id": buyer, "relation": "owner", "moved_in_on": "2026-03-16"}),
            )
            .await;
        assert_problem(&again, 409, "occupancy_exists");
        let stay_id = stay.id();
        let early =
            s.post(&format!("/api/v1/occupancies/{stay_id}/end"), &admin, json!({"moved_out_on": "2026-01-01"})).await;
        assert_eq!(early.body["errors"][0], json!({"field": "moved_out_on", "code": "before_start"}));
        let out =
            s.post(&format!("/api/v1/occupancies/{stay_id}/end"), &admin, json!({"moved_out_on": "2026-10-31"})).await;
        assert_eq!(out.status, StatusCode::OK);
        assert_eq!(s.get(&format!("/api/v1/houses/{house}"), &admin).await.body["state"], "vacant");
        assert_eq!(
            (stats(&s, &admin, p).await["residents"].as_u64(), stats(&s, &admin, p).await["vacant"].as_u64()),
            (Some(0), Some(1))
        );
        // The person's houses and the house's history stay.
        let mine = s.get(&format!("/api/v1/persons/{buyer}/houses"), &admin).await;
        assert_eq!(mine.body["occupancies"][0]["moved_out_on"], "2026-10-31");
        assert_eq!(s.get(&format!("/api/v1/persons?house_id={house}"), &admin).await.body["total"], 2);
        // A house with history cannot be deleted.
        let refused = s.call(Method::DELETE, &format!("/api/v1/houses/{house}"), Some(&admin), None).await;
        assert_problem(&refused, 409, "still_referenced");
        assert_eq!(refused.body["referenced_by"], json!(["occupancy", "ownership"]), "{}", refused.body);
    }
);

async fn stats(s: &TestServer, token: &str, project: i64) -> Value {
    s.get(&format!("/api/v1/projects/{project}/stats"), token).await.body
}

/// A valid 身份证 number nobody in the tests has (checked with the MOD 11-2 weights).
const ID_NOBODY: &str = "110101199003071233";

async fn dry_import(s: &TestServer, token: &str, project: i64, csv: &str) -> Value {
    use reqwest::multipart::{Form, Part};
    let form = Form::new().part("file", Part::bytes(csv.as_bytes().to_vec()).file_name("p.csv"));
    let url = s.url(&format!("/api/v1/imports/persons?project_id={project}&dry_run=true"));
    let res = s.http.post(url).bearer_auth(token).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

db_test!(
    async fn searching_by_id_number_needs_the_reveal_permission_is_audited_and_limited(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _) = setup(&s, &admin).await;
        let id = person(&s, &admin, p, "张伟", ID_A).await["id"].as_i64().unwrap();

        // A cashier may read people but not reveal numbers: every search by number is refused the
        // same way, whether the number belongs to someone or not, with or without a project.
        s.create_user("cashier1", Some("cashier"), Some(p)).await;
        let cashier = s.login("cashier1").await;
        let hit = s.get(&format!("/api/v1/persons?id_number={ID_A}"), &cashier).await;
        let miss = s.get(&format!("/api/v1/persons?id_number={ID_NOBODY}"), &cashier).await;
        assert_problem(&hit, 403, "forbidden");
        assert_eq!((hit.status, &hit.body), (miss.status, &miss.body));
        let in_project = s.get(&format!("/api/v1/persons?project_id={p}&id_number={ID_A}"), &cashier).await;
        assert_problem(&in_project, 403, "forbidden");
        let export =
            s.call(Method::GET, &format!("/api/v1/persons/export?id_number={ID_A}"), Some(&cashier), None).await;
        assert_problem(&export, 403, "forbidden");
        // The rest of the list is theirs as before.
        assert_eq!(s.get(&format!("/api/v1/persons?project_id={p}"), &cashier).await.body["total"], 1);

        // An import by someone who may not reveal does not match rows by ID number either, so a
        // dry run cannot confirm a guess: a row with a known number is a new person like any other.
        s.create_user("desk", Some("service_desk"), Some(p)).await;
        let desk = s.login("desk").await;
        let header = "姓名,类型,手机号,证件类型,证件号码,性别,楼栋,单元,房号,关系,产权份额,入住日期,备注";
        for number in [ID_A, ID_NOBODY] {
            let r = dry_import(&s, &desk, p, &format!("{header}\n猜测,个人,13900000000,身份证,{number},,,,,业主,,,\n"))
                .await;
            assert_eq!((r["created"].as_u64(), r["unchanged"].as_u64()), (Some(1), Some(0)), "{number}: {r}");
        }

        // A manager may search by number: each search is audited with the number masked.
        s.create_user("boss", Some("manager"), Some(p)).await;
        let boss = s.login("boss").await;
        let found = s.get(&format!("/api/v1/persons?id_number={ID_A}"), &boss).await;
        assert_eq!((found.body["total"].as_u64(), found.body["items"][0]["id"].as_i64()), (Some(1), Some(id)));
        let log = s.get("/api/v1/audit-log?action=people.person.id_searched&page_size=50", &admin).await.body;
        assert_eq!(log["total"], 1, "{log}");
        let row = &log["items"][0];
        assert_eq!(row["actor_name"], "boss");
        assert_eq!(row["project_id"], p);
        assert_eq!(row["after"]["id_number"], "110101********4477");
        assert_eq!(row["after"]["person_ids"], json!([id]));
        assert!(!row.to_string().contains(ID_A), "the number is never in the audit row in clear: {row}");

        // Twenty searches an hour per user; the 21st waits for the hour to pass.
        for _ in 1..20 {
            let a = s.get(&format!("/api/v1/persons?project_id={p}&id_number={ID_NOBODY}"), &boss).await;
            assert_eq!(a.body["total"], 0, "{}", a.body);
        }
        let over =
            s.http.get(s.url(&format!("/api/v1/persons?id_number={ID_A}"))).bearer_auth(&boss).send().await.unwrap();
        assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = over.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 3000 && retry <= 3600, "retry-after {retry}");
        assert_eq!(s.get("/api/v1/audit-log?action=people.person.id_searched", &admin).await.body["total"], 20);
        // Another user's budget is their own.
        assert_eq!(s.get(&format!("/api/v1/persons?id_number={ID_A}"), &admin).await.body["total"], 1);
    }
);

async fn patch(s: &TestServer, token: &str, path: &str, body: Value) -> common::Answer {
    s.call(Method::PATCH, path, Some(token), Some(body)).await
}

db_test!(
    async fn a_person_patch_keeps_what_it_leaves_out_sets_values_and_clears_with_null(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _) = setup(&s, &admin).await;
        let created = s.post("/api/v1/persons", &admin, json!({"project_id": p, "name": "张伟", "phone": "13800001111", "phone2": "13900002222", "gender": "male", "emergency_contact": "李娜", "notes": "业委会委员", "id_number": ID_A, "bank_account": "6222020200112233445"})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let person = format!("/api/v1/persons/{}", created.body["id"]);

        let set = patch(&s, &admin, &person, json!({"phone2": "13900003333", "notes": "已搬离"})).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert_eq!((set.body["phone2"].as_str(), set.body["notes"].as_str()), (Some("13900003333"), Some("已搬离")));
        // Left out: kept, the secrets too.
        assert_eq!((set.body["name"].as_str(), set.body["phone"].as_str()), (Some("张伟"), Some("13800001111")));
        assert_eq!((set.body["gender"].as_str(), set.body["emergency_contact"].as_str()), (Some("male"), Some("李娜")));
        assert_eq!(
            (set.body["id_number"].as_str(), set.body["id_type"].as_str()),
            (Some("110101********4477"), Some("resident_id_card"))
        );
        assert_eq!(set.body["bank_account"], "622202*********3445");

        let cleared = patch(
            &s,
            &admin,
            &person,
            json!({"phone": null, "gender": null, "notes": null, "id_number": null, "bank_account": null}),
        )
        .await;
        assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
        for field in ["phone", "gender", "notes", "id_number", "bank_account"] {
            assert_eq!(cleared.body[field], Value::Null, "{field}");
        }
        assert_eq!(
            (cleared.body["phone2"].as_str(), cleared.body["emergency_contact"].as_str()),
            (Some("13900003333"), Some("李娜"))
        );
        // An empty string clears too, as it always has.
        assert_eq!(
            patch(&s, &admin, &person, json!({"emergency_contact": ""})).await.body["emergency_contact"],
            Value::Null
        );
        let stored = s.get(&person, &admin).await.body;
        assert_eq!(
            (&stored["phone"], &stored["id_number"], &stored["emergency_contact"]),
            (&Value::Null, &Value::Null, &Value::Null)
        );
        let revealed = s.post(&format!("{person}/reveal"), &admin, json!({})).await;
        assert_eq!(
            (&revealed.body["id_number"], &revealed.body["bank_account"]),
            (&Value::Null, &Value::Null),
            "{}",
            revealed.body
        );

        // A required field has nothing to clear to: null is refused naming it.
        for field in ["name", "kind"] {
            let body = Value::Object([(field.to_string(), Value::Null)].into_iter().collect());
            let a = patch(&s, &admin, &person, body).await;
            assert_problem(&a, 422, "validation_failed");
            assert_eq!(a.body["errors"], json!([{"field": field, "code": "invalid"}]), "{field}");
        }
        assert_eq!(s.get(&person, &admin).await.body, stored);
    }
);

db_test!(
    async fn owners_are_found_by_a_part_of_the_name_or_the_phone(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let (p, _) = setup(&s, &admin).await;
        let other = s.create_project(&admin, "云栖科技园").await;
        for (project, name, phone) in [
            (p, "王小明", "13800001111"),
            (p, "王明", "13912345678"),
            (p, "李明华", "13700002222"),
            (p, "Li Na", "13600003333"),
            (other, "王小明", "13800001111"),
        ] {
            let a =
                s.post("/api/v1/persons", &admin, json!({"project_id": project, "name": name, "phone": phone})).await;
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        }
        let found = |q: &'static str| {
            let s = &s;
            let admin = &admin;
            async move {
                let q: Vec<String> = q.bytes().map(|b| format!("%{b:02X}")).collect();
                let q = q.concat();
                let a = s.get(&format!("/api/v1/persons?project_id={p}&q={q}&page_size=100"), admin).await;
                assert_eq!(a.status, StatusCode::OK, "{}", a.body);
                let mut names: Vec<String> = a.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["name"].as_str().unwrap().to_owned())
                    .collect();
                names.sort();
                assert_eq!(a.body["total"].as_u64(), Some(names.len() as u64));
                names
            }
        };
        assert_eq!(found("王").await, ["王小明", "王明"]);
        assert_eq!(found("小明").await, ["王小明"]);
        assert_eq!(found("明").await, ["李明华", "王小明", "王明"]);
        assert_eq!(found("王明").await, ["王明"]);
        assert_eq!(found("明王").await, Vec::<String>::new());
        assert_eq!(found("1111").await, ["王小明"]);
        assert_eq!(found("5678").await, ["王明"]);
        assert_eq!(found("139123").await, ["王明"]);
        assert_eq!(found("li").await.len(), usize::from(s.backend() == "sqlite"), "LIKE's case rule per database");
        assert_eq!(found("Li").await, ["Li Na"]);
        assert_eq!(found("i N").await, ["Li Na"]);
        // One or two digits have no gram: answered by matching every row, the same answer.
        assert_eq!(found("22").await, ["李明华"]);

        // A changed name is found by the new one only.
        let id = s.get(&format!("/api/v1/persons?project_id={p}&q=%E7%8E%8B%E6%98%8E"), &admin).await.body["items"][0]
            ["id"]
            .as_i64()
            .unwrap();
        let a =
            s.call(Method::PATCH, &format!("/api/v1/persons/{id}"), Some(&admin), Some(json!({"name": "赵明"}))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(found("王明").await, Vec::<String>::new());
        assert_eq!(found("赵明").await, ["赵明"]);
        assert_eq!(found("5678").await, ["赵明"]);
    }
);
