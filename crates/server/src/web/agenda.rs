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
        .route("/activities/{id}", get(activity_page))
        .route("/activities/{id}/done", post(mark_done))
        .route("/activities/{id}/move", post(move_activity))
        .route("/targets", get(targets_page).post(create_target))
        .route("/targets/{id}", post(update_target))
        .route("/targets/{id}/delete", post(delete_target))
        .route("/follow-up-rules", get(rules_page).post(save_rules))
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
        "agenda/notifications.html",
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
    // The records it is linked to, each a button to its page.
    let linked = [
        ("account", "accounts", d.account_id),
        ("contact", "contacts", d.contact_id),
        ("lead", "leads", d.lead_id),
        ("deal", "deals", d.deal_id),
    ];
    let links: Vec<Value> = linked
        .iter()
        .filter_map(|(k, seg, id)| {
            id.map(
                |i| json!({"label": page.t(&format!("kind-{k}")), "href": format!("/{seg}/{i}")}),
            )
        })
        .collect();
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
        "costs": d.cost_totals.iter().map(|m| super::figures::money(page.locale, m.amount, m.currency.as_str())).collect::<Vec<_>>(),
        "account_href": d.account_id.map(|a| format!("/accounts/{a}")),
        "links": links,
        "done": d.status == ActivityStatus::Done,
        // Built-in sales reps edit their activities but may not delete them.
        "can_edit": may(me, cartera_core::roles::Module::Activities, cartera_core::roles::Action::Edit),
        "can_delete": may(me, cartera_core::roles::Module::Activities, cartera_core::roles::Action::Delete),
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
            "agenda/activity.html",
            json!({"nav": "activities", "a": activity_json(me, &r), "error": error}),
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
    if let Some(original) = f.get("occurrence") {
        return move_occurrence(&s, &me, &rec, original, &f).await;
    }
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

