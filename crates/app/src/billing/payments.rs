//! Payments: received from a customer, applied across its invoices (in part, in full,
//! or left on account to apply later), each application audited and reversible with a
//! reason; a whole payment is taken back when its cheque bounces.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::billing::cheques::ChequeInput;
use cartera_core::billing::invoices::InvoiceKind;
use cartera_core::billing::payments::{self as core, Allocation, Payment, PaymentMethod, is_cents};
use cartera_core::money::Currency;
use cartera_core::quotes::DocCursor;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id};
use cartera_store::Conn;
use cartera_store::billing::invoices as invoices_store;
use cartera_store::billing::payments::{self as store, NewApplication};

use crate::documents::{self, Document, Page};
use crate::records::load_visible;
use crate::versioned::{self, Conflict};
use crate::{Actor, App, AppError, Result};

/// A payment received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    pub account_id: Id,
    /// Default: the currency of the first invoice it settles, else `ARS`.
    pub currency: Option<Currency>,
    /// More than zero, in cents.
    #[schema(value_type = String, example = "150000.00")]
    pub amount: Decimal,
    /// Default today; never in the future.
    #[schema(value_type = Option<String>, example = "2026-12-06")]
    pub received_on: Option<NaiveDate>,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub notes: Option<String>,
    /// What it settles; what is not allocated stays on account.
    #[serde(default)]
    pub allocations: Vec<AllocationInput>,
    /// The cheque it was paid with (required with `method: cheque`): it enters the
    /// wallet on hand, for the payment's amount.
    pub cheque: Option<ChequeInput>,
}

/// Part of a payment applied to an invoice or a debit note of the same customer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    pub invoice_id: Id,
    #[schema(value_type = String, example = "50000.00")]
    pub amount: Decimal,
}

/// Money on account applied later.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateInput {
    pub allocations: Vec<AllocationInput>,
}

/// Why something is taken back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReversalInput {
    pub reason: String,
}

fn changes(old: Option<&Payment>, new: &Payment) -> Vec<FieldChange> {
    crate::records::changed_fields(
        old,
        new,
        &[
            "number",
            "amount",
            "currency",
            "method",
            "received_on",
            "allocations",
            "reversed_on",
            "reversal_reason",
        ],
    )
}

impl Document for Payment {
    const SERIES: &'static str = "receipt";
    const MODULE: Module = Module::Billing;
    const KIND: RecordKind = RecordKind::Payment;
    const CONFLICT: Conflict = Conflict::Stale;
    versioned::stamped!();
    documents::numbered!();
    versioned::stored!(load: store::get, insert: store::insert, update: store::update);

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        changes(old, new)
    }

    fn format_number(year: i32, seq: i64) -> String {
        core::number(year, seq)
    }

    fn numbered_on(&self) -> NaiveDate {
        self.created_at.date_naive()
    }

    async fn list_after(
        conn: &mut Conn,
        account: Option<Id>,
        owners: Option<&[Id]>,
        after: Option<&DocCursor>,
        limit: i64,
    ) -> Result<Vec<Self>> {
        Ok(store::list_after(conn, account, owners, after, limit).await?)
    }
}

fn clean(text: Option<String>, field: &str, max: usize, c: &mut Check) -> Option<String> {
    let t = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    c.opt_max_chars(field, &t, max);
    t
}

/// Who allocates, when, and from which day the allocations count.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    on: NaiveDate,
    by: Id,
    at: chrono::DateTime<chrono::Utc>,
}

