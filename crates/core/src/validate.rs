//! Validation results that name the offending field, so that every layer can report
//! `{"field": "emails[1].address", "code": "invalid", "message": "..."}` without knowing
//! where the rule lives.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Stable machine-readable reason; clients and the web UI key translations on it (and
/// an import's stored rows keep it, so it reads back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    Invalid,
    TooShort,
    TooLong,
    TooMany,
    OutOfRange,
    UnknownField,
    ReadOnly,
    NotFound,
    Duplicate,
    Conflict,
}

/// One broken rule on one field.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Violation {
    /// Path of the field in the request body or query, e.g. `emails[1].address`.
    pub field: String,
    pub code: Code,
    pub message: String,
}

/// The most violations one answer lists. A request can break a rule a million times
/// (a 16 MB body of unknown `custom` keys); listing them all made answers ten times the
/// size of the request and held hundreds of megabytes. The rest are only counted.
pub const MAX_LISTED: usize = 100;

/// A non-empty list of violations: `.0` lists at most [`MAX_LISTED`], `.1` counts those
/// found beyond them (not listed).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("validation failed on {}", .0.first().map(|v| v.field.as_str()).unwrap_or("?"))]
pub struct Violations(pub Vec<Violation>, pub usize);

impl Violations {
    /// These violations, all listed (see [`Violations::total`] for capped lists).
    pub fn new(list: Vec<Violation>) -> Self {
        Violations(list, 0)
    }

    pub fn one(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Violations::new(vec![Violation {
            field: field.into(),
            code,
            message: message.into(),
        }])
    }

    /// How many were found, listed or not.
    pub fn total(&self) -> usize {
        self.0.len().saturating_add(self.1)
    }
}

impl From<Vec<Violation>> for Violations {
    fn from(list: Vec<Violation>) -> Self {
        Violations::new(list)
    }
}

/// Collects violations under a path prefix (`create[3].`), so nested and bulk
/// validation produce full paths. It keeps the first [`MAX_LISTED`] and counts the rest.
#[derive(Debug, Default)]
pub struct Check {
    prefix: String,
    found: Vec<Violation>,
    /// Found after the list was full.
    unlisted: usize,
}

impl Check {
    pub fn new() -> Self {
        Check::default()
    }

    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Check {
            prefix: prefix.into(),
            found: Vec::new(),
            unlisted: 0,
        }
    }

    /// Full path of `field` under this check's prefix.
    pub fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else if field.is_empty() {
            self.prefix.trim_end_matches('.').to_owned()
        } else {
            format!("{}{field}", self.prefix)
        }
    }

    pub fn add(&mut self, field: &str, code: Code, message: impl Into<String>) {
        if self.is_full() {
            self.unlisted = self.unlisted.saturating_add(1);
            return;
        }
        let field = self.path(field);
        self.found.push(Violation {
            field,
            code,
            message: message.into(),
        });
    }

    /// Whether the list is full, so that a caller with many violations to report can
    /// [`count`](Check::count) them without writing each message.
    pub fn is_full(&self) -> bool {
        self.found.len() >= MAX_LISTED
    }

    /// Counts a violation that would not be listed anyway (the list is full).
    pub fn count(&mut self) {
        if self.is_full() {
            self.unlisted = self.unlisted.saturating_add(1);
        }
    }

    pub fn extend(&mut self, other: Check) {
        let room = MAX_LISTED.saturating_sub(self.found.len());
        let over = other.found.len().saturating_sub(room);
        self.found.extend(other.found.into_iter().take(room));
        self.unlisted = self
            .unlisted
            .saturating_add(over)
            .saturating_add(other.unlisted);
    }

    pub fn is_ok(&self) -> bool {
        self.found.is_empty()
    }

    pub fn finish(self) -> Result<(), Violations> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(self.violations())
        }
    }

    /// What was found (listed and counted), whether or not it is empty.
    pub fn violations(self) -> Violations {
        Violations(self.found, self.unlisted)
    }

    /// The listed violations (at most [`MAX_LISTED`]).
    pub fn into_violations(self) -> Vec<Violation> {
        self.found
    }

    /// A required text: present and not blank.
    pub fn required(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.add(field, Code::Required, "must not be empty");
        }
    }

    pub fn max_chars(&mut self, field: &str, value: &str, max: usize) {
        // Count characters, not bytes: "Ñandú" is five letters to the person typing it.
        if value.chars().count() > max {
            self.add(
                field,
                Code::TooLong,
                format!("must be at most {max} characters"),
            );
        }
    }

    pub fn opt_max_chars(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(v) = value {
            self.max_chars(field, v, max);
        }
    }

    pub fn max_items<T>(&mut self, field: &str, items: &[T], max: usize) {
        if items.len() > max {
            self.add(
                field,
                Code::TooMany,
                format!("must have at most {max} items"),
            );
        }
    }
}

/// Trims a text and turns blank into `None`; every optional text field goes through it
/// so that `""`, `"  "` and `null` mean the same thing.
pub fn clean_opt(value: &mut Option<String>) {
    if let Some(v) = value {
        let t = v.trim();
        if t.is_empty() {
            *value = None;
        } else if t.len() != v.len() {
            *v = t.to_owned();
        }
    }
}

pub fn clean(value: &mut String) {
    let t = value.trim();
    if t.len() != value.len() {
        *value = t.to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_paths() {
        let mut c = Check::with_prefix("create[2].");
        c.required("name", " ");
        c.max_chars("legal_name", "ñññ", 2);
        let v = c.finish().unwrap_err().0;
        assert_eq!(v[0].field, "create[2].name");
        assert_eq!(v[0].code, Code::Required);
        assert_eq!(v[1].field, "create[2].legal_name");
        assert_eq!(v[1].code, Code::TooLong);
    }

    #[test]
    fn lists_the_first_violations_and_counts_the_rest() {
        let mut c = Check::new();
        for i in 0..MAX_LISTED + 5 {
            c.add(&format!("custom.k{i}"), Code::UnknownField, "no such field");
        }
        c.count();
        let mut other = Check::with_prefix("update[1].");
        other.required("name", "");
        c.extend(other);
        let v = c.finish().unwrap_err();
        assert_eq!(v.0.len(), MAX_LISTED);
        assert_eq!(
            v.0[MAX_LISTED - 1].field,
            format!("custom.k{}", MAX_LISTED - 1)
        );
        assert_eq!(v.total(), MAX_LISTED + 7);

        let mut small = Check::new();
        let mut big = Check::new();
        for _ in 0..MAX_LISTED + 1 {
            big.add("x", Code::Invalid, "bad");
        }
        small.add("y", Code::Invalid, "bad");
        small.extend(big);
        let v = small.finish().unwrap_err();
        assert_eq!((v.0.len(), v.total()), (MAX_LISTED, MAX_LISTED + 2));
        assert_eq!(v.0[0].field, "y");
    }

    #[test]
    fn counts_characters_not_bytes() {
        let mut c = Check::new();
        c.max_chars("name", "Ñandú", 5);
        assert!(c.is_ok());
    }

    #[test]
    fn blank_optional_becomes_none() {
        let mut v = Some("  ".to_owned());
        clean_opt(&mut v);
        assert_eq!(v, None);
        let mut v = Some(" Rosario ".to_owned());
        clean_opt(&mut v);
        assert_eq!(v.as_deref(), Some("Rosario"));
    }
}
