//! Layers around every request: request id, one log line, metrics, authentication and
//! `Idempotency-Key` replays.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use cartera_app::idempotency::Claim;
use cartera_app::users::{Refusal, authenticate as authenticate_token, record_refusal};
use cartera_app::{Actor, AppError, auth, idempotency};
use cartera_core::auth::SESSION_COOKIE;
use cartera_core::users::Scope;
use cartera_core::{Code, Id};

use crate::config::TrustedProxies;
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

/// The header that carries a session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

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

/// Outermost: when the peer is a trusted reverse proxy, the address the proxy names
/// replaces the peer's in the request's `ConnectInfo`, so every reader of the client's
/// address (the per-address limits, the audit trail of logins and refused tokens) sees
/// the client, not the proxy. Without trusted proxies nothing changes.
pub async fn client_address(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    if !s.trusted_proxies.is_empty()
        && let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied()
    {
        let client = client_ip(peer.ip(), req.headers(), &s.trusted_proxies);
        if client != peer.ip() {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        }
    }
    next.run(req).await
}

/// The client's address: the peer's, unless the peer is a trusted proxy. Then the hops
/// of `X-Forwarded-For` (or, when there is none, the `for=` of `Forwarded`) are walked
/// from the right, the end each proxy appended to, past the trusted proxies: the first
/// address that is not one of them is the client. Whatever stands left of it came from
/// the client and may be forged. A hop that is not an address (`unknown`, a typo) ends
/// the walk at the last proxy, so a forged header can never pick a fresh address.
pub fn client_ip(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &TrustedProxies,
) -> IpAddr {
    if !trusted.contains(peer) {
        return peer;
    }
    let joined = |name: header::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect()
    };
    let mut hops = joined(header::HeaderName::from_static("x-forwarded-for"));
    if hops.is_empty() {
        hops = joined(header::FORWARDED)
            .iter()
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| value.trim().to_owned())
                })
            })
            .collect();
    }
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop_address(hop) else { break };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// An address as proxies write it: `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, possibly in quotes (`Forwarded`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    let ip = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(inner, _)| inner.parse::<IpAddr>().ok())
        })?;
    Some(ip.to_canonical())
}

/// Puts the text of query strings and of urlencoded form bodies in Unicode's composed
/// form (NFC) before anything reads them, so `q=Iba%CC%81n%CC%83ez` (the accents sent as
/// separate marks, as macOS and some phones do) searches, compares and is stored like
/// `Ibáñez`. This is the edge of every page form and every query parameter; JSON bodies
/// are composed where they are parsed (`api::extract::parse_json`), imported files as
/// they are read and vCards/iCalendar objects in their parsers. Input already composed,
/// nearly all of it, passes untouched.
pub async fn nfc_input(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Some(composed) = parts.uri.query().and_then(|q| nfc_urlencoded(q.as_bytes())) {
        let path_and_query = format!("{}?{composed}", parts.uri.path());
        let mut uri = parts.uri.clone().into_parts();
        if let Ok(pq) = path_and_query.parse() {
            uri.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(uri) {
                parts.uri = uri;
            }
        }
    }
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return ApiError::too_large().into_response(),
    };
    let body = match nfc_urlencoded(&bytes) {
        Some(composed) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(composed.len()));
            Body::from(composed)
        }
        None => Body::from(bytes),
    };
    next.run(Request::from_parts(parts, body)).await
}

/// The name of the first query parameter whose name or value holds a NUL character
/// once decoded (`?q=a%00b` names `q`); `None` for a clean query, nearly all of them.
pub fn nul_in_query(uri: &axum::http::Uri) -> Option<String> {
    let q = uri.query()?;
    // A NUL can only travel percent-encoded.
    if !q.contains("%00") {
        return None;
    }
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.into_owned())
}

/// Refuses a query parameter holding a NUL character: 400 naming it, before any handler
/// reads it. PostgreSQL cannot store a NUL (a search or a filter value may be saved in a
/// view, compared with stored text or written in the audit trail), so every edge refuses
/// it: JSON bodies (`api::extract::parse_json`), forms and pages' queries
/// (`web::forms::refuse_nul`), and here the queries of the API, DAV and the operations
/// endpoints.
pub async fn refuse_nul_query(req: Request, next: Next) -> Response {
    if let Some(name) = nul_in_query(req.uri()) {
        return ApiError::bad_field(&name, Code::Invalid, crate::api::extract::NUL_MESSAGE)
            .into_response();
    }
    next.run(req).await
}

