//! Creating, changing, trashing and restoring records, one or a batch at a time.

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::record::{DuplicateKey, Record, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::shares::{Grantee, Share, shared_change};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::records as store;
use cartera_store::{Backend, Bound, Conn, StoreError, custom_fields as defs_store};

use crate::events::{event, update_event};
use crate::{Actor, App, AppError, Result};

use super::batch::{Batch, check_duplicates};
use super::kind::Kind;
use super::visibility::{in_view, load_visible};

/// Options of a write.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Write even when the record looks like an existing one.
    pub allow_duplicate: bool,
}

/// Creates records: one (`inputs.len() == 1`, paths unprefixed) or a bulk batch
/// (`create[i].` paths). All or nothing.
pub async fn create<D: Kind>(
    app: &App,
    actor: &Actor,
    inputs: Vec<Value>,
    opts: WriteOptions,
) -> Result<Vec<Record<D>>> {
    actor.permit(Module::of(D::KIND), Action::Create)?;
    let naming = if inputs.len() == 1 {
        Naming::Bare
    } else {
        Naming::Bulk
    };
    let now = app.now();
    // Reading and checking the input needs no lock: SQLite's single writer waits only
    // for the part that touches the database.
    let mut reader = app.db.reader().await?;
    let defs = defs_store::list(&mut reader, Some(D::KIND)).await?;
    let mut batch = Batch::new(defs, actor, now)
        .with_territories::<D>(&mut reader)
        .await?
        .with_settings::<D>(&mut reader)
        .await?;
    drop(reader);
    let (mut recs, prefixes) = prepare_creates::<D>(&mut batch, inputs, naming);
    if D::RESOLVES {
        let mut reader = app.db.reader().await?;
        resolve_creates(&mut reader, &mut batch, &mut recs, &prefixes).await?;
    }
    if !batch.check.is_ok() {
        batch.check_references(&mut app.db.reader().await?).await?;
        return Err(batch.into_error());
    }
    let planned = plan_creates(app.db.backend(), actor, now, recs, prefixes);
    let mut conn = app.db.begin().await?;
    let out = store_creates(&mut conn, batch, planned, opts).await?;
    conn.commit().await?;
    Ok(out)
}

/// Runs [`Kind::resolve`] on new records, collecting violations in the batch.
pub(super) async fn resolve_creates<D: Kind>(
    conn: &mut Conn,
    batch: &mut Batch<'_>,
    recs: &mut [Record<D>],
    prefixes: &[String],
) -> Result<()> {
    for (r, p) in recs.iter_mut().zip(prefixes) {
        let mut c = Check::with_prefix(p.clone());
        D::resolve(conn, batch.actor, None, &mut r.data, batch.now, &mut c).await?;
        batch.check.extend(c);
    }
    Ok(())
}

/// Runs [`Kind::resolve`] on a changed record and settles its version afterwards.
pub(super) async fn resolve_update<D: Kind>(
    conn: &mut Conn,
    batch: &mut Batch<'_>,
    old: &Record<D>,
    new: &mut Record<D>,
    prefix: &str,
) -> Result<()> {
    if !D::RESOLVES {
        return Ok(());
    }
    let mut c = Check::with_prefix(prefix.to_owned());
    D::resolve(
        conn,
        batch.actor,
        Some(&old.data),
        &mut new.data,
        batch.now,
        &mut c,
    )
    .await?;
    batch.check.extend(c);
    let changed = new.data != old.data;
    new.meta.version = old.meta.version + i64::from(changed);
    new.meta.updated_at = if changed {
        batch.now
    } else {
        old.meta.updated_at
    };
    Ok(())
}

/// How the fields of created records are named in errors.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Naming {
    /// `name`
    Bare,
    /// `create[3].name`
    Bulk,
    /// `account.name`, for records made as part of another action.
    Under(&'static str),
}

fn prepare_creates<D: Kind>(
    batch: &mut Batch<'_>,
    inputs: Vec<Value>,
    naming: Naming,
) -> (Vec<Record<D>>, Vec<String>) {
    let mut recs = Vec::with_capacity(inputs.len());
    let mut prefixes = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let prefix = match naming {
            Naming::Bare => String::new(),
            Naming::Bulk => format!("create[{i}]."),
            Naming::Under(p) => p.to_owned(),
        };
        if let Some(r) = batch.prepare_create::<D>(input, &prefix) {
            recs.push(r);
            prefixes.push(prefix);
        }
    }
    (recs, prefixes)
}

