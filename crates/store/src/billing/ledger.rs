//! The movements of a customer's current account, as `core::billing::ledger` reads
//! them, and the open charges and unapplied credit of every customer on a date (the
//! ageing report): each document's `total - applied` (see `closed`), corrected by what
//! moved after the day.

use std::collections::{HashMap, HashSet};

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

/// How much each document's open part on `day` differs from its `total - applied` (see
/// `closed`): applications made after `day` and still standing were not applied yet on
/// it, and those taken back after `day` still were. By document id, a charge's and a
/// credit's alike (ids are unique across both). Only the applications touched after
/// `day` are read, which as of today are none.
#[derive(Debug, Default)]
pub struct MovedAfter(HashMap<Id, i64>);

impl MovedAfter {
    pub async fn read(c: &mut Conn, day: NaiveDate, account: Option<Id>) -> Result<MovedAfter> {
        let narrow = |sql: &mut Sql| {
            if let Some(a) = account {
                sql.push(" AND account_id = ").push_arg(a);
            }
        };
        let mut sql = Sql::new(
            "SELECT debit_id, credit_id, amount FROM billing_applications \
             WHERE applied_on > $1 AND reversed_on IS NULL",
        )
        .arg(Some(day));
        narrow(&mut sql);
        sql.push(
            " UNION ALL SELECT debit_id, credit_id, -amount FROM billing_applications \
             WHERE reversed_on > $1 AND applied_on <= $1",
        );
        narrow(&mut sql);
        let rows: Vec<(Id, Id, i64)> = c
            .fetch_packed(&["debit_id", "credit_id", "amount"], sql)
            .await?;
        let mut out: HashMap<Id, i64> = HashMap::new();
        for (debit, credit, v) in rows {
            *out.entry(debit).or_default() += v;
            *out.entry(credit).or_default() += v;
        }
        Ok(MovedAfter(out))
    }

    /// A document's open part on the day, from its `total - applied` (or a payment's
    /// amount in force less `applied`).
    fn open(&self, id: Id, now: i64) -> i64 {
        now + self.0.get(&id).copied().unwrap_or_default()
    }
}

/// Currency codes parsed once each, not once per row of a whole book.
#[derive(Default)]
struct Currencies(HashMap<String, Currency>);

impl Currencies {
    fn parse(&mut self, code: String) -> Result<Currency> {
        if let Some(c) = self.0.get(&code) {
            return Ok(*c);
        }
        let parsed = parse_currency(&code)?;
        self.0.insert(code, parsed);
        Ok(parsed)
    }
}

/// One row of [`open_charges`]' packed read.
type ChargeRow = (
    Id,
    String,
    String,
    Id,
    Option<Id>,
    String,
    NaiveDate,
    NaiveDate,
    i64,
    i64,
);

/// The charges of every account (of `owners`' invoices when given) open on `day`.
pub async fn open_charges(
    c: &mut Conn,
    day: NaiveDate,
    account: Option<Id>,
    owners: Option<&[Id]>,
) -> Result<Vec<OpenCharge>> {
    if owners.is_some_and(|o| o.is_empty()) {
        return Ok(Vec::new());
    }
    let moved = MovedAfter::read(c, day, account).await?;
    let sql = charges_not_closed(
        "id, kind, number, account_id, owner_id, currency, issue_date, due_date, total, \
         total - applied AS open",
        day,
        account,
        owners,
    );
    let columns = [
        "id",
        "kind",
        "number",
        "account_id",
        "owner_id",
        "currency",
        "issue_date",
        "due_date",
        "total",
        "open",
    ];
    let rows: Vec<ChargeRow> = c.fetch_packed(&columns, sql).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut currencies = Currencies::default();
    for (id, kind, number, account_id, owner_id, currency, issue_date, due_date, total, open) in
        rows
    {
        let open = moved.open(id, open);
        if open == 0 {
            continue;
        }
        let currency = currencies.parse(currency)?;
        out.push(OpenCharge {
            account_id,
            owner_id,
            currency,
            item: OpenItem {
                id,
                number,
                kind: charge_kind(&kind),
                issue_date,
                due_date,
                amount: amount(total, currency),
                open: amount(open, currency),
                days_overdue: (day - due_date).num_days().max(0),
            },
        });
    }
    Ok(out)
}

/// `select` of the charges (of `account`, of `owners`' invoices) not closed by `day`.
fn charges_not_closed(
    select: &str,
    day: NaiveDate,
    account: Option<Id>,
    owners: Option<&[Id]>,
) -> Sql {
    let mut sql = Sql::new(format!(
        "SELECT {select} FROM invoices \
         WHERE kind <> 'credit_note' AND issue_date <= $1 AND closed_on > $1"
    ))
    .arg(Some(day));
    if let Some(a) = account {
        sql.push(" AND account_id = ").push_arg(a);
    }
    if let Some(owners) = owners {
        sql.push(" AND owner_id IN (").push_args(owners).push(")");
    }
    sql
}

