//! Teams: who works with whom, for managers whose role sees their team's records.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::record::RecordKind;
use cartera_core::roles::{Module, Team};
use cartera_core::{Check, Code, Id};
use cartera_store::Conn;
use cartera_store::teams as store;

use crate::versioned::{self, Conflict, Versioned};
use crate::{Actor, App, Result};

/// A new team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
    pub manager_id: Option<Id>,
    #[serde(default)]
    pub member_ids: Vec<Id>,
}

/// A change to a team; absent fields stay, `member_ids` replaces the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamChange {
    pub name: Option<String>,
    /// A user id, or `null` for no manager.
    #[serde(default, deserialize_with = "versioned::present")]
    #[schema(value_type = Option<String>)]
    pub manager_id: Option<Option<Id>>,
    pub member_ids: Option<Vec<Id>>,
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Team>> {
    versioned::list(app, actor, store::list).await
}

impl Versioned for Team {
    const KIND: RecordKind = RecordKind::Setting;
    const MODULE: Module = Module::Settings;
    const FIELDS: &'static [&'static str] = &["name", "manager_id", "member_ids"];
    const CONFLICT: Conflict =
        Conflict::Violation("the team changed while this request ran; read it again");
    versioned::stamped!();
    versioned::stored!(load: store::get, insert(now): store::insert, update: store::update);

    async fn validate(
        conn: &mut Conn,
        _old: Option<&Self>,
        team: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        c.required("name", &team.name);
        c.max_chars("name", &team.name, 80);
        if store::name_taken(conn, &team.name, Some(team.id)).await? {
            c.add("name", Code::Duplicate, "another team has this name");
        }
        crate::users::check_people(conn, c, ("manager_id", team.manager_id), &team.member_ids).await
    }
}

pub async fn create(app: &App, actor: &Actor, input: NewTeam) -> Result<Team> {
    versioned::create(app, actor, |now, _| {
        let mut member_ids = input.member_ids;
        member_ids.sort();
        member_ids.dedup();
        Ok(Team {
            id: Id::new(),
            name: input.name.trim().to_owned(),
            manager_id: input.manager_id,
            member_ids,
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
    change: TeamChange,
    if_match: Option<i64>,
) -> Result<Team> {
    versioned::update(app, actor, id, if_match, |team: &mut Team, _| {
        if let Some(n) = change.name {
            team.name = n.trim().to_owned();
        }
        versioned::given!(change => team: manager_id);
        if let Some(mut members) = change.member_ids {
            members.sort();
            members.dedup();
            team.member_ids = members;
        }
        Ok(())
    })
    .await
}
