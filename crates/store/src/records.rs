//! Storage shared by every record kind: rows, the search index, duplicate keys, tags,
//! lists with filters and keyset pages. A kind says how its data maps to columns
//! ([`Table`]); everything else is written once here.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::custom_fields::FieldType;
use cartera_core::query::{
    After, FieldRef, Filter, ListQuery, Op, Scalar, SortKey, Trash, ValueKind,
};
use cartera_core::record::{DuplicateKey, KeyKind, Meta, Record, RecordData, RecordKind};
use cartera_core::roles::View;
use cartera_core::text::{email_key, fold, index_words, search_terms};

use crate::bulk::Rows;
use crate::db::{Arg, Backend, Bound, Conn, DbRow, Result, Sql};
use crate::error::StoreError;

/// How a kind's records fall in a territory, for the view policy ([`View`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerritoryLink {
    /// Through their own `territory_id` (accounts, leads).
    Own,
    /// Through their account's (contacts).
    ThroughAccount,
}

/// How a record kind maps to its table.
pub trait Table: RecordData {
    const TABLE: &'static str;
    /// The SQLite FTS5 table that indexes `search_document()`.
    const FTS: &'static str;
    const TERRITORY: TerritoryLink;
    /// Whether `filter[email]` matches any of the record's emails (through the duplicate
    /// keys) rather than the one `email` column.
    const EMAIL_KEYS: bool;
    /// Data columns, in the order `bind_data` pushes their values.
    const COLUMNS: &'static [&'static str];

    fn bind_data(&self, out: &mut Vec<Arg>);
    fn read_data(row: &DbRow) -> Result<Self>;

    /// The column a list field filters on.
    fn column(field: &str) -> Option<&'static str>;

    /// The column a list field sorts by (a folded copy for names).
    fn sort_column(field: &str) -> Option<&'static str> {
        Self::column(field)
    }
}

const META_COLUMNS: [&str; 7] = [
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "version",
    "deleted_at",
    "merged_into_id",
];

fn common_column(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" => "id",
        "created_at" => "created_at",
        "updated_at" => "updated_at",
        "created_by" => "created_by",
        "owner_id" => "owner_id",
        _ => return None,
    })
}

fn column_of<D: Table>(field: &str, for_sort: bool) -> Result<&'static str> {
    let c = if for_sort {
        D::sort_column(field)
    } else {
        D::column(field)
    };
    c.or_else(|| common_column(field))
        .ok_or_else(|| StoreError::Config(format!("{} has no column for '{field}'", D::TABLE)))
}

/// `t.seq, t.id, ...` for every column a record is read from.
pub(crate) fn select_columns<D: Table>() -> String {
    let mut s = String::from("t.seq");
    for c in META_COLUMNS.iter().chain(D::COLUMNS) {
        s.push_str(", t.");
        s.push_str(c);
    }
    s
}

pub fn read_record<D: Table>(row: &DbRow) -> Result<Record<D>> {
    Ok(Record {
        id: row.id("id")?,
        data: D::read_data(row)?,
        meta: Meta {
            created_at: row.time("created_at")?,
            updated_at: row.time("updated_at")?,
            created_by: row.opt_id("created_by")?,
            version: row.int("version")?,
            deleted_at: row.opt_time("deleted_at")?,
            merged_into_id: row.opt_id("merged_into_id")?,
        },
    })
}

fn meta_args(id: &Id, m: &Meta, out: &mut Vec<Arg>) {
    out.push(id.into());
    out.push(m.created_at.into());
    out.push(m.updated_at.into());
    out.push(m.created_by.into());
    out.push(m.version.into());
    out.push(m.deleted_at.into());
    out.push(m.merged_into_id.into());
}

/// Both engines cap the parameters of one statement (SQLite at 32766).
const MAX_PARAMS: usize = 30_000;

/// Inserts records with their search text, duplicate keys and tags.
pub async fn insert<D: Table>(c: &mut Conn, recs: &[Record<D>]) -> Result<()> {
    let keys: Vec<Vec<DuplicateKey>> = recs.iter().map(|r| r.data.duplicate_keys()).collect();
    let plan = plan_insert(c.backend(), recs, &keys);
    run_insert(c, plan).await
}

/// An insert built and bound ahead of its transaction.
pub struct InsertPlan {
    fts: &'static str,
    /// Row inserts (returning `seq`) with the search documents of their rows.
    rows: Vec<(Bound, Vec<String>)>,
    /// Duplicate keys and tags.
    rest: Vec<Bound>,
}

