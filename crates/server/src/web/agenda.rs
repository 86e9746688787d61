//! The agenda's pages: notifications (with the header's badge), an activity's page
//! (mark done with outcome, report and next action; reschedule), the calendar (day,
//! week and month, drag to reschedule), the targets and, for admins, the dead jobs.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

use cartera_app::records::{self, WriteOptions};
use cartera_app::{activities, jobs, notifications, targets};
use cartera_core::Id;
use cartera_core::activities::{ActivityData, ActivityStatus};
use cartera_core::agenda::Month;
use cartera_core::jobs::JobState;
use cartera_core::record::Record;

use super::render::{Me, PageId, when};
use crate::state::AppState;

type Fields = HashMap<String, String>;

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/notifications", get(notifications_page))
        .route("/notifications/badge", get(badge))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
        .route("/calendar", get(calendar))
        .route("/activities/new", get(new_form).post(create))
        .route("/activities/{id}", get(activity_page))
        .route("/activities/{id}/done", post(mark_done))
        .route("/activities/{id}/move", post(move_activity))
        .route("/targets", get(targets_page))
        .route("/admin/jobs", get(jobs_page))
        .route("/admin/jobs/{id}/retry", post(retry_job))
}

// ---------- Notifications ----------

/// The bell's count, loaded by htmx into the header of every page.
pub async fn badge(State(s): State<AppState>, me: Me) -> Response {
    let n = notifications::unread_count(&s.app, me.actor())
        .await
        .unwrap_or(0);
    let label = me.page.t_args(
        "notifications-unread",
        &[("count", super::i18n::ArgValue::Number(n as f64))],
    );
    let html = if n > 0 {
        format!(
            "<span class=\"bell-count\" aria-label=\"{}\">{}</span>",
            minijinja::HtmlEscape(&label),
            n.min(99)
        )
    } else {
        String::new()
    };
    super::render::html_response(StatusCode::OK, html)
}

pub async fn notifications_page(State(s): State<AppState>, me: Me) -> Response {
    let page = &me.page;
    let list = match notifications::list(&s.app, me.actor(), false, None, 100).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let items: Vec<Value> = list
        .data
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "title": n.title,
                "body": n.body,
                "kind": page.t(&format!("notification-kind-{}", n.kind.as_str())),
                "href": n.record_id.map(|id| format!("/activities/{id}")),
                "when": when(n.created_at, page.time_zone(), page.locale),
                "unread": n.read_at.is_none(),
            })
        })
        .collect();
    page.render(
        StatusCode::OK,
        "notifications.html",
        json!({"nav": "notifications", "items": items, "unread": list.unread_count}),
    )
}

pub async fn read_one(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match notifications::mark_read(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => me.page.error(e),
    }
}

pub async fn read_all(State(s): State<AppState>, me: Me) -> Response {
    match notifications::mark_all_read(&s.app, me.actor()).await {
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => me.page.error(e),
    }
}

// ---------- One activity ----------

fn local(t: DateTime<Utc>, tz: chrono_tz::Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

fn activity_json(me: &Me, r: &Record<ActivityData>) -> Value {
    let page = &me.page;
    let tz = page.time_zone();
    let d = &r.data;
    json!({
        "id": r.id,
        "version": r.meta.version,
        "subject": d.subject,
        "kind": d.kind.as_str(),
        "kind_label": page.t(&format!("activity-kind-{}", d.kind.as_str())),
        "status": d.status.as_str(),
        "status_label": page.t(&format!("activity-status-{}", d.status.as_str())),
        "notes": d.notes,
        "outcome": d.outcome,
        "report": d.report,
        "next_action": d.next_action,
        "due_date": d.due_date.map(|x| x.to_string()),
        "starts": d.starts_at.map(|t| local(t, tz).format("%Y-%m-%dT%H:%M").to_string()),
        "starts_label": d.starts_at.map(|t| when(t, tz, page.locale)),
        "ends_label": d.ends_at.map(|t| when(t, tz, page.locale)),
        "reminders": d.reminders,
        "costs": d.cost_totals.iter().map(|m| format!("{} {}", m.amount, m.currency)).collect::<Vec<_>>(),
        "account_href": d.account_id.map(|a| format!("/accounts/{a}")),
        "done": d.status == ActivityStatus::Done,
    })
}

pub async fn activity_page(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    render_activity(&s, &me, id, StatusCode::OK, None).await
}

async fn render_activity(
    s: &AppState,
    me: &Me,
    id: Id,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    match records::get::<ActivityData>(&s.app, me.actor(), id).await {
        Ok(r) => me.page.render(
            status,
            "activity.html",
            json!({"nav": "calendar", "a": activity_json(me, &r), "error": error}),
        ),
        Err(e) => me.page.error(e),
    }
}

fn text(f: &Fields, key: &str) -> Value {
    match f.get(key).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Value::String(v.to_owned()),
        _ => Value::Null,
    }
}

