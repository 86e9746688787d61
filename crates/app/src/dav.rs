//! Calendar and address book sync (CalDAV, CardDAV), the read-only iCalendar feed, and
//! vCard import and export.
//!
//! A collection's change log is kept by comparison: every DAV request first *refreshes*
//! the collection, setting what the user should see now (their activities with a day or
//! a start; the contacts their role shows them) against the resources served before. A
//! new, changed or vanished record takes the collection's next revision, whoever changed
//! it and however (API, page, import, a role or territory change). A sync token is the
//! collection and a revision, and sync-collection answers the resources changed after it.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::contacts::ContactData;
use cartera_core::dav::{
    self as core, CardItem, Collection, CollectionKind, DataError, Item, etag,
};
use cartera_core::record::Record;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, RecordKind, Violation, Violations};
use cartera_store::activities as activities_store;
use cartera_store::dav as store;
use cartera_store::records as records_store;

use crate::auth::account_event;
use crate::events;
use crate::records::{self, Kind, WriteOptions};
use crate::{Actor, App, AppError, Result};

/// A collection as the user sees it now: its revision, every resource (tombstones
/// included) and the body of each live one.
pub struct Snapshot {
    pub collection: Collection,
    pub items: Vec<Item>,
    pub bodies: HashMap<Id, String>,
    /// Records the user sees but may not change from a client: activities they attend
    /// and someone else owns.
    pub read_only: HashSet<Id>,
}

impl Snapshot {
    /// The live resource at `href`.
    pub fn live(&self, href: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.href == href && !i.deleted)
    }

    pub fn body(&self, item: &Item) -> Option<&str> {
        self.bodies.get(&item.record_id).map(String::as_str)
    }
}

fn module(kind: CollectionKind) -> Module {
    match kind {
        CollectionKind::Calendar => Module::Activities,
        CollectionKind::Contacts => Module::Contacts,
    }
}

/// A record a collection shows, ready to be written under any UID.
enum Shown {
    Activity(Record<ActivityData>),
    Contact(Record<ContactData>, Option<String>),
}

impl Shown {
    fn id(&self) -> Id {
        match self {
            Shown::Activity(r) => r.id,
            Shown::Contact(r, _) => r.id,
        }
    }

    fn version(&self) -> i64 {
        match self {
            Shown::Activity(r) => r.meta.version,
            Shown::Contact(r, _) => r.meta.version,
        }
    }

    /// The iCalendar object or vCard, under the UID its client knows it by.
    fn render(&self, uid: &str) -> String {
        match self {
            Shown::Activity(r) => {
                core::write_calendar(uid, &r.data, r.meta.updated_at, r.meta.version)
            }
            Shown::Contact(r, account) => {
                core::write_card(uid, &r.data, account.as_deref(), r.meta.updated_at)
            }
        }
    }
}

/// The records the user sees in a collection now.
async fn current(
    conn: &mut cartera_store::Conn,
    actor: &Actor,
    kind: CollectionKind,
) -> Result<Vec<Shown>> {
    Ok(match kind {
        // Their own activities and those they attend (read-only: see `put`).
        CollectionKind::Calendar => activities_store::on_agenda(conn, actor.user_id, None)
            .await?
            .into_iter()
            .filter(|r| core::on_calendar(&r.data))
            .map(Shown::Activity)
            .collect(),
        CollectionKind::Contacts => {
            let contacts = store::visible_contacts(conn, actor.view.as_deref()).await?;
            let names = account_names(conn, &contacts).await?;
            contacts
                .into_iter()
                .map(|r| {
                    let account = r.data.account_id.and_then(|a| names.get(&a)).cloned();
                    Shown::Contact(r, account)
                })
                .collect()
        }
    })
}

async fn account_names(
    conn: &mut cartera_store::Conn,
    contacts: &[Record<ContactData>],
) -> Result<HashMap<Id, String>> {
    let ids: Vec<Id> = contacts
        .iter()
        .filter_map(|c| c.data.account_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(records_store::get_many::<AccountData>(conn, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.data.name))
        .collect())
}

