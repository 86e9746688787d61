//! Teams and their members.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::roles::Team;

use crate::db::{Conn, Result, Sql};

/// Every team with its members, by name.
pub async fn list(c: &mut Conn) -> Result<Vec<Team>> {
    let mut teams: Vec<Team> = c
        .fetch_all(Sql::new(
            "SELECT id, name, manager_id, version, updated_at FROM teams ORDER BY name",
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(Team {
                id: r.id("id")?,
                name: r.text("name")?,
                manager_id: r.opt_id("manager_id")?,
                member_ids: Vec::new(),
                version: r.int("version")?,
                updated_at: r.time("updated_at")?,
            })
        })
        .collect::<Result<_>>()?;
    let mut members = crate::groups::members(c, "team_members", "team_id").await?;
    for t in &mut teams {
        t.member_ids = members.remove(&t.id).unwrap_or_default();
    }
    Ok(teams)
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Team>> {
    Ok(list(c).await?.into_iter().find(|t| t.id == id))
}

pub async fn name_taken(c: &mut Conn, name: &str, except: Option<Id>) -> Result<bool> {
    crate::groups::name_taken(c, "teams", name, except).await
}

async fn set_members(c: &mut Conn, team: Id, members: &[Id]) -> Result<()> {
    crate::groups::set_members(c, "team_members", "team_id", team, members).await
}

pub async fn insert(c: &mut Conn, t: &Team, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO teams (id, name, manager_id, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .arg(t.id)
        .arg(&t.name)
        .arg(t.manager_id)
        .arg(now)
        .arg(t.version),
    )
    .await?;
    set_members(c, t.id, &t.member_ids).await
}

/// Writes a changed team if it is still at `expected_version`; false if it moved on.
pub async fn update(c: &mut Conn, t: &Team, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE teams SET name = $1, manager_id = $2, updated_at = $3, version = $4 \
                 WHERE id = $5 AND version = $6",
            )
            .arg(&t.name)
            .arg(t.manager_id)
            .arg(t.updated_at)
            .arg(t.version)
            .arg(t.id)
            .arg(expected_version),
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    set_members(c, t.id, &t.member_ids).await?;
    Ok(true)
}

/// The people whose records someone with team visibility sees: themselves, and the
/// members of every team they manage or belong to.
pub async fn team_mates(c: &mut Conn, user: Id) -> Result<Vec<Id>> {
    let rows = c
        .fetch_all(
            Sql::new(
                "SELECT DISTINCT user_id FROM team_members WHERE team_id IN \
                 (SELECT id FROM teams WHERE manager_id = $1 \
                  UNION SELECT team_id FROM team_members WHERE user_id = $1)",
            )
            .arg(user),
        )
        .await?;
    let mut ids: Vec<Id> = rows
        .iter()
        .map(|r| r.id("user_id"))
        .collect::<Result<_>>()?;
    if !ids.contains(&user) {
        ids.push(user);
    }
    Ok(ids)
}

/// The teams a user belongs to or manages.
pub async fn teams_of(c: &mut Conn, user: Id) -> Result<Vec<Id>> {
    c.fetch_all(
        Sql::new(
            "SELECT id FROM teams WHERE manager_id = $1 \
             UNION SELECT team_id AS id FROM team_members WHERE user_id = $1",
        )
        .arg(user),
    )
    .await?
    .iter()
    .map(|r| r.id("id"))
    .collect()
}
