//! Imports: the import itself, its file in parts, what became of each row, the
//! mappings remembered per source, and the external ids of imported records.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::imports::read::FileFormat;
use cartera_core::imports::{
    CellProblem, Counts, Import, ImportMode, ImportRow, ImportStatus, Mapping, Outcome,
};
use cartera_core::record::RecordKind;

use crate::bulk::Rows;
use crate::db::{Arg, Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "id, record_kind, status, mode, file_name, file_size, format, options, \
     header, mapping, source_key, total_rows, processed_rows, created_count, updated_count, \
     skipped_count, rejected_count, error, created_by, created_at, updated_at, finished_at, \
     undone_at, undone_rows";

fn bad(col: &str, v: &str) -> StoreError {
    StoreError::Decode(format!("{col}: unknown '{v}'"))
}

fn row(r: &DbRow) -> Result<Import> {
    let kind = r.text("record_kind")?;
    let status = r.text("status")?;
    let format = r.text("format")?;
    let mode = r.opt_text("mode")?;
    Ok(Import {
        id: r.id("id")?,
        record_kind: RecordKind::parse(&kind).ok_or_else(|| bad("record_kind", &kind))?,
        status: ImportStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        mode: match mode {
            Some(m) => Some(ImportMode::parse(&m).ok_or_else(|| bad("mode", &m))?),
            None => None,
        },
        file_name: r.text("file_name")?,
        file_size: r.int("file_size")?,
        format: FileFormat::parse(&format).ok_or_else(|| bad("format", &format))?,
        options: r.json("options")?,
        header: r.json("header")?,
        mapping: r.json("mapping")?,
        source_key: r.text("source_key")?,
        total_rows: r.opt_int("total_rows")?,
        processed_rows: r.int("processed_rows")?,
        counts: Counts {
            created: r.int("created_count")?,
            updated: r.int("updated_count")?,
            skipped: r.int("skipped_count")?,
            rejected: r.int("rejected_count")?,
        },
        error: r.opt_text("error")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        finished_at: r.opt_time("finished_at")?,
        undone_at: r.opt_time("undone_at")?,
        undone_rows: r.int("undone_rows")?,
        stalled_until: None,
    })
}

pub async fn insert(c: &mut Conn, i: &Import) -> Result<()> {
    c.execute(
        Sql::new(format!(
            "INSERT INTO imports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
        ))
        .arg(i.id)
        .arg(i.record_kind.as_str())
        .arg(i.status.as_str())
        .arg(i.mode.map(|m| m.as_str()))
        .arg(&i.file_name)
        .arg(i.file_size)
        .arg(i.format.as_str())
        .arg(Arg::json(&i.options))
        .arg(Arg::json(&i.header))
        .arg(Arg::json(&i.mapping))
        .arg(&i.source_key)
        .arg(Arg::Int(i.total_rows))
        .arg(i.processed_rows)
        .arg(i.counts.created)
        .arg(i.counts.updated)
        .arg(i.counts.skipped)
        .arg(i.counts.rejected)
        .arg(&i.error)
        .arg(i.created_by)
        .arg(i.created_at)
        .arg(i.updated_at)
        .arg(i.finished_at)
        .arg(i.undone_at)
        .arg(i.undone_rows),
    )
    .await?;
    Ok(())
}

/// Writes back everything that changes over an import's life.
pub async fn save(c: &mut Conn, i: &Import) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE imports SET status = $2, mode = $3, options = $4, mapping = $5, \
             total_rows = $6, processed_rows = $7, created_count = $8, updated_count = $9, \
             skipped_count = $10, rejected_count = $11, error = $12, updated_at = $13, \
             finished_at = $14, undone_at = $15, undone_rows = $16 WHERE id = $1",
        )
        .arg(i.id)
        .arg(i.status.as_str())
        .arg(i.mode.map(|m| m.as_str()))
        .arg(Arg::json(&i.options))
        .arg(Arg::json(&i.mapping))
        .arg(Arg::Int(i.total_rows))
        .arg(i.processed_rows)
        .arg(i.counts.created)
        .arg(i.counts.updated)
        .arg(i.counts.skipped)
        .arg(i.counts.rejected)
        .arg(&i.error)
        .arg(i.updated_at)
        .arg(i.finished_at)
        .arg(i.undone_at)
        .arg(i.undone_rows),
    )
    .await?;
    Ok(())
}

