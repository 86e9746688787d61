//! CalDAV (RFC 4791) and CardDAV (RFC 6352) for phones and desktop clients, with
//! sync-collection (RFC 6578), and the read-only iCalendar feed.
//!
//! The address space, for the user with id U:
//! ```text
//! /.well-known/caldav, /.well-known/carddav   -> /dav/
//! /dav/                                         the root: current-user-principal
//! /dav/principals/U/                            calendar-home-set, addressbook-home-set
//! /dav/calendars/U/  agenda/  {name}.ics        the user's activities
//! /dav/addressbooks/U/  contacts/  {name}.vcf   the contacts the user sees
//! /feeds/{secret}.ics                           the read-only feed (no login)
//! ```
//! Clients log in with HTTP Basic: the user's email and an API token (`cartera_...`,
//! made on the settings page), since a phone cannot go through the login page.

mod card_filter;
mod xml;

use std::fmt::Write as _;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};

use cartera_app::dav::{self as app_dav, Conditions, Snapshot};
use cartera_app::users::authenticate as authenticate_token;
use cartera_app::{Actor, AppError};
use cartera_core::Id;
use cartera_core::dav::{CollectionKind, Item, parse_calendar};
use cartera_core::roles::{Action, Module};
use cartera_core::users::User;

use crate::middleware::{RequestId, tag_user};
use crate::state::AppState;
use card_filter::CardFilter;
use xml::{CALDAV, CALSERVER, CARDDAV, DAV, El, XmlError, escape};

/// The name of the calendar and address book collections under each home.
pub const CALENDAR: &str = "agenda";
pub const ADDRESSBOOK: &str = "contacts";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/caldav", any(well_known))
        .route("/.well-known/carddav", any(well_known))
        .route("/dav", any(dav_root))
        .route("/dav/", any(dav_root))
        .route("/dav/{*path}", any(dav))
        .route("/feeds/{file}", get(feed))
        .route_layer(axum::middleware::from_fn(
            crate::middleware::refuse_nul_query,
        ))
        .route_layer(axum::middleware::from_fn(crate::middleware::tag_route))
}

async fn well_known(req: Request) -> Response {
    drain(req).await;
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/dav/")]).into_response()
}

/// Reads and drops a small request body before an early answer (a redirect, a login
/// challenge). Answered unread, the body makes the server close the connection, and a
/// client that sends its next request on it (following the redirect, retrying with
/// credentials) sees a reset: the discovery step of the real-client test failed now and
/// then this way.
async fn drain(req: Request) {
    let _ = axum::body::to_bytes(req.into_body(), 64 * 1024).await;
}

/// The feed: every activity of the user with a day or a start, as one iCalendar.
async fn feed(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    match app_dav::feed(&s.app, secret).await {
        Ok(body) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Err(AppError::NotFound) => plain(StatusCode::NOT_FOUND, "no feed at this address"),
        Err(e) => app_error(e),
    }
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

fn xml_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn unauthorized(why: &str) -> Response {
    let mut r = plain(StatusCode::UNAUTHORIZED, why);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Cartera\", charset=\"UTF-8\""),
    );
    r
}

