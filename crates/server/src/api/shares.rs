//! Sharing accounts, contacts and leads with users and teams.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use utoipa::openapi::path::HttpMethod;

use cartera_app::records::Kind;
use cartera_app::shares::{self, NewShare};
use cartera_core::Id;
use cartera_core::shares::Share;

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, Input, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

async fn list<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Page<Share>>, ApiError> {
    Ok(Json(Page {
        data: shares::list::<D>(&s.app, &actor, id).await?,
        next_cursor: None,
    }))
}

async fn create<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<NewShare>,
) -> Result<(StatusCode, Json<Share>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(shares::create::<D>(&s.app, &actor, id, input).await?),
    ))
}

async fn remove<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Path((id, share)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let parse = |s: &str| s.parse::<Id>().map_err(|_| ApiError::not_found());
    shares::delete::<D>(&s.app, &actor, parse(&id)?, parse(&share)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mounts `/api/v1/{plural}/{id}/shares` for kind `D`.
pub fn mount<D: Kind>(mut api: Api) -> Api {
    let plural = D::KIND.plural();
    let one = D::KIND.as_str();
    let share = register::<Share>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "SharePage", share.clone());
    register::<NewShare>(&mut api.schemas);
    let path = format!("/api/v1/{plural}/{{id}}/shares");
    api.route(
        HttpMethod::Get,
        &path,
        get(list::<D>),
        Op::new(
            plural,
            &format!("list_{one}_shares"),
            &format!("Who a {one} is shared with"),
        )
        .path_param("id", "The record's id")
        .answer_schema(200, "Shares, oldest first", page)
        .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        &path,
        axum::routing::post(create::<D>),
        Op::new(
            plural,
            &format!("share_{one}"),
            &format!("Share a {one} with a user or a team"),
        )
        .describe(
            "The user, or every member and the manager of the team, then sees the record \
                 in lists, searches and timelines as if it were in their portfolio; their \
                 role still decides what they may do with it. Needs the right to edit it. \
                 Answers 409 when it is already shared with them.",
        )
        .path_param("id", "The record's id")
        .body::<NewShare>("`user_id` or `team_id`")
        .answer_schema(201, "The share", share)
        .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        &format!("{path}/{{share_id}}"),
        delete(remove::<D>),
        Op::new(
            plural,
            &format!("unshare_{one}"),
            &format!("Stop sharing a {one}"),
        )
        .path_param("id", "The record's id")
        .path_param("share_id", "The share's id")
        .answer_empty(204, "The share is gone")
        .problems(&[403, 404]),
    )
}
