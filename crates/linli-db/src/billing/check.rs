//! `linli check ledger`: every entry's seal, and every cache against the sum of its entries.

use std::collections::HashMap;

use linli_billing::{EntryKind, LedgerCheck, Seal, Sealed};
use linli_core::{Fen, Id, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{bill, house_balance, ledger_entry, payment};
use crate::error::OrInternal;

const BATCH: u64 = 5000;

#[derive(Default)]
struct Sums {
    principal: i64,
    late_fee: i64,
    charged: i64,
}

pub(crate) async fn check(c: &impl ConnectionTrait, seal: &Seal) -> Result<LedgerCheck> {
    let mut out = LedgerCheck::default();
    let mut bills: HashMap<Id, Sums> = HashMap::new();
    let mut balances: HashMap<(Id, Id), i64> = HashMap::new();
    let mut paid: HashMap<Id, i64> = HashMap::new();
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
        for e in rows {
            out.entries += 1;
            let kind = EntryKind::parse(&e.kind);
            let sealed = kind.is_some_and(|kind| {
                seal.verify(
                    &Sealed {
                        key: &e.entry_key,
                        project_id: e.project_id,
                        house_id: e.house_id,
                        bill_id: e.bill_id,
                        fee_item_id: e.fee_item_id,
                        kind,
                        principal: Fen(e.principal_fen),
                        late_fee: Fen(e.late_fee_fen),
                        balance: Fen(e.balance_fen),
                        earmark: e.earmark,
                        effective_on: e.effective_on,
                    },
                    &e.seal,
                )
            });
            if !sealed {
                out.bad_seals.push(e.id);
            }
            if let Some(b) = e.bill_id {
                let s = bills.entry(b).or_default();
                s.principal += e.principal_fen;
                s.late_fee += e.late_fee_fen;
                if kind == Some(EntryKind::Charge) {
                    s.charged += e.principal_fen;
                }
            }
            if e.balance_fen != 0 {
                *balances.entry((e.house_id, e.earmark)).or_default() += e.balance_fen;
            }
            if kind == Some(EntryKind::Payment)
                && let Some(p) = e.payment_id
            {
                *paid.entry(p).or_default() += e.balance_fen;
            }
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
            out.bills += 1;
            let s = bills.remove(&id).unwrap_or_default();
            if s.charged != amount || s.principal != principal || s.late_fee != late_fee {
                out.bill_mismatches.push(id);
            }
        }
    }
    // Entries naming bills that no longer exist.
    out.bill_mismatches.extend(bills.keys().copied());

    for b in house_balance::Entity::find().all(c).await.or_internal()? {
        let derived = balances.remove(&(b.house_id, b.fee_item_id)).unwrap_or(0);
        if derived != b.amount_fen || b.amount_fen < 0 {
            out.balance_mismatches.push(b.house_id);
        }
    }
    out.balance_mismatches.extend(balances.into_iter().filter(|(_, v)| *v != 0).map(|((h, _), _)| h));

    for p in payment::Entity::find().all(c).await.or_internal()? {
        if paid.remove(&p.id).unwrap_or(0) != p.amount_fen {
            out.payment_mismatches.push(p.id);
        }
    }
    out.bad_seals.sort_unstable();
    out.bill_mismatches.sort_unstable();
    out.balance_mismatches.sort_unstable();
    out.balance_mismatches.dedup();
    Ok(out)
}
