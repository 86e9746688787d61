//! `GET /api/v1/search`: every kind at once.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::search::{self, Hit};
use cartera_core::Code;

use super::doc::{Api, Op};
use super::extract::{Auth, QueryPairs};
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    data: Vec<Hit>,
}

async fn search(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<SearchAnswer>, ApiError> {
    q.only(&["q", "limit"])?;
    let per_kind = match q.get("limit") {
        None => 5,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=50).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_field(
                    "limit",
                    Code::OutOfRange,
                    "must be from 1 to 50",
                ));
            }
        },
    };
    let data = search::search(&s.app, &actor, q.get("q").unwrap_or(""), per_kind).await?;
    Ok(Json(SearchAnswer { data }))
}

pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Get,
        "/api/v1/search",
        get(search),
        Op::new(
            "search",
            "search",
            "Search accounts, contacts and leads at once",
        )
        .describe(
            "By any fragment of name, email, phone or tax id; accents and case do not matter.",
        )
        .query_with("q", "What to look for.", super::doc::string_schema(1), true)
        .query_with(
            "limit",
            "Matches per kind, 1 to 50 (default 5).",
            super::doc::int_schema(1, 50),
            false,
        )
        .answer::<SearchAnswer>(200, "Matches: accounts, then contacts, then leads")
        .problems(&[400, 403]),
    )
}
