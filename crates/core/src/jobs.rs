//! Background jobs: the states a job moves through and the retry rule. The queue itself
//! lives in the database (see `store::jobs`), so jobs survive a restart and several
//! servers share them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::ids::Id;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its `run_at` (also after a failed attempt, until the next one).
    Queued,
    /// Claimed by a worker, whose lease runs until `locked_until`.
    Running,
    /// Ran to the end.
    Done,
    /// Failed `max_attempts` times; kept for an admin to read and retry.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The longest name of a kind of job.
pub const MAX_KIND: usize = 64;

/// Attempts a job gets unless its enqueuer says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;

/// How long a claim holds: a worker that has not finished by then is taken for dead,
/// and the job is claimed again (so a handler must tolerate running twice after a crash,
/// but two live workers never hold it at once).
pub const LEASE: Duration = Duration::minutes(5);

/// The first retry waits this long; each later one twice the one before...
const BACKOFF_BASE_SECONDS: i64 = 30;
/// ...up to this, so that a job failing for a day still retries every few hours.
const BACKOFF_CAP_SECONDS: i64 = 6 * 3600;

/// How long to wait after the `attempts`-th failed attempt (1 for the first failure):
/// 30 s, 1 min, 2 min, 4 min ... capped at 6 h.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 32) - 1;
    let secs = BACKOFF_BASE_SECONDS.saturating_mul(1_i64 << doublings);
    Duration::seconds(secs.min(BACKOFF_CAP_SECONDS))
}

/// Whether a kind's name is acceptable: lowercase words joined by `_` or `.`, e.g.
/// `send_email`, `followups.quote_sent`.
pub fn valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= MAX_KIND
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

/// A job as stored and shown to admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Job {
    pub id: Id,
    /// What to do: the name a handler is registered under, e.g. `send_email`.
    pub kind: String,
    /// The handler's input.
    #[schema(value_type = Object)]
    pub payload: Value,
    pub state: JobState,
    /// When it runs next (or ran last).
    pub run_at: DateTime<Utc>,
    /// Attempts started so far.
    pub attempts: i64,
    pub max_attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The worker holding it while it runs.
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    /// Keeps the same scheduled job from being enqueued twice.
    pub dedupe_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
    pub dedupe_key: Option<String>,
}

impl NewJob {
    /// A job of `kind` with `payload`, due at `run_at`, with the default attempts.
    pub fn new(kind: &str, payload: Value, run_at: DateTime<Utc>) -> NewJob {
        NewJob {
            kind: kind.to_owned(),
            payload,
            run_at,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            dedupe_key: None,
        }
    }
}

/// What happens to a job whose attempt failed: retried later, or dead.
pub fn after_failure(
    attempts: i64,
    max_attempts: i64,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    (attempts < max_attempts).then(|| now + backoff(attempts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(10), Duration::seconds(30 * 512));
        assert_eq!(backoff(11), Duration::hours(6));
        assert_eq!(backoff(1000), Duration::hours(6));
        // Nonsense counts do not overflow or go negative.
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(-5), Duration::seconds(30));
        assert_eq!(backoff(i64::MAX), Duration::hours(6));
    }

    #[test]
    fn a_job_dies_after_its_last_attempt() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(after_failure(1, 3, now), Some(now + Duration::seconds(30)));
        assert_eq!(after_failure(2, 3, now), Some(now + Duration::seconds(60)));
        assert_eq!(after_failure(3, 3, now), None);
        assert_eq!(after_failure(4, 3, now), None);
    }

    #[test]
    fn states_and_kinds() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("Dead"), None);
        assert!(valid_kind("send_email"));
        assert!(valid_kind("followups.quote_sent"));
        assert!(!valid_kind(""));
        assert!(!valid_kind("Send Email"));
        assert!(!valid_kind(&"a".repeat(65)));
    }
}
