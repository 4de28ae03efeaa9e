//! Money in: a payment at the counter (or from a channel) lands in the house's prepaid balance,
//! late fees accrued up to the day it is recorded are posted, and the balance pays open bills in
//! the project's order as of that day. Money that arrived earlier (补录) lowers no late fee by
//! itself: per bill whose principal it paid, the fee the earlier day would have saved is
//! proposed as a waiver for someone else to approve. One transaction; the same idempotency key
//! answers the same receipt.

use std::collections::HashMap;

use chrono::{NaiveDate, SubsecRound, Utc};
use linli_billing::spending::{self, OpenBill, Spender};
use linli_billing::{
    Adjustment, AllocationOrder, Backdated, EntryKind, NewEntry, NewPayment, Open, Payment, PaymentChannel,
    PostedEntry, Receipt, Seal, backdating_saving, paid_by, principal_changes,
};
use linli_core::time::date_of;
use linli_core::{AuditEvent, Code, Error, Fen, Granted, Id, Result};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
};

use super::bills::{accrued, entries_of, open_bills_of, rule};
use super::ledger::{balances, balances_of, lock_house, lock_houses, post, post_all};
use crate::entity::{bill, house, ledger_entry, payment};
use crate::error::OrInternal;
use crate::{Db, audit};

fn payment_view(p: payment::Model) -> Payment {
    Payment {
        id: p.id,
        project_id: p.project_id,
        house_id: p.house_id,
        receipt_no: p.receipt_no,
        amount_fen: Fen(p.amount_fen),
        channel: PaymentChannel::parse(&p.channel).unwrap_or(PaymentChannel::Cash),
        received_on: p.received_on,
        earmark_fee_item_id: p.earmark_fee_item_id,
        payer: p.payer,
        note: p.note,
        created_at: p.created_at,
    }
}

/// The receipt of a payment already recorded (its key sent again), rebuilt from its entries.
async fn receipt_of(c: &impl ConnectionTrait, p: payment::Model) -> Result<Receipt> {
    let entries: Vec<NewEntry> = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::PaymentId.eq(p.id))
        .order_by_asc(ledger_entry::Column::Id)
        .all(c)
        .await
        .or_internal()?
        .iter()
        .map(as_new)
        .collect();
    let (allocations, late_fees_posted_fen) = paid_by(&entries);
    let waivers_proposed = super::adjust::of_payment(c, p.id).await?;
    Ok(Receipt {
        allocations,
        late_fees_posted_fen,
        balance_fen: balance_of(c, p.house_id).await?,
        payment: payment_view(p),
        waivers_proposed,
    })
}

/// A stored entry as the entry it was planned as.
pub(super) fn as_new(e: &ledger_entry::Model) -> NewEntry {
    NewEntry {
        bill_id: e.bill_id,
        fee_item_id: e.fee_item_id,
        principal: Fen(e.principal_fen),
        late_fee: Fen(e.late_fee_fen),
        balance: Fen(e.balance_fen),
        earmark: e.earmark,
        payment_id: e.payment_id,
        adjustment_id: e.adjustment_id,
        channel: e.channel.clone(),
        created_by: e.created_by,
        ..NewEntry::new(
            EntryKind::parse(&e.kind).unwrap_or(EntryKind::Charge),
            e.project_id,
            e.house_id,
            e.effective_on,
        )
    }
}

/// The house's prepaid balance, all earmarks together.
async fn balance_of(c: &impl ConnectionTrait, house_id: Id) -> Result<Fen> {
    Ok(Fen(balances(c, house_id).await?.iter().map(|(_, f)| f.0).sum()))
}

