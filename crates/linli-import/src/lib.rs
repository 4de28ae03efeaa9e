//! Spreadsheets in and out: reading CSV (UTF-8 or GBK, as Excel in China saves it) and XLSX into
//! rows of text with their spreadsheet row numbers, writing XLSX for exports and templates, and
//! the per-row report of an import. Knows nothing of houses or people: each module maps rows.

mod read;
mod report;
mod write;

pub use read::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_UNZIPPED_BYTES, Sheet, SheetRow, read_sheet};
pub use report::{EXPORT_MAX, ImportCounts, ImportReport, ImportSummary, RowError, report};
pub use write::{Column, write_xlsx};