/// `raw` (`a=1&b=Iba%CC%81n%CC%83ez`) encoded again with every name and value composed,
/// or `None` when it already is.
fn nfc_urlencoded(raw: &[u8]) -> Option<String> {
    use cartera_core::text::{is_nfc, nfc};
    // Plain ASCII is composed by definition: the common case costs one scan.
    if raw.iter().all(|b| b.is_ascii() && *b != b'%') {
        return None;
    }
    let pairs: Vec<_> = form_urlencoded::parse(raw).collect();
    if pairs.iter().all(|(k, v)| is_nfc(k) && is_nfc(v)) {
        return None;
    }
    Some(
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (nfc(k), nfc(v))))
            .finish(),
    )
}

/// Every answer 413 is a problem (`application/problem+json`), whoever gave it: axum's
/// refusal of a body over `DefaultBodyLimit` (plain text, from a handler that reads
/// bytes: the vCard import, the logo, DAV objects), a page's form over what its CSRF
/// check reads (no body at all), or `ApiError::too_large`. Its detail is in the client's
/// language (`Accept-Language`, English unless Spanish is preferred), like the pages.
/// A 413 problem with a detail of its own (a bulk request of too many operations) is
/// left as it is. Inside `observe`, so the log line and metrics see the final answer.
pub async fn too_large_as_problem(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/problem+json");
    if is_problem
        && res
            .extensions()
            .get::<crate::problem::GenericTooLarge>()
            .is_none()
    {
        return res;
    }
    let locale = crate::web::i18n::Locale::from_accept_language(language.as_deref())
        .unwrap_or(crate::web::i18n::Locale::En);
    let detail = s.web.catalog.t(locale, "problem-too-large");
    let (parts, _) = res.into_parts();
    let mut out = ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "Too large",
        detail,
    )
    .into_response();
    // What the layers inside added (security headers, the route and user tags) stays.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !out.headers().contains_key(name)
        {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out.extensions_mut().extend(parts.extensions);
    out
}

/// Request id in and out, one structured log line, request metrics (inside
/// `client_address`, outside everything else).
pub async fn observe(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let rid = request_id(&req);
    req.extensions_mut().insert(RequestId(rid.clone()));
    let method = req.method().clone();
    let path = log_target(req.uri().path(), req.uri().query());
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

/// Paths whose last part is a credential: whoever has the address has the data.
/// A new secret-bearing link (a signed survey link...) adds its prefix here.
const SECRET_PATHS: [&str; 1] = ["/feeds/"];

/// Prefixes of the secrets Cartera makes (sessions, reset links, API tokens): a path
/// segment or query value that starts with one is a credential wherever it appears.
const SECRET_PREFIXES: [&str; 3] = [
    cartera_core::auth::SESSION_PREFIX,
    cartera_core::auth::RESET_PREFIX,
    cartera_core::users::TOKEN_PREFIX,
];

const REDACTED: &str = "[redacted]";

/// Query parameters whose value is a credential, by name.
fn secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "secret", "password", "signature"]
        .iter()
        .any(|w| name.contains(w))
        || matches!(name.as_str(), "sig" | "key" | "code")
}

fn secret_value(value: &str) -> bool {
    SECRET_PREFIXES.iter().any(|p| value.starts_with(p))
}

/// The path and query as the request log writes them: secrets in the path (the
/// calendar feed's address is its whole credential) and in the query (`token=`,
/// `secret=`...) become `[redacted]`, so that a log file shared for support gives
/// nobody access.
pub fn log_target(path: &str, query: Option<&str>) -> String {
    let mut out = String::with_capacity(path.len() + query.map_or(0, |q| q.len() + 1));
    match SECRET_PATHS.iter().find(|p| path.starts_with(*p)) {
        Some(prefix) => {
            out.push_str(prefix);
            out.push_str(REDACTED);
            // Keep the file type (`.ics`), which says which kind of link it was.
            let rest = &path[prefix.len()..];
            if let Some(dot) = rest.rfind('.').filter(|_| !rest.contains('/')) {
                out.push_str(&rest[dot..]);
            }
        }
        None => {
            for (i, segment) in path.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                out.push_str(if secret_value(segment) {
                    REDACTED
                } else {
                    segment
                });
            }
        }
    }
    if let Some(q) = query {
        out.push('?');
        for (i, pair) in q.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, value)) if secret_param(name) || secret_value(value) => {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(pair),
            }
        }
    }
    out
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

/// Browser hardening on every answer; a page that needs another policy sets its own.
/// Scripts only from us; inline styles are allowed because the API explorer sets them.
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
];

