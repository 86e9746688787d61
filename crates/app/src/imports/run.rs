//! Running an import: the job that reads the file again in chunks and writes its rows.

use serde_json::Value;

use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::contacts::ContactData;
use cartera_core::imports::read::{FileError, Raw, Table};
use cartera_core::imports::{
    self as core, CellProblem, Counts, Import, ImportMode, ImportRow, ImportStatus, Mapping,
    MatchOn, OnMatch, Outcome, Target,
};
use cartera_core::io::{Cell, Sheet, XlsxSheet};
use cartera_core::jobs::{Job, NewJob};
use cartera_core::leads::LeadData;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id};
use cartera_store::imports as store;

use crate::events::event;
use crate::jobs::JobFailure;
use crate::records::Kind;

use crate::{Actor, App, AppError, Result};

use super::rows::{self, ImportInput, ImportResult, ImportRule, ImportSeen};
use super::stored::{
    CHUNK, JOB_KIND, ROWS_WITH_CELLS, actor_of, file_error, load, materialise, open_file, targets,
};

/// What a start may change besides the mode.
#[derive(Debug, Clone, Default)]
pub struct Start {
    pub mode: Option<ImportMode>,
    pub mapping: Option<Mapping>,
    pub match_on: Option<MatchOn>,
    pub on_match: Option<OnMatch>,
    pub locale: Option<core::values::Locale>,
}

/// Starts (or starts again, after a dry run or a failure) an import: checks the
/// mapping, remembers it for this source, and queues the job.
pub async fn start(app: &App, actor: &Actor, id: Id, s: Start) -> Result<Import> {
    let mut imp = load(app, actor, id).await?;
    let module = Module::of(imp.record_kind);
    actor.permit(module, Action::Create)?;
    let mode = s.mode.unwrap_or(ImportMode::DryRun);
    if let Some(m) = s.mapping {
        imp.mapping = m;
    }
    if let Some(m) = s.match_on {
        imp.options.match_on = Some(m);
    }
    if let Some(o) = s.on_match {
        imp.options.on_match = o;
    }
    if let Some(l) = s.locale {
        imp.options.locale = l;
    }
    if imp.options.on_match == OnMatch::Update && mode != ImportMode::DryRun {
        actor.permit(module, Action::Edit)?;
    }
    let targets = targets(app, imp.record_kind).await?;
    let mut c = Check::new();
    for (field, message) in core::check_mapping(&imp.header, &imp.mapping, &targets) {
        c.add(&field, Code::Invalid, message);
    }
    let mapped = |k: &str| imp.mapping.iter().any(|m| m.as_deref() == Some(k));
    match imp.options.match_on.unwrap_or(MatchOn::Email) {
        MatchOn::ExternalId if !mapped(core::EXTERNAL_ID) => c.add(
            "match_on",
            Code::Invalid,
            "matching on an external id needs a column mapped to external_id",
        ),
        MatchOn::TaxId if imp.record_kind != RecordKind::Account => {
            c.add("match_on", Code::Invalid, "only accounts have a tax id")
        }
        _ => {}
    }
    if !imp
        .mapping
        .iter()
        .any(|m| m.as_deref().is_some_and(|k| k != core::EXTERNAL_ID))
    {
        c.add(
            "mapping",
            Code::Required,
            "map at least one column to a field",
        );
    }
    c.finish()?;

    let now = app.now();
    let mut conn = app.db.begin().await?;
    let current = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if !current.status.startable() {
        return Err(AppError::Conflict(format!(
            "this import is {}; only a draft, a checked or a failed import can start",
            current.status.as_str()
        )));
    }
    // Guarded, so that an upload expired by housekeeping meanwhile stays expired.
    if !store::transition(
        &mut conn,
        id,
        &[
            ImportStatus::Draft,
            ImportStatus::Checked,
            ImportStatus::Failed,
        ],
        ImportStatus::Queued,
        now,
    )
    .await?
    {
        return Err(AppError::Conflict(
            "this import changed meanwhile; load it again".into(),
        ));
    }
    imp.status = ImportStatus::Queued;
    imp.mode = Some(mode);
    imp.processed_rows = 0;
    imp.counts = Counts::default();
    imp.error = None;
    imp.finished_at = None;
    imp.updated_at = now;
    store::save(&mut conn, &imp).await?;
    store::clear_rows(&mut conn, id).await?;
    store::save_mapping(
        &mut conn,
        imp.record_kind,
        &imp.source_key,
        &imp.mapping,
        now,
    )
    .await?;
    crate::jobs::enqueue_in(
        &mut conn,
        app,
        &NewJob::new(JOB_KIND, serde_json::json!({"import_id": id}), now),
    )
    .await?;
    conn.commit().await?;
    Ok(imp)
}

