use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_auth::{
    Grant, LoginRecord, NewGrant, NewSession, NewUser, ProjectRef, Role, SessionRecord, SessionRepo, User, UserPatch,
    UserRepo,
};
use linli_core::{AuditEvent, Code, Error, GrantedCompany, Id, Page, PageRequest, ProjectSet, Result, Scope};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    IntoActiveModel, NotSet, QueryFilter, QueryOrder,
};

use crate::entity::{grant, login_attempt, project, role, session, user};
use crate::error::{OrInternal, delete_failed, unique_as};
use crate::scope::project_condition;
use crate::search;
use crate::{Db, audit};

/// A row of the session lookup: the user, the session's CSRF token, and one grant (if any).
#[derive(sea_orm::FromQueryResult)]
struct SessionRow {
    id: Id,
    company_id: Id,
    username: String,
    display_name: String,
    phone: Option<String>,
    created_at: DateTime<Utc>,
    csrf_token: String,
    project_id: Option<Id>,
    granted: bool,
    permissions: Option<String>,
}

fn view(m: &user::Model) -> User {
    User {
        id: m.id,
        username: m.username.clone(),
        display_name: m.display_name.clone(),
        phone: m.phone.clone(),
        disabled: m.disabled,
        created_at: m.created_at,
    }
}

fn role_view(m: role::Model) -> Role {
    Role {
        code: m.code,
        name_zh: m.name_zh,
        name_en: m.name_en,
        permissions: m.permissions.split_whitespace().map(str::to_string).collect(),
    }
}

/// Users visible to a scope: everyone in the company for a company-wide scope, else those
/// holding a grant on one of the scope's projects.
fn scoped_users(scope: &Scope) -> sea_orm::Select<user::Entity> {
    let sel = user::Entity::find().filter(user::Column::CompanyId.eq(scope.company_id()));
    match scope.projects() {
        ProjectSet::All => sel,
        ProjectSet::Only(_) => {
            let granted = Query::select()
                .column(grant::Column::UserId)
                .from(grant::Entity)
                .cond_where(project_condition(scope, grant::Column::ProjectId, false))
                .to_owned();
            sel.filter(user::Column::Id.in_subquery(granted))
        }
    }
}

async fn user_in_company(c: &impl ConnectionTrait, company_id: Id, id: Id) -> Result<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::CompanyId.eq(company_id))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("user", id))
}

async fn revoke_all(c: &impl ConnectionTrait, user_id: Id) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(c)
        .await
        .or_internal()?;
    Ok(())
}

async fn grant_views(c: &impl ConnectionTrait, rows: Vec<grant::Model>) -> Result<Vec<Grant>> {
    let ids: Vec<Id> = rows.iter().filter_map(|g| g.project_id).collect();
    let names: HashMap<Id, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        project::Entity::find()
            .filter(project::Column::Id.is_in(ids))
            .all(c)
            .await
            .or_internal()?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|g| Grant {
            id: g.id,
            project_id: g.project_id,
            project_name: g.project_id.and_then(|p| names.get(&p).cloned()),
            role: g.role_code,
        })
        .collect())
}

