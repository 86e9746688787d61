//! The audit-event helpers every use case shares: the event of one change, the fields of
//! a settings object that changed, one field's change, and `write`, which stores one
//! event. A leaf: it names only core, the store and the crate root, so any module may
//! use it without an import circle (it used to live in `records`, which reads settings
//! and users, which wrote their events through `records`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::Id;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::record::{FieldChange, Record, RecordData, RecordKind, diff};
use cartera_store::Conn;

use crate::{Actor, Result};

/// Who made a change, and when: what every audit event of a use case shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct By<'a> {
    actor: Option<&'a Actor>,
    now: DateTime<Utc>,
}

impl By<'_> {
    /// The audit event of one change: `action` on the record `kind` `id`, with the
    /// fields that changed.
    pub(crate) fn event(
        self,
        action: AuditAction,
        kind: RecordKind,
        id: Id,
        changes: Vec<FieldChange>,
    ) -> AuditEvent {
        AuditEvent {
            id: Id::new(),
            occurred_at: self.now,
            actor_id: self.actor.map(|a| a.user_id),
            action,
            record_kind: kind,
            record_id: id,
            changes,
            request_id: self.actor.and_then(|a| a.request_id.clone()),
        }
    }
}

impl Actor {
    /// This actor's changes at `now`, for their audit events.
    pub(crate) fn at(&self, now: DateTime<Utc>) -> By<'_> {
        By {
            actor: Some(self),
            now,
        }
    }
}

/// The audit event of one change, by `actor` (none for the system) at `now`.
pub(crate) fn event(
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    action: AuditAction,
    kind: RecordKind,
    id: Id,
    changes: Vec<FieldChange>,
) -> AuditEvent {
    By { actor, now }.event(action, kind, id, changes)
}

/// Writes an audit event (made by [`event`]) in the caller's transaction: the one way a
/// use case records a change.
pub(crate) async fn write(conn: &mut Conn, e: AuditEvent) -> Result<()> {
    write_all(conn, vec![e]).await
}

/// Appends audit events in multi-row inserts, in the caller's transaction.
pub(crate) async fn write_all(conn: &mut Conn, events: Vec<AuditEvent>) -> Result<()> {
    cartera_store::audit::insert(conn, &events).await?;
    Ok(())
}

/// A field that went from `old` to `new`, for an audit event.
pub(crate) fn change(field: &str, old: impl Into<Value>, new: impl Into<Value>) -> FieldChange {
    FieldChange {
        field: field.into(),
        old: old.into(),
        new: new.into(),
    }
}

/// A field given `new` where it had nothing (`old` is `null`): what a creation, or a
/// fact of a one-off event (an export's format, a login's address), records.
pub(crate) fn set(field: &str, new: impl Into<Value>) -> FieldChange {
    change(field, Value::Null, new)
}

/// The audit event of a record that `actor` changed from `old` to `new`, field by field.
pub(crate) fn update_event<D: RecordData>(
    actor: &Actor,
    now: DateTime<Utc>,
    old: &Record<D>,
    new: &Record<D>,
) -> AuditEvent {
    let changes = diff(Some(&old.data), Some(&new.data));
    actor
        .at(now)
        .event(AuditAction::Updated, D::KIND, new.id, changes)
}

/// The `fields` of a settings object (a team, a territory, a user) that differ between
/// `old` (none for a creation) and `new`, for its audit event.
pub(crate) fn changed_fields<T: serde::Serialize>(
    old: Option<&T>,
    new: &T,
    fields: &[&str],
) -> Vec<FieldChange> {
    let json =
        |t: Option<&T>| t.map_or(Value::Null, |t| serde_json::to_value(t).unwrap_or_default());
    let (o, n) = (json(old), json(Some(new)));
    fields
        .iter()
        .filter(|f| o.get(f) != n.get(f))
        .map(|f| FieldChange {
            field: (*f).into(),
            old: o.get(f).cloned().unwrap_or(Value::Null),
            new: n.get(f).cloned().unwrap_or(Value::Null),
        })
        .collect()
}
