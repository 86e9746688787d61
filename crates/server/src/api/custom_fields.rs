//! Custom field definitions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::custom_fields as app;
use cartera_core::Code;
use cartera_core::custom_fields::{CustomField, CustomFieldData};
use cartera_core::record::RecordKind;

use super::doc::{Api, Op, page_schema, record_schema};
use super::extract::{Auth, IfMatch, JsonBody, QueryPairs, RecordId};
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<CustomField>>, ApiError> {
    q.only(&["record_kind"])?;
    let kind = q
        .get("record_kind")
        .map(|k| {
            RecordKind::parse(k)
                .filter(|k| k.has_custom_fields())
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "record_kind",
                        Code::Invalid,
                        "must be account, contact or lead",
                    )
                })
        })
        .transpose()?;
    Ok(Json(Page {
        data: app::list(&s.app, &actor, kind).await?,
        next_cursor: None,
    }))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let f = app::create(&s.app, &actor, body).await?;
    Ok(record_response(
        StatusCode::CREATED,
        &f,
        f.meta.version,
        Some(format!("/api/v1/custom_fields/{}", f.id)),
    ))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let f = app::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &f, f.meta.version, None))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let f = app::update(&s.app, &actor, id, body, v).await?;
    Ok(record_response(StatusCode::OK, &f, f.meta.version, None))
}

async fn remove(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let f = app::delete(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &f, f.meta.version, None))
}

pub fn mount(mut api: Api) -> Api {
    let rec = record_schema::<CustomFieldData>(&mut api.schemas, "CustomField");
    let page = page_schema(&mut api.schemas, "CustomFieldPage", rec.clone());
    let tag = "custom_fields";
    api.route(
        HttpMethod::Get,
        "/api/v1/custom_fields",
        get(list),
        Op::new(tag, "list_custom_fields", "Custom field definitions")
            .query_with("record_kind", "account, contact or lead", super::doc::enum_schema(&["account", "contact", "lead"]), false)
            .answer_schema(200, "Definitions in form order", page)
            .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/custom_fields",
        post(create),
        Op::new(tag, "create_custom_field", "Define a custom field (admin)")
            .body::<CustomFieldData>("The definition")
            .answer_schema(201, "The definition", rec.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/custom_fields/{id}",
        get(read),
        Op::new(tag, "get_custom_field", "Read a definition")
            .path_param("id", "The definition's id")
            .answer_schema(200, "The definition", rec.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/custom_fields/{id}",
        patch(update),
        Op::new(tag, "update_custom_field", "Change a definition (admin)")
            .describe("Label, options, required, description and position change; kind, key and type are fixed.")
            .path_param("id", "The definition's id")
            .header("If-Match", "The version read.")
            .body::<CustomFieldData>("The fields to change (merge patch)")
            .answer_schema(200, "The definition", rec.clone())
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/custom_fields/{id}",
        delete(remove),
        Op::new(tag, "delete_custom_field", "Remove a definition (admin)")
            .describe("Values already stored stay in the records and come back if the key is defined again.")
            .path_param("id", "The definition's id")
            .answer_schema(200, "The removed definition", rec)
            .problems(&[403, 404]),
    )
}