/// Builds the statements that insert `recs`; `keys[i]` are `recs[i]`'s duplicate keys.
pub fn plan_insert<D: Table>(
    backend: Backend,
    recs: &[Record<D>],
    keys: &[Vec<DuplicateKey>],
) -> InsertPlan {
    let per_row = META_COLUMNS.len() + D::COLUMNS.len() + 1;
    let chunk = (MAX_PARAMS / per_row).max(1);
    let mut rows = Vec::new();
    for part in recs.chunks(chunk) {
        let mut sql = Sql::new(format!("INSERT INTO {} (", D::TABLE));
        sql.push(&META_COLUMNS.join(", "));
        for col in D::COLUMNS {
            sql.push(", ");
            sql.push(col);
        }
        if backend == Backend::Postgres {
            sql.push(", search");
        }
        sql.push(") VALUES ");
        let mut args = Vec::with_capacity(per_row);
        let mut docs = Vec::with_capacity(part.len());
        for (i, r) in part.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            args.clear();
            meta_args(&r.id, &r.meta, &mut args);
            r.data.bind_data(&mut args);
            sql.push("(");
            sql.push_args(args.drain(..));
            let doc = r.data.search_document();
            if backend == Backend::Postgres {
                sql.push(", to_tsvector('simple', cartera_unaccent(");
                sql.push_arg(index_words(&doc));
                sql.push("))");
            } else {
                docs.push(doc);
            }
            sql.push(")");
        }
        sql.push(" RETURNING seq");
        rows.push((sql.bind(backend), docs));
    }
    let key_rows: Vec<(Id, &DuplicateKey)> = recs
        .iter()
        .zip(keys)
        .flat_map(|(r, ks)| ks.iter().map(move |k| (r.id, k)))
        .collect();
    let tag_rows: Vec<(Id, &str)> = recs
        .iter()
        .flat_map(|r| r.data.tags().iter().map(move |t| (r.id, t.as_str())))
        .collect();
    let mut rest: Vec<Bound> = key_statements(D::KIND, &key_rows)
        .into_iter()
        .map(|s| s.bind(backend))
        .collect();
    rest.extend(
        tag_statements(D::KIND, &tag_rows)
            .into_iter()
            .map(|s| s.bind(backend)),
    );
    InsertPlan {
        fts: D::FTS,
        rows,
        rest,
    }
}

pub async fn run_insert(c: &mut Conn, plan: InsertPlan) -> Result<()> {
    for (stmt, docs) in plan.rows {
        let rows = c.fetch_all_bound(stmt).await?;
        if docs.is_empty() {
            continue;
        }
        let mut fts = Sql::new(format!("INSERT INTO {} (rowid, doc) VALUES ", plan.fts));
        for (i, (row, doc)) in rows.iter().zip(docs).enumerate() {
            if i > 0 {
                fts.push(", ");
            }
            fts.push("(");
            fts.push_arg(row.int("seq")?);
            fts.push(", ");
            fts.push_arg(doc);
            fts.push(")");
        }
        c.execute(fts).await?;
    }
    for stmt in plan.rest {
        c.execute_bound(stmt).await?;
    }
    Ok(())
}

/// A new record's rows (its table's, its search document, keys and tags), encoded
/// ahead of its write, off the writer's path (see [`insert_encoded`]).
pub struct EncodedRecord {
    pub id: Id,
    /// Meta and data columns, in `META_COLUMNS` then `Table::COLUMNS` order.
    row: Vec<Arg>,
    /// The search document (PostgreSQL: its indexed words).
    doc: String,
    keys: Vec<DuplicateKey>,
    /// (tag key, tag), one per key.
    tags: Vec<(String, String)>,
}

/// Encodes a new record for [`insert_encoded`]; `keys` are its duplicate keys.
pub fn encode<D: Table>(
    backend: Backend,
    r: &Record<D>,
    mut keys: Vec<DuplicateKey>,
) -> EncodedRecord {
    let mut row = Vec::with_capacity(META_COLUMNS.len() + D::COLUMNS.len());
    meta_args(&r.id, &r.meta, &mut row);
    r.data.bind_data(&mut row);
    let row = row
        .into_iter()
        .map(|a| crate::bulk::for_backend(a, backend))
        .collect();
    let doc = r.data.search_document();
    let doc = match backend {
        Backend::Sqlite => doc,
        Backend::Postgres => index_words(&doc),
    };
    // What `ON CONFLICT DO NOTHING` leaves of repeats within one record.
    let mut seen = HashSet::new();
    keys.retain(|k| seen.insert((k.kind, k.value.clone())));
    let mut tags: Vec<(String, String)> = Vec::with_capacity(r.data.tags().len());
    for t in r.data.tags() {
        let key = tag_key(t);
        if !tags.iter().any(|(k, _)| *k == key) {
            tags.push((key, t.clone()));
        }
    }
    EncodedRecord {
        id: r.id,
        row,
        doc,
        keys,
        tags,
    }
}

