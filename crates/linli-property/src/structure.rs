//! The use cases of a project's structure: buildings, units and houses.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use linli_core::error::Validator;
use linli_core::memo::Memo;
use linli_core::{AuditEvent, Authz, Granted, Id, Page, PageRequest, Permission, Result, Scope};
use linli_import::ImportReport;
use serde::Serialize;

use crate::house_import::{self, HouseImportFacts, HouseImportPlan};
use crate::house_sheet;

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

/// Buildings and units, and the project's tree of them.
#[async_trait]
pub trait BuildingRepo: Send + Sync {
    async fn list_buildings(&self, scope: &Scope, project_id: Option<Id>, page: PageRequest) -> Result<Page<Building>>;
    async fn get_building(&self, scope: &Scope, id: Id) -> Result<Building>;
    /// A taken name in the project is `building_name_taken`.
    async fn create_building(&self, granted: &Granted, new: NewBuilding, audit: AuditEvent) -> Result<Building>;
    async fn update_building(&self, granted: &Granted, after: Building, audit: AuditEvent) -> Result<Building>;
    /// `StillReferenced` while anything refers to it (units, houses, equipment, bills…).
    async fn delete_building(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;
    async fn list_units(&self, scope: &Scope, building_id: Option<Id>, page: PageRequest) -> Result<Page<Unit>>;
    async fn get_unit(&self, scope: &Scope, id: Id) -> Result<Unit>;
    async fn create_unit(&self, granted: &Granted, building_id: Id, name: String, audit: AuditEvent) -> Result<Unit>;
    async fn rename_unit(&self, granted: &Granted, id: Id, name: String, audit: AuditEvent) -> Result<Unit>;
    /// `StillReferenced` while it has houses.
    async fn delete_unit(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;
    async fn structure(&self, scope: &Scope, project_id: Id) -> Result<Vec<BuildingNode>>;
}

/// Houses, their import, and the project's counts.
#[async_trait]
pub trait HouseRepo: Send + Sync {
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
    /// `StillReferenced` while anything refers to it: owners or occupants present or past, bills,
    /// payments, meters…
    async fn delete_house(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;
    /// The project's buildings, units and houses, for planning an import.
    async fn house_import_facts(&self, granted: &Granted) -> Result<HouseImportFacts>;
    /// Writes an import's plan with its audit rows and the summary `audit` in one transaction,
    /// rolled back on a dry run.
    async fn apply_house_import(
        &self,
        granted: &Granted,
        plan: HouseImportPlan,
        audit: AuditEvent,
        dry_run: bool,
    ) -> Result<()>;
    async fn stats(&self, scope: &Scope, project_id: Id) -> Result<ProjectStats>;
    /// The id of the project's newest audit row: every change of its houses, people and
    /// equipment writes one in its transaction, so the stats can be kept until it moves.
    async fn audit_mark(&self, project_id: Id) -> Result<i64>;
}

/// Everything the property services store: `BuildingRepo`, `HouseRepo`, one trait per
/// business process; whatever implements them all is a `StructureRepo`.
pub trait StructureRepo: BuildingRepo + HouseRepo {}
impl<T: BuildingRepo + HouseRepo> StructureRepo for T {}

#[derive(Clone)]
pub struct StructureService {
    repo: Arc<dyn StructureRepo>,
    /// The dashboard's counts by project (at 100,000 houses each counts ~290,000 index entries).
    /// Kept at most `STATS_AGE`: on PostgreSQL a newer audit id can commit before an older one,
    /// so a mark read in between may already name a change that is not yet counted.
    stats: Arc<Memo<Id, ProjectStats>>,
}

const STATS_AGE: Duration = Duration::from_secs(30);

const READ: Permission = Permission::PropertyHouseRead;
const MANAGE: Permission = Permission::PropertyHouseManage;

impl StructureService {
    pub fn new(repo: Arc<dyn StructureRepo>) -> Self {
        Self { repo, stats: Arc::new(Memo::new(Some(STATS_AGE))) }
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
        let name = crate::building::unit_name(&mut v, patch.name.as_deref().unwrap_or(&u.name));
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
    /// importing the same file again changes nothing. One transaction; a dry run rolls it back.
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
        let plan = house_import::plan(rows, &self.repo.house_import_facts(&granted).await?);
        let counts = plan.counts.clone();
        let audit = AuditEvent::new(granted.actor(), "property.house.imported", "house")
            .project(Some(project_id))
            .after(&counts.summary());
        self.repo.apply_house_import(&granted, plan, audit, dry_run).await?;
        Ok(linli_import::report("houses", dry_run, sheet.rows.len(), counts, errors))
    }

    /// The houses matching a filter as XLSX, in the import template's columns.
    pub async fn export_houses(&self, authz: &Authz, filter: &HouseFilter) -> Result<Vec<u8>> {
        let page = PageRequest { page: 1, page_size: linli_import::EXPORT_MAX };
        let houses = self.repo.list_houses(&authz.scope(READ)?, filter, page).await?;
        linli_import::write_xlsx("房屋", &house_sheet::COLUMNS, &house_sheet::rows(&houses.items))
    }

    pub async fn structure(&self, authz: &Authz, project_id: Id) -> Result<Vec<BuildingNode>> {
        authz.require(READ, project_id)?;
        self.repo.structure(&authz.scope(READ)?, project_id).await
    }

    pub async fn stats(&self, authz: &Authz, project_id: Id) -> Result<ProjectStats> {
        authz.require(Permission::PropertyProjectRead, project_id)?;
        let scope = authz.scope(Permission::PropertyProjectRead)?;
        let mark = self.repo.audit_mark(project_id).await?;
        let (stats, _) = self.stats.get_or_compute(project_id, mark, self.repo.stats(&scope, project_id)).await?;
        Ok(stats)
    }
}
