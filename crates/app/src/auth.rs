//! Logging in and out with a password, browser sessions, changing passwords, and
//! resetting a forgotten one through an emailed link.

use chrono::{DateTime, Utc};

use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::auth::{
    RESET_PREFIX, SESSION_PREFIX, SecondFactor, Session, check_totp, decoy_hash, hash_password,
    lockout_after, recovery_code_hash, recovery_codes, reset_link_lifetime, session_idle_limit,
    totp_base32, totp_secret_from_base32, totp_url, validate_password, verify_password,
};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::Grant;
use cartera_core::users::{User, token_hash};
use cartera_core::{Check, Code, Id};
use cartera_store::Conn;
use cartera_store::sessions as store;

use crate::events::{self, event};
use crate::secrets::{new_secret, random_bytes};
use crate::{Actor, App, AppError, Result};

/// The one answer to a wrong email or password: it does not say which was wrong.
const WRONG: &str = "the email or the password is not right";
const WRONG_CODE: &str = "the authenticator or recovery code is not right (each code is good once)";
/// The one answer to a reset link that does not work, whatever the reason.
const BAD_LINK: &str = "the reset link is not valid, has expired or was already used";

enum Spend {
    Step(i64),
    Recovery(String),
}

/// The key failed logins are counted under: the email as users are stored (trimmed,
/// lower case), cut to a length no real address reaches.
fn failure_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(320).collect()
}

/// Counts a failed login towards the lockout of the email that was tried (`user` when
/// one has it, recorded in its audit trail), and makes its answer. An unknown email
/// counts and locks exactly like a known one, so the answers never tell them apart.
async fn failed(
    app: &App,
    email: &str,
    user: Option<&User>,
    client: &Client,
    now: DateTime<Utc>,
    why: &str,
) -> AppError {
    let result: Result<()> = async {
        let mut conn = app.db.begin().await?;
        let failures = store::add_failure(&mut conn, email, now).await?;
        if let Some(wait) = lockout_after(failures) {
            store::set_lock(&mut conn, email, now + wait).await?;
        }
        if let Some(user) = user {
            events::write(
                &mut conn,
                security_event(None, Some(client), now, AuditAction::LoginFailed, user.id),
            )
            .await?;
        }
        conn.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => AppError::Unauthorized(why.into()),
        Err(e) => e,
    }
}

/// Where a login comes from, for the session list and the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// The second factor sent with a login, when the account has one.
#[derive(Debug, Clone, Default)]
pub struct SecondFactorInput {
    /// The 6 digits an authenticator app shows.
    pub totp_code: Option<String>,
    /// One of the recovery codes, when the phone is lost.
    pub recovery_code: Option<String>,
}

/// A new session; `secret` goes into the cookie and is not kept.
#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    pub session: Session,
    pub secret: String,
}

/// argon2 takes tens of milliseconds of CPU: off the async threads.
async fn verify(password: &str, hash: Option<String>) -> Result<bool> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            verify_password(&password, decoy_hash());
            false
        }
    })
    .await
    .map_err(|e| AppError::Conflict(format!("password check interrupted: {e}")))
}

async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Conflict(format!("password hashing interrupted: {e}")))?
        .map_err(|e| AppError::Conflict(e.to_string()))
}

pub(crate) fn security_event(
    actor: Option<&Actor>,
    client: Option<&Client>,
    now: DateTime<Utc>,
    action: AuditAction,
    user: Id,
) -> AuditEvent {
    let mut e = event(actor, now, action, RecordKind::User, user, Vec::new());
    if let Some(c) = client {
        e.actor_id = Some(user);
        e.request_id.clone_from(&c.request_id);
        if let Some(ip) = &c.ip {
            e.changes.push(events::set("ip", ip.clone()));
        }
    }
    e
}

/// Records what a client did to `user`'s account without a session (the user is the
/// actor), with `facts` besides its address, in a transaction of its own.
pub(crate) async fn record_client_event(
    app: &App,
    client: &Client,
    now: DateTime<Utc>,
    action: AuditAction,
    user: Id,
    facts: Vec<FieldChange>,
) -> Result<()> {
    let mut e = security_event(None, Some(client), now, action, user);
    e.changes.extend(facts);
    let mut conn = app.db.begin().await?;
    events::write(&mut conn, e).await?;
    conn.commit().await?;
    Ok(())
}

