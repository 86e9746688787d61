//! The translation catalogue: one Fluent file per language, embedded in the binary, and
//! the locale of a request (the user's choice, else the browser's, else Spanish).

use std::collections::BTreeSet;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::Serialize;

const ES: &str = include_str!("i18n/es.ftl");
const EN: &str = include_str!("i18n/en.ftl");

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Es,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Es => "es",
            Locale::En => "en",
        }
    }

    /// `es`, `es-AR`, `en-GB` ... by their language alone.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let lang = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match lang.as_str() {
            "es" => Some(Locale::Es),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The browser's preferred language among ours (`Accept-Language`, by weight).
    pub fn from_accept_language(header: Option<&str>) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header?.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// Every text of the interface, in each language.
pub struct Catalog {
    es: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, source: &str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: the pages are left-to-right and tests read the text.
    b.set_use_isolating(false);
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        Err((r, errors)) => {
            // The unit tests keep this from happening; a broken entry shows its key.
            tracing::error!(lang, ?errors, "translation file has errors");
            r
        }
    };
    if let Err(errors) = b.add_resource(resource) {
        tracing::error!(lang, ?errors, "translation file repeats keys");
    }
    b
}

impl Catalog {
    pub fn load() -> Catalog {
        Catalog {
            es: bundle("es", ES),
            en: bundle("en", EN),
        }
    }

    fn bundle(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        match locale {
            Locale::Es => &self.es,
            Locale::En => &self.en,
        }
    }

    /// The text of `key` in `locale`; the key itself when it is missing, so a gap shows
    /// instead of breaking the page.
    pub fn text(&self, locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
        let b = self.bundle(locale);
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, locale = locale.as_str(), "missing translation");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let out = b.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "translation could not be formatted");
        }
        out.into_owned()
    }

    /// Whether `key` has a text (for optional, more specific texts).
    pub fn has(&self, locale: Locale, key: &str) -> bool {
        self.bundle(locale).has_message(key)
    }

    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.text(locale, key, None)
    }

    /// `key` with named arguments.
    pub fn t_args(&self, locale: Locale, key: &str, args: &[(&str, ArgValue)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            match v {
                ArgValue::Text(s) => fa.set(*k, FluentValue::from(s.clone())),
                ArgValue::Number(n) => fa.set(*k, FluentValue::from(*n)),
            }
        }
        self.text(locale, key, Some(&fa))
    }
}

/// A value for a translation's argument.
#[derive(Debug, Clone)]
pub enum ArgValue {
    Text(String),
    Number(f64),
}

/// The message keys of a Fluent file (for the test that both languages have the same).
pub fn keys(source: &str) -> BTreeSet<String> {
    use fluent_syntax::ast::Entry;
    let Ok(resource) = fluent_syntax::parser::parse(source) else {
        return BTreeSet::new();
    };
    resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        for (lang, src) in [("es", ES), ("en", EN)] {
            if let Err((_, errors)) = FluentResource::try_new(src.to_owned()) {
                panic!("{lang}.ftl has errors: {errors:?}");
            }
        }
        let es = keys(ES);
        let en = keys(EN);
        assert!(es.len() > 50, "the catalogue looks empty");
        let only_es: Vec<_> = es.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&es).collect();
        assert!(
            only_es.is_empty() && only_en.is_empty(),
            "only in es: {only_es:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn texts_and_arguments() {
        let c = Catalog::load();
        assert_eq!(c.t(Locale::Es, "nav-accounts"), "Cuentas");
        assert_eq!(c.t(Locale::En, "nav-accounts"), "Accounts");
        let s = c.t_args(
            Locale::En,
            "login-locked",
            &[("seconds", ArgValue::Number(30.0))],
        );
        assert!(s.contains("30"), "{s}");
        assert_eq!(c.t(Locale::En, "no-such-key"), "no-such-key");
    }

    #[test]
    fn browser_language() {
        assert_eq!(
            Locale::from_accept_language(Some("en-US,en;q=0.9,es;q=0.8")),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language(Some("fr-FR, es-AR;q=0.7, en;q=0.5")),
            Some(Locale::Es)
        );
        assert_eq!(Locale::from_accept_language(Some("fr, de")), None);
        assert_eq!(Locale::from_accept_language(None), None);
    }
}
