//! The one write path of versioned settings objects: the things an admin configures
//! (quotas, commission plans, pipelines, products, price lists, teams, territories,
//! roles, custom fields, activity targets, follow-up rules, the company settings) and
//! that later ones (rules, campaigns, segments, dashboards, loyalty programmes) will join.
//!
//! Each object says what is its own by implementing [`Versioned`]: who may write it,
//! how it is read and stored, what makes it valid and what its audit event records.
//! [`write`] does the rest, always in the same order, so no object can forget a step:
//!
//! permit -> load -> version check -> change -> validate -> (nothing changed: done) ->
//! store -> audit -> commit.
//!
//! What is the same in every object but for names is written once here too: the
//! accessors of an object whose version is a field ([`stamped!`]), loading and storing
//! through its store functions ([`stored!`]), the answer to a concurrent writer
//! ([`Conflict`]), reading one ([`get`]), copying the fields a change gives
//! ([`given!`]), and the objects that are one row of the settings table ([`Singleton`]).
//!
//! Why a trait and one function rather than a macro or a copied template: see
//! `docs/decisions/settings.md`.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use cartera_core::audit::AuditAction;
use cartera_core::record::{FieldChange, RecordKind, deserialize, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::{Conn, StoreError};

use crate::events;
use crate::{Actor, App, AppError, Result, check_version};

/// The step of a write, for the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Create,
    Update,
    Delete,
}