/// The event of a change the actor made to `user`'s account (a role, a profile, their
/// own second factor or calendar feed).
pub(crate) fn account_event(
    actor: &Actor,
    now: DateTime<Utc>,
    user: Id,
    changes: Vec<FieldChange>,
) -> AuditEvent {
    actor
        .at(now)
        .event(AuditAction::Updated, RecordKind::User, user, changes)
}

fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let ms = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
    ms.div_ceil(1000).max(1)
}

/// Checks an email and password and opens a session. Wrong credentials answer 401 and
/// count towards a lockout; a locked account answers 429 until its wait is over,
/// without looking at the password.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    second: SecondFactorInput,
    client: Client,
) -> Result<LoggedIn> {
    let mut c = Check::new();
    c.required("email", email.trim());
    if password.is_empty() {
        c.add("password", Code::Required, "must not be empty");
    }
    c.finish()?;
    let now = app.now();
    let key = failure_key(email);
    // Known or not, an email goes the same way: the lock, one password hash checked
    // (a decoy's for an unknown email), the failure counted.
    let (found, (failed_logins, locked_until)) = {
        let mut conn = app.db.reader().await?;
        let found = store::credentials_by_email(&mut conn, &key).await?;
        let failures = store::login_failures(&mut conn, &key).await?;
        (found, failures)
    };
    if let Some(until) = locked_until.filter(|u| *u > now) {
        let seconds = seconds_until(now, until);
        return Err(AppError::RateLimited {
            message: format!(
                "too many failed attempts: try again in {seconds} seconds, or ask an admin to reset the password"
            ),
            retry_after_seconds: seconds,
        });
    }
    let Some((user, creds)) = found else {
        verify(password, None).await?;
        return Err(failed(app, &key, None, &client, now, WRONG).await);
    };
    if !verify(password, creds.password_hash).await? {
        return Err(failed(app, &key, Some(&user), &client, now, WRONG).await);
    }
    if !user.active {
        return Err(AppError::Unauthorized("this user is deactivated".into()));
    }
    let factor = {
        let mut conn = app.db.reader().await?;
        store::second_factor(&mut conn, user.id).await?
    };
    // What the second factor spends, written with the session below.
    let mut spend: Option<Spend> = None;
    if let Some((b32, last)) = factor {
        let secret = totp_secret_from_base32(&b32).ok_or_else(|| {
            AppError::Conflict("the stored authenticator secret is damaged".into())
        })?;
        let f = SecondFactor {
            secret,
            last_step: last.and_then(|l| u64::try_from(l).ok()),
        };
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        spend = Some(match (&second.totp_code, &second.recovery_code) {
            (Some(code), _) => match check_totp(&f, code, unix) {
                Some(step) => Spend::Step(i64::try_from(step).unwrap_or(i64::MAX)),
                None => {
                    return Err(failed(app, &key, Some(&user), &client, now, WRONG_CODE).await);
                }
            },
            (None, Some(code)) => Spend::Recovery(recovery_code_hash(code)),
            (None, None) => {
                return Err(AppError::Invalid(cartera_core::Violations::one(
                    "totp_code",
                    Code::Required,
                    "this account asks for the code of its authenticator app (or a recovery code)",
                )));
            }
        });
    }
    let secret = new_secret(SESSION_PREFIX)?;
    let session = Session {
        id: Id::new(),
        user_id: user.id,
        csrf_token: new_secret("")?,
        user_agent: client
            .user_agent
            .clone()
            .map(|a| a.chars().take(300).collect()),
        ip: client.ip.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + session_idle_limit(),
    };
    let mut conn = app.db.begin().await?;
    let spent = match &spend {
        None => true,
        Some(Spend::Step(step)) => store::use_totp_step(&mut conn, user.id, *step).await?,
        Some(Spend::Recovery(hash)) => {
            store::use_recovery_code(&mut conn, user.id, hash, now).await?
        }
    };
    if !spent {
        drop(conn);
        return Err(failed(app, &key, Some(&user), &client, now, WRONG_CODE).await);
    }
    if failed_logins > 0 || locked_until.is_some() {
        store::clear_failures(&mut conn, &key).await?;
    }
    store::insert(&mut conn, &session, &token_hash(&secret)).await?;
    events::write(
        &mut conn,
        security_event(
            None,
            Some(&client),
            now,
            AuditAction::LoginSucceeded,
            user.id,
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(LoggedIn {
        user,
        session,
        secret,
    })
}

/// The live session behind a cookie's secret, with its user and what their role allows;
/// extended while in use.
pub async fn session(app: &App, secret: &str) -> Result<Option<(User, Session, Grant)>> {
    if !secret.starts_with(SESSION_PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let now = app.now();
    let found = {
        let mut conn = app.db.reader().await?;
        store::by_hash(&mut conn, &token_hash(secret)).await?
    };
    let Some((mut session, user, grant)) = found else {
        return Ok(None);
    };
    if session.expires_at <= now || !user.active {
        return Ok(None);
    }
    // Extend at most once a minute, so that reads stay reads.
    if now - session.last_seen_at > chrono::Duration::minutes(1) {
        session.last_seen_at = now;
        session.expires_at = now + session_idle_limit();
        let mut conn = app.db.begin().await?;
        store::touch(&mut conn, session.id, now, session.expires_at).await?;
        conn.commit().await?;
    }
    Ok(Some((
        user,
        session,
        grant.unwrap_or_else(Grant::administrator),
    )))
}

/// Ends the actor's browser session; its cookie stops working at once.
pub async fn logout(app: &App, actor: &Actor) -> Result<()> {
    let Some(id) = actor.session_id else {
        return Err(AppError::Conflict(
            "this request did not come through a browser session".into(),
        ));
    };
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::delete(&mut conn, id).await?;
    events::write(
        &mut conn,
        security_event(
            Some(actor),
            None,
            now,
            AuditAction::LoggedOut,
            actor.user_id,
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(())
}

/// Changes the actor's own password after checking the current one, and ends their
/// other sessions (a thief's among them).
pub async fn change_password(app: &App, actor: &Actor, current: &str, new: &str) -> Result<()> {
    let mut conn = app.db.reader().await?;
    let user = cartera_store::users::by_id(&mut conn, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let creds = store::credentials(&mut conn, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let mut c = Check::new();
    validate_password("new_password", new, &user.email, &mut c);
    c.finish()?;
    if !verify(current, creds.password_hash).await? {
        return Err(AppError::Invalid(cartera_core::Violations::one(
            "current_password",
            Code::Invalid,
            "is not your current password",
        )));
    }
    store_password(app, Some(actor), &user, new, actor.session_id).await
}

/// Sets a user's password from the command line (the first admin, a forgotten password).
pub async fn set_password(app: &App, email: &str, password: &str) -> Result<User> {
    let mut conn = app.db.reader().await?;
    let user = cartera_store::users::by_email(&mut conn, &email.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let mut c = Check::new();
    validate_password("password", password, &user.email, &mut c);
    c.finish()?;
    store_password(app, None, &user, password, None).await?;
    Ok(user)
}

async fn store_password(
    app: &App,
    actor: Option<&Actor>,
    user: &User,
    password: &str,
    keep_session: Option<Id>,
) -> Result<()> {
    let hashed = hash(password).await?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let changed = security_event(actor, None, now, AuditAction::PasswordChanged, user.id);
    write_password(&mut conn, user.id, &hashed, keep_session, now, changed).await?;
    conn.commit().await?;
    Ok(())
}

/// Stores a new password hash in the caller's transaction: lifts a lockout, ends every
/// session of the user but `keep_session`, spends their unused reset links (a link
/// mailed before the change must not undo it), and records `changed`.
async fn write_password(
    conn: &mut Conn,
    user: Id,
    hashed: &str,
    keep_session: Option<Id>,
    now: DateTime<Utc>,
    changed: AuditEvent,
) -> Result<()> {
    store::set_password(conn, user, hashed, now).await?;
    store::delete_of_user(conn, user, keep_session).await?;
    store::spend_resets_of_user(conn, user, now).await?;
    events::write(conn, changed).await
}

/// Asks for a password reset link by email. The answer is the same whether or not the
/// email belongs to an active user, and so is its timing: finding the user, keeping the
/// link and sending the email all happen after the answer, in a task of their own.
/// Earlier links stay good until they expire or one of them is used.
pub async fn request_password_reset(app: &App, email: &str, client: Client) -> Result<()> {
    let email = email.trim().to_lowercase();
    let mut c = Check::new();
    c.required("email", &email);
    c.max_chars("email", &email, 320);
    c.finish()?;
    let app = app.clone();
    tokio::spawn(async move {
        let issued = match issue_reset(&app, &email, &client).await {
            Ok(Some(mail)) => mail,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "a password reset link could not be made");
                return;
            }
        };
        if let Err(e) = app.mailer().send(&issued).await {
            tracing::warn!(error = %e, to = %issued.to_address, "the password reset email was not sent");
        }
    });
    Ok(())
}

/// Keeps a new reset link for an active user with this email and records the request;
/// returns the email to send once that is committed. `None`: no such active user.
async fn issue_reset(
    app: &App,
    email: &str,
    client: &Client,
) -> Result<Option<crate::mail::Email>> {
    let user = {
        let mut conn = app.db.reader().await?;
        cartera_store::users::by_email(&mut conn, email).await?
    };
    let Some(user) = user.filter(|u| u.active) else {
        return Ok(None);
    };
    let now = app.now();
    let secret = new_secret(RESET_PREFIX)?;
    let expires_at = now + reset_link_lifetime();
    let mut conn = app.db.begin().await?;
    store::insert_reset(&mut conn, &token_hash(&secret), user.id, now, expires_at).await?;
    events::write(
        &mut conn,
        security_event(
            None,
            Some(client),
            now,
            AuditAction::PasswordResetRequested,
            user.id,
        ),
    )
    .await?;
    conn.commit().await?;
    let link = format!("{}/reset-password?token={secret}", app.public_url());
    Ok(Some(crate::mail::password_reset(&user, &link, expires_at)))
}

/// Records a refused reset link on its user, and makes the answer.
async fn refused_reset(
    app: &App,
    user: Id,
    client: &Client,
    now: DateTime<Utc>,
    reason: &str,
) -> AppError {
    let refused = AuditAction::PasswordResetRefused;
    let facts = vec![events::set("reason", reason)];
    match record_client_event(app, client, now, refused, user, facts).await {
        Ok(()) => AppError::Unauthorized(BAD_LINK.into()),
        Err(e) => e,
    }
}

/// Whether an emailed link can still set a password, so the page it opens can say at
/// once that it expired or was used. Reads only; nothing is recorded.
pub async fn reset_link_usable(app: &App, secret: &str) -> Result<bool> {
    let secret = secret.trim();
    if !secret.starts_with(RESET_PREFIX) || secret.len() > 200 {
        return Ok(false);
    }
    let mut conn = app.db.reader().await?;
    let Some(reset) = store::reset_by_hash(&mut conn, &token_hash(secret)).await? else {
        return Ok(false);
    };
    let active = cartera_store::users::by_id(&mut conn, reset.user_id)
        .await?
        .is_some_and(|u| u.active);
    Ok(active && reset.refusal(app.now()).is_none())
}

/// Sets a new password with the secret of an emailed link. The password is checked
/// first (422), so a typo does not spend the link. A good link sets the password, lifts
/// a lockout, ends every session and spends all the user's links, in one transaction;
/// an unknown, expired or used one answers 401, and a known one is recorded on its user.
/// A second factor stays on: the next login still asks for it.
pub async fn confirm_password_reset(
    app: &App,
    secret: &str,
    new_password: &str,
    client: Client,
) -> Result<()> {
    let secret = secret.trim();
    let hashed_secret = token_hash(secret);
    let known = if secret.starts_with(RESET_PREFIX) && secret.len() <= 200 {
        let mut conn = app.db.reader().await?;
        match store::reset_by_hash(&mut conn, &hashed_secret).await? {
            Some(reset) => cartera_store::users::by_id(&mut conn, reset.user_id)
                .await?
                .map(|user| (reset, user)),
            None => None,
        }
    } else {
        None
    };
    let mut c = Check::new();
    let email = known.as_ref().map_or("", |(_, u)| u.email.as_str());
    validate_password("new_password", new_password, email, &mut c);
    c.finish()?;
    let Some((reset, user)) = known else {
        return Err(AppError::Unauthorized(BAD_LINK.into()));
    };
    let now = app.now();
    let refusal = reset
        .refusal(now)
        .or((!user.active).then_some("inactive_user"));
    if let Some(reason) = refusal {
        return Err(refused_reset(app, user.id, &client, now, reason).await);
    }
    let hashed = hash(new_password).await?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    // Spent by a concurrent request, or expired while the password was hashed.
    if !store::use_reset(&mut conn, &hashed_secret, now).await? {
        drop(conn);
        let reason = if reset.expires_at <= now {
            "expired"
        } else {
            "used"
        };
        return Err(refused_reset(app, user.id, &client, now, reason).await);
    }
    let mut changed = security_event(
        None,
        Some(&client),
        now,
        AuditAction::PasswordChanged,
        user.id,
    );
    changed.changes.push(events::set("via", "password_reset"));
    write_password(&mut conn, user.id, &hashed, None, now, changed).await?;
    conn.commit().await?;
    Ok(())
}

/// Forgets reset links a week past their expiry (maintenance); until then a late click
/// is still recorded as a refused link.
pub async fn purge_expired_resets(app: &App) -> Result<u64> {
    let mut conn = app.db.begin().await?;
    let n = store::purge_resets(&mut conn, app.now() - chrono::Duration::days(7)).await?;
    conn.commit().await?;
    Ok(n)
}

/// Forgets sessions past their expiry (maintenance).
pub async fn purge_expired_sessions(app: &App) -> Result<u64> {
    let mut conn = app.db.begin().await?;
    let n = store::purge_expired(&mut conn, app.now()).await?;
    conn.commit().await?;
    Ok(n)
}

/// Forgets failed-login counters a day old that lock nothing (maintenance): every email
/// anyone tried has one, and guessing over many emails is for the per-address limit.
pub async fn purge_stale_login_failures(app: &App) -> Result<u64> {
    let mut conn = app.db.begin().await?;
    let n = store::purge_failures(&mut conn, app.now() - chrono::Duration::days(1)).await?;
    conn.commit().await?;
    Ok(n)
}

/// What an authenticator app needs to start: the secret and its `otpauth://` address.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    /// Base32, for typing in by hand.
    pub secret: String,
    /// For a QR code.
    pub otpauth_url: String,
}

/// Starts setting up a second factor; it is on once `confirm_totp` sees a good code.
pub async fn begin_totp(app: &App, actor: &Actor) -> Result<TotpSetup> {
    let mut conn = app.db.begin().await?;
    if store::second_factor(&mut conn, actor.user_id)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "the authenticator is already on; turn it off first to change it".into(),
        ));
    }
    let user = cartera_store::users::by_id(&mut conn, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let secret = random_bytes(20)?;
    let setup = TotpSetup {
        secret: totp_base32(&secret),
        otpauth_url: totp_url(&secret, &user.email)
            .map_err(|e| AppError::Conflict(e.to_string()))?,
    };
    store::set_pending_totp(&mut conn, actor.user_id, &setup.secret).await?;
    conn.commit().await?;
    Ok(setup)
}

/// Turns the second factor on with the first good code; returns ten recovery codes,
/// shown this once.
pub async fn confirm_totp(app: &App, actor: &Actor, code: &str) -> Result<Vec<String>> {
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let Some(b32) = store::pending_totp(&mut conn, actor.user_id).await? else {
        return Err(AppError::Conflict(
            "there is no authenticator being set up: start with POST /api/v1/users/me/totp".into(),
        ));
    };
    let secret = totp_secret_from_base32(&b32)
        .ok_or_else(|| AppError::Conflict("the stored authenticator secret is damaged".into()))?;
    let unix = u64::try_from(now.timestamp()).unwrap_or(0);
    let f = SecondFactor {
        secret,
        last_step: None,
    };
    let Some(step) = check_totp(&f, code, unix) else {
        return Err(AppError::Invalid(cartera_core::Violations::one(
            "code",
            Code::Invalid,
            "is not the code the authenticator shows now",
        )));
    };
    let codes = recovery_codes(&random_bytes(80)?);
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    store::enable_totp(
        &mut conn,
        actor.user_id,
        i64::try_from(step).unwrap_or(i64::MAX),
        &hashes,
    )
    .await?;
    events::write(&mut conn, two_factor_event(actor, now, true)).await?;
    conn.commit().await?;
    Ok(codes)
}

/// Whether the actor's second factor is on (for the settings page).
pub async fn totp_on(app: &App, actor: &Actor) -> Result<bool> {
    let mut conn = app.db.reader().await?;
    Ok(store::second_factor(&mut conn, actor.user_id)
        .await?
        .is_some())
}

/// Turns the second factor off; needs the password.
pub async fn disable_totp(app: &App, actor: &Actor, password: &str) -> Result<()> {
    let creds = {
        let mut conn = app.db.reader().await?;
        store::credentials(&mut conn, actor.user_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if !verify(password, creds.password_hash).await? {
        return Err(AppError::Invalid(cartera_core::Violations::one(
            "password",
            Code::Invalid,
            "is not your password",
        )));
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::disable_totp(&mut conn, actor.user_id).await?;
    events::write(&mut conn, two_factor_event(actor, now, false)).await?;
    conn.commit().await?;
    Ok(())
}

fn two_factor_event(actor: &Actor, now: DateTime<Utc>, on: bool) -> AuditEvent {
    let change = events::change("two_factor", !on, on);
    account_event(actor, now, actor.user_id, vec![change])
}