/// A calendar drag of one occurrence of a series to another `day`: that occurrence
/// alone moves, keeping its time of day (an override the phones receive).
async fn move_occurrence(
    s: &AppState,
    me: &Me,
    rec: &Record<ActivityData>,
    original: &str,
    f: &Fields,
) -> Response {
    let tz = me.page.time_zone();
    let (Ok(original), Some(day), Some(r)) = (
        DateTime::parse_from_rfc3339(original).map(|t| t.with_timezone(&Utc)),
        f.get("day").and_then(|v| v.parse::<NaiveDate>().ok()),
        rec.data.recurrence.as_ref(),
    ) else {
        return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
    };
    let current = r
        .override_of(original)
        .and_then(|o| o.starts_at)
        .unwrap_or(original);
    let new_start = if rec.data.all_day {
        day.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
    } else {
        tz.from_local_datetime(&day.and_time(local(current, tz).time()))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let Some(new_start) = new_start else {
        return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
    };
    match activities::change_occurrence(
        &s.app,
        me.actor(),
        rec.id,
        original,
        json!({ "starts_at": new_start }),
        version(f),
    )
    .await
    {
        Ok(_) if me.page.htmx => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => Redirect::to("/calendar").into_response(),
        Err(cartera_app::AppError::Stale { .. }) => {
            let msg = me.page.t("activity-stale");
            render_activity(s, me, rec.id, StatusCode::CONFLICT, Some(msg)).await
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
            // Dragging an occurrence of a series moves that occurrence alone; an attended
            // activity is its owner's to move.
            "fixed": o.attending,
            "occurrence": o.original_start.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
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
        "agenda/calendar.html",
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
    let today = s.app.now().with_timezone(&me.page.time_zone()).date_naive();
    let month = q
        .get("period")
        .and_then(|p| Month::parse(p))
        .unwrap_or_else(|| Month::of(today));
    let saved = match q.get("saved").map(String::as_str) {
        Some("deleted") => Some("targets-deleted"),
        Some(_) => Some("targets-saved"),
        None => None,
    };
    render_targets(&s, &me, month, StatusCode::OK, saved, TargetForm::default()).await
}

/// What a refused target form said, to show it again with its messages.
#[derive(Default)]
struct TargetForm {
    /// The target being changed (`None`: the new-target form).
    id: Option<Id>,
    values: Fields,
    errors: super::forms::FormErrors,
}

fn may(me: &Me, module: cartera_core::roles::Module, action: cartera_core::roles::Action) -> bool {
    cartera_core::roles::allows(&me.viewer.actor.permissions, module, action)
}

async fn render_targets(
    s: &AppState,
    me: &Me,
    month: Month,
    status: StatusCode,
    saved: Option<&str>,
    form: TargetForm,
) -> Response {
    use cartera_core::roles::{Action, Module};
    let page = &me.page;
    let report = match targets::attainment(&s.app, me.actor(), month).await {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    // Those who set targets (activities: admin) edit them here; others see the bars.
    let can_edit = may(me, Module::Activities, Action::Admin);
    let mut editable: HashMap<Id, Value> = HashMap::new();
    let mut users: Vec<Value> = Vec::new();
    // A manager edits her teams' targets; an admin everyone's (`None`).
    let settable = if can_edit {
        match targets::settable(&s.app, me.actor()).await {
            Ok(ids) => ids,
            Err(e) => return page.error(e),
        }
    } else {
        None
    };
    let may_set = |id: &Id| settable.as_ref().is_none_or(|ids| ids.contains(id));
    if can_edit {
        if let Ok(list) = targets::list(&s.app, me.actor(), Some(month), None).await {
            for t in list.into_iter().filter(|t| may_set(&t.user_id)) {
                let mine = form.id == Some(t.id);
                let value = |k: &str, n: i64| {
                    mine.then(|| form.values.get(k).cloned())
                        .flatten()
                        .unwrap_or_else(|| n.to_string())
                };
                editable.insert(
                    t.user_id,
                    json!({"id": t.id, "version": t.version,
                           "visits": value("visits", t.visits), "calls": value("calls", t.calls),
                           "errors": if mine { json!(form.errors.fields) } else { json!({}) }}),
                );
            }
        }
        if let Ok(list) = cartera_app::users::list(&s.app, me.actor()).await {
            users = list
                .iter()
                .filter(|u| u.active && may_set(&u.id) && !editable.contains_key(&u.id))
                .map(|u| json!({"id": u.id, "name": u.name}))
                .collect();
        }
    }
    let rows: Vec<Value> = report
        .data
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let (Some(o), Some(e)) = (v.as_object_mut(), editable.get(&r.user_id)) {
                o.insert("edit".into(), e.clone());
            }
            v
        })
        .collect();
    let new_form = if form.id.is_none() {
        json!({"values": form.values, "errors": form.errors.fields})
    } else {
        json!({"values": {}, "errors": {}})
    };
    let prev = month.first_day().and_then(|d| d.pred_opt()).map(Month::of);
    let next = month.last_day().and_then(|d| d.succ_opt()).map(Month::of);
    page.render(
        status,
        "agenda/targets.html",
        json!({
            "nav": "targets",
            "period": month.to_string(),
            "title": format!("{} {}", page.t(&format!("month-{}", month.month)), month.year),
            "prev": prev.map(|m| m.to_string()),
            "next": next.map(|m| m.to_string()),
            "rows": rows,
            "can_edit": can_edit,
            "team_only": settable.is_some(),
            "no_team": settable.as_ref().is_some_and(|ids| ids.is_empty()),
            "can_see_rules": may(me, Module::Settings, Action::Read),
            "users": users,
            "new": new_form,
            "saved": saved,
            "general_error": form.errors.general,
        }),
    )
}

/// A whole number from a form field; `Err` with the field's message when it is not one.
fn count_field(me: &Me, f: &Fields, key: &str) -> Result<Option<i64>, String> {
    match f.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| super::forms::explain(&me.page, "count", cartera_core::Code::Invalid)),
    }
}

/// A target use case's refusal on the form: messages by field, or for the whole form.
fn target_errors(
    me: &Me,
    e: cartera_app::AppError,
) -> Result<super::forms::FormErrors, cartera_app::AppError> {
    use cartera_app::AppError;
    match e {
        AppError::Invalid(v) => Ok(super::forms::place(&me.page, v, |f| match f {
            "visits" => Some("visits"),
            "calls" => Some("calls"),
            "user_id" => Some("user_id"),
            _ => None,
        })),
        AppError::Conflict(_) => Ok(super::forms::FormErrors {
            general: Some(me.page.t("targets-conflict")),
            ..Default::default()
        }),
        AppError::Stale { .. } => Ok(super::forms::FormErrors {
            general: Some(me.page.t("activity-stale")),
            ..Default::default()
        }),
        e => Err(e),
    }
}

