//! Reading the audit trail, and the timeline of a record: its notes and its changes,
//! newest first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use cartera_core::activities::ActivityData;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::notes::Note;
use cartera_core::record::{Record, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::activities::Link as ActivityLink;
use cartera_store::audit::{self as store, AuditQuery};
use cartera_store::records::{self as records, Table};

use crate::records::load_visible;
use crate::timeline::{Contribution, Sources};
use crate::{Actor, App, AppError, Result};
use crate::{contacts, deals, orders};

fn bad_cursor() -> AppError {
    AppError::BadQuery(Violations::one(
        "cursor",
        Code::Invalid,
        "this cursor is damaged; start again without one",
    ))
}

pub(crate) fn seq_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(seq.to_string())
}

pub(crate) fn parse_seq_cursor(c: Option<&str>) -> Result<Option<i64>> {
    c.map(|c| {
        URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad_cursor)
    })
    .transpose()
}

/// Filters of `GET /api/v1/audit_events`.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub record_id: Option<Id>,
    pub actor_id: Option<Id>,
    pub record_kind: Option<RecordKind>,
    pub action: Option<AuditAction>,
}

pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

/// The trail of one record needs read access; the whole company's trail needs admin.
pub async fn list(
    app: &App,
    actor: &Actor,
    f: AuditFilter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<AuditPage> {
    // One record's history is reading; the whole trail is for administrators.
    actor.permit(
        Module::Audit,
        if f.record_id.is_some() {
            Action::Read
        } else {
            Action::Admin
        },
    )?;
    let mut conn = app.db.reader().await?;
    if let Some(id) = f.record_id
        && !actor.may(Module::Audit, Action::Admin)
    {
        // Without the admin right, one reads the history of the records in one's view of
        // the kinds whose facts open their trail (accounts, contacts, leads, activities)
        // alone: not that of users (their logins), tokens or settings.
        let mut seen = false;
        for kind in RecordKind::all_where(|f| f.open_trail) {
            if crate::records::require_visible(&mut conn, actor, kind, id)
                .await
                .is_ok()
            {
                seen = true;
                break;
            }
        }
        if !seen {
            return Err(AppError::NotFound);
        }
    }
    let q = AuditQuery {
        record_ids: f.record_id.into_iter().collect(),
        actor_id: f.actor_id,
        record_kind: f.record_kind,
        action: f.action,
        before_seq: parse_seq_cursor(cursor)?,
        limit: limit + 1,
    };
    let rows = store::list(&mut conn, &q).await?;
    let next_cursor = (rows.len() as i64 > limit)
        .then(|| rows.get(limit as usize - 1).map(|(s, _)| seq_cursor(*s)))
        .flatten();
    Ok(AuditPage {
        events: rows
            .into_iter()
            .take(limit as usize)
            .map(|(_, e)| e)
            .collect(),
        next_cursor,
    })
}

/// One thing that happened to a record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineItem {
    Note {
        at: DateTime<Utc>,
        note: Note,
    },
    Change {
        at: DateTime<Utc>,
        event: AuditEvent,
    },
    /// A task, call, meeting, visit or logged email on the record, placed when it was
    /// written down (done or still planned; its own dates are in it).
    Activity {
        at: DateTime<Utc>,
        // Boxed: an activity is several times the size of a note or a change.
        #[schema(value_type = Object)]
        activity: Box<Record<ActivityData>>,
    },
}

impl TimelineItem {
    fn at(&self) -> DateTime<Utc> {
        match self {
            TimelineItem::Note { at, .. }
            | TimelineItem::Change { at, .. }
            | TimelineItem::Activity { at, .. } => *at,
        }
    }
}

pub struct Timeline {
    pub items: Vec<TimelineItem>,
    pub next_cursor: Option<String>,
}

/// Where each stream of a timeline stopped.
#[derive(Serialize, Deserialize, Default)]
struct TimelineCursor {
    n: Option<i64>,
    a: Option<i64>,
    /// Activities' seq; absent in cursors made before activities joined the timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<i64>,
}

