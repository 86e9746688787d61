//! Imports of people's files into accounts, contacts and leads.
//!
//! An upload is read at once for its header (a file that cannot be read is refused
//! there, by name), and kept in the database in parts so that any server's worker can
//! run it. Starting it queues a job (`import`) that reads the file again, row by row,
//! in chunks of [`CHUNK`] rows: each row is mapped to a record's input and goes through
//! the same checks as any create (`records::import_rows`).
//!
//! - `dry_run` stores what would happen to every row, writing no record.
//! - `skip_bad_rows` writes each chunk in its own transaction, with the progress, so a
//!   worker that dies resumes after the last chunk it committed.
//! - `all_or_nothing` checks the whole file first (as a dry run, with progress); only
//!   when no row is bad does it write everything in one transaction.
//!
//! Every record written has its audit event with `request_id` `import:<id>`, and the
//! import its own (`imported`); undo reads those events to put updated records back.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use base64::Engine;
use serde_json::Value;

use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::contacts::ContactData;
use cartera_core::imports::read::{self, FileError, Raw, RawRow, Table};
use cartera_core::imports::{
    self as core, CellProblem, Counts, Import, ImportMode, ImportOptions, ImportRow, ImportStatus,
    Mapping, MatchOn, OnMatch, Outcome, Target,
};
use cartera_core::io::{Cell, Sheet, XlsxSheet};
use cartera_core::jobs::{Job, JobState, NewJob};
use cartera_core::leads::LeadData;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Grant, Module};
use cartera_core::users::Scope;
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::custom_fields as defs_store;
use cartera_store::imports as store;

use crate::events::event;
use crate::jobs::JobFailure;
use crate::records::{self, ImportInput, ImportResult, ImportRule, ImportSeen, Kind};
use crate::{Actor, App, AppError, Result};

/// The largest file accepted (the server stops reading an upload past it: 413).
pub const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Rows read, checked and written together.
pub const CHUNK: usize = 2000;

/// The job kind that runs imports.
pub const JOB_KIND: &str = "import";

/// Bytes per stored part of a file (a MiB once in base64).
const PART_BYTES: usize = 768 * 1024;

/// Rows shown as a sample after an upload.
const SAMPLE_ROWS: usize = 5;

/// The first rows of a file keep their cells whatever became of them (an import's page
/// shows them); past these, a created row keeps only its number and record, since the
/// record holds its values and a large file's cells would double what is stored.
const ROWS_WITH_CELLS: i64 = 100;

/// An upload's result: the import (a draft), what its columns can fill, a few rows.
pub struct Uploaded {
    pub import: Import,
    pub targets: Vec<Target>,
    pub sample: Vec<Vec<String>>,
}

fn file_error(e: FileError) -> AppError {
    AppError::Invalid(Violations::one("file", Code::Invalid, e.to_string()))
}

