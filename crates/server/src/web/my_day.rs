//! "Mi día / My day": where a person lands after signing in.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Timelike};
use serde_json::{Value, json};

use cartera_app::records::{self, Kind};
use cartera_core::accounts::AccountData;
use cartera_core::activities::{ActivityData, ActivityStatus};
use cartera_core::leads::LeadData;

use super::i18n::ArgValue;
use super::render::{Me, when};
use crate::state::AppState;

/// How many records each part of the page shows.
const SHOWN: usize = 6;

/// Records of a kind, newest change first, with extra filters; empty if the role may
/// not read the kind.
async fn recent<D: Kind>(
    s: &AppState,
    me: &Me,
    filters: &[(&str, String)],
    href: impl Fn(&cartera_core::record::Record<D>) -> Option<String>,
) -> Vec<Value> {
    let mut params: Vec<(String, String)> = vec![
        ("sort".into(), "-updated_at".into()),
        ("limit".into(), SHOWN.to_string()),
    ];
    params.extend(filters.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    match records::list::<D>(&s.app, me.actor(), &params).await {
        Ok(l) => l
            .rows
            .iter()
            .map(|r| {
                json!({
                    "title": r.data.title(),
                    "subtitle": me.page.subtitle(D::KIND, r.data.subtitle()),
                    "href": href(r),
                    "updated": when(r.meta.updated_at, me.page.time_zone(), me.page.locale),
                })
            })
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "a part of my day is not shown");
            Vec::new()
        }
    }
}

/// The person's planned activities due before today, oldest first (what is late), then
/// today's: their own and those they attend, each occurrence of a recurring series on
/// its day, by time. Empty if the role may not read activities.
async fn agenda(s: &AppState, me: &Me, owner: &str, today: chrono::NaiveDate) -> Vec<Value> {
    let mut out = overdue(s, me, owner, today).await;
    let tz = me.page.time_zone();
    match cartera_app::activities::agenda(&s.app, me.actor(), today, today, Some(tz)).await {
        Ok(list) => out.extend(
            list.iter()
                .filter(|o| o.activity.data.status == ActivityStatus::Planned)
                .map(|o| {
                    let d = &o.activity.data;
                    json!({
                        "title": d.subject,
                        "subtitle": me.page.t(&format!("activity-kind-{}", d.kind.as_str())),
                        "href": o.open.then(|| format!("/activities/{}", o.activity.id)),
                        "time": o.starts_at.filter(|_| !d.all_day)
                            .map(|t| t.with_timezone(&tz).format("%H:%M").to_string()),
                        "attending": o.attending,
                        "overdue": false,
                    })
                }),
        ),
        Err(e) => tracing::debug!(error = %e, "today's agenda is not shown"),
    }
    out
}

/// Planned tasks due before today, oldest first.
async fn overdue(s: &AppState, me: &Me, owner: &str, today: chrono::NaiveDate) -> Vec<Value> {
    let Some(yesterday) = today.pred_opt() else {
        return Vec::new();
    };
    let params: Vec<(String, String)> = vec![
        ("filter[owner_id]".into(), owner.to_owned()),
        ("filter[status]".into(), "planned".into()),
        ("filter[due_date][lte]".into(), yesterday.to_string()),
        ("sort".into(), "due_date".into()),
        ("limit".into(), SHOWN.to_string()),
    ];
    match records::list::<ActivityData>(&s.app, me.actor(), &params).await {
        Ok(l) => l
            .rows
            .iter()
            .map(|r| {
                let d = &r.data;
                let overdue = d.due_date.is_some_and(|due| due < today);
                json!({
                    "title": d.subject,
                    "subtitle": me.page.t(&format!("activity-kind-{}", d.kind.as_str())),
                    "href": d.account_id.map(|a| format!("/accounts/{a}")),
                    "due": d.due_date.map(|due| super::figures::day(me.page.locale, due)),
                    "overdue": overdue,
                })
            })
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "the agenda of my day is not shown");
            Vec::new()
        }
    }
}

pub async fn page(State(s): State<AppState>, me: Me) -> Response {
    let page = &me.page;
    let now = s.app.now().with_timezone(&page.time_zone());
    let greeting = match now.hour() {
        5..=11 => "greeting-morning",
        12..=19 => "greeting-afternoon",
        _ => "greeting-evening",
    };
    let first_name = me
        .viewer
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    let today = page.t_args(
        "today-date",
        &[
            (
                "weekday",
                ArgValue::Text(page.t(&format!("weekday-{}", now.weekday().number_from_monday()))),
            ),
            ("day", ArgValue::Number(f64::from(now.day()))),
            (
                "month",
                ArgValue::Text(page.t(&format!("month-{}", now.month()))),
            ),
        ],
    );
    let me_id = me.viewer.user.id.to_string();
    let account_href =
        |r: &cartera_core::record::Record<AccountData>| Some(format!("/accounts/{}", r.id));
    let sales = super::my_day_sales::mine(&s, &me, now.date_naive()).await;
    let team = super::my_day_sales::team(&s, &me, now.date_naive()).await;
    let tasks = agenda(&s, &me, &me_id, now.date_naive()).await;
    let leads = recent::<LeadData>(&s, &me, &[("filter[owner_id]", me_id)], |_| None).await;
    let latest = recent::<AccountData>(&s, &me, &[], account_href).await;
    // Unread reminders, follow-ups and no-contact alerts (the agenda's notifications).
    let alerts: Vec<Value> = match cartera_app::notifications::list(
        &s.app,
        me.actor(),
        true,
        None,
        SHOWN as i64,
    )
    .await
    {
        Ok(p) => p
            .data
            .iter()
            .map(|n| {
                json!({
                    "title": n.title,
                    "subtitle": page.t(&format!("notification-kind-{}", n.kind.as_str())),
                    "href": n.record_id.map(|id| format!("/activities/{id}")),
                    "updated": when(n.created_at, page.time_zone(), page.locale),
                })
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let collections = super::billing_cheques::collections_card(&s, &me, now.date_naive()).await;
    let ctx = json!({
        "nav": "my-day",
        "collections": collections,
        "greeting": page.t_args(greeting, &[("name", ArgValue::Text(first_name))]),
        "today": today,
        "tasks": tasks,
        "alerts": alerts,
        "sales": sales,
        "team": team,
        "leads": leads,
        "latest": latest,
        "nothing_yet": latest.is_empty(),
    });
    page.render(StatusCode::OK, "my_day/my_day.html", ctx)
}

/// The "My day" page.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new().route("/my-day", get(page))
}
