//! Accounts: the companies Cartera deals with, customers or not.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{
    Address, Email, LONG_TEXT, Phone, SHORT_TEXT, normalize_emails, normalize_phones,
    normalize_tags, normalize_website, validate_emails, validate_phones, validate_tags,
    validate_website,
};
use crate::ids::Id;
use crate::query::{FieldSpec, ValueKind};
use crate::record::{CustomValues, DuplicateKey, KeyKind, RecordData, RecordKind, Reference};
use crate::territories::Place;
use crate::text::{SearchDoc, company_key, email_key, tax_id_key};
use crate::validate::{Check, Code, clean, clean_opt};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    #[default]
    Customer,
    Prospect,
    Supplier,
    Competitor,
    Partner,
}

impl AccountKind {
    pub const NAMES: &'static [&'static str] =
        &["customer", "prospect", "supplier", "competitor", "partner"];

    pub fn as_str(&self) -> &'static str {
        match self {
            AccountKind::Customer => "customer",
            AccountKind::Prospect => "prospect",
            AccountKind::Supplier => "supplier",
            AccountKind::Competitor => "competitor",
            AccountKind::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        use AccountKind::*;
        [Customer, Prospect, Supplier, Competitor, Partner]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The writable fields of an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = AccountData)]
pub struct AccountData {
    pub kind: AccountKind,
    /// The name people use: "Agropecuaria Los Álamos".
    pub name: String,
    /// The registered name: "Agropecuaria Los Álamos S.A.".
    pub legal_name: Option<String>,
    /// CUIT, RFC, NIF ... as written; checked where the billing country says which.
    pub tax_id: Option<String>,
    pub industry: Option<String>,
    pub category: Option<String>,
    pub classification: Option<String>,
    pub billing_address: Address,
    pub shipping_address: Address,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub website: Option<String>,
    pub description: Option<String>,
    /// The sales rep whose portfolio the account is in.
    pub owner_id: Option<Id>,
    /// The territory the account falls in; set by the territory rules when it is made.
    pub territory_id: Option<Id>,
    pub tags: Vec<String>,
    /// Values of the custom fields defined for accounts.
    #[schema(value_type = Object)]
    pub custom: CustomValues,
}

static FIELDS: &[FieldSpec] = &[
    FieldSpec::new("kind", ValueKind::Enum(AccountKind::NAMES)).not_null(),
    FieldSpec::new("name", ValueKind::Text)
        .sortable()
        .not_null(),
    FieldSpec::new("legal_name", ValueKind::Text),
    FieldSpec::new("tax_id", ValueKind::Text),
    FieldSpec::new("industry", ValueKind::Text).sortable(),
    FieldSpec::new("category", ValueKind::Text).sortable(),
    FieldSpec::new("classification", ValueKind::Text).sortable(),
    FieldSpec::new("email", ValueKind::Text),
    FieldSpec::new("billing_address.city", ValueKind::Text).sortable(),
    FieldSpec::new("billing_address.province", ValueKind::Text).sortable(),
    FieldSpec::new("billing_address.postal_code", ValueKind::Text),
    FieldSpec::new("billing_address.country", ValueKind::Text).sortable(),
    FieldSpec::new("territory_id", ValueKind::Id),
];

impl RecordData for AccountData {
    const KIND: RecordKind = RecordKind::Account;

    fn normalize(&mut self) {
        clean(&mut self.name);
        clean_opt(&mut self.legal_name);
        clean_opt(&mut self.tax_id);
        clean_opt(&mut self.industry);
        clean_opt(&mut self.category);
        clean_opt(&mut self.classification);
        clean_opt(&mut self.description);
        self.billing_address.normalize();
        self.shipping_address.normalize();
        normalize_emails(&mut self.emails);
        normalize_phones(&mut self.phones);
        normalize_website(&mut self.website);
        normalize_tags(&mut self.tags);
    }

