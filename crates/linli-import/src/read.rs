use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use linli_core::{Code, Error, FieldError, Result, text};

/// The most data rows (besides the header) one spreadsheet read takes.
pub const MAX_ROWS: usize = 200_000;
/// The rightmost column a cell may be in (column CV); templates use about twenty.
pub const MAX_COLUMNS: usize = 100;
/// The most cells, counted as rows × their width, one read holds: what bounds its memory.
pub const MAX_CELLS: usize = 3_000_000;
/// The most an XLSX may unpack to, all its parts together. A 200,000-row sheet is ~60 MB of XML.
pub const MAX_UNZIPPED_BYTES: u64 = 128 * 1024 * 1024;
/// The most parts an XLSX may have (a workbook from Excel has a dozen or two).
const MAX_ZIP_ENTRIES: usize = 1_000;

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

/// Reads the first worksheet of an XLSX file, or a CSV file, by its name's extension (or its
/// content when the name says nothing). Fully empty rows are skipped. The one reader every import
/// uses: a file beyond `MAX_UNZIPPED_BYTES`, `MAX_ROWS`, `MAX_COLUMNS` or `MAX_CELLS` is refused
/// with `Error::TooLarge` (413) while reading, so memory stays bounded whatever the file claims.
/// Old binary XLS, XLSB and ODS are refused (`file: unsupported_type`): their readers build the
/// whole sheet at once, sized by the cells' positions, which a small file can make huge.
pub fn read_sheet(file_name: &str, bytes: &[u8]) -> Result<Sheet> {
    let ext = std::path::Path::new(file_name).extension().and_then(|e| e.to_str()).map(str::to_lowercase);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let mut grid = if ext.as_deref() == Some("csv") {
        read_csv(bytes)?
    } else if is_zip && !matches!(ext.as_deref(), Some("ods" | "xlsb")) {
        read_xlsx(bytes)?
    } else if is_zip || is_ole || matches!(ext.as_deref(), Some("xls" | "xlsb" | "ods")) {
        return Err(Error::invalid("file", "unsupported_type"));
    } else {
        read_csv(bytes)?
    };
    if grid.header.is_empty() {
        return Err(Error::invalid("file", "empty"));
    }
    if grid.header.iter().all(String::is_empty) {
        return Err(Error::invalid("file", "no_header"));
    }
    refuse_control_characters(&grid)?;
    let rows = std::mem::take(&mut grid.rows).into_iter().map(|(number, cells)| SheetRow { number, cells }).collect();
    Ok(Sheet { headers: grid.header, rows })
}

/// The most cells holding a control character one refusal lists.
const MAX_CONTROL_ERRORS: usize = 20;

/// Cells are free text as request fields are (`linli_core::text`): a cell may break lines (Alt+Enter
/// in Excel), but no other control character reaches a name. Refused as `file[<row>].<header>`
/// field errors, so the office sees where.
fn refuse_control_characters(grid: &Grid) -> Result<()> {
    let header_name = |i: usize| grid.header.get(i).map_or_else(|| format!("#{}", i + 1), |h| h.trim().to_string());
    let lines = std::iter::once((1, &grid.header)).chain(grid.rows.iter().map(|(n, c)| (*n, c)));
    let errors: Vec<FieldError> = lines
        .flat_map(|(n, cells)| {
            cells.iter().enumerate().filter(|(_, c)| text::has_control_character(c, true)).map(move |(i, _)| (n, i))
        })
        .take(MAX_CONTROL_ERRORS)
        .map(|(n, i)| FieldError::new(format!("file[{n}].{}", header_name(i)), text::CONTROL_CHARACTER))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
}

/// The header row and the non-empty rows after it with their spreadsheet row numbers, held
/// within the limits.
#[derive(Default)]
struct Grid {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    cells: usize,
}

impl Grid {
    /// Adds a row (the first one is the header); empty rows only count.
    fn push(&mut self, number: usize, mut cells: Vec<String>, first: bool) -> Result<()> {
        // Trailing empty cells (`a,b,,,,`) say nothing: a missing cell reads as empty.
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.len() > MAX_COLUMNS {
            return Err(Error::TooLarge(Code::SpreadsheetTooLarge));
        }
        self.cells += cells.len();
        if self.cells > MAX_CELLS {
            return Err(Error::TooLarge(Code::SpreadsheetTooLarge));
        }
        if first {
            self.header = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            if self.rows.len() == MAX_ROWS {
                return Err(Error::TooLarge(Code::TooManyRows));
            }
            self.rows.push((number, cells));
        }
        Ok(())
    }
}

