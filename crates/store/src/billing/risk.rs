//! Managers' approvals to sell to a risky customer.

use chrono::{DateTime, NaiveDate, Utc};

use cartera_core::Id;

use crate::db::{Conn, Result, Sql};

/// One approval.
#[derive(Debug, Clone)]
pub struct Approval {
    pub id: Id,
    pub account_id: Id,
    /// `amber` or `red`: what it covers (and any lower level).
    pub level: String,
    pub reason: String,
    pub approved_by: Id,
    pub approved_at: DateTime<Utc>,
    pub valid_until: NaiveDate,
}

pub async fn insert(c: &mut Conn, a: &Approval) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO risk_approvals (id, account_id, level, reason, approved_by, \
             approved_at, valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .arg(a.id)
        .arg(a.account_id)
        .arg(a.level.as_str())
        .arg(a.reason.as_str())
        .arg(a.approved_by)
        .arg(a.approved_at)
        .arg(Some(a.valid_until)),
    )
    .await?;
    Ok(())
}

/// The approvals of an account still good on `day`, latest first.
pub async fn valid_on(c: &mut Conn, account: Id, day: NaiveDate) -> Result<Vec<Approval>> {
    c.fetch_all(
        Sql::new(
            "SELECT id, account_id, level, reason, approved_by, approved_at, valid_until \
             FROM risk_approvals WHERE account_id = $1 AND valid_until >= $2 \
             ORDER BY approved_at DESC",
        )
        .arg(account)
        .arg(Some(day)),
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Approval {
            id: r.id("id")?,
            account_id: r.id("account_id")?,
            level: r.text("level")?,
            reason: r.text("reason")?,
            approved_by: r.id("approved_by")?,
            approved_at: r.time("approved_at")?,
            valid_until: super::invoices::date(r, "valid_until")?,
        })
    })
    .collect()
}
