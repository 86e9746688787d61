//! What a batch of writes checks against the database at once: links and duplicates.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use cartera_core::custom_fields::{CustomField, validate_values};
use cartera_core::record::{
    DuplicateKey, KeyKind, Meta, Record, RecordKind, Reference, apply_patch, from_input,
};
use cartera_core::territories::{self, Territory};
use cartera_core::{Check, Code, Id, Violation, Violations};
use cartera_store::records as store;
use cartera_store::{Conn, custom_fields as defs_store};

use crate::error::DuplicateCandidate;
use crate::settings::Settings;
use crate::{Actor, AppError, Result};

use super::kind::Kind;
use super::registry::of as registered;
use super::visibility::visible_of;

/// The day a write happens on, for rules about dates.
pub(super) fn today(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
}

/// Re-roots violations under a bulk item's path (`create[3].`).
pub(super) fn prefixed(v: Violations, prefix: &str) -> Vec<Violation> {
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

/// Everything a batch of writes needs checked against the database at once.
pub(crate) struct Batch<'a> {
    pub(crate) now: DateTime<Utc>,
    pub(crate) defs: Vec<CustomField>,
    pub(crate) check: Check,
    /// (item path prefix, reference) of every link that changed.
    pub(crate) refs: Vec<(String, Reference)>,
    pub(crate) actor: &'a Actor,
    /// The territories whose rules place new records (empty for updates).
    pub(crate) territories: Vec<Territory>,
    /// The company settings, for kinds that use them.
    pub(crate) settings: Settings,
    /// The territory's owner takes the records its rules place, even those whose
    /// creator named an owner (the company setting of that name).
    pub(crate) territory_owner_wins: bool,
}

impl<'a> Batch<'a> {
    pub(crate) fn new(defs: Vec<CustomField>, actor: &'a Actor, now: DateTime<Utc>) -> Batch<'a> {
        Batch {
            now,
            defs,
            check: Check::new(),
            refs: Vec::new(),
            actor,
            territories: Vec::new(),
            settings: Settings::default(),
            territory_owner_wins: false,
        }
    }

    /// Reads the company settings, for a batch of a kind that uses them.
    pub(crate) async fn with_settings<D: Kind>(mut self, conn: &mut Conn) -> Result<Batch<'a>> {
        if D::USES_SETTINGS {
            self.settings = crate::settings::load(conn).await?;
        }
        Ok(self)
    }

    /// Reads the territories, for a batch that creates records of a kind they place.
    pub(crate) async fn with_territories<D: Kind>(mut self, conn: &mut Conn) -> Result<Batch<'a>> {
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
            self.territory_owner_wins = crate::settings::load(conn).await?.territory_owner_wins;
        }
        Ok(self)
    }

    pub(crate) async fn load<D: Kind>(
        conn: &mut Conn,
        actor: &'a Actor,
        now: DateTime<Utc>,
    ) -> Result<Batch<'a>> {
        Batch::new(defs_store::list(conn, Some(D::KIND)).await?, actor, now)
            .with_settings::<D>(conn)
            .await
    }

    /// Reads, normalises and checks one new record.
    pub(crate) fn prepare_create<D: Kind>(
        &mut self,
        mut input: Value,
        prefix: &str,
    ) -> Option<Record<D>> {
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
        // The territory rules place a record in its territory, and give it to the
        // territory's owner unless its creator named one (a person's form always
        // does): what a person creates is theirs. With `territory_owner_wins` the
        // territory's owner takes it anyway.
        if data.territory_id().is_none()
            && let Some(place) = data.place()
            && let Some(t) = territories::assign(&self.territories, &place)
        {
            let owner = if named_owner && !self.territory_owner_wins {
                None
            } else {
                t.owner_id
            };
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
    pub(crate) fn prepare_update<D: Kind>(
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

    pub(crate) fn push(&mut self, v: Vec<Violation>) {
        let mut c = Check::new();
        for x in v {
            c.add(&x.field, x.code, x.message);
        }
        self.check.extend(c);
    }

    /// Checks that every changed link points at a live record.
    pub(crate) async fn check_references(&mut self, conn: &mut Conn) -> Result<()> {
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
                _ if limited => match registered(kind) {
                    Some(entry) => entry.visible_ids(conn, self.actor, &ids).await?,
                    None => HashSet::new(),
                },
                _ => cartera_store::kinds::live_ids(conn, kind, &ids).await?,
            };
            found.insert(kind, live);
        }
        for (prefix, r) in std::mem::take(&mut self.refs) {
            if !found.get(&r.target).is_some_and(|s| s.contains(&r.id)) {
                let what = match r.target {
                    RecordKind::User => "active user".to_owned(),
                    other => other.as_str().replace('_', " "),
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

    pub(crate) fn finish(self) -> Result<()> {
        self.check.finish().map_err(AppError::Invalid)
    }

    pub(crate) fn into_error(self) -> AppError {
        AppError::Invalid(self.check.violations())
    }
}

/// Finds live records (other than the ones written) that share a duplicate key with the
/// records being written, and repeats within the batch itself.
pub(super) async fn check_duplicates<D: Kind>(
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
        // A duplicate outside the caller's view still blocks, but shows nothing of
        // itself: neither its name nor its id (an id would let the caller probe it).
        let shown = visible.contains(&r.id);
        let (title, subtitle) = if shown {
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
        if !shown {
            continue;
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
