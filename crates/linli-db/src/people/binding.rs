//! Residents binding their accounts to owners' records.

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::{AuditEvent, BoundHouse, Id, Result};
use linli_people::PersonHouses;
use linli_people::binding::BindingCode;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, NotSet, QueryFilter, QueryOrder,
};

use crate::entity::{binding_code, grant, occupancy, ownership, person, project};
use crate::error::OrInternal;
use crate::{Db, audit};

const RESIDENT: &str = "resident";

impl Db {
    pub(crate) async fn owners_with_phone(&self, company_id: Id, phone: &str) -> Result<Vec<(Id, Id, Option<Id>)>> {
        let company_projects = Query::select()
            .column(project::Column::Id)
            .from(project::Entity)
            .and_where(Expr::col(project::Column::CompanyId).eq(company_id))
            .to_owned();
        let owning = Query::select()
            .column(ownership::Column::PersonId)
            .from(ownership::Entity)
            .and_where(Expr::col(ownership::Column::EndedOn).is_null())
            .to_owned();
        let rows = person::Entity::find()
            .filter(person::Column::Phone.eq(phone))
            .filter(person::Column::ProjectId.in_subquery(company_projects))
            .filter(person::Column::Id.in_subquery(owning))
            .all(&self.conn)
            .await
            .or_internal()?;
        Ok(rows.into_iter().map(|p| (p.id, p.project_id, p.user_id)).collect())
    }

    pub(crate) async fn latest_code(&self, user_id: Id, phone: &str) -> Result<Option<BindingCode>> {
        let m = binding_code::Entity::find()
            .filter(binding_code::Column::UserId.eq(user_id))
            .filter(binding_code::Column::Phone.eq(phone))
            .order_by_desc(binding_code::Column::Id)
            .one(&self.conn)
            .await
            .or_internal()?;
        Ok(m.map(|m| BindingCode {
            id: m.id,
            code_hash: m.code_hash,
            tries: m.attempts,
            expires_at: m.expires_at,
            created_at: m.created_at,
            used: m.used_at.is_some(),
        }))
    }

    pub(crate) async fn store_code(
        &self,
        user_id: Id,
        phone: &str,
        code_hash: String,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        binding_code::ActiveModel {
            id: NotSet,
            user_id: Set(user_id),
            phone: Set(phone.to_string()),
            code_hash: Set(code_hash),
            attempts: Set(0),
            expires_at: Set(expires_at),
            used_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(self.writer())
        .await
        .or_internal()?;
        Ok(())
    }

    pub(crate) async fn code_try_failed(&self, code_id: Id) -> Result<()> {
        binding_code::Entity::update_many()
            .col_expr(binding_code::Column::Attempts, Expr::col(binding_code::Column::Attempts).add(1))
            .filter(binding_code::Column::Id.eq(code_id))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(())
    }

    pub(crate) async fn bind_people(
        &self,
        user_id: Id,
        code_id: Id,
        people: &[(Id, Id)],
        template: AuditEvent,
    ) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        // The guard on `used_at` makes a code good for one binding even when two requests race.
        let used = binding_code::Entity::update_many()
            .col_expr(binding_code::Column::UsedAt, Expr::value(Utc::now()))
            .filter(binding_code::Column::Id.eq(code_id))
            .filter(binding_code::Column::UsedAt.is_null())
            .exec(&tx)
            .await
            .or_internal()?;
        if used.rows_affected != 1 {
            return Err(linli_core::Error::Validation(vec![linli_core::FieldError::new(
                "code",
                "binding_code_invalid",
            )]));
        }
        let mut audits = Vec::new();
        for (person_id, project_id) in people {
            person::Entity::update_many()
                .col_expr(person::Column::UserId, Expr::value(user_id))
                .filter(person::Column::Id.eq(*person_id))
                .exec(&tx)
                .await
                .or_internal()?;
            let mut e = AuditEvent::new(&template.actor, template.action, template.entity)
                .project(Some(*project_id))
                .entity_id(*person_id);
            e.after = Some(serde_json::json!({"user_id": user_id}));
            audits.push(e);
            let has = grant::Entity::find()
                .filter(grant::Column::UserId.eq(user_id))
                .filter(grant::Column::ProjectId.eq(*project_id))
                .filter(grant::Column::RoleCode.eq(RESIDENT))
                .one(&tx)
                .await
                .or_internal()?;
            if has.is_none() {
                let g = grant::ActiveModel {
                    id: NotSet,
                    user_id: Set(user_id),
                    project_id: Set(Some(*project_id)),
                    role_code: Set(RESIDENT.to_string()),
                    created_at: Set(Utc::now()),
                }
                .insert(&tx)
                .await
                .or_internal()?;
                let mut e = AuditEvent::new(&template.actor, "auth.grant.created", "grant")
                    .project(Some(*project_id))
                    .entity_id(g.id);
                e.after = Some(serde_json::json!({"user_id": user_id, "role": RESIDENT}));
                audits.push(e);
            }
        }
        audit::write_many(&tx, audits).await?;
        tx.commit().await.or_internal()
    }

    /// The house when a person bound to the user owns it or lives in it on `today` (started on
    /// or before, not ended by then).
    pub(crate) async fn house_of_user(
        &self,
        user_id: Id,
        house_id: Id,
        today: NaiveDate,
    ) -> Result<Option<BoundHouse>> {
        let people = Query::select()
            .column(person::Column::Id)
            .from(person::Entity)
            .and_where(person::Column::UserId.eq(user_id))
            .to_owned();
        let owned = ownership::Entity::find()
            .filter(ownership::Column::HouseId.eq(house_id))
            .filter(ownership::Column::PersonId.in_subquery(people.clone()))
            .filter(ownership::Column::StartedOn.lte(today))
            .filter(ownership::Column::EndedOn.is_null().or(ownership::Column::EndedOn.gt(today)))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(|o| o.project_id);
        let project_id = match owned {
            Some(p) => Some(p),
            None => occupancy::Entity::find()
                .filter(occupancy::Column::HouseId.eq(house_id))
                .filter(occupancy::Column::PersonId.in_subquery(people))
                .filter(occupancy::Column::MovedInOn.lte(today))
                .filter(occupancy::Column::MovedOutOn.is_null().or(occupancy::Column::MovedOutOn.gt(today)))
                .one(&self.conn)
                .await
                .or_internal()?
                .map(|o| o.project_id),
        };
        Ok(project_id.map(|project_id| BoundHouse { user_id, house_id, project_id }))
    }

    pub(crate) async fn houses_of_user(&self, user_id: Id) -> Result<PersonHouses> {
        let people: Vec<Id> = person::Entity::find()
            .filter(person::Column::UserId.eq(user_id))
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let mut all = PersonHouses { ownerships: Vec::new(), occupancies: Vec::new() };
        for p in people {
            let h = crate::people::repo::houses_of_person(&self.conn, p).await?;
            all.ownerships.extend(h.ownerships);
            all.occupancies.extend(h.occupancies);
        }
        Ok(all)
    }
}
