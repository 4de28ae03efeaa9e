//! The equipment register as spreadsheet rows: template columns, parsing, export.

use std::collections::HashMap;

use chrono::NaiveDate;
use linli_core::{Fen, Id};
use linli_import::{Column, RowError, Sheet};
use rust_decimal::Decimal;

use crate::{Category, CycleUnit, Equipment, EquipmentState, NewEquipment};

pub const COLUMNS: [Column; 15] = [
    Column::new("编码", 10.0),
    Column::new("名称", 16.0),
    Column::new("分类", 10.0),
    Column::new("品牌", 12.0),
    Column::new("型号", 12.0),
    Column::new("序列号", 14.0),
    Column::new("供应商", 18.0),
    Column::new("购置日期", 12.0),
    Column::new("购置价格", 10.0),
    Column::new("楼栋", 8.0),
    Column::new("安装位置", 16.0),
    Column::new("保修截止", 12.0),
    Column::new("保养周期", 10.0),
    Column::new("上次保养", 12.0),
    Column::new("状态", 8.0),
];

pub fn example() -> Vec<String> {
    [
        "DT-09",
        "9栋1号客梯",
        "客梯",
        "示例电梯",
        "EX-1000",
        "SN0001",
        "示例电梯工程有限公司",
        "2021-06-01",
        "286000.00",
        "9栋",
        "1单元电梯井",
        "2026-06-01",
        "每15天",
        "2026-11-10",
        "运行中",
    ]
    .map(String::from)
    .to_vec()
}

pub fn state_label(s: EquipmentState) -> &'static str {
    match s {
        EquipmentState::Running => "运行中",
        EquipmentState::Faulty => "故障",
        EquipmentState::UnderRepair => "维修中",
        EquipmentState::Retired => "已报废",
    }
}

fn state(s: &str) -> Option<EquipmentState> {
    [EquipmentState::Running, EquipmentState::Faulty, EquipmentState::UnderRepair, EquipmentState::Retired]
        .into_iter()
        .find(|x| state_label(*x) == s || x.as_str() == s)
}

const UNITS: [(CycleUnit, &str); 4] =
    [(CycleUnit::Day, "天"), (CycleUnit::Week, "周"), (CycleUnit::Month, "月"), (CycleUnit::Year, "年")];

/// `每15天`, `每月`, `每2周`, `每年` ↔ (unit, every).
pub fn parse_cycle(s: &str) -> Option<(CycleUnit, i32)> {
    let rest = s.trim().strip_prefix('每').unwrap_or(s.trim());
    let rest = rest.strip_suffix('个').unwrap_or(rest);
    let (unit, label) = UNITS.iter().find(|(_, l)| rest.ends_with(l))?;
    let n = rest.strip_suffix(label)?.trim_end_matches('个');
    let every = if n.is_empty() { 1 } else { n.parse().ok()? };
    Some((*unit, every))
}

pub fn cycle_text(unit: CycleUnit, every: i32) -> String {
    let label = UNITS.iter().find(|(u, _)| *u == unit).map_or("", |(_, l)| l);
    let label = if unit == CycleUnit::Month && every > 1 { "个月" } else { label };
    if every == 1 { format!("每{label}") } else { format!("每{every}{label}") }
}

/// A row with names resolved to ids where the row itself says enough.
#[derive(Debug, Clone)]
pub struct EquipmentRow {
    pub row: usize,
    pub new: NewEquipment,
}

