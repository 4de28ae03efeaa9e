use std::sync::Arc;

use async_trait::async_trait;
use linli_core::{Authz, Page, PageRequest, Permission, Result, Scope};

use crate::{AuditEntry, AuditFilter};

#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Newest first. Rows without a project are company-level and only shown to a company-wide scope.
    async fn list(&self, scope: &Scope, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>>;
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
}