// The trait method's inputs, passed through.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn pay(
    db: &Db,
    granted: &Granted,
    house_id: Id,
    new: NewPayment,
    recorded_on: NaiveDate,
    key: Option<String>,
    reference: Option<String>,
    order: AllocationOrder,
    seal: &Seal,
    audit_event: AuditEvent,
) -> Result<Receipt> {
    let tx = db.begin().await.or_internal()?;
    let h = house::Entity::find_by_id(house_id)
        .filter(house::Column::ProjectId.eq(granted.project_id()))
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", house_id))?;
    lock_house(&tx, h.project_id, house_id).await?;
    if let Some(k) = &key
        && let Some(done) = payment::Entity::find()
            .filter(payment::Column::IdempotencyKey.eq(k.as_str()))
            .one(&tx)
            .await
            .or_internal()?
    {
        let same =
            done.house_id == house_id && done.amount_fen == new.amount_fen.0 && done.channel == new.channel.as_str();
        if !same {
            return Err(Error::Conflict(Code::IdempotencyKeyReused));
        }
        return receipt_of(&tx, done).await;
    }
    let receipt = record(&tx, granted, vec![(house_id, new, key)], recorded_on, order, seal, audit_event, reference)
        .await?
        .pop()
        .ok_or_else(|| Error::internal("a recorded payment"))?;
    tx.commit().await.or_internal()?;
    Ok(receipt)
}

/// Many payments of one project recorded on the same day, one house each, in one transaction:
/// each as `pay` records it (no idempotency key; the caller's batch is the unit that must not
/// repeat), with the reads and writes of all of them together. All or nothing.
// The trait method's inputs, passed through.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn pay_many(
    db: &Db,
    granted: &Granted,
    batch: Vec<(Id, NewPayment)>,
    recorded_on: NaiveDate,
    order: AllocationOrder,
    seal: &Seal,
    audit_event: AuditEvent,
) -> Result<Vec<Receipt>> {
    let project_id = granted.project_id();
    let mut ids: Vec<Id> = batch.iter().map(|(h, _)| *h).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::invalid("house_id", "repeated"));
    }
    let tx = db.begin().await.or_internal()?;
    let found = houses_in_project(&tx, project_id, &ids).await?;
    if let Some(missing) = ids.iter().find(|h| found.binary_search(h).is_err()) {
        return Err(Error::not_found("house", *missing));
    }
    lock_houses(&tx, project_id, &ids).await?;
    let batch = batch.into_iter().map(|(h, p)| (h, p, None)).collect();
    let receipts = record(&tx, granted, batch, recorded_on, order, seal, audit_event, None).await?;
    tx.commit().await.or_internal()?;
    Ok(receipts)
}

