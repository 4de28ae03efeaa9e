//! The demo community: a residential estate of N houses (1,500 by default) and a small office
//! park, with owners, family members, tenants and vacant houses. Everything is generated from
//! the house's index (no randomness), and goes in through the same import path a property office
//! uses, so running the demo again changes nothing.

use std::fmt::Write as _;

use linli_core::Authz;
use linli_http::App;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "晓东", "思远", "雨桐", "子轩", "欣怡", "浩然", "梓涵",
];
/// Layout, gross area, inner area.
const LAYOUTS: &[(&str, &str, &str)] = &[
    ("2室1厅", "78.56", "63.20"),
    ("3室2厅", "89.47", "72.10"),
    ("3室2厅", "112.30", "90.85"),
    ("4室2厅", "143.85", "118.40"),
];

/// A deterministic spread over `0..n` for index `i` (a multiplicative hash, not randomness).
pub(crate) fn pick(i: usize, salt: usize, n: usize) -> usize {
    (i.wrapping_mul(2_654_435_761).wrapping_add(salt.wrapping_mul(40_503)) >> 7) % n
}

fn name(i: usize) -> String {
    format!("{}{}", SURNAMES[pick(i, 1, SURNAMES.len())], GIVEN[pick(i, 2, GIVEN.len())])
}

/// Plainly fictional mobile numbers: 138-0000-0000 upwards.
fn phone(i: usize) -> String {
    format!("138{i:08}")
}

/// A 身份证 number with a valid check character but the unused region code 990000.
pub fn fictional_id(i: usize) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let year = 1950 + pick(i, 3, 50);
    let month = 1 + pick(i, 4, 12);
    let day = 1 + pick(i, 5, 28);
    let body = format!("990000{year:04}{month:02}{day:02}{:03}", i % 1000);
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Residential buildings: 18 floors, 2 units, 2 houses per floor and unit (72 a building).
fn residential_houses(n: usize) -> (String, Vec<(String, String, String)>) {
    let mut csv = String::from("楼栋,单元,房号,楼层,户型,建筑面积,套内面积,朝向,用途,状态\n");
    let mut places = Vec::with_capacity(n);
    for i in 0..n {
        let (building, rest) = (i / 72 + 1, i % 72);
        let (unit, rest) = (rest / 36 + 1, rest % 36);
        let (floor, door) = (rest / 2 + 1, rest % 2 + 1);
        let (layout, gross, inner) = LAYOUTS[(building + door) % LAYOUTS.len()];
        let (b, u, number) = (format!("{building}栋"), format!("{unit}单元"), format!("{floor}{door:02}"));
        let facing = if door == 1 { "南北" } else { "东南" };
        let _ = writeln!(csv, "{b},{u},{number},{floor},{layout},{gross},{inner},{facing},住宅,");
        places.push((b, u, number));
    }
    (csv, places)
}

const PEOPLE_HEADER: &str =
    "姓名,类型,手机号,证件类型,证件号码,性别,楼栋,单元,房号,关系,产权份额,产权起始日期,入住日期,备注\n";

/// Owners for 88% of the houses (60% of them with an ID number on file), the owner's family
/// living in 65%, tenants in 12%; the rest stay vacant.
fn residential_people(places: &[(String, String, String)]) -> String {
    let mut csv = String::from(PEOPLE_HEADER);
    for (i, (b, u, n)) in places.iter().enumerate() {
        let roll = pick(i, 7, 100);
        if roll >= 88 {
            continue;
        }
        let gender = if pick(i, 8, 2) == 0 { "男" } else { "女" };
        let id = if pick(i, 9, 10) < 6 { fictional_id(i) } else { String::new() };
        let id_type = if id.is_empty() { "" } else { "身份证" };
        let since = format!("20{:02}-{:02}-{:02}", 12 + pick(i, 10, 13), 1 + pick(i, 11, 12), 1 + pick(i, 12, 28));
        let moved_in = if roll < 65 { since.as_str() } else { "" };
        // Every owner has owned the house since the keys were handed over, years before the
        // demo's first billed month; those who live there moved in that day.
        let _ = writeln!(
            csv,
            "{},个人,{},{id_type},{id},{gender},{b},{u},{n},业主,100,{since},{moved_in},",
            name(i),
            phone(i)
        );
        if roll < 40 {
            let j = i + 500_000;
            let _ = writeln!(csv, "{},个人,{},,,,{b},{u},{n},家属,,,{since},", name(j), phone(j));
        } else if (65..77).contains(&roll) {
            let j = i + 1_000_000;
            let _ = writeln!(csv, "{},个人,{},,,,{b},{u},{n},租户,,,{since},租期一年", name(j), phone(j));
        }
    }
    csv
}

