//! Signing in and out, and turning a session token back into an `Authz` on every request.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use linli_core::authz::GrantPermissions;
use linli_core::{Actor, AuditEvent, Authz, Code, Error, Id, Permission, Result};

use linli_core::error::Validator;
use linli_core::throttle::{Limit, Throttle};

use crate::throttle::{self, source_of};
use crate::user::check_password;
use crate::{
    Me, NewSession, OwnPasswordChange, SessionRepo, User, hash_password, hash_token, new_token, verify_password,
};

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

/// Wrong current passwords when changing one's own password: a stolen session must not become a
/// way to guess the password behind it.
pub const OWN_PASSWORD_TRIES: Limit = Limit::new("auth.own_password", 5, throttle::WINDOW_MINUTES * 60);

#[derive(Clone)]
pub struct AuthService {
    repo: Arc<dyn SessionRepo>,
    throttle: Throttle,
}

impl AuthService {
    pub fn new(repo: Arc<dyn SessionRepo>, throttle: Throttle) -> Self {
        Self { repo, throttle }
    }

    pub fn repo(&self) -> &Arc<dyn SessionRepo> {
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
        let source = source_of(ip.as_deref()).to_string();
        throttle::admit(&self.throttle, &username, &source, now).await?;
        let record = self.repo.find_login(&username).await?;
        let hash = record.as_ref().map_or(DUMMY_HASH, |r| r.password_hash.as_str());
        let ok = verify_password(password, hash) && record.is_some();
        self.repo.record_attempt(&username, ok, ip.as_deref(), now).await?;
        let Some(record) = record.filter(|_| ok) else {
            throttle::failed(&self.throttle, &username, &source, now).await?;
            return Err(Error::Unauthenticated(Code::InvalidCredentials));
        };
        throttle::succeeded(&self.throttle, &username, &source, now).await?;
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
        let actor = Actor { user_id: Some(s.user.id), company_id: s.company_id, name: s.user.username.clone(), ip };
        let authz = Authz::new(actor, resolve(s.grants.into_iter()));
        Ok(Some(SessionAuth { authz, user: s.user, csrf_token: s.csrf_token }))
    }

    pub async fn logout(&self, authz: &Authz, token: &str) -> Result<()> {
        let mut audit = AuditEvent::new(authz.actor(), "auth.session.revoked", "user");
        audit.entity_id = authz.actor().user_id;
        self.repo.revoke_session(&hash_token(token), audit).await
    }

    /// The signed-in user changes their own password: the current one is required (five wrong
    /// ones in 15 minutes answer 429), the new one follows the account rules, every other
    /// session of the user ends and this one stays.
    pub async fn change_own_password(
        &self,
        authz: &Authz,
        token: &str,
        change: OwnPasswordChange,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user_id = authz.actor().user_id.ok_or(Error::Forbidden(Code::Forbidden))?;
        let key = user_id.to_string();
        self.throttle.check(&OWN_PASSWORD_TRIES, &key, now).await?;
        let mut v = Validator::default();
        check_password(&mut v, &change.new_password);
        v.check(change.new_password != change.current_password, "new_password", "same_as_current");
        // The rules speak of `password`; this form calls it `new_password`.
        let mut errors = match v.finish() {
            Ok(()) => Vec::new(),
            Err(Error::Validation(errs)) => errs,
            Err(e) => return Err(e),
        };
        for e in &mut errors {
            if e.field == "password" {
                e.field = "new_password".into();
            }
        }
        let current = self.repo.password_hash(user_id).await?;
        if !verify_password(&change.current_password, &current) {
            self.throttle.record(&OWN_PASSWORD_TRIES, &key, now).await?;
            errors.insert(0, linli_core::FieldError::new("current_password", "incorrect"));
            return Err(Error::Validation(errors));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        self.throttle.clear(&OWN_PASSWORD_TRIES, &key).await?;
        let hash = hash_password(&change.new_password)?;
        let audit = AuditEvent::new(authz.actor(), "auth.user.password_changed", "user").entity_id(user_id);
        self.repo.change_own_password(user_id, &hash_token(token), hash, audit).await
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
