//! Late interest ("intereses por mora"): previewed per customer, posted as one debit
//! note per currency, and for every overdue customer at once. The rule is
//! `core::billing::interest`; what a run already charged is kept per charge as a window
//! of days, so a run only charges the days after the last one charged, and running
//! twice up to the same day posts nothing new.
//!
//! The debit note is issued through `invoices::charge` (the bank fee of a bounced
//! cheque is too): one free-text line naming the charges, exempt from tax, because
//! late-payment interest compensates for the delay rather than paying for a supply
//! (Spain's VAT law keeps it out of the taxable base, Ley 37/1992 art. 78.Tres.1º).
//! Where a country's VAT follows the principal's (as Argentina's and Mexico's rules may
//! say), the company corrects the note; verify before use.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::billing::interest::{Accrual, MissingRates, RatePeriod, Segment, accrue};
use cartera_core::billing::invoices::Invoice;
use cartera_core::billing::ledger::MovementKind;
use cartera_core::billing::payments::cents;
use cartera_core::money::{Currency, Money};
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};
use cartera_store::billing::interest::{self as store, Charged, InterestCharge};
use cartera_store::{Conn, StoreError};

use super::invoices::{self, Charge};
use crate::records::load_visible;
use crate::{Actor, App, AppError, Result};

/// The day a run charges interest up to (default today).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestInput {
    /// The last day charged, today or earlier (default today).
    #[schema(value_type = Option<String>, example = "2026-12-06")]
    pub through: Option<NaiveDate>,
}

/// The interest one charge earns in a run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterestLine {
    /// The invoice or debit note it is charged on.
    pub invoice_id: Id,
    pub number: String,
    #[schema(value_type = String, example = "2026-10-27")]
    pub due_date: NaiveDate,
    /// What is open on it on `through`.
    #[schema(value_type = String, example = "510.00")]
    pub open: Decimal,
    /// The first day charged: after the due date, or after the last day already charged.
    #[schema(value_type = String, example = "2026-10-28")]
    pub from: NaiveDate,
    #[schema(value_type = String, example = "2026-12-06")]
    pub through: NaiveDate,
    /// Days that earned interest (days with nothing open earn none).
    pub days: i64,
    /// The monthly rates applied (percent), in date order.
    #[schema(value_type = Vec<String>, example = json!(["3"]))]
    pub rates: Vec<Decimal>,
    /// The days in stretches of the same open balance and rate.
    pub segments: Vec<Segment>,
    /// Rounded to the cent.
    #[schema(value_type = String, example = "33.70")]
    pub amount: Decimal,
}

/// What a run charges a customer in one currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterestPreview {
    pub currency: Currency,
    /// One per charge, oldest due first.
    pub lines: Vec<InterestLine>,
    /// The sum of the lines: the debit note's total.
    #[schema(value_type = String, example = "33.70")]
    pub total: Decimal,
}

/// What posting interest up to `through` would charge a customer, per currency
/// (nothing: an empty list).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountInterest {
    pub account_id: Id,
    #[schema(value_type = String, example = "2026-12-06")]
    pub through: NaiveDate,
    pub previews: Vec<InterestPreview>,
}

/// What a run over every overdue customer posted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterestRun {
    #[schema(value_type = String, example = "2026-12-06")]
    pub through: NaiveDate,
    /// Customers charged.
    pub accounts: usize,
    /// Debit notes issued.
    pub notes: usize,
    /// What was charged, per currency.
    pub totals: Vec<Money>,
}

fn missing_rates(m: &MissingRates) -> AppError {
    Violations::one(
        "through",
        Code::Invalid,
        format!(
            "no late interest rate for {m}: add the period to the settings' \
             billing.interest_rates"
        ),
    )
    .into()
}

/// Interest is charged for days gone by.
fn check_through(app: &App, through: NaiveDate) -> Result<()> {
    if through > app.today() {
        return Err(Violations::one(
            "through",
            Code::OutOfRange,
            "interest is posted up to today at most",
        )
        .into());
    }
    Ok(())
}

