//! Who a new account, contact or lead belongs to, as its create form shows it: the
//! owner field (pre-filled with the person creating it, a choice where their role sees
//! others' records) and, after the save, who got it when the territory rules gave it to
//! someone else (see `docs/decisions/access.md`).

use serde_json::{Value, json};

use cartera_core::Id;

use super::figures::territory_name;
use super::i18n::ArgValue;
use super::render::Me;
use crate::state::AppState;

/// The owner field's choices, the chosen one (`selected`, else the creator) marked.
pub async fn owner_choices(s: &AppState, me: &Me, selected: &str) -> Value {
    let me_id = me.actor().user_id;
    let people = cartera_app::users::assignable(&s.app, me.actor())
        .await
        .unwrap_or_else(|_| Vec::new());
    let chosen = selected.parse::<Id>().unwrap_or(me_id);
    let options: Vec<Value> = people
        .iter()
        .map(|(id, name)| {
            let label = if *id == me_id {
                me.page
                    .t_args("owner-you", &[("name", ArgValue::Text(name.clone()))])
            } else {
                name.clone()
            };
            json!({"value": id, "label": label, "selected": *id == chosen})
        })
        .collect();
    json!({
        // A role that sees only its own records owns what it creates: shown, not chosen.
        "fixed": options.len() <= 1,
        "value": chosen,
        "options": options,
    })
}

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
