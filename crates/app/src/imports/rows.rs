//! Import rows through the record write path: mapping, checks, duplicates, undo.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::custom_fields::CustomField;
use cartera_core::imports::{CellProblem, ProblemCode};
use cartera_core::record::{DuplicateKey, KeyKind, Record, Reference, diff};
use cartera_core::territories::Territory;
use cartera_core::{Check, Id};
use cartera_store::records as store;
use cartera_store::{Backend, Conn};

use crate::settings::Settings;
use crate::{Actor, AppError, Result};

use crate::events::{event, update_event};
use crate::records::{Batch, Kind, WriteOptions, visible_of, write_update};

/// A row of an import, read and mapped: the record's input.
pub(crate) struct ImportInput {
    pub number: i64,
    pub input: Value,
    pub external_id: Option<String>,
    /// Rejected already (a cell could not be read): checked as a record only to name
    /// its other problems, never written.
    pub rejected: bool,
}

/// What an import does with a row (or would do, in a dry run).
pub(crate) enum ImportResult {
    Created(Id),
    Updated(Id),
    /// Matched this record and left it alone; why.
    Skipped(Id, CellProblem),
    /// Every problem, each with the record's field it is about (whose column names it).
    Rejected(Vec<(String, CellProblem)>),
}

/// The choices that decide a row's fate.
#[derive(Clone, Copy)]
pub(crate) struct ImportRule {
    pub match_on: cartera_core::imports::MatchOn,
    pub on_match: cartera_core::imports::OnMatch,
    /// Write the results; false for a dry run.
    pub write: bool,
}

/// Keys (and external ids) seen earlier in the same file, with their row numbers.
///
/// Kept as 64-bit hashes (of the key's kind and folded value) rather than the strings: a
/// million-row file has two or three million keys, and the set must stay small. Two
/// different keys sharing a hash is a one-in-billions chance per file; it would reject a
/// row as a repeat, never write a duplicate.
#[derive(Default)]
pub(crate) struct ImportSeen {
    keys: HashMap<u64, u32>,
    external: HashMap<u64, u32>,
}

impl ImportSeen {
    fn hash_key(k: &DuplicateKey) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        k.kind.as_str().hash(&mut h);
        k.value.hash(&mut h);
        h.finish()
    }

    fn hash_external(e: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        e.hash(&mut h);
        h.finish()
    }

    fn key(&self, k: &DuplicateKey) -> Option<i64> {
        self.keys.get(&Self::hash_key(k)).map(|r| i64::from(*r))
    }

    fn external(&self, e: &str) -> Option<i64> {
        self.external
            .get(&Self::hash_external(e))
            .map(|r| i64::from(*r))
    }

    fn note_key(&mut self, k: &DuplicateKey, row: i64) {
        self.keys
            .entry(Self::hash_key(k))
            .or_insert(u32::try_from(row).unwrap_or(u32::MAX));
    }

    fn note_external(&mut self, e: &str, row: i64) {
        self.external
            .entry(Self::hash_external(e))
            .or_insert(u32::try_from(row).unwrap_or(u32::MAX));
    }
}

/// What every chunk of an import reads from the database before its rows are checked:
/// read once per pass, so that rows can be checked away from the database.
#[derive(Clone)]
pub(crate) struct ImportContext {
    defs: Vec<CustomField>,
    settings: Settings,
    territories: Vec<Territory>,
    territory_owner_wins: bool,
    backend: Backend,
}

impl ImportContext {
    pub(crate) async fn load<D: Kind>(conn: &mut Conn, actor: &Actor) -> Result<ImportContext> {
        let backend = conn.backend();
        let batch = Batch::load::<D>(conn, actor, Utc::now())
            .await?
            .with_territories::<D>(conn)
            .await?;
        Ok(ImportContext {
            defs: batch.defs,
            settings: batch.settings,
            territories: batch.territories,
            territory_owner_wins: batch.territory_owner_wins,
            backend,
        })
    }
}

/// A row read as a new record, and (when the import writes) its rows encoded ahead.
struct PreparedRow<D> {
    rec: Record<D>,
    keys: Vec<DuplicateKey>,
    encoded: Option<(store::EncodedRecord, Vec<cartera_store::Arg>)>,
}

/// A chunk of an import's rows, each read and checked as a new record with the rules
/// that need no database (see [`prepare_import`]).
pub(crate) struct PreparedChunk<D> {
    now: DateTime<Utc>,
    rows: Vec<ImportInput>,
    prepared: Vec<Option<PreparedRow<D>>>,
    problems: Vec<Vec<(String, CellProblem)>>,
    refs: Vec<(String, Reference)>,
}

