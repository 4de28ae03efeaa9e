//! Importing the register from a spreadsheet. Rows are matched to items by code: a new code is
//! created, a known one updated when it differs, left alone when it matches. Each row is its own
//! transaction, so the valid rows go in while the report names the others.

use std::collections::HashMap;

use linli_core::{AuditEvent, Authz, Error, Id, PageRequest, Permission, Result};
use linli_import::{ImportReport, RowError};

use crate::sheet::{self, EquipmentRow};
use crate::{EquipmentFilter, EquipmentService};

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

impl EquipmentService {
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
        authz.require(Permission::EquipmentItemManage, project_id)?;
        let sheet = linli_import::read_sheet(file_name, bytes)?;
        let categories = self.repo_categories(authz).await?;
        let (rows, mut errors) = sheet::parse(&sheet, project_id, &categories, buildings);
        let filter = EquipmentFilter { project_id: Some(project_id), ..EquipmentFilter::default() };
        let existing = self.list(authz, &filter, PageRequest::all()).await?.items;
        let by_code: HashMap<String, _> = existing.into_iter().map(|e| (e.code.clone(), e)).collect();
        let mut report =
            ImportReport { kind: "equipment".into(), dry_run, total_rows: sheet.rows.len(), ..ImportReport::default() };
        let mut seen = std::collections::HashSet::new();
        for EquipmentRow { row, new } in rows {
            if !seen.insert(new.code.clone()) {
                errors.push(RowError::new(row, "编码", "duplicate_in_file"));
                continue;
            }
            let outcome = match by_code.get(&new.code) {
                Some(old) => {
                    let fields = new.clone().fields();
                    let mut same = old.fields();
                    same.next_maintenance_on = None;
                    if same == fields {
                        report.unchanged += 1;
                        continue;
                    }
                    if dry_run { Self::check(authz, new) } else { self.replace(authz, old.id, new).await.map(|_| ()) }
                        .map(|()| report.updated += 1)
                }
                None => if dry_run { Self::check(authz, new) } else { self.create(authz, new).await.map(|_| ()) }
                    .map(|()| report.created += 1),
            };
            match outcome {
                Ok(()) => {}
                Err(Error::Validation(fields)) => {
                    errors.extend(fields.into_iter().map(|f| RowError::new(row, header_of(&f.field), &f.code)));
                }
                Err(Error::Conflict(code)) => errors.push(RowError::new(row, "编码", code.as_str())),
                Err(e) => return Err(e),
            }
        }
        errors.sort_by_key(|e| e.row);
        let mut failed: Vec<usize> = errors.iter().map(|e| e.row).collect();
        failed.dedup();
        report.failed = failed.len();
        report.errors = errors;
        if !dry_run {
            let mut e =
                AuditEvent::new(authz.actor(), "equipment.item.imported", "equipment").project(Some(project_id));
            e.after = Some(
                serde_json::json!({"created": report.created, "updated": report.updated, "unchanged": report.unchanged, "failed_rows": report.failed}),
            );
            self.record(e).await?;
        }
        Ok(report)
    }

    /// The register matching a filter as XLSX, in the template's columns.
    pub async fn export(&self, authz: &Authz, filter: &EquipmentFilter) -> Result<Vec<u8>> {
        let items = self.list(authz, filter, PageRequest::all()).await?.items;
        let categories = self.repo_categories(authz).await?;
        linli_import::write_xlsx("设施设备", &sheet::COLUMNS, &sheet::rows(&items, &categories))
    }
}
