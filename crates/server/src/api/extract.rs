//! Reading requests: the JSON body, query pairs, `If-Match`, the acting user. Each
//! refusal is a problem+json naming what is wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use cartera_app::{Actor, AppError};
use cartera_core::record::deserialize;
use cartera_core::{Code, Id, Violations};

use crate::problem::ApiError;

/// A JSON body (`application/json` or `application/merge-patch+json`), parsed but not
/// yet typed: the app reads it into a record kind and names the wrong fields.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        if let Some(ct) = &ct
            && ct != "application/json"
            && ct != "application/merge-patch+json"
            && !ct.ends_with("+json")
        {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!("send JSON (Content-Type: application/json), not {ct}"),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large()
            } else {
                ApiError::malformed(format!("the request body could not be read: {e}"))
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The deepest a JSON body may nest: 127 containers, what serde_json's own recursion
/// limit (128) lets through. Every JSON read here keeps it on (nothing calls
/// `disable_recursion_limit`): a deeper body is refused while it is read, before a
/// recursive value could overflow the stack. A test pins the number, so that a change in
/// serde_json is noticed.
pub const MAX_JSON_DEPTH: usize = 127;

/// A JSON body as a value, its strings composed (see `nfc_value`).
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed(
            "the request body is empty; send a JSON object",
        ));
    }
    let value = serde_json::from_slice(bytes).map(nfc_value).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            return ApiError::malformed(format!(
                "the body nests deeper than {MAX_JSON_DEPTH} levels"
            ));
        }
        ApiError::malformed(format!(
            "the body is not valid JSON (line {}, column {}): {}",
            e.line(),
            e.column(),
            e.to_string().split(" at line ").next().unwrap_or("")
        ))
    })?;
    // JSON can only carry a NUL escaped, so a body without `\u0000` needs no walk.
    if bytes.windows(6).any(|w| w == b"\\u0000")
        && let Some(field) = nul_path(&value, "")
    {
        return Err(ApiError::from(AppError::Invalid(Violations::one(
            field,
            Code::Invalid,
            NUL_MESSAGE,
        ))));
    }
    Ok(value)
}

/// Why a text with a NUL character is refused.
pub const NUL_MESSAGE: &str =
    "must not contain the NUL character (\\u0000), which a PostgreSQL database cannot store";

/// The path of the first text or key in `v` holding a NUL (see `text::nul_path`).
/// Refused at the edge for every body, because PostgreSQL cannot store one and a SQLite
/// database holding one could not be moved.
fn nul_path(v: &Value, at: &str) -> Option<String> {
    cartera_core::text::nul_path(v, at)
}

/// Every string of a JSON value (keys too) in Unicode's composed form, so an accent sent
/// as a separate mark (`"Iba\u0301n\u0303ez"`) is stored, compared and found like the
/// composed one. Every JSON body comes through `parse_json`, so this is the JSON edge.
/// A body that is all composed (nearly all) is walked without being copied.
pub fn nfc_value(v: Value) -> Value {
    use cartera_core::text::{is_nfc, nfc};
    fn composed(v: &Value) -> bool {
        match v {
            Value::String(s) => is_nfc(s),
            Value::Array(items) => items.iter().all(composed),
            Value::Object(map) => map.iter().all(|(k, v)| is_nfc(k) && composed(v)),
            _ => true,
        }
    }
    fn compose(v: Value) -> Value {
        match v {
            Value::String(s) => Value::String(nfc(&s).into_owned()),
            Value::Array(items) => Value::Array(items.into_iter().map(compose).collect()),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (nfc(&k).into_owned(), compose(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    if composed(&v) { v } else { compose(v) }
}

/// A JSON body read into `T`; a wrong, missing or unknown field answers 422 naming it.
pub struct Input<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Input<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBody(body) = JsonBody::from_request(req, state).await?;
        deserialize(body)
            .map(Input)
            .map_err(|v| ApiError::from(AppError::Invalid(v)))
    }
}

/// Query parameters as ordered pairs (`filter[...]` keys repeat and nest).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        // Already composed by `middleware::nfc_input`.
        Ok(QueryPairs(
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl QueryPairs {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A `true`/`false` flag such as `allow_duplicate`.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") | Some("") => Ok(true),
            Some(_) => Err(ApiError::bad_field(
                key,
                Code::Invalid,
                "must be true or false",
            )),
        }
    }

    /// Refuses parameters this endpoint does not know, so a typo does not go unnoticed.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some((k, _)) => Err(ApiError::bad_field(
                k,
                Code::UnknownField,
                format!(
                    "unknown parameter; this endpoint takes {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            )),
        }
    }
}

/// The version a client read, from `If-Match: "3"` (`*` or absent: any).
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let raw = v.to_str().unwrap_or("").trim();
        if raw == "*" {
            return Ok(IfMatch(None));
        }
        let tag = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
        tag.parse::<i64>().map(|n| IfMatch(Some(n))).map_err(|_| {
            ApiError::bad_field(
                "If-Match",
                Code::Invalid,
                "must be the record's version in quotes, as sent in its ETag (e.g. \"3\")",
            )
        })
    }
}

/// The acting user, put in the request by the authentication layer.
pub struct Auth(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <token>"))
    }
}

/// A record id from the path. A malformed id names no record: 404.
pub struct RecordId(pub Id);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw): Path<String> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        raw.parse::<Id>()
            .map(RecordId)
            .map_err(|_| ApiError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn json_as_deep_as_the_limit_is_read_one_deeper_is_refused() {
        assert!(parse_json(nested(MAX_JSON_DEPTH).as_bytes()).is_ok());
        for depth in [MAX_JSON_DEPTH + 1, 1_000_000] {
            let e = parse_json(nested(depth).as_bytes()).unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        }
    }
}
