//! Text normalisation shared by duplicate detection and search.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The text in Unicode's composed form (NFC): `"Iba\u{301}n\u{303}ez"` (an accent typed
/// as a separate mark, as macOS and some phones send it) becomes `"Ibáñez"`, the
/// spelling everyone else's keyboard writes. Every text that comes in (JSON bodies,
/// forms, query strings, imported files, vCards) passes through here first, so one
/// name has one spelling in the database. Cheap for text already composed: nothing is
/// copied.
pub fn nfc(s: &str) -> Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => Cow::Borrowed(s),
        _ => {
            let composed: String = s.nfc().collect();
            if composed == s {
                Cow::Borrowed(s)
            } else {
                Cow::Owned(composed)
            }
        }
    }
}

/// Whether `s` is already in composed form (`nfc` would leave it as it is).
pub fn is_nfc(s: &str) -> bool {
    matches!(nfc(s), Cow::Borrowed(_))
}

/// Puts `s` in composed form where it is not.
pub fn nfc_in_place(s: &mut String) {
    if let Cow::Owned(composed) = nfc(s) {
        *s = composed;
    }
}

/// Why a text holding a NUL character is refused: PostgreSQL cannot store one, and a
/// SQLite database holding one could not be moved to PostgreSQL. Every edge refuses it:
/// JSON bodies, forms, query strings, DAV objects and imported cells.
pub const NUL_REFUSED: &str = "holds a NUL character (\\u0000), which cannot be stored";

/// The path (as violations name fields: `custom.note`, `emails[0].address`) of the first
/// text or key in `v` holding a NUL, below `at` (`""` for the whole value).
pub fn nul_path(v: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => s.contains('\0').then(|| at.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, &format!("{at}[{i}]"))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if k.contains('\0') {
                Some(path)
            } else {
                nul_path(x, &path)
            }
        }),
        _ => None,
    }
}

/// Lower-case without accents: `"José GARCÍA"` -> `"jose garcia"`. `ñ` becomes `n`, as a
/// person typing on a phone without the Spanish layout would write it.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words of a text: runs of letters and digits, folded. The text is composed first: a
/// separate accent mark is not a letter, so `"Iba\u{301}n\u{303}ez"` would otherwise
/// split into `iba n ez`.
pub fn words(s: &str) -> impl Iterator<Item = String> {
    let composed = nfc(s).into_owned();
    let words: Vec<String> = composed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    words.into_iter()
}

/// Legal-form words that do not tell two companies apart ("Acme S.A." is "ACME SA").
const LEGAL_FORMS: &[&str] = &[
    "sa", "saa", "sau", "sas", "sl", "slu", "srl", "sca", "scs", "sh", "sc", "cv", "de", "rl",
    "sapi", "spa", "ltda", "ltd", "llc", "inc", "corp", "co", "cia", "gmbh", "bv", "plc",
];

/// Key under which two spellings of one company name collide:
/// `"Acme S.A."`, `"ACME SA"` and `"acme, s. a."` all give `"acme"`.
pub fn company_key(name: &str) -> String {
    // Join single letters first so "S. A." reads as "sa".
    let mut joined: Vec<String> = Vec::new();
    let mut pending = String::new();
    for w in words(name) {
        if w.chars().count() == 1 {
            pending.push_str(&w);
        } else {
            if !pending.is_empty() {
                joined.push(std::mem::take(&mut pending));
            }
            joined.push(w);
        }
    }
    if !pending.is_empty() {
        joined.push(pending);
    }
    // Only trailing legal forms go: "Banco de la Nación" keeps its "de".
    let mut end = joined.len();
    while end > 1 && LEGAL_FORMS.contains(&joined[end - 1].as_str()) {
        end -= 1;
    }
    joined[..end].join(" ")
}

