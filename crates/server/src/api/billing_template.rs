//! The invoice template (`/api/v1/settings/invoice_template`): what invoices, credit
//! notes and debit notes are printed with. The same calls as the quote template's.

use axum::Json;
use axum::extract::State;
use axum::routing::{delete, get, put};
use utoipa::openapi::path::HttpMethod;

use cartera_app::billing::template;
use cartera_app::documents::TemplateInfo;

use super::doc::{Api, Op, register};
use super::extract::{Auth, Input};
use super::quotes::TemplateInput;
use crate::problem::ApiError;
use crate::state::AppState;

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(template::template_info(&s.app, &actor).await?))
}

async fn write(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<TemplateInput>,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(
        template::set_template(&s.app, &actor, input.template).await?,
    ))
}

async fn reset(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(template::reset_template(&s.app, &actor).await?))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    register::<TemplateInput>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/settings/invoice_template",
        get(read),
        Op::new("billing", "get_invoice_template", "The invoice template")
            .describe(
                "The typst template invoices, credit notes and debit notes are printed with \
                 (the default until an admin saves one). It shares the company logo with \
                 the quote template.",
            )
            .answer::<TemplateInfo>(200, "The template")
            .problems(&[403]),
    )
    .route(
        HttpMethod::Put,
        "/api/v1/settings/invoice_template",
        put(write),
        Op::new(
            "billing",
            "set_invoice_template",
            "Save the invoice template",
        )
        .describe(
            "Admins only. The template is compiled with a sample invoice in Spanish and \
                 English first; if it does not compile the answer is 422 naming `template` \
                 with typst's message and line, and the one in use stays.",
        )
        .body::<TemplateInput>("The typst source")
        .answer::<TemplateInfo>(200, "The template")
        .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/settings/invoice_template",
        delete(reset),
        Op::new(
            "billing",
            "reset_invoice_template",
            "Go back to the default invoice template",
        )
        .answer::<TemplateInfo>(200, "The template")
        .problems(&[403]),
    )
}
