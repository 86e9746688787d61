//! Monthly statements: on the company's day of the month (settings
//! `billing.statements`), every customer that owed at the end of the month before gets
//! that month's statement by email, with its PDF, once per currency; a customer can be
//! taken off them. Each send is on the account's timeline.
//!
//! - [`run`] is the daily job (`JOB_KIND`, scheduled by [`ensure_scheduled`]): from the
//!   day on, it sends what this month has not sent yet, so a server down on the day
//!   catches up the next;
//! - [`schedule`] and [`set_schedule`] read and change one customer's choice.
//!
//! The send is claimed before the email goes, as dunning's levels are: a crash in
//! between loses one email rather than sending it twice.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::jobs::Job;
use cartera_core::money::Currency;
use cartera_core::roles::{Action, Module};
use cartera_store::billing::ledger::open_charges;
use cartera_store::billing::statements::{self as store, StatementSend};
use cartera_store::records as records_store;

use super::accounts::statement_of;
use super::dunning::customer;
use super::print::render_statement;
use crate::events::{self, set};
use crate::jobs::{Daily, JobFailure};
use crate::records::load_visible;
use crate::{Actor, App, AppError, Result, mail};

/// The daily run's job.
pub const JOB_KIND: &str = "billing.statements";

/// The hour (UTC) the daily run is queued for: morning in Buenos Aires and Madrid.
pub const DAILY_HOUR_UTC: u32 = 10;

/// One customer's monthly statements: whether they go, and the last ones sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Schedule {
    pub account_id: Id,
    /// The customer gets the monthly statement (the company's `billing.statements.monthly`
    /// also has to be on).
    pub monthly: bool,
    /// Whether the company sends monthly statements at all.
    pub company_monthly: bool,
    /// The day of the month they go.
    pub day: u32,
    /// The latest sends, newest first (up to 12).
    pub sent: Vec<SentStatement>,
}

/// A month's statement sent (or tried) to a customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SentStatement {
    #[schema(example = "2026-11")]
    pub month: String,
    #[schema(value_type = String, example = "ARS")]
    pub currency: String,
    pub email_to: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the email was not taken, or `no_email` when the customer has no address.
    pub email_error: Option<String>,
}

/// A change to one customer's monthly statements.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    pub monthly: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StatementRun {
    #[schema(value_type = String, example = "2026-12-01")]
    pub day: NaiveDate,
    /// The month the statements cover (`2026-11`); absent when nothing was due today.
    pub month: Option<String>,
    pub sent: usize,
    /// Customers who owe but have no email address.
    pub without_email: usize,
    /// Emails the mail server refused.
    pub failed: usize,
    /// Customers taken off the monthly statements.
    pub opted_out: usize,
}