/// The job handler: runs the import named in the payload.
pub async fn run_job(app: App, job: Job) -> std::result::Result<(), JobFailure> {
    let id = job
        .payload
        .get("import_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Id>().ok())
        .ok_or_else(|| JobFailure("the job names no import".into()))?;
    run(&app, id).await.map_err(JobFailure::from)
}

/// Runs a queued import (or resumes one whose worker died).
pub async fn run(app: &App, id: Id) -> Result<()> {
    let mut conn = app.db.begin().await?;
    let Some(mut imp) = store::get(&mut conn, id).await? else {
        return Ok(());
    };
    let resumed = match imp.status {
        ImportStatus::Queued => false,
        ImportStatus::Running => true,
        // Finished already (a job run twice): nothing to do.
        _ => return Ok(()),
    };
    imp.status = ImportStatus::Running;
    imp.updated_at = app.now();
    store::save(&mut conn, &imp).await?;
    conn.commit().await?;
    let actor = actor_of(app, imp.created_by, id).await?;
    // A large file must not grow the writer's page cache to its full size.
    app.db.bulk_writes(true).await?;
    let outcome = match imp.record_kind {
        RecordKind::Account => run_kind::<AccountData>(app, &actor, &mut imp, resumed).await,
        RecordKind::Contact => run_kind::<ContactData>(app, &actor, &mut imp, resumed).await,
        RecordKind::Lead => run_kind::<LeadData>(app, &actor, &mut imp, resumed).await,
        _ => Err(AppError::Conflict("this kind cannot be imported".into())),
    };
    if let Err(e) = app.db.bulk_writes(false).await {
        tracing::warn!(import_id = %id, error = %e, "the writer's cache was not restored");
    }
    match outcome {
        Ok(()) => Ok(()),
        // A file that cannot be read fails the import, not the job: retrying won't help.
        Err(AppError::Invalid(v)) => {
            imp.error = Some(
                v.0.iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            finish(app, &actor, &mut imp, ImportStatus::Failed).await
        }
        Err(e) => Err(e),
    }
}

/// What turns a file's cells into a record's input.
struct BuildContext {
    header: Vec<String>,
    mapping: Mapping,
    targets: Vec<Target>,
    locale: core::values::Locale,
    currency: String,
}

/// A row read and mapped: its stored form (rejected until the records' checks say
/// otherwise) and, when its cells could be read, the record's input.
struct Built {
    row: ImportRow,
    mapped: Option<core::Mapped>,
}

/// Reads up to [`CHUNK`] rows and maps them (blocking: run it off the async threads).
fn read_and_build(
    mut t: Table,
    b: &BuildContext,
) -> std::result::Result<(Table, Vec<Built>, bool), FileError> {
    let mut out = Vec::with_capacity(CHUNK);
    let mut done = false;
    for _ in 0..CHUNK {
        let r = match t.next_row() {
            Some(r) => r?,
            None => {
                done = true;
                break;
            }
        };
        let cells: Vec<String> = r.cells.iter().map(Raw::text).collect();
        let mut problems: Vec<CellProblem> = r.problems.iter().map(|p| p.problem()).collect();
        // A row whose cells do not fit the header is not read further: its cells may
        // sit under the wrong columns. A row with cells that could not be read still
        // has the others checked as a record, so that all its problems are reported.
        let mapped = if problems.is_empty() {
            let (m, p) = core::build_all(
                &b.header,
                &b.mapping,
                &b.targets,
                &r.cells,
                b.locale,
                &b.currency,
            );
            problems.extend(p);
            Some(m)
        } else {
            None
        };
        out.push(Built {
            row: ImportRow {
                row_number: i64::try_from(r.number).unwrap_or(i64::MAX),
                outcome: Outcome::Rejected,
                record_id: None,
                problems,
                cells,
            },
            mapped,
        });
    }
    Ok((t, out, done))
}

/// What checks a chunk's rows as records away from the database.
struct PrepareContext {
    app: App,
    actor: Actor,
    records: rows::ImportContext,
    rule: ImportRule,
    /// Rows already done by an earlier run of the same import (a resumed job).
    skip: i64,
}

/// A chunk read, mapped and checked as records: the rows to store (`out`), which of
/// them reached the records' checks (`slots`), and those checks so far.
struct ChunkOut<D> {
    /// Rows of the file read so far, this chunk's included.
    read: i64,
    out: Vec<ImportRow>,
    slots: Vec<usize>,
    prepared: Option<rows::PreparedChunk<D>>,
}

/// Reads the next chunk and checks its rows as records (blocking: off the async
/// threads, while the chunk before is written).
fn read_and_prepare<D: Kind>(
    t: Table,
    b: &BuildContext,
    p: &PrepareContext,
    read_before: i64,
) -> std::result::Result<(Table, ChunkOut<D>, bool), FileError> {
    let (t, built, done) = read_and_build(t, b)?;
    let mut read = read_before;
    let mut inputs = Vec::new();
    let mut out: Vec<ImportRow> = Vec::with_capacity(built.len());
    let mut slots: Vec<usize> = Vec::new();
    for b in built {
        read += 1;
        if read <= p.skip {
            continue;
        }
        if let Some(m) = b.mapped {
            slots.push(out.len());
            inputs.push(ImportInput {
                number: b.row.row_number,
                input: m.input,
                external_id: m.external_id,
                rejected: !b.row.problems.is_empty(),
            });
        }
        out.push(b.row);
    }
    let prepared = (!inputs.is_empty())
        .then(|| rows::prepare_import::<D>(&p.records, &p.actor, p.app.now(), inputs, p.rule));
    Ok((
        t,
        ChunkOut {
            read,
            out,
            slots,
            prepared,
        },
        done,
    ))
}

async fn run_kind<D: Kind>(
    app: &App,
    actor: &Actor,
    imp: &mut Import,
    resumed: bool,
) -> Result<()> {
    let file = materialise(app, imp.id).await?;
    let targets = targets(app, imp.record_kind).await?;
    let mode = imp.mode.unwrap_or(ImportMode::DryRun);
    let (match_on, on_match) = (
        imp.options.match_on.unwrap_or(MatchOn::Email),
        imp.options.on_match,
    );
    // Every pass reads the same file with the same rule; they differ in whether they write,
    // how they commit and whether they resume.
    let pass_over = async |imp: &mut Import, write: bool, tx: Tx, resumed: bool| {
        let rule = ImportRule {
            match_on,
            on_match,
            write,
        };
        pass::<D>(app, actor, imp, &file, &targets, rule, tx, resumed).await
    };
    match mode {
        ImportMode::DryRun => {
            pass_over(imp, false, Tx::PerChunk, false).await?;
            finish(app, actor, imp, ImportStatus::Checked).await
        }
        ImportMode::SkipBadRows => {
            pass_over(imp, true, Tx::PerChunk, resumed).await?;
            finish(app, actor, imp, ImportStatus::Done).await
        }
        ImportMode::AllOrNothing => {
            pass_over(imp, false, Tx::PerChunk, false).await?;
            if imp.counts.rejected > 0 {
                imp.error = Some(format!(
                    "{} rows have problems; nothing was written",
                    imp.counts.rejected
                ));
                return finish(app, actor, imp, ImportStatus::Failed).await;
            }
            let checked = imp.counts;
            pass_over(imp, true, Tx::Whole, false).await?;
            if imp.counts.rejected > 0 {
                // Someone wrote a conflicting record between the check and the write.
                imp.counts = checked;
                imp.error =
                    Some("records changed while the import ran; nothing was written".into());
                return finish(app, actor, imp, ImportStatus::Failed).await;
            }
            Ok(())
        }
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Tx {
    /// Each chunk commits with its rows and the progress.
    PerChunk,
    /// One transaction for the whole file, committed with the import's end.
    Whole,
}

/// Which column fed a record's field: the first column mapped to the field's root.
fn column_of(field: &str, imp: &Import) -> String {
    if field.is_empty() {
        return String::new();
    }
    let root_len = field.find(['[']).unwrap_or(field.len());
    let root = &field[..root_len];
    imp.mapping
        .iter()
        .position(|m| {
            m.as_deref().is_some_and(|k| {
                root == k
                    || root.starts_with(&format!("{k}."))
                    || k.starts_with(&format!("{root}."))
            })
        })
        .and_then(|i| imp.header.get(i).cloned())
        .unwrap_or_else(|| field.to_owned())
}

#[allow(clippy::too_many_arguments)]
async fn pass<D: Kind>(
    app: &App,
    actor: &Actor,
    imp: &mut Import,
    file: &tempfile::NamedTempFile,
    targets: &[Target],
    rule: ImportRule,
    tx: Tx,
    resumed: bool,
) -> Result<()> {
    let table = open_file(
        file.path().to_owned(),
        imp.file_name.clone(),
        imp.options.read.clone(),
    )
    .await?;
    // Money cells without a currency code take the company's (its mileage rate's).
    let currency = crate::settings::load(&mut app.db.reader().await?)
        .await?
        .mileage_rate
        .map_or_else(|| "ARS".to_owned(), |m| m.currency.to_string());
    let skip = if resumed { imp.processed_rows } else { 0 };
    if !resumed {
        imp.processed_rows = 0;
        imp.counts = Counts::default();
    }
    let mut seen = ImportSeen::default();
    // A dry run is a preview: every row keeps its cells.
    let slim = imp.mode != Some(ImportMode::DryRun);
    let mut whole = match tx {
        Tx::Whole => Some(app.db.begin().await?),
        Tx::PerChunk => None,
    };
    if let Some(conn) = whole.as_mut() {
        store::clear_rows(conn, imp.id).await?;
    } else if !resumed {
        let mut conn = app.db.begin().await?;
        store::clear_rows(&mut conn, imp.id).await?;
        conn.commit().await?;
    }
    let mut read_rows: i64 = 0;
    // The next chunk is read, mapped and checked as records on the blocking pool while
    // this one is matched and written: the two take one core each.
    let build = std::sync::Arc::new(BuildContext {
        header: imp.header.clone(),
        mapping: imp.mapping.clone(),
        targets: targets.to_vec(),
        locale: imp.options.locale,
        currency,
    });
    let prep = std::sync::Arc::new(PrepareContext {
        app: app.clone(),
        actor: actor.clone(),
        records: rows::ImportContext::load::<D>(&mut app.db.reader().await?, actor).await?,
        rule,
        skip,
    });
    let spawn = |t: Table, read_before: i64| {
        let (build, prep) = (build.clone(), prep.clone());
        tokio::task::spawn_blocking(move || read_and_prepare::<D>(t, &build, &prep, read_before))
    };
    let mut pending = Some(spawn(table, 0));
    while let Some(next) = pending.take() {
        let (t, chunk, done) = next
            .await
            .map_err(|e| AppError::Conflict(format!("the file could not be read: {e}")))?
            .map_err(file_error)?;
        if !done {
            pending = Some(spawn(t, chunk.read));
        }
        let ChunkOut {
            read,
            mut out,
            slots,
            prepared,
        } = chunk;
        read_rows = read;
        let now = app.now();
        let results = match prepared {
            None => Vec::new(),
            Some(prepared) => match whole.as_mut() {
                Some(conn) => {
                    rows::import_rows::<D>(conn, actor, &prep.records, prepared, rule, &mut seen)
                        .await?
                }
                None if rule.write => {
                    let mut conn = app.db.begin().await?;
                    let res = rows::import_rows::<D>(
                        &mut conn,
                        actor,
                        &prep.records,
                        prepared,
                        rule,
                        &mut seen,
                    )
                    .await?;
                    apply(imp, &mut out, &slots, res, slim);
                    imp.processed_rows = read_rows;
                    imp.updated_at = now;
                    store::put_rows(&mut conn, imp.id, &out).await?;
                    store::save(&mut conn, imp).await?;
                    conn.commit().await?;
                    // PostgreSQL plans the next chunk's duplicate lookup from its
                    // statistics: as the tables grow tenfold under the import, the plan
                    // made for small tables turns into scans. A no-op on SQLite.
                    if let Err(e) = app.db.refresh_statistics().await {
                        tracing::warn!(error = %e, "statistics were not refreshed during the import");
                    }
                    continue;
                }
                None => {
                    let mut conn = app.db.reader().await?;
                    rows::import_rows::<D>(
                        &mut conn,
                        actor,
                        &prep.records,
                        prepared,
                        rule,
                        &mut seen,
                    )
                    .await?
                }
            },
        };
        apply(imp, &mut out, &slots, results, slim);
        imp.processed_rows = read_rows;
        imp.updated_at = now;
        match whole.as_mut() {
            Some(conn) => store::put_rows(conn, imp.id, &out).await?,
            None => {
                let mut conn = app.db.begin().await?;
                store::put_rows(&mut conn, imp.id, &out).await?;
                store::save(&mut conn, imp).await?;
                conn.commit().await?;
            }
        }
    }
    imp.total_rows = Some(read_rows);
    if let Some(mut conn) = whole {
        if imp.counts.rejected > 0 {
            // Dropping the transaction rolls every row back.
            drop(conn);
            return Ok(());
        }
        imp.processed_rows = read_rows;
        finish_in(&mut conn, app, actor, imp, ImportStatus::Done).await?;
        conn.commit().await?;
    }
    Ok(())
}

/// Puts the results of the rows that reached the records' checks into `out`, and counts.
/// With `slim`, created rows past the first [`ROWS_WITH_CELLS`] drop their cells.
fn apply(
    imp: &mut Import,
    out: &mut [ImportRow],
    slots: &[usize],
    results: Vec<ImportResult>,
    slim: bool,
) {
    for (slot, res) in slots.iter().zip(results) {
        let row = &mut out[*slot];
        match res {
            ImportResult::Created(id) => {
                row.outcome = Outcome::Created;
                row.record_id = Some(id);
                if slim && row.row_number > ROWS_WITH_CELLS + 1 {
                    row.cells = Vec::new();
                }
            }
            ImportResult::Updated(id) => {
                row.outcome = Outcome::Updated;
                row.record_id = Some(id);
            }
            ImportResult::Skipped(id, why) => {
                row.outcome = Outcome::Skipped;
                row.record_id = Some(id);
                row.problems.push(why);
            }
            ImportResult::Rejected(p) => {
                row.outcome = Outcome::Rejected;
                // A column whose cell could not be read is already named; its field's
                // absence (`required`) would say the same twice.
                let unread: Vec<String> = row.problems.iter().map(|p| p.column.clone()).collect();
                for (field, problem) in p {
                    let column = column_of(&field, imp);
                    if column.is_empty() || !unread.contains(&column) {
                        row.problems.push(problem.in_column(column));
                    }
                }
            }
        }
    }
    for row in out.iter() {
        match row.outcome {
            Outcome::Created => imp.counts.created += 1,
            Outcome::Updated => imp.counts.updated += 1,
            Outcome::Skipped => imp.counts.skipped += 1,
            Outcome::Rejected => imp.counts.rejected += 1,
        }
    }
}

async fn finish(app: &App, actor: &Actor, imp: &mut Import, status: ImportStatus) -> Result<()> {
    let mut conn = app.db.begin().await?;
    finish_in(&mut conn, app, actor, imp, status).await?;
    conn.commit().await?;
    Ok(())
}

/// Ends a run: its status, its audit event, and the file dropped once it is written.
async fn finish_in(
    conn: &mut cartera_store::Conn,
    app: &App,
    actor: &Actor,
    imp: &mut Import,
    status: ImportStatus,
) -> Result<()> {
    let now = app.now();
    imp.status = status;
    imp.finished_at = Some(now);
    imp.updated_at = now;
    store::save(conn, imp).await?;
    if status == ImportStatus::Done {
        store::drop_file(conn, imp.id).await?;
    }
    let change = |field: &str, new: Value| FieldChange {
        field: field.into(),
        old: Value::Null,
        new,
    };
    let changes = vec![
        change("file_name", imp.file_name.clone().into()),
        change("mode", imp.mode.map(|m| m.as_str()).into()),
        change("status", status.as_str().into()),
        change("created", imp.counts.created.into()),
        change("updated", imp.counts.updated.into()),
        change("skipped", imp.counts.skipped.into()),
        change("rejected", imp.counts.rejected.into()),
    ];
    cartera_store::audit::insert(
        conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Imported,
            imp.record_kind,
            imp.id,
            changes,
        )],
    )
    .await?;
    tracing::info!(import_id = %imp.id, status = status.as_str(), rows = imp.processed_rows, "import finished");
    Ok(())
}

/// The rejected rows of the last run as an XLSX file: the row number, the cells as the
/// file had them, and the reasons. Returns the file's name and bytes.
pub async fn rejected_file(app: &App, actor: &Actor, id: Id) -> Result<(String, Vec<u8>)> {
    let imp = load(app, actor, id).await?;
    let mut columns = vec!["row".to_owned()];
    columns.extend(imp.header.iter().cloned());
    columns.push("problems".to_owned());
    let mut sheet = XlsxSheet::new(&columns);
    let mut conn = app.db.reader().await?;
    let mut after = 0;
    loop {
        let page = store::rows(&mut conn, id, Some(Outcome::Rejected), after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.row_number;
        let rows: Vec<Vec<Cell>> = page
            .iter()
            .map(|r| {
                let mut cells = vec![Cell::Number(r.row_number.into())];
                cells.extend(r.cells.iter().map(|c| Cell::Text(c.clone())));
                cells.push(Cell::Text(
                    r.problems
                        .iter()
                        .map(|p| {
                            if p.column.is_empty() {
                                p.message.clone()
                            } else {
                                format!("{}: {}", p.column, p.message)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
                cells
            })
            .collect();
        sheet.push(&rows)?;
    }
    let bytes = sheet.finish()?;
    let stem = imp
        .file_name
        .rsplit_once('.')
        .map_or(imp.file_name.as_str(), |(s, _)| s);
    Ok((format!("{stem}-rejected.xlsx"), bytes))
}
