//! A whole-company backup (`cartera backup`) and its restore into an empty database
//! (`cartera restore`), on either backend: a SQLite company moves to PostgreSQL and back
//! through one file.
//!
//! The file is JSON Lines, read and written as a stream so that a company of millions of
//! records never sits in memory:
//!
//! ```text
//! {"format":"cartera-backup","version":1,"schema":15,"backend":"sqlite","created_at":"…"}
//! {"table":"accounts","columns":["seq","id",…]}
//! ["1","0193…",…]                      one line per row, every cell text or null
//! {"end":"accounts","rows":44}
//! …
//! {"complete":true,"tables":27,"rows":1234}
//! ```
//!
//! Restore runs in one transaction: a file cut short, a row that does not fit or a
//! database that already holds a company leaves the database as it was.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use cartera_store::backup::{self as store, Cell, TableSchema};
use cartera_store::{Db, StoreError};

const FORMAT: &str = "cartera-backup";
const VERSION: u32 = 1;
/// Rows read or written per round trip to the database.
const BATCH: usize = 1000;

#[derive(Debug, Error)]
pub enum BackupError {
    #[error("cannot read or write the backup file: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("line {line} of the backup: {reason}")]
    Format { line: u64, reason: String },
    #[error("the backup file is incomplete ({0}); nothing was restored")]
    Incomplete(String),
    #[error(
        "the database already holds a company ({0} users and records); restore only into an empty database"
    )]
    NotEmpty(i64),
    #[error(
        "the backup is of schema version {backup} and this database is at {database}; restore it with the Cartera version that made it, then upgrade"
    )]
    Schema { backup: i64, database: i64 },
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    schema: i64,
    backend: String,
    created_at: DateTime<Utc>,
}

/// Every line after the header.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Line {
    Row(Vec<Cell>),
    Table {
        table: String,
        columns: Vec<String>,
    },
    End {
        end: String,
        rows: u64,
    },
    Complete {
        complete: bool,
        tables: u64,
        rows: u64,
    },
}

/// What a backup or restore copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: u64,
    pub rows: u64,
    /// Records whose search entry was rebuilt (restore only).
    pub indexed: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} tables, {} rows", self.tables, self.rows)?;
        if self.indexed > 0 {
            write!(f, ", {} records indexed for search", self.indexed)?;
        }
        Ok(())
    }
}

fn json_line<T: Serialize>(out: &mut impl Write, v: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes every table of the company's data to `out`, as of one moment. `progress` is
/// called after each batch with the table and its rows so far.
pub async fn write(
    db: &Db,
    mut out: impl Write,
    mut progress: impl FnMut(&str, u64),
) -> Result<Summary> {
    let mut c = db.reader().await?;
    store::begin_snapshot(&mut c).await?;
    let result = async {
        let tables = store::schema(&mut c).await?;
        json_line(
            &mut out,
            &Header {
                format: FORMAT.into(),
                version: VERSION,
                schema: store::schema_version(&mut c).await?,
                backend: db.backend().as_str().into(),
                created_at: Utc::now(),
            },
        )?;
        let mut summary = Summary::default();
        for t in &tables {
            json_line(
                &mut out,
                &Line::Table {
                    table: t.name.clone(),
                    columns: t.column_names(),
                },
            )?;
            let mut rows = 0u64;
            let mut after: Option<Vec<Cell>> = None;
            loop {
                let page = store::read_page(&mut c, t, after.as_deref(), BATCH as i64).await?;
                for row in &page {
                    json_line(&mut out, row)?;
                }
                rows += page.len() as u64;
                progress(&t.name, rows);
                match page.last() {
                    Some(last) if page.len() == BATCH && !store::reads_whole(t) => {
                        after = Some(store::key_of(t, last));
                    }
                    _ => break,
                }
            }
            json_line(
                &mut out,
                &Line::End {
                    end: t.name.clone(),
                    rows,
                },
            )?;
            summary.tables += 1;
            summary.rows += rows;
        }
        json_line(
            &mut out,
            &Line::Complete {
                complete: true,
                tables: summary.tables,
                rows: summary.rows,
            },
        )?;
        out.flush()?;
        Ok(summary)
    }
    .await;
    store::end_snapshot(&mut c).await?;
    result
}

/// The table being restored and the rows read for it but not yet written.
struct Filling<'a> {
    table: &'a TableSchema,
    columns: Vec<String>,
    deferred: Vec<String>,
    pending: Vec<Vec<Cell>>,
    rows: u64,
}

