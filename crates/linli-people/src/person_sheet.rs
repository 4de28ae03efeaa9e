//! Owners and residents as spreadsheet rows, with the house each one belongs to.

use chrono::NaiveDate;
use linli_core::date::{self, Window};
use linli_core::time::today;
use linli_core::{Error, Id};
use linli_import::{Column, RowError, Sheet};
use rust_decimal::Decimal;

use crate::id_number::IdType;
use crate::{Gender, NewPerson, Person, PersonFields, PersonKind, Relation};

pub const COLUMNS: [Column; 14] = [
    Column::new("姓名", 12.0),
    Column::new("类型", 8.0),
    Column::new("手机号", 14.0),
    Column::new("证件类型", 14.0),
    Column::new("证件号码", 22.0),
    Column::new("性别", 6.0),
    Column::new("楼栋", 10.0),
    Column::new("单元", 10.0),
    Column::new("房号", 10.0),
    Column::new("关系", 8.0),
    Column::new("产权份额", 10.0),
    // Since when the owner owns it (交房 or 过户); the move-in day when left empty, else today.
    Column::new("产权起始日期", 14.0),
    Column::new("入住日期", 12.0),
    Column::new("备注", 20.0),
];

pub fn example() -> Vec<String> {
    [
        "张伟",
        "个人",
        "13800001111",
        "身份证",
        "110101199003074477",
        "男",
        "1栋",
        "1单元",
        "301",
        "业主",
        "100",
        "2019-12-20",
        "2020-05-01",
        "",
    ]
    .map(String::from)
    .to_vec()
}

const ID_TYPES: [(IdType, &str); 7] = [
    (IdType::ResidentIdCard, "身份证"),
    (IdType::Passport, "护照"),
    (IdType::HkMacauPermit, "港澳通行证"),
    (IdType::TaiwanPermit, "台湾通行证"),
    (IdType::ForeignerPermit, "外国人永久居留证"),
    (IdType::CreditCode, "统一社会信用代码"),
    (IdType::Other, "其他"),
];

pub fn id_type_label(t: IdType) -> &'static str {
    ID_TYPES.iter().find(|(k, _)| *k == t).map_or("其他", |(_, l)| l)
}

fn relation(s: &str) -> Option<Relation> {
    match s {
        "业主" | "owner" => Some(Relation::Owner),
        "家属" | "family" => Some(Relation::Family),
        "租户" | "tenant" => Some(Relation::Tenant),
        _ => None,
    }
}

/// The house a row names: building, unit (optional) and number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HouseRef {
    pub building: String,
    pub unit: Option<String>,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub row: usize,
    pub fields: PersonFields,
    pub house: Option<HouseRef>,
    pub relation: Relation,
    pub share: Option<Decimal>,
    /// 产权起始日期: the ownership's start.
    pub owned_since: Option<NaiveDate>,
    pub moved_in_on: Option<NaiveDate>,
}

