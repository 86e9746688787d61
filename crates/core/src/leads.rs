//! Leads: people and companies we deal with who are not customers yet. Converting a lead
//! makes an account and a contact from it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AccountData, AccountKind};
use crate::contacts::ContactData;
use crate::fields::{
    Address, Email, LONG_TEXT, Phone, SHORT_TEXT, normalize_tags, normalize_website,
    validate_email, validate_phone, validate_tags, validate_website,
};
use crate::ids::Id;
use crate::query::{FieldSpec, ValueKind};
use crate::record::{CustomValues, DuplicateKey, RecordData, RecordKind, Reference};
use crate::territories::Place;
use crate::text::SearchDoc;
use crate::validate::{Check, Code, clean, clean_opt};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    #[default]
    New,
    Contacted,
    Qualified,
    Unqualified,
    /// Set by `POST /api/v1/leads/{id}/convert`, never by a write.
    Converted,
}

impl LeadStatus {
    pub const NAMES: &'static [&'static str] =
        &["new", "contacted", "qualified", "unqualified", "converted"];

    pub fn as_str(&self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Unqualified => "unqualified",
            LeadStatus::Converted => "converted",
        }
    }

    pub fn parse(s: &str) -> Option<LeadStatus> {
        use LeadStatus::*;
        [New, Contacted, Qualified, Unqualified, Converted]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The writable fields of a lead, plus the conversion links Cartera sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LeadData {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Address,
    /// Where the lead came from: web_form, whatsapp, referral, fair, cold_call ...
    pub source: Option<String>,
    pub campaign: Option<String>,
    /// The paid-search keyword that brought the lead.
    pub ad_keyword: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub status: LeadStatus,
    pub description: Option<String>,
    pub owner_id: Option<Id>,
    /// The territory the lead falls in; set by the territory rules when it is made.
    pub territory_id: Option<Id>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: CustomValues,
    /// When the lead was converted (read-only).
    pub converted_at: Option<DateTime<Utc>>,
    /// The account made or chosen on conversion (read-only).
    pub converted_account_id: Option<Id>,
    /// The contact made or chosen on conversion (read-only).
    pub converted_contact_id: Option<Id>,
}

static FIELDS: &[FieldSpec] = &[
    FieldSpec::new("first_name", ValueKind::Text).sortable(),
    FieldSpec::new("last_name", ValueKind::Text).sortable(),
    FieldSpec::new("company_name", ValueKind::Text).sortable(),
    FieldSpec::new("email", ValueKind::Text),
    FieldSpec::new("source", ValueKind::Text).sortable(),
    FieldSpec::new("campaign", ValueKind::Text).sortable(),
    FieldSpec::new("ad_keyword", ValueKind::Text),
    FieldSpec::new("utm_source", ValueKind::Text),
    FieldSpec::new("utm_medium", ValueKind::Text),
    FieldSpec::new("utm_campaign", ValueKind::Text),
    FieldSpec::new("status", ValueKind::Enum(LeadStatus::NAMES))
        .sortable()
        .not_null(),
    FieldSpec::new("converted_at", ValueKind::Time).sortable(),
    FieldSpec::new("converted_account_id", ValueKind::Id),
    FieldSpec::new("converted_contact_id", ValueKind::Id),
    FieldSpec::new("address.country", ValueKind::Text),
    FieldSpec::new("territory_id", ValueKind::Id),
    FieldSpec::new("address.city", ValueKind::Text),
];

impl LeadData {
    pub fn display_name(&self) -> String {
        let person = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !person.is_empty() {
            person
        } else if let Some(c) = &self.company_name {
            c.clone()
        } else {
            self.email
                .clone()
                .or_else(|| self.phone.clone())
                .unwrap_or_default()
        }
    }

    /// The account a conversion makes, when the lead names a company.
    pub fn to_account(&self, owner: Option<Id>) -> Option<AccountData> {
        let name = self.company_name.clone()?;
        Some(AccountData {
            kind: AccountKind::Customer,
            name,
            website: self.website.clone(),
            billing_address: self.address.clone(),
            owner_id: owner,
            territory_id: self.territory_id,
            tags: self.tags.clone(),
            ..AccountData::default()
        })
    }

    /// The contact a conversion makes, when the lead names a person.
    pub fn to_contact(&self, account_id: Option<Id>, owner: Option<Id>) -> Option<ContactData> {
        if self.first_name.is_none() && self.last_name.is_none() {
            return None;
        }
        Some(ContactData {
            first_name: self.first_name.clone().unwrap_or_default(),
            last_name: self.last_name.clone().unwrap_or_default(),
            emails: self
                .email
                .iter()
                .map(|a| Email {
                    address: a.clone(),
                    label: None,
                })
                .collect(),
            phones: self
                .phone
                .iter()
                .map(|n| Phone {
                    number: n.clone(),
                    label: None,
                })
                .collect(),
            account_id,
            job_title: self.job_title.clone(),
            address: self.address.clone(),
            owner_id: owner,
            tags: self.tags.clone(),
            ..ContactData::default()
        })
    }
}

impl RecordData for LeadData {
    const KIND: RecordKind = RecordKind::Lead;
    const READ_ONLY: &'static [&'static str] = &[
        "converted_at",
        "converted_account_id",
        "converted_contact_id",
    ];

    fn normalize(&mut self) {
        for f in [
            &mut self.first_name,
            &mut self.last_name,
            &mut self.company_name,
            &mut self.job_title,
            &mut self.email,
            &mut self.phone,
            &mut self.source,
            &mut self.campaign,
            &mut self.ad_keyword,
            &mut self.utm_source,
            &mut self.utm_medium,
            &mut self.utm_campaign,
            &mut self.utm_term,
            &mut self.utm_content,
            &mut self.description,
        ] {
            clean_opt(f);
        }
        if let Some(e) = &mut self.email {
            *e = e.to_lowercase();
        }
        if let Some(p) = &mut self.phone {
            clean(p);
        }
        self.address.normalize();
        normalize_website(&mut self.website);
        normalize_tags(&mut self.tags);
    }

    fn validate(&self, _today: NaiveDate, c: &mut Check) {
        if self.first_name.is_none()
            && self.last_name.is_none()
            && self.company_name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
        {
            c.add(
                "last_name",
                Code::Required,
                "a lead needs a name, a company, an email or a phone",
            );
        }
        c.opt_max_chars("first_name", &self.first_name, 100);
        c.opt_max_chars("last_name", &self.last_name, 100);
        c.opt_max_chars("company_name", &self.company_name, SHORT_TEXT);
        c.opt_max_chars("job_title", &self.job_title, 100);
        if let Some(e) = &self.email {
            validate_email("email", e, c);
        }
        if let Some(p) = &self.phone {
            validate_phone("phone", p, c);
        }
        validate_website("website", &self.website, c);
        self.address.validate("address", c);
        for (name, v) in [
            ("source", &self.source),
            ("campaign", &self.campaign),
            ("ad_keyword", &self.ad_keyword),
            ("utm_source", &self.utm_source),
            ("utm_medium", &self.utm_medium),
            ("utm_campaign", &self.utm_campaign),
            ("utm_term", &self.utm_term),
            ("utm_content", &self.utm_content),
        ] {
            c.opt_max_chars(name, v, SHORT_TEXT);
        }
        c.opt_max_chars("description", &self.description, LONG_TEXT);
        validate_tags("tags", &self.tags, c);
    }

    fn owner_id(&self) -> Option<Id> {
        self.owner_id
    }

    fn place(&self) -> Option<Place<'_>> {
        Some(Place {
            country: self.address.country.as_deref(),
            province: self.address.province.as_deref(),
            city: self.address.city.as_deref(),
            postal_code: self.address.postal_code.as_deref(),
            industry: None,
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
        d.push_opt(&self.first_name)
            .push_opt(&self.last_name)
            .push_opt(&self.company_name)
            .push_opt(&self.email);
        if let Some(p) = &self.phone {
            d.push_phone(p);
        }
        d.push_opt(&self.ad_keyword);
        d.finish()
    }

    fn duplicate_keys(&self) -> Vec<DuplicateKey> {
        // Leads are cheap and come in from forms: they are never refused as duplicates.
        Vec::new()
    }

    fn references(&self) -> Vec<Reference> {
        crate::record::owner_and_territory(self.owner_id, self.territory_id)
    }

    fn title(&self) -> String {
        self.display_name()
    }

    fn subtitle(&self) -> Option<String> {
        let parts: Vec<&str> = [
            self.company_name.as_deref(),
            self.email.as_deref(),
            self.source.as_deref(),
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

    #[test]
    fn conversion_carries_the_lead_over() {
        let mut l: LeadData = serde_json::from_value(json!({
            "first_name": "Carla", "last_name": "Ruiz", "company_name": "Viñedos del Sol",
            "email": "Carla@Vinedos.com.ar", "phone": "+54 261 555-0101", "tags": ["mendoza"]
        }))
        .unwrap();
        l.normalize();
        let owner = Id::new();
        let account = l.to_account(Some(owner)).unwrap();
        assert_eq!(account.name, "Viñedos del Sol");
        let acc_id = Id::new();
        let contact = l.to_contact(Some(acc_id), Some(owner)).unwrap();
        assert_eq!(contact.emails[0].address, "carla@vinedos.com.ar");
        assert_eq!(contact.account_id, Some(acc_id));
        assert_eq!(contact.tags, vec!["mendoza"]);
    }

    #[test]
    fn a_lead_needs_something_to_call() {
        let l = LeadData::default();
        let mut c = Check::new();
        l.validate(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), &mut c);
        assert_eq!(c.into_violations().len(), 1);
    }
}
