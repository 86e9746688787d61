//! Who got a new account, contact or lead when the territory rules gave it to someone
//! other than its creator (see `docs/decisions/access.md`); the owner field itself is
//! in `record_extras`.

use cartera_core::Id;

use super::figures::territory_name;
use super::i18n::ArgValue;
use super::render::Me;
use crate::state::AppState;

/// Where a created record's page is: with `placed=1` when someone else got it, so the
/// page says who.
pub fn created_url(me: &Me, seg: &str, id: Id, owner: Option<Id>) -> String {
    if owner.is_some_and(|o| o != me.actor().user_id) {
        format!("/{seg}/{id}?placed=1")
    } else {
        format!("/{seg}/{id}")
    }
}

/// On a record's page reached by [`created_url`]: who got the record, and through which
/// territory.
pub async fn notice(
    s: &AppState,
    me: &Me,
    owner: Option<Id>,
    territory: Option<Id>,
) -> Option<String> {
    if !me.page.target.contains("placed=1") {
        return None;
    }
    let owner = owner.filter(|o| *o != me.actor().user_id)?;
    let name = cartera_app::users::names(&s.app, &[owner])
        .await
        .ok()?
        .remove(&owner)?;
    Some(match territory_name(s, me, territory).await {
        Some(t) => me.page.t_args(
            "record-placed-territory",
            &[
                ("owner", ArgValue::Text(name)),
                ("territory", ArgValue::Text(t)),
            ],
        ),
        None => me
            .page
            .t_args("record-placed", &[("owner", ArgValue::Text(name))]),
    })
}
