//! Houses as spreadsheet rows: the template's columns, reading rows into checked values, and
//! writing the house list for export. Buildings and units are named, not numbered, so a property
//! office can fill the sheet from its own records.

use linli_core::Area;
use linli_import::{Column, RowError, Sheet};

use crate::{House, HouseState, HouseUsage};

pub const COLUMNS: [Column; 10] = [
    Column::new("楼栋", 10.0),
    Column::new("单元", 10.0),
    Column::new("房号", 10.0),
    Column::new("楼层", 8.0),
    Column::new("户型", 10.0),
    Column::new("建筑面积", 12.0),
    Column::new("套内面积", 12.0),
    Column::new("朝向", 8.0),
    Column::new("用途", 10.0),
    Column::new("状态", 10.0),
];

/// The example row of the template.
pub fn example() -> Vec<String> {
    ["1栋", "1单元", "301", "3", "3室2厅", "89.47", "72.10", "南北", "住宅", "空置"].map(String::from).to_vec()
}

pub fn usage_label(u: HouseUsage) -> &'static str {
    match u {
        HouseUsage::Residential => "住宅",
        HouseUsage::Shop => "商铺",
        HouseUsage::Office => "办公",
        HouseUsage::Parking => "车位",
        HouseUsage::Storage => "储藏室",
    }
}

pub fn state_label(s: HouseState) -> &'static str {
    match s {
        HouseState::Vacant => "空置",
        HouseState::Occupied => "已入住",
        HouseState::UnderRenovation => "装修中",
        HouseState::ForRent => "待租",
    }
}

fn usage(s: &str) -> Option<HouseUsage> {
    HouseUsage::ALL.iter().copied().find(|u| usage_label(*u) == s || u.as_str() == s)
}

fn state(s: &str) -> Option<HouseState> {
    HouseState::ALL.iter().copied().find(|x| state_label(*x) == s || x.as_str() == s)
}

