//! Contacts: the people at accounts (and people on their own).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::fill;
use crate::fields::{
    Address, Email, LONG_TEXT, Phone, normalize_emails, normalize_phones, normalize_tags,
    validate_emails, validate_phones, validate_tags,
};
use crate::ids::Id;
use crate::query::{FieldSpec, ValueKind};
use crate::record::{CustomValues, DuplicateKey, KeyKind, RecordData, RecordKind, Reference};
use crate::text::{SearchDoc, email_key, person_key};
use crate::validate::{Check, Code, clean, clean_opt};

/// The writable fields of a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ContactData {
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    /// The company the person works at.
    pub account_id: Option<Id>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    /// The contact this person reports to, for the customer's org chart.
    pub reports_to_id: Option<Id>,
    #[schema(value_type = Option<String>, format = Date, example = "1985-03-14")]
    pub birthday: Option<NaiveDate>,
    pub address: Address,
    /// Whether the person agreed to receive marketing email.
    pub marketing_consent: bool,
    /// How to deal with the person: preferences, temper, what they care about.
    pub description: Option<String>,
    pub owner_id: Option<Id>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: CustomValues,
}

static FIELDS: &[FieldSpec] = &[
    FieldSpec::new("first_name", ValueKind::Text)
        .sortable()
        .not_null(),
    FieldSpec::new("last_name", ValueKind::Text)
        .sortable()
        .not_null(),
    FieldSpec::new("email", ValueKind::Text),
    FieldSpec::new("account_id", ValueKind::Id),
    FieldSpec::new("job_title", ValueKind::Text).sortable(),
    FieldSpec::new("department", ValueKind::Text).sortable(),
    FieldSpec::new("reports_to_id", ValueKind::Id),
    FieldSpec::new("birthday", ValueKind::Date).sortable(),
    FieldSpec::new("marketing_consent", ValueKind::Bool).not_null(),
    FieldSpec::new("address.city", ValueKind::Text).sortable(),
    FieldSpec::new("address.province", ValueKind::Text).sortable(),
    FieldSpec::new("address.country", ValueKind::Text).sortable(),
];

impl ContactData {
    pub fn full_name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (false, false) => format!("{} {}", self.first_name, self.last_name),
            (false, true) => self.first_name.clone(),
            (true, false) => self.last_name.clone(),
            (true, true) => self
                .emails
                .first()
                .map(|e| e.address.clone())
                .unwrap_or_default(),
        }
    }

    /// Folds a duplicate into this contact; this contact's own values win.
    pub fn absorb(&mut self, other: &ContactData) {
        if self.first_name.is_empty() {
            self.first_name.clone_from(&other.first_name);
        }
        if self.last_name.is_empty() {
            self.last_name.clone_from(&other.last_name);
        }
        fill(&mut self.account_id, &other.account_id);
        fill(&mut self.job_title, &other.job_title);
        fill(&mut self.department, &other.department);
        fill(&mut self.reports_to_id, &other.reports_to_id);
        fill(&mut self.birthday, &other.birthday);
        fill(&mut self.description, &other.description);
        fill(&mut self.owner_id, &other.owner_id);
        if self.address.is_empty() {
            self.address = other.address.clone();
        }
        // Consent given on either record was given by the person.
        self.marketing_consent |= other.marketing_consent;
        self.emails.extend(other.emails.iter().cloned());
        self.phones.extend(other.phones.iter().cloned());
        self.tags.extend(other.tags.iter().cloned());
        for (k, v) in &other.custom {
            self.custom.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self.normalize();
    }
}

impl RecordData for ContactData {
    const KIND: RecordKind = RecordKind::Contact;

    fn normalize(&mut self) {
        clean(&mut self.first_name);
        clean(&mut self.last_name);
        clean_opt(&mut self.job_title);
        clean_opt(&mut self.department);
        clean_opt(&mut self.description);
        self.address.normalize();
        normalize_emails(&mut self.emails);
        normalize_phones(&mut self.phones);
        normalize_tags(&mut self.tags);
    }

