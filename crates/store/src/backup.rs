//! The database side of a whole-company backup: which tables hold the company's data,
//! their rows read as text in one snapshot, and rows written back into an empty
//! database of either backend.
//!
//! Every value travels as text (or null) in the spelling SQLite stores, so one backup
//! restores into SQLite or PostgreSQL alike: PostgreSQL times are written as SQLite's
//! fixed-width UTC text and booleans as `1`/`0`; on the way in PostgreSQL casts each text
//! to its column's type and SQLite's column affinity turns digits back into integers.
//! The tables are read from the database's own catalogue, so a table a later migration
//! adds is copied without changes here.

use std::collections::{HashMap, HashSet};

use crate::db::{Backend, Conn, Result, Sql};
use crate::error::StoreError;

/// A cell: the stored value as text, or null.
pub type Cell = Option<String>;

/// Tables left out of a backup: the migrations' own bookkeeping, the search indexes
/// (rebuilt from the records on restore), and short-lived secrets that mean nothing in
/// another database (login sessions, replayed requests, password reset links, failed
/// login counters).
fn skipped(table: &str) -> bool {
    table == "_sqlx_migrations"
        || table.starts_with("sqlite_")
        || table.contains("_fts")
        || matches!(
            table,
            "sessions" | "idempotency_keys" | "password_resets" | "login_failures" | "rate_limits"
        )
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// The declared type: SQLite's (`TEXT`, `INTEGER`) or PostgreSQL's `format_type`.
    pub sql_type: String,
    /// PostgreSQL: the sequence that numbers this column, set past the restored rows.
    sequence: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TableSchema {
    pub name: String,
    /// The columns a backup carries (PostgreSQL's search vectors are derived, not data).
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// (column, referenced table)
    references: Vec<(String, String)>,
}

impl TableSchema {
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
}

/// Only plain lower-case names reach statement text; every catalogue name of ours is one.
fn ident(name: &str) -> Result<&str> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(name)
    } else {
        Err(StoreError::Config(format!(
            "unexpected table or column name '{name}'"
        )))
    }
}

/// The data tables, parents before children (so rows can be inserted in this order).
pub async fn schema(c: &mut Conn) -> Result<Vec<TableSchema>> {
    let backend = c.backend();
    let names = match backend {
        Backend::Sqlite => {
            c.fetch_all(Sql::new(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            ))
            .await?
        }
        Backend::Postgres => {
            c.fetch_all(Sql::new(
                "SELECT relname AS name FROM pg_class \
                 WHERE relnamespace = CAST(current_schema() AS regnamespace) \
                 AND relkind IN ('r', 'p') ORDER BY relname",
            ))
            .await?
        }
    };
    let mut tables = Vec::new();
    for row in names {
        let name = row.text("name")?;
        if skipped(&name) {
            continue;
        }
        ident(&name)?;
        tables.push(describe(c, backend, name).await?);
    }
    Ok(in_dependency_order(tables))
}