/// Moves an import from one status to another; false if it was not in `from` (another
/// request or worker moved it first).
pub async fn transition(
    c: &mut Conn,
    id: Id,
    from: &[ImportStatus],
    to: ImportStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    if from.is_empty() {
        return Ok(false);
    }
    let mut q =
        Sql::new("UPDATE imports SET status = $1, updated_at = $2 WHERE id = $3 AND status IN (");
    q = q.arg(to.as_str()).arg(now).arg(id);
    let mut first = true;
    for f in from {
        if !first {
            q.push(", ");
        }
        first = false;
        q.push_arg(f.as_str());
    }
    q.push(")");
    Ok(c.execute(q).await? > 0)
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Import>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM imports WHERE id = $1")).arg(id))
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

/// Imports newest first, of one creator or everybody's; `before` is a cursor (an id).
pub async fn list(
    c: &mut Conn,
    created_by: Option<Id>,
    before: Option<Id>,
    limit: i64,
) -> Result<Vec<Import>> {
    let mut q = Sql::new(format!("SELECT {COLUMNS} FROM imports WHERE 1 = 1"));
    if let Some(u) = created_by {
        q.push(" AND created_by = ");
        q.push_arg(u);
    }
    if let Some(b) = before {
        q.push(" AND id < ");
        q.push_arg(b);
    }
    q.push(" ORDER BY id DESC LIMIT ");
    q.push_arg(limit);
    c.fetch_all(q).await?.iter().map(row).collect()
}

/// Imports in one of `statuses` last changed before `cutoff`, oldest first.
pub async fn untouched_since(
    c: &mut Conn,
    statuses: &[ImportStatus],
    cutoff: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Import>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("SELECT {COLUMNS} FROM imports WHERE status IN ("));
    q.push_args(statuses.iter().map(|s| Arg::from(s.as_str())));
    q.push(") AND updated_at < ");
    q.push_arg(cutoff);
    q.push(" ORDER BY updated_at LIMIT ");
    q.push_arg(limit);
    c.fetch_all(q).await?.iter().map(row).collect()
}

/// Marks an import expired with `message` if it is still in one of `from` and was last
/// changed before `cutoff` (a start since then keeps it); false otherwise.
pub async fn expire(
    c: &mut Conn,
    id: Id,
    from: &[ImportStatus],
    cutoff: DateTime<Utc>,
    message: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    if from.is_empty() {
        return Ok(false);
    }
    let mut q = Sql::new(
        "UPDATE imports SET status = $1, error = $2, updated_at = $3, finished_at = $3 \
         WHERE id = $4 AND updated_at < $5 AND status IN (",
    )
    .arg(ImportStatus::Expired.as_str())
    .arg(message)
    .arg(now)
    .arg(id)
    .arg(cutoff);
    q.push_args(from.iter().map(|s| Arg::from(s.as_str())));
    q.push(")");
    Ok(c.execute(q).await? > 0)
}

/// A row an undo acts on: its number, whether it created or updated, and the record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UndoRow {
    pub row_number: i64,
    pub outcome: Outcome,
    pub record_id: Id,
}

/// The created and updated rows of the last run after row `after`, in file order (only
/// what an undo needs: no cells or problems).
pub async fn undo_rows(c: &mut Conn, id: Id, after: i64, limit: i64) -> Result<Vec<UndoRow>> {
    let q = Sql::new(
        "SELECT row_number, outcome, record_id FROM import_rows \
         WHERE import_id = $1 AND row_number > $2 AND outcome IN ($3, $4) \
         AND record_id IS NOT NULL ORDER BY row_number LIMIT $5",
    )
    .arg(id)
    .arg(after)
    .arg(Outcome::Created.as_str())
    .arg(Outcome::Updated.as_str())
    .arg(limit);
    c.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            let outcome = r.text("outcome")?;
            Ok(UndoRow {
                row_number: r.int("row_number")?,
                outcome: Outcome::parse(&outcome).ok_or_else(|| bad("outcome", &outcome))?,
                record_id: r.id("record_id")?,
            })
        })
        .collect()
}

/// Stores a part of an uploaded file.
pub async fn put_part(c: &mut Conn, id: Id, part: i64, data: &str) -> Result<()> {
    c.execute(
        Sql::new("INSERT INTO import_files (import_id, part, data) VALUES ($1, $2, $3)")
            .arg(id)
            .arg(part)
            .arg(data),
    )
    .await?;
    Ok(())
}

/// The file's part `part`, if there is one.
pub async fn part(c: &mut Conn, id: Id, part: i64) -> Result<Option<String>> {
    c.fetch_optional(
        Sql::new("SELECT data FROM import_files WHERE import_id = $1 AND part = $2")
            .arg(id)
            .arg(part),
    )
    .await?
    .map(|r| r.text("data"))
    .transpose()
}

pub async fn drop_file(c: &mut Conn, id: Id) -> Result<()> {
    c.execute(Sql::new("DELETE FROM import_files WHERE import_id = $1").arg(id))
        .await?;
    Ok(())
}

