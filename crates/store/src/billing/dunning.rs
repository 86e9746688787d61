//! Dunning: the levels run for each invoice (one row per invoice and level, the unique
//! index the guard against sending twice) and the customers' promises to pay.

use std::collections::HashMap;

use chrono::NaiveDate;

use cartera_core::Id;
use cartera_core::billing::dunning::{DunningRun, Promise};
use cartera_core::billing::payments::cents;
use cartera_core::money::Money;

use super::invoices::date;
use super::payments::scaled;
use crate::db::{Conn, DbRow, Result, Sql};
use crate::quotes::parse_currency;

const RUN_COLUMNS: &str = "id, invoice_id, account_id, level_days, ran_on, days_overdue, \
                           open_amount, currency, email_to, language, sent_at, email_error, \
                           activity_id, collector_id, skipped, created_at";

/// Records that `run`'s level runs for its invoice, unless it ran before: false when a
/// row for the invoice and level exists (another run, or another server, got there
/// first), and then nothing is written.
pub async fn claim(c: &mut Conn, run: &DunningRun) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(format!(
                "INSERT INTO dunning_runs ({RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
                 $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (invoice_id, level_days) DO NOTHING"
            ))
            .arg(run.id)
            .arg(run.invoice_id)
            .arg(run.account_id)
            .arg(i64::from(run.level_days))
            .arg(Some(run.ran_on))
            .arg(run.days_overdue)
            .arg(scaled(run.open.amount, run.open.currency)?)
            .arg(run.open.currency.as_str())
            .arg(&run.email_to)
            .arg(run.language.as_str())
            .arg(run.sent_at)
            .arg(&run.email_error)
            .arg(run.activity_id)
            .arg(run.collector_id)
            .arg(&run.skipped)
            .arg(run.created_at),
        )
        .await?;
    Ok(n == 1)
}

/// Writes down what became of a claimed run: the task made, the email taken or
/// refused, what was skipped.
pub async fn finish(c: &mut Conn, run: &DunningRun) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE dunning_runs SET email_to = $2, sent_at = $3, email_error = $4, \
             activity_id = $5, collector_id = $6, skipped = $7 WHERE id = $1",
        )
        .arg(run.id)
        .arg(&run.email_to)
        .arg(run.sent_at)
        .arg(&run.email_error)
        .arg(run.activity_id)
        .arg(run.collector_id)
        .arg(&run.skipped),
    )
    .await?;
    Ok(())
}

/// The levels (their days) that ran for each of `invoices`.
pub async fn levels_run(c: &mut Conn, invoices: &[Id]) -> Result<HashMap<Id, Vec<u32>>> {
    let mut out: HashMap<Id, Vec<u32>> = HashMap::new();
    // A few thousand ids per statement keep within both backends' parameter limits.
    for chunk in invoices.chunks(2000) {
        let mut sql =
            Sql::new("SELECT invoice_id, level_days FROM dunning_runs WHERE invoice_id IN (");
        sql.push_args(chunk).push(")");
        for r in c.fetch_all(sql).await? {
            let level = r.int("level_days")?;
            out.entry(r.id("invoice_id")?)
                .or_default()
                .push(u32::try_from(level).unwrap_or(u32::MAX));
        }
    }
    Ok(out)
}

const PROMISE_COLUMNS: &str = "p.id, p.account_id, p.promised_on, p.amount, p.currency, p.note, p.activity_id, \
     p.created_by, p.created_at";

/// Only promises whose activity is still there count: deleting the activity withdraws
/// the promise.
const LIVE_ACTIVITY: &str =
    "EXISTS (SELECT 1 FROM activities a WHERE a.id = p.activity_id AND a.deleted_at IS NULL)";

fn read_promise(r: &DbRow, today: NaiveDate) -> Result<Promise> {
    let amount = match (r.opt_int("amount")?, r.opt_text("currency")?) {
        (Some(v), Some(cur)) => {
            let currency = parse_currency(&cur)?;
            Some(Money {
                amount: cents(Money::from_scaled(v, currency).amount),
                currency,
            })
        }
        _ => None,
    };
    let promised_on = date(r, "promised_on")?;
    Ok(Promise {
        id: r.id("id")?,
        account_id: r.id("account_id")?,
        promised_on,
        amount,
        note: r.opt_text("note")?,
        activity_id: r.id("activity_id")?,
        created_by: r.opt_id("created_by")?,
        created_at: r.time("created_at")?,
        in_force: promised_on >= today && r.int("live")? == 1,
    })
}

pub async fn insert_promise(c: &mut Conn, p: &Promise) -> Result<()> {
    let (amount, currency) = match p.amount {
        Some(m) => (
            Some(scaled(m.amount, m.currency)?),
            Some(m.currency.as_str().to_owned()),
        ),
        None => (None, None),
    };
    c.execute(
        Sql::new(
            "INSERT INTO billing_promises (id, account_id, promised_on, amount, currency, \
             note, activity_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .arg(p.id)
        .arg(p.account_id)
        .arg(Some(p.promised_on))
        .arg(crate::db::Arg::Int(amount))
        .arg(currency)
        .arg(&p.note)
        .arg(p.activity_id)
        .arg(p.created_by)
        .arg(p.created_at),
    )
    .await?;
    Ok(())
}

/// An account's promises, latest promised day first, each said in force or not on
/// `today`.
pub async fn promises_of(c: &mut Conn, account: Id, today: NaiveDate) -> Result<Vec<Promise>> {
    c.fetch_all(
        Sql::new(format!(
            "SELECT {PROMISE_COLUMNS}, CAST(CASE WHEN {LIVE_ACTIVITY} THEN 1 ELSE 0 END AS BIGINT) \
             AS live \
             FROM billing_promises p WHERE p.account_id = $1 \
             ORDER BY p.promised_on DESC, p.created_at DESC"
        ))
        .arg(account),
    )
    .await?
    .iter()
    .map(|r| read_promise(r, today))
    .collect()
}

/// The accounts with a promise in force on `day`, each with the latest day promised.
pub async fn paused_until(c: &mut Conn, day: NaiveDate) -> Result<HashMap<Id, NaiveDate>> {
    let mut out = HashMap::new();
    for r in c
        .fetch_all(
            Sql::new(format!(
                "SELECT p.account_id, MAX(p.promised_on) AS until FROM billing_promises p \
                 WHERE p.promised_on >= $1 AND {LIVE_ACTIVITY} GROUP BY p.account_id"
            ))
            .arg(Some(day)),
        )
        .await?
    {
        out.insert(r.id("account_id")?, date(&r, "until")?);
    }
    Ok(out)
}