fn kind_of(plural: &str) -> Result<RecordKind> {
    core::KINDS
        .into_iter()
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

/// Reads an uploaded file (`path`, already on disk; the server refuses uploads over
/// [`MAX_FILE`], the command line takes any size) and keeps it
/// as a draft import of `kind`, with the mapping remembered for this header or guessed.
pub async fn upload(
    app: &App,
    actor: &Actor,
    kind: RecordKind,
    file_name: &str,
    path: &Path,
    mut options: ImportOptions,
) -> Result<Uploaded> {
    actor.permit(Module::of(kind), Action::Create)?;
    let size = std::fs::metadata(path)
        .map_err(|e| AppError::Conflict(format!("the upload was lost: {e}")))?
        .len();
    let opened = open_file(path.to_owned(), file_name.to_owned(), options.read.clone()).await?;
    let (mut table, sample) = tokio::task::spawn_blocking(move || {
        let mut t = opened;
        let mut sample = Vec::new();
        for row in t.by_ref().take(SAMPLE_ROWS) {
            match row {
                Ok(r) => sample.push(r.cells.iter().map(Raw::text).collect::<Vec<_>>()),
                Err(e) => return Err(e),
            }
        }
        Ok((t, sample))
    })
    .await
    .map_err(|e| AppError::Conflict(format!("the file could not be read: {e}")))?
    .map_err(file_error)?;
    // The job reads the file the way it was read here.
    options.read.format = Some(table.format);
    options.read.encoding = table.encoding;
    options.read.delimiter = table.delimiter;
    options.read.sheet = table.sheet.take();
    let header = std::mem::take(&mut table.header);
    drop(table);

    let now = app.now();
    let mut conn = app.db.reader().await?;
    let defs = defs_store::list(&mut conn, Some(kind)).await?;
    let source_key = core::source_key(&header);
    let targets = core::targets(kind, &defs);
    let mapping = match store::saved_mapping(&mut conn, kind, &source_key).await? {
        Some(m) if core::check_mapping(&header, &m, &targets).is_empty() => m,
        _ => core::guess(&header, &targets),
    };
    drop(conn);
    if options.match_on.is_none() {
        options.match_on = Some(default_match(kind, &mapping));
    }
    let import = Import {
        id: Id::new(),
        record_kind: kind,
        status: ImportStatus::Draft,
        mode: None,
        file_name: clean_name(file_name),
        file_size: i64::try_from(size).unwrap_or(i64::MAX),
        format: options.read.format.unwrap_or(read::FileFormat::Csv),
        options,
        header,
        mapping,
        source_key,
        total_rows: None,
        processed_rows: 0,
        counts: Counts::default(),
        error: None,
        created_by: actor.user_id,
        created_at: now,
        updated_at: now,
        finished_at: None,
        undone_at: None,
        undone_rows: 0,
        stalled_until: None,
    };
    // A large file's parts must not fill the writer's page cache (held in memory as the
    // transaction's dirty pages, then kept).
    app.db.bulk_writes(true).await?;
    let stored = store_parts(app, &import, path).await;
    if let Err(e) = app.db.bulk_writes(false).await {
        tracing::warn!(import_id = %import.id, error = %e, "the writer's cache was not restored");
    }
    stored?;
    Ok(Uploaded {
        import,
        targets,
        sample,
    })
}

/// Stores a new import with its file, in parts.
async fn store_parts(app: &App, import: &Import, path: &Path) -> Result<()> {
    let mut conn = app.db.begin().await?;
    store::insert(&mut conn, import).await?;
    let mut f = std::fs::File::open(path)
        .map_err(|e| AppError::Conflict(format!("the upload was lost: {e}")))?;
    let mut buf = vec![0u8; PART_BYTES];
    let mut part = 0i64;
    loop {
        let n = read_full(&mut f, &mut buf)
            .map_err(|e| AppError::Conflict(format!("the upload was lost: {e}")))?;
        if n == 0 {
            break;
        }
        let text = base64::engine::general_purpose::STANDARD.encode(&buf[..n]);
        store::put_part(&mut conn, import.id, part, &text).await?;
        part += 1;
    }
    conn.commit().await?;
    Ok(())
}

fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A file name as given, without folders, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() {
        "file".to_owned()
    } else {
        base
    }
}

fn default_match(kind: RecordKind, mapping: &Mapping) -> MatchOn {
    let has = |k: &str| mapping.iter().any(|m| m.as_deref() == Some(k));
    if has(core::EXTERNAL_ID) {
        MatchOn::ExternalId
    } else if kind == RecordKind::Account && has("tax_id") && !has("emails") {
        MatchOn::TaxId
    } else {
        MatchOn::Email
    }
}

async fn open_file(
    path: std::path::PathBuf,
    name: String,
    opts: read::ReadOptions,
) -> Result<Table> {
    tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&path).map_err(|e| FileError::Unreadable {
            format: "uploaded",
            reason: e.to_string(),
        })?;
        read::open(std::io::BufReader::new(f), &name, &opts)
    })
    .await
    .map_err(|e| AppError::Conflict(format!("the file could not be read: {e}")))?
    .map_err(file_error)
}