    fn validate(&self, _today: NaiveDate, c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, SHORT_TEXT);
        c.opt_max_chars("legal_name", &self.legal_name, SHORT_TEXT);
        c.opt_max_chars("tax_id", &self.tax_id, 32);
        if let Some(t) = &self.tax_id
            && let Err(msg) = crate::tax_ids::check(self.billing_address.country.as_deref(), t)
        {
            c.add("tax_id", Code::Invalid, msg);
        }
        c.opt_max_chars("industry", &self.industry, 100);
        c.opt_max_chars("category", &self.category, 100);
        c.opt_max_chars("classification", &self.classification, 100);
        c.opt_max_chars("description", &self.description, LONG_TEXT);
        self.billing_address.validate("billing_address", c);
        self.shipping_address.validate("shipping_address", c);
        validate_emails("emails", &self.emails, c);
        validate_phones("phones", &self.phones, c);
        validate_website("website", &self.website, c);
        validate_tags("tags", &self.tags, c);
    }

    fn owner_id(&self) -> Option<Id> {
        self.owner_id
    }

    fn place(&self) -> Option<Place<'_>> {
        // Where the customer is billed, or else where it receives goods.
        let a = if self.billing_address.is_empty() {
            &self.shipping_address
        } else {
            &self.billing_address
        };
        Some(Place {
            country: a.country.as_deref(),
            province: a.province.as_deref(),
            city: a.city.as_deref(),
            postal_code: a.postal_code.as_deref(),
            industry: self.industry.as_deref(),
        })
    }

    fn territory_id(&self) -> Option<Id> {
        self.territory_id
    }

    fn assign_territory(&mut self, territory: Id, owner: Option<Id>) {
        self.territory_id = Some(territory);
        if owner.is_some() {
            self.owner_id = owner;
        }
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
        d.push(&self.name)
            .push_opt(&self.legal_name)
            .push_opt(&self.tax_id);
        if let Some(t) = &self.tax_id {
            d.push(&tax_id_key(t));
        }
        for e in &self.emails {
            d.push(&e.address);
        }
        for p in &self.phones {
            d.push_phone(&p.number);
        }
        d.push_opt(&self.billing_address.city)
            .push_opt(&self.website);
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
        if let Some(t) = &self.tax_id {
            let value = tax_id_key(t);
            if !value.is_empty() {
                keys.push(DuplicateKey {
                    kind: KeyKind::TaxId,
                    value,
                });
            }
        }
        let name = company_key(&self.name);
        if !name.is_empty() {
            keys.push(DuplicateKey {
                kind: KeyKind::Name,
                value: name,
            });
        }
        keys
    }

    fn references(&self) -> Vec<Reference> {
        crate::record::owner_and_territory(self.owner_id, self.territory_id)
    }

    fn title(&self) -> String {
        self.name.clone()
    }

    fn subtitle(&self) -> Option<String> {
        let parts: Vec<&str> = [
            Some(self.kind.as_str()),
            self.tax_id.as_deref(),
            self.billing_address.city.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        Some(parts.join(" · "))
    }

    fn fields() -> &'static [FieldSpec] {
        FIELDS
    }
}

impl AccountData {
    /// Folds a duplicate into this account: empty fields take the other's value, lists
    /// and tags join, custom values fill gaps. This account's own values win.
    pub fn absorb(&mut self, other: &AccountData) {
        fill(&mut self.legal_name, &other.legal_name);
        fill(&mut self.tax_id, &other.tax_id);
        fill(&mut self.industry, &other.industry);
        fill(&mut self.category, &other.category);
        fill(&mut self.classification, &other.classification);
        fill(&mut self.website, &other.website);
        fill(&mut self.description, &other.description);
        fill(&mut self.owner_id, &other.owner_id);
        fill(&mut self.territory_id, &other.territory_id);
        if self.billing_address.is_empty() {
            self.billing_address = other.billing_address.clone();
        }
        if self.shipping_address.is_empty() {
            self.shipping_address = other.shipping_address.clone();
        }
        self.emails.extend(other.emails.iter().cloned());
        self.phones.extend(other.phones.iter().cloned());
        self.tags.extend(other.tags.iter().cloned());
        for (k, v) in &other.custom {
            self.custom.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self.normalize();
    }
}

pub(crate) fn fill<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
    if mine.is_none() {
        mine.clone_from(theirs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn duplicate_keys_cover_email_tax_id_and_name() {
        let mut a: AccountData = serde_json::from_value(json!({
            "name": "Acme S.A.", "tax_id": "30-71234567-1",
            "emails": [{"address": "Ventas@Acme.com"}]
        }))
        .unwrap();
        a.normalize();
        let keys: Vec<(KeyKind, String)> = a
            .duplicate_keys()
            .into_iter()
            .map(|k| (k.kind, k.value))
            .collect();
        assert_eq!(
            keys,
            vec![
                (KeyKind::Email, "ventas@acme.com".into()),
                (KeyKind::TaxId, "30712345671".into()),
                (KeyKind::Name, "acme".into())
            ]
        );
    }

    #[test]
    fn argentine_cuit_is_checked() {
        let mut a: AccountData = serde_json::from_value(json!({
            "name": "Acme", "tax_id": "20-12345678-5", "billing_address": {"country": "ar"}
        }))
        .unwrap();
        a.normalize();
        let mut c = Check::new();
        a.validate(today(), &mut c);
        let v = c.into_violations();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].field, "tax_id");
    }

    #[test]
    fn absorb_keeps_own_values_and_joins_lists() {
        let mut a: AccountData = serde_json::from_value(json!({
            "name": "Acme", "industry": "Agro", "tags": ["vip"], "emails": [{"address": "a@acme.com"}]
        }))
        .unwrap();
        let b: AccountData = serde_json::from_value(json!({
            "name": "ACME SA", "industry": "Minería", "tax_id": "X1", "tags": ["VIP", "norte"],
            "emails": [{"address": "a@acme.com"}, {"address": "b@acme.com"}]
        }))
        .unwrap();
        a.absorb(&b);
        assert_eq!(a.name, "Acme");
        assert_eq!(a.industry.as_deref(), Some("Agro"));
        assert_eq!(a.tax_id.as_deref(), Some("X1"));
        assert_eq!(a.tags, vec!["vip", "norte"]);
        assert_eq!(a.emails.len(), 2);
    }
}
