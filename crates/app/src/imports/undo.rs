//! Undoing an import: trashing what it created and putting back what it updated.

use serde_json::Value;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::contacts::ContactData;
use cartera_core::imports::{Import, ImportStatus, Outcome};
use cartera_core::jobs::{Job, NewJob};
use cartera_core::leads::LeadData;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_store::imports as store;

use crate::events::event;
use crate::jobs::JobFailure;

use crate::{Actor, App, AppError, Result};

use super::rows;
use super::stored::{actor_of, load, request_id};

/// Undos of at most this many records (created plus updated) answer at once, in one
/// transaction as before; larger ones (or any, when asked) run as a job.
pub const UNDO_AT_ONCE: i64 = 5_000;

/// Records an undo job trashes or puts back per transaction, with its progress.
pub const UNDO_CHUNK: i64 = 2_000;

/// The job kind that undoes large imports.
pub const UNDO_JOB_KIND: &str = "import.undo";

/// The request id of what an undo job writes (the import's own writes carry
/// `import:<id>`, which undo looks for, so an undo must not reuse it).
fn undo_request_id(import: Id) -> String {
    format!("import-undo:{import}")
}

/// Undoes a finished import: records it created go to the trash, records it updated get
/// back the values they had before it (from its audit events). An import of at most
/// [`UNDO_AT_ONCE`] records is undone here in one transaction and comes back `undone`;
/// a larger one, or any with `background`, is queued as a job and comes back `undoing`,
/// its progress in `undone_rows`.
pub async fn undo(app: &App, actor: &Actor, id: Id, background: bool) -> Result<Import> {
    let mut imp = load(app, actor, id).await?;
    let module = Module::of(imp.record_kind);
    actor.permit(module, Action::Delete)?;
    if imp.counts.updated > 0 {
        actor.permit(module, Action::Edit)?;
    }
    let not_done = |status: ImportStatus| {
        AppError::Conflict(format!(
            "only a finished import can be undone; this one is {}",
            status.as_str()
        ))
    };
    if !matches!(
        imp.record_kind,
        RecordKind::Account | RecordKind::Contact | RecordKind::Lead
    ) {
        return Err(AppError::NotFound);
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let current = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if current.status != ImportStatus::Done {
        return Err(not_done(current.status));
    }
    if background || imp.counts.created + imp.counts.updated > UNDO_AT_ONCE {
        if !store::transition(
            &mut conn,
            id,
            &[ImportStatus::Done],
            ImportStatus::Undoing,
            now,
        )
        .await?
        {
            return Err(not_done(current.status));
        }
        imp.status = ImportStatus::Undoing;
        imp.undone_rows = 0;
        imp.error = None;
        imp.updated_at = now;
        store::save(&mut conn, &imp).await?;
        crate::jobs::enqueue_in(
            &mut conn,
            app,
            &NewJob::new(
                UNDO_JOB_KIND,
                serde_json::json!({"import_id": id, "user_id": actor.user_id}),
                now,
            ),
        )
        .await?;
        conn.commit().await?;
        return Ok(imp);
    }
    let mut handled = Handled::default();
    let mut after = 0;
    loop {
        let page = store::undo_rows(&mut conn, id, after, UNDO_CHUNK).await?;
        let Some(last) = page.last() else { break };
        after = last.row_number;
        undo_rows_in(&mut conn, actor, now, &imp, &page, &mut handled).await?;
    }
    imp.undone_rows = handled.rows;
    finish_undo(&mut conn, actor, now, &mut imp, &handled).await?;
    conn.commit().await?;
    Ok(imp)
}

/// What an undo has gone through so far.
#[derive(Default)]
struct Handled {
    rows: i64,
    created: i64,
    updated: i64,
}

/// Undoes one page of rows inside the caller's transaction.
async fn undo_rows_in(
    conn: &mut cartera_store::Conn,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    imp: &Import,
    rows: &[store::UndoRow],
    handled: &mut Handled,
) -> Result<()> {
    let (mut created, mut updated) = (Vec::new(), Vec::new());
    for r in rows {
        match r.outcome {
            Outcome::Created => created.push(r.record_id),
            Outcome::Updated => updated.push(r.record_id),
            _ => {}
        }
    }
    let rid = request_id(imp.id);
    match imp.record_kind {
        RecordKind::Account => {
            rows::undo_import::<AccountData>(conn, actor, now, &rid, &created, &updated).await?
        }
        RecordKind::Contact => {
            rows::undo_import::<ContactData>(conn, actor, now, &rid, &created, &updated).await?
        }
        RecordKind::Lead => {
            rows::undo_import::<LeadData>(conn, actor, now, &rid, &created, &updated).await?
        }
        _ => return Err(AppError::NotFound),
    }
    store::drop_external_ids(conn, &created).await?;
    handled.rows += i64::try_from(rows.len()).unwrap_or(i64::MAX);
    handled.created += i64::try_from(created.len()).unwrap_or(i64::MAX);
    handled.updated += i64::try_from(updated.len()).unwrap_or(i64::MAX);
    Ok(())
}

/// Marks an import undone, with its audit event.
async fn finish_undo(
    conn: &mut cartera_store::Conn,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    imp: &mut Import,
    handled: &Handled,
) -> Result<()> {
    imp.status = ImportStatus::Undone;
    imp.error = None;
    imp.undone_at = Some(now);
    imp.updated_at = now;
    store::save(conn, imp).await?;
    cartera_store::audit::insert(
        conn,
        &[event(
            Some(actor),
            now,
            AuditAction::ImportUndone,
            imp.record_kind,
            imp.id,
            vec![
                FieldChange {
                    field: "trashed".into(),
                    old: Value::Null,
                    new: handled.created.into(),
                },
                FieldChange {
                    field: "restored".into(),
                    old: Value::Null,
                    new: handled.updated.into(),
                },
            ],
        )],
    )
    .await?;
    tracing::info!(import_id = %imp.id, rows = handled.rows, "import undone");
    Ok(())
}

/// The job handler: goes on with the undo of the import named in the payload, as the
/// user who asked for it.
pub async fn run_undo_job(app: App, job: Job) -> std::result::Result<(), JobFailure> {
    let id_of = |key: &str| {
        job.payload
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Id>().ok())
    };
    let (Some(id), Some(user)) = (id_of("import_id"), id_of("user_id")) else {
        return Err(JobFailure("the job names no import or user".into()));
    };
    run_undo(&app, id, user).await.map_err(JobFailure::from)
}

