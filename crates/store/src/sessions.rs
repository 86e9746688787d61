//! Passwords, failed-login counters, browser sessions and password reset links.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::auth::{Credentials, PasswordReset, Session};
use cartera_core::roles::Grant;
use cartera_core::users::User;

use crate::db::{Conn, Result, Sql};
use crate::users::{USER_COLUMNS, read_grant, read_user};

/// The active or inactive user with this email, and their credentials.
pub async fn credentials_by_email(
    c: &mut Conn,
    email: &str,
) -> Result<Option<(User, Credentials)>> {
    let row = c
        .fetch_optional(
            Sql::new(format!(
                "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"
            ))
            .arg(email.trim().to_lowercase()),
        )
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let user = read_user(&r)?;
    let (failed_logins, locked_until) = login_failures(c, &user.email).await?;
    Ok(Some((
        user,
        Credentials {
            password_hash: r.opt_text("password_hash")?,
            failed_logins,
            locked_until,
        },
    )))
}

pub async fn credentials(c: &mut Conn, user: Id) -> Result<Option<Credentials>> {
    let Some(r) = c
        .fetch_optional(Sql::new("SELECT email, password_hash FROM users WHERE id = $1").arg(user))
        .await?
    else {
        return Ok(None);
    };
    let (failed_logins, locked_until) = login_failures(c, &r.text("email")?).await?;
    Ok(Some(Credentials {
        password_hash: r.opt_text("password_hash")?,
        failed_logins,
        locked_until,
    }))
}

/// The failed logins counted against `email` (normalised by the caller, as stored) and
/// until when it is locked; every email has them, whether or not a user has it.
pub async fn login_failures(c: &mut Conn, email: &str) -> Result<(u32, Option<DateTime<Utc>>)> {
    let row = c
        .fetch_optional(
            Sql::new("SELECT failures, locked_until FROM login_failures WHERE email = $1")
                .arg(email),
        )
        .await?;
    match row {
        Some(r) => Ok((
            u32::try_from(r.int("failures")?).unwrap_or(u32::MAX),
            r.opt_time("locked_until")?,
        )),
        None => Ok((0, None)),
    }
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
    c.execute(
        Sql::new(
            "DELETE FROM login_failures WHERE email = (SELECT email FROM users WHERE id = $1)",
        )
        .arg(user),
    )
    .await?;
    Ok(())
}

/// Counts one more failed login against `email` and returns the count; atomic, so
/// that concurrent guesses cannot slip under the lockout.
pub async fn add_failure(c: &mut Conn, email: &str, now: DateTime<Utc>) -> Result<u32> {
    let n = c
        .fetch_one(
            Sql::new(
                "INSERT INTO login_failures (email, failures, updated_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (email) DO UPDATE SET failures = login_failures.failures + 1, \
                 updated_at = $2 RETURNING failures",
            )
            .arg(email)
            .arg(now),
        )
        .await?
        .int("failures")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Sets when `email` may try again.
pub async fn set_lock(c: &mut Conn, email: &str, until: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new("UPDATE login_failures SET locked_until = $1 WHERE email = $2")
            .arg(until)
            .arg(email),
    )
    .await?;
    Ok(())
}

/// Forgets the failed logins of `email` (after a good login).
pub async fn clear_failures(c: &mut Conn, email: &str) -> Result<()> {
    c.execute(Sql::new("DELETE FROM login_failures WHERE email = $1").arg(email))
        .await?;
    Ok(())
}