/// Reads and checks a chunk's rows as new records: every rule of a create that needs
/// no database. CPU work only, so it runs on a blocking thread while the chunk before
/// is written. With `rule.write`, each good row's table rows and audit event are
/// encoded too (a row that turns out to be a duplicate just drops its encoding).
pub(crate) fn prepare_import<D: Kind>(
    ctx: &ImportContext,
    actor: &Actor,
    now: DateTime<Utc>,
    mut rows: Vec<ImportInput>,
    rule: ImportRule,
) -> PreparedChunk<D> {
    use cartera_core::imports::OnMatch;
    let mut batch = Batch::new(ctx.defs.clone(), actor, now);
    batch.settings = ctx.settings.clone();
    batch.territories = ctx.territories.clone();
    batch.territory_owner_wins = ctx.territory_owner_wins;
    let n = rows.len();
    let mut recs: Vec<Option<Record<D>>> = Vec::with_capacity(n);
    for (i, row) in rows.iter_mut().enumerate() {
        // Only an update reads the row's input again (as its patch).
        let input = if rule.on_match == OnMatch::Update {
            row.input.clone()
        } else {
            row.input.take()
        };
        recs.push(batch.prepare_create::<D>(input, &format!("{i}.")));
    }
    let mut problems: Vec<Vec<(String, CellProblem)>> = vec![Vec::new(); n];
    sort_violations(std::mem::take(&mut batch.check), &mut problems);
    let prepared = recs
        .into_iter()
        .zip(&problems)
        .zip(&rows)
        .map(|((rec, p), row)| {
            let rec = rec?;
            let keys = rec.data.duplicate_keys();
            let encoded = (rule.write && p.is_empty() && !row.rejected).then(|| {
                let audit = event(
                    Some(actor),
                    now,
                    AuditAction::Created,
                    D::KIND,
                    rec.id,
                    diff(None, Some(&rec.data)),
                );
                (
                    store::encode(ctx.backend, &rec, keys.clone()),
                    cartera_store::audit::encode(ctx.backend, &audit),
                )
            });
            Some(PreparedRow { rec, keys, encoded })
        })
        .collect();
    PreparedChunk {
        now,
        rows,
        prepared,
        problems,
        refs: std::mem::take(&mut batch.refs),
    }
}

/// Files violations of rows named `i.field` under their row.
fn sort_violations(check: Check, problems: &mut [Vec<(String, CellProblem)>]) {
    let n = problems.len();
    for mut v in check.into_violations() {
        let (i, field) = match v.field.split_once('.') {
            Some((i, f)) => (i.parse::<usize>().ok(), f.to_owned()),
            None => (v.field.parse::<usize>().ok(), String::new()),
        };
        if let Some(i) = i.filter(|i| *i < n) {
            v.field.clone_from(&field);
            problems[i].push((field, CellProblem::violation(v)));
        }
    }
}

