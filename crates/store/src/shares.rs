//! Records shared with users and teams.

use cartera_core::Id;
use cartera_core::record::RecordKind;
use cartera_core::shares::{Grantee, Share};

use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str =
    "id, record_kind, record_id, grantee_kind, grantee_id, created_by, created_at";

fn read(r: &DbRow) -> Result<Share> {
    let kind = r.text("record_kind")?;
    let grantee_kind = r.text("grantee_kind")?;
    Ok(Share {
        id: r.id("id")?,
        record_kind: RecordKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("share record kind: '{kind}'")))?,
        record_id: r.id("record_id")?,
        grantee: Grantee::from_parts(&grantee_kind, r.id("grantee_id")?)
            .ok_or_else(|| StoreError::Decode(format!("share grantee: '{grantee_kind}'")))?,
        created_by: r.opt_id("created_by")?,
        created_at: r.time("created_at")?,
    })
}

/// The shares of a record, oldest first.
pub async fn of_record(c: &mut Conn, record: Id) -> Result<Vec<Share>> {
    c.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM record_shares WHERE record_id = $1 ORDER BY created_at, id"
        ))
        .arg(record),
    )
    .await?
    .iter()
    .map(read)
    .collect()
}

/// Adds a share; false when the record is already shared with that grantee.
pub async fn insert(c: &mut Conn, s: &Share) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "INSERT INTO record_shares \
                 (id, record_kind, record_id, grantee_kind, grantee_id, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (record_id, grantee_id) DO NOTHING",
            )
            .arg(s.id)
            .arg(s.record_kind.as_str())
            .arg(s.record_id)
            .arg(s.grantee.kind())
            .arg(s.grantee.id())
            .arg(s.created_by)
            .arg(s.created_at),
        )
        .await?;
    Ok(n > 0)
}

/// Removes a share of `record`; the removed share, if there was one.
pub async fn delete(c: &mut Conn, record: Id, id: Id) -> Result<Option<Share>> {
    let found = c
        .fetch_optional(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM record_shares WHERE id = $1 AND record_id = $2"
            ))
            .arg(id)
            .arg(record),
        )
        .await?
        .map(|r| read(&r))
        .transpose()?;
    if found.is_some() {
        c.execute(Sql::new("DELETE FROM record_shares WHERE id = $1").arg(id))
            .await?;
    }
    Ok(found)
}

/// Whether anything is shared with any of `grantees`.
pub async fn any_for(c: &mut Conn, grantees: &[Id]) -> Result<bool> {
    if grantees.is_empty() {
        return Ok(false);
    }
    let mut sql = Sql::new("SELECT 1 AS one FROM record_shares WHERE grantee_id IN (");
    sql.push_args(grantees);
    sql.push(") LIMIT 1");
    Ok(c.fetch_optional(sql).await?.is_some())
}

/// Moves the shares of a record merged away to the record it was merged into, except
/// those the survivor already has with the same grantee.
pub async fn repoint(c: &mut Conn, from: Id, to: Id) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE record_shares SET record_id = $1 WHERE record_id = $2 AND grantee_id NOT IN \
             (SELECT grantee_id FROM record_shares WHERE record_id = $1)",
        )
        .arg(to)
        .arg(from),
    )
    .await?;
    c.execute(Sql::new("DELETE FROM record_shares WHERE record_id = $1").arg(from))
        .await?;
    Ok(())
}