/// Inserts records encoded by [`encode`], with their search index, keys and tags, in
/// as few statements as the backend allows (see [`crate::bulk`]). The same rows as
/// [`insert`].
pub async fn insert_encoded<D: Table>(c: &mut Conn, recs: Vec<EncodedRecord>) -> Result<()> {
    if recs.is_empty() {
        return Ok(());
    }
    let backend = c.backend();
    let mut columns: Vec<&str> = Vec::with_capacity(META_COLUMNS.len() + D::COLUMNS.len() + 2);
    if backend == Backend::Sqlite {
        columns.push("seq");
    }
    columns.extend(META_COLUMNS);
    columns.extend(D::COLUMNS);
    let kind = D::KIND.as_str();
    let mut keys = Rows::new(
        "record_keys",
        &["key_kind", "value", "record_id", "record_kind"],
    )
    .on_conflict("ON CONFLICT DO NOTHING");
    let mut tags = Rows::new(
        "record_tags",
        &["record_id", "tag_key", "record_kind", "tag"],
    )
    .on_conflict("ON CONFLICT DO NOTHING");
    for r in &recs {
        let id = r.id.to_string();
        for k in &r.keys {
            keys.push([
                Arg::from(k.kind.as_str()),
                Arg::from(k.value.as_str()),
                Arg::from(id.as_str()),
                Arg::from(kind),
            ]);
        }
        for (key, tag) in &r.tags {
            tags.push([
                Arg::from(id.as_str()),
                Arg::from(key.as_str()),
                Arg::from(kind),
                Arg::from(tag.as_str()),
            ]);
        }
    }
    match backend {
        Backend::Sqlite => {
            // The writer holds SQLite's write lock for the whole transaction, so the
            // rowids that SQLite would give (one past the largest) are known here: the
            // search rows need no `RETURNING` round trip.
            let last = c
                .fetch_one(Sql::new(format!(
                    "SELECT COALESCE(MAX(seq), 0) AS seq FROM {}",
                    D::TABLE
                )))
                .await?
                .int("seq")?;
            let mut rows = Rows::new(D::TABLE, &columns);
            let mut fts = Rows::new(D::FTS, &["rowid", "doc"]);
            for (i, r) in recs.into_iter().enumerate() {
                let seq = last + 1 + i64::try_from(i).unwrap_or(i64::MAX);
                rows.push(std::iter::once(Arg::from(seq)).chain(r.row));
                fts.push([Arg::from(seq), Arg::from(r.doc)]);
            }
            rows.write(c).await?;
            fts.write(c).await?;
        }
        Backend::Postgres => {
            // `COPY` cannot compute the search column: the rows go through a staging
            // table of this transaction, in the file's order.
            let stage = format!("cartera_bulk_{}", D::TABLE);
            let cols = columns.join(", ");
            c.execute(Sql::new(format!(
                "CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS \
                 SELECT {cols}, ''::text AS doc, 0::bigint AS ord FROM {} WITH NO DATA",
                D::TABLE
            )))
            .await?;
            let mut staged_cols = columns.clone();
            staged_cols.extend(["doc", "ord"]);
            let mut rows = Rows::new(&stage, &staged_cols);
            for (i, r) in recs.into_iter().enumerate() {
                let ord = i64::try_from(i).unwrap_or(i64::MAX);
                rows.push(r.row.into_iter().chain([Arg::from(r.doc), Arg::from(ord)]));
            }
            rows.copy(c).await?;
            c.execute(Sql::new(format!(
                "INSERT INTO {} ({cols}, search) SELECT {cols}, \
                 to_tsvector('simple', cartera_unaccent(doc)) FROM {stage} ORDER BY ord",
                D::TABLE
            )))
            .await?;
            c.execute(Sql::new(format!("TRUNCATE {stage}"))).await?;
        }
    }
    keys.write(c).await?;
    tags.write(c).await?;
    Ok(())
}

fn key_statements(kind: RecordKind, keys: &[(Id, &DuplicateKey)]) -> Vec<Sql> {
    keys.chunks(MAX_PARAMS / 4)
        .map(|part| {
            let mut sql = Sql::new(
                "INSERT INTO record_keys (key_kind, value, record_id, record_kind) VALUES ",
            );
            for (i, (id, k)) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(");
                sql.push_args([
                    Arg::from(k.kind.as_str()),
                    Arg::from(k.value.as_str()),
                    Arg::from(id),
                    Arg::from(kind.as_str()),
                ]);
                sql.push(")");
            }
            sql.push(" ON CONFLICT DO NOTHING");
            sql
        })
        .collect()
}

async fn insert_keys(c: &mut Conn, kind: RecordKind, keys: &[(Id, DuplicateKey)]) -> Result<()> {
    let refs: Vec<(Id, &DuplicateKey)> = keys.iter().map(|(id, k)| (*id, k)).collect();
    for sql in key_statements(kind, &refs) {
        c.execute(sql).await?;
    }
    Ok(())
}

/// The form of a tag that filters match: "Zona Norte", "zona norte" and "Zona Nórte" are
/// one tag.
pub fn tag_key(tag: &str) -> String {
    fold(tag)
}

fn tag_statements(kind: RecordKind, tags: &[(Id, &str)]) -> Vec<Sql> {
    tags.chunks(MAX_PARAMS / 4)
        .map(|part| {
            let mut sql =
                Sql::new("INSERT INTO record_tags (record_id, tag_key, record_kind, tag) VALUES ");
            for (i, (id, t)) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(");
                sql.push_args([
                    Arg::from(id),
                    Arg::from(tag_key(t)),
                    Arg::from(kind.as_str()),
                    Arg::from(*t),
                ]);
                sql.push(")");
            }
            sql.push(" ON CONFLICT DO NOTHING");
            sql
        })
        .collect()
}

async fn insert_tags(c: &mut Conn, kind: RecordKind, tags: &[(Id, &str)]) -> Result<()> {
    for sql in tag_statements(kind, tags) {
        c.execute(sql).await?;
    }
    Ok(())
}

