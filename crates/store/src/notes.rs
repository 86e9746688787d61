//! Notes on records.

use cartera_core::Id;
use cartera_core::notes::{Note, NoteData};
use cartera_core::record::{Meta, RecordKind};

use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "seq, id, record_kind, record_id, body, created_at, updated_at, created_by, version, deleted_at";

fn read(row: &DbRow) -> Result<Note> {
    let kind = row.text("record_kind")?;
    Ok(Note {
        id: row.id("id")?,
        record_kind: RecordKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("record_kind: '{kind}'")))?,
        record_id: row.id("record_id")?,
        data: NoteData {
            body: row.text("body")?,
        },
        meta: Meta {
            created_at: row.time("created_at")?,
            updated_at: row.time("updated_at")?,
            created_by: row.opt_id("created_by")?,
            version: row.int("version")?,
            deleted_at: row.opt_time("deleted_at")?,
            merged_into_id: None,
        },
    })
}

pub async fn insert(c: &mut Conn, n: &Note) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO notes (id, record_kind, record_id, body, created_at, updated_at, created_by, version, deleted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .arg(n.id)
        .arg(n.record_kind.as_str())
        .arg(n.record_id)
        .arg(&n.data.body)
        .arg(n.meta.created_at)
        .arg(n.meta.updated_at)
        .arg(n.meta.created_by)
        .arg(n.meta.version)
        .arg(n.meta.deleted_at),
    )
    .await?;
    Ok(())
}

/// Writes a new version if the stored one still has `expected_version`.
pub async fn update(c: &mut Conn, n: &Note, expected_version: i64) -> Result<()> {
    let done = c
        .execute(
            Sql::new(
                "UPDATE notes SET body = $1, updated_at = $2, version = $3, deleted_at = $4 \
                 WHERE id = $5 AND version = $6",
            )
            .arg(&n.data.body)
            .arg(n.meta.updated_at)
            .arg(n.meta.version)
            .arg(n.meta.deleted_at)
            .arg(n.id)
            .arg(expected_version),
        )
        .await?;
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Note>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM notes WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// Live notes on any of `records`, newest first, after the note with `before_seq`.
pub async fn list_for(
    c: &mut Conn,
    records: &[Id],
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, Note)>> {
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM notes WHERE deleted_at IS NULL AND record_id IN ("
    ));
    sql.push_args(records);
    sql.push(")");
    if let Some(s) = before_seq {
        sql.push(" AND seq < ");
        sql.push_arg(s);
    }
    sql.push(" ORDER BY seq DESC LIMIT ");
    sql.push_arg(limit);
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| Ok((r.int("seq")?, read(r)?)))
        .collect()
}

/// Moves every note from one record to another (merge); returns how many moved.
pub async fn repoint(c: &mut Conn, from: Id, to: Id, kind: RecordKind) -> Result<u64> {
    c.execute(
        Sql::new("UPDATE notes SET record_id = $1, record_kind = $2 WHERE record_id = $3")
            .arg(to)
            .arg(kind.as_str())
            .arg(from),
    )
    .await
}
