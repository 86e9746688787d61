//! The agenda's automations: `/api/v1/notifications`, `/api/v1/follow_up_rules` and
//! `/api/v1/activity_targets` (with their attainment).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::openapi::path::HttpMethod;

use cartera_app::notes::check_limit;
use cartera_app::targets::{self, AttainmentReport, TargetInput};
use cartera_app::{followups, notifications};
use cartera_core::Code;
use cartera_core::Id;
use cartera_core::agenda::{ActivityTarget, FollowUpRules, Month, Notification};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, JsonBody, QueryPairs, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

/// A page of notifications with the count of unread ones.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub data: Vec<Notification>,
    /// How many of the caller's notifications are unread, on every page.
    pub unread_count: i64,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// How many notifications were unread and now are read.
    pub marked: u64,
}

async fn list_notifications(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<NotificationPage>, ApiError> {
    q.only(&["unread", "limit", "cursor"])?;
    let unread = q.flag("unread")?;
    let limit = check_limit(q.get("limit"))?;
    let p = notifications::list(&s.app, &actor, unread, q.get("cursor"), limit).await?;
    Ok(Json(NotificationPage {
        data: p.data,
        unread_count: p.unread_count,
        next_cursor: p.next_cursor,
    }))
}

async fn read_notification(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Notification>, ApiError> {
    Ok(Json(notifications::mark_read(&s.app, &actor, id).await?))
}

async fn read_all(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<MarkedRead>, ApiError> {
    Ok(Json(MarkedRead {
        marked: notifications::mark_all_read(&s.app, &actor).await?,
    }))
}

async fn get_rules(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<FollowUpRules>, ApiError> {
    Ok(Json(followups::rules(&s.app, &actor).await?))
}

async fn update_rules(
    State(s): State<AppState>,
    Auth(actor): Auth,
    JsonBody(body): JsonBody,
) -> Result<Json<FollowUpRules>, ApiError> {
    Ok(Json(followups::update_rules(&s.app, &actor, body).await?))
}

fn month(q: &QueryPairs, required: bool) -> Result<Option<Month>, ApiError> {
    match q.get("period") {
        None if required => Err(ApiError::bad_field(
            "period",
            Code::Required,
            "a month, YYYY-MM",
        )),
        None => Ok(None),
        Some(p) => Month::parse(p)
            .map(Some)
            .ok_or_else(|| ApiError::bad_field("period", Code::Invalid, "a month, YYYY-MM")),
    }
}

async fn list_targets(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<ActivityTarget>>, ApiError> {
    q.only(&["period", "user_id"])?;
    let period = month(&q, false)?;
    let user = q
        .get("user_id")
        .map(|v| {
            v.parse::<Id>()
                .map_err(|_| ApiError::bad_field("user_id", Code::Invalid, "a user's id"))
        })
        .transpose()?;
    Ok(Json(Page {
        data: targets::list(&s.app, &actor, period, user).await?,
        next_cursor: None,
    }))
}

async fn create_target(
    State(s): State<AppState>,
    Auth(actor): Auth,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<ActivityTarget>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(targets::create(&s.app, &actor, body).await?),
    ))
}

async fn read_target(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<ActivityTarget>, ApiError> {
    Ok(Json(targets::get(&s.app, &actor, id).await?))
}

async fn update_target(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> Result<Json<ActivityTarget>, ApiError> {
    Ok(Json(
        targets::update(&s.app, &actor, id, body, version).await?,
    ))
}

async fn delete_target(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    targets::delete(&s.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn attainment(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<AttainmentReport>, ApiError> {
    q.only(&["period"])?;
    let Some(m) = month(&q, true)? else {
        return Err(ApiError::bad_field(
            "period",
            Code::Required,
            "a month, YYYY-MM",
        ));
    };
    Ok(Json(targets::attainment(&s.app, &actor, m).await?))
}

/// One occurrence on the caller's agenda.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgendaEntry {
    pub activity_id: Id,
    pub subject: String,
    pub kind: cartera_core::activities::ActivityKind,
    pub status: cartera_core::activities::ActivityStatus,
    /// The day it falls on in the caller's time zone.
    #[schema(value_type = String, format = Date)]
    pub day: chrono::NaiveDate,
    /// This occurrence's start and end (a series' own occurrence); null for a task with
    /// only a due date.
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub all_day: bool,
    /// It belongs to a recurring series.
    pub recurring: bool,
    /// For an occurrence of a series, its start as the rule gives it (before any move):
    /// what names it in `PATCH /api/v1/activities/{id}/occurrences/{original_start}`.
    pub original_start: Option<chrono::DateTime<chrono::Utc>>,
    /// The caller attends it; someone else owns it.
    pub attending: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgendaPage {
    pub data: Vec<AgendaEntry>,
}

fn day_param(q: &QueryPairs, key: &str) -> Result<chrono::NaiveDate, ApiError> {
    q.get(key)
        .ok_or_else(|| ApiError::bad_field(key, Code::Required, "a day, YYYY-MM-DD"))?
        .parse()
        .map_err(|_| ApiError::bad_field(key, Code::Invalid, "a day, YYYY-MM-DD"))
}

async fn agenda(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<AgendaPage>, ApiError> {
    q.only(&["from", "to", "time_zone"])?;
    let (from, to) = (day_param(&q, "from")?, day_param(&q, "to")?);
    let tz = q
        .get("time_zone")
        .map(|z| {
            z.parse::<chrono_tz::Tz>()
                .map_err(|_| ApiError::bad_field("time_zone", Code::Invalid, "an IANA time zone"))
        })
        .transpose()?;
    let list = cartera_app::activities::agenda(&s.app, &actor, from, to, tz).await?;
    Ok(Json(AgendaPage {
        data: list
            .into_iter()
            .map(|o| AgendaEntry {
                activity_id: o.activity.id,
                subject: o.activity.data.subject.clone(),
                kind: o.activity.data.kind,
                status: o.activity.data.status,
                day: o.day,
                starts_at: o.starts_at,
                ends_at: o.ends_at,
                all_day: o.activity.data.all_day,
                recurring: o.activity.data.recurrence.is_some(),
                original_start: o.original_start,
                attending: o.attending,
            })
            .collect(),
    }))
}

pub fn mount(mut api: Api) -> Api {
    let target = register::<ActivityTarget>(&mut api.schemas);
    let targets_page = page_schema(&mut api.schemas, "ActivityTargetPage", target.clone());
    api.route(
        HttpMethod::Get,
        "/api/v1/agenda",
        get(agenda),
        Op::new("activities", "agenda", "My agenda for some days")
            .describe(
                "The caller's activities from `from` to `to` (days, both included, at \
                 most 62): their own and those they attend, with every occurrence of a \
                 recurring series in the window, in order of day and time.",
            )
            .query_with(
                "from",
                "First day, YYYY-MM-DD.",
                super::doc::date_schema(),
                true,
            )
            .query_with(
                "to",
                "Last day, YYYY-MM-DD.",
                super::doc::date_schema(),
                true,
            )
            .query(
                "time_zone",
                "The IANA zone days are counted in (default: the caller's).",
            )
            .answer::<AgendaPage>(200, "The occurrences")
            .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/notifications",
        get(list_notifications),
        Op::new("notifications", "list_notifications", "My notifications")
            .describe(
                "The caller's own notifications (reminders, follow-ups, visit reports, \
                 no-contact alerts), newest first, with the count of unread ones.",
            )
            .query("unread", "`true`: only unread ones.")
            .query("limit", "Page size, 1 to 500 (default 50).")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer::<NotificationPage>(200, "Notifications")
            .problems(&[400]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/notifications/{id}/read",
        post(read_notification),
        Op::new(
            "notifications",
            "read_notification",
            "Mark a notification read",
        )
        .path_param("id", "The notification's id")
        .answer::<Notification>(200, "The notification, read")
        .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/notifications/read_all",
        post(read_all),
        Op::new(
            "notifications",
            "read_all_notifications",
            "Mark all my notifications read",
        )
        .answer::<MarkedRead>(200, "How many were marked")
        .problems(&[403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/follow_up_rules",
        get(get_rules),
        Op::new(
            "follow_up_rules",
            "get_follow_up_rules",
            "Automatic follow-up rules",
        )
        .answer::<FollowUpRules>(200, "The rules")
        .problems(&[403]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/follow_up_rules",
        axum::routing::patch(update_rules),
        Op::new(
            "follow_up_rules",
            "update_follow_up_rules",
            "Change the follow-up rules (admin)",
        )
        .describe(
            "A merge patch: `quote_follow_up_days` (null turns it off), \
             `visit_report_prompt`, `no_contact_days` per account classification (a \
             class set to null is removed) and `no_contact_default_days`.",
        )
        .body::<FollowUpRules>("The rules to change (merge patch)")
        .answer::<FollowUpRules>(200, "The rules")
        .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/activity_targets",
        get(list_targets),
        Op::new(
            "activity_targets",
            "list_activity_targets",
            "Visit and call targets",
        )
        .query_with(
            "period",
            "Only this month, YYYY-MM.",
            super::doc::month_schema(),
            false,
        )
        .query("user_id", "Only this rep's.")
        .answer_schema(200, "Targets", targets_page)
        .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/activity_targets",
        post(create_target),
        Op::new(
            "activity_targets",
            "create_activity_target",
            "Set a rep's targets for a month",
        )
        .describe("Needs the admin right on activities. One target per rep and month (409).")
        .body::<TargetInput>("`user_id`, `period` (YYYY-MM), `visits`, `calls`")
        .answer_schema(201, "The target", target.clone())
        .problems(&[400, 403, 409, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/activity_targets/attainment",
        get(attainment),
        Op::new(
            "activity_targets",
            "activity_target_attainment",
            "Attainment of a month's targets",
        )
        .describe(
            "For each rep with a target in the month: the done visits and calls that fall \
             in it (by due date or start) against the target, with the percent.",
        )
        .query_with(
            "period",
            "The month, YYYY-MM.",
            super::doc::month_schema(),
            true,
        )
        .answer::<AttainmentReport>(200, "Attainment per rep")
        .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/activity_targets/{id}",
        get(read_target),
        Op::new("activity_targets", "get_activity_target", "Read a target")
            .path_param("id", "The target's id")
            .answer_schema(200, "The target", target.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/activity_targets/{id}",
        axum::routing::patch(update_target),
        Op::new(
            "activity_targets",
            "update_activity_target",
            "Change a target",
        )
        .describe("Changes `visits` and `calls`; honours `If-Match`.")
        .path_param("id", "The target's id")
        .body::<TargetInput>("`visits` and/or `calls`")
        .answer_schema(200, "The target", target)
        .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/activity_targets/{id}",
        axum::routing::delete(delete_target),
        Op::new(
            "activity_targets",
            "delete_activity_target",
            "Delete a target",
        )
        .path_param("id", "The target's id")
        .answer_empty(204, "Deleted")
        .problems(&[403, 404]),
    )
}
