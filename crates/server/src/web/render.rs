//! Pages: the template environment (built once, kept in `AppState`), the request's
//! page context (locale, user, CSRF token), and rendering with error pages.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use serde_json::{Map, Value as Json, json};

use cartera_app::{Actor, AppError};
use cartera_core::Id;
use cartera_core::accounts::AccountKind;
use cartera_core::record::RecordKind;
use cartera_core::users::User;

use super::assets;
use super::i18n::{ArgValue, Catalog, Locale};
use crate::state::AppState;

/// Every template, embedded in the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("login.html", include_str!("templates/login.html")),
    ("my_day.html", include_str!("templates/my_day.html")),
    ("imports.html", include_str!("templates/imports.html")),
    ("import.html", include_str!("templates/import.html")),
    (
        "import_progress.html",
        include_str!("templates/import_progress.html"),
    ),
    ("list.html", include_str!("templates/list.html")),
    ("list_rows.html", include_str!("templates/list_rows.html")),
    ("account.html", include_str!("templates/account.html")),
    (
        "account_form.html",
        include_str!("templates/account_form.html"),
    ),
    ("notes.html", include_str!("templates/notes.html")),
    ("search.html", include_str!("templates/search.html")),
    (
        "search_results.html",
        include_str!("templates/search_results.html"),
    ),
    ("error.html", include_str!("templates/error.html")),
    // Password pages, settings and administration.
    (
        "forgot_password.html",
        include_str!("templates/forgot_password.html"),
    ),
    (
        "reset_password.html",
        include_str!("templates/reset_password.html"),
    ),
    ("settings.html", include_str!("templates/settings.html")),
    ("admin_tabs.html", include_str!("templates/admin_tabs.html")),
    (
        "admin_users.html",
        include_str!("templates/admin_users.html"),
    ),
    (
        "admin_roles.html",
        include_str!("templates/admin_roles.html"),
    ),
    ("admin_role.html", include_str!("templates/admin_role.html")),
    (
        "admin_teams.html",
        include_str!("templates/admin_teams.html"),
    ),
    (
        "admin_territories.html",
        include_str!("templates/admin_territories.html"),
    ),
    (
        "admin_fields.html",
        include_str!("templates/admin_fields.html"),
    ),
    ("views.html", include_str!("templates/views.html")),
    (
        "record_form.html",
        include_str!("templates/record_form.html"),
    ),
    ("inline.html", include_str!("templates/inline.html")),
    // The agenda: notifications, activities, calendar, targets, dead jobs.
    (
        "notifications.html",
        include_str!("templates/notifications.html"),
    ),
    ("activity.html", include_str!("templates/activity.html")),
    (
        "activity_form.html",
        include_str!("templates/activity_form.html"),
    ),
    ("calendar.html", include_str!("templates/calendar.html")),
    ("targets.html", include_str!("templates/targets.html")),
    ("admin_jobs.html", include_str!("templates/admin_jobs.html")),
    (
        "follow_up_rules.html",
        include_str!("templates/follow_up_rules.html"),
    ),
    ("deleted.html", include_str!("templates/deleted.html")),
    ("trash.html", include_str!("templates/trash.html")),
    ("contact.html", include_str!("templates/contact.html")),
    ("lead.html", include_str!("templates/lead.html")),
    ("convert.html", include_str!("templates/convert.html")),
    ("shares.html", include_str!("templates/shares.html")),
    ("timeline.html", include_str!("templates/timeline.html")),
    (
        "record_actions.html",
        include_str!("templates/record_actions.html"),
    ),
    // Deals.
    (
        "deals_board.html",
        include_str!("templates/deals_board.html"),
    ),
    ("deals_list.html", include_str!("templates/deals_list.html")),
    ("deal.html", include_str!("templates/deal.html")),
    ("forecast.html", include_str!("templates/forecast.html")),
    // Quotes and orders (quote pages).
    ("quotes.html", include_str!("templates/quotes.html")),
    ("quote_rows.html", include_str!("templates/quote_rows.html")),
    ("quote_edit.html", include_str!("templates/quote_edit.html")),
    ("quote_form.html", include_str!("templates/quote_form.html")),
    ("quote_line.html", include_str!("templates/quote_line.html")),
    (
        "quote_totals.html",
        include_str!("templates/quote_totals.html"),
    ),
    (
        "quote_contacts.html",
        include_str!("templates/quote_contacts.html"),
    ),
    ("quote.html", include_str!("templates/quote.html")),
    ("orders.html", include_str!("templates/orders.html")),
    ("order.html", include_str!("templates/order.html")),
    (
        "settings_quotes.html",
        include_str!("templates/settings_quotes.html"),
    ),
    // sales-rest: catalogue, price lists, quotas and commissions.
    ("catalog.html", include_str!("templates/catalog.html")),
    (
        "product_form.html",
        include_str!("templates/product_form.html"),
    ),
    (
        "price_lists.html",
        include_str!("templates/price_lists.html"),
    ),
    ("price_list.html", include_str!("templates/price_list.html")),
    (
        "price_list_fields.html",
        include_str!("templates/price_list_fields.html"),
    ),
    ("sales_tabs.html", include_str!("templates/sales_tabs.html")),
    ("quotas.html", include_str!("templates/quotas.html")),
    (
        "commissions.html",
        include_str!("templates/commissions.html"),
    ),
    (
        "commission_plans.html",
        include_str!("templates/commission_plans.html"),
    ),
];

