//! Creating and dropping whole PostgreSQL databases: for tests (each makes its own) and
//! for operators setting up a server.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

use crate::db::Result;
use crate::error::StoreError;

fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 63
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::Config(format!(
            "'{name}' is not a plain database name"
        )));
    }
    Ok(())
}

/// Creates database `name` on the server `admin_url` points at; returns its URL.
pub async fn create_pg_database(admin_url: &str, name: &str) -> Result<String> {
    check_name(name)?;
    let opts = PgConnectOptions::from_str(admin_url)?;
    let mut conn = opts.connect().await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(opts.database(name).to_url_lossy().to_string())
}

/// Drops database `name`, disconnecting whoever is still on it.
pub async fn drop_pg_database(admin_url: &str, name: &str) -> Result<()> {
    check_name(name)?;
    let mut conn = PgConnectOptions::from_str(admin_url)?.connect().await?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}
