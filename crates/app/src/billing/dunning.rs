//! Dunning ("gestión de cobranza"): every day, each overdue invoice gets the highest
//! level of the company's policy it has reached, once: an email to the customer in its
//! language, a collections call on the collector's agenda, or both; a customer who
//! promised to pay gets nothing until the promised day passes. Each run is on the
//! account's timeline.
//!
//! - the policy is a settings object (`/api/v1/dunning_policy`), written through the one
//!   write path of `versioned`, by a billing or settings admin;
//! - [`run`] is the daily job (`JOB_KIND`, scheduled by [`ensure_scheduled`]) and what
//!   `POST /api/v1/dunning/run` calls;
//! - [`promise`] writes a promise to pay down as an activity on the account.
//!
//! Who is written to, who calls, and why a level is claimed before its email is sent:
//! `docs/decisions/billing.md`, "Dunning".

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::agenda::{NewNotification, NotificationKind};
use cartera_core::audit::AuditAction;
use cartera_core::billing::dunning::{
    Decision, DunningLevel, DunningPolicy, DunningRun, Notice, Promise, PromiseInput, amount_text,
    language_for,
};
use cartera_core::billing::payments::cents;
use cartera_core::contacts::ContactData;
use cartera_core::jobs::Job;
use cartera_core::money::Money;
use cartera_core::quotes::Language;
use cartera_core::record::{FieldChange, Record, RecordKind, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::users::User;
use cartera_core::{Check, Id};
use cartera_store::billing::dunning as store;
use cartera_store::billing::ledger::{OpenCharge, open_charges};
use cartera_store::{
    Conn, records as records_store, settings as settings_store, users as users_store,
};

use crate::events::{self, set};
use crate::jobs::{Daily, JobFailure};
use crate::mail::Email;
use crate::records::{Naming, WriteOptions, create_in, load_visible};
use crate::versioned::{self, Conflict, Versioned};
use crate::{Actor, App, AppError, Result, notifications};

/// The daily run's job.
pub const JOB_KIND: &str = "billing.dunning";

/// The hour (UTC) of the daily run: 08:00 in Buenos Aires, 12:00 in Madrid.
pub const DAILY_HOUR_UTC: u32 = 11;

/// The policy is one row of the settings table and one record in the audit trail.
const POLICY_KEY: &str = "dunning_policy";
const POLICY_ID: Id = Id::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0045);

/// The stored policy, or the default one; a policy written by a newer version that
/// this one cannot read falls back to the default too.
pub(crate) async fn load(conn: &mut Conn) -> Result<DunningPolicy> {
    Ok(match settings_store::get(conn, POLICY_KEY).await? {
        Some(v) => serde_json::from_value(v).unwrap_or_default(),
        None => DunningPolicy::default(),
    })
}

/// The policy is written like the follow-up rules (one object, no versions, no
/// `If-Match`), but by whoever administers billing: its module is billing. A settings
/// admin may write it too ([`policy_writer`]).
impl Versioned for DunningPolicy {
    const KIND: RecordKind = RecordKind::Setting;
    const MODULE: Module = Module::Billing;
    const CONFLICT: Conflict =
        Conflict::Refused("the dunning policy changed while this request ran; read it again");
    const FIELDS: &'static [&'static str] = &[];

    fn id(&self) -> Id {
        POLICY_ID
    }

    fn version(&self) -> i64 {
        0
    }

    fn stamp(&mut self, _version: i64, _now: DateTime<Utc>) {}

    fn normalize(&mut self) {
        DunningPolicy::normalize(self);
    }

    async fn load(conn: &mut Conn, _id: Id) -> Result<Option<Self>> {
        Ok(Some(load(conn).await?))
    }

    async fn validate(
        _conn: &mut Conn,
        _old: Option<&Self>,
        new: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        new.check(c);
        Ok(())
    }

    async fn insert(conn: &mut Conn, new: &Self, now: DateTime<Utc>) -> Result<()> {
        let value = serde_json::to_value(new).unwrap_or(Value::Null);
        Ok(settings_store::set(conn, POLICY_KEY, &value, now).await?)
    }

    /// One writer at a time holds the write transaction.
    async fn update(
        conn: &mut Conn,
        new: &Self,
        _expected: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Self::insert(conn, new, now).await?;
        Ok(true)
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        diff(old, Some(new))
    }
}