/// Records payments of the granted project on `recorded_on`, one house each, the houses locked
/// by the caller: the payment rows, the entries crediting each house and spending its balance
/// (when the payment allocates), the waivers a backdated payment proposes, and an audit row each.
/// The receipts are what was planned and written, not read back.
// One transaction's inputs, passed through.
#[allow(clippy::too_many_arguments)]
async fn record(
    c: &impl ConnectionTrait,
    granted: &Granted,
    batch: Vec<(Id, NewPayment, Option<String>)>,
    recorded_on: NaiveDate,
    order: AllocationOrder,
    seal: &Seal,
    audit_event: AuditEvent,
    reference: Option<String>,
) -> Result<Vec<Receipt>> {
    let project_id = granted.project_id();
    let by_user = granted.actor().user_id;
    let mut earmarks: Vec<Id> = batch.iter().filter_map(|(_, p, _)| p.earmark_fee_item_id).collect();
    earmarks.sort_unstable();
    earmarks.dedup();
    for item in earmarks {
        super::fees::item_in_project(c, project_id, item).await?;
    }
    // As stored (microseconds), so that the receipt is the one a repeated key answers.
    let now = Utc::now().trunc_subsecs(6);
    // The cashier's open till session, and the next numbers of the project's receipt book,
    // taken in this transaction: a rollback gives them back, a concurrent payment waits.
    let till = super::counter::open_till_of(c, project_id, by_user).await?;
    let (book_id, numbers) = super::counter::take_numbers(c, project_id, batch.len()).await?;
    let mut id_of: HashMap<String, Id> = HashMap::with_capacity(batch.len());
    let mut rows = batch.iter().zip(&numbers).map(|((house_id, new, key), no)| payment::ActiveModel {
        id: NotSet,
        project_id: Set(project_id),
        house_id: Set(*house_id),
        channel: Set(new.channel.as_str().to_owned()),
        amount_fen: Set(new.amount_fen.0),
        received_on: Set(new.received_on),
        earmark_fee_item_id: Set(new.earmark_fee_item_id),
        receipt_no: Set(no.clone()),
        idempotency_key: Set(key.clone()),
        payer: Set(new.payer.clone()),
        note: Set(new.note.clone()),
        created_by: Set(by_user),
        created_at: Set(now),
        receipt_book_id: Set(Some(book_id)),
        till_session_id: Set(till),
        reference: Set(reference.clone()),
        voided_at: Set(None),
        voided_by: Set(None),
        void_reason: Set(None),
        prints: Set(0),
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        if chunk.is_empty() {
            break;
        }
        // Found again by receipt number: RETURNING keeps no order on SQLite.
        for p in payment::Entity::insert_many(chunk).exec_with_returning(c).await.or_internal()? {
            id_of.insert(p.receipt_no, p.id);
        }
    }
    let mut paid: Vec<(Id, String)> = Vec::with_capacity(batch.len());
    for no in numbers {
        let id = id_of.get(&no).copied().ok_or_else(|| Error::internal("a payment's id"))?;
        paid.push((id, no));
    }

    let ids: Vec<Id> = batch.iter().map(|(h, _, _)| *h).collect();
    let mut books = Books::of(c, &ids).await?;
    let mut planned = Vec::new();
    let mut spent_by = Vec::with_capacity(batch.len());
    for ((house_id, new, _), (id, _)) in batch.iter().zip(&paid) {
        let credit = new.entry(project_id, *house_id, *id, by_user);
        let mut held = books.held(*house_id);
        match held.iter_mut().find(|(e, _)| *e == credit.earmark) {
            Some((_, f)) => f.0 += credit.balance.0,
            None => held.push((credit.earmark, credit.balance)),
        }
        planned.push(credit);
        let mut spent = Vec::new();
        if new.allocate {
            // As of the day it is recorded, whatever day the money came in: late fees accrued
            // up to that day are posted, and the principal it pays counts from the next.
            let by = Spender {
                project_id,
                house_id: *house_id,
                as_of: recorded_on,
                payment_id: Some(*id),
                channel: Some(new.channel.as_str()),
                created_by: by_user,
            };
            let facts = books.facts(*house_id, new.bill_ids.as_deref(), recorded_on);
            spent = spending::entries(spending::plan(facts, &held, order), &by);
        }
        let balance = Fen(held.iter().map(|(_, f)| f.0).sum::<i64>() + spent.iter().map(|e| e.balance.0).sum::<i64>());
        planned.extend(spent.iter().cloned());
        spent_by.push((spent, balance));
    }
    post_all(c, planned, seal).await?;

    let mut receipts = Vec::with_capacity(batch.len());
    for (((house_id, new, _), (id, receipt_no)), (spent, balance_fen)) in batch.into_iter().zip(paid).zip(spent_by) {
        let mut waivers_proposed = Vec::new();
        if new.allocate && new.received_on < recorded_on {
            let p = Paid { payment_id: id, receipt_no: &receipt_no, entries: &spent };
            waivers_proposed = propose_waivers(c, granted, p, new.received_on, recorded_on).await?;
        }
        let (allocations, late_fees_posted_fen) = paid_by(spent.iter().filter(|e| e.payment_id == Some(id)));
        receipts.push(Receipt {
            payment: Payment {
                id,
                project_id,
                house_id,
                receipt_no,
                amount_fen: new.amount_fen,
                channel: new.channel,
                received_on: new.received_on,
                earmark_fee_item_id: new.earmark_fee_item_id,
                payer: new.payer,
                note: new.note,
                created_at: now,
            },
            allocations,
            late_fees_posted_fen,
            balance_fen,
            waivers_proposed,
        });
    }
    let events = receipts.iter().map(|r| audit_event.clone().entity_id(r.payment.id).after(r)).collect();
    audit::write_many(c, events).await?;
    Ok(receipts)
}

/// A payment just written and the entries that spent it.
struct Paid<'a> {
    payment_id: Id,
    receipt_no: &'a str,
    entries: &'a [NewEntry],
}

