//! Layers around every request: request id, one log line, metrics, authentication and
//! `Idempotency-Key` replays.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use cartera_app::users::authenticate;
use cartera_app::{Actor, idempotency};
use cartera_core::{Code, Id};
use cartera_store::idempotency::Claim;

use crate::problem::ApiError;
use crate::state::AppState;

/// The id of a request, from `X-Request-Id` or made here.
#[derive(Clone)]
pub struct RequestId(pub String);

/// Who made the request, for the log line.
#[derive(Clone)]
struct UserTag(Id);

/// Which route answered, for metrics labels.
#[derive(Clone)]
struct RouteTag(String);

/// The largest body any endpoint reads (a bulk request of 1000 records fits easily).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string())
}

/// Outermost: request id in and out, one structured log line, request metrics.
pub async fn observe(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let rid = request_id(&req);
    req.extensions_mut().insert(RequestId(rid.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let elapsed = start.elapsed();
    if let Ok(v) = HeaderValue::from_str(&rid) {
        res.headers_mut().insert("x-request-id", v);
    }
    let status = res.status().as_u16();
    let user = res
        .extensions()
        .get::<UserTag>()
        .map(|u| u.0.to_string())
        .unwrap_or_default();
    let route = res
        .extensions()
        .get::<RouteTag>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| "unmatched".into());
    let ms = elapsed.as_secs_f64() * 1000.0;
    tracing::info!(
        target: "cartera::http",
        request_id = %rid,
        method = %method,
        path = %path,
        status,
        ms = format_args!("{ms:.2}"),
        user = %user,
        "request"
    );
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(elapsed.as_secs_f64());
    res
}

/// Inside the router: remembers which route matched.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut res = next.run(req).await;
    if let Some(r) = route {
        res.extensions_mut().insert(RouteTag(r));
    }
    res
}

/// Turns `Authorization: Bearer <token>` into the acting user, or answers 401.
pub async fn authenticate_bearer(
    State(s): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
    let Some(token) = token else {
        return ApiError::unauthorized(
            "send Authorization: Bearer <token>; create one with `cartera token create`",
        )
        .into_response();
    };
    let (user, tok) = match authenticate(&s.app, &token).await {
        Ok(Ok(found)) => found,
        Ok(Err(refusal)) => return ApiError::unauthorized(refusal.message()).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    req.extensions_mut().insert(Actor {
        user_id: user.id,
        scope: tok.scope,
        request_id,
    });
    let mut res = next.run(req).await;
    res.extensions_mut().insert(UserTag(user.id));
    res
}

/// Replays the first answer to a POST repeated with the same `Idempotency-Key`.
pub async fn idempotent(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").cloned() else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            k.to_owned()
        }
        _ => {
            return ApiError::bad_field(
                "Idempotency-Key",
                Code::Invalid,
                "must be 1 to 255 visible ASCII characters (a UUID is a good key)",
            )
            .into_response();
        }
    };
    let Some(actor) = req.extensions().get::<Actor>().cloned() else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Too large",
                "the request body is too large",
            )
            .into_response();
        }
    };
    let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    let hash = idempotency::request_hash(parts.method.as_str(), target, &bytes);
    match idempotency::claim(&s.app, actor.user_id, &key, &hash).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Mismatch) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was used for a different request in the last 24 hours; use a new key",
        )
        .into_response(),
        Ok(Claim::InProgress) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency-in-progress",
            "Request in progress",
            "a request with this Idempotency-Key is still running; retry in a moment",
        )
        .into_response(),
        Ok(Claim::Replay { status, body, location }) => {
            let mut res = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h.insert("idempotent-replayed", HeaderValue::from_static("true"));
            if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                h.insert(header::LOCATION, l);
            }
            res
        }
        Ok(Claim::New) => {
            let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (rparts, rbody) = res.into_parts();
            let rbytes = match to_bytes(rbody, usize::MAX).await {
                Ok(b) => b,
                Err(_) => {
                    let _ = idempotency::release(&s.app, actor.user_id, &key).await;
                    return ApiError::internal().into_response();
                }
            };
            let stored = if rparts.status.is_success() {
                let location = rparts
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok());
                let text = String::from_utf8_lossy(&rbytes);
                idempotency::complete(&s.app, actor.user_id, &key, rparts.status.as_u16(), &text, location).await
            } else {
                // A failed request keeps nothing: the client may fix it and retry with the key.
                idempotency::release(&s.app, actor.user_id, &key).await
            };
            if let Err(e) = stored {
                tracing::error!(error = %e, "could not store the idempotent answer");
            }
            Response::from_parts(rparts, Body::from(rbytes))
        }
    }
}
