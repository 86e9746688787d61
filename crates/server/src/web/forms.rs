//! Small helpers shared by the settings and administration pages: a use case's
//! violations as messages next to the form's fields, and the client of a request.

use std::collections::BTreeMap;

use cartera_core::{Code, Violations};

use super::render::Page;

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
