//! Follow-ups Cartera does by itself, with the rules an admin sets
//! (`/api/v1/follow_up_rules`):
//! - a few days after a quote is sent, a follow-up task on the quote owner's agenda
//!   ([`quote_sent`], called by the quote sending code);
//! - a visit marked done without its report or next step asks its owner for them;
//! - an account nobody has contacted for the days its class allows raises an alert,
//!   once per period, found by a daily job ([`ensure_scheduled`]).
//!
//! Each runs as a job on the queue; each job's effect is guarded by a notification's
//! dedupe key in the same transaction, so a job that runs twice acts once.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use cartera_core::activities::{ActivityData, ActivityKind, ActivityStatus};
use cartera_core::agenda::{FollowUpRules, NewNotification, NotificationKind, no_contact_due};
use cartera_core::jobs::{Job, NewJob};
use cartera_core::record::{Record, RecordKind};
use cartera_core::users::User;
use cartera_core::{Check, Id};
use cartera_store::{
    Conn, agenda as store, jobs as jobs_store, records as records_store,
    settings as settings_store, users as users_store,
};

use crate::jobs::{Daily, JobFailure};
use crate::records::{Naming, WriteOptions, create_in};
use crate::versioned::{self, Singleton};
use crate::{Actor, App, Result, notifications};

/// The kinds of the follow-ups' jobs.
pub const QUOTE_SENT_JOB: &str = "followups.quote_sent";
pub const VISIT_REPORT_JOB: &str = "followups.visit_report";
pub const NO_CONTACT_JOB: &str = "followups.no_contact";

/// The rules are one record in the audit trail, under a fixed id.
const RULES_ID: Id = Id::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0027);

/// The hour (UTC) the daily no-contact check runs.
pub const DAILY_HOUR_UTC: u32 = 6;

pub(crate) async fn load(conn: &mut Conn) -> Result<FollowUpRules> {
    // Rules written by a newer version with fields this one lacks fall back to defaults.
    Ok(match settings_store::get(conn, FollowUpRules::KEY).await? {
        Some(v) => serde_json::from_value(v).unwrap_or_default(),
        None => FollowUpRules::default(),
    })
}

pub async fn rules(app: &App, actor: &Actor) -> Result<FollowUpRules> {
    versioned::read(app, actor).await
}

/// The rules are one object, without versions: `If-Match` does not apply.
impl Singleton for FollowUpRules {
    const KEY: &'static str = "follow_up_rules";
    const ID: Id = RULES_ID;
    const CONFLICT_MESSAGE: &'static str =
        "the rules changed while this request ran; read them again";
    // A merge patch's null removes a key, which would bring back its default; for the
    // rules that null turns off, null is kept as written.
    const NULL_KEPT: &'static [&'static str] = &["quote_follow_up_days", "no_contact_default_days"];

    async fn read(conn: &mut Conn) -> Result<Self> {
        load(conn).await
    }

    fn check(&self, c: &mut Check) -> Result<()> {
        self.validate(c);
        Ok(())
    }
}

/// Changes the rules with a merge patch (admins).
pub async fn update_rules(app: &App, actor: &Actor, patch: Value) -> Result<FollowUpRules> {
    versioned::patch(app, actor, patch).await
}

/// A quote that was just sent, as the follow-up rule needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteSent {
    pub quote_id: Id,
    /// The number people quote, e.g. `Q-2026-000123`.
    pub number: String,
    pub account_id: Option<Id>,
    pub contact_id: Option<Id>,
    /// Whose agenda the follow-up goes on.
    pub owner_id: Id,
    pub sent_at: DateTime<Utc>,
}

/// Queues the follow-up of a sent quote inside the caller's transaction (call it from the
/// quote sending code, in the transaction that marks the quote sent). Returns the job's
/// id; `None` when the rule is off or this sending was queued before.
pub async fn quote_sent_in(
    conn: &mut Conn,
    now: DateTime<Utc>,
    q: &QuoteSent,
) -> Result<Option<Id>> {
    let Some(days) = load(conn).await?.quote_follow_up_days else {
        return Ok(None);
    };
    let job = NewJob {
        dedupe_key: Some(format!(
            "quote_follow_up:{}:{}",
            q.quote_id,
            q.sent_at.timestamp()
        )),
        ..NewJob::new(QUOTE_SENT_JOB, json!(q), q.sent_at + Duration::days(days))
    };
    Ok(jobs_store::enqueue(conn, &job, now).await?)
}

/// [`quote_sent_in`] in a transaction of its own.
pub async fn quote_sent(app: &App, q: &QuoteSent) -> Result<Option<Id>> {
    let mut conn = app.db.begin().await?;
    let id = quote_sent_in(&mut conn, app.now(), q).await?;
    conn.commit().await?;
    Ok(id)
}

