//! Imports of people's files into accounts, contacts and leads.
//!
//! An upload is read at once for its header (a file that cannot be read is refused
//! there, by name), and kept in the database in parts so that any server's worker can
//! run it. Starting it queues a job (`import`) that reads the file again, row by row,
//! in chunks of [`CHUNK`] rows: each row is mapped to a record's input and goes through
//! the same checks as any create ([`rows::import_rows`]).
//!
//! - `dry_run` stores what would happen to every row, writing no record.
//! - `skip_bad_rows` writes each chunk in its own transaction, with the progress, so a
//!   worker that dies resumes after the last chunk it committed.
//! - `all_or_nothing` checks the whole file first (as a dry run, with progress); only
//!   when no row is bad does it write everything in one transaction.
//!
//! Every record written has its audit event with `request_id` `import:<id>`, and the
//! import its own (`imported`); undo reads those events to put updated records back.

use cartera_core::audit::AuditAction;
use cartera_core::imports::{self as core, Import, ImportRow, ImportStatus, Outcome};
use cartera_core::jobs::JobState;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};
use cartera_store::imports as store;

use crate::events::event;
use crate::{Actor, App, AppError, Result};

mod rows;
mod run;
mod stored;
mod undo;
mod upload;

pub use run::{Start, rejected_file, run, run_job, start};
use stored::load;
pub(crate) use stored::open_file;
pub use stored::{CHUNK, JOB_KIND, targets};
pub use undo::{
    UNDO_AT_ONCE, UNDO_CHUNK, UNDO_JOB_KIND, run_undo, run_undo_chunks, run_undo_job, undo,
};
pub use upload::{MAX_FILE, Uploaded, sample, upload};

fn kind_of(plural: &str) -> Result<RecordKind> {
    core::kinds()
        .find(|k| k.plural() == plural || k.as_str() == plural)
        .ok_or_else(|| {
            AppError::Invalid(Violations::one(
                "kind",
                Code::Invalid,
                "must be one of: accounts, contacts, leads",
            ))
        })
}

/// The kind named by `kind` (`contacts` or `contact`), if imports take it.
pub fn parse_kind(kind: &str) -> Result<RecordKind> {
    kind_of(kind)
}

/// An import at work that has shown no progress for this long may have lost its worker:
/// its answer then says when the worker's lease ends (`stalled_until`). A chunk takes
/// seconds, so a minute without one is unusual.
pub const STALL_AFTER: chrono::Duration = chrono::Duration::minutes(1);

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Import> {
    let mut imp = load(app, actor, id).await?;
    let now = app.now();
    let at_work = matches!(
        imp.status,
        ImportStatus::Queued | ImportStatus::Running | ImportStatus::Undoing
    );
    if at_work && now - imp.updated_at >= STALL_AFTER {
        let kind = if imp.status == ImportStatus::Undoing {
            UNDO_JOB_KIND
        } else {
            JOB_KIND
        };
        let mut conn = app.db.reader().await?;
        let job =
            cartera_store::jobs::unfinished_for(&mut conn, kind, "import_id", &id.to_string())
                .await?;
        imp.stalled_until = job
            .filter(|j| j.state == JobState::Running)
            .and_then(|j| j.locked_until)
            .filter(|until| *until > now);
    }
    Ok(imp)
}

/// The actor's imports (everybody's for an administrator), newest first.
pub async fn list(app: &App, actor: &Actor, before: Option<Id>, limit: i64) -> Result<Vec<Import>> {
    let mut conn = app.db.reader().await?;
    let who = (!actor.may(Module::Settings, Action::Admin)).then_some(actor.user_id);
    Ok(store::list(&mut conn, who, before, limit).await?)
}

/// Rows of an import's last run in file order, after row `after`.
pub async fn rows(
    app: &App,
    actor: &Actor,
    id: Id,
    outcome: Option<Outcome>,
    after: i64,
    limit: i64,
) -> Result<Vec<ImportRow>> {
    load(app, actor, id).await?;
    let mut conn = app.db.reader().await?;
    Ok(store::rows(&mut conn, id, outcome, after, limit).await?)
}

/// Imports expired per transaction by housekeeping.
const EXPIRE_SLICE: i64 = 200;

/// Housekeeping: drops the kept file of every import left unstarted (a draft, a preview
/// never followed, a failed run) for more than `days` days, and marks it `expired` with
/// the reason in `error`. Imports queued, running or undoing are never touched, nor is
/// one started meanwhile (the change is guarded by status and time). Returns how many
/// expired.
pub async fn expire_stale(app: &App, days: i64) -> Result<u64> {
    let waiting = [
        ImportStatus::Draft,
        ImportStatus::Checked,
        ImportStatus::Failed,
    ];
    let message = format!(
        "the file was kept {days} days without being imported and has been deleted; upload it again to import it"
    );
    let mut total = 0;
    loop {
        let now = app.now();
        let cutoff = now - chrono::Duration::days(days);
        let mut conn = app.db.begin().await?;
        let stale = store::untouched_since(&mut conn, &waiting, cutoff, EXPIRE_SLICE).await?;
        if stale.is_empty() {
            return Ok(total);
        }
        let mut events = Vec::with_capacity(stale.len());
        for imp in &stale {
            if !store::expire(&mut conn, imp.id, &waiting, cutoff, &message, now).await? {
                continue;
            }
            store::drop_file(&mut conn, imp.id).await?;
            events.push(event(
                None,
                now,
                AuditAction::Updated,
                imp.record_kind,
                imp.id,
                vec![FieldChange {
                    field: "status".into(),
                    old: imp.status.as_str().into(),
                    new: ImportStatus::Expired.as_str().into(),
                }],
            ));
            total += 1;
        }
        cartera_store::audit::insert(&mut conn, &events).await?;
        conn.commit().await?;
        if events.is_empty() {
            // Every one was started meanwhile; the next look finds others or none.
            return Ok(total);
        }
    }
}
