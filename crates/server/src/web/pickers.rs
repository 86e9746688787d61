//! Record pickers: the type-ahead input a form uses to point at an account, contact, lead
//! or deal (`shared/picker.html`, driven by `app.js`). It asks for a few matches as the
//! person types instead of listing every record, so it works with 200,000 accounts.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use cartera_app::{AppError, search};
use cartera_core::record::RecordKind;

use super::render::Me;
use crate::state::AppState;

/// How many matches the list under the input shows.
const MATCHES: usize = 8;

/// The kinds a form may point at.
const PICKABLE: &[RecordKind] = &[
    RecordKind::Account,
    RecordKind::Contact,
    RecordKind::Lead,
    RecordKind::Deal,
];

#[derive(Deserialize, Default)]
pub struct PickQuery {
    #[serde(default)]
    q: String,
}

/// The matches of `q` among the records of one kind (`/pick/accounts?q=ferre`), as the
/// options of the picker's list.
pub async fn options(
    State(s): State<AppState>,
    me: Me,
    Path(kind): Path<String>,
    Query(q): Query<PickQuery>,
) -> Response {
    let page = &me.page;
    let Some(kind) = RecordKind::parse(&kind).filter(|k| PICKABLE.contains(k)) else {
        return page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let text = q.q.trim();
    let hits = match search::pick(&s.app, me.actor(), kind, text, MATCHES).await {
        Ok(h) => h,
        // A query the list refuses (too long) simply matches nothing.
        Err(AppError::BadQuery(_)) => Vec::new(),
        Err(e) => return page.error(e),
    };
    let hits: Vec<_> = hits
        .iter()
        .map(|h| {
            json!({
                "id": h.id,
                "title": h.title,
                "subtitle": page.subtitle(h.kind, h.subtitle.clone()),
            })
        })
        .collect();
    page.render(
        StatusCode::OK,
        "shared/picker_options.html",
        json!({"q": text, "hits": hits}),
    )
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/pick/{kind}", axum::routing::get(options))
}
