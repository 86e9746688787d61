//! What operators and load balancers call: health, readiness, metrics, the API's own
//! description.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::path::HttpMethod;

use crate::api::doc::{Api, Op};
use crate::problem::ApiError;
use crate::state::AppState;

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(s): State<AppState>) -> Response {
    match s.app.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "Not ready",
                "the database does not answer",
            )
            .into_response()
        }
    }
}

async fn metrics(State(s): State<AppState>) -> Response {
    match &s.metrics {
        Some(h) => {
            h.run_upkeep();
            let mut res = h.render().into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            res
        }
        None => (
            StatusCode::NOT_FOUND,
            "metrics are recorded by another process",
        )
            .into_response(),
    }
}

async fn openapi(State(s): State<AppState>) -> Response {
    let mut res = (*s.openapi).clone().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// Endpoints that need no token.
pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Get,
        "/healthz",
        get(healthz),
        Op::new("operations", "healthz", "The process is up")
            .public()
            .answer_text(200, "ok", "text/plain"),
    )
    .route(
        HttpMethod::Get,
        "/readyz",
        get(readyz),
        Op::new("operations", "readyz", "The database answers")
            .public()
            .answer_text(200, "ready", "text/plain")
            .problems(&[503]),
    )
    .route(
        HttpMethod::Get,
        "/metrics",
        get(metrics),
        Op::new(
            "operations",
            "metrics",
            "Request counts and timings in Prometheus text format",
        )
        .public()
        .answer_text(200, "Prometheus text", "text/plain"),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/openapi.json",
        get(openapi),
        Op::new("operations", "openapi", "This document")
            .public()
            .answer_text(200, "OpenAPI 3.1", "application/json"),
    )
}
