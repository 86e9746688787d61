//! The movements of a customer's current account, as `core::billing::ledger` reads
//! them, and the open charges and unapplied credit of every customer on a date (the
//! ageing report), summed by the database.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use cartera_core::Id;
use cartera_core::billing::ledger::{Application, Credit, Debit, Ledger, MovementKind, OpenItem};
use cartera_core::billing::payments::cents;
use cartera_core::money::{Currency, Money};

use super::invoices::date;
use crate::db::{Conn, Result, Sql};
use crate::quotes::parse_currency;

fn amount(scaled: i64, currency: Currency) -> Decimal {
    cents(Money::from_scaled(scaled, currency).amount)
}

fn charge_kind(kind: &str) -> MovementKind {
    if kind == "debit_note" {
        MovementKind::DebitNote
    } else {
        MovementKind::Invoice
    }
}

/// The currencies an account has movements in, in code order.
pub async fn currencies(c: &mut Conn, account: Id) -> Result<Vec<Currency>> {
    c.fetch_all(
        Sql::new(
            "SELECT currency FROM invoices WHERE account_id = $1 \
             UNION SELECT currency FROM payments WHERE account_id = $1 ORDER BY currency",
        )
        .arg(account),
    )
    .await?
    .iter()
    .map(|r| parse_currency(&r.text("currency")?))
    .collect()
}

/// Every movement of an account in one currency.
pub async fn ledger(c: &mut Conn, account: Id, currency: Currency) -> Result<Ledger> {
    let cur = currency.as_str();
    let docs = c
        .fetch_all(
            Sql::new(
                "SELECT id, kind, number, issue_date, due_date, total FROM invoices \
                 WHERE account_id = $1 AND currency = $2",
            )
            .arg(account)
            .arg(cur),
        )
        .await?;
    let mut l = Ledger::default();
    for r in &docs {
        let kind = r.text("kind")?;
        let value = amount(r.int("total")?, currency);
        if kind == "credit_note" {
            l.credits.push(Credit {
                id: r.id("id")?,
                number: r.text("number")?,
                kind: MovementKind::CreditNote,
                date: date(r, "issue_date")?,
                amount: value,
                reversed_on: None,
            });
        } else {
            l.debits.push(Debit {
                id: r.id("id")?,
                number: r.text("number")?,
                kind: charge_kind(&kind),
                issue_date: date(r, "issue_date")?,
                due_date: date(r, "due_date")?,
                amount: value,
            });
        }
    }
    for r in c
        .fetch_all(
            Sql::new(
                "SELECT id, number, received_on, amount, reversed_on FROM payments \
                 WHERE account_id = $1 AND currency = $2",
            )
            .arg(account)
            .arg(cur),
        )
        .await?
    {
        l.credits.push(Credit {
            id: r.id("id")?,
            number: r.text("number")?,
            kind: MovementKind::Payment,
            date: date(&r, "received_on")?,
            amount: amount(r.int("amount")?, currency),
            reversed_on: r.opt_date("reversed_on")?,
        });
    }
    for r in c
        .fetch_all(
            Sql::new(
                "SELECT credit_id, debit_id, amount, applied_on, reversed_on \
                 FROM billing_applications WHERE account_id = $1 AND currency = $2",
            )
            .arg(account)
            .arg(cur),
        )
        .await?
    {
        l.applications.push(Application {
            credit_id: r.id("credit_id")?,
            debit_id: r.id("debit_id")?,
            amount: amount(r.int("amount")?, currency),
            applied_on: date(&r, "applied_on")?,
            reversed_on: r.opt_date("reversed_on")?,
        });
    }
    Ok(l)
}

/// An open charge with whose it is.
#[derive(Debug, Clone)]
pub struct OpenCharge {
    pub account_id: Id,
    pub owner_id: Option<Id>,
    pub currency: Currency,
    pub item: OpenItem,
}

