//! The template environment (built once, kept in `AppState`) with the catalogue, and the
//! functions templates call: `t` (a text), `field_label` and `when`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use serde_json::Value as Json;

use super::embedded::TEMPLATES;
use super::i18n::{ArgValue, Catalog, Locale};

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
        // A nested field names its parent too ("billing_address.city" -> "Billing
        // address: City"), so that the billing and the shipping city differ.
        env.add_filter("field_label", move |state: &State, field: &str| -> String {
            let locale = locale_of(state);
            let label = |part: &str| {
                let key = format!("field-{}", part.replace('_', "-"));
                c.has(locale, &key).then(|| c.t(locale, &key))
            };
            let mut parts = field.rsplit('.');
            let last = parts.next().unwrap_or(field);
            match (label(last), parts.next().and_then(label)) {
                (Some(l), Some(parent)) => format!("{parent}: {l}"),
                (Some(l), None) => l,
                (None, Some(parent)) => format!("{parent}: {last}"),
                (None, None) => field.to_owned(),
            }
        });
        let c = catalog.clone();
        // Where a lead or deal came from: the known channels by name (`mercado_libre` ->
        // "Mercado Libre"); a source someone typed shows as typed.
        env.add_filter(
            "source_label",
            move |state: &State, source: &str| -> String {
                source_label(&c, locale_of(state), source)
            },
        );
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

/// A lead's or deal's source in the reader's words: the catalogue's `source-<key>` for
/// the known channels, else the text as it was typed.
pub fn source_label(c: &Catalog, locale: Locale, source: &str) -> String {
    let key = format!("source-{}", source.trim().replace('_', "-"));
    if c.has(locale, &key) {
        c.t(locale, &key)
    } else {
        source.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn every_template_parses_and_escapes() {
        let ui = Ui::new();
        // The folder is embedded whole: each template sits in its domain's folder.
        assert!(TEMPLATES.len() > 60, "the templates folder looks empty");
        for (name, _) in TEMPLATES {
            assert!(name.contains('/'), "{name} is outside a domain folder");
            ui.env
                .get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
        let html = ui
            .render(
                "layout/error.html",
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
