//! Attempt counters in `throttle_counters`. A hit is one `INSERT … ON CONFLICT DO UPDATE …
//! RETURNING` statement, so concurrent hits from any number of instances are serialised by the
//! row itself and each sees its own count, on SQLite and on PostgreSQL alike.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use linli_core::throttle::{Count, ThrottleStore};
use linli_core::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::Db;
use crate::entity::throttle_counter::{self as counter, Column};
use crate::error::OrInternal;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn count_of(n: i64, resets_at: i64) -> Count {
    Count { count: u32::try_from(n).unwrap_or(u32::MAX), resets_at: at(resets_at) }
}

#[async_trait]
impl ThrottleStore for Db {
    async fn hit(&self, purpose: &str, key: &str, now: DateTime<Utc>, window: Duration) -> Result<Count> {
        let now_s = now.timestamp();
        let resets = now_s + Ord::max(window.num_seconds(), 1);
        // The columns of the existing row, as the `DO UPDATE` sees them before it changes them.
        let old = |c: Column| Expr::col((counter::Entity, c));
        let closed = || old(Column::ResetsAt).lte(now_s);
        let stmt = Query::insert()
            .into_table(counter::Entity)
            .columns([Column::Purpose, Column::Subject, Column::Count, Column::WindowStartedAt, Column::ResetsAt])
            .values_panic([purpose.into(), key.into(), 1i64.into(), now_s.into(), resets.into()])
            .on_conflict(
                OnConflict::columns([Column::Purpose, Column::Subject])
                    .value(Column::Count, Expr::case(closed(), 1i64).finally(old(Column::Count).add(1i64)))
                    .value(Column::WindowStartedAt, Expr::case(closed(), now_s).finally(old(Column::WindowStartedAt)))
                    .value(Column::ResetsAt, Expr::case(closed(), resets).finally(old(Column::ResetsAt)))
                    .to_owned(),
            )
            .returning(Query::returning().columns([Column::Count, Column::ResetsAt]))
            .to_owned();
        let row =
            self.writer().query_one(&stmt).await.or_internal()?.ok_or_else(|| Error::internal("no counter row"))?;
        let n: i64 = row.try_get("", "count").or_internal()?;
        let resets_at: i64 = row.try_get("", "resets_at").or_internal()?;
        Ok(count_of(n, resets_at))
    }

    async fn peek(&self, purpose: &str, key: &str, now: DateTime<Utc>) -> Result<Option<Count>> {
        let m = counter::Entity::find_by_id((purpose.to_string(), key.to_string()))
            .filter(Column::ResetsAt.gt(now.timestamp()))
            .one(&self.conn)
            .await
            .or_internal()?;
        Ok(m.map(|m| count_of(m.count, m.resets_at)))
    }

    async fn clear(&self, purpose: &str, key: &str) -> Result<()> {
        counter::Entity::delete_by_id((purpose.to_string(), key.to_string()))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(())
    }

    async fn purge(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = counter::Entity::delete_many()
            .filter(Column::ResetsAt.lte(now.timestamp()))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(done.rows_affected)
    }
}