/// For each bill whose principal the payment paid, the late fee it would have saved had it
/// counted from `received_on`, proposed as a pending waiver naming the payment.
async fn propose_waivers(
    c: &impl ConnectionTrait,
    granted: &Granted,
    payment: Paid<'_>,
    received_on: NaiveDate,
    recorded_on: NaiveDate,
) -> Result<Vec<Adjustment>> {
    let payment_id = payment.payment_id;
    let mut paid: Vec<(Id, i64)> = Vec::new();
    let mine = payment
        .entries
        .iter()
        .filter(|e| e.payment_id == Some(payment_id) && e.kind == EntryKind::Allocation && e.principal.0 != 0);
    for e in mine {
        let bill_id = e.bill_id.unwrap_or_default();
        match paid.iter_mut().find(|(b, _)| *b == bill_id) {
            Some((_, sum)) => *sum -= e.principal.0,
            None => paid.push((bill_id, -e.principal.0)),
        }
    }
    let ids: Vec<Id> = paid.iter().map(|(b, _)| *b).collect();
    let mut entries = entries_of(c, &ids).await?;
    let bills = bill::Entity::find().filter(bill::Column::Id.is_in(ids.iter().copied())).all(c).await.or_internal()?;
    let mut proposed = Vec::new();
    for (bill_id, amount) in paid {
        let Some(b) = bills.iter().find(|b| b.id == bill_id) else { continue };
        // The bill's other principal changes; this payment's own are what is being re-dated.
        let others: Vec<PostedEntry> = entries
            .remove(&bill_id)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| !(e.payment_id == Some(payment_id) && e.kind == EntryKind::Allocation))
            .collect();
        let changes = principal_changes(&others);
        let backdated = Backdated { paid: Fen(amount), received_on, recorded_on, issued_on: date_of(b.issued_at) };
        let saved = backdating_saving(&rule(b), Fen(b.amount_fen), b.due_on, &changes, backdated);
        if saved.0 > 0 {
            let reason = format!(
                "补录收款 {}：到账日 {received_on}，登记日 {recorded_on}；按到账日计算可少计滞纳金 {saved} 元",
                payment.receipt_no
            );
            proposed.push(super::adjust::propose_for_payment(c, granted, b, payment_id, saved, reason).await?);
        }
    }
    Ok(proposed)
}

/// What money movements of some houses are planned from: their open bills, those bills'
/// entries and the houses' balances, read together.
struct Books {
    open: HashMap<Id, Vec<bill::Model>>,
    entries: HashMap<Id, Vec<PostedEntry>>,
    pots: HashMap<Id, Vec<(Id, Fen)>>,
}

impl Books {
    async fn of(c: &impl ConnectionTrait, house_ids: &[Id]) -> Result<Books> {
        let open = open_bills_of(c, house_ids).await?;
        let bill_ids: Vec<Id> = open.values().flatten().map(|b| b.id).collect();
        let entries = entries_of(c, &bill_ids).await?;
        Ok(Books { open, entries, pots: balances_of(c, house_ids).await? })
    }

    /// The house's balances by earmark (taken out).
    fn held(&mut self, house_id: Id) -> Vec<(Id, Fen)> {
        self.pots.remove(&house_id).unwrap_or_default()
    }

    /// The rules' view of the house's open bills (only those of `only`, when given) as of
    /// `as_of`: what each owes, and the late fee accrued but not yet posted.
    fn facts(&mut self, house_id: Id, only: Option<&[Id]>, as_of: NaiveDate) -> Vec<OpenBill> {
        let bills = self.open.get(&house_id).map_or(&[][..], Vec::as_slice);
        let mut out = Vec::with_capacity(bills.len());
        for b in bills.iter().filter(|b| only.is_none_or(|o| o.contains(&b.id))) {
            let (fee, posted) = accrued(b, self.entries.remove(&b.id).as_deref().unwrap_or_default(), as_of);
            out.push(OpenBill {
                owes: Open {
                    bill_id: b.id,
                    fee_item_id: b.fee_item_id,
                    due_on: b.due_on,
                    period_start: b.period_start,
                    principal: Fen(b.principal_due_fen),
                    late_fee: Fen(b.late_fee_due_fen),
                },
                unposted_late_fee: Fen(fee.amount.0 - posted.0),
            });
        }
        out
    }
}

