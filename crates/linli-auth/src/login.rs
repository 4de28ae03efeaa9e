//! Signing in and out, and turning a session token back into an `Authz` on every request.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use linli_core::authz::GrantPermissions;
use linli_core::{Actor, AuditEvent, Authz, Code, Error, Id, Permission, Result};

use crate::throttle::{retry_after, window_start};
use crate::{AuthRepo, Me, NewSession, User, hash_token, new_token, verify_password};

/// How long a session lives after sign-in.
pub const SESSION_DAYS: i64 = 7;

/// A stand-in hash so that an unknown username costs as much as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2sYdGlJxZ4Q4LwOC7yX5p2tN0c2N2j6b0a3lW4zQx6A";

pub struct LoggedIn {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub me: Me,
}

/// What a request's session resolves to.
pub struct SessionAuth {
    pub authz: Authz,
    pub user: User,
    pub csrf_token: String,
}

#[derive(Clone)]
pub struct AuthService {
    repo: Arc<dyn AuthRepo>,
}

impl AuthService {
    pub fn new(repo: Arc<dyn AuthRepo>) -> Self {
        Self { repo }
    }

    pub fn repo(&self) -> &Arc<dyn AuthRepo> {
        &self.repo
    }

    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
        user_agent: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<LoggedIn> {
        let username = username.trim().to_lowercase();
        let failures = self.repo.failures_since(&username, window_start(now)).await?;
        if let Some(retry_after_secs) = retry_after(&failures, now) {
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
        let record = self.repo.find_login(&username).await?;
        let hash = record.as_ref().map_or(DUMMY_HASH, |r| r.password_hash.as_str());
        let ok = verify_password(password, hash) && record.is_some();
        self.repo.record_attempt(&username, ok, ip.as_deref(), now).await?;
        let Some(record) = record.filter(|_| ok) else {
            return Err(Error::Unauthenticated(Code::InvalidCredentials));
        };
        if record.user.disabled {
            return Err(Error::Forbidden(Code::AccountDisabled));
        }
        let token = new_token();
        let csrf_token = new_token();
        let expires_at = now + Duration::days(SESSION_DAYS);
        let actor = Actor {
            user_id: Some(record.user.id),
            company_id: record.company_id,
            name: record.user.username.clone(),
            ip: ip.clone(),
        };
        let audit = AuditEvent::new(&actor, "auth.session.created", "user").entity_id(record.user.id);
        self.repo
            .create_session(
                NewSession {
                    token_hash: hash_token(&token),
                    csrf_token: csrf_token.clone(),
                    user_id: record.user.id,
                    expires_at,
                    ip: ip.clone(),
                    user_agent,
                },
                audit,
            )
            .await?;
        let authz = self.authz_for(&record.user, record.company_id, ip).await?;
        let me = self.me(&authz, &record.user).await?;
        Ok(LoggedIn { token, csrf_token, expires_at, me })
    }

    /// `None` for an unknown, expired or revoked token, or a disabled user.
    pub async fn authenticate(
        &self,
        token: &str,
        ip: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionAuth>> {
        let Some(s) = self.repo.session(&hash_token(token), now).await? else {
            return Ok(None);
        };
        let authz = self.authz_for(&s.user, s.company_id, ip).await?;
        Ok(Some(SessionAuth { authz, user: s.user, csrf_token: s.csrf_token }))
    }

    pub async fn logout(&self, authz: &Authz, token: &str) -> Result<()> {
        let mut audit = AuditEvent::new(authz.actor(), "auth.session.revoked", "user");
        audit.entity_id = authz.actor().user_id;
        self.repo.revoke_session(&hash_token(token), audit).await
    }

    pub async fn authz_for(&self, user: &User, company_id: Id, ip: Option<String>) -> Result<Authz> {
        let grants = self.repo.grants_with_permissions(user.id).await?;
        let actor = Actor { user_id: Some(user.id), company_id, name: user.username.clone(), ip };
        Ok(Authz::new(actor, resolve(grants.into_iter().map(|(g, perms)| (g.project_id, perms)))))
    }

    pub async fn me(&self, authz: &Authz, user: &User) -> Result<Me> {
        let grants = self.repo.grants_with_permissions(user.id).await?;
        let projects = match authz.scope(Permission::PropertyProjectRead) {
            Ok(scope) => self.repo.projects(authz.actor().company_id, scope.projects()).await?,
            Err(_) => Vec::new(),
        };
        Ok(Me {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            phone: user.phone.clone(),
            company_id: authz.actor().company_id,
            grants: grants.into_iter().map(|(g, _)| g).collect(),
            projects,
            permissions: authz.permissions().into_iter().map(|p| p.as_str().to_string()).collect(),
        })
    }
}

/// Role permission strings to typed permissions; an unknown string (a role from a newer
/// version, say) grants nothing.
fn resolve(grants: impl Iterator<Item = (Option<Id>, Vec<String>)>) -> Vec<GrantPermissions> {
    grants
        .map(|(project_id, perms)| GrantPermissions {
            project_id,
            permissions: perms.iter().filter_map(|p| Permission::parse(p)).collect::<BTreeSet<_>>(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_parses_so_unknown_users_cost_a_full_verification() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("anything", DUMMY_HASH));
    }

    #[test]
    fn unknown_permission_strings_grant_nothing() {
        let g = resolve(std::iter::once((Some(1), vec!["property.project.read".into(), "x.y.z".into()])));
        assert_eq!(g[0].permissions.len(), 1);
    }
}
