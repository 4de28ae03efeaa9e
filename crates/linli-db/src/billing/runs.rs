//! Billing runs: what a run reads, its record, and writing its bills idempotently.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use linli_billing::{HouseRow, NewBill, Period, Run, RunInputs, RunItem, RunState, RunSummary, RunWarning, Seal};
use linli_core::{Area, AuditEvent, Code, Error, Fen, Granted, Id, Page, PageRequest, Result, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
};

use super::fees::{assignment_view, item_view, standard_view};
use super::ledger::entry_model;
use crate::entity::{
    bill, bill_count, billing_run, fee_assignment, fee_item, fee_standard, house, house_balance, job, ledger_entry,
    occupancy, ownership,
};
use crate::error::OrInternal;
use crate::job_store::insert_job;
use crate::property::house_labels;
use crate::scope::{ensure_project, project_condition};
use crate::{Db, audit};
use linli_billing::RUN_JOB;
use linli_jobs::NewJob;

fn view(m: billing_run::Model) -> Run {
    let summary: (Vec<RunItem>, Vec<RunWarning>) = serde_json::from_value(m.problems).unwrap_or_default();
    Run {
        id: m.id,
        project_id: m.project_id,
        period: m.period,
        fee_item_ids: serde_json::from_value(m.fee_item_ids).unwrap_or_default(),
        state: RunState::parse(&m.state).unwrap_or(RunState::Preview),
        bills: m.bills,
        total_fen: Fen(m.total_fen),
        items: summary.0,
        problems: summary.1,
        created_by: m.created_by,
        confirmed_by: m.confirmed_by,
        created_at: m.created_at,
        confirmed_at: m.confirmed_at,
        completed_at: m.completed_at,
        lease_expires_at: None,
        stalled: false,
    }
}

