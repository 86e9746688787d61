//! Creating, changing, listing, trashing and restoring records of any kind, one at a time
//! or in bulk. Every write validates the whole record, checks its links and duplicates,
//! bumps its version and writes its audit event in the same transaction.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::contacts::ContactData;
use cartera_core::custom_fields::{CustomField, validate_values};
use cartera_core::deals::DealData;
use cartera_core::leads::LeadData;
use cartera_core::query::{ListQuery, encode_cursor, parse_list};
use cartera_core::record::{
    DuplicateKey, KeyKind, Meta, Record, RecordKind, Reference, apply_patch, diff, from_input,
};
use cartera_core::roles::{Action, Module};
use cartera_core::territories::{self, Territory};
use cartera_core::{Check, Code, Id, Violation, Violations};
use cartera_store::records::{self as store, Table};
use cartera_store::{Backend, Bound, Conn, StoreError, custom_fields as defs_store};

use crate::error::DuplicateCandidate;
use crate::settings::Settings;
use crate::{Actor, App, AppError, Result};

/// The rules of a record kind beyond its own fields.
pub trait Kind: Table {
    /// Rules on a change from `old` (none for a creation) to `new`.
    fn check_transition(_old: Option<&Self>, _new: &Self, _c: &mut Check) {}

    /// Rules that read the database (e.g. no loops in an org chart).
    fn check_links<'a>(
        _conn: &'a mut Conn,
        _id: Id,
        _new: &'a Self,
        _c: &'a mut Check,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async { Ok(()) }
    }

    /// Work that follows a stored write inside its transaction (an activity's reminders
    /// and follow-ups): `old` is `None` for a creation, `new` is what was stored (in the
    /// trash after a delete). `prefix` starts the names of fields in errors (`create[2].`).
    fn after_write<'a>(
        _conn: &'a mut Conn,
        _now: DateTime<Utc>,
        _old: Option<&'a Record<Self>>,
        _new: &'a Record<Self>,
        _prefix: &'a str,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async { Ok(()) }
    }

    /// Whether writes call [`Kind::resolve`].
    const RESOLVES: bool = false;

    /// Fills in and checks what needs the database (a deal's stage and catalogue
    /// prices), after the record is read and checked on its own and before it is
    /// stored; `old` is the stored version of a change. Violations go to `c`.
    fn resolve<'a>(
        _conn: &'a mut Conn,
        _actor: &'a Actor,
        _old: Option<&'a Self>,
        _new: &'a mut Self,
        _now: DateTime<Utc>,
        _c: &'a mut Check,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async { Ok(()) }
    }

    /// Whether writes need the company settings (to fill in what they decide).
    const USES_SETTINGS: bool = false;

    /// Fills in what the company settings decide (e.g. the mileage rate), after the
    /// input is read and before it is checked; `old` is the stored version of a change.
    fn complete(&mut self, _old: Option<&Self>, _settings: &Settings) {}

    /// The field a duplicate key is reported on.
    fn key_field(kind: KeyKind) -> &'static str {
        match kind {
            KeyKind::Email => "emails",
            KeyKind::TaxId => "tax_id",
            KeyKind::Name => "name",
        }
    }
}

/// What a list returns: a page and the cursor of the next.
pub struct Listed<D> {
    pub rows: Vec<Record<D>>,
    pub next_cursor: Option<String>,
}

/// Options of a write.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Write even when the record looks like an existing one.
    pub allow_duplicate: bool,
}

// The audit-event helpers moved to the leaf `events`; these names stay for the callers
// that still reach them through `records` (`crate::events::{event, changed_fields}` is
// the path that makes no import circle).
pub(crate) use crate::events::{changed_fields, event};

fn today(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
}

/// Re-roots violations under a bulk item's path (`create[3].`).
fn prefixed(v: Violations, prefix: &str) -> Vec<Violation> {
    v.0.into_iter()
        .map(|mut x| {
            x.field = if x.field.is_empty() {
                prefix.trim_end_matches('.').to_owned()
            } else {
                format!("{prefix}{}", x.field)
            };
            x
        })
        .collect()
}