#[async_trait]
impl SessionRepo for Db {
    async fn find_login(&self, username: &str) -> Result<Option<LoginRecord>> {
        let m = user::Entity::find().filter(user::Column::Username.eq(username)).one(&self.conn).await.or_internal()?;
        Ok(m.map(|m| LoginRecord { user: view(&m), company_id: m.company_id, password_hash: m.password_hash }))
    }
    async fn record_attempt(&self, username: &str, ok: bool, ip: Option<&str>, at: DateTime<Utc>) -> Result<()> {
        login_attempt::ActiveModel {
            id: NotSet,
            username: Set(username.to_string()),
            ok: Set(ok),
            ip: Set(ip.map(str::to_string)),
            at: Set(at),
        }
        .insert(self.writer())
        .await
        .or_internal()?;
        Ok(())
    }
    async fn create_session(&self, s: NewSession, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        session::ActiveModel {
            id: NotSet,
            token_hash: Set(s.token_hash),
            csrf_token: Set(s.csrf_token),
            user_id: Set(s.user_id),
            created_at: Set(Utc::now()),
            expires_at: Set(s.expires_at),
            revoked_at: Set(None),
            ip: Set(s.ip),
            user_agent: Set(s.user_agent),
        }
        .insert(&tx)
        .await
        .or_internal()?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>> {
        // One statement per request: the session, its user and every grant with its role's
        // permissions (one row per grant; one row with no grant for a user without any).
        let q = Query::select()
            .columns([
                (user::Entity, user::Column::Id),
                (user::Entity, user::Column::CompanyId),
                (user::Entity, user::Column::Username),
                (user::Entity, user::Column::DisplayName),
                (user::Entity, user::Column::Phone),
                (user::Entity, user::Column::CreatedAt),
            ])
            .column((session::Entity, session::Column::CsrfToken))
            .column((grant::Entity, grant::Column::ProjectId))
            .expr_as(Expr::col((grant::Entity, grant::Column::Id)).is_not_null(), "granted")
            .column((role::Entity, role::Column::Permissions))
            .from(session::Entity)
            .inner_join(
                user::Entity,
                Expr::col((user::Entity, user::Column::Id)).equals((session::Entity, session::Column::UserId)),
            )
            .left_join(
                grant::Entity,
                Expr::col((grant::Entity, grant::Column::UserId)).equals((session::Entity, session::Column::UserId)),
            )
            .left_join(
                role::Entity,
                Expr::col((role::Entity, role::Column::Code)).equals((grant::Entity, grant::Column::RoleCode)),
            )
            .and_where(Expr::col((session::Entity, session::Column::TokenHash)).eq(token_hash))
            .and_where(Expr::col((session::Entity, session::Column::RevokedAt)).is_null())
            .and_where(Expr::col((session::Entity, session::Column::ExpiresAt)).gt(now))
            .and_where(Expr::col((user::Entity, user::Column::Disabled)).eq(false))
            .order_by((grant::Entity, grant::Column::Id), sea_orm::Order::Asc)
            .take();
        let rows = SessionRow::find_by_statement(self.conn.get_database_backend().build(&q))
            .all(&self.conn)
            .await
            .or_internal()?;
        let Some(first) = rows.first() else { return Ok(None) };
        let record = SessionRecord {
            user: User {
                id: first.id,
                username: first.username.clone(),
                display_name: first.display_name.clone(),
                phone: first.phone.clone(),
                disabled: false,
                created_at: first.created_at,
            },
            company_id: first.company_id,
            csrf_token: first.csrf_token.clone(),
            grants: rows
                .iter()
                .filter(|r| r.granted)
                .map(|r| {
                    let perms = r.permissions.as_deref().unwrap_or("").split_whitespace().map(str::to_string);
                    (r.project_id, perms.collect())
                })
                .collect(),
        };
        Ok(Some(record))
    }
    async fn revoke_session(&self, token_hash: &str, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(session::Column::TokenHash.eq(token_hash))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&tx)
            .await
            .or_internal()?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }
    async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let sessions = session::Entity::delete_many()
            .filter(
                Condition::any().add(session::Column::ExpiresAt.lt(now)).add(session::Column::RevokedAt.is_not_null()),
            )
            .exec(self.writer())
            .await
            .or_internal()?;
        // The attempt log is kept for a month, for whoever investigates an attack.
        login_attempt::Entity::delete_many()
            .filter(login_attempt::Column::At.lt(now - chrono::Duration::days(30)))
            .exec(self.writer())
            .await
            .or_internal()?;
        linli_core::ThrottleStore::purge(self, now).await?;
        Ok(sessions.rows_affected)
    }
    async fn password_hash(&self, user_id: Id) -> Result<String> {
        let m = user::Entity::find_by_id(user_id).one(&self.conn).await.or_internal()?;
        Ok(m.ok_or_else(|| Error::not_found("user", user_id))?.password_hash)
    }
    async fn change_own_password(
        &self,
        user_id: Id,
        keep_token_hash: &str,
        password_hash: String,
        audit: AuditEvent,
    ) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        let m = user::Entity::find_by_id(user_id).one(&tx).await.or_internal()?;
        let mut am = m.ok_or_else(|| Error::not_found("user", user_id))?.into_active_model();
        am.password_hash = Set(password_hash);
        am.updated_at = Set(Utc::now());
        am.update(&tx).await.or_internal()?;
        let ended = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::TokenHash.ne(keep_token_hash))
            .exec(&tx)
            .await
            .or_internal()?;
        let audit = audit.after(&serde_json::json!({"other_sessions_ended": ended.rows_affected}));
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }
    async fn grants_with_permissions(&self, user_id: Id) -> Result<Vec<(Grant, Vec<String>)>> {
        let rows = grant::Entity::find()
            .filter(grant::Column::UserId.eq(user_id))
            .order_by_asc(grant::Column::Id)
            .all(&self.conn)
            .await
            .or_internal()?;
        let roles: HashMap<String, Vec<String>> = role::Entity::find()
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(|r| (r.code.clone(), role_view(r).permissions))
            .collect();
        let views = grant_views(&self.conn, rows).await?;
        Ok(views
            .into_iter()
            .map(|g| {
                let perms = roles.get(&g.role).cloned().unwrap_or_default();
                (g, perms)
            })
            .collect())
    }
    async fn projects(&self, company_id: Id, set: &ProjectSet) -> Result<Vec<ProjectRef>> {
        let mut sel = project::Entity::find().filter(project::Column::CompanyId.eq(company_id));
        if let ProjectSet::Only(ids) = set {
            sel = sel.filter(project::Column::Id.is_in(ids.iter().copied()));
        }
        let rows = sel.order_by_asc(project::Column::Id).all(&self.conn).await.or_internal()?;
        Ok(rows.into_iter().map(|p| ProjectRef { id: p.id, name: p.name, kind: p.kind }).collect())
    }
}

