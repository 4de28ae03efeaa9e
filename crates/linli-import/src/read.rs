use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use linli_core::{Error, Result};

/// One data row: its number as the spreadsheet shows it (the header is row 1) and its cells,
/// trimmed, by header.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub number: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
}

impl Sheet {
    /// The column index of a header, ignoring surrounding spaces and a `*` required mark.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h.trim().trim_end_matches('*').trim() == header)
    }
}

impl SheetRow {
    pub fn get(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.cells.get(c)).map_or("", String::as_str)
    }
}

/// Reads the first worksheet of an XLSX/XLS/ODS file, or a CSV file, by its name's extension
/// (or its content when the name says nothing). Fully empty rows are skipped.
pub fn read_sheet(file_name: &str, bytes: &[u8]) -> Result<Sheet> {
    let ext = std::path::Path::new(file_name).extension().and_then(|e| e.to_str()).map(str::to_lowercase);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let grid = if ext.as_deref() == Some("csv") || (!is_zip && ext.as_deref() != Some("xls")) {
        read_csv(bytes)?
    } else {
        read_workbook(bytes)?
    };
    let mut rows = grid.into_iter();
    let headers = rows.next().map(|(_, h)| h).ok_or_else(|| Error::invalid("file", "empty"))?;
    if headers.iter().all(String::is_empty) {
        return Err(Error::invalid("file", "no_header"));
    }
    let rows = rows
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .map(|(number, cells)| SheetRow { number, cells })
        .collect();
    Ok(Sheet { headers, rows })
}

/// UTF-8 (with or without BOM), else GB18030, the superset of GBK that Excel uses for CSV in China.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Rows with their line numbers (blank lines are skipped by the parser but keep the count).
type Grid = Vec<(usize, Vec<String>)>;

fn read_csv(bytes: &[u8]) -> Result<Grid> {
    // Excel shows a blank line as an empty row, so it must count; the parser would skip it.
    let text: String = decode(bytes)
        .replace("\r\n", "\n")
        .split('\n')
        .map(|l| if l.is_empty() { "," } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_end_matches([',', '\n']).as_bytes());
    r.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.map_err(|e| Error::Malformed(format!("CSV: {e}")))?;
            Ok((i + 1, rec.iter().map(|c| c.trim().to_string()).collect()))
        })
        .collect()
}

fn read_workbook(bytes: &[u8]) -> Result<Grid> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| Error::Malformed(format!("spreadsheet: {e}")))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| Error::invalid("file", "no_sheet"))?
        .map_err(|e| Error::Malformed(format!("spreadsheet: {e}")))?;
    let first = range.start().map_or(0, |(r, _)| r as usize);
    Ok(range.rows().enumerate().map(|(i, r)| (first + i + 1, r.iter().map(cell_text).collect())).collect())
}

/// Cells as the person typed them: numbers without a trailing `.0`, dates as `YYYY-MM-DD`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel's serial day number (1900 system) to `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    // Day 60 is Excel's fictitious 1900-02-29; serials after it are one day ahead.
    let offset = if days > 60 { days - 1 } else { days };
    let (mut y, mut d) = (1900i64, offset - 1);
    loop {
        let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let months = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{y:04}-{:02}-{:02}", m + 1, d + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_bom_or_gbk_reads_the_same() {
        let utf8 = "\u{feff}楼栋,房号\n1栋,301\n\n2栋,302\n".as_bytes().to_vec();
        let (gbk, _, _) = encoding_rs::GBK.encode("楼栋,房号\n1栋,301\n\n2栋,302\n");
        for bytes in [utf8, gbk.into_owned()] {
            let s = read_sheet("houses.csv", &bytes).unwrap();
            assert_eq!(s.headers, ["楼栋", "房号"]);
            assert_eq!(s.rows.len(), 2);
            assert_eq!(s.rows[1].number, 4, "the blank line keeps its number");
            assert_eq!(s.rows[1].get(s.column("房号")), "302");
        }
    }

    #[test]
    fn excel_serial_dates_convert_to_iso_dates() {
        assert_eq!(excel_date(1.0), "1900-01-01");
        assert_eq!(excel_date(61.0), "1900-03-01");
        assert_eq!(excel_date(45_658.0), "2025-01-01");
        assert_eq!(excel_date(46_082.0), "2026-03-01");
    }

    #[test]
    fn an_xlsx_written_here_reads_back_with_numbers_as_typed() {
        let cols =
            [crate::Column::new("楼栋", 10.0), crate::Column::new("建筑面积", 10.0), crate::Column::new("楼层", 6.0)];
        let bytes = crate::write_xlsx("房屋", &cols, &[vec!["1栋".into(), "89.47".into(), "3".into()]]).unwrap();
        let s = read_sheet("x.xlsx", &bytes).unwrap();
        assert_eq!(s.headers, ["楼栋", "建筑面积", "楼层"]);
        assert_eq!(s.rows[0].cells, ["1栋", "89.47", "3"]);
        assert_eq!(s.rows[0].number, 2);
    }
}
