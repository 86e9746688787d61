//! One handle over SQLite or PostgreSQL. SQL is written once with `$1`-style parameters,
//! which both engines read; values travel as [`Arg`]s and come back as [`DbRow`]s, so the
//! domain modules never name a backend unless a feature differs (full-text search,
//! JSON paths), and then both spellings stand side by side.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ConnectOptions as _, Postgres, Row, Sqlite, Transaction};

use cartera_core::Id;

use crate::error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub url: String,
    /// Connections for reads (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
    /// Apply pending migrations on open.
    pub migrate: bool,
    /// Statements slower than this are logged as warnings.
    pub slow_statement: Duration,
}

impl ConnectOptions {
    /// Options for `url` with the defaults: 8 connections, migrate, log statements over 250 ms.
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            max_connections: 8,
            migrate: true,
            slow_statement: Duration::from_millis(250),
        }
    }
}

enum Pools {
    /// SQLite allows one writer at a time: a single-connection pool queues writers in
    /// this process instead of failing them with SQLITE_BUSY; readers run beside it (WAL).
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
        /// Bulk jobs running ([`Db::bulk_writes`]): the last to end restores the cache.
        bulk_jobs: std::sync::atomic::AtomicUsize,
    },
    Postgres(PgPool),
}

/// The SQLite memory map's size (reads without a system call per page).
const MMAP_SIZE: &str = "17179869184";
/// The SQLite writer's page cache, in KiB (negative: a size, not a page count).
const WRITER_CACHE: &str = "-262144";
/// The writer's page cache during a bulk job ([`Db::bulk_writes`]).
const BULK_CACHE: &str = "-32768";

/// The database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pools: Arc<Pools>,
}

