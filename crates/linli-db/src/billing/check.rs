//! `linli check ledger`: streams every entry, bill, balance and payment into the check's tally
//! (`linli_billing::ledger_check`), in batches so a large ledger never sits in memory at once.

use linli_billing::ledger_check::{StoredEntry, Tally};
use linli_billing::{EntryKind, LedgerCheck, Seal};
use linli_core::{Fen, Id, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{bill, house_balance, ledger_entry, payment};
use crate::error::OrInternal;

const BATCH: u64 = 5000;

pub(crate) async fn check(c: &impl ConnectionTrait, seal: &Seal) -> Result<LedgerCheck> {
    let mut tally = Tally::default();
    let mut after = 0;
    loop {
        let rows = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::Id.gt(after))
            .order_by_asc(ledger_entry::Column::Id)
            .limit(BATCH)
            .all(c)
            .await
            .or_internal()?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for e in &rows {
            let stored = StoredEntry {
                id: e.id,
                key: &e.entry_key,
                seal: &e.seal,
                project_id: e.project_id,
                house_id: e.house_id,
                bill_id: e.bill_id,
                fee_item_id: e.fee_item_id,
                kind: EntryKind::parse(&e.kind),
                principal: Fen(e.principal_fen),
                late_fee: Fen(e.late_fee_fen),
                balance: Fen(e.balance_fen),
                earmark: e.earmark,
                effective_on: e.effective_on,
                payment_id: e.payment_id,
            };
            tally.entry(seal, &stored);
        }
    }

    let mut after = 0;
    loop {
        let rows: Vec<(Id, i64, i64, i64)> = bill::Entity::find()
            .select_only()
            .columns([
                bill::Column::Id,
                bill::Column::AmountFen,
                bill::Column::PrincipalDueFen,
                bill::Column::LateFeeDueFen,
            ])
            .filter(bill::Column::Id.gt(after))
            .order_by_asc(bill::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(c)
            .await
            .or_internal()?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        for (id, amount, principal, late_fee) in rows {
            tally.bill(id, Fen(amount), Fen(principal), Fen(late_fee));
        }
    }
    for b in house_balance::Entity::find().all(c).await.or_internal()? {
        tally.balance(b.house_id, b.fee_item_id, Fen(b.amount_fen));
    }
    for p in payment::Entity::find().all(c).await.or_internal()? {
        tally.payment(p.id, Fen(p.amount_fen));
    }
    Ok(tally.finish())
}