/// New records with everything their insert needs, built before the write lock.
pub(super) struct Planned<D> {
    pub(super) recs: Vec<Record<D>>,
    pub(super) prefixes: Vec<String>,
    pub(super) keys: Vec<Vec<DuplicateKey>>,
    pub(super) insert: store::InsertPlan,
    pub(super) audit: Vec<Bound>,
}

pub(super) fn plan_creates<D: Kind>(
    backend: Backend,
    actor: &Actor,
    now: DateTime<Utc>,
    recs: Vec<Record<D>>,
    prefixes: Vec<String>,
) -> Planned<D> {
    let keys: Vec<Vec<DuplicateKey>> = recs.iter().map(|r| r.data.duplicate_keys()).collect();
    let insert = store::plan_insert(backend, &recs, &keys);
    let events: Vec<AuditEvent> = recs
        .iter()
        .map(|r| {
            event(
                Some(actor),
                now,
                AuditAction::Created,
                D::KIND,
                r.id,
                diff(None, Some(&r.data)),
            )
        })
        .collect();
    let audit = cartera_store::audit::plan(backend, &events);
    Planned {
        recs,
        prefixes,
        keys,
        insert,
        audit,
    }
}

/// Checks links and duplicates of planned records, then stores them with their audit.
async fn store_creates<D: Kind>(
    conn: &mut Conn,
    mut batch: Batch<'_>,
    planned: Planned<D>,
    opts: WriteOptions,
) -> Result<Vec<Record<D>>> {
    let actor = batch.actor;
    batch.check_references(conn).await?;
    batch.finish()?;
    if !opts.allow_duplicate {
        let items: Vec<(String, &Record<D>, Vec<DuplicateKey>)> = planned
            .recs
            .iter()
            .zip(&planned.prefixes)
            .zip(&planned.keys)
            .map(|((r, p), k)| (p.clone(), r, k.clone()))
            .collect();
        check_duplicates::<D>(conn, actor, &items).await?;
    }
    store::run_insert(conn, planned.insert).await?;
    cartera_store::audit::run(conn, planned.audit).await?;
    for (r, p) in planned.recs.iter().zip(&planned.prefixes) {
        D::after_write(conn, r.meta.updated_at, None, r, p).await?;
    }
    keep_in_sight(conn, actor, &planned.recs).await?;
    Ok(planned.recs)
}

/// A record the territory rules gave to someone else stays in its creator's sight
/// through a share: the creator's save must not end on a 404.
async fn keep_in_sight<D: Kind>(conn: &mut Conn, actor: &Actor, recs: &[Record<D>]) -> Result<()> {
    if actor.view.is_none() || !D::KIND.facts().shareable {
        return Ok(());
    }
    let given: Vec<&Record<D>> = recs
        .iter()
        .filter(|r| r.data.owner_id().is_some_and(|o| o != actor.user_id))
        .collect();
    if given.is_empty() {
        return Ok(());
    }
    let seen = super::visibility::visible_of(conn, actor, &given).await?;
    for r in given.into_iter().filter(|r| !seen.contains(&r.id)) {
        let share = Share {
            id: Id::new(),
            record_kind: D::KIND,
            record_id: r.id,
            grantee: Grantee::User(actor.user_id),
            created_by: Some(actor.user_id),
            created_at: r.meta.created_at,
        };
        if cartera_store::shares::insert(conn, &share).await? {
            let ev = actor.at(r.meta.created_at).event(
                AuditAction::Shared,
                D::KIND,
                r.id,
                vec![shared_change(&share.grantee, true)],
            );
            crate::events::write(conn, ev).await?;
        }
    }
    Ok(())
}

/// Creates records inside a transaction the caller holds (lead conversion).
pub(crate) async fn create_in<D: Kind>(
    conn: &mut Conn,
    now: DateTime<Utc>,
    actor: &Actor,
    inputs: Vec<Value>,
    opts: WriteOptions,
    naming: Naming,
) -> Result<Vec<Record<D>>> {
    let mut batch = Batch::load::<D>(conn, actor, now)
        .await?
        .with_territories::<D>(conn)
        .await?;
    let (mut recs, prefixes) = prepare_creates::<D>(&mut batch, inputs, naming);
    if D::RESOLVES {
        resolve_creates(conn, &mut batch, &mut recs, &prefixes).await?;
    }
    let planned = plan_creates(conn.backend(), actor, now, recs, prefixes);
    store_creates(conn, batch, planned, opts).await
}

