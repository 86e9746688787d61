//! Record identifiers: UUIDv7, so that ids sort by creation time and index well.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, format = "uuid", example = "019a9f3c-7d2e-7c41-9a55-3f0e8c1b2a77")]
pub struct Id(Uuid);

impl Id {
    /// A fresh time-ordered id.
    pub fn new() -> Self {
        Id(Uuid::now_v7())
    }

    /// A fixed id, for records that exist once (settings).
    pub const fn from_u128(v: u128) -> Self {
        Id(Uuid::from_u128(v))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for Id {
    fn default() -> Self {
        Id::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not a valid id (a UUID is expected)")]
pub struct BadId;

impl FromStr for Id {
    type Err = BadId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Id).map_err(|_| BadId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_creation() {
        let a = Id::new();
        let b = Id::new();
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn parses_its_own_text() {
        let a = Id::new();
        assert_eq!(a.to_string().parse::<Id>().unwrap(), a);
        assert!("nope".parse::<Id>().is_err());
    }
}
