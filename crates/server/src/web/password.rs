//! Forgotten passwords: the page that asks for a reset link, and the page the emailed
//! link opens to choose a new password. Neither needs a session; like the login, both
//! refuse forms posted from another site.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use cartera_app::{AppError, auth};

use super::auth::{over_login_limit, same_site};
use super::forms::{FormErrors, client, place};
use super::render::Page;
use crate::middleware::RequestId;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn render_forgot(
    page: &Page,
    status: StatusCode,
    email: &str,
    sent: bool,
    error: Option<String>,
) -> Response {
    page.render(
        status,
        "auth/forgot_password.html",
        json!({"email": email, "sent": sent, "error": error}),
    )
}

pub async fn forgot_page(page: Page) -> Response {
    render_forgot(&page, StatusCode::OK, "", false, None)
}

/// Asks for a link; the page says the same whether or not the email is someone's.
pub async fn forgot(
    State(s): State<AppState>,
    page: Page,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    if !same_site(&headers) {
        return page.error_page(StatusCode::FORBIDDEN, "csrf");
    }
    if let Some(msg) = over_login_limit(&s, &page, peer.as_ref()).await {
        return render_forgot(
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            &form.email,
            false,
            Some(msg),
        );
    }
    let client = client(peer.as_ref(), request_id, &headers);
    match auth::request_password_reset(&s.app, &form.email, client).await {
        Ok(()) => render_forgot(&page, StatusCode::OK, "", true, None),
        Err(AppError::Invalid(_)) => render_forgot(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.email,
            false,
            Some(page.t("forgot-email-needed")),
        ),
        Err(e) => page.error(e),
    }
}

#[derive(Deserialize, Default)]
pub struct ResetQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

fn render_reset(
    page: &Page,
    status: StatusCode,
    token: &str,
    errors: FormErrors,
    bad_link: bool,
) -> Response {
    page.render(
        status,
        "auth/reset_password.html",
        json!({
            "token": token,
            "errors": errors.fields,
            "bad_link": bad_link,
        }),
    )
}

pub async fn reset_page(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<ResetQuery>,
) -> Response {
    // An expired or spent link says so at once, instead of after a new password is typed.
    let bad = match auth::reset_link_usable(&s.app, &q.token).await {
        Ok(usable) => !usable,
        Err(e) => {
            tracing::warn!(error = %e, "could not check a reset link");
            false
        }
    };
    render_reset(&page, StatusCode::OK, &q.token, FormErrors::default(), bad)
}

/// Sets the new password; a good link ends on the login page with a message.
pub async fn reset(
    State(s): State<AppState>,
    page: Page,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Response {
    if !same_site(&headers) {
        return page.error_page(StatusCode::FORBIDDEN, "csrf");
    }
    if form.new_password != form.new_password_again {
        let errors = FormErrors::one("new_password_again", page.t("password-mismatch"));
        return render_reset(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.token,
            errors,
            false,
        );
    }
    let client = client(peer.as_ref(), request_id, &headers);
    match auth::confirm_password_reset(&s.app, &form.token, &form.new_password, client).await {
        Ok(()) => Redirect::to("/login?reset=done").into_response(),
        Err(AppError::Invalid(v)) => {
            let errors = place(&page, v, |_| Some("new_password"));
            render_reset(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.token,
                errors,
                false,
            )
        }
        Err(AppError::Unauthorized(_)) => render_reset(
            &page,
            StatusCode::UNAUTHORIZED,
            "",
            FormErrors::default(),
            true,
        ),
        Err(e) => page.error(e),
    }
}

/// The forgotten-password and reset pages.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/forgot-password", get(forgot_page).post(forgot))
        .route("/reset-password", get(reset_page).post(reset))
}
