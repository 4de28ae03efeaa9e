//! Importing the register from a spreadsheet: `plan` (pure) decides what each row does, storage
//! applies the plan in one transaction with the audit rows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use linli_core::time::{date_of as registered_on, today};
use linli_core::{AuditEvent, Authz, Error, Id, PageRequest, Permission, Result};
use linli_import::{ImportReport, RowError};

use crate::sheet::{self, EquipmentRow};
use crate::{Equipment, EquipmentFields, EquipmentFilter, EquipmentService};

/// API field names to the template's headers, for row errors found by validation.
fn header_of(field: &str) -> &'static str {
    match field {
        "code" => "编码",
        "name" => "名称",
        "category_id" => "分类",
        "brand" => "品牌",
        "model" => "型号",
        "serial_number" => "序列号",
        "supplier" => "供应商",
        "purchased_on" => "购置日期",
        "purchase_price_fen" => "购置价格",
        "building_id" => "楼栋",
        "location" => "安装位置",
        "warranty_until" => "保修截止",
        "cycle_unit" | "cycle_every" => "保养周期",
        "last_maintained_on" => "上次保养",
        _ => "",
    }
}

/// An item an import writes: created when `id` is none, else replaced; with its audit event.
#[derive(Debug, Clone)]
pub struct ImportWrite {
    pub id: Option<Id>,
    pub fields: EquipmentFields,
    pub audit: AuditEvent,
}

