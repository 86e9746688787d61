//! What activities cost, per customer and per rep. (The activities themselves are
//! mounted by the generic record endpoints.)

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, patch};
use chrono::{DateTime, NaiveDate, Utc};
use utoipa::openapi::path::HttpMethod;

use cartera_app::activities::{self, CostSummary, OccurrenceChange, Period};
use cartera_core::activities::ActivityData;
use cartera_core::{Code, Id};

use super::doc::{Api, Op, record_schema};
use super::extract::{Auth, IfMatch, JsonBody, QueryPairs, RecordId};
use super::kinds::ApiKind;
use super::records::record_response;
use crate::problem::ApiError;
use crate::state::AppState;

fn period(q: &QueryPairs) -> Result<Period, ApiError> {
    q.only(&["from", "to"])?;
    let day = |key: &str| {
        q.get(key)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_field(key, Code::Invalid, "must be a date YYYY-MM-DD")
                })
            })
            .transpose()
    };
    Ok(Period {
        from: day("from")?,
        to: day("to")?,
    })
}

async fn account_costs(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<CostSummary>, ApiError> {
    let p = period(&q)?;
    Ok(Json(
        activities::account_costs(&s.app, &actor, id, p).await?,
    ))
}

async fn user_costs(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<CostSummary>, ApiError> {
    let p = period(&q)?;
    Ok(Json(activities::user_costs(&s.app, &actor, id, p).await?))
}

async fn change_occurrence(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Path((id, original)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id: Id = id.parse().map_err(|_| ApiError::not_found())?;
    let original: DateTime<Utc> = DateTime::parse_from_rfc3339(&original)
        .map_err(|_| {
            ApiError::bad_field(
                "original_start",
                Code::Invalid,
                "the occurrence's start as the series' rule gives it, RFC 3339 (2026-12-01T09:00:00Z)",
            )
        })?
        .with_timezone(&Utc);
    let rec = activities::change_occurrence(&s.app, &actor, id, original, body, v).await?;
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

pub fn mount(mut api: Api) -> Api {
    let rec = record_schema::<ActivityData>(&mut api.schemas, "Activity");
    let range = |op: Op| {
        op.query_with(
            "from",
            "First day counted (YYYY-MM-DD), by the activity's due date or start.",
            super::doc::date_schema(),
            false,
        )
        .query_with(
            "to",
            "Last day counted (YYYY-MM-DD), inclusive.",
            super::doc::date_schema(),
            false,
        )
        .answer::<CostSummary>(200, "Totals per currency")
        .problems(&[400, 403, 404])
    };
    api.route(
        HttpMethod::Patch,
        "/api/v1/activities/{id}/occurrences/{original_start}",
        patch(change_occurrence),
        Op::new("activities", "change_occurrence", "Change one occurrence of a series")
            .describe("Moves, renames, completes or cancels (`status: cancelled`) one occurrence of a recurring activity, leaving the rest of the series as it is. The change is kept as an override of that occurrence (`recurrence.overrides`), which calendars receive as an event with RECURRENCE-ID. Fields left out keep the occurrence's; moving the start moves the end with it.")
            .path_param("id", "The series' id")
            .path_param_with("original_start", "The occurrence's start as the rule gives it (before any move), RFC 3339 in UTC, e.g. 2026-12-01T09:00:00Z", super::doc::date_time_schema())
            .header("If-Match", "The series' version read (its ETag); answers 412 if it changed since.")
            .body::<OccurrenceChange>("What changes in this occurrence")
            .answer_schema(200, "The series, with the occurrence's override", rec)
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/activity_costs",
        get(account_costs),
        range(
            Op::new("activities", "account_activity_costs", "What the activities on an account cost")
                .describe("Sums the cost lines (travel, mileage, per diem, other) of the account's activities that the caller sees, one exact total per currency.")
                .path_param("id", "The account's id"),
        ),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/users/{id}/activity_costs",
        get(user_costs),
        range(
            Op::new("activities", "user_activity_costs", "What a rep's activities cost")
                .describe("Sums the cost lines of the activities the user owns that the caller sees, one exact total per currency.")
                .path_param("id", "The user's id"),
        ),
    )
}

impl ApiKind for ActivityData {
    const SCHEMA: &'static str = "Activity";
}
