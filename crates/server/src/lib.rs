//! Cartera's HTTP server: the JSON API, its OpenAPI description, health and metrics.
//! `main.rs` is the `cartera` command built on it.

pub mod api;
pub mod cli_import;
pub mod config;
pub mod dav;
pub mod middleware;
pub mod ops;
pub mod problem;
pub mod state;
pub mod web;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use cartera_app::App;

use crate::problem::ApiError;
use crate::state::{AppState, Limits};

/// The process-wide Prometheus recorder (one per process, however many servers run).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .clone()
}

/// The OpenAPI document of every endpoint.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = api::api().finish();
    let (_, ops_doc) = ops::mount(api::doc::Api::default()).finish();
    doc.merge(ops_doc);
    let (_, public_doc) = api::public_api().finish();
    doc.merge(public_doc);
    doc
}

fn panic_answer(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a request handler panicked");
    ApiError::internal().into_response()
}

/// The whole application as one router.
pub fn router(app: App, limits: Limits) -> Router {
    let (api_router, mut doc) = api::api().finish();
    let (ops_router, ops_doc) = ops::mount(api::doc::Api::default()).finish();
    doc.merge(ops_doc);
    let (public_router, public_doc) = api::public_api().finish();
    doc.merge(public_doc);
    let openapi = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    let state = AppState {
        app,
        metrics: metrics_handle(),
        openapi: Arc::new(openapi.into()),
        login_limiter: state::login_limiter(),
        token_limiter: state::token_limiter(&limits),
        bearer_failure_limiter: state::bearer_failure_limiter(&limits),
        refusal_audit_limiter: state::refusal_audit_limiter(),
        trusted_proxies: Arc::new(limits.trusted_proxies),
        web: Arc::new(web::Ui::new()),
    };
    let web_router = web::router(state.clone());
    let api_router = api_router
        .route_layer(axum::middleware::from_fn(middleware::refuse_nul_query))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::idempotent,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::authenticate,
        ))
        .route_layer(axum::middleware::from_fn(middleware::tag_route));
    let ops_router = ops_router
        .merge(public_router)
        .route_layer(axum::middleware::from_fn(middleware::refuse_nul_query))
        .route_layer(axum::middleware::from_fn(middleware::tag_route));
    let docs: Router<AppState> = SwaggerUi::new("/api/docs")
        .config(SwaggerConfig::new(["/api/v1/openapi.json"]))
        .into();
    let router = Router::new()
        .merge(api_router)
        .merge(ops_router)
        .merge(web_router)
        .merge(dav::router())
        .merge(docs)
        .fallback(not_found)
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "This address does not take that method.",
            )
        })
        .layer(DefaultBodyLimit::max(middleware::BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_answer));
    middleware::with_security_headers(router)
        .layer(axum::middleware::from_fn(middleware::nfc_input))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::too_large_as_problem,
        ))
        .layer(axum::middleware::from_fn(middleware::observe))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::client_address,
        ))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: App,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The client's address (the peer's, or the one a trusted proxy names: see
    // `middleware::client_address`) goes into the audit trail of logins and keys the
    // per-address limits.
    let service = router(app, limits).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Background housekeeping: planner statistics every 15 s (see
/// `Db::refresh_statistics`); the trash past its retention and old idempotency keys, hourly.
pub fn spawn_maintenance(app: App) -> tokio::task::JoinHandle<()> {
    let stats_app = app.clone();
    tokio::spawn(async move {
        // Cheap when nothing changed: one catalogue query.
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match cartera_app::maintenance::refresh_statistics(&stats_app).await {
                Ok(t) if !t.is_empty() => tracing::info!(tables = ?t, "statistics refreshed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "refreshing statistics failed"),
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match cartera_app::maintenance::run(&app).await {
                Ok(r) => tracing::info!(?r, "maintenance done"),
                Err(e) => tracing::warn!(error = %e, "maintenance failed; will retry in an hour"),
            }
        }
    })
}

/// The job queue's worker: looks for due jobs every `every` and runs them (see
/// `cartera_app::jobs`). Each server runs one; the database's claim keeps two servers
/// from running the same job.
pub fn spawn_jobs(app: App, every: Duration) -> tokio::task::JoinHandle<()> {
    let worker_id = format!("{}-{}", std::process::id(), cartera_core::Id::new());
    let worker = cartera_app::jobs::Worker::standard(&worker_id);
    // The recurring jobs' next occurrences, at start and hourly (a day's occurrence is
    // queued once however many servers ask; see `Worker::schedule`).
    let scheduling = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = cartera_app::jobs::Worker::schedule(&scheduling).await {
                tracing::warn!(error = %e, "scheduling the recurring jobs failed; will retry in an hour");
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = worker.run_due(&app).await {
                tracing::warn!(error = %e, "running jobs failed; will look again");
            }
        }
    })
}

/// An address nothing answers: a browser asking for a page gets the page that says so
/// in its language; an API client (or anything under `/api/`) a JSON problem.
async fn not_found(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    let wants_html = req
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let api = req.uri().path().starts_with("/api/");
    if wants_html && !api {
        let (mut parts, _) = req.into_parts();
        return match web::render::Page::from_request_parts(&mut parts, &s).await {
            Ok(page) => page.error_page(StatusCode::NOT_FOUND, "not-found"),
            Err(r) => r,
        };
    }
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "There is nothing at this address.",
    )
    .into_response()
}
