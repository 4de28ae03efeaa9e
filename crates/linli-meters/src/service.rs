//! The use cases of meters and readings: registering meters, entering a period's readings (by
//! hand, in batches from the phone page, or from a spreadsheet), confirming or rejecting flagged
//! readings, replacements, and the usage billing charges. Permission checks and audit events live
//! here; the rules are in `meter`.
//!
//! Readings go forward: a meter's reading may be entered or corrected only for a period after
//! every reading it has that counts (accepted or waiting), so a stored `previous` never goes
//! stale, and a later period waits until an earlier flagged reading is confirmed or rejected.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use linli_core::date::{self, Window};
use linli_core::time::today;
use linli_core::{
    AuditEvent, Authz, Code, Error, FieldError, Granted, Id, Page, PageRequest, Permission, Result, Scope,
};
use linli_import::{ImportReport, RowError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::meter::{
    self, Meter, MeterFields, MeterKind, MeterPatch, MeteredUse, NewMeter, Reading, ReadingFlag, ReadingState,
    Replacement,
};

const READ: Permission = Permission::BillingMeterRead;
const MANAGE: Permission = Permission::BillingMeterManage;
const ENTER: Permission = Permission::BillingReadingEnter;

#[async_trait]
pub trait MeterRepo: Send + Sync {
    async fn list_meters(&self, scope: &Scope, filter: &MeterFilter, page: PageRequest) -> Result<Page<Meter>>;
    /// 404 unless the meter is in the scope.
    async fn get_meter(&self, scope: &Scope, id: Id) -> Result<Meter>;
    /// Inserts the meter and its audit row. The house and building must be the project's (422
    /// otherwise); a house meter takes its house's building; a taken number is
    /// `meter_number_taken`.
    async fn create_meter(&self, granted: &Granted, fields: MeterFields, audit: AuditEvent) -> Result<Meter>;
    /// The same checks as `create_meter`.
    async fn update_meter(&self, granted: &Granted, id: Id, fields: MeterFields, audit: AuditEvent) -> Result<Meter>;
    /// Every reading of the meter, oldest period first.
    async fn readings_of(&self, meter_id: Id) -> Result<Vec<Reading>>;
    /// The project's readings up to and including `period`, oldest period first.
    async fn readings_until(&self, project_id: Id, kind: Option<MeterKind>, period: &str) -> Result<Vec<Reading>>;
    async fn list_readings(&self, scope: &Scope, filter: &ReadingFilter, page: PageRequest) -> Result<Page<Reading>>;
    /// 404 unless the reading is in the scope.
    async fn get_reading(&self, scope: &Scope, id: Id) -> Result<Reading>;
    /// Inserts the reading (`id` none) or replaces reading `id`, with its audit row. A second
    /// reading of the same meter and period is `conflict`.
    async fn save_reading(
        &self,
        granted: &Granted,
        id: Option<Id>,
        fields: ReadingFields,
        audit: AuditEvent,
    ) -> Result<Reading>;
    /// Each house's accepted own consumption in the period and its parts of the accepted shared
    /// meters (see `meter::usage`).
    async fn usage(&self, project_id: Id, period: &str, kind: MeterKind) -> Result<HashMap<Id, MeteredUse>>;
    /// Each house's label (`linli_property::house_label`), e.g. `1栋1单元101`.
    async fn house_labels(&self, project_id: Id) -> Result<HashMap<Id, String>>;
    /// Saves an import's readings (as `save_reading` does each) with their audit rows and the
    /// summary `audit` in one transaction, rolled back on a dry run.
    async fn apply_import(
        &self,
        granted: &Granted,
        writes: Vec<ReadingWrite>,
        audit: AuditEvent,
        dry_run: bool,
    ) -> Result<()>;
}

/// Filters of the meter list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeterFilter {
    pub project_id: Option<Id>,
    /// House meters of the building and the building's shared meters.
    pub building_id: Option<Id>,
    pub house_id: Option<Id>,
    pub kind: Option<MeterKind>,
    /// Only shared (`true`) or only house (`false`) meters.
    pub shared: Option<bool>,
    pub active: Option<bool>,
    /// Part of the number or location.
    pub q: Option<String>,
}