/// Brings a collection's change log up to date and answers what the user sees now.
pub async fn snapshot(app: &App, actor: &Actor, kind: CollectionKind) -> Result<Snapshot> {
    actor.permit(module(kind), Action::Read)?;
    // Most syncs find nothing new: compare on a reader, and take the writer (SQLite's
    // only one) just when there is something to record.
    let mut reader = app.db.reader().await?;
    if let Some(collection) = store::find_collection(&mut reader, actor.user_id, kind).await? {
        let plan = plan(&mut reader, actor, kind, collection).await?;
        if plan.changed.is_empty() {
            return Ok(plan.finish());
        }
    }
    drop(reader);
    let mut conn = app.db.begin().await?;
    let collection = store::collection(&mut conn, actor.user_id, kind).await?;
    let mut plan = plan(&mut conn, actor, kind, collection).await?;
    if !plan.changed.is_empty() {
        let revision = store::bump(&mut conn, plan.collection.id).await?;
        plan.collection.revision = revision;
        for item in &mut plan.changed {
            item.revision = revision;
            store::put_item(&mut conn, plan.collection.id, item).await?;
        }
        plan.items = store::items(&mut conn, plan.collection.id).await?;
    }
    conn.commit().await?;
    Ok(plan.finish())
}

/// A collection compared with what the user should see now.
struct Plan {
    user: Id,
    collection: Collection,
    now: Vec<Shown>,
    items: Vec<Item>,
    /// New, changed and vanished resources, not yet given a revision.
    changed: Vec<Item>,
}

impl Plan {
    /// The snapshot, with each live resource written under its UID.
    fn finish(self) -> Snapshot {
        let uids: HashMap<Id, &str> = self
            .items
            .iter()
            .filter(|i| !i.deleted)
            .map(|i| (i.record_id, i.uid.as_str()))
            .collect();
        let bodies = self
            .now
            .iter()
            .filter_map(|r| uids.get(&r.id()).map(|uid| (r.id(), r.render(uid))))
            .collect();
        let read_only = self
            .now
            .iter()
            .filter_map(|r| match r {
                Shown::Activity(a) if a.data.owner_id != Some(self.user) => Some(a.id),
                _ => None,
            })
            .collect();
        Snapshot {
            collection: self.collection,
            items: self.items,
            bodies,
            read_only,
        }
    }
}

async fn plan(
    conn: &mut cartera_store::Conn,
    actor: &Actor,
    kind: CollectionKind,
    collection: Collection,
) -> Result<Plan> {
    let now: Vec<Shown> = current(conn, actor, kind).await?;
    let items = store::items(conn, collection.id).await?;
    let mut changed: Vec<Item> = Vec::new();
    let seen: HashSet<Id> = now.iter().map(Shown::id).collect();
    let mut live: HashMap<Id, &Item> = HashMap::new();
    let mut any: HashMap<Id, &Item> = HashMap::new();
    for item in &items {
        any.insert(item.record_id, item);
        if !item.deleted {
            live.insert(item.record_id, item);
        }
    }
    for shown in &now {
        let id = shown.id();
        let tag = etag(shown.version());
        match live.get(&id) {
            Some(item) if item.etag == tag => {}
            Some(item) => {
                let mut item = (*item).clone();
                item.etag = tag;
                changed.push(item);
            }
            None => {
                // A record that comes back (restored, shared again) keeps its old name.
                let (href, uid) = any.get(&id).map_or_else(
                    || (format!("{id}.{}", kind.extension()), id.to_string()),
                    |x| (x.href.clone(), x.uid.clone()),
                );
                changed.push(Item {
                    href,
                    record_id: id,
                    uid,
                    etag: tag,
                    revision: 0,
                    deleted: false,
                });
            }
        }
    }
    for item in items
        .iter()
        .filter(|i| !i.deleted && !seen.contains(&i.record_id))
    {
        let mut gone = item.clone();
        gone.deleted = true;
        changed.push(gone);
    }
    Ok(Plan {
        user: actor.user_id,
        collection,
        now,
        items,
        changed,
    })
}

