//! Dunning: the policy (`/api/v1/dunning_policy`), running it by hand
//! (`/api/v1/dunning/run`) and customers' promises to pay
//! (`/api/v1/accounts/{id}/promises`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Serialize;
use utoipa::openapi::path::HttpMethod;

use cartera_app::billing::dunning::{self, RunSummary};
use cartera_core::billing::dunning::{DunningPolicy, Promise, PromiseInput};

use super::doc::{Api, Op, record_schema, register};
use super::extract::{Auth, Input, RecordId};
use super::records::record_response;
use crate::problem::ApiError;
use crate::state::AppState;

/// An account's promises to pay.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PromiseList {
    /// The latest promised day first.
    pub data: Vec<Promise>,
}

async fn get_policy(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<DunningPolicy>, ApiError> {
    Ok(Json(dunning::policy(&s.app, &actor).await?))
}

async fn put_policy(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(policy): Input<DunningPolicy>,
) -> Result<Json<DunningPolicy>, ApiError> {
    Ok(Json(dunning::set_policy(&s.app, &actor, policy).await?))
}

async fn run_now(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<RunSummary>, ApiError> {
    Ok(Json(dunning::run_now(&s.app, &actor).await?))
}

async fn create_promise(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<PromiseInput>,
) -> Result<Response, ApiError> {
    let activity = dunning::promise(&s.app, &actor, id, input).await?;
    let at = format!("/api/v1/activities/{}", activity.id);
    Ok(record_response(
        StatusCode::CREATED,
        &activity,
        activity.meta.version,
        Some(at),
    ))
}

async fn list_promises(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<PromiseList>, ApiError> {
    Ok(Json(PromiseList {
        data: dunning::promises(&s.app, &actor, id).await?,
    }))
}

pub fn mount(mut api: Api) -> Api {
    let activity =
        record_schema::<cartera_core::activities::ActivityData>(&mut api.schemas, "Activity");
    register::<PromiseInput>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/dunning_policy",
        get(get_policy),
        Op::new("billing", "get_dunning_policy", "The dunning policy")
            .describe(
                "The levels of collections reminders: at each `days_overdue`, an email to \
                 the customer (`subject_es`/`body_es` or `subject_en`/`body_en`, by the \
                 language of the account's billing country), a collections call on the \
                 account owner's agenda (`task`), or both. Until an admin sets one: 7 days \
                 a reminder, 15 days a firmer email and a call, 30 days a final notice and \
                 a call. Whoever reads billing or the settings may read it.",
            )
            .answer::<DunningPolicy>(200, "The policy")
            .problems(&[403]),
    )
    .route(
        HttpMethod::Put,
        "/api/v1/dunning_policy",
        put(put_policy),
        Op::new(
            "billing",
            "set_dunning_policy",
            "Replace the dunning policy (admin)",
        )
        .describe(
            "Billing or settings admins. The whole policy: 1 to 10 levels with increasing \
             `days_overdue` (1 to 365), each emailing, making a call task, or both; an \
             emailing level needs its subject (one line, up to 200 characters) and body \
             (up to 5000) in both languages, whose blanks are `{customer}`, `{invoice}`, \
             `{amount}`, `{due_date}` and `{days}`. A broken rule answers 422 naming \
             `levels[i].<field>` (`levels[i]` for a level that does nothing). \
             `enabled: false` stops every reminder.",
        )
        .body::<DunningPolicy>("The policy")
        .answer::<DunningPolicy>(200, "The policy as stored")
        .problems(&[400, 403, 409, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/dunning/run",
        post(run_now),
        Op::new("billing", "run_dunning", "Run the dunning policy now (admin)")
            .describe(
                "What the daily run does (at 11:00 UTC), today: every overdue invoice gets \
                 the highest level it has reached, unless that level ran for it before \
                 (a level never runs twice for an invoice, and a lower one never after a \
                 higher) or its customer promised to pay and the promised day has not \
                 passed. Emails go to the account's contact email labelled for billing, \
                 else its first contact's; the call to the account's owner. Each level run \
                 is an event on the account's timeline. Running it twice a day sends \
                 nothing new.",
            )
            .answer::<RunSummary>(
                200,
                "What it did: levels run, emails sent, tasks made, charges held back by a \
                 promise, and what was skipped and why",
            )
            .problems(&[403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/accounts/{id}/promises",
        post(create_promise),
        Op::new(
            "billing",
            "create_promise",
            "Record a customer's promise to pay",
        )
        .describe(
            "Written down as a done call on the account (`Promesa de pago: 15/12/2026 · \
             50.000,00 ARS`, in the writer's language, with the note), which answers; \
             reminders to the account pause until `promised_on` has passed. Deleting the \
             activity withdraws the promise. Needs billing edit. `promised_on` is today \
             or later, within a year; `amount` positive, to the cent.",
        )
        .path_param("id", "The account's id")
        .body::<PromiseInput>("The promised day, and optionally the amount and a note")
        .answer_schema(201, "The activity; `Location` says where to read it", activity)
        .problems(&[400, 403, 404, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/promises",
        get(list_promises),
        Op::new(
            "billing",
            "list_promises",
            "A customer's promises to pay",
        )
        .describe("Every promise, the latest promised day first; `in_force` says which holds reminders back today.")
        .path_param("id", "The account's id")
        .answer::<PromiseList>(200, "The promises")
        .problems(&[403, 404]),
    )
}
