//! What activities cost, per customer and per rep. (The activities themselves are
//! mounted by the generic record endpoints.)

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use chrono::NaiveDate;
use utoipa::openapi::path::HttpMethod;

use cartera_app::activities::{self, CostSummary, Period};
use cartera_core::Code;

use super::doc::{Api, Op};
use super::extract::{Auth, QueryPairs, RecordId};
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

pub fn mount(api: Api) -> Api {
    let range = |op: Op| {
        op.query(
            "from",
            "First day counted (YYYY-MM-DD), by the activity's due date or start.",
        )
        .query("to", "Last day counted (YYYY-MM-DD), inclusive.")
        .answer::<CostSummary>(200, "Totals per currency")
        .problems(&[400, 403, 404])
    };
    api.route(
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