/// Writes a new version of a record if the stored one still has `old`'s version;
/// otherwise [`StoreError::Stale`]. Search text, keys and tags follow when they change.
pub async fn update<D: Table>(c: &mut Conn, old: &Record<D>, new: &Record<D>) -> Result<()> {
    let backend = c.backend();
    let mut sql = Sql::new(format!("UPDATE {} SET ", D::TABLE));
    let mut args = Vec::new();
    meta_args(&new.id, &new.meta, &mut args);
    new.data.bind_data(&mut args);
    let mut values = args.into_iter();
    let names = META_COLUMNS.iter().chain(D::COLUMNS);
    let mut first = true;
    for (name, value) in names.zip(values.by_ref()) {
        if *name == "id" || *name == "created_at" || *name == "created_by" {
            continue;
        }
        if !first {
            sql.push(", ");
        }
        first = false;
        sql.push(name);
        sql.push(" = ");
        sql.push_arg(value);
    }
    let doc = new.data.search_document();
    let doc_changed = doc != old.data.search_document();
    if backend == Backend::Postgres && doc_changed {
        sql.push(", search = to_tsvector('simple', cartera_unaccent(");
        sql.push_arg(index_words(&doc));
        sql.push("))");
    }
    sql.push(" WHERE id = ");
    sql.push_arg(new.id);
    sql.push(" AND version = ");
    sql.push_arg(old.meta.version);
    sql.push(" RETURNING seq");
    let Some(row) = c.fetch_optional(sql).await? else {
        return Err(StoreError::Stale);
    };
    if backend == Backend::Sqlite && doc_changed {
        let seq = row.int("seq")?;
        c.execute(Sql::new(format!("DELETE FROM {} WHERE rowid = $1", D::FTS)).arg(seq))
            .await?;
        c.execute(
            Sql::new(format!(
                "INSERT INTO {} (rowid, doc) VALUES ($1, $2)",
                D::FTS
            ))
            .arg(seq)
            .arg(doc),
        )
        .await?;
    }
    let (ok, nk) = (old.data.duplicate_keys(), new.data.duplicate_keys());
    if ok != nk {
        c.execute(Sql::new("DELETE FROM record_keys WHERE record_id = $1").arg(new.id))
            .await?;
        let keys: Vec<(Id, DuplicateKey)> = nk.into_iter().map(|k| (new.id, k)).collect();
        insert_keys(c, D::KIND, &keys).await?;
    }
    if old.data.tags() != new.data.tags() {
        c.execute(Sql::new("DELETE FROM record_tags WHERE record_id = $1").arg(new.id))
            .await?;
        let tags: Vec<(Id, &str)> = new
            .data
            .tags()
            .iter()
            .map(|t| (new.id, t.as_str()))
            .collect();
        insert_tags(c, D::KIND, &tags).await?;
    }
    Ok(())
}

/// A record by id, in the trash or not.
pub async fn get<D: Table>(c: &mut Conn, id: Id) -> Result<Option<Record<D>>> {
    let sql = Sql::new(format!(
        "SELECT {} FROM {} t WHERE t.id = $1",
        select_columns::<D>(),
        D::TABLE
    ))
    .arg(id);
    c.fetch_optional(sql)
        .await?
        .map(|r| read_record(&r))
        .transpose()
}

/// Rebuilds the search index of every record of a kind from the records themselves
/// (after a restore, which copies records but not the index). Returns the records indexed.
pub async fn reindex<D: Table>(c: &mut Conn) -> Result<u64> {
    const BATCH: i64 = 1000;
    let backend = c.backend();
    if backend == Backend::Sqlite {
        c.execute(Sql::new(format!("DELETE FROM {}", D::FTS)))
            .await?;
    }
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let rows = c
            .fetch_all(
                Sql::new(format!(
                    "SELECT {} FROM {} t WHERE t.seq > $1 ORDER BY t.seq LIMIT $2",
                    select_columns::<D>(),
                    D::TABLE
                ))
                .arg(after)
                .arg(BATCH),
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(done);
        };
        after = last.int("seq")?;
        let mut sql = match backend {
            Backend::Sqlite => Sql::new(format!("INSERT INTO {} (rowid, doc) VALUES ", D::FTS)),
            Backend::Postgres => Sql::new(format!(
                "UPDATE {} AS t SET search = to_tsvector('simple', cartera_unaccent(v.doc)) \
                 FROM (VALUES ",
                D::TABLE
            )),
        };
        for (i, row) in rows.iter().enumerate() {
            let doc = D::read_data(row)?.search_document();
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(");
            match backend {
                Backend::Sqlite => {
                    sql.push_arg(row.int("seq")?);
                    sql.push(", ");
                    sql.push_arg(doc);
                }
                Backend::Postgres => {
                    sql.push("CAST(");
                    sql.push_arg(row.int("seq")?);
                    sql.push(" AS BIGINT), CAST(");
                    sql.push_arg(index_words(&doc));
                    sql.push(" AS TEXT)");
                }
            }
            sql.push(")");
        }
        if backend == Backend::Postgres {
            sql.push(") AS v (seq, doc) WHERE t.seq = v.seq");
        }
        c.execute(sql).await?;
        done += rows.len() as u64;
    }
}

/// Records by id, in the order asked, skipping those that do not exist.
pub async fn get_many<D: Table>(c: &mut Conn, ids: &[Id]) -> Result<Vec<Record<D>>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(1000) {
        let mut sql = Sql::new(format!(
            "SELECT {} FROM {} t WHERE t.id IN (",
            select_columns::<D>(),
            D::TABLE
        ));
        sql.push_args(part);
        sql.push(")");
        for row in c.fetch_all(sql).await? {
            out.push(read_record::<D>(&row)?);
        }
    }
    // By position through a map: a search per row would cost ids² for an undo's thousands.
    let at: std::collections::HashMap<Id, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .rev()
        .collect();
    out.sort_by_key(|r| at.get(&r.id).copied());
    Ok(out)
}

/// Which of `ids` are live (not in the trash) rows of `table`.
pub async fn live_ids(c: &mut Conn, table: &str, ids: &[Id]) -> Result<HashSet<Id>> {
    let mut found = HashSet::new();
    for part in ids.chunks(1000) {
        let mut sql = Sql::new(format!(
            "SELECT id FROM {table} WHERE deleted_at IS NULL AND id IN ("
        ));
        sql.push_args(part);
        sql.push(")");
        for row in c.fetch_all(sql).await? {
            found.insert(row.id("id")?);
        }
    }
    Ok(found)
}

