//! Saved views of the lists: `/api/v1/saved_views`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::views::{self, NewView, ViewChange};
use cartera_core::views::SavedView;

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, Input, QueryPairs, RecordId};
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<SavedView>>, ApiError> {
    q.only(&["kind"])?;
    Ok(Json(Page {
        data: views::list(&s.app, &actor, q.get("kind")).await?,
        next_cursor: None,
    }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let v = views::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &v, v.version, None))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewView>,
) -> Result<Response, ApiError> {
    let v = views::create(&s.app, &actor, input).await?;
    let location = format!("/api/v1/saved_views/{}", v.id);
    Ok(record_response(
        StatusCode::CREATED,
        &v,
        v.version,
        Some(location),
    ))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<ViewChange>,
) -> Result<Response, ApiError> {
    let v = views::update(&s.app, &actor, id, change, version).await?;
    Ok(record_response(StatusCode::OK, &v, v.version, None))
}

async fn remove(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    views::delete(&s.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn mount(mut api: Api) -> Api {
    let view = register::<SavedView>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "SavedViewPage", view.clone());
    register::<NewView>(&mut api.schemas);
    register::<ViewChange>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/saved_views",
        get(list),
        Op::new(
            "saved_views",
            "list_saved_views",
            "Saved views of the lists",
        )
        .describe(
            "The caller's own views and those shared with everyone, by kind and name; \
                 only views of kinds the caller may read.",
        )
        .query_with(
            "kind",
            "Only views of this list: accounts, contacts or leads.",
            super::doc::enum_schema(&["accounts", "contacts", "leads"]),
            false,
        )
        .answer_schema(200, "The views", page)
        .problems(&[400]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/saved_views",
        post(create),
        Op::new("saved_views", "create_saved_view", "Save a view of a list")
            .describe(
                "`query` holds the list's parameters in the list grammar of \
                 `GET /api/v1/{kind}` (`q`, `filter[...]`, `sort`; no `limit` or `cursor`) \
                 and is checked with it: a bad parameter is refused as `query.<parameter>` \
                 (e.g. `query.filter[colour]`). `columns` come from the kind's: accounts \
                 `name, kind, tax_id, city, province, country, owner, territory, tags, \
                 updated`; contacts `name, account, job_title, email, phone, owner, tags, \
                 updated`; leads `name, company, status, source, email, owner, tags, \
                 created, updated`. The name is unique among the caller's views of the kind \
                 (case aside).",
            )
            .body::<NewView>("Kind, name, query, columns and whether it is shared")
            .answer_schema(201, "The view", view.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/saved_views/{id}",
        get(read),
        Op::new("saved_views", "get_saved_view", "Read a saved view")
            .path_param("id", "The view's id")
            .answer_schema(200, "The view", view.clone())
            .problems(&[404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/saved_views/{id}",
        patch(update),
        Op::new("saved_views", "update_saved_view", "Change a saved view")
            .describe("Only the view's owner changes it; the same rules as creation apply.")
            .path_param("id", "The view's id")
            .header("If-Match", "The version the change is based on")
            .body::<ViewChange>("The fields to change")
            .answer_schema(200, "The view", view)
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/saved_views/{id}",
        delete(remove),
        Op::new("saved_views", "delete_saved_view", "Delete a saved view")
            .describe("Only the view's owner deletes it. Views hold no records: this is final.")
            .path_param("id", "The view's id")
            .answer_empty(204, "Deleted")
            .problems(&[403, 404]),
    )
}
