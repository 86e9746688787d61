//! What a record page shows of its past: its latest notes and its timeline (notes,
//! activities and changes), with the names of the people in them.

use std::collections::HashMap;

use serde_json::{Value, json};

use cartera_app::records::{self, Kind};
use cartera_app::{Actor, AppError, audit, notes};
use cartera_core::Id;
use cartera_core::audit::AuditAction;
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::record::{FieldChange, RecordData, RecordKind};

use crate::state::AppState;

/// How many notes and timeline entries a record page shows.
pub const RECENT: i64 = 20;

/// Notes and timeline of a record, with the names of the people in them (and those in
/// `more`).
pub async fn history<D: Kind>(
    s: &AppState,
    actor: &Actor,
    id: Id,
    more: &[Id],
) -> Result<(Vec<Value>, Vec<Value>, HashMap<Id, String>), AppError> {
    let notes = notes::list::<D>(&s.app, actor, id, None, RECENT)
        .await
        .map(|p| p.notes)
        .unwrap_or_default();
    let timeline = match audit::timeline::<D>(&s.app, actor, id, None, RECENT).await {
        Ok(t) => t.items,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut ids: Vec<Id> = more.to_vec();
    ids.extend(notes.iter().filter_map(|n| n.meta.created_by));
    for item in &timeline {
        match item {
            audit::TimelineItem::Change { event, .. } => ids.extend(event.actor_id),
            audit::TimelineItem::Note { note, .. } => ids.extend(note.meta.created_by),
            audit::TimelineItem::Activity { activity, .. } => ids.extend(activity.data.owner_id),
        }
    }
    let people = cartera_app::users::names(&s.app, &ids)
        .await
        .unwrap_or_default();
    let related = related(s, actor, id, &timeline).await;
    Ok((
        notes_ctx(&notes, &people),
        timeline_ctx(&timeline, &people, &related),
        people,
    ))
}

/// The notes as the notes box shows them.
pub fn notes_ctx(notes: &[cartera_core::notes::Note], people: &HashMap<Id, String>) -> Vec<Value> {
    notes
        .iter()
        .map(|n| {
            json!({
                "body": n.data.body,
                "at": n.meta.created_at,
                "by": n.meta.created_by.and_then(|b| people.get(&b).cloned()),
            })
        })
        .collect()
}

/// What a timeline names besides the page's own record.
#[derive(Debug, Default)]
pub struct Related {
    /// The records other than the page's own that entries belong to (a note on one of the
    /// account's contacts, a deal's change), by id: their kind's path and name, so that
    /// the entry can say whose it is.
    pub records: HashMap<Id, (&'static str, String)>,
    /// The stages deals moved between, by id, so that a move reads "Propuesta →
    /// Negociación".
    pub stages: HashMap<Id, String>,
}

/// The names a timeline's entries need (see [`Related`]).
pub async fn related(
    s: &AppState,
    actor: &Actor,
    own: Id,
    items: &[audit::TimelineItem],
) -> Related {
    let moved = items.iter().any(|item| {
        matches!(item, audit::TimelineItem::Change { event, .. }
            if event.changes.iter().any(|c| c.field == "stage_id"))
    });
    let stages = if moved {
        cartera_app::deals::pipelines(&s.app, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .flat_map(|p| p.stages.into_iter().map(|st| (st.id, st.name)))
            .collect()
    } else {
        HashMap::new()
    };
    Related {
        records: related_records(s, actor, own, items).await,
        stages,
    }
}

async fn related_records(
    s: &AppState,
    actor: &Actor,
    own: Id,
    items: &[audit::TimelineItem],
) -> HashMap<Id, (&'static str, String)> {
    let mut refs: Vec<(RecordKind, Id)> = Vec::new();
    for item in items {
        match item {
            audit::TimelineItem::Note { note, .. } => refs.push((note.record_kind, note.record_id)),
            audit::TimelineItem::Change { event, .. } => {
                refs.push((event.record_kind, event.record_id));
            }
            audit::TimelineItem::Activity { activity, .. } => {
                refs.extend(activity.data.contact_id.map(|c| (RecordKind::Contact, c)));
                refs.extend(activity.data.deal_id.map(|d| (RecordKind::Deal, d)));
            }
        }
    }
    let of = |kind: RecordKind| -> Vec<Id> {
        refs.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect()
    };
    let mut contacts = of(RecordKind::Contact);
    let mut deals = of(RecordKind::Deal);
    contacts.retain(|c| *c != own);
    deals.retain(|d| *d != own);
    let mut out = HashMap::new();
    for (seg, ids) in [("contacts", contacts), ("deals", deals)] {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        for part in ids.chunks(100) {
            let params = [
                (
                    "filter[id][in]".to_owned(),
                    part.iter().map(Id::to_string).collect::<Vec<_>>().join(","),
                ),
                ("limit".to_owned(), "100".to_owned()),
            ];
            let found: Vec<(Id, String)> = if seg == "contacts" {
                records::list::<ContactData>(&s.app, actor, &params)
                    .await
                    .map(|l| l.rows.into_iter().map(|r| (r.id, r.data.title())).collect())
                    .unwrap_or_default()
            } else {
                records::list::<DealData>(&s.app, actor, &params)
                    .await
                    .map(|l| l.rows.into_iter().map(|r| (r.id, r.data.title())).collect())
                    .unwrap_or_default()
            };
            out.extend(found.into_iter().map(|(id, name)| (id, (seg, name))));
        }
    }
    out
}

/// The record an entry belongs to, when the page can name it: `{href, name}`.
fn about(related: &HashMap<Id, (&'static str, String)>, id: Option<Id>) -> Value {
    match id.and_then(|i| related.get(&i).map(|r| (i, r))) {
        Some((i, (seg, name))) => json!({"href": format!("/{seg}/{i}"), "name": name}),
        None => Value::Null,
    }
}

/// How a change of state reads: `status` as the kind's words for it (the template looks
/// up `deal-status-won`), `stage_id` as the stages' names. Other fields are only named.
fn states(kind: RecordKind, changes: &[FieldChange], stages: &HashMap<Id, String>) -> Vec<Value> {
    let with_status = matches!(
        kind,
        RecordKind::Deal
            | RecordKind::Lead
            | RecordKind::Quote
            | RecordKind::Order
            | RecordKind::Activity
    );
    let word = |v: &Value| v.as_str().map(|s| format!("{}-status-{s}", kind.as_str()));
    let stage = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<Id>().ok())
            .and_then(|id| stages.get(&id).cloned())
    };
    changes
        .iter()
        .filter_map(|c| match c.field.as_str() {
            "status" if with_status => Some(json!({
                "field": "status", "old_key": word(&c.old), "new_key": word(&c.new),
            })),
            "stage_id" => Some(json!({
                "field": "stage_id", "old": stage(&c.old), "new": stage(&c.new),
            })),
            _ => None,
        })
        .collect()
}

/// The timeline as the timeline box shows it: who did what, on which of the account's
/// contacts or deals, with activities' kinds and states, changed fields named and changes
/// of state or stage spelt out in the reader's language by the template
/// (`activity-kind-*`, `field_label`, `*-status-*`).
pub fn timeline_ctx(
    items: &[audit::TimelineItem],
    people: &HashMap<Id, String>,
    related: &Related,
) -> Vec<Value> {
    let stages = &related.stages;
    let related = &related.records;
    items
        .iter()
        .map(|item| match item {
            audit::TimelineItem::Note { at, note } => json!({
                "type": "note",
                "at": at,
                "by": note.meta.created_by.and_then(|b| people.get(&b).cloned()),
                "text": note.data.body,
                "about": about(related, Some(note.record_id)),
            }),
            audit::TimelineItem::Activity { at, activity } => json!({
                "type": "activity",
                "at": at,
                "by": activity.data.owner_id.and_then(|b| people.get(&b).cloned()),
                "activity_kind": activity.data.kind.as_str(),
                "status": activity.data.status.as_str(),
                "text": activity.data.subject,
                "href": format!("/activities/{}", activity.id),
                "about": about(related, activity.data.contact_id.or(activity.data.deal_id)),
            }),
            audit::TimelineItem::Change { at, event } => {
                let states = if event.action == AuditAction::Updated {
                    states(event.record_kind, &event.changes, stages)
                } else {
                    Vec::new()
                };
                let spelt = |f: &str| states.iter().any(|s| s["field"] == f);
                json!({
                    "type": "change",
                    "at": at,
                    "by": event.actor_id.and_then(|b| people.get(&b).cloned()),
                    "action": event.action,
                    "kind": event.record_kind,
                    "about": about(related, Some(event.record_id)),
                    "fields": event.changes.iter()
                        .map(|c| c.field.clone())
                        .filter(|f| !f.starts_with('_') && !spelt(f))
                        .collect::<Vec<_>>(),
                    "states": states,
                })
            }
        })
        .collect()
}