/// What each house of the project owes as of `as_of` beyond its prepaid balance
/// (`spending::owed`). Houses of other projects are left out.
pub(crate) async fn owed(
    c: &impl ConnectionTrait,
    project_id: Id,
    house_ids: &[Id],
    as_of: NaiveDate,
) -> Result<Vec<(Id, Fen)>> {
    let ids = houses_in_project(c, project_id, house_ids).await?;
    let mut books = Books::of(c, &ids).await?;
    Ok(ids
        .into_iter()
        .map(|h| {
            let facts = books.facts(h, None, as_of);
            (h, spending::owed(&facts, &books.held(h)))
        })
        .collect())
}

/// Those of `house_ids` in the project, in id order.
async fn houses_in_project(c: &impl ConnectionTrait, project_id: Id, house_ids: &[Id]) -> Result<Vec<Id>> {
    let mut out = Vec::with_capacity(house_ids.len());
    for chunk in house_ids.chunks(500) {
        let found: Vec<Id> = house::Entity::find()
            .select_only()
            .column(house::Column::Id)
            .filter(house::Column::ProjectId.eq(project_id))
            .filter(house::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(c)
            .await
            .or_internal()?;
        out.extend(found);
    }
    out.sort_unstable();
    Ok(out)
}

/// Spends each house's prepaid balance on its open bills as of `today` (after a run), the
/// houses of one project together in one transaction.
pub(crate) async fn apply_balances(
    db: &Db,
    project_id: Id,
    house_ids: &[Id],
    order: AllocationOrder,
    today: NaiveDate,
    seal: &Seal,
) -> Result<()> {
    let tx = db.begin().await.or_internal()?;
    let ids = houses_in_project(&tx, project_id, house_ids).await?;
    lock_houses(&tx, project_id, &ids).await?;
    let mut books = Books::of(&tx, &ids).await?;
    let mut planned = Vec::new();
    for house_id in ids {
        let by = Spender { project_id, house_id, as_of: today, payment_id: None, channel: None, created_by: None };
        let facts = books.facts(house_id, None, today);
        planned.extend(spending::entries(spending::plan(facts, &books.held(house_id), order), &by));
    }
    post_all(&tx, planned, seal).await?;
    tx.commit().await.or_internal()
}

pub(crate) async fn refund(
    db: &Db,
    granted: &Granted,
    house_id: Id,
    r: linli_billing::NewRefund,
    today: NaiveDate,
    seal: &Seal,
    audit_event: AuditEvent,
) -> Result<linli_billing::HouseAccount> {
    let tx = db.begin().await.or_internal()?;
    let h = house::Entity::find_by_id(house_id)
        .filter(house::Column::ProjectId.eq(granted.project_id()))
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", house_id))?;
    lock_house(&tx, h.project_id, house_id).await?;
    let earmark = r.earmark_fee_item_id.unwrap_or(0);
    let held = balances(&tx, house_id).await?.into_iter().find(|(e, _)| *e == earmark).map_or(0, |(_, f)| f.0);
    if r.amount_fen.0 > held {
        return Err(Error::invalid("amount_fen", "exceeds_balance"));
    }
    post(&tx, r.entry(h.project_id, house_id, today, granted.actor().user_id), seal).await?;
    audit::write(
        &tx,
        audit_event.after(&serde_json::json!({"amount_fen": r.amount_fen, "reason": r.reason, "earmark": earmark})),
    )
    .await?;
    let account = super::bills::account(&tx, &granted.scope(), house_id, today).await?;
    tx.commit().await.or_internal()?;
    Ok(account)
}
