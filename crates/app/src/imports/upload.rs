//! Taking a file in: reading its header, keeping it in parts, the sample rows.

use std::path::Path;

use base64::Engine;

use cartera_core::Id;
use cartera_core::imports::read::{self, Raw};
use cartera_core::imports::{
    self as core, Counts, Import, ImportOptions, ImportStatus, Mapping, MatchOn, Target,
};
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_store::custom_fields as defs_store;
use cartera_store::imports as store;

use crate::{Actor, App, AppError, Result};

use super::stored::{PART_BYTES, file_error, load, materialise, next_chunk_of, open_file};

/// Rows shown as a sample after an upload.
const SAMPLE_ROWS: usize = 5;

/// The largest file accepted (the server stops reading an upload past it: 413).
pub const MAX_FILE: u64 = 64 * 1024 * 1024;

/// An upload's result: the import (a draft), what its columns can fill, a few rows.
pub struct Uploaded {
    pub import: Import,
    pub targets: Vec<Target>,
    pub sample: Vec<Vec<String>>,
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
