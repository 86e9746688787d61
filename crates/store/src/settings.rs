//! Company-wide settings as JSON values under a key.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::db::{Arg, Conn, Result, Sql};

pub async fn get(c: &mut Conn, key: &str) -> Result<Option<Value>> {
    match c
        .fetch_optional(Sql::new("SELECT value FROM settings WHERE key = $1").arg(key))
        .await?
    {
        Some(row) => Ok(Some(row.json("value")?)),
        None => Ok(None),
    }
}

pub async fn set(c: &mut Conn, key: &str, value: &Value, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .arg(key)
        .arg(Arg::json(value))
        .arg(now),
    )
    .await?;
    Ok(())
}
