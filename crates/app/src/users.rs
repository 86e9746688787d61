//! Users and API tokens: creating them and telling who a request comes from.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use cartera_core::audit::AuditAction;
use cartera_core::record::RecordKind;
use cartera_core::roles::Grant;
use cartera_core::roles::{Action, Module};
use cartera_core::users::{
    ApiToken, Scope, TOKEN_PREFIX, User, token_display_prefix, token_hash, validate_user,
};
use cartera_core::{Check, Id};
use cartera_store::{Conn, users as store};

use crate::auth::account_event;
use crate::events::{self, changed_fields, event};
use crate::secrets::new_secret;
use crate::{Actor, App, AppError, Result};

pub(crate) async fn active_ids(conn: &mut Conn, ids: &[Id]) -> Result<HashSet<Id>> {
    Ok(store::active_ids(conn, ids).await?)
}

/// Adds to `c` a violation for the `lead` (e.g. a team's manager) and each of `members`
/// that is not an active user.
pub(crate) async fn check_people(
    conn: &mut Conn,
    c: &mut Check,
    lead: (&str, Option<Id>),
    members: &[Id],
) -> Result<()> {
    let mut people: Vec<Id> = members.to_vec();
    people.extend(lead.1);
    let active = active_ids(conn, &people).await?;
    const MISSING: &str = "there is no active user with this id";
    if let Some(l) = lead.1
        && !active.contains(&l)
    {
        c.add(lead.0, cartera_core::Code::NotFound, MISSING);
    }
    for (i, m) in members.iter().enumerate() {
        if !active.contains(m) {
            c.add(
                &format!("member_ids[{i}]"),
                cartera_core::Code::NotFound,
                MISSING,
            );
        }
    }
    Ok(())
}

/// The user with exactly this email, if any: the command line names users by email.
pub async fn by_email(app: &App, email: &str) -> Result<Option<User>> {
    let mut conn = app.db.reader().await?;
    Ok(store::by_email(&mut conn, email).await?)
}

/// The user with this email, created if new. Used by the CLI and the demo.
pub async fn ensure(app: &App, email: &str, name: &str) -> Result<(User, bool)> {
    let email = email.trim().to_lowercase();
    let mut c = Check::new();
    validate_user(&email, name.trim(), &mut c);
    c.finish()?;
    let mut conn = app.db.begin().await?;
    if let Some(u) = store::by_email(&mut conn, &email).await? {
        return Ok((u, false));
    }
    let now = app.now();
    let user = User {
        id: Id::new(),
        email,
        name: name.trim().to_owned(),
        locale: "es".into(),
        time_zone: "America/Argentina/Buenos_Aires".into(),
        active: true,
        // The CLI makes the first administrator; team members get roles from an admin.
        role_id: None,
        created_at: now,
    };
    store::insert(&mut conn, &user).await?;
    events::write(
        &mut conn,
        event(
            None,
            now,
            AuditAction::Created,
            RecordKind::User,
            user.id,
            vec![events::set("email", user.email.clone())],
        ),
    )
    .await?;
    conn.commit().await?;
    Ok((user, true))
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<User>> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn).await?)
}

/// Creates a token for a user (from the command line); returns it with its secret,
/// which is not kept.
pub async fn create_token(
    app: &App,
    user_id: Id,
    name: &str,
    scope: Scope,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiToken, String)> {
    issue_token(app, None, user_id, name, scope, expires_at).await
}

