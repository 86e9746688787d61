//! The agenda's automations: notifications, targets, the accounts alerted for lack of
//! contact, and the reads the follow-up rules and attainment need.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::agenda::{ActivityTarget, NewNotification, Notification, NotificationKind};
use cartera_core::record::RecordKind;

use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const NOTIFICATION_COLUMNS: &str =
    "id, user_id, kind, title, body, record_kind, record_id, created_at, read_at";

fn read_notification(r: &DbRow) -> Result<Notification> {
    let kind = r.text("kind")?;
    Ok(Notification {
        id: r.id("id")?,
        user_id: r.id("user_id")?,
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("notification kind: '{kind}'")))?,
        title: r.text("title")?,
        body: r.opt_text("body")?,
        record_kind: r
            .opt_text("record_kind")?
            .and_then(|k| RecordKind::parse(&k)),
        record_id: r.opt_id("record_id")?,
        created_at: r.time("created_at")?,
        read_at: r.opt_time("read_at")?,
    })
}

/// Raises a notification; `None` when one with the same `dedupe_key` exists.
pub async fn notify(c: &mut Conn, n: &NewNotification, now: DateTime<Utc>) -> Result<Option<Id>> {
    let id = Id::new();
    let rows = c
        .execute(
            Sql::new(
                "INSERT INTO notifications (id, user_id, kind, title, body, record_kind, \
                 record_id, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .arg(id)
            .arg(n.user_id)
            .arg(n.kind.as_str())
            .arg(&n.title)
            .arg(&n.body)
            .arg(n.record_kind.map(|k| k.as_str().to_owned()))
            .arg(n.record_id)
            .arg(&n.dedupe_key)
            .arg(now),
        )
        .await?;
    Ok((rows > 0).then_some(id))
}

/// A user's notifications, newest first, before the id `before`.
pub async fn notifications(
    c: &mut Conn,
    user: Id,
    unread_only: bool,
    before: Option<Id>,
    limit: i64,
) -> Result<Vec<Notification>> {
    let mut sql = Sql::new(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = "
    ));
    sql.push_arg(user);
    if unread_only {
        sql.push(" AND read_at IS NULL");
    }
    if let Some(b) = before {
        sql.push(" AND id < ").push_arg(b);
    }
    sql.push(" ORDER BY id DESC LIMIT ").push_arg(limit);
    c.fetch_all(sql)
        .await?
        .iter()
        .map(read_notification)
        .collect()
}

pub async fn unread_count(c: &mut Conn, user: Id) -> Result<i64> {
    c.fetch_one(
        Sql::new("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .arg(user),
    )
    .await?
    .int("n")
}

pub async fn notification(c: &mut Conn, user: Id, id: Id) -> Result<Option<Notification>> {
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1 AND user_id = $2"
        ))
        .arg(id)
        .arg(user),
    )
    .await?
    .as_ref()
    .map(read_notification)
    .transpose()
}

/// Marks one of the user's notifications (or all when `id` is `None`) read; returns how
/// many changed.
pub async fn mark_read(c: &mut Conn, user: Id, id: Option<Id>, now: DateTime<Utc>) -> Result<u64> {
    let mut sql = Sql::new("UPDATE notifications SET read_at = ");
    sql.push_arg(now)
        .push(" WHERE read_at IS NULL AND user_id = ")
        .push_arg(user);
    if let Some(id) = id {
        sql.push(" AND id = ").push_arg(id);
    }
    c.execute(sql).await
}

const TARGET_COLUMNS: &str = "id, user_id, period, visits, calls, version, created_at, updated_at";

