//! The job queue's table. The claim is the one statement here whose spelling differs:
//! PostgreSQL lets several servers claim at once and skips rows another claim holds
//! (`FOR UPDATE SKIP LOCKED`); SQLite has a single writer, so the same `UPDATE ...
//! RETURNING` without the lock clause is already atomic.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::jobs::{Job, JobState, NewJob};

use crate::db::{Arg, Backend, Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "id, kind, payload, state, run_at, attempts, max_attempts, last_error, \
     locked_by, locked_until, dedupe_key, created_at, updated_at";

fn row(r: &DbRow) -> Result<Job> {
    let state = r.text("state")?;
    Ok(Job {
        id: r.id("id")?,
        kind: r.text("kind")?,
        payload: r.json("payload")?,
        state: JobState::parse(&state)
            .ok_or_else(|| StoreError::Decode(format!("state: unknown '{state}'")))?,
        run_at: r.time("run_at")?,
        attempts: r.int("attempts")?,
        max_attempts: r.int("max_attempts")?,
        last_error: r.opt_text("last_error")?,
        locked_by: r.opt_text("locked_by")?,
        locked_until: r.opt_time("locked_until")?,
        dedupe_key: r.opt_text("dedupe_key")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Queues a job; `None` when a job with the same `dedupe_key` exists already (in any
/// state: a scheduled job's key names the one occurrence it stands for).
pub async fn enqueue(c: &mut Conn, job: &NewJob, now: DateTime<Utc>) -> Result<Option<Id>> {
    let id = Id::new();
    let n = c
        .execute(
            Sql::new(
                "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, \
                 dedupe_key, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $7, $7) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .arg(id)
            .arg(&job.kind)
            .arg(Arg::json(&job.payload))
            .arg(job.run_at)
            .arg(job.max_attempts)
            .arg(&job.dedupe_key)
            .arg(now),
        )
        .await?;
    Ok((n > 0).then_some(id))
}

/// Puts back the jobs whose worker's lease ran out (the worker crashed or hung): queued
/// to run now, or dead if that was their last attempt. Returns how many.
pub async fn reclaim_expired(c: &mut Conn, now: DateTime<Utc>) -> Result<u64> {
    c.execute(
        Sql::new(
            "UPDATE jobs SET \
             state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
             last_error = 'the worker stopped before finishing (its lease ran out)', \
             run_at = $1, locked_by = NULL, locked_until = NULL, updated_at = $1 \
             WHERE state = 'running' AND locked_until < $1",
        )
        .arg(now),
    )
    .await
}

/// Claims the oldest due queued job for `worker` until `lease_until`, counting the
/// attempt; `None` when nothing is due.
pub async fn claim(
    c: &mut Conn,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Job>> {
    let pick = match c.backend() {
        // Another server's claim holds its row locked until it commits: skip it and take
        // the next, rather than wait and then find it taken.
        Backend::Postgres => {
            "SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
             ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
        }
        // One writer at a time: nobody can claim between this SELECT and the UPDATE.
        Backend::Sqlite => {
            "SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
             ORDER BY run_at, id LIMIT 1"
        }
    };
    c.fetch_optional(
        Sql::new(format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, \
             locked_until = $2, updated_at = $3 WHERE id = ({pick}) RETURNING {COLUMNS}"
        ))
        .arg(worker)
        .arg(lease_until)
        .arg(now),
    )
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

/// Marks a job `worker` holds as done; false if it no longer holds it (its lease ran out
/// and another worker took the job).
pub async fn complete(c: &mut Conn, id: Id, worker: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(c.execute(
        Sql::new(
            "UPDATE jobs SET state = 'done', last_error = NULL, locked_by = NULL, \
             locked_until = NULL, updated_at = $1 \
             WHERE id = $2 AND state = 'running' AND locked_by = $3",
        )
        .arg(now)
        .arg(id)
        .arg(worker),
    )
    .await?
        > 0)
}

/// Records a failed attempt of a job `worker` holds: queued again at `retry_at`, or dead
/// when that is `None`. False if the worker no longer holds the job.
pub async fn fail(
    c: &mut Conn,
    id: Id,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (state, run_at) = match retry_at {
        Some(t) => (JobState::Queued, t),
        None => (JobState::Dead, now),
    };
    Ok(c.execute(
        Sql::new(
            "UPDATE jobs SET state = $1, run_at = $2, last_error = $3, locked_by = NULL, \
             locked_until = NULL, updated_at = $4 \
             WHERE id = $5 AND state = 'running' AND locked_by = $6",
        )
        .arg(state.as_str())
        .arg(run_at)
        .arg(error)
        .arg(now)
        .arg(id)
        .arg(worker),
    )
    .await?
        > 0)
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Job>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM jobs WHERE id = $1")).arg(id))
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

/// The newest queued or running job of `kind` whose payload holds `key` = `value` (an
/// import's job, by its `import_id`). The key is ours, never a user's.
pub async fn unfinished_for(
    c: &mut Conn,
    kind: &str,
    key: &str,
    value: &str,
) -> Result<Option<Job>> {
    let field = match c.backend() {
        Backend::Postgres => "payload ->> $2",
        Backend::Sqlite => "json_extract(payload, '$.' || $2)",
    };
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM jobs WHERE state IN ('queued', 'running') AND kind = $1 \
             AND {field} = $3 ORDER BY id DESC LIMIT 1"
        ))
        .arg(kind)
        .arg(key)
        .arg(value),
    )
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

/// Newest first (ids are time-ordered), optionally of one state, after the id `before`.
pub async fn list(
    c: &mut Conn,
    state: Option<JobState>,
    before: Option<Id>,
    limit: i64,
) -> Result<Vec<Job>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM jobs WHERE 1 = 1"));
    if let Some(s) = state {
        sql.push(" AND state = ").push_arg(s.as_str());
    }
    if let Some(b) = before {
        sql.push(" AND id < ").push_arg(b);
    }
    sql.push(" ORDER BY id DESC LIMIT ").push_arg(limit);
    c.fetch_all(sql).await?.iter().map(row).collect()
}

/// Queues a dead job again with a fresh count of attempts, due at `now`; false if it is
/// not dead.
pub async fn retry_dead(c: &mut Conn, id: Id, now: DateTime<Utc>) -> Result<bool> {
    Ok(c.execute(
        Sql::new(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE id = $2 AND state = 'dead'",
        )
        .arg(now)
        .arg(id),
    )
    .await?
        > 0)
}

/// Forgets finished jobs last touched before `before`.
pub async fn purge_done_before(c: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    c.execute(Sql::new("DELETE FROM jobs WHERE state = 'done' AND updated_at < $1").arg(before))
        .await
}

/// Takes back the queued jobs whose `dedupe_key` starts with `prefix` (e.g. the reminders
/// of an activity that moved); returns how many. Running jobs finish as they are.
pub async fn cancel_queued(c: &mut Conn, prefix: &str) -> Result<u64> {
    // The prefix is ours, never a user's, but '%' and '_' are escaped all the same.
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    c.execute(
        Sql::new("DELETE FROM jobs WHERE state = 'queued' AND dedupe_key LIKE $1 ESCAPE '\\'")
            .arg(pattern),
    )
    .await
}