/// UTF-8 (with or without BOM), else GB18030, the superset of GBK that Excel uses for CSV in China.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Grid> {
    // Excel shows a blank line as an empty row, so it must count; the parser would skip it.
    let decoded = decode(bytes);
    let mut text = String::with_capacity(decoded.len() + 64);
    for (i, line) in decoded.split('\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        text.push_str(if line.is_empty() { "," } else { line });
    }
    drop(decoded);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_end_matches([',', '\n']).as_bytes());
    let mut grid = Grid::default();
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    while r.read_record(&mut record).map_err(spreadsheet)? {
        number += 1;
        grid.push(number, record.iter().map(|c| c.trim().to_string()).collect(), number == 1)?;
    }
    Ok(grid)
}

/// A file whose bytes are not the spreadsheet its name says: the request was read, the file in
/// it is refused (its content is nothing a request's schema can describe).
#[allow(clippy::needless_pass_by_value)] // used as a map_err function
fn spreadsheet(_e: impl std::fmt::Display) -> Error {
    Error::invalid("file", "unreadable")
}

/// Refuses an archive that unpacks beyond `MAX_UNZIPPED_BYTES` by the sizes it declares,
/// before inflating anything. A crafted archive that declares less than it holds gets no
/// further: the zip reader stops each part one byte past its declared size with an error.
fn check_zip(bytes: &[u8]) -> Result<()> {
    let too_large = || Error::TooLarge(Code::SpreadsheetTooLarge);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(spreadsheet)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(too_large());
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        declared = declared.saturating_add(zip.by_index_raw(i).map_err(spreadsheet)?.size());
    }
    if declared > MAX_UNZIPPED_BYTES {
        return Err(too_large());
    }
    Ok(())
}

