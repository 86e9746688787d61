//! Pages: the request's page context (locale, user, CSRF token), and rendering with
//! error pages. The template environment itself is `ui::Ui`, kept in `AppState`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono_tz::Tz;
use serde_json::{Map, Value as Json, json};

use cartera_app::{Actor, AppError};
use cartera_core::Id;
use cartera_core::accounts::AccountKind;
use cartera_core::record::RecordKind;
use cartera_core::users::User;

use super::assets;
use super::i18n::{ArgValue, Locale};
pub use super::ui::{Ui, when};
use crate::state::AppState;

/// A person signed in through the browser.
#[derive(Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub user: User,
    pub csrf_token: String,
}

/// What every page knows about its request.
pub struct Page {
    pub ui: Arc<Ui>,
    pub locale: Locale,
    pub viewer: Option<Viewer>,
    /// Asked by htmx for a fragment (`HX-Request`).
    pub htmx: bool,
    /// The element htmx will swap the answer into (`HX-Target`).
    pub hx_target: Option<String>,
    /// Path and query, for `next` after a login.
    pub target: String,
    /// A GET (or HEAD): only those can be repeated after a login.
    pub reading: bool,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let viewer = parts.extensions.get::<Viewer>().cloned();
        let locale = viewer
            .as_ref()
            .and_then(|v| Locale::from_tag(&v.user.locale))
            .or_else(|| {
                Locale::from_accept_language(
                    parts
                        .headers
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok()),
                )
            })
            .unwrap_or(Locale::Es);
        Ok(Page {
            ui: s.web.clone(),
            locale,
            viewer,
            htmx: parts.headers.contains_key("hx-request"),
            hx_target: parts
                .headers
                .get("hx-target")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            reading: matches!(parts.method, Method::GET | Method::HEAD),
            target: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

/// A page for signed-in people: without a session it sends the browser to the login.
pub struct Me {
    pub page: Page,
    pub viewer: Viewer,
}

impl FromRequestParts<AppState> for Me {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let page = Page::from_request_parts(parts, s).await?;
        match page.viewer.clone() {
            Some(viewer) => Ok(Me { page, viewer }),
            None => Err(to_login(&page)),
        }
    }
}

impl Me {
    pub fn actor(&self) -> &Actor {
        &self.viewer.actor
    }
}

/// A record id from the path; a malformed one names no record, so its page is a 404.
pub struct PageId(pub Id);

impl FromRequestParts<AppState> for PageId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let raw = Path::<String>::from_request_parts(parts, s)
            .await
            .map(|Path(p)| p)
            .unwrap_or_default();
        match raw.parse::<Id>() {
            Ok(id) => Ok(PageId(id)),
            Err(_) => {
                let page = Page::from_request_parts(parts, s).await?;
                Err(page.error_page(StatusCode::NOT_FOUND, "not-found"))
            }
        }
    }
}

/// The record's id of a two-part path (record and a part of it); `None` when malformed.
pub fn two_ids(raw: &(String, String)) -> Option<Id> {
    raw.0.parse::<Id>().ok()
}

/// `path` when it is a path of this site that is safe to redirect to (`next` after a
/// login, `back` after a language switch), else `None`.
///
/// Browsers drop tabs and newlines from a `Location` before reading it, so `/\t/evil`
/// becomes `//evil`, another site; they read `\` as `/`. A control character would
/// also make the header itself invalid, and so would a raw non-ASCII letter (our own
/// links percent-encode them). So: one leading `/`, then no second `/` right after it,
/// only printable ASCII, no backslash (and not absurdly long).
pub fn same_site_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2048
        && path.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !path.contains('\\');
    ok.then_some(path)
}