async fn describe(c: &mut Conn, backend: Backend, name: String) -> Result<TableSchema> {
    let mut columns = Vec::new();
    let mut primary_key = Vec::new();
    let mut references = Vec::new();
    match backend {
        Backend::Sqlite => {
            let rows = c
                .fetch_all(
                    Sql::new("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                        .arg(name.as_str()),
                )
                .await?;
            let mut pk = Vec::new();
            for r in rows {
                let col = r.text("name")?;
                ident(&col)?;
                let order = r.int("pk")?;
                if order > 0 {
                    pk.push((order, col.clone()));
                }
                columns.push(Column {
                    name: col,
                    sql_type: r.text("type")?.to_ascii_uppercase(),
                    sequence: None,
                });
            }
            pk.sort();
            primary_key = pk.into_iter().map(|(_, c)| c).collect();
            for r in c
                .fetch_all(
                    Sql::new(
                        "SELECT \"from\" AS col, \"table\" AS target \
                         FROM pragma_foreign_key_list($1)",
                    )
                    .arg(name.as_str()),
                )
                .await?
            {
                references.push((r.text("col")?, r.text("target")?));
            }
        }
        Backend::Postgres => {
            let rows = c
                .fetch_all(
                    Sql::new(
                        "SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, \
                         pg_get_serial_sequence(quote_ident($1), a.attname) AS seq \
                         FROM pg_attribute a \
                         WHERE a.attrelid = CAST(quote_ident($1) AS regclass) \
                         AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                    )
                    .arg(name.as_str()),
                )
                .await?;
            for r in rows {
                let sql_type = r.text("type")?;
                // The search vector is computed from the record; restore rebuilds it.
                if sql_type == "tsvector" {
                    continue;
                }
                let col = r.text("name")?;
                ident(&col)?;
                columns.push(Column {
                    name: col,
                    sql_type,
                    sequence: r.opt_text("seq")?,
                });
            }
            for r in c
                .fetch_all(
                    Sql::new(
                        "SELECT a.attname AS name FROM pg_index i \
                         JOIN pg_attribute a ON a.attrelid = i.indrelid \
                         AND a.attnum = ANY (i.indkey) \
                         WHERE i.indrelid = CAST(quote_ident($1) AS regclass) AND i.indisprimary \
                         ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)",
                    )
                    .arg(name.as_str()),
                )
                .await?
            {
                primary_key.push(r.text("name")?);
            }
            for r in c
                .fetch_all(
                    Sql::new(
                        "SELECT a.attname AS col, t.relname AS target FROM pg_constraint k \
                         JOIN pg_class t ON t.oid = k.confrelid \
                         JOIN pg_attribute a ON a.attrelid = k.conrelid \
                         AND a.attnum = ANY (k.conkey) \
                         WHERE k.contype = 'f' \
                         AND k.conrelid = CAST(quote_ident($1) AS regclass)",
                    )
                    .arg(name.as_str()),
                )
                .await?
            {
                references.push((r.text("col")?, r.text("target")?));
            }
        }
    }
    Ok(TableSchema {
        name,
        columns,
        primary_key,
        references,
    })
}

/// Orders tables so that each comes after the tables it refers to (depth first, by
/// name for a stable order). A reference back to the table itself, or around a cycle,
/// is left to [`deferred_columns`].
fn in_dependency_order(tables: Vec<TableSchema>) -> Vec<TableSchema> {
    fn visit(
        name: &str,
        by_name: &HashMap<String, TableSchema>,
        state: &mut HashMap<String, bool>,
        out: &mut Vec<TableSchema>,
    ) {
        if state.contains_key(name) {
            return;
        }
        let Some(t) = by_name.get(name) else {
            return;
        };
        state.insert(name.to_owned(), false);
        let mut targets: Vec<&str> = t.references.iter().map(|(_, r)| r.as_str()).collect();
        targets.sort_unstable();
        for target in targets {
            visit(target, by_name, state, out);
        }
        state.insert(name.to_owned(), true);
        out.push(t.clone());
    }
    let mut names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    names.sort();
    let by_name: HashMap<String, TableSchema> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut state = HashMap::new();
    let mut out = Vec::with_capacity(names.len());
    for n in &names {
        visit(n, &by_name, &mut state, &mut out);
    }
    out
}

/// The columns of `table` that refer to a table not yet filled when `table` is (itself,
/// or one later in `order`): they are inserted empty and set once every row is in.
pub fn deferred_columns(order: &[TableSchema], table: &TableSchema) -> Vec<String> {
    let filled: HashSet<&str> = order
        .iter()
        .take_while(|t| t.name != table.name)
        .map(|t| t.name.as_str())
        .collect();
    table
        .references
        .iter()
        .filter(|(_, target)| !filled.contains(target.as_str()))
        .map(|(col, _)| col.clone())
        .collect()
}

/// How a column is read so that both backends give the same text.
fn read_expr(backend: Backend, col: &Column) -> String {
    let n = &col.name;
    match backend {
        Backend::Sqlite => format!("CAST({n} AS TEXT)"),
        Backend::Postgres => match col.sql_type.as_str() {
            "timestamp with time zone" => {
                format!("to_char({n} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            "boolean" => format!("CAST(CAST({n} AS INTEGER) AS TEXT)"),
            "date" => format!("to_char({n}, 'YYYY-MM-DD')"),
            _ => format!("CAST({n} AS TEXT)"),
        },
    }
}

/// A parameter written as the column's type: PostgreSQL casts the text itself, SQLite
/// leaves it to the column's affinity.
fn param_as(backend: Backend, col: &Column, sql: &mut Sql, value: Cell) {
    match backend {
        Backend::Sqlite => {
            sql.push_arg(value);
        }
        Backend::Postgres => {
            sql.push("CAST(");
            sql.push_arg(value);
            sql.push(" AS ");
            sql.push(&col.sql_type);
            sql.push(")");
        }
    }
}

/// Starts a read-only snapshot on a reader connection: every table is read as of the
/// same moment while the company keeps working.
pub async fn begin_snapshot(c: &mut Conn) -> Result<()> {
    match c.backend() {
        Backend::Sqlite => c.execute(Sql::new("BEGIN")).await?,
        Backend::Postgres => {
            c.execute(Sql::new("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
                .await?
        }
    };
    Ok(())
}

pub async fn end_snapshot(c: &mut Conn) -> Result<()> {
    c.execute(Sql::new("COMMIT")).await?;
    Ok(())
}

/// Reads up to `limit` rows of `table` after the primary key `after` (in primary key
/// order), as cells in the order of `table.columns`. Returns the rows and the key of the
/// last one.
pub async fn read_page(
    c: &mut Conn,
    table: &TableSchema,
    after: Option<&[Cell]>,
    limit: i64,
) -> Result<Vec<Vec<Cell>>> {
    let backend = c.backend();
    let mut sql = Sql::new("SELECT ");
    for (i, col) in table.columns.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push(&read_expr(backend, col));
        sql.push(&format!(" AS c{i}"));
    }
    sql.push(" FROM ");
    sql.push(&table.name);
    let keys: Vec<&Column> = table
        .primary_key
        .iter()
        .filter_map(|k| table.columns.iter().find(|c| &c.name == k))
        .collect();
    if let (Some(after), false) = (after, keys.is_empty()) {
        sql.push(" WHERE (");
        sql.push(&table.primary_key.join(", "));
        sql.push(") > (");
        for (i, (col, value)) in keys.iter().zip(after).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let typed = match backend {
                // An INTEGER key compares with a number, not with its digits as text.
                Backend::Sqlite if col.sql_type == "INTEGER" => {
                    sql.push("CAST(");
                    sql.push_arg(value.clone());
                    sql.push(" AS INTEGER)");
                    true
                }
                _ => false,
            };
            if !typed {
                param_as(backend, col, &mut sql, value.clone());
            }
        }
        sql.push(")");
    }
    if !keys.is_empty() {
        sql.push(" ORDER BY ");
        sql.push(&table.primary_key.join(", "));
        sql.push(" LIMIT ");
        sql.push_arg(limit);
    }
    let rows = c.fetch_all(sql).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut cells = Vec::with_capacity(table.columns.len());
        for i in 0..table.columns.len() {
            cells.push(r.opt_text(&format!("c{i}"))?);
        }
        out.push(cells);
    }
    Ok(out)
}

/// The primary key cells of a row read by [`read_page`].
pub fn key_of(table: &TableSchema, row: &[Cell]) -> Vec<Cell> {
    table
        .primary_key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| &c.name == k))
        .filter_map(|i| row.get(i).cloned())
        .collect()
}

/// Whether the table has no key to page by (then it is read whole).
pub fn reads_whole(table: &TableSchema) -> bool {
    table.primary_key.is_empty()
}

/// Empties every data table, children first. Restore runs it in its transaction, after
/// checking the database holds no company yet (migrations seed the built-in roles).
pub async fn clear(c: &mut Conn, order: &[TableSchema]) -> Result<()> {
    for t in order.iter().rev() {
        c.execute(Sql::new(format!("DELETE FROM {}", t.name)))
            .await?;
    }
    Ok(())
}

/// Inserts rows whose cells follow `columns` (a backup's column list, checked against the
/// table beforehand); `deferred` columns are left null and returned as
/// (key cells, column, value) to set with [`set_deferred`] when every table is in.
pub async fn insert_rows(
    c: &mut Conn,
    table: &TableSchema,
    columns: &[String],
    deferred: &[String],
    rows: Vec<Vec<Cell>>,
) -> Result<Vec<DeferredValue>> {
    let backend = c.backend();
    let cols: Vec<&Column> = columns
        .iter()
        .map(|n| {
            table
                .columns
                .iter()
                .find(|c| &c.name == n)
                .ok_or_else(|| StoreError::Config(format!("{} has no column {n}", table.name)))
        })
        .collect::<Result<_>>()?;
    let key_at: Vec<usize> = table
        .primary_key
        .iter()
        .filter_map(|k| columns.iter().position(|c| c == k))
        .collect();
    let deferred_at: Vec<usize> = deferred
        .iter()
        .filter_map(|d| columns.iter().position(|c| c == d))
        .collect();
    let mut later = Vec::new();
    // Both engines cap a statement's parameters (SQLite at 32766).
    let per_statement = (30_000 / cols.len().max(1)).clamp(1, 500);
    for chunk in rows.chunks(per_statement) {
        let mut sql = Sql::new(format!("INSERT INTO {} (", table.name));
        sql.push(&columns.join(", "));
        sql.push(") VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(");
            for (j, col) in cols.iter().enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                let mut value = row.get(j).cloned().flatten();
                if deferred_at.contains(&j) && value.is_some() {
                    later.push(DeferredValue {
                        key: key_at
                            .iter()
                            .map(|&k| row.get(k).cloned().flatten())
                            .collect(),
                        column: columns[j].clone(),
                        value: value.take(),
                    });
                }
                param_as(backend, col, &mut sql, value);
            }
            sql.push(")");
        }
        c.execute(sql).await?;
    }
    Ok(later)
}