impl Db {
    pub async fn connect(opts: &ConnectOptions) -> Result<Db> {
        let url = opts.url.as_str();
        let db = if url.starts_with("sqlite:") {
            let base = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("page_size", "8192")
                .pragma("temp_store", "memory")
                // Pages are read through a memory map (no system call per page), and each
                // reader keeps 64 MB of them.
                .pragma("mmap_size", MMAP_SIZE)
                .pragma("cache_size", "-65536")
                .pragma("wal_autocheckpoint", "16384")
                .pragma("journal_size_limit", "67108864")
                // Rows come back from SQLite's worker thread through a channel; a page (up to
                // 501 rows) should fit without the worker waiting for the reader.
                .row_buffer_size(1024)
                .log_statements(log::LevelFilter::Trace)
                .log_slow_statements(log::LevelFilter::Warn, opts.slow_statement);
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                // The writer walks every index of every table it inserts into: a larger
                // cache keeps their hot pages.
                .connect_with(base.clone().pragma("cache_size", WRITER_CACHE))
                .await?;
            let reader = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(1))
                .connect_with(base)
                .await?;
            Db {
                pools: Arc::new(Pools::Sqlite {
                    writer,
                    reader,
                    bulk_jobs: std::sync::atomic::AtomicUsize::new(0),
                }),
            }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let co = PgConnectOptions::from_str(url)?
                .application_name("cartera")
                .log_statements(log::LevelFilter::Trace)
                .log_slow_statements(log::LevelFilter::Warn, opts.slow_statement);
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .connect_with(co)
                .await?;
            Db {
                pools: Arc::new(Pools::Postgres(pool)),
            }
        } else {
            return Err(StoreError::Config(format!(
                "database URL must start with sqlite: or postgres: (got '{}')",
                url.split(':').next().unwrap_or("")
            )));
        };
        if opts.migrate {
            db.migrate().await?;
        }
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match &*self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations this binary carries that the database lacks. A database
    /// made by an older binary opens in a newer one.
    pub async fn migrate(&self) -> Result<()> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => {
                sqlx::migrate!("./migrations/sqlite").run(writer).await?
            }
            Pools::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        let mut c = self.begin().await?;
        crate::roles::seed(
            &mut c,
            chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        )
        .await?;
        c.commit().await?;
        Ok(())
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so that a transaction that read first never fails to upgrade later.
    pub async fn begin(&self) -> Result<Conn> {
        Ok(match &*self.pools {
            Pools::Sqlite { writer, .. } => {
                Conn::SqliteTx(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pools::Postgres(p) => Conn::PgTx(p.begin().await?),
        })
    }

    /// A connection for single statements that write and commit on their own (no
    /// transaction around them): one round trip where `begin` + statement + `commit`
    /// takes three. On SQLite it is the writer connection, so it waits its turn behind
    /// write transactions like any writer.
    pub async fn autocommit(&self) -> Result<Conn> {
        Ok(match &*self.pools {
            Pools::Sqlite { writer, .. } => Conn::Sqlite(writer.acquire().await?),
            Pools::Postgres(p) => Conn::Pg(p.acquire().await?),
        })
    }

    /// A connection for reads, outside any transaction.
    pub async fn reader(&self) -> Result<Conn> {
        Ok(match &*self.pools {
            Pools::Sqlite { reader, .. } => Conn::Sqlite(reader.acquire().await?),
            Pools::Postgres(p) => Conn::Pg(p.acquire().await?),
        })
    }

    /// Refreshes the planner's statistics of tables that changed a lot since they were
    /// last analysed, and names them. PostgreSQL plans a lookup of many duplicate keys
    /// as a scan when it believes a table is small; its autovacuum normally keeps the
    /// statistics fresh, but some servers run with it off, and then one bulk import
    /// slows every later one. A table is analysed again once its changes since outnumber
    /// (by 2,000) the rows it had then: a plan made for half the rows is still an index
    /// lookup, and a million-row import analyses each table about ten times instead of
    /// fifty (an `ANALYZE` of a large table reads 30,000 of its rows).
    /// SQLite keeps one plan per statement (QPSG) and needs none.
    pub async fn refresh_statistics(&self) -> Result<Vec<String>> {
        if self.backend() != Backend::Postgres {
            return Ok(Vec::new());
        }
        let mut c = self.reader().await?;
        let stale = c
            .fetch_all(Sql::new(
                "SELECT relname FROM pg_stat_user_tables \
                 WHERE schemaname = current_schema() \
                 AND n_mod_since_analyze > 1000 + 0.5 * GREATEST(n_live_tup, 0)",
            ))
            .await?;
        let mut done = Vec::new();
        for row in stale {
            let table = row.text("relname")?;
            // Only our own plain table names reach the statement text.
            if !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                continue;
            }
            c.execute(Sql::new(format!("ANALYZE {table}"))).await?;
            done.push(table);
        }
        Ok(done)
    }

    /// Bounds (with `on`) or restores the SQLite writer's memory for a bulk job (a large
    /// import): its page cache drops from 256 MB to 32 MB and its pages are read without
    /// the memory map, so that the job's memory does not grow with the database it fills.
    /// The writes themselves are unchanged (same journal, same durability). Calls pair
    /// up (`on` then not): with two jobs at once, the cache comes back when both ended.
    pub async fn bulk_writes(&self, on: bool) -> Result<()> {
        if let Pools::Sqlite {
            writer, bulk_jobs, ..
        } = &*self.pools
        {
            use std::sync::atomic::Ordering;
            let before = if on {
                bulk_jobs.fetch_add(1, Ordering::SeqCst)
            } else {
                bulk_jobs
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                        Some(n.saturating_sub(1))
                    })
                    .unwrap_or(0)
            };
            // Only the first job to start and the last to end change the connection.
            if (on && before > 0) || (!on && before != 1) {
                return Ok(());
            }
            let (cache, mmap) = if on {
                (BULK_CACHE, "0")
            } else {
                (WRITER_CACHE, MMAP_SIZE)
            };
            let mut c = Conn::Sqlite(writer.acquire().await?);
            c.execute(Sql::new(format!("PRAGMA cache_size = {cache}")))
                .await?;
            c.execute(Sql::new(format!("PRAGMA mmap_size = {mmap}")))
                .await?;
        }
        Ok(())
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.reader().await?;
        c.fetch_one(Sql::new("SELECT 1 AS one")).await?;
        Ok(())
    }

    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { writer, reader, .. } => {
                reader.close().await;
                writer.close().await;
            }
            Pools::Postgres(p) => p.close().await,
        }
    }
}

