//! The search box: live results under it (an htmx fragment), or a page of its own.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use cartera_app::search;
use cartera_core::record::RecordKind;

use super::render::Me;
use crate::state::AppState;

/// Matches of each kind the dropdown shows.
const PER_KIND: usize = 5;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// A result's page. Every kind in the search box (the kinds table's `searchable`) has one
/// at `/{plural}/{id}`; the web test opens a result of each.
fn href(kind: RecordKind, id: cartera_core::Id) -> String {
    format!("/{}/{id}", kind.plural())
}

pub async fn page(State(s): State<AppState>, me: Me, Query(q): Query<SearchQuery>) -> Response {
    let page = &me.page;
    let text = q.q.trim();
    let hits = if text.is_empty() {
        Vec::new()
    } else {
        match search::search(&s.app, me.actor(), text, PER_KIND).await {
            Ok(h) => h,
            Err(e) => return page.error(e),
        }
    };
    let hits: Vec<_> = hits
        .iter()
        .map(|h| {
            json!({
                "kind": h.kind,
                "kind_label": page.t(&format!("kind-{}", h.kind.as_str())),
                "title": h.title,
                "subtitle": page.subtitle(h.kind, h.subtitle.clone()),
                "href": href(h.kind, h.id),
            })
        })
        .collect();
    let template = if page.htmx {
        "search/search_results.html"
    } else {
        "search/search.html"
    };
    page.render(
        StatusCode::OK,
        template,
        json!({"q": text, "hits": hits, "nav": "search"}),
    )
}

/// The search page.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new().route("/search", get(page))
}
