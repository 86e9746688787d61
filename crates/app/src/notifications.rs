//! In-app notifications: what reminders and follow-up rules tell a person. Each user
//! sees and marks read only their own.

use cartera_core::agenda::{NewNotification, Notification};
use cartera_core::users::Scope;
use cartera_core::{Code, Id, Violations};
use cartera_store::{Conn, agenda as store};

use crate::{Actor, App, AppError, Result};

pub struct NotificationPage {
    pub data: Vec<Notification>,
    pub unread_count: i64,
    pub next_cursor: Option<String>,
}

/// Raises a notification inside the caller's transaction; `None` when its `dedupe_key`
/// was raised before (a job that runs twice notifies once).
pub(crate) async fn raise(conn: &mut Conn, app: &App, n: &NewNotification) -> Result<Option<Id>> {
    Ok(store::notify(conn, n, app.now()).await?)
}

/// The actor's notifications, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    cursor: Option<&str>,
    limit: i64,
) -> Result<NotificationPage> {
    let before = cursor
        .map(|c| {
            c.parse::<Id>().map_err(|_| {
                AppError::BadQuery(Violations::one(
                    "cursor",
                    Code::Invalid,
                    "this cursor is damaged; start again without one",
                ))
            })
        })
        .transpose()?;
    let mut conn = app.db.reader().await?;
    let mut data =
        store::notifications(&mut conn, actor.user_id, unread_only, before, limit + 1).await?;
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(limit as usize);
        data.last().map(|n| n.id.to_string())
    } else {
        None
    };
    let unread_count = store::unread_count(&mut conn, actor.user_id).await?;
    Ok(NotificationPage {
        data,
        unread_count,
        next_cursor,
    })
}

/// How many of the actor's notifications are unread (the header's badge).
pub async fn unread_count(app: &App, actor: &Actor) -> Result<i64> {
    let mut conn = app.db.reader().await?;
    Ok(store::unread_count(&mut conn, actor.user_id).await?)
}

/// Marks one of the actor's notifications read (404 for anyone else's).
pub async fn mark_read(app: &App, actor: &Actor, id: Id) -> Result<Notification> {
    actor.require(Scope::Write)?;
    let mut conn = app.db.begin().await?;
    store::notification(&mut conn, actor.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::mark_read(&mut conn, actor.user_id, Some(id), app.now()).await?;
    let n = store::notification(&mut conn, actor.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    conn.commit().await?;
    Ok(n)
}

/// Marks all of the actor's notifications read; returns how many were unread.
pub async fn mark_all_read(app: &App, actor: &Actor) -> Result<u64> {
    actor.require(Scope::Write)?;
    let mut conn = app.db.begin().await?;
    let n = store::mark_read(&mut conn, actor.user_id, None, app.now()).await?;
    conn.commit().await?;
    Ok(n)
}