/// Filters of the reading list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadingFilter {
    pub project_id: Option<Id>,
    pub meter_id: Option<Id>,
    /// `YYYY-MM`.
    #[serde(default, deserialize_with = "date::any::opt_month")]
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub period: Option<String>,
    pub kind: Option<MeterKind>,
    pub state: Option<ReadingState>,
}

/// One reading to enter: the meter by id or by number.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewReading {
    pub meter_id: Option<Id>,
    /// 表号, when `meter_id` is not given.
    pub meter_number: Option<String>,
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::quantity)]
    pub value: Decimal,
    /// Today when left out.
    #[serde(default, deserialize_with = "date::billing::opt_day")]
    pub read_on: Option<NaiveDate>,
    /// The meter was replaced in this period; `value` is read on the new meter.
    pub replacement: Option<Replacement>,
}

/// `POST /meter-readings`: one period's readings of a project.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReadingsBatch {
    pub project_id: Id,
    /// `YYYY-MM`.
    #[schema(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub period: String,
    pub rows: Vec<NewReading>,
}

/// The most rows one batch takes.
pub const MAX_BATCH: usize = 2000;

linli_core::text_enum! {
    RowStatus {
        Created = "created",
        Updated = "updated",
        Unchanged = "unchanged",
        Failed = "failed",
    }
}

/// What became of one row of a batch; `reading` carries the flags.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReadingOutcome {
    /// The row's position in the request, from 0.
    pub index: usize,
    pub meter_id: Option<Id>,
    pub status: RowStatus,
    pub reading: Option<Reading>,
    pub errors: Vec<FieldError>,
}

/// A reading as stored: checked, with its previous register and consumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadingFields {
    pub meter_id: Id,
    pub period: String,
    pub value: Decimal,
    pub read_on: NaiveDate,
    pub previous: Decimal,
    pub consumption: Decimal,
    pub state: ReadingState,
    pub flags: Vec<ReadingFlag>,
    pub replacement: Option<Replacement>,
}

impl ReadingFields {
    fn of(r: &Reading) -> ReadingFields {
        ReadingFields {
            meter_id: r.meter_id,
            period: r.period.clone(),
            value: r.value,
            read_on: r.read_on,
            previous: r.previous,
            consumption: r.consumption,
            state: r.state,
            flags: r.flags.clone(),
            replacement: r.replacement,
        }
    }
}

/// A reading an import saves: inserted when `id` is none, else replacing reading `id`; with its
/// audit event.
#[derive(Debug, Clone)]
pub struct ReadingWrite {
    pub id: Option<Id>,
    pub fields: ReadingFields,
    pub audit: AuditEvent,
}

/// One line of the reading sheet (抄表单): an active meter, the register it is read from, and
/// its reading of the period if there is one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetRow {
    pub project_id: Id,
    pub meter: Meter,
    /// `1栋1单元101` for a house meter.
    pub house_label: Option<String>,
    #[schema(value_type = String)]
    pub previous: Decimal,
    pub reading: Option<Reading>,
}

/// A house's metered use of a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsageRow {
    pub project_id: Id,
    pub house_id: Id,
    pub house_label: Option<String>,
    #[schema(value_type = String)]
    pub consumption: Decimal,
    #[schema(value_type = String)]
    pub shared: Decimal,
}

/// A period strictly `YYYY-MM` within the billing window.
fn check_period(period: &str) -> Result<()> {
    linli_core::date::month_in(period, Window::Billing, today())
        .map(|_| ())
        .map_err(|code| Error::invalid("period", code))
}

/// What a reading of `period` is measured against, from the meter's readings (oldest first).
struct Prior<'a> {
    existing: Option<&'a Reading>,
    previous: Decimal,
    /// Accepted consumptions before the period, newest first.
    recent: Vec<Decimal>,
}

