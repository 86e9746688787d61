//! Territories, the people who cover them, and who covers what.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::territories::Territory;

use crate::db::{Arg, Conn, Result, Sql};

/// Every territory with its members, by priority and name: the order rules apply in.
pub async fn list(c: &mut Conn) -> Result<Vec<Territory>> {
    let mut territories: Vec<Territory> = c
        .fetch_all(Sql::new(
            "SELECT id, name, priority, rules, owner_id, active, version, updated_at \
             FROM territories ORDER BY priority, name",
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(Territory {
                id: r.id("id")?,
                name: r.text("name")?,
                priority: i32::try_from(r.int("priority")?).unwrap_or(i32::MAX),
                rules: r.json("rules")?,
                owner_id: r.opt_id("owner_id")?,
                member_ids: Vec::new(),
                active: r.bool("active")?,
                version: r.int("version")?,
                updated_at: r.time("updated_at")?,
            })
        })
        .collect::<Result<_>>()?;
    let mut members = crate::groups::members(c, "territory_members", "territory_id").await?;
    for t in &mut territories {
        t.member_ids = members.remove(&t.id).unwrap_or_default();
    }
    Ok(territories)
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Territory>> {
    Ok(list(c).await?.into_iter().find(|t| t.id == id))
}

/// Which of `ids` are territories.
pub async fn existing(c: &mut Conn, ids: &[Id]) -> Result<HashSet<Id>> {
    // PostgreSQL refuses an empty `IN ()`.
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut sql = Sql::new("SELECT id FROM territories WHERE id IN (");
    sql.push_args(ids);
    sql.push(")");
    c.fetch_all(sql).await?.iter().map(|r| r.id("id")).collect()
}

pub async fn name_taken(c: &mut Conn, name: &str, except: Option<Id>) -> Result<bool> {
    crate::groups::name_taken(c, "territories", name, except).await
}

async fn set_members(c: &mut Conn, territory: Id, members: &[Id]) -> Result<()> {
    crate::groups::set_members(c, "territory_members", "territory_id", territory, members).await
}

pub async fn insert(c: &mut Conn, t: &Territory, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO territories \
             (id, name, priority, rules, owner_id, active, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .arg(t.id)
        .arg(&t.name)
        .arg(i64::from(t.priority))
        .arg(Arg::json(&t.rules))
        .arg(t.owner_id)
        .arg(t.active)
        .arg(now)
        .arg(t.version),
    )
    .await?;
    set_members(c, t.id, &t.member_ids).await
}

/// Writes a changed territory if it is still at `expected_version`; false if it moved on.
pub async fn update(c: &mut Conn, t: &Territory, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE territories SET name = $1, priority = $2, rules = $3, owner_id = $4, \
                 active = $5, updated_at = $6, version = $7 WHERE id = $8 AND version = $9",
            )
            .arg(&t.name)
            .arg(i64::from(t.priority))
            .arg(Arg::json(&t.rules))
            .arg(t.owner_id)
            .arg(t.active)
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

/// The territories a user covers.
pub async fn covered_by(c: &mut Conn, user: Id) -> Result<Vec<Id>> {
    c.fetch_all(Sql::new("SELECT territory_id FROM territory_members WHERE user_id = $1").arg(user))
        .await?
        .iter()
        .map(|r| r.id("territory_id"))
        .collect()
}
