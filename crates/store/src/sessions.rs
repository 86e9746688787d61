//! Passwords, failed-login counters and browser sessions.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::auth::{Credentials, Session};
use cartera_core::roles::Grant;
use cartera_core::users::User;

use crate::db::{Conn, DbRow, Result, Sql};
use crate::users::{USER_COLUMNS, read_grant, read_user};

/// The active or inactive user with this email, and their credentials.
pub async fn credentials_by_email(
    c: &mut Conn,
    email: &str,
) -> Result<Option<(User, Credentials)>> {
    let row = c
        .fetch_optional(
            Sql::new(format!(
                "SELECT {USER_COLUMNS}, password_hash, failed_logins, locked_until \
                 FROM users WHERE email = $1"
            ))
            .arg(email.trim().to_lowercase()),
        )
        .await?;
    row.map(|r| Ok((read_user(&r)?, read_credentials(&r)?)))
        .transpose()
}

pub async fn credentials(c: &mut Conn, user: Id) -> Result<Option<Credentials>> {
    c.fetch_optional(
        Sql::new("SELECT password_hash, failed_logins, locked_until FROM users WHERE id = $1")
            .arg(user),
    )
    .await?
    .map(|r| read_credentials(&r))
    .transpose()
}

fn read_credentials(r: &DbRow) -> Result<Credentials> {
    Ok(Credentials {
        password_hash: r.opt_text("password_hash")?,
        failed_logins: u32::try_from(r.int("failed_logins")?).unwrap_or(u32::MAX),
        locked_until: r.opt_time("locked_until")?,
    })
}

/// Stores a new password hash and clears any lockout.
pub async fn set_password(c: &mut Conn, user: Id, hash: &str, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, \
             updated_at = $2, version = version + 1 WHERE id = $3",
        )
        .arg(hash)
        .arg(now)
        .arg(user),
    )
    .await?;
    Ok(())
}

/// Counts one more failed login and returns the count; atomic, so that concurrent
/// guesses cannot slip under the lockout.
pub async fn add_failure(c: &mut Conn, user: Id) -> Result<u32> {
    let n = c
        .fetch_one(
            Sql::new(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 \
                 RETURNING failed_logins",
            )
            .arg(user),
        )
        .await?
        .int("failed_logins")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Sets when the user may try again (`None`: now) and, with `None`, forgets failures.
pub async fn set_lock(c: &mut Conn, user: Id, until: Option<DateTime<Utc>>) -> Result<()> {
    let sql = match until {
        Some(_) => "UPDATE users SET locked_until = $1 WHERE id = $2",
        None => "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2",
    };
    c.execute(Sql::new(sql).arg(until).arg(user)).await?;
    Ok(())
}

pub async fn insert(c: &mut Conn, s: &Session, token_hash: &str) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO sessions (id, token_hash, user_id, csrf_token, user_agent, ip, \
             created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .arg(s.id)
        .arg(token_hash)
        .arg(s.user_id)
        .arg(&s.csrf_token)
        .arg(&s.user_agent)
        .arg(&s.ip)
        .arg(s.created_at)
        .arg(s.last_seen_at)
        .arg(s.expires_at),
    )
    .await?;
    Ok(())
}

/// The session with this hash, its user and their role's permissions (none for a user
/// without a role), expired or not; the caller decides.
pub async fn by_hash(
    c: &mut Conn,
    token_hash: &str,
) -> Result<Option<(Session, User, Option<Grant>)>> {
    let row = c
        .fetch_optional(
            Sql::new(
                "SELECT s.id AS session_id, s.csrf_token, s.user_agent, s.ip, \
                 s.created_at AS session_created_at, s.last_seen_at, s.expires_at, \
                 u.id, u.email, u.name, u.locale, u.time_zone, u.active, u.role_id, u.created_at, \
                 r.permissions, r.visibility FROM sessions s JOIN users u ON u.id = s.user_id \
                 LEFT JOIN roles r ON r.id = u.role_id WHERE s.token_hash = $1",
            )
            .arg(token_hash),
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let user = read_user(&r)?;
    let session = Session {
        id: r.id("session_id")?,
        user_id: user.id,
        csrf_token: r.text("csrf_token")?,
        user_agent: r.opt_text("user_agent")?,
        ip: r.opt_text("ip")?,
        created_at: r.time("session_created_at")?,
        last_seen_at: r.time("last_seen_at")?,
        expires_at: r.time("expires_at")?,
    };
    Ok(Some((session, user, read_grant(&r)?)))
}

/// Extends a session that is in use.
pub async fn touch(
    c: &mut Conn,
    id: Id,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    c.execute(
        Sql::new("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
            .arg(now)
            .arg(expires_at)
            .arg(id),
    )
    .await?;
    Ok(())
}

pub async fn delete(c: &mut Conn, id: Id) -> Result<bool> {
    Ok(
        c.execute(Sql::new("DELETE FROM sessions WHERE id = $1").arg(id))
            .await?
            > 0,
    )
}

/// Ends every session of `user` except `keep`; returns how many ended.
pub async fn delete_of_user(c: &mut Conn, user: Id, keep: Option<Id>) -> Result<u64> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ");
    sql.push_arg(user);
    if let Some(k) = keep {
        sql.push(" AND id <> ");
        sql.push_arg(k);
    }
    c.execute(sql).await
}

pub async fn purge_expired(c: &mut Conn, now: DateTime<Utc>) -> Result<u64> {
    c.execute(Sql::new("DELETE FROM sessions WHERE expires_at <= $1").arg(now))
        .await
}