#[async_trait]
impl UserRepo for Db {
    async fn roles(&self) -> Result<Vec<Role>> {
        let rows = role::Entity::find().all(&self.conn).await.or_internal()?;
        // Built-ins in their shipped order, then the company's own.
        let order: Vec<String> = linli_auth::builtin_roles().into_iter().map(|r| r.code).collect();
        let mut roles: Vec<Role> = rows.into_iter().map(role_view).collect();
        roles.sort_by_key(|r| order.iter().position(|c| *c == r.code).unwrap_or(usize::MAX));
        Ok(roles)
    }
    async fn sync_builtin_roles(&self, roles: &[Role]) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        for r in roles {
            let m = role::ActiveModel {
                code: Set(r.code.clone()),
                name_zh: Set(r.name_zh.clone()),
                name_en: Set(r.name_en.clone()),
                permissions: Set(r.permissions.join(" ")),
                builtin: Set(true),
            };
            if role::Entity::find_by_id(r.code.clone()).one(&tx).await.or_internal()?.is_some() {
                m.update(&tx).await.or_internal()?;
            } else {
                m.insert(&tx).await.or_internal()?;
            }
        }
        tx.commit().await.or_internal()
    }
    async fn list_users(&self, scope: &Scope, q: Option<&str>, page: PageRequest) -> Result<Page<User>> {
        let mut sel = scoped_users(scope);
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            sel = sel.filter(
                Condition::any()
                    .add(search::contains(user::Column::Username, q))
                    .add(search::contains(user::Column::DisplayName, q))
                    .add(search::contains(user::Column::Phone, q)),
            );
        }
        let rows = crate::page::fetch(sel.order_by_asc(user::Column::Id), &self.conn, page).await?;
        Ok(rows.map(|m| view(&m)))
    }
    async fn get_user(&self, scope: &Scope, id: Id) -> Result<User> {
        scoped_users(scope)
            .filter(user::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(|m| view(&m))
            .ok_or_else(|| Error::not_found("user", id))
    }
    async fn create_user(
        &self,
        granted: &GrantedCompany,
        new: NewUser,
        password_hash: String,
        audit: AuditEvent,
    ) -> Result<User> {
        let tx = self.begin().await.or_internal()?;
        let now = Utc::now();
        let m = user::ActiveModel {
            id: NotSet,
            company_id: Set(granted.company_id()),
            username: Set(new.username),
            display_name: Set(new.display_name),
            phone: Set(new.phone),
            password_hash: Set(password_hash),
            disabled: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await
        .map_err(unique_as(Code::UsernameTaken))?;
        let u = view(&m);
        audit::write(&tx, audit.entity_id(u.id).after(&u)).await?;
        tx.commit().await.or_internal()?;
        Ok(u)
    }
    async fn update_user(&self, granted: &GrantedCompany, id: Id, patch: UserPatch, audit: AuditEvent) -> Result<User> {
        let tx = self.begin().await.or_internal()?;
        let m = user_in_company(&tx, granted.company_id(), id).await?;
        let before = view(&m);
        let mut after = before.clone();
        patch.apply(&mut after);
        let mut am = m.into_active_model();
        am.display_name = Set(after.display_name.clone());
        am.phone = Set(after.phone.clone());
        am.updated_at = Set(Utc::now());
        am.update(&tx).await.or_internal()?;
        audit::write(&tx, audit.entity_id(id).before(&before).after(&after)).await?;
        tx.commit().await.or_internal()?;
        Ok(after)
    }
    async fn set_disabled(&self, granted: &GrantedCompany, id: Id, disabled: bool, audit: AuditEvent) -> Result<User> {
        let tx = self.begin().await.or_internal()?;
        let m = user_in_company(&tx, granted.company_id(), id).await?;
        let before = view(&m);
        let mut am = m.into_active_model();
        am.disabled = Set(disabled);
        am.updated_at = Set(Utc::now());
        let after = view(&am.update(&tx).await.or_internal()?);
        if disabled {
            revoke_all(&tx, id).await?;
        }
        audit::write(&tx, audit.entity_id(id).before(&before).after(&after)).await?;
        tx.commit().await.or_internal()?;
        Ok(after)
    }
    async fn set_password(
        &self,
        granted: &GrantedCompany,
        id: Id,
        password_hash: String,
        audit: AuditEvent,
    ) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        let m = user_in_company(&tx, granted.company_id(), id).await?;
        let mut am = m.into_active_model();
        am.password_hash = Set(password_hash);
        am.updated_at = Set(Utc::now());
        am.update(&tx).await.or_internal()?;
        revoke_all(&tx, id).await?;
        audit::write(&tx, audit.entity_id(id)).await?;
        tx.commit().await.or_internal()
    }
    async fn grants(&self, scope: &Scope, user_id: Id) -> Result<Vec<Grant>> {
        self.get_user(scope, user_id).await?;
        let rows = grant::Entity::find()
            .filter(grant::Column::UserId.eq(user_id))
            .order_by_asc(grant::Column::Id)
            .all(&self.conn)
            .await
            .or_internal()?;
        grant_views(&self.conn, rows).await
    }
    async fn add_grant(&self, granted: &GrantedCompany, user_id: Id, g: NewGrant, audit: AuditEvent) -> Result<Grant> {
        let tx = self.begin().await.or_internal()?;
        user_in_company(&tx, granted.company_id(), user_id).await?;
        if let Some(p) = g.project_id {
            let found = project::Entity::find_by_id(p)
                .filter(project::Column::CompanyId.eq(granted.company_id()))
                .one(&tx)
                .await
                .or_internal()?;
            if found.is_none() {
                return Err(Error::invalid("project_id", "not_found"));
            }
        }
        if role::Entity::find_by_id(g.role.clone()).one(&tx).await.or_internal()?.is_none() {
            return Err(Error::invalid("role", "not_found"));
        }
        let same_project = match g.project_id {
            Some(p) => grant::Column::ProjectId.eq(p),
            None => grant::Column::ProjectId.is_null(),
        };
        let dup = grant::Entity::find()
            .filter(grant::Column::UserId.eq(user_id))
            .filter(grant::Column::RoleCode.eq(g.role.as_str()))
            .filter(same_project)
            .one(&tx)
            .await
            .or_internal()?;
        if dup.is_some() {
            return Err(Error::Conflict(Code::GrantExists));
        }
        let m = grant::ActiveModel {
            id: NotSet,
            user_id: Set(user_id),
            project_id: Set(g.project_id),
            role_code: Set(g.role),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await
        .or_internal()?;
        let view = grant_views(&tx, vec![m]).await?.remove(0);
        audit::write(&tx, audit.entity_id(view.id).after(&serde_json::json!({"user_id": user_id, "grant": view})))
            .await?;
        tx.commit().await.or_internal()?;
        Ok(view)
    }
    async fn remove_grant(&self, granted: &GrantedCompany, user_id: Id, grant_id: Id, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        user_in_company(&tx, granted.company_id(), user_id).await?;
        let m = grant::Entity::find_by_id(grant_id)
            .filter(grant::Column::UserId.eq(user_id))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("grant", grant_id))?;
        let before = grant_views(&tx, vec![m.clone()]).await?.remove(0);
        grant::Entity::delete_by_id(m.id).exec(&tx).await.map_err(delete_failed)?;
        let audit = audit.project(before.project_id).entity_id(grant_id);
        audit::write(&tx, audit.before(&serde_json::json!({"user_id": user_id, "grant": before}))).await?;
        tx.commit().await.or_internal()
    }
}