/// Imports a chunk of rows of kind `D` through the same rules as any write: each row was
/// read and checked as a new record ([`prepare_import`]); here its links are checked,
/// it is matched on the chosen key, then created, used to update its match, skipped or
/// rejected. With `rule.write` the good rows are stored with their audit events in
/// `conn` (the caller's transaction); otherwise nothing is.
pub(crate) async fn import_rows<D: Kind>(
    conn: &mut Conn,
    actor: &Actor,
    ctx: &ImportContext,
    chunk: PreparedChunk<D>,
    rule: ImportRule,
    seen: &mut ImportSeen,
) -> Result<Vec<ImportResult>> {
    use cartera_core::imports::{MatchOn, OnMatch};
    let PreparedChunk {
        now,
        rows,
        prepared,
        mut problems,
        refs,
    } = chunk;
    let n = rows.len();
    let mut results: Vec<Option<ImportResult>> = (0..n).map(|_| None).collect();
    let externals: Vec<String> = rows.iter().filter_map(|r| r.external_id.clone()).collect();
    let mut batch = Batch::new(Vec::new(), actor, now);
    batch.settings = ctx.settings.clone();
    batch.refs = refs;
    batch.check_references(conn).await?;
    sort_violations(std::mem::take(&mut batch.check), &mut problems);
    // Existing records that share a key with a row, and those that imports named.
    let all_keys: Vec<DuplicateKey> = prepared
        .iter()
        .flatten()
        .flat_map(|r| r.keys.iter().cloned())
        .collect();
    let hits = store::find_duplicates::<D>(conn, &all_keys).await?;
    let mut by_key: HashMap<&DuplicateKey, Vec<Id>> = HashMap::new();
    for h in &hits {
        by_key.entry(&h.key).or_default().push(h.record_id);
    }
    let external: HashMap<String, Id> =
        cartera_store::imports::by_external_ids(conn, D::KIND, &externals)
            .await?
            .into_iter()
            .collect();
    let mut ids: Vec<Id> = hits.iter().map(|h| h.record_id).collect();
    ids.extend(external.values().copied());
    ids.sort();
    ids.dedup();
    let found = store::get_many::<D>(conn, &ids).await?;
    let live: Vec<&Record<D>> = found
        .iter()
        .filter(|r| r.meta.deleted_at.is_none())
        .collect();
    let visible = visible_of(conn, actor, &live).await?;
    let existing: HashMap<Id, &Record<D>> = live.into_iter().map(|r| (r.id, r)).collect();

    // Rows created earlier in this chunk, by their key of the kind matched on: a later
    // row repeating one is that record, as it would be (found in the database) had the
    // two rows fallen in different chunks.
    let mut created_here: HashMap<DuplicateKey, (Id, String)> = HashMap::new();
    let match_kind = match rule.match_on {
        MatchOn::Email => Some(KeyKind::Email),
        MatchOn::TaxId => Some(KeyKind::TaxId),
        MatchOn::ExternalId => None,
    };
    let mut creates: Vec<PreparedRow<D>> = Vec::new();
    let mut updates: Vec<(usize, Record<D>, Record<D>)> = Vec::new();
    for (i, p) in prepared.into_iter().enumerate() {
        let row = &rows[i];
        let Some(p) = p else {
            results[i] = Some(ImportResult::Rejected(std::mem::take(&mut problems[i])));
            continue;
        };
        if !problems[i].is_empty() || row.rejected {
            results[i] = Some(ImportResult::Rejected(std::mem::take(&mut problems[i])));
            continue;
        }
        let keys = &p.keys;
        // The record this row is, by the chosen key.
        let matched: Option<Id> = match match_kind {
            Some(kind) => keys
                .iter()
                .filter(|k| k.kind == kind)
                .flat_map(|k| by_key.get(k).into_iter().flatten())
                .copied()
                .find(|id| existing.contains_key(id)),
            None => row
                .external_id
                .as_ref()
                .and_then(|e| external.get(e))
                .copied()
                .filter(|id| existing.contains_key(id)),
        };
        // An earlier row of the file with the same key.
        let earlier = match match_kind {
            Some(kind) => keys
                .iter()
                .filter(|k| k.kind == kind)
                .find_map(|k| seen.key(k)),
            None => row.external_id.as_ref().and_then(|e| seen.external(e)),
        };
        // Other records it looks like, by any key (the rule of every create).
        let others: Vec<(Id, KeyKind)> = keys
            .iter()
            .flat_map(|k| {
                by_key
                    .get(k)
                    .into_iter()
                    .flatten()
                    .map(move |id| (*id, k.kind))
            })
            .filter(|(id, _)| Some(*id) != matched && existing.contains_key(id))
            .collect();
        let repeats = keys
            .iter()
            .find_map(|k| seen.key(k).map(|row| (row, k.kind)));
        for k in keys {
            seen.note_key(k, row.number);
        }
        if let Some(e) = &row.external_id {
            seen.note_external(e, row.number);
        }
        // The other record's name, only when the importer may see it.
        let name_of = |id: &Id| -> Option<String> {
            existing
                .get(id)
                .filter(|_| visible.contains(id))
                .map(|r| r.data.title())
        };
        let what = |id: &Id| -> String {
            match name_of(id) {
                Some(name) => format!("{} '{name}'", D::KIND.as_str()),
                None => format!("a {} outside your view", D::KIND.as_str()),
            }
        };
        // The key matched on, as `CellProblem::field` names it.
        let matched_key = match rule.match_on {
            MatchOn::Email => KeyKind::Email.as_str(),
            MatchOn::TaxId => KeyKind::TaxId.as_str(),
            MatchOn::ExternalId => "external_id",
        };
        let matched_name = match rule.match_on {
            MatchOn::Email => "email",
            MatchOn::TaxId => "tax id",
            MatchOn::ExternalId => "external id",
        };
        if let Some(id) = matched {
            match rule.on_match {
                OnMatch::Skip => {
                    let why = match earlier {
                        Some(first) => CellProblem::new(
                            ProblemCode::RepeatsRow,
                            format!("repeats the {matched_name} of row {first}, {}", what(&id)),
                        )
                        .row(first),
                        None => CellProblem::new(
                            ProblemCode::SameKey,
                            format!("{} has the same {matched_name}", what(&id)),
                        ),
                    };
                    let why = why.field(matched_key).other(D::KIND, name_of(&id));
                    results[i] = Some(ImportResult::Skipped(id, why));
                    continue;
                }
                OnMatch::Update => {
                    let Some(old) = existing.get(&id).filter(|_| visible.contains(&id)) else {
                        results[i] = Some(ImportResult::Rejected(vec![(
                            String::new(),
                            CellProblem::new(
                                ProblemCode::SameKey,
                                format!("{} has the same {matched_name}", what(&id)),
                            )
                            .field(matched_key)
                            .other(D::KIND, name_of(&id)),
                        )]));
                        continue;
                    };
                    if let Some(first) = earlier {
                        results[i] = Some(ImportResult::Rejected(vec![(
                            String::new(),
                            CellProblem::new(
                                ProblemCode::AlreadyUpdated,
                                format!(
                                    "row {first} already updates the same {}",
                                    D::KIND.as_str()
                                ),
                            )
                            .row(first)
                            .other(D::KIND, None),
                        )]));
                        continue;
                    }
                    let mut patch = row.input.clone();
                    // The owner stays as it is unless the file names one.
                    if let Value::Object(m) = &mut patch {
                        m.remove("owner_id");
                    }
                    let mut c = Batch::new(ctx.defs.clone(), actor, now);
                    c.settings = batch.settings.clone();
                    let new = c.prepare_update(old, patch, "");
                    c.check_references(conn).await?;
                    let errs: Vec<(String, CellProblem)> = c
                        .check
                        .into_violations()
                        .into_iter()
                        .map(|v| (v.field.clone(), CellProblem::violation(v)))
                        .collect();
                    match new {
                        Some(new) if errs.is_empty() => {
                            if new.meta.version == old.meta.version {
                                results[i] = Some(ImportResult::Skipped(
                                    id,
                                    CellProblem::new(
                                        ProblemCode::NothingNew,
                                        "the file says nothing new about it",
                                    ),
                                ));
                            } else {
                                results[i] = Some(ImportResult::Updated(id));
                                updates.push((i, (*old).clone(), new));
                            }
                        }
                        _ => results[i] = Some(ImportResult::Rejected(errs)),
                    }
                    continue;
                }
                OnMatch::Create => {}
            }
        } else if rule.on_match != OnMatch::Create {
            let created_earlier = match (rule.on_match, match_kind, earlier) {
                (OnMatch::Skip, Some(kind), Some(first)) => keys
                    .iter()
                    .filter(|k| k.kind == kind)
                    .find_map(|k| created_here.get(k))
                    .map(|c| (first, c)),
                _ => None,
            };
            if let Some((first, (id, title))) = created_earlier {
                // Created by this import for this importer: theirs to see.
                results[i] = Some(ImportResult::Skipped(
                    *id,
                    CellProblem::new(
                        ProblemCode::RepeatsRow,
                        format!(
                            "repeats the {matched_name} of row {first}, {} '{title}'",
                            D::KIND.as_str()
                        ),
                    )
                    .field(matched_key)
                    .row(first)
                    .other(D::KIND, Some(title.clone())),
                ));
                continue;
            }
            if let Some((first, kind)) = repeats {
                results[i] = Some(ImportResult::Rejected(vec![(
                    D::key_field(kind).to_owned(),
                    CellProblem::new(
                        ProblemCode::RepeatsRow,
                        format!("repeats the {} of row {first}", kind.as_str()),
                    )
                    .field(kind.as_str())
                    .row(first),
                )]));
                continue;
            }
            if !others.is_empty() {
                results[i] = Some(ImportResult::Rejected(
                    others
                        .iter()
                        .map(|(id, kind)| {
                            (
                                D::key_field(*kind).to_owned(),
                                CellProblem::new(
                                    ProblemCode::SameKey,
                                    format!("{} has the same {}", what(id), kind.as_str()),
                                )
                                .field(kind.as_str())
                                .other(D::KIND, name_of(id)),
                            )
                        })
                        .collect(),
                ));
                continue;
            }
        }
        if let Some(kind) = match_kind {
            for k in p.keys.iter().filter(|k| k.kind == kind) {
                created_here
                    .entry(k.clone())
                    .or_insert_with(|| (p.rec.id, p.rec.data.title()));
            }
        }
        results[i] = Some(ImportResult::Created(p.rec.id));
        creates.push(p);
    }

    if rule.write {
        let backend = conn.backend();
        let mut encoded = Vec::with_capacity(creates.len());
        let mut audit = cartera_store::audit::rows();
        for p in creates {
            let (rec, ev) = match p.encoded {
                Some(e) => e,
                None => {
                    let ev = event(
                        Some(actor),
                        now,
                        AuditAction::Created,
                        D::KIND,
                        p.rec.id,
                        diff(None, Some(&p.rec.data)),
                    );
                    (
                        store::encode(backend, &p.rec, p.keys),
                        cartera_store::audit::encode(backend, &ev),
                    )
                }
            };
            encoded.push(rec);
            audit.push(ev);
        }
        store::insert_encoded::<D>(conn, encoded).await?;
        audit.write(conn).await?;
        let mut events = Vec::with_capacity(updates.len());
        for (_, old, new) in &updates {
            store::update(conn, old, new).await?;
            events.push(update_event(actor, now, old, new));
        }
        cartera_store::audit::insert(conn, &events).await?;
        for (row, r) in rows.iter().zip(&results) {
            if let (Some(e), Some(ImportResult::Created(id) | ImportResult::Updated(id))) =
                (&row.external_id, r)
            {
                cartera_store::imports::put_external_id(conn, D::KIND, e, *id).await?;
            }
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or(ImportResult::Rejected(Vec::new())))
        .collect())
}

