//! Numbers as people type them, in forms and in the files they import: `1234.5`,
//! `1234,50`, `1.234,50` (Spanish), `1,234.50` (English). One grammar for the quote
//! editor, the catalogue pages and imports, so that the same text is the same number
//! wherever it is typed.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How dates and numbers are written: in a file being imported, or on a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// Day first (`22/11/2026`), decimal comma (`1.234,50`).
    #[default]
    Es,
    /// Month first (`11/22/2026`), decimal point (`1,234.50`).
    En,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Locale> {
        match s.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("es") => Some(Locale::Es),
            Some("en") => Some(Locale::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Es => "es",
            Locale::En => "en",
        }
    }
}

/// What a lone `.` or `,` with exactly three digits after it means (`1.234`): the one
/// text that is two numbers, one thousand two hundred and thirty-four in Spanish and
/// one and a bit in English. Every other text reads the same whatever the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Typed into a form: it is the decimal mark. Forms show stored amounts with a
    /// point (`10.125`), so what a form shows reads back as itself in either language.
    Typed,
    /// Written in a file in this locale: when it is the locale's thousands separator
    /// (`.` in Spanish, `,` in English), it groups thousands.
    Written(Locale),
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("nothing was written")]
    Empty,
    #[error("'{0}' is not a number")]
    NotANumber(String),
}

/// A decimal number as a person writes it. Spaces anywhere are ignored, a leading `-`
/// or `+` is its sign. With both `.` and `,` the last is the decimal mark and appears
/// once; a mark that repeats groups thousands; a lone mark is the decimal one, except
/// as [`Hint::Written`] says. Groups after a thousands mark have three digits.
pub fn parse_decimal(text: &str, hint: Hint) -> Result<Decimal, NumberError> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let bad = || NumberError::NotANumber(text.trim().to_owned());
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    if !body.chars().any(|c| c.is_ascii_digit())
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(bad());
    }
    let (dots, commas) = (body.matches('.').count(), body.matches(',').count());
    let decimal = match (dots, commas) {
        (0, 0) => None,
        (1, 0) => lone_mark(body, '.', hint),
        (0, 1) => lone_mark(body, ',', hint),
        (_, 0) | (0, _) => None,
        _ => body
            .rfind(['.', ','])
            .and_then(|i| body[i..].chars().next()),
    };
    let (int, frac) = match decimal.and_then(|m| body.rfind(m)) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    // The decimal mark appears once, and no thousands mark comes after it.
    if frac.contains(['.', ',']) || decimal.is_some_and(|m| int.contains(m)) {
        return Err(bad());
    }
    let mut groups = int.split(['.', ',']);
    let first = groups.next().unwrap_or_default();
    let mut digits = first.to_owned();
    for g in groups {
        if first.is_empty() || g.len() != 3 {
            return Err(bad());
        }
        digits.push_str(g);
    }
    let mut normal = String::with_capacity(digits.len() + frac.len() + 3);
    if negative {
        normal.push('-');
    }
    normal.push_str(if digits.is_empty() { "0" } else { &digits });
    if !frac.is_empty() {
        normal.push('.');
        normal.push_str(frac);
    }
    Decimal::from_str(&normal).map_err(|_| bad())
}

/// The decimal mark a text with one `mark` and no other has: `None` when it groups
/// thousands instead.
fn lone_mark(body: &str, mark: char, hint: Hint) -> Option<char> {
    let thousands = match hint {
        Hint::Typed => return Some(mark),
        Hint::Written(Locale::Es) => '.',
        Hint::Written(Locale::En) => ',',
    };
    let (before, after) = body.split_once(mark)?;
    let groups =
        mark == thousands && after.len() == 3 && !before.is_empty() && !before.starts_with('0');
    (!groups).then_some(mark)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn both_languages_read_the_same() {
        for hint in [
            Hint::Typed,
            Hint::Written(Locale::Es),
            Hint::Written(Locale::En),
        ] {
            let p = |s: &str| parse_decimal(s, hint);
            assert_eq!(p("1234.5"), Ok(d("1234.5")));
            assert_eq!(p("1234,50"), Ok(d("1234.50")));
            assert_eq!(p("1.234,50"), Ok(d("1234.50")));
            assert_eq!(p("1,234.50"), Ok(d("1234.50")));
            assert_eq!(p(" 1 234,50 "), Ok(d("1234.50")));
            assert_eq!(p("1.234.567"), Ok(d("1234567")));
            assert_eq!(p("1,234,567.5"), Ok(d("1234567.5")));
            assert_eq!(p("-12,75"), Ok(d("-12.75")));
            assert_eq!(p("+3"), Ok(d("3")));
            assert_eq!(p(",5"), Ok(d("0.5")));
            assert_eq!(p(""), Err(NumberError::Empty));
            for wrong in [
                "abc",
                "-",
                "1.5.3",
                "1,234.5,6",
                "1.234,5.6",
                "12e3",
                "1_000",
                "--1",
            ] {
                assert!(p(wrong).is_err(), "{wrong} read as {:?}", p(wrong));
            }
        }
    }

    #[test]
    fn a_lone_mark_with_three_digits_follows_the_hint() {
        assert_eq!(parse_decimal("1.234", Hint::Typed), Ok(d("1.234")));
        assert_eq!(
            parse_decimal("1.234", Hint::Written(Locale::En)),
            Ok(d("1.234"))
        );
        assert_eq!(
            parse_decimal("1.234", Hint::Written(Locale::Es)),
            Ok(d("1234"))
        );
        assert_eq!(
            parse_decimal("1,234", Hint::Written(Locale::En)),
            Ok(d("1234"))
        );
        assert_eq!(
            parse_decimal("1,234", Hint::Written(Locale::Es)),
            Ok(d("1.234"))
        );
        // Not a group: a leading zero, or no digits before the mark.
        assert_eq!(
            parse_decimal("0.125", Hint::Written(Locale::Es)),
            Ok(d("0.125"))
        );
        assert_eq!(
            parse_decimal(".125", Hint::Written(Locale::Es)),
            Ok(d("0.125"))
        );
    }

    /// `value` (non-negative, two decimals at most) as a person in `locale` writes it,
    /// with or without thousands separators; with them, always with two decimals (as
    /// money is written), so no text is the ambiguous `1.234`.
    pub(crate) fn written(value: Decimal, locale: Locale, grouped: bool) -> String {
        let (thousands, mark) = match locale {
            Locale::Es => ('.', ','),
            Locale::En => (',', '.'),
        };
        let text = if grouped {
            format!("{:.2}", value)
        } else {
            value.normalize().to_string()
        };
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if grouped && i > 0 && (int.len() - i) % 3 == 0 {
                out.push(thousands);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(mark);
            out.push_str(frac);
        }
        out
    }

    proptest! {
        #[test]
        fn what_people_write_reads_back(
            cents in 0i64..10_000_000_000_000,
            es in any::<bool>(),
            grouped in any::<bool>(),
        ) {
            let value = Decimal::new(cents, 2);
            let locale = if es { Locale::Es } else { Locale::En };
            let text = written(value, locale, grouped);
            for hint in [Hint::Typed, Hint::Written(Locale::Es), Hint::Written(Locale::En)] {
                prop_assert_eq!(parse_decimal(&text, hint), Ok(value), "{} {:?}", text, hint);
            }
        }
    }
}
