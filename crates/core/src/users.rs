//! Users and their API tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::validate::{Check, Code};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub name: String,
    /// `es` or `en`.
    pub locale: String,
    /// IANA time zone, e.g. `America/Argentina/Buenos_Aires`.
    pub time_zone: String,
    pub active: bool,
    /// The role that decides what the user may do; none for a user from before roles,
    /// who keeps the administrator's rights.
    pub role_id: Option<Id>,
    pub created_at: DateTime<Utc>,
}

/// What a token may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read records.
    Read,
    /// Read, create, change and delete records.
    Write,
    /// Everything, including settings and custom field definitions.
    Admin,
}

impl Scope {
    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// Whether a token holding `self` may act where `needed` is required.
    pub fn allows(&self, needed: Scope) -> bool {
        *self >= needed
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: Id,
    pub user_id: Id,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub scope: Scope,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub const TOKEN_PREFIX: &str = "crt_";

/// The stored form of a token: its SHA-256. Tokens carry 256 random bits, so a fast hash
/// is enough (a slow password hash would cost every API request).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The shown part of a token.
pub fn token_display_prefix(token: &str) -> String {
    token.chars().take(TOKEN_PREFIX.len() + 6).collect()
}

pub fn validate_user(email: &str, name: &str, c: &mut Check) {
    crate::fields::validate_email("email", email, c);
    c.required("name", name);
    c.max_chars("name", name, 100);
}

pub fn validate_locale(locale: &str, c: &mut Check) {
    if !["es", "en"].contains(&locale) {
        c.add("locale", Code::Invalid, "must be es or en");
    }
}

/// An IANA time zone name such as `America/Mexico_City` or `Europe/Madrid`.
pub fn validate_time_zone(tz: &str, c: &mut Check) {
    if tz.parse::<chrono_tz::Tz>().is_err() {
        c.add(
            "time_zone",
            Code::Invalid,
            "must be an IANA time zone such as America/Argentina/Buenos_Aires or Europe/Madrid",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_include_lower_ones() {
        assert!(Scope::Admin.allows(Scope::Write));
        assert!(Scope::Write.allows(Scope::Read));
        assert!(!Scope::Read.allows(Scope::Write));
    }

    #[test]
    fn time_zones_are_iana_names() {
        let ok = |tz: &str| {
            let mut c = Check::new();
            validate_time_zone(tz, &mut c);
            c.finish().is_ok()
        };
        assert!(ok("America/Argentina/Buenos_Aires"));
        assert!(ok("Europe/Madrid"));
        assert!(!ok("Mars/Olympus"));
        assert!(!ok(""));
    }

    #[test]
    fn hash_is_stable_hex() {
        assert_eq!(token_hash("crt_x").len(), 64);
        assert_eq!(token_hash("crt_x"), token_hash("crt_x"));
        assert_eq!(token_display_prefix("crt_abcdefghij"), "crt_abcdef");
    }
}
