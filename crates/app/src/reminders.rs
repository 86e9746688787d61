//! Reminders on activities. Each reminder is a job on the queue, due when the reminder
//! fires; every write of the activity takes back its queued reminders and queues the
//! ones that still apply, so rescheduling moves them and completing, cancelling or
//! deleting the activity drops them. When one fires, the owner gets a notification in
//! the app and an email. A recurring series has only its next occurrence's reminders
//! queued; each one that fires queues the next occurrence's, skipping EXDATEs and
//! cancelled occurrences, following moved ones, and stopping where the rule ends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use cartera_core::Code;
use cartera_core::activities::{ActivityData, ActivityStatus};
use cartera_core::agenda::{NewNotification, NotificationKind};
use cartera_core::jobs::{Job, NewJob};
use cartera_core::record::{Record, RecordKind};
use cartera_core::users::User;
use cartera_core::{Check, Id};
use cartera_store::{Conn, jobs as jobs_store, records as records_store, users as users_store};

use crate::jobs::JobFailure;
use crate::mail::{Email, Texts, Translated, fill, local_time};
use crate::{App, AppError, Result, notifications};

/// The kind of a reminder's job.
pub const JOB_KIND: &str = "activities.reminder";

/// What a reminder's job carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    activity_id: Id,
    minutes: i64,
    at: DateTime<Utc>,
}

fn key_prefix(activity: Id) -> String {
    format!("activity_reminder:{activity}:")
}

/// The person reminded: the owner, or the writer of an activity without one.
fn recipient(r: &Record<ActivityData>) -> Option<Id> {
    r.data.owner_id.or(r.meta.created_by)
}

/// The time zone a due date is read in: the recipient's.
async fn zone_of(conn: &mut Conn, user: Option<Id>) -> Result<chrono_tz::Tz> {
    let Some(id) = user else {
        return Ok(chrono_tz::UTC);
    };
    Ok(users_store::by_id(conn, id)
        .await?
        .and_then(|u| u.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC))
}

fn live_and_planned(r: &Record<ActivityData>) -> bool {
    r.meta.deleted_at.is_none() && r.data.status == ActivityStatus::Planned
}

/// Brings an activity's queued reminders in line with its stored version `new`. A
/// one-off's reminder that would fire in the past is refused (422 on `reminders[i]`)
/// unless it is one the activity already had at that time (it fired, or is firing); a
/// series queues its next occurrence's reminders, whose time is always ahead.
pub(crate) async fn sync(
    conn: &mut Conn,
    now: DateTime<Utc>,
    old: Option<&Record<ActivityData>>,
    new: &Record<ActivityData>,
    prefix: &str,
) -> Result<()> {
    jobs_store::cancel_queued(conn, &key_prefix(new.id)).await?;
    if !live_and_planned(new) || new.data.reminders.is_empty() {
        return Ok(());
    }
    let tz = zone_of(conn, recipient(new)).await?;
    if is_series(&new.data) {
        // A series reminds of its next occurrence only; each reminder that fires queues
        // the one of the occurrence after it.
        for (minutes, at, _) in new.data.reminders_after(tz, now) {
            enqueue(conn, now, new.id, minutes, at).await?;
        }
        return Ok(());
    }
    let before: Vec<(i64, DateTime<Utc>)> = match old {
        Some(o) if live_and_planned(o) => o.data.reminder_times(tz),
        _ => Vec::new(),
    };
    let mut c = Check::new();
    let mut queue = Vec::new();
    for (i, (minutes, at)) in new.data.reminder_times(tz).into_iter().enumerate() {
        if at > now {
            queue.push((minutes, at));
        } else if !before.contains(&(minutes, at)) {
            c.add(
                &format!("{prefix}reminders[{i}]"),
                Code::OutOfRange,
                format!("this reminder would be at {at}, which has passed"),
            );
        }
    }
    c.finish().map_err(AppError::Invalid)?;
    for (minutes, at) in queue {
        enqueue(conn, now, new.id, minutes, at).await?;
    }
    Ok(())
}

fn is_series(a: &ActivityData) -> bool {
    a.recurrence.is_some() && a.starts_at.is_some()
}

async fn enqueue(
    conn: &mut Conn,
    now: DateTime<Utc>,
    activity_id: Id,
    minutes: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let payload = Payload {
        activity_id,
        minutes,
        at,
    };
    let job = NewJob {
        // A reminder that already fired at this moment is not queued again.
        dedupe_key: Some(format!(
            "{}{minutes}:{}",
            key_prefix(activity_id),
            at.timestamp()
        )),
        ..NewJob::new(JOB_KIND, json!(payload), at)
    };
    jobs_store::enqueue(conn, &job, now).await?;
    Ok(())
}