/// Key for a person's name: folded words in order.
pub fn person_key(first: &str, last: &str) -> String {
    words(first)
        .chain(words(last))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tax ids compare without punctuation: `"30-71234567-1"` is `"30712345671"`.
pub fn tax_id_key(tax_id: &str) -> String {
    tax_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub fn email_key(email: &str) -> String {
    nfc(email.trim()).to_lowercase()
}

/// Digits only, so that `+54 9 11 4567-8901` can be found as `1145678901`.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The words of a search box entry, at most `max` of them, each at most 64 characters.
/// Accents and case are left to the database's own folding.
pub fn search_terms(q: &str, max: usize) -> Vec<String> {
    nfc(q)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(max)
        .map(|w| w.chars().take(64).collect())
        .collect()
}

/// A text as the words search indexes: runs of letters and digits, separated by single
/// spaces. Both engines then see the same words (PostgreSQL's parser would otherwise
/// keep `ana@acme.com` as one token while SQLite's splits it).
pub fn index_words(s: &str) -> String {
    nfc(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the text a record is found by: its parts, plus the digits of phone numbers.
#[derive(Debug, Default)]
pub struct SearchDoc(String);

impl SearchDoc {
    pub fn new() -> Self {
        SearchDoc::default()
    }

    pub fn push(&mut self, part: &str) -> &mut Self {
        let part = part.trim();
        if !part.is_empty() {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(part);
        }
        self
    }

    pub fn push_opt(&mut self, part: &Option<String>) -> &mut Self {
        if let Some(p) = part {
            self.push(p);
        }
        self
    }

    pub fn push_phone(&mut self, number: &str) -> &mut Self {
        self.push(number);
        let d = digits(number);
        if d.len() > 4 {
            self.push(&d);
            // Also without the country code and mobile prefix, the way people dial locally.
            for cut in [2usize, 3] {
                if d.len() > cut + 6 {
                    self.push(&d[cut..]);
                }
            }
        }
        self
    }

    pub fn finish(self) -> String {
        self.0
    }
}

/// Puts the values in their `{key}` places in one pass, so that a value that looks like
/// a blank (a customer called `{invoice}`) stays as it is; an unknown `{word}` stays too.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let key = &after[..close];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("José GARCÍA Ñandú"), "jose garcia nandu");
    }

    #[test]
    fn company_names_collide_across_legal_forms() {
        assert_eq!(company_key("Acme S.A."), "acme");
        assert_eq!(company_key("ACME SA"), "acme");
        assert_eq!(company_key("acme, s. a."), "acme");
        assert_eq!(
            company_key("Distribuidora del Sur S.R.L."),
            "distribuidora del sur"
        );
        assert_eq!(
            company_key("Constructora Ñandú S.A. de C.V."),
            "constructora nandu"
        );
        // A name made only of legal words keeps them rather than vanish.
        assert_eq!(company_key("S.A."), "sa");
        assert_eq!(company_key("Banco de la Nación"), "banco de la nacion");
    }

    #[test]
    fn keys_for_people_and_tax_ids() {
        assert_eq!(person_key(" María José", "Gómez "), "maria jose gomez");
        assert_eq!(tax_id_key("30-71234567-1"), "30712345671");
        assert_eq!(tax_id_key("gomj-800101-ab1"), "GOMJ800101AB1");
    }

    #[test]
    fn search_terms_split_on_punctuation() {
        assert_eq!(
            search_terms("juan.garcia@acme", 8),
            vec!["juan", "garcia", "acme"]
        );
        assert_eq!(search_terms("  ", 8), Vec::<String>::new());
        assert_eq!(search_terms("a b c", 2), vec!["a", "b"]);
    }

    #[test]
    fn index_words_split_on_punctuation() {
        assert_eq!(
            index_words("jm.garcia@ferretería-sur.com.ar"),
            "jm garcia ferretería sur com ar"
        );
    }

    #[test]
    fn decomposed_accents_read_like_composed_ones() {
        let nfd = "Iba\u{301}n\u{303}ez";
        assert_eq!(nfc(nfd), "Ibáñez");
        assert!(matches!(nfc("Ibáñez"), Cow::Borrowed(_)));
        assert!(is_nfc("Ibáñez") && !is_nfc(nfd));
        assert_eq!(fold(nfd), fold("Ibáñez"));
        assert_eq!(words(nfd).collect::<Vec<_>>(), vec!["ibanez"]);
        assert_eq!(search_terms(nfd, 8), vec!["Ibáñez"]);
        assert_eq!(index_words(&format!("Juan {nfd}")), "Juan Ibáñez");
        assert_eq!(
            company_key("Panaderi\u{301}a Nin\u{303}o S.A."),
            company_key("Panadería Niño")
        );
        assert_eq!(
            person_key("Jose\u{301}", "Nu\u{301}n\u{303}ez"),
            person_key("José", "Núñez")
        );
        assert_eq!(email_key("jose\u{301}@acme.es"), email_key("JOSÉ@acme.es"));
        let mut s = nfd.to_owned();
        nfc_in_place(&mut s);
        assert_eq!(s, "Ibáñez");
    }

    #[test]
    fn phones_are_found_by_their_digits() {
        let mut d = SearchDoc::new();
        d.push("Ana").push_phone("+54 9 11 4567-8901");
        let doc = d.finish();
        assert!(doc.contains("5491145678901"));
        assert!(doc.contains("1145678901"));
    }
}
