//! Rows of `attachments` for equipment. The files themselves are in a `FileStore`; a row is a
//! reference to one by its sha256.

use chrono::Utc;
use linli_core::{AuditEvent, Error, Granted, Id, Result, Scope};
use linli_equipment::attachment::ENTITY;
use linli_equipment::{Attachment, StoredFile};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder,
};

use crate::entity::attachment;
use crate::equipment::repo::in_project;
use crate::error::{OrInternal, delete_failed};
use crate::scope::project_condition;
use crate::{Db, audit};

fn view(m: attachment::Model) -> Attachment {
    Attachment {
        id: m.id,
        project_id: m.project_id,
        entity: m.entity,
        entity_id: m.entity_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        sha256: m.sha256,
        created_at: m.created_at,
    }
}

fn scoped(scope: &Scope) -> sea_orm::Select<attachment::Entity> {
    attachment::Entity::find().filter(attachment::Column::Entity.eq(ENTITY)).filter(project_condition(
        scope,
        attachment::Column::ProjectId,
        false,
    ))
}

pub(crate) async fn of_equipment(c: &DatabaseConnection, scope: &Scope, equipment_id: Id) -> Result<Vec<Attachment>> {
    let rows = scoped(scope)
        .filter(attachment::Column::EntityId.eq(equipment_id))
        .order_by_asc(attachment::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    Ok(rows.into_iter().map(view).collect())
}

pub(crate) async fn get(c: &DatabaseConnection, scope: &Scope, id: Id) -> Result<Attachment> {
    scoped(scope)
        .filter(attachment::Column::Id.eq(id))
        .one(c)
        .await
        .or_internal()?
        .map(view)
        .ok_or_else(|| Error::not_found("attachment", id))
}

pub(crate) async fn create(
    db: &Db,
    granted: &Granted,
    equipment_id: Id,
    f: StoredFile,
    audit: AuditEvent,
) -> Result<Attachment> {
    let tx = db.begin().await.or_internal()?;
    in_project(&tx, granted, equipment_id).await?;
    let m = attachment::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        entity: Set(ENTITY.to_string()),
        entity_id: Set(equipment_id),
        file_name: Set(f.file_name),
        content_type: Set(f.content_type.to_string()),
        size: Set(f.size),
        sha256: Set(f.sha256),
        storage_key: Set(f.storage_key),
        created_at: Set(Utc::now()),
    }
    .insert(&tx)
    .await
    .or_internal()?;
    let a = view(m);
    audit::write(&tx, audit.after(&a)).await?;
    tx.commit().await.or_internal()?;
    Ok(a)
}

pub(crate) async fn delete(db: &Db, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()> {
    let tx = db.begin().await.or_internal()?;
    let res = attachment::Entity::delete_many()
        .filter(attachment::Column::Id.eq(id))
        .filter(attachment::Column::Entity.eq(ENTITY))
        .filter(attachment::Column::ProjectId.eq(granted.project_id()))
        .exec(&tx)
        .await
        .map_err(delete_failed)?;
    if res.rows_affected != 1 {
        return Err(Error::not_found("attachment", id));
    }
    audit::write(&tx, audit).await?;
    tx.commit().await.or_internal()
}

/// Removes the rows of an item being deleted, in its transaction.
pub(crate) async fn delete_all_of(c: &impl ConnectionTrait, equipment_id: Id) -> Result<()> {
    attachment::Entity::delete_many()
        .filter(attachment::Column::Entity.eq(ENTITY))
        .filter(attachment::Column::EntityId.eq(equipment_id))
        .exec(c)
        .await
        .or_internal()?;
    Ok(())
}