/// What of a charge is open on a day, as the ageing sums it.
#[derive(Debug, Clone)]
pub struct OpenAmount {
    pub account_id: Id,
    pub owner_id: Option<Id>,
    pub currency: Currency,
    pub days_overdue: i64,
    pub open: Decimal,
}

/// The open parts of every charge (of `owners`' invoices when given) on `day`: what
/// [`open_charges`] reads, without what the ageing does not show, so that reading
/// a whole book costs less.
pub async fn open_amounts(
    c: &mut Conn,
    day: NaiveDate,
    owners: Option<&[Id]>,
    moved: &MovedAfter,
) -> Result<Vec<OpenAmount>> {
    if owners.is_some_and(|o| o.is_empty()) {
        return Ok(Vec::new());
    }
    let sql = charges_not_closed(
        "id, account_id, owner_id, currency, due_date, total - applied AS open",
        day,
        None,
        owners,
    );
    let columns = [
        "id",
        "account_id",
        "owner_id",
        "currency",
        "due_date",
        "open",
    ];
    let rows: Vec<(Id, Id, Option<Id>, String, NaiveDate, i64)> =
        c.fetch_packed(&columns, sql).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut currencies = Currencies::default();
    for (id, account_id, owner_id, currency, due_date, open) in rows {
        let open = moved.open(id, open);
        if open == 0 {
            continue;
        }
        let currency = currencies.parse(currency)?;
        out.push(OpenAmount {
            account_id,
            owner_id,
            currency,
            days_overdue: (day - due_date).num_days().max(0),
            open: amount(open, currency),
        });
    }
    Ok(out)
}

/// Credit in force on `day` not applied to any charge, per account and currency (only
/// those with some), of every account (`owners`' customers when given); `moved` read
/// for the same day.
pub async fn unapplied(
    c: &mut Conn,
    day: NaiveDate,
    owners: Option<&[Id]>,
    moved: &MovedAfter,
) -> Result<HashMap<(Id, Currency), Decimal>> {
    if owners.is_some_and(|o| o.is_empty()) {
        return Ok(HashMap::new());
    }
    let narrow = |sql: &mut Sql| {
        if let Some(owners) = owners {
            sql.push(" AND account_id IN (SELECT account_id FROM invoices WHERE owner_id IN (")
                .push_args(owners)
                .push(") UNION SELECT account_id FROM payments WHERE owner_id IN (")
                .push_args(owners)
                .push("))");
        }
    };
    // Each credit not closed by `day` (see `closed`): payments (nothing while reversed),
    // then credit notes, less what of them is applied on `day`.
    let mut sql = Sql::new(
        "SELECT id, account_id, currency, \
         (CASE WHEN reversed_on IS NULL OR reversed_on > $1 THEN amount ELSE 0 END) - applied AS v \
         FROM payments WHERE received_on <= $1 AND closed_on > $1",
    )
    .arg(Some(day));
    narrow(&mut sql);
    sql.push(
        " UNION ALL SELECT id, account_id, currency, total - applied AS v FROM invoices \
         WHERE kind = 'credit_note' AND issue_date <= $1 AND closed_on > $1",
    );
    narrow(&mut sql);
    let rows: Vec<(Id, Id, String, i64)> = c
        .fetch_packed(&["id", "account_id", "currency", "v"], sql)
        .await?;
    let mut scaled: HashMap<(Id, String), i64> = HashMap::new();
    for (id, account_id, currency, v) in rows {
        let v = moved.open(id, v);
        if v != 0 {
            *scaled.entry((account_id, currency)).or_default() += v;
        }
    }
    let mut out = HashMap::with_capacity(scaled.len());
    for ((account_id, currency), v) in scaled {
        if v != 0 {
            let currency = parse_currency(&currency)?;
            out.insert((account_id, currency), amount(v, currency));
        }
    }
    Ok(out)
}

/// How many customers [`customers`] reads by looking each up; past it, it reads them all.
const WHOLE_TABLE: usize = 20_000;

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
    let columns = ["id", "name", "owner_id", "territory_id"];
    let select = "SELECT id, name, owner_id, territory_id FROM accounts";
    let mut rows: Vec<(Id, String, Option<Id>, Option<Id>)> = Vec::new();
    if ids.len() > WHOLE_TABLE {
        // Reading the table through is cheaper than a lookup per customer.
        let wanted: HashSet<Id> = ids.iter().copied().collect();
        rows = c.fetch_packed(&columns, Sql::new(select)).await?;
        rows.retain(|r| wanted.contains(&r.0));
    } else {
        for chunk in ids.chunks(5_000) {
            let mut sql = Sql::new(format!("{select} WHERE id IN ("));
            sql.push_args(chunk).push(")");
            rows.extend(c.fetch_packed(&columns, sql).await?);
        }
    }
    let mut out = HashMap::with_capacity(rows.len());
    for (id, name, owner_id, territory_id) in rows {
        out.insert(
            id,
            Customer {
                name,
                owner_id,
                territory_id,
            },
        );
    }
    Ok(out)
}
