//! Many rows into one table at once (an import's records, keys, tags, audit events and
//! row outcomes).
//!
//! Multi-row `INSERT`s of a few fixed sizes: the driver keeps one prepared statement per
//! SQL text, so fixed shapes are compiled once per connection and reused by every later
//! chunk, where a statement sized to each chunk would be compiled (and cached, megabytes
//! each) anew. On PostgreSQL a statement stays under one network message
//! ([`PG_MESSAGE`]), and [`Rows::copy`] sends a large set through `COPY ... FROM STDIN`.

use std::fmt::Write as _;

use crate::db::{Arg, Backend, Conn, Result, Sql, sqlite_time};

/// Rows per `INSERT`, largest first: any count is a sum of these, so a table has at
/// most five statement shapes.
const BLOCKS: [usize; 5] = [256, 64, 16, 4, 1];

/// The most bytes of values per PostgreSQL statement. The driver (sqlx 0.9) leaves
/// Nagle's algorithm on: a message written in more than one piece (past a TLS record,
/// 16 KiB, or a TCP segment) waits for the server's delayed ACK, about 40 ms, where a
/// round trip takes a tenth of a millisecond. A `COPY` pays that once (its data and its
/// end are two writes); statements under one record never do.
const PG_MESSAGE: usize = 12 * 1024;

/// Both engines cap the parameters of one statement (SQLite at 32766).
const MAX_PARAMS: usize = 30_000;

/// Rows for one table, in the order of its columns.
pub struct Rows {
    table: String,
    columns: Vec<String>,
    values: Vec<Arg>,
    /// Appended to each SQLite or PostgreSQL `INSERT` (`ON CONFLICT ...`); with one, a
    /// PostgreSQL write cannot use `COPY`.
    conflict: &'static str,
}

impl Rows {
    pub fn new(table: &str, columns: &[&str]) -> Rows {
        Rows {
            table: table.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            values: Vec::new(),
            conflict: "",
        }
    }

    /// What an `INSERT` does on a conflict (`ON CONFLICT ...`).
    pub fn on_conflict(mut self, clause: &'static str) -> Rows {
        self.conflict = clause;
        self
    }

    /// Adds a row: one value per column.
    pub fn push(&mut self, row: impl IntoIterator<Item = Arg>) {
        let before = self.values.len();
        self.values.extend(row);
        debug_assert_eq!(self.values.len() - before, self.columns.len());
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Writes the rows with multi-row `INSERT`s of fixed sizes.
    pub async fn write(self, c: &mut Conn) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let backend = c.backend();
        self.insert(c, backend).await
    }

    /// Writes the rows with `COPY` on PostgreSQL (one round trip, but see
    /// [`PG_MESSAGE`]); as [`Rows::write`] on SQLite or with a conflict clause.
    pub async fn copy(self, c: &mut Conn) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        match c.backend() {
            Backend::Postgres if self.conflict.is_empty() => {
                let cols = self.columns.join(", ");
                copy(
                    c,
                    &format!("COPY {} ({cols}) FROM STDIN", self.table),
                    &self,
                )
                .await
            }
            backend => self.insert(c, backend).await,
        }
    }

    /// The bytes a row takes in a statement, roughly.
    fn row_bytes(&self) -> usize {
        let width = self.columns.len().max(1);
        let sample = &self.values[..self.values.len().min(width * 16)];
        let bytes: usize = sample
            .iter()
            .map(|v| match v {
                Arg::Text(Some(s)) | Arg::Json(Some(s)) => s.len() + 8,
                _ => 12,
            })
            .sum();
        bytes / (sample.len() / width).max(1)
    }

    async fn insert(self, c: &mut Conn, backend: Backend) -> Result<()> {
        let width = self.columns.len().max(1);
        let row_bytes = self.row_bytes().max(1);
        let mut left = self.len();
        let mut values = self.values.into_iter();
        let blocks: Vec<usize> = BLOCKS
            .iter()
            .copied()
            .filter(|b| b * width <= MAX_PARAMS || *b == 1)
            .filter(|b| backend == Backend::Sqlite || b * row_bytes <= PG_MESSAGE || *b == 1)
            .collect();
        for &block in &blocks {
            while left >= block {
                let mut sql = Sql::new(insert_text(
                    &self.table,
                    &self.columns,
                    block,
                    self.conflict,
                    backend,
                ));
                for v in values.by_ref().take(block * width) {
                    sql = sql.arg(v);
                }
                c.execute(sql).await?;
                left -= block;
            }
        }
        Ok(())
    }
}

