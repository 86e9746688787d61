//! Signing in and out in the browser, and the layer that turns the session cookie into
//! the page's `Viewer` and refuses state-changing requests without the CSRF token.

use std::net::SocketAddr;

use axum::Form;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use cartera_app::{AppError, auth};
use cartera_core::auth::{SESSION_COOKIE, session_idle_limit};

use super::i18n::ArgValue;
use super::render::{Me, Page, Viewer, same_site_path};
use crate::api::auth::{limit_logins, over_tls, session_cookie};
use crate::middleware::{CSRF_HEADER, RequestId, cookie, same_secret, session_actor, tag_user};
use crate::state::AppState;

/// The hidden form field that carries the session's CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// The largest form a page takes (a note, an account).
const FORM_LIMIT: usize = 1024 * 1024;

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Around every page: finds the session (if any) and, for a request that changes
/// something, checks the CSRF token from `X-CSRF-Token` (htmx) or the form's
/// `csrf_token` field, in constant time.
pub async fn session_layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let mut viewer = None;
    if let Some(secret) = cookie(req.headers(), SESSION_COOKIE) {
        match session_actor(&s.app, &secret, request_id).await {
            Ok(Some(found)) => {
                viewer = Some(Viewer {
                    actor: found.actor,
                    user: found.user,
                    csrf_token: found.session.csrf_token,
                })
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // The login form has no session yet; it is guarded by `same_site` instead.
    let mut req = req;
    if let Some(v) = &viewer
        && !safe
        && req.uri().path() != "/login"
    {
        let header_token = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned);
        let token = match header_token {
            Some(t) => t,
            None if is_form(req.headers()) => {
                let (parts, body) = req.into_parts();
                let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                    return StatusCode::PAYLOAD_TOO_LARGE.into_response();
                };
                let t = form_urlencoded::parse(&bytes)
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                req = Request::from_parts(parts, Body::from(bytes));
                t
            }
            None => String::new(),
        };
        if !same_secret(&token, &v.csrf_token) {
            let (mut parts, _) = req.into_parts();
            let page = match <Page as FromRequestParts<AppState>>::from_request_parts(
                &mut parts, &s,
            )
            .await
            {
                Ok(p) => p,
                Err(r) => return r,
            };
            let mut res = page.error_page(StatusCode::FORBIDDEN, "csrf");
            tag_user(&mut res, v.user.id);
            return res;
        }
    }
    let user_id = viewer.as_ref().map(|v| v.user.id);
    if let Some(v) = viewer {
        req.extensions_mut().insert(v);
    }
    let mut res = next.run(req).await;
    if let Some(id) = user_id {
        tag_user(&mut res, id);
    }
    res
}

/// The message for an address that tried to log in (or asked for reset links) too often
/// this minute; `None` when it may go on.
pub(crate) async fn over_login_limit(
    s: &AppState,
    page: &Page,
    peer: Option<&axum::Extension<ConnectInfo<SocketAddr>>>,
) -> Option<String> {
    let axum::Extension(ConnectInfo(addr)) = peer?;
    let e = limit_logins(s, addr.ip()).await.err()?;
    let seconds = e.retry_after().unwrap_or(60);
    Some(page.t_args(
        "login-locked",
        &[("seconds", ArgValue::Number(seconds as f64))],
    ))
}

/// Whether a login form was posted from one of our own pages. Browsers say where a
/// request comes from; one from another site must not sign anyone in (login CSRF).
pub(crate) fn same_site(headers: &HeaderMap) -> bool {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            match (origin, host) {
                (Some(o), Some(h)) => o.split("://").nth(1) == Some(h),
                // Clients that send neither are not browsers.
                _ => true,
            }
        }
    }
}

/// Only our own paths: `next` must not send anyone to another site.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(same_site_path).unwrap_or("/my-day").into()
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    /// `done` after a password was set through a reset link.
    reset: Option<String>,
}

pub async fn login_page(
    page: Page,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    if page.viewer.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    if q.reset.as_deref() == Some("done") {
        let notice = page.t("reset-done");
        return page.render(
            StatusCode::OK,
            "auth/login.html",
            json!({ "notice": notice }),
        );
    }
    render_login(
        &page,
        StatusCode::OK,
        &LoginForm::default(),
        q.next,
        None,
        false,
    )
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    totp_code: Option<String>,
    next: Option<String>,
}