fn app_error(e: AppError) -> Response {
    match e {
        AppError::NotFound => plain(StatusCode::NOT_FOUND, "not found"),
        AppError::Forbidden(m) => plain(StatusCode::FORBIDDEN, &m),
        AppError::Stale { .. } => plain(
            StatusCode::PRECONDITION_FAILED,
            "the resource changed since you read it (If-Match / If-None-Match)",
        ),
        AppError::Invalid(v) | AppError::BadQuery(v) => {
            plain(StatusCode::BAD_REQUEST, &describe(&v))
        }
        AppError::Duplicate { violations, .. } => {
            plain(StatusCode::CONFLICT, &describe(&violations))
        }
        AppError::Conflict(m) => plain(StatusCode::CONFLICT, &m),
        AppError::Unauthorized(m) => unauthorized(&m),
        // Like every 413 of the server, a problem (see `middleware::too_large_as_problem`).
        e @ AppError::TooLarge(_) => crate::problem::ApiError::from(e).into_response(),
        e => {
            tracing::error!(error = %e, "dav request failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// Every violation as `field: message`, for a client that shows the text.
fn describe(v: &cartera_core::Violations) -> String {
    v.0.iter()
        .map(|x| format!("{}: {}", x.field, x.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The actor behind `Authorization: Basic base64(email:token)`.
async fn basic_actor(
    s: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
    request_id: Option<String>,
) -> Result<(Actor, User), Response> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(unauthorized("log in with your email and an API token"));
    };
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Err(unauthorized("use Basic authentication"));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(unauthorized("use Basic authentication"));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some((email, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return Err(unauthorized("use Basic authentication"));
    };
    match authenticate_token(&s.app, secret).await {
        Ok(Ok((user, token, grant))) if user.email.eq_ignore_ascii_case(email.trim()) => {
            match Actor::for_user(&s.app, user.id, token.scope, grant, request_id, None).await {
                Ok(actor) => Ok((actor, user)),
                Err(e) => Err(app_error(e)),
            }
        }
        Ok(Ok(_)) => Err(refused_basic(s, peer, None, request_id).await),
        Ok(Err(refusal)) => Err(refused_basic(s, peer, Some(refusal), request_id).await),
        Err(e) => Err(app_error(e)),
    }
}

/// A failed Basic login, limited like refused bearer tokens: 401, or 429 with
/// `Retry-After` once its address has failed too often this minute (a phone with an old
/// token retrying in a loop, or someone guessing). A known token's refusal (revoked,
/// expired) is recorded on its user, at most once a minute per token.
async fn refused_basic(
    s: &AppState,
    peer: Option<std::net::IpAddr>,
    refusal: Option<cartera_app::users::Refusal>,
    request_id: Option<String>,
) -> Response {
    if let Some(ip) = peer
        && let Some(limiter) = &s.bearer_failure_limiter
        && let Err(seconds) = limiter.take(&s.app, &ip.to_string()).await
    {
        let mut res = plain(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("too many failed logins from this address: try again in {seconds} seconds"),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return res;
    }
    if let Some(refusal) = refusal
        && let Some(token) = refusal.token()
        && s.refusal_audit_limiter
            .take(&s.app, &token.id.to_string())
            .await
            .is_ok()
    {
        let client = cartera_app::auth::Client {
            user_agent: None,
            ip: peer.map(|ip| ip.to_string()),
            request_id,
        };
        // The refusal stands even if it cannot be recorded.
        if let Err(e) = cartera_app::users::record_refusal(&s.app, &refusal, &client).await {
            tracing::warn!(error = %e, "a refused token could not be recorded");
        }
    }
    unauthorized("wrong email or token")
}

async fn dav_root(State(s): State<AppState>, req: Request) -> Response {
    handle(s, String::new(), req).await
}

async fn dav(State(s): State<AppState>, Path(path): Path<String>, req: Request) -> Response {
    handle(s, path, req).await
}

/// Where a request points.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Root,
    /// `/dav/principals/`: the principal collection, holding only the caller.
    Principals,
    Principal,
    Home(CollectionKind),
    Collection(CollectionKind),
    Resource(CollectionKind, String),
}

fn parse_target(path: &str, me: Id) -> Option<Target> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let mine = |u: &str| u == me.to_string();
    let kind = |home: &str| match home {
        "calendars" => Some(CollectionKind::Calendar),
        "addressbooks" => Some(CollectionKind::Contacts),
        _ => None,
    };
    let collection_name = |k: CollectionKind| match k {
        CollectionKind::Calendar => CALENDAR,
        CollectionKind::Contacts => ADDRESSBOOK,
    };
    match parts.as_slice() {
        [] => Some(Target::Root),
        ["principals"] => Some(Target::Principals),
        ["principals", u] if mine(u) => Some(Target::Principal),
        [home, u] if mine(u) => kind(home).map(Target::Home),
        [home, u, c] if mine(u) => kind(home)
            .filter(|k| *c == collection_name(*k))
            .map(Target::Collection),
        [home, u, c, name] if mine(u) => kind(home)
            .filter(|k| *c == collection_name(*k))
            .map(|k| Target::Resource(k, percent_decode(name))),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Some(b) = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn principal_href(u: Id) -> String {
    format!("/dav/principals/{u}/")
}

fn home_href(k: CollectionKind, u: Id) -> String {
    match k {
        CollectionKind::Calendar => format!("/dav/calendars/{u}/"),
        CollectionKind::Contacts => format!("/dav/addressbooks/{u}/"),
    }
}

fn collection_href(k: CollectionKind, u: Id) -> String {
    match k {
        CollectionKind::Calendar => format!("/dav/calendars/{u}/{CALENDAR}/"),
        CollectionKind::Contacts => format!("/dav/addressbooks/{u}/{ADDRESSBOOK}/"),
    }
}

fn resource_href(k: CollectionKind, u: Id, name: &str) -> String {
    format!("{}{}", collection_href(k, u), name)
}

/// The name of a resource from a full href (`/dav/.../agenda/x.ics` -> `x.ics`).
fn name_of(href: &str) -> String {
    let path = href
        .split_once("://")
        .map_or(href, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    percent_decode(path.trim_end_matches('/').rsplit('/').next().unwrap_or(""))
}

fn sync_token(s: &Snapshot) -> String {
    format!(
        "urn:cartera:sync:{}:{}",
        s.collection.id, s.collection.revision
    )
}

fn content_type(k: CollectionKind) -> &'static str {
    match k {
        CollectionKind::Calendar => "text/calendar; charset=utf-8",
        CollectionKind::Contacts => "text/vcard; charset=utf-8",
    }
}

async fn handle(s: AppState, path: String, req: Request) -> Response {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return options();
    }
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|axum::extract::ConnectInfo(a)| a.ip());
    let (actor, user) = match basic_actor(&s, req.headers(), peer, request_id).await {
        Ok(a) => a,
        Err(r) => {
            drain(req).await;
            return r;
        }
    };
    let headers = req.headers().clone();
    let body = match axum::body::to_bytes(req.into_body(), crate::middleware::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large"),
    };
    let Some(target) = parse_target(&path, user.id) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let ctx = Ctx {
        s: &s,
        actor: &actor,
        user: &user,
    };
    let mut res = match method.as_str() {
        "PROPFIND" => ctx.propfind(&target, &headers, &body).await,
        "REPORT" => ctx.report(&target, &body).await,
        "PROPPATCH" => ctx.proppatch(&target, &path, &body),
        "GET" | "HEAD" => ctx.get(&target, method == Method::HEAD).await,
        "PUT" => ctx.put(&target, &headers, &body).await,
        "DELETE" => ctx.delete(&target, &headers).await,
        "MKCALENDAR" | "MKCOL" => plain(
            StatusCode::FORBIDDEN,
            "Cartera keeps one calendar and one address book per user",
        ),
        _ => plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    };
    tag_user(&mut res, user.id);
    res
}

fn options() -> Response {
    (
        StatusCode::OK,
        [
            (
                header::ALLOW,
                "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT",
            ),
            (
                header::HeaderName::from_static("dav"),
                "1, 3, calendar-access, addressbook",
            ),
        ],
    )
        .into_response()
}

fn conditions(headers: &HeaderMap) -> Conditions {
    let h = |n: header::HeaderName| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().trim_start_matches("W/").to_owned())
    };
    Conditions {
        if_match: h(header::IF_MATCH),
        if_none_match_any: h(header::IF_NONE_MATCH).is_some_and(|v| v == "*"),
    }
}

/// A requested property: its namespace and name.
type Prop = (String, String);

/// What a request asked for: named properties, or everything.
enum Wanted {
    All,
    Named(Vec<Prop>),
}

fn wanted(root: Option<&El>) -> Wanted {
    match root.and_then(|r| r.child(DAV, "prop")) {
        Some(prop) => Wanted::Named(
            prop.children
                .iter()
                .map(|c| (c.ns.clone(), c.name.clone()))
                .collect(),
        ),
        None => Wanted::All,
    }
}

struct Ctx<'a> {
    s: &'a AppState,
    actor: &'a Actor,
    user: &'a User,
}

/// One `<d:response>`: the properties found (200) and those not (404).
fn response(href: &str, found: &[(Prop, String)], missing: &[Prop]) -> String {
    let mut out = format!("<d:response><d:href>{}</d:href>", escape(href));
    if !found.is_empty() {
        out.push_str("<d:propstat><d:prop>");
        for ((ns, name), value) in found {
            match xml::prefix(ns) {
                Some(p) if value.is_empty() => {
                    let _ = write!(out, "<{p}:{name}/>");
                }
                Some(p) => {
                    let _ = write!(out, "<{p}:{name}>{value}</{p}:{name}>");
                }
                None => out.push_str(&xml::empty_prop(ns, name)),
            }
        }
        out.push_str("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
    }
    if !missing.is_empty() {
        out.push_str("<d:propstat><d:prop>");
        for (ns, name) in missing {
            out.push_str(&xml::empty_prop(ns, name));
        }
        out.push_str("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
    }
    out.push_str("</d:response>");
    out
}

/// Splits what a resource has into what was asked for and what it lacks.
fn pick(all: Vec<(Prop, String)>, wanted: &Wanted) -> (Vec<(Prop, String)>, Vec<Prop>) {
    match wanted {
        Wanted::All => (all, Vec::new()),
        Wanted::Named(names) => {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for n in names {
                match all.iter().find(|(p, _)| p == n) {
                    Some(x) => found.push(x.clone()),
                    None => missing.push(n.clone()),
                }
            }
            (found, missing)
        }
    }
}

fn p(ns: &str, name: &str, value: impl Into<String>) -> (Prop, String) {
    ((ns.to_owned(), name.to_owned()), value.into())
}

fn href(h: &str) -> String {
    format!("<d:href>{}</d:href>", escape(h))
}

/// Parses a CalDAV UTC time (`20261201T000000Z`).
fn caldav_time(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

impl Ctx<'_> {
    fn may_write(&self, k: CollectionKind) -> bool {
        let m = match k {
            CollectionKind::Calendar => Module::Activities,
            CollectionKind::Contacts => Module::Contacts,
        };
        self.actor.may(m, Action::Create) || self.actor.may(m, Action::Edit)
    }

    /// The properties every resource answers with its identity (principal, homes).
    fn common(&self) -> Vec<(Prop, String)> {
        let u = self.user.id;
        vec![
            p(DAV, "current-user-principal", href(&principal_href(u))),
            p(DAV, "principal-URL", href(&principal_href(u))),
            p(DAV, "principal-collection-set", href("/dav/principals/")),
            p(
                CALDAV,
                "calendar-home-set",
                href(&home_href(CollectionKind::Calendar, u)),
            ),
            p(
                CARDDAV,
                "addressbook-home-set",
                href(&home_href(CollectionKind::Contacts, u)),
            ),
            p(
                CALDAV,
                "calendar-user-address-set",
                href(&format!("mailto:{}", self.user.email)),
            ),
        ]
    }

    fn privileges(&self, write: bool) -> String {
        let mut out = String::from("<d:privilege><d:read/></d:privilege>");
        if write {
            out.push_str("<d:privilege><d:write/></d:privilege><d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege>");
        }
        out
    }

    fn root_props(&self) -> Vec<(Prop, String)> {
        let mut v = self.common();
        v.push(p(DAV, "resourcetype", "<d:collection/>"));
        v.push(p(DAV, "displayname", "Cartera"));
        v
    }

    fn principal_props(&self) -> Vec<(Prop, String)> {
        let mut v = self.common();
        v.push(p(DAV, "resourcetype", "<d:collection/><d:principal/>"));
        v.push(p(DAV, "displayname", escape(&self.user.name)));
        v
    }

    fn home_props(&self) -> Vec<(Prop, String)> {
        let mut v = self.common();
        v.push(p(DAV, "resourcetype", "<d:collection/>"));
        v.push(p(DAV, "current-user-privilege-set", self.privileges(false)));
        v
    }

    fn collection_props(&self, k: CollectionKind, snap: &Snapshot) -> Vec<(Prop, String)> {
        let mut v = self.common();
        let token = escape(&sync_token(snap));
        let write = self.may_write(k);
        match k {
            CollectionKind::Calendar => {
                v.push(p(DAV, "resourcetype", "<d:collection/><c:calendar/>"));
                v.push(p(DAV, "displayname", "Cartera"));
                v.push(p(
                    CALDAV,
                    "supported-calendar-component-set",
                    "<c:comp name=\"VEVENT\"/><c:comp name=\"VTODO\"/>",
                ));
                v.push(p(
                    CALDAV,
                    "supported-calendar-data",
                    "<c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>",
                ));
                v.push(p(
                    DAV,
                    "supported-report-set",
                    "<d:supported-report><d:report><c:calendar-query/></d:report></d:supported-report><d:supported-report><d:report><c:calendar-multiget/></d:report></d:supported-report><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>",
                ));
            }
            CollectionKind::Contacts => {
                v.push(p(DAV, "resourcetype", "<d:collection/><card:addressbook/>"));
                v.push(p(DAV, "displayname", "Cartera"));
                v.push(p(
                    CARDDAV,
                    "supported-address-data",
                    "<card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/><card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>",
                ));
                v.push(p(
                    DAV,
                    "supported-report-set",
                    "<d:supported-report><d:report><card:addressbook-query/></d:report></d:supported-report><d:supported-report><d:report><card:addressbook-multiget/></d:report></d:supported-report><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>",
                ));
            }
        }
        v.push(p(DAV, "sync-token", token.clone()));
        v.push(p(CALSERVER, "getctag", token));
        v.push(p(DAV, "current-user-privilege-set", self.privileges(write)));
        v.push(p(DAV, "owner", href(&principal_href(self.user.id))));
        v
    }

    fn item_props(
        &self,
        k: CollectionKind,
        item: &Item,
        body: Option<&str>,
        data: bool,
    ) -> Vec<(Prop, String)> {
        let mut v = vec![
            p(DAV, "getetag", escape(&item.etag)),
            p(DAV, "getcontenttype", content_type(k)),
            p(DAV, "resourcetype", ""),
        ];
        if let Some(b) = body {
            v.push(p(DAV, "getcontentlength", b.len().to_string()));
            if data {
                match k {
                    CollectionKind::Calendar => v.push(p(CALDAV, "calendar-data", escape(b))),
                    CollectionKind::Contacts => v.push(p(CARDDAV, "address-data", escape(b))),
                }
            }
        }
        v
    }

    async fn snapshot(&self, k: CollectionKind) -> Result<Snapshot, Response> {
        app_dav::snapshot(&self.s.app, self.actor, k)
            .await
            .map_err(app_error)
    }

    async fn propfind(&self, target: &Target, headers: &HeaderMap, body: &Bytes) -> Response {
        let root = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match xml::parse(body) {
                Ok(r) if r.is(DAV, "propfind") => Some(r),
                Ok(_) | Err(XmlError::Malformed) => {
                    return plain(
                        StatusCode::BAD_REQUEST,
                        "the body is not a DAV:propfind document",
                    );
                }
                Err(e) => return xml_refused(&e),
            }
        };
        let wanted = wanted(root.as_ref());
        let depth1 = headers
            .get("depth")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|d| d.trim() != "0");
        let u = self.user.id;
        let mut out = String::from(xml::MULTISTATUS_OPEN);
        let mut add = |href: &str, props: Vec<(Prop, String)>| {
            let (found, missing) = pick(props, &wanted);
            out.push_str(&response(href, &found, &missing));
        };
        match target {
            Target::Root => {
                add("/dav/", self.root_props());
                if depth1 {
                    add(&principal_href(u), self.principal_props());
                }
            }
            Target::Principals => {
                add("/dav/principals/", self.root_props());
                if depth1 {
                    add(&principal_href(u), self.principal_props());
                }
            }
            Target::Principal => add(&principal_href(u), self.principal_props()),
            Target::Home(k) => {
                add(&home_href(*k, u), self.home_props());
                if depth1 {
                    let snap = match self.snapshot(*k).await {
                        Ok(s) => s,
                        Err(r) => return r,
                    };
                    add(&collection_href(*k, u), self.collection_props(*k, &snap));
                }
            }
            Target::Collection(k) => {
                let snap = match self.snapshot(*k).await {
                    Ok(s) => s,
                    Err(r) => return r,
                };
                add(&collection_href(*k, u), self.collection_props(*k, &snap));
                if depth1 {
                    for item in snap.items.iter().filter(|i| !i.deleted) {
                        add(
                            &resource_href(*k, u, &item.href),
                            self.item_props(*k, item, snap.body(item), false),
                        );
                    }
                }
            }
            Target::Resource(k, name) => {
                let snap = match self.snapshot(*k).await {
                    Ok(s) => s,
                    Err(r) => return r,
                };
                let Some(item) = snap.live(name) else {
                    return plain(StatusCode::NOT_FOUND, "not found");
                };
                add(
                    &resource_href(*k, u, name),
                    self.item_props(*k, item, snap.body(item), false),
                );
            }
        }
        out.push_str(xml::MULTISTATUS_CLOSE);
        xml_response(StatusCode::MULTI_STATUS, out)
    }

    /// Cartera's collections have fixed names and colours: every change is refused,
    /// property by property.
    fn proppatch(&self, _target: &Target, path: &str, body: &Bytes) -> Response {
        let root = match xml::parse(body) {
            Ok(r) => r,
            Err(e) => return xml_refused(&e),
        };
        let mut props = Vec::new();
        root.find_all(DAV, "prop", &mut props);
        let mut out = String::from(xml::MULTISTATUS_OPEN);
        let _ = write!(
            out,
            "<d:response><d:href>/dav/{}</d:href><d:propstat><d:prop>",
            escape(path)
        );
        for prop in props {
            for c in &prop.children {
                out.push_str(&xml::empty_prop(&c.ns, &c.name));
            }
        }
        out.push_str(
            "</d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat></d:response>",
        );
        out.push_str(xml::MULTISTATUS_CLOSE);
        xml_response(StatusCode::MULTI_STATUS, out)
    }

    async fn report(&self, target: &Target, body: &Bytes) -> Response {
        let root = match xml::parse(body) {
            Ok(r) => r,
            Err(e) => return xml_refused(&e),
        };
        let k = match target {
            Target::Collection(k) => *k,
            Target::Resource(k, _) => *k,
            _ => {
                return plain(
                    StatusCode::FORBIDDEN,
                    "reports run on the calendar or the address book",
                );
            }
        };
        let snap = match self.snapshot(k).await {
            Ok(s) => s,
            Err(r) => return r,
        };
        let wanted = wanted(Some(&root));
        let u = self.user.id;
        let mut out = String::from(xml::MULTISTATUS_OPEN);
        let data = |item: &Item| self.item_props(k, item, snap.body(item), true);
        let name = (root.ns.as_str(), root.name.as_str());
        match name {
            (CALDAV, "calendar-multiget") | (CARDDAV, "addressbook-multiget") => {
                for h in root.children_named(DAV, "href") {
                    let resource = name_of(h.text.trim());
                    match snap.live(&resource) {
                        Some(item) => {
                            let (found, missing) = pick(data(item), &wanted);
                            out.push_str(&response(
                                &resource_href(k, u, &resource),
                                &found,
                                &missing,
                            ));
                        }
                        None => {
                            let _ = write!(
                                out,
                                "<d:response><d:href>{}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>",
                                escape(h.text.trim())
                            );
                        }
                    }
                }
            }
            (CALDAV, "calendar-query") | (CARDDAV, "addressbook-query") => {
                let filter = CalendarFilter::of(&root);
                let cards = match CardFilter::of(&root) {
                    Ok(f) => f,
                    Err(e) => {
                        return xml_response(
                            StatusCode::FORBIDDEN,
                            xml::error_body(
                                CARDDAV,
                                "supported-filter",
                                &format!("this filter is not supported: {}", e.0),
                            ),
                        );
                    }
                };
                for item in snap.items.iter().filter(|i| !i.deleted) {
                    let body = snap.body(item);
                    let admitted = match k {
                        CollectionKind::Calendar => body.is_some_and(|b| filter.admits(b)),
                        CollectionKind::Contacts => body.is_none_or(|b| cards.admits(b)),
                    };
                    if !admitted {
                        continue;
                    }
                    let (found, missing) = pick(data(item), &wanted);
                    out.push_str(&response(
                        &resource_href(k, u, &item.href),
                        &found,
                        &missing,
                    ));
                }
            }
            (DAV, "sync-collection") => {
                let token = root
                    .child(DAV, "sync-token")
                    .map(|t| t.text.trim().to_owned())
                    .unwrap_or_default();
                let since = if token.is_empty() {
                    0
                } else {
                    match parse_sync_token(&token, &snap) {
                        Some(r) => r,
                        None => {
                            return xml_response(
                                StatusCode::FORBIDDEN,
                                xml::error_body(
                                    DAV,
                                    "valid-sync-token",
                                    "this sync token is not one of this collection's",
                                ),
                            );
                        }
                    }
                };
                for item in snap.items.iter().filter(|i| i.revision > since) {
                    let h = resource_href(k, u, &item.href);
                    if item.deleted {
                        // An initial sync lists only what exists.
                        if since > 0 {
                            let _ = write!(
                                out,
                                "<d:response><d:href>{}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>",
                                escape(&h)
                            );
                        }
                    } else {
                        let props = self.item_props(k, item, snap.body(item), true);
                        let (found, missing) = pick(props, &wanted);
                        out.push_str(&response(&h, &found, &missing));
                    }
                }
                let _ = write!(
                    out,
                    "<d:sync-token>{}</d:sync-token>",
                    escape(&sync_token(&snap))
                );
            }
            _ => {
                return xml_response(
                    StatusCode::FORBIDDEN,
                    xml::error_body(DAV, "supported-report", "this report is not supported here"),
                );
            }
        }
        out.push_str(xml::MULTISTATUS_CLOSE);
        xml_response(StatusCode::MULTI_STATUS, out)
    }

    async fn get(&self, target: &Target, head: bool) -> Response {
        let Target::Resource(k, name) = target else {
            return plain(
                StatusCode::OK,
                "Cartera CalDAV/CardDAV: add this address to your calendar or contacts app",
            );
        };
        let snap = match self.snapshot(*k).await {
            Ok(s) => s,
            Err(r) => return r,
        };
        let Some((item, body)) = snap.live(name).and_then(|i| snap.body(i).map(|b| (i, b))) else {
            return plain(StatusCode::NOT_FOUND, "not found");
        };
        let mut res = Response::new(if head {
            Body::empty()
        } else {
            Body::from(body.to_owned())
        });
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(*k)),
        );
        if let Ok(v) = HeaderValue::from_str(&item.etag) {
            h.insert(header::ETAG, v);
        }
        res
    }

    async fn put(&self, target: &Target, headers: &HeaderMap, body: &Bytes) -> Response {
        let Target::Resource(k, name) = target else {
            return plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "PUT goes to a resource of a collection",
            );
        };
        let Ok(text) = std::str::from_utf8(body) else {
            return dav_data_error(*k, "the body is not UTF-8 text");
        };
        match app_dav::put(
            &self.s.app,
            self.actor,
            *k,
            name,
            text,
            &conditions(headers),
        )
        .await
        {
            Ok(stored) => {
                // The stored form differs from what the client sent (Cartera keeps its
                // own fields), so no ETag: the client reads the resource back.
                let status = if stored.created {
                    StatusCode::CREATED
                } else {
                    StatusCode::NO_CONTENT
                };
                status.into_response()
            }
            Err(AppError::Invalid(v)) => dav_data_error(*k, &describe(&v)),
            Err(e) => app_error(e),
        }
    }

    async fn delete(&self, target: &Target, headers: &HeaderMap) -> Response {
        let Target::Resource(k, name) = target else {
            return plain(
                StatusCode::FORBIDDEN,
                "Cartera's collections cannot be deleted",
            );
        };
        match app_dav::delete(&self.s.app, self.actor, *k, name, &conditions(headers)).await {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => app_error(e),
        }
    }
}

