use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota};

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
    /// Login attempts per client address (see `login_limiter`).
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// The page templates and the translation catalogue, built once.
    pub web: Arc<crate::web::Ui>,
}

/// Login attempts one address may make: 30 a minute. Each account also locks after
/// repeated failures; this limit is for guessing across many accounts, and leaves
/// room for an office behind one address arriving at nine.
pub const LOGINS_PER_MINUTE: u32 = 30;

pub fn login_limiter() -> Arc<DefaultKeyedRateLimiter<IpAddr>> {
    let n = NonZeroU32::new(LOGINS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
    Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)))
}
