//! The job queue for admins: `/api/v1/jobs`.

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::jobs;
use cartera_app::notes::check_limit;
use cartera_core::Code;
use cartera_core::jobs::{Job, JobState};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, QueryPairs, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Job>>, ApiError> {
    q.only(&["state", "limit", "cursor"])?;
    let state = q
        .get("state")
        .map(|v| {
            JobState::parse(v).ok_or_else(|| {
                ApiError::bad_field("state", Code::Invalid, "queued, running, done or dead")
            })
        })
        .transpose()?;
    let limit = check_limit(q.get("limit"))?;
    let page = jobs::list(&s.app, &actor, state, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.jobs,
        next_cursor: page.next_cursor,
    }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Job>, ApiError> {
    Ok(Json(jobs::get(&s.app, &actor, id).await?))
}

async fn retry(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Job>, ApiError> {
    Ok(Json(jobs::retry(&s.app, &actor, id).await?))
}

pub fn mount(mut api: Api) -> Api {
    let job = register::<Job>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "JobPage", job.clone());
    api.route(
        HttpMethod::Get,
        "/api/v1/jobs",
        get(list),
        Op::new("jobs", "list_jobs", "Background jobs")
            .describe(
                "Newest first; for admins. Dead jobs failed every attempt and wait for an \
                 admin to retry them; `last_error` says why.",
            )
            .query_with(
                "state",
                "Only jobs in this state: queued, running, done or dead.",
                super::doc::enum_schema(&["queued", "running", "done", "dead"]),
                false,
            )
            .query("limit", "Page size, 1 to 500 (default 50).")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "Jobs", page)
            .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/jobs/{id}",
        get(read),
        Op::new("jobs", "get_job", "Read a background job")
            .path_param("id", "The job's id")
            .answer_schema(200, "The job", job.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/jobs/{id}/retry",
        post(retry),
        Op::new("jobs", "retry_job", "Retry a dead job")
            .describe(
                "Queues a dead job again, due now, with its attempts counted afresh. \
                 A job in any other state answers 409.",
            )
            .path_param("id", "The job's id")
            .answer_schema(200, "The job, queued", job)
            .problems(&[403, 404, 409]),
    )
}
