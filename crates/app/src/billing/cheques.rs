//! The cheque wallet: a cheque enters on hand with the payment it makes, is deposited
//! and credited, endorsed to a supplier or returned; when it bounces, in one step, its
//! payment is taken back (the invoices it settled reopen), a bank fee is charged as a
//! debit note when there is one, and the account's rep and collections are told.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::agenda::{NewNotification, NotificationKind};
use cartera_core::audit::AuditAction;
use cartera_core::billing::cheques::{Cheque, ChequeInput, ChequeState};
use cartera_core::billing::payments::{Payment, cents, is_cents};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id};
use cartera_store::Conn;
use cartera_store::billing::cheques::{self as store, ChequeFilter};

use crate::documents::owner_seen;
use crate::events;
use crate::records::load_visible;
use crate::{Actor, App, AppError, Result};

/// Where to move a cheque.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChequeMove {
    /// `deposited`, `credited`, `endorsed`, `bounced` or `returned`.
    pub state: ChequeState,
    /// Why the bank refused it (required for `bounced`).
    pub reason: Option<String>,
    /// The supplier (an account) it is endorsed to (required for `endorsed`).
    pub supplier_id: Option<Id>,
    /// What the bank charged for the bounce, charged to the customer as a debit note.
    #[schema(value_type = Option<String>, example = "1500.00")]
    pub bank_fee: Option<Decimal>,
    /// Default today.
    #[schema(value_type = Option<String>, example = "2026-12-06")]
    pub on: Option<NaiveDate>,
}

fn changes(old: Option<&Cheque>, new: &Cheque) -> Vec<FieldChange> {
    crate::records::changed_fields(
        old,
        new,
        &[
            "bank",
            "number",
            "amount",
            "payment_date",
            "state",
            "bounce_reason",
            "endorsed_to",
        ],
    )
}

async fn audit(
    conn: &mut Conn,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    action: AuditAction,
    old: Option<&Cheque>,
    new: &Cheque,
) -> Result<()> {
    let ev = actor
        .at(now)
        .event(action, RecordKind::Cheque, new.id, changes(old, new));
    events::write(conn, ev).await?;
    Ok(())
}

/// Puts the cheque of payment `p` in the wallet, on hand (in the payment's transaction).
pub(crate) async fn receive(
    conn: &mut Conn,
    actor: &Actor,
    p: &Payment,
    input: ChequeInput,
    cuit: String,
) -> Result<Cheque> {
    let q = Cheque {
        id: Id::new(),
        account_id: p.account_id,
        payment_id: p.id,
        owner_id: p.owner_id,
        bank: input.bank.trim().to_owned(),
        number: input.number.trim().to_owned(),
        drawer: input.drawer.trim().to_owned(),
        drawer_tax_id: cuit,
        issue_date: input.issue_date,
        payment_date: input.payment_date,
        amount: p.amount,
        currency: p.currency,
        state: ChequeState::OnHand,
        state_on: p.received_on,
        bounce_reason: None,
        endorsed_to: None,
        version: 1,
        created_at: p.created_at,
        updated_at: p.created_at,
    };
    store::insert(conn, &q).await?;
    audit(conn, actor, p.created_at, AuditAction::Created, None, &q).await?;
    Ok(q)
}