fn version(f: &Fields) -> Option<i64> {
    f.get("version").and_then(|v| v.parse().ok())
}

async fn write(s: &AppState, me: &Me, id: Id, patch: Value, f: &Fields) -> Response {
    match records::update::<ActivityData>(
        &s.app,
        me.actor(),
        id,
        patch,
        version(f),
        WriteOptions::default(),
    )
    .await
    {
        Ok(_) if me.page.htmx => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => Redirect::to(&format!("/activities/{id}?saved=1")).into_response(),
        Err(cartera_app::AppError::Invalid(v)) => {
            let msg =
                v.0.iter()
                    .map(|x| {
                        format!(
                            "{}: {}",
                            x.field,
                            super::forms::explain(&me.page, &x.field, x.code)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
            render_activity(s, me, id, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await
        }
        Err(cartera_app::AppError::Stale { .. }) => {
            let msg = me.page.t("activity-stale");
            render_activity(s, me, id, StatusCode::CONFLICT, Some(msg)).await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn mark_done(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<Fields>,
) -> Response {
    let patch = json!({
        "status": "done",
        "outcome": text(&f, "outcome"),
        "report": text(&f, "report"),
        "next_action": text(&f, "next_action"),
    });
    write(&s, &me, id, patch, &f).await
}

/// Reschedules: `day` (YYYY-MM-DD) keeps the time of day and the length; `starts`
/// (a local date and time) sets the start. Calendar drags and the phone's date field
/// both come here.
pub async fn move_activity(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<Fields>,
) -> Response {
    let tz = me.page.time_zone();
    let rec = match records::get::<ActivityData>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let d = &rec.data;
    let patch = if let Some(day) = f.get("day").and_then(|v| v.parse::<NaiveDate>().ok()) {
        match d.starts_at {
            Some(start) => {
                let l = local(start, tz);
                let new_start = tz
                    .from_local_datetime(&day.and_time(l.time()))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc));
                let Some(new_start) = new_start else {
                    return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
                };
                let shift = new_start - start;
                json!({"starts_at": new_start, "ends_at": d.ends_at.map(|e| e + shift)})
            }
            None => json!({"due_date": day}),
        }
    } else if let Some(t) = f
        .get("starts")
        .and_then(|v| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok())
    {
        let Some(new_start) = tz
            .from_local_datetime(&t)
            .earliest()
            .map(|x| x.with_timezone(&Utc))
        else {
            return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
        };
        let shift = d.starts_at.map(|s0| new_start - s0).unwrap_or_default();
        json!({"starts_at": new_start, "ends_at": d.ends_at.map(|e| e + shift), "due_date": null})
    } else {
        return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
    };
    write(&s, &me, id, patch, &f).await
}

// ---------- A new activity ----------

fn form_page(me: &Me, status: StatusCode, form: Value, error: Option<String>) -> Response {
    me.page.render(
        status,
        "activity_form.html",
        json!({"nav": "calendar", "form": form, "error": error,
               "kinds": ["task", "call", "meeting", "visit"],
               "reminder_options": [0, 15, 30, 60, 1440]}),
    )
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    date: Option<String>,
}

pub async fn new_form(State(s): State<AppState>, me: Me, Query(q): Query<NewQuery>) -> Response {
    let today = s.app.now().with_timezone(&me.page.time_zone()).date_naive();
    let date = q
        .date
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(today);
    form_page(
        &me,
        StatusCode::OK,
        json!({"kind": "task", "date": date.to_string(), "reminder": "0"}),
        None,
    )
}

/// Creates an activity on the user's own agenda: a date alone makes a task due that day;
/// a time makes it start then (an hour long).
pub async fn create(State(s): State<AppState>, me: Me, Form(f): Form<Fields>) -> Response {
    let tz = me.page.time_zone();
    let mut body = json!({
        "kind": f.get("kind").map(String::as_str).unwrap_or("task"),
        "subject": f.get("subject").map(|v| v.trim()).unwrap_or(""),
        "notes": text(&f, "notes"),
        "owner_id": me.viewer.user.id,
    });
    let date = f.get("date").and_then(|d| d.parse::<NaiveDate>().ok());
    let time = f
        .get("time")
        .filter(|t| !t.is_empty())
        .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok());
    match (date, time) {
        (Some(d), Some(t)) => {
            if let Some(start) = tz.from_local_datetime(&d.and_time(t)).earliest() {
                let start = start.with_timezone(&Utc);
                body["starts_at"] = json!(start);
                body["ends_at"] = json!(start + Duration::hours(1));
            }
        }
        (Some(d), None) => body["due_date"] = json!(d),
        _ => {}
    }
    if let Some(m) = f.get("reminder").and_then(|m| m.parse::<i64>().ok())
        && m > 0
    {
        body["reminders"] = json!([m]);
    }
    match records::create::<ActivityData>(&s.app, me.actor(), vec![body], WriteOptions::default())
        .await
    {
        Ok(recs) => match recs.first() {
            Some(r) => Redirect::to(&format!("/activities/{}", r.id)).into_response(),
            None => Redirect::to("/calendar").into_response(),
        },
        Err(cartera_app::AppError::Invalid(v)) => {
            let msg =
                v.0.iter()
                    .map(|x| super::forms::explain(&me.page, &x.field, x.code))
                    .collect::<Vec<_>>()
                    .join(" ");
            let form = json!({
                "kind": f.get("kind"), "subject": f.get("subject"), "notes": f.get("notes"),
                "date": f.get("date"), "time": f.get("time"), "reminder": f.get("reminder"),
            });
            form_page(&me, StatusCode::UNPROCESSABLE_ENTITY, form, Some(msg))
        }
        Err(e) => me.page.error(e),
    }
}

// ---------- Calendar ----------

#[derive(serde::Deserialize, Default)]
pub struct CalendarQuery {
    view: Option<String>,
    date: Option<String>,
}

pub async fn calendar(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let page = &me.page;
    let tz = page.time_zone();
    let today = s.app.now().with_timezone(&tz).date_naive();
    let view = match q.view.as_deref() {
        Some("day") => "day",
        Some("month") => "month",
        _ => "week",
    };
    let date = q
        .date
        .as_deref()
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(today);
    let (first, last, prev, next) = match view {
        "day" => (
            date,
            date,
            date - Duration::days(1),
            date + Duration::days(1),
        ),
        "month" => {
            let m = Month::of(date);
            let first = m.first_day().unwrap_or(date);
            let last = m.last_day().unwrap_or(date);
            // Whole weeks, Monday first.
            let from = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
            let to = last + Duration::days(6 - i64::from(last.weekday().num_days_from_monday()));
            (
                from,
                to,
                first - Duration::days(1),
                last + Duration::days(1),
            )
        }
        _ => {
            let from = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (
                from,
                from + Duration::days(6),
                from - Duration::days(7),
                from + Duration::days(7),
            )
        }
    };
    // Own and attended activities, each occurrence of a series on its own day.
    let agenda = match activities::agenda(&s.app, me.actor(), first, last, Some(tz)).await {
        Ok(a) => a,
        Err(e) => return page.error(e),
    };
    let mut by_day: HashMap<NaiveDate, Vec<Value>> = HashMap::new();
    for o in &agenda {
        let d = &o.activity.data;
        let day = o.day;
        by_day.entry(day).or_default().push(json!({
            "id": o.activity.id,
            "version": o.activity.meta.version,
            "subject": d.subject,
            "kind": d.kind.as_str(),
            "time": o.starts_at.filter(|_| !d.all_day).map(|t| t.with_timezone(&tz).format("%H:%M").to_string()),
            "done": d.status == ActivityStatus::Done,
            "late": d.status == ActivityStatus::Planned && day < today && d.recurrence.is_none(),
            // A series moves on its page, not by dragging one occurrence; an attended
            // activity is its owner's to move.
            "fixed": d.recurrence.is_some() || o.attending,
            "recurring": d.recurrence.is_some(),
            "attending": o.attending,
            "open": o.open,
        }));
    }
    let mut days = Vec::new();
    let mut d = first;
    while d <= last {
        let mut items = by_day.remove(&d).unwrap_or_default();
        items.sort_by(|a, b| a["time"].as_str().cmp(&b["time"].as_str()));
        days.push(json!({
            "date": d.to_string(),
            "num": d.day(),
            "weekday": page.t(&format!("weekday-{}", d.weekday().number_from_monday())),
            "today": d == today,
            "other_month": view == "month" && d.month() != date.month(),
            "items": items,
        }));
        d += Duration::days(1);
    }
    let title = match view {
        "month" => format!(
            "{} {}",
            page.t(&format!("month-{}", date.month())),
            date.year()
        ),
        "day" => format!(
            "{} {} {}",
            page.t(&format!("weekday-{}", date.weekday().number_from_monday())),
            date.day(),
            page.t(&format!("month-{}", date.month()))
        ),
        _ => format!(
            "{} {} – {} {}",
            first.day(),
            page.t(&format!("month-{}", first.month())),
            last.day(),
            page.t(&format!("month-{}", last.month()))
        ),
    };
    page.render(
        StatusCode::OK,
        "calendar.html",
        json!({
            "nav": "calendar",
            "view": view,
            "title": title,
            "date": date.to_string(),
            "prev": prev.to_string(),
            "next": next.to_string(),
            "today": today.to_string(),
            "days": days,
        }),
    )
}

// ---------- Targets ----------

pub async fn targets_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = &me.page;
    let today = s.app.now().with_timezone(&page.time_zone()).date_naive();
    let month = q
        .get("period")
        .and_then(|p| Month::parse(p))
        .unwrap_or_else(|| Month::of(today));
    let report = match targets::attainment(&s.app, me.actor(), month).await {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    let prev = month.first_day().and_then(|d| d.pred_opt()).map(Month::of);
    let next = month.last_day().and_then(|d| d.succ_opt()).map(Month::of);
    page.render(
        StatusCode::OK,
        "targets.html",
        json!({
            "nav": "targets",
            "period": month.to_string(),
            "title": format!("{} {}", page.t(&format!("month-{}", month.month)), month.year),
            "prev": prev.map(|m| m.to_string()),
            "next": next.map(|m| m.to_string()),
            "rows": report.data,
        }),
    )
}

// ---------- Dead jobs (admins) ----------

pub async fn jobs_page(State(s): State<AppState>, me: Me) -> Response {
    let page = &me.page;
    let list = match jobs::list(&s.app, me.actor(), Some(JobState::Dead), None, 200).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let rows: Vec<Value> = list
        .jobs
        .iter()
        .map(|j| {
            json!({
                "id": j.id,
                "kind": j.kind,
                "attempts": j.attempts,
                "error": j.last_error,
                "when": when(j.updated_at, page.time_zone(), page.locale),
            })
        })
        .collect();
    page.render(
        StatusCode::OK,
        "admin_jobs.html",
        json!({"nav": "admin", "tab": "jobs", "jobs": rows}),
    )
}

pub async fn retry_job(State(s): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    match jobs::retry(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to("/admin/jobs?retried=1").into_response(),
        Err(e) => me.page.error(e),
    }
}