/// Checks allocations against the payment's customer, currency and what it has left
/// (`spare`), and each invoice against what is open on it; errors name
/// `allocations[i].<field>` and `allocations` for the sum. The allocations come back
/// dated: the later of `on`, the payment's day and the invoice's issue.
#[allow(clippy::too_many_arguments)]
async fn check_allocations(
    conn: &mut Conn,
    p: &Payment,
    spare: Decimal,
    input: &[AllocationInput],
    stamp: Stamp,
    c: &mut Check,
) -> Result<Vec<Allocation>> {
    let Stamp { on, by, at } = stamp;
    let mut out: Vec<Allocation> = Vec::new();
    let mut sum = Decimal::ZERO;
    for (i, a) in input.iter().enumerate() {
        let field = |f: &str| format!("allocations[{i}].{f}");
        if a.amount <= Decimal::ZERO || !is_cents(a.amount) {
            c.add(
                &field("amount"),
                Code::OutOfRange,
                "more than zero, in cents",
            );
            continue;
        }
        let Some(inv) = invoices_store::get(conn, a.invoice_id).await? else {
            c.add(&field("invoice_id"), Code::NotFound, "no such invoice");
            continue;
        };
        if inv.account_id != p.account_id {
            c.add(
                &field("invoice_id"),
                Code::Invalid,
                format!("{} is another customer's invoice", inv.number),
            );
            continue;
        }
        if inv.kind == InvoiceKind::CreditNote {
            c.add(
                &field("invoice_id"),
                Code::Invalid,
                "a payment settles invoices and debit notes, not credit notes",
            );
            continue;
        }
        if inv.currency != p.currency {
            c.add(
                &field("invoice_id"),
                Code::Invalid,
                format!(
                    "{} is in {}, the payment in {}",
                    inv.number,
                    inv.currency.as_str(),
                    p.currency.as_str()
                ),
            );
            continue;
        }
        let earlier: Decimal = out
            .iter()
            .filter(|x| x.invoice_id == inv.id)
            .map(|x| x.amount)
            .sum();
        let open = inv.open - earlier;
        if a.amount > open {
            c.add(
                &field("amount"),
                Code::OutOfRange,
                format!("more than the {open} open on {}", inv.number),
            );
            continue;
        }
        sum += a.amount;
        out.push(Allocation {
            id: Id::new(),
            invoice_id: inv.id,
            invoice_number: inv.number.clone(),
            amount: core::cents(a.amount),
            applied_on: on.max(p.received_on).max(inv.issue_date),
            reversed_on: None,
            reversal_reason: None,
            created_by: Some(by),
            created_at: at,
        });
    }
    if sum > spare {
        c.add(
            "allocations",
            Code::OutOfRange,
            format!(
                "the allocations add up to {sum}, more than the {spare} the payment has to apply"
            ),
        );
    }
    Ok(out)
}

async fn write_allocations(conn: &mut Conn, p: &Payment, list: &[Allocation]) -> Result<()> {
    for a in list {
        store::insert_application(
            conn,
            NewApplication {
                account_id: p.account_id,
                currency: p.currency,
                credit_id: p.id,
                credit_kind: "payment",
                allocation: a,
            },
        )
        .await?;
    }
    Ok(())
}

/// Where a payment comes from: typed by a clerk, or a row of an imported file. An
/// imported cheque was deposited long ago in the old system and the file has none of
/// its details, so it does not enter the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Desk,
    Import,
}

/// Records a payment and what it settles. An allocation to another customer's invoice,
/// above what is open, or adding up to more than the payment: 422, nothing written.
pub async fn create(app: &App, actor: &Actor, input: NewPayment) -> Result<Payment> {
    actor.permit(Module::Billing, Action::Create)?;
    let mut conn = app.db.begin().await?;
    let p = record(&mut conn, app, actor, input, Source::Desk).await?;
    conn.commit().await?;
    Ok(p)
}