/// A row that passed the checks that need nothing but the row itself.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseRow {
    pub row: usize,
    pub building: String,
    pub unit: Option<String>,
    pub number: String,
    pub floor: i32,
    pub layout: Option<String>,
    pub gross_area: Area,
    pub inner_area: Option<Area>,
    pub orientation: Option<String>,
    pub usage: HouseUsage,
    /// Blank in the sheet: a new house is vacant, an existing one keeps its state (which moving
    /// in and out maintains).
    pub state: Option<HouseState>,
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Checked rows and the errors of the others; a header missing from the sheet fails every row.
pub fn parse(sheet: &Sheet) -> (Vec<HouseRow>, Vec<RowError>) {
    let col = |i: usize| sheet.column(COLUMNS[i].header);
    let missing: Vec<&str> = [0, 2, 3, 5].iter().filter(|i| col(**i).is_none()).map(|i| COLUMNS[*i].header).collect();
    if !missing.is_empty() {
        let errors = missing.iter().map(|h| RowError::new(1, h, "missing_column")).collect();
        return (Vec::new(), errors);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for r in &sheet.rows {
        let cell = |i: usize| r.get(col(i)).trim();
        let mut errs = Vec::new();
        let mut req = |i: usize| {
            let v = cell(i);
            if v.is_empty() {
                errs.push(RowError::new(r.number, COLUMNS[i].header, "required"));
            }
            v.to_string()
        };
        let (building, number, floor_text, gross_text) = (req(0), req(2), req(3), req(5));
        let floor = floor_text.trim_end_matches(['层', 'F', 'f']).parse::<i32>();
        if floor.as_ref().is_ok_and(|f| *f == 0) || (floor.is_err() && !floor_text.is_empty()) {
            errs.push(RowError::new(r.number, COLUMNS[3].header, "invalid"));
        }
        let gross = Area::parse_str(&gross_text);
        if let (Err(code), false) = (&gross, gross_text.is_empty()) {
            errs.push(RowError::new(r.number, COLUMNS[5].header, code));
        }
        let inner = match cell(6) {
            "" => Ok(None),
            t => Area::parse_str(t).map(Some),
        };
        if let Err(code) = &inner {
            errs.push(RowError::new(r.number, COLUMNS[6].header, code));
        }
        if let (Ok(g), Ok(Some(i))) = (&gross, &inner)
            && i > g
        {
            errs.push(RowError::new(r.number, COLUMNS[6].header, "exceeds_gross_area"));
        }
        let usage = match cell(8) {
            "" => Some(HouseUsage::Residential),
            t => usage(t),
        };
        if usage.is_none() {
            errs.push(RowError::new(r.number, COLUMNS[8].header, "unknown_value"));
        }
        let st = match cell(9) {
            "" => Some(None),
            t => state(t).map(Some),
        };
        if st.is_none() {
            errs.push(RowError::new(r.number, COLUMNS[9].header, "unknown_value"));
        }
        for (i, max) in [(0, 50), (1, 30), (2, 20), (4, 20), (7, 10)] {
            if cell(i).chars().count() > max {
                errs.push(RowError::new(r.number, COLUMNS[i].header, "too_long"));
            }
        }
        if !errs.is_empty() {
            errors.extend(errs);
            continue;
        }
        rows.push(HouseRow {
            row: r.number,
            building,
            unit: opt(cell(1)),
            number,
            floor: floor.unwrap_or(1),
            layout: opt(cell(4)),
            gross_area: gross.unwrap_or_default(),
            inner_area: inner.unwrap_or(None),
            orientation: opt(cell(7)),
            usage: usage.unwrap_or(HouseUsage::Residential),
            state: st.flatten(),
        });
    }
    (rows, errors)
}

/// The house list as export rows, in the template's columns (so an export can be re-imported).
pub fn rows(houses: &[House]) -> Vec<Vec<String>> {
    houses
        .iter()
        .map(|h| {
            vec![
                h.building_name.clone(),
                h.unit_name.clone().unwrap_or_default(),
                h.number.clone(),
                h.floor.to_string(),
                h.layout.clone().unwrap_or_default(),
                h.gross_area.to_string(),
                h.inner_area.map(|a| a.to_string()).unwrap_or_default(),
                h.orientation.clone().unwrap_or_default(),
                usage_label(h.usage).to_string(),
                state_label(h.state).to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_import::read_sheet;

    #[test]
    fn good_rows_parse_and_bad_rows_report_row_column_and_code() {
        let csv = "楼栋,单元,房号,楼层,户型,建筑面积,套内面积,朝向,用途,状态\n\
                   1栋,1单元,301,3,3室2厅,89.47,72.10,南北,住宅,空置\n\
                   1栋,,S01,1,,120,,,商铺,\n\
                   1栋,1单元,302,3,,0,,,住宅,空置\n\
                   ,1单元,303,三,,80,90,,别墅,闹鬼\n";
        let sheet = read_sheet("h.csv", csv.as_bytes()).unwrap();
        let (rows, errors) = parse(&sheet);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].gross_area.hundredths(), 8947);
        assert_eq!(rows[1].unit, None);
        assert_eq!(rows[1].usage, HouseUsage::Shop);
        let got: Vec<(usize, &str, &str)> =
            errors.iter().map(|e| (e.row, e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(
            got,
            [
                (4, "建筑面积", "must_be_positive"),
                (5, "楼栋", "required"),
                (5, "楼层", "invalid"),
                (5, "套内面积", "exceeds_gross_area"),
                (5, "用途", "unknown_value"),
                (5, "状态", "unknown_value"),
            ]
        );
    }

    #[test]
    fn a_sheet_without_required_headers_is_refused_once() {
        let sheet = read_sheet("h.csv", "楼栋,房号\n1栋,301\n".as_bytes()).unwrap();
        let (rows, errors) = parse(&sheet);
        assert!(rows.is_empty());
        assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["楼层", "建筑面积"]);
    }
}
