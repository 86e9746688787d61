//! Small helpers shared by the settings and administration pages: a posted form read
//! with its repeated fields, a use case's violations as messages next to the form's
//! fields, and the client of a request.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use cartera_core::totals::TaxRate;
use cartera_core::{Code, Id, Violations};

use super::i18n::ArgValue;
use super::render::Page;
use crate::middleware::BODY_LIMIT;
use crate::state::AppState;

/// Around every page: a query parameter with a NUL character is refused with a 400
/// page naming it, and a posted form with one in a field (or a field's name) with a 422
/// page naming the field, before any handler reads them. PostgreSQL cannot store a NUL,
/// and a SQLite database holding one could not move to PostgreSQL; the JSON API refuses
/// them in `api::extract::parse_json` and `middleware::refuse_nul_query` likewise.
pub async fn refuse_nul(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(param) = crate::middleware::nul_in_query(req.uri()) {
        let (mut parts, _) = req.into_parts();
        return nul_page(&s, &mut parts, StatusCode::BAD_REQUEST, "param", param).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    // A NUL arrives as `%00` (or, from a careless client, as a raw byte).
    let suspect = bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00");
    let field = suspect
        .then(|| {
            form_urlencoded::parse(&bytes)
                .find(|(k, v)| k.contains('\0') || v.contains('\0'))
                .map(|(k, _)| k.replace('\0', "").chars().take(100).collect::<String>())
        })
        .flatten();
    let Some(field) = field else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    nul_page(
        &s,
        &mut parts,
        StatusCode::UNPROCESSABLE_ENTITY,
        "field",
        field,
    )
    .await
}

/// The page that refuses a NUL: in a form's `field`, or in a query's `param`.
async fn nul_page(
    s: &AppState,
    parts: &mut axum::http::request::Parts,
    status: StatusCode,
    what: &str,
    name: String,
) -> Response {
    let page = match <Page as FromRequestParts<AppState>>::from_request_parts(parts, s).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let name: String = name.replace('\0', "").chars().take(100).collect();
    let (title_key, text_key) = if what == "param" {
        ("error-nul-param-title", "error-nul-param-text")
    } else {
        ("error-nul-title", "error-nul-text")
    };
    let text = page.t_args(text_key, &[(what, ArgValue::Text(name))]);
    page.render(
        status,
        "layout/error.html",
        json!({
            "status": status.as_u16(),
            "title_key": title_key,
            "text_key": text_key,
            "text": text,
        }),
    )
}

/// A posted form, with repeated fields (checkboxes) kept.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &Bytes) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, trimmed; empty when the form has none.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// Every value of `name`, as sent.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The values of `name` that are ids (others are left out).
    pub fn ids(&self, name: &str) -> Vec<Id> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    }

    pub fn opt_id(&self, name: &str) -> Option<Id> {
        self.get(name).parse().ok()
    }

    /// The fields as one JSON object (first value of each, the CSRF token left out), to
    /// show a refused form again as it was filled in.
    pub fn as_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.0 {
            if k != "csrf_token" {
                m.entry(k.clone()).or_insert_with(|| v.clone().into());
            }
        }
        Value::Object(m)
    }
}

/// Messages by form field, and one for the form as a whole when a violation names no
/// field the form shows.
#[derive(Default)]
pub struct FormErrors {
    pub fields: BTreeMap<String, String>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn one(field: &str, text: String) -> FormErrors {
        let mut e = FormErrors::default();
        e.fields.insert(field.to_owned(), text);
        e
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }
}

/// A violation in plain words: the field's own text when the catalogue has one
/// (`violation-invalid-time_zone`), else the code's.
pub fn explain(page: &Page, field: &str, code: Code) -> String {
    let code = serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "invalid".into());
    let specific = format!("violation-{code}-{field}");
    if page.ui.catalog.has(page.locale, &specific) {
        page.t(&specific)
    } else {
        page.t(&format!("violation-{code}"))
    }
}

/// Places each violation on the form field `to_field` names for its path (`None`: the
/// form as a whole). The first message per field wins.
pub fn place(
    page: &Page,
    violations: Violations,
    to_field: impl Fn(&str) -> Option<&'static str>,
) -> FormErrors {
    let mut out = FormErrors::default();
    for v in violations.0 {
        match to_field(&v.field) {
            Some(f) => {
                let text = explain(page, f, v.code);
                out.fields.entry(f.to_owned()).or_insert(text);
            }
            None => {
                out.general.get_or_insert_with(|| explain(page, "", v.code));
            }
        }
    }
    out
}

pub(crate) use crate::api::auth::client;

/// A comma-separated input as a list: trimmed, without empty entries.
pub fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An amount, rate or multiplier typed on a page ([`typed_number`]) that may not be
/// negative: `None` for anything else.
pub fn typed_amount(page: &Page, raw: &str) -> Option<rust_decimal::Decimal> {
    typed_number(page, raw)
        .ok()
        .filter(|d| !d.is_sign_negative() && !raw.trim_start().starts_with('-'))
}

/// A number a person typed on a page that shows numbers in their language: `48.500`
/// is forty-eight thousand five hundred on a Spanish page (which writes `1.234,5`), one
/// point five on an English one is `1.5`. One parser for every form that shows figures
/// the reader's way.
pub fn typed_number(
    page: &Page,
    raw: &str,
) -> Result<rust_decimal::Decimal, cartera_core::numbers::NumberError> {
    written_number(page.locale, raw)
}

/// [`typed_number`] for a page in `locale` (what a test of the readers has).
pub fn written_number(
    locale: super::i18n::Locale,
    raw: &str,
) -> Result<rust_decimal::Decimal, cartera_core::numbers::NumberError> {
    let locale = match locale {
        super::i18n::Locale::Es => cartera_core::numbers::Locale::Es,
        super::i18n::Locale::En => cartera_core::numbers::Locale::En,
    };
    cartera_core::numbers::parse_decimal(raw, cartera_core::numbers::Hint::Written(locale))
}

/// A tax rate typed on a page: `exempt`, or a percentage written the page's way (`10,5`
/// on a Spanish page), `%` allowed. `None` when it is neither, or out of 0 to 100.
pub fn typed_tax_rate(page: &Page, raw: &str) -> Option<TaxRate> {
    let raw = raw.trim().trim_end_matches('%').trim();
    if raw.eq_ignore_ascii_case("exempt") {
        return Some(TaxRate::Exempt);
    }
    typed_number(page, raw).ok()?.to_string().parse().ok()
}

/// A tax rate as a form shows it, to be read back by [`typed_tax_rate`].
pub fn shown_tax_rate(locale: super::i18n::Locale, rate: TaxRate) -> String {
    match rate {
        TaxRate::Exempt => rate.to_string(),
        TaxRate::Percent(p) => super::figures::number(locale, p),
    }
}