/// A reference inserted empty, to set once the row it points to exists.
#[derive(Debug, Clone)]
pub struct DeferredValue {
    key: Vec<Cell>,
    column: String,
    value: Cell,
}

pub async fn set_deferred(
    c: &mut Conn,
    table: &TableSchema,
    values: Vec<DeferredValue>,
) -> Result<()> {
    let backend = c.backend();
    let find = |n: &str| {
        table
            .columns
            .iter()
            .find(|c| c.name == n)
            .ok_or_else(|| StoreError::Config(format!("{} has no column {n}", table.name)))
    };
    for v in values {
        let mut sql = Sql::new(format!("UPDATE {} SET {} = ", table.name, v.column));
        param_as(backend, find(&v.column)?, &mut sql, v.value);
        for (i, (k, cell)) in table.primary_key.iter().zip(v.key).enumerate() {
            sql.push(if i == 0 { " WHERE " } else { " AND " });
            sql.push(k);
            sql.push(" = ");
            param_as(backend, find(k)?, &mut sql, cell);
        }
        c.execute(sql).await?;
    }
    Ok(())
}

/// PostgreSQL: moves each numbering sequence past the restored rows, so the next
/// record gets the next number. SQLite numbers from the largest rowid by itself.
pub async fn reset_sequences(c: &mut Conn, table: &TableSchema) -> Result<()> {
    if c.backend() != Backend::Postgres {
        return Ok(());
    }
    for col in &table.columns {
        let Some(seq) = &col.sequence else { continue };
        c.execute(
            Sql::new(format!(
                "SELECT setval(CAST($1 AS regclass), COALESCE(MAX({}), 0) + 1, false) FROM {}",
                col.name, table.name
            ))
            .arg(seq.as_str()),
        )
        .await?;
    }
    Ok(())
}