/// Three office towers of 12 floors with 8 offices each, 60% leased to companies.
fn office_park() -> (String, String) {
    let mut houses = String::from("楼栋,单元,房号,楼层,户型,建筑面积,套内面积,朝向,用途,状态\n");
    let mut people = String::from(PEOPLE_HEADER);
    let firms = ["云帆科技有限公司", "青禾设计工作室", "远山律师事务所", "星河数据有限公司", "木棉教育咨询有限公司"];
    let mut k = 0;
    for tower in ["A座", "B座", "C座"] {
        for floor in 1..=12 {
            for office in 1..=8 {
                let number = format!("{floor}{office:02}");
                let _ = writeln!(houses, "{tower},,{number},{floor},,{}.00,,南,办公,", 120 + office * 15);
                if pick(k, 13, 10) < 6 {
                    let firm = firms[pick(k, 14, firms.len())];
                    let _ = writeln!(
                        people,
                        "{firm},单位,0571{:08},,,,{tower},,{number},租户,,,2024-03-01,",
                        88_000_000 + k
                    );
                }
                k += 1;
            }
        }
    }
    (houses, people)
}

/// The demo estate's house sheet (CSV) of `n` houses, for benchmarks.
pub fn house_sheet(n: usize) -> String {
    residential_houses(n).0
}

/// The demo estate's people sheet (CSV) for the `n` houses of `house_sheet(n)`, for benchmarks.
pub fn people_sheet(n: usize) -> String {
    residential_people(&residential_houses(n).1)
}

/// The phone of the `i`-th house's owner in `people_sheet` (when it has one: house 0 does).
pub fn owner_phone(i: usize) -> String {
    phone(i)
}

/// A people sheet (CSV) making one person the owner of each of the `n` houses of `house_sheet(n)`
/// since `since`, for benchmarks: the rows after the first find that person by name and phone.
pub fn one_owner_sheet(n: usize, name: &str, phone: Option<&str>, since: &str) -> String {
    let mut csv = String::from(PEOPLE_HEADER);
    for (b, u, number) in residential_houses(n).1 {
        let _ = writeln!(csv, "{name},个人,{},,,,{b},{u},{number},业主,100,{since},,", phone.unwrap_or(""));
    }
    csv
}

/// Fills both demo projects on their first start; answers the counts as a line for the
/// start-up banner. A project that has houses already is left as it is (people may have edited
/// it since).
pub async fn seed(app: &App, company: i64, residential: i64, office: i64, houses: usize) -> anyhow::Result<String> {
    let system = Authz::system(company);
    let filter = linli_property::HouseFilter { project_id: Some(residential), ..Default::default() };
    let existing =
        app.structure.list_houses(&system, &filter, linli_core::PageRequest { page: 1, page_size: 1 }).await?;
    if existing.total > 0 {
        return Ok(format!("kept the existing {} houses", existing.total));
    }
    let (house_csv, places) = residential_houses(houses);
    let h = app.structure.import_houses(&system, residential, "demo-houses.csv", house_csv.as_bytes(), false).await?;
    let p = app
        .people
        .import_persons(&system, residential, "demo-people.csv", residential_people(&places).as_bytes(), false)
        .await?;
    let (office_houses, office_people) = office_park();
    app.structure.import_houses(&system, office, "demo-offices.csv", office_houses.as_bytes(), false).await?;
    app.people.import_persons(&system, office, "demo-tenants.csv", office_people.as_bytes(), false).await?;
    anyhow::ensure!(
        h.failed == 0 && p.failed == 0,
        "demo data did not import cleanly: {:?} {:?}",
        h.errors.first(),
        p.errors.first()
    );
    Ok(format!("{} houses ({} new), {} people ({} new)", h.total_rows, h.created, p.total_rows, p.created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fictional_ids_pass_the_checksum_and_names_repeat_the_same_way() {
        for i in [0, 1, 77, 99_999] {
            let id = fictional_id(i);
            assert_eq!(linli_people::id_number::check(linli_people::IdType::ResidentIdCard, &id), Ok(()), "{id}");
            assert!(id.starts_with("990000"));
        }
        assert_eq!(name(42), name(42));
        assert_eq!(residential_houses(1500).1.len(), 1500);
        assert_eq!(residential_houses(73).1[72], ("2栋".into(), "1单元".into(), "101".into()));
    }
}
