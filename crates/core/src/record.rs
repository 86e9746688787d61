//! What every record kind has in common: identity, bookkeeping, the rules the generic
//! machinery (lists, writes, audit, duplicates, search) needs from each kind.

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::ids::Id;
pub use crate::kinds::RecordKind;
use crate::query::spec::FieldSpec;
use crate::validate::{Check, Code, Violation, Violations};

/// Bookkeeping every record carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Meta {
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The user who created the record (null for system imports).
    pub created_by: Option<Id>,
    /// Grows by one on every change; send it back in `If-Match`.
    pub version: i64,
    /// Set while the record is in the trash.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Set when the record was merged into another one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into_id: Option<Id>,
}

impl Meta {
    pub fn new(now: DateTime<Utc>, by: Option<Id>) -> Self {
        Meta {
            created_at: now,
            updated_at: now,
            created_by: by,
            version: 1,
            deleted_at: None,
            merged_into_id: None,
        }
    }
}

/// A stored record: its id, its data and its bookkeeping, flat in JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record<D> {
    pub id: Id,
    #[serde(flatten)]
    pub data: D,
    #[serde(flatten)]
    pub meta: Meta,
}

pub type CustomValues = BTreeMap<String, Value>;

/// What a record may be a duplicate by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    Email,
    TaxId,
    Name,
}

impl KeyKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyKind::Email => "email",
            KeyKind::TaxId => "tax_id",
            KeyKind::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<KeyKind> {
        [KeyKind::Email, KeyKind::TaxId, KeyKind::Name]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DuplicateKey {
    pub kind: KeyKind,
    pub value: String,
}

/// A link from one record to another that must exist when the record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub field: &'static str,
    pub target: RecordKind,
    pub id: Id,
}

/// The links of a record to its owner and territory, which must exist.
pub fn owner_and_territory(owner: Option<Id>, territory: Option<Id>) -> Vec<Reference> {
    let owner = owner.map(|id| Reference {
        field: "owner_id",
        target: RecordKind::User,
        id,
    });
    let territory = territory.map(|id| Reference {
        field: "territory_id",
        target: RecordKind::Territory,
        id,
    });
    owner.into_iter().chain(territory).collect()
}

/// The contract between a record kind and the generic machinery.
pub trait RecordData:
    Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send + Sync + 'static
{
    const KIND: RecordKind;

    /// Fields the API may not write; the app sets them through dedicated actions.
    const READ_ONLY: &'static [&'static str] = &[];

    /// Trims, lower-cases emails, removes repeats: what makes two spellings one value.
    fn normalize(&mut self);

    /// The rules that need nothing but the record itself (and today's date).
    fn validate(&self, today: NaiveDate, c: &mut Check);

    fn owner_id(&self) -> Option<Id>;

    /// Where the record is, for territory rules; `None` for kinds territories do not take.
    fn place(&self) -> Option<crate::territories::Place<'_>> {
        None
    }

    fn territory_id(&self) -> Option<Id> {
        None
    }

    /// Puts a new record in a territory and, when `owner` is given, in that person's
    /// portfolio. Kinds without territories ignore it.
    fn assign_territory(&mut self, _territory: Id, _owner: Option<Id>) {}

    fn tags(&self) -> &[String];
    fn custom(&self) -> &CustomValues;
    fn custom_mut(&mut self) -> &mut CustomValues;

    /// The text the record is found by in full-text search.
    fn search_document(&self) -> String;

    /// Keys on which another record would be the same customer or person.
    fn duplicate_keys(&self) -> Vec<DuplicateKey>;

    /// Records this one points to, which must exist.
    fn references(&self) -> Vec<Reference>;

    /// How people name the record in a list or a search result.
    fn title(&self) -> String;
    fn subtitle(&self) -> Option<String>;

    /// The fields a list can filter and sort on.
    fn fields() -> &'static [FieldSpec];
}

