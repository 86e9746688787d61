//! The seam of numbered commercial documents: quotes and orders today, invoices and
//! credit notes next. A document kind implements [`Document`] (how it is numbered,
//! read, listed and seen) and, when it is printed and emailed, [`Printed`]; what they
//! all share lives here once:
//!
//! - numbering: one gapless series per kind and year, taken in the writer's
//!   transaction ([`number`]), and writing a document with its audit event ([`insert`],
//!   [`save`]);
//! - who sees a document: its owner's view, or whoever sees its account ([`load`]);
//! - the shared paging, newest first with keyset cursors ([`page`], [`Page`]);
//! - template and logo storage, and their admin ([`assets`]);
//! - the PDF made from the template, and the email with the PDF attached ([`print`]).
//!
//! Why: see `docs/decisions/documents.md`.

pub mod assets;
pub mod paging;
pub mod print;

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::quotes::{DocCursor, number_year};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_store::Conn;

use crate::records::{event, load_visible};
use crate::{Actor, App, AppError, Result};

pub use assets::TemplateInfo;
pub use paging::Page;
pub(crate) use paging::{cut, read_cursor};
pub(crate) use print::Printed;

/// A kind of numbered commercial document.
pub(crate) trait Document: Send + Sync + Sized {
    /// Its numbering series (`quote`, `order`): one counter per series and year.
    const SERIES: &'static str;
    /// The module whose permissions read and write it.
    const MODULE: Module;
    /// The kind its audit events name.
    const KIND: RecordKind;

    fn id(&self) -> Id;
    fn version(&self) -> i64;
    /// Marks a changed document as `version`, changed at `now`.
    fn stamp(&mut self, version: i64, now: DateTime<Utc>);

    /// The number people quote, from the year and the sequence in its series
    /// (`P-2026-000123`).
    fn format_number(year: i32, seq: i64) -> String;
    /// The date whose year numbers it.
    fn numbered_on(&self) -> NaiveDate;
    fn set_number(&mut self, number: String);

    fn owner_id(&self) -> Option<Id>;
    fn account_id(&self) -> Id;
    /// Where it stands in a list: newest first, by creation and number.
    fn cursor(&self) -> DocCursor;

    /// The document as stored.
    fn get(conn: &mut Conn, id: Id) -> impl Future<Output = Result<Option<Self>>> + Send;

    /// Documents after `after` (of `account`, owned by `owners` when given), newest
    /// first, at most `limit`.
    fn list_after(
        conn: &mut Conn,
        account: Option<Id>,
        owners: Option<&[Id]>,
        after: Option<&DocCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send;

    fn insert(conn: &mut Conn, doc: &Self) -> impl Future<Output = Result<()>> + Send;

    /// Writes `doc` over the stored document if it is still at `expected`; false when
    /// another writer got there first.
    fn update(
        conn: &mut Conn,
        doc: &Self,
        expected: i64,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// What the document answers when another writer changed it during this one.
    fn conflict(old: &Self) -> AppError;

    /// What its audit event records: the fields that differ (all of them on creation).
    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange>;

    /// The document as read on `today` (a quote past its validity reads as expired).
    fn read_on(self, _today: NaiveDate) -> Self {
        self
    }
}

/// Gives `doc` the next number of its series, in the caller's transaction (a rolled
/// back document gives its number back).
pub(crate) async fn number<D: Document>(conn: &mut Conn, doc: &mut D) -> Result<()> {
    let year = number_year(doc.numbered_on());
    let seq = cartera_store::documents::next_number(conn, D::SERIES, year).await?;
    doc.set_number(D::format_number(year, seq));
    Ok(())
}

/// Numbers a new document, stores it and writes its audit event, in the caller's
/// transaction.
pub(crate) async fn insert<D: Document>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    doc: &mut D,
) -> Result<()> {
    number(conn, doc).await?;
    D::insert(conn, doc).await?;
    audit(
        conn,
        actor,
        now,
        AuditAction::Created,
        D::changes(None, doc),
        doc,
    )
    .await
}

/// Stores `new` (`old` changed) as its next version, changed at `now`, with its audit
/// event, in the caller's transaction.
pub(crate) async fn save<D: Document>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    old: &D,
    new: &mut D,
) -> Result<()> {
    new.stamp(old.version() + 1, now);
    if !D::update(conn, new, old.version()).await? {
        return Err(D::conflict(old));
    }
    audit(
        conn,
        actor,
        now,
        AuditAction::Updated,
        D::changes(Some(old), new),
        new,
    )
    .await
}

async fn audit<D: Document>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    changes: Vec<FieldChange>,
    doc: &D,
) -> Result<()> {
    let ev = event(Some(actor), now, action, D::KIND, doc.id(), changes);
    cartera_store::audit::insert(conn, &[ev]).await?;
    Ok(())
}

/// Whether `owner` is in the actor's view (everyone is, for a role that sees all).
pub(crate) fn owner_seen(actor: &Actor, owner: Option<Id>) -> bool {
    match &actor.view {
        None => true,
        Some(v) => owner.is_some_and(|o| v.owners.contains(&o)),
    }
}

/// A document the actor may see, as read today: its owner is in their view, or its
/// account is (404 otherwise).
pub(crate) async fn load<D: Document>(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    id: Id,
) -> Result<D> {
    let d = D::get(conn, id).await?.ok_or(AppError::NotFound)?;
    if !owner_seen(actor, d.owner_id()) {
        load_visible::<AccountData>(conn, actor, d.account_id()).await?;
    }
    Ok(d.read_on(app.now().date_naive()))
}

/// A page of documents, newest first, from `cursor` (the previous page's
/// `next_cursor`; a damaged one answers 400 on `cursor`). Which ones a limited role
/// lists: with `account`, all of that account's when the account is in its view (404
/// otherwise); without, those it owns or its view's owners own.
pub(crate) async fn page<D: Document>(
    app: &App,
    actor: &Actor,
    account: Option<Id>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<D>> {
    actor.permit(D::MODULE, Action::Read)?;
    let after = read_cursor(cursor)?;
    let limit = limit.clamp(1, 500);
    let mut conn = app.db.reader().await?;
    let owners = match (&actor.view, account) {
        // Whoever sees the account sees its documents.
        (Some(_), Some(a)) => {
            load_visible::<AccountData>(&mut conn, actor, a).await?;
            None
        }
        (Some(v), None) => Some(v.owners.clone()),
        (None, _) => None,
    };
    let today = app.now().date_naive();
    let rows = D::list_after(
        &mut conn,
        account,
        owners.as_deref(),
        after.as_ref(),
        limit + 1,
    )
    .await?
    .into_iter()
    .map(|d| d.read_on(today))
    .collect();
    Ok(cut(rows, limit, |d: &D| d.cursor().encode()))
}
