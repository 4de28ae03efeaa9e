//! A period's readings as a spreadsheet: the sheet a reader fills in (meter number, where it is,
//! the register it is read from) and the rows an import reads back.

use std::str::FromStr;

use linli_core::Result;
use linli_import::{Column, RowError, Sheet};
use rust_decimal::Decimal;

use crate::meter::Replacement;
use crate::service::{NewReading, SheetRow};

pub const NUMBER: &str = "表号";
const PLACE: &str = "位置";
const PREVIOUS: &str = "上期读数";
const VALUE: &str = "本期读数";
const READ_ON: &str = "抄表日期";
const OLD_FINAL: &str = "旧表止码";
const NEW_INITIAL: &str = "新表起码";

/// `位置` and `上期读数` help the reader and are ignored on import.
pub const COLUMNS: [Column; 7] = [
    Column::new(NUMBER, 14.0),
    Column::new(PLACE, 20.0),
    Column::new(PREVIOUS, 12.0),
    Column::new(VALUE, 12.0),
    Column::new(READ_ON, 12.0),
    Column::new(OLD_FINAL, 12.0),
    Column::new(NEW_INITIAL, 12.0),
];

/// The template's header for a reading's field, for row errors found by the checks.
pub fn header_of(field: &str) -> &'static str {
    match field {
        "meter_id" => NUMBER,
        "value" => VALUE,
        "read_on" => READ_ON,
        "replacement.old_final" => OLD_FINAL,
        "replacement.new_initial" => NEW_INITIAL,
        _ => "",
    }
}

fn quantity(errs: &mut Vec<RowError>, row: usize, header: &str, s: &str) -> Option<Decimal> {
    if s.is_empty() {
        return None;
    }
    let d = Decimal::from_str(s).ok();
    if d.is_none() {
        errs.push(RowError::new(row, header, "invalid_number"));
    }
    d
}

/// The rows that read as readings (with their row numbers) and the errors of the others.
pub fn parse(sheet: &Sheet) -> (Vec<(usize, NewReading)>, Vec<RowError>) {
    let col = |h| sheet.column(h);
    let (number, value, read_on, old_final, new_initial) =
        (col(NUMBER), col(VALUE), col(READ_ON), col(OLD_FINAL), col(NEW_INITIAL));
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    if number.is_none() || value.is_none() {
        let missing = if number.is_none() { NUMBER } else { VALUE };
        errors.push(RowError::new(1, missing, "missing_column"));
        return (rows, errors);
    }
    for r in &sheet.rows {
        let mut errs = Vec::new();
        let n = r.get(number);
        if n.is_empty() {
            errs.push(RowError::new(r.number, NUMBER, "required"));
        }
        let v = r.get(value);
        // A meter left blank is not read yet: nothing to import.
        if v.is_empty() && errs.is_empty() {
            continue;
        }
        let v = quantity(&mut errs, r.number, VALUE, v);
        let on = r.get(read_on);
        let on = if on.is_empty() {
            None
        } else {
            match linli_core::date::sheet_day_in(on, linli_core::date::Window::Billing, linli_core::time::today()) {
                Ok(d) => Some(d),
                Err(code) => {
                    errs.push(RowError::new(r.number, READ_ON, code));
                    None
                }
            }
        };
        let old = quantity(&mut errs, r.number, OLD_FINAL, r.get(old_final));
        let new = quantity(&mut errs, r.number, NEW_INITIAL, r.get(new_initial));
        let replacement = match (old, new) {
            (Some(old_final), Some(new_initial)) => Some(Replacement { old_final, new_initial }),
            (None, None) => None,
            (Some(_), None) => {
                errs.push(RowError::new(r.number, NEW_INITIAL, "required"));
                None
            }
            (None, Some(_)) => {
                errs.push(RowError::new(r.number, OLD_FINAL, "required"));
                None
            }
        };
        match v {
            Some(value) if errs.is_empty() => rows.push((
                r.number,
                NewReading { meter_id: None, meter_number: Some(n.to_string()), value, read_on: on, replacement },
            )),
            _ => errors.extend(errs),
        }
    }
    (rows, errors)
}

/// The reading sheet to fill in: one row per meter, with the period's reading when there is one.
pub fn write(rows: &[SheetRow]) -> Result<Vec<u8>> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let place = r
                .house_label
                .clone()
                .or_else(|| r.meter.location.clone())
                .or_else(|| r.meter.building_name.clone())
                .unwrap_or_default();
            let reading = r.reading.as_ref();
            let rep = reading.and_then(|x| x.replacement);
            vec![
                r.meter.number.clone(),
                place,
                r.previous.to_string(),
                reading.map(|x| x.value.to_string()).unwrap_or_default(),
                reading.map(|x| x.read_on.to_string()).unwrap_or_default(),
                rep.map(|x| x.old_final.to_string()).unwrap_or_default(),
                rep.map(|x| x.new_initial.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    linli_import::write_xlsx("抄表", &COLUMNS, &cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(csv: &str) -> Sheet {
        linli_import::read_sheet("r.csv", csv.as_bytes()).unwrap()
    }

    #[test]
    fn rows_read_as_readings_and_bad_ones_are_named_by_row() {
        let s = sheet(
            "表号*,位置,上期读数,本期读数*,抄表日期,旧表止码,新表起码\n\
             W-101,1栋101,100,112.5,2026-03-01,,\n\
             W-102,1栋102,50,,,,\n\
             W-103,1栋103,10,abc,2026/03/01,,\n\
             W-104,1栋104,980,9.25,,1003.5,2\n\
             W-105,1栋105,1,3,,7,\n",
        );
        let (rows, errors) = parse(&s);
        let numbers: Vec<(usize, &str)> = rows.iter().map(|(r, n)| (*r, n.meter_number.as_deref().unwrap())).collect();
        assert_eq!(numbers, [(2, "W-101"), (5, "W-104")]);
        assert_eq!(rows[0].1.value, Decimal::from_str("112.5").unwrap());
        assert_eq!(
            rows[1].1.replacement,
            Some(Replacement { old_final: Decimal::from_str("1003.5").unwrap(), new_initial: Decimal::from(2) })
        );
        assert_eq!(errors, [RowError::new(4, VALUE, "invalid_number"), RowError::new(6, NEW_INITIAL, "required")]);
    }
}
