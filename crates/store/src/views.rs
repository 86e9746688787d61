//! Saved views of the lists.

use cartera_core::Id;
use cartera_core::views::SavedView;

use crate::db::{Arg, Conn, DbRow, Result, Sql};

const COLUMNS: &str =
    "id, owner_id, kind, name, query, columns, shared, created_at, updated_at, version";

fn row(r: &DbRow) -> Result<SavedView> {
    Ok(SavedView {
        id: r.id("id")?,
        owner_id: r.id("owner_id")?,
        kind: r.text("kind")?,
        name: r.text("name")?,
        query: r.text("query")?,
        columns: r.json("columns")?,
        shared: r.bool("shared")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        version: r.int("version")?,
    })
}

/// The views `user` may open: their own and those shared with everyone, of one kind
/// (`accounts` ...) or all, by kind and name.
pub async fn visible_to(c: &mut Conn, user: Id, kind: Option<&str>) -> Result<Vec<SavedView>> {
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM saved_views WHERE (owner_id = $1 OR shared = $2)"
    ))
    .arg(user)
    .arg(true);
    if let Some(k) = kind {
        sql = sql.arg(k);
        sql.push(" AND kind = $3");
    }
    sql.push(" ORDER BY kind, name, id");
    c.fetch_all(sql).await?.iter().map(row).collect()
}

/// The views `user` owns of `kind`.
pub async fn owned_by(c: &mut Conn, user: Id, kind: &str) -> Result<Vec<SavedView>> {
    c.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM saved_views WHERE owner_id = $1 AND kind = $2 ORDER BY name"
        ))
        .arg(user)
        .arg(kind),
    )
    .await?
    .iter()
    .map(row)
    .collect()
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<SavedView>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM saved_views WHERE id = $1")).arg(id))
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

pub async fn insert(c: &mut Conn, v: &SavedView) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO saved_views \
             (id, owner_id, kind, name, query, columns, shared, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .arg(v.id)
        .arg(v.owner_id)
        .arg(&v.kind)
        .arg(&v.name)
        .arg(&v.query)
        .arg(Arg::json(&v.columns))
        .arg(v.shared)
        .arg(v.created_at)
        .arg(v.updated_at)
        .arg(v.version),
    )
    .await?;
    Ok(())
}

/// Writes a changed view if it is still at `expected_version`; false if it moved on.
pub async fn update(c: &mut Conn, v: &SavedView, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE saved_views SET name = $1, query = $2, columns = $3, shared = $4, \
                 updated_at = $5, version = $6 WHERE id = $7 AND version = $8",
            )
            .arg(&v.name)
            .arg(&v.query)
            .arg(Arg::json(&v.columns))
            .arg(v.shared)
            .arg(v.updated_at)
            .arg(v.version)
            .arg(v.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

pub async fn delete(c: &mut Conn, id: Id) -> Result<bool> {
    Ok(
        c.execute(Sql::new("DELETE FROM saved_views WHERE id = $1").arg(id))
            .await?
            > 0,
    )
}
