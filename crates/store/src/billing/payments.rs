//! Payments, and the applications of payments and credit notes to charges.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use cartera_core::Id;
use cartera_core::billing::payments::{Allocation, Payment, PaymentMethod, cents};
use cartera_core::money::{Currency, Money};
use cartera_core::quotes::DocCursor;

use super::invoices::date;
use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;
use crate::quotes::parse_currency;

const COLUMNS: &str = "id, number, account_id, owner_id, currency, amount, received_on, method, \
                       reference, notes, reversed_on, reversal_reason, version, created_at, \
                       updated_at";

/// An amount as the ledger's columns keep it (ten-thousandths).
pub fn scaled(amount: Decimal, currency: Currency) -> Result<i64> {
    Money { amount, currency }
        .scaled()
        .map_err(|e| StoreError::Decode(format!("amount: {e}")))
}

fn read(r: &DbRow) -> Result<Payment> {
    let currency = parse_currency(&r.text("currency")?)?;
    let method = r.text("method")?;
    Ok(Payment {
        id: r.id("id")?,
        number: r.text("number")?,
        account_id: r.id("account_id")?,
        owner_id: r.opt_id("owner_id")?,
        currency,
        amount: cents(Money::from_scaled(r.int("amount")?, currency).amount),
        received_on: date(r, "received_on")?,
        method: PaymentMethod::parse(&method)
            .ok_or_else(|| StoreError::Decode(format!("payment method: '{method}'")))?,
        reference: r.opt_text("reference")?,
        notes: r.opt_text("notes")?,
        allocations: Vec::new(),
        applied: Decimal::ZERO,
        unapplied: Decimal::ZERO,
        reversed_on: r.opt_date("reversed_on")?,
        reversal_reason: r.opt_text("reversal_reason")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// The applications of one credit (a payment or a credit note), oldest first.
pub async fn allocations(c: &mut Conn, credit: Id, currency: Currency) -> Result<Vec<Allocation>> {
    c.fetch_all(
        Sql::new(
            "SELECT a.id, a.debit_id, i.number, a.amount, a.applied_on, a.reversed_on, \
             a.reversal_reason, a.created_by, a.created_at FROM billing_applications a \
             JOIN invoices i ON i.id = a.debit_id WHERE a.credit_id = $1 \
             ORDER BY a.created_at, a.id",
        )
        .arg(credit),
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Allocation {
            id: r.id("id")?,
            invoice_id: r.id("debit_id")?,
            invoice_number: r.text("number")?,
            amount: cents(Money::from_scaled(r.int("amount")?, currency).amount),
            applied_on: date(r, "applied_on")?,
            reversed_on: r.opt_date("reversed_on")?,
            reversal_reason: r.opt_text("reversal_reason")?,
            created_by: r.opt_id("created_by")?,
            created_at: r.time("created_at")?,
        })
    })
    .collect()
}

/// A payment with its allocations.
pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Payment>> {
    let Some(mut p) = c
        .fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM payments WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()?
    else {
        return Ok(None);
    };
    p.allocations = allocations(c, id, p.currency).await?;
    p.settle();
    Ok(Some(p))
}

/// Payments newest first (with what each left on account), after the row `after`
/// points at.
pub async fn list_after(
    c: &mut Conn,
    account: Option<Id>,
    owners: Option<&[Id]>,
    after: Option<&DocCursor>,
    limit: i64,
) -> Result<Vec<Payment>> {
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS}, CAST(COALESCE((SELECT SUM(a.amount) FROM billing_applications a \
         WHERE a.credit_id = payments.id AND a.reversed_on IS NULL), 0) AS BIGINT) AS applied \
         FROM payments WHERE 1 = 1"
    ));
    if let Some(a) = account {
        sql.push(" AND account_id = ").push_arg(a);
    }
    if let Some(owners) = owners {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND owner_id IN (").push_args(owners).push(")");
    }
    crate::quotes::push_after(&mut sql, after);
    sql.push(" ORDER BY created_at DESC, number DESC LIMIT ")
        .push_arg(limit);
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| {
            let mut p = read(r)?;
            p.applied = cents(Money::from_scaled(r.int("applied")?, p.currency).amount);
            p.unapplied = cents(if p.reversed_on.is_some() {
                Decimal::ZERO
            } else {
                p.amount - p.applied
            });
            Ok(p)
        })
        .collect()
}

