//! Territories: where a company's customers are, as rules on their address and
//! industry. The first territory whose rules match a new account or lead takes it and,
//! unless its creator named an owner, gives it to the territory's owner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::text::fold;
use crate::validate::{Check, Code};

/// What a record must be like to fall in a territory. Every criterion that lists values
/// must match one of them; criteria left empty match anything. Comparisons ignore case
/// and accents; postal codes also ignore spaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// ISO 3166 country codes: `AR`, `MX`, `ES`.
    pub countries: Vec<String>,
    /// Province, state or region: `Córdoba`, `Jalisco`, `Cataluña`.
    pub provinces: Vec<String>,
    pub cities: Vec<String>,
    /// Beginnings of postal codes: `X50` takes `X5000ABC`, `280` takes Madrid's `28001`.
    pub postal_code_prefixes: Vec<String>,
    pub industries: Vec<String>,
}

/// What territory rules look at in a record.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Place<'a> {
    pub country: Option<&'a str>,
    pub province: Option<&'a str>,
    pub city: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub industry: Option<&'a str>,
}

fn postal_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn any_equal(wanted: &[String], value: Option<&str>) -> bool {
    wanted.is_empty()
        || value.is_some_and(|v| {
            let v = fold(v.trim());
            wanted.iter().any(|w| fold(w.trim()) == v)
        })
}

impl Rules {
    /// A territory without criteria would swallow every record: it assigns nothing.
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
            && self.provinces.is_empty()
            && self.cities.is_empty()
            && self.postal_code_prefixes.is_empty()
            && self.industries.is_empty()
    }

    pub fn matches(&self, p: &Place<'_>) -> bool {
        !self.is_empty()
            && any_equal(&self.countries, p.country)
            && any_equal(&self.provinces, p.province)
            && any_equal(&self.cities, p.city)
            && any_equal(&self.industries, p.industry)
            && (self.postal_code_prefixes.is_empty()
                || p.postal_code.is_some_and(|code| {
                    let code = postal_key(code);
                    self.postal_code_prefixes
                        .iter()
                        .any(|prefix| code.starts_with(&postal_key(prefix)))
                }))
    }

    fn normalize(&mut self) {
        for list in [
            &mut self.countries,
            &mut self.provinces,
            &mut self.cities,
            &mut self.postal_code_prefixes,
            &mut self.industries,
        ] {
            for v in list.iter_mut() {
                *v = v.trim().to_owned();
            }
            list.retain(|v| !v.is_empty());
            list.dedup();
        }
        for c in &mut self.countries {
            *c = c.to_ascii_uppercase();
        }
    }
}

/// A territory of the company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Territory {
    pub id: Id,
    pub name: String,
    /// Lower goes first when several territories match a record.
    pub priority: i32,
    pub rules: Rules,
    /// Who new records of the territory are given to when their creator names no owner.
    pub owner_id: Option<Id>,
    /// Who covers the territory: with a role of `territory` visibility they see its
    /// accounts and leads and the contacts of those accounts.
    pub member_ids: Vec<Id>,
    /// An inactive territory assigns no new records; the ones it has keep it.
    pub active: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl Territory {
    /// Tidies what an admin typed: trimmed values, upper-case countries, no repeats.
    pub fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        self.rules.normalize();
        self.member_ids.sort();
        self.member_ids.dedup();
    }

    /// The rules that need nothing but the territory itself.
    pub fn validate(&self, c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, 80);
        for (i, country) in self.rules.countries.iter().enumerate() {
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                c.add(
                    &format!("rules.countries[{i}]"),
                    Code::Invalid,
                    "must be a two-letter ISO country code such as AR, MX or ES",
                );
            }
        }
        let lists = [
            ("provinces", &self.rules.provinces),
            ("cities", &self.rules.cities),
            ("postal_code_prefixes", &self.rules.postal_code_prefixes),
            ("industries", &self.rules.industries),
        ];
        for (name, list) in lists {
            if list.len() > 500 {
                c.add(
                    &format!("rules.{name}"),
                    Code::TooMany,
                    "may list at most 500 values",
                );
            }
            for (i, v) in list.iter().enumerate() {
                c.max_chars(&format!("rules.{name}[{i}]"), v, 100);
            }
        }
    }
}

/// The territory a new record falls in: the first active one, by priority and then
/// name, whose rules match.
pub fn assign<'a>(territories: &'a [Territory], place: &Place<'_>) -> Option<&'a Territory> {
    territories
        .iter()
        .filter(|t| t.active && t.rules.matches(place))
        .min_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn territory(name: &str, priority: i32, rules: Rules) -> Territory {
        Territory {
            id: Id::new(),
            name: name.into(),
            priority,
            rules,
            owner_id: None,
            member_ids: Vec::new(),
            active: true,
            version: 1,
            updated_at: Utc::now(),
        }
    }

    fn place<'a>(country: &'a str, province: &'a str, postal: &'a str) -> Place<'a> {
        Place {
            country: Some(country),
            province: Some(province),
            city: None,
            postal_code: Some(postal),
            industry: None,
        }
    }

    #[test]
    fn rules_ignore_case_accents_and_spaces() {
        let r = Rules {
            countries: vec!["AR".into()],
            provinces: vec!["Cordoba".into()],
            postal_code_prefixes: vec!["x50".into()],
            ..Rules::default()
        };
        assert!(r.matches(&place("AR", "CÓRDOBA", "X 5000 ABC")));
        assert!(!r.matches(&place("AR", "Córdoba", "X6000")));
        assert!(!r.matches(&place("MX", "Córdoba", "X5000")));
        assert!(!r.matches(&Place::default()));
    }

    #[test]
    fn a_territory_without_rules_takes_nothing() {
        assert!(!Rules::default().matches(&place("AR", "Salta", "4400")));
    }

    #[test]
    fn first_match_by_priority_then_name_and_only_active() {
        let ar = Rules {
            countries: vec!["AR".into()],
            ..Rules::default()
        };
        let cordoba = Rules {
            provinces: vec!["Córdoba".into()],
            ..Rules::default()
        };
        let mut ts = vec![
            territory("Argentina", 10, ar.clone()),
            territory("Córdoba", 1, cordoba),
            territory("Argentina B", 10, ar),
        ];
        let p = place("AR", "Córdoba", "5000");
        assert_eq!(assign(&ts, &p).map(|t| t.name.as_str()), Some("Córdoba"));
        ts[1].active = false;
        assert_eq!(assign(&ts, &p).map(|t| t.name.as_str()), Some("Argentina"));
        let salta = place("AR", "Salta", "4400");
        assert_eq!(
            assign(&ts, &salta).map(|t| t.name.as_str()),
            Some("Argentina")
        );
    }

    #[test]
    fn countries_must_be_iso_codes() {
        let mut t = territory(
            " Norte ",
            0,
            Rules {
                countries: vec![" ar ".into(), "Argentina".into(), "".into()],
                ..Rules::default()
            },
        );
        t.normalize();
        assert_eq!(t.name, "Norte");
        assert_eq!(t.rules.countries, vec!["AR", "ARGENTINA"]);
        let mut c = Check::new();
        t.validate(&mut c);
        let v = c.into_violations();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].field, "rules.countries[1]");
    }
}
