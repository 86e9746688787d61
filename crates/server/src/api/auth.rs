//! Logging in and out of a browser session, changing one's password, and resetting a
//! forgotten one through an emailed link.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::{AppError, auth};
use cartera_core::auth::{SESSION_COOKIE, session_idle_limit};
use cartera_core::users::User;

use super::doc::{Api, Op, register};
use super::extract::{Auth, Input};
use crate::middleware::{NoReplay, RequestId};
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// The authenticator's code, for accounts with a second factor.
    pub totp_code: Option<String>,
    /// A recovery code instead of the authenticator's (each works once).
    pub recovery_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Shown this once: keep them somewhere safe. Each works once instead of a code.
    pub recovery_codes: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirmation {
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetAccepted {
    /// The same words whether or not the email belongs to someone.
    pub message: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmation {
    /// The `token` of the emailed link.
    pub token: String,
    pub new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    pub user: User,
    /// Send it back in `X-CSRF-Token` on every request that changes something.
    pub csrf_token: String,
    /// The session ends then unless it is used; each use extends it.
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `Secure` only when the browser reached us over TLS (directly or through a proxy that
/// says so), or the cookie would never come back over plain HTTP on a LAN install.
pub(crate) fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

pub(crate) fn session_cookie(
    value: &str,
    max_age_seconds: i64,
    secure: bool,
) -> Option<HeaderValue> {
    let cookie = cookie::Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// Refuses an address that has tried to log in (or asked for reset links) too often in
/// the last minute.
pub(crate) async fn limit_logins(s: &AppState, ip: std::net::IpAddr) -> Result<(), ApiError> {
    s.login_limiter.take(&s.app, &ip.to_string()).await.map_err(|seconds| {
        ApiError::from(AppError::RateLimited {
            message: format!(
                "too many login or password reset attempts from this address: try again in {seconds} seconds"
            ),
            retry_after_seconds: seconds,
        })
    })
}

/// Where a request comes from, for the audit trail (the JSON API and the pages alike).
pub(crate) fn client(
    peer: Option<&axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: &HeaderMap,
) -> auth::Client {
    auth::Client {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: peer.map(|axum::Extension(ConnectInfo(a))| a.ip().to_string()),
        request_id: request_id.map(|axum::Extension(r)| r.0),
    }
}

async fn login(
    State(s): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    Input(input): Input<LoginInput>,
) -> Result<Response, ApiError> {
    if let Some(axum::Extension(ConnectInfo(addr))) = &peer {
        limit_logins(&s, addr.ip()).await?;
    }
    let client = client(peer.as_ref(), request_id, &headers);
    let second = auth::SecondFactorInput {
        totp_code: input.totp_code,
        recovery_code: input.recovery_code,
    };
    let done = auth::login(&s.app, &input.email, &input.password, second, client).await?;
    let answer = LoginAnswer {
        user: done.user,
        csrf_token: done.session.csrf_token.clone(),
        expires_at: done.session.expires_at,
    };
    let mut res = (StatusCode::OK, Json(answer)).into_response();
    if let Some(c) = session_cookie(
        &done.secret,
        session_idle_limit().num_seconds(),
        over_tls(&headers),
    ) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// The one answer to every reset request.
const RESET_ACCEPTED: &str = "If an active account has this email, a link to choose a new \
                              password is on its way; it works for one hour.";

async fn request_password_reset(
    State(s): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    Input(input): Input<PasswordResetRequest>,
) -> Result<Response, ApiError> {
    if let Some(axum::Extension(ConnectInfo(addr))) = &peer {
        limit_logins(&s, addr.ip()).await?;
    }
    let client = client(peer.as_ref(), request_id, &headers);
    auth::request_password_reset(&s.app, &input.email, client).await?;
    let answer = PasswordResetAccepted {
        message: RESET_ACCEPTED.into(),
    };
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

async fn confirm_password_reset(
    State(s): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    Input(input): Input<PasswordResetConfirmation>,
) -> Result<StatusCode, ApiError> {
    let client = client(peer.as_ref(), request_id, &headers);
    auth::confirm_password_reset(&s.app, &input.token, &input.new_password, client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn logout(
    State(s): State<AppState>,
    Auth(actor): Auth,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::logout(&s.app, &actor).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = session_cookie("", 0, over_tls(&headers)) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

async fn change_password(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    auth::change_password(&s.app, &actor, &input.current_password, &input.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn begin_totp(State(s): State<AppState>, Auth(actor): Auth) -> Result<Response, ApiError> {
    let setup = auth::begin_totp(&s.app, &actor).await?;
    let mut res = Json(setup).into_response();
    res.extensions_mut().insert(NoReplay);
    Ok(res)
}

async fn confirm_totp(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<TotpCode>,
) -> Result<Response, ApiError> {
    let recovery_codes = auth::confirm_totp(&s.app, &actor, &input.code).await?;
    let mut res = Json(RecoveryCodes { recovery_codes }).into_response();
    res.extensions_mut().insert(NoReplay);
    Ok(res)
}

async fn disable_totp(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<PasswordConfirmation>,
) -> Result<StatusCode, ApiError> {
    auth::disable_totp(&s.app, &actor, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The login and password reset endpoints, which need no credentials.
pub fn mount_public(mut api: Api) -> Api {
    register::<LoginInput>(&mut api.schemas);
    register::<PasswordResetRequest>(&mut api.schemas);
    register::<PasswordResetConfirmation>(&mut api.schemas);
    let answer = register::<LoginAnswer>(&mut api.schemas);
    let accepted = register::<PasswordResetAccepted>(&mut api.schemas);
    api.route(
        HttpMethod::Post,
        "/api/v1/auth/password_reset",
        post(request_password_reset),
        Op::new(
            "auth",
            "request_password_reset",
            "Email me a link to choose a new password",
        )
        .public()
        .describe(
            "Always answers 202 with the same body, whether or not the email belongs to \
                 an active account, and as fast either way: the link is made and emailed \
                 after the answer. The link (`{public_url}/reset-password?token=...`) works \
                 for one hour and once; using it spends every other link of the account. \
                 Requests count towards the address's login attempts (429 with Retry-After).",
        )
        .body::<PasswordResetRequest>("The account's email")
        .answer_schema(202, "Accepted (the same for every email)", accepted)
        .problems(&[400, 422, 429]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/auth/password_reset/confirm",
        post(confirm_password_reset),
        Op::new(
            "auth",
            "confirm_password_reset",
            "Choose a new password with an emailed link",
        )
        .public()
        .describe(
            "Takes the `token` of the emailed link and the new password. The password is \
                 checked first (422 naming `new_password`, and the link stays good). Then the \
                 password is set, a lockout lifted, every session of the account ended and \
                 every link of the account spent. A link that is unknown, expired or already \
                 used answers 401. A second factor stays on.",
        )
        .body::<PasswordResetConfirmation>("The link's token and the new password")
        .answer_empty(204, "The password is set; log in with it")
        .problems(&[400, 401, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/auth/login",
        post(login),
        Op::new("auth", "login", "Log in with email and password")
            .public()
            .describe(
                "Opens a browser session: the answer sets the `cartera_session` cookie \
                 (HttpOnly, SameSite=Lax) and carries the `csrf_token` that requests which \
                 change something must send in `X-CSRF-Token`. A wrong email or password \
                 answers 401; after five failures in a row the account waits 30 seconds, \
                 doubling with each further failure up to an hour (429 with Retry-After). \
                 An account with an authenticator also sends `totp_code` (or `recovery_code`); \
                 without it the answer is 422 naming `totp_code`.",
            )
            .body::<LoginInput>("Email and password")
            .answer_schema(200, "Logged in", answer)
            .problems(&[400, 401, 422, 429]),
    )
}

pub fn mount(mut api: Api) -> Api {
    register::<PasswordChange>(&mut api.schemas);
    register::<TotpCode>(&mut api.schemas);
    register::<PasswordConfirmation>(&mut api.schemas);
    let setup = register::<auth::TotpSetup>(&mut api.schemas);
    let codes = register::<RecoveryCodes>(&mut api.schemas);
    api.route(
        HttpMethod::Post,
        "/api/v1/users/me/totp",
        post(begin_totp),
        Op::new(
            "users",
            "begin_totp",
            "Start setting up an authenticator app",
        )
        .describe(
            "Answers the secret and its otpauth:// address (for a QR code). The second \
                 factor is on only after POST /api/v1/users/me/totp/confirm with a code.",
        )
        .answer_schema(200, "Secret and address", setup)
        .problems(&[409]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/users/me/totp/confirm",
        post(confirm_totp),
        Op::new(
            "users",
            "confirm_totp",
            "Turn the authenticator on with its first code",
        )
        .describe(
            "From now on logging in also needs a code. The answer shows ten recovery codes once.",
        )
        .body::<TotpCode>("The code the app shows")
        .answer_schema(200, "Recovery codes", codes)
        .problems(&[400, 409, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/users/me/totp/disable",
        post(disable_totp),
        Op::new("users", "disable_totp", "Turn the authenticator off")
            .body::<PasswordConfirmation>("The password")
            .answer_empty(204, "Off")
            .problems(&[400, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/auth/logout",
        post(logout),
        Op::new("auth", "logout", "End this browser session")
            .describe("The session's cookie stops working at once, wherever it was copied.")
            .answer_empty(204, "Logged out")
            .problems(&[401, 403, 409]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/users/me/password",
        post(change_password),
        Op::new("users", "change_password", "Change my password")
            .describe(
                "Needs the current password. Ends the user's other browser sessions; \
                 API tokens stay valid.",
            )
            .body::<PasswordChange>("The current and the new password")
            .answer_empty(204, "Changed")
            .problems(&[400, 401, 403, 422]),
    )
}
