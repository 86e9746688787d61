//! Custom fields: definitions per record kind, and the validation of the values a record
//! carries in its `custom` object.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::ids::Id;
use crate::money::Money;
use crate::record::{CustomValues, Meta, RecordKind};
use crate::validate::{Check, Code, clean, clean_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    Select,
    MultiSelect,
    Boolean,
    Money,
}

impl FieldType {
    pub fn as_str(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Select => "select",
            FieldType::MultiSelect => "multi_select",
            FieldType::Boolean => "boolean",
            FieldType::Money => "money",
        }
    }

    pub fn parse(s: &str) -> Option<FieldType> {
        use FieldType::*;
        [Text, Number, Date, Select, MultiSelect, Boolean, Money]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    fn has_options(&self) -> bool {
        matches!(self, FieldType::Select | FieldType::MultiSelect)
    }
}

pub const MAX_TEXT_VALUE: usize = 2_000;
pub const MAX_FIELDS_PER_KIND: usize = 200;

/// What an admin writes to define a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldData {
    /// The kind the field belongs to: `account`, `contact` or `lead`.
    pub record_kind: RecordKind,
    /// The name in `custom` objects: lower case letters, digits and `_`.
    #[schema(example = "rubro_afip")]
    pub key: String,
    /// What people see next to the value.
    #[schema(example = "Rubro AFIP")]
    pub label: String,
    pub field_type: FieldType,
    /// Allowed values of `select` and `multi_select` fields.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub description: Option<String>,
    /// Order on forms; lower first.
    #[serde(default)]
    pub position: i32,
}

/// A defined custom field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomField {
    pub id: Id,
    #[serde(flatten)]
    pub data: CustomFieldData,
    #[serde(flatten)]
    pub meta: Meta,
}

impl CustomFieldData {
    pub fn normalize(&mut self) {
        clean(&mut self.key);
        clean(&mut self.label);
        clean_opt(&mut self.description);
        for o in &mut self.options {
            clean(o);
        }
    }

    pub fn validate(&self, c: &mut Check) {
        if !self.record_kind.has_custom_fields() {
            c.add(
                "record_kind",
                Code::Invalid,
                "custom fields exist for account, contact and lead",
            );
        }
        let key_ok = self.key.len() <= 63
            && self.key.starts_with(|ch: char| ch.is_ascii_lowercase())
            && self
                .key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok {
            c.add(
                "key",
                Code::Invalid,
                "must start with a letter and have only a-z, 0-9 and _ (at most 63)",
            );
        }
        c.required("label", &self.label);
        c.max_chars("label", &self.label, 100);
        c.opt_max_chars("description", &self.description, 1_000);
        if self.field_type.has_options() {
            if self.options.is_empty() {
                c.add(
                    "options",
                    Code::Required,
                    "a select field needs its options",
                );
            }
            c.max_items("options", &self.options, 200);
            let mut seen = std::collections::HashSet::new();
            for (i, o) in self.options.iter().enumerate() {
                let f = format!("options[{i}]");
                c.required(&f, o);
                c.max_chars(&f, o, 100);
                if !seen.insert(o.to_lowercase()) {
                    c.add(&f, Code::Duplicate, format!("'{o}' is listed twice"));
                }
            }
        } else if !self.options.is_empty() {
            c.add(
                "options",
                Code::Invalid,
                "only select and multi_select fields have options",
            );
        }
    }
}

/// Checks and normalises the `custom` object of a record being written.
///
/// Only values that change are checked against the definitions: a value stored under a
/// field that an admin has since deleted stays untouched instead of blocking every edit
/// of the record.
pub fn validate_values(
    values: &mut CustomValues,
    previous: Option<&CustomValues>,
    defs: &[CustomField],
    c: &mut Check,
) {
    // `null` clears a value.
    values.retain(|_, v| !v.is_null());
    for (key, v) in values.iter_mut() {
        let unchanged = previous.and_then(|p| p.get(key)) == Some(&*v);
        if unchanged {
            continue;
        }
        let Some(def) = defs.iter().find(|d| d.data.key == *key) else {
            // Past the listed violations only the count matters: no message to write.
            if c.is_full() {
                c.count();
            } else {
                c.add(
                    &format!("custom.{key}"),
                    Code::UnknownField,
                    format!("there is no custom field '{key}' on this kind of record"),
                );
            }
            continue;
        };
        match normalize_value(&def.data, v) {
            Ok(n) => *v = n,
            Err(msg) => c.add(&format!("custom.{key}"), Code::Invalid, msg),
        }
    }
    for def in defs.iter().filter(|d| d.data.required) {
        let missing = match values.get(&def.data.key) {
            None => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if missing {
            c.add(
                &format!("custom.{}", def.data.key),
                Code::Required,
                format!("'{}' is required", def.data.label),
            );
        }
    }
}

/// The canonical stored form of one value, or why it does not fit the field.
fn normalize_value(def: &CustomFieldData, v: &Value) -> Result<Value, String> {
    match def.field_type {
        FieldType::Text => match v {
            Value::String(s) if s.chars().count() <= MAX_TEXT_VALUE => {
                Ok(Value::String(s.trim().to_owned()))
            }
            Value::String(_) => Err(format!("must be at most {MAX_TEXT_VALUE} characters")),
            _ => Err("must be a text".into()),
        },
        FieldType::Number => match v {
            Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => Ok(v.clone()),
            Value::String(s) => s
                .trim()
                .parse::<serde_json::Number>()
                .map(Value::Number)
                .map_err(|_| "must be a number".into()),
            _ => Err("must be a number".into()),
        },
        FieldType::Boolean => match v {
            Value::Bool(_) => Ok(v.clone()),
            _ => Err("must be true or false".into()),
        },
        FieldType::Date => match v {
            Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| "must be a date as YYYY-MM-DD".into()),
            _ => Err("must be a date as YYYY-MM-DD".into()),
        },
        FieldType::Select => match v {
            Value::String(s) => pick_option(def, s).map(Value::String),
            _ => Err("must be one of the options".into()),
        },
        FieldType::MultiSelect => match v {
            Value::Array(items) => {
                let mut out: Vec<Value> = Vec::new();
                for item in items {
                    let Value::String(s) = item else {
                        return Err("must be a list of options".into());
                    };
                    let o = Value::String(pick_option(def, s)?);
                    if !out.contains(&o) {
                        out.push(o);
                    }
                }
                Ok(Value::Array(out))
            }
            _ => Err("must be a list of options".into()),
        },
        FieldType::Money => {
            // Amounts travel as decimal strings: a JSON number may already be a rounded float.
            if !v.get("amount").is_some_and(Value::is_string) {
                return Err("must be {\"amount\": \"12.50\", \"currency\": \"ARS\"} with the amount as a string".into());
            }
            let m: Money = serde_json::from_value(v.clone()).map_err(|e| {
                format!("must be {{\"amount\": \"12.50\", \"currency\": \"ARS\"}}: {e}")
            })?;
            let m = Money::new(m.amount, m.currency).map_err(|e| e.to_string())?;
            serde_json::to_value(m).map_err(|e| e.to_string())
        }
    }
}