/// Undoes an import's writes to kind `D` inside the caller's transaction: `created`
/// records go to the trash, set-based (one statement per few thousand, one audit event
/// each); `updated` ones get back the values the import's audit events (`request_id`)
/// say they had before. Records already in the trash (or purged) stay as they are; a
/// created record outside the actor's view refuses the whole call (404), as a delete
/// would. Safe to repeat: a second call finds nothing left to change.
pub(crate) async fn undo_import<D: Kind>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    request_id: &str,
    created: &[Id],
    updated: &[Id],
) -> Result<()> {
    if !created.is_empty() {
        let found = store::get_many::<D>(conn, created).await?;
        let live: Vec<&Record<D>> = found
            .iter()
            .filter(|r| r.meta.deleted_at.is_none())
            .collect();
        let seen = visible_of(conn, actor, &live).await?;
        if live.iter().any(|r| !seen.contains(&r.id)) {
            return Err(AppError::NotFound);
        }
        let ids: Vec<Id> = live.iter().map(|r| r.id).collect();
        let moved: HashSet<Id> = store::trash_many::<D>(conn, &ids, now)
            .await?
            .into_iter()
            .collect();
        let events: Vec<AuditEvent> = live
            .iter()
            .filter(|r| moved.contains(&r.id))
            .map(|r| {
                event(
                    Some(actor),
                    now,
                    AuditAction::Deleted,
                    D::KIND,
                    r.id,
                    Vec::new(),
                )
            })
            .collect();
        cartera_store::audit::insert(conn, &events).await?;
        for old in live.iter().filter(|r| moved.contains(&r.id)) {
            let mut new = (*old).clone();
            new.meta.deleted_at = Some(now);
            new.meta.updated_at = now;
            new.meta.version += 1;
            D::after_write(conn, now, Some(old), &new, "").await?;
        }
    }
    if updated.is_empty() {
        return Ok(());
    }
    // Each record's newest event from the import is the one to undo.
    let mut by_record: HashMap<Id, AuditEvent> = HashMap::new();
    for ev in
        cartera_store::audit::of_request(conn, D::KIND, AuditAction::Updated, request_id, updated)
            .await?
    {
        by_record.entry(ev.record_id).or_insert(ev);
    }
    let records = store::get_many::<D>(conn, updated).await?;
    let mut batch = Batch::load::<D>(conn, actor, now).await?;
    for old in &records {
        let Some(ev) = by_record.get(&old.id) else {
            continue;
        };
        let mut patch = serde_json::Map::new();
        for ch in &ev.changes {
            put_path(&mut patch, &ch.field, ch.old.clone());
        }
        let Some(new) = batch.prepare_update(old, Value::Object(patch), "") else {
            return Err(batch.into_error());
        };
        if new.meta.version != old.meta.version {
            write_update(
                conn,
                actor,
                now,
                old,
                &new,
                WriteOptions {
                    allow_duplicate: true,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Sets `a.b` in a merge patch.
fn put_path(root: &mut serde_json::Map<String, Value>, path: &str, v: Value) {
    match path.split_once('.') {
        None => {
            root.insert(path.to_owned(), v);
        }
        Some((head, rest)) => {
            let next = root
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if !next.is_object() {
                *next = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(m) = next {
                put_path(m, rest, v);
            }
        }
    }
}