/// Numbers typed on a target form, as the JSON the use case reads; bad numbers are
/// refused by field before it is called.
fn target_body(me: &Me, f: &Fields) -> Result<Value, super::forms::FormErrors> {
    let mut errors = super::forms::FormErrors::default();
    let mut body = json!({});
    for key in ["visits", "calls"] {
        match count_field(me, f, key) {
            Ok(Some(n)) => body[key] = json!(n),
            Ok(None) => body[key] = json!(0),
            Err(m) => {
                errors.fields.insert(key.to_owned(), m);
            }
        }
    }
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(errors)
    }
}

fn month_of(f: &Fields) -> Option<Month> {
    f.get("period").and_then(|p| Month::parse(p))
}

pub async fn create_target(State(s): State<AppState>, me: Me, Form(f): Form<Fields>) -> Response {
    let Some(month) = month_of(&f) else {
        return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
    };
    let refused = |errors| TargetForm {
        id: None,
        values: f.clone(),
        errors,
    };
    let mut body = match target_body(&me, &f) {
        Ok(b) => b,
        Err(errors) => {
            let form = refused(errors);
            return render_targets(&s, &me, month, StatusCode::UNPROCESSABLE_ENTITY, None, form)
                .await;
        }
    };
    body["period"] = json!(month.to_string());
    body["user_id"] = match f.get("user_id").filter(|u| !u.is_empty()) {
        Some(u) => json!(u),
        None => Value::Null,
    };
    match targets::create(&s.app, me.actor(), body).await {
        Ok(_) => Redirect::to(&format!("/targets?period={month}&saved=1")).into_response(),
        Err(cartera_app::AppError::Forbidden(m)) if m == targets::OUTSIDE_TEAM => {
            let errors = super::forms::FormErrors {
                general: Some(me.page.t("targets-outside-team")),
                ..Default::default()
            };
            let form = refused(errors);
            render_targets(&s, &me, month, StatusCode::FORBIDDEN, None, form).await
        }
        Err(e) => match target_errors(&me, e) {
            Ok(errors) => {
                let form = refused(errors);
                render_targets(&s, &me, month, StatusCode::UNPROCESSABLE_ENTITY, None, form).await
            }
            Err(e) => me.page.error(e),
        },
    }
}

pub async fn update_target(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<Fields>,
) -> Response {
    let Some(month) = month_of(&f) else {
        return me.page.error_page(StatusCode::BAD_REQUEST, "bad-request");
    };
    let refused = |errors| TargetForm {
        id: Some(id),
        values: f.clone(),
        errors,
    };
    let result = match target_body(&me, &f) {
        Ok(body) => targets::update(&s.app, me.actor(), id, body, version(&f))
            .await
            .map_err(|e| target_errors(&me, e)),
        Err(errors) => Err(Ok(errors)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/targets?period={month}&saved=1")).into_response(),
        Err(Ok(errors)) => {
            let form = refused(errors);
            render_targets(&s, &me, month, StatusCode::UNPROCESSABLE_ENTITY, None, form).await
        }
        Err(Err(e)) => me.page.error(e),
    }
}

pub async fn delete_target(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<Fields>,
) -> Response {
    let period = month_of(&f).map(|m| m.to_string()).unwrap_or_default();
    match targets::delete(&s.app, me.actor(), id).await {
        Ok(()) => Redirect::to(&format!("/targets?period={period}&saved=deleted")).into_response(),
        Err(e) => me.page.error(e),
    }
}

// ---------- Follow-up rules (admins change them; managers read them) ----------

/// More account classes than anyone keeps.
const MAX_CLASS_ROWS: usize = 50;

/// The rules as the form shows them: one row per account class and a blank one to add.
fn rules_form(r: &cartera_core::agenda::FollowUpRules) -> Value {
    let mut classes: Vec<Value> = r
        .no_contact_days
        .iter()
        .map(|(c, d)| json!({"class": c, "days": d.to_string()}))
        .collect();
    classes.push(json!({"class": "", "days": ""}));
    json!({
        "quote_follow_up_days": r.quote_follow_up_days.map(|d| d.to_string()).unwrap_or_default(),
        "visit_report_prompt": r.visit_report_prompt,
        "no_contact_default_days": r.no_contact_default_days.map(|d| d.to_string()).unwrap_or_default(),
        "classes": classes,
    })
}

fn render_rules(
    me: &Me,
    status: StatusCode,
    form: Value,
    errors: &super::forms::FormErrors,
    saved: bool,
) -> Response {
    use cartera_core::roles::{Action, Module};
    me.page.render(
        status,
        "agenda/follow_up_rules.html",
        json!({
            "nav": "targets",
            "form": form,
            "errors": errors.fields,
            "general_error": errors.general,
            "saved": saved,
            "can_edit": may(me, Module::Settings, Action::Admin),
        }),
    )
}

pub async fn rules_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match cartera_app::followups::rules(&s.app, me.actor()).await {
        Ok(r) => render_rules(
            &me,
            StatusCode::OK,
            rules_form(&r),
            &Default::default(),
            q.contains_key("saved"),
        ),
        Err(e) => me.page.error(e),
    }
}