fn date(errs: &mut Vec<RowError>, row: usize, header: &str, s: &str) -> Option<NaiveDate> {
    if s.is_empty() {
        return None;
    }
    match linli_core::date::sheet_day_in(s, linli_core::date::Window::Record, linli_core::time::today()) {
        Ok(d) => Some(d),
        Err(code) => {
            errs.push(RowError::new(row, header, code));
            None
        }
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Rows of the sheet; categories are found by Chinese name or code, buildings by name.
#[allow(clippy::implicit_hasher)] // always the std map
pub fn parse(
    sheet: &Sheet,
    project_id: Id,
    categories: &[Category],
    buildings: &HashMap<String, Id>,
) -> (Vec<EquipmentRow>, Vec<RowError>) {
    let col = |i: usize| sheet.column(COLUMNS[i].header);
    let missing: Vec<&str> = [0, 1, 2].iter().filter(|i| col(**i).is_none()).map(|i| COLUMNS[*i].header).collect();
    if !missing.is_empty() {
        return (Vec::new(), missing.iter().map(|h| RowError::new(1, h, "missing_column")).collect());
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for r in &sheet.rows {
        let cell = |i: usize| r.get(col(i)).trim().to_string();
        let mut errs = Vec::new();
        for i in [0, 1, 2] {
            if cell(i).is_empty() {
                errs.push(RowError::new(r.number, COLUMNS[i].header, "required"));
            }
        }
        let category = categories.iter().find(|c| c.name_zh == cell(2) || c.code == cell(2)).map(|c| c.id);
        if category.is_none() && !cell(2).is_empty() {
            errs.push(RowError::new(r.number, "分类", "unknown_value"));
        }
        let building_id = match cell(9).as_str() {
            "" => None,
            name => {
                let b = buildings.get(name).copied();
                if b.is_none() {
                    errs.push(RowError::new(r.number, "楼栋", "not_found"));
                }
                b
            }
        };
        let price = match cell(8).replace(',', "").as_str() {
            "" => None,
            t => {
                let fen = t.parse::<Decimal>().ok().and_then(Fen::from_yuan);
                if fen.is_none() {
                    errs.push(RowError::new(r.number, "购置价格", "invalid"));
                }
                fen.map(|f| f.0)
            }
        };
        let cycle = match cell(12).as_str() {
            "" => None,
            t => {
                let c = parse_cycle(t);
                if c.is_none() {
                    errs.push(RowError::new(r.number, "保养周期", "invalid"));
                }
                c
            }
        };
        let st = match cell(14).as_str() {
            "" => Some(EquipmentState::Running),
            t => state(t),
        };
        if st.is_none() {
            errs.push(RowError::new(r.number, "状态", "unknown_value"));
        }
        let purchased_on = date(&mut errs, r.number, "购置日期", &cell(7));
        let warranty_until = date(&mut errs, r.number, "保修截止", &cell(11));
        let last_maintained_on = date(&mut errs, r.number, "上次保养", &cell(13));
        if !errs.is_empty() {
            errors.extend(errs);
            continue;
        }
        rows.push(EquipmentRow {
            row: r.number,
            new: NewEquipment {
                project_id,
                category_id: category.unwrap_or_default(),
                code: cell(0),
                name: cell(1),
                brand: opt(&cell(3)),
                model: opt(&cell(4)),
                serial_number: opt(&cell(5)),
                supplier: opt(&cell(6)),
                purchased_on,
                purchase_price_fen: price,
                building_id,
                location: opt(&cell(10)),
                warranty_until,
                cycle_unit: cycle.map(|c| c.0),
                cycle_every: cycle.map(|c| c.1),
                last_maintained_on,
                state: st.unwrap_or(EquipmentState::Running),
            },
        });
    }
    (rows, errors)
}

/// The register for export, in the template's columns.
pub fn rows(items: &[Equipment], categories: &[Category]) -> Vec<Vec<String>> {
    let names: HashMap<Id, &str> = categories.iter().map(|c| (c.id, c.name_zh.as_str())).collect();
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    items
        .iter()
        .map(|e| {
            vec![
                e.code.clone(),
                e.name.clone(),
                names.get(&e.category_id).copied().unwrap_or_default().to_string(),
                e.brand.clone().unwrap_or_default(),
                e.model.clone().unwrap_or_default(),
                e.serial_number.clone().unwrap_or_default(),
                e.supplier.clone().unwrap_or_default(),
                d(e.purchased_on),
                e.purchase_price_fen.map(|f| Fen(f).to_string()).unwrap_or_default(),
                e.building_name.clone().unwrap_or_default(),
                e.location.clone().unwrap_or_default(),
                d(e.warranty_until),
                match (e.cycle_unit, e.cycle_every) {
                    (Some(u), Some(n)) => cycle_text(u, n),
                    _ => String::new(),
                },
                d(e.last_maintained_on),
                state_label(e.state).to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_read_and_write_the_way_offices_write_them() {
        assert_eq!(parse_cycle("每15天"), Some((CycleUnit::Day, 15)));
        assert_eq!(parse_cycle("每月"), Some((CycleUnit::Month, 1)));
        assert_eq!(parse_cycle("每3个月"), Some((CycleUnit::Month, 3)));
        assert_eq!(parse_cycle("每2周"), Some((CycleUnit::Week, 2)));
        assert_eq!(parse_cycle("每年"), Some((CycleUnit::Year, 1)));
        assert_eq!(parse_cycle("偶尔"), None);
        assert_eq!(cycle_text(CycleUnit::Day, 15), "每15天");
        assert_eq!(cycle_text(CycleUnit::Month, 3), "每3个月");
        assert_eq!(cycle_text(CycleUnit::Year, 1), "每年");
    }
}
