use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
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
    /// Login attempts and password reset requests per client address (see
    /// `login_limiter`).
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Login attempts one address may make: 30 a minute. Each account also locks after
/// repeated failures; this limit is for guessing across many accounts, and leaves
/// room for an office behind one address arriving at nine. Password reset requests
/// count here too, so the reset form cannot be used to flood mailboxes.
pub const LOGINS_PER_MINUTE: u32 = 30;

pub fn login_limiter() -> Arc<DefaultKeyedRateLimiter<IpAddr>> {
    let n = NonZeroU32::new(LOGINS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
    Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)))
}

/// Takes one request from `key`'s allowance; `Err` holds the whole seconds to wait.
/// Quiet keys are forgotten now and then, so the table stays small.
pub fn take<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), u64> {
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
    })
}
