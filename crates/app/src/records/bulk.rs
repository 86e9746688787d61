//! Bulk requests: many creates, updates and deletes in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::audit::AuditEvent;
use cartera_core::record::{DuplicateKey, Record};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::records as store;
use cartera_store::{Conn, custom_fields as defs_store};

use crate::events::update_event;
use crate::{Actor, App, AppError, Result};

use super::batch::{Batch, check_duplicates};
use super::kind::Kind;
use super::visibility::visible_of;
use super::writes::WriteOptions;
use super::writes::trash_in;
use super::writes::{plan_creates, resolve_creates, resolve_update, stale};

/// The most operations one bulk request may carry.
pub const MAX_BULK: usize = 1000;

/// A bulk request: creates, merge-patch updates (each with `id` and optionally
/// `version`) and deletes, applied all or nothing.
#[derive(Debug, Default)]
pub struct BulkInput {
    pub create: Vec<Value>,
    pub update: Vec<Value>,
    pub delete: Vec<Id>,
}

pub struct BulkOutcome<D> {
    pub created: Vec<Record<D>>,
    pub updated: Vec<Record<D>>,
    pub deleted: Vec<Id>,
}

pub async fn bulk<D: Kind>(
    app: &App,
    actor: &Actor,
    input: BulkInput,
    opts: WriteOptions,
) -> Result<BulkOutcome<D>> {
    let module = Module::of(D::KIND);
    for (ops, action) in [
        (input.create.len(), Action::Create),
        (input.update.len(), Action::Edit),
        (input.delete.len(), Action::Delete),
    ] {
        if ops > 0 {
            actor.permit(module, action)?;
        }
    }
    let total = input.create.len() + input.update.len() + input.delete.len();
    if total > MAX_BULK {
        return Err(AppError::TooLarge(format!(
            "a bulk request carries at most {MAX_BULK} operations; this one has {total}"
        )));
    }
    let now = app.now();
    let mut reader = app.db.reader().await?;
    let defs = defs_store::list(&mut reader, Some(D::KIND)).await?;
    let mut batch = Batch::new(defs, actor, now)
        .with_settings::<D>(&mut reader)
        .await?;
    if !input.create.is_empty() {
        batch = batch.with_territories::<D>(&mut reader).await?;
    }
    drop(reader);
    // New records are read and checked before the write lock is taken.
    let mut creates = Vec::with_capacity(input.create.len());
    for (i, c) in input.create.into_iter().enumerate() {
        let prefix = format!("create[{i}].");
        if let Some(r) = batch.prepare_create::<D>(c, &prefix) {
            creates.push((prefix, r));
        }
    }
    if !batch.check.is_ok() && input.update.is_empty() {
        // Refused already: report broken links too, without taking the write lock.
        batch.check_references(&mut app.db.reader().await?).await?;
        return Err(batch.into_error());
    }
    let (create_prefixes, mut create_recs): (Vec<String>, Vec<Record<D>>) =
        creates.into_iter().unzip();
    if D::RESOLVES {
        let mut reader = app.db.reader().await?;
        resolve_creates(&mut reader, &mut batch, &mut create_recs, &create_prefixes).await?;
    }
    let planned = plan_creates(app.db.backend(), actor, now, create_recs, create_prefixes);
    let mut conn = app.db.begin().await?;

    // Updates read their records under the lock; every id may appear once in the request.
    let mut seen = HashSet::new();
    let mut check = Check::new();
    let mut patches = Vec::with_capacity(input.update.len());
    for (i, item) in input.update.into_iter().enumerate() {
        let prefix = format!("update[{i}].");
        let Value::Object(mut m) = item else {
            check.add(
                &format!("update[{i}]"),
                Code::Invalid,
                "must be an object with an id",
            );
            continue;
        };
        let id = match m
            .remove("id")
            .as_ref()
            .and_then(Value::as_str)
            .map(str::parse::<Id>)
        {
            Some(Ok(id)) => id,
            _ => {
                check.add(
                    &format!("{prefix}id"),
                    Code::Required,
                    "each update needs the record's id",
                );
                continue;
            }
        };
        let version = match m.remove("version") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(n) => Some(n),
                None => {
                    check.add(
                        &format!("{prefix}version"),
                        Code::Invalid,
                        "must be a whole number",
                    );
                    continue;
                }
            },
        };
        if !seen.insert(id) {
            check.add(
                &format!("{prefix}id"),
                Code::Duplicate,
                "this record is already in the request",
            );
            continue;
        }
        patches.push((prefix, id, version, Value::Object(m)));
    }
    for (i, id) in input.delete.iter().enumerate() {
        if !seen.insert(*id) {
            check.add(
                &format!("delete[{i}]"),
                Code::Duplicate,
                "this record is already in the request",
            );
        }
    }
    check.finish()?;

    let update_ids: Vec<Id> = patches.iter().map(|(_, id, _, _)| *id).collect();
    let found = store::get_many::<D>(&mut conn, &update_ids).await?;
    let live: Vec<&Record<D>> = found
        .iter()
        .filter(|r| r.meta.deleted_at.is_none())
        .collect();
    let visible = visible_of(&mut conn, actor, &live).await?;
    let current: HashMap<Id, Record<D>> = found
        .into_iter()
        .filter(|r| visible.contains(&r.id))
        .map(|r| (r.id, r))
        .collect();
    let mut updates = Vec::new();
    for (prefix, id, version, patch) in patches {
        let Some(old) = current.get(&id) else {
            batch.check.add(
                &format!("{prefix}id"),
                Code::NotFound,
                format!("there is no {} with id {id}", D::KIND.as_str()),
            );
            continue;
        };
        if let Some(v) = version
            && v != old.meta.version
        {
            return Err(stale(v, old.meta.version));
        }
        if let Some(mut new) = batch.prepare_update(old, patch, &prefix) {
            resolve_update(&mut conn, &mut batch, old, &mut new, &prefix).await?;
            updates.push((prefix, old, new));
        }
    }
    batch.check_references(&mut conn).await?;
    for (prefix, _, new) in &updates {
        let mut c = Check::with_prefix(prefix.clone());
        D::check_links(&mut conn, new.id, &new.data, &mut c).await?;
        batch.check.extend(c);
    }
    batch.finish()?;

    if !opts.allow_duplicate {
        let mut items: Vec<(String, &Record<D>, Vec<DuplicateKey>)> = Vec::new();
        for ((p, r), k) in planned
            .prefixes
            .iter()
            .zip(&planned.recs)
            .zip(&planned.keys)
        {
            items.push((p.clone(), r, k.clone()));
        }
        for (p, old, new) in &updates {
            let before = old.data.duplicate_keys();
            let added = new
                .data
                .duplicate_keys()
                .into_iter()
                .filter(|k| !before.contains(k))
                .collect();
            items.push((p.clone(), new, added));
        }
        check_duplicates::<D>(&mut conn, actor, &items).await?;
    }

    store::run_insert(&mut conn, planned.insert).await?;
    cartera_store::audit::run(&mut conn, planned.audit).await?;
    for (r, p) in planned.recs.iter().zip(&planned.prefixes) {
        D::after_write(&mut conn, now, None, r, p).await?;
    }
    let new_recs = planned.recs;
    let mut events: Vec<AuditEvent> = Vec::new();
    let mut updated = Vec::with_capacity(updates.len());
    for (p, old, new) in updates {
        if new.meta.version != old.meta.version {
            store::update(&mut conn, old, &new).await?;
            D::after_write(&mut conn, now, Some(old), &new, &p).await?;
            events.push(update_event(actor, now, old, &new));
        }
        updated.push(new);
    }
    cartera_store::audit::insert(&mut conn, &events).await?;
    let mut deleted = Vec::with_capacity(input.delete.len());
    for (i, id) in input.delete.into_iter().enumerate() {
        match trash_in::<D>(&mut conn, actor, now, id, None).await {
            Ok(_) => deleted.push(id),
            Err(AppError::NotFound) => {
                return Err(AppError::Invalid(Violations::one(
                    format!("delete[{i}]"),
                    Code::NotFound,
                    format!("there is no {} with id {id}", D::KIND.as_str()),
                )));
            }
            Err(e) => return Err(e),
        }
    }
    conn.commit().await?;
    Ok(BulkOutcome {
        created: new_recs,
        updated,
        deleted,
    })
}

/// Changes related records in place (merges re-point links), with their audit events.
pub(crate) async fn rewrite<D: Kind>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    ids: &[Id],
    change: impl Fn(&mut D),
) -> Result<()> {
    for old in store::get_many::<D>(conn, ids).await? {
        let mut new = old.clone();
        change(&mut new.data);
        if new.data == old.data {
            continue;
        }
        new.meta.version += 1;
        new.meta.updated_at = now;
        store::update(conn, &old, &new).await?;
        cartera_store::audit::insert(conn, &[update_event(actor, now, &old, &new)]).await?;
    }
    Ok(())
}