/// Stores a new token with its audit event, which names `by` when a person asked for it.
async fn issue_token(
    app: &App,
    by: Option<&Actor>,
    user_id: Id,
    name: &str,
    scope: Scope,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiToken, String)> {
    let now = app.now();
    let secret = new_secret(TOKEN_PREFIX)?;
    let token = ApiToken {
        id: Id::new(),
        user_id,
        name: name.trim().to_owned(),
        prefix: token_display_prefix(&secret),
        scope,
        expires_at,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    let mut conn = app.db.begin().await?;
    store::insert_token(&mut conn, &token, &token_hash(&secret)).await?;
    events::write(
        &mut conn,
        event(
            by,
            now,
            AuditAction::Created,
            RecordKind::ApiToken,
            token.id,
            vec![events::set("scope", scope.as_str())],
        ),
    )
    .await?;
    conn.commit().await?;
    Ok((token, secret))
}

/// Why a bearer token was refused; all answer 401. A token that exists comes along, so
/// that its refusal can be recorded on its user.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    Unknown,
    Expired(ApiToken),
    Revoked(ApiToken),
    InactiveUser(ApiToken),
}

impl Refusal {
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Unknown => "the token is not valid",
            Refusal::Expired(_) => "the token has expired",
            Refusal::Revoked(_) => "the token was revoked",
            Refusal::InactiveUser(_) => "the token's user is deactivated",
        }
    }

    /// The refused token, when it exists.
    pub fn token(&self) -> Option<&ApiToken> {
        match self {
            Refusal::Unknown => None,
            Refusal::Expired(t) | Refusal::Revoked(t) | Refusal::InactiveUser(t) => Some(t),
        }
    }

    /// The `reason` of the audit event.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown",
            Refusal::Expired(_) => "expired",
            Refusal::Revoked(_) => "revoked",
            Refusal::InactiveUser(_) => "inactive_user",
        }
    }
}

/// Records on its user that a known token was refused (`TokenRefused`, with the reason,
/// the token and the address). An unknown token has nobody to record it on.
pub async fn record_refusal(
    app: &App,
    refusal: &Refusal,
    client: &crate::auth::Client,
) -> Result<()> {
    let Some(token) = refusal.token() else {
        return Ok(());
    };
    let facts = vec![
        events::set("reason", refusal.reason()),
        events::set("token_id", token.id.to_string()),
    ];
    let refused = AuditAction::TokenRefused;
    crate::auth::record_client_event(app, client, app.now(), refused, token.user_id, facts).await
}

/// The user, token and role permissions behind a bearer token. A user without a role
/// (from before roles) has every permission.
pub async fn authenticate(
    app: &App,
    secret: &str,
) -> Result<std::result::Result<(User, ApiToken, Grant), Refusal>> {
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
        return Ok(Err(Refusal::Unknown));
    }
    let now = app.now();
    let mut conn = app.db.reader().await?;
    let Some((token, user, grant)) = store::token_by_hash(&mut conn, &token_hash(secret)).await?
    else {
        return Ok(Err(Refusal::Unknown));
    };
    drop(conn);
    if token.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked(token)));
    }
    if token.expires_at.is_some_and(|e| e <= now) {
        return Ok(Err(Refusal::Expired(token)));
    }
    if !user.active {
        return Ok(Err(Refusal::InactiveUser(token)));
    }
    // Record use at most once a minute, so that reads do not all become writes.
    if token
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        let mut conn = app.db.begin().await?;
        store::touch_token(&mut conn, token.id, now).await?;
        conn.commit().await?;
    }
    Ok(Ok((
        user,
        token,
        grant.unwrap_or_else(Grant::administrator),
    )))
}