/// Loads a live record or answers 404.
pub async fn load_live<D: Table>(conn: &mut Conn, id: Id) -> Result<Record<D>> {
    match store::get::<D>(conn, id).await? {
        Some(r) if r.meta.deleted_at.is_none() => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

/// Which of `recs` are in the actor's view. Ownership and territory decide in memory;
/// the rest ask the store once, and only when a share or a contact's account could
/// still let them in.
pub(crate) async fn visible_of<D: Table>(
    conn: &mut Conn,
    actor: &Actor,
    recs: &[&Record<D>],
) -> Result<HashSet<Id>> {
    let Some(view) = &actor.view else {
        return Ok(recs.iter().map(|r| r.id).collect());
    };
    let mut yes = HashSet::new();
    let mut ask = Vec::new();
    for r in recs {
        if view.admits(r.data.owner_id(), r.data.territory_id()) {
            yes.insert(r.id);
        } else {
            ask.push(r.id);
        }
    }
    let through_account =
        D::TERRITORY == store::TerritoryLink::ThroughAccount && !view.territories.is_empty();
    if !ask.is_empty() && (through_account || !view.grantees.is_empty()) {
        yes.extend(store::in_view::<D>(conn, &ask, view).await?);
    }
    Ok(yes)
}

/// Refuses a record outside the actor's view as if it did not exist (404), so that ids
/// cannot be probed.
pub(crate) async fn in_view<D: Table>(
    conn: &mut Conn,
    actor: &Actor,
    r: Record<D>,
) -> Result<Record<D>> {
    if visible_of(conn, actor, &[&r]).await?.contains(&r.id) {
        Ok(r)
    } else {
        Err(AppError::NotFound)
    }
}

/// Answers 404 unless the account, contact, lead or activity `id` is live and in the actor's view
/// (what notes hang on and what the audit trail of a limited viewer may show).
pub(crate) async fn require_visible(
    conn: &mut Conn,
    actor: &Actor,
    kind: RecordKind,
    id: Id,
) -> Result<()> {
    match kind {
        RecordKind::Account => load_visible::<AccountData>(conn, actor, id)
            .await
            .map(|_| ()),
        RecordKind::Contact => load_visible::<ContactData>(conn, actor, id)
            .await
            .map(|_| ()),
        RecordKind::Lead => load_visible::<LeadData>(conn, actor, id).await.map(|_| ()),
        RecordKind::Activity => load_visible::<ActivityData>(conn, actor, id)
            .await
            .map(|_| ()),
        RecordKind::Deal => load_visible::<DealData>(conn, actor, id).await.map(|_| ()),
        _ => Err(AppError::NotFound),
    }
}

/// Which of `ids` are live records of kind `D` in the actor's view.
async fn visible_ids<D: Table>(conn: &mut Conn, actor: &Actor, ids: &[Id]) -> Result<HashSet<Id>> {
    let found = store::get_many::<D>(conn, ids).await?;
    let live: Vec<&Record<D>> = found
        .iter()
        .filter(|r| r.meta.deleted_at.is_none())
        .collect();
    visible_of(conn, actor, &live).await
}

/// A live record the actor may see, or 404.
pub async fn load_visible<D: Table>(conn: &mut Conn, actor: &Actor, id: Id) -> Result<Record<D>> {
    let r = load_live::<D>(conn, id).await?;
    in_view(conn, actor, r).await
}

pub async fn get<D: Kind>(app: &App, actor: &Actor, id: Id) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<D>(&mut conn, actor, id).await
}

pub async fn list<D: Kind>(
    app: &App,
    actor: &Actor,
    params: &[(String, String)],
) -> Result<Listed<D>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    // Custom field definitions matter only to filters that name one.
    let defs = if params.iter().any(|(k, _)| k.starts_with("filter[custom.")) {
        defs_store::list(&mut conn, Some(D::KIND)).await?
    } else {
        Vec::new()
    };
    let mut q: ListQuery =
        parse_list(D::KIND.plural(), params, D::fields(), &defs).map_err(AppError::BadQuery)?;
    q.view = actor.view.clone();
    let page = store::list::<D>(&mut conn, &q).await?;
    Ok(Listed {
        next_cursor: page.next.map(|(keys, seq)| encode_cursor(&q, &keys, seq)),
        rows: page.rows,
    })
}

