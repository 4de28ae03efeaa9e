use std::sync::Arc;

use async_trait::async_trait;
use linli_core::{Authz, Page, PageRequest, Permission, Result, Scope};

use crate::{AuditActor, AuditEntry, AuditFilter};

#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Newest first. Rows without a project are company-level and only shown to a company-wide scope.
    /// Rows come with the actor's display name and the object's label, resolved within the scope.
    async fn list(&self, scope: &Scope, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>>;
    /// The users who wrote a row the scope can see, by display name.
    async fn actors(&self, scope: &Scope) -> Result<Vec<AuditActor>>;
}

#[derive(Clone)]
pub struct AuditService {
    repo: Arc<dyn AuditRepo>,
}

impl AuditService {
    pub fn new(repo: Arc<dyn AuditRepo>) -> Self {
        Self { repo }
    }

    pub async fn list(&self, authz: &Authz, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        let scope = authz.scope(Permission::AuditLogRead)?;
        self.repo.list(&scope, filter, page).await
    }

    pub async fn actors(&self, authz: &Authz) -> Result<Vec<AuditActor>> {
        let scope = authz.scope(Permission::AuditLogRead)?;
        self.repo.actors(&scope).await
    }
}