/// The acting user.
pub async fn me(app: &App, actor: &Actor) -> Result<User> {
    let mut conn = app.db.reader().await?;
    store::by_id(&mut conn, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// What a user asks for when making a token for themselves.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for, e.g. "Zapier" or "import script".
    pub name: String,
    /// `read`, `write` or `admin`; never more than the caller has.
    pub scope: Scope,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The actor's own tokens, newest first, revoked ones included.
pub async fn my_tokens(app: &App, actor: &Actor) -> Result<Vec<ApiToken>> {
    let mut conn = app.db.reader().await?;
    Ok(store::tokens_of(&mut conn, actor.user_id).await?)
}

/// A token for the actor; a token never sees more than the one who made it.
pub async fn create_my_token(
    app: &App,
    actor: &Actor,
    req: TokenRequest,
) -> Result<(ApiToken, String)> {
    let mut c = Check::new();
    c.required("name", &req.name);
    c.max_chars("name", req.name.trim(), 100);
    if !actor.scope.allows(req.scope) {
        c.add(
            "scope",
            cartera_core::Code::Invalid,
            format!(
                "cannot be more than your own '{}' scope",
                actor.scope.as_str()
            ),
        );
    }
    if req.expires_at.is_some_and(|e| e <= app.now()) {
        c.add(
            "expires_at",
            cartera_core::Code::OutOfRange,
            "must be in the future",
        );
    }
    c.finish()?;
    issue_token(
        app,
        Some(actor),
        actor.user_id,
        &req.name,
        req.scope,
        req.expires_at,
    )
    .await
}

/// Revokes one of the actor's tokens: it stops working at once.
pub async fn revoke_my_token(app: &App, actor: &Actor, id: Id) -> Result<ApiToken> {
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if !store::revoke_token(&mut conn, id, actor.user_id, now).await? {
        // Someone else's token, an unknown id, or one already revoked.
        return Err(AppError::NotFound);
    }
    events::write(
        &mut conn,
        actor.at(now).event(
            AuditAction::Deleted,
            RecordKind::ApiToken,
            id,
            vec![events::set(
                "revoked_at",
                serde_json::to_value(now).unwrap_or_default(),
            )],
        ),
    )
    .await?;
    let token = store::tokens_of(&mut conn, actor.user_id)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)?;
    conn.commit().await?;
    Ok(token)
}

/// One user of the team.
pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<User> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    store::by_id(&mut conn, id).await?.ok_or(AppError::NotFound)
}

/// A person an admin adds to the team.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// Default: the `sales_rep` role.
    pub role_id: Option<Id>,
    /// `es` (default) or `en`.
    pub locale: Option<String>,
    /// Default: America/Argentina/Buenos_Aires.
    pub time_zone: Option<String>,
}

/// What an admin changes on a user; absent fields stay.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// Applies from the user's next request.
    pub role_id: Option<Id>,
    pub name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    /// `false` ends the user's sessions at once and stops their tokens.
    pub active: Option<bool>,
}

fn check_profile(u: &User, c: &mut Check) {
    validate_user(&u.email, &u.name, c);
    cartera_core::users::validate_locale(&u.locale, c);
    cartera_core::users::validate_time_zone(&u.time_zone, c);
}

/// Adds a user with a role; they log in once they have a password.
pub async fn invite(app: &App, actor: &Actor, input: NewUser) -> Result<User> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let user = User {
        id: Id::new(),
        email: input.email.trim().to_lowercase(),
        name: input.name.trim().to_owned(),
        locale: input.locale.unwrap_or_else(|| "es".into()),
        time_zone: input
            .time_zone
            .unwrap_or_else(|| "America/Argentina/Buenos_Aires".into()),
        active: true,
        role_id: None,
        created_at: now,
    };
    let mut c = Check::new();
    check_profile(&user, &mut c);
    c.finish()?;
    let mut conn = app.db.begin().await?;
    if store::by_email(&mut conn, &user.email).await?.is_some() {
        return Err(AppError::Invalid(cartera_core::Violations::one(
            "email",
            cartera_core::Code::Duplicate,
            "another user has this email",
        )));
    }
    let role = match input.role_id {
        Some(id) => cartera_store::roles::get(&mut conn, id).await?,
        None => cartera_store::roles::by_key(&mut conn, "sales_rep").await?,
    }
    .ok_or_else(|| {
        AppError::Invalid(cartera_core::Violations::one(
            "role_id",
            cartera_core::Code::NotFound,
            "there is no such role",
        ))
    })?;
    let user = User {
        role_id: Some(role.id),
        ..user
    };
    store::insert(&mut conn, &user).await?;
    events::write(
        &mut conn,
        actor.at(now).event(
            AuditAction::Created,
            RecordKind::User,
            user.id,
            vec![
                events::set("email", user.email.clone()),
                events::set("role", role.key),
            ],
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(user)
}

/// Changes a user's role, name, language, time zone or whether they may log in.
pub async fn update(app: &App, actor: &Actor, id: Id, change: UserChange) -> Result<User> {
    actor.permit(Module::Settings, Action::Admin)?;
    if change.active == Some(false) && id == actor.user_id {
        return Err(AppError::Invalid(cartera_core::Violations::one(
            "active",
            cartera_core::Code::Invalid,
            "you cannot deactivate yourself; ask another administrator",
        )));
    }
    if let Some(role) = change.role_id {
        crate::roles::assign(app, actor, id, role).await?;
    }
    write_profile(app, actor, id, change).await
}

/// What anyone changes on themselves.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    pub name: Option<String>,
    /// `es` or `en`: the language of the interface and of emails.
    pub locale: Option<String>,
    /// IANA time zone, for dates and reminders.
    pub time_zone: Option<String>,
}