/// A settings object with a version: what [`write`] needs to know of it.
pub(crate) trait Versioned: Clone + PartialEq + Serialize + Send + Sync + Sized {
    /// The kind its audit events name.
    const KIND: RecordKind;
    /// The module whose permission writes it (and reads it: [`get`]).
    const MODULE: Module;
    /// What it answers when another writer changed it during this one.
    const CONFLICT: Conflict;
    /// The fields its audit events record: those that differ (all of them on creation).
    /// Empty for an object that says its changes otherwise, in [`Self::changes`].
    const FIELDS: &'static [&'static str];

    /// The action a step needs in [`Self::MODULE`]; most objects are an admin's alone.
    fn action(_step: Step) -> Action {
        Action::Admin
    }

    fn id(&self) -> Id;

    /// The version a writer's `If-Match` is compared with (0 for an object that has
    /// none, such as the company settings).
    fn version(&self) -> i64;

    /// Marks a changed object as `version`, changed at `now`.
    fn stamp(&mut self, version: i64, now: DateTime<Utc>);

    /// Tidies what a writer gave (trimming, sorting, dropping duplicates) before it is
    /// checked; the object's own rules, where it has some.
    fn normalize(&mut self) {}

    /// The object as stored (`None`: there is none, 404).
    fn load(conn: &mut Conn, id: Id) -> impl Future<Output = Result<Option<Self>>> + Send;

    /// Adds what is wrong with `new` to `c` (or fails at once, for a problem that must
    /// be reported alone); may complete `new` from the database. `old` is the stored
    /// object, `None` on creation.
    fn validate(
        conn: &mut Conn,
        old: Option<&Self>,
        new: &mut Self,
        c: &mut Check,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert(
        conn: &mut Conn,
        new: &Self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Writes `new` over the stored object if it is still at `expected`; false when
    /// another writer got there first.
    fn update(
        conn: &mut Conn,
        new: &Self,
        expected: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// What its audit event records: the [`Self::FIELDS`] that differ (all of them on
    /// creation).
    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        events::changed_fields(old, new, Self::FIELDS)
    }
}

/// What an object (or a [`crate::documents::Document`]) answers when another writer
/// changed it between its load and its store (each keeps the answer its API documents).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Conflict {
    /// 422, a `conflict` violation on the whole body with this message.
    Violation(&'static str),
    /// 409 with this message.
    Refused(&'static str),
    /// 412, as a stale `If-Match`: the version read, and the one after it.
    Stale,
    /// 412 naming the version read as the current one too (quotes always answered so).
    StaleAsRead,
}

impl Conflict {
    /// The error, for an object read at `version`.
    pub(crate) fn error(self, version: i64) -> AppError {
        match self {
            Conflict::Violation(m) => AppError::Invalid(Violations::one("", Code::Conflict, m)),
            Conflict::Refused(m) => AppError::Conflict(m.into()),
            Conflict::Stale => AppError::Stale {
                expected: version,
                current: version + 1,
            },
            Conflict::StaleAsRead => AppError::Stale {
                expected: version,
                current: version,
            },
        }
    }
}

/// [`Versioned::id`], [`Versioned::version`] and [`Versioned::stamp`] (the same three of
/// [`crate::documents::Document`]) for an object whose `id`, `version` and `updated_at`
/// are its own fields; `stamped!(meta.version, meta.updated_at)` names where the version
/// and the time of the last change are when they are elsewhere.
macro_rules! stamped {
    () => {
        $crate::versioned::stamped!(version, updated_at);
    };
    ($($version:ident).+, $($updated:ident).+) => {
        fn id(&self) -> ::cartera_core::Id {
            self.id
        }

        fn version(&self) -> i64 {
            self.$($version).+
        }

        fn stamp(&mut self, version: i64, now: ::chrono::DateTime<::chrono::Utc>) {
            self.$($version).+ = version;
            self.$($updated).+ = now;
        }
    };
}
pub(crate) use stamped;

/// [`Versioned::load`], [`Versioned::insert`] and [`Versioned::update`] (the same three of
/// [`crate::documents::Document`]) that call the object's store functions, each named
/// for the part it does:
/// `stored!(load: store::quota, insert: store::insert_quota, update: store::update_quota)`;
/// `insert(now)` for an insert that takes the time. A part not named is written by hand.
macro_rules! stored {
    ($($part:ident $(($now:ident))?: $f:path),+ $(,)?) => {
        $($crate::versioned::stored!(@ $part $(($now))? $f);)+
    };
    (@ load $f:path) => {
        async fn load(
            conn: &mut ::cartera_store::Conn,
            id: ::cartera_core::Id,
        ) -> $crate::Result<Option<Self>> {
            Ok($f(conn, id).await?)
        }
    };
    (@ insert $f:path) => {
        async fn insert(
            conn: &mut ::cartera_store::Conn,
            new: &Self,
            _now: ::chrono::DateTime<::chrono::Utc>,
        ) -> $crate::Result<()> {
            Ok($f(conn, new).await?)
        }
    };
    (@ insert(now) $f:path) => {
        async fn insert(
            conn: &mut ::cartera_store::Conn,
            new: &Self,
            now: ::chrono::DateTime<::chrono::Utc>,
        ) -> $crate::Result<()> {
            Ok($f(conn, new, now).await?)
        }
    };
    (@ update $f:path) => {
        async fn update(
            conn: &mut ::cartera_store::Conn,
            new: &Self,
            expected: i64,
            _now: ::chrono::DateTime<::chrono::Utc>,
        ) -> $crate::Result<bool> {
            Ok($f(conn, new, expected).await?)
        }
    };
}
pub(crate) use stored;

/// Copies onto `$to` each named field that `$change` gives (`Some`): absent fields stay.
/// `given!(change => p: name, Some(notes))`: a field written `Some(..)` is optional on
/// the object, and a given value is put in `Some`.
macro_rules! given {
    ($change:ident => $to:ident: $($fields:tt)*) => {
        $crate::versioned::given!(@ $change $to $($fields)*)
    };
    (@ $change:ident $to:ident) => {};
    (@ $change:ident $to:ident Some($field:ident) $(, $($rest:tt)*)?) => {
        if let Some(v) = $change.$field {
            $to.$field = Some(v);
        }
        $crate::versioned::given!(@ $change $to $($($rest)*)?)
    };
    (@ $change:ident $to:ident $field:ident $(, $($rest:tt)*)?) => {
        if let Some(v) = $change.$field {
            $to.$field = v;
        }
        $crate::versioned::given!(@ $change $to $($($rest)*)?)
    };
}
pub(crate) use given;

/// For a change's field where `null` is a value (clear it), unlike an absent field:
/// `#[serde(default, deserialize_with = "crate::versioned::present")]` reads `null` as
/// `Some(None)` and leaves an absent field `None`.
pub(crate) fn present<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Reads the objects that `query` finds, with the read permission of their module.
pub(crate) async fn list<T: Versioned>(
    app: &App,
    actor: &Actor,
    query: impl AsyncFnOnce(&mut Conn) -> std::result::Result<Vec<T>, StoreError>,
) -> Result<Vec<T>> {
    actor.permit(T::MODULE, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(query(&mut conn).await?)
}

/// Reads one object (`None` from its store: 404), with the read permission of its module.
pub(crate) async fn get<T: Versioned>(app: &App, actor: &Actor, id: Id) -> Result<T> {
    actor.permit(T::MODULE, Action::Read)?;
    let mut conn = app.db.reader().await?;
    T::load(&mut conn, id).await?.ok_or(AppError::NotFound)
}

/// A settings object that can be deleted.
pub(crate) trait Removable: Versioned {
    /// Deletes `old` (or marks it deleted) after checking that it may go; returns the
    /// object as it is left.
    fn remove(
        conn: &mut Conn,
        old: &Self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Self>> + Send;
}

/// Makes a new object from the writer's input, once they may write: at `now`, adding
/// what is wrong with the input to the check.
type Build<'a, T> = Box<dyn FnOnce(DateTime<Utc>, &mut Check) -> Result<T> + Send + 'a>;
/// Applies a writer's change to a copy of the stored object.
type Change<'a, T> = Box<dyn FnOnce(&mut T, &mut Check) -> Result<()> + Send + 'a>;

/// One write of a settings object (deleting is [`delete`], for [`Removable`] ones).
pub(crate) enum Op<'a, T> {
    Create(Build<'a, T>),
    Update {
        id: Id,
        if_match: Option<i64>,
        change: Change<'a, T>,
    },
}

impl<T> Op<'_, T> {
    fn step(&self) -> Step {
        match self {
            Op::Create(_) => Step::Create,
            Op::Update { .. } => Step::Update,
        }
    }
}

/// Creates an object: permit, build, tidy, validate, insert, audit, commit.
pub(crate) async fn create<T: Versioned>(
    app: &App,
    actor: &Actor,
    build: impl FnOnce(DateTime<Utc>, &mut Check) -> Result<T> + Send,
) -> Result<T> {
    write(app, actor, Op::Create(Box::new(build))).await
}

/// Changes an object: permit, load (404), `If-Match`, change, tidy, validate; unchanged,
/// it is answered as it was and nothing is written; else a new version is stored and
/// audited.
pub(crate) async fn update<T: Versioned>(
    app: &App,
    actor: &Actor,
    id: Id,
    if_match: Option<i64>,
    change: impl FnOnce(&mut T, &mut Check) -> Result<()> + Send,
) -> Result<T> {
    write(
        app,
        actor,
        Op::Update {
            id,
            if_match,
            change: Box::new(change),
        },
    )
    .await
}

/// Deletes an object: permit, load (404), remove, audit, commit.
pub(crate) async fn delete<T: Removable>(app: &App, actor: &Actor, id: Id) -> Result<T> {
    actor.permit(T::MODULE, T::action(Step::Delete))?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = T::load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let left = T::remove(&mut conn, &old, now).await?;
    audit::<T>(&mut conn, actor, now, AuditAction::Deleted, id, Vec::new()).await?;
    conn.commit().await?;
    Ok(left)
}

/// The write path every settings object takes to be created or changed.
pub(crate) async fn write<T: Versioned>(app: &App, actor: &Actor, op: Op<'_, T>) -> Result<T> {
    actor.permit(T::MODULE, T::action(op.step()))?;
    let now = app.now();
    let mut c = Check::new();
    let (mut conn, action, old, new) = match op {
        Op::Create(build) => {
            let mut new = build(now, &mut c)?;
            new.normalize();
            let mut conn = app.db.begin().await?;
            T::validate(&mut conn, None, &mut new, &mut c).await?;
            c.finish()?;
            T::insert(&mut conn, &new, now).await?;
            (conn, AuditAction::Created, None, new)
        }
        Op::Update {
            id,
            if_match,
            change,
        } => {
            let mut conn = app.db.begin().await?;
            let old = T::load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
            check_version(if_match, old.version())?;
            let mut new = old.clone();
            change(&mut new, &mut c)?;
            new.normalize();
            T::validate(&mut conn, Some(&old), &mut new, &mut c).await?;
            c.finish()?;
            if new == old {
                // Nothing to write: no new version, no audit event.
                return Ok(old);
            }
            new.stamp(old.version() + 1, now);
            if !T::update(&mut conn, &new, old.version(), now).await? {
                return Err(T::CONFLICT.error(old.version()));
            }
            (conn, AuditAction::Updated, Some(old), new)
        }
    };
    let changes = T::changes(old.as_ref(), &new);
    audit::<T>(&mut conn, actor, now, action, new.id(), changes).await?;
    conn.commit().await?;
    Ok(new)
}

async fn audit<T: Versioned>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    id: Id,
    changes: Vec<FieldChange>,
) -> Result<()> {
    events::write(conn, actor.at(now).event(action, T::KIND, id, changes)).await
}

/// A settings object that is one row of the settings table, without versions (the
/// company settings, the follow-up rules): read whole ([`read`]), changed with a merge
/// patch ([`patch`]), `If-Match` does not apply. It says where it is stored, how it is
/// read and what makes it valid; the rest of [`Versioned`] is the same for all of them.
pub(crate) trait Singleton:
    Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync
{
    /// Its row of the settings table.
    const KEY: &'static str;
    /// The id its audit events name: one record in the audit trail.
    const ID: Id;
    /// What it answers (409) when another writer changed it during this one.
    const CONFLICT_MESSAGE: &'static str;
    /// Keys whose `null` in a merge patch is kept as written (it turns a rule off),
    /// rather than removing the key and bringing back its default.
    const NULL_KEPT: &'static [&'static str] = &[];

    /// The stored object, or its defaults.
    fn read(conn: &mut Conn) -> impl Future<Output = Result<Self>> + Send;

    /// Adds what is wrong with it to `c`, or fails at once.
    fn check(&self, c: &mut Check) -> Result<()>;
}

impl<T: Singleton> Versioned for T {
    const KIND: RecordKind = RecordKind::Setting;
    const MODULE: Module = Module::Settings;
    const CONFLICT: Conflict = Conflict::Refused(T::CONFLICT_MESSAGE);
    /// Every field, nested ones by their path: see [`Versioned::changes`].
    const FIELDS: &'static [&'static str] = &[];

    fn id(&self) -> Id {
        T::ID
    }

    fn version(&self) -> i64 {
        0
    }

    fn stamp(&mut self, _version: i64, _now: DateTime<Utc>) {}

    async fn load(conn: &mut Conn, _id: Id) -> Result<Option<Self>> {
        Ok(Some(T::read(conn).await?))
    }

    async fn validate(
        _conn: &mut Conn,
        _old: Option<&Self>,
        new: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        new.check(c)
    }

    async fn insert(conn: &mut Conn, new: &Self, now: DateTime<Utc>) -> Result<()> {
        let value = serde_json::to_value(new).unwrap_or(Value::Null);
        Ok(cartera_store::settings::set(conn, T::KEY, &value, now).await?)
    }

    /// One writer at a time holds the write transaction, so nobody else got there first.
    async fn update(
        conn: &mut Conn,
        new: &Self,
        _expected: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Self::insert(conn, new, now).await?;
        Ok(true)
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        diff(old, Some(new))
    }
}

