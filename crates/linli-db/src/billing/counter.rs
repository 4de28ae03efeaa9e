//! The counter's storage: receipt numbers taken from the project's receipt book inside the
//! payment's own transaction (a rollback gives them back; concurrent payments queue on the
//! book's row), the payment log, receipts printed and voided, and till sessions. The rules
//! (numbering, the reversal, the shift arithmetic) are `linli_billing::receipt` and `till`.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeDelta, Utc};
use linli_billing::receipt::{self, PaymentFilter, PaymentRow, ReceiptBook, ReceiptFacts, ReceiptLine};
use linli_billing::till::{self, TillFilter, TillReport, TillSession, TillState};
use linli_billing::{EntryKind, PaymentChannel, Seal};
use linli_core::{AuditEvent, Code, Error, Fen, Granted, Id, Page, PageRequest, Result, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, NotSet, QueryFilter, QueryOrder,
};

use super::ledger::{balances, lock_house, post_all};
use crate::entity::{bill, company, fee_item, ledger_entry, payment, project, receipt_book, till_session, user};
use crate::error::{OrInternal, unique_as};
use crate::property::house_labels;
use crate::scope::{ensure_project, project_condition};
use crate::{Db, audit};

fn open_key(project_id: Id, cashier: Id) -> String {
    format!("{project_id}:{cashier}")
}

/// The cashier's open till session in the project, its row locked for the rest of the
/// transaction (a hand-over waits for the payment, or the payment finds the session closed).
pub(crate) async fn open_till_of(c: &impl ConnectionTrait, project_id: Id, user: Option<Id>) -> Result<Option<Id>> {
    let Some(u) = user else { return Ok(None) };
    let key = open_key(project_id, u);
    let locked = till_session::Entity::update_many()
        .col_expr(till_session::Column::OpeningFloatFen, Expr::col(till_session::Column::OpeningFloatFen))
        .filter(till_session::Column::OpenKey.eq(key.as_str()))
        .exec(c)
        .await
        .or_internal()?;
    if locked.rows_affected == 0 {
        return Ok(None);
    }
    let s = till_session::Entity::find().filter(till_session::Column::OpenKey.eq(key)).one(c).await.or_internal()?;
    Ok(s.map(|s| s.id))
}

fn book_of(m: receipt_book::Model) -> ReceiptBook {
    ReceiptBook {
        id: m.id,
        project_id: m.project_id,
        name: m.name,
        prefix: m.prefix,
        first_no: m.first_no,
        last_no: m.last_no,
        next_no: m.next_no,
        electronic: m.electronic,
        active: m.active,
    }
}

/// Takes the project's active book's row lock (a row lock on PostgreSQL; SQLite's writer
/// holds the database already). Whether there was one.
async fn lock_book(c: &impl ConnectionTrait, project_id: Id) -> Result<bool> {
    let locked = receipt_book::Entity::update_many()
        .col_expr(receipt_book::Column::NextNo, Expr::col(receipt_book::Column::NextNo))
        .filter(receipt_book::Column::ProjectId.eq(project_id))
        .filter(receipt_book::Column::Active.eq(true))
        .exec(c)
        .await
        .or_internal()?;
    Ok(locked.rows_affected > 0)
}

/// The next `n` numbers of the project's active receipt book (an electronic one is created on
/// the project's first payment), and the book's id.
pub(crate) async fn take_numbers(c: &impl ConnectionTrait, project_id: Id, n: usize) -> Result<(Id, Vec<String>)> {
    if !lock_book(c, project_id).await? {
        let b = receipt::electronic_book(project_id);
        let row = receipt_book::ActiveModel {
            id: NotSet,
            project_id: Set(project_id),
            name: Set(b.name),
            prefix: Set(b.prefix),
            first_no: Set(b.first_no),
            last_no: Set(b.last_no),
            next_no: Set(b.next_no),
            electronic: Set(true),
            active: Set(true),
            created_at: Set(Utc::now()),
        };
        // Two first payments at once: one creates it, the other waits and finds it.
        receipt_book::Entity::insert_many([row])
            .on_conflict_do_nothing_on([receipt_book::Column::ProjectId, receipt_book::Column::Prefix])
            .exec(c)
            .await
            .or_internal()?;
        lock_book(c, project_id).await?;
    }
    let book = receipt_book::Entity::find()
        .filter(receipt_book::Column::ProjectId.eq(project_id))
        .filter(receipt_book::Column::Active.eq(true))
        .order_by_asc(receipt_book::Column::Id)
        .one(c)
        .await
        .or_internal()?
        .map(book_of)
        .ok_or(Error::Conflict(Code::ReceiptBookExhausted))?;
    let (numbers, next) = book.take(n)?;
    receipt_book::Entity::update_many()
        .col_expr(receipt_book::Column::NextNo, Expr::value(next))
        .filter(receipt_book::Column::Id.eq(book.id))
        .exec(c)
        .await
        .or_internal()?;
    Ok((book.id, numbers))
}