/// A cheque the actor may see: its owner is in their view, or its account is.
async fn load(conn: &mut Conn, actor: &Actor, id: Id) -> Result<Cheque> {
    let q = store::get(conn, id).await?.ok_or(AppError::NotFound)?;
    if !owner_seen(actor, q.owner_id) {
        load_visible::<AccountData>(conn, actor, q.account_id).await?;
    }
    Ok(q)
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Cheque> {
    actor.permit(Module::Billing, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load(&mut conn, actor, id).await
}

/// Which cheques the wallet shows.
#[derive(Debug, Clone, Default)]
pub struct ChequeQuery {
    pub account: Option<Id>,
    pub state: Option<ChequeState>,
    /// On hand and payable today or earlier: what to take to the bank.
    pub to_deposit: bool,
    /// Bounced in the last this-many days.
    pub bounced_within_days: Option<i64>,
}

/// The wallet by payment date (the maturity calendar), `limit` from `offset`.
pub async fn list(
    app: &App,
    actor: &Actor,
    q: ChequeQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<Cheque>> {
    actor.permit(Module::Billing, Action::Read)?;
    let today = app.today();
    let mut conn = app.db.reader().await?;
    let owners = crate::documents::owners_for(&mut conn, actor, q.account).await?;
    let mut f = ChequeFilter {
        account: q.account,
        state: q.state,
        ..ChequeFilter::default()
    };
    if q.to_deposit {
        f.state = Some(ChequeState::OnHand);
        f.payable_by = Some(today);
    }
    if let Some(days) = q.bounced_within_days {
        f.state = Some(ChequeState::Bounced);
        f.since = Some(today - chrono::Duration::days(days));
    }
    Ok(store::list(
        &mut conn,
        &f,
        owners.as_deref(),
        limit.clamp(1, 500),
        offset.max(0),
    )
    .await?)
}

/// Moves a cheque (`If-Match`: its version). A move the wallet does not allow answers
/// 422 on `state`; a bounce takes its payment back in the same transaction.
pub async fn move_to(
    app: &App,
    actor: &Actor,
    id: Id,
    expected: Option<i64>,
    input: ChequeMove,
) -> Result<Cheque> {
    actor.permit(Module::Billing, Action::Edit)?;
    let now = app.now();
    let today = now.date_naive();
    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, actor, id).await?;
    if let Some(v) = expected
        && v != old.version
    {
        return Err(AppError::Stale {
            expected: v,
            current: old.version,
        });
    }
    let mut c = Check::new();
    if let Err(m) = old.state.may_move_to(input.state) {
        c.add("state", Code::Conflict, m);
    }
    let on = input.on.unwrap_or(today);
    if on > today || on < old.state_on {
        c.add(
            "on",
            Code::OutOfRange,
            "from the day it reached its present state to today",
        );
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if input.state == ChequeState::Bounced && reason.is_none() {
        c.add("reason", Code::Required, "say why the bank refused it");
    }
    c.opt_max_chars("reason", &reason, 500);
    if let Some(fee) = input.bank_fee
        && (fee < Decimal::ZERO || !is_cents(fee))
    {
        c.add("bank_fee", Code::OutOfRange, "zero or more, in cents");
    }
    if input.state == ChequeState::Endorsed {
        match input.supplier_id {
            None => c.add("supplier_id", Code::Required, "the supplier it goes to"),
            Some(s) => {
                if load_visible::<AccountData>(&mut conn, actor, s)
                    .await
                    .is_err()
                {
                    c.add("supplier_id", Code::NotFound, "no such account");
                }
            }
        }
    }
    c.finish()?;
    let mut q = old.clone();
    q.state = input.state;
    q.state_on = on;
    q.version += 1;
    q.updated_at = now;
    match input.state {
        ChequeState::Endorsed => q.endorsed_to = input.supplier_id,
        ChequeState::Bounced => {
            q.bounce_reason = reason.clone();
            bounce(
                &mut conn,
                app,
                actor,
                &q,
                reason.unwrap_or_default(),
                input.bank_fee,
            )
            .await?;
        }
        _ => {}
    }
    if !store::update(&mut conn, &q, old.version).await? {
        return Err(AppError::Stale {
            expected: old.version,
            current: old.version + 1,
        });
    }
    audit(&mut conn, actor, now, AuditAction::Updated, Some(&old), &q).await?;
    conn.commit().await?;
    Ok(q)
}

/// What a bounce does besides moving the cheque: the payment taken back, the bank fee
/// charged, the rep and collections told.
async fn bounce(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    q: &Cheque,
    reason: String,
    fee: Option<Decimal>,
) -> Result<()> {
    let payment = cartera_store::billing::payments::get(conn, q.payment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let first_invoice = payment
        .allocations
        .iter()
        .find(|a| a.active())
        .map(|a| a.invoice_id);
    if payment.reversed_on.is_none() {
        super::reversal::reverse_in(conn, app, actor, &payment, reason.clone()).await?;
    }
    if let Some(fee) = fee.map(cents).filter(|f| *f > Decimal::ZERO) {
        crate::billing::invoices::charge(
            conn,
            app,
            actor,
            crate::billing::invoices::Charge {
                account_id: q.account_id,
                owner_id: q.owner_id,
                currency: q.currency,
                corrects_id: first_invoice,
                reason: format!("Cheque {} {}: {reason}", q.bank, q.number),
                description: format!(
                    "Gastos bancarios por cheque rechazado {} {}",
                    q.bank, q.number
                ),
                amount: fee,
            },
        )
        .await?;
    }
    let mut told = Vec::new();
    if let Some(owner) = q.owner_id {
        told.push(owner);
    }
    if let Some(role) = cartera_store::roles::by_key(conn, "collections").await? {
        for u in cartera_store::users::list(conn).await? {
            if u.active && u.role_id == Some(role.id) && !told.contains(&u.id) {
                told.push(u.id);
            }
        }
    }
    for user in told {
        crate::notifications::raise(
            conn,
            app,
            &NewNotification {
                user_id: user,
                kind: NotificationKind::ChequeBounced,
                title: format!("{} {} · {}", q.bank, q.number, q.amount),
                body: Some(reason.clone()),
                record_kind: Some(RecordKind::Account),
                record_id: Some(q.account_id),
                dedupe_key: Some(format!("cheque-bounced:{}:{user}", q.id)),
            },
        )
        .await?;
    }
    Ok(())
}
