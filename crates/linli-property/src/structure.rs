//! The use cases of a project's structure: buildings, units and houses.

use std::sync::Arc;

use async_trait::async_trait;
use linli_core::error::Validator;
use linli_core::{AuditEvent, Authz, Granted, Id, Page, PageRequest, Permission, Result, Scope};
use linli_import::{ImportReport, RowError};
use serde::Serialize;

use crate::house_sheet::{self, HouseRow};

use crate::{
    Building, BuildingPatch, House, HouseFields, HouseFilter, HousePatch, NewBuilding, NewHouse, NewUnit, Unit,
    UnitPatch,
};

/// A building with its units and house counts, for the console's tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BuildingNode {
    pub building: Building,
    pub house_count: u64,
    pub units: Vec<UnitNode>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitNode {
    pub unit: Unit,
    pub house_count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

/// Folds counts and errors into the report; a row with several errors counts once as failed.
pub fn report(
    kind: &str,
    dry_run: bool,
    total_rows: usize,
    counts: ImportCounts,
    mut errors: Vec<RowError>,
) -> ImportReport {
    errors.extend(counts.errors);
    errors.sort_by_key(|e| e.row);
    let mut failed_rows: Vec<usize> = errors.iter().map(|e| e.row).filter(|r| *r > 1).collect();
    failed_rows.dedup();
    ImportReport {
        kind: kind.to_string(),
        dry_run,
        total_rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        failed: failed_rows.len(),
        errors,
    }
}

/// What a manager sees on a project's card.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProjectStats {
    pub buildings: u64,
    pub houses: u64,
    pub occupied: u64,
    pub vacant: u64,
    pub owners: u64,
    pub residents: u64,
    pub vehicles: u64,
    pub equipment: u64,
}