/// One changed field, for the audit trail: `billing_address.city`: "CABA" -> "Rosario".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// The fields that differ between two versions of a record's data. Nested objects
/// (addresses, custom fields) are compared field by field.
pub fn diff<D: Serialize>(old: Option<&D>, new: Option<&D>) -> Vec<FieldChange> {
    let flat = |d: Option<&D>| {
        let mut out = BTreeMap::new();
        if let Some(Value::Object(m)) = d.map(|d| serde_json::to_value(d).unwrap_or(Value::Null)) {
            flatten("", m, &mut out);
        }
        out
    };
    let (a, b) = (flat(old), flat(new));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let o = a.get(k).cloned().unwrap_or(Value::Null);
            let n = b.get(k).cloned().unwrap_or(Value::Null);
            (o != n).then(|| FieldChange {
                field: k.clone(),
                old: o,
                new: n,
            })
        })
        .collect()
}

fn flatten(prefix: &str, m: Map<String, Value>, out: &mut BTreeMap<String, Value>) {
    for (k, v) in m {
        let key = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => flatten(&key, inner, out),
            Value::Null => {}
            Value::Array(a) if a.is_empty() => {}
            v => {
                out.insert(key, v);
            }
        }
    }
}

/// Bookkeeping fields a client may send back unchanged in a PATCH (it read the record,
/// edited it and sends it whole), but may not change.
const META_FIELDS: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "version",
    "deleted_at",
    "merged_into_id",
];

/// Reads a create body into a kind's data, naming every wrong field.
pub fn from_input<D: RecordData>(input: Value) -> Result<D, Violations> {
    let Value::Object(map) = input else {
        return Err(Violations::one(
            "",
            Code::Invalid,
            "the body must be a JSON object",
        ));
    };
    let mut c = Check::new();
    for key in map.keys() {
        if D::READ_ONLY.contains(&key.as_str()) || META_FIELDS.contains(&key.as_str()) {
            c.add(
                key,
                Code::ReadOnly,
                "is set by Cartera and cannot be written",
            );
        }
    }
    c.finish()?;
    let mut data: D = deserialize(Value::Object(map))?;
    data.normalize();
    Ok(data)
}

/// Applies a JSON merge patch (RFC 7396) to a record's data: absent fields stay, `null`
/// clears, nested objects merge. The result is normalised, not yet validated.
pub fn apply_patch<D: RecordData>(current: &Record<D>, patch: Value) -> Result<D, Violations> {
    let Value::Object(mut patch) = patch else {
        return Err(Violations::one(
            "",
            Code::Invalid,
            "the body must be a JSON object",
        ));
    };
    let mut c = Check::new();
    let now = serde_json::to_value(current).unwrap_or(Value::Null);
    for key in META_FIELDS.iter().chain(D::READ_ONLY) {
        if let Some(sent) = patch.remove(*key)
            && now.get(*key).unwrap_or(&Value::Null) != &sent
        {
            c.add(
                key,
                Code::ReadOnly,
                "is set by Cartera and cannot be written",
            );
        }
    }
    c.finish()?;
    let mut merged = serde_json::to_value(&current.data).unwrap_or(Value::Null);
    json_patch::merge(&mut merged, &Value::Object(patch));
    let mut data: D = deserialize(merged)?;
    data.normalize();
    Ok(data)
}

/// Deserialises with the path of the first wrong field, as a violation.
pub fn deserialize<T: DeserializeOwned>(v: Value) -> Result<T, Violations> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.inner().to_string();
        Violations::new(vec![violation_from_serde(&path, &msg)])
    })
}

/// How rust_decimal's reader ends the message of a value that is no decimal string.
const DECIMAL_EXPECTED: &str = "expected a Decimal type representing a fixed-point number";

/// The value a serde "invalid value: string \"x\", expected ..." message quotes.
fn quoted_value(msg: &str) -> &str {
    msg.split_once(": ")
        .and_then(|(_, rest)| rest.rsplit_once(", expected"))
        .map_or("the value", |(v, _)| v.trim_start_matches("string "))
}

