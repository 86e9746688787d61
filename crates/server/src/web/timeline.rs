//! What a record page shows of its past: its latest notes and its timeline (notes,
//! activities and changes), with the names of the people in them.

use std::collections::HashMap;

use serde_json::{Value, json};

use cartera_app::records::Kind;
use cartera_app::{Actor, AppError, audit, notes};
use cartera_core::Id;

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
    Ok((
        notes_ctx(&notes, &people),
        timeline_ctx(&timeline, &people),
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

/// The timeline as the timeline box shows it.
pub fn timeline_ctx(items: &[audit::TimelineItem], people: &HashMap<Id, String>) -> Vec<Value> {
    items
        .iter()
        .map(|item| match item {
            audit::TimelineItem::Note { at, note } => json!({
                "type": "note",
                "at": at,
                "by": note.meta.created_by.and_then(|b| people.get(&b).cloned()),
                "text": note.data.body,
            }),
            audit::TimelineItem::Activity { at, activity } => json!({
                "type": "activity",
                "at": at,
                "by": activity.data.owner_id.and_then(|b| people.get(&b).cloned()),
                "text": format!(
                    "{} · {} · {}",
                    activity.data.kind.as_str(),
                    activity.data.status.as_str(),
                    activity.data.subject
                ),
            }),
            audit::TimelineItem::Change { at, event } => json!({
                "type": "change",
                "at": at,
                "by": event.actor_id.and_then(|b| people.get(&b).cloned()),
                "action": event.action,
                "kind": event.record_kind,
                "fields": event.changes.iter()
                    .map(|c| c.field.clone())
                    .filter(|f| !f.starts_with('_'))
                    .collect::<Vec<_>>(),
            }),
        })
        .collect()
}