/// The actor as the policy's write path sees it: a billing admin as they are; a
/// settings admin with billing's admin right for this one write (the audit event still
/// names them); anybody else refused.
fn policy_writer(actor: &Actor) -> Result<Cow<'_, Actor>> {
    if actor.may(Module::Billing, Action::Admin) {
        return Ok(Cow::Borrowed(actor));
    }
    if actor.may(Module::Settings, Action::Admin) {
        let mut a = actor.clone();
        Arc::make_mut(&mut a.permissions)
            .entry(Module::Billing)
            .or_default()
            .insert(Action::Admin);
        return Ok(Cow::Owned(a));
    }
    actor.permit(Module::Billing, Action::Admin)?;
    Ok(Cow::Borrowed(actor))
}

/// Refuses whoever may not run the policy by hand (its admins).
fn permit_admin(actor: &Actor) -> Result<()> {
    if actor.may(Module::Settings, Action::Admin) {
        return Ok(());
    }
    actor.permit(Module::Billing, Action::Admin)
}

/// The policy (whoever reads billing or the settings).
pub async fn policy(app: &App, actor: &Actor) -> Result<DunningPolicy> {
    if !actor.may(Module::Settings, Action::Read) {
        actor.permit(Module::Billing, Action::Read)?;
    }
    let mut conn = app.db.reader().await?;
    load(&mut conn).await
}

/// Replaces the policy (billing or settings admins); 422 naming `levels[i].<field>`.
pub async fn set_policy(app: &App, actor: &Actor, new: DunningPolicy) -> Result<DunningPolicy> {
    let writer = policy_writer(actor)?;
    versioned::update(app, &writer, POLICY_ID, None, |p: &mut DunningPolicy, _| {
        *p = new;
        Ok(())
    })
    .await
}

/// Why part of a level was not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The level emails, but neither the account nor its contacts have an address.
    NoEmail,
    /// The level makes a call task, but the account has no active owner to make it for.
    NoCollector,
    /// The SMTP server did not take the email (the level is not tried again).
    EmailFailed,
}

impl SkipReason {
    fn as_str(self) -> &'static str {
        match self {
            SkipReason::NoEmail => "no_email",
            SkipReason::NoCollector => "no_collector",
            SkipReason::EmailFailed => "email_failed",
        }
    }
}

/// Part of a level left undone, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Skipped {
    pub invoice_id: Id,
    pub invoice_number: String,
    pub account_id: Id,
    pub level_days: u32,
    pub reason: SkipReason,
}

/// What one run did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunSummary {
    /// The day it ran for.
    #[schema(value_type = String, format = Date, example = "2026-12-06")]
    pub day: NaiveDate,
    /// Whether the policy is on (off: nothing was done).
    pub enabled: bool,
    /// Levels run (one per invoice and level, never twice).
    pub levels_run: usize,
    pub emails_sent: usize,
    /// Collections calls put on collectors' agendas.
    pub tasks_created: usize,
    /// Open charges with a level due, held back by a promise to pay.
    pub paused: usize,
    /// What a level could not do, and why.
    pub skipped: Vec<Skipped>,
}

/// Where a customer's reminders go.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    pub(crate) name: String,
    pub(crate) address: String,
}

/// A customer as a run reads it, once per run.
pub(crate) struct Customer {
    pub(crate) name: String,
    pub(crate) owner_id: Option<Id>,
    pub(crate) recipient: Option<Recipient>,
    pub(crate) language: Language,
}

