//! Activities: pricing their mileage at the company's rate, and summing their costs per
//! customer and per rep.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use cartera_core::accounts::AccountData;
use cartera_core::activities::{ActivityData, ActivityStatus, sum_by_currency};
use cartera_core::money::Money;
use cartera_core::record::Record;
use cartera_core::recurrence::OccurrenceOverride;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::activities::{self as store, Link};
use cartera_store::users as users_store;

use crate::records::{Kind, load_visible};
use crate::settings::Settings;
use crate::{Actor, App, AppError, Result};

impl Kind for ActivityData {
    const USES_SETTINGS: bool = true;

    fn complete(&mut self, old: Option<&Self>, settings: &Settings) {
        self.price_mileage(old, settings.mileage_rate);
        self.carry_overrides(old);
        self.complete_occurrence(old);
    }

    // Reminders follow the activity; a visit marked done may ask for its report.
    async fn after_write(
        conn: &mut Conn,
        now: DateTime<Utc>,
        old: Option<&Record<Self>>,
        new: &Record<Self>,
        prefix: &str,
    ) -> Result<()> {
        crate::reminders::sync(conn, now, old, new, prefix).await?;
        crate::followups::activity_written(conn, now, old, new).await
    }
}

/// The days a cost sum covers; either end may be open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    fn check(self) -> Result<Period> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && t < f
        {
            return Err(AppError::BadQuery(Violations::one(
                "to",
                Code::OutOfRange,
                "must not be before from",
            )));
        }
        Ok(self)
    }

    fn holds(&self, r: &Record<ActivityData>) -> bool {
        // An activity with neither due date nor start falls on the day it was written.
        let day = r
            .data
            .day()
            .unwrap_or_else(|| r.meta.created_at.date_naive());
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// What the activities in a period cost.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CostSummary {
    /// One total per currency, exact, ordered by currency code.
    pub totals: Vec<Money>,
    /// How many activities with costs the totals cover.
    pub activities: usize,
}

fn summarize(rows: &[(i64, Record<ActivityData>)], period: Period) -> CostSummary {
    let counted: Vec<&Record<ActivityData>> = rows
        .iter()
        .map(|(_, r)| r)
        .filter(|r| !r.data.costs.is_empty() && period.holds(r))
        .collect();
    CostSummary {
        totals: sum_by_currency(counted.iter().flat_map(|r| r.data.cost_totals.iter())),
        activities: counted.len(),
    }
}

/// The costs of the activities on an account that the actor sees.
pub async fn account_costs(
    app: &App,
    actor: &Actor,
    account: Id,
    period: Period,
) -> Result<CostSummary> {
    actor.permit(Module::Activities, Action::Read)?;
    let period = period.check()?;
    let mut conn = app.db.reader().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    let rows = store::list_for(
        &mut conn,
        Link::Account,
        &[account],
        actor.view.as_deref(),
        None,
        None,
    )
    .await?;
    Ok(summarize(&rows, period))
}

/// The costs of a rep's activities that the actor sees.
pub async fn user_costs(app: &App, actor: &Actor, user: Id, period: Period) -> Result<CostSummary> {
    actor.permit(Module::Activities, Action::Read)?;
    let period = period.check()?;
    let mut conn = app.db.reader().await?;
    users_store::by_id(&mut conn, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::list_for(
        &mut conn,
        Link::Owner,
        &[user],
        actor.view.as_deref(),
        None,
        None,
    )
    .await?;
    Ok(summarize(&rows, period))
}

/// One occurrence of an activity on a user's agenda.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub activity: Record<ActivityData>,
    /// When this occurrence starts and ends: a series' own occurrence, or a one-off's
    /// start and end; none for a task with only a due date.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The start the series' rule gives this occurrence (which names it when it is
    /// changed on its own); none for a one-off.
    pub original_start: Option<DateTime<Utc>>,
    /// The day it falls on in the user's time zone (an all-day event's own day).
    pub day: NaiveDate,
    /// The user attends it and someone else owns it.
    pub attending: bool,
    /// The user's role lets them open it (always, for their own).
    pub open: bool,
}

/// The longest window the agenda expands at once (a month view is six weeks).
const MAX_AGENDA_DAYS: i64 = 62;