/// Forgets counters untouched since `before` and no longer locking anything
/// (maintenance): each email ever tried has a row until then.
pub async fn purge_failures(c: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    c.execute(
        Sql::new(
            "DELETE FROM login_failures WHERE updated_at < $1 \
             AND (locked_until IS NULL OR locked_until < $1)",
        )
        .arg(before),
    )
    .await
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

/// The user's confirmed second factor: (base32 secret, last accepted step).
pub async fn second_factor(c: &mut Conn, user: Id) -> Result<Option<(String, Option<i64>)>> {
    let row = c
        .fetch_optional(
            Sql::new(
                "SELECT totp_secret, totp_last_step FROM users WHERE id = $1 AND totp_enabled = $2",
            )
            .arg(user)
            .arg(true),
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let step = r.opt_int("totp_last_step")?;
    Ok(r.opt_text("totp_secret")?.map(|s| (s, step)))
}

/// A secret waiting for its first code (set up, not yet confirmed).
pub async fn pending_totp(c: &mut Conn, user: Id) -> Result<Option<String>> {
    let row = c
        .fetch_optional(
            Sql::new("SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled = $2")
                .arg(user)
                .arg(false),
        )
        .await?;
    Ok(match row {
        Some(r) => r.opt_text("totp_secret")?,
        None => None,
    })
}

pub async fn set_pending_totp(c: &mut Conn, user: Id, secret: &str) -> Result<()> {
    c.execute(
        Sql::new("UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND totp_enabled = $3")
            .arg(secret)
            .arg(user)
            .arg(false),
    )
    .await?;
    Ok(())
}

/// Turns the pending secret on, with its recovery codes (hashes).
pub async fn enable_totp(c: &mut Conn, user: Id, step: i64, code_hashes: &[String]) -> Result<()> {
    c.execute(
        Sql::new("UPDATE users SET totp_enabled = $1, totp_last_step = $2 WHERE id = $3")
            .arg(true)
            .arg(step)
            .arg(user),
    )
    .await?;
    c.execute(Sql::new("DELETE FROM recovery_codes WHERE user_id = $1").arg(user))
        .await?;
    if code_hashes.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("INSERT INTO recovery_codes (user_id, code_hash) VALUES ");
    for (i, h) in code_hashes.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.push_arg(user);
        sql.push(", ");
        sql.push_arg(h.as_str());
        sql.push(")");
    }
    c.execute(sql).await?;
    Ok(())
}

pub async fn disable_totp(c: &mut Conn, user: Id) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE users SET totp_secret = NULL, totp_enabled = $1, totp_last_step = NULL WHERE id = $2",
        )
        .arg(false)
        .arg(user),
    )
    .await?;
    c.execute(Sql::new("DELETE FROM recovery_codes WHERE user_id = $1").arg(user))
        .await?;
    Ok(())
}

/// Records the step a code was accepted for; false if a newer one was accepted meanwhile.
pub async fn use_totp_step(c: &mut Conn, user: Id, step: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
                 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .arg(step)
            .arg(user),
        )
        .await?;
    Ok(n > 0)
}

/// Spends a recovery code; false if it is unknown or spent.
pub async fn use_recovery_code(
    c: &mut Conn,
    user: Id,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE recovery_codes SET used_at = $1 \
                 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .arg(now)
            .arg(user)
            .arg(hash),
        )
        .await?;
    Ok(n > 0)
}

/// Keeps a new password reset link (the hash of its secret).
pub async fn insert_reset(
    c: &mut Conn,
    token_hash: &str,
    user: Id,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .arg(token_hash)
        .arg(user)
        .arg(now)
        .arg(expires_at),
    )
    .await?;
    Ok(())
}

/// The reset link with this hash, used or expired or not; the caller decides.
pub async fn reset_by_hash(c: &mut Conn, token_hash: &str) -> Result<Option<PasswordReset>> {
    let row = c
        .fetch_optional(
            Sql::new(
                "SELECT user_id, created_at, expires_at, used_at FROM password_resets \
                 WHERE token_hash = $1",
            )
            .arg(token_hash),
        )
        .await?;
    row.map(|r| {
        Ok(PasswordReset {
            user_id: r.id("user_id")?,
            created_at: r.time("created_at")?,
            expires_at: r.time("expires_at")?,
            used_at: r.opt_time("used_at")?,
        })
    })
    .transpose()
}

/// Spends a live reset link: false if it was used or expired meanwhile (a concurrent
/// use waits for this row and then finds it spent).
pub async fn use_reset(c: &mut Conn, token_hash: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE password_resets SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
            )
            .arg(now)
            .arg(token_hash),
        )
        .await?;
    Ok(n > 0)
}

/// Spends every unused reset link of `user`; returns how many.
pub async fn spend_resets_of_user(c: &mut Conn, user: Id, now: DateTime<Utc>) -> Result<u64> {
    c.execute(
        Sql::new("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .arg(now)
            .arg(user),
    )
    .await
}

/// Forgets reset links that expired before `before` (maintenance).
pub async fn purge_resets(c: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    c.execute(Sql::new("DELETE FROM password_resets WHERE expires_at <= $1").arg(before))
        .await
}