/// A request body the XML reader refused: 413 when it holds too many elements, else 400
/// (malformed, or nested deeper than a client ever sends).
fn xml_refused(e: &XmlError) -> Response {
    match e {
        XmlError::TooManyElements => app_error(AppError::TooLarge(e.to_string())),
        XmlError::Malformed | XmlError::TooDeep => plain(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// Bad iCalendar or vCard: 400 with the RFC's precondition and what was wrong.
fn dav_data_error(k: CollectionKind, message: &str) -> Response {
    let (ns, cond) = match k {
        CollectionKind::Calendar => (CALDAV, "valid-calendar-data"),
        CollectionKind::Contacts => (CARDDAV, "valid-address-data"),
    };
    xml_response(StatusCode::BAD_REQUEST, xml::error_body(ns, cond, message))
}

/// The revision a token of this collection names; `None` for another collection's, a
/// future one or a malformed one.
fn parse_sync_token(token: &str, snap: &Snapshot) -> Option<i64> {
    let rest = token.strip_prefix("urn:cartera:sync:")?;
    let (collection, revision) = rest.rsplit_once(':')?;
    if collection != snap.collection.id.to_string() {
        return None;
    }
    let r: i64 = revision.parse().ok()?;
    (0..=snap.collection.revision).contains(&r).then_some(r)
}

/// The part of a calendar-query filter Cartera applies: the component (VEVENT or
/// VTODO) and its time-range.
#[derive(Default)]
struct CalendarFilter {
    component: Option<String>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
}

impl CalendarFilter {
    fn of(root: &El) -> CalendarFilter {
        let mut f = CalendarFilter::default();
        let mut comps = Vec::new();
        root.find_all(CALDAV, "comp-filter", &mut comps);
        if let Some(c) = comps
            .iter()
            .filter_map(|c| c.attr("name"))
            .find(|n| !n.eq_ignore_ascii_case("VCALENDAR"))
        {
            f.component = Some(c.to_ascii_uppercase());
        }
        let mut ranges = Vec::new();
        root.find_all(CALDAV, "time-range", &mut ranges);
        if let Some(r) = ranges.first() {
            f.start = r.attr("start").and_then(caldav_time);
            f.end = r.attr("end").and_then(caldav_time);
        }
        f
    }

    fn admits(&self, body: &str) -> bool {
        let Ok(item) = parse_calendar(body) else {
            return false;
        };
        if let Some(c) = &self.component {
            let todo = c == "VTODO";
            if todo != item.todo {
                return false;
            }
        }
        if self.start.is_none() && self.end.is_none() {
            return true;
        }
        let (from, to) = match (item.starts_at, item.due_date) {
            (Some(s), _) => (s, item.ends_at.unwrap_or(s + chrono::Duration::hours(1))),
            (None, Some(d)) => {
                let s = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
                match s {
                    Some(s) => (s, s + chrono::Duration::days(1)),
                    None => return true,
                }
            }
            (None, None) => return true,
        };
        if let Some(r) = &item.recurrence {
            // A series matches when one of its occurrences overlaps the range.
            let length = to - from;
            let lo = self.start.map_or(from, |s| s - length);
            let hi = self
                .end
                .unwrap_or_else(|| lo.max(from) + chrono::Duration::days(3660));
            return !r.effective(from, lo, hi).is_empty();
        }
        self.start.is_none_or(|s| to > s) && self.end.is_none_or(|e| from < e)
    }
}
