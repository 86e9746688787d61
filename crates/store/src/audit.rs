//! The audit trail, written in the same transaction as the change it records.

use cartera_core::Id;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::record::RecordKind;

use crate::bulk::Rows;
use crate::db::{Arg, Backend, Bound, Conn, DbRow, Result, Sql};
use crate::error::StoreError;

fn read(row: &DbRow) -> Result<AuditEvent> {
    let action = row.text("action")?;
    let kind = row.text("record_kind")?;
    Ok(AuditEvent {
        id: row.id("id")?,
        occurred_at: row.time("occurred_at")?,
        actor_id: row.opt_id("actor_id")?,
        action: AuditAction::parse(&action)
            .ok_or_else(|| StoreError::Decode(format!("action: '{action}'")))?,
        record_kind: RecordKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("record_kind: '{kind}'")))?,
        record_id: row.id("record_id")?,
        changes: row.json("changes")?,
        request_id: row.opt_text("request_id")?,
    })
}

pub async fn insert(c: &mut Conn, events: &[AuditEvent]) -> Result<()> {
    let mut rows = rows();
    for e in events {
        rows.push(values(e));
    }
    rows.write(c).await
}

/// The statements that insert `events`, bound ahead of their transaction.
pub fn plan(backend: Backend, events: &[AuditEvent]) -> Vec<Bound> {
    events
        .chunks(3_000)
        .map(|part| {
            let mut sql = Sql::new(
                "INSERT INTO audit_events (id, occurred_at, actor_id, action, record_kind, record_id, changes, request_id) VALUES ",
            );
            for (i, e) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(");
                sql.push_args(values(e));
                sql.push(")");
            }
            sql.bind(backend)
        })
        .collect()
}

const COLUMNS: [&str; 8] = [
    "id",
    "occurred_at",
    "actor_id",
    "action",
    "record_kind",
    "record_id",
    "changes",
    "request_id",
];

/// Events for a bulk write ([`crate::bulk`]): encode each with [`encode`], write once.
pub fn rows() -> Rows {
    Rows::new("audit_events", &COLUMNS)
}

/// An event's values for [`rows`], encoded ahead of its write.
pub fn encode(backend: Backend, e: &AuditEvent) -> Vec<Arg> {
    values(e)
        .into_iter()
        .map(|a| crate::bulk::for_backend(a, backend))
        .collect()
}

/// An event's values in the order of [`COLUMNS`].
fn values(e: &AuditEvent) -> [Arg; 8] {
    [
        e.id.into(),
        e.occurred_at.into(),
        e.actor_id.into(),
        e.action.as_str().into(),
        e.record_kind.as_str().into(),
        e.record_id.into(),
        Arg::json(&e.changes),
        e.request_id.clone().into(),
    ]
}

/// Runs statements from [`plan`].
pub async fn run(c: &mut Conn, statements: Vec<Bound>) -> Result<()> {
    for stmt in statements {
        c.execute_bound(stmt).await?;
    }
    Ok(())
}

/// Which audit events to list.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    pub record_ids: Vec<Id>,
    pub actor_id: Option<Id>,
    pub record_kind: Option<RecordKind>,
    pub action: Option<AuditAction>,
    /// Events before this sequence number (the previous page's last).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// The events of `action` on records of `kind` among `record_ids` that the request
/// `request_id` wrote (an import's), newest first.
pub async fn of_request(
    c: &mut Conn,
    kind: RecordKind,
    action: AuditAction,
    request_id: &str,
    record_ids: &[Id],
) -> Result<Vec<AuditEvent>> {
    let mut out = Vec::new();
    for part in record_ids.chunks(1_000) {
        let mut sql = Sql::new(
            "SELECT seq, id, occurred_at, actor_id, action, record_kind, record_id, changes, \
             request_id FROM audit_events WHERE record_kind = $1 AND action = $2 \
             AND request_id = $3 AND record_id IN (",
        )
        .arg(kind.as_str())
        .arg(action.as_str())
        .arg(request_id);
        sql.push_args(part);
        sql.push(") ORDER BY seq DESC");
        for r in c.fetch_all(sql).await? {
            out.push(read(&r)?);
        }
    }
    Ok(out)
}

/// Events newest first, with their sequence numbers for paging.
pub async fn list(c: &mut Conn, q: &AuditQuery) -> Result<Vec<(i64, AuditEvent)>> {
    let mut sql = Sql::new(
        "SELECT seq, id, occurred_at, actor_id, action, record_kind, record_id, changes, request_id \
         FROM audit_events WHERE 1 = 1",
    );
    if !q.record_ids.is_empty() {
        sql.push(" AND record_id IN (");
        sql.push_args(&q.record_ids);
        sql.push(")");
    }
    if let Some(a) = q.actor_id {
        sql.push(" AND actor_id = ");
        sql.push_arg(a);
    }
    if let Some(k) = q.record_kind {
        sql.push(" AND record_kind = ");
        sql.push_arg(k.as_str());
    }
    if let Some(a) = q.action {
        sql.push(" AND action = ");
        sql.push_arg(a.as_str());
    }
    if let Some(s) = q.before_seq {
        sql.push(" AND seq < ");
        sql.push_arg(s);
    }
    sql.push(" ORDER BY seq DESC LIMIT ");
    sql.push_arg(q.limit);
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| Ok((r.int("seq")?, read(r)?)))
        .collect()
}
