//! Staff and resident accounts: create, edit, disable, reset passwords, grant roles.

use std::sync::Arc;

use linli_core::error::Validator;
use linli_core::{AuditEvent, Authz, Code, Error, Id, Page, PageRequest, Permission, Result};

use crate::user::check_password;
use crate::{Grant, NewGrant, NewUser, PasswordChange, Role, User, UserPatch, UserRepo, hash_password};

#[derive(Clone)]
pub struct UserService {
    repo: Arc<dyn UserRepo>,
}

impl UserService {
    pub fn new(repo: Arc<dyn UserRepo>) -> Self {
        Self { repo }
    }

    /// A project-scoped reader sees the users granted on their projects; a company-wide one sees all.
    pub async fn list(&self, authz: &Authz, q: Option<&str>, page: PageRequest) -> Result<Page<User>> {
        let scope = authz.scope(Permission::AuthUserRead)?;
        self.repo.list_users(&scope, q, page).await
    }

    /// A user the scope's holder may contact (same rule as reading users), for sending messages.
    pub async fn contact(&self, scope: &linli_core::Scope, id: Id) -> Result<User> {
        self.repo.get_user(scope, id).await
    }

    pub async fn get(&self, authz: &Authz, id: Id) -> Result<User> {
        let scope = authz.scope(Permission::AuthUserRead)?;
        self.repo.get_user(&scope, id).await
    }

    pub async fn create(&self, authz: &Authz, new: NewUser) -> Result<User> {
        let granted = authz.require_company(Permission::AuthUserManage)?;
        let new = new.validated()?;
        let hash = hash_password(&new.password)?;
        let audit = AuditEvent::new(granted.actor(), "auth.user.created", "user");
        self.repo.create_user(&granted, new, hash, audit).await
    }

    pub async fn update(&self, authz: &Authz, id: Id, patch: UserPatch) -> Result<User> {
        let granted = authz.require_company(Permission::AuthUserManage)?;
        let patch = patch.validated()?;
        let audit = AuditEvent::new(granted.actor(), "auth.user.updated", "user");
        self.repo.update_user(&granted, id, patch, audit).await
    }

    pub async fn set_disabled(&self, authz: &Authz, id: Id, disabled: bool) -> Result<User> {
        let granted = authz.require_company(Permission::AuthUserManage)?;
        if disabled && authz.actor().user_id == Some(id) {
            return Err(Error::Conflict(Code::CannotDisableSelf));
        }
        let action = if disabled { "auth.user.disabled" } else { "auth.user.enabled" };
        let audit = AuditEvent::new(granted.actor(), action, "user");
        self.repo.set_disabled(&granted, id, disabled, audit).await
    }

    pub async fn set_password(&self, authz: &Authz, id: Id, change: PasswordChange) -> Result<()> {
        let granted = authz.require_company(Permission::AuthUserManage)?;
        let mut v = Validator::default();
        check_password(&mut v, &change.password);
        v.finish()?;
        let hash = hash_password(&change.password)?;
        let audit = AuditEvent::new(granted.actor(), "auth.user.password_reset", "user");
        self.repo.set_password(&granted, id, hash, audit).await
    }

    pub async fn grants(&self, authz: &Authz, user_id: Id) -> Result<Vec<Grant>> {
        let scope = authz.scope(Permission::AuthUserRead)?;
        self.repo.grants(&scope, user_id).await
    }

    pub async fn add_grant(&self, authz: &Authz, user_id: Id, grant: NewGrant) -> Result<Grant> {
        let granted = authz.require_company(Permission::AuthUserManage)?;
        let audit = AuditEvent::new(granted.actor(), "auth.grant.created", "grant").project(grant.project_id);
        self.repo.add_grant(&granted, user_id, grant, audit).await
    }

    pub async fn remove_grant(&self, authz: &Authz, user_id: Id, grant_id: Id) -> Result<()> {
        let granted = authz.require_company(Permission::AuthUserManage)?;
        let audit = AuditEvent::new(granted.actor(), "auth.grant.deleted", "grant");
        self.repo.remove_grant(&granted, user_id, grant_id, audit).await
    }

    pub async fn roles(&self, authz: &Authz) -> Result<Vec<Role>> {
        authz.scope(Permission::AuthRoleRead)?;
        self.repo.roles().await
    }
}
