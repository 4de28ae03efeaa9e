use serde::Serialize;

/// One rejected row: where (as the spreadsheet numbers it) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    /// The header of the offending column, or empty for the whole row.
    pub column: String,
    /// A stable code the web app translates, e.g. `must_be_positive`, `required`.
    pub code: String,
}

impl RowError {
    pub fn new(row: usize, column: &str, code: &str) -> Self {
        Self { row, column: column.to_string(), code: code.to_string() }
    }
}

/// What an import did (or, on a dry run, would do). Valid rows are imported even when others
/// fail; importing the same file again reports them as unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: String,
    pub dry_run: bool,
    pub total_rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub errors: Vec<RowError>,
}

/// What an import's summary audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed_rows: usize,
}

impl ImportReport {
    pub fn summary(&self) -> ImportSummary {
        ImportSummary {
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            failed_rows: self.failed,
        }
    }
}

/// Rows in one export; a larger community exports by building.
pub const EXPORT_MAX: u64 = 200_000;

/// What storage did with an import's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

impl ImportCounts {
    /// The summary audit row's counts; `failed_rows` counts the rows storage refused.
    pub fn summary(&self) -> ImportSummary {
        ImportSummary {
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            failed_rows: self.errors.len(),
        }
    }
}

/// Folds counts and errors into the report; a row with several errors counts once as failed.
pub fn report(
    kind: &str,
    dry_run: bool,
    total_rows: usize,
    counts: ImportCounts,
    mut errors: Vec<RowError>,
) -> ImportReport {
    errors.extend(counts.errors);
    errors.sort_by_key(|e| e.row);
    let mut failed_rows: Vec<usize> = errors.iter().map(|e| e.row).filter(|r| *r > 1).collect();
    failed_rows.dedup();
    ImportReport {
        kind: kind.to_string(),
        dry_run,
        total_rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        failed: failed_rows.len(),
        errors,
    }
}