/// Sends the browser to the login page, coming back here afterwards.
pub fn to_login(page: &Page) -> Response {
    let next: String = form_urlencoded::byte_serialize(page.target.as_bytes()).collect();
    let url = if !page.reading || page.target == "/" || page.target.starts_with("/my-day") {
        "/login".to_owned()
    } else {
        format!("/login?next={next}")
    };
    if page.htmx {
        // htmx would swap the login page into a fragment; it follows this header instead.
        let mut res = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(v) = HeaderValue::from_str(&url) {
            res.headers_mut().insert("hx-redirect", v);
        }
        return res;
    }
    Redirect::to(&url).into_response()
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        self.ui.catalog.t(self.locale, key)
    }

    pub fn t_args(&self, key: &str, args: &[(&str, ArgValue)]) -> String {
        self.ui.catalog.t_args(self.locale, key, args)
    }

    /// A record's one-line summary (`RecordData::subtitle`) in the page's language: an
    /// account's starts with its kind, which the core spells in English.
    pub fn subtitle(&self, kind: RecordKind, subtitle: Option<String>) -> Option<String> {
        let s = subtitle?;
        if kind == RecordKind::Lead {
            // A lead's ends with its source: a known channel by its name.
            return Some(
                s.split(" · ")
                    .map(|part| super::ui::source_label(&self.ui.catalog, self.locale, part))
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
        }
        if kind != RecordKind::Account {
            return Some(s);
        }
        let (first, rest) = s.split_once(" · ").unwrap_or((s.as_str(), ""));
        if !AccountKind::NAMES.contains(&first) {
            return Some(s);
        }
        let label = self.t(&format!("account-kind-{first}"));
        Some(if rest.is_empty() {
            label
        } else {
            format!("{label} · {rest}")
        })
    }

    pub fn time_zone(&self) -> Tz {
        self.viewer
            .as_ref()
            .and_then(|v| v.user.time_zone.parse::<Tz>().ok())
            .unwrap_or(Tz::UTC)
    }

    /// Renders `template` with `ctx` and what every page needs (locale, user, CSRF
    /// token, asset prefix).
    pub fn render(&self, status: StatusCode, template: &str, ctx: Json) -> Response {
        let mut map = match ctx {
            Json::Object(m) => m,
            _ => Map::new(),
        };
        map.insert("locale".into(), self.locale.as_str().into());
        map.insert("static".into(), assets::prefix().into());
        map.insert("path".into(), self.target.clone().into());
        if let Some(v) = &self.viewer {
            map.insert(
                "user".into(),
                json!({"name": v.user.name, "email": v.user.email, "id": v.user.id,
                "locale": v.user.locale,
                // The administration's menu entry; its pages check again.
                "can_admin": cartera_core::roles::allows(
                    &v.actor.permissions,
                    cartera_core::roles::Module::Settings,
                    cartera_core::roles::Action::Admin,
                ),
                // The collections' menu entry.
                "can_billing": cartera_core::roles::allows(
                    &v.actor.permissions,
                    cartera_core::roles::Module::Billing,
                    cartera_core::roles::Action::Read,
                )}),
            );
            map.insert("csrf_token".into(), v.csrf_token.clone().into());
            map.insert("tz".into(), v.user.time_zone.clone().into());
        }
        match self.ui.render(template, &Json::Object(map)) {
            Ok(html) => html_response(status, html),
            Err(e) => {
                tracing::error!(template, error = %e, "template failed");
                html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!(
                        "<!doctype html><title>Cartera</title><p>{}</p>",
                        self.t("error-internal-text")
                    ),
                )
            }
        }
    }

    /// The page for an error of a use case.
    pub fn error(&self, e: AppError) -> Response {
        let (status, key) = match &e {
            AppError::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::BadQuery(_) | AppError::Invalid(_) => {
                (StatusCode::BAD_REQUEST, "bad-request")
            }
            AppError::Unauthorized(_) => return to_login(self),
            AppError::LastAdmin => (StatusCode::CONFLICT, "last-admin"),
            AppError::Store(err) => {
                tracing::error!(error = %err, "store error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            other => {
                tracing::error!(error = %other, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        self.error_page(status, key)
    }

    /// An error page: `key` names its title (`error-{key}-title`) and text.
    pub fn error_page(&self, status: StatusCode, key: &str) -> Response {
        self.render(
            status,
            "layout/error.html",
            json!({
                "status": status.as_u16(),
                "title_key": format!("error-{key}-title"),
                "text_key": format!("error-{key}-text"),
            }),
        )
    }
}

pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Pages show one person's data: never kept by shared caches, always revalidated.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("HX-Request, Cookie"));
    res
}
