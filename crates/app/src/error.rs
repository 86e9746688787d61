use serde::Serialize;
use thiserror::Error;

use cartera_core::record::{KeyKind, RecordKind};
use cartera_core::{Id, Violations};
use cartera_store::StoreError;

/// A record that looks like the one being written.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DuplicateCandidate {
    pub id: Id,
    pub kind: RecordKind,
    pub title: String,
    pub subtitle: Option<String>,
    /// The keys they share: email, tax_id or name.
    pub matched_on: Vec<KeyKind>,
    /// In a bulk request, the position of the input that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// Why a change that would remove the last administrator is refused.
pub const LAST_ADMIN: &str =
    "this would leave no active administrator: give another user the administrator role first";

#[derive(Debug, Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The request's content breaks rules (422).
    #[error("{0}")]
    Invalid(Violations),
    /// The request's query parameters are malformed (400).
    #[error("{0}")]
    BadQuery(Violations),
    /// The record looks like existing ones (409); `allow_duplicate=true` overrides.
    #[error("possible duplicate")]
    Duplicate {
        candidates: Vec<DuplicateCandidate>,
        violations: Violations,
    },
    #[error("{0}")]
    Conflict(String),
    /// The change would leave nobody who can administer Cartera (409).
    #[error("{LAST_ADMIN}")]
    LastAdmin,
    /// The record changed since the client read it (412).
    #[error("the record changed since version {expected}; it is now at {current}")]
    Stale { expected: i64, current: i64 },
    /// No or wrong credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Too many attempts; the client may try again after `retry_after_seconds` (429).
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_seconds: u64,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Store(StoreError),
    /// An export's file could not be written.
    #[error(transparent)]
    Sheet(#[from] cartera_core::io::SheetError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Store(other),
        }
    }
}

impl From<Violations> for AppError {
    fn from(v: Violations) -> Self {
        AppError::Invalid(v)
    }
}
