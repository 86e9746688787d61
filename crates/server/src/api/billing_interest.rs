//! Late interest: a customer's preview, posting it as debit notes, and the run over
//! every overdue customer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use utoipa::openapi::path::HttpMethod;

use cartera_app::billing::interest::{self, AccountInterest, InterestInput, InterestRun};
use cartera_core::Code;
use cartera_core::billing::invoices::Invoice;

use super::doc::{Api, Op, date_schema, register};
use super::extract::{Auth, Input, QueryPairs, RecordId};
use crate::problem::ApiError;
use crate::state::AppState;

fn through(q: &QueryPairs) -> Result<Option<NaiveDate>, ApiError> {
    q.get("through")
        .map(|d| {
            d.parse()
                .map_err(|_| ApiError::bad_field("through", Code::Invalid, "a date as YYYY-MM-DD"))
        })
        .transpose()
}

async fn preview(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<AccountInterest>, ApiError> {
    q.only(&["through"])?;
    Ok(Json(
        interest::preview(&s.app, &actor, id, through(&q)?).await?,
    ))
}

async fn post_account(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<InterestInput>,
) -> Result<Response, ApiError> {
    let notes: Vec<Invoice> = interest::post(&s.app, &actor, id, input.through).await?;
    let status = if notes.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(notes)).into_response())
}

async fn post_all(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<InterestInput>,
) -> Result<Json<InterestRun>, ApiError> {
    Ok(Json(
        interest::post_all(&s.app, &actor, input.through).await?,
    ))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let preview_schema = register::<AccountInterest>(&mut api.schemas);
    let run_schema = register::<InterestRun>(&mut api.schemas);
    register::<InterestInput>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/interest",
        get(preview),
        Op::new(
            "billing",
            "preview_account_interest",
            "Preview a customer's late interest",
        )
        .describe(
            "What posting late interest up to `through` would charge, per currency: one \
             line per overdue charge with the days not charged yet, what was open on \
             each (a partial payment lowers it from its day), the monthly rates of \
             settings `billing.interest_rates` and the amount (open × monthly rate ÷ 100 \
             ÷ 30 per day, simple, rounded to the cent per charge). Writes nothing. A \
             day that needs a rate and has none answers 422 on `through` naming the \
             days.",
        )
        .path_param("id", "The account's id")
        .query_with(
            "through",
            "The last day counted (default today)",
            date_schema(),
            false,
        )
        .answer_schema(200, "The preview", preview_schema)
        .problems(&[400, 403, 404, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/accounts/{id}/interest",
        post(post_account),
        Op::new(
            "billing",
            "post_account_interest",
            "Post a customer's late interest",
        )
        .describe(
            "Issues one debit note per currency (`ND-...`, one exempt line naming the \
             charges, correcting the oldest invoice charged) for the days up to `through` (today \
             or earlier; default today) not charged yet, and records them, in one \
             transaction: 201 with the notes. Posting again up to the same day finds \
             nothing new: 200 with an empty list. A day without a rate answers 422 on \
             `through` naming the days, with nothing written.",
        )
        .path_param("id", "The account's id")
        .body::<InterestInput>("The last day charged (`{}`: today)")
        .answer_list::<Invoice>(201, "The debit notes issued")
        .answer_list::<Invoice>(200, "Nothing left to charge: an empty list")
        .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/receivables/interest",
        post(post_all),
        Op::new(
            "billing",
            "post_receivables_interest",
            "Post late interest for every overdue customer",
        )
        .describe(
            "As posting one customer's, for every customer with overdue charges the \
             caller sees. Every rate is checked before anything is written (a day \
             without one: 422 on `through`, nothing written); then each customer is \
             posted in its own transaction, so a run cut short is completed by running \
             it again. Answers how many customers and notes, and the total per currency.",
        )
        .body::<InterestInput>("The last day charged (`{}`: today)")
        .answer_schema(200, "What the run posted", run_schema)
        .problems(&[400, 403, 409, 415, 422]),
    )
}
