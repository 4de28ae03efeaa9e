//! Rows the platform needs before anyone signs in: the built-in roles and the company.

use chrono::Utc;
use linli_auth::{Role, UserRepo};
use linli_core::Id;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, NotSet, QueryOrder};

use crate::Db;
use crate::entity::company;

pub async fn sync_roles(db: &Db, roles: &[Role]) -> anyhow::Result<()> {
    db.sync_builtin_roles(roles).await?;
    Ok(())
}

/// The first company, created with `name` on an empty database. One install serves one company
/// today; the tables already carry `company_id` for a SaaS install.
pub async fn ensure_company(db: &Db, name: &str) -> anyhow::Result<Id> {
    if let Some(c) = company::Entity::find().order_by_asc(company::Column::Id).one(&db.conn).await? {
        return Ok(c.id);
    }
    let c = company::ActiveModel { id: NotSet, name: Set(name.to_string()), created_at: Set(Utc::now()) }
        .insert(db.writer())
        .await?;
    Ok(c.id)
}
