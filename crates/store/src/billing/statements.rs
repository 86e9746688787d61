//! Monthly statements: who is off them, and each month's send, claimed once.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use cartera_core::Id;

use crate::db::{Conn, Result, Sql};

/// The customers taken off the monthly statements.
pub async fn opted_out(c: &mut Conn) -> Result<HashSet<Id>> {
    c.fetch_all(Sql::new("SELECT account_id FROM statement_optouts"))
        .await?
        .iter()
        .map(|r| r.id("account_id"))
        .collect()
}

pub async fn is_opted_out(c: &mut Conn, account: Id) -> Result<bool> {
    Ok(c.fetch_optional(
        Sql::new("SELECT account_id FROM statement_optouts WHERE account_id = $1").arg(account),
    )
    .await?
    .is_some())
}

/// Takes a customer off the monthly statements (`off`) or puts it back; whether anything
/// changed.
pub async fn set_opted_out(
    c: &mut Conn,
    account: Id,
    off: bool,
    by: Option<Id>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let sql = if off {
        Sql::new(
            "INSERT INTO statement_optouts (account_id, set_by, set_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO NOTHING",
        )
        .arg(account)
        .arg(by)
        .arg(at)
    } else {
        Sql::new("DELETE FROM statement_optouts WHERE account_id = $1").arg(account)
    };
    Ok(c.execute(sql).await? > 0)
}

/// One month's statement to one customer in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementSend {
    pub account_id: Id,
    /// `2026-11`.
    pub month: String,
    pub currency: String,
    pub email_to: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub email_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Claims a send; `false` when that month's statement went (or was claimed) already.
pub async fn claim(c: &mut Conn, s: &StatementSend) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "INSERT INTO statement_sends (account_id, month, currency, email_to, sent_at, \
                 email_error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (account_id, month, currency) DO NOTHING",
            )
            .arg(s.account_id)
            .arg(&s.month)
            .arg(&s.currency)
            .arg(&s.email_to)
            .arg(s.sent_at)
            .arg(&s.email_error)
            .arg(s.created_at),
        )
        .await?;
    Ok(n == 1)
}

/// Writes down whether the claimed email was taken.
pub async fn finish(c: &mut Conn, s: &StatementSend) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE statement_sends SET email_to = $4, sent_at = $5, email_error = $6 \
             WHERE account_id = $1 AND month = $2 AND currency = $3",
        )
        .arg(s.account_id)
        .arg(&s.month)
        .arg(&s.currency)
        .arg(&s.email_to)
        .arg(s.sent_at)
        .arg(&s.email_error),
    )
    .await?;
    Ok(())
}

/// A customer's latest sends, newest first.
pub async fn sends_of(c: &mut Conn, account: Id, limit: i64) -> Result<Vec<StatementSend>> {
    c.fetch_all(
        Sql::new(
            "SELECT account_id, month, currency, email_to, sent_at, email_error, created_at \
             FROM statement_sends WHERE account_id = $1 ORDER BY month DESC, currency \
             LIMIT $2",
        )
        .arg(account)
        .arg(limit),
    )
    .await?
    .iter()
    .map(|r| {
        Ok(StatementSend {
            account_id: r.id("account_id")?,
            month: r.text("month")?,
            currency: r.text("currency")?,
            email_to: r.opt_text("email_to")?,
            sent_at: r.opt_time("sent_at")?,
            email_error: r.opt_text("email_error")?,
            created_at: r.time("created_at")?,
        })
    })
    .collect()
}