/// Saves the whole form as one merge patch through the same use case as
/// `PATCH /api/v1/follow_up_rules`: an empty day count turns that rule off, a class
/// whose days are emptied is removed.
pub async fn save_rules(State(s): State<AppState>, me: Me, Form(f): Form<Fields>) -> Response {
    let old = match cartera_app::followups::rules(&s.app, me.actor()).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let mut errors = super::forms::FormErrors::default();
    let mut days = |key: &str, explain_as: &str| match f.get(key).map(|v| v.trim()) {
        None | Some("") => Value::Null,
        Some(v) => match v.parse::<i64>() {
            Ok(n) => json!(n),
            Err(_) => {
                let m = super::forms::explain(&me.page, explain_as, cartera_core::Code::Invalid);
                errors.fields.insert(key.to_owned(), m);
                Value::Null
            }
        },
    };
    let quote = days("quote_follow_up_days", "days");
    let default_days = days("no_contact_default_days", "days");
    // Rows class_i / days_i; the form shows the classes and one blank row.
    let mut classes: Vec<(String, String, Value)> = Vec::new();
    for i in 0..MAX_CLASS_ROWS {
        let Some(class) = f.get(&format!("class_{i}")) else {
            break;
        };
        let key = format!("days_{i}");
        let d = days(&key, "days");
        if !class.trim().is_empty() {
            classes.push((class.trim().to_owned(), key, d));
        }
    }
    let mut map = serde_json::Map::new();
    for k in old.no_contact_days.keys() {
        map.insert(k.clone(), Value::Null);
    }
    for (class, _, d) in &classes {
        map.insert(class.clone(), d.clone());
    }
    let form = json!({
        "quote_follow_up_days": f.get("quote_follow_up_days"),
        "visit_report_prompt": f.contains_key("visit_report_prompt"),
        "no_contact_default_days": f.get("no_contact_default_days"),
        "classes": (0..MAX_CLASS_ROWS)
            .map_while(|i| f.get(&format!("class_{i}")).map(|c| json!({
                "class": c, "days": f.get(&format!("days_{i}"))
            })))
            .collect::<Vec<_>>(),
    });
    if !errors.is_empty() {
        return render_rules(&me, StatusCode::UNPROCESSABLE_ENTITY, form, &errors, false);
    }
    let patch = json!({
        "quote_follow_up_days": quote,
        "visit_report_prompt": f.contains_key("visit_report_prompt"),
        "no_contact_days": map,
        "no_contact_default_days": default_days,
    });
    match cartera_app::followups::update_rules(&s.app, me.actor(), patch).await {
        Ok(_) => Redirect::to("/follow-up-rules?saved=1").into_response(),
        Err(cartera_app::AppError::Invalid(v)) => {
            // Each day count's message sits under its input; a class's under its row.
            let mut errors = super::forms::FormErrors::default();
            for x in v.0 {
                let key = match x.field.strip_prefix("no_contact_days.") {
                    Some(class) => classes
                        .iter()
                        .find(|(c, _, _)| c == class)
                        .map(|(_, k, _)| k.clone()),
                    None => ["quote_follow_up_days", "no_contact_default_days"]
                        .contains(&x.field.as_str())
                        .then(|| x.field.clone()),
                };
                let about = if x.field == "no_contact_days" {
                    "class"
                } else {
                    "days"
                };
                let text = super::forms::explain(&me.page, about, x.code);
                match key {
                    Some(k) => {
                        errors.fields.entry(k).or_insert(text);
                    }
                    None => {
                        errors.general.get_or_insert(text);
                    }
                }
            }
            render_rules(&me, StatusCode::UNPROCESSABLE_ENTITY, form, &errors, false)
        }
        Err(e) => me.page.error(e),
    }
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
        "agenda/admin_jobs.html",
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
