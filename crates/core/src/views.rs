//! Saved views: a user's named search, filters and sort on a list, with the columns
//! they chose. The query is kept in the list grammar of the API (`q=...&filter[...]=...`)
//! and checked with it, so a saved view always opens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::AccountData;
use crate::activities::ActivityData;
use crate::contacts::ContactData;
use crate::custom_fields::CustomField;
use crate::ids::Id;
use crate::leads::LeadData;
use crate::query::{FieldSpec, parse_list};
use crate::record::{RecordData, RecordKind};
use crate::validate::{Check, Code};

/// The longest view name.
pub const MAX_NAME: usize = 80;
/// The longest saved query.
pub const MAX_QUERY: usize = 2000;

/// A named list view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SavedView {
    pub id: Id,
    /// Whose view it is.
    pub owner_id: Id,
    /// The list it belongs to: `accounts`, `contacts` or `leads`.
    pub kind: String,
    pub name: String,
    /// The list's parameters in the API's list grammar, e.g.
    /// `q=garcia&filter[kind]=customer&sort=-updated_at` (no `limit` or `cursor`).
    pub query: String,
    /// The columns shown, in order, from the kind's columns (see `columns`).
    pub columns: Vec<String>,
    /// Whether everyone may open it (only its owner changes it).
    pub shared: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The kinds that have saved views (their facts say so).
pub fn kinds() -> impl Iterator<Item = RecordKind> {
    RecordKind::all_where(|f| f.views)
}

/// The kind a view's `kind` names, if it has views.
pub fn kind_of(plural: &str) -> Option<RecordKind> {
    kinds().find(|k| k.plural() == plural)
}

/// Every column a view of `kind` may show, in the order a list offers them.
pub fn columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Account => &[
            "name",
            "kind",
            "tax_id",
            "city",
            "province",
            "country",
            "owner",
            "territory",
            "tags",
            "updated",
        ],
        RecordKind::Contact => &[
            "name",
            "account",
            "job_title",
            "email",
            "phone",
            "owner",
            "tags",
            "updated",
        ],
        RecordKind::Lead => &[
            "name", "company", "status", "source", "email", "owner", "tags", "created", "updated",
        ],
        // The parts of an activity's line besides its subject, which it always shows.
        RecordKind::Activity => ACTIVITY_COLUMNS,
        _ => &[],
    }
}

const ACTIVITY_COLUMNS: &[&str] = &["kind", "when", "account", "owner", "status", "costs"];

/// The plural names of the kinds with views, for messages: `accounts, contacts, ...`.
pub fn kind_names() -> String {
    kinds().map(|k| k.plural()).collect::<Vec<_>>().join(", ")
}

/// The columns a list shows when no view chose others.
pub fn default_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Account => &["name", "kind", "city", "owner", "updated"],
        RecordKind::Contact => &["name", "job_title", "email", "phone", "updated"],
        RecordKind::Lead => &["name", "company", "status", "owner", "updated"],
        RecordKind::Activity => ACTIVITY_COLUMNS,
        _ => &[],
    }
}

fn fields(kind: RecordKind) -> &'static [FieldSpec] {
    match kind {
        RecordKind::Account => AccountData::fields(),
        RecordKind::Contact => ContactData::fields(),
        RecordKind::Lead => LeadData::fields(),
        RecordKind::Activity => ActivityData::fields(),
        _ => &[],
    }
}

/// The parameters of a saved query, in order.
pub fn query_params(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.trim().trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl SavedView {
    /// Trims what people type.
    pub fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        self.query = self.query.trim().trim_start_matches('?').to_owned();
        for c in &mut self.columns {
            *c = c.trim().to_owned();
        }
    }

    /// The rules a view keeps on its own; `custom` are the kind's custom field
    /// definitions (for filters that name one). Name uniqueness needs the database.
    pub fn validate(&self, custom: &[CustomField], c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, MAX_NAME);
        let Some(kind) = kind_of(&self.kind) else {
            c.add(
                "kind",
                Code::Invalid,
                format!("must be one of: {}", kind_names()),
            );
            return;
        };
        let allowed = columns(kind);
        if self.columns.is_empty() {
            c.add("columns", Code::Required, "choose at least one column");
        }
        for (i, col) in self.columns.iter().enumerate() {
            let field = format!("columns[{i}]");
            if !allowed.contains(&col.as_str()) {
                c.add(
                    &field,
                    Code::UnknownField,
                    format!("unknown column '{col}'; choose from {}", allowed.join(", ")),
                );
            } else if self.columns[..i].contains(col) {
                c.add(&field, Code::Invalid, format!("'{col}' is named twice"));
            }
        }
        if self.query.chars().count() > MAX_QUERY {
            c.add(
                "query",
                Code::TooLong,
                format!("must be at most {MAX_QUERY} characters"),
            );
            return;
        }
        let params = query_params(&self.query);
        for (k, _) in &params {
            if k == "limit" || k == "cursor" {
                c.add(
                    &format!("query.{k}"),
                    Code::Invalid,
                    format!("a saved view cannot hold '{k}'"),
                );
            }
        }
        let params: Vec<(String, String)> = params
            .into_iter()
            .filter(|(k, _)| k != "limit" && k != "cursor")
            .collect();
        if let Err(v) = parse_list(&self.kind, &params, fields(kind), custom) {
            // Each problem names the parameter, under `query`.
            for bad in v.0 {
                c.add(&format!("query.{}", bad.field), bad.code, bad.message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(kind: &str, query: &str, columns: &[&str]) -> SavedView {
        SavedView {
            id: Id::new(),
            owner_id: Id::new(),
            kind: kind.into(),
            name: "Mine".into(),
            query: query.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            shared: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    fn fields_of(v: &SavedView) -> Vec<String> {
        let mut c = Check::new();
        v.validate(&[], &mut c);
        c.into_violations().into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn a_good_view_passes() {
        let v = view(
            "accounts",
            "q=garc%C3%ADa&filter[kind]=customer&sort=-updated_at",
            &["name", "tax_id", "province"],
        );
        assert!(fields_of(&v).is_empty());
    }

    #[test]
    fn bad_parts_are_named() {
        let v = view(
            "leads",
            "filter[colour]=red&sort=nope&limit=5",
            &["name", "tax_id", "name"],
        );
        let f = fields_of(&v);
        assert!(f.contains(&"query.filter[colour]".to_owned()), "{f:?}");
        assert!(f.contains(&"query.sort".to_owned()), "{f:?}");
        assert!(f.contains(&"query.limit".to_owned()), "{f:?}");
        assert!(f.contains(&"columns[1]".to_owned()), "{f:?}");
        assert!(f.contains(&"columns[2]".to_owned()), "{f:?}");
        assert_eq!(fields_of(&view("deals", "", &["name"])), vec!["kind"]);
    }

    #[test]
    fn defaults_are_allowed_columns() {
        for k in kinds() {
            for c in default_columns(k) {
                assert!(columns(k).contains(c), "{c}");
            }
        }
    }
}