/// Field names of `NewPerson` to the template's headers, for row errors.
fn header_of(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "phone" => "手机号",
        "id_number" => "证件号码",
        "id_type" => "证件类型",
        "notes" => "备注",
        _ => "",
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub fn parse(sheet: &Sheet, project_id: Id) -> (Vec<PersonRow>, Vec<RowError>) {
    let col = |i: usize| sheet.column(COLUMNS[i].header);
    if col(0).is_none() {
        return (Vec::new(), vec![RowError::new(1, "姓名", "missing_column")]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for r in &sheet.rows {
        let cell = |i: usize| r.get(col(i)).trim().to_string();
        let mut errs = Vec::new();
        let kind = match cell(1).as_str() {
            "" | "个人" | "person" => Some(PersonKind::Person),
            "单位" | "企业" | "organization" => Some(PersonKind::Organization),
            _ => None,
        };
        let id_type = match cell(3).as_str() {
            "" => None,
            t => {
                let found = ID_TYPES.iter().find(|(k, l)| *l == t || k.as_str() == t).map(|(k, _)| *k);
                if found.is_none() {
                    errs.push(RowError::new(r.number, "证件类型", "unknown_value"));
                }
                found
            }
        };
        let gender = match cell(5).as_str() {
            "" => None,
            "男" | "male" => Some(Gender::Male),
            "女" | "female" => Some(Gender::Female),
            _ => {
                errs.push(RowError::new(r.number, "性别", "unknown_value"));
                None
            }
        };
        if kind.is_none() {
            errs.push(RowError::new(r.number, "类型", "unknown_value"));
        }
        let new = NewPerson {
            project_id,
            kind: kind.unwrap_or(PersonKind::Person),
            name: cell(0),
            phone: opt(&cell(2)),
            phone2: None,
            id_type,
            id_number: opt(&cell(4)),
            gender,
            emergency_contact: None,
            emergency_phone: None,
            bank_account: None,
            notes: opt(&cell(13)),
        };
        let fields = match new.validated() {
            Ok(f) => Some(f),
            Err(Error::Validation(fe)) => {
                errs.extend(fe.into_iter().map(|e| RowError::new(r.number, header_of(&e.field), &e.code)));
                None
            }
            Err(_) => None,
        };
        let (building, number) = (cell(6), cell(8));
        let house = match (building.is_empty(), number.is_empty()) {
            (true, true) => None,
            (false, false) => Some(HouseRef { building, unit: opt(&cell(7)), number }),
            (true, false) => {
                errs.push(RowError::new(r.number, "楼栋", "required"));
                None
            }
            (false, true) => {
                errs.push(RowError::new(r.number, "房号", "required"));
                None
            }
        };
        let rel = match cell(9).as_str() {
            "" => Some(Relation::Owner),
            t => relation(t),
        };
        if rel.is_none() {
            errs.push(RowError::new(r.number, "关系", "unknown_value"));
        }
        let share = match cell(10).trim_end_matches('%') {
            "" => None,
            t => {
                let d = t.parse::<Decimal>().ok();
                if d.is_none() {
                    errs.push(RowError::new(r.number, "产权份额", "invalid"));
                }
                d
            }
        };
        let mut day = |i: usize| match cell(i).as_str() {
            "" => None,
            t => match date::sheet_day_in(t, Window::Record, today()) {
                Ok(d) => Some(d),
                Err(code) => {
                    errs.push(RowError::new(r.number, COLUMNS[i].header, code));
                    None
                }
            },
        };
        let owned_since = day(11);
        let moved_in_on = day(12);
        match (fields, errs.is_empty()) {
            (Some(fields), true) => rows.push(PersonRow {
                row: r.number,
                fields,
                house,
                relation: rel.unwrap_or(Relation::Owner),
                share,
                owned_since,
                moved_in_on,
            }),
            _ => errors.extend(errs),
        }
    }
    (rows, errors)
}

/// The person list for export (ID numbers masked, as the list shows them).
pub fn rows(persons: &[Person]) -> Vec<Vec<String>> {
    persons
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                if p.kind == PersonKind::Person { "个人" } else { "单位" }.to_string(),
                p.phone.clone().unwrap_or_default(),
                p.id_type.map(id_type_label).unwrap_or_default().to_string(),
                p.id_number.clone().unwrap_or_default(),
                match p.gender {
                    Some(Gender::Male) => "男",
                    Some(Gender::Female) => "女",
                    None => "",
                }
                .to_string(),
                p.notes.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

pub const EXPORT_COLUMNS: [Column; 7] = [
    Column::new("姓名", 12.0),
    Column::new("类型", 8.0),
    Column::new("手机号", 14.0),
    Column::new("证件类型", 14.0),
    Column::new("证件号码", 22.0),
    Column::new("性别", 6.0),
    Column::new("备注", 20.0),
];

#[cfg(test)]
mod tests {
    use super::*;
    use linli_import::read_sheet;

    #[test]
    fn rows_name_their_house_and_bad_ids_are_reported_in_the_id_column() {
        let csv = "姓名,类型,手机号,证件类型,证件号码,性别,楼栋,单元,房号,关系,产权份额,入住日期,备注\n\
                   张伟,个人,13800001111,身份证,110101199003074477,男,1栋,1单元,301,业主,100,2020/5/1,\n\
                   李娜,,13800002222,,,,1栋,,S01,租户,,,\n\
                   王芳,个人,,身份证,110101199003074478,女,,,,,,,\n";
        let sheet = read_sheet("p.csv", csv.as_bytes()).unwrap();
        let (rows, errors) = parse(&sheet, 1);
        assert_eq!(rows.len(), 2, "{errors:?}");
        assert_eq!(rows[0].house.as_ref().unwrap().number, "301");
        assert_eq!(rows[0].moved_in_on, NaiveDate::from_ymd_opt(2020, 5, 1));
        assert_eq!(rows[1].relation, Relation::Tenant);
        assert_eq!(rows[1].house.as_ref().unwrap().unit, None);
        let got: Vec<_> = errors.iter().map(|e| (e.row, e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(got, [(4, "证件号码", "invalid_checksum")]);
    }
}
