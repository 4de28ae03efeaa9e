//! Spreadsheet imports and exports through the API: per-row errors, dry runs, idempotence.

mod common;

use common::{TestServer, assert_problem};
use linli_db::db_test;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const HEADER: &str = "楼栋,单元,房号,楼层,户型,建筑面积,套内面积,朝向,用途,状态";

/// 1,000 good rows over 5 buildings × 2 units × 20 floors × 5 houses, and 10 bad ones placed
/// among them; answers the file and the spreadsheet row numbers of the bad rows.
fn thousand_and_ten() -> (String, Vec<u64>) {
    let mut lines = vec![HEADER.to_string()];
    let mut bad = Vec::new();
    let broken = [
        "1栋,1单元,X1,3,,0,,,住宅,空置",      // area 0
        "1栋,1单元,X2,3,,-1,,,住宅,空置",     // negative area
        "1栋,1单元,X3,三,,80,,,住宅,空置",    // floor not a number
        ",1单元,X4,3,,80,,,住宅,空置",        // no building
        "1栋,1单元,,3,,80,,,住宅,空置",       // no number
        "1栋,1单元,X6,3,,80,90,,住宅,空置",   // inner > gross
        "1栋,1单元,X7,3,,80.123,,,住宅,空置", // three decimals
        "1栋,1单元,X8,3,,80,,,城堡,空置",     // unknown usage
        "1栋,1单元,X9,3,,80,,,住宅,闹鬼",     // unknown state
        "1栋,1单元,101,1,,80,,,住宅,空置",    // duplicate of the first good row
    ];
    let mut n = 0;
    for b in 1..=5 {
        for u in 1..=2 {
            for floor in 1..=20 {
                for h in 1..=5 {
                    lines.push(format!(
                        "{b}栋,{u}单元,{floor}{h:02},{floor},3室2厅,{}.{:02},,南北,住宅,空置",
                        80 + h,
                        floor
                    ));
                    n += 1;
                    if n % 100 == 50 {
                        lines.push(broken[bad.len()].to_string());
                        bad.push(lines.len() as u64);
                    }
                }
            }
        }
    }
    (lines.join("\n") + "\n", bad)
}

