//! Company settings.

use axum::Json;
use axum::extract::State;
use axum::routing::{get, patch};
use utoipa::openapi::path::HttpMethod;

use cartera_app::settings::{self, Settings};

use super::doc::{Api, Op};
use super::extract::{Auth, JsonBody};
use crate::problem::ApiError;
use crate::state::AppState;

async fn read(State(s): State<AppState>, Auth(actor): Auth) -> Result<Json<Settings>, ApiError> {
    Ok(Json(settings::get(&s.app, &actor).await?))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(settings::update(&s.app, &actor, body).await?))
}

pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Get,
        "/api/v1/settings",
        get(read),
        Op::new("settings", "get_settings", "Company settings")
            .answer::<Settings>(200, "The settings")
            .problems(&[403]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/settings",
        patch(update),
        Op::new(
            "settings",
            "update_settings",
            "Change company settings (admin)",
        )
        .body::<Settings>("The settings to change (merge patch)")
        .answer::<Settings>(200, "The settings")
        .problems(&[400, 403, 415, 422]),
    )
}
