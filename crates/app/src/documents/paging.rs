//! The paging every document list shares (the catalogue's product list borrows it):
//! read `limit + 1` rows after a cursor, keep `limit`, and hand out the cursor of the
//! last one when more follow.

use cartera_core::quotes::DocCursor;
use cartera_core::{Code, Violations};

use crate::{AppError, Result};

/// One page of a list, and where the next one starts.
#[derive(Debug)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Reads a `cursor` parameter; a damaged one answers 400 on `cursor`.
pub(crate) fn read_cursor(cursor: Option<&str>) -> Result<Option<DocCursor>> {
    cursor
        .map(|c| DocCursor::decode(c).ok_or_else(damaged))
        .transpose()
}

/// The answer to a cursor this server did not make.
pub(crate) fn damaged() -> AppError {
    AppError::BadQuery(Violations::one(
        "cursor",
        Code::Invalid,
        "this cursor is damaged; start again without one",
    ))
}

/// Cuts a list read with `limit + 1` rows to `limit`, with the cursor of its last row
/// (`key` encodes it) when more follow.
pub(crate) fn cut<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Page<T> {
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(key)
    } else {
        None
    };
    Page {
        data: rows,
        next_cursor,
    }
}