/// Whether an email's label says it is for invoices and payments.
fn billing_label(label: Option<&str>) -> bool {
    let Some(l) = label else {
        return false;
    };
    let l = cartera_core::text::fold(l);
    [
        "billing", "factur", "cobran", "pago", "payment", "invoic", "account",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// The account's contacts' and its own addresses: one labelled for billing first (a
/// contact's, then the account's), else the first contact with an address (the oldest),
/// else the account's first. The language follows the account's billing country, else
/// that contact's.
pub(crate) async fn customer(conn: &mut Conn, account: &Record<AccountData>) -> Result<Customer> {
    let ids = records_store::referring::<ContactData>(conn, "account_id", account.id).await?;
    let mut contacts = records_store::get_many::<ContactData>(conn, &ids).await?;
    contacts.retain(|c| c.meta.deleted_at.is_none());
    let order: HashMap<Id, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    contacts.sort_by_key(|c| order.get(&c.id).copied().unwrap_or(usize::MAX));
    let person = |c: &Record<ContactData>| {
        format!("{} {}", c.data.first_name, c.data.last_name)
            .trim()
            .to_owned()
    };
    let a = &account.data;
    let from_contact = |billing: bool| {
        contacts.iter().find_map(|c| {
            c.data
                .emails
                .iter()
                .find(|e| !billing || billing_label(e.label.as_deref()))
                .map(|e| (Some(c), e.address.clone()))
        })
    };
    let from_account = |billing: bool| {
        a.emails
            .iter()
            .find(|e| !billing || billing_label(e.label.as_deref()))
            .map(|e| (None, e.address.clone()))
    };
    let found = from_contact(true)
        .or_else(|| from_account(true))
        .or_else(|| from_contact(false))
        .or_else(|| from_account(false));
    let country = a.billing_address.country.clone().or_else(|| {
        found
            .as_ref()
            .and_then(|(c, _)| c.and_then(|c| c.data.address.country.clone()))
    });
    Ok(Customer {
        name: a.name.clone(),
        owner_id: a.owner_id,
        language: language_for(country.as_deref()),
        recipient: found.map(|(c, address)| Recipient {
            name: c.map(person).unwrap_or_else(|| a.name.clone()),
            address,
        }),
    })
}

/// Runs the policy by hand (its admins): the same as the daily job, for today; the
/// audit events name the actor.
pub async fn run_now(app: &App, actor: &Actor) -> Result<RunSummary> {
    permit_admin(actor)?;
    run_as(app, Some(actor), app.today()).await
}

/// The daily run for `today`, as Cartera itself.
pub async fn run(app: &App, today: NaiveDate) -> Result<RunSummary> {
    run_as(app, None, today).await
}

async fn run_as(app: &App, actor: Option<&Actor>, today: NaiveDate) -> Result<RunSummary> {
    let mut conn = app.db.reader().await?;
    let policy = load(&mut conn).await?;
    let mut summary = RunSummary {
        day: today,
        enabled: policy.enabled,
        levels_run: 0,
        emails_sent: 0,
        tasks_created: 0,
        paused: 0,
        skipped: Vec::new(),
    };
    let Some(first) = policy.levels.iter().map(|l| l.days_overdue).min() else {
        return Ok(summary);
    };
    if !policy.enabled {
        return Ok(summary);
    }
    let mut charges: Vec<OpenCharge> = open_charges(&mut conn, today, None, None)
        .await?
        .into_iter()
        .filter(|c| c.item.days_overdue >= i64::from(first) && c.item.open > Decimal::ZERO)
        .collect();
    charges.sort_by(|a, b| {
        (a.account_id, a.item.due_date, &a.item.number).cmp(&(
            b.account_id,
            b.item.due_date,
            &b.item.number,
        ))
    });
    let ids: Vec<Id> = charges.iter().map(|c| c.item.id).collect();
    let sent = store::levels_run(&mut conn, &ids).await?;
    let promises = store::paused_until(&mut conn, today).await?;
    let mut customers: HashMap<Id, Option<Customer>> = HashMap::new();
    let mut users: HashMap<Id, Option<User>> = HashMap::new();
    let mut due = Vec::new();
    for ch in &charges {
        let level = match policy.decide(
            ch.item.days_overdue,
            sent.get(&ch.item.id).map_or(&[][..], Vec::as_slice),
            promises.get(&ch.account_id).copied(),
            today,
        ) {
            Decision::Nothing => continue,
            Decision::Paused { .. } => {
                summary.paused += 1;
                continue;
            }
            Decision::Run(level) => level,
        };
        if let Entry::Vacant(e) = customers.entry(ch.account_id) {
            let account = records_store::get::<AccountData>(&mut conn, ch.account_id).await?;
            e.insert(match account.filter(|a| a.meta.deleted_at.is_none()) {
                Some(a) => Some(customer(&mut conn, &a).await?),
                // A customer in the trash is not written to.
                None => None,
            });
        }
        let Some(Some(customer)) = customers.get(&ch.account_id) else {
            continue;
        };
        let collector = match customer.owner_id.or(ch.owner_id) {
            Some(id) => {
                if let Entry::Vacant(e) = users.entry(id) {
                    e.insert(
                        users_store::by_id(&mut conn, id)
                            .await?
                            .filter(|u| u.active),
                    );
                }
                users.get(&id).cloned().flatten()
            }
            None => None,
        };
        due.push((ch, level, collector));
    }
    drop(conn);
    for (ch, level, collector) in due {
        let Some(Some(customer)) = customers.get(&ch.account_id) else {
            continue;
        };
        run_level(
            app,
            actor,
            today,
            ch,
            level,
            customer,
            collector,
            &mut summary,
        )
        .await?;
    }
    Ok(summary)
}

/// Words in a user's language.
fn say(user: &User, es: String, en: String) -> String {
    if user.locale == "en" { en } else { es }
}

/// The day `now` is for `user`.
fn today_for(user: &User, now: DateTime<Utc>) -> NaiveDate {
    match user.time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

/// One level for one invoice: claimed with its call task in one transaction (a second
/// run, or a second server, finds it claimed and does nothing), then the email, then
/// what happened, on the run and on the account's timeline.
#[allow(clippy::too_many_arguments)]
async fn run_level(
    app: &App,
    actor: Option<&Actor>,
    today: NaiveDate,
    ch: &OpenCharge,
    level: &DunningLevel,
    customer: &Customer,
    collector: Option<User>,
    summary: &mut RunSummary,
) -> Result<()> {
    let now = app.now();
    let open = Money {
        amount: ch.item.open,
        currency: ch.currency,
    };
    let recipient = customer.recipient.as_ref().filter(|_| level.email);
    let collector = collector.filter(|_| level.task);
    let mut skipped = Vec::new();
    if level.email && recipient.is_none() {
        skipped.push(SkipReason::NoEmail);
    }
    if level.task && collector.is_none() {
        skipped.push(SkipReason::NoCollector);
    }
    let mut run = DunningRun {
        id: Id::new(),
        invoice_id: ch.item.id,
        account_id: ch.account_id,
        level_days: level.days_overdue,
        ran_on: today,
        days_overdue: ch.item.days_overdue,
        open,
        email_to: recipient.map(|r| r.address.clone()),
        language: customer.language,
        sent_at: None,
        email_error: None,
        activity_id: None,
        collector_id: collector.as_ref().map(|u| u.id),
        skipped: None,
        created_at: now,
    };
    let mut conn = app.db.begin().await?;
    if !store::claim(&mut conn, &run).await? {
        // Ran already: dropping the transaction writes nothing.
        return Ok(());
    }
    if let Some(user) = &collector {
        let lang = if user.locale == "en" {
            Language::En
        } else {
            Language::Es
        };
        let amount = amount_text(lang, open);
        let days = ch.item.days_overdue;
        let subject = say(
            user,
            format!(
                "Llamar a {} por la factura {}: {amount}, {days} días de atraso",
                customer.name, ch.item.number
            ),
            format!(
                "Call {} about invoice {}: {amount}, {days} days overdue",
                customer.name, ch.item.number
            ),
        );
        let notes = say(
            user,
            format!(
                "Aviso de cobranza de {} días. La factura venció el {}. Si el cliente promete \
                 una fecha de pago, regístrala como promesa de pago en la cuenta: los avisos \
                 se pausan hasta ese día.",
                level.days_overdue,
                lang.date(ch.item.due_date)
            ),
            format!(
                "{}-day collections notice. The invoice was due on {}. If the customer \
                 promises a date, record it as a promise to pay on the account: reminders \
                 pause until that day.",
                level.days_overdue,
                lang.date(ch.item.due_date)
            ),
        );
        let task = json!({
            "kind": "call",
            "subject": subject,
            "notes": notes,
            "due_date": today_for(user, now),
            "account_id": ch.account_id,
            "owner_id": user.id,
            "tags": ["collections"],
        });
        // The call is the collector's own: written as them, so it shows as theirs.
        let tasks = create_in::<ActivityData>(
            &mut conn,
            now,
            &Actor::administrator(user.id),
            vec![task],
            WriteOptions {
                allow_duplicate: true,
            },
            Naming::Bare,
        )
        .await?;
        run.activity_id = tasks.first().map(|t| t.id);
        notifications::raise(
            &mut conn,
            app,
            &NewNotification {
                user_id: user.id,
                kind: NotificationKind::FollowUp,
                title: subject,
                body: None,
                record_kind: Some(RecordKind::Activity),
                record_id: run.activity_id,
                dedupe_key: Some(format!("dunning:{}:{}", ch.item.id, level.days_overdue)),
            },
        )
        .await?;
    }
    store::finish(&mut conn, &run).await?;
    conn.commit().await?;
    summary.levels_run += 1;
    if run.activity_id.is_some() {
        summary.tasks_created += 1;
    }
    // The email goes after the claim is committed: a crash in between loses one email
    // rather than sending it twice.
    if let Some(r) = recipient {
        let notice = Notice {
            customer: customer.name.clone(),
            invoice: ch.item.number.clone(),
            open,
            due_date: ch.item.due_date,
            days_overdue: ch.item.days_overdue,
        };
        let text = level.render(customer.language, &notice);
        let email = Email {
            to_name: r.name.clone(),
            to_address: r.address.clone(),
            subject: text.subject,
            body: text.body,
        };
        match app.mailer().send(&email).await {
            Ok(()) => {
                run.sent_at = Some(app.now());
                summary.emails_sent += 1;
            }
            Err(e) => {
                tracing::warn!(error = %e, invoice = %ch.item.number, "a dunning email was not taken");
                run.email_error = Some(e.to_string());
                skipped.push(SkipReason::EmailFailed);
            }
        }
    }
    if !skipped.is_empty() {
        run.skipped = Some(
            skipped
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let mut changes = vec![
        set("invoice_id", json!(ch.item.id)),
        set("invoice_number", ch.item.number.clone()),
        set("level_days", level.days_overdue),
        set("days_overdue", ch.item.days_overdue),
        set("open", json!(open)),
    ];
    if let Some(to) = &run.email_to {
        changes.push(set("email_to", to.clone()));
        changes.push(set("email_sent", run.sent_at.is_some()));
    }
    if let Some(task) = run.activity_id {
        changes.push(set("task_id", json!(task)));
    }
    if let Some(s) = &run.skipped {
        changes.push(set("skipped", s.clone()));
    }
    let mut conn = app.db.begin().await?;
    store::finish(&mut conn, &run).await?;
    events::write(
        &mut conn,
        events::event(
            actor,
            now,
            AuditAction::Dunned,
            RecordKind::Account,
            ch.account_id,
            changes,
        ),
    )
    .await?;
    conn.commit().await?;
    summary
        .skipped
        .extend(skipped.into_iter().map(|reason| Skipped {
            invoice_id: ch.item.id,
            invoice_number: ch.item.number.clone(),
            account_id: ch.account_id,
            level_days: level.days_overdue,
            reason,
        }));
    Ok(())
}

/// The actor's language and today, as they read them.
async fn writer_day(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Language, NaiveDate)> {
    Ok(match users_store::by_id(conn, actor.user_id).await? {
        Some(u) => (
            Language::parse(&u.locale).unwrap_or_default(),
            today_for(&u, now),
        ),
        None => (Language::Es, now.date_naive()),
    })
}

/// Writes down a customer's promise to pay (billing edit): a done call on the account,
/// `Promesa de pago: 15/12/2026 · 50.000,00 ARS` in the writer's language, owned by the
/// writer, with the note; reminders to the account pause until `promised_on` passes.
/// Answers the activity.
pub async fn promise(
    app: &App,
    actor: &Actor,
    account: Id,
    mut input: PromiseInput,
) -> Result<Record<ActivityData>> {
    actor.permit(Module::Billing, Action::Edit)?;
    let now = app.now();
    let (language, today) = {
        let mut conn = app.db.reader().await?;
        load_visible::<AccountData>(&mut conn, actor, account).await?;
        writer_day(&mut conn, actor, now).await?
    };
    input.normalize();
    let mut c = Check::new();
    input.check(today, &mut c);
    c.finish()?;
    let mut conn = app.db.begin().await?;
    // Still there, and still visible, once the write lock is held.
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    let call = json!({
        "kind": "call",
        "subject": input.subject(language),
        "notes": input.note,
        "status": "done",
        "due_date": today,
        "account_id": account,
        "owner_id": actor.user_id,
        "tags": ["promise-to-pay"],
    });
    let activity = create_in::<ActivityData>(
        &mut conn,
        now,
        actor,
        vec![call],
        WriteOptions {
            allow_duplicate: true,
        },
        Naming::Bare,
    )
    .await?
    .into_iter()
    .next()
    .ok_or(AppError::NotFound)?;
    store::insert_promise(
        &mut conn,
        &Promise {
            id: Id::new(),
            account_id: account,
            promised_on: input.promised_on,
            amount: input.amount.map(|m| Money {
                amount: cents(m.amount),
                currency: m.currency,
            }),
            note: input.note,
            activity_id: activity.id,
            created_by: Some(actor.user_id),
            created_at: now,
            in_force: true,
        },
    )
    .await?;
    conn.commit().await?;
    Ok(activity)
}

/// An account's promises to pay, the latest promised day first (billing read).
pub async fn promises(app: &App, actor: &Actor, account: Id) -> Result<Vec<Promise>> {
    actor.permit(Module::Billing, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    Ok(store::promises_of(&mut conn, account, app.today()).await?)
}

/// The daily run, at its hour.
pub const DAILY: Daily = Daily {
    kind: JOB_KIND,
    hour_utc: DAILY_HOUR_UTC,
};

/// The next daily run strictly after `now`.
pub fn next_daily(now: DateTime<Utc>) -> DateTime<Utc> {
    DAILY.next_after(now)
}

/// Queues the next daily run unless it is queued already (every server, at start and
/// hourly).
pub async fn ensure_scheduled(app: &App) -> Result<()> {
    DAILY.ensure(app).await
}

/// The daily job: the run for the day it was due (a job late after downtime runs for
/// today), then tomorrow's occurrence.
pub async fn run_job(app: App, _job: Job) -> std::result::Result<(), JobFailure> {
    let summary = run(&app, app.today()).await?;
    tracing::info!(
        levels = summary.levels_run,
        emails = summary.emails_sent,
        tasks = summary.tasks_created,
        paused = summary.paused,
        skipped = summary.skipped.len(),
        "dunning ran"
    );
    DAILY.ensure(&app).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_labels_are_recognised() {
        assert!(billing_label(Some("Facturación")));
        assert!(billing_label(Some("Cobranzas")));
        assert!(billing_label(Some("Accounts payable")));
        assert!(!billing_label(Some("work")));
        assert!(!billing_label(None));
    }

    #[test]
    fn the_daily_run_is_at_its_hour() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            next_daily(at("2026-12-01T10:00:00Z")),
            at("2026-12-01T11:00:00Z")
        );
        assert_eq!(
            next_daily(at("2026-12-01T11:00:00Z")),
            at("2026-12-02T11:00:00Z")
        );
    }
}