/// The template engine and the catalogue.
pub struct Ui {
    env: Environment<'static>,
    pub catalog: Arc<Catalog>,
}

fn locale_of(state: &State) -> Locale {
    state
        .lookup("locale")
        .and_then(|v| v.as_str().and_then(Locale::from_tag))
        .unwrap_or(Locale::Es)
}

fn time_zone_of(state: &State) -> Tz {
    state
        .lookup("tz")
        .and_then(|v| v.as_str().and_then(|s| s.parse::<Tz>().ok()))
        .unwrap_or(Tz::UTC)
}

impl Ui {
    pub fn new() -> Ui {
        let catalog = Arc::new(Catalog::load());
        let mut env = Environment::new();
        // Templates are parsed on first use and kept; a unit test parses them all.
        env.set_loader(|name| {
            Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| (*src).to_owned()))
        });
        // Autoescape: every .html template escapes what it prints (the default rule).
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        let c = catalog.clone();
        env.add_function(
            "t",
            move |state: &State, key: &str, kwargs: Kwargs| -> Result<String, Error> {
                let mut args: Vec<(&str, ArgValue)> = Vec::new();
                for name in kwargs.args() {
                    let v: Value = kwargs.get(name)?;
                    let arg = match v.as_i64() {
                        Some(n) => ArgValue::Number(n as f64),
                        None => ArgValue::Text(v.to_string()),
                    };
                    args.push((name, arg));
                }
                Ok(c.t_args(locale_of(state), key, &args))
            },
        );
        let c = catalog.clone();
        // A changed field as people name it ("billing_address.city" -> "City"); fields
        // without a label show as they are.
        env.add_filter("field_label", move |state: &State, field: &str| -> String {
            let last = field.rsplit('.').next().unwrap_or(field);
            let key = format!("field-{}", last.replace('_', "-"));
            let locale = locale_of(state);
            if c.has(locale, &key) {
                c.t(locale, &key)
            } else {
                field.to_owned()
            }
        });
        env.add_filter("when", |state: &State, v: &str| -> Result<String, Error> {
            let at = DateTime::parse_from_rfc3339(v)
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
            Ok(when(
                at.with_timezone(&Utc),
                time_zone_of(state),
                locale_of(state),
            ))
        });
        Ui { env, catalog }
    }

    pub fn render(&self, name: &str, ctx: &Json) -> Result<String, Error> {
        self.env
            .get_template(name)?
            .render(Value::from(minijinja::value::Serde(ctx)))
    }
}

impl Default for Ui {
    fn default() -> Self {
        Ui::new()
    }
}

/// A time as people read it, in their zone: "23/11/2026 14:03" or "23 Nov 2026, 14:03".
pub fn when(at: DateTime<Utc>, tz: Tz, locale: Locale) -> String {
    let local = at.with_timezone(&tz);
    match locale {
        Locale::Es => local.format("%d/%m/%Y %H:%M").to_string(),
        Locale::En => local.format("%-d %b %Y, %H:%M").to_string(),
    }
}

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
            "error.html",
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn every_template_parses_and_escapes() {
        let ui = Ui::new();
        for (name, _) in TEMPLATES {
            ui.env
                .get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
        let html = ui
            .render(
                "error.html",
                &json!({"locale": "en", "status": 404, "title_key": "<b>x</b>", "text_key": "y"}),
            )
            .unwrap();
        assert!(
            html.contains("&lt;b&gt;x") && !html.contains("<b>x"),
            "{html}"
        );
    }

    #[test]
    fn times_in_the_users_zone() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T02:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ba: Tz = "America/Argentina/Buenos_Aires".parse().unwrap();
        assert_eq!(when(at, ba, Locale::Es), "22/11/2026 23:30");
        assert_eq!(when(at, Tz::UTC, Locale::En), "23 Nov 2026, 02:30");
    }
}