/// A live record that shares a duplicate key with a record being written.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateHit {
    pub record_id: Id,
    pub key: DuplicateKey,
}

/// Live records of kind `D` holding any of `keys`.
///
/// Two index lookups rather than one join: a join over a thousand-value list led
/// PostgreSQL's planner to scan whole tables (seconds per bulk request).
pub async fn find_duplicates<D: Table>(
    c: &mut Conn,
    keys: &[DuplicateKey],
) -> Result<Vec<DuplicateHit>> {
    let mut hits = Vec::new();
    for kind in [KeyKind::Email, KeyKind::TaxId, KeyKind::Name] {
        let values: Vec<&str> = keys
            .iter()
            .filter(|k| k.kind == kind)
            .map(|k| k.value.as_str())
            .collect();
        // A few hundred values keep the statement within one PostgreSQL message
        // (`bulk::PG_MESSAGE`).
        for part in values.chunks(250) {
            let mut sql = Sql::new("SELECT value, record_id FROM record_keys WHERE key_kind = ");
            sql.push_arg(kind.as_str());
            sql.push(" AND record_kind = ");
            sql.push_arg(D::KIND.as_str());
            sql.push(" AND value IN (");
            sql.push_args(part.iter().copied());
            sql.push(")");
            for row in c.fetch_all(sql).await? {
                hits.push(DuplicateHit {
                    record_id: row.id("record_id")?,
                    key: DuplicateKey {
                        kind,
                        value: row.text("value")?,
                    },
                });
            }
        }
    }
    if hits.is_empty() {
        return Ok(hits);
    }
    let ids: Vec<Id> = hits.iter().map(|h| h.record_id).collect();
    let live = live_ids(c, D::TABLE, &ids).await?;
    hits.retain(|h| live.contains(&h.record_id));
    Ok(hits)
}

/// Ids of live and trashed records of kind `D` whose `column` holds `id`.
pub async fn referring<D: Table>(c: &mut Conn, column: &'static str, id: Id) -> Result<Vec<Id>> {
    let sql = Sql::new(format!(
        "SELECT id FROM {} WHERE {column} = $1 ORDER BY seq",
        D::TABLE
    ))
    .arg(id);
    c.fetch_all(sql).await?.iter().map(|r| r.id("id")).collect()
}

/// The records merged into `id` over time, following chains (A into B, B into C) a
/// bounded number of steps; their notes and audit trail belong to `id`.
pub async fn merged_sources<D: Table>(c: &mut Conn, id: Id) -> Result<Vec<Id>> {
    let mut out = Vec::new();
    let mut frontier = vec![id];
    for _ in 0..10 {
        if frontier.is_empty() {
            break;
        }
        let mut sql = Sql::new(format!(
            "SELECT id FROM {} WHERE merged_into_id IN (",
            D::TABLE
        ));
        sql.push_args(&frontier);
        sql.push(")");
        frontier = c
            .fetch_all(sql)
            .await?
            .iter()
            .map(|r| r.id("id"))
            .collect::<Result<_>>()?;
        out.extend(frontier.iter().copied());
    }
    Ok(out)
}

/// Moves the live records among `ids` to the trash at `now` (a new version each), a few
/// thousand per statement; returns the ids it moved. Records already in the trash are left
/// as they are. Trashing changes neither the search text nor the keys: lists, searches and
/// duplicate checks leave trashed records out by `deleted_at`.
pub async fn trash_many<D: Table>(c: &mut Conn, ids: &[Id], now: DateTime<Utc>) -> Result<Vec<Id>> {
    let mut moved = Vec::with_capacity(ids.len());
    for part in ids.chunks(5_000) {
        let mut sql = Sql::new(format!(
            "UPDATE {} SET deleted_at = $1, updated_at = $1, version = version + 1 \
             WHERE deleted_at IS NULL AND id IN (",
            D::TABLE
        ))
        .arg(now);
        sql.push_args(part);
        sql.push(") RETURNING id");
        for row in c.fetch_all(sql).await? {
            moved.push(row.id("id")?);
        }
    }
    Ok(moved)
}