/// The runs with the labels of the houses their problems name, read in one go.
async fn labelled(c: &impl ConnectionTrait, mut runs: Vec<Run>) -> Result<Vec<Run>> {
    let mut ids: Vec<Id> = runs.iter().flat_map(|r| r.problems.iter().map(|p| p.house_id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let labels = house_labels(c, &ids).await?;
    for p in runs.iter_mut().flat_map(|r| r.problems.iter_mut()) {
        p.house_label = labels.get(&p.house_id).cloned().unwrap_or_default();
    }
    Ok(runs)
}

/// A running run's job: until when its worker holds it, and whether that worker is gone.
async fn with_worker(c: &impl ConnectionTrait, mut run: Run) -> Result<Run> {
    if run.state != RunState::Running {
        return Ok(run);
    }
    let found = job::Entity::find()
        .filter(job::Column::DedupeKey.eq(format!("billing.run:{}", run.id)))
        .one(c)
        .await
        .or_internal()?
        .map(crate::job_store::view);
    if let Some(j) = found {
        run.stalled = j.interrupted(Utc::now(), linli_jobs::holder_gone);
        if run.stalled || j.state == linli_jobs::JobState::Running {
            run.lease_expires_at = j.resumes_at();
        }
    }
    Ok(run)
}

pub(crate) async fn inputs(c: &impl ConnectionTrait, project_id: Id, month: Period, ids: &[Id]) -> Result<RunInputs> {
    let mut sel = fee_item::Entity::find()
        .filter(fee_item::Column::ProjectId.eq(project_id))
        .filter(fee_item::Column::Active.eq(true));
    if !ids.is_empty() {
        sel = sel.filter(fee_item::Column::Id.is_in(ids.iter().copied()));
    }
    let items: Vec<_> =
        sel.order_by_asc(fee_item::Column::Id).all(c).await.or_internal()?.into_iter().map(item_view).collect();
    let item_ids: Vec<Id> = items.iter().map(|i| i.id).collect();
    let mut standards: HashMap<Id, Vec<_>> = HashMap::new();
    for s in fee_standard::Entity::find()
        .filter(fee_standard::Column::FeeItemId.is_in(item_ids.clone()))
        .all(c)
        .await
        .or_internal()?
    {
        standards.entry(s.fee_item_id).or_default().push(standard_view(s));
    }
    let assignments = fee_assignment::Entity::find()
        .filter(fee_assignment::Column::FeeItemId.is_in(item_ids))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(assignment_view)
        .collect();

    let mut owned: HashMap<Id, (NaiveDate, Option<NaiveDate>, bool)> = HashMap::new();
    for o in ownership::Entity::find().filter(ownership::Column::ProjectId.eq(project_id)).all(c).await.or_internal()? {
        let e = owned.entry(o.house_id).or_insert((o.started_on, o.ended_on, o.ended_on.is_none()));
        e.0 = e.0.min(o.started_on);
        e.2 |= o.ended_on.is_none();
        if let Some(end) = o.ended_on {
            e.1 = Some(e.1.map_or(end, |x| x.max(end)));
        }
    }
    let mut stays: HashMap<Id, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for o in occupancy::Entity::find()
        .filter(occupancy::Column::ProjectId.eq(project_id))
        .filter(occupancy::Column::MovedInOn.lte(month.end.max(month.start)))
        .all(c)
        .await
        .or_internal()?
    {
        stays.entry(o.house_id).or_default().push((o.moved_in_on, o.moved_out_on));
    }
    let houses = house::Entity::find()
        .filter(house::Column::ProjectId.eq(project_id))
        .order_by_asc(house::Column::Id)
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|h| {
            let o = owned.get(&h.id);
            HouseRow {
                id: h.id,
                building_id: h.building_id,
                usage: h.usage,
                gross_area: Area::from_hundredths(h.gross_area_x100),
                inner_area: h.inner_area_x100.map(Area::from_hundredths),
                owned_from: o.map(|o| o.0),
                owned_until: o.and_then(|o| if o.2 { None } else { o.1 }),
                stays: stays.remove(&h.id).unwrap_or_default(),
            }
        })
        .collect();
    Ok(RunInputs { items, standards, assignments, houses, usage: HashMap::new() })
}

pub(crate) async fn create(
    db: &Db,
    granted: &Granted,
    month: Period,
    ids: &[Id],
    s: &RunSummary,
    audit_event: AuditEvent,
) -> Result<Run> {
    let tx = db.begin().await.or_internal()?;
    ensure_project(&tx, granted).await?;
    let am = billing_run::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        period: Set(month.label()),
        period_start: Set(month.start),
        fee_item_ids: Set(serde_json::to_value(ids).or_internal()?),
        state: Set(RunState::Preview.as_str().to_owned()),
        bills: Set(s.bills),
        total_fen: Set(s.total.0),
        problems: Set(serde_json::to_value((&s.items, &s.problems)).or_internal()?),
        created_by: Set(granted.actor().user_id.unwrap_or(0)),
        confirmed_by: Set(None),
        created_at: Set(Utc::now()),
        confirmed_at: Set(None),
        completed_at: Set(None),
    };
    let id = billing_run::Entity::insert(am).exec(&tx).await.or_internal()?.last_insert_id;
    let run = by_id(&tx, id).await?;
    audit::write(&tx, audit_event.entity_id(id).after(&run)).await?;
    tx.commit().await.or_internal()?;
    Ok(run)
}

pub(crate) async fn by_id(c: &impl ConnectionTrait, id: Id) -> Result<Run> {
    let run = billing_run::Entity::find_by_id(id)
        .one(c)
        .await
        .or_internal()?
        .map(view)
        .ok_or_else(|| Error::not_found("billing_run", id))?;
    Ok(labelled(c, vec![run]).await?.remove(0))
}