pub async fn insert(c: &mut Conn, p: &Payment) -> Result<()> {
    c.execute(
        Sql::new(format!(
            "INSERT INTO payments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15)"
        ))
        .arg(p.id)
        .arg(&p.number)
        .arg(p.account_id)
        .arg(p.owner_id)
        .arg(p.currency.as_str())
        .arg(scaled(p.amount, p.currency)?)
        .arg(Some(p.received_on))
        .arg(p.method.as_str())
        .arg(p.reference.as_deref())
        .arg(p.notes.as_deref())
        .arg(p.reversed_on)
        .arg(p.reversal_reason.as_deref())
        .arg(p.version)
        .arg(p.created_at)
        .arg(p.updated_at),
    )
    .await?;
    Ok(())
}

/// Writes a payment's reversal and version if it is still at `expected_version`.
pub async fn update(c: &mut Conn, p: &Payment, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE payments SET reversed_on = $1, reversal_reason = $2, version = $3, \
                 updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .arg(p.reversed_on)
            .arg(p.reversal_reason.as_deref())
            .arg(p.version)
            .arg(p.updated_at)
            .arg(p.id)
            .arg(expected_version),
        )
        .await?;
    if n > 0 {
        super::closed::after_payment(c, p.id).await?;
    }
    Ok(n > 0)
}

/// One application to write.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub account_id: Id,
    pub currency: Currency,
    pub credit_id: Id,
    /// `payment` or `credit_note`.
    pub credit_kind: &'a str,
    pub allocation: &'a Allocation,
}

pub async fn insert_application(c: &mut Conn, a: NewApplication<'_>) -> Result<()> {
    let al = a.allocation;
    c.execute(
        Sql::new(
            "INSERT INTO billing_applications (id, account_id, currency, credit_id, \
             credit_kind, debit_id, amount, applied_on, reversed_on, reversal_reason, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .arg(al.id)
        .arg(a.account_id)
        .arg(a.currency.as_str())
        .arg(a.credit_id)
        .arg(a.credit_kind)
        .arg(al.invoice_id)
        .arg(scaled(al.amount, a.currency)?)
        .arg(Some(al.applied_on))
        .arg(al.reversed_on)
        .arg(al.reversal_reason.as_deref())
        .arg(al.created_by)
        .arg(al.created_at),
    )
    .await?;
    super::closed::after_applications(c, a.credit_id, &[al.invoice_id]).await
}

/// Takes back applications of `credit` still in force (`only`: just that one) on `on`.
pub async fn reverse_applications(
    c: &mut Conn,
    credit: Id,
    only: Option<Id>,
    on: NaiveDate,
    reason: &str,
) -> Result<u64> {
    let mut sql = Sql::new(
        "UPDATE billing_applications SET reversed_on = $1, reversal_reason = $2 \
         WHERE credit_id = $3 AND reversed_on IS NULL",
    )
    .arg(Some(on))
    .arg(reason)
    .arg(credit);
    let mut debits =
        Sql::new("SELECT debit_id FROM billing_applications WHERE credit_id = $1").arg(credit);
    if let Some(id) = only {
        sql.push(" AND id = ").push_arg(id);
        debits.push(" AND id = ").push_arg(id);
    }
    let n = c.execute(sql).await?;
    let debits: Vec<Id> = c
        .fetch_all(debits)
        .await?
        .iter()
        .map(|r| r.id("debit_id"))
        .collect::<Result<_>>()?;
    super::closed::after_applications(c, credit, &debits).await?;
    Ok(n)
}

/// A payment's application to a rep's charge, as commissions on collected money read it.
#[derive(Debug, Clone)]
pub struct CollectedRow {
    pub owner_id: Id,
    pub invoice_id: Id,
    pub applied_on: NaiveDate,
    pub amount: Decimal,
    pub currency: Currency,
}

/// Payments (not credit notes) applied from `from` to `to`, both included, to charges
/// that have a rep, and not taken back since; by day.
pub async fn collected(c: &mut Conn, from: NaiveDate, to: NaiveDate) -> Result<Vec<CollectedRow>> {
    c.fetch_all(
        Sql::new(
            "SELECT i.owner_id, a.debit_id, a.applied_on, a.amount, a.currency \
             FROM billing_applications a JOIN invoices i ON i.id = a.debit_id \
             WHERE a.credit_kind = 'payment' AND a.reversed_on IS NULL \
             AND a.applied_on >= $1 AND a.applied_on <= $2 AND i.owner_id IS NOT NULL \
             ORDER BY a.applied_on, a.created_at, a.id",
        )
        .arg(Some(from))
        .arg(Some(to)),
    )
    .await?
    .iter()
    .map(|r| {
        let currency = parse_currency(&r.text("currency")?)?;
        Ok(CollectedRow {
            owner_id: r.id("owner_id")?,
            invoice_id: r.id("debit_id")?,
            applied_on: date(r, "applied_on")?,
            amount: cents(Money::from_scaled(r.int("amount")?, currency).amount),
            currency,
        })
    })
    .collect()
}
