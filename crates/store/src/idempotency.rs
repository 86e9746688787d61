//! Stored answers to POSTs that carried an `Idempotency-Key`.

use chrono::{DateTime, Utc};

use cartera_core::Id;

use crate::db::{Conn, Result, Sql};
use crate::error::StoreError;

/// What a key means for the request that carries it.
#[derive(Debug, PartialEq)]
pub enum Claim {
    /// First use: the request runs, then its answer is stored.
    New,
    /// Seen with the same request: here is the first answer.
    Replay {
        status: u16,
        body: String,
        location: Option<String>,
    },
    /// Seen with another request body or path.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// Claims a key for a request, or tells how it was used before (within `since`).
pub async fn claim(
    c: &mut Conn,
    user: Id,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> Result<Claim> {
    // A key older than the window is free again.
    c.execute(
        Sql::new(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3",
        )
        .arg(user)
        .arg(key)
        .arg(since),
    )
    .await?;
    let inserted = c
        .execute(
            Sql::new(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, status, created_at) \
                 VALUES ($1, $2, $3, 0, $4) ON CONFLICT DO NOTHING",
            )
            .arg(user)
            .arg(key)
            .arg(request_hash)
            .arg(now),
        )
        .await?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let row = c
        .fetch_one(
            Sql::new(
                "SELECT request_hash, status, response, location FROM idempotency_keys \
                 WHERE user_id = $1 AND key = $2",
            )
            .arg(user)
            .arg(key),
        )
        .await?;
    if row.text("request_hash")? != request_hash {
        return Ok(Claim::Mismatch);
    }
    let status = row.int("status")?;
    if status == 0 {
        return Ok(Claim::InProgress);
    }
    Ok(Claim::Replay {
        status: u16::try_from(status).map_err(|_| StoreError::Decode("status".into()))?,
        body: row.opt_text("response")?.unwrap_or_default(),
        location: row.opt_text("location")?,
    })
}

/// Stores the answer for replays.
pub async fn complete(
    c: &mut Conn,
    user: Id,
    key: &str,
    status: u16,
    body: &str,
    location: Option<&str>,
) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE idempotency_keys SET status = $1, response = $2, location = $3 \
             WHERE user_id = $4 AND key = $5",
        )
        .arg(i64::from(status))
        .arg(body)
        .arg(location)
        .arg(user)
        .arg(key),
    )
    .await?;
    Ok(())
}

/// Frees a key whose request failed, so a corrected retry can use it.
pub async fn release(c: &mut Conn, user: Id, key: &str) -> Result<()> {
    c.execute(
        Sql::new("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0")
            .arg(user)
            .arg(key),
    )
    .await?;
    Ok(())
}

pub async fn purge_before(c: &mut Conn, cutoff: DateTime<Utc>) -> Result<u64> {
    c.execute(Sql::new("DELETE FROM idempotency_keys WHERE created_at < $1").arg(cutoff))
        .await
}
