//! The job queue on SQL. What a claim decides is `linli_jobs::claim`; here a lease is an
//! optimistic update guarded by the row's state and attempt count, so two instances that see the
//! same due job cannot both win it, on either backend.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_core::{Id, Result};
use linli_jobs::{Job, JobState, JobStore, NewJob, Schedule};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, NotSet,
    QueryFilter, QueryOrder, QuerySelect, SqlErr,
};

use crate::Db;
use crate::entity::{job, job_schedule};
use crate::error::{OrInternal, internal};

pub(crate) fn view(m: job::Model) -> Job {
    Job {
        id: m.id,
        kind: m.kind,
        payload: m.payload,
        project_id: m.project_id,
        state: JobState::parse(&m.state).unwrap_or(JobState::Dead),
        attempts: m.attempts,
        max_attempts: m.max_attempts,
        last_error: m.last_error,
        run_at: m.run_at,
        lease_owner: m.lease_owner,
        lease_until: m.lease_until,
    }
}

fn schedule_view(m: job_schedule::Model) -> Schedule {
    Schedule {
        name: m.name,
        kind: m.kind,
        payload: m.payload,
        every_seconds: m.every_seconds,
        next_run_at: m.next_run_at,
    }
}

/// Inserts unless the dedupe key is taken.
pub(crate) async fn insert_job(c: &impl ConnectionTrait, j: NewJob) -> Result<Option<Id>> {
    let now = Utc::now();
    let res = job::ActiveModel {
        id: NotSet,
        kind: Set(j.kind),
        payload: Set(j.payload),
        project_id: Set(j.project_id),
        state: Set(JobState::Pending.as_str().to_string()),
        run_at: Set(j.run_at),
        attempts: Set(0),
        max_attempts: Set(Ord::max(j.max_attempts, 1)),
        last_error: Set(None),
        lease_owner: Set(None),
        lease_until: Set(None),
        dedupe_key: Set(j.dedupe_key),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(c)
    .await;
    match res {
        Ok(m) => Ok(Some(m.id)),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(internal(e)),
    }
}

fn is_state(s: JobState) -> Condition {
    Condition::all().add(job::Column::State.eq(s.as_str()))
}

/// The row is still as `j` was read: the guard that lets one claimer only win a job.
fn unchanged(j: &Job) -> Condition {
    Condition::all()
        .add(job::Column::Id.eq(j.id))
        .add(job::Column::State.eq(j.state.as_str()))
        .add(job::Column::Attempts.eq(j.attempts))
}

#[async_trait]
impl JobStore for Db {
    async fn enqueue(&self, j: NewJob) -> Result<Option<Id>> {
        insert_job(self.writer(), j).await
    }

    async fn due(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<Job>> {
        // `claim::is_due`, as a query.
        let due = Condition::any()
            .add(is_state(JobState::Pending).add(job::Column::RunAt.lte(now)))
            .add(is_state(JobState::Running).add(job::Column::LeaseUntil.lt(now)));
        let found = job::Entity::find()
            .filter(due)
            .order_by_asc(job::Column::RunAt)
            .order_by_asc(job::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await
            .or_internal()?;
        Ok(found.into_iter().map(view).collect())
    }

    async fn lease(&self, j: &Job, owner: &str, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool> {
        let res = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Running.as_str()))
            .col_expr(job::Column::LeaseOwner, Expr::value(owner))
            .col_expr(job::Column::LeaseUntil, Expr::value(until))
            .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).add(1))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(unchanged(j))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(res.rows_affected == 1)
    }

    async fn give_up(&self, j: &Job, why: &str, now: DateTime<Utc>) -> Result<bool> {
        let res = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Dead.as_str()))
            .col_expr(job::Column::LastError, Expr::value(why))
            .col_expr(job::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(unchanged(j))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(res.rows_affected == 1)
    }

    async fn complete(&self, id: Id, owner: &str, now: DateTime<Utc>) -> Result<bool> {
        let res = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Done.as_str()))
            .col_expr(job::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::LeaseOwner.eq(owner))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(res.rows_affected == 1)
    }

    async fn fail(
        &self,
        id: Id,
        owner: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (state, run_at) = match retry_at {
            Some(at) => (JobState::Pending, Some(at)),
            None => (JobState::Dead, None),
        };
        let mut upd = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(state.as_str()))
            .col_expr(job::Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()))
            .col_expr(job::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(job::Column::UpdatedAt, Expr::value(now));
        if let Some(at) = run_at {
            upd = upd.col_expr(job::Column::RunAt, Expr::value(at));
        }
        let res = upd
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::LeaseOwner.eq(owner))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(res.rows_affected == 1)
    }

    async fn get(&self, id: Id) -> Result<Option<Job>> {
        Ok(job::Entity::find_by_id(id).one(&self.conn).await.or_internal()?.map(view))
    }

    async fn upsert_schedule(&self, s: Schedule) -> Result<()> {
        let existing = job_schedule::Entity::find_by_id(s.name.clone()).one(&self.conn).await.or_internal()?;
        let next = existing.as_ref().map_or(s.next_run_at, |e| e.next_run_at);
        let m = job_schedule::ActiveModel {
            name: Set(s.name),
            kind: Set(s.kind),
            payload: Set(s.payload),
            every_seconds: Set(s.every_seconds),
            next_run_at: Set(next),
        };
        let res = if existing.is_some() { m.update(self.writer()).await } else { m.insert(self.writer()).await };
        match res {
            Ok(_) => Ok(()),
            // Another instance inserted it between our read and write: theirs is as good.
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }

    async fn due_schedules(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>> {
        let rows = job_schedule::Entity::find()
            .filter(job_schedule::Column::NextRunAt.lte(now))
            .all(&self.conn)
            .await
            .or_internal()?;
        Ok(rows.into_iter().map(schedule_view).collect())
    }

    async fn fire_schedule(&self, seen: &Schedule, next: DateTime<Utc>, j: NewJob) -> Result<bool> {
        let tx = self.begin().await.or_internal()?;
        let res = job_schedule::Entity::update_many()
            .col_expr(job_schedule::Column::NextRunAt, Expr::value(next))
            .filter(job_schedule::Column::Name.eq(seen.name.as_str()))
            .filter(job_schedule::Column::NextRunAt.eq(seen.next_run_at))
            .exec(&tx)
            .await
            .or_internal()?;
        if res.rows_affected != 1 {
            return Ok(false);
        }
        insert_job(&tx, j).await?;
        tx.commit().await.or_internal()?;
        Ok(true)
    }
}
