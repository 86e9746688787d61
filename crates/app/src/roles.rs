//! Roles an admin defines and assigns; they apply from the next request on.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use cartera_core::audit::AuditAction;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{
    ADMIN_KEY, Action, Module, Permissions, Role, Visibility, allows, validate_role,
};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::roles as store;

use crate::events;
use crate::versioned::{self, Versioned};
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
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn).await?)
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Role> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    store::get(&mut conn, id).await?.ok_or(AppError::NotFound)
}

impl Versioned for Role {
    const KIND: RecordKind = RecordKind::Setting;
    const MODULE: Module = Module::Settings;

    fn id(&self) -> Id {
        self.id
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn stamp(&mut self, version: i64, now: DateTime<Utc>) {
        self.version = version;
        self.updated_at = now;
    }

    async fn load(conn: &mut Conn, id: Id) -> Result<Option<Self>> {
        Ok(store::get(conn, id).await?)
    }

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

    async fn insert(conn: &mut Conn, role: &Self, _now: DateTime<Utc>) -> Result<()> {
        Ok(store::insert(conn, role).await?)
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

    fn conflict(_old: &Self) -> AppError {
        AppError::Conflict("the role changed while this request ran; read it again".into())
    }

    /// The name and visibility as they read, the permissions as one matrix.
    fn changes(old: Option<&Self>, role: &Self) -> Vec<FieldChange> {
        let as_json = |r: &Role| serde_json::to_value(&r.permissions).unwrap_or(Value::Null);
        let mut changes = Vec::new();
        if old.is_none_or(|o| o.name != role.name) {
            changes.push(FieldChange {
                field: "name".into(),
                old: old.map_or(Value::Null, |o| o.name.clone().into()),
                new: role.name.clone().into(),
            });
        }
        if old.is_none_or(|o| o.visibility != role.visibility) {
            changes.push(FieldChange {
                field: "visibility".into(),
                old: old.map_or(Value::Null, |o| o.visibility.as_str().into()),
                new: role.visibility.as_str().into(),
            });
        }
        if old.is_none_or(|o| o.permissions != role.permissions) {
            changes.push(FieldChange {
                field: "permissions".into(),
                old: old.map_or(Value::Null, as_json),
                new: as_json(role),
            });
        }
        changes
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
    events::write(
        &mut conn,
        Some(actor),
        now,
        AuditAction::Updated,
        RecordKind::User,
        user,
        vec![FieldChange {
            field: "role".into(),
            old: before.map_or(Value::Null, |r| r.key.into()),
            new: role.key.into(),
        }],
    )
    .await?;
    conn.commit().await?;
    Ok(())
}