pub(super) fn stale(expected: i64, current: i64) -> AppError {
    AppError::Stale { expected, current }
}

/// Changes a record with a JSON merge patch. `if_match` is the version the client read.
pub async fn update<D: Kind>(
    app: &App,
    actor: &Actor,
    id: Id,
    patch: Value,
    if_match: Option<i64>,
    opts: WriteOptions,
) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load_visible::<D>(&mut conn, actor, id).await?;
    if let Some(v) = if_match
        && v != old.meta.version
    {
        return Err(stale(v, old.meta.version));
    }
    let mut batch = Batch::load::<D>(&mut conn, actor, now).await?;
    let mut new = batch.prepare_update(&old, patch, "");
    if let Some(n) = &mut new {
        resolve_update(&mut conn, &mut batch, &old, n, "").await?;
    }
    batch.check_references(&mut conn).await?;
    if let Some(n) = &new {
        let mut c = Check::new();
        D::check_links(&mut conn, id, &n.data, &mut c).await?;
        batch.check.extend(c);
    }
    batch.finish()?;
    let Some(new) = new else {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Invalid,
            "invalid",
        )));
    };
    if new.meta.version == old.meta.version {
        // Nothing changed: no new version, no audit event.
        return Ok(old);
    }
    write_update(&mut conn, actor, now, &old, &new, opts).await?;
    conn.commit().await?;
    Ok(new)
}

/// Stores a checked new version with its duplicate check and audit event.
pub(crate) async fn write_update<D: Kind>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    old: &Record<D>,
    new: &Record<D>,
    opts: WriteOptions,
) -> Result<()> {
    if !opts.allow_duplicate {
        let before = old.data.duplicate_keys();
        let added: Vec<DuplicateKey> = new
            .data
            .duplicate_keys()
            .into_iter()
            .filter(|k| !before.contains(k))
            .collect();
        check_duplicates::<D>(conn, actor, &[(String::new(), new, added)]).await?;
    }
    store::update(conn, old, new).await.map_err(|e| match e {
        StoreError::Stale => stale(old.meta.version, old.meta.version + 1),
        e => e.into(),
    })?;
    cartera_store::audit::insert(conn, &[update_event(actor, now, old, new)]).await?;
    D::after_write(conn, now, Some(old), new, "").await?;
    Ok(())
}

/// Moves a record to the trash.
pub async fn delete<D: Kind>(
    app: &App,
    actor: &Actor,
    id: Id,
    if_match: Option<i64>,
) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Delete)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let rec = trash_in::<D>(&mut conn, actor, now, id, if_match).await?;
    conn.commit().await?;
    Ok(rec)
}

pub(crate) async fn trash_in<D: Kind>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Id,
    if_match: Option<i64>,
) -> Result<Record<D>> {
    let old = load_visible::<D>(conn, actor, id).await?;
    if let Some(v) = if_match
        && v != old.meta.version
    {
        return Err(stale(v, old.meta.version));
    }
    let mut new = old.clone();
    new.meta.deleted_at = Some(now);
    new.meta.updated_at = now;
    new.meta.version += 1;
    store::update(conn, &old, &new).await?;
    cartera_store::audit::insert(
        conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Deleted,
            D::KIND,
            id,
            Vec::new(),
        )],
    )
    .await?;
    D::after_write(conn, now, Some(&old), &new, "").await?;
    Ok(new)
}

/// Brings a record back from the trash.
pub async fn restore<D: Kind>(app: &App, actor: &Actor, id: Id) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Delete)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let Some(old) = store::get::<D>(&mut conn, id).await? else {
        return Err(AppError::NotFound);
    };
    let old = in_view(&mut conn, actor, old).await?;
    if old.meta.deleted_at.is_none() {
        return Err(AppError::Conflict(format!(
            "this {} is not in the trash",
            D::KIND.as_str()
        )));
    }
    if let Some(into) = old.meta.merged_into_id {
        return Err(AppError::Conflict(format!(
            "this {} was merged into {into}; it cannot be restored on its own",
            D::KIND.as_str()
        )));
    }
    let mut new = old.clone();
    new.meta.deleted_at = None;
    new.meta.updated_at = now;
    new.meta.version += 1;
    store::update(&mut conn, &old, &new).await?;
    cartera_store::audit::insert(
        &mut conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Restored,
            D::KIND,
            id,
            Vec::new(),
        )],
    )
    .await?;
    D::after_write(&mut conn, now, Some(&old), &new, "").await?;
    conn.commit().await?;
    Ok(new)
}