/// Everything a batch of writes needs checked against the database at once.
struct Batch<'a> {
    now: DateTime<Utc>,
    defs: Vec<CustomField>,
    check: Check,
    /// (item path prefix, reference) of every link that changed.
    refs: Vec<(String, Reference)>,
    actor: &'a Actor,
    /// The territories whose rules place new records (empty for updates).
    territories: Vec<Territory>,
    /// The company settings, for kinds that use them.
    settings: Settings,
}

impl<'a> Batch<'a> {
    fn new(defs: Vec<CustomField>, actor: &'a Actor, now: DateTime<Utc>) -> Batch<'a> {
        Batch {
            now,
            defs,
            check: Check::new(),
            refs: Vec::new(),
            actor,
            territories: Vec::new(),
            settings: Settings::default(),
        }
    }

    /// Reads the company settings, for a batch of a kind that uses them.
    async fn with_settings<D: Kind>(mut self, conn: &mut Conn) -> Result<Batch<'a>> {
        if D::USES_SETTINGS {
            self.settings = crate::settings::load(conn).await?;
        }
        Ok(self)
    }

    /// Reads the territories, for a batch that creates records of a kind they place.
    async fn with_territories<D: Kind>(mut self, conn: &mut Conn) -> Result<Batch<'a>> {
        if D::TERRITORY == store::TerritoryLink::Own {
            let mut territories = cartera_store::territories::list(conn).await?;
            // A territory whose owner was deactivated still places records, but no longer
            // gives them away: they stay with their creator instead of being refused.
            let owners: Vec<Id> = territories.iter().filter_map(|t| t.owner_id).collect();
            let active = crate::users::active_ids(conn, &owners).await?;
            for t in &mut territories {
                t.owner_id = t.owner_id.filter(|o| active.contains(o));
            }
            self.territories = territories;
        }
        Ok(self)
    }

    async fn load<D: Kind>(
        conn: &mut Conn,
        actor: &'a Actor,
        now: DateTime<Utc>,
    ) -> Result<Batch<'a>> {
        Batch::new(defs_store::list(conn, Some(D::KIND)).await?, actor, now)
            .with_settings::<D>(conn)
            .await
    }

    /// Reads, normalises and checks one new record.
    fn prepare_create<D: Kind>(&mut self, mut input: Value, prefix: &str) -> Option<Record<D>> {
        let named_owner = matches!(&input, Value::Object(m) if m.contains_key("owner_id"));
        // A record nobody owns falls out of every portfolio: default to its creator.
        if let Value::Object(m) = &mut input
            && !named_owner
        {
            m.insert(
                "owner_id".into(),
                Value::String(self.actor.user_id.to_string()),
            );
        }
        let mut data: D = match from_input(input) {
            Ok(d) => d,
            Err(v) => {
                self.push(prefixed(v, prefix));
                return None;
            }
        };
        data.complete(None, &self.settings);
        // The territory rules place a record its creator did not place, and give it to
        // the territory's owner unless the creator named one.
        if data.territory_id().is_none()
            && let Some(place) = data.place()
            && let Some(t) = territories::assign(&self.territories, &place)
        {
            let owner = if named_owner { None } else { t.owner_id };
            data.assign_territory(t.id, owner);
        }
        let mut c = Check::with_prefix(prefix);
        data.validate(today(self.now), &mut c);
        validate_values(data.custom_mut(), None, &self.defs, &mut c);
        D::check_transition(None, &data, &mut c);
        let ok = c.is_ok();
        self.check.extend(c);
        for r in data.references() {
            self.refs.push((prefix.to_owned(), r));
        }
        ok.then(|| Record {
            id: Id::new(),
            data,
            meta: Meta::new(self.now, Some(self.actor.user_id)),
        })
    }

    /// Applies a patch to a record and checks the result; `None` when it breaks a rule.
    fn prepare_update<D: Kind>(
        &mut self,
        old: &Record<D>,
        patch: Value,
        prefix: &str,
    ) -> Option<Record<D>> {
        let mut data = match apply_patch(old, patch) {
            Ok(d) => d,
            Err(v) => {
                self.push(prefixed(v, prefix));
                return None;
            }
        };
        data.complete(Some(&old.data), &self.settings);
        let mut c = Check::with_prefix(prefix);
        data.validate(today(self.now), &mut c);
        validate_values(
            data.custom_mut(),
            Some(old.data.custom()),
            &self.defs,
            &mut c,
        );
        D::check_transition(Some(&old.data), &data, &mut c);
        let ok = c.is_ok();
        self.check.extend(c);
        let before = old.data.references();
        for r in data.references() {
            if !before.contains(&r) {
                self.refs.push((prefix.to_owned(), r));
            }
        }
        ok.then(|| {
            let mut meta = old.meta.clone();
            if data != old.data {
                meta.version += 1;
                meta.updated_at = self.now;
            }
            Record {
                id: old.id,
                data,
                meta,
            }
        })
    }

    fn push(&mut self, v: Vec<Violation>) {
        let mut c = Check::new();
        for x in v {
            c.add(&x.field, x.code, x.message);
        }
        self.check.extend(c);
    }

    /// Checks that every changed link points at a live record.
    async fn check_references(&mut self, conn: &mut Conn) -> Result<()> {
        let mut wanted: HashMap<RecordKind, Vec<Id>> = HashMap::new();
        for (_, r) in &self.refs {
            wanted.entry(r.target).or_default().push(r.id);
        }
        // An import's rows all name the same owner: ask once per id.
        for ids in wanted.values_mut() {
            ids.sort();
            ids.dedup();
        }
        let mut found: HashMap<RecordKind, HashSet<Id>> = HashMap::new();
        // Someone who sees part of the records may link only to those (a link to the
        // others answers as if they did not exist).
        let limited = self.actor.limited();
        for (kind, ids) in wanted {
            let live = match kind {
                RecordKind::User => crate::users::active_ids(conn, &ids).await?,
                RecordKind::Territory => cartera_store::territories::existing(conn, &ids).await?,
                RecordKind::Account if limited => {
                    visible_ids::<AccountData>(conn, self.actor, &ids).await?
                }
                RecordKind::Contact if limited => {
                    visible_ids::<ContactData>(conn, self.actor, &ids).await?
                }
                RecordKind::Lead if limited => {
                    visible_ids::<LeadData>(conn, self.actor, &ids).await?
                }
                RecordKind::Deal if limited => {
                    visible_ids::<DealData>(conn, self.actor, &ids).await?
                }
                RecordKind::Account => store::live_ids(conn, "accounts", &ids).await?,
                RecordKind::Contact => store::live_ids(conn, "contacts", &ids).await?,
                RecordKind::Lead => store::live_ids(conn, "leads", &ids).await?,
                RecordKind::Deal => store::live_ids(conn, "deals", &ids).await?,
                _ => HashSet::new(),
            };
            found.insert(kind, live);
        }
        for (prefix, r) in std::mem::take(&mut self.refs) {
            if !found.get(&r.target).is_some_and(|s| s.contains(&r.id)) {
                let what = match r.target {
                    RecordKind::User => "active user",
                    RecordKind::Account => "account",
                    RecordKind::Contact => "contact",
                    RecordKind::Lead => "lead",
                    RecordKind::Deal => "deal",
                    RecordKind::Territory => "territory",
                    _ => "record",
                };
                self.check.add(
                    &format!("{prefix}{}", r.field),
                    Code::NotFound,
                    format!("there is no {what} with id {}", r.id),
                );
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        self.check.finish().map_err(AppError::Invalid)
    }

    fn into_error(self) -> AppError {
        AppError::Invalid(self.check.violations())
    }
}

/// Finds live records (other than the ones written) that share a duplicate key with the
/// records being written, and repeats within the batch itself.
async fn check_duplicates<D: Kind>(
    conn: &mut Conn,
    actor: &Actor,
    items: &[(String, &Record<D>, Vec<DuplicateKey>)],
) -> Result<()> {
    let all: Vec<DuplicateKey> = items
        .iter()
        .flat_map(|(_, _, k)| k.iter().cloned())
        .collect();
    if all.is_empty() {
        return Ok(());
    }
    let writing: HashSet<Id> = items.iter().map(|(_, r, _)| r.id).collect();
    let hits = store::find_duplicates::<D>(conn, &all).await?;
    let mut by_key: HashMap<&DuplicateKey, Vec<Id>> = HashMap::new();
    for h in &hits {
        if !writing.contains(&h.record_id) {
            by_key.entry(&h.key).or_default().push(h.record_id);
        }
    }
    // (input prefix, candidate id) -> keys matched
    let mut matches: Vec<(String, Id, Vec<KeyKind>)> = Vec::new();
    let mut violations = Check::new();
    let mut seen_in_batch: HashMap<&DuplicateKey, (&str, Id)> = HashMap::new();
    for (prefix, rec, keys) in items {
        for k in keys {
            for other in by_key.get(k).into_iter().flatten() {
                match matches
                    .iter_mut()
                    .find(|(p, id, _)| p == prefix && id == other)
                {
                    Some((_, _, kinds)) if !kinds.contains(&k.kind) => kinds.push(k.kind),
                    Some(_) => {}
                    None => matches.push((prefix.clone(), *other, vec![k.kind])),
                }
            }
            if let Some((first, first_id)) = seen_in_batch.get(k) {
                if *first_id != rec.id {
                    violations.add(
                        &format!("{prefix}{}", D::key_field(k.kind)),
                        Code::Duplicate,
                        format!(
                            "repeats the {} of {}",
                            k.kind.as_str(),
                            first.trim_end_matches('.')
                        ),
                    );
                }
            } else {
                seen_in_batch.insert(k, (prefix.as_str(), rec.id));
            }
        }
    }
    if matches.is_empty() && violations.is_ok() {
        return Ok(());
    }
    let ids: Vec<Id> = matches.iter().map(|(_, id, _)| *id).collect();
    let found = store::get_many::<D>(conn, &ids).await?;
    let visible = visible_of(conn, actor, &found.iter().collect::<Vec<_>>()).await?;
    let mut candidates = Vec::new();
    for (prefix, id, mut kinds) in matches {
        let Some(r) = found.iter().find(|r| r.id == id) else {
            continue;
        };
        // Keys are matched by fingerprint: keep only kinds the candidate really shares.
        let theirs = r.data.duplicate_keys();
        let ours = items
            .iter()
            .find(|(p, _, _)| *p == prefix)
            .map(|(_, _, k)| k);
        kinds.retain(|kind| {
            theirs
                .iter()
                .any(|t| t.kind == *kind && ours.is_some_and(|o| o.contains(t)))
        });
        if kinds.is_empty() {
            continue;
        }
        // A duplicate outside the caller's view still blocks, but shows nothing of itself.
        let (title, subtitle) = if visible.contains(&r.id) {
            (r.data.title(), r.data.subtitle())
        } else {
            ("a record outside your view".to_owned(), None)
        };
        for k in &kinds {
            violations.add(
                &format!("{prefix}{}", D::key_field(*k)),
                Code::Duplicate,
                format!(
                    "{} '{}' has the same {}",
                    D::KIND.as_str(),
                    title,
                    k.as_str()
                ),
            );
        }
        candidates.push(DuplicateCandidate {
            id,
            kind: D::KIND,
            title,
            subtitle,
            matched_on: kinds,
            input: (!prefix.is_empty()).then(|| prefix.trim_end_matches('.').to_owned()),
        });
    }
    if candidates.is_empty() && violations.is_ok() {
        return Ok(());
    }
    Err(AppError::Duplicate {
        candidates,
        violations: violations.violations(),
    })
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
async fn resolve_creates<D: Kind>(
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
async fn resolve_update<D: Kind>(
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
struct Planned<D> {
    recs: Vec<Record<D>>,
    prefixes: Vec<String>,
    keys: Vec<Vec<DuplicateKey>>,
    insert: store::InsertPlan,
    audit: Vec<Bound>,
}

fn plan_creates<D: Kind>(
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
    Ok(planned.recs)
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

fn stale(expected: i64, current: i64) -> AppError {
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
    cartera_store::audit::insert(
        conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Updated,
            D::KIND,
            new.id,
            diff(Some(&old.data), Some(&new.data)),
        )],
    )
    .await?;
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
            events.push(event(
                Some(actor),
                now,
                AuditAction::Updated,
                D::KIND,
                new.id,
                diff(Some(&old.data), Some(&new.data)),
            ));
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
        cartera_store::audit::insert(
            conn,
            &[event(
                Some(actor),
                now,
                AuditAction::Updated,
                D::KIND,
                new.id,
                diff(Some(&old.data), Some(&new.data)),
            )],
        )
        .await?;
    }
    Ok(())
}

/// Kinds whose duplicates can be merged.
pub trait Merge: Kind {
    /// Folds the data of `gone` (id `source`) into `self`; `self`'s own values win.
    fn absorb(&mut self, gone: &Self, source: Id);

    /// Re-points the records that refer to `from` at `to`, with their audit events.
    fn relink<'a>(
        conn: &'a mut Conn,
        actor: &'a Actor,
        now: DateTime<Utc>,
        from: Id,
        to: Id,
    ) -> impl Future<Output = Result<()>> + Send + 'a;
}

/// Folds `source` into `survivor`: the survivor absorbs the source's data, notes move
/// over, links are re-pointed, the source goes to the trash marked as merged.
pub async fn merge<D: Merge>(
    app: &App,
    actor: &Actor,
    survivor: Id,
    source: Id,
) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Edit)?;
    actor.permit(Module::of(D::KIND), Action::Delete)?;
    if survivor == source {
        return Err(AppError::Invalid(Violations::one(
            "source_id",
            Code::Invalid,
            "a record cannot be merged into itself",
        )));
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let keep = load_visible::<D>(&mut conn, actor, survivor).await?;
    let gone = match load_visible::<D>(&mut conn, actor, source).await {
        Err(AppError::NotFound) => {
            return Err(AppError::Invalid(Violations::one(
                "source_id",
                Code::NotFound,
                format!("there is no {} with id {source}", D::KIND.as_str()),
            )));
        }
        other => other?,
    };
    let mut merged = keep.clone();
    merged.data.absorb(&gone.data, source);
    let mut c = Check::new();
    merged.data.validate(today(now), &mut c);
    c.finish()?;
    merged.meta.version += 1;
    merged.meta.updated_at = now;

    // The source leaves first, so that its keys no longer count as duplicates.
    let mut trashed = gone.clone();
    trashed.meta.deleted_at = Some(now);
    trashed.meta.merged_into_id = Some(survivor);
    trashed.meta.updated_at = now;
    trashed.meta.version += 1;
    store::update(&mut conn, &gone, &trashed).await?;
    store::update(&mut conn, &keep, &merged).await?;
    cartera_store::notes::repoint(&mut conn, source, survivor, D::KIND).await?;
    cartera_store::shares::repoint(&mut conn, source, survivor).await?;
    D::relink(&mut conn, actor, now, source, survivor).await?;
    let mut changes = diff(Some(&keep.data), Some(&merged.data));
    changes.push(cartera_core::record::FieldChange {
        field: "merged_from".into(),
        old: Value::Null,
        new: Value::String(source.to_string()),
    });
    cartera_store::audit::insert(
        &mut conn,
        &[
            event(
                Some(actor),
                now,
                AuditAction::Merged,
                D::KIND,
                survivor,
                changes,
            ),
            event(
                Some(actor),
                now,
                AuditAction::MergedInto,
                D::KIND,
                source,
                vec![cartera_core::record::FieldChange {
                    field: "merged_into_id".into(),
                    old: Value::Null,
                    new: Value::String(survivor.to_string()),
                }],
            ),
        ],
    )
    .await?;
    conn.commit().await?;
    Ok(merged)
}

