//! The audit trail.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use utoipa::openapi::path::HttpMethod;

use cartera_app::audit::{self, AuditFilter};
use cartera_app::notes::check_limit;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::record::RecordKind;
use cartera_core::{Code, Id};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, QueryPairs};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

fn id_param(q: &QueryPairs, key: &str) -> Result<Option<Id>, ApiError> {
    q.get(key)
        .map(|v| {
            v.parse::<Id>()
                .map_err(|_| ApiError::bad_field(key, Code::Invalid, "must be an id"))
        })
        .transpose()
}

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<AuditEvent>>, ApiError> {
    q.only(&[
        "record_id",
        "actor_id",
        "record_kind",
        "action",
        "limit",
        "cursor",
    ])?;
    let filter = AuditFilter {
        record_id: id_param(&q, "record_id")?,
        actor_id: id_param(&q, "actor_id")?,
        record_kind: q
            .get("record_kind")
            .map(|k| {
                RecordKind::parse(k).ok_or_else(|| {
                    ApiError::bad_field("record_kind", Code::Invalid, "not a kind of record")
                })
            })
            .transpose()?,
        action: q
            .get("action")
            .map(|a| {
                AuditAction::parse(a).ok_or_else(|| {
                    ApiError::bad_field("action", Code::Invalid, "not an audit action")
                })
            })
            .transpose()?,
    };
    let limit = check_limit(q.get("limit"))?;
    let page = audit::list(&s.app, &actor, filter, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.events,
        next_cursor: page.next_cursor,
    }))
}

/// The action names a client may filter on; those the core does not know are dropped,
/// so the document never offers one the server refuses.
const ACTIONS: &[&str] = &[
    "created",
    "updated",
    "deleted",
    "restored",
    "purged",
    "merged",
    "merged_into",
    "converted",
    "shared",
    "unshared",
    "exported",
    "imported",
    "import_undone",
    "login_succeeded",
    "login_failed",
    "logged_out",
    "password_changed",
    "password_reset_requested",
    "password_reset_refused",
    "token_refused",
];

pub fn mount(mut api: Api) -> Api {
    let item = register::<AuditEvent>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "AuditEventPage", item);
    api.route(
        HttpMethod::Get,
        "/api/v1/audit_events",
        get(list),
        Op::new("audit", "list_audit_events", "Who changed what, when")
            .describe("Newest first. With `record_id`, the trail of one record (read scope); without, the whole company's (admin scope).")
            .query("record_id", "Only this record's events.")
            .query("actor_id", "Only this user's actions.")
            .query("record_kind", "account, contact, lead, note, custom_field ...")
            .query_with("action", "created, updated, deleted, restored, purged, merged, merged_into, converted, shared, unshared, exported, imported, import_undone; on users also login_succeeded, login_failed, logged_out, password_changed, password_reset_requested, password_reset_refused, token_refused", super::doc::enum_schema(&ACTIONS.iter().copied().filter(|a| cartera_core::audit::AuditAction::parse(a).is_some()).collect::<Vec<_>>()), false)
            .query("limit", "Page size, 1 to 500 (default 50).")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "Events", page)
            .problems(&[400, 403]),
    )
}