/// The lines of `charges` (one customer's, or everyone's), by account and currency,
/// leaving out charges that earn less than a cent; days without a rate are an error
/// naming all of them.
fn lines_of(
    charges: &[InterestCharge],
    through: NaiveDate,
    rates: &[RatePeriod],
) -> Result<BTreeMap<(Id, Currency), Vec<InterestLine>>> {
    let mut out: BTreeMap<(Id, Currency), Vec<InterestLine>> = BTreeMap::new();
    let mut missing = MissingRates::default();
    for ch in charges {
        let a: Accrual = match accrue(&ch.debit, &ch.applications, ch.after(), through, rates) {
            Ok(a) => a,
            Err(m) => {
                missing.merge(m);
                continue;
            }
        };
        let amount = a.amount();
        let Some((from, last)) = a.span() else {
            continue;
        };
        if amount <= Decimal::ZERO {
            continue;
        }
        let applied: Decimal = ch
            .applications
            .iter()
            .filter(|p| p.applied_on <= through && p.reversed_on.is_none_or(|r| r > through))
            .map(|p| p.amount)
            .sum();
        let mut rates_used: Vec<Decimal> = Vec::new();
        for s in &a.segments {
            if rates_used.last() != Some(&s.monthly_rate) {
                rates_used.push(s.monthly_rate);
            }
        }
        out.entry((ch.account_id, ch.currency))
            .or_default()
            .push(InterestLine {
                invoice_id: ch.debit.id,
                number: ch.debit.number.clone(),
                due_date: ch.debit.due_date,
                open: cents(ch.debit.amount - applied),
                from,
                through: last,
                days: a.days(),
                rates: rates_used,
                segments: a.segments,
                amount,
            });
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing_rates(&missing))
    }
}

fn preview_of(currency: Currency, lines: Vec<InterestLine>) -> InterestPreview {
    let total = cents(lines.iter().map(|l| l.amount).sum());
    InterestPreview {
        currency,
        lines,
        total,
    }
}

async fn rates(conn: &mut Conn) -> Result<Vec<RatePeriod>> {
    Ok(crate::settings::load(conn).await?.billing.interest_rates())
}

/// What posting interest up to `through` (default today) would charge a customer.
pub async fn preview(
    app: &App,
    actor: &Actor,
    account: Id,
    through: Option<NaiveDate>,
) -> Result<AccountInterest> {
    actor.permit(Module::Billing, Action::Read)?;
    let through = through.unwrap_or_else(|| app.today());
    let mut conn = app.db.reader().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    let rates = rates(&mut conn).await?;
    let charges = store::charges(&mut conn, through, Some(&[account]), None).await?;
    drop(conn);
    let previews = lines_of(&charges, through, &rates)?
        .into_iter()
        .map(|((_, cur), lines)| preview_of(cur, lines))
        .collect();
    Ok(AccountInterest {
        account_id: account,
        through,
        previews,
    })
}

/// Posts a customer's interest up to `through` (default today): one debit note per
/// currency for the days not charged yet, with the windows it charges, in one
/// transaction. Nothing left to charge: an empty list. A day without a rate: 422 on
/// `through`, nothing written.
pub async fn post(
    app: &App,
    actor: &Actor,
    account: Id,
    through: Option<NaiveDate>,
) -> Result<Vec<Invoice>> {
    actor.permit(Module::Billing, Action::Create)?;
    let through = through.unwrap_or_else(|| app.today());
    check_through(app, through)?;
    let mut conn = app.db.begin().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    let rates = rates(&mut conn).await?;
    let notes = post_in(&mut conn, app, actor, &[account], through, &rates).await?;
    conn.commit().await?;
    Ok(notes)
}

/// How many customers a run posts in one transaction: a commit per customer made a
/// run over a whole book slow, and one for all of it would hold the writer for long.
const POSTED_TOGETHER: usize = 200;