/// A row of an import, read and mapped: the record's input.
pub(crate) struct ImportInput {
    pub number: i64,
    pub input: Value,
    pub external_id: Option<String>,
}

/// What an import does with a row (or would do, in a dry run).
pub(crate) enum ImportResult {
    Created(Id),
    Updated(Id),
    /// Matched this record and left it alone; why.
    Skipped(Id, String),
    /// (field, message) of every problem.
    Rejected(Vec<(String, String)>),
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
    problems: Vec<Vec<(String, String)>>,
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
    let mut problems: Vec<Vec<(String, String)>> = vec![Vec::new(); n];
    sort_violations(std::mem::take(&mut batch.check), &mut problems);
    let prepared = recs
        .into_iter()
        .zip(&problems)
        .map(|(rec, p)| {
            let rec = rec?;
            let keys = rec.data.duplicate_keys();
            let encoded = (rule.write && p.is_empty()).then(|| {
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
fn sort_violations(check: Check, problems: &mut [Vec<(String, String)>]) {
    let n = problems.len();
    for v in check.into_violations() {
        let (i, field) = match v.field.split_once('.') {
            Some((i, f)) => (i.parse::<usize>().ok(), f.to_owned()),
            None => (v.field.parse::<usize>().ok(), String::new()),
        };
        if let Some(i) = i.filter(|i| *i < n) {
            problems[i].push((field, v.message));
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
        if !problems[i].is_empty() {
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
        let what = |id: &Id| -> String {
            match existing.get(id) {
                Some(r) if visible.contains(id) => {
                    format!("{} '{}'", D::KIND.as_str(), r.data.title())
                }
                _ => format!("a {} outside your view", D::KIND.as_str()),
            }
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
                        Some(first) => {
                            format!("repeats the {matched_name} of row {first}, {}", what(&id))
                        }
                        None => format!("{} has the same {matched_name}", what(&id)),
                    };
                    results[i] = Some(ImportResult::Skipped(id, why));
                    continue;
                }
                OnMatch::Update => {
                    let Some(old) = existing.get(&id).filter(|_| visible.contains(&id)) else {
                        results[i] = Some(ImportResult::Rejected(vec![(
                            String::new(),
                            format!("{} has the same {matched_name}", what(&id)),
                        )]));
                        continue;
                    };
                    if let Some(first) = earlier {
                        results[i] = Some(ImportResult::Rejected(vec![(
                            String::new(),
                            format!("row {first} already updates the same {}", D::KIND.as_str()),
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
                    let errs: Vec<(String, String)> = c
                        .check
                        .into_violations()
                        .into_iter()
                        .map(|v| (v.field, v.message))
                        .collect();
                    match new {
                        Some(new) if errs.is_empty() => {
                            if new.meta.version == old.meta.version {
                                results[i] = Some(ImportResult::Skipped(
                                    id,
                                    "the file says nothing new about it".into(),
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
                results[i] = Some(ImportResult::Skipped(
                    *id,
                    format!(
                        "repeats the {matched_name} of row {first}, {} '{title}'",
                        D::KIND.as_str()
                    ),
                ));
                continue;
            }
            if let Some((first, kind)) = repeats {
                results[i] = Some(ImportResult::Rejected(vec![(
                    D::key_field(kind).to_owned(),
                    format!("repeats the {} of row {first}", kind.as_str()),
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
                                format!("{} has the same {}", what(id), kind.as_str()),
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
            events.push(event(
                Some(actor),
                now,
                AuditAction::Updated,
                D::KIND,
                new.id,
                diff(Some(&old.data), Some(&new.data)),
            ));
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
