//! The seam of numbered commercial documents: quotes, orders, invoices and their
//! notes, and payments' receipts. A document kind implements [`Document`] (how it is numbered,
//! read, listed and seen) and, when it is printed and emailed, [`Printed`]; what they
//! all share lives here once:
//!
//! - numbering: one gapless series per kind and year, taken in the writer's
//!   transaction ([`number`]), and writing a document with its audit event ([`insert`],
//!   [`save`]);
//! - who sees a document: its owner's view, or whoever sees its account ([`load`],
//!   [`get`]);
//! - the shared paging, newest first with keyset cursors ([`page`], [`Page`]);
//! - template and logo storage, and their admin ([`assets`]);
//! - the PDF made from the template, and the email with the PDF attached ([`print`]).
//!
//! Why: see `docs/decisions/documents.md`.

pub mod assets;
mod document;
pub mod paging;
pub mod print;
mod printed;

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::record::FieldChange;
use cartera_core::roles::Action;
use cartera_store::Conn;

use crate::events;
use crate::records::load_visible;
use crate::{Actor, App, AppError, Result};

pub use assets::TemplateInfo;
pub(crate) use document::{Document, numbered};
pub use paging::Page;
pub(crate) use paging::{cut, read_cursor};
pub(crate) use printed::Printed;

/// Numbers a new document, stores it and writes its audit event, in the caller's
/// transaction (a rolled back document gives its number back).
pub(crate) async fn insert<D: Document>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    doc: &mut D,
) -> Result<()> {
    insert_all(conn, actor, now, std::slice::from_mut(doc)).await
}

/// Numbers new documents (each counter's numbers taken at once, in the order given),
/// stores them and writes their audit events, in the caller's transaction: what
/// [`insert`] does for one, in a few statements for a run of many.
pub(crate) async fn insert_all<D: Document>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    docs: &mut [D],
) -> Result<()> {
    let mut counters: Vec<((String, i32), Vec<usize>)> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let key = d.counter();
        match counters.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => counters.push((key, vec![i])),
        }
    }
    for ((series, year), members) in counters {
        let n = i64::try_from(members.len()).unwrap_or(i64::MAX);
        let first = cartera_store::documents::reserve_numbers(conn, &series, year, n).await?;
        for (seq, i) in (first..).zip(members) {
            docs[i].take_number(year, seq);
        }
    }
    D::insert_all(conn, docs, now).await?;
    let events: Vec<_> = docs
        .iter()
        .map(|d| {
            actor
                .at(now)
                .event(AuditAction::Created, D::KIND, d.id(), D::changes(None, d))
        })
        .collect();
    events::write_all(conn, events).await
}

/// Stores a new document that already has its number (one brought from another
/// system) and writes its audit event, in the caller's transaction.
pub(crate) async fn insert_numbered<D: Document>(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    doc: &D,
) -> Result<()> {
    D::insert(conn, doc, now).await?;
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
    if !D::update(conn, new, old.version(), now).await? {
        return Err(D::CONFLICT.error(old.version()));
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
    let ev = actor.at(now).event(action, D::KIND, doc.id(), changes);
    events::write(conn, ev).await?;
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
    let d = D::load(conn, id).await?.ok_or(AppError::NotFound)?;
    if !owner_seen(actor, d.owner_id()) {
        load_visible::<AccountData>(conn, actor, d.account_id()).await?;
    }
    Ok(d.read_on(app.today()))
}

/// A document the actor may see ([`load`]), with the read permission of its module.
pub(crate) async fn get<D: Document>(app: &App, actor: &Actor, id: Id) -> Result<D> {
    actor.permit(D::MODULE, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load(&mut conn, app, actor, id).await
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
    let owners = owners_for(&mut conn, actor, account).await?;
    let today = app.today();
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

/// Whose documents a list shows the actor: with `account`, all of that account's when
/// the account is in its view (404 otherwise); without, those its view's owners own;
/// `None`: no narrowing.
pub(crate) async fn owners_for(
    conn: &mut Conn,
    actor: &Actor,
    account: Option<Id>,
) -> Result<Option<Vec<Id>>> {
    Ok(match (&actor.view, account) {
        // Whoever sees the account sees its documents.
        (Some(_), Some(a)) => {
            load_visible::<AccountData>(conn, actor, a).await?;
            None
        }
        (Some(v), None) => Some(v.owners.clone()),
        (None, _) => None,
    })
}
