use std::sync::Arc;

use axum::body::Bytes;
use metrics_exporter_prometheus::PrometheusHandle;

use cartera_app::App;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// The Prometheus recorder, when this process installed one.
    pub metrics: Option<PrometheusHandle>,
    /// The OpenAPI document, rendered once at start.
    pub openapi: Arc<Bytes>,
}
