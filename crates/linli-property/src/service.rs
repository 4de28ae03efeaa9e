use std::sync::Arc;

use async_trait::async_trait;
use linli_core::{AuditEvent, Authz, Granted, GrantedCompany, Id, Page, PageRequest, Permission, Result, Scope};

use crate::{NewProject, Project, ProjectFields, ProjectPatch};

#[async_trait]
pub trait ProjectRepo: Send + Sync {
    async fn list(&self, scope: &Scope, q: Option<&str>, page: PageRequest) -> Result<Page<Project>>;
    /// 404 unless the project is in the scope.
    async fn get(&self, scope: &Scope, id: Id) -> Result<Project>;
    /// Inserts the project and its audit row, or nothing. A taken name is `project_name_taken`.
    async fn create(&self, granted: &GrantedCompany, new: ProjectFields, audit: AuditEvent) -> Result<Project>;
    async fn update(&self, granted: &Granted, fields: ProjectFields, audit: AuditEvent) -> Result<Project>;
}

#[derive(Clone)]
pub struct ProjectService {
    repo: Arc<dyn ProjectRepo>,
}

impl ProjectService {
    pub fn new(repo: Arc<dyn ProjectRepo>) -> Self {
        Self { repo }
    }

    pub async fn list(&self, authz: &Authz, q: Option<&str>, page: PageRequest) -> Result<Page<Project>> {
        let scope = authz.scope(Permission::PropertyProjectRead)?;
        self.repo.list(&scope, q, page).await
    }

    pub async fn get(&self, authz: &Authz, id: Id) -> Result<Project> {
        let scope = authz.scope(Permission::PropertyProjectRead)?;
        self.repo.get(&scope, id).await
    }

    pub async fn create(&self, authz: &Authz, new: NewProject) -> Result<Project> {
        let granted = authz.require_company(Permission::PropertyProjectCreate)?;
        let fields = new.validated()?;
        let audit = AuditEvent::new(granted.actor(), "property.project.created", "project");
        self.repo.create(&granted, fields, audit).await
    }

    pub async fn update(&self, authz: &Authz, id: Id, patch: ProjectPatch) -> Result<Project> {
        let granted = authz.require(Permission::PropertyProjectUpdate, id)?;
        let before = self.get(authz, id).await?;
        let fields = patch.apply(&before)?;
        let audit = AuditEvent::new(granted.actor(), "property.project.updated", "project")
            .project(Some(id))
            .entity_id(id)
            .before(&before);
        self.repo.update(&granted, fields, audit).await
    }
}
