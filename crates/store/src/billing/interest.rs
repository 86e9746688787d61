//! Late interest: the charges an interest run looks at, read in one query for one
//! customer or every customer, and the windows of days already charged.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use cartera_core::Id;
use cartera_core::billing::ledger::{Application, Debit, MovementKind};
use cartera_core::billing::payments::cents;
use cartera_core::money::{Currency, Money};

use super::invoices::date;
use super::payments::scaled;
use crate::bulk::Rows;
use crate::db::{Arg, Conn, Result, Sql};
use crate::quotes::parse_currency;

/// A charge an interest run may charge: overdue on `through`, with days after what was
/// already charged, and what settled it (to read what was open each day).
#[derive(Debug, Clone)]
pub struct InterestCharge {
    pub account_id: Id,
    pub owner_id: Option<Id>,
    pub currency: Currency,
    pub debit: Debit,
    /// The last day already charged (`None`: never charged).
    pub charged_through: Option<NaiveDate>,
    /// The applications on it, in force or taken back.
    pub applications: Vec<Application>,
}

impl InterestCharge {
    /// The day after which this run counts: the last day charged, else the due date.
    pub fn after(&self) -> NaiveDate {
        self.charged_through
            .map_or(self.debit.due_date, |t| t.max(self.debit.due_date))
    }
}

/// The charges (invoices and debit notes, not interest notes: interest earns no
/// interest) due before `through` with days not yet charged up to it that were open on
/// some of those days: still open on `through`, or settled after the last day charged
/// (a charge closed by its due date, see `closed`, never was overdue).
/// One query, narrowed to `accounts` or to `owners`' charges when given; ordered by
/// account, currency and due date.
pub async fn charges(
    c: &mut Conn,
    through: NaiveDate,
    accounts: Option<&[Id]>,
    owners: Option<&[Id]>,
) -> Result<Vec<InterestCharge>> {
    if owners.is_some_and(<[Id]>::is_empty) || accounts.is_some_and(<[Id]>::is_empty) {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT c.id, c.kind, c.number, c.account_id, c.owner_id, c.currency, c.issue_date, \
         c.due_date, c.total, c.charged_through, a.amount AS applied, a.applied_on, \
         a.reversed_on FROM (SELECT t.* FROM (SELECT i.id, i.kind, i.number, i.account_id, \
         i.owner_id, i.currency, i.issue_date, i.due_date, i.total, \
         (SELECT MAX(n.through_date) FROM billing_interest n WHERE n.invoice_id = i.id) \
         AS charged_through FROM invoices i WHERE i.kind <> 'credit_note' AND i.due_date < $1 \
         AND i.closed_on > i.due_date AND NOT EXISTS (SELECT 1 FROM billing_interest x WHERE x.debit_note_id = i.id)",
    )
    .arg(Some(through));
    if let Some(accounts) = accounts {
        sql.push(" AND i.account_id IN (")
            .push_args(accounts)
            .push(")");
    }
    if let Some(owners) = owners {
        sql.push(" AND i.owner_id IN (").push_args(owners).push(")");
    }
    sql.push(
        ") t WHERE (t.charged_through IS NULL OR t.charged_through < $1) \
         AND (t.total > CAST(COALESCE((SELECT SUM(p.amount) FROM billing_applications p \
         WHERE p.debit_id = t.id AND p.applied_on <= $1 AND (p.reversed_on IS NULL \
         OR p.reversed_on > $1)), 0) AS BIGINT) OR EXISTS (SELECT 1 FROM \
         billing_applications b WHERE b.debit_id = t.id \
         AND b.applied_on > COALESCE(t.charged_through, t.due_date)))) c \
         LEFT JOIN billing_applications a ON a.debit_id = c.id \
         ORDER BY c.account_id, c.currency, c.due_date, c.number, c.id",
    );
    let mut out: Vec<InterestCharge> = Vec::new();
    for r in c.fetch_all(sql).await? {
        let id = r.id("id")?;
        if out.last().is_none_or(|l| l.debit.id != id) {
            let currency = parse_currency(&r.text("currency")?)?;
            let kind = if r.text("kind")? == "debit_note" {
                MovementKind::DebitNote
            } else {
                MovementKind::Invoice
            };
            out.push(InterestCharge {
                account_id: r.id("account_id")?,
                owner_id: r.opt_id("owner_id")?,
                currency,
                debit: Debit {
                    id,
                    number: r.text("number")?,
                    kind,
                    issue_date: date(&r, "issue_date")?,
                    due_date: date(&r, "due_date")?,
                    amount: amount(r.int("total")?, currency),
                },
                charged_through: r.opt_date("charged_through")?,
                applications: Vec::new(),
            });
        }
        let Some(applied) = r.opt_int("applied")? else {
            continue;
        };
        if let Some(ch) = out.last_mut() {
            ch.applications.push(Application {
                // Which credit settled it does not change what was open.
                credit_id: id,
                debit_id: id,
                amount: amount(applied, ch.currency),
                applied_on: date(&r, "applied_on")?,
                reversed_on: r.opt_date("reversed_on")?,
            });
        }
    }
    Ok(out)
}

fn amount(scaled: i64, currency: Currency) -> Decimal {
    cents(Money::from_scaled(scaled, currency).amount)
}

/// A window of days charged on one charge by one debit note.
#[derive(Debug, Clone)]
pub struct Charged {
    pub account_id: Id,
    pub currency: Currency,
    pub invoice_id: Id,
    pub from: NaiveDate,
    pub through: NaiveDate,
    pub days: i64,
    pub debit_note_id: Id,
    pub amount: Decimal,
    pub created_by: Option<Id>,
    pub created_at: DateTime<Utc>,
}

/// Records charged windows. A window already recorded (a run racing this one) fails
/// with `StoreError::Unique`.
pub async fn record(c: &mut Conn, windows: &[Charged]) -> Result<()> {
    let mut rows = Rows::new(
        "billing_interest",
        &[
            "id",
            "account_id",
            "currency",
            "invoice_id",
            "from_date",
            "through_date",
            "days",
            "debit_note_id",
            "amount",
            "created_by",
            "created_at",
        ],
    );
    for w in windows {
        rows.push([
            Arg::from(Id::new()),
            Arg::from(w.account_id),
            Arg::from(w.currency.as_str()),
            Arg::from(w.invoice_id),
            Arg::from(Some(w.from)),
            Arg::from(Some(w.through)),
            Arg::from(w.days),
            Arg::from(w.debit_note_id),
            Arg::from(scaled(w.amount, w.currency)?),
            Arg::from(w.created_by),
            Arg::from(w.created_at),
        ]);
    }
    rows.write(c).await
}