#[async_trait]
pub trait StructureRepo: Send + Sync {
    async fn list_buildings(&self, scope: &Scope, project_id: Option<Id>, page: PageRequest) -> Result<Page<Building>>;
    async fn get_building(&self, scope: &Scope, id: Id) -> Result<Building>;
    /// A taken name in the project is `building_name_taken`.
    async fn create_building(&self, granted: &Granted, new: NewBuilding, audit: AuditEvent) -> Result<Building>;
    async fn update_building(&self, granted: &Granted, after: Building, audit: AuditEvent) -> Result<Building>;
    /// `building_not_empty` while it has units or houses.
    async fn delete_building(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;

    async fn list_units(&self, scope: &Scope, building_id: Option<Id>, page: PageRequest) -> Result<Page<Unit>>;
    async fn get_unit(&self, scope: &Scope, id: Id) -> Result<Unit>;
    async fn create_unit(&self, granted: &Granted, building_id: Id, name: String, audit: AuditEvent) -> Result<Unit>;
    async fn rename_unit(&self, granted: &Granted, id: Id, name: String, audit: AuditEvent) -> Result<Unit>;
    /// `unit_not_empty` while it has houses.
    async fn delete_unit(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;

    async fn list_houses(&self, scope: &Scope, filter: &HouseFilter, page: PageRequest) -> Result<Page<House>>;
    async fn get_house(&self, scope: &Scope, id: Id) -> Result<House>;
    /// The unit must belong to the building; a taken number there is `house_number_taken`.
    async fn create_house(
        &self,
        granted: &Granted,
        building_id: Id,
        unit_id: Option<Id>,
        fields: HouseFields,
        audit: AuditEvent,
    ) -> Result<House>;
    async fn update_house(&self, granted: &Granted, id: Id, fields: HouseFields, audit: AuditEvent) -> Result<House>;
    /// `house_in_use` while it has owners or occupants, present or past.
    async fn delete_house(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;

    /// Creates missing buildings and units, creates new houses and updates changed ones, in one
    /// transaction (rolled back on a dry run). Answers the counts and the rows it refused.
    async fn import_houses(
        &self,
        granted: &Granted,
        rows: Vec<HouseRow>,
        dry_run: bool,
        audit: AuditEvent,
    ) -> Result<ImportCounts>;

    async fn structure(&self, scope: &Scope, project_id: Id) -> Result<Vec<BuildingNode>>;
    async fn stats(&self, scope: &Scope, project_id: Id) -> Result<ProjectStats>;
}

#[derive(Clone)]
pub struct StructureService {
    repo: Arc<dyn StructureRepo>,
}

const READ: Permission = Permission::PropertyHouseRead;
const MANAGE: Permission = Permission::PropertyHouseManage;
/// Rows in one export; a larger community exports by building.
pub const EXPORT_MAX: u64 = 200_000;

impl StructureService {
    pub fn new(repo: Arc<dyn StructureRepo>) -> Self {
        Self { repo }
    }

    pub async fn list_buildings(
        &self,
        authz: &Authz,
        project_id: Option<Id>,
        page: PageRequest,
    ) -> Result<Page<Building>> {
        self.repo.list_buildings(&authz.scope(READ)?, project_id, page).await
    }

    pub async fn get_building(&self, authz: &Authz, id: Id) -> Result<Building> {
        self.repo.get_building(&authz.scope(READ)?, id).await
    }

    pub async fn create_building(&self, authz: &Authz, new: NewBuilding) -> Result<Building> {
        let granted = authz.require(MANAGE, new.project_id)?;
        let new = new.validated()?;
        let audit =
            AuditEvent::new(granted.actor(), "property.building.created", "building").project(Some(new.project_id));
        self.repo.create_building(&granted, new, audit).await
    }

    pub async fn update_building(&self, authz: &Authz, id: Id, patch: BuildingPatch) -> Result<Building> {
        let before = self.get_building(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        let mut after = before.clone();
        patch.apply(&mut after)?;
        let audit = AuditEvent::new(granted.actor(), "property.building.updated", "building")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.update_building(&granted, after, audit).await
    }

    pub async fn delete_building(&self, authz: &Authz, id: Id) -> Result<()> {
        let b = self.get_building(authz, id).await?;
        let granted = authz.require(MANAGE, b.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "property.building.deleted", "building")
            .project(Some(b.project_id))
            .entity_id(id)
            .before(&b);
        self.repo.delete_building(&granted, id, audit).await
    }

    pub async fn list_units(&self, authz: &Authz, building_id: Option<Id>, page: PageRequest) -> Result<Page<Unit>> {
        self.repo.list_units(&authz.scope(READ)?, building_id, page).await
    }

    pub async fn create_unit(&self, authz: &Authz, new: NewUnit) -> Result<Unit> {
        let b = self.get_building(authz, new.building_id).await?;
        let granted = authz.require(MANAGE, b.project_id)?;
        let mut v = Validator::default();
        let name = crate::building::unit_name(&mut v, &new.name);
        v.finish()?;
        let audit = AuditEvent::new(granted.actor(), "property.unit.created", "unit").project(Some(b.project_id));
        self.repo.create_unit(&granted, b.id, name, audit).await
    }

    pub async fn rename_unit(&self, authz: &Authz, id: Id, patch: UnitPatch) -> Result<Unit> {
        let u = self.repo.get_unit(&authz.scope(READ)?, id).await?;
        let granted = authz.require(MANAGE, u.project_id)?;
        let mut v = Validator::default();
        let name = crate::building::unit_name(&mut v, &patch.name);
        v.finish()?;
        let audit = AuditEvent::new(granted.actor(), "property.unit.updated", "unit")
            .project(Some(u.project_id))
            .entity_id(id)
            .before(&u);
        self.repo.rename_unit(&granted, id, name, audit).await
    }

    pub async fn delete_unit(&self, authz: &Authz, id: Id) -> Result<()> {
        let u = self.repo.get_unit(&authz.scope(READ)?, id).await?;
        let granted = authz.require(MANAGE, u.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "property.unit.deleted", "unit")
            .project(Some(u.project_id))
            .entity_id(id)
            .before(&u);
        self.repo.delete_unit(&granted, id, audit).await
    }

    pub async fn list_houses(&self, authz: &Authz, filter: &HouseFilter, page: PageRequest) -> Result<Page<House>> {
        self.repo.list_houses(&authz.scope(READ)?, filter, page).await
    }

    pub async fn get_house(&self, authz: &Authz, id: Id) -> Result<House> {
        self.repo.get_house(&authz.scope(READ)?, id).await
    }

    pub async fn create_house(&self, authz: &Authz, new: NewHouse) -> Result<House> {
        let b = self.get_building(authz, new.building_id).await?;
        let granted = authz.require(MANAGE, b.project_id)?;
        let fields = new.validated(&b)?;
        let audit = AuditEvent::new(granted.actor(), "property.house.created", "house").project(Some(b.project_id));
        self.repo.create_house(&granted, b.id, new.unit_id, fields, audit).await
    }

    pub async fn update_house(&self, authz: &Authz, id: Id, patch: HousePatch) -> Result<House> {
        let h = self.get_house(authz, id).await?;
        let granted = authz.require(MANAGE, h.project_id)?;
        let b = self.get_building(authz, h.building_id).await?;
        let fields = patch.apply(&h, &b)?;
        let audit = AuditEvent::new(granted.actor(), "property.house.updated", "house")
            .project(Some(h.project_id))
            .entity_id(id)
            .before(&h);
        self.repo.update_house(&granted, id, fields, audit).await
    }

    pub async fn delete_house(&self, authz: &Authz, id: Id) -> Result<()> {
        let h = self.get_house(authz, id).await?;
        let granted = authz.require(MANAGE, h.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "property.house.deleted", "house")
            .project(Some(h.project_id))
            .entity_id(id)
            .before(&h);
        self.repo.delete_house(&granted, id, audit).await
    }

    /// Imports a CSV/XLSX of houses into a project; valid rows go in even when others fail, and
    /// importing the same file again changes nothing.
    pub async fn import_houses(
        &self,
        authz: &Authz,
        project_id: Id,
        file_name: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let granted = authz.require(MANAGE, project_id)?;
        let sheet = linli_import::read_sheet(file_name, bytes)?;
        let (rows, errors) = house_sheet::parse(&sheet);
        let audit = AuditEvent::new(granted.actor(), "property.house.imported", "house").project(Some(project_id));
        let counts = self.repo.import_houses(&granted, rows, dry_run, audit).await?;
        Ok(report("houses", dry_run, sheet.rows.len(), counts, errors))
    }

    /// The houses matching a filter as XLSX, in the import template's columns.
    pub async fn export_houses(&self, authz: &Authz, filter: &HouseFilter) -> Result<Vec<u8>> {
        let page = PageRequest { page: 1, page_size: EXPORT_MAX };
        let houses = self.repo.list_houses(&authz.scope(READ)?, filter, page).await?;
        linli_import::write_xlsx("房屋", &house_sheet::COLUMNS, &house_sheet::rows(&houses.items))
    }

    pub async fn structure(&self, authz: &Authz, project_id: Id) -> Result<Vec<BuildingNode>> {
        authz.require(READ, project_id)?;
        self.repo.structure(&authz.scope(READ)?, project_id).await
    }

    pub async fn stats(&self, authz: &Authz, project_id: Id) -> Result<ProjectStats> {
        authz.require(Permission::PropertyProjectRead, project_id)?;
        self.repo.stats(&authz.scope(Permission::PropertyProjectRead)?, project_id).await
    }
}
