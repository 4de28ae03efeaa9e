use linli_core::{Error, Result};
use rust_xlsxwriter::{Format, Workbook};

/// A column of an export or template: its Chinese header and width in characters.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

impl Column {
    pub const fn new(header: &'static str, width: f64) -> Self {
        Self { header, width }
    }
}

/// One worksheet with a bold, frozen header row. Cells that read as plain numbers are written
/// as numbers (so sums work in Excel); everything else as text, so `0571…` phone numbers and
/// long ID-like codes keep their digits.
pub fn write_xlsx(sheet: &str, columns: &[Column], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let e = |e: rust_xlsxwriter::XlsxError| Error::internal(format!("writing XLSX: {e}"));
    ws.set_name(sheet).map_err(e)?;
    let bold = Format::new().set_bold();
    for (c, col) in columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, col.header, &bold).map_err(e)?;
        ws.set_column_width(c, col.width).map_err(e)?;
    }
    ws.set_freeze_panes(1, 0).map_err(e)?;
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            match as_number(cell) {
                Some(n) => ws.write_number(r, c as u16, n).map_err(e)?,
                None => ws.write_string(r, c as u16, cell).map_err(e)?,
            };
        }
    }
    wb.save_to_buffer().map_err(e)
}

/// Short decimal numbers only: leading zeros, long digit strings and phone numbers stay text.
fn as_number(s: &str) -> Option<f64> {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let plain = !s.is_empty()
        && digits <= 12
        && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && !(s.starts_with('0') && s.len() > 1 && !s.starts_with("0."));
    if plain { s.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::as_number;

    #[test]
    fn only_plain_numbers_become_numbers() {
        assert_eq!(as_number("89.47"), Some(89.47));
        assert_eq!(as_number("-3"), Some(-3.0));
        assert_eq!(as_number("0571"), None);
        assert_eq!(as_number("13800001111"), Some(13_800_001_111.0));
        assert_eq!(as_number("110101199003074477"), None);
        assert_eq!(as_number("1栋"), None);
    }
}
