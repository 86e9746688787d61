//! The job queue's use cases: enqueue work, run what is due, and let admins see and
//! retry dead jobs. A [`Worker`] runs the handlers registered by kind; `cartera serve`
//! runs one in a loop (see `cartera_server::spawn_jobs`), and tests call
//! [`Worker::run_due`] themselves so that time is theirs to move.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use cartera_core::audit::AuditAction;
use cartera_core::jobs::{Job, JobState, LEASE, NewJob, after_failure, valid_kind};
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::{Conn, jobs as store};

use crate::events;
use crate::{Actor, App, AppError, Result};

/// Why an attempt failed, kept on the job as `last_error` for an admin to read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JobFailure(pub String);

impl From<AppError> for JobFailure {
    fn from(e: AppError) -> Self {
        JobFailure(e.to_string())
    }
}

impl From<cartera_store::StoreError> for JobFailure {
    fn from(e: cartera_store::StoreError) -> Self {
        JobFailure(e.to_string())
    }
}

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), JobFailure>> + Send>>;
type Handler = Arc<dyn Fn(App, Job) -> HandlerFuture + Send + Sync>;

/// Runs due jobs with the handlers registered for their kinds. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    id: Arc<str>,
    handlers: Arc<HashMap<String, Handler>>,
}

impl Worker {
    /// A worker named `id` in `locked_by` (unique per process: the host and process id,
    /// say), with no handlers yet.
    pub fn new(id: &str) -> Worker {
        Worker {
            id: id.into(),
            handlers: Arc::new(HashMap::new()),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Registers the handler of `kind`. A handler may run twice for one job if a
    /// server dies mid-run (the lease then runs out and another takes it), so it should
    /// be safe to repeat.
    pub fn handle<F, Fut>(mut self, kind: &str, f: F) -> Worker
    where
        F: Fn(App, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobFailure>> + Send + 'static,
    {
        let h: Handler = Arc::new(move |app, job| Box::pin(f(app, job)));
        Arc::make_mut(&mut self.handlers).insert(kind.to_owned(), h);
        self
    }

    /// Claims one due job and runs it; false when nothing was due. Expired leases are
    /// put back first, so a crashed server's jobs run again.
    pub async fn run_one(&self, app: &App) -> Result<bool> {
        let now = app.now();
        let mut conn = app.db.begin().await?;
        let reclaimed = store::reclaim_expired(&mut conn, now).await?;
        let job = store::claim(&mut conn, &self.id, now, now + LEASE).await?;
        conn.commit().await?;
        if reclaimed > 0 {
            tracing::warn!(reclaimed, "jobs whose worker stopped were queued again");
        }
        let Some(job) = job else {
            return Ok(false);
        };
        let outcome = match self.handlers.get(&job.kind) {
            // A panicking handler fails its job instead of the worker.
            Some(h) => match tokio::spawn(h(app.clone(), job.clone())).await {
                Ok(r) => r,
                Err(e) => Err(JobFailure(format!("the handler stopped: {e}"))),
            },
            // Perhaps a newer server knows it: retried like any failure.
            None => Err(JobFailure(format!(
                "no handler for jobs of kind '{}'",
                job.kind
            ))),
        };
        let now = app.now();
        let mut conn = app.db.begin().await?;
        let held = match &outcome {
            Ok(()) => store::complete(&mut conn, job.id, &self.id, now).await?,
            Err(e) => {
                let retry_at = after_failure(job.attempts, job.max_attempts, now);
                if retry_at.is_none() {
                    tracing::warn!(job = %job.id, kind = %job.kind, error = %e, "a job failed for the last time");
                }
                store::fail(&mut conn, job.id, &self.id, &e.0, retry_at, now).await?
            }
        };
        conn.commit().await?;
        if !held {
            tracing::warn!(job = %job.id, kind = %job.kind, "a job outlived its lease; another worker may have run it again");
        }
        Ok(true)
    }

    /// Runs due jobs until none is left; returns how many ran.
    pub async fn run_due(&self, app: &App) -> Result<usize> {
        let mut n = 0;
        while self.run_one(app).await? {
            n += 1;
        }
        Ok(n)
    }
}

fn check_new(job: &NewJob) -> Result<()> {
    let mut c = Check::new();
    if !valid_kind(&job.kind) {
        c.add(
            "kind",
            Code::Invalid,
            "lowercase letters, digits, '_' and '.', up to 64",
        );
    }
    if job.max_attempts < 1 {
        c.add("max_attempts", Code::OutOfRange, "at least 1");
    }
    Ok(c.finish()?)
}

/// Queues `job` inside the caller's transaction, so that the work is queued exactly
/// when the change that asks for it commits. `None`: its `dedupe_key` was queued before.
pub async fn enqueue_in(conn: &mut Conn, app: &App, job: &NewJob) -> Result<Option<Id>> {
    check_new(job)?;
    Ok(store::enqueue(conn, job, app.now()).await?)
}

/// Queues `job` on its own.
pub async fn enqueue(app: &App, job: &NewJob) -> Result<Option<Id>> {
    let mut conn = app.db.begin().await?;
    let id = enqueue_in(&mut conn, app, job).await?;
    conn.commit().await?;
    Ok(id)
}

/// A job that recurs once a day at a fixed hour (UTC): dunning, monthly statements, the
/// no-contact sweep. Every server queues the next occurrence at start and hourly; the
/// day in its dedupe key makes two servers queue one job.
#[derive(Debug, Clone, Copy)]
pub struct Daily {
    pub kind: &'static str,
    pub hour_utc: u32,
}

impl Daily {
    /// The next occurrence strictly after `now`.
    pub fn next_after(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let at = NaiveTime::from_hms_opt(self.hour_utc, 0, 0).unwrap_or(NaiveTime::MIN);
        let today = now.date_naive().and_time(at).and_utc();
        if today > now {
            today
        } else {
            today + Duration::days(1)
        }
    }

    fn job_at(&self, at: DateTime<Utc>) -> NewJob {
        NewJob {
            dedupe_key: Some(format!("schedule:{}:{}", self.kind, at.date_naive())),
            ..NewJob::new(self.kind, serde_json::json!({}), at)
        }
    }

    /// Queues the next occurrence unless it is queued already.
    pub async fn ensure(&self, app: &App) -> Result<()> {
        enqueue(app, &self.job_at(self.next_after(app.now()))).await?;
        Ok(())
    }
}

pub struct JobPage {
    pub jobs: Vec<Job>,
    pub next_cursor: Option<String>,
}

fn bad_cursor() -> AppError {
    AppError::BadQuery(Violations::one(
        "cursor",
        Code::Invalid,
        "this cursor is damaged; start again without one",
    ))
}

/// Jobs for admins, newest first, optionally of one state.
pub async fn list(
    app: &App,
    actor: &Actor,
    state: Option<JobState>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<JobPage> {
    actor.permit(Module::Settings, Action::Admin)?;
    let before = cursor
        .map(|c| c.parse::<Id>().map_err(|_| bad_cursor()))
        .transpose()?;
    let mut conn = app.db.reader().await?;
    let mut jobs = store::list(&mut conn, state, before, limit + 1).await?;
    let next_cursor = if jobs.len() as i64 > limit {
        jobs.truncate(limit as usize);
        jobs.last().map(|j| j.id.to_string())
    } else {
        None
    };
    Ok(JobPage { jobs, next_cursor })
}

/// One job, for admins.
pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Job> {
    actor.permit(Module::Settings, Action::Admin)?;
    let mut conn = app.db.reader().await?;
    store::get(&mut conn, id).await?.ok_or(AppError::NotFound)
}

/// Queues a dead job again with its attempts counted afresh, due now.
pub async fn retry(app: &App, actor: &Actor, id: Id) -> Result<Job> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let job = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if !store::retry_dead(&mut conn, id, now).await? {
        return Err(AppError::Conflict(format!(
            "only a dead job is retried; this one is {}",
            job.state.as_str()
        )));
    }
    let changes = vec![events::change(
        "state",
        job.state.as_str(),
        JobState::Queued.as_str(),
    )];
    events::write(
        &mut conn,
        actor
            .at(now)
            .event(AuditAction::Updated, RecordKind::Job, id, changes),
    )
    .await?;
    let job = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    conn.commit().await?;
    Ok(job)
}

/// How long finished jobs stay listed before housekeeping forgets them (dead ones stay
/// until an admin retries them).
pub const DONE_RETENTION_DAYS: i64 = 30;

/// Forgets jobs finished more than [`DONE_RETENTION_DAYS`] ago.
pub async fn purge_done(app: &App) -> Result<u64> {
    let mut conn = app.db.begin().await?;
    let n = store::purge_done_before(
        &mut conn,
        app.now() - chrono::Duration::days(DONE_RETENTION_DAYS),
    )
    .await?;
    conn.commit().await?;
    Ok(n)
}
