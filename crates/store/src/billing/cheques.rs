//! The cheque wallet.

use chrono::NaiveDate;

use cartera_core::Id;
use cartera_core::billing::cheques::{Cheque, ChequeState};
use cartera_core::billing::payments::cents;
use cartera_core::money::Money;

use super::invoices::date;
use super::payments::scaled;
use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;
use crate::quotes::parse_currency;

const COLUMNS: &str = "id, account_id, payment_id, owner_id, bank, number, drawer, \
                       drawer_tax_id, issue_date, payment_date, amount, currency, state, \
                       state_on, bounce_reason, endorsed_to, version, created_at, updated_at";

fn read(r: &DbRow) -> Result<Cheque> {
    let currency = parse_currency(&r.text("currency")?)?;
    let state = r.text("state")?;
    Ok(Cheque {
        id: r.id("id")?,
        account_id: r.id("account_id")?,
        payment_id: r.id("payment_id")?,
        owner_id: r.opt_id("owner_id")?,
        bank: r.text("bank")?,
        number: r.text("number")?,
        drawer: r.text("drawer")?,
        drawer_tax_id: r.text("drawer_tax_id")?,
        issue_date: date(r, "issue_date")?,
        payment_date: date(r, "payment_date")?,
        amount: cents(Money::from_scaled(r.int("amount")?, currency).amount),
        currency,
        state: ChequeState::parse(&state)
            .ok_or_else(|| StoreError::Decode(format!("cheque state: '{state}'")))?,
        state_on: date(r, "state_on")?,
        bounce_reason: r.opt_text("bounce_reason")?,
        endorsed_to: r.opt_id("endorsed_to")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Cheque>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM cheques WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// The cheque a payment was made with, if any.
pub async fn of_payment(c: &mut Conn, payment: Id) -> Result<Option<Cheque>> {
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM cheques WHERE payment_id = $1"
        ))
        .arg(payment),
    )
    .await?
    .map(|r| read(&r))
    .transpose()
}

/// Which cheques the wallet lists.
#[derive(Debug, Clone, Default)]
pub struct ChequeFilter {
    pub account: Option<Id>,
    pub state: Option<ChequeState>,
    /// Only those payable on or before this day.
    pub payable_by: Option<NaiveDate>,
    /// Only those whose state changed on or after this day.
    pub since: Option<NaiveDate>,
}

/// Cheques by payment date (the maturity calendar), then number; at most `limit`
/// after `offset`.
pub async fn list(
    c: &mut Conn,
    f: &ChequeFilter,
    owners: Option<&[Id]>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Cheque>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM cheques WHERE 1 = 1"));
    if let Some(a) = f.account {
        sql.push(" AND account_id = ").push_arg(a);
    }
    if let Some(s) = f.state {
        sql.push(" AND state = ").push_arg(s.as_str());
    }
    if let Some(d) = f.payable_by {
        sql.push(" AND payment_date <= ").push_arg(Some(d));
    }
    if let Some(d) = f.since {
        sql.push(" AND state_on >= ").push_arg(Some(d));
    }
    if let Some(owners) = owners {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND owner_id IN (").push_args(owners).push(")");
    }
    sql.push(" ORDER BY payment_date, number, id LIMIT ")
        .push_arg(limit)
        .push(" OFFSET ")
        .push_arg(offset);
    c.fetch_all(sql).await?.iter().map(read).collect()
}

pub async fn insert(c: &mut Conn, q: &Cheque) -> Result<()> {
    c.execute(
        Sql::new(format!(
            "INSERT INTO cheques ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        ))
        .arg(q.id)
        .arg(q.account_id)
        .arg(q.payment_id)
        .arg(q.owner_id)
        .arg(&q.bank)
        .arg(&q.number)
        .arg(&q.drawer)
        .arg(&q.drawer_tax_id)
        .arg(Some(q.issue_date))
        .arg(Some(q.payment_date))
        .arg(scaled(q.amount, q.currency)?)
        .arg(q.currency.as_str())
        .arg(q.state.as_str())
        .arg(Some(q.state_on))
        .arg(q.bounce_reason.as_deref())
        .arg(q.endorsed_to)
        .arg(q.version)
        .arg(q.created_at)
        .arg(q.updated_at),
    )
    .await?;
    Ok(())
}

/// Writes a cheque's state if it is still at `expected_version`.
pub async fn update(c: &mut Conn, q: &Cheque, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE cheques SET state = $1, state_on = $2, bounce_reason = $3, \
                 endorsed_to = $4, version = $5, updated_at = $6 WHERE id = $7 AND version = $8",
            )
            .arg(q.state.as_str())
            .arg(Some(q.state_on))
            .arg(q.bounce_reason.as_deref())
            .arg(q.endorsed_to)
            .arg(q.version)
            .arg(q.updated_at)
            .arg(q.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}
