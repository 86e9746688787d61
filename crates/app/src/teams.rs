//! Teams: who works with whom, for managers whose role sees their team's records.

use serde::Deserialize;
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module, Team};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::teams as store;

use crate::records::changed_fields;
use crate::versioned::{self, Versioned};
use crate::{Actor, App, AppError, Result};

/// What the audit trail records of a team.
const FIELDS: &[&str] = &["name", "manager_id", "member_ids"];

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
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub manager_id: Option<Option<Id>>,
    pub member_ids: Option<Vec<Id>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
pub(crate) fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<Id>>, D::Error> {
    Option::<Id>::deserialize(d).map(Some)
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Team>> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn).await?)
}

impl Versioned for Team {
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

    async fn insert(conn: &mut Conn, team: &Self, now: DateTime<Utc>) -> Result<()> {
        Ok(store::insert(conn, team, now).await?)
    }

    async fn update(
        conn: &mut Conn,
        team: &Self,
        expected: i64,
        _now: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(store::update(conn, team, expected).await?)
    }

    fn conflict(_old: &Self) -> AppError {
        AppError::Invalid(Violations::one(
            "",
            Code::Conflict,
            "the team changed while this request ran; read it again",
        ))
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        changed_fields(old, new, FIELDS)
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
        if let Some(m) = change.manager_id {
            team.manager_id = m;
        }
        if let Some(mut members) = change.member_ids {
            members.sort();
            members.dedup();
            team.member_ids = members;
        }
        Ok(())
    })
    .await
}
