//! Users: who am I, who is on the team.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use utoipa::openapi::path::HttpMethod;

use cartera_app::users;
use cartera_core::users::User;

use super::doc::{Api, Op, page_schema, register};
use super::extract::Auth;
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(State(s): State<AppState>, Auth(actor): Auth) -> Result<Json<Page<User>>, ApiError> {
    Ok(Json(Page {
        data: users::list(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn me(State(s): State<AppState>, Auth(actor): Auth) -> Result<Json<User>, ApiError> {
    Ok(Json(users::me(&s.app, &actor).await?))
}

pub fn mount(mut api: Api) -> Api {
    let user = register::<User>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "UserPage", user.clone());
    api.route(
        HttpMethod::Get,
        "/api/v1/users",
        get(list),
        Op::new("users", "list_users", "The team")
            .answer_schema(200, "Users by name", page)
            .problems(&[403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/users/me",
        get(me),
        Op::new("users", "me", "The user the token belongs to")
            .answer_schema(200, "The user", user)
            .problems(&[403]),
    )
}