fn prior<'a>(meter: &Meter, readings: &'a [Reading], period: &str) -> Result<Prior<'a>, FieldError> {
    let counts = |r: &&Reading| r.state != ReadingState::Rejected;
    if readings.iter().filter(counts).any(|r| r.period.as_str() > period) {
        return Err(FieldError::new("period", "reading_not_latest"));
    }
    if readings.iter().any(|r| r.period.as_str() < period && r.state == ReadingState::NeedsConfirmation) {
        return Err(FieldError::new("period", "earlier_reading_pending"));
    }
    let accepted: Vec<&Reading> =
        readings.iter().filter(|r| r.period.as_str() < period && r.state == ReadingState::Accepted).collect();
    Ok(Prior {
        existing: readings.iter().find(|r| r.period == period),
        previous: accepted.last().map_or(meter.initial_value, |r| r.value),
        recent: accepted.iter().rev().map(|r| r.consumption).collect(),
    })
}

/// The reading to store for `new`, or why not; `None` when the stored one already says it.
fn decide(
    meter: &Meter,
    readings: &[Reading],
    period: &str,
    new: &NewReading,
    today: NaiveDate,
) -> Result<(Option<Id>, Option<ReadingFields>), Vec<FieldError>> {
    if !meter.active {
        return Err(vec![FieldError::new("meter_id", "inactive")]);
    }
    let read_on = new.read_on.unwrap_or(today);
    if read_on > today {
        return Err(vec![FieldError::new("read_on", "in_future")]);
    }
    let p = prior(meter, readings, period).map_err(|e| vec![e])?;
    if let Some(old) = p.existing
        && old.state != ReadingState::Rejected
        && old.value == new.value
        && old.replacement == new.replacement
        && (new.read_on.is_none() || old.read_on == read_on)
    {
        return Ok((Some(old.id), None));
    }
    let c = meter::check(meter.multiplier, meter.max_consumption, p.previous, new.value, new.replacement, &p.recent)?;
    let fields = ReadingFields {
        meter_id: meter.id,
        period: period.to_string(),
        value: new.value.normalize(),
        read_on,
        previous: p.previous,
        consumption: c.consumption,
        state: c.state,
        flags: c.flags,
        replacement: new
            .replacement
            .map(|r| Replacement { old_final: r.old_final.normalize(), new_initial: r.new_initial.normalize() }),
    };
    Ok((p.existing.map(|r| r.id), Some(fields)))
}

#[derive(Clone)]
pub struct MeterService {
    repo: Arc<dyn MeterRepo>,
}

impl MeterService {
    pub fn new(repo: Arc<dyn MeterRepo>) -> Self {
        Self { repo }
    }

    pub async fn list(&self, authz: &Authz, filter: &MeterFilter, page: PageRequest) -> Result<Page<Meter>> {
        self.repo.list_meters(&authz.scope(READ)?, filter, page).await
    }

    pub async fn get(&self, authz: &Authz, id: Id) -> Result<Meter> {
        self.repo.get_meter(&authz.scope(READ)?, id).await
    }

    pub async fn create(&self, authz: &Authz, new: NewMeter) -> Result<Meter> {
        let granted = authz.require(MANAGE, new.project_id)?;
        let fields = new.fields().validated()?;
        let audit =
            AuditEvent::new(granted.actor(), "billing.meter.created", "meter").project(Some(granted.project_id()));
        self.repo.create_meter(&granted, fields, audit).await
    }

