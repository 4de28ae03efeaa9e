use chrono::{DateTime, Utc};
use linli_core::Id;
use serde_json::Value;

linli_core::text_enum! {
    /// Where a job is in its life, as stored.
    JobState {
        Pending = "pending",
        Running = "running",
        Done = "done",
        /// Gave up after `max_attempts`.
        Dead = "dead",
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
    /// The worker holding the job while it runs, and until when.
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
}

impl Job {
    /// Started but nobody works on it now: running with its lease expired or held by a worker
    /// that is gone (`holder_gone`), or waiting for a retry after a failed attempt. Such a job
    /// resumes on its own at `resumes_at`, when a worker claims it again.
    pub fn interrupted(&self, now: DateTime<Utc>, holder_gone: impl Fn(&str) -> bool) -> bool {
        match self.state {
            JobState::Running => {
                self.lease_until.is_none_or(|until| until < now) || self.lease_owner.as_deref().is_some_and(holder_gone)
            }
            JobState::Pending => self.attempts > 0,
            JobState::Done | JobState::Dead => false,
        }
    }

    /// When a worker may take the job up again: the end of its lease, or its retry time.
    pub fn resumes_at(&self) -> Option<DateTime<Utc>> {
        match self.state {
            JobState::Running => self.lease_until,
            JobState::Pending => Some(self.run_at),
            JobState::Done | JobState::Dead => None,
        }
    }
}

/// The name a worker of this process claims jobs under: `<host>-<pid>`.
pub fn process_owner() -> String {
    format!("{}-{}", hostname(), std::process::id())
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "linli".into())
}

/// A worker that was a process on this host and is no longer running (the server crashed or was
/// killed, and its leases have not expired yet). Another host's workers are not known here: their
/// jobs count as interrupted only when their leases expire.
pub fn holder_gone(owner: &str) -> bool {
    let Some((host, pid)) = owner.rsplit_once('-') else { return false };
    let Ok(pid) = pid.parse::<u32>() else { return false };
    if host != hostname() || pid == std::process::id() {
        return false;
    }
    let proc = std::path::Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn running(owner: &str, until: DateTime<Utc>) -> Job {
        Job {
            id: 1,
            kind: "k".into(),
            payload: Value::Null,
            project_id: None,
            state: JobState::Running,
            attempts: 1,
            max_attempts: 8,
            last_error: None,
            run_at: until - Duration::minutes(5),
            lease_owner: Some(owner.into()),
            lease_until: Some(until),
        }
    }

    #[test]
    fn a_running_job_is_interrupted_when_its_lease_expired_or_its_worker_is_gone() {
        let now = Utc::now();
        let later = now + Duration::minutes(3);
        assert!(!running("w", later).interrupted(now, |_| false));
        assert!(running("w", later).interrupted(now, |o| o == "w"));
        assert!(running("w", now - Duration::seconds(1)).interrupted(now, |_| false));
        assert_eq!(running("w", later).resumes_at(), Some(later));
        let retry = Job { state: JobState::Pending, lease_owner: None, lease_until: None, ..running("w", later) };
        assert!(retry.interrupted(now, |_| false));
        assert!(!Job { attempts: 0, ..retry }.interrupted(now, |_| false));
    }

    #[test]
    fn only_a_dead_process_of_this_host_is_gone() {
        assert!(!holder_gone(&process_owner()), "this process");
        assert!(!holder_gone("elsewhere.example-1"), "another host");
        assert!(!holder_gone("w1"));
        if std::path::Path::new("/proc/self").exists() {
            assert!(holder_gone(&format!("{}-4000000000", hostname())), "no such pid");
        }
    }
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