async fn user_names(c: &impl ConnectionTrait, mut ids: Vec<Id>) -> Result<HashMap<Id, String>> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let users = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(c).await.or_internal()?;
    Ok(users.into_iter().map(|u| (u.id, u.display_name)).collect())
}

/// Payments as the log lists them: house labels and people's names, never their codes.
async fn rows(c: &impl ConnectionTrait, payments: Vec<payment::Model>) -> Result<Vec<PaymentRow>> {
    let houses: Vec<Id> = payments.iter().map(|p| p.house_id).collect();
    let labels = house_labels(c, &houses).await?;
    let people: Vec<Id> =
        payments.iter().filter_map(|p| p.created_by).chain(payments.iter().filter_map(|p| p.voided_by)).collect();
    let names = user_names(c, people).await?;
    Ok(payments
        .into_iter()
        .map(|p| PaymentRow {
            id: p.id,
            project_id: p.project_id,
            house_id: p.house_id,
            house_label: labels.get(&p.house_id).cloned().unwrap_or_default(),
            receipt_no: p.receipt_no,
            amount_fen: Fen(p.amount_fen),
            channel: PaymentChannel::parse(&p.channel).unwrap_or(PaymentChannel::Cash),
            reference: p.reference,
            received_on: p.received_on,
            payer: p.payer,
            note: p.note,
            cashier_id: p.created_by,
            cashier_name: p.created_by.and_then(|u| names.get(&u).cloned()),
            till_session_id: p.till_session_id,
            created_at: p.created_at,
            voided: p.voided_at.is_some(),
            voided_at: p.voided_at,
            voided_by_name: p.voided_by.and_then(|u| names.get(&u).cloned()),
            void_reason: p.void_reason,
            prints: p.prints,
        })
        .collect())
}

/// The start of a day in China time, as stored (UTC).
fn day_start(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - TimeDelta::hours(8)
}

pub(crate) async fn payments(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &PaymentFilter,
    page: PageRequest,
) -> Result<Page<PaymentRow>> {
    let mut sel = payment::Entity::find().filter(project_condition(scope, payment::Column::ProjectId, false));
    if let Some(p) = f.project_id {
        sel = sel.filter(payment::Column::ProjectId.eq(p));
    }
    if let Some(h) = f.house_id {
        sel = sel.filter(payment::Column::HouseId.eq(h));
    }
    if let Some(u) = f.cashier_id {
        sel = sel.filter(payment::Column::CreatedBy.eq(u));
    }
    if let Some(ch) = f.channel {
        sel = sel.filter(payment::Column::Channel.eq(ch.as_str()));
    }
    if let Some(t) = f.till_session_id {
        sel = sel.filter(payment::Column::TillSessionId.eq(t));
    }
    if let Some(n) = &f.receipt_no {
        sel = sel.filter(payment::Column::ReceiptNo.eq(n.trim()));
    }
    if let Some(d) = f.on {
        let start = day_start(d);
        sel = sel
            .filter(payment::Column::CreatedAt.gte(start))
            .filter(payment::Column::CreatedAt.lt(start + TimeDelta::days(1)));
    }
    let page = crate::page::fetch(sel.order_by_desc(payment::Column::Id), c, page).await?;
    let items = rows(c, page.items).await?;
    Ok(Page { items, total: page.total, page: page.page, page_size: page.page_size })
}