    pub async fn update(&self, authz: &Authz, id: Id, patch: MeterPatch) -> Result<Meter> {
        let before = self.get(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        let fields = patch.apply(&before).validated()?;
        let audit = AuditEvent::new(granted.actor(), "billing.meter.updated", "meter")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.update_meter(&granted, id, fields, audit).await
    }

    /// What one reading does: the row's status, the stored reading it leaves unchanged, or the
    /// reading to save with its audit event. The error is the row's.
    async fn plan_one(
        &self,
        granted: &Granted,
        meter: &Meter,
        period: &str,
        new: &NewReading,
    ) -> Result<Result<(RowStatus, Option<Reading>, Option<ReadingWrite>), Vec<FieldError>>> {
        let readings = self.repo.readings_of(meter.id).await?;
        let (id, fields) = match decide(meter, &readings, period, new, today()) {
            Ok(d) => d,
            Err(errs) => return Ok(Err(errs)),
        };
        let Some(fields) = fields else {
            let same = readings.into_iter().find(|r| Some(r.id) == id);
            return Ok(Ok((RowStatus::Unchanged, same, None)));
        };
        let status = if id.is_some() { RowStatus::Updated } else { RowStatus::Created };
        let mut audit = AuditEvent::new(granted.actor(), "billing.reading.entered", "meter_reading")
            .project(Some(meter.project_id));
        if let Some(before) = id.and_then(|id| readings.iter().find(|r| r.id == id)) {
            audit = audit.before(before);
        }
        Ok(Ok((status, None, Some(ReadingWrite { id, fields, audit }))))
    }

    /// Checks and stores one reading; each row is its own transaction. The inner error is the
    /// row's; the outer one fails the whole request.
    async fn enter_one(
        &self,
        granted: &Granted,
        meter: &Meter,
        period: &str,
        new: &NewReading,
    ) -> Result<Result<(RowStatus, Option<Reading>), Vec<FieldError>>> {
        let (status, same, write) = match self.plan_one(granted, meter, period, new).await? {
            Ok(planned) => planned,
            Err(errs) => return Ok(Err(errs)),
        };
        let Some(ReadingWrite { id, fields, audit }) = write else { return Ok(Ok((status, same))) };
        match self.repo.save_reading(granted, id, fields, audit).await {
            Ok(r) => Ok(Ok((status, Some(r)))),
            Err(Error::Validation(errs)) => Ok(Err(errs)),
            // Someone else stored the period's reading in between.
            Err(Error::Conflict(code)) => Ok(Err(vec![FieldError::new("period", code.as_str())])),
            Err(e) => Err(e),
        }
    }

    /// Enters a period's readings; each row is checked and stored on its own, and answered with
    /// its flags or its errors.
    pub async fn enter(&self, authz: &Authz, batch: ReadingsBatch) -> Result<Vec<ReadingOutcome>> {
        let granted = authz.require(ENTER, batch.project_id)?;
        check_period(&batch.period)?;
        if batch.rows.len() > MAX_BATCH {
            return Err(Error::invalid("rows", "too_many"));
        }
        let scope = authz.scope(ENTER)?;
        let mut by_number: Option<HashMap<String, Meter>> = None;
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(batch.rows.len());
        for (index, row) in batch.rows.iter().enumerate() {
            let meter = match (row.meter_id, row.meter_number.as_deref()) {
                (Some(id), _) => match self.repo.get_meter(&scope, id).await {
                    Ok(m) if m.project_id == batch.project_id => Some(m),
                    Ok(_) | Err(Error::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                },
                (None, Some(number)) => {
                    if by_number.is_none() {
                        by_number = Some(self.numbers(&scope, batch.project_id).await?);
                    }
                    by_number.as_ref().and_then(|m| m.get(number.trim())).cloned()
                }
                (None, None) => None,
            };
            let fail = |errors| ReadingOutcome {
                index,
                meter_id: row.meter_id,
                status: RowStatus::Failed,
                reading: None,
                errors,
            };
            let Some(meter) = meter else {
                out.push(fail(vec![FieldError::new("meter_id", "not_found")]));
                continue;
            };
            if !seen.insert(meter.id) {
                out.push(fail(vec![FieldError::new("meter_id", "duplicate_in_batch")]));
                continue;
            }
            out.push(match self.enter_one(&granted, &meter, &batch.period, row).await? {
                Ok((status, reading)) => {
                    ReadingOutcome { index, meter_id: Some(meter.id), status, reading, errors: vec![] }
                }
                Err(errors) => ReadingOutcome { meter_id: Some(meter.id), ..fail(errors) },
            });
        }
        Ok(out)
    }

    /// The project's meters by number.
    async fn numbers(&self, scope: &Scope, project_id: Id) -> Result<HashMap<String, Meter>> {
        let filter = MeterFilter { project_id: Some(project_id), ..MeterFilter::default() };
        let all = self.repo.list_meters(scope, &filter, PageRequest::all()).await?;
        Ok(all.items.into_iter().map(|m| (m.number.clone(), m)).collect())
    }

    pub async fn readings(&self, authz: &Authz, filter: &ReadingFilter, page: PageRequest) -> Result<Page<Reading>> {
        self.repo.list_readings(&authz.scope(READ)?, filter, page).await
    }

    pub async fn reading(&self, authz: &Authz, id: Id) -> Result<Reading> {
        self.repo.get_reading(&authz.scope(READ)?, id).await
    }

    /// Accepts a flagged reading as it stands. A lower reading is accepted as the meter having
    /// restarted at 0 (see `meter`). Confirming is a reviewer's act: it needs `billing.meter.manage`.
    pub async fn confirm(&self, authz: &Authz, id: Id) -> Result<Reading> {
        self.decide_flagged(authz, id, ReadingState::Accepted, "billing.reading.confirmed").await
    }

    /// Refuses a flagged reading: it does not count, and the period may be read again.
    pub async fn reject(&self, authz: &Authz, id: Id) -> Result<Reading> {
        self.decide_flagged(authz, id, ReadingState::Rejected, "billing.reading.rejected").await
    }

    async fn decide_flagged(&self, authz: &Authz, id: Id, to: ReadingState, action: &'static str) -> Result<Reading> {
        let before = self.reading(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        if before.state != ReadingState::NeedsConfirmation {
            return Err(Error::Conflict(Code::ReadingNotPending));
        }
        let mut fields = ReadingFields { state: to, ..ReadingFields::of(&before) };
        if to == ReadingState::Accepted {
            fields.replacement = meter::confirmed_replacement(&before);
        }
        let audit = AuditEvent::new(granted.actor(), action, "meter_reading")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.save_reading(&granted, Some(id), fields, audit).await
    }

    /// Records that the meter was replaced in the reading's period: the reading's value is read
    /// on the new meter. The reading is checked again (it may still be a spike).
    pub async fn replace(&self, authz: &Authz, id: Id, replacement: Replacement) -> Result<Reading> {
        let before = self.reading(authz, id).await?;
        let granted = authz.require(ENTER, before.project_id)?;
        let meter = self.repo.get_meter(&authz.scope(ENTER)?, before.meter_id).await?;
        let readings = self.repo.readings_of(meter.id).await?;
        let new = NewReading {
            meter_id: Some(meter.id),
            meter_number: None,
            value: before.value,
            read_on: Some(before.read_on),
            replacement: Some(replacement),
        };
        let (_, fields) = decide(&meter, &readings, &before.period, &new, today()).map_err(|errs| {
            if errs.iter().any(|e| e.field == "period") {
                Error::Conflict(Code::ReadingNotLatest)
            } else {
                Error::Validation(errs)
            }
        })?;
        let Some(fields) = fields else { return Ok(before) };
        let audit = AuditEvent::new(granted.actor(), "billing.reading.replaced", "meter_reading")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.save_reading(&granted, Some(id), fields, audit).await
    }

    /// The reading sheet of a period: every active meter with the register it is read from and
    /// its reading of the period, if any. `unread` keeps the meters still to read.
    pub async fn sheet(
        &self,
        authz: &Authz,
        project_id: Id,
        period: &str,
        kind: Option<MeterKind>,
        building_id: Option<Id>,
        unread: bool,
    ) -> Result<Vec<SheetRow>> {
        authz.require(READ, project_id)?;
        check_period(period)?;
        let filter = MeterFilter {
            project_id: Some(project_id),
            kind,
            building_id,
            active: Some(true),
            ..MeterFilter::default()
        };
        let scope = authz.scope(READ)?;
        let meters = self.repo.list_meters(&scope, &filter, PageRequest::all()).await?;
        let mut by_meter: HashMap<Id, Vec<Reading>> = HashMap::new();
        for r in self.repo.readings_until(project_id, kind, period).await? {
            by_meter.entry(r.meter_id).or_default().push(r);
        }
        let labels = self.repo.house_labels(project_id).await?;
        let mut rows = Vec::new();
        for m in meters.items {
            let readings = by_meter.remove(&m.id).unwrap_or_default();
            let reading = readings.iter().find(|r| r.period == period).cloned();
            let previous = match reading.as_ref() {
                Some(r) => r.previous,
                None => prior(&m, &readings, period)
                    .map_or_else(|_| readings.last().map_or(m.initial_value, |r| r.value), |p| p.previous),
            };
            if unread && reading.as_ref().is_some_and(|r| r.state != ReadingState::Rejected) {
                continue;
            }
            let house_label = m.house_id.and_then(|h| labels.get(&h).cloned());
            rows.push(SheetRow { project_id, meter: m, house_label, previous, reading });
        }
        Ok(rows)
    }

    /// What billing charges for metered fees: each house's accepted own consumption and its
    /// shares of shared meters.
    pub async fn usage(
        &self,
        authz: &Authz,
        project_id: Id,
        period: &str,
        kind: MeterKind,
    ) -> Result<HashMap<Id, MeteredUse>> {
        authz.require(READ, project_id)?;
        check_period(period)?;
        self.repo.usage(project_id, period, kind).await
    }

    /// `usage` as rows, in house order.
    pub async fn usage_rows(
        &self,
        authz: &Authz,
        project_id: Id,
        period: &str,
        kind: MeterKind,
    ) -> Result<Vec<UsageRow>> {
        let usage = self.usage(authz, project_id, period, kind).await?;
        let labels = self.repo.house_labels(project_id).await?;
        let mut rows: Vec<UsageRow> = usage
            .into_iter()
            .map(|(house_id, u)| UsageRow {
                project_id,
                house_id,
                house_label: labels.get(&house_id).cloned(),
                consumption: u.consumption,
                shared: u.shared,
            })
            .collect();
        rows.sort_by_key(|r| r.house_id);
        Ok(rows)
    }

    /// Imports a period's readings from a spreadsheet (`sheet::COLUMNS`). Meters are found by
    /// number; a row whose reading is already stored with the same value is unchanged, so the
    /// same file imported twice changes nothing. Flagged readings are stored waiting for
    /// confirmation, as when entered by hand. The readings and the audit rows are saved in one
    /// transaction; a dry run rolls it back, so it reports exactly what a real run would do.
    pub async fn import(
        &self,
        authz: &Authz,
        project_id: Id,
        period: &str,
        file_name: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let granted = authz.require(ENTER, project_id)?;
        check_period(period)?;
        let sheet = linli_import::read_sheet(file_name, bytes)?;
        let (rows, mut errors) = crate::reading_sheet::parse(&sheet);
        let meters = self.numbers(&authz.scope(ENTER)?, project_id).await?;
        let mut report = ImportReport {
            kind: "meter_readings".into(),
            dry_run,
            total_rows: sheet.rows.len(),
            ..ImportReport::default()
        };
        let mut seen = HashSet::new();
        let mut writes = Vec::new();
        for (row, new) in rows {
            let number = new.meter_number.clone().unwrap_or_default();
            let Some(meter) = meters.get(&number) else {
                errors.push(RowError::new(row, crate::reading_sheet::NUMBER, "not_found"));
                continue;
            };
            if !seen.insert(meter.id) {
                errors.push(RowError::new(row, crate::reading_sheet::NUMBER, "duplicate_in_file"));
                continue;
            }
            match self.plan_one(&granted, meter, period, &new).await? {
                Ok((status, _, write)) => {
                    match status {
                        RowStatus::Created => report.created += 1,
                        RowStatus::Updated => report.updated += 1,
                        _ => report.unchanged += 1,
                    }
                    writes.extend(write);
                }
                Err(errs) => errors.extend(
                    errs.into_iter().map(|f| RowError::new(row, crate::reading_sheet::header_of(&f.field), &f.code)),
                ),
            }
        }
        report.failed = finish(&mut errors);
        report.errors = errors;
        let mut summary =
            AuditEvent::new(granted.actor(), "billing.reading.imported", "meter_reading").project(Some(project_id));
        summary.after =
            Some(serde_json::json!({"period": period, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "failed_rows": report.failed}));
        self.repo.apply_import(&granted, writes, summary, dry_run).await?;
        Ok(report)
    }

    /// The reading sheet as a spreadsheet to fill in, in the import's columns.
    pub async fn sheet_xlsx(
        &self,
        authz: &Authz,
        project_id: Id,
        period: &str,
        kind: Option<MeterKind>,
    ) -> Result<Vec<u8>> {
        let rows = self.sheet(authz, project_id, period, kind, None, false).await?;
        crate::reading_sheet::write(&rows)
    }
}

/// Sorts the errors by row and answers how many rows failed.
fn finish(errors: &mut [RowError]) -> usize {
    errors.sort_by_key(|e| e.row);
    let mut rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
    rows.dedup();
    rows.len()
}
