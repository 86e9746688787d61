//! Totals preview: prices a basket of lines without saving anything.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use utoipa::openapi::path::HttpMethod;

use cartera_app::totals::{self, TotalsInput};
use cartera_core::totals::Totals;

use super::doc::{Api, Op};
use super::extract::{Auth, Input};
use crate::problem::ApiError;
use crate::state::AppState;

async fn preview(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<TotalsInput>,
) -> Result<Json<Totals>, ApiError> {
    Ok(Json(totals::preview(&s.app, &actor, input).await?))
}

pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Post,
        "/api/v1/totals",
        post(preview),
        Op::new("totals", "preview_totals", "Compute a document's totals")
            .describe(
                "Prices the lines as a quote would: each line's quantity × unit price less \
                 its discount, then the document discount, then the tax of each line's rate. \
                 Answers the subtotal, the discounts, the base and tax per rate and the \
                 total, in cents rounded half up. `rounding: per_line` rounds each line's \
                 net, discount share and tax before summing; `per_document` sums exact \
                 values per rate and rounds once. In both, total = subtotal − discounts + \
                 taxes exactly. A line may name a catalogue product instead of a price and \
                 a tax rate: the product's rate applies, and its price on `price_list_id` \
                 (on `date`, default today). Nothing is saved.",
            )
            .body::<TotalsInput>("The lines, the document discount and the rounding")
            .answer::<Totals>(200, "The totals")
            .problems(&[400, 403, 415, 422]),
    )
}