/// An import the actor may see: their own, or any for an administrator.
async fn load(app: &App, actor: &Actor, id: Id) -> Result<Import> {
    let mut conn = app.db.reader().await?;
    let imp = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if imp.created_by != actor.user_id && !actor.may(Module::Settings, Action::Admin) {
        return Err(AppError::NotFound);
    }
    Ok(imp)
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

/// The fields each column of an import can fill.
pub async fn targets(app: &App, kind: RecordKind) -> Result<Vec<Target>> {
    let mut conn = app.db.reader().await?;
    let defs = defs_store::list(&mut conn, Some(kind)).await?;
    Ok(core::targets(kind, &defs))
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

/// The actor an import runs as: its creator with their role as it is now.
async fn actor_of(app: &App, user: Id, import: Id) -> Result<Actor> {
    let mut conn = app.db.reader().await?;
    let role = cartera_store::roles::of_user(&mut conn, user).await?;
    drop(conn);
    let grant = role.map_or_else(Grant::administrator, |r| Grant {
        permissions: r.permissions,
        visibility: r.visibility,
    });
    Actor::for_user(
        app,
        user,
        Scope::Write,
        grant,
        Some(request_id(import)),
        None,
    )
    .await
}

fn request_id(import: Id) -> String {
    format!("import:{import}")
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

/// The stored file, copied to a temporary file to be read like the upload was.
async fn materialise(app: &App, id: Id) -> Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::NamedTempFile::new()
        .map_err(|e| AppError::Conflict(format!("no room for the file: {e}")))?;
    let mut conn = app.db.reader().await?;
    // The parts are read once: mapped, they would stay resident as long as the pool
    // keeps this connection (the size of the file, again).
    conn.memory_map(false).await?;
    let mut part = 0;
    let read = async {
        while let Some(text) = store::part(&mut conn, id, part).await? {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|e| AppError::Conflict(format!("the stored file is damaged: {e}")))?;
            tmp.write_all(&bytes)
                .map_err(|e| AppError::Conflict(format!("no room for the file: {e}")))?;
            part += 1;
        }
        Ok::<(), AppError>(())
    }
    .await;
    conn.memory_map(true).await?;
    read?;
    if part == 0 {
        return Err(AppError::Invalid(Violations::one(
            "file",
            Code::Invalid,
            "the file of this import is no longer kept; upload it again",
        )));
    }
    tmp.as_file_mut()
        .seek(SeekFrom::Start(0))
        .map_err(|e| AppError::Conflict(format!("the file could not be read: {e}")))?;
    Ok(tmp)
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
        let mut problems: Vec<CellProblem> = r
            .problems
            .iter()
            .map(|p| CellProblem {
                column: String::new(),
                message: format!("the row {p}"),
            })
            .collect();
        let mapped = match core::build(
            &b.header,
            &b.mapping,
            &b.targets,
            &r.cells,
            b.locale,
            &b.currency,
        ) {
            Ok(m) if problems.is_empty() => Some(m),
            Ok(_) => None,
            Err(p) => {
                problems.extend(p);
                None
            }
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
    records: records::ImportContext,
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
    prepared: Option<records::PreparedChunk<D>>,
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
            });
        }
        out.push(b.row);
    }
    let prepared = (!inputs.is_empty())
        .then(|| records::prepare_import::<D>(&p.records, &p.actor, p.app.now(), inputs, p.rule));
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
    let rule = |write| ImportRule {
        match_on,
        on_match,
        write,
    };
    match mode {
        ImportMode::DryRun => {
            pass::<D>(
                app,
                actor,
                imp,
                &file,
                &targets,
                rule(false),
                Tx::PerChunk,
                false,
            )
            .await?;
            finish(app, actor, imp, ImportStatus::Checked).await
        }
        ImportMode::SkipBadRows => {
            pass::<D>(
                app,
                actor,
                imp,
                &file,
                &targets,
                rule(true),
                Tx::PerChunk,
                resumed,
            )
            .await?;
            finish(app, actor, imp, ImportStatus::Done).await
        }
        ImportMode::AllOrNothing => {
            pass::<D>(
                app,
                actor,
                imp,
                &file,
                &targets,
                rule(false),
                Tx::PerChunk,
                false,
            )
            .await?;
            if imp.counts.rejected > 0 {
                imp.error = Some(format!(
                    "{} rows have problems; nothing was written",
                    imp.counts.rejected
                ));
                return finish(app, actor, imp, ImportStatus::Failed).await;
            }
            let checked = imp.counts;
            pass::<D>(
                app,
                actor,
                imp,
                &file,
                &targets,
                rule(true),
                Tx::Whole,
                false,
            )
            .await?;
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
        records: records::ImportContext::load::<D>(&mut app.db.reader().await?, actor).await?,
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
                    records::import_rows::<D>(conn, actor, &prep.records, prepared, rule, &mut seen)
                        .await?
                }
                None if rule.write => {
                    let mut conn = app.db.begin().await?;
                    let res = records::import_rows::<D>(
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
                    records::import_rows::<D>(
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
                row.problems.push(CellProblem {
                    column: String::new(),
                    message: why,
                });
            }
            ImportResult::Rejected(p) => {
                row.outcome = Outcome::Rejected;
                for (field, message) in p {
                    row.problems.push(CellProblem {
                        column: column_of(&field, imp),
                        message,
                    });
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
            records::undo_import::<AccountData>(conn, actor, now, &rid, &created, &updated).await?
        }
        RecordKind::Contact => {
            records::undo_import::<ContactData>(conn, actor, now, &rid, &created, &updated).await?
        }
        RecordKind::Lead => {
            records::undo_import::<LeadData>(conn, actor, now, &rid, &created, &updated).await?
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

/// The first rows of an import's kept file, as text (for a draft's page).
pub async fn sample(app: &App, actor: &Actor, id: Id) -> Result<Vec<Vec<String>>> {
    let imp = load(app, actor, id).await?;
    let file = materialise(app, id).await?;
    let t = open_file(
        file.path().to_owned(),
        imp.file_name.clone(),
        imp.options.read.clone(),
    )
    .await?;
    let (_, rows, _) = next_chunk_of(t, SAMPLE_ROWS).await?;
    Ok(rows
        .iter()
        .map(|r| r.cells.iter().map(Raw::text).collect())
        .collect())
}

async fn next_chunk_of(mut t: Table, n: usize) -> Result<(Table, Vec<RawRow>, bool)> {
    tokio::task::spawn_blocking(move || {
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            match t.next_row() {
                Some(Ok(r)) => rows.push(r),
                Some(Err(e)) => return Err(e),
                None => return Ok((t, rows, true)),
            }
        }
        Ok((t, rows, false))
    })
    .await
    .map_err(|e| AppError::Conflict(format!("the file could not be read: {e}")))?
    .map_err(file_error)
}
