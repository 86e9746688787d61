//! Rate limits that hold across every server on the database: the counts live in the
//! database (`cartera_store::limits`), so N servers behind a load balancer give a client
//! one allowance, not N. What to count and when to ask is the server's business.

use chrono::Duration;

pub use cartera_store::limits::Count;

use crate::{App, Result};

/// Every limit counts over one minute.
pub const WINDOW: Duration = Duration::minutes(1);

/// Adds `hits` to `key`'s count under `limiter` and returns the count of the window it
/// fell in. One statement that commits on its own: one round trip.
pub async fn hit(app: &App, limiter: &str, key: &str, hits: i64) -> Result<Count> {
    let now = app.now().timestamp_millis();
    let mut conn = app.db.autocommit().await?;
    let count = cartera_store::limits::hit(
        &mut conn,
        limiter,
        key,
        hits,
        now,
        WINDOW.num_milliseconds(),
    )
    .await?;
    Ok(count)
}

/// Forgets counts whose window is over (the hourly housekeeping).
pub async fn purge_finished(app: &App) -> Result<u64> {
    let cutoff = (app.now() - WINDOW).timestamp_millis();
    let mut conn = app.db.begin().await?;
    let n = cartera_store::limits::purge_before(&mut conn, cutoff).await?;
    conn.commit().await?;
    Ok(n)
}
