//! Users: who am I, who is on the team.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::users::{self, ProfileChange, TokenRequest};
use cartera_core::users::{ApiToken, User};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, Input, RecordId};
use super::records::Page;
use crate::middleware::NoReplay;
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

async fn update_me(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(change): Input<ProfileChange>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(users::update_me(&s.app, &actor, change).await?))
}

/// A new token with its secret, which is shown this once.
#[derive(Serialize, ToSchema)]
pub struct NewToken {
    pub token: ApiToken,
    /// Send it as `Authorization: Bearer <secret>`. Cartera keeps only its hash.
    pub secret: String,
}

async fn list_tokens(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<ApiToken>>, ApiError> {
    Ok(Json(Page {
        data: users::my_tokens(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn create_token(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(req): Input<TokenRequest>,
) -> Result<Response, ApiError> {
    let (token, secret) = users::create_my_token(&s.app, &actor, req).await?;
    let mut res = (StatusCode::CREATED, Json(NewToken { token, secret })).into_response();
    res.extensions_mut().insert(NoReplay);
    Ok(res)
}

async fn revoke_token(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<ApiToken>, ApiError> {
    Ok(Json(users::revoke_my_token(&s.app, &actor, id).await?))
}

pub fn mount(mut api: Api) -> Api {
    let user = register::<User>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "UserPage", user.clone());
    let token = register::<ApiToken>(&mut api.schemas);
    let token_page = page_schema(&mut api.schemas, "ApiTokenPage", token.clone());
    register::<TokenRequest>(&mut api.schemas);
    register::<ProfileChange>(&mut api.schemas);
    super::doc::non_blank_fields(&mut api.schemas, "ProfileChange", &["name"]);
    let new_token = register::<NewToken>(&mut api.schemas);
    api.route(
        HttpMethod::Patch,
        "/api/v1/users/me",
        patch(update_me),
        Op::new(
            "users",
            "update_me",
            "Change my name, language or time zone",
        )
        .body::<ProfileChange>("The fields to change")
        .answer_schema(200, "The user", user.clone())
        .problems(&[400, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/users/me/tokens",
        get(list_tokens),
        Op::new("users", "list_my_tokens", "My API tokens")
            .describe("Newest first, revoked and expired ones included; never their secrets.")
            .answer_schema(200, "Tokens", token_page),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/users/me/tokens",
        post(create_token),
        Op::new("users", "create_my_token", "Create an API token for myself")
            .describe(
                "The answer shows the secret once; Cartera keeps only its hash, and does not \
                 keep this answer for Idempotency-Key replays. The scope cannot exceed the \
                 caller's.",
            )
            .body::<TokenRequest>("Name, scope and optional expiry")
            .answer_schema(201, "The token and its secret", new_token)
            .problems(&[400, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/users/me/tokens/{id}",
        delete(revoke_token),
        Op::new("users", "revoke_my_token", "Revoke one of my API tokens")
            .path_param("id", "The token's id")
            .describe("The token stops working at once. Another user's token answers 404.")
            .answer_schema(200, "The revoked token", token)
            .problems(&[404]),
    )
    .route(
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
