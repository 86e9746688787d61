//! The one write path of versioned settings objects: the things an admin configures
//! (quotas, commission plans, pipelines, products, price lists, teams, territories,
//! roles, custom fields, follow-up rules, the company settings) and that later ones
//! (rules, campaigns, segments, dashboards, loyalty programmes) will join.
//!
//! Each object says what is its own by implementing [`Versioned`]: who may write it,
//! how it is read and stored, what makes it valid and what its audit event records.
//! [`write`] does the rest, always in the same order, so no object can forget a step:
//!
//! permit -> load -> version check -> change -> validate -> (nothing changed: done) ->
//! store -> audit -> commit.
//!
//! Why a trait and one function rather than a macro or a copied template: see
//! `docs/decisions/settings.md`.

use std::future::Future;

use chrono::{DateTime, Utc};

use cartera_core::audit::AuditAction;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Id};
use cartera_store::Conn;

use crate::events::event;
use crate::{Actor, App, AppError, Result, check_version};

/// The step of a write, for the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Create,
    Update,
    Delete,
}

/// A settings object with a version: what [`write`] needs to know of it.
pub(crate) trait Versioned: Clone + PartialEq + Send + Sync + Sized {
    /// The kind its audit events name.
    const KIND: RecordKind;
    /// The module whose permission writes it.
    const MODULE: Module;

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

    /// What the object answers when another writer changed it during this one.
    fn conflict(old: &Self) -> AppError;

    /// What its audit event records: the fields that differ (all of them on creation).
    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange>;
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
    match op {
        Op::Create(build) => {
            let mut new = build(now, &mut c)?;
            new.normalize();
            let mut conn = app.db.begin().await?;
            T::validate(&mut conn, None, &mut new, &mut c).await?;
            c.finish()?;
            T::insert(&mut conn, &new, now).await?;
            let changes = T::changes(None, &new);
            audit::<T>(
                &mut conn,
                actor,
                now,
                AuditAction::Created,
                new.id(),
                changes,
            )
            .await?;
            conn.commit().await?;
            Ok(new)
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
                return Err(T::conflict(&old));
            }
            let changes = T::changes(Some(&old), &new);
            audit::<T>(
                &mut conn,
                actor,
                now,
                AuditAction::Updated,
                new.id(),
                changes,
            )
            .await?;
            conn.commit().await?;
            Ok(new)
        }
    }
}

async fn audit<T: Versioned>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    id: Id,
    changes: Vec<FieldChange>,
) -> Result<()> {
    let ev = event(Some(actor), now, action, T::KIND, id, changes);
    cartera_store::audit::insert(conn, &[ev]).await?;
    Ok(())
}