/// Posts interest for every overdue customer the actor sees (a limited role: its view's
/// owners' charges) up to `through` (default today). The charges are read in one query
/// and every rate checked before anything is written (a day without a rate: 422 on
/// `through`, nothing written); then customers are posted [`POSTED_TOGETHER`] to a
/// transaction, so a run stopped halfway is finished by running it again.
pub async fn post_all(app: &App, actor: &Actor, through: Option<NaiveDate>) -> Result<InterestRun> {
    actor.permit(Module::Billing, Action::Create)?;
    let through = through.unwrap_or_else(|| app.today());
    check_through(app, through)?;
    let owners = actor.view.as_ref().map(|v| v.owners.clone());
    let mut conn = app.db.reader().await?;
    let rates = rates(&mut conn).await?;
    let charges = store::charges(&mut conn, through, None, owners.as_deref()).await?;
    drop(conn);
    let mut accounts: Vec<Id> = lines_of(&charges, through, &rates)?
        .into_keys()
        .map(|(a, _)| a)
        .collect();
    accounts.dedup();
    drop(charges);
    let mut run = InterestRun {
        through,
        accounts: 0,
        notes: 0,
        totals: Vec::new(),
    };
    let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for batch in accounts.chunks(POSTED_TOGETHER) {
        let mut conn = app.db.begin().await?;
        // Read again in the transaction: what another run or a payment changed since is
        // what counts.
        let notes = post_in(&mut conn, app, actor, batch, through, &rates).await?;
        conn.commit().await?;
        run.accounts += notes
            .iter()
            .map(|n| n.account_id)
            .collect::<HashSet<Id>>()
            .len();
        run.notes += notes.len();
        for n in notes {
            *totals.entry(n.currency).or_default() += n.totals.total;
        }
    }
    run.totals = totals
        .into_iter()
        .map(|(currency, amount)| Money {
            amount: cents(amount),
            currency,
        })
        .collect();
    Ok(run)
}

/// The notes and windows of `accounts`, read in one query, in the caller's transaction.
async fn post_in(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    accounts: &[Id],
    through: NaiveDate,
    rates: &[RatePeriod],
) -> Result<Vec<Invoice>> {
    let charges = store::charges(conn, through, Some(accounts), None).await?;
    let charge_of: HashMap<Id, &InterestCharge> = charges.iter().map(|c| (c.debit.id, c)).collect();
    let groups = lines_of(&charges, through, rates)?;
    let mut notes = Vec::with_capacity(groups.len());
    for ((account, currency), lines) in &groups {
        // A note corrects an invoice in this model: the oldest invoice charged.
        let corrects_id = lines
            .iter()
            .find(|l| {
                charge_of
                    .get(&l.invoice_id)
                    .is_some_and(|c| c.debit.kind == MovementKind::Invoice)
            })
            .map(|l| l.invoice_id);
        let owner_id = lines
            .first()
            .and_then(|l| charge_of.get(&l.invoice_id))
            .and_then(|c| c.owner_id);
        notes.push(Charge {
            account_id: *account,
            owner_id,
            currency: *currency,
            corrects_id,
            reason: format!("Intereses por mora al {}", through.format("%d/%m/%Y")),
            description: description(through, lines),
            amount: cents(lines.iter().map(|l| l.amount).sum()),
        });
    }
    let notes = invoices::charge_all(conn, app, actor, notes).await?;
    let now = app.now();
    // `groups` and `notes` are in the same order: one note per customer and currency.
    let windows: Vec<Charged> = groups
        .values()
        .zip(&notes)
        .flat_map(|(lines, note)| {
            lines.iter().map(|l| Charged {
                account_id: note.account_id,
                currency: note.currency,
                invoice_id: l.invoice_id,
                from: l.from,
                through,
                days: l.days,
                debit_note_id: note.id,
                amount: l.amount,
                created_by: Some(actor.user_id),
                created_at: now,
            })
        })
        .collect();
    store::record(conn, &windows).await.map_err(|e| match e {
        StoreError::Unique(_) => AppError::Conflict(
            "another interest run charged these days meanwhile; nothing was posted".into(),
        ),
        other => other.into(),
    })?;
    Ok(notes)
}

/// How many charges the note's line names (the windows table and the preview keep
/// every one).
const NAMED: usize = 20;

/// The note's one line: `Intereses por mora al 06/12/2026: A-0001-00000001 (40 días),
/// ...`.
fn description(through: NaiveDate, lines: &[InterestLine]) -> String {
    let named: Vec<String> = lines
        .iter()
        .take(NAMED)
        .map(|l| format!("{} ({} días)", l.number, l.days))
        .collect();
    let mut text = format!(
        "Intereses por mora al {}: {}",
        through.format("%d/%m/%Y"),
        named.join(", ")
    );
    if lines.len() > NAMED {
        text.push_str(&format!(" y {} más", lines.len() - NAMED));
    }
    text
}