pub async fn schedule(app: &App, actor: &Actor, account: Id) -> Result<Schedule> {
    actor.permit(Module::Billing, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    read(&mut conn, account).await
}

async fn read(conn: &mut cartera_store::Conn, account: Id) -> Result<Schedule> {
    let settings = crate::settings::load(conn).await?.billing.statements;
    let off = store::is_opted_out(conn, account).await?;
    let sent = store::sends_of(conn, account, 12).await?;
    Ok(Schedule {
        account_id: account,
        monthly: !off,
        company_monthly: settings.monthly,
        day: settings.day,
        sent: sent
            .into_iter()
            .map(|s| SentStatement {
                month: s.month,
                currency: s.currency,
                email_to: s.email_to,
                sent_at: s.sent_at,
                email_error: s.email_error,
            })
            .collect(),
    })
}

/// Takes a customer off the monthly statements or puts it back (billing edit); audited.
pub async fn set_schedule(
    app: &App,
    actor: &Actor,
    account: Id,
    input: ScheduleInput,
) -> Result<Schedule> {
    actor.permit(Module::Billing, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    if store::set_opted_out(&mut conn, account, !input.monthly, Some(actor.user_id), now).await? {
        events::write(
            &mut conn,
            events::event(
                Some(actor),
                now,
                AuditAction::Updated,
                cartera_core::record::RecordKind::Account,
                account,
                vec![events::change(
                    "monthly_statement",
                    json!(!input.monthly),
                    json!(input.monthly),
                )],
            ),
        )
        .await?;
    }
    let out = read(&mut conn, account).await?;
    conn.commit().await?;
    Ok(out)
}

/// Runs today's statements by hand (billing or settings admins): what the daily job
/// does.
pub async fn run_now(app: &App, actor: &Actor) -> Result<StatementRun> {
    if !actor.may(Module::Settings, Action::Admin) {
        actor.permit(Module::Billing, Action::Admin)?;
    }
    run(app, app.today()).await
}

/// The month before `day`'s: (`2026-11`, its first day, its last day).
fn month_before(day: NaiveDate) -> (String, NaiveDate, NaiveDate) {
    let first_of_this = day.with_day(1).unwrap_or(day);
    let last = first_of_this - Duration::days(1);
    let first = last.with_day(1).unwrap_or(last);
    (
        format!("{:04}-{:02}", last.year(), last.month()),
        first,
        last,
    )
}

/// The statements due on `today`, as Cartera itself.
pub async fn run(app: &App, today: NaiveDate) -> Result<StatementRun> {
    let mut summary = StatementRun {
        day: today,
        ..StatementRun::default()
    };
    let mut conn = app.db.reader().await?;
    let settings = crate::settings::load(&mut conn).await?;
    let schedule = settings.billing.statements;
    if !schedule.monthly || today.day() < schedule.day {
        return Ok(summary);
    }
    let (month, from, to) = month_before(today);
    summary.month = Some(month.clone());
    let company = if settings.company.name.is_empty() {
        "Cartera".to_owned()
    } else {
        settings.company.name
    };
    let off = store::opted_out(&mut conn).await?;
    // Who owed at the end of the month, once per customer and currency.
    let mut owing: Vec<(Id, Currency)> = open_charges(&mut conn, to, None, None)
        .await?
        .into_iter()
        .filter(|c| c.item.open > rust_decimal::Decimal::ZERO)
        .map(|c| (c.account_id, c.currency))
        .collect();
    owing.sort();
    owing.dedup();
    drop(conn);
    for (account, currency) in owing {
        if off.contains(&account) {
            summary.opted_out += 1;
            continue;
        }
        send_one(
            app,
            &month,
            from,
            to,
            account,
            currency,
            &company,
            &mut summary,
        )
        .await?;
    }
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
async fn send_one(
    app: &App,
    month: &str,
    from: NaiveDate,
    to: NaiveDate,
    account: Id,
    currency: Currency,
    company: &str,
    summary: &mut StatementRun,
) -> Result<()> {
    let mut conn = app.db.reader().await?;
    let Some(a) = records_store::get::<AccountData>(&mut conn, account)
        .await?
        .filter(|a| a.meta.deleted_at.is_none())
    else {
        return Ok(());
    };
    let who = customer(&mut conn, &a).await?;
    let st = statement_of(
        &mut conn,
        account,
        a.data.name.clone(),
        Some(currency),
        Some(from),
        to,
    )
    .await?;
    drop(conn);
    if st.statement.closing_balance <= rust_decimal::Decimal::ZERO {
        // Paid or in credit by the month's end: nothing to ask for.
        return Ok(());
    }
    let now = app.now();
    let mut send = StatementSend {
        account_id: account,
        month: month.to_owned(),
        currency: currency.as_str().to_owned(),
        email_to: who.recipient.as_ref().map(|r| r.address.clone()),
        sent_at: None,
        email_error: None,
        created_at: now,
    };
    if who.recipient.is_none() {
        send.email_error = Some("no_email".into());
    }
    let mut tx = app.db.begin().await?;
    if !store::claim(&mut tx, &send).await? {
        return Ok(());
    }
    tx.commit().await?;
    match &who.recipient {
        None => summary.without_email += 1,
        Some(r) => {
            let lang = who.language;
            let (name, pdf) = render_statement(app, &st, lang).await?;
            let email = mail::statement(
                lang.as_str(),
                &r.name,
                &r.address,
                company,
                &lang.date(to),
                &format!(
                    "{} {}",
                    lang.amount(st.statement.closing_balance),
                    currency.as_str()
                ),
            );
            match crate::documents::print::email_with_pdf(app, &email, name, pdf).await {
                Ok(()) => {
                    send.sent_at = Some(app.now());
                    summary.sent += 1;
                }
                // The mail server refused it: written down, the run goes on.
                Err(AppError::Conflict(e)) => {
                    tracing::warn!(error = %e, %account, "a monthly statement was not taken");
                    send.email_error = Some(e);
                    summary.failed += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
    let mut tx = app.db.begin().await?;
    store::finish(&mut tx, &send).await?;
    let mut changes = vec![
        set("month", month.to_owned()),
        set("currency", currency.as_str().to_owned()),
        set(
            "balance",
            json!({"amount": st.statement.closing_balance, "currency": currency}),
        ),
    ];
    if let Some(to) = &send.email_to {
        changes.push(set("email_to", to.clone()));
        changes.push(set("email_sent", send.sent_at.is_some()));
    }
    events::write(
        &mut tx,
        events::event(
            None,
            now,
            AuditAction::StatementSent,
            cartera_core::record::RecordKind::Account,
            account,
            changes,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The daily run, at its hour.
pub const DAILY: Daily = Daily {
    kind: JOB_KIND,
    hour_utc: DAILY_HOUR_UTC,
};

/// Queues the next daily run unless it is queued already.
pub async fn ensure_scheduled(app: &App) -> Result<()> {
    DAILY.ensure(app).await
}

/// The daily job: today's statements, then tomorrow's occurrence.
pub async fn run_job(app: App, _job: Job) -> std::result::Result<(), JobFailure> {
    let summary = run(&app, app.today()).await?;
    tracing::info!(
        sent = summary.sent,
        without_email = summary.without_email,
        failed = summary.failed,
        "monthly statements ran"
    );
    DAILY.ensure(&app).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_before_spans_its_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let (m, a, b) = month_before(d("2026-12-01"));
        assert_eq!(
            (m.as_str(), a, b),
            ("2026-11", d("2026-11-01"), d("2026-11-30"))
        );
        let (m, a, b) = month_before(d("2027-01-15"));
        assert_eq!(
            (m.as_str(), a, b),
            ("2026-12", d("2026-12-01"), d("2026-12-31"))
        );
        let (_, _, b) = month_before(d("2028-03-01"));
        assert_eq!(b, d("2028-02-29"));
    }
}
