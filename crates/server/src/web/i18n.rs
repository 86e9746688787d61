//! The translation catalogue: a folder per language with a Fluent file per domain
//! (`i18n/<lang>/<domain>.ftl`, shared words in `common.ftl`), embedded in the binary and
//! loaded into one bundle per language; and the locale of a request (the user's choice,
//! else the browser's, else Spanish).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::Serialize;

use super::embedded::CATALOGUE;

/// The catalogue files of `lang`: (domain file name, source).
fn files(lang: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    CATALOGUE.iter().filter_map(move |(path, src)| {
        let (l, file) = path.split_once('/')?;
        (l == lang).then_some((file, *src))
    })
}

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

fn bundle(lang: &str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: the pages are left-to-right and tests read the text.
    b.set_use_isolating(false);
    for (file, source) in files(lang) {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                // The unit tests keep this from happening; a broken entry shows its key.
                tracing::error!(lang, file, ?errors, "translation file has errors");
                r
            }
        };
        if let Err(errors) = b.add_resource(resource) {
            tracing::error!(lang, file, ?errors, "translation file repeats keys");
        }
    }
    b
}

impl Catalog {
    pub fn load() -> Catalog {
        Catalog {
            es: bundle("es"),
            en: bundle("en"),
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

/// The message keys of a Fluent file, in order, repeats included (for the tests that
/// both languages have the same and that none is defined twice).
pub fn keys(source: &str) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    let Ok(resource) = fluent_syntax::parser::parse(source) else {
        return Vec::new();
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
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Every key of a language, with the file that defines it; a key defined twice (in
    /// one file or in two) fails.
    fn keys_of(lang: &str) -> BTreeMap<String, &'static str> {
        let mut all = BTreeMap::new();
        for (file, src) in files(lang) {
            if let Err((_, errors)) = FluentResource::try_new(src.to_owned()) {
                panic!("{lang}/{file} has errors: {errors:?}");
            }
            for key in keys(src) {
                if let Some(first) = all.insert(key.clone(), file) {
                    panic!("{key} is defined twice in {lang}: in {first} and in {file}");
                }
            }
        }
        all
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let es = keys_of("es");
        let en = keys_of("en");
        assert!(es.len() > 50, "the catalogue looks empty");
        let es_files: BTreeSet<_> = files("es").map(|(f, _)| f).collect();
        let en_files: BTreeSet<_> = files("en").map(|(f, _)| f).collect();
        assert_eq!(es_files, en_files, "both languages have the same files");
        assert!(es_files.contains("common.ftl"), "{es_files:?}");
        // The same keys overall, and each in the same file in both languages.
        let only_es: Vec<_> = es.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !es.contains_key(*k)).collect();
        assert!(
            only_es.is_empty() && only_en.is_empty(),
            "only in es: {only_es:?}; only in en: {only_en:?}"
        );
        let moved: Vec<_> = es
            .iter()
            .filter(|&(k, f)| en.get(k) != Some(f))
            .map(|(k, f)| format!("{k}: es/{f}, en/{}", en[k]))
            .collect();
        assert!(moved.is_empty(), "in different files: {moved:?}");
    }

    #[test]
    fn a_key_defined_twice_is_found() {
        assert_eq!(keys("a = 1\nb = 2\na = 3\n"), ["a", "b", "a"]);
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
