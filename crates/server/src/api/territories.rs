//! Territories: the rules that place new accounts and leads, and who covers them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::territories::{self, NewTerritory, TerritoryChange};
use cartera_core::territories::Territory;

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, Input, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<Territory>>, ApiError> {
    Ok(Json(Page {
        data: territories::list(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Territory>, ApiError> {
    Ok(Json(territories::get(&s.app, &actor, id).await?))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewTerritory>,
) -> Result<(StatusCode, Json<Territory>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(territories::create(&s.app, &actor, input).await?),
    ))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<TerritoryChange>,
) -> Result<Json<Territory>, ApiError> {
    Ok(Json(
        territories::update(&s.app, &actor, id, change, version).await?,
    ))
}

pub fn mount(mut api: Api) -> Api {
    let territory = register::<Territory>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "TerritoryPage", territory.clone());
    register::<NewTerritory>(&mut api.schemas);
    register::<TerritoryChange>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/territories",
        get(list),
        Op::new(
            "territories",
            "list_territories",
            "Territories with their rules",
        )
        .answer_schema(200, "Territories in the order their rules apply", page)
        .problems(&[403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/territories",
        post(create),
        Op::new("territories", "create_territory", "Create a territory")
            .describe(
                "When an account or lead is created without a territory, the first active \
                 territory (by priority, then name) whose rules match its address and industry \
                 takes it, and its owner becomes the record's owner unless the creator named \
                 one. Every criterion that lists values must match one of them (case, accents \
                 and spaces aside); a territory without criteria takes nothing. People whose \
                 role sees `territory` see the accounts and leads of the territories they \
                 cover, and the contacts of those accounts.",
            )
            .body::<NewTerritory>("Name, priority, rules, owner and members")
            .answer_schema(201, "The territory", territory.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/territories/{id}",
        get(read),
        Op::new("territories", "get_territory", "Read a territory")
            .path_param("id", "The territory's id")
            .answer_schema(200, "The territory", territory.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/territories/{id}",
        patch(update),
        Op::new("territories", "update_territory", "Change a territory")
            .describe(
                "Rules apply to records created from now on; records already placed keep \
                 their territory. `active: false` stops a territory taking new records.",
            )
            .path_param("id", "The territory's id")
            .header("If-Match", "The version the change is based on")
            .body::<TerritoryChange>("The fields to change; lists are replaced whole")
            .answer_schema(200, "The territory", territory)
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
}
