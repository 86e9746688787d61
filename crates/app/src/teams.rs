//! Teams: who works with whom, for managers whose role sees their team's records.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::audit::AuditAction;
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module, Team};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::teams as store;

use crate::records::{changed_fields, event};

/// What the audit trail records of a team.
const FIELDS: &[&str] = &["name", "manager_id", "member_ids"];
use crate::{Actor, App, AppError, Result};

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

async fn check(conn: &mut cartera_store::Conn, team: &Team) -> Result<()> {
    let mut c = Check::new();
    c.required("name", &team.name);
    c.max_chars("name", &team.name, 80);
    if store::name_taken(conn, &team.name, Some(team.id)).await? {
        c.add("name", Code::Duplicate, "another team has this name");
    }
    crate::users::check_people(
        conn,
        &mut c,
        ("manager_id", team.manager_id),
        &team.member_ids,
    )
    .await?;
    c.finish()?;
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, input: NewTeam) -> Result<Team> {
    actor.permit(Module::Settings, Action::Admin)?;
    let mut member_ids = input.member_ids;
    member_ids.sort();
    member_ids.dedup();
    let team = Team {
        id: Id::new(),
        name: input.name.trim().to_owned(),
        manager_id: input.manager_id,
        member_ids,
        version: 1,
        updated_at: app.now(),
    };
    let mut conn = app.db.begin().await?;
    check(&mut conn, &team).await?;
    store::insert(&mut conn, &team, team.updated_at).await?;
    let ev = event(
        Some(actor),
        team.updated_at,
        AuditAction::Created,
        RecordKind::Setting,
        team.id,
        changed_fields(None, &team, FIELDS),
    );
    cartera_store::audit::insert(&mut conn, &[ev]).await?;
    conn.commit().await?;
    Ok(team)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: TeamChange,
    if_match: Option<i64>,
) -> Result<Team> {
    actor.permit(Module::Settings, Action::Admin)?;
    let mut conn = app.db.begin().await?;
    let old = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    crate::check_version(if_match, old.version)?;
    let mut team = old.clone();
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
    check(&mut conn, &team).await?;
    if team == old {
        return Ok(old);
    }
    team.version += 1;
    team.updated_at = app.now();
    if !store::update(&mut conn, &team, old.version).await? {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Conflict,
            "the team changed while this request ran; read it again",
        )));
    }
    let ev = event(
        Some(actor),
        team.updated_at,
        AuditAction::Updated,
        RecordKind::Setting,
        team.id,
        changed_fields(Some(&old), &team, FIELDS),
    );
    cartera_store::audit::insert(&mut conn, &[ev]).await?;
    conn.commit().await?;
    Ok(team)
}