/// Undoes an `undoing` import chunk by chunk, each chunk committed with the progress, so
/// a worker that dies resumes after the last chunk it committed. A chunk that breaks a
/// rule (a record now outside the user's view, a value no longer valid) is rolled back
/// and the import goes back to `done` with the reason in `error`; undoing it again goes
/// on from there, since what is already undone is left alone.
pub async fn run_undo(app: &App, id: Id, user: Id) -> Result<()> {
    run_undo_chunks(app, id, user, usize::MAX).await
}

/// [`run_undo`], committing at most `chunks` chunks in this call: what a worker that
/// dies after them leaves behind (its later chunks never run), for the job that takes
/// over after the lease to go on from.
pub async fn run_undo_chunks(app: &App, id: Id, user: Id, chunks: usize) -> Result<()> {
    let mut left = chunks;
    let mut conn = app.db.reader().await?;
    let Some(mut imp) = store::get(&mut conn, id).await? else {
        return Ok(());
    };
    drop(conn);
    if imp.status != ImportStatus::Undoing {
        // Finished already (a job run twice): nothing to do.
        return Ok(());
    }
    let actor = {
        let mut a = actor_of(app, user, id).await?;
        a.request_id = Some(undo_request_id(id));
        a
    };
    // Rows a dead worker already undid are skipped (read, not acted on).
    let mut handled = Handled::default();
    let mut skip = imp.undone_rows;
    let mut after = 0;
    loop {
        if left == 0 {
            return Ok(());
        }
        let mut conn = app.db.begin().await?;
        match store::get(&mut conn, id).await? {
            Some(i) if i.status == ImportStatus::Undoing => {}
            _ => return Ok(()),
        }
        let mut page = store::undo_rows(&mut conn, id, after, UNDO_CHUNK).await?;
        let Some(last) = page.last() else {
            let now = app.now();
            imp.undone_rows = handled.rows;
            finish_undo(&mut conn, &actor, now, &mut imp, &handled).await?;
            conn.commit().await?;
            return Ok(());
        };
        after = last.row_number;
        if skip > 0 {
            let n = skip.min(i64::try_from(page.len()).unwrap_or(i64::MAX));
            for r in page.drain(..usize::try_from(n).unwrap_or(0)) {
                handled.rows += 1;
                match r.outcome {
                    Outcome::Created => handled.created += 1,
                    _ => handled.updated += 1,
                }
            }
            skip -= n;
            if page.is_empty() {
                continue;
            }
        }
        let now = app.now();
        match undo_rows_in(&mut conn, &actor, now, &imp, &page, &mut handled).await {
            Ok(()) => {
                imp.undone_rows = handled.rows;
                imp.updated_at = now;
                store::save(&mut conn, &imp).await?;
                conn.commit().await?;
                left -= 1;
            }
            Err(e @ (AppError::Invalid(_) | AppError::NotFound | AppError::Conflict(_))) => {
                drop(conn);
                let why = match e {
                    AppError::Invalid(v) => {
                        v.0.iter()
                            .map(|x| format!("{}: {}", x.field, x.message))
                            .collect::<Vec<_>>()
                            .join("; ")
                    }
                    AppError::NotFound => "a record it created is outside your view now".to_owned(),
                    e => e.to_string(),
                };
                imp.status = ImportStatus::Done;
                imp.updated_at = app.now();
                imp.error = Some(format!(
                    "the undo stopped after {} of {} rows ({why}); undo again to go on",
                    imp.undone_rows,
                    imp.counts.created + imp.counts.updated
                ));
                let mut conn = app.db.begin().await?;
                store::save(&mut conn, &imp).await?;
                conn.commit().await?;
                tracing::warn!(import_id = %id, error = %why, "an undo stopped");
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}
