//! What every numbered commercial document (quote, order, invoice, credit note) shares
//! in the database: the per-year numbering series and the printed documents' assets
//! (templates, the company logo).

use chrono::{DateTime, Utc};

use crate::db::{Conn, Result, Sql};

/// Takes the next `n` numbers of `kind` (`quote`, `order`) in `year`: 1, 2, 3 ...
/// without gaps; answers the first of them. The counter row is written in the caller's
/// transaction, so rolled-back documents give their numbers back, and a concurrent
/// writer waits for the row (PostgreSQL's row lock; SQLite's single writer).
pub async fn reserve_numbers(c: &mut Conn, kind: &str, year: i32, n: i64) -> Result<i64> {
    let row = c
        .fetch_one(
            Sql::new(
                "INSERT INTO document_counters (kind, year, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (kind, year) DO UPDATE SET last = document_counters.last + $3 \
                 RETURNING last",
            )
            .arg(kind)
            .arg(i64::from(year))
            .arg(n),
        )
        .await?;
    Ok(row.int("last")? - n + 1)
}

/// Moves a counter to at least `last` (never back), so that its next number comes
/// after a number written from outside it (an imported document's).
pub async fn raise_counter(c: &mut Conn, kind: &str, year: i32, last: i64) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO document_counters (kind, year, last) VALUES ($1, $2, $3) \
             ON CONFLICT (kind, year) DO UPDATE SET last = CASE \
             WHEN excluded.last > document_counters.last THEN excluded.last \
             ELSE document_counters.last END",
        )
        .arg(kind)
        .arg(i64::from(year))
        .arg(last),
    )
    .await?;
    Ok(())
}

/// A stored asset of the printed documents (`quote_template`, `logo`).
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub content: String,
    pub content_type: String,
    pub updated_at: DateTime<Utc>,
}

pub async fn asset(c: &mut Conn, key: &str) -> Result<Option<Asset>> {
    c.fetch_optional(
        Sql::new("SELECT content, content_type, updated_at FROM document_assets WHERE key = $1")
            .arg(key),
    )
    .await?
    .map(|r| {
        Ok(Asset {
            content: r.text("content")?,
            content_type: r.text("content_type")?,
            updated_at: r.time("updated_at")?,
        })
    })
    .transpose()
}

pub async fn set_asset(c: &mut Conn, key: &str, asset: &Asset) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO document_assets (key, content, content_type, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET content = $2, \
             content_type = $3, updated_at = $4",
        )
        .arg(key)
        .arg(&asset.content)
        .arg(&asset.content_type)
        .arg(asset.updated_at),
    )
    .await?;
    Ok(())
}

pub async fn delete_asset(c: &mut Conn, key: &str) -> Result<bool> {
    Ok(
        c.execute(Sql::new("DELETE FROM document_assets WHERE key = $1").arg(key))
            .await?
            > 0,
    )
}
