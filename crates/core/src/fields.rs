//! Value types shared by several record kinds: addresses, emails, phones, tags.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::{Check, Code, clean, clean_opt};

pub const MAX_EMAILS: usize = 20;
pub const MAX_PHONES: usize = 20;
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 50;
pub const SHORT_TEXT: usize = 200;
pub const LONG_TEXT: usize = 10_000;

/// A postal address. Every part is optional; `country` is an ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    /// Province, state or region (provincia, estado, comunidad).
    pub province: Option<String>,
    pub postal_code: Option<String>,
    #[schema(example = "AR")]
    pub country: Option<String>,
}

impl Address {
    pub fn normalize(&mut self) {
        clean_opt(&mut self.street);
        clean_opt(&mut self.city);
        clean_opt(&mut self.province);
        clean_opt(&mut self.postal_code);
        clean_opt(&mut self.country);
        if let Some(c) = &mut self.country {
            *c = c.to_ascii_uppercase();
        }
    }

    pub fn validate(&self, field: &str, c: &mut Check) {
        c.opt_max_chars(&format!("{field}.street"), &self.street, SHORT_TEXT);
        c.opt_max_chars(&format!("{field}.city"), &self.city, 100);
        c.opt_max_chars(&format!("{field}.province"), &self.province, 100);
        c.opt_max_chars(&format!("{field}.postal_code"), &self.postal_code, 20);
        if let Some(country) = &self.country
            && (country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()))
        {
            c.add(
                &format!("{field}.country"),
                Code::Invalid,
                "must be a two-letter ISO 3166-1 country code, e.g. AR, MX, ES",
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Address::default()
    }

    /// One line for search and display: "Av. Corrientes 1234, CABA, AR".
    pub fn one_line(&self) -> String {
        [
            &self.street,
            &self.city,
            &self.province,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .filter_map(|p| p.as_deref())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// An email address with an optional label ("work", "billing" ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Email {
    #[schema(example = "lucia.fernandez@acme.com.ar")]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A phone number as people write it, with an optional label ("mobile", "office" ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    #[schema(example = "+54 9 11 4567-8901")]
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

pub fn normalize_emails(emails: &mut Vec<Email>) {
    for e in emails.iter_mut() {
        // Composed as well as lower-cased, so a decomposed accent (`jose\u{301}@`) is
        // the same address as the composed one, whichever way it arrived.
        e.address = crate::text::email_key(&e.address);
        clean_opt(&mut e.label);
    }
    let mut seen = std::collections::HashSet::new();
    emails.retain(|e| seen.insert(e.address.clone()));
}

pub fn validate_emails(field: &str, emails: &[Email], c: &mut Check) {
    c.max_items(field, emails, MAX_EMAILS);
    for (i, e) in emails.iter().enumerate() {
        validate_email(&format!("{field}[{i}].address"), &e.address, c);
        c.opt_max_chars(&format!("{field}[{i}].label"), &e.label, 50);
    }
}

pub fn validate_email(field: &str, address: &str, c: &mut Check) {
    if address.is_empty() {
        c.add(field, Code::Required, "must not be empty");
    } else if address.chars().count() > 254 {
        c.add(field, Code::TooLong, "must be at most 254 characters");
    } else if !is_email(address) {
        c.add(
            field,
            Code::Invalid,
            format!("'{address}' is not a valid email address"),
        );
    }
}

fn is_email(address: &str) -> bool {
    // The RFC grammar allows addresses no mail server delivers to ("a@b"); require a dot
    // in the domain as well, which every address a customer gives us has.
    email_address::EmailAddress::parse_with_options(address, email_address::Options::default())
        .is_ok_and(|e| e.domain().contains('.') && !e.domain().ends_with('.'))
}

pub fn normalize_phones(phones: &mut Vec<Phone>) {
    for p in phones.iter_mut() {
        clean(&mut p.number);
        // Collapse runs of spaces people paste from spreadsheets.
        p.number = p.number.split_whitespace().collect::<Vec<_>>().join(" ");
        clean_opt(&mut p.label);
    }
    let mut seen = std::collections::HashSet::new();
    phones.retain(|p| seen.insert(crate::text::digits(&p.number)));
}

pub fn validate_phones(field: &str, phones: &[Phone], c: &mut Check) {
    c.max_items(field, phones, MAX_PHONES);
    for (i, p) in phones.iter().enumerate() {
        validate_phone(&format!("{field}[{i}].number"), &p.number, c);
        c.opt_max_chars(&format!("{field}[{i}].label"), &p.label, 50);
    }
}

pub fn validate_phone(field: &str, number: &str, c: &mut Check) {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let allowed = number
        .chars()
        .all(|ch| ch.is_ascii_digit() || " +-().#/".contains(ch) || ch == 'x' || ch == 'X');
    if number.is_empty() {
        c.add(field, Code::Required, "must not be empty");
    } else if number.chars().count() > 40 {
        c.add(field, Code::TooLong, "must be at most 40 characters");
    } else if !allowed || !(6..=20).contains(&digits) {
        c.add(
            field,
            Code::Invalid,
            format!("'{number}' is not a phone number (6 to 20 digits, with + - ( ) and spaces)"),
        );
    }
}

/// Trims tags, drops blanks and case-insensitive repeats, keeping the first spelling.
pub fn normalize_tags(tags: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(tags.len());
    for t in tags.drain(..) {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() && seen.insert(t.to_lowercase()) {
            out.push(t);
        }
    }
    *tags = out;
}

pub fn validate_tags(field: &str, tags: &[String], c: &mut Check) {
    c.max_items(field, tags, MAX_TAGS);
    for (i, t) in tags.iter().enumerate() {
        c.max_chars(&format!("{field}[{i}]"), t, MAX_TAG_CHARS);
    }
}

/// A website as typed ("acme.com.ar") becomes a link ("https://acme.com.ar").
pub fn normalize_website(site: &mut Option<String>) {
    clean_opt(site);
    if let Some(s) = site
        && !s.contains("://")
    {
        *s = format!("https://{s}");
    }
}

pub fn validate_website(field: &str, site: &Option<String>, c: &mut Check) {
    if let Some(s) = site {
        let host = s
            .split_once("://")
            .map(|(scheme, rest)| (scheme, rest.split(['/', '?', '#']).next().unwrap_or("")));
        let ok = matches!(host, Some((scheme, host))
            if (scheme == "http" || scheme == "https") && host.contains('.') && !host.contains(' '));
        if !ok {
            c.add(field, Code::Invalid, format!("'{s}' is not a web address"));
        }
        c.max_chars(field, s, 500);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_deduplicated() {
        let mut v = vec![
            Email {
                address: " Ana@Acme.com ".into(),
                label: None,
            },
            Email {
                address: "ana@acme.com".into(),
                label: Some("work".into()),
            },
        ];
        normalize_emails(&mut v);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].address, "ana@acme.com");
    }

    #[test]
    fn bad_emails_are_named() {
        let mut c = Check::new();
        let v = vec![
            Email {
                address: "ok@acme.com".into(),
                label: None,
            },
            Email {
                address: "not-an-email".into(),
                label: None,
            },
            Email {
                address: "a@b".into(),
                label: None,
            },
        ];
        validate_emails("emails", &v, &mut c);
        let errs = c.into_violations();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].field, "emails[1].address");
        assert_eq!(errs[1].field, "emails[2].address");
    }

    #[test]
    fn phones_allow_usual_punctuation() {
        let mut c = Check::new();
        validate_phone("p", "+54 9 (11) 4567-8901", &mut c);
        validate_phone("p", "call me", &mut c);
        validate_phone("p", "123", &mut c);
        assert_eq!(c.into_violations().len(), 2);
    }

    #[test]
    fn tags_keep_first_spelling() {
        let mut t = vec![
            "VIP".into(),
            " vip ".into(),
            "".into(),
            "Zona  Norte".into(),
        ];
        normalize_tags(&mut t);
        assert_eq!(t, vec!["VIP".to_string(), "Zona Norte".to_string()]);
    }

    #[test]
    fn websites_get_a_scheme() {
        let mut s = Some("acme.com.ar".to_string());
        normalize_website(&mut s);
        assert_eq!(s.as_deref(), Some("https://acme.com.ar"));
        let mut c = Check::new();
        validate_website("website", &s, &mut c);
        validate_website("website", &Some("https://no spaces".into()), &mut c);
        assert_eq!(c.into_violations().len(), 1);
    }
}