/// What a PUT did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub created: bool,
    pub etag: String,
}

/// The preconditions of a PUT or DELETE.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// `If-Match`: the ETag the client last read (`*`: any).
    pub if_match: Option<String>,
    /// `If-None-Match: *`: only create.
    pub if_none_match_any: bool,
}

/// A failed If-Match / If-None-Match (412); the DAV layer words its own answer.
fn precondition(_why: &str) -> AppError {
    AppError::Stale {
        expected: -1,
        current: -1,
    }
}

fn check_conditions(existing: Option<&Item>, c: &Conditions) -> Result<()> {
    match (existing, &c.if_match) {
        (None, Some(_)) => return Err(precondition("nothing at this address")),
        (Some(i), Some(tag)) if tag != "*" && tag != &i.etag => {
            return Err(precondition("the resource changed"));
        }
        _ => {}
    }
    if c.if_none_match_any && existing.is_some() {
        return Err(precondition("the resource exists"));
    }
    Ok(())
}

/// A client's calendar object or vCard that Cartera cannot take (a 4xx naming the
/// property).
fn data_error(e: DataError) -> AppError {
    match e {
        DataError::Malformed(m) => AppError::Invalid(Violations::one("body", Code::Invalid, m)),
        DataError::Invalid { field, message } => {
            AppError::Invalid(Violations::one(field, Code::Invalid, message))
        }
        DataError::TooLarge(m) => AppError::TooLarge(m),
    }
}

/// An activity the user attends but does not own is theirs to see, not to change: the
/// owner keeps it (a phone's accepting or moving it would move it for everyone).
fn refuse_read_only(snap: &Snapshot, item: Option<&Item>) -> Result<()> {
    match item {
        Some(i) if snap.read_only.contains(&i.record_id) => Err(AppError::Forbidden(
            "you attend this activity; its owner changes it".into(),
        )),
        _ => Ok(()),
    }
}

/// Writes a client's resource as a record of `D`: changes the one behind `existing` (its
/// ETag is the version the client read), or creates one. Returns the record's id and
/// version, and whether it was created.
async fn write_record<D: Kind>(
    app: &App,
    actor: &Actor,
    existing: Option<&Item>,
    patch: Value,
    create: Value,
) -> Result<(Id, i64, bool)> {
    // A phone's address book is not the place to argue about duplicates.
    let opts = WriteOptions {
        allow_duplicate: true,
    };
    let (r, created) = match existing {
        Some(item) => {
            let expected = item
                .etag
                .trim_matches('"')
                .strip_prefix('v')
                .and_then(|v| v.parse::<i64>().ok());
            let r = records::update::<D>(app, actor, item.record_id, patch, expected, opts).await?;
            (r, false)
        }
        None => (
            records::create::<D>(app, actor, vec![create], opts)
                .await?
                .remove(0),
            true,
        ),
    };
    Ok((r.id, r.meta.version, created))
}