/// A timeline item with its seq in the stream it came from (notes, audit events,
/// activities), the one of the three that is set.
type Stamped = (Option<i64>, Option<i64>, Option<i64>, TimelineItem);

/// Every module's part of an account's timeline, in no particular order (the timeline
/// sorts by time).
const ACCOUNT_TIMELINE: &[Contribution] = &[
    contacts::account_timeline,
    deals::account_timeline,
    orders::account_timeline,
    crate::billing::invoices::account_timeline,
];

/// What every module adds to account `id`'s timeline.
async fn account_sources(conn: &mut Conn, actor: &Actor, id: Id) -> Result<Sources> {
    let mut sources = Sources::default();
    for contribute in ACCOUNT_TIMELINE {
        contribute(conn, actor, id, &mut sources).await?;
    }
    Ok(sources)
}

/// Notes, changes and activities of a record and of the records merged into it; for an
/// account, what the modules hang on it too (`crate::timeline`). Activities show within
/// the actor's view.
pub async fn timeline<D: Table>(
    app: &App,
    actor: &Actor,
    id: Id,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Timeline> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<D>(&mut conn, actor, id).await?;
    let mut ids = records::merged_sources::<D>(&mut conn, id).await?;
    ids.push(id);
    let mut note_ids = ids.clone();
    let mut event_ids = ids.clone();
    // An account's timeline also tells what the modules hang on it.
    if D::KIND == RecordKind::Account {
        let more = account_sources(&mut conn, actor, id).await?;
        note_ids.extend(more.notes_of);
        event_ids.extend(more.events_of);
    }
    let cur: TimelineCursor = match cursor {
        None => TimelineCursor::default(),
        Some(c) => URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(bad_cursor)?,
    };
    let notes = cartera_store::notes::list_for(&mut conn, &note_ids, cur.n, limit + 1).await?;
    let events = store::list(
        &mut conn,
        &AuditQuery {
            record_ids: event_ids,
            before_seq: cur.a,
            limit: limit + 1,
            ..AuditQuery::default()
        },
    )
    .await?;
    let link = ActivityLink::to(D::KIND);
    let activities = match link {
        Some(link) if actor.may(Module::Activities, Action::Read) => {
            cartera_store::activities::list_for(
                &mut conn,
                link,
                &ids,
                actor.view.as_deref(),
                cur.v,
                Some(limit + 1),
            )
            .await?
        }
        _ => Vec::new(),
    };
    let mut merged: Vec<Stamped> = notes
        .into_iter()
        .map(|(s, n)| {
            (
                Some(s),
                None,
                None,
                TimelineItem::Note {
                    at: n.meta.created_at,
                    note: n,
                },
            )
        })
        .chain(events.into_iter().map(|(s, e)| {
            (
                None,
                Some(s),
                None,
                TimelineItem::Change {
                    at: e.occurred_at,
                    event: e,
                },
            )
        }))
        .chain(activities.into_iter().map(|(s, r)| {
            (
                None,
                None,
                Some(s),
                TimelineItem::Activity {
                    at: r.meta.created_at,
                    activity: Box::new(r),
                },
            )
        }))
        .collect();
    // Newest first; at equal times a change comes after the note it may describe.
    merged.sort_by(|a, b| {
        b.3.at()
            .cmp(&a.3.at())
            .then(b.0.cmp(&a.0))
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
    });
    let more = merged.len() as i64 > limit;
    merged.truncate(limit as usize);
    let mut next = TimelineCursor {
        n: cur.n,
        a: cur.a,
        v: cur.v,
    };
    for (n, a, v, _) in &merged {
        if n.is_some() {
            next.n = *n;
        }
        if a.is_some() {
            next.a = *a;
        }
        if v.is_some() {
            next.v = *v;
        }
    }
    let next_cursor =
        more.then(|| URL_SAFE_NO_PAD.encode(serde_json::to_vec(&next).unwrap_or_default()));
    Ok(Timeline {
        items: merged.into_iter().map(|(_, _, _, i)| i).collect(),
        next_cursor,
    })
}