fn read_target(r: &DbRow) -> Result<ActivityTarget> {
    Ok(ActivityTarget {
        id: r.id("id")?,
        user_id: r.id("user_id")?,
        period: r.text("period")?,
        visits: r.int("visits")?,
        calls: r.int("calls")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Stores a new target; `StoreError::Unique` when the user has one for that month.
pub async fn insert_target(c: &mut Conn, t: &ActivityTarget) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO activity_targets (id, user_id, period, visits, calls, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .arg(t.id)
        .arg(t.user_id)
        .arg(&t.period)
        .arg(t.visits)
        .arg(t.calls)
        .arg(t.version)
        .arg(t.created_at)
        .arg(t.updated_at),
    )
    .await?;
    Ok(())
}

/// Writes a changed target over the version `old_version`; `Stale` if it moved on.
pub async fn update_target(c: &mut Conn, t: &ActivityTarget, old_version: i64) -> Result<()> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE activity_targets SET visits = $1, calls = $2, version = $3, \
                 updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .arg(t.visits)
            .arg(t.calls)
            .arg(t.version)
            .arg(t.updated_at)
            .arg(t.id)
            .arg(old_version),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn delete_target(c: &mut Conn, id: Id) -> Result<bool> {
    Ok(
        c.execute(Sql::new("DELETE FROM activity_targets WHERE id = $1").arg(id))
            .await?
            > 0,
    )
}

pub async fn target(c: &mut Conn, id: Id) -> Result<Option<ActivityTarget>> {
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {TARGET_COLUMNS} FROM activity_targets WHERE id = $1"
        ))
        .arg(id),
    )
    .await?
    .as_ref()
    .map(read_target)
    .transpose()
}

/// Targets of a month (all months when `None`), optionally of one user.
pub async fn targets(
    c: &mut Conn,
    period: Option<&str>,
    user: Option<Id>,
) -> Result<Vec<ActivityTarget>> {
    let mut sql = Sql::new(format!(
        "SELECT {TARGET_COLUMNS} FROM activity_targets WHERE 1 = 1"
    ));
    if let Some(p) = period {
        sql.push(" AND period = ").push_arg(p);
    }
    if let Some(u) = user {
        sql.push(" AND user_id = ").push_arg(u);
    }
    sql.push(" ORDER BY period DESC, user_id");
    c.fetch_all(sql).await?.iter().map(read_target).collect()
}

/// A live account, as the no-contact rule reads it.
#[derive(Debug, Clone)]
pub struct AccountContact {
    pub id: Id,
    pub name: String,
    pub classification: Option<String>,
    pub owner_id: Option<Id>,
    pub created_at: DateTime<Utc>,
    /// When a done activity on it last started (or was last written, without a start).
    pub last_contact: Option<DateTime<Utc>>,
    pub alerted_at: Option<DateTime<Utc>>,
}

/// Every live account with an owner, with its last contact and last alert.
pub async fn account_contacts(c: &mut Conn) -> Result<Vec<AccountContact>> {
    let rows = c
        .fetch_all(Sql::new(
            "SELECT a.id, a.name, a.classification, a.owner_id, a.created_at, \
             (SELECT MAX(COALESCE(t.starts_at, t.updated_at)) FROM activities t \
               WHERE t.account_id = a.id AND t.status = 'done' AND t.deleted_at IS NULL) AS last_contact, \
             n.alerted_at \
             FROM accounts a LEFT JOIN no_contact_alerts n ON n.account_id = a.id \
             WHERE a.deleted_at IS NULL AND a.owner_id IS NOT NULL ORDER BY a.id",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AccountContact {
                id: r.id("id")?,
                name: r.text("name")?,
                classification: r.opt_text("classification")?,
                owner_id: r.opt_id("owner_id")?,
                created_at: r.time("created_at")?,
                last_contact: r.opt_time("last_contact")?,
                alerted_at: r.opt_time("alerted_at")?,
            })
        })
        .collect()
}

/// Notes that an account was alerted at `at`.
pub async fn set_alerted(c: &mut Conn, account: Id, at: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO no_contact_alerts (account_id, alerted_at) VALUES ($1, $2) \
             ON CONFLICT (account_id) DO UPDATE SET alerted_at = excluded.alerted_at",
        )
        .arg(account)
        .arg(at),
    )
    .await?;
    Ok(())
}
