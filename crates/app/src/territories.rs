//! Territories: rules that place new accounts and leads and give them to an owner, and
//! the people who cover each territory.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::audit::AuditAction;
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::territories::{Rules, Territory};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::territories as store;

use crate::records::{changed_fields, event};

/// What the audit trail records of a territory.
const FIELDS: &[&str] = &[
    "name",
    "priority",
    "rules",
    "owner_id",
    "member_ids",
    "active",
];
use crate::{Actor, App, AppError, Result};

/// A new territory.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTerritory {
    pub name: String,
    /// Lower goes first when several territories match (default 100).
    pub priority: Option<i32>,
    #[serde(default)]
    pub rules: Rules,
    /// Who new records of the territory go to, unless their creator names an owner.
    pub owner_id: Option<Id>,
    /// Who covers the territory (they see its records with `territory` visibility).
    #[serde(default)]
    pub member_ids: Vec<Id>,
    /// Default true.
    pub active: Option<bool>,
}

/// A change to a territory; absent fields stay, lists are replaced whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerritoryChange {
    pub name: Option<String>,
    pub priority: Option<i32>,
    pub rules: Option<Rules>,
    /// A user id, or `null` for none (new records stay with their creator).
    #[serde(default, deserialize_with = "crate::teams::present")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<Id>>,
    pub member_ids: Option<Vec<Id>>,
    pub active: Option<bool>,
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Territory>> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn).await?)
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Territory> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    store::get(&mut conn, id).await?.ok_or(AppError::NotFound)
}

async fn check(conn: &mut cartera_store::Conn, t: &Territory) -> Result<()> {
    let mut c = Check::new();
    t.validate(&mut c);
    if store::name_taken(conn, &t.name, Some(t.id)).await? {
        c.add("name", Code::Duplicate, "another territory has this name");
    }
    crate::users::check_people(conn, &mut c, ("owner_id", t.owner_id), &t.member_ids).await?;
    c.finish()?;
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, input: NewTerritory) -> Result<Territory> {
    actor.permit(Module::Settings, Action::Admin)?;
    let mut t = Territory {
        id: Id::new(),
        name: input.name,
        priority: input.priority.unwrap_or(100),
        rules: input.rules,
        owner_id: input.owner_id,
        member_ids: input.member_ids,
        active: input.active.unwrap_or(true),
        version: 1,
        updated_at: app.now(),
    };
    t.normalize();
    let mut conn = app.db.begin().await?;
    check(&mut conn, &t).await?;
    store::insert(&mut conn, &t, t.updated_at).await?;
    let ev = event(
        Some(actor),
        t.updated_at,
        AuditAction::Created,
        RecordKind::Territory,
        t.id,
        changed_fields(None, &t, FIELDS),
    );
    cartera_store::audit::insert(&mut conn, &[ev]).await?;
    conn.commit().await?;
    Ok(t)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: TerritoryChange,
    if_match: Option<i64>,
) -> Result<Territory> {
    actor.permit(Module::Settings, Action::Admin)?;
    let mut conn = app.db.begin().await?;
    let old = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    crate::check_version(if_match, old.version)?;
    let mut t = old.clone();
    if let Some(n) = change.name {
        t.name = n;
    }
    if let Some(p) = change.priority {
        t.priority = p;
    }
    if let Some(r) = change.rules {
        t.rules = r;
    }
    if let Some(o) = change.owner_id {
        t.owner_id = o;
    }
    if let Some(m) = change.member_ids {
        t.member_ids = m;
    }
    if let Some(a) = change.active {
        t.active = a;
    }
    t.normalize();
    check(&mut conn, &t).await?;
    if t == old {
        return Ok(old);
    }
    t.version += 1;
    t.updated_at = app.now();
    if !store::update(&mut conn, &t, old.version).await? {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Conflict,
            "the territory changed while this request ran; read it again",
        )));
    }
    let ev = event(
        Some(actor),
        t.updated_at,
        AuditAction::Updated,
        RecordKind::Territory,
        t.id,
        changed_fields(Some(&old), &t, FIELDS),
    );
    cartera_store::audit::insert(&mut conn, &[ev]).await?;
    conn.commit().await?;
    Ok(t)
}
