//! Record pickers: the type-ahead input a form uses to point at an account, contact, lead
//! or deal (`shared/picker.html`, driven by `app.js`). It asks for a few matches as the
//! person types instead of listing every record, so it works with 200,000 accounts.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use std::collections::HashMap;

use cartera_app::{AppError, records, search};
use cartera_core::Id;
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::record::RecordKind;

use super::render::Me;
use crate::state::AppState;

/// How many matches the list under the input shows.
const MATCHES: usize = 10;

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
    // A contact or a deal brings its account along: a form that has an empty account
    // picker fills it when one is chosen.
    let ids: Vec<Id> = hits.iter().map(|h| h.id).collect();
    let accounts_of = accounts_of(&s, &me, kind, &ids).await;
    let names =
        super::figures::account_names(&s, &me, &accounts_of.values().copied().collect::<Vec<_>>())
            .await;
    let hits: Vec<_> = hits
        .iter()
        .map(|h| {
            let account = accounts_of
                .get(&h.id)
                .and_then(|a| names.get(a).map(|n| (a, n)));
            json!({
                "id": h.id,
                "title": h.title,
                "subtitle": page.subtitle(h.kind, h.subtitle.clone()),
                "account_id": account.map(|(a, _)| a),
                "account_name": account.map(|(_, n)| n),
            })
        })
        .collect();
    page.render(
        StatusCode::OK,
        "shared/picker_options.html",
        json!({"q": text, "hits": hits}),
    )
}

/// The accounts of the contacts or deals among `ids` (nothing for other kinds).
async fn accounts_of(s: &AppState, me: &Me, kind: RecordKind, ids: &[Id]) -> HashMap<Id, Id> {
    if ids.is_empty() {
        return HashMap::new();
    }
    let params = [
        (
            "filter[id][in]".to_owned(),
            ids.iter().map(Id::to_string).collect::<Vec<_>>().join(","),
        ),
        ("limit".to_owned(), ids.len().to_string()),
    ];
    let pairs: Vec<(Id, Option<Id>)> = match kind {
        RecordKind::Contact => records::list::<ContactData>(&s.app, me.actor(), &params)
            .await
            .map(|l| l.rows.iter().map(|r| (r.id, r.data.account_id)).collect())
            .unwrap_or_default(),
        RecordKind::Deal => records::list::<DealData>(&s.app, me.actor(), &params)
            .await
            .map(|l| l.rows.iter().map(|r| (r.id, r.data.account_id)).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .filter_map(|(id, a)| Some((id, a?)))
        .collect()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/pick/{kind}", axum::routing::get(options))
}
