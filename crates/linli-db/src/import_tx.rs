//! The end of every bulk import: the summary audit row, all audit rows at once, then commit, or
//! roll back for a dry run so that it reports exactly what a real run would do.

use linli_core::{AuditEvent, Result};
use linli_import::ImportCounts;
use sea_orm::DatabaseTransaction;

use crate::audit;
use crate::error::OrInternal;

pub(crate) async fn finish(
    tx: DatabaseTransaction,
    mut audits: Vec<AuditEvent>,
    mut summary: AuditEvent,
    counts: &ImportCounts,
    dry_run: bool,
) -> Result<()> {
    summary.after = Some(serde_json::json!({
        "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
        "failed_rows": counts.errors.len(),
    }));
    audits.push(summary);
    audit::write_many(&tx, audits).await?;
    if dry_run { tx.rollback().await.or_internal() } else { tx.commit().await.or_internal() }
}