/// Restores a backup into an empty database (one that `cartera migrate` or the first
/// start made), in one transaction, then rebuilds the search indexes.
pub async fn restore(
    db: &Db,
    input: impl BufRead,
    mut progress: impl FnMut(&str, u64),
) -> Result<Summary> {
    let mut c = db.begin().await?;
    let existing = store::company_rows(&mut c).await?;
    if existing > 0 {
        return Err(BackupError::NotEmpty(existing));
    }
    let database = store::schema_version(&mut c).await?;
    let order = store::schema(&mut c).await?;
    store::clear(&mut c, &order).await?;

    let mut lines = input.lines();
    let mut n = 0u64;
    let bad = |line: u64, reason: String| BackupError::Format { line, reason };
    let header: Header = match lines.next() {
        None => return Err(BackupError::Incomplete("the file is empty".into())),
        Some(l) => {
            n += 1;
            serde_json::from_str(&l?)
                .map_err(|_| bad(1, "this is not a Cartera backup file".into()))?
        }
    };
    if header.format != FORMAT {
        return Err(bad(1, "this is not a Cartera backup file".into()));
    }
    if header.version != VERSION {
        return Err(bad(
            1,
            format!(
                "backup format version {} is not known to this Cartera",
                header.version
            ),
        ));
    }
    if header.schema != database {
        return Err(BackupError::Schema {
            backup: header.schema,
            database,
        });
    }

    let mut summary = Summary::default();
    let mut deferred = Vec::new();
    let mut filling: Option<Filling> = None;
    let mut complete = false;
    for line in lines {
        let line = line?;
        n += 1;
        if complete {
            if line.trim().is_empty() {
                continue;
            }
            return Err(bad(n, "text after the end of the backup".into()));
        }
        let parsed: Line =
            serde_json::from_str(&line).map_err(|e| bad(n, format!("not a backup line ({e})")))?;
        match (parsed, filling.as_mut()) {
            (Line::Row(cells), Some(f)) => {
                if cells.len() != f.columns.len() {
                    return Err(bad(
                        n,
                        format!(
                            "a row of {} has {} cells for {} columns",
                            f.table.name,
                            cells.len(),
                            f.columns.len()
                        ),
                    ));
                }
                f.pending.push(cells);
                f.rows += 1;
                if f.pending.len() >= BATCH {
                    let rows = std::mem::take(&mut f.pending);
                    let later =
                        store::insert_rows(&mut c, f.table, &f.columns, &f.deferred, rows).await?;
                    deferred.extend(later.into_iter().map(|v| (f.table, v)));
                    progress(&f.table.name, f.rows);
                }
            }
            (Line::Row(_), None) => return Err(bad(n, "a row outside any table".into())),
            (Line::Table { table, columns }, None) => {
                let Some(t) = order.iter().find(|t| t.name == table) else {
                    return Err(bad(
                        n,
                        format!("the table {table} is not part of this version's schema"),
                    ));
                };
                if let Some(unknown) = columns
                    .iter()
                    .find(|c| !t.columns.iter().any(|tc| &tc.name == *c))
                {
                    return Err(bad(n, format!("{table} has no column {unknown}")));
                }
                filling = Some(Filling {
                    table: t,
                    deferred: store::deferred_columns(&order, t),
                    columns,
                    pending: Vec::new(),
                    rows: 0,
                });
            }
            (Line::End { end, rows }, Some(f)) if end == f.table.name => {
                if rows != f.rows {
                    return Err(bad(
                        n,
                        format!("{end} should have {rows} rows but has {}", f.rows),
                    ));
                }
                let pending = std::mem::take(&mut f.pending);
                let later =
                    store::insert_rows(&mut c, f.table, &f.columns, &f.deferred, pending).await?;
                deferred.extend(later.into_iter().map(|v| (f.table, v)));
                store::reset_sequences(&mut c, f.table).await?;
                progress(&f.table.name, f.rows);
                summary.tables += 1;
                summary.rows += f.rows;
                filling = None;
            }
            (Line::Complete { tables, rows, .. }, None) => {
                if (tables, rows) != (summary.tables, summary.rows) {
                    return Err(bad(
                        n,
                        format!(
                            "the backup says {tables} tables and {rows} rows but holds {} and {}",
                            summary.tables, summary.rows
                        ),
                    ));
                }
                complete = true;
            }
            (_, Some(f)) => {
                return Err(bad(
                    n,
                    format!("the table {} ends without its closing line", f.table.name),
                ));
            }
            (Line::End { end, .. }, None) => {
                return Err(bad(n, format!("the end of {end} before its start")));
            }
        }
    }
    if !complete {
        return Err(BackupError::Incomplete(match filling {
            Some(f) => format!("it stops inside the table {}", f.table.name),
            None => "its closing line is missing".into(),
        }));
    }
    // References to rows that came later (a contact's manager, a cycle between tables).
    let mut by_table: Vec<(&TableSchema, Vec<store::DeferredValue>)> = Vec::new();
    for (t, v) in deferred {
        match by_table.iter_mut().find(|(bt, _)| bt.name == t.name) {
            Some((_, vs)) => vs.push(v),
            None => by_table.push((t, vec![v])),
        }
    }
    for (t, values) in by_table {
        store::set_deferred(&mut c, t, values).await?;
    }
    summary.indexed = store::rebuild_search(&mut c).await?;
    c.commit().await?;
    Ok(summary)
}