const REMINDER: Translated = Translated {
    es: Texts {
        subject: "Recordatorio: {subject} ({when})",
        body: "Hola, {name}:\n\n\
               Te recordamos esta actividad de tu agenda:\n\n\
               {subject}\n\
               Cuándo: {when}\n\
               {notes}\n\
               Tu agenda: {link}\n",
    },
    en: Texts {
        subject: "Reminder: {subject} ({when})",
        body: "Hello {name},\n\n\
               A reminder of this activity on your agenda:\n\n\
               {subject}\n\
               When: {when}\n\
               {notes}\n\
               Your agenda: {link}\n",
    },
};

/// The reminder email, in the user's language and time zone.
pub fn reminder_email(user: &User, a: &ActivityData, due: DateTime<Utc>, link: &str) -> Email {
    let t = REMINDER.pick(&user.locale);
    let when = local_time(due, &user.time_zone);
    let notes = a.notes.clone().unwrap_or_default();
    let values = [
        ("name", user.name.as_str()),
        ("subject", a.subject.as_str()),
        ("when", when.as_str()),
        ("notes", notes.as_str()),
        ("link", link),
    ];
    Email {
        to_name: user.name.clone(),
        to_address: user.email.clone(),
        subject: fill(t.subject, &values),
        body: fill(t.body, &values),
    }
}

/// Runs a reminder's job: notifies and emails the owner, unless the activity moved,
/// was done or cancelled, or lost the reminder since the job was queued.
pub async fn run(app: App, job: Job) -> std::result::Result<(), JobFailure> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobFailure(format!("a reminder's payload is not valid: {e}")))?;
    let mut conn = app.db.begin().await?;
    let Some(rec) = records_store::get::<ActivityData>(&mut conn, p.activity_id).await? else {
        return Ok(());
    };
    let Some(user_id) = recipient(&rec) else {
        return Ok(());
    };
    let tz = zone_of(&mut conn, Some(user_id)).await?;
    if !live_and_planned(&rec) {
        return Ok(());
    }
    let series = is_series(&rec.data);
    let due = if series {
        // The occurrence it reminds of must still be there (not moved, cancelled or
        // taken out); the next occurrence's reminder is queued either way.
        let due = p.at + chrono::Duration::minutes(p.minutes);
        // After a server was down, the occurrences it missed are not reminded late.
        let now = app.now();
        let next = rec
            .data
            .reminders_after(tz, p.at.max(now))
            .into_iter()
            .filter(|(m, _, _)| *m == p.minutes);
        for (minutes, at, _) in next {
            enqueue(&mut conn, now, rec.id, minutes, at).await?;
        }
        if !rec.data.reminders.contains(&p.minutes) || !rec.data.occurs_at(due) {
            conn.commit().await?;
            return Ok(());
        }
        due
    } else {
        if !rec.data.reminder_times(tz).contains(&(p.minutes, p.at)) {
            return Ok(());
        }
        rec.data.due_at(tz).unwrap_or(p.at)
    };
    let Some(user) = users_store::by_id(&mut conn, user_id).await? else {
        conn.commit().await?;
        return Ok(());
    };
    // An occurrence changed on its own is reminded as it stands.
    let mut data = rec.data.clone();
    if let Some(o) = rec.data.recurrence.as_ref().and_then(|r| {
        r.overrides
            .iter()
            .find(|o| o.starts_at.unwrap_or(o.original_start) == due)
    }) {
        if let Some(v) = &o.subject {
            data.subject = v.clone();
        }
        if let Some(v) = &o.notes {
            data.notes = Some(v.clone());
        }
    }
    let when = local_time(due, &user.time_zone);
    notifications::raise(
        &mut conn,
        &app,
        &NewNotification {
            user_id,
            kind: NotificationKind::Reminder,
            title: data.subject.clone(),
            body: Some(when),
            record_kind: Some(RecordKind::Activity),
            record_id: Some(rec.id),
            dedupe_key: job.dedupe_key.clone(),
        },
    )
    .await?;
    conn.commit().await?;
    if user.active {
        let link = format!("{}/activities/{}", app.public_url(), rec.id);
        app.mailer()
            .send(&reminder_email(&user, &data, due, &link))
            .await
            .map_err(|e| JobFailure(e.to_string()))?;
    }
    Ok(())
}