fn render_login(
    page: &Page,
    status: StatusCode,
    form: &LoginForm,
    next: Option<String>,
    error: Option<String>,
    totp: bool,
) -> Response {
    page.render(
        status,
        "auth/login.html",
        json!({
            "email": form.email,
            "next": next.as_deref().and_then(same_site_path),
            "error": error,
            "totp": totp,
        }),
    )
}

pub async fn login(
    State(s): State<AppState>,
    page: Page,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !same_site(&headers) {
        return page.error_page(StatusCode::FORBIDDEN, "csrf");
    }
    let next = form.next.clone();
    // Where to go is settled before anything is signed in.
    let to = safe_next(next.as_deref());
    let totp_sent = form
        .totp_code
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    if let Some(msg) = over_login_limit(&s, &page, peer.as_ref()).await {
        return render_login(
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            &form,
            next,
            Some(msg),
            totp_sent,
        );
    }
    let client = crate::api::auth::client(peer.as_ref(), request_id, &headers);
    let second = auth::SecondFactorInput {
        totp_code: form.totp_code.clone().filter(|c| !c.trim().is_empty()),
        recovery_code: None,
    };
    match auth::login(&s.app, &form.email, &form.password, second, client).await {
        Ok(done) => {
            let mut res = Redirect::to(&to).into_response();
            if let Some(c) = session_cookie(
                &done.secret,
                session_idle_limit().num_seconds(),
                over_tls(&headers),
            ) {
                res.headers_mut().insert(header::SET_COOKIE, c);
            }
            res
        }
        Err(AppError::Invalid(v)) if v.0.iter().any(|x| x.field == "totp_code") => {
            let msg = page.t("login-totp-needed");
            render_login(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                next,
                Some(msg),
                true,
            )
        }
        Err(AppError::Invalid(_)) => {
            let msg = page.t("login-missing");
            render_login(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                next,
                Some(msg),
                false,
            )
        }
        Err(AppError::Unauthorized(_)) => {
            let key = if totp_sent {
                "login-wrong-code"
            } else {
                "login-wrong"
            };
            render_login(
                &page,
                StatusCode::UNAUTHORIZED,
                &form,
                next,
                Some(page.t(key)),
                totp_sent,
            )
        }
        Err(AppError::RateLimited {
            retry_after_seconds,
            ..
        }) => {
            let msg = page.t_args(
                "login-locked",
                &[("seconds", ArgValue::Number(retry_after_seconds as f64))],
            );
            render_login(
                &page,
                StatusCode::TOO_MANY_REQUESTS,
                &form,
                next,
                Some(msg),
                totp_sent,
            )
        }
        Err(e) => page.error(e),
    }
}

pub async fn logout(State(s): State<AppState>, me: Me, headers: HeaderMap) -> Response {
    if let Err(e) = auth::logout(&s.app, me.actor()).await {
        return me.page.error(e);
    }
    let mut res = Redirect::to("/login").into_response();
    if let Some(c) = session_cookie("", 0, over_tls(&headers)) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

/// `/`: the day's page for a signed-in person, else the login.
pub async fn home(page: Page) -> Response {
    let to = if page.viewer.is_some() {
        "/my-day"
    } else {
        "/login"
    };
    Redirect::to(to).into_response()
}

/// The home, the login and the logout.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_our_site() {
        assert_eq!(safe_next(Some("/accounts?q=a")), "/accounts?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/my-day");
        assert_eq!(safe_next(Some("https://evil.example")), "/my-day");
        assert_eq!(safe_next(Some("/\\evil.example")), "/my-day");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/my-day");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/my-day");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x=1")), "/my-day");
        assert_eq!(safe_next(Some("/\u{85}/evil.example")), "/my-day");
        assert_eq!(safe_next(Some("/contacts/ñandú")), "/my-day");
        assert_eq!(
            safe_next(Some("/contacts?q=a%20b c")),
            "/contacts?q=a%20b c"
        );
        assert_eq!(safe_next(None), "/my-day");
    }
}
