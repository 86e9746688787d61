//! The page size of the lists that default to 100 rows (quotes, orders, the catalogue).

use cartera_core::Code;

use super::extract::QueryPairs;
use crate::problem::ApiError;

/// `limit` of a list: 1 to 500, default 100.
pub(super) fn limit_param(q: &QueryPairs) -> Result<i64, ApiError> {
    match q.get("limit") {
        None => Ok(100),
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=500).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_field(
                "limit",
                Code::OutOfRange,
                "a whole number from 1 to 500",
            )),
        },
    }
}