/// The newest migration applied: a backup restores only into the same schema.
pub async fn schema_version(c: &mut Conn) -> Result<i64> {
    c.fetch_one(Sql::new(
        "SELECT COALESCE(MAX(version), 0) AS v FROM _sqlx_migrations WHERE success",
    ))
    .await?
    .int("v")
}

/// Rows in tables that only a company in use has (the built-in roles and settings are
/// seeded by the migrations and do not count).
pub async fn company_rows(c: &mut Conn) -> Result<i64> {
    let mut n = 0;
    for t in ["users", "accounts", "contacts", "leads"] {
        n += c
            .fetch_one(Sql::new(format!("SELECT COUNT(*) AS n FROM {t}")))
            .await?
            .int("n")?;
    }
    Ok(n)
}

/// Rebuilds every search index from the records (a backup carries no index): one per
/// kind of the generic record storage (`kinds::REGISTRY`).
pub async fn rebuild_search(c: &mut Conn) -> Result<u64> {
    crate::kinds::reindex_all(c).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, refs: &[(&str, &str)]) -> TableSchema {
        TableSchema {
            name: name.into(),
            columns: Vec::new(),
            primary_key: vec!["id".into()],
            references: refs
                .iter()
                .map(|(c, t)| ((*c).to_owned(), (*t).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn parents_come_first_and_cycles_are_deferred() {
        let order = in_dependency_order(vec![
            table(
                "contacts",
                &[("account_id", "accounts"), ("reports_to_id", "contacts")],
            ),
            table("accounts", &[("owner_id", "users")]),
            table("users", &[("role_id", "roles")]),
            table("roles", &[]),
            table("teams", &[("manager_id", "users")]),
        ]);
        let names: Vec<&str> = order.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["roles", "users", "accounts", "contacts", "teams"]);
        assert_eq!(deferred_columns(&order, &order[3]), ["reports_to_id"]);
        assert!(deferred_columns(&order, &order[2]).is_empty());
    }

    #[test]
    fn derived_and_private_tables_are_not_copied() {
        for t in [
            "accounts_fts",
            "accounts_fts_data",
            "_sqlx_migrations",
            "sessions",
        ] {
            assert!(skipped(t), "{t}");
        }
        assert!(!skipped("accounts"));
    }
}
