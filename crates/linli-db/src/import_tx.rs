//! The end of every bulk import: all audit rows at once with the summary row last, then commit,
//! or roll back for a dry run so that it reports exactly what a real run would do. The summary
//! is only ever written here, inside the transaction that made the change.

use linli_core::{AuditEvent, Result};
use sea_orm::DatabaseTransaction;

use crate::audit;
use crate::error::OrInternal;

pub(crate) async fn finish(
    tx: DatabaseTransaction,
    mut audits: Vec<AuditEvent>,
    summary: AuditEvent,
    dry_run: bool,
) -> Result<()> {
    audits.push(summary);
    audit::write_many(&tx, audits).await?;
    if dry_run { tx.rollback().await.or_internal() } else { tx.commit().await.or_internal() }
}
