//! The use cases of the equipment register: permission checks, validation, audit events, and the
//! repository of whole commands that stores them.

use std::sync::Arc;

use async_trait::async_trait;
use linli_audit::AuditEntry;
use linli_core::{AuditEvent, Authz, Error, FieldError, Granted, Id, Page, PageRequest, Permission, Result, Scope};

use crate::attachment::{self, Attachment, FileStore, StoredFile, Upload};
use crate::category::{self, Category, CategoryNode};
use crate::{Equipment, EquipmentFields, EquipmentFilter, EquipmentPatch, Maintained, NewEquipment};

#[async_trait]
pub trait EquipmentRepo: Send + Sync {
    /// The company's categories, in seeding order.
    async fn categories(&self, company_id: Id) -> Result<Vec<Category>>;
    /// `category_ids`, when given, is the category filter with its descendants resolved.
    async fn list(
        &self,
        scope: &Scope,
        filter: &EquipmentFilter,
        category_ids: Option<&[Id]>,
        page: PageRequest,
    ) -> Result<Page<Equipment>>;
    /// 404 unless the item is in the scope.
    async fn get(&self, scope: &Scope, id: Id) -> Result<Equipment>;
    /// The items of `ids` the scope allows, in no particular order.
    async fn get_many(&self, scope: &Scope, ids: &[Id]) -> Result<Vec<Equipment>>;
    /// Inserts the item and its audit row. The category must be the company's and the building
    /// the project's (422 otherwise); a taken code is `equipment_code_taken`.
    async fn create(&self, granted: &Granted, fields: EquipmentFields, audit: AuditEvent) -> Result<Equipment>;
    /// The same checks as `create`.
    async fn update(&self, granted: &Granted, id: Id, fields: EquipmentFields, audit: AuditEvent) -> Result<Equipment>;
    /// Deletes the item and its attachment rows.
    async fn delete(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;
    /// The item's audit entries, newest first.
    async fn history(&self, granted: &Granted, id: Id, page: PageRequest) -> Result<Page<AuditEntry>>;

    async fn attachments(&self, scope: &Scope, equipment_id: Id) -> Result<Vec<Attachment>>;
    /// 404 unless the attachment belongs to equipment in the scope.
    async fn attachment(&self, scope: &Scope, id: Id) -> Result<Attachment>;
    async fn create_attachment(
        &self,
        granted: &Granted,
        equipment_id: Id,
        file: StoredFile,
        audit: AuditEvent,
    ) -> Result<Attachment>;
    async fn delete_attachment(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()>;
    /// Writes an import's items with their audit rows and the summary `audit` in one
    /// transaction, rolled back on a dry run. The same checks as `create`.
    async fn apply_import(
        &self,
        granted: &Granted,
        writes: Vec<crate::ImportWrite>,
        audit: AuditEvent,
        dry_run: bool,
    ) -> Result<()>;
}

const READ: Permission = Permission::EquipmentItemRead;
const MANAGE: Permission = Permission::EquipmentItemManage;

/// The most labels one page prints.
pub const MAX_LABELS: usize = 240;

use linli_core::time::{date_of as registered_on, today};

#[derive(Clone)]
pub struct EquipmentService {
    pub(crate) repo: Arc<dyn EquipmentRepo>,
}

impl EquipmentService {
    pub fn new(repo: Arc<dyn EquipmentRepo>) -> Self {
        Self { repo }
    }

    pub(crate) async fn repo_categories(&self, authz: &Authz) -> Result<Vec<Category>> {
        self.repo.categories(authz.scope(READ)?.company_id()).await
    }

    /// The company's category tree; anyone who may read equipment somewhere may read it.
    pub async fn categories(&self, authz: &Authz) -> Result<Vec<CategoryNode>> {
        let scope = authz.scope(READ)?;
        Ok(category::tree(&self.repo.categories(scope.company_id()).await?))
    }

    pub async fn list(&self, authz: &Authz, filter: &EquipmentFilter, page: PageRequest) -> Result<Page<Equipment>> {
        let scope = authz.scope(READ)?;
        let category_ids = match filter.category_id {
            Some(id) => Some(category::with_descendants(&self.repo.categories(scope.company_id()).await?, id)),
            None => None,
        };
        self.repo.list(&scope, filter, category_ids.as_deref(), page).await
    }

    pub async fn get(&self, authz: &Authz, id: Id) -> Result<Equipment> {
        self.repo.get(&authz.scope(READ)?, id).await
    }

    pub async fn create(&self, authz: &Authz, new: NewEquipment) -> Result<Equipment> {
        let granted = authz.require(MANAGE, new.project_id)?;
        let today = today();
        let fields = new.fields().validated(today, today)?;
        let audit =
            AuditEvent::new(granted.actor(), "equipment.item.created", "equipment").project(Some(granted.project_id()));
        self.repo.create(&granted, fields, audit).await
    }

    pub async fn update(&self, authz: &Authz, id: Id, patch: EquipmentPatch) -> Result<Equipment> {
        let before = self.get(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        let fields = patch.apply(&before).validated(registered_on(before.created_at), today())?;
        let audit = AuditEvent::new(granted.actor(), "equipment.item.updated", "equipment")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.update(&granted, id, fields, audit).await
    }

    /// Records the day the item was last maintained and moves its next date. Until maintenance
    /// records exist (facilities), this keeps the schedule right. An earlier day than the one
    /// recorded is refused: it would move the schedule backwards.
    pub async fn maintained(&self, authz: &Authz, id: Id, m: Maintained) -> Result<Equipment> {
        let before = self.get(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        if before.last_maintained_on.is_some_and(|last| m.on < last) {
            return Err(Error::invalid("on", "before_last_maintenance"));
        }
        let raw = EquipmentFields { last_maintained_on: Some(m.on), ..before.fields() };
        let fields = raw.validated(registered_on(before.created_at), today()).map_err(|e| match e {
            // The request names the date `on`.
            Error::Validation(errs) => Error::Validation(
                errs.into_iter()
                    .map(|f| if f.field == "last_maintained_on" { FieldError::new("on", f.code) } else { f })
                    .collect(),
            ),
            other => other,
        })?;
        let audit = AuditEvent::new(granted.actor(), "equipment.item.maintained", "equipment")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.update(&granted, id, fields, audit).await
    }

    pub async fn delete(&self, authz: &Authz, id: Id) -> Result<()> {
        let before = self.get(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "equipment.item.deleted", "equipment")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.delete(&granted, id, audit).await
    }

    /// Everything that happened to the item, newest first. Whoever may read the item may read
    /// its history; maintenance and repair records will appear here too.
    pub async fn history(&self, authz: &Authz, id: Id, page: PageRequest) -> Result<Page<AuditEntry>> {
        let item = self.get(authz, id).await?;
        let granted = authz.require(READ, item.project_id)?;
        self.repo.history(&granted, id, page).await
    }

    /// The items to print labels for, in the order asked; 404 if any is not visible.
    pub async fn for_labels(&self, authz: &Authz, ids: &[Id]) -> Result<Vec<Equipment>> {
        if ids.is_empty() {
            return Err(Error::invalid("ids", "required"));
        }
        if ids.len() > MAX_LABELS {
            return Err(Error::invalid("ids", "too_many"));
        }
        let found = self.repo.get_many(&authz.scope(READ)?, ids).await?;
        ids.iter()
            .map(|id| found.iter().find(|e| e.id == *id).cloned().ok_or_else(|| Error::not_found("equipment", id)))
            .collect()
    }

    pub async fn attachments(&self, authz: &Authz, equipment_id: Id) -> Result<Vec<Attachment>> {
        let scope = authz.scope(READ)?;
        self.repo.get(&scope, equipment_id).await?;
        self.repo.attachments(&scope, equipment_id).await
    }

    /// Whether the caller may attach files to the item: asked before a large upload is read.
    pub async fn may_attach(&self, authz: &Authz, equipment_id: Id) -> Result<()> {
        let item = self.get(authz, equipment_id).await?;
        authz.require(MANAGE, item.project_id).map(|_| ())
    }

    /// Stores the file, then its row; a file stored without a row (a failed insert) is only
    /// disk space, while a row without its file would be a broken download.
    pub async fn add_attachment(
        &self,
        authz: &Authz,
        equipment_id: Id,
        upload: Upload,
        files: &dyn FileStore,
    ) -> Result<Attachment> {
        let item = self.get(authz, equipment_id).await?;
        let granted = authz.require(MANAGE, item.project_id)?;
        let file = attachment::accept(&upload)?;
        files.put(&file.storage_key, &upload.bytes).await?;
        // The item is the history's subject, so its attachments show in its history.
        let audit = AuditEvent::new(granted.actor(), "equipment.attachment.created", "equipment")
            .project(Some(item.project_id))
            .entity_id(equipment_id);
        self.repo.create_attachment(&granted, equipment_id, file, audit).await
    }

    /// The attachment and its bytes.
    pub async fn download(&self, authz: &Authz, id: Id, files: &dyn FileStore) -> Result<(Attachment, Vec<u8>)> {
        let a = self.repo.attachment(&authz.scope(READ)?, id).await?;
        let bytes = files.get(&attachment::storage_key(&a.sha256)).await?;
        Ok((a, bytes))
    }

    /// Deletes the row. The file stays: another row may name the same content, and an upload
    /// of it may be on its way; unreferenced files are for a cleanup job to remove.
    pub async fn delete_attachment(&self, authz: &Authz, id: Id) -> Result<()> {
        let a = self.repo.attachment(&authz.scope(READ)?, id).await?;
        let granted = authz.require(MANAGE, a.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "equipment.attachment.deleted", "equipment")
            .project(Some(a.project_id))
            .entity_id(a.entity_id)
            .before(&a);
        self.repo.delete_attachment(&granted, id, audit).await
    }
}
