//! Rate-limit counters that hold across every server on the database (`rate_limits`).
//!
//! One row per limiter and key counts the hits of a fixed window that opens with the
//! key's first hit and lasts `window_ms`. One statement, an upsert both engines read the
//! same way, adds the hits or, once the window has passed, opens a new one, so two
//! servers counting at once never lose a hit.

use crate::db::{Conn, Result, Sql};

/// A key's count after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// Hits in the current window, these included.
    pub hits: i64,
    /// When the current window opened, in milliseconds since 1970.
    pub window_start_ms: i64,
}

/// Adds `hits` to `key`'s count under `limiter` at `now_ms`, opening a new window when
/// the last one opened `window_ms` or more ago.
pub async fn hit(
    c: &mut Conn,
    limiter: &str,
    key: &str,
    hits: i64,
    now_ms: i64,
    window_ms: i64,
) -> Result<Count> {
    // SET reads the row as it was before the update on both engines, so the two CASEs
    // decide on the same old window.
    let row = c
        .fetch_one(
            Sql::new(
                "INSERT INTO rate_limits (limiter, key, window_start, hits) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (limiter, key) DO UPDATE SET \
                 hits = CASE WHEN rate_limits.window_start <= $5 THEN excluded.hits \
                        ELSE rate_limits.hits + excluded.hits END, \
                 window_start = CASE WHEN rate_limits.window_start <= $5 \
                        THEN excluded.window_start ELSE rate_limits.window_start END \
                 RETURNING window_start, hits",
            )
            .arg(limiter)
            .arg(key)
            .arg(now_ms)
            .arg(hits)
            .arg(now_ms - window_ms),
        )
        .await?;
    Ok(Count {
        hits: row.int("hits")?,
        window_start_ms: row.int("window_start")?,
    })
}

/// Forgets the counts whose window opened before `cutoff_ms`; returns how many.
pub async fn purge_before(c: &mut Conn, cutoff_ms: i64) -> Result<u64> {
    c.execute(Sql::new("DELETE FROM rate_limits WHERE window_start < $1").arg(cutoff_ms))
        .await
}
