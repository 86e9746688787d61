//! Notes by their own id: read, change, trash, restore.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use utoipa::openapi::Ref;
use utoipa::openapi::path::HttpMethod;

use cartera_app::notes;
use cartera_core::notes::NoteData;

use super::doc::{Api, Op};
use super::extract::{Auth, IfMatch, JsonBody, RecordId};
use super::records::record_response;
use crate::problem::ApiError;
use crate::state::AppState;

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let n = notes::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &n, n.meta.version, None))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let n = notes::update(&s.app, &actor, id, body, v).await?;
    Ok(record_response(StatusCode::OK, &n, n.meta.version, None))
}

async fn trash(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let n = notes::set_trashed(&s.app, &actor, id, true).await?;
    Ok(record_response(StatusCode::OK, &n, n.meta.version, None))
}

async fn restore(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let n = notes::set_trashed(&s.app, &actor, id, false).await?;
    Ok(record_response(StatusCode::OK, &n, n.meta.version, None))
}

pub fn mount(api: Api) -> Api {
    let note = || Ref::from_schema_name("Note");
    api.route(
        HttpMethod::Get,
        "/api/v1/notes/{id}",
        get(read),
        Op::new("notes", "get_note", "Read a note")
            .path_param("id", "The note's id")
            .answer_schema(200, "The note", note())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/notes/{id}",
        patch(update),
        Op::new("notes", "update_note", "Change a note's text")
            .path_param("id", "The note's id")
            .header(
                "If-Match",
                "The version read; answers 412 if the note changed since.",
            )
            .body::<NoteData>("The new text")
            .answer_schema(200, "The note", note())
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/notes/{id}",
        delete(trash),
        Op::new("notes", "delete_note", "Move a note to the trash")
            .path_param("id", "The note's id")
            .answer_schema(200, "The note, now in the trash", note())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/notes/{id}/restore",
        post(restore),
        Op::new("notes", "restore_note", "Bring a note back from the trash")
            .path_param("id", "The note's id")
            .answer_schema(200, "The note", note())
            .problems(&[403, 404, 409]),
    )
}