pub(crate) async fn scoped(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<Run> {
    let run = billing_run::Entity::find_by_id(id)
        .filter(project_condition(scope, billing_run::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .map(view)
        .ok_or_else(|| Error::not_found("billing_run", id))?;
    let run = labelled(c, vec![run]).await?.remove(0);
    with_worker(c, run).await
}

pub(crate) async fn list(
    c: &impl ConnectionTrait,
    scope: &Scope,
    project_id: Option<Id>,
    page: PageRequest,
) -> Result<Page<Run>> {
    let mut sel = billing_run::Entity::find().filter(project_condition(scope, billing_run::Column::ProjectId, false));
    if let Some(p) = project_id {
        sel = sel.filter(billing_run::Column::ProjectId.eq(p));
    }
    let page = crate::page::fetch(sel.order_by_desc(billing_run::Column::Id), c, page).await?.map(view);
    let mut items = Vec::with_capacity(page.items.len());
    for run in labelled(c, page.items).await? {
        items.push(with_worker(c, run).await?);
    }
    Ok(Page { items, ..page })
}

pub(crate) async fn confirm(db: &Db, granted: &Granted, id: Id, audit_event: AuditEvent) -> Result<Run> {
    let tx = db.begin().await.or_internal()?;
    let done = billing_run::Entity::update_many()
        .col_expr(billing_run::Column::State, Expr::value(RunState::Running.as_str()))
        .col_expr(billing_run::Column::ConfirmedBy, Expr::value(granted.actor().user_id))
        .col_expr(billing_run::Column::ConfirmedAt, Expr::value(Utc::now()))
        .filter(billing_run::Column::Id.eq(id))
        .filter(billing_run::Column::ProjectId.eq(granted.project_id()))
        .filter(billing_run::Column::State.eq(RunState::Preview.as_str()))
        .exec(&tx)
        .await
        .or_internal()?;
    if done.rows_affected == 0 {
        return Err(Error::Conflict(Code::RunNotPreview));
    }
    let job = NewJob::new(RUN_JOB, serde_json::json!({ "run_id": id }), Utc::now()).dedupe(format!("billing.run:{id}"));
    insert_job(&tx, NewJob { project_id: Some(granted.project_id()), ..job }).await?;
    let run = by_id(&tx, id).await?;
    audit::write(&tx, audit_event.after(&run)).await?;
    tx.commit().await.or_internal()?;
    Ok(run)
}

/// Inserts the bills whose keys are not taken yet, with their charge entries, in one transaction.
pub(crate) async fn write_bills(db: &Db, run_id: Id, bills: &[NewBill], seal: &Seal) -> Result<u64> {
    if bills.is_empty() {
        return Ok(0);
    }
    let tx = db.begin().await.or_internal()?;
    let n = insert_new(&tx, Some(run_id), bills, seal).await?;
    tx.commit().await.or_internal()?;
    Ok(n)
}

/// Inserts the bills whose keys are free, with their charge entries, in the caller's transaction.
/// A bill whose key is taken is skipped by the database itself (`ON CONFLICT DO NOTHING`), and
/// the inserted rows' ids come back with them (`RETURNING`): two statements per few hundred
/// bills, no lookups.
async fn insert_new(tx: &impl ConnectionTrait, run_id: Option<Id>, bills: &[NewBill], seal: &Seal) -> Result<u64> {
    use sea_orm::QueryTrait as _;
    use sea_orm::sea_query::{OnConflict, Query};
    let now = Utc::now();
    let mut written = 0;
    let mut projects: Vec<Id> = Vec::new();
    // SQLite binds at most 32,766 values in one statement; a bill has 20 columns.
    for part in bills.chunks(INSERT_ROWS) {
        let mut models = Vec::with_capacity(part.len());
        for b in part {
            models.push(bill_model(b, run_id, now)?);
        }
        let mut insert = bill::Entity::insert_many(models)
            .on_conflict(OnConflict::column(bill::Column::BillKey).do_nothing().to_owned())
            .into_query();
        insert.returning(Query::returning().columns([bill::Column::Id, bill::Column::BillKey]));
        let mut ids: HashMap<String, Id> = HashMap::with_capacity(part.len());
        for row in tx.query_all(&insert).await.or_internal()? {
            let id: Id = row.try_get_by_index(0).or_internal()?;
            let key: String = row.try_get_by_index(1).or_internal()?;
            ids.insert(key, id);
        }
        if ids.is_empty() {
            continue;
        }
        let mut counts: HashMap<(Id, NaiveDate), i64> = HashMap::new();
        let entries: Vec<ledger_entry::ActiveModel> = part
            .iter()
            .filter_map(|b| {
                let id = ids.get(&b.bill_key)?;
                projects.push(b.project_id);
                *counts.entry((b.project_id, b.period_start)).or_default() += 1;
                Some(entry_model(&b.charge_entry(Some(*id)), format!("charge:{}", b.bill_key), seal))
            })
            .collect();
        written += entries.len() as u64;
        ledger_entry::Entity::insert_many(entries).exec(tx).await.or_internal()?;
        count_bills(tx, counts).await?;
    }
    projects.sort_unstable();
    projects.dedup();
    super::ledger::move_marks(tx, &projects).await?;
    Ok(written)
}

/// Adds inserted bills to `bill_counts`, in the inserting transaction.
async fn count_bills(tx: &impl ConnectionTrait, counts: HashMap<(Id, NaiveDate), i64>) -> Result<()> {
    use sea_orm::sea_query::{ExprTrait as _, OnConflict};
    let rows = counts.into_iter().map(|((project_id, period_start), n)| bill_count::ActiveModel {
        project_id: Set(project_id),
        period_start: Set(period_start),
        bills: Set(n),
    });
    bill_count::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([bill_count::Column::ProjectId, bill_count::Column::PeriodStart])
                .value(
                    bill_count::Column::Bills,
                    Expr::col((bill_count::Entity, bill_count::Column::Bills)).add(Expr::cust("excluded.bills")),
                )
                .to_owned(),
        )
        .exec(tx)
        .await
        .or_internal()?;
    Ok(())
}

/// Rows per INSERT statement: within SQLite's 32,766 bound values for the widest table written
/// in bulk (bills, 20 columns; entries, 18).
const INSERT_ROWS: usize = 1_000;

pub(crate) fn bill_model(b: &NewBill, run_id: Option<Id>, now: chrono::DateTime<Utc>) -> Result<bill::ActiveModel> {
    Ok(bill::ActiveModel {
        id: NotSet,
        project_id: Set(b.project_id),
        building_id: Set(b.building_id),
        house_id: Set(b.house_id),
        fee_item_id: Set(b.fee_item_id),
        run_id: Set(run_id),
        bill_key: Set(b.bill_key.clone()),
        period_start: Set(b.period_start),
        period_end: Set(b.period_end),
        due_on: Set(b.due_on),
        amount_fen: Set(b.amount.0),
        lines: Set(serde_json::to_value(&b.lines).or_internal()?),
        late_fee_rate: Set(b.late_fee.daily_rate.normalize().to_string()),
        late_fee_grace_days: Set(b.late_fee.grace_days as i32),
        late_fee_cap_rate: Set(b.late_fee.cap_rate.map(|r| r.normalize().to_string())),
        note: Set(b.note.clone()),
        principal_due_fen: Set(b.amount.0),
        late_fee_due_fen: Set(0),
        settled_on: Set(None),
        issued_at: Set(now),
    })
}

pub(crate) async fn complete(db: &Db, id: Id, s: &RunSummary) -> Result<Run> {
    billing_run::Entity::update_many()
        .col_expr(billing_run::Column::State, Expr::value(RunState::Completed.as_str()))
        .col_expr(billing_run::Column::Bills, Expr::value(s.bills))
        .col_expr(billing_run::Column::TotalFen, Expr::value(s.total.0))
        .col_expr(
            billing_run::Column::Problems,
            Expr::value(serde_json::to_value((&s.items, &s.problems)).or_internal()?),
        )
        .col_expr(billing_run::Column::CompletedAt, Expr::value(Utc::now()))
        .filter(billing_run::Column::Id.eq(id))
        .exec(db.writer())
        .await
        .or_internal()?;
    by_id(&db.conn, id).await
}

pub(crate) async fn houses_with_balance(c: &impl ConnectionTrait, project_id: Id) -> Result<Vec<Id>> {
    let mut ids: Vec<Id> = house_balance::Entity::find()
        .select_only()
        .column(house_balance::Column::HouseId)
        .filter(house_balance::Column::ProjectId.eq(project_id))
        .filter(house_balance::Column::AmountFen.gt(0))
        .into_tuple::<Id>()
        .all(c)
        .await
        .or_internal()?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

pub(crate) async fn house_usage(c: &impl ConnectionTrait, house_id: Id) -> Result<String> {
    house::Entity::find_by_id(house_id)
        .one(c)
        .await
        .or_internal()?
        .map(|h| h.usage)
        .ok_or_else(|| Error::not_found("house", house_id))
}

pub(crate) async fn write_one_off(
    db: &Db,
    granted: &Granted,
    mut b: NewBill,
    seal: &Seal,
    audit_event: AuditEvent,
) -> Result<linli_billing::Bill> {
    let tx = db.begin().await.or_internal()?;
    let h = house::Entity::find_by_id(b.house_id)
        .filter(house::Column::ProjectId.eq(granted.project_id()))
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", b.house_id))?;
    b.building_id = h.building_id;
    let new = insert_new(&tx, None, std::slice::from_ref(&b), seal).await?;
    let row = bill::Entity::find()
        .filter(bill::Column::BillKey.eq(b.bill_key.as_str()))
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::internal("bill vanished"))?;
    if new > 0 {
        audit::write(
            &tx,
            audit_event.entity_id(row.id).after(&serde_json::json!({"bill_key": b.bill_key, "amount_fen": b.amount})),
        )
        .await?;
    }
    let view = super::bills::views(&tx, vec![row], linli_core::time::today()).await?.remove(0);
    tx.commit().await.or_internal()?;
    Ok(view)
}
