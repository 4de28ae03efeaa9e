use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_core::{AuditEvent, GrantedCompany, Id, Page, PageRequest, ProjectSet, Result, Scope};

use crate::{Grant, NewGrant, NewUser, ProjectRef, Role, User, UserPatch};

pub struct LoginRecord {
    pub user: User,
    pub company_id: Id,
    pub password_hash: String,
}

pub struct NewSession {
    pub token_hash: String,
    pub csrf_token: String,
    pub user_id: Id,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub struct SessionRecord {
    pub user: User,
    pub company_id: Id,
    pub csrf_token: String,
    /// The user's grants, each as its project (none: company-wide) and its role's permissions:
    /// read with the session, so a request's authentication is one query.
    pub grants: Vec<(Option<Id>, Vec<String>)>,
}

/// Signing in and out: logins, attempts, sessions, one's own password and grants.
#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn find_login(&self, username: &str) -> Result<Option<LoginRecord>>;
    /// Keeps a log of sign-in attempts (who, from where, whether it worked); throttling counts
    /// with `linli_core::throttle`, not from this log.
    async fn record_attempt(&self, username: &str, ok: bool, ip: Option<&str>, at: DateTime<Utc>) -> Result<()>;
    async fn create_session(&self, session: NewSession, audit: AuditEvent) -> Result<()>;
    /// A live session (not expired, not revoked) of an enabled user.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>>;
    async fn revoke_session(&self, token_hash: &str, audit: AuditEvent) -> Result<()>;
    /// Deletes ended sessions, old sign-in attempts and closed attempt counters.
    async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64>;
    /// The stored hash of a user's password.
    async fn password_hash(&self, user_id: Id) -> Result<String>;
    /// Sets the user's own password and revokes every session of theirs but `keep_token_hash`.
    async fn change_own_password(
        &self,
        user_id: Id,
        keep_token_hash: &str,
        password_hash: String,
        audit: AuditEvent,
    ) -> Result<()>;
    /// The user's grants with each role's permissions.
    async fn grants_with_permissions(&self, user_id: Id) -> Result<Vec<(Grant, Vec<String>)>>;
    async fn projects(&self, company_id: Id, set: &ProjectSet) -> Result<Vec<ProjectRef>>;
}

/// Managing users, their roles and grants.
#[async_trait]
pub trait UserRepo: Send + Sync {
    async fn roles(&self) -> Result<Vec<Role>>;
    async fn sync_builtin_roles(&self, roles: &[Role]) -> Result<()>;
    async fn list_users(&self, scope: &Scope, q: Option<&str>, page: PageRequest) -> Result<Page<User>>;
    async fn get_user(&self, scope: &Scope, id: Id) -> Result<User>;
    async fn create_user(
        &self,
        granted: &GrantedCompany,
        new: NewUser,
        password_hash: String,
        audit: AuditEvent,
    ) -> Result<User>;
    async fn update_user(&self, granted: &GrantedCompany, id: Id, patch: UserPatch, audit: AuditEvent) -> Result<User>;
    /// Disabling also revokes the user's sessions.
    async fn set_disabled(&self, granted: &GrantedCompany, id: Id, disabled: bool, audit: AuditEvent) -> Result<User>;
    /// Revokes the user's sessions.
    async fn set_password(
        &self,
        granted: &GrantedCompany,
        id: Id,
        password_hash: String,
        audit: AuditEvent,
    ) -> Result<()>;
    async fn grants(&self, scope: &Scope, user_id: Id) -> Result<Vec<Grant>>;
    /// The project must belong to the company and the role must exist; a repeat is `grant_exists`.
    async fn add_grant(
        &self,
        granted: &GrantedCompany,
        user_id: Id,
        grant: NewGrant,
        audit: AuditEvent,
    ) -> Result<Grant>;
    async fn remove_grant(&self, granted: &GrantedCompany, user_id: Id, grant_id: Id, audit: AuditEvent) -> Result<()>;
}

/// Everything the auth services store: `SessionRepo`, `UserRepo`, one trait per
/// business process; whatever implements them all is a `AuthRepo`.
pub trait AuthRepo: SessionRepo + UserRepo {}
impl<T: SessionRepo + UserRepo> AuthRepo for T {}
