//! Users and API tokens.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::roles::{Grant, Permissions};
use cartera_core::users::{ApiToken, Scope, User};

use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;

pub(crate) const USER_COLUMNS: &str =
    "id, email, name, locale, time_zone, active, role_id, created_at";

pub(crate) fn read_user(row: &DbRow) -> Result<User> {
    Ok(User {
        id: row.id("id")?,
        email: row.text("email")?,
        name: row.text("name")?,
        locale: row.text("locale")?,
        time_zone: row.text("time_zone")?,
        active: row.bool("active")?,
        role_id: row.opt_id("role_id")?,
        created_at: row.time("created_at")?,
    })
}

pub async fn insert(c: &mut Conn, u: &User) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO users (id, email, name, locale, time_zone, active, role_id, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1)",
        )
        .arg(u.id)
        .arg(&u.email)
        .arg(&u.name)
        .arg(&u.locale)
        .arg(&u.time_zone)
        .arg(u.active)
        .arg(u.role_id)
        .arg(u.created_at),
    )
    .await?;
    Ok(())
}

pub async fn by_email(c: &mut Conn, email: &str) -> Result<Option<User>> {
    c.fetch_optional(
        Sql::new(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
            .arg(email.to_lowercase()),
    )
    .await?
    .map(|r| read_user(&r))
    .transpose()
}

pub async fn by_id(c: &mut Conn, id: Id) -> Result<Option<User>> {
    c.fetch_optional(Sql::new(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).arg(id))
        .await?
        .map(|r| read_user(&r))
        .transpose()
}

pub async fn list(c: &mut Conn) -> Result<Vec<User>> {
    c.fetch_all(Sql::new(format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY name"
    )))
    .await?
    .iter()
    .map(read_user)
    .collect()
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    c.fetch_one(Sql::new("SELECT COUNT(*) AS n FROM users"))
        .await?
        .int("n")
}

const TOKEN_COLUMNS: &str = "t.id, t.user_id, t.name, t.prefix, t.scope, t.expires_at, t.created_at, t.last_used_at, t.revoked_at";

fn read_token(row: &DbRow) -> Result<ApiToken> {
    let scope = row.text("scope")?;
    Ok(ApiToken {
        id: row.id("id")?,
        user_id: row.id("user_id")?,
        name: row.text("name")?,
        prefix: row.text("prefix")?,
        scope: Scope::parse(&scope)
            .ok_or_else(|| StoreError::Decode(format!("scope: '{scope}'")))?,
        expires_at: row.opt_time("expires_at")?,
        created_at: row.time("created_at")?,
        last_used_at: row.opt_time("last_used_at")?,
        revoked_at: row.opt_time("revoked_at")?,
    })
}

pub async fn insert_token(c: &mut Conn, t: &ApiToken, hash: &str) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, scope, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .arg(t.id)
        .arg(t.user_id)
        .arg(&t.name)
        .arg(&t.prefix)
        .arg(hash)
        .arg(t.scope.as_str())
        .arg(t.expires_at)
        .arg(t.created_at),
    )
    .await?;
    Ok(())
}

/// The token with this hash, its user and what the user's role grants (none for
/// a user without a role), whatever their state; the caller decides.
pub async fn token_by_hash(
    c: &mut Conn,
    hash: &str,
) -> Result<Option<(ApiToken, User, Option<Grant>)>> {
    let row = c
        .fetch_optional(
            Sql::new(format!(
                "SELECT {TOKEN_COLUMNS}, u.email, u.name AS user_name, u.locale, u.time_zone, u.active, u.role_id, \
                 u.created_at AS user_created_at, r.permissions, r.visibility FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 LEFT JOIN roles r ON r.id = u.role_id WHERE t.token_hash = $1"
            ))
            .arg(hash),
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let token = read_token(&row)?;
    let user = User {
        id: token.user_id,
        email: row.text("email")?,
        name: row.text("user_name")?,
        locale: row.text("locale")?,
        time_zone: row.text("time_zone")?,
        active: row.bool("active")?,
        role_id: row.opt_id("role_id")?,
        created_at: row.time("user_created_at")?,
    };
    Ok(Some((token, user, read_grant(&row)?)))
}

/// The `permissions` and `visibility` columns of a role joined to a user, when the user
/// has a role.
pub(crate) fn read_grant(row: &DbRow) -> Result<Option<Grant>> {
    let Some(text) = row.opt_text("permissions")? else {
        return Ok(None);
    };
    let permissions: Permissions = serde_json::from_str(&text)
        .map_err(|e| StoreError::Decode(format!("role permissions: {e}")))?;
    Ok(Some(Grant {
        permissions,
        visibility: crate::roles::read_visibility(row)?,
    }))
}

/// Records use, at most once a minute per token so that reads stay reads.
pub async fn touch_token(c: &mut Conn, id: Id, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .arg(now)
        .arg(id)
        .arg(now - chrono::Duration::minutes(1)),
    )
    .await?;
    Ok(())
}

pub async fn tokens_of(c: &mut Conn, user: Id) -> Result<Vec<ApiToken>> {
    c.fetch_all(
        Sql::new(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.created_at DESC"
        ))
        .arg(user),
    )
    .await?
    .iter()
    .map(read_token)
    .collect()
}

pub async fn revoke_token(c: &mut Conn, id: Id, user: Id, now: DateTime<Utc>) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .arg(now)
            .arg(id)
            .arg(user),
        )
        .await?;
    Ok(n > 0)
}

/// Which of `ids` are active users.
pub async fn active_ids(c: &mut Conn, ids: &[Id]) -> Result<std::collections::HashSet<Id>> {
    // PostgreSQL refuses an empty `IN ()`.
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut sql = Sql::new("SELECT id FROM users WHERE active = ");
    sql.push_arg(true);
    sql.push(" AND id IN (");
    sql.push_args(ids);
    sql.push(")");
    c.fetch_all(sql).await?.iter().map(|r| r.id("id")).collect()
}

/// Writes what an admin changes on a user.
pub async fn update_profile(c: &mut Conn, u: &User, now: DateTime<Utc>) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE users SET name = $1, locale = $2, time_zone = $3, active = $4, \
                 updated_at = $5, version = version + 1 WHERE id = $6",
            )
            .arg(&u.name)
            .arg(&u.locale)
            .arg(&u.time_zone)
            .arg(u.active)
            .arg(now)
            .arg(u.id),
        )
        .await?;
    Ok(n > 0)
}