/// Reads a singleton, with the read permission of the settings.
pub(crate) async fn read<T: Singleton>(app: &App, actor: &Actor) -> Result<T> {
    actor.permit(T::MODULE, Action::Read)?;
    let mut conn = app.db.reader().await?;
    T::read(&mut conn).await
}

/// Changes a singleton with a JSON merge patch.
pub(crate) async fn patch<T: Singleton>(app: &App, actor: &Actor, patch: Value) -> Result<T> {
    update(app, actor, T::ID, None, |t: &mut T, _| {
        merge(t, &patch, T::NULL_KEPT)
    })
    .await
}

/// Applies a JSON merge patch to `t`, read back through its own rules (422 by field).
/// A `null` removes its key (the default comes back), except for the `null_kept` keys.
pub(crate) fn merge<T: Serialize + DeserializeOwned>(
    t: &mut T,
    patch: &Value,
    null_kept: &[&str],
) -> Result<()> {
    let mut v = serde_json::to_value(&*t).unwrap_or(Value::Null);
    json_patch::merge(&mut v, patch);
    for key in null_kept {
        if patch.get(key).is_some_and(Value::is_null)
            && let Some(o) = v.as_object_mut()
        {
            o.insert((*key).to_owned(), Value::Null);
        }
    }
    *t = deserialize(v)?;
    Ok(())
}
