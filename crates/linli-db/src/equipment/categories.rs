//! Equipment categories: the company's tree and seeding the default one.

use linli_core::{Id, Result};
use linli_equipment::{Category, DEFAULT_CATEGORIES, DefaultCategory};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder};

use crate::Db;
use crate::entity::equipment_category;
use crate::error::OrInternal;

pub(crate) async fn all(c: &impl ConnectionTrait, company_id: Id) -> Result<Vec<Category>> {
    let rows = equipment_category::Entity::find()
        .filter(equipment_category::Column::CompanyId.eq(company_id))
        .order_by_asc(equipment_category::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    Ok(rows
        .into_iter()
        .map(|m| Category { id: m.id, parent_id: m.parent_id, code: m.code, name_zh: m.name_zh, name_en: m.name_en })
        .collect())
}

/// Inserts `cat` unless the company has its code; answers the id either way. `DO NOTHING` on the
/// unique (company, code) lets several instances seed at the same start.
async fn ensure_one(db: &Db, company_id: Id, parent_id: Option<Id>, cat: &DefaultCategory) -> anyhow::Result<Id> {
    let am = equipment_category::ActiveModel {
        id: NotSet,
        company_id: Set(company_id),
        parent_id: Set(parent_id),
        code: Set(cat.code.to_string()),
        name_zh: Set(cat.name_zh.to_string()),
        name_en: Set(cat.name_en.to_string()),
    };
    equipment_category::Entity::insert(am)
        .on_conflict_do_nothing_on([equipment_category::Column::CompanyId, equipment_category::Column::Code])
        .exec(db.writer())
        .await?;
    let row = equipment_category::Entity::find()
        .filter(equipment_category::Column::CompanyId.eq(company_id))
        .filter(equipment_category::Column::Code.eq(cat.code))
        .one(&db.conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("equipment category {} missing after insert", cat.code))?;
    Ok(row.id)
}

/// Gives the company the default category tree. Idempotent: categories it already has (by code)
/// are left as they are, including names a company changed.
pub async fn ensure_equipment_categories(db: &Db, company_id: Id) -> anyhow::Result<()> {
    let have = all(&db.conn, company_id).await?;
    let complete = DEFAULT_CATEGORIES
        .iter()
        .flat_map(|g| std::iter::once(g).chain(g.children))
        .all(|c| have.iter().any(|h| h.code == c.code));
    if complete {
        return Ok(());
    }
    for group in DEFAULT_CATEGORIES {
        let parent = ensure_one(db, company_id, None, group).await?;
        for child in group.children {
            ensure_one(db, company_id, Some(parent), child).await?;
        }
    }
    Ok(())
}
