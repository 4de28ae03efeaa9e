use chrono::{DateTime, Utc};
use linli_core::Id;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Done,
    /// Gave up after `max_attempts`.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Running, Self::Done, Self::Dead].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    pub project_id: Option<Id>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
    /// A second job with the same key is not enqueued while the first exists.
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: Value, run_at: DateTime<Utc>) -> Self {
        Self { kind: kind.into(), payload, project_id: None, run_at, max_attempts: 8, dedupe_key: None }
    }

    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: Id,
    pub kind: String,
    pub payload: Value,
    pub project_id: Option<Id>,
    pub state: JobState,
    /// Including the current one.
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub run_at: DateTime<Utc>,
}

/// A recurring job: every `every_seconds`, one job of `kind` is enqueued by whichever instance
/// claims the tick first.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub kind: String,
    pub payload: Value,
    pub every_seconds: i64,
    pub next_run_at: DateTime<Utc>,
}