/// Checks and writes a payment in the caller's transaction; a broken rule answers
/// before anything is written.
pub(crate) async fn record(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    input: NewPayment,
    source: Source,
) -> Result<Payment> {
    let now = app.now();
    let today = now.date_naive();
    let mut c = Check::new();
    let account = match load_visible::<AccountData>(conn, actor, input.account_id).await {
        Ok(a) => Some(a),
        Err(AppError::NotFound) => {
            c.add("account_id", Code::NotFound, "no such account");
            None
        }
        Err(e) => return Err(e),
    };
    if input.amount <= Decimal::ZERO || !is_cents(input.amount) {
        c.add("amount", Code::OutOfRange, "more than zero, in cents");
    }
    let received_on = input.received_on.unwrap_or(today);
    if received_on > today {
        c.add(
            "received_on",
            Code::OutOfRange,
            "a payment is received today or earlier",
        );
    }
    let cheque = match (&input.cheque, input.method) {
        (Some(q), PaymentMethod::Cheque) => Some((q.clone(), q.check(&mut c))),
        (None, PaymentMethod::Cheque) if source == Source::Desk => {
            c.add(
                "cheque",
                Code::Required,
                "a payment by cheque gives the cheque's bank, number, drawer and dates",
            );
            None
        }
        (Some(_), _) => {
            c.add(
                "cheque",
                Code::Invalid,
                "only a payment by cheque has a cheque",
            );
            None
        }
        (None, _) => None,
    };
    let reference = clean(input.reference, "reference", 200, &mut c);
    let notes = clean(input.notes, "notes", 2_000, &mut c);
    let currency = match input.currency {
        Some(cur) => cur,
        None => match input.allocations.first() {
            Some(a) => invoices_store::get(conn, a.invoice_id)
                .await?
                .map_or(Currency::ARS, |i| i.currency),
            None => Currency::ARS,
        },
    };
    let mut p = Payment {
        id: Id::new(),
        number: String::new(),
        account_id: input.account_id,
        owner_id: account.as_ref().and_then(|a| a.data.owner_id),
        currency,
        amount: core::cents(input.amount),
        received_on,
        method: input.method,
        reference,
        notes,
        allocations: Vec::new(),
        applied: Decimal::ZERO,
        unapplied: Decimal::ZERO,
        reversed_on: None,
        reversal_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    if account.is_some() {
        p.allocations = check_allocations(
            conn,
            &p,
            input.amount,
            &input.allocations,
            Stamp {
                on: received_on,
                by: actor.user_id,
                at: now,
            },
            &mut c,
        )
        .await?;
    }
    c.finish()?;
    p.settle();
    documents::insert(conn, actor, now, &mut p).await?;
    write_allocations(conn, &p, &p.allocations).await?;
    if let Some((q, cuit)) = cheque {
        crate::billing::cheques::receive(conn, actor, &p, q, cuit).await?;
    }
    Ok(p)
}

async fn load(conn: &mut Conn, app: &App, actor: &Actor, id: Id) -> Result<Payment> {
    documents::load::<Payment>(conn, app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Payment> {
    documents::get(app, actor, id).await
}

/// Loads a payment to change, refusing a stale `If-Match` (412) and a reversed one (409).
pub(crate) async fn load_for_change(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    id: Id,
    expected: Option<i64>,
) -> Result<Payment> {
    let p = load(conn, app, actor, id).await?;
    if let Some(v) = expected
        && v != p.version
    {
        return Err(AppError::Stale {
            expected: v,
            current: p.version,
        });
    }
    if p.reversed_on.is_some() {
        return Err(AppError::Conflict("the payment was reversed".into()));
    }
    Ok(p)
}

/// Applies money left on account to invoices. Two clerks allocating the same payment:
/// the second's `If-Match` (or write) is stale and answers 412.
pub async fn allocate(
    app: &App,
    actor: &Actor,
    id: Id,
    expected: Option<i64>,
    input: AllocateInput,
) -> Result<Payment> {
    actor.permit(Module::Billing, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load_for_change(&mut conn, app, actor, id, expected).await?;
    let mut c = Check::new();
    if input.allocations.is_empty() {
        c.add(
            "allocations",
            Code::Required,
            "allocate to at least one invoice",
        );
    }
    let added = check_allocations(
        &mut conn,
        &old,
        old.unapplied,
        &input.allocations,
        Stamp {
            on: now.date_naive(),
            by: actor.user_id,
            at: now,
        },
        &mut c,
    )
    .await?;
    c.finish()?;
    let mut p = old.clone();
    write_allocations(&mut conn, &p, &added).await?;
    p.allocations.extend(added);
    p.settle();
    documents::save(&mut conn, actor, now, &old, &mut p).await?;
    conn.commit().await?;
    Ok(p)
}

fn reason_of(input: &ReversalInput) -> Result<String> {
    let reason = input.reason.trim().to_owned();
    let mut c = Check::new();
    c.required("reason", &reason);
    c.max_chars("reason", &reason, 500);
    c.finish()?;
    Ok(reason)
}

/// Takes back one allocation (its invoice reopens from today); the money returns to
/// the payment's balance on account.
pub async fn reverse_allocation(
    app: &App,
    actor: &Actor,
    id: Id,
    allocation: Id,
    expected: Option<i64>,
    input: ReversalInput,
) -> Result<Payment> {
    actor.permit(Module::Billing, Action::Edit)?;
    let reason = reason_of(&input)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load_for_change(&mut conn, app, actor, id, expected).await?;
    let mut p = old.clone();
    let Some(a) = p
        .allocations
        .iter_mut()
        .find(|a| a.id == allocation && a.active())
    else {
        return Err(AppError::NotFound);
    };
    a.reversed_on = Some(now.date_naive().max(a.applied_on));
    a.reversal_reason = Some(reason.clone());
    let on = a.reversed_on.unwrap_or(a.applied_on);
    store::reverse_applications(&mut conn, p.id, Some(allocation), on, &reason).await?;
    p.settle();
    documents::save(&mut conn, actor, now, &old, &mut p).await?;
    conn.commit().await?;
    Ok(p)
}

/// Takes back a whole payment (a bounced cheque, a returned transfer): it stops counting
/// from today and every invoice it settled reopens.
pub async fn reverse(
    app: &App,
    actor: &Actor,
    id: Id,
    expected: Option<i64>,
    input: ReversalInput,
) -> Result<Payment> {
    actor.permit(Module::Billing, Action::Edit)?;
    let reason = reason_of(&input)?;
    let mut conn = app.db.begin().await?;
    let old = load_for_change(&mut conn, app, actor, id, expected).await?;
    let p = super::reversal::reverse_in(&mut conn, app, actor, &old, reason).await?;
    conn.commit().await?;
    Ok(p)
}

/// A page of payments, newest first (a limited role: its view's, or an account's it sees).
pub async fn page(
    app: &App,
    actor: &Actor,
    account: Option<Id>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Payment>> {
    documents::page::<Payment>(app, actor, account, cursor, limit).await
}
