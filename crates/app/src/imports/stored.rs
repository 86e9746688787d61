//! An import as the database keeps it: its record, its file in parts, who runs it and
//! the request id its audit events carry. What upload, run and undo share.

use std::io::{Seek, SeekFrom, Write};

use base64::Engine;

use cartera_core::imports::read;
use cartera_core::imports::read::{FileError, RawRow, Table};
use cartera_core::imports::{self as core, Import, Target};
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Grant, Module};
use cartera_core::users::Scope;
use cartera_core::{Code, Id, Violations};
use cartera_store::custom_fields as defs_store;
use cartera_store::imports as store;

use crate::{Actor, App, AppError, Result};

/// Rows read, checked and written together.
pub const CHUNK: usize = 2000;

/// The job kind that runs imports.
pub const JOB_KIND: &str = "import";

/// Bytes per stored part of a file (a MiB once in base64).
pub(super) const PART_BYTES: usize = 768 * 1024;

/// The first rows of a file keep their cells whatever became of them (an import's page
/// shows them); past these, a created row keeps only its number and record, since the
/// record holds its values and a large file's cells would double what is stored.
pub(super) const ROWS_WITH_CELLS: i64 = 100;

pub(super) fn file_error(e: FileError) -> AppError {
    AppError::Invalid(Violations::one("file", Code::Invalid, e.to_string()))
}

/// The fields each column of an import can fill.
pub async fn targets(app: &App, kind: RecordKind) -> Result<Vec<Target>> {
    let mut conn = app.db.reader().await?;
    let defs = defs_store::list(&mut conn, Some(kind)).await?;
    Ok(core::targets(kind, &defs))
}

/// An import the actor may see: their own, or any for an administrator.
pub(super) async fn load(app: &App, actor: &Actor, id: Id) -> Result<Import> {
    let mut conn = app.db.reader().await?;
    let imp = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if imp.created_by != actor.user_id && !actor.may(Module::Settings, Action::Admin) {
        return Err(AppError::NotFound);
    }
    Ok(imp)
}

pub(crate) async fn open_file(
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

/// The stored file, copied to a temporary file to be read like the upload was.
pub(super) async fn materialise(app: &App, id: Id) -> Result<tempfile::NamedTempFile> {
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

pub(super) async fn next_chunk_of(mut t: Table, n: usize) -> Result<(Table, Vec<RawRow>, bool)> {
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

pub(super) fn request_id(import: Id) -> String {
    format!("import:{import}")
}

/// The actor an import runs as: its creator with their role as it is now.
pub(super) async fn actor_of(app: &App, user: Id, import: Id) -> Result<Actor> {
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