/// Stores a client's resource at `href` in the user's collection: creates the record,
/// or changes the one already there.
pub async fn put(
    app: &App,
    actor: &Actor,
    kind: CollectionKind,
    href: &str,
    body: &str,
    conditions: &Conditions,
) -> Result<Stored> {
    if !core::valid_resource_name(href) {
        return Err(AppError::Invalid(Violations::one(
            "href",
            Code::Invalid,
            "not a valid resource name",
        )));
    }
    let snap = snapshot(app, actor, kind).await?;
    let existing = snap.live(href).cloned();
    check_conditions(existing.as_ref(), conditions)?;
    refuse_read_only(&snap, existing.as_ref())?;
    let (uid, patch, create) = match kind {
        CollectionKind::Calendar => {
            let item = core::parse_calendar(body).map_err(data_error)?;
            let input = item.input(actor.user_id);
            (Some(item.uid.clone()), item.patch(), input)
        }
        CollectionKind::Contacts => {
            let item: CardItem = core::parse_card(body).map_err(data_error)?;
            (item.uid.clone(), item.patch(), item.patch())
        }
    };
    let uid = uid
        .or_else(|| existing.as_ref().map(|e| e.uid.clone()))
        .unwrap_or_else(|| href.to_owned());
    // One UID, one resource (RFC 4791 §5.3.2.1 no-uid-conflict).
    if snap
        .items
        .iter()
        .any(|i| !i.deleted && i.uid == uid && i.href != href)
    {
        return Err(AppError::Conflict(format!(
            "another resource of this collection has the UID {uid}"
        )));
    }
    let (id, new_version, created) = match kind {
        CollectionKind::Calendar => {
            write_record::<ActivityData>(app, actor, existing.as_ref(), patch, create).await?
        }
        CollectionKind::Contacts => {
            write_record::<ContactData>(app, actor, existing.as_ref(), patch, create).await?
        }
    };
    let tag = etag(new_version);
    let mut conn = app.db.begin().await?;
    let revision = store::bump(&mut conn, snap.collection.id).await?;
    store::put_item(
        &mut conn,
        snap.collection.id,
        &Item {
            href: href.to_owned(),
            record_id: id,
            uid,
            etag: tag.clone(),
            revision,
            deleted: false,
        },
    )
    .await?;
    conn.commit().await?;
    Ok(Stored { created, etag: tag })
}

/// Deletes the record behind a client's resource (to the trash, as in the app).
pub async fn delete(
    app: &App,
    actor: &Actor,
    kind: CollectionKind,
    href: &str,
    conditions: &Conditions,
) -> Result<()> {
    let snap = snapshot(app, actor, kind).await?;
    let Some(item) = snap.live(href).cloned() else {
        return Err(AppError::NotFound);
    };
    check_conditions(Some(&item), conditions)?;
    refuse_read_only(&snap, Some(&item))?;
    match kind {
        CollectionKind::Calendar => {
            records::delete::<ActivityData>(app, actor, item.record_id, None).await?;
        }
        CollectionKind::Contacts => {
            records::delete::<ContactData>(app, actor, item.record_id, None).await?;
        }
    }
    // Record the tombstone now, so the next sync reports it.
    snapshot(app, actor, kind).await?;
    Ok(())
}

/// The user whose feed secret this is, with their activities as one iCalendar.
pub async fn feed(app: &App, secret: &str) -> Result<String> {
    if !secret.starts_with(FEED_PREFIX) || secret.len() > 200 {
        return Err(AppError::NotFound);
    }
    let mut conn = app.db.reader().await?;
    let user = store::feed_user(&mut conn, &cartera_core::users::token_hash(secret))
        .await?
        .ok_or(AppError::NotFound)?;
    let active = cartera_store::users::by_id(&mut conn, user)
        .await?
        .is_some_and(|u| u.active);
    if !active {
        return Err(AppError::NotFound);
    }
    let rows = activities_store::on_agenda(&mut conn, user, None).await?;
    let mut cal = icalendar_calendar();
    for r in rows.iter().filter(|r| core::on_calendar(&r.data)) {
        core::push_component(
            &mut cal,
            &r.id.to_string(),
            &r.data,
            r.meta.updated_at,
            r.meta.version,
        );
    }
    Ok(cal.to_string())
}

fn icalendar_calendar() -> icalendar::Calendar {
    let mut cal = core::new_calendar();
    cal.name("Cartera");
    cal
}

/// The prefix of a feed secret (so that it is recognisable in a leak report).
pub const FEED_PREFIX: &str = "cfeed_";

/// Whether the user has a feed link, and since when.
pub async fn feed_since(app: &App, actor: &Actor) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    let mut conn = app.db.reader().await?;
    Ok(store::feed_created(&mut conn, actor.user_id).await?)
}

