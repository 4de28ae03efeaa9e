//! Claiming jobs: a job is due when it is pending and its time has come, or running with a lease
//! that ran out (its worker died). A due job is leased to one worker, with one more attempt
//! counted; but a job whose last attempt died with its worker is given up (dead) rather than run
//! again and again. The store only finds due jobs and applies each decision with a guarded
//! update, so two instances that see the same job cannot both win it.

use chrono::{DateTime, Utc};

use crate::{Job, JobState};

/// Why a job is given up when its last attempt's lease ran out.
pub const LAST_LEASE_EXPIRED: &str = "lease expired on the last attempt";

/// Whether a worker may take the job at `now`.
pub fn is_due(job: &Job, now: DateTime<Utc>) -> bool {
    match job.state {
        JobState::Pending => job.run_at <= now,
        JobState::Running => job.lease_until.is_some_and(|until| until < now),
        JobState::Done | JobState::Dead => false,
    }
}

/// What becomes of a due job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Leased to the claiming worker for another attempt.
    Lease,
    /// Its attempts are used up: dead, with `LAST_LEASE_EXPIRED`.
    GiveUp,
}

pub fn verdict(job: &Job) -> Verdict {
    if job.state == JobState::Running && job.attempts >= job.max_attempts { Verdict::GiveUp } else { Verdict::Lease }
}

/// The job as its new holder sees it once the lease is taken.
pub fn leased(mut job: Job, owner: &str, until: DateTime<Utc>) -> Job {
    job.attempts += 1;
    job.state = JobState::Running;
    job.lease_owner = Some(owner.to_string());
    job.lease_until = Some(until);
    job
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use serde_json::Value;

    use super::*;

    fn job(state: JobState, attempts: i32, run_at: DateTime<Utc>, lease_until: Option<DateTime<Utc>>) -> Job {
        Job {
            id: 1,
            kind: "k".into(),
            payload: Value::Null,
            project_id: None,
            state,
            attempts,
            max_attempts: 3,
            last_error: None,
            run_at,
            lease_owner: lease_until.map(|_| "w".into()),
            lease_until,
        }
    }

    #[test]
    fn pending_jobs_are_due_at_their_time_and_running_ones_when_their_lease_ran_out() {
        let now = Utc::now();
        let (before, after) = (now - Duration::seconds(1), now + Duration::seconds(1));
        assert!(is_due(&job(JobState::Pending, 0, before, None), now));
        assert!(is_due(&job(JobState::Pending, 0, now, None), now));
        assert!(!is_due(&job(JobState::Pending, 1, after, None), now), "a retry waits for its time");
        assert!(is_due(&job(JobState::Running, 1, before, Some(before)), now));
        assert!(!is_due(&job(JobState::Running, 1, before, Some(after)), now), "its worker still holds it");
        assert!(!is_due(&job(JobState::Done, 1, before, None), now));
        assert!(!is_due(&job(JobState::Dead, 3, before, None), now));
    }

    #[test]
    fn a_job_whose_last_attempt_died_is_given_up_and_any_other_is_leased() {
        let t = Utc::now();
        assert_eq!(verdict(&job(JobState::Running, 3, t, Some(t))), Verdict::GiveUp);
        assert_eq!(verdict(&job(JobState::Running, 2, t, Some(t))), Verdict::Lease);
        assert_eq!(verdict(&job(JobState::Pending, 2, t, None)), Verdict::Lease);
        let l = leased(job(JobState::Pending, 2, t, None), "w2", t + Duration::minutes(5));
        assert_eq!((l.state, l.attempts, l.lease_owner.as_deref()), (JobState::Running, 3, Some("w2")));
    }
}