/// Turns a serde message into a violation on the right field.
pub fn violation_from_serde(path: &str, msg: &str) -> Violation {
    let path = if path == "." { "" } else { path };
    // serde_path_to_error ends the path with an unknown field's own name, but not with a
    // missing one's.
    let join = |leaf: &str| {
        if path.is_empty() {
            leaf.to_owned()
        } else if path == leaf || path.ends_with(&format!(".{leaf}")) {
            path.to_owned()
        } else {
            format!("{path}.{leaf}")
        }
    };
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let name = quoted(rest).unwrap_or_default();
        return Violation {
            field: join(&name),
            code: Code::UnknownField,
            message: format!("unknown field '{name}'"),
        };
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let name = quoted(rest).unwrap_or_default();
        return Violation {
            field: join(&name),
            code: Code::Required,
            message: "is required".into(),
        };
    }
    // serde's own wording ("invalid type: integer `3`, expected a string") is clear enough;
    // drop the position suffix that refers to a text the client never saw.
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    // A decimal (money, a rate, a quantity) travels as a string (API.md); rust_decimal's
    // own wording would not say so.
    if msg.ends_with(DECIMAL_EXPECTED) {
        let message =
            if msg.starts_with("invalid type: string") || msg.starts_with("invalid value:") {
                format!(
                    "{} is not a decimal number; write it as a string such as \"1234.50\"",
                    quoted_value(msg)
                )
            } else {
                "must be a decimal number written as a JSON string, such as \"1234.50\": a JSON \
             number is refused, since it may already have lost digits as a binary float"
                    .to_owned()
            };
        return Violation {
            field: path.to_owned(),
            code: Code::Invalid,
            message,
        };
    }
    Violation {
        field: path.to_owned(),
        code: Code::Invalid,
        message: msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_are_read_from_strings_only() {
        use crate::money::Money;
        let v = deserialize::<Money>(json!({"amount": "12.50", "currency": "ARS"})).unwrap();
        assert_eq!(v.amount.to_string(), "12.50");
        for number in [json!(12.5), json!(12)] {
            let e = deserialize::<Money>(json!({"amount": number, "currency": "ARS"})).unwrap_err();
            assert_eq!(e.0[0].field, "amount");
            assert!(e.0[0].message.contains("JSON string"), "{:?}", e.0[0]);
        }
        let e = deserialize::<Money>(json!({"amount": "doce", "currency": "ARS"})).unwrap_err();
        assert_eq!(e.0[0].field, "amount");
        assert_eq!(
            e.0[0].message,
            "\"doce\" is not a decimal number; write it as a string such as \"1234.50\""
        );
    }

    #[test]
    fn diff_names_nested_fields() {
        let old = json!({"name": "Acme", "billing_address": {"city": "CABA", "country": "AR"}, "tags": []});
        let new = json!({"name": "Acme", "billing_address": {"city": "Rosario", "country": "AR"}, "tags": ["vip"]});
        let d = diff(Some(&old), Some(&new));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].field, "billing_address.city");
        assert_eq!(d[0].old, json!("CABA"));
        assert_eq!(d[0].new, json!("Rosario"));
        assert_eq!(d[1].field, "tags");
    }

    #[test]
    fn diff_of_creation_lists_set_fields_only() {
        let new = json!({"name": "Acme", "legal_name": null, "tags": []});
        let d = diff(None, Some(&new));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "name");
        assert_eq!(d[0].old, Value::Null);
    }

    #[test]
    fn serde_messages_become_field_violations() {
        let v = violation_from_serde(".", "unknown field `colour`, expected one of `a`, `b`");
        assert_eq!(v.field, "colour");
        let v = violation_from_serde("colour", "unknown field `colour`, expected one of `a`, `b`");
        assert_eq!(v.field, "colour");
        assert_eq!(v.code, Code::UnknownField);
        let v = violation_from_serde("billing_address", "unknown field `town`, expected `city`");
        assert_eq!(v.field, "billing_address.town");
        let v = violation_from_serde(
            "emails[0].address",
            "invalid type: integer `3`, expected a string",
        );
        assert_eq!(v.field, "emails[0].address");
        assert_eq!(v.code, Code::Invalid);
    }
}
