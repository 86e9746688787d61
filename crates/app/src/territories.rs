//! Territories: rules that place new accounts and leads and give them to an owner, and
//! the people who cover each territory.

use serde::Deserialize;
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::territories::{Rules, Territory};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::territories as store;

use crate::records::changed_fields;
use crate::versioned::{self, Versioned};
use crate::{Actor, App, AppError, Result};

/// What the audit trail records of a territory.
const FIELDS: &[&str] = &[
    "name",
    "priority",
    "rules",
    "owner_id",
    "member_ids",
    "active",
];

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

impl Versioned for Territory {
    const KIND: RecordKind = RecordKind::Territory;
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

    fn normalize(&mut self) {
        Territory::normalize(self);
    }

    async fn load(conn: &mut Conn, id: Id) -> Result<Option<Self>> {
        Ok(store::get(conn, id).await?)
    }

    async fn validate(
        conn: &mut Conn,
        _old: Option<&Self>,
        t: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        t.validate(c);
        if store::name_taken(conn, &t.name, Some(t.id)).await? {
            c.add("name", Code::Duplicate, "another territory has this name");
        }
        crate::users::check_people(conn, c, ("owner_id", t.owner_id), &t.member_ids).await
    }

    async fn insert(conn: &mut Conn, t: &Self, now: DateTime<Utc>) -> Result<()> {
        Ok(store::insert(conn, t, now).await?)
    }

    async fn update(conn: &mut Conn, t: &Self, expected: i64, _now: DateTime<Utc>) -> Result<bool> {
        Ok(store::update(conn, t, expected).await?)
    }

    fn conflict(_old: &Self) -> AppError {
        AppError::Invalid(Violations::one(
            "",
            Code::Conflict,
            "the territory changed while this request ran; read it again",
        ))
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        changed_fields(old, new, FIELDS)
    }
}

pub async fn create(app: &App, actor: &Actor, input: NewTerritory) -> Result<Territory> {
    versioned::create(app, actor, |now, _| {
        Ok(Territory {
            id: Id::new(),
            name: input.name,
            priority: input.priority.unwrap_or(100),
            rules: input.rules,
            owner_id: input.owner_id,
            member_ids: input.member_ids,
            active: input.active.unwrap_or(true),
            version: 1,
            updated_at: now,
        })
    })
    .await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: TerritoryChange,
    if_match: Option<i64>,
) -> Result<Territory> {
    versioned::update(app, actor, id, if_match, |t: &mut Territory, _| {
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
        Ok(())
    })
    .await
}
