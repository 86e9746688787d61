//! `Idempotency-Key`: the same key with the same request within 24 hours returns the
//! first answer and creates nothing new.

use chrono::Duration;
use sha2::{Digest, Sha256};

use cartera_core::Id;
use cartera_store::idempotency as store;
/// What a claimed key means for the request; the server's middleware answers by it.
pub use cartera_store::idempotency::Claim;

use crate::{App, Result};

pub const WINDOW_HOURS: i64 = 24;

/// Identifies a request by method, path and body.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

pub async fn claim(app: &App, user: Id, key: &str, hash: &str) -> Result<Claim> {
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let c = store::claim(
        &mut conn,
        user,
        key,
        hash,
        now,
        now - Duration::hours(WINDOW_HOURS),
    )
    .await?;
    conn.commit().await?;
    Ok(c)
}

pub async fn complete(
    app: &App,
    user: Id,
    key: &str,
    status: u16,
    body: &str,
    location: Option<&str>,
) -> Result<()> {
    let mut conn = app.db.begin().await?;
    store::complete(&mut conn, user, key, status, body, location).await?;
    conn.commit().await?;
    Ok(())
}

pub async fn release(app: &App, user: Id, key: &str) -> Result<()> {
    let mut conn = app.db.begin().await?;
    store::release(&mut conn, user, key).await?;
    conn.commit().await?;
    Ok(())
}