/// Makes (or replaces) the user's feed secret; it is shown once.
pub async fn rotate_feed(app: &App, actor: &Actor) -> Result<String> {
    actor.permit(Module::Activities, Action::Read)?;
    let secret = crate::secrets::new_secret(FEED_PREFIX)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::set_feed(
        &mut conn,
        actor.user_id,
        &cartera_core::users::token_hash(&secret),
        now,
    )
    .await?;
    let rotated = events::set("calendar_feed", "rotated");
    let feed = account_event(actor, now, actor.user_id, vec![rotated]);
    events::write(&mut conn, feed).await?;
    conn.commit().await?;
    Ok(secret)
}

/// Every contact the actor sees as vCard 4.0, with the same right (`export`) and the
/// same audit event as the CSV export.
pub async fn export_vcards(app: &App, actor: &Actor) -> Result<(String, usize)> {
    actor.permit(Module::Contacts, Action::Export)?;
    actor.permit(Module::Contacts, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let contacts = store::visible_contacts(&mut conn, actor.view.as_deref()).await?;
    let names = account_names(&mut conn, &contacts).await?;
    drop(conn);
    let mut out = String::new();
    for r in &contacts {
        let account = r
            .data
            .account_id
            .and_then(|a| names.get(&a))
            .map(String::as_str);
        out.push_str(&core::write_card(
            &r.id.to_string(),
            &r.data,
            account,
            r.meta.updated_at,
        ));
    }
    let rows = contacts.len().into();
    crate::io::record_export(app, actor, app.now(), RecordKind::Contact, "vcf", "", rows).await?;
    Ok((out, contacts.len()))
}

/// Creates a contact from every vCard in `text`: all or nothing. Errors name the card
/// (`cards[2].EMAIL`, `cards[0].emails[0].address`).
pub async fn import_vcards(
    app: &App,
    actor: &Actor,
    text: &str,
) -> Result<Vec<Record<ContactData>>> {
    actor.permit(Module::Contacts, Action::Create)?;
    let cards = core::parse_cards(text).map_err(|e| match e {
        DataError::Malformed(m) => AppError::Invalid(Violations::one("cards", Code::Invalid, m)),
        DataError::Invalid { field, message } => {
            AppError::Invalid(Violations::one(field, Code::Invalid, message))
        }
        DataError::TooLarge(m) => AppError::TooLarge(m),
    })?;
    let mut violations = Vec::new();
    let mut inputs = Vec::new();
    for (i, card) in cards.into_iter().enumerate() {
        match card {
            Ok(c) => inputs.push(c.patch()),
            Err(DataError::Malformed(m)) => violations.push(Violation {
                field: format!("cards[{i}]"),
                code: Code::Invalid,
                message: m,
            }),
            Err(DataError::Invalid { field, message }) => violations.push(Violation {
                field: format!("cards[{i}].{field}"),
                code: Code::Invalid,
                message,
            }),
            Err(DataError::TooLarge(m)) => return Err(AppError::TooLarge(m)),
        }
    }
    if !violations.is_empty() {
        return Err(AppError::Invalid(Violations::new(violations)));
    }
    let single = inputs.len() == 1;
    records::create::<ContactData>(app, actor, inputs, WriteOptions::default())
        .await
        .map_err(|e| rename_items(e, single))
}

/// `create[3].emails` -> `cards[3].emails` (and a lone card's bare fields -> `cards[0].`).
fn rename_items(e: AppError, single: bool) -> AppError {
    let fix = |v: Violations| {
        Violations(
            v.0.into_iter()
                .map(|mut x| {
                    x.field = if let Some(rest) = x.field.strip_prefix("create[") {
                        format!("cards[{rest}")
                    } else if single {
                        format!("cards[0].{}", x.field)
                    } else {
                        x.field
                    };
                    x
                })
                .collect(),
            v.1,
        )
    };
    match e {
        AppError::Invalid(v) => AppError::Invalid(fix(v)),
        AppError::Duplicate {
            candidates,
            violations,
        } => AppError::Duplicate {
            candidates,
            violations: fix(violations),
        },
        e => e,
    }
}
