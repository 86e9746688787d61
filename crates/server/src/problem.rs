//! Every error answer of the API, in one place: RFC 9457 problem details as
//! `application/problem+json`. No answer carries a stack trace, SQL or a file path; the
//! log keeps those, under the request id the client sees in `X-Request-Id`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use cartera_app::AppError;
use cartera_app::error::DuplicateCandidate;
use cartera_core::validate::MAX_LISTED;
use cartera_core::{Code, Violation, Violations};

/// An RFC 9457 problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:cartera:problem:validation-failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields that are wrong: at most the first 100.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
    /// How many violations were found in all, when `errors` lists only the first 100 of
    /// them (absent when `errors` lists every one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 101)]
    pub violations_total: Option<usize>,
    /// For a possible duplicate: the existing records it looks like.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<DuplicateCandidate>,
}

/// What a body over its limit is told before the client's language is looked at;
/// `middleware::too_large_as_problem` says it in that language.
pub const TOO_LARGE: &str = "the request body is larger than this server accepts";

/// Marks the answer of a body over its limit (with the generic [`TOO_LARGE`] detail),
/// so that `middleware::too_large_as_problem` words it in the client's language.
#[derive(Debug, Clone, Copy)]
pub struct GenericTooLarge;

/// An error answer, ready to render.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<Violation>,
    /// Violations found beyond those in `errors` (u32 keeps the error small enough to
    /// return by value everywhere).
    unlisted: u32,
    candidates: Vec<DuplicateCandidate>,
    retry_after_seconds: Option<u32>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            unlisted: 0,
            candidates: Vec::new(),
            retry_after_seconds: None,
        }
    }

    /// The wait a 429 asks for, in seconds.
    pub fn retry_after(&self) -> Option<u32> {
        self.retry_after_seconds
    }

    pub fn with_errors(mut self, errors: Vec<Violation>) -> Self {
        self.errors = errors;
        self
    }

    /// The violations, with the count of those found beyond the listed ones.
    fn with_violations(mut self, v: Violations) -> Self {
        self.errors = v.0;
        self.unlisted = u32::try_from(v.1).unwrap_or(u32::MAX);
        self
    }

    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "There is no such record, or it is in the trash.",
        )
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
    }

    /// A malformed request: bad JSON, bad query parameters, bad headers.
    pub fn malformed(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "Malformed request",
            detail,
        )
    }

    pub fn bad_field(field: &str, code: Code, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::malformed(format!("{field}: {message}")).with_errors(vec![Violation {
            field: field.to_owned(),
            code,
            message,
        }])
    }

    /// A body over the limit of what the server reads (413).
    pub fn too_large() -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Too large",
            TOO_LARGE,
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "Something went wrong on our side. Quote the X-Request-Id of this answer when you report it.",
        )
    }

    fn invalid(v: Violations) -> Self {
        let detail = summary(&v);
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            "Validation failed",
            detail,
        )
        .with_violations(v)
    }
}

fn summary(v: &Violations) -> String {
    let more = v.total().saturating_sub(1);
    match v.0.as_slice() {
        [] => "The request is not valid.".into(),
        [one] if more == 0 && one.field.is_empty() => one.message.clone(),
        [one, ..] => {
            let head = if one.field.is_empty() {
                one.message.clone()
            } else {
                format!("{}: {}", one.field, one.message)
            };
            match more {
                0 => head,
                1 => format!("{head} (and 1 more problem)"),
                n => format!("{head} (and {n} more problems)"),
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::not_found(),
            AppError::Invalid(v) => ApiError::invalid(v),
            AppError::BadQuery(v) => {
                let detail = summary(&v);
                ApiError::malformed(detail).with_violations(v)
            }
            AppError::Duplicate {
                candidates,
                violations,
            } => {
                let names: Vec<&str> = candidates.iter().map(|c| c.title.as_str()).collect();
                let mut e = ApiError::new(
                    StatusCode::CONFLICT,
                    "possible-duplicate",
                    "Possible duplicate",
                    if names.is_empty() {
                        summary(&violations)
                    } else {
                        format!(
                            "This looks like {} already in Cartera. Merge them, or send allow_duplicate=true to keep both.",
                            names.join(", ")
                        )
                    },
                )
                .with_violations(violations);
                e.candidates = candidates;
                e
            }
            AppError::Conflict(msg) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", msg)
            }
            AppError::LastAdmin => ApiError::new(
                StatusCode::CONFLICT,
                "last-admin",
                "The last administrator cannot be removed",
                cartera_app::error::LAST_ADMIN,
            ),
            AppError::Stale { expected, current } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "version-mismatch",
                "Version mismatch",
                format!(
                    "The record changed since you read it (you sent version {expected}, it is at {current}). Read it again and repeat your change."
                ),
            ),
            AppError::Unauthorized(msg) => ApiError::unauthorized(msg),
            AppError::RateLimited {
                message,
                retry_after_seconds,
            } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many attempts",
                    message,
                );
                e.retry_after_seconds =
                    Some(u32::try_from(retry_after_seconds).unwrap_or(u32::MAX));
                e
            }
            AppError::Forbidden(msg) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", msg)
            }
            AppError::TooLarge(msg) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Too large", msg)
            }
            AppError::Store(e) => {
                tracing::error!(error = %e, "store error");
                ApiError::internal()
            }
            AppError::Sheet(e) => {
                tracing::error!(error = %e, "export file error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(mut self) -> Response {
        // However many violations a request broke, the answer lists a bounded number.
        let over = self.errors.len().saturating_sub(MAX_LISTED);
        self.errors.truncate(MAX_LISTED);
        let unlisted = usize::try_from(self.unlisted)
            .unwrap_or(usize::MAX)
            .saturating_add(over);
        let violations_total = (unlisted > 0).then(|| self.errors.len().saturating_add(unlisted));
        let generic_too_large =
            self.status == StatusCode::PAYLOAD_TOO_LARGE && self.detail == TOO_LARGE;
        let body = Problem {
            kind: format!("urn:cartera:problem:{}", self.slug),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
            violations_total,
            candidates: self.candidates,
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (self.status, bytes).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after_seconds {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if generic_too_large {
            res.extensions_mut().insert(GenericTooLarge);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
