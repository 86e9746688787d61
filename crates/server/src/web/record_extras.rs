//! The parts of a record's form that come from the company's data rather than from the
//! kind's field list: the owner (a select of colleagues, pre-filled with the person who
//! creates the record) and the custom fields an administrator defined for the kind.
//! Their form names are `owner_id` and `custom__<key>` (money adds
//! `custom__<key>__currency`; a boolean's checkbox comes with `custom__<key>__shown`, so
//! that an unticked box reads as "no" rather than "not on the form").

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use cartera_app::{custom_fields, users};
use cartera_core::Id;
use cartera_core::custom_fields::{CustomField, FieldType};
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};

use super::figures;
use super::render::{Me, Page};
use crate::state::AppState;

const PREFIX: &str = "custom__";

/// What the form needs to know beyond the kind's fields.
#[derive(Default)]
pub struct Extras {
    owners: Vec<(Id, String)>,
    defs: Vec<CustomField>,
    /// Whether the person may give the record to someone else.
    may_assign: bool,
    /// The person filling the form, shown as "(tú)" among the owners.
    me: Id,
}

/// Loads the colleagues and the kind's custom fields; `current` is the record's owner
/// (kept in the list even when the person cannot list users).
pub async fn load(s: &AppState, me: &Me, kind: RecordKind, current: Option<Id>) -> Extras {
    let actor = me.actor();
    // Whom the person may give a record to: everyone for a role that sees all, the team
    // for a manager, only themself for a rep (`users::assignable`).
    let mut owners = users::assignable(&s.app, actor).await.unwrap_or_default();
    let may_assign = owners.len() > 1 && actor.may(Module::of(kind), Action::Edit);
    let missing: Vec<Id> = std::iter::once(actor.user_id)
        .chain(current)
        .filter(|w| !owners.iter().any(|(id, _)| id == w))
        .collect();
    if !missing.is_empty() {
        owners.extend(users::names(&s.app, &missing).await.unwrap_or_default());
    }
    let mut defs = custom_fields::list(&s.app, actor, Some(kind))
        .await
        .unwrap_or_default();
    defs.sort_by_key(|d| d.data.position);
    Extras {
        owners,
        defs,
        may_assign,
        me: actor.user_id,
    }
}

/// The form's values of a stored record (its JSON): the owner and each custom value.
pub fn values_of(json: &Value, out: &mut HashMap<String, String>) {
    if let Some(o) = json.get("owner_id").and_then(Value::as_str) {
        out.insert("owner_id".into(), o.to_owned());
    }
    let Some(custom) = json.get("custom").and_then(Value::as_object) else {
        return;
    };
    for (key, v) in custom {
        let name = format!("{PREFIX}{key}");
        match v {
            Value::String(s) => {
                out.insert(name, s.clone());
            }
            Value::Number(n) => {
                out.insert(name, n.to_string());
            }
            Value::Bool(b) => {
                out.insert(name, if *b { "1" } else { "" }.into());
            }
            Value::Array(items) => {
                let list: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                out.insert(name, list.join(", "));
            }
            Value::Object(m) => {
                if let Some(a) = m.get("amount").and_then(Value::as_str) {
                    out.insert(name.clone(), a.to_owned());
                }
                if let Some(c) = m.get("currency").and_then(Value::as_str) {
                    out.insert(format!("{name}__currency"), c.to_owned());
                }
            }
            Value::Null => {}
        }
    }
}

/// The form field of an app violation's path, when it is one of these parts.
pub fn field_of(path: &str) -> Option<String> {
    if path == "owner_id" {
        return Some("owner_id".into());
    }
    let rest = path.strip_prefix("custom.")?;
    let key = rest.split(['.', '[']).next().unwrap_or(rest);
    Some(format!("{PREFIX}{key}"))
}

impl Extras {
    /// The template's view: the owner select and the custom fields, with values and
    /// errors.
    pub fn ctx(
        &self,
        page: &Page,
        values: &HashMap<String, String>,
        errors: &HashMap<String, String>,
        creating: bool,
    ) -> Value {
        let owner = values
            .get("owner_id")
            .cloned()
            .filter(|o| !o.is_empty())
            .or_else(|| creating.then(|| page_user(page)).flatten())
            .unwrap_or_default();
        let custom: Vec<Value> = self
            .defs
            .iter()
            .map(|d| {
                let name = format!("{PREFIX}{}", d.data.key);
                let value = values.get(&name).cloned().unwrap_or_default();
                json!({
                    "name": name,
                    "label": d.data.label,
                    "type": d.data.field_type.as_str(),
                    "options": d.data.options,
                    "value": value,
                    "currency": values.get(&format!("{name}__currency")).cloned().unwrap_or_else(|| "ARS".into()),
                    "required": d.data.required,
                    "help": d.data.description,
                    "error": errors.get(&name),
                })
            })
            .collect();
        json!({
            "owner": {
                "value": owner,
                "options": self.owners.iter().map(|(id, n)| json!({
                    "value": id,
                    "label": if *id == self.me {
                        page.t_args("owner-you", &[("name", super::i18n::ArgValue::Text(n.clone()))])
                    } else {
                        n.clone()
                    },
                })).collect::<Vec<_>>(),
                "may_assign": self.may_assign,
                "error": errors.get("owner_id"),
            },
            "custom": custom,
        })
    }

