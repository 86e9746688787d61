use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use axum::body::Bytes;
use metrics_exporter_prometheus::PrometheusHandle;

use cartera_app::App;
use cartera_core::Id;

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
    /// Requests per API token; `None` when the limit is off.
    pub token_limiter: Option<Arc<DefaultKeyedRateLimiter<Id>>>,
    /// Refused bearer tokens per client address (see `BEARER_FAILURES_PER_MINUTE`).
    pub bearer_failure_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Audit events of refused tokens: one a minute per token is enough to see it.
    pub refusal_audit_limiter: Arc<DefaultKeyedRateLimiter<Id>>,
    /// The page templates and the translation catalogue, built once.
    pub web: Arc<crate::web::ui::Ui>,
}

/// How hard clients may push one server process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// API requests a minute per token; 0 turns the limit off (the benchmark does).
    pub token_requests_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            token_requests_per_minute: crate::config::DEFAULT_TOKEN_RATE_LIMIT,
        }
    }
}

/// Login attempts one address may make: 30 a minute. Each account also locks after
/// repeated failures; this limit is for guessing across many accounts, and leaves
/// room for an office behind one address arriving at nine. Password reset requests
/// count here too, so the reset form cannot be used to flood mailboxes.
pub const LOGINS_PER_MINUTE: u32 = 30;

/// Refused bearer tokens one address may send in a minute before its refusals turn
/// into 429. Tokens carry 256 random bits, so this does not guard against guessing
/// (nothing needs to); it tells a misconfigured client to back off and bounds the audit
/// events its refusals write. A good token from the same address keeps working, so one
/// broken script behind an office's address does not stop the others.
pub const BEARER_FAILURES_PER_MINUTE: u32 = 30;

fn per_minute<K: Hash + Eq + Clone>(n: u32) -> Arc<DefaultKeyedRateLimiter<K>> {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)))
}

pub fn login_limiter() -> Arc<DefaultKeyedRateLimiter<IpAddr>> {
    per_minute(LOGINS_PER_MINUTE)
}

pub fn bearer_failure_limiter() -> Arc<DefaultKeyedRateLimiter<IpAddr>> {
    per_minute(BEARER_FAILURES_PER_MINUTE)
}

pub fn refusal_audit_limiter() -> Arc<DefaultKeyedRateLimiter<Id>> {
    per_minute(1)
}

pub fn token_limiter(limits: Limits) -> Option<Arc<DefaultKeyedRateLimiter<Id>>> {
    (limits.token_requests_per_minute > 0).then(|| per_minute(limits.token_requests_per_minute))
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
