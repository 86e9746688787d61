//! What teams and territories share: a unique name and a list of people.

use std::collections::BTreeMap;

use cartera_core::Id;

use crate::db::{Conn, Result, Sql};

/// Whether another row of `table` than `except` has this name.
pub(crate) async fn name_taken(
    c: &mut Conn,
    table: &'static str,
    name: &str,
    except: Option<Id>,
) -> Result<bool> {
    let rows = c
        .fetch_all(Sql::new(format!("SELECT id FROM {table} WHERE name = $1")).arg(name))
        .await?;
    for r in rows {
        if Some(r.id("id")?) != except {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Replaces the people of group `id` in `table` (`column` names the group) with `members`.
pub(crate) async fn set_members(
    c: &mut Conn,
    table: &'static str,
    column: &'static str,
    id: Id,
    members: &[Id],
) -> Result<()> {
    c.execute(Sql::new(format!("DELETE FROM {table} WHERE {column} = $1")).arg(id))
        .await?;
    if members.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(format!("INSERT INTO {table} ({column}, user_id) VALUES "));
    for (i, m) in members.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.push_arg(id);
        sql.push(", ");
        sql.push_arg(*m);
        sql.push(")");
    }
    c.execute(sql).await?;
    Ok(())
}

/// Every group's people in `table` (`column` names the group), by group.
pub(crate) async fn members(
    c: &mut Conn,
    table: &'static str,
    column: &'static str,
) -> Result<BTreeMap<Id, Vec<Id>>> {
    let mut out: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
    for r in c
        .fetch_all(Sql::new(format!(
            "SELECT {column}, user_id FROM {table} ORDER BY user_id"
        )))
        .await?
    {
        out.entry(r.id(column)?).or_default().push(r.id("user_id")?);
    }
    Ok(out)
}