/// What an import does with the parsed rows, given the project's items.
#[derive(Debug, Default)]
pub struct ImportPlan {
    /// Rows to create (`before` none) or replace, in file order, with their checked fields.
    pub changes: Vec<(usize, Option<Equipment>, EquipmentFields)>,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

/// Matches rows to items by code: a new code is created, a known one replaced when its fields
/// differ, left alone when they match. A code twice in the file fails its second row.
pub fn plan(rows: Vec<EquipmentRow>, existing: Vec<Equipment>, today: NaiveDate) -> Result<ImportPlan> {
    let by_code: HashMap<String, Equipment> = existing.into_iter().map(|e| (e.code.clone(), e)).collect();
    let mut plan = ImportPlan::default();
    let mut seen = HashSet::new();
    for EquipmentRow { row, new } in rows {
        if !seen.insert(new.code.clone()) {
            plan.errors.push(RowError::new(row, "编码", "duplicate_in_file"));
            continue;
        }
        let old = by_code.get(&new.code);
        let fields = new.fields();
        if let Some(old) = old {
            let mut same = old.fields();
            same.next_maintenance_on = None;
            if same == fields {
                plan.unchanged += 1;
                continue;
            }
        }
        let registered = old.map_or(today, |o| registered_on(o.created_at));
        match fields.validated(registered, today) {
            Ok(checked) => plan.changes.push((row, old.cloned(), checked)),
            Err(Error::Validation(fields)) => {
                plan.errors.extend(fields.into_iter().map(|f| RowError::new(row, header_of(&f.field), &f.code)));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(plan)
}

impl EquipmentService {
    /// Imports the register from a spreadsheet in one transaction with its audit rows; a dry
    /// run rolls it back, so it reports exactly what a real run would do. The valid rows go in
    /// while the report names the others.
    ///
    /// `buildings` names the project's buildings (the property module owns them).
    #[allow(clippy::implicit_hasher)] // always the std map
    pub async fn import(
        &self,
        authz: &Authz,
        project_id: Id,
        buildings: &HashMap<String, Id>,
        file_name: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let granted = authz.require(Permission::EquipmentItemManage, project_id)?;
        let sheet = linli_import::read_sheet(file_name, bytes)?;
        let categories = self.repo_categories(authz).await?;
        let (rows, mut errors) = sheet::parse(&sheet, project_id, &categories, buildings);
        let filter = EquipmentFilter { project_id: Some(project_id), ..EquipmentFilter::default() };
        let existing = self.list(authz, &filter, PageRequest::all()).await?.items;
        let plan = plan(rows, existing, today())?;
        let mut report =
            ImportReport { kind: "equipment".into(), dry_run, total_rows: sheet.rows.len(), ..ImportReport::default() };
        report.unchanged = plan.unchanged;
        let writes: Vec<ImportWrite> = plan
            .changes
            .into_iter()
            .map(|(_, before, fields)| {
                let audit = match &before {
                    None => {
                        report.created += 1;
                        AuditEvent::new(granted.actor(), "equipment.item.created", "equipment")
                    }
                    Some(b) => {
                        report.updated += 1;
                        AuditEvent::new(granted.actor(), "equipment.item.updated", "equipment")
                            .entity_id(b.id)
                            .before(b)
                    }
                };
                ImportWrite { id: before.map(|b| b.id), fields, audit: audit.project(Some(project_id)) }
            })
            .collect();
        errors.extend(plan.errors);
        errors.sort_by_key(|e| e.row);
        let mut failed: Vec<usize> = errors.iter().map(|e| e.row).collect();
        failed.dedup();
        report.failed = failed.len();
        report.errors = errors;
        let summary = AuditEvent::new(granted.actor(), "equipment.item.imported", "equipment")
            .project(Some(project_id))
            .after(&report.summary());
        self.repo.apply_import(&granted, writes, summary, dry_run).await?;
        Ok(report)
    }

    /// The register matching a filter as XLSX, in the template's columns.
    pub async fn export(&self, authz: &Authz, filter: &EquipmentFilter) -> Result<Vec<u8>> {
        let items = self.list(authz, filter, PageRequest::all()).await?.items;
        let categories = self.repo_categories(authz).await?;
        linli_import::write_xlsx("设施设备", &sheet::COLUMNS, &sheet::rows(&items, &categories))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::{EquipmentState, NewEquipment};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn new(code: &str, name: &str) -> NewEquipment {
        NewEquipment {
            project_id: 1,
            category_id: 2,
            code: code.into(),
            name: name.into(),
            brand: None,
            model: None,
            serial_number: None,
            supplier: None,
            purchased_on: None,
            purchase_price_fen: None,
            building_id: None,
            location: None,
            warranty_until: None,
            cycle_unit: None,
            cycle_every: None,
            last_maintained_on: None,
            state: EquipmentState::Running,
        }
    }

    fn stored(id: Id, n: NewEquipment) -> Equipment {
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap();
        let f = n.fields();
        Equipment {
            id,
            project_id: 1,
            category_id: f.category_id,
            code: f.code,
            name: f.name,
            brand: f.brand,
            model: f.model,
            serial_number: f.serial_number,
            supplier: f.supplier,
            purchased_on: f.purchased_on,
            purchase_price_fen: f.purchase_price_fen,
            building_id: f.building_id,
            building_name: None,
            location: f.location,
            warranty_until: f.warranty_until,
            cycle_unit: f.cycle_unit,
            cycle_every: f.cycle_every,
            last_maintained_on: f.last_maintained_on,
            next_maintenance_on: None,
            state: f.state,
            created_at: at,
            updated_at: at,
        }
    }

    fn row(row: usize, new: NewEquipment) -> EquipmentRow {
        EquipmentRow { row, new }
    }

    #[test]
    fn rows_match_items_by_code_new_ones_are_created_changed_ones_replaced_equal_ones_left() {
        let existing = vec![stored(7, new("DT-01", "1号客梯")), stored(8, new("XF-01", "消防泵"))];
        let rows =
            vec![row(2, new("DT-01", "1号客梯")), row(3, new("XF-01", "1号消防泵")), row(4, new("PD-01", "变压器"))];
        let p = plan(rows, existing, day("2026-03-01")).unwrap();
        assert_eq!(p.unchanged, 1);
        let changes: Vec<(usize, Option<Id>, &str)> =
            p.changes.iter().map(|(r, before, f)| (*r, before.as_ref().map(|b| b.id), f.name.as_str())).collect();
        assert_eq!(changes, [(3, Some(8), "1号消防泵"), (4, None, "变压器")]);
        assert!(p.errors.is_empty());
    }

    #[test]
    fn a_code_twice_in_the_file_and_an_invalid_row_are_refused_with_their_columns() {
        let mut late = new("DT-02", "2号客梯");
        late.last_maintained_on = Some(day("2026-04-01"));
        let rows = vec![row(2, new("DT-01", "1号客梯")), row(3, new("DT-01", "又一台")), row(4, late)];
        let p = plan(rows, Vec::new(), day("2026-03-01")).unwrap();
        assert_eq!(
            p.errors,
            [RowError::new(3, "编码", "duplicate_in_file"), RowError::new(4, "上次保养", "in_future")]
        );
        assert_eq!(p.changes.len(), 1);
    }
}
