//! Territories: rules that place new accounts and leads and give them to an owner, and
//! the people who cover each territory.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::record::RecordKind;
use cartera_core::roles::Module;
use cartera_core::territories::{Rules, Territory};
use cartera_core::{Check, Code, Id};
use cartera_store::Conn;
use cartera_store::territories as store;

use crate::versioned::{self, Conflict, Versioned};
use crate::{Actor, App, Result};

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
    #[serde(default, deserialize_with = "versioned::present")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<Id>>,
    pub member_ids: Option<Vec<Id>>,
    pub active: Option<bool>,
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Territory>> {
    versioned::list(app, actor, store::list).await
}

/// Every territory's name by id, for reports that group by territory (a name is no
/// secret to whoever reads the report, even without the settings' rights).
pub async fn names(app: &App) -> Result<std::collections::HashMap<Id, String>> {
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect())
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Territory> {
    versioned::get(app, actor, id).await
}

impl Versioned for Territory {
    const KIND: RecordKind = RecordKind::Territory;
    const MODULE: Module = Module::Settings;
    const FIELDS: &'static [&'static str] = &[
        "name",
        "priority",
        "rules",
        "owner_id",
        "member_ids",
        "active",
    ];
    const CONFLICT: Conflict =
        Conflict::Violation("the territory changed while this request ran; read it again");
    versioned::stamped!();
    versioned::stored!(load: store::get, insert(now): store::insert, update: store::update);

    fn normalize(&mut self) {
        Territory::normalize(self);
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
        versioned::given!(change => t: name, priority, rules, owner_id, member_ids, active);
        Ok(())
    })
    .await
}