/// The user's agenda from `first` to `last` (days in `tz`, both included): their own
/// activities and those they attend, with each occurrence of a recurring series, in
/// order of day and time. Attending shows an activity even where the role would not;
/// `open` says whether its page may be opened.
pub async fn agenda(
    app: &App,
    actor: &Actor,
    first: NaiveDate,
    last: NaiveDate,
    tz: Option<chrono_tz::Tz>,
) -> Result<Vec<Occurrence>> {
    actor.permit(Module::Activities, Action::Read)?;
    if last < first || (last - first).num_days() >= MAX_AGENDA_DAYS {
        return Err(AppError::BadQuery(Violations::one(
            "to",
            Code::OutOfRange,
            "from 1 to 62 days after from",
        )));
    }
    let mut conn = app.db.reader().await?;
    let tz = match tz {
        Some(tz) => tz,
        // The user's own zone, as their pages show it.
        None => users_store::by_id(&mut conn, actor.user_id)
            .await?
            .and_then(|u| u.time_zone.parse().ok())
            .unwrap_or(chrono_tz::UTC),
    };
    let midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
    };
    let day = chrono::Duration::days(1);
    let (from, to) = (midnight(first), midnight(last + day));
    // A day more each side: all-day events are stored at midnight UTC.
    let rows = store::on_agenda(
        &mut conn,
        actor.user_id,
        Some((first, last, from - day, to + day)),
    )
    .await?;
    let foreign: Vec<&Record<ActivityData>> = rows
        .iter()
        .filter(|r| r.data.owner_id != Some(actor.user_id))
        .collect();
    let open = if foreign.is_empty() {
        Default::default()
    } else {
        crate::records::visible_of(&mut conn, actor, &foreign).await?
    };
    let mut out = Vec::new();
    for r in &rows {
        let d = &r.data;
        let attending = d.owner_id != Some(actor.user_id);
        let open = !attending || open.contains(&r.id);
        let Some(start) = d.starts_at else {
            if let Some(due) = d.due_date.filter(|x| *x >= first && *x <= last) {
                out.push(Occurrence {
                    activity: r.clone(),
                    starts_at: None,
                    ends_at: None,
                    original_start: None,
                    day: due,
                    attending,
                    open,
                });
            }
            continue;
        };
        let length = d.ends_at.map(|e| e - start);
        for o in d.occurrences_within(from - day, to + day) {
            let s = o.starts_at;
            let on = if d.all_day {
                s.date_naive()
            } else {
                s.with_timezone(&tz).date_naive()
            };
            if on < first || on > last {
                continue;
            }
            // An occurrence changed on its own shows as changed: its own subject,
            // notes, status and end.
            let mut activity = r.clone();
            let mut ends_at = length.map(|l| s + l);
            if let Some(c) = &o.changed {
                let a = &mut activity.data;
                if let Some(v) = &c.subject {
                    a.subject = v.clone();
                }
                if let Some(v) = &c.notes {
                    a.notes = Some(v.clone());
                }
                if let Some(v) = c.status {
                    a.status = v;
                }
                ends_at = c.ends_at.or(ends_at);
            }
            out.push(Occurrence {
                activity,
                starts_at: Some(s),
                ends_at,
                original_start: d.recurrence.as_ref().map(|_| o.original_start),
                day: on,
                attending,
                open,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.day, a.starts_at, &a.activity.data.subject).cmp(&(
            b.day,
            b.starts_at,
            &b.activity.data.subject,
        ))
    });
    Ok(out)
}

/// A change to one occurrence of a series. Fields left out keep what the occurrence has.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceChange {
    /// Where the occurrence starts now (its end moves with it unless `ends_at` is given).
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub subject: Option<String>,
    pub notes: Option<String>,
    /// `cancelled` takes the occurrence out of the series; `done` marks it done.
    pub status: Option<ActivityStatus>,
}

/// Changes the occurrence of series `id` that its rule starts at `original`, as a
/// calendar's RECURRENCE-ID override: phones receive it as such. The write is an update
/// of the series (permissions, validation, audit, If-Match as for any change).
pub async fn change_occurrence(
    app: &App,
    actor: &Actor,
    id: Id,
    original: DateTime<Utc>,
    body: serde_json::Value,
    if_match: Option<i64>,
) -> Result<Record<ActivityData>> {
    let change: OccurrenceChange =
        cartera_core::record::deserialize(body).map_err(AppError::Invalid)?;
    let rec = crate::records::get::<ActivityData>(app, actor, id).await?;
    let (Some(mut r), Some(start)) = (rec.data.recurrence.clone(), rec.data.starts_at) else {
        return Err(AppError::Invalid(Violations::one(
            "recurrence",
            Code::Invalid,
            "the activity is not a recurring series: change it as a whole",
        )));
    };
    if !r.has_occurrence(start, original) {
        return Err(AppError::Invalid(Violations::one(
            "original_start",
            Code::Invalid,
            format!(
                "the series has no occurrence starting at {}",
                original.to_rfc3339()
            ),
        )));
    }
    let mut o = r
        .override_of(original)
        .cloned()
        .unwrap_or(OccurrenceOverride {
            original_start: original,
            ..OccurrenceOverride::default()
        });
    if let Some(s) = change.starts_at {
        if change.ends_at.is_none()
            && let Some(e) = o.ends_at
        {
            o.ends_at = Some(e + (s - o.starts_at.unwrap_or(original)));
        }
        o.starts_at = Some(s);
    }
    if change.ends_at.is_some() {
        o.ends_at = change.ends_at;
    }
    if change.subject.is_some() {
        o.subject = change.subject;
    }
    if change.notes.is_some() {
        o.notes = change.notes;
    }
    if change.status.is_some() {
        o.status = change.status;
    }
    r.overrides.retain(|x| x.original_start != original);
    r.overrides.push(o);
    // The version read guards the series against a change made in between.
    let version = if_match.unwrap_or(rec.meta.version);
    crate::records::update::<ActivityData>(
        app,
        actor,
        id,
        serde_json::json!({ "recurrence": r }),
        Some(version),
        crate::records::WriteOptions::default(),
    )
    .await
}