/// Ids of records moved to the trash before `cutoff`.
pub async fn trashed_before<D: Table>(
    c: &mut Conn,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Id>> {
    let sql = Sql::new(format!(
        "SELECT id FROM {} WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2",
        D::TABLE
    ))
    .arg(cutoff)
    .arg(limit);
    c.fetch_all(sql).await?.iter().map(|r| r.id("id")).collect()
}

/// Deletes records for good, with their search entries, keys, tags and notes.
pub async fn purge<D: Table>(c: &mut Conn, ids: &[Id]) -> Result<u64> {
    let mut n = 0;
    for part in ids.chunks(500) {
        if c.backend() == Backend::Sqlite {
            let mut sql = Sql::new(format!(
                "DELETE FROM {} WHERE rowid IN (SELECT seq FROM {} WHERE id IN (",
                D::FTS,
                D::TABLE
            ));
            sql.push_args(part);
            sql.push("))");
            c.execute(sql).await?;
        }
        for table in ["record_keys", "record_tags", "notes", "record_shares"] {
            let mut sql = Sql::new(format!("DELETE FROM {table} WHERE record_id IN ("));
            sql.push_args(part);
            sql.push(")");
            c.execute(sql).await?;
        }
        let mut sql = Sql::new(format!("DELETE FROM {} WHERE id IN (", D::TABLE));
        sql.push_args(part);
        sql.push(")");
        n += c.execute(sql).await?;
    }
    Ok(n)
}

/// `(...)`: the rows of `t` in `view`, the SQL side of [`View`]'s policy.
pub(crate) fn push_view<D: Table>(sql: &mut Sql, view: &View) {
    sql.push("(");
    if view.owners.is_empty() {
        sql.push("1 = 0");
    } else {
        sql.push("t.owner_id IN (");
        sql.push_args(&view.owners);
        sql.push(")");
    }
    if !view.territories.is_empty() {
        sql.push(match D::TERRITORY {
            TerritoryLink::Own => " OR t.territory_id IN (",
            TerritoryLink::ThroughAccount => {
                " OR t.account_id IN (SELECT id FROM accounts WHERE territory_id IN ("
            }
        });
        sql.push_args(&view.territories);
        sql.push(match D::TERRITORY {
            TerritoryLink::Own => ")",
            TerritoryLink::ThroughAccount => "))",
        });
    }
    if !view.grantees.is_empty() {
        sql.push(" OR t.id IN (SELECT record_id FROM record_shares WHERE grantee_id IN (");
        sql.push_args(&view.grantees);
        sql.push("))");
    }
    sql.push(")");
}

/// Which of `ids` are rows of kind `D` (live or not) in `view`.
pub async fn in_view<D: Table>(c: &mut Conn, ids: &[Id], view: &View) -> Result<HashSet<Id>> {
    let mut found = HashSet::new();
    for part in ids.chunks(1000) {
        let mut sql = Sql::new(format!("SELECT t.id FROM {} t WHERE t.id IN (", D::TABLE));
        sql.push_args(part);
        sql.push(") AND ");
        push_view::<D>(&mut sql, view);
        for row in c.fetch_all(sql).await? {
            found.insert(row.id("id")?);
        }
    }
    Ok(found)
}

/// One page of a list, and where the next one starts.
pub struct Page<D> {
    pub rows: Vec<Record<D>>,
    /// Sort values and seq of the last row, when more rows follow.
    pub next: Option<(Vec<Scalar>, i64)>,
}

/// A page of records matching a list query.
pub async fn list<D: Table>(c: &mut Conn, q: &ListQuery) -> Result<Page<D>> {
    let backend = c.backend();
    let terms =
        q.q.as_deref()
            .map(|s| search_terms(s, 8))
            .unwrap_or_default();
    let searching = !terms.is_empty();
    // With no explicit order, SQLite walks the full-text index newest first and stops at
    // the page size instead of collecting every match.
    let fts_join = searching && backend == Backend::Sqlite && q.sort.is_empty();
    let seq_col = if fts_join { "f.rowid" } else { "t.seq" };

    let mut sql = Sql::new(format!("SELECT {}", select_columns::<D>()));
    if fts_join {
        sql.push(&format!(
            " FROM {} f JOIN {} t ON t.seq = f.rowid",
            D::FTS,
            D::TABLE
        ));
    } else {
        sql.push(&format!(" FROM {} t", D::TABLE));
    }
    sql.push(match q.trash {
        Trash::Exclude => " WHERE t.deleted_at IS NULL",
        Trash::Only => " WHERE t.deleted_at IS NOT NULL",
    });
    if let Some(view) = &q.view {
        sql.push(" AND ");
        push_view::<D>(&mut sql, view);
    }
    if searching {
        match backend {
            Backend::Sqlite => {
                let expr = terms
                    .iter()
                    .map(|t| format!("\"{t}\"*"))
                    .collect::<Vec<_>>()
                    .join(" ");
                if fts_join {
                    sql.push(&format!(" AND {} MATCH ", D::FTS));
                    sql.push_arg(expr);
                } else {
                    sql.push(&format!(
                        " AND t.seq IN (SELECT rowid FROM {0} WHERE {0} MATCH ",
                        D::FTS
                    ));
                    sql.push_arg(expr);
                    sql.push(")");
                }
            }
            Backend::Postgres => {
                let expr = terms
                    .iter()
                    .map(|t| format!("{t}:*"))
                    .collect::<Vec<_>>()
                    .join(" & ");
                sql.push(" AND t.search @@ to_tsquery('simple', cartera_unaccent(");
                sql.push_arg(expr);
                sql.push("))");
            }
        }
    }
    for f in &q.filters {
        sql.push(" AND ");
        push_filter::<D>(&mut sql, f, backend)?;
    }

    let keys: Vec<(&SortKey, &'static str)> = q
        .sort
        .iter()
        .map(|k| column_of::<D>(k.field.name, true).map(|c| (k, c)))
        .collect::<Result<_>>()?;
    let seq_desc = keys.last().map(|(k, _)| k.desc).unwrap_or(true);
    if let Some(after) = &q.after {
        sql.push(" AND ");
        push_keyset(&mut sql, &keys, seq_col, seq_desc, after)?;
    }

    sql.push(" ORDER BY ");
    for (k, col) in &keys {
        sql.push(&format!("t.{col}"));
        sql.push(if k.desc { " DESC" } else { " ASC" });
        if k.field.nullable {
            sql.push(" NULLS LAST");
        }
        sql.push(", ");
    }
    sql.push(seq_col);
    sql.push(if seq_desc { " DESC" } else { " ASC" });
    sql.push(" LIMIT ");
    sql.push_arg(i64::try_from(q.limit + 1).unwrap_or(i64::MAX));

    let rows = c.fetch_all(sql).await?;
    let more = rows.len() > q.limit;
    let mut out = Vec::with_capacity(rows.len().min(q.limit));
    let mut next = None;
    for (i, row) in rows.iter().take(q.limit).enumerate() {
        out.push(read_record::<D>(row)?);
        if more && i + 1 == q.limit {
            let mut vals = Vec::with_capacity(keys.len());
            for (k, col) in &keys {
                vals.push(read_scalar(row, col, k.field.kind)?);
            }
            next = Some((vals, row.int("seq")?));
        }
    }
    Ok(Page { rows: out, next })
}

fn read_scalar(row: &DbRow, col: &str, kind: ValueKind) -> Result<Scalar> {
    Ok(match kind {
        ValueKind::Time => row.opt_time(col)?.map(Scalar::Time),
        ValueKind::Date => row.opt_date(col)?.map(Scalar::Date),
        ValueKind::Int => row.opt_int(col)?.map(Scalar::Int),
        ValueKind::Bool => Some(Scalar::Bool(row.bool(col)?)),
        ValueKind::Text | ValueKind::Enum(_) | ValueKind::Id | ValueKind::Tags => {
            row.opt_text(col)?.map(Scalar::Text)
        }
    }
    .unwrap_or(Scalar::Null))
}

fn scalar_arg(s: &Scalar) -> Arg {
    match s {
        Scalar::Null => Arg::Text(None),
        Scalar::Text(t) => Arg::Text(Some(t.clone())),
        Scalar::Int(i) => Arg::Int(Some(*i)),
        Scalar::Bool(b) => Arg::Bool(Some(*b)),
        Scalar::Date(d) => Arg::Date(Some(*d)),
        Scalar::Time(t) => Arg::Time(Some(*t)),
    }
}

/// Rows strictly after the cursor in the list's order (nulls last either way).
fn push_keyset(
    sql: &mut Sql,
    keys: &[(&SortKey, &'static str)],
    seq_col: &str,
    seq_desc: bool,
    after: &After,
) -> Result<()> {
    if after.keys.len() != keys.len() {
        return Err(StoreError::Config("cursor does not fit the sort".into()));
    }
    let seq_op = if seq_desc { "<" } else { ">" };
    // One direction and no nulls: a row-value comparison, which both engines answer
    // from an index range.
    let uniform = keys
        .iter()
        .zip(&after.keys)
        .all(|((k, _), v)| k.desc == seq_desc && !k.field.nullable && *v != Scalar::Null);
    if uniform {
        sql.push("(");
        for (_, col) in keys {
            sql.push(&format!("t.{col}, "));
        }
        sql.push(seq_col);
        sql.push(&format!(") {seq_op} ("));
        for v in &after.keys {
            sql.push_arg(scalar_arg(v));
            sql.push(", ");
        }
        sql.push_arg(after.seq);
        sql.push(")");
        return Ok(());
    }
    // General form: OR over i of (keys before i equal AND key i after).
    sql.push("(");
    for i in 0..=keys.len() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("(");
        for ((_, col), v) in keys.iter().zip(&after.keys).take(i) {
            match v {
                Scalar::Null => sql.push(&format!("t.{col} IS NULL AND ")),
                v => {
                    sql.push(&format!("t.{col} = "));
                    sql.push_arg(scalar_arg(v));
                    sql.push(" AND ")
                }
            };
        }
        if i == keys.len() {
            sql.push(&format!("{seq_col} {seq_op} "));
            sql.push_arg(after.seq);
        } else {
            let (k, col) = keys[i];
            match &after.keys[i] {
                // Nothing but other nulls follows a null, and those tie on this key.
                Scalar::Null => {
                    sql.push("1 = 0");
                }
                v => {
                    let op = if k.desc { "<" } else { ">" };
                    sql.push(&format!("(t.{col} {op} "));
                    sql.push_arg(scalar_arg(v));
                    if k.field.nullable {
                        sql.push(&format!(" OR t.{col} IS NULL"));
                    }
                    sql.push(")");
                }
            }
        }
        sql.push(")");
    }
    sql.push(")");
    Ok(())
}

fn like_pattern(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

fn push_filter<D: Table>(sql: &mut Sql, f: &Filter, backend: Backend) -> Result<()> {
    match &f.field {
        FieldRef::Std(spec) if spec.kind == ValueKind::Tags => {
            push_tag_filter(sql, f);
            Ok(())
        }
        FieldRef::Std(spec)
            if spec.name == "email"
                && D::EMAIL_KEYS
                && matches!(f.op, Op::Eq | Op::In | Op::Nin) =>
        {
            let neg = if f.op == Op::Nin { "NOT " } else { "" };
            sql.push(&format!(
                "t.id {neg}IN (SELECT record_id FROM record_keys WHERE key_kind = 'email' AND value IN ("
            ));
            sql.push_args(f.values.iter().map(|v| match v {
                Scalar::Text(s) => Arg::from(email_key(s)),
                other => scalar_arg(other),
            }));
            sql.push("))");
            Ok(())
        }
        FieldRef::Std(spec) => {
            let col = format!("t.{}", column_of::<D>(spec.name, false)?);
            let is_text = matches!(spec.kind, ValueKind::Text);
            push_comparison(sql, &col, f, backend, is_text, None, scalar_arg);
            Ok(())
        }
        FieldRef::Custom { key, ty } => {
            // The key was checked against the field definitions: [a-z][a-z0-9_]*.
            let (expr, wrap): (String, fn(&Scalar, Backend) -> Arg) =
                match (backend, ty) {
                    (Backend::Sqlite, FieldType::Number) => {
                        (format!("json_extract(t.custom, '$.{key}')"), |s, _| {
                            scalar_arg(s)
                        })
                    }
                    (Backend::Sqlite, _) => (
                        format!("json_extract(t.custom, '$.{key}')"),
                        |s, _| match s {
                            Scalar::Bool(b) => Arg::Int(Some(i64::from(*b))),
                            other => scalar_arg(other),
                        },
                    ),
                    (Backend::Postgres, FieldType::Number) => {
                        (format!("(t.custom->>'{key}')::numeric"), |s, _| {
                            scalar_arg(s)
                        })
                    }
                    (Backend::Postgres, _) => (format!("(t.custom->>'{key}')"), |s, _| match s {
                        Scalar::Bool(b) => Arg::from(b.to_string()),
                        Scalar::Date(d) => Arg::from(d.format("%Y-%m-%d").to_string()),
                        other => scalar_arg(other),
                    }),
                };
            if *ty == FieldType::MultiSelect && f.op == Op::Eq {
                match backend {
                    Backend::Sqlite => {
                        sql.push(&format!(
                            "EXISTS (SELECT 1 FROM json_each(t.custom, '$.{key}') j WHERE j.value = "
                        ));
                        sql.push_arg(scalar_arg(&f.values[0]));
                        sql.push(")");
                    }
                    Backend::Postgres => {
                        sql.push(&format!("jsonb_exists(t.custom->'{key}', "));
                        sql.push_arg(scalar_arg(&f.values[0]));
                        sql.push(")");
                    }
                }
                return Ok(());
            }
            // Number values are bound as text and compared as numbers.
            let cast = match (backend, ty) {
                (Backend::Sqlite, FieldType::Number) => Some("REAL"),
                (Backend::Postgres, FieldType::Number) => Some("numeric"),
                _ => None,
            };
            push_comparison(sql, &expr, f, backend, false, cast, |s| wrap(s, backend));
            Ok(())
        }
    }
}

fn push_comparison(
    sql: &mut Sql,
    col: &str,
    f: &Filter,
    backend: Backend,
    is_text: bool,
    cast: Option<&str>,
    arg: impl Fn(&Scalar) -> Arg,
) {
    let push = |sql: &mut Sql, v: &Scalar| {
        if let Some(ty) = cast {
            sql.push("CAST(");
            sql.push_arg(arg(v));
            sql.push(&format!(" AS {ty})"));
        } else {
            sql.push_arg(arg(v));
        }
    };
    match f.op {
        Op::Null => {
            let is_null = matches!(f.values.first(), Some(Scalar::Bool(true)));
            let s = match (is_text, is_null) {
                (true, true) => format!("({col} IS NULL OR {col} = '')"),
                (true, false) => format!("({col} IS NOT NULL AND {col} <> '')"),
                (false, true) => format!("{col} IS NULL"),
                (false, false) => format!("{col} IS NOT NULL"),
            };
            sql.push(&s);
        }
        Op::Eq | Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
            let op = match f.op {
                Op::Eq => "=",
                Op::Gt => ">",
                Op::Gte => ">=",
                Op::Lt => "<",
                _ => "<=",
            };
            sql.push(&format!("{col} {op} "));
            push(sql, &f.values[0]);
        }
        Op::Ne => {
            let op = match backend {
                Backend::Sqlite => "IS NOT",
                Backend::Postgres => "IS DISTINCT FROM",
            };
            sql.push(&format!("{col} {op} "));
            push(sql, &f.values[0]);
        }
        Op::In | Op::Nin => {
            sql.push(&if f.op == Op::In {
                format!("{col} IN (")
            } else {
                format!("({col} IS NULL OR {col} NOT IN (")
            });
            for (i, v) in f.values.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                push(sql, v);
            }
            sql.push(if f.op == Op::In { ")" } else { "))" });
        }
        Op::Contains => {
            let pattern = match &f.values[0] {
                Scalar::Text(s) => like_pattern(s),
                other => like_pattern(&format!("{other:?}")),
            };
            let op = match backend {
                Backend::Sqlite => "LIKE",
                Backend::Postgres => "ILIKE",
            };
            sql.push(&format!("{col} {op} "));
            sql.push_arg(pattern);
            sql.push(" ESCAPE '\\'");
        }
    }
}

fn push_tag_filter(sql: &mut Sql, f: &Filter) {
    let keys = f.values.iter().map(|v| match v {
        Scalar::Text(s) => Arg::from(tag_key(s)),
        other => scalar_arg(other),
    });
    match f.op {
        Op::Null => {
            let neg = if matches!(f.values.first(), Some(Scalar::Bool(true))) {
                "NOT "
            } else {
                ""
            };
            sql.push(&format!(
                "{neg}EXISTS (SELECT 1 FROM record_tags g WHERE g.record_id = t.id)"
            ));
        }
        Op::Nin => {
            sql.push("t.id NOT IN (SELECT record_id FROM record_tags WHERE tag_key IN (");
            sql.push_args(keys);
            sql.push("))");
        }
        _ => {
            sql.push("t.id IN (SELECT record_id FROM record_tags WHERE tag_key IN (");
            sql.push_args(keys);
            sql.push("))");
        }
    }
}
