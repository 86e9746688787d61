//! Who may see which record: ownership, territory, shares, and the records visible
//! through their account.

use std::collections::HashSet;

use cartera_core::Id;
use cartera_core::record::Record;
use cartera_store::Conn;
use cartera_store::records::{self as store, Table};

use crate::{Actor, AppError, Result};

/// Loads a live record or answers 404.
pub async fn load_live<D: Table>(conn: &mut Conn, id: Id) -> Result<Record<D>> {
    match store::get::<D>(conn, id).await? {
        Some(r) if r.meta.deleted_at.is_none() => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

/// Which of `recs` are in the actor's view. Ownership and territory decide in memory;
/// the rest ask the store once, and only when a share or a contact's account could
/// still let them in.
pub(crate) async fn visible_of<D: Table>(
    conn: &mut Conn,
    actor: &Actor,
    recs: &[&Record<D>],
) -> Result<HashSet<Id>> {
    let Some(view) = &actor.view else {
        return Ok(recs.iter().map(|r| r.id).collect());
    };
    let mut yes = HashSet::new();
    let mut ask = Vec::new();
    for r in recs {
        if view.admits(r.data.owner_id(), r.data.territory_id()) {
            yes.insert(r.id);
        } else {
            ask.push(r.id);
        }
    }
    let through_account =
        D::TERRITORY == store::TerritoryLink::ThroughAccount && !view.territories.is_empty();
    if !ask.is_empty() && (through_account || !view.grantees.is_empty()) {
        yes.extend(store::in_view::<D>(conn, &ask, view).await?);
    }
    Ok(yes)
}

/// Refuses a record outside the actor's view as if it did not exist (404), so that ids
/// cannot be probed.
pub(crate) async fn in_view<D: Table>(
    conn: &mut Conn,
    actor: &Actor,
    r: Record<D>,
) -> Result<Record<D>> {
    if visible_of(conn, actor, &[&r]).await?.contains(&r.id) {
        Ok(r)
    } else {
        Err(AppError::NotFound)
    }
}

/// Which of `ids` are live records of kind `D` in the actor's view.
pub(super) async fn visible_ids<D: Table>(
    conn: &mut Conn,
    actor: &Actor,
    ids: &[Id],
) -> Result<HashSet<Id>> {
    let found = store::get_many::<D>(conn, ids).await?;
    let live: Vec<&Record<D>> = found
        .iter()
        .filter(|r| r.meta.deleted_at.is_none())
        .collect();
    visible_of(conn, actor, &live).await
}

/// A live record the actor may see, or 404.
pub async fn load_visible<D: Table>(conn: &mut Conn, actor: &Actor, id: Id) -> Result<Record<D>> {
    let r = load_live::<D>(conn, id).await?;
    in_view(conn, actor, r).await
}
