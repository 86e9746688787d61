//! Roles an admin defines and assigns; they apply from the next request on.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use cartera_core::record::RecordKind;
use cartera_core::roles::{
    ADMIN_KEY, Action, Module, Permissions, Role, Visibility, allows, validate_role,
};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::roles as store;

use crate::auth::account_event;
use crate::events;
use crate::versioned::{self, Conflict, Versioned};
use crate::{Actor, App, AppError, Result};

/// A new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    /// Lowercase letters, digits and underscores, e.g. `key_accounts`.
    pub key: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub permissions: Permissions,
    /// Whose accounts, contacts and leads holders see (default: all).
    #[serde(default)]
    pub visibility: Visibility,
}

/// A change to a role; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub name: Option<String>,
    /// The whole matrix: modules left out allow nothing.
    #[schema(value_type = Option<Object>)]
    pub permissions: Option<Permissions>,
    pub visibility: Option<Visibility>,
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Role>> {
    versioned::list(app, actor, store::list).await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Role> {
    versioned::get(app, actor, id).await
}

impl Versioned for Role {
    const KIND: RecordKind = RecordKind::Setting;
    const MODULE: Module = Module::Settings;
    const CONFLICT: Conflict =
        Conflict::Refused("the role changed while this request ran; read it again");
    /// The name and visibility as they read, the permissions as one matrix.
    const FIELDS: &'static [&'static str] = &["name", "visibility", "permissions"];
    versioned::stamped!();
    versioned::stored!(load: store::get, insert: store::insert);

    async fn validate(
        conn: &mut Conn,
        old: Option<&Self>,
        role: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        validate_role(&role.key, &role.name, c);
        // A key is given once: a taken one is said alone, after the role's own rules.
        if old.is_none() && c.is_ok() && store::by_key(conn, &role.key).await?.is_some() {
            return Err(AppError::Invalid(Violations::one(
                "key",
                Code::Duplicate,
                "another role has this key",
            )));
        }
        Ok(())
    }

    async fn update(
        conn: &mut Conn,
        role: &Self,
        expected: i64,
        _now: DateTime<Utc>,
    ) -> Result<bool> {
        // A role that loses `settings: admin` may leave nobody to administer.
        store::lock_admin_changes(conn).await?;
        let updated = store::update(conn, role, expected).await?;
        if updated {
            ensure_an_admin(conn).await?;
        }
        Ok(updated)
    }
}

pub async fn create(app: &App, actor: &Actor, input: NewRole) -> Result<Role> {
    versioned::create(app, actor, |now, _| {
        Ok(Role {
            id: Id::new(),
            key: input.key,
            name: input.name.trim().to_owned(),
            permissions: input.permissions,
            visibility: input.visibility,
            built_in: false,
            version: 1,
            updated_at: now,
        })
    })
    .await
}

/// Someone must be left who can administer: an active user whose role allows `admin`
/// on settings (or who has no role, from before roles). Checked inside the transaction
/// that would take the last one away, after its change, so that every path (a role
/// change, a deactivation, a role's permissions) answers the same refusal. That
/// transaction takes `store::lock_admin_changes` before it reads anything, so that two
/// such changes at once are checked one after the other.
pub(crate) async fn ensure_an_admin(conn: &mut Conn) -> Result<()> {
    let admin_roles: HashSet<Id> = store::list(conn)
        .await?
        .into_iter()
        .filter(|r| allows(&r.permissions, Module::Settings, Action::Admin))
        .map(|r| r.id)
        .collect();
    let users = cartera_store::users::list(conn).await?;
    let any = users
        .iter()
        .any(|u| u.active && u.role_id.is_none_or(|r| admin_roles.contains(&r)));
    if any {
        Ok(())
    } else {
        Err(AppError::LastAdmin)
    }
}

/// Changes a role; with `if_match`, only if it is still at that version.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: RoleChange,
    if_match: Option<i64>,
) -> Result<Role> {
    versioned::update(app, actor, id, if_match, |role: &mut Role, c| {
        if let Some(name) = change.name {
            role.name = name.trim().to_owned();
        }
        if let Some(p) = change.permissions {
            if role.key == ADMIN_KEY && p != role.permissions {
                c.add(
                    "permissions",
                    Code::ReadOnly,
                    "the administrator role always has every permission, so nobody is locked out",
                );
            }
            role.permissions = p;
        }
        if let Some(v) = change.visibility {
            if role.key == ADMIN_KEY && v != Visibility::All {
                c.add(
                    "visibility",
                    Code::ReadOnly,
                    "the administrator role always sees every record",
                );
            }
            role.visibility = v;
        }
        Ok(())
    })
    .await
}

/// Gives a user a role; it applies from their next request.
pub async fn assign(app: &App, actor: &Actor, user: Id, role_id: Id) -> Result<()> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::lock_admin_changes(&mut conn).await?;
    let Some(role) = store::get(&mut conn, role_id).await? else {
        return Err(AppError::Invalid(Violations::one(
            "role_id",
            Code::NotFound,
            "there is no such role",
        )));
    };
    let before = store::of_user(&mut conn, user).await?;
    if !store::set_user_role(&mut conn, user, role.id, now).await? {
        return Err(AppError::NotFound);
    }
    ensure_an_admin(&mut conn).await?;
    let change = events::change(
        "role",
        before.map_or(Value::Null, |r| r.key.into()),
        role.key,
    );
    events::write(&mut conn, account_event(actor, now, user, vec![change])).await?;
    conn.commit().await?;
    Ok(())
}
