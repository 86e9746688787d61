//! Lead conversion.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::leads::{self, ConvertInput};
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_core::record::{Record, deserialize};

use super::doc::{Api, Op};
use super::extract::{Auth, RecordId, parse_json};
use super::kinds::ApiKind;
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct ConvertAnswer {
    #[schema(value_type = Object)]
    lead: Record<LeadData>,
    #[schema(value_type = Option<Object>)]
    account: Option<Record<AccountData>>,
    #[schema(value_type = Option<Object>)]
    contact: Option<Record<ContactData>>,
}

async fn convert(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    body: Bytes,
) -> Result<Json<ConvertAnswer>, ApiError> {
    // The body is optional: no body converts with the defaults.
    let input: ConvertInput = if body.iter().all(u8::is_ascii_whitespace) {
        ConvertInput::default()
    } else {
        deserialize(parse_json(&body)?).map_err(cartera_app::AppError::from)?
    };
    let done = leads::convert(&s.app, &actor, id, input).await?;
    Ok(Json(ConvertAnswer {
        lead: done.lead,
        account: done.account,
        contact: done.contact,
    }))
}

pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Post,
        "/api/v1/leads/{id}/convert",
        post(convert),
        Op::new("leads", "convert_lead", "Convert a lead into an account and a contact")
            .describe("In one transaction: the lead's company becomes an account (or links to `account_id`), its person a contact at that account (or links to `contact_id`), and the lead is marked converted with links to both. Answers 409 with candidates when the new account or contact looks like an existing one.")
            .path_param("id", "The lead's id")
            .body::<ConvertInput>("Optional choices; an empty body converts with defaults")
            .answer::<ConvertAnswer>(200, "The converted lead and what it became")
            .problems(&[400, 403, 404, 409, 415, 422]),
    )
}

impl ApiKind for LeadData {
    const SCHEMA: &'static str = "Lead";

    fn mount_export(api: Api) -> Api {
        super::io::mount::<Self>(api)
    }
}
