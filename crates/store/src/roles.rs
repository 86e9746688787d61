//! Roles and which role each user holds.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::roles::{Permissions, Role, Visibility, built_in};

use crate::db::{Backend, Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "id, key, name, permissions, visibility, built_in, version, updated_at";

fn read(r: &DbRow) -> Result<Role> {
    let text = r.text("permissions")?;
    let permissions: Permissions = serde_json::from_str(&text)
        .map_err(|e| StoreError::Decode(format!("role permissions: {e}")))?;
    Ok(Role {
        id: r.id("id")?,
        key: r.text("key")?,
        name: r.text("name")?,
        permissions,
        visibility: read_visibility(r)?,
        built_in: r.bool("built_in")?,
        version: r.int("version")?,
        updated_at: r.time("updated_at")?,
    })
}

pub(crate) fn read_visibility(r: &DbRow) -> Result<Visibility> {
    let v = r.text("visibility")?;
    Visibility::parse(&v).ok_or_else(|| StoreError::Decode(format!("role visibility: '{v}'")))
}

fn encode(p: &Permissions) -> Result<String> {
    serde_json::to_string(p).map_err(|e| StoreError::Decode(format!("role permissions: {e}")))
}

/// Adds the built-in roles a database lacks; edits made to them are kept.
pub async fn seed(c: &mut Conn, now: DateTime<Utc>) -> Result<()> {
    for (key, name, permissions, visibility) in built_in() {
        c.execute(
            Sql::new(
                "INSERT INTO roles (id, key, name, permissions, visibility, built_in, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) ON CONFLICT (key) DO NOTHING",
            )
            .arg(Id::new())
            .arg(key)
            .arg(name)
            .arg(encode(&permissions)?)
            .arg(visibility.as_str())
            .arg(true)
            .arg(now),
        )
        .await?;
    }
    Ok(())
}

pub async fn list(c: &mut Conn) -> Result<Vec<Role>> {
    c.fetch_all(Sql::new(format!(
        "SELECT {COLUMNS} FROM roles ORDER BY built_in DESC, name"
    )))
    .await?
    .iter()
    .map(read)
    .collect()
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Role>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM roles WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

pub async fn by_key(c: &mut Conn, key: &str) -> Result<Option<Role>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM roles WHERE key = $1")).arg(key))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// The role a user holds; `None` for a user from before roles (an administrator).
pub async fn of_user(c: &mut Conn, user: Id) -> Result<Option<Role>> {
    c.fetch_optional(
        Sql::new(
            "SELECT r.id, r.key, r.name, r.permissions, r.visibility, r.built_in, r.version, \
             r.updated_at FROM roles r JOIN users u ON u.role_id = r.id WHERE u.id = $1",
        )
        .arg(user),
    )
    .await?
    .map(|r| read(&r))
    .transpose()
}

pub async fn insert(c: &mut Conn, r: &Role) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO roles (id, key, name, permissions, visibility, built_in, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .arg(r.id)
        .arg(&r.key)
        .arg(&r.name)
        .arg(encode(&r.permissions)?)
        .arg(r.visibility.as_str())
        .arg(r.built_in)
        .arg(r.updated_at)
        .arg(r.version),
    )
    .await?;
    Ok(())
}

/// Writes a changed role if it is still at `expected_version`; false if it moved on.
pub async fn update(c: &mut Conn, r: &Role, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE roles SET name = $1, permissions = $2, visibility = $3, updated_at = $4, \
                 version = $5 WHERE id = $6 AND version = $7",
            )
            .arg(&r.name)
            .arg(encode(&r.permissions)?)
            .arg(r.visibility.as_str())
            .arg(r.updated_at)
            .arg(r.version)
            .arg(r.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

/// Serialises the writes that may take the last administrator away, until the
/// transaction `c` ends. Call it first thing in the write transaction, before reading
/// who administers: on PostgreSQL two transactions that each demote one of two
/// administrators would otherwise both see the other still in place and both commit
/// (READ COMMITTED), leaving none. A transaction-level advisory lock makes the second
/// wait for the first and then read what it wrote. SQLite needs nothing: a write
/// transaction there holds the one write lock from its start (`BEGIN IMMEDIATE`).
pub async fn lock_admin_changes(c: &mut Conn) -> Result<()> {
    if c.backend() == Backend::Postgres {
        // Any fixed key will do, as long as nothing else uses it: "cartera admins".
        c.execute(Sql::new(
            "SELECT pg_advisory_xact_lock(7236174930281613415)",
        ))
        .await?;
    }
    Ok(())
}

pub async fn set_user_role(c: &mut Conn, user: Id, role: Id, now: DateTime<Utc>) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE users SET role_id = $1, updated_at = $2, version = version + 1 WHERE id = $3",
            )
            .arg(role)
            .arg(now)
            .arg(user),
        )
        .await?;
    Ok(n > 0)
}