async fn find_payment(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<payment::Model> {
    payment::Entity::find_by_id(id)
        .filter(project_condition(scope, payment::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("payment", id))
}

pub(crate) async fn payment(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<PaymentRow> {
    let p = find_payment(c, scope, id).await?;
    rows(c, vec![p]).await?.pop().ok_or_else(|| Error::internal("a payment's row"))
}

/// What a payment paid, line by line: each bill's principal and late fee it took, then what
/// stayed as prepaid balance.
async fn lines(c: &impl ConnectionTrait, p: &payment::Model) -> Result<Vec<ReceiptLine>> {
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::PaymentId.eq(p.id))
        .filter(ledger_entry::Column::Kind.eq(EntryKind::Allocation.as_str()))
        .order_by_asc(ledger_entry::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    let bill_ids: Vec<Id> = entries.iter().filter_map(|e| e.bill_id).collect();
    let bills = bill::Entity::find().filter(bill::Column::Id.is_in(bill_ids)).all(c).await.or_internal()?;
    let mut items: Vec<Id> = bills.iter().map(|b| b.fee_item_id).chain(p.earmark_fee_item_id).collect();
    items.sort_unstable();
    items.dedup();
    let names: HashMap<Id, String> = fee_item::Entity::find()
        .filter(fee_item::Column::Id.is_in(items))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let bills: HashMap<Id, bill::Model> = bills.into_iter().map(|b| (b.id, b)).collect();
    let mut out: Vec<ReceiptLine> = Vec::new();
    let mut allocated = 0;
    for e in &entries {
        let Some(b) = e.bill_id.and_then(|id| bills.get(&id)) else { continue };
        let name = names.get(&b.fee_item_id).cloned().unwrap_or_default();
        let period = if b.period_start == b.period_end {
            b.period_start.to_string()
        } else if b.period_start.format("%Y-%m").to_string() == b.period_end.format("%Y-%m").to_string() {
            b.period_start.format("%Y-%m").to_string()
        } else {
            format!("{} 至 {}", b.period_start, b.period_end)
        };
        let (item, amount) =
            if e.principal_fen != 0 { (name, -e.principal_fen) } else { (format!("{name}滞纳金"), -e.late_fee_fen) };
        allocated += amount;
        match out.iter_mut().find(|l| l.item == item && l.period == period) {
            Some(l) => l.amount_fen.0 += amount,
            None => out.push(ReceiptLine { item, period, amount_fen: Fen(amount) }),
        }
    }
    if p.amount_fen > allocated {
        let item = match p.earmark_fee_item_id.and_then(|i| names.get(&i)) {
            Some(n) => format!("预存款（{n}）"),
            None => "预存款".to_owned(),
        };
        out.push(ReceiptLine { item, period: String::new(), amount_fen: Fen(p.amount_fen - allocated) });
    }
    Ok(out)
}

pub(crate) async fn print_receipt(db: &Db, scope: &Scope, id: Id, audit_event: AuditEvent) -> Result<ReceiptFacts> {
    let tx = db.begin().await.or_internal()?;
    let mut p = find_payment(&tx, scope, id).await?;
    payment::Entity::update_many()
        .col_expr(payment::Column::Prints, Expr::col(payment::Column::Prints).add(1))
        .filter(payment::Column::Id.eq(id))
        .exec(&tx)
        .await
        .or_internal()?;
    p.prints += 1;
    let print_no = p.prints;
    let proj = project::Entity::find_by_id(p.project_id).one(&tx).await.or_internal()?;
    let (company_id, project_name) = proj.map_or((0, String::new()), |m| (m.company_id, m.name));
    let company_name = company::Entity::find_by_id(company_id).one(&tx).await.or_internal()?.map(|m| m.name);
    let lines = lines(&tx, &p).await?;
    let project_id = p.project_id;
    let row = rows(&tx, vec![p]).await?.pop().ok_or_else(|| Error::internal("a payment's row"))?;
    let event = audit_event
        .project(Some(project_id))
        .entity_id(id)
        .after(&serde_json::json!({"receipt_no": row.receipt_no, "print_no": print_no}));
    audit::write(&tx, event).await?;
    tx.commit().await.or_internal()?;
    Ok(ReceiptFacts { company_name: company_name.unwrap_or_default(), project_name, row, lines, print_no })
}

pub(crate) async fn receipt(db: &Db, scope: &Scope, id: Id) -> Result<ReceiptFacts> {
    let c = &db.conn;
    let p = find_payment(c, scope, id).await?;
    let proj = project::Entity::find_by_id(p.project_id).one(c).await.or_internal()?;
    let (company_id, project_name) = proj.map_or((0, String::new()), |m| (m.company_id, m.name));
    let company_name = company::Entity::find_by_id(company_id).one(c).await.or_internal()?.map(|m| m.name);
    let lines = lines(c, &p).await?;
    let row = rows(c, vec![p]).await?.pop().ok_or_else(|| Error::internal("a payment's row"))?;
    Ok(ReceiptFacts { company_name: company_name.unwrap_or_default(), project_name, row, lines, print_no: 0 })
}

pub(crate) async fn void(
    db: &Db,
    granted: &Granted,
    id: Id,
    reason: String,
    on: NaiveDate,
    seal: &Seal,
    audit_event: AuditEvent,
) -> Result<PaymentRow> {
    let tx = db.begin().await.or_internal()?;
    let p = find_payment(&tx, &granted.scope(), id).await?;
    lock_house(&tx, p.project_id, p.house_id).await?;
    // Read again under the lock: a void at the same moment finds this one done.
    let p = find_payment(&tx, &granted.scope(), id).await?;
    receipt::check_voidable(p.created_by, p.voided_at.is_some())?;
    let entries: Vec<_> = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::PaymentId.eq(id))
        .order_by_asc(ledger_entry::Column::Id)
        .all(&tx)
        .await
        .or_internal()?
        .iter()
        .map(super::pay::as_new)
        .collect();
    let held = balances(&tx, p.house_id).await?;
    let plan = receipt::reversal(&entries, &held, on, granted.actor().user_id)?;
    post_all(&tx, plan, seal).await?;
    let now = Utc::now();
    payment::Entity::update_many()
        .col_expr(payment::Column::VoidedAt, Expr::value(now))
        .col_expr(payment::Column::VoidedBy, Expr::value(granted.actor().user_id))
        .col_expr(payment::Column::VoidReason, Expr::value(reason))
        .filter(payment::Column::Id.eq(id))
        .exec(&tx)
        .await
        .or_internal()?;
    let p = find_payment(&tx, &granted.scope(), id).await?;
    let row = rows(&tx, vec![p]).await?.pop().ok_or_else(|| Error::internal("a payment's row"))?;
    audit::write(&tx, audit_event.after(&row)).await?;
    tx.commit().await.or_internal()?;
    Ok(row)
}

fn session_of(s: &till_session::Model, names: &HashMap<Id, String>) -> TillSession {
    let counted = s.counted_cash_fen.map(Fen);
    let expected = s.expected_cash_fen.map(Fen);
    TillSession {
        id: s.id,
        project_id: s.project_id,
        cashier_id: s.cashier_id,
        cashier_name: names.get(&s.cashier_id).cloned().unwrap_or_default(),
        state: if s.closed_at.is_some() { TillState::Closed } else { TillState::Open },
        opened_at: s.opened_at,
        opening_float_fen: Fen(s.opening_float_fen),
        closed_at: s.closed_at,
        counted_cash_fen: counted,
        expected_cash_fen: expected,
        difference_fen: counted.zip(expected).map(|(c, e)| till::difference(c, e).0),
        note: s.note.clone(),
    }
}

pub(crate) async fn open_till(db: &Db, granted: &Granted, float: Fen, audit_event: AuditEvent) -> Result<TillSession> {
    let cashier = granted.actor().user_id.ok_or(Error::Forbidden(Code::Forbidden))?;
    let tx = db.begin().await.or_internal()?;
    ensure_project(&tx, granted).await?;
    let row = till_session::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        cashier_id: Set(cashier),
        open_key: Set(Some(open_key(granted.project_id(), cashier))),
        opening_float_fen: Set(float.0),
        opened_at: Set(Utc::now()),
        closed_at: Set(None),
        counted_cash_fen: Set(None),
        expected_cash_fen: Set(None),
        closed_by: Set(None),
        note: Set(None),
    };
    let s =
        till_session::Entity::insert(row).exec_with_returning(&tx).await.map_err(unique_as(Code::TillSessionOpen))?;
    let names = user_names(&tx, vec![cashier]).await?;
    let view = session_of(&s, &names);
    audit::write(&tx, audit_event.entity_id(s.id).after(&view)).await?;
    tx.commit().await.or_internal()?;
    Ok(view)
}

pub(crate) async fn tills(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &TillFilter,
    page: PageRequest,
) -> Result<Page<TillSession>> {
    let mut sel = till_session::Entity::find().filter(project_condition(scope, till_session::Column::ProjectId, false));
    if let Some(p) = f.project_id {
        sel = sel.filter(till_session::Column::ProjectId.eq(p));
    }
    if let Some(u) = f.cashier_id {
        sel = sel.filter(till_session::Column::CashierId.eq(u));
    }
    match f.state {
        Some(TillState::Open) => sel = sel.filter(till_session::Column::ClosedAt.is_null()),
        Some(TillState::Closed) => sel = sel.filter(till_session::Column::ClosedAt.is_not_null()),
        None => {}
    }
    let page = crate::page::fetch(sel.order_by_desc(till_session::Column::Id), c, page).await?;
    let names = user_names(c, page.items.iter().map(|s| s.cashier_id).collect()).await?;
    let items = page.items.iter().map(|s| session_of(s, &names)).collect();
    Ok(Page { items, total: page.total, page: page.page, page_size: page.page_size })
}

/// The session's report from its payments and the cash its cashier refunded while it was open.
async fn report(c: &impl ConnectionTrait, s: &till_session::Model) -> Result<TillReport> {
    let payments = payment::Entity::find()
        .filter(payment::Column::TillSessionId.eq(s.id))
        .order_by_asc(payment::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    let until = s.closed_at.unwrap_or_else(Utc::now);
    let refunds: Vec<i64> = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::ProjectId.eq(s.project_id))
        .filter(ledger_entry::Column::Kind.eq(EntryKind::Refund.as_str()))
        .filter(ledger_entry::Column::Channel.eq(PaymentChannel::Cash.as_str()))
        .filter(ledger_entry::Column::CreatedBy.eq(s.cashier_id))
        .filter(ledger_entry::Column::CreatedAt.gte(s.opened_at))
        .filter(ledger_entry::Column::CreatedAt.lte(until))
        .all(c)
        .await
        .or_internal()?
        .iter()
        .map(|e| -e.balance_fen)
        .collect();
    let rows = rows(c, payments).await?;
    let paid: Vec<_> = rows.iter().map(|p| (p.channel, p.amount_fen, p.voided)).collect();
    let takings = till::takings(Fen(s.opening_float_fen), &paid, Fen(refunds.iter().sum()));
    let names = user_names(c, vec![s.cashier_id]).await?;
    let session = session_of(s, &names);
    // As counted at hand-over: a receipt voided later does not rewrite the count.
    let outcome = session.counted_cash_fen.zip(session.expected_cash_fen).map(|(c, e)| till::difference(c, e).1);
    Ok(TillReport { session, takings, outcome, payments: rows })
}

async fn find_till(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<till_session::Model> {
    till_session::Entity::find_by_id(id)
        .filter(project_condition(scope, till_session::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("till_session", id))
}

pub(crate) async fn till(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<TillReport> {
    report(c, &find_till(c, scope, id).await?).await
}

pub(crate) async fn close_till(
    db: &Db,
    granted: &Granted,
    id: Id,
    counted: Fen,
    note: Option<String>,
    audit_event: AuditEvent,
) -> Result<TillReport> {
    let tx = db.begin().await.or_internal()?;
    // The open row locked first: a payment being recorded in it finishes before the count.
    let locked = till_session::Entity::update_many()
        .col_expr(till_session::Column::OpeningFloatFen, Expr::col(till_session::Column::OpeningFloatFen))
        .filter(till_session::Column::Id.eq(id))
        .filter(till_session::Column::ProjectId.eq(granted.project_id()))
        .filter(till_session::Column::OpenKey.is_not_null())
        .exec(&tx)
        .await
        .or_internal()?;
    let s = find_till(&tx, &granted.scope(), id).await?;
    if locked.rows_affected == 0 {
        return Err(Error::Conflict(Code::TillSessionClosed));
    }
    let now = Utc::now();
    let open = report(&tx, &till_session::Model { closed_at: Some(now), ..s.clone() }).await?;
    till_session::Entity::update_many()
        .col_expr(till_session::Column::OpenKey, Expr::value(Option::<String>::None))
        .col_expr(till_session::Column::ClosedAt, Expr::value(now))
        .col_expr(till_session::Column::CountedCashFen, Expr::value(counted.0))
        .col_expr(till_session::Column::ExpectedCashFen, Expr::value(open.takings.expected_cash_fen.0))
        .col_expr(till_session::Column::ClosedBy, Expr::value(granted.actor().user_id))
        .col_expr(till_session::Column::Note, Expr::value(note))
        .filter(till_session::Column::Id.eq(id))
        .exec(&tx)
        .await
        .or_internal()?;
    let s = find_till(&tx, &granted.scope(), id).await?;
    let closed = report(&tx, &s).await?;
    audit::write(&tx, audit_event.after(&closed.session)).await?;
    tx.commit().await.or_internal()?;
    Ok(closed)
}