    /// The custom values of a stored record as its page shows them: label and value in
    /// the reader's format.
    pub fn shown(&self, page: &Page, json: &Value) -> Vec<Value> {
        let custom = json.get("custom").and_then(Value::as_object);
        self.defs
            .iter()
            .filter_map(|d| {
                let v = custom?.get(&d.data.key)?;
                let text = match (d.data.field_type, v) {
                    (FieldType::Boolean, Value::Bool(b)) => page.t(if *b { "yes" } else { "no" }),
                    (FieldType::Number, Value::Number(n)) => n
                        .to_string()
                        .parse::<Decimal>()
                        .map(|d| figures::number(page.locale, d))
                        .unwrap_or_else(|_| n.to_string()),
                    (FieldType::Date, Value::String(s)) => s
                        .parse::<chrono::NaiveDate>()
                        .map(|d| figures::day(page.locale, d))
                        .unwrap_or_else(|_| s.clone()),
                    (FieldType::Money, Value::Object(m)) => {
                        let amount = m.get("amount").and_then(Value::as_str).unwrap_or("");
                        let currency = m.get("currency").and_then(Value::as_str).unwrap_or("");
                        amount
                            .parse::<Decimal>()
                            .map(|a| figures::money(page.locale, a, currency))
                            .unwrap_or_default()
                    }
                    (_, Value::Array(items)) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    (_, Value::String(s)) => s.clone(),
                    (_, Value::Null) => return None,
                    (_, other) => other.to_string(),
                };
                (!text.is_empty()).then(|| json!({"label": d.data.label, "value": text}))
            })
            .collect()
    }

    /// The merge patch of these parts from a posted form, against the record's values
    /// (`current`, empty when creating); or the fields whose text cannot be read.
    pub fn patch(
        &self,
        page: &Page,
        form: &HashMap<String, String>,
        current: &HashMap<String, String>,
    ) -> Result<Map<String, Value>, HashMap<String, String>> {
        let mut out = Map::new();
        let mut errors = HashMap::new();
        if let Some(o) = form.get("owner_id").map(|o| o.trim())
            && !o.is_empty()
            && current.get("owner_id").map(String::as_str) != Some(o)
        {
            out.insert("owner_id".into(), json!(o));
        }
        let mut custom = Map::new();
        for d in &self.defs {
            let name = format!("{PREFIX}{}", d.data.key);
            let shown = form.contains_key(&name) || form.contains_key(&format!("{name}__shown"));
            if !shown {
                continue;
            }
            let raw = form.get(&name).map(|r| r.trim()).unwrap_or("");
            let currency = form
                .get(&format!("{name}__currency"))
                .map(|c| c.trim().to_uppercase())
                .unwrap_or_default();
            let same = current.get(&name).map(String::as_str).unwrap_or("") == raw
                && (d.data.field_type != FieldType::Money
                    || current
                        .get(&format!("{name}__currency"))
                        .map(String::as_str)
                        .unwrap_or("")
                        == currency);
            // An unticked box of a value never set is still "no" to write.
            let unset_boolean =
                d.data.field_type == FieldType::Boolean && !current.contains_key(&name);
            if same && !unset_boolean {
                continue;
            }
            let value = match d.data.field_type {
                FieldType::Boolean => json!(!raw.is_empty()),
                _ if raw.is_empty() => Value::Null,
                FieldType::Number | FieldType::Money => match super::forms::typed_number(page, raw)
                {
                    Ok(n) if d.data.field_type == FieldType::Money => {
                        json!({"amount": n.to_string(), "currency": if currency.is_empty() { "ARS".to_owned() } else { currency }})
                    }
                    Ok(n) => json!(n.to_string()),
                    Err(_) => {
                        errors.insert(name, page.t("deal-form-bad-number"));
                        continue;
                    }
                },
                FieldType::MultiSelect => json!(super::forms::list(raw)),
                _ => json!(raw),
            };
            custom.insert(d.data.key.clone(), value);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !custom.is_empty() {
            out.insert("custom".into(), Value::Object(custom));
        }
        Ok(out)
    }
}

/// The signed-in person's id, as the owner select writes it.
fn page_user(page: &Page) -> Option<String> {
    page.viewer.as_ref().map(|v| v.actor.user_id.to_string())
}