/// Streams the first sheet's cells (calamine's cell reader), so only the kept text is held.
fn read_xlsx(bytes: &[u8]) -> Result<Grid> {
    check_zip(bytes)?;
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(spreadsheet)?;
    let name = wb.sheet_names().into_iter().next().ok_or_else(|| Error::invalid("file", "no_sheet"))?;
    let mut reader = wb.worksheet_cells_reader(&name).map_err(spreadsheet)?;
    // Absolute positions first: the grid starts at the leftmost used column, known at the end.
    let mut rows: Vec<(u32, Vec<(u32, String)>)> = Vec::new();
    let (mut cells, mut min_col) = (0usize, u32::MAX);
    while let Some(cell) = reader.next_cell().map_err(spreadsheet)? {
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        cells += 1;
        if col as usize >= MAX_COLUMNS || cells > MAX_CELLS {
            return Err(Error::TooLarge(Code::SpreadsheetTooLarge));
        }
        min_col = min_col.min(col);
        match rows.last_mut() {
            Some((r, row_cells)) if *r == row => row_cells.push((col, text)),
            _ => {
                // The header and MAX_ROWS data rows; one more is refused without reading on.
                if rows.len() > MAX_ROWS {
                    return Err(Error::TooLarge(Code::TooManyRows));
                }
                rows.push((row, vec![(col, text)]));
            }
        }
    }
    // Rows come in order in files Excel writes; sort in case another writer did not.
    rows.sort_by_key(|(r, _)| *r);
    let mut grid = Grid::default();
    for (i, (row, row_cells)) in rows.into_iter().enumerate() {
        let width = row_cells.iter().map(|(c, _)| (c - min_col) as usize + 1).max().unwrap_or(0);
        let mut dense = vec![String::new(); width];
        for (c, text) in row_cells {
            dense[(c - min_col) as usize] = text;
        }
        grid.push(row as usize + 1, dense, i == 0)?;
    }
    Ok(grid)
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
    fn a_cell_with_a_control_character_is_refused_with_its_place() {
        let bad = "姓名,备注\n张\u{7}伟,ok\n李四,\"两行\n备注\"\n王\u{1b}五,x\n";
        match read_sheet("p.csv", bad.as_bytes()) {
            Err(Error::Validation(errs)) => {
                let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["file[2].姓名", "file[4].姓名"], "rows are counted as records");
                assert!(errs.iter().all(|e| e.code == "control_character"));
            }
            other => panic!("{other:?}"),
        }
    }

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

    /// An XLSX whose first sheet's XML is `rows` rows of `cells_per_row` inline strings: a few
    /// hundred kilobytes zipped whatever its unzipped size.
    fn xlsx_with_rows(rows: usize, cells_per_row: usize) -> Vec<u8> {
        use std::io::Write;
        use zip::write::SimpleFileOptions;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
        ];
        for (name, xml) in parts {
            w.start_file(name, opts).unwrap();
            w.write_all(xml.as_bytes()).unwrap();
        }
        w.start_file("xl/worksheets/sheet1.xml", opts.large_file(true)).unwrap();
        w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
        let cell = r#"<c t="inlineStr"><is><t>1栋</t></is></c>"#;
        let row = format!("<row>{}</row>", cell.repeat(cells_per_row));
        for _ in 0..rows {
            w.write_all(row.as_bytes()).unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
        w.finish().unwrap().into_inner()
    }

    fn too_large(r: Result<Sheet>) -> Code {
        match r {
            Err(Error::TooLarge(code)) => code,
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_by_its_declared_size_before_anything_is_inflated() {
        // ~150 MB of sheet XML in well under a megabyte.
        let bomb = xlsx_with_rows(700_000, 5);
        assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
        let started = std::time::Instant::now();
        assert_eq!(too_large(read_sheet("bomb.xlsx", &bomb)), Code::SpreadsheetTooLarge);
        // Reading the sizes is instant; inflating 150 MB would not be (not asserted: no timing in tests).
        eprintln!("refused in {:?}", started.elapsed());
    }

    #[test]
    fn a_zip_that_declares_less_than_it_holds_is_refused_at_its_declared_size() {
        let mut bytes = xlsx_with_rows(20_000, 5);
        // Make the sheet claim 1,000 bytes in its local header and in the central directory.
        let name = b"xl/worksheets/sheet1.xml";
        let mut patched = 0;
        for i in 0..bytes.len() - 4 {
            let (size_at, name_at) = match &bytes[i..i + 4] {
                b"PK\x03\x04" => (22, 30),
                b"PK\x01\x02" => (24, 46),
                _ => continue,
            };
            if bytes.get(i + name_at..i + name_at + name.len()) == Some(name) {
                bytes[i + size_at..i + size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
                patched += 1;
            }
        }
        assert!(patched >= 2, "patched {patched} headers");
        // Reading stops at the declared size, so the file does not read: refused as unreadable.
        match read_sheet("liar.xlsx", &bytes) {
            Err(Error::Validation(errs)) => assert_eq!(errs, [linli_core::FieldError::new("file", "unreadable")]),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn rows_beyond_the_limit_are_refused_in_csv_and_xlsx() {
        let mut csv = String::from("房号\n");
        for i in 0..=MAX_ROWS {
            csv.push_str(&i.to_string());
            csv.push('\n');
        }
        assert_eq!(too_large(read_sheet("many.csv", csv.as_bytes())), Code::TooManyRows);
        let exactly = &csv[..csv.len() - format!("{MAX_ROWS}\n").len()];
        assert_eq!(read_sheet("max.csv", exactly.as_bytes()).unwrap().rows.len(), MAX_ROWS);

        // The first row is the header.
        let xlsx = xlsx_with_rows(MAX_ROWS + 2, 1);
        assert_eq!(too_large(read_sheet("many.xlsx", &xlsx)), Code::TooManyRows);
        assert_eq!(read_sheet("max.xlsx", &xlsx_with_rows(MAX_ROWS + 1, 1)).unwrap().rows.len(), MAX_ROWS);
    }

    #[test]
    fn a_cell_far_to_the_right_is_refused_and_one_far_down_costs_nothing() {
        let mut far_down = rust_xlsxwriter::Workbook::new();
        let ws = far_down.add_worksheet();
        ws.write_string(0, 0, "楼栋").unwrap();
        ws.write_string(1_000_000, 0, "9栋").unwrap();
        let s = read_sheet("down.xlsx", &far_down.save_to_buffer().unwrap()).unwrap();
        assert_eq!((s.rows.len(), s.rows[0].number), (1, 1_000_001));

        let mut far_right = rust_xlsxwriter::Workbook::new();
        let ws = far_right.add_worksheet();
        ws.write_string(0, 0, "楼栋").unwrap();
        ws.write_string(1, 16_000, "x").unwrap();
        assert_eq!(
            too_large(read_sheet("right.xlsx", &far_right.save_to_buffer().unwrap())),
            Code::SpreadsheetTooLarge
        );
    }

    #[test]
    fn old_excel_and_ods_files_are_refused_as_unsupported() {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest-of-an-xls".to_vec();
        for (name, bytes) in [("old.xls", ole.clone()), ("noname", ole), ("sheet.ods", b"PK\x03\x04...".to_vec())] {
            match read_sheet(name, &bytes) {
                Err(Error::Validation(e)) => assert_eq!(e[0].code, "unsupported_type", "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
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