pub fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    SECURITY_HEADERS
        .into_iter()
        .fold(router, |r, (name, value)| {
            r.layer(SetResponseHeaderLayer::if_not_present(
                name,
                HeaderValue::from_static(value),
            ))
        })
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(req_headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    req_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The answer to a refused bearer token: 401, or 429 once its address has sent too many
/// refused tokens this minute. A known token's refusal is recorded on its user, at most
/// once a minute per token.
async fn refused(
    s: &AppState,
    peer: Option<IpAddr>,
    refusal: Refusal,
    request_id: Option<String>,
) -> Response {
    if let Some(ip) = peer
        && let Some(limiter) = &s.bearer_failure_limiter
        && let Err(seconds) = limiter.take(&s.app, &ip.to_string()).await
    {
        return ApiError::from(AppError::RateLimited {
            message: format!(
                "too many refused tokens from this address: try again in {seconds} seconds"
            ),
            retry_after_seconds: seconds,
        })
        .into_response();
    }
    if let Some(token) = refusal.token()
        && s.refusal_audit_limiter
            .take(&s.app, &token.id.to_string())
            .await
            .is_ok()
    {
        let client = auth::Client {
            user_agent: None,
            ip: peer.map(|ip| ip.to_string()),
            request_id,
        };
        // The refusal stands even if it cannot be recorded.
        if let Err(e) = record_refusal(&s.app, &refusal, &client).await {
            tracing::warn!(error = %e, "a refused token could not be recorded");
        }
    }
    ApiError::unauthorized(refusal.message()).into_response()
}

/// A browser session that is still valid, with the actor it acts as.
pub struct SessionActor {
    pub actor: Actor,
    pub user: cartera_core::users::User,
    pub session: cartera_core::auth::Session,
}

/// The actor of a session cookie's secret, or `None` when the session has ended. The
/// JSON API and the pages both come through here, so a session means the same to both.
pub async fn session_actor(
    app: &cartera_app::App,
    secret: &str,
    request_id: Option<String>,
) -> Result<Option<SessionActor>, cartera_app::AppError> {
    let Some((user, session, grant)) = auth::session(app, secret).await? else {
        return Ok(None);
    };
    // A person in the browser is limited by their role alone.
    let actor = Actor::for_user(
        app,
        user.id,
        Scope::Admin,
        grant,
        request_id,
        Some(session.id),
    )
    .await?;
    Ok(Some(SessionActor {
        actor,
        user,
        session,
    }))
}

/// Names the user in the request's log line.
pub fn tag_user(res: &mut Response, user: Id) {
    res.extensions_mut().insert(UserTag(user));
}

/// Who is calling: `Authorization: Bearer <token>`, or the browser's session cookie
/// (whose state-changing requests must also carry the session's CSRF token). Answers
/// 401 without either.
pub async fn authenticate(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let actor = if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
        let Some(token) = token else {
            return ApiError::unauthorized("the Authorization header must be Bearer <token>")
                .into_response();
        };
        match authenticate_token(&s.app, &token).await {
            Ok(Ok((user, tok, grant))) => {
                if let Some(limiter) = &s.token_limiter
                    && let Err(seconds) = limiter.take(&s.app, &tok.id.to_string()).await
                {
                    return ApiError::from(AppError::RateLimited {
                        message: format!(
                            "too many requests with this token: try again in {seconds} seconds"
                        ),
                        retry_after_seconds: seconds,
                    })
                    .into_response();
                }
                Actor::for_user(&s.app, user.id, tok.scope, grant, request_id, None).await
            }
            Ok(Err(refusal)) => {
                let peer = req
                    .extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|ConnectInfo(a)| a.ip());
                return refused(&s, peer, refusal, request_id).await;
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(secret) = cookie(req.headers(), SESSION_COOKIE) {
        let found = match session_actor(&s.app, &secret, request_id).await {
            Ok(Some(found)) => found,
            Ok(None) => {
                return ApiError::unauthorized("the session has ended: log in again")
                    .into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        };
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let csrf = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !safe && !same_secret(csrf, &found.session.csrf_token) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Not allowed",
                "send the session's csrf_token in the X-CSRF-Token header",
            )
            .into_response();
        }
        Ok(found.actor)
    } else {
        return ApiError::unauthorized(
            "log in, or send Authorization: Bearer <token> (create one with `cartera token create`)",
        )
        .into_response();
    };
    let actor = match actor {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let user_id = actor.user_id;
    req.extensions_mut().insert(actor);
    let mut res = next.run(req).await;
    tag_user(&mut res, user_id);
    res
}

/// Marks an answer that must not be kept for `Idempotency-Key` replays (it shows a
/// secret once).
#[derive(Clone, Copy)]
pub struct NoReplay;

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
        Err(_) => return ApiError::too_large().into_response(),
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
            let stored = if rparts.status.is_success() && rparts.extensions.get::<NoReplay>().is_none() {
                let location = rparts
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok());
                let text = String::from_utf8_lossy(&rbytes);
                idempotency::complete(&s.app, actor.user_id, &key, rparts.status.as_u16(), &text, location).await
            } else {
                // A failed request keeps nothing: the client may fix it and retry with the key.
                // Neither does an answer that carries a secret, which must not be stored.
                idempotency::release(&s.app, actor.user_id, &key).await
            };
            if let Err(e) = stored {
                tracing::error!(error = %e, "could not store the idempotent answer");
            }
            Response::from_parts(rparts, Body::from(rbytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").unwrap();
        let proxy = ip("10.0.0.2");
        // Without trusted proxies, or from an untrusted peer, the headers mean nothing.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(client_ip(proxy, &forged, &TrustedProxies::default()), proxy);
        assert_eq!(client_ip(ip("8.8.8.8"), &forged, &trusted), ip("8.8.8.8"));
        // One proxy; two proxies, one header each; a forged hop on the left is skipped.
        assert_eq!(client_ip(proxy, &forged, &trusted), ip("1.2.3.4"));
        let chain = headers(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.9"),
            ("x-forwarded-for", "192.168.1.5"),
        ]);
        assert_eq!(client_ip(proxy, &chain, &trusted), ip("203.0.113.9"));
        // Only proxies: the leftmost of them. No header: the peer.
        let inner = headers(&[("x-forwarded-for", "10.1.1.1,10.2.2.2")]);
        assert_eq!(client_ip(proxy, &inner, &trusted), ip("10.1.1.1"));
        assert_eq!(client_ip(proxy, &headers(&[]), &trusted), proxy);
        // Garbage stops the walk at the last proxy.
        let junk = headers(&[("x-forwarded-for", "1.2.3.4, unknown, 10.9.9.9")]);
        assert_eq!(client_ip(proxy, &junk, &trusted), ip("10.9.9.9"));
        // Ports and brackets.
        let ported = headers(&[("x-forwarded-for", "[2001:db8::7]:4711")]);
        assert_eq!(client_ip(proxy, &ported, &trusted), ip("2001:db8::7"));
    }

    #[test]
    fn query_strings_and_forms_are_composed() {
        assert_eq!(nfc_urlencoded(b"q=abc&limit=5"), None);
        assert_eq!(nfc_urlencoded("q=Ib%C3%A1%C3%B1ez".as_bytes()), None);
        assert_eq!(
            nfc_urlencoded(b"q=Iba%CC%81n%CC%83ez&x=a+b").as_deref(),
            Some("q=Ib%C3%A1%C3%B1ez&x=a+b")
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = TrustedProxies::parse("127.0.0.1").unwrap();
        let h = headers(&[(
            "forwarded",
            "for=9.9.9.9;proto=https, For=\"[2001:db8:cafe::17]:4711\";by=127.0.0.1",
        )]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &h, &trusted),
            ip("2001:db8:cafe::17")
        );
        let both = headers(&[("forwarded", "for=9.9.9.9"), ("x-forwarded-for", "5.5.5.5")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &both, &trusted), ip("5.5.5.5"));
        // An IPv4 proxy seen over IPv6 is still the proxy.
        let f = headers(&[("x-forwarded-for", "5.5.5.5")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &f, &trusted),
            ip("5.5.5.5")
        );
    }

    #[test]
    fn feed_secrets_stay_out_of_the_log() {
        assert_eq!(
            log_target("/feeds/q8Zr2vKx0LmN3pQ7.ics", None),
            "/feeds/[redacted].ics"
        );
        assert_eq!(
            log_target("/feeds/q8Zr2vKx0LmN3pQ7", None),
            "/feeds/[redacted]"
        );
        assert_eq!(log_target("/feeds/a/b.ics", None), "/feeds/[redacted]");
    }

    #[test]
    fn secret_query_parameters_are_redacted() {
        assert_eq!(
            log_target("/reset-password", Some("token=crp_abc123&lang=es")),
            "/reset-password?token=[redacted]&lang=es"
        );
        assert_eq!(
            log_target("/x", Some("Secret=1&access_token=2&sig=3&q=garc%C3%ADa")),
            "/x?Secret=[redacted]&access_token=[redacted]&sig=[redacted]&q=garc%C3%ADa"
        );
        // A value that is one of our secrets is redacted whatever its parameter's name.
        assert_eq!(log_target("/x", Some("next=crs_abc")), "/x?next=[redacted]");
    }

    #[test]
    fn our_secrets_in_a_path_are_redacted_and_the_rest_kept() {
        assert_eq!(
            log_target(
                "/api/v1/accounts/0193a1b2-0000-7000-8000-000000000000",
                None
            ),
            "/api/v1/accounts/0193a1b2-0000-7000-8000-000000000000"
        );
        assert_eq!(
            log_target("/something/crt_abcdef/x", None),
            "/something/[redacted]/x"
        );
        assert_eq!(log_target("/", Some("")), "/?");
    }
}
