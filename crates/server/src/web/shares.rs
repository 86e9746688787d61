//! The "Shared with" box of a record page: who else sees the record (users and teams),
//! with add and remove.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde_json::{Value, json};

use cartera_app::shares::{self, NewShare};
use cartera_app::{Actor, AppError};
use cartera_core::Id;
use cartera_core::shares::Grantee;

use cartera_app::records::Kind;

/// A kind whose page has the "Shared with" box: every record page kind (`records`
/// implements it for them), and deals.
pub trait Shareable: Kind + Send + Sync + 'static {
    /// Its path segment: `accounts`, `deals`.
    const SEG: &'static str;
}

impl Shareable for cartera_core::deals::DealData {
    const SEG: &'static str = "deals";
}
use super::render::{Me, Page, PageId, two_ids};
use crate::state::AppState;

/// The "Shared with" box's routes under a kind's pages.
pub fn routes<D: Shareable>() -> Router<AppState> {
    let s = D::SEG;
    Router::new()
        .route(&format!("/{s}/{{id}}/shares"), post(add::<D>))
        .route(
            &format!("/{s}/{{id}}/shares/{{share}}/remove"),
            post(remove::<D>),
        )
}

/// The box's context: the record's shares with names, and whom it may be shared with.
pub async fn ctx<D: Shareable>(s: &AppState, actor: &Actor, page: &Page, id: Id) -> Value {
    let list = shares::list::<D>(&s.app, actor, id)
        .await
        .unwrap_or_default();
    let users = cartera_app::users::list(&s.app, actor)
        .await
        .unwrap_or_default();
    let teams = cartera_app::teams::list(&s.app, actor)
        .await
        .unwrap_or_default();
    let user_names: HashMap<Id, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let team_names: HashMap<Id, String> = teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let shared: Vec<Value> = list
        .iter()
        .map(|sh| {
            let (kind, name) = match &sh.grantee {
                Grantee::User(u) => ("user", user_names.get(u).cloned()),
                Grantee::Team(t) => ("team", team_names.get(t).cloned()),
            };
            json!({
                "id": sh.id,
                "kind": kind,
                "kind_label": page.t(&format!("share-{kind}")),
                "name": name.unwrap_or_else(|| page.t("tl-someone")),
            })
        })
        .collect();
    let taken: Vec<Id> = list.iter().map(|sh| sh.grantee.id()).collect();
    let me = actor.user_id;
    json!({
        "url": format!("/{}/{id}/shares", <D as Shareable>::SEG),
        "list": shared,
        "users": users.iter()
            .filter(|u| u.active && u.id != me && !taken.contains(&u.id))
            .map(|u| json!({"value": format!("user:{}", u.id), "label": u.name}))
            .collect::<Vec<_>>(),
        "teams": teams.iter()
            .filter(|t| !taken.contains(&t.id))
            .map(|t| json!({"value": format!("team:{}", t.id), "label": t.name}))
            .collect::<Vec<_>>(),
    })
}

async fn answer<D: Shareable>(s: &AppState, me: &Me, id: Id, error: Option<String>) -> Response {
    let page = &me.page;
    if !page.htmx {
        return Redirect::to(&format!("/{}/{id}#shares", <D as Shareable>::SEG)).into_response();
    }
    // htmx swaps only successful answers; the box shows the error itself.
    let mut sh = ctx::<D>(s, me.actor(), page, id).await;
    sh["error"] = error.into();
    page.render(StatusCode::OK, "shared/shares.html", json!({"shares": sh}))
}

/// Shares the record with the chosen user or team (`grantee` = `user:<id>` or
/// `team:<id>`).
pub async fn add<D: Shareable>(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let raw = form.get("grantee").cloned().unwrap_or_default();
    let parsed = raw
        .split_once(':')
        .and_then(|(k, v)| Some((k.to_owned(), v.parse::<Id>().ok()?)));
    let input = match parsed {
        Some((k, g)) if k == "user" => NewShare {
            user_id: Some(g),
            team_id: None,
        },
        Some((k, g)) if k == "team" => NewShare {
            user_id: None,
            team_id: Some(g),
        },
        _ => {
            let msg = me.page.t("share-choose");
            return answer::<D>(&s, &me, id, Some(msg)).await;
        }
    };
    match shares::create::<D>(&s.app, me.actor(), id, input).await {
        Ok(_) => answer::<D>(&s, &me, id, None).await,
        Err(AppError::Invalid(_)) | Err(AppError::Conflict(_)) => {
            let msg = me.page.t("share-refused");
            answer::<D>(&s, &me, id, Some(msg)).await
        }
        Err(e) => me.page.error(e),
    }
}

/// Stops sharing the record with one user or team.
pub async fn remove<D: Shareable>(
    State(s): State<AppState>,
    me: Me,
    Path(raw): Path<(String, String)>,
) -> Response {
    let Some(id) = two_ids(&raw) else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let Ok(share) = raw.1.parse::<Id>() else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    match shares::delete::<D>(&s.app, me.actor(), id, share).await {
        Ok(()) => answer::<D>(&s, &me, id, None).await,
        Err(e) => me.page.error(e),
    }
}
