use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use metrics_exporter_prometheus::PrometheusHandle;

use cartera_app::App;

use crate::config::TrustedProxies;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// The Prometheus recorder, when this process installed one.
    pub metrics: Option<PrometheusHandle>,
    /// The OpenAPI document, rendered once at start.
    pub openapi: Arc<Bytes>,
    /// Login attempts and password reset requests per client address (see
    /// `LOGINS_PER_MINUTE`).
    pub login_limiter: Arc<SharedLimiter>,
    /// Requests per API token; `None` when the limit is off.
    pub token_limiter: Option<Arc<SharedLimiter>>,
    /// Refused bearer tokens per client address (see `BEARER_FAILURES_PER_MINUTE`);
    /// `None` when the limit is off.
    pub bearer_failure_limiter: Option<Arc<SharedLimiter>>,
    /// Audit events of refused tokens: one a minute per token is enough to see it.
    pub refusal_audit_limiter: Arc<SharedLimiter>,
    /// The reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// The page templates and the translation catalogue, built once.
    pub web: Arc<crate::web::ui::Ui>,
}

/// How hard clients may push the servers, and who may say where a client is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// API requests a minute per token; 0 turns the limit off (the benchmark does).
    pub token_requests_per_minute: u32,
    /// Refused bearer tokens (and failed DAV logins) a minute per client address before
    /// 429; 0 turns the limit off (the OpenAPI check in CI does, to see every 401).
    pub refused_tokens_per_minute: u32,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed; empty: the
    /// peer address is the client's and those headers are ignored.
    pub trusted_proxies: TrustedProxies,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            token_requests_per_minute: crate::config::DEFAULT_TOKEN_RATE_LIMIT,
            refused_tokens_per_minute: BEARER_FAILURES_PER_MINUTE,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Login attempts one address may make: 30 a minute. Each account also locks after
/// repeated failures; this limit is for guessing across many accounts, and leaves
/// room for an office behind one address arriving at nine. Password reset requests
/// count here too, so the reset form cannot be used to flood mailboxes.
pub const LOGINS_PER_MINUTE: u32 = 30;

/// Refused bearer tokens one address may send in a minute before its refusals turn
/// into 429, unless configured (`CARTERA_REFUSED_TOKEN_RATE_LIMIT`). Tokens carry 256 random bits, so this does not guard against guessing
/// (nothing needs to); it tells a misconfigured client to back off and bounds the audit
/// events its refusals write. A good token from the same address keeps working, so one
/// broken script behind an office's address does not stop the others.
pub const BEARER_FAILURES_PER_MINUTE: u32 = crate::config::DEFAULT_REFUSED_TOKEN_RATE_LIMIT;

/// How often (milliseconds) a process writes the hits it has counted on its own, when
/// fewer than its batch have come.
const SYNC_EVERY_MS: i64 = 1000;

/// A per-minute limit that holds across every server on the database.
///
/// The counts live in the database (`cartera_app::limits`). A limiter with a batch of
/// one writes every hit there before answering: right for logins and refused tokens,
/// which are rare and where every attempt should count. The per-token limit sees every
/// API request, so it counts in the process and writes its hits in batches (a
/// fiftieth of the allowance, or whatever came in the last second), and writes every
/// hit once the key comes near its allowance. A key refused by the database is refused
/// here without asking until its window closes. The cost of the batch is that several
/// servers together may let a key exceed its allowance by up to a batch each.
pub struct SharedLimiter {
    name: &'static str,
    per_minute: i64,
    batch: i64,
    keys: Mutex<HashMap<String, Local>>,
}

/// What one process knows of a key.
#[derive(Default)]
struct Local {
    /// When the window the database last reported closes (ms since 1970; 0: never asked).
    window_end_ms: i64,
    /// The database's count at the last write.
    known: i64,
    /// Hits counted here and not yet written.
    pending: i64,
    /// When this process last wrote the key's hits.
    synced_ms: i64,
    /// Refused without asking until then.
    blocked_until_ms: i64,
}

/// Whole seconds from `now_ms` to `until_ms`, at least one (the Retry-After).
fn seconds_until(until_ms: i64, now_ms: i64) -> u64 {
    let ms = u64::try_from(until_ms.saturating_sub(now_ms)).unwrap_or(0);
    ms.div_ceil(1000).max(1)
}

impl SharedLimiter {
    /// `per_minute` hits a minute per key under `name` (the row key in the database),
    /// every hit written at once.
    pub fn new(name: &'static str, per_minute: u32) -> Self {
        Self::batched(name, per_minute, 1)
    }

    /// As `new`, writing up to `batch` hits at a time.
    pub fn batched(name: &'static str, per_minute: u32, batch: u32) -> Self {
        SharedLimiter {
            name,
            per_minute: i64::from(per_minute.max(1)),
            batch: i64::from(batch.max(1)),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one hit from `key`'s allowance; `Err` holds the whole seconds to wait.
    /// When the database cannot be reached the hit passes (logged): the request needs
    /// the database anyway, and a limiter should not add a way to fail.
    pub async fn take(&self, app: &App, key: &str) -> Result<(), u64> {
        let now = app.now().timestamp_millis();
        let hits = {
            let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
            if keys.len() > 10_000 {
                // Quiet keys are forgotten now and then, so the table stays small.
                keys.retain(|_, l| l.pending > 0 || l.window_end_ms > now);
            }
            let local = keys.entry(key.to_owned()).or_default();
            if local.blocked_until_ms > now {
                return Err(seconds_until(local.blocked_until_ms, now));
            }
            let window_over = local.window_end_ms <= now;
            if window_over {
                local.known = 0;
            }
            local.pending += 1;
            let due = window_over
                || local.pending >= self.batch
                || local.known + local.pending > self.per_minute
                || now - local.synced_ms >= SYNC_EVERY_MS;
            if !due {
                return Ok(());
            }
            std::mem::take(&mut local.pending)
        };
        let count = match cartera_app::limits::hit(app, self.name, key, hits).await {
            Ok(count) => count,
            Err(e) => {
                tracing::warn!(error = %e, limiter = self.name, "a rate limit could not be counted");
                return Ok(());
            }
        };
        let end = count.window_start_ms + cartera_app::limits::WINDOW.num_milliseconds();
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let local = keys.entry(key.to_owned()).or_default();
        local.known = count.hits;
        local.window_end_ms = end;
        local.synced_ms = now;
        if count.hits > self.per_minute {
            local.blocked_until_ms = end;
            return Err(seconds_until(end, now));
        }
        Ok(())
    }
}

pub fn login_limiter() -> Arc<SharedLimiter> {
    Arc::new(SharedLimiter::new("login", LOGINS_PER_MINUTE))
}

/// The limit on refused tokens per address; `None` when configured as 0 (off).
pub fn bearer_failure_limiter(limits: &Limits) -> Option<Arc<SharedLimiter>> {
    let n = limits.refused_tokens_per_minute;
    (n > 0).then(|| Arc::new(SharedLimiter::new("bearer_refused", n)))
}

pub fn refusal_audit_limiter() -> Arc<SharedLimiter> {
    Arc::new(SharedLimiter::new("refusal_audit", 1))
}

/// The per-token limit, writing a fiftieth of its allowance at a time: 120 hits of the
/// default 6,000, so a busy token costs one database write every 120 requests (or
/// second), not one per request.
pub fn token_limiter(limits: &Limits) -> Option<Arc<SharedLimiter>> {
    let n = limits.token_requests_per_minute;
    (n > 0).then(|| Arc::new(SharedLimiter::batched("token", n, n / 50)))
}