async fn import(
    s: &TestServer,
    token: &str,
    kind: &str,
    project: i64,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Value {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let url = s.url(&format!("/api/v1/imports/{kind}?project_id={project}&dry_run={dry_run}"));
    let res = s.http.post(url).bearer_auth(token).multipart(form).send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

db_test!(
    async fn a_thousand_good_rows_import_the_ten_bad_ones_are_named_and_a_second_import_changes_nothing(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let (csv, bad_rows) = thousand_and_ten();

        let dry = import(&s, &admin, "houses", p, "houses.csv", csv.clone().into_bytes(), true).await;
        assert_eq!(
            (dry["created"].as_u64(), dry["failed"].as_u64(), dry["dry_run"].as_bool()),
            (Some(1000), Some(10), Some(true))
        );
        assert_eq!(
            s.get(&format!("/api/v1/houses?project_id={p}"), &admin).await.body["total"],
            0,
            "a dry run saves nothing"
        );

        let first = import(&s, &admin, "houses", p, "houses.csv", csv.clone().into_bytes(), false).await;
        assert_eq!(first["total_rows"], 1010);
        assert_eq!(first["created"], 1000);
        assert_eq!(first["failed"], 10);
        let mut rows: Vec<u64> =
            first["errors"].as_array().unwrap().iter().map(|e| e["row"].as_u64().unwrap()).collect();
        rows.dedup();
        assert_eq!(rows, bad_rows);
        let codes: Vec<&str> =
            first["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
        assert!(
            codes.contains(&"must_be_positive")
                && codes.contains(&"duplicate_in_file")
                && codes.contains(&"too_many_decimals"),
            "{codes:?}"
        );
        assert_eq!(s.get(&format!("/api/v1/houses?project_id={p}"), &admin).await.body["total"], 1000);
        let tree = s.get(&format!("/api/v1/projects/{p}/structure"), &admin).await.body;
        assert_eq!(tree.as_array().unwrap().len(), 5, "buildings created on the fly");
        assert_eq!(tree[0]["building"]["floors_above"], 20);
        assert_eq!(tree[0]["units"][1]["house_count"], 100);

        let again = import(&s, &admin, "houses", p, "houses.csv", csv.into_bytes(), false).await;
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
            (Some(0), Some(0), Some(1000))
        );
        assert_eq!(s.get(&format!("/api/v1/houses?project_id={p}"), &admin).await.body["total"], 1000);

        // The export is in the template's columns, so re-importing it changes nothing either.
        let export = s
            .http
            .get(s.url(&format!("/api/v1/houses/export?project_id={p}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        assert!(export.headers()["content-disposition"].to_str().unwrap().contains("UTF-8''"));
        let xlsx = export.bytes().await.unwrap().to_vec();
        let round = import(&s, &admin, "houses", p, "export.xlsx", xlsx, false).await;
        assert_eq!(
            (round["created"].as_u64(), round["unchanged"].as_u64(), round["failed"].as_u64()),
            (Some(0), Some(1000), Some(0))
        );

        // The template downloads in both formats with the Chinese headers.
        let t = s
            .http
            .get(s.url("/api/v1/imports/houses/template?format=csv"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(t.trim_start_matches('\u{feff}').starts_with(HEADER));
        let x = s
            .http
            .get(s.url("/api/v1/imports/houses/template"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(x.starts_with(b"PK"));
    }
);

db_test!(
    async fn owners_import_with_their_houses_and_a_cashier_may_not_import(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let houses = format!("{HEADER}\n1栋,1单元,301,3,,89.47,,,住宅,空置\n1栋,1单元,302,3,,89.47,,,住宅,空置\n");
        import(&s, &admin, "houses", p, "h.csv", houses.into_bytes(), false).await;
        let people = "姓名,类型,手机号,证件类型,证件号码,性别,楼栋,单元,房号,关系,产权份额,入住日期,备注\n\
                  张伟,个人,13800001111,身份证,110101199003074477,男,1栋,1单元,301,业主,100,2020-05-01,\n\
                  李娜,个人,13800002222,,,女,1栋,1单元,301,家属,,2020-05-01,\n\
                  王芳,个人,13800003333,身份证,110101199003074478,女,1栋,1单元,302,业主,,,\n\
                  赵强,个人,13800004444,,,男,1栋,1单元,999,租户,,,\n";
        let r = import(&s, &admin, "persons", p, "p.csv", people.as_bytes().to_vec(), false).await;
        assert_eq!((r["created"].as_u64(), r["failed"].as_u64()), (Some(2), Some(2)), "{r}");
        let errs: Vec<(u64, &str, &str)> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(errs, [(4, "证件号码", "invalid_checksum"), (5, "房号", "house_not_found")]);
        let house = s.get(&format!("/api/v1/houses?project_id={p}&q=张伟"), &admin).await.body["items"][0].clone();
        assert_eq!(house["number"], "301");
        assert_eq!(house["state"], "occupied");
        // An imported house is found by its label too.
        let by_label = s.get(&format!("/api/v1/houses?project_id={p}&q=301"), &admin).await.body;
        assert!(by_label["items"].as_array().unwrap().iter().any(|h| h["id"] == house["id"]), "{by_label}");
        let ppl = s.get(&format!("/api/v1/houses/{}/people", house["id"]), &admin).await.body;
        assert_eq!(ppl["owners"][0]["person_name"], "张伟");
        assert_eq!(ppl["occupants"].as_array().unwrap().len(), 2);
        // The houses sheet again, its state column blank: moving in keeps the house occupied.
        let blank_state = format!("{HEADER}\n1栋,1单元,301,3,,89.47,,,住宅,\n1栋,1单元,302,3,,89.47,,,住宅,\n");
        let same = import(&s, &admin, "houses", p, "h.csv", blank_state.into_bytes(), false).await;
        assert_eq!((same["updated"].as_u64(), same["unchanged"].as_u64()), (Some(0), Some(2)));
        assert_eq!(s.get(&format!("/api/v1/houses/{}", house["id"]), &admin).await.body["state"], "occupied");
        let again = import(&s, &admin, "persons", p, "p.csv", people.as_bytes().to_vec(), false).await;
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
            (Some(0), Some(0), Some(2))
        );
        assert_eq!(s.get(&format!("/api/v1/persons?project_id={p}"), &admin).await.body["total"], 2);

        s.create_user("cashier1", Some("cashier"), Some(p)).await;
        let cashier = s.login("cashier1").await;
        let form = Form::new().part("file", Part::bytes(people.as_bytes().to_vec()).file_name("p.csv"));
        let res = s
            .http
            .post(s.url(&format!("/api/v1/imports/persons?project_id={p}")))
            .bearer_auth(&cashier)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let missing = s
            .http
            .post(s.url(&format!("/api/v1/imports/houses?project_id={p}")))
            .bearer_auth(&admin)
            .multipart(Form::new().text("x", "y"))
            .send()
            .await
            .unwrap();
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["errors"][0], json!({"field": "form", "code": "unknown_field"}));
        let _ = assert_problem;
    }
);

db_test!(
    async fn the_equipment_register_imports_by_code_and_its_export_reimports_unchanged(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        s.post("/api/v1/buildings", &admin, json!({"project_id": p, "name": "1栋", "floors_above": 18})).await;
        let header =
            "编码,名称,分类,品牌,型号,序列号,供应商,购置日期,购置价格,楼栋,安装位置,保修截止,保养周期,上次保养,状态";
        let sheet = |lift_state: &str| {
            format!(
                "{header}\n\
             DT-01,1栋1号客梯,客梯,示例电梯,EX-1000,SN1,示例电梯工程有限公司,2021-06-01,286000.00,1栋,1单元电梯井,2026-06-01,每15天,2026-11-10,{lift_state}\n\
             XF-01,消防泵,消防泵,,,,,2020-01-01,,,地下一层泵房,,每月,2026-11-01,运行中\n\
             PD-01,1号变压器,变压器,,,,,,,,配电房,,每年,,运行中\n\
             ZZ-01,不明设备,飞船,,,,,,,,,,,,\n\
             ZZ-02,水箱,水箱,,,,,,,,,,偶尔,,\n"
            )
        };
        let first = import(&s, &admin, "equipment", p, "e.csv", sheet("运行中").into_bytes(), false).await;
        assert_eq!((first["created"].as_u64(), first["failed"].as_u64()), (Some(3), Some(2)), "{first}");
        let errs: Vec<(u64, &str, &str)> = first["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(errs, [(5, "分类", "unknown_value"), (6, "保养周期", "invalid")]);
        let lift = s.get(&format!("/api/v1/equipment?project_id={p}&q=DT-01"), &admin).await.body["items"][0].clone();
        assert_eq!(lift["purchase_price_fen"], 28_600_000);
        assert_eq!(lift["next_maintenance_on"], "2026-11-25", "15 days after the last maintenance");
        assert_eq!(lift["building_name"], "1栋");

        let again = import(&s, &admin, "equipment", p, "e.csv", sheet("运行中").into_bytes(), false).await;
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
            (Some(0), Some(0), Some(3))
        );
        let changed = import(&s, &admin, "equipment", p, "e.csv", sheet("故障").into_bytes(), false).await;
        assert_eq!((changed["updated"].as_u64(), changed["unchanged"].as_u64()), (Some(1), Some(2)));
        let xlsx = s
            .http
            .get(s.url(&format!("/api/v1/equipment/export?project_id={p}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let round = import(&s, &admin, "equipment", p, "export.xlsx", xlsx, false).await;
        assert_eq!((round["unchanged"].as_u64(), round["failed"].as_u64()), (Some(3), Some(0)), "{round}");
    }
);

/// The project's audit rows whose action starts with `action` (all of them for "").
async fn audit_count(s: &TestServer, token: &str, project: i64, action: &str) -> u64 {
    let action = if action.is_empty() { String::new() } else { format!("&action={action}") };
    let log = s.get(&format!("/api/v1/audit-log?project_id={project}{action}&page_size=1"), token).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    log.body["total"].as_u64().unwrap()
}

db_test!(
    async fn a_dry_run_of_the_equipment_import_leaves_nothing_and_a_real_one_one_summary_row(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let sheet =
            "编码,名称,分类,保养周期\nDT-01,1号客梯,客梯,每15天\nXF-01,消防泵,消防泵,每月\nZZ-01,不明设备,飞船,\n";
        let before = audit_count(&s, &admin, p, "").await;

        let dry = import(&s, &admin, "equipment", p, "e.csv", sheet.as_bytes().to_vec(), true).await;
        assert_eq!((dry["created"].as_u64(), dry["failed"].as_u64()), (Some(2), Some(1)), "{dry}");
        let items = s.get(&format!("/api/v1/equipment?project_id={p}"), &admin).await;
        assert_eq!(items.body["total"], 0, "a dry run saves no item");
        assert_eq!(audit_count(&s, &admin, p, "").await, before, "nor any audit row");

        let real = import(&s, &admin, "equipment", p, "e.csv", sheet.as_bytes().to_vec(), false).await;
        assert_eq!((real["created"].as_u64(), real["failed"].as_u64()), (Some(2), Some(1)), "{real}");
        assert_eq!(s.get(&format!("/api/v1/equipment?project_id={p}"), &admin).await.body["total"], 2);
        assert_eq!(audit_count(&s, &admin, p, "equipment.item.imported").await, 1);
        assert_eq!(audit_count(&s, &admin, p, "equipment.item.created").await, 2);
        assert_eq!(audit_count(&s, &admin, p, "").await, before + 3);
    }
);