/// `INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ...` for `rows` rows.
fn insert_text(
    table: &str,
    columns: &[String],
    rows: usize,
    conflict: &str,
    backend: Backend,
) -> String {
    let mut s = String::with_capacity(64 + rows * columns.len() * 6);
    let _ = write!(s, "INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0usize;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                s.push_str(", ");
            }
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    n += 1;
                    let _ = write!(s, "${n}");
                }
            }
        }
        s.push(')');
    }
    if !conflict.is_empty() {
        s.push(' ');
        s.push_str(conflict);
    }
    s
}

/// Sends rows through `statement` (`COPY ... FROM STDIN`, text format).
pub(crate) async fn copy(c: &mut Conn, statement: &str, rows: &Rows) -> Result<()> {
    let mut data = Vec::with_capacity(rows.values.len() * 16);
    copy_text(&rows.values, rows.columns.len(), &mut data);
    c.copy_in(statement, data).await?;
    Ok(())
}

/// Encodes values as `COPY` text: one line per row, tab between columns, `\N` for null.
pub(crate) fn copy_text(values: &[Arg], width: usize, out: &mut Vec<u8>) {
    for row in values.chunks(width.max(1)) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            copy_value(v, out);
        }
        out.push(b'\n');
    }
}

fn copy_value(v: &Arg, out: &mut Vec<u8>) {
    match v {
        Arg::Text(Some(s)) | Arg::Json(Some(s)) => copy_escaped(s, out),
        Arg::Int(Some(i)) => out.extend_from_slice(i.to_string().as_bytes()),
        Arg::Bool(Some(b)) => out.push(if *b { b't' } else { b'f' }),
        Arg::Time(Some(t)) => {
            out.extend_from_slice(t.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string().as_bytes())
        }
        Arg::Date(Some(d)) => out.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes()),
        Arg::Text(None)
        | Arg::Json(None)
        | Arg::Int(None)
        | Arg::Bool(None)
        | Arg::Time(None)
        | Arg::Date(None) => out.extend_from_slice(b"\\N"),
    }
}

fn copy_escaped(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b => out.push(b),
        }
    }
}

/// A value as SQLite will store it, encoded ahead of the write (times and dates are
/// text there): work taken off the writer's path.
pub fn for_backend(v: Arg, backend: Backend) -> Arg {
    match (backend, v) {
        (Backend::Sqlite, Arg::Time(t)) => Arg::Text(t.as_ref().map(sqlite_time)),
        (Backend::Sqlite, Arg::Date(d)) => Arg::Text(d.map(|d| d.format("%Y-%m-%d").to_string())),
        (_, v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_marks_nulls() {
        let mut out = Vec::new();
        copy_text(
            &[
                Arg::from("a\tb\\c\nd"),
                Arg::Text(None),
                Arg::Int(Some(-3)),
                Arg::Bool(Some(true)),
            ],
            4,
            &mut out,
        );
        assert_eq!(out, b"a\\tb\\\\c\\nd\t\\N\t-3\tt\n");
    }

    #[test]
    fn sqlite_statements_have_fixed_shapes() {
        let cols = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            insert_text("t", &cols, 2, "ON CONFLICT DO NOTHING", Backend::Sqlite),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            insert_text("t", &cols, 2, "", Backend::Postgres),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