/// The charges of every account (of `owners`' invoices when given) open on `day`.
pub async fn open_charges(
    c: &mut Conn,
    day: NaiveDate,
    account: Option<Id>,
    owners: Option<&[Id]>,
) -> Result<Vec<OpenCharge>> {
    let mut sql = Sql::new(
        "SELECT * FROM (SELECT i.id, i.kind, i.number, i.account_id, i.owner_id, i.currency, \
         i.issue_date, i.due_date, i.total, i.total - CAST(COALESCE((SELECT SUM(a.amount) \
         FROM billing_applications a WHERE a.debit_id = i.id AND a.applied_on <= $1 \
         AND (a.reversed_on IS NULL OR a.reversed_on > $1)), 0) AS BIGINT) AS open \
         FROM invoices i WHERE i.kind <> 'credit_note' AND i.issue_date <= $1 \
         AND i.closed_on > $1",
    )
    .arg(Some(day));
    if let Some(a) = account {
        sql.push(" AND i.account_id = ").push_arg(a);
    }
    if let Some(owners) = owners {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND i.owner_id IN (").push_args(owners).push(")");
    }
    sql.push(") t WHERE open <> 0");
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| {
            let currency = parse_currency(&r.text("currency")?)?;
            let due_date = date(r, "due_date")?;
            Ok(OpenCharge {
                account_id: r.id("account_id")?,
                owner_id: r.opt_id("owner_id")?,
                currency,
                item: OpenItem {
                    id: r.id("id")?,
                    number: r.text("number")?,
                    kind: charge_kind(&r.text("kind")?),
                    issue_date: date(r, "issue_date")?,
                    due_date,
                    amount: amount(r.int("total")?, currency),
                    open: amount(r.int("open")?, currency),
                    days_overdue: (day - due_date).num_days().max(0),
                },
            })
        })
        .collect()
}

/// Credit in force on `day` not applied to any charge, per account and currency (only
/// those with some).
pub async fn unapplied(
    c: &mut Conn,
    day: NaiveDate,
    account: Option<Id>,
    owners: Option<&[Id]>,
) -> Result<HashMap<(Id, Currency), Decimal>> {
    if owners.is_some_and(|o| o.is_empty()) {
        return Ok(HashMap::new());
    }
    let narrow = |sql: &mut Sql| {
        if let Some(a) = account {
            sql.push(" AND account_id = ").push_arg(a);
        }
        if let Some(owners) = owners {
            sql.push(" AND account_id IN (SELECT account_id FROM invoices WHERE owner_id IN (")
                .push_args(owners)
                .push(") UNION SELECT account_id FROM payments WHERE owner_id IN (")
                .push_args(owners)
                .push("))");
        }
    };
    // Each credit not closed by `day` (see `closed`), less what of it is applied on
    // `day`: payments (nothing while reversed), then credit notes. An application is
    // never dated before its credit, so later credits hold nothing on `day`.
    let in_force = "a.applied_on <= $1 AND (a.reversed_on IS NULL OR a.reversed_on > $1)";
    let mut sql = Sql::new(format!(
        "SELECT account_id, currency, CAST(SUM(v) AS BIGINT) AS v FROM (\
         SELECT account_id, currency, \
         (CASE WHEN reversed_on IS NULL OR reversed_on > $1 THEN amount ELSE 0 END) \
         - COALESCE((SELECT SUM(a.amount) FROM billing_applications a \
           WHERE a.credit_id = payments.id AND {in_force}), 0) AS v \
         FROM payments WHERE received_on <= $1 AND closed_on > $1"
    ))
    .arg(Some(day));
    narrow(&mut sql);
    sql.push(&format!(
        " UNION ALL SELECT account_id, currency, total \
         - COALESCE((SELECT SUM(a.amount) FROM billing_applications a \
           WHERE a.credit_id = invoices.id AND {in_force}), 0) AS v \
         FROM invoices WHERE kind = 'credit_note' AND issue_date <= $1 AND closed_on > $1"
    ));
    narrow(&mut sql);
    sql.push(") t GROUP BY account_id, currency");
    let mut out = HashMap::new();
    for r in c.fetch_all(sql).await? {
        let currency = parse_currency(&r.text("currency")?)?;
        let v = amount(r.int("v")?, currency);
        if !v.is_zero() {
            out.insert((r.id("account_id")?, currency), v);
        }
    }
    Ok(out)
}

/// Who an ageing row is: a customer's name, owner and territory.
#[derive(Debug, Clone)]
pub struct Customer {
    pub name: String,
    pub owner_id: Option<Id>,
    pub territory_id: Option<Id>,
}

/// The customers `ids` name (deleted ones too: what they owe still ages), read from
/// their columns rather than their whole records, which the ageing of every customer
/// cannot afford.
pub async fn customers(c: &mut Conn, ids: &[Id]) -> Result<HashMap<Id, Customer>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql =
            Sql::new("SELECT id, name, owner_id, territory_id FROM accounts WHERE id IN (");
        sql.push_args(chunk).push(")");
        for r in c.fetch_all(sql).await? {
            out.insert(
                r.id("id")?,
                Customer {
                    name: r.text("name")?,
                    owner_id: r.opt_id("owner_id")?,
                    territory_id: r.opt_id("territory_id")?,
                },
            );
        }
    }
    Ok(out)
}