    fn validate(&self, today: NaiveDate, c: &mut Check) {
        if self.first_name.is_empty() && self.last_name.is_empty() {
            c.add(
                "last_name",
                Code::Required,
                "a contact needs a first or last name",
            );
        }
        c.max_chars("first_name", &self.first_name, 100);
        c.max_chars("last_name", &self.last_name, 100);
        c.opt_max_chars("job_title", &self.job_title, 100);
        c.opt_max_chars("department", &self.department, 100);
        c.opt_max_chars("description", &self.description, LONG_TEXT);
        if let Some(b) = self.birthday
            && (b > today || b.year() < 1900)
        {
            c.add(
                "birthday",
                Code::OutOfRange,
                "must be a date between 1900-01-01 and today",
            );
        }
        self.address.validate("address", c);
        validate_emails("emails", &self.emails, c);
        validate_phones("phones", &self.phones, c);
        validate_tags("tags", &self.tags, c);
    }

    fn owner_id(&self) -> Option<Id> {
        self.owner_id
    }

    fn tags(&self) -> &[String] {
        &self.tags
    }

    fn custom(&self) -> &CustomValues {
        &self.custom
    }

    fn custom_mut(&mut self) -> &mut CustomValues {
        &mut self.custom
    }

    fn search_document(&self) -> String {
        let mut d = SearchDoc::new();
        d.push(&self.first_name).push(&self.last_name);
        for e in &self.emails {
            d.push(&e.address);
        }
        for p in &self.phones {
            d.push_phone(&p.number);
        }
        d.push_opt(&self.job_title);
        d.finish()
    }

    fn duplicate_keys(&self) -> Vec<DuplicateKey> {
        let mut keys: Vec<DuplicateKey> = self
            .emails
            .iter()
            .map(|e| DuplicateKey {
                kind: KeyKind::Email,
                value: email_key(&e.address),
            })
            .collect();
        let name = person_key(&self.first_name, &self.last_name);
        // A name alone is common; a name at the same company is the same person.
        if name.contains(' ') {
            let company = self.account_id.map(|a| a.to_string()).unwrap_or_default();
            keys.push(DuplicateKey {
                kind: KeyKind::Name,
                value: format!("{name}|{company}"),
            });
        }
        keys
    }

    fn references(&self) -> Vec<Reference> {
        let mut r = Vec::new();
        if let Some(id) = self.owner_id {
            r.push(Reference {
                field: "owner_id",
                target: RecordKind::User,
                id,
            });
        }
        if let Some(id) = self.account_id {
            r.push(Reference {
                field: "account_id",
                target: RecordKind::Account,
                id,
            });
        }
        if let Some(id) = self.reports_to_id {
            r.push(Reference {
                field: "reports_to_id",
                target: RecordKind::Contact,
                id,
            });
        }
        r
    }

    fn title(&self) -> String {
        self.full_name()
    }

    fn subtitle(&self) -> Option<String> {
        let parts: Vec<&str> = [
            self.job_title.as_deref(),
            self.emails.first().map(|e| e.address.as_str()),
            self.phones.first().map(|p| p.number.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    fn fields() -> &'static [FieldSpec] {
        FIELDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn contact(v: serde_json::Value) -> ContactData {
        let mut c: ContactData = serde_json::from_value(v).unwrap();
        c.normalize();
        c
    }

    #[test]
    fn needs_a_name() {
        let c = contact(json!({"emails": [{"address": "x@acme.com"}]}));
        let mut chk = Check::new();
        c.validate(today(), &mut chk);
        assert_eq!(chk.into_violations()[0].field, "last_name");
    }

    #[test]
    fn birthday_cannot_be_in_the_future() {
        let c = contact(json!({"first_name": "Ana", "birthday": "2030-01-01"}));
        let mut chk = Check::new();
        c.validate(today(), &mut chk);
        assert_eq!(chk.into_violations()[0].field, "birthday");
    }

    #[test]
    fn name_key_includes_company() {
        let a = Id::new();
        let c = contact(json!({"first_name": "José", "last_name": "García", "account_id": a}));
        let keys = c.duplicate_keys();
        assert_eq!(keys[0].value, format!("jose garcia|{a}"));
        // A single word is too common to call a duplicate.
        let c = contact(json!({"first_name": "José"}));
        assert!(c.duplicate_keys().is_empty());
    }
}