/// The actor's own name, language and time zone.
pub async fn update_me(app: &App, actor: &Actor, change: ProfileChange) -> Result<User> {
    let change = UserChange {
        name: change.name,
        locale: change.locale,
        time_zone: change.time_zone,
        ..UserChange::default()
    };
    write_profile(app, actor, actor.user_id, change).await
}

async fn write_profile(app: &App, actor: &Actor, id: Id, change: UserChange) -> Result<User> {
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if change.active == Some(false) {
        // A deactivation may take the last administrator away (see `ensure_an_admin`).
        cartera_store::roles::lock_admin_changes(&mut conn).await?;
    }
    let old = store::by_id(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut new = old.clone();
    if let Some(n) = change.name {
        new.name = n.trim().to_owned();
    }
    if let Some(l) = change.locale {
        new.locale = l;
    }
    if let Some(t) = change.time_zone {
        new.time_zone = t;
    }
    if let Some(a) = change.active {
        new.active = a;
    }
    let mut c = Check::new();
    check_profile(&new, &mut c);
    c.finish()?;
    if new == old {
        return Ok(old);
    }
    store::update_profile(&mut conn, &new, now).await?;
    if !new.active {
        crate::roles::ensure_an_admin(&mut conn).await?;
        cartera_store::sessions::delete_of_user(&mut conn, id, None).await?;
    }
    let changes = changed_fields(Some(&old), &new, &["name", "locale", "time_zone", "active"]);
    events::write(&mut conn, account_event(actor, now, id, changes)).await?;
    conn.commit().await?;
    Ok(new)
}

/// The names of colleagues, to show who owns or changed a record. Anyone signed in may
/// read them: a name says less than the records that show it.
pub async fn names(app: &App, ids: &[Id]) -> Result<std::collections::HashMap<Id, String>> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut conn = app.db.reader().await?;
    for id in ids.iter().copied().collect::<HashSet<Id>>() {
        if let Some(u) = store::by_id(&mut conn, id).await? {
            out.insert(id, u.name);
        }
    }
    Ok(out)
}

/// Whom the actor may make the owner of a record they create, by name, themselves
/// first: everyone active when their role sees every record, else the people whose
/// records they see (themselves, and their teams' members with the `team` view). Giving
/// a record to someone outside that view would hide it from its creator.
pub async fn assignable(app: &App, actor: &Actor) -> Result<Vec<(Id, String)>> {
    let mut conn = app.db.reader().await?;
    let mut people: Vec<(Id, String)> = store::list(&mut conn)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .filter(|u| actor.view.as_ref().is_none_or(|v| v.owners.contains(&u.id)))
        .map(|u| (u.id, u.name))
        .collect();
    people.sort_by_key(|(id, _)| *id != actor.user_id);
    Ok(people)
}