/// After an activity is written: a visit that became done without its report or next
/// step queues the prompt.
pub(crate) async fn activity_written(
    conn: &mut Conn,
    now: DateTime<Utc>,
    old: Option<&Record<ActivityData>>,
    new: &Record<ActivityData>,
) -> Result<()> {
    let became_done = new.data.status == ActivityStatus::Done
        && new.meta.deleted_at.is_none()
        && old.is_none_or(|o| o.data.status != ActivityStatus::Done);
    if new.data.kind != ActivityKind::Visit || !became_done || !needs_report(&new.data) {
        return Ok(());
    }
    if !load(conn).await?.visit_report_prompt {
        return Ok(());
    }
    let job = NewJob {
        dedupe_key: Some(format!("visit_report:{}:{}", new.id, new.meta.version)),
        ..NewJob::new(VISIT_REPORT_JOB, json!({"activity_id": new.id}), now)
    };
    jobs_store::enqueue(conn, &job, now).await?;
    Ok(())
}

fn needs_report(a: &ActivityData) -> bool {
    a.report.is_none() || a.next_action.is_none()
}

/// Words in the user's language.
fn say(user: &User, es: String, en: String) -> String {
    if user.locale == "en" { en } else { es }
}

/// The day `now` is for `user`.
fn today_for(user: &User, now: DateTime<Utc>) -> chrono::NaiveDate {
    match user.time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

/// A follow-up's effect: a notification and a task due today on `user`'s agenda, both
/// or neither (when the notification's `dedupe_key` was raised before).
struct FollowUp {
    kind: NotificationKind,
    title: String,
    body: Option<String>,
    dedupe_key: String,
    task: Value,
}

async fn follow_up(app: &App, user: &User, f: FollowUp) -> Result<()> {
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let mut task = f.task;
    task["kind"] = json!("task");
    task["owner_id"] = json!(user.id);
    task["due_date"] = json!(today_for(user, now));
    // The task is the owner's own: written as them, so it shows as theirs everywhere.
    let actor = Actor::administrator(user.id);
    let tasks = create_in::<ActivityData>(
        &mut conn,
        now,
        &actor,
        vec![task],
        WriteOptions {
            allow_duplicate: true,
        },
        Naming::Bare,
    )
    .await?;
    let raised = notifications::raise(
        &mut conn,
        app,
        &NewNotification {
            user_id: user.id,
            kind: f.kind,
            title: f.title,
            body: f.body,
            record_kind: Some(RecordKind::Activity),
            record_id: tasks.first().map(|t| t.id),
            dedupe_key: Some(f.dedupe_key),
        },
    )
    .await?;
    if raised.is_some() {
        conn.commit().await?;
    }
    // Raised before: this job ran already; dropping the transaction drops the task.
    Ok(())
}

async fn active_user(app: &App, id: Id) -> Result<Option<User>> {
    let mut conn = app.db.reader().await?;
    Ok(users_store::by_id(&mut conn, id)
        .await?
        .filter(|u| u.active))
}

fn payload<T: for<'de> Deserialize<'de>>(job: &Job) -> std::result::Result<T, JobFailure> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| JobFailure(format!("the job's payload is not valid: {e}")))
}