/// A connection, in a transaction or not. Store functions take `&mut Conn`, so the
/// caller decides whether several of them commit together.
pub enum Conn {
    SqliteTx(Transaction<'static, Sqlite>),
    PgTx(Transaction<'static, Postgres>),
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

impl Conn {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::SqliteTx(_) | Conn::Sqlite(_) => Backend::Sqlite,
            Conn::PgTx(_) | Conn::Pg(_) => Backend::Postgres,
        }
    }

    /// Commits a transaction; a plain connection has nothing to commit.
    pub async fn commit(self) -> Result<()> {
        match self {
            Conn::SqliteTx(t) => t.commit().await?,
            Conn::PgTx(t) => t.commit().await?,
            Conn::Sqlite(_) | Conn::Pg(_) => {}
        }
        Ok(())
    }

    /// Runs a statement bound earlier (see [`Sql::bind`]).
    pub async fn execute_bound(&mut self, b: Bound) -> Result<u64> {
        Ok(match (self, b) {
            (Conn::SqliteTx(t), Bound::Sqlite(q)) => q.execute(&mut **t).await?.rows_affected(),
            (Conn::Sqlite(c), Bound::Sqlite(q)) => q.execute(&mut **c).await?.rows_affected(),
            (Conn::PgTx(t), Bound::Pg(q)) => q.execute(&mut **t).await?.rows_affected(),
            (Conn::Pg(c), Bound::Pg(q)) => q.execute(&mut **c).await?.rows_affected(),
            _ => {
                return Err(StoreError::Config(
                    "a statement bound for another backend".into(),
                ));
            }
        })
    }

    pub async fn fetch_all_bound(&mut self, b: Bound) -> Result<Vec<DbRow>> {
        Ok(match (self, b) {
            (Conn::SqliteTx(t), Bound::Sqlite(q)) => wrap_sqlite(q.fetch_all(&mut **t).await?),
            (Conn::Sqlite(c), Bound::Sqlite(q)) => wrap_sqlite(q.fetch_all(&mut **c).await?),
            (Conn::PgTx(t), Bound::Pg(q)) => wrap_pg(q.fetch_all(&mut **t).await?),
            (Conn::Pg(c), Bound::Pg(q)) => wrap_pg(q.fetch_all(&mut **c).await?),
            _ => {
                return Err(StoreError::Config(
                    "a statement bound for another backend".into(),
                ));
            }
        })
    }

    /// Turns SQLite's memory map off (or back on) for this connection: a large one-off
    /// read (an import's stored file) then goes through the bounded page cache instead
    /// of leaving every page it read mapped, and resident, while the connection lives.
    /// Nothing on PostgreSQL.
    pub async fn memory_map(&mut self, on: bool) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            let size = if on { MMAP_SIZE } else { "0" };
            self.execute(Sql::new(format!("PRAGMA mmap_size = {size}")))
                .await?;
        }
        Ok(())
    }

    /// Streams `data` through a `COPY ... FROM STDIN` statement (PostgreSQL only).
    pub async fn copy_in(&mut self, statement: &str, data: Vec<u8>) -> Result<u64> {
        let conn: &mut sqlx::PgConnection = match self {
            Conn::PgTx(t) => t,
            Conn::Pg(c) => c,
            Conn::SqliteTx(_) | Conn::Sqlite(_) => {
                return Err(StoreError::Config("COPY is PostgreSQL's".into()));
            }
        };
        let mut copy = conn.copy_in_raw(statement).await?;
        if let Err(e) = copy.send(data).await {
            // The connection must leave copy mode before anything else runs on it.
            let _ = copy.abort(e.to_string()).await;
            return Err(e.into());
        }
        Ok(copy.finish().await?)
    }

    pub async fn execute(&mut self, q: Sql) -> Result<u64> {
        let Sql { text, args } = q;
        Ok(match self {
            Conn::SqliteTx(t) => sqlite_query(text, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Conn::Sqlite(c) => sqlite_query(text, args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
            Conn::PgTx(t) => pg_query(text, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Conn::Pg(c) => pg_query(text, args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all(&mut self, q: Sql) -> Result<Vec<DbRow>> {
        let Sql { text, args } = q;
        Ok(match self {
            Conn::SqliteTx(t) => wrap_sqlite(sqlite_query(text, args).fetch_all(&mut **t).await?),
            Conn::Sqlite(c) => wrap_sqlite(sqlite_query(text, args).fetch_all(&mut **c).await?),
            Conn::PgTx(t) => wrap_pg(pg_query(text, args).fetch_all(&mut **t).await?),
            Conn::Pg(c) => wrap_pg(pg_query(text, args).fetch_all(&mut **c).await?),
        })
    }

    /// Reads many rows of a few columns as one value: the database packs the rows of
    /// `q` into a JSON array of arrays (its columns `columns`, in order) and serde
    /// unpacks each into a `T` (a tuple). Why: sqlx's SQLite driver hands every row from
    /// its worker thread to the caller on its own, a thread wake per row, which made
    /// reading the open documents of a whole book (400,000 rows) cost seconds; packed,
    /// it is one hand-over. For reports that read a large part of a table, not for
    /// pages of a list.
    pub async fn fetch_packed<T: DeserializeOwned>(
        &mut self,
        columns: &[&str],
        q: Sql,
    ) -> Result<Vec<T>> {
        let Sql { text, args } = q;
        let columns = columns.join(", ");
        let text = match self.backend() {
            Backend::Sqlite => format!(
                "SELECT json_group_array(json_array({columns})) AS packed FROM ({text}) packed_rows"
            ),
            Backend::Postgres => format!(
                "SELECT CAST(COALESCE(json_agg(json_build_array({columns})), '[]') AS TEXT) \
                 AS packed FROM ({text}) packed_rows"
            ),
        };
        let packed = self.fetch_one(Sql { text, args }).await?.text("packed")?;
        serde_json::from_str(&packed).map_err(|e| StoreError::Decode(format!("packed rows: {e}")))
    }

    pub async fn fetch_optional(&mut self, q: Sql) -> Result<Option<DbRow>> {
        let Sql { text, args } = q;
        Ok(match self {
            Conn::SqliteTx(t) => sqlite_query(text, args)
                .fetch_optional(&mut **t)
                .await?
                .map(DbRow::Sqlite),
            Conn::Sqlite(c) => sqlite_query(text, args)
                .fetch_optional(&mut **c)
                .await?
                .map(DbRow::Sqlite),
            Conn::PgTx(t) => pg_query(text, args)
                .fetch_optional(&mut **t)
                .await?
                .map(DbRow::Pg),
            Conn::Pg(c) => pg_query(text, args)
                .fetch_optional(&mut **c)
                .await?
                .map(DbRow::Pg),
        })
    }

    pub async fn fetch_one(&mut self, q: Sql) -> Result<DbRow> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }
}

fn wrap_sqlite(rows: Vec<SqliteRow>) -> Vec<DbRow> {
    rows.into_iter().map(DbRow::Sqlite).collect()
}

fn wrap_pg(rows: Vec<PgRow>) -> Vec<DbRow> {
    rows.into_iter().map(DbRow::Pg).collect()
}

/// A value bound to a `$n` parameter. Each carries its type even when null, because
/// PostgreSQL types every parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    /// JSON, already serialised: TEXT on SQLite, JSONB on PostgreSQL.
    Json(Option<String>),
}

impl Arg {
    /// A JSON value, serialised once here.
    pub fn json<T: serde::Serialize + ?Sized>(v: &T) -> Arg {
        Arg::Json(serde_json::to_string(v).ok())
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(Some(v))
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Self {
        Arg::Time(Some(v))
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Arg::Time(v)
    }
}
impl From<Option<NaiveDate>> for Arg {
    fn from(v: Option<NaiveDate>) -> Self {
        Arg::Date(v)
    }
}
impl From<Id> for Arg {
    fn from(v: Id) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<&Id> for Arg {
    fn from(v: &Id) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<Option<Id>> for Arg {
    fn from(v: Option<Id>) -> Self {
        Arg::Text(v.map(|i| i.to_string()))
    }
}

/// SQLite keeps times as fixed-width UTC text, so that text order is time order and a
/// bound parameter compares like a stored value.
const SQLITE_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

pub fn sqlite_time(t: &DateTime<Utc>) -> String {
    t.format(SQLITE_TIME).to_string()
}

fn parse_sqlite_time(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, SQLITE_TIME)
        .ok()
        .map(|n| n.and_utc())
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

type SqliteQuery = sqlx::query::Query<'static, Sqlite, sqlx::sqlite::SqliteArguments>;
type PgQuery = sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>;

/// SQLite looks up a named parameter (`$7`) by scanning the statement's list of names,
/// so binding a statement of thousands of them (a bulk insert) is quadratic. Anonymous
/// `?` parameters have no names to scan. When a statement's parameters appear exactly as
/// `$1, $2, ... $n` in order outside string literals, they become `?`.
fn anonymous_parameters(text: &str, n: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut expected = 1usize;
    let mut in_string = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch == '\'' {
            in_string = !in_string;
            out.push(ch);
            continue;
        }
        if ch == '$' && !in_string {
            let start = i + 1;
            let mut end = start;
            while let Some((j, d)) = chars.peek() {
                if d.is_ascii_digit() {
                    end = j + 1;
                    chars.next();
                } else {
                    break;
                }
            }
            if end > start {
                if text[start..end].parse::<usize>().ok()? != expected {
                    return None;
                }
                expected += 1;
                out.push('?');
                continue;
            }
        }
        out.push(ch);
    }
    (expected == n + 1).then_some(out)
}

/// Below this many parameters the name lookups cost nothing worth a rewrite.
const MANY_PARAMETERS: usize = 64;

fn sqlite_query(text: String, args: Vec<Arg>) -> SqliteQuery {
    let text = if args.len() > MANY_PARAMETERS {
        anonymous_parameters(&text, args.len()).unwrap_or(text)
    } else {
        text
    };
    let mut q = sqlx::query(AssertSqlSafe(text));
    for a in args {
        q = match a {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Time(v) => q.bind(v.as_ref().map(sqlite_time)),
            Arg::Date(v) => q.bind(v.map(|d| d.format("%Y-%m-%d").to_string())),
            Arg::Json(v) => q.bind(v),
        };
    }
    q
}

fn pg_query(text: String, args: Vec<Arg>) -> PgQuery {
    let mut q = sqlx::query(AssertSqlSafe(text));
    for a in args {
        q = match a {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Time(v) => q.bind(v),
            Arg::Date(v) => q.bind(v),
            Arg::Json(v) => q.bind(
                v.and_then(|j| serde_json::value::RawValue::from_string(j).ok())
                    .map(sqlx::types::Json),
            ),
        };
    }
    q
}

/// A statement with its values already encoded for one backend. Building and binding a
/// large statement is CPU work; done before a transaction starts, it overlaps the work
/// of the transaction before instead of holding SQLite's single writer.
pub enum Bound {
    Sqlite(SqliteQuery),
    Pg(PgQuery),
}

/// A statement and its parameters. Static SQL names its own `$n`; dynamic SQL appends
/// with [`Sql::push_arg`], which writes the next `$n`.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next `$n` already written in the text.
    pub fn arg(mut self, a: impl Into<Arg>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Writes `$n` for a new parameter.
    pub fn push_arg(&mut self, a: impl Into<Arg>) -> &mut Self {
        self.args.push(a.into());
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// Writes `$a, $b, ...` for a list.
    pub fn push_args<A: Into<Arg>>(&mut self, items: impl IntoIterator<Item = A>) -> &mut Self {
        for (i, a) in items.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.push_arg(a);
        }
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Encodes the statement for `backend`, ready to run later.
    pub fn bind(self, backend: Backend) -> Bound {
        match backend {
            Backend::Sqlite => Bound::Sqlite(sqlite_query(self.text, self.args)),
            Backend::Postgres => Bound::Pg(pg_query(self.text, self.args)),
        }
    }

    pub fn arg_count(&self) -> usize {
        self.args.len()
    }
}

/// A result row from either backend, read by column name.
pub enum DbRow {
    Sqlite(SqliteRow),
    Pg(PgRow),
}

macro_rules! get {
    ($row:expr, $col:expr, $t:ty) => {
        match $row {
            DbRow::Sqlite(r) => r.try_get::<$t, _>($col),
            DbRow::Pg(r) => r.try_get::<$t, _>($col),
        }
        .map_err(|e| StoreError::Decode(format!("{}: {e}", $col)))
    };
}

impl DbRow {
    pub fn text(&self, col: &str) -> Result<String> {
        get!(self, col, String)
    }

    pub fn opt_text(&self, col: &str) -> Result<Option<String>> {
        get!(self, col, Option<String>)
    }

    pub fn int(&self, col: &str) -> Result<i64> {
        get!(self, col, i64)
    }

    pub fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        get!(self, col, Option<i64>)
    }

    pub fn bool(&self, col: &str) -> Result<bool> {
        get!(self, col, bool)
    }

    pub fn id(&self, col: &str) -> Result<Id> {
        let s = self.text(col)?;
        s.parse()
            .map_err(|_| StoreError::Decode(format!("{col}: bad id '{s}'")))
    }

    pub fn opt_id(&self, col: &str) -> Result<Option<Id>> {
        match self.opt_text(col)? {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Decode(format!("{col}: bad id '{s}'"))),
        }
    }

    pub fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>> {
        match self {
            DbRow::Sqlite(_) => match self.opt_text(col)? {
                None => Ok(None),
                Some(s) => parse_sqlite_time(&s)
                    .map(Some)
                    .ok_or_else(|| StoreError::Decode(format!("{col}: bad time '{s}'"))),
            },
            DbRow::Pg(_) => get!(self, col, Option<DateTime<Utc>>),
        }
    }

    pub fn time(&self, col: &str) -> Result<DateTime<Utc>> {
        self.opt_time(col)?
            .ok_or_else(|| StoreError::Decode(format!("{col}: null time")))
    }

    pub fn opt_date(&self, col: &str) -> Result<Option<NaiveDate>> {
        match self {
            DbRow::Sqlite(_) => match self.opt_text(col)? {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| StoreError::Decode(format!("{col}: bad date '{s}'"))),
            },
            DbRow::Pg(_) => get!(self, col, Option<NaiveDate>),
        }
    }

    /// A JSON column (TEXT on SQLite, JSONB on PostgreSQL).
    pub fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T> {
        let v: Value = match self {
            DbRow::Sqlite(_) => {
                let s = self.text(col)?;
                serde_json::from_str(&s).map_err(|e| StoreError::Decode(format!("{col}: {e}")))?
            }
            DbRow::Pg(_) => get!(self, col, sqlx::types::Json<Value>)?.0,
        };
        serde_json::from_value(v).map_err(|e| StoreError::Decode(format!("{col}: {e}")))
    }

    /// A nullable JSON column; SQL NULL reads as `None`.
    pub fn opt_json<T: DeserializeOwned>(&self, col: &str) -> Result<Option<T>> {
        let v: Option<Value> = match self {
            DbRow::Sqlite(_) => match self.opt_text(col)? {
                Some(s) => Some(
                    serde_json::from_str(&s)
                        .map_err(|e| StoreError::Decode(format!("{col}: {e}")))?,
                ),
                None => None,
            },
            DbRow::Pg(_) => get!(self, col, Option<sqlx::types::Json<Value>>)?.map(|j| j.0),
        };
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| StoreError::Decode(format!("{col}: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::anonymous_parameters;

    #[test]
    fn sqlite_times_round_trip_and_sort() {
        use chrono::{TimeZone, Utc};
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 14, 3, 0).unwrap()
            + chrono::Duration::microseconds(5);
        let s = super::sqlite_time(&t);
        assert_eq!(s, "2026-11-22T14:03:00.000005Z");
        assert_eq!(super::parse_sqlite_time(&s), Some(t));
        let later = super::sqlite_time(&(t + chrono::Duration::microseconds(1)));
        assert!(later > s);
        // Older spellings still read.
        assert_eq!(
            super::parse_sqlite_time("2026-11-22T14:03:00.000005+00:00"),
            Some(t)
        );
    }

    #[test]
    fn sequential_parameters_become_anonymous() {
        assert_eq!(
            anonymous_parameters("INSERT INTO t VALUES ($1, $2), ($3, '$4')", 3).as_deref(),
            Some("INSERT INTO t VALUES (?, ?), (?, '$4')")
        );
        assert_eq!(
            anonymous_parameters("SELECT json_extract(c, '$.a') FROM t WHERE a = $1", 1).as_deref(),
            Some("SELECT json_extract(c, '$.a') FROM t WHERE a = ?")
        );
        // Reused or reordered parameters keep their names.
        assert_eq!(anonymous_parameters("SELECT $1, $1", 1), None);
        assert_eq!(anonymous_parameters("SELECT $2, $1", 2), None);
        assert_eq!(anonymous_parameters("SELECT $1", 2), None);
    }
}