/// Options match without regard to case, and are stored as defined.
fn pick_option(def: &CustomFieldData, s: &str) -> Result<String, String> {
    let s = s.trim();
    def.options
        .iter()
        .find(|o| o.eq_ignore_ascii_case(s) || o.to_lowercase() == s.to_lowercase())
        .cloned()
        .ok_or_else(|| format!("'{s}' is not one of: {}", def.options.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    fn def(key: &str, t: FieldType, options: &[&str], required: bool) -> CustomField {
        CustomField {
            id: Id::new(),
            data: CustomFieldData {
                record_kind: RecordKind::Account,
                key: key.into(),
                label: key.to_uppercase(),
                field_type: t,
                options: options.iter().map(|s| s.to_string()).collect(),
                required,
                description: None,
                position: 0,
            },
            meta: Meta::new(Utc::now(), None),
        }
    }

    fn check(
        values: Value,
        prev: Option<Value>,
        defs: &[CustomField],
    ) -> (CustomValues, Vec<String>) {
        let mut v: CustomValues = serde_json::from_value(values).unwrap();
        let p: Option<CustomValues> = prev.map(|p| serde_json::from_value(p).unwrap());
        let mut c = Check::new();
        validate_values(&mut v, p.as_ref(), defs, &mut c);
        let fields = c.into_violations().into_iter().map(|x| x.field).collect();
        (v, fields)
    }

    #[test]
    fn values_are_normalised_per_type() {
        let defs = [
            def("rubro", FieldType::Select, &["Agro", "Industria"], false),
            def("zonas", FieldType::MultiSelect, &["Norte", "Sur"], false),
            def("limite", FieldType::Money, &[], false),
            def("alta", FieldType::Date, &[], false),
            def("empleados", FieldType::Number, &[], false),
        ];
        let (v, errs) = check(
            json!({"rubro": "agro", "zonas": ["sur", "Sur", "norte"], "limite": {"amount": "1500.50", "currency": "ars"},
                   "alta": "2026-02-03", "empleados": "40"}),
            None,
            &defs,
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(v["rubro"], json!("Agro"));
        assert_eq!(v["zonas"], json!(["Sur", "Norte"]));
        assert_eq!(v["limite"], json!({"amount": "1500.50", "currency": "ARS"}));
        assert_eq!(v["empleados"], json!(40));
    }

    #[test]
    fn wrong_values_are_named() {
        let defs = [
            def("rubro", FieldType::Select, &["Agro"], false),
            def("alta", FieldType::Date, &[], false),
            def("activo", FieldType::Boolean, &[], true),
        ];
        let (_, errs) = check(
            json!({"rubro": "Minería", "alta": "2026-02-31", "nope": 1}),
            None,
            &defs,
        );
        assert_eq!(
            errs,
            vec![
                "custom.alta",
                "custom.nope",
                "custom.rubro",
                "custom.activo"
            ]
        );
    }

    #[test]
    fn stale_values_of_deleted_fields_do_not_block_edits() {
        let (v, errs) = check(json!({"old": 1}), Some(json!({"old": 1})), &[]);
        assert!(errs.is_empty());
        assert_eq!(v["old"], json!(1));
    }

    #[test]
    fn definitions_are_validated() {
        let mut d = def("Bad Key", FieldType::Select, &[], false).data;
        d.normalize();
        let mut c = Check::new();
        d.validate(&mut c);
        let fields: Vec<_> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["key", "options"]);
    }
}