/// The quote follow-up's job: a task "follow up quote Q-..." for the quote's owner.
pub async fn run_quote_sent(app: App, job: Job) -> std::result::Result<(), JobFailure> {
    let q: QuoteSent = payload(&job)?;
    let Some(user) = active_user(&app, q.owner_id).await? else {
        return Ok(());
    };
    // The customer already answered (or the quote is gone): nothing to follow up.
    let quote = {
        let mut conn = app.db.reader().await?;
        cartera_store::quotes::get(&mut conn, q.quote_id).await?
    };
    if quote.is_none_or(|x| x.accepted_at.is_some() || x.rejected_at.is_some()) {
        return Ok(());
    }
    let subject = say(
        &user,
        format!("Seguimiento del presupuesto {}", q.number),
        format!("Follow up quote {}", q.number),
    );
    let mut task = json!({
        "subject": subject,
        "notes": say(&user,
            format!("El presupuesto {} se envió el {}. Llama al cliente para saber qué le pareció.", q.number, q.sent_at.date_naive()),
            format!("Quote {} was sent on {}. Call the customer to hear what they think.", q.number, q.sent_at.date_naive())),
        "tags": ["follow-up"],
    });
    if let Some(a) = q.account_id {
        task["account_id"] = json!(a);
    }
    if let Some(c) = q.contact_id {
        task["contact_id"] = json!(c);
    }
    follow_up(
        &app,
        &user,
        FollowUp {
            kind: NotificationKind::FollowUp,
            title: subject,
            body: None,
            dedupe_key: job
                .dedupe_key
                .clone()
                .unwrap_or_else(|| format!("quote_follow_up:{}", q.quote_id)),
            task,
        },
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct VisitPayload {
    activity_id: Id,
}

/// The visit-report prompt's job: asks the visit's owner for what is missing, unless it
/// was written meanwhile.
pub async fn run_visit_report(app: App, job: Job) -> std::result::Result<(), JobFailure> {
    let p: VisitPayload = payload(&job)?;
    let visit = {
        let mut conn = app.db.reader().await?;
        records_store::get::<ActivityData>(&mut conn, p.activity_id).await?
    };
    let Some(visit) = visit else {
        return Ok(());
    };
    if visit.meta.deleted_at.is_some()
        || visit.data.status != ActivityStatus::Done
        || !needs_report(&visit.data)
    {
        return Ok(());
    }
    let Some(owner) = visit.data.owner_id.or(visit.meta.created_by) else {
        return Ok(());
    };
    let Some(user) = active_user(&app, owner).await? else {
        return Ok(());
    };
    let subject = say(
        &user,
        format!(
            "Informe y próximo paso de la visita: {}",
            visit.data.subject
        ),
        format!("Report and next step of the visit: {}", visit.data.subject),
    );
    let mut task = json!({
        "subject": subject,
        "notes": say(&user,
            "Escribe el informe de la visita y la próxima visita o acción (campos «Informe» y «Próxima acción» de la visita).".to_owned(),
            "Write the visit's report and the next visit or action (the visit's Report and Next action fields).".to_owned()),
        "tags": ["visit-report"],
    });
    if let Some(a) = visit.data.account_id {
        task["account_id"] = json!(a);
    }
    if let Some(c) = visit.data.contact_id {
        task["contact_id"] = json!(c);
    }
    follow_up(
        &app,
        &user,
        FollowUp {
            kind: NotificationKind::VisitReport,
            title: subject,
            body: None,
            dedupe_key: format!("visit_report:{}", visit.id),
            task,
        },
    )
    .await?;
    Ok(())
}

/// Raises the no-contact alerts that are due: for each account whose class has a limit
/// and that nobody contacted (no done activity) for that many days, a notification and a
/// task for its owner, once per period. Returns how many accounts were alerted.
pub async fn no_contact_sweep(app: &App) -> Result<usize> {
    let now = app.now();
    let (rules, accounts) = {
        let mut conn = app.db.reader().await?;
        (
            load(&mut conn).await?,
            store::account_contacts(&mut conn).await?,
        )
    };
    let mut alerted = 0;
    for a in accounts {
        let Some(days) = rules.no_contact_limit(a.classification.as_deref()) else {
            continue;
        };
        let last = a.last_contact.unwrap_or(a.created_at);
        if !no_contact_due(last, a.alerted_at, days, now) {
            continue;
        }
        let Some(owner) = a.owner_id else {
            continue;
        };
        let Some(user) = active_user(app, owner).await? else {
            continue;
        };
        let since = (now - last).num_days();
        let subject = say(
            &user,
            format!("Contactar a {}: {since} días sin contacto", a.name),
            format!("Contact {}: no contact for {since} days", a.name),
        );
        let task = json!({
            "subject": subject,
            "account_id": a.id,
            "tags": ["no-contact"],
        });
        follow_up(
            app,
            &user,
            FollowUp {
                kind: NotificationKind::NoContact,
                title: subject,
                body: None,
                dedupe_key: format!("no_contact:{}:{}", a.id, now.date_naive()),
                task,
            },
        )
        .await?;
        let mut conn = app.db.begin().await?;
        store::set_alerted(&mut conn, a.id, now).await?;
        conn.commit().await?;
        alerted += 1;
    }
    Ok(alerted)
}

/// The daily run, at its hour.
pub const DAILY: Daily = Daily {
    kind: NO_CONTACT_JOB,
    hour_utc: DAILY_HOUR_UTC,
};

/// The next daily run strictly after `now`.
pub fn next_daily(now: DateTime<Utc>) -> DateTime<Utc> {
    DAILY.next_after(now)
}

/// Queues the next occurrence of each recurring job unless it is queued already. Every
/// server calls it at start and hourly; the day in the job's dedupe key makes the
/// calls of two servers queue one job.
pub async fn ensure_scheduled(app: &App) -> Result<()> {
    DAILY.ensure(app).await
}

/// The daily no-contact job: the sweep, then tomorrow's occurrence.
pub async fn run_no_contact(app: App, _job: Job) -> std::result::Result<(), JobFailure> {
    no_contact_sweep(&app).await?;
    DAILY.ensure(&app).await?;
    Ok(())
}
