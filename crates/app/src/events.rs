//! The audit-event helpers every use case shares: the event of one change, the fields of
//! a settings object that changed, and `write`, which stores one event. A leaf: it names
//! only core, the store and the crate root, so any module may use it without an import
//! circle (it used to live in `records`, which reads settings and users, which wrote
//! their events through `records`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::Id;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::record::{FieldChange, Record, RecordData, RecordKind, diff};
use cartera_store::Conn;

use crate::{Actor, Result};

/// The audit event of one change, by `actor` (none for the system) at `now`.
pub(crate) fn event(
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    action: AuditAction,
    kind: RecordKind,
    id: Id,
    changes: Vec<FieldChange>,
) -> AuditEvent {
    AuditEvent {
        id: Id::new(),
        occurred_at: now,
        actor_id: actor.map(|a| a.user_id),
        action,
        record_kind: kind,
        record_id: id,
        changes,
        request_id: actor.and_then(|a| a.request_id.clone()),
    }
}

/// The audit event of a record that `actor` changed from `old` to `new`, field by field.
pub(crate) fn update_event<D: RecordData>(
    actor: &Actor,
    now: DateTime<Utc>,
    old: &Record<D>,
    new: &Record<D>,
) -> AuditEvent {
    event(
        Some(actor),
        now,
        AuditAction::Updated,
        D::KIND,
        new.id,
        diff(Some(&old.data), Some(&new.data)),
    )
}

/// Writes the audit event of one change in the caller's transaction: `event` and the
/// store's insert in one call.
pub(crate) async fn write(
    conn: &mut Conn,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    action: AuditAction,
    kind: RecordKind,
    id: Id,
    changes: Vec<FieldChange>,
) -> Result<()> {
    let e = event(actor, now, action, kind, id, changes);
    cartera_store::audit::insert(conn, &[e]).await?;
    Ok(())
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