/// Forgets the rows of the last run (before a new run).
pub async fn clear_rows(c: &mut Conn, id: Id) -> Result<()> {
    c.execute(Sql::new("DELETE FROM import_rows WHERE import_id = $1").arg(id))
        .await?;
    Ok(())
}

pub async fn put_rows(c: &mut Conn, id: Id, rows: &[ImportRow]) -> Result<()> {
    let mut out = Rows::new(
        "import_rows",
        &[
            "import_id",
            "row_number",
            "outcome",
            "record_id",
            "problems",
            "cells",
        ],
    )
    // A job run again after a crash writes the same rows again.
    .on_conflict(
        "ON CONFLICT (import_id, row_number) DO UPDATE SET outcome = excluded.outcome, \
         record_id = excluded.record_id, problems = excluded.problems, cells = excluded.cells",
    );
    let import = id.to_string();
    for r in rows {
        out.push([
            Arg::from(import.as_str()),
            Arg::from(r.row_number),
            Arg::from(r.outcome.as_str()),
            Arg::from(r.record_id),
            json_list(&r.problems),
            json_list(&r.cells),
        ]);
    }
    out.write(c).await
}

/// A list as JSON; most rows' lists are empty.
fn json_list<T: serde::Serialize>(items: &[T]) -> Arg {
    if items.is_empty() {
        Arg::Json(Some("[]".to_owned()))
    } else {
        Arg::json(items)
    }
}

fn import_row(r: &DbRow) -> Result<ImportRow> {
    let outcome = r.text("outcome")?;
    Ok(ImportRow {
        row_number: r.int("row_number")?,
        outcome: Outcome::parse(&outcome).ok_or_else(|| bad("outcome", &outcome))?,
        record_id: r.opt_id("record_id")?,
        problems: r.json::<Vec<CellProblem>>("problems")?,
        cells: r.json("cells")?,
    })
}

/// Rows of the last run in file order, optionally of one outcome, after `after`.
pub async fn rows(
    c: &mut Conn,
    id: Id,
    outcome: Option<Outcome>,
    after: i64,
    limit: i64,
) -> Result<Vec<ImportRow>> {
    let mut q = Sql::new(
        "SELECT row_number, outcome, record_id, problems, cells FROM import_rows \
         WHERE import_id = $1 AND row_number > $2",
    )
    .arg(id)
    .arg(after);
    if let Some(o) = outcome {
        q.push(" AND outcome = ");
        q.push_arg(o.as_str());
    }
    q.push(" ORDER BY row_number LIMIT ");
    q.push_arg(limit);
    c.fetch_all(q).await?.iter().map(import_row).collect()
}

/// The mapping remembered for a source.
pub async fn saved_mapping(
    c: &mut Conn,
    kind: RecordKind,
    source_key: &str,
) -> Result<Option<Mapping>> {
    c.fetch_optional(
        Sql::new("SELECT mapping FROM import_mappings WHERE record_kind = $1 AND source_key = $2")
            .arg(kind.as_str())
            .arg(source_key),
    )
    .await?
    .map(|r| r.json("mapping"))
    .transpose()
}

pub async fn save_mapping(
    c: &mut Conn,
    kind: RecordKind,
    source_key: &str,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO import_mappings (record_kind, source_key, mapping, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (record_kind, source_key) \
             DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        )
        .arg(kind.as_str())
        .arg(source_key)
        .arg(Arg::json(mapping))
        .arg(now),
    )
    .await?;
    Ok(())
}

/// The records that imports gave these external ids, as (external id, record id).
pub async fn by_external_ids(
    c: &mut Conn,
    kind: RecordKind,
    ids: &[String],
) -> Result<Vec<(String, Id)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT external_id, record_id FROM import_keys WHERE record_kind = $1 AND external_id IN (",
    )
    .arg(kind.as_str());
    for (i, e) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_arg(e);
    }
    q.push(")");
    c.fetch_all(q)
        .await?
        .iter()
        .map(|r| Ok((r.text("external_id")?, r.id("record_id")?)))
        .collect()
}

pub async fn put_external_id(
    c: &mut Conn,
    kind: RecordKind,
    external_id: &str,
    record: Id,
) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO import_keys (record_kind, external_id, record_id) VALUES ($1, $2, $3) \
             ON CONFLICT (record_kind, external_id) DO UPDATE SET record_id = excluded.record_id",
        )
        .arg(kind.as_str())
        .arg(external_id)
        .arg(record),
    )
    .await?;
    Ok(())
}

/// Forgets the external ids pointing at records (an undone import's creations).
pub async fn drop_external_ids(c: &mut Conn, records: &[Id]) -> Result<()> {
    for chunk in records.chunks(500) {
        let mut q = Sql::new("DELETE FROM import_keys WHERE record_id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push_arg(*id);
        }
        q.push(")");
        c.execute(q).await?;
    }
    Ok(())
}
