//! Monthly statements: one customer's choice (`/api/v1/accounts/{id}/statement/schedule`)
//! and running today's by hand (`/api/v1/statements/run`).

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post, put};
use utoipa::openapi::path::HttpMethod;

use cartera_app::billing::statements::{self, Schedule, ScheduleInput, StatementRun};

use super::doc::{Api, Op};
use super::extract::{Auth, Input, RecordId};
use crate::problem::ApiError;
use crate::state::AppState;

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(statements::schedule(&s.app, &actor, id).await?))
}

async fn write(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<ScheduleInput>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(
        statements::set_schedule(&s.app, &actor, id, input).await?,
    ))
}

async fn run_now(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<StatementRun>, ApiError> {
    Ok(Json(statements::run_now(&s.app, &actor).await?))
}

pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/statement/schedule",
        get(read),
        Op::new(
            "billing",
            "get_statement_schedule",
            "A customer's monthly statements",
        )
        .describe(
            "Whether the customer gets the monthly statement (`monthly`), the company's \
             schedule (settings `billing.statements`: `monthly`, default true, and `day` of \
             the month, 1 to 28, default 1) and the last twelve sent, with where each \
             went or why it did not (`email_error`, `no_email` when the customer has no \
             address).",
        )
        .path_param("id", "The account")
        .answer::<Schedule>(200, "The customer's monthly statements")
        .problems(&[400, 403, 404]),
    )
    .route(
        HttpMethod::Put,
        "/api/v1/accounts/{id}/statement/schedule",
        put(write),
        Op::new(
            "billing",
            "set_statement_schedule",
            "Take a customer off the monthly statements, or back on",
        )
        .describe("Billing edit. `{\"monthly\": false}` stops them; audited on the account.")
        .path_param("id", "The account")
        .body::<ScheduleInput>("Whether the customer gets them")
        .answer::<Schedule>(200, "The customer's monthly statements")
        .problems(&[400, 403, 404, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/statements/run",
        post(run_now),
        Op::new(
            "billing",
            "run_statements",
            "Send today's monthly statements now (admin)",
        )
        .describe(
            "What the daily run does (at 10:00 UTC): from the company's day of the month \
             on, each customer that owed at the end of the month before and is not taken \
             off them gets that month's statement (from its first to its last day) with \
             its PDF, by email to the contact labelled for billing, else the first contact \
             with an address, in the language of its billing country; once per month and \
             currency, so running it again sends nothing new. Each send is an event on the \
             account's timeline.",
        )
        .answer::<StatementRun>(200, "What it did")
        .problems(&[403]),
    )
}
