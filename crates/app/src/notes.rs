//! Notes on accounts, contacts and leads.

use serde_json::Value;

use cartera_core::audit::AuditAction;
use cartera_core::notes::{Note, NoteData};
use cartera_core::record::{Meta, RecordKind, deserialize, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::notes as store;
use cartera_store::records::{self as records, Table};

use crate::events;
use crate::records::{load_visible, require_visible};
use crate::{Actor, App, AppError, Result};

fn read_input(body: Value) -> Result<NoteData> {
    let mut data: NoteData = deserialize(body)?;
    data.normalize();
    let mut c = Check::new();
    data.validate(&mut c);
    c.finish()?;
    Ok(data)
}

pub async fn create(
    app: &App,
    actor: &Actor,
    kind: RecordKind,
    record_id: Id,
    body: Value,
) -> Result<Note> {
    actor.permit(Module::Notes, Action::Create)?;
    actor.permit(Module::of(kind), Action::Read)?;
    let now = app.now();
    let data = read_input(body)?;
    let mut conn = app.db.begin().await?;
    require_visible(&mut conn, actor, kind, record_id).await?;
    let note = Note {
        id: Id::new(),
        record_kind: kind,
        record_id,
        data,
        meta: Meta::new(now, Some(actor.user_id)),
    };
    store::insert(&mut conn, &note).await?;
    events::write(
        &mut conn,
        actor.at(now).event(
            AuditAction::Created,
            RecordKind::Note,
            note.id,
            diff(None, Some(&note.data)),
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(note)
}

pub struct NotePage {
    pub notes: Vec<Note>,
    pub next_cursor: Option<String>,
}

/// Notes on a record (and on records merged into it), newest first.
pub async fn list<D: Table>(
    app: &App,
    actor: &Actor,
    record_id: Id,
    cursor: Option<&str>,
    limit: i64,
) -> Result<NotePage> {
    actor.permit(Module::Notes, Action::Read)?;
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<D>(&mut conn, actor, record_id).await?;
    let mut ids = records::merged_sources::<D>(&mut conn, record_id).await?;
    ids.push(record_id);
    let before = crate::audit::parse_seq_cursor(cursor)?;
    let rows = store::list_for(&mut conn, &ids, before, limit + 1).await?;
    let next_cursor = (rows.len() as i64 > limit)
        .then(|| {
            rows.get(limit as usize - 1)
                .map(|(s, _)| crate::audit::seq_cursor(*s))
        })
        .flatten();
    Ok(NotePage {
        notes: rows
            .into_iter()
            .take(limit as usize)
            .map(|(_, n)| n)
            .collect(),
        next_cursor,
    })
}

/// A live note on a record in the actor's view, or 404.
async fn load(conn: &mut Conn, actor: &Actor, id: Id) -> Result<Note> {
    match store::get(conn, id).await? {
        Some(n) if n.meta.deleted_at.is_none() => {
            require_visible(conn, actor, n.record_kind, n.record_id).await?;
            Ok(n)
        }
        _ => Err(AppError::NotFound),
    }
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Note> {
    actor.permit(Module::Notes, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load(&mut conn, actor, id).await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    body: Value,
    if_match: Option<i64>,
) -> Result<Note> {
    actor.permit(Module::Notes, Action::Edit)?;
    let now = app.now();
    let data = read_input(body)?;
    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, actor, id).await?;
    if let Some(v) = if_match
        && v != old.meta.version
    {
        return Err(AppError::Stale {
            expected: v,
            current: old.meta.version,
        });
    }
    if data == old.data {
        return Ok(old);
    }
    let mut new = old.clone();
    new.data = data;
    new.meta.version += 1;
    new.meta.updated_at = now;
    store::update(&mut conn, &new, old.meta.version).await?;
    events::write(
        &mut conn,
        actor.at(now).event(
            AuditAction::Updated,
            RecordKind::Note,
            id,
            diff(Some(&old.data), Some(&new.data)),
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(new)
}

/// Trashes (`trash = true`) or restores a note.
pub async fn set_trashed(app: &App, actor: &Actor, id: Id, trash: bool) -> Result<Note> {
    actor.permit(Module::Notes, Action::Delete)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let Some(old) = store::get(&mut conn, id).await? else {
        return Err(AppError::NotFound);
    };
    require_visible(&mut conn, actor, old.record_kind, old.record_id).await?;
    match (trash, old.meta.deleted_at.is_some()) {
        (true, true) => return Err(AppError::NotFound),
        (false, false) => return Err(AppError::Conflict("this note is not in the trash".into())),
        _ => {}
    }
    let mut new = old.clone();
    new.meta.deleted_at = trash.then_some(now);
    new.meta.version += 1;
    new.meta.updated_at = now;
    store::update(&mut conn, &new, old.meta.version).await?;
    let action = if trash {
        AuditAction::Deleted
    } else {
        AuditAction::Restored
    };
    events::write(
        &mut conn,
        actor
            .at(now)
            .event(action, RecordKind::Note, id, Vec::new()),
    )
    .await?;
    conn.commit().await?;
    Ok(new)
}

/// Refuses a limit outside 1..=500.
pub fn check_limit(limit: Option<&str>) -> Result<i64> {
    match limit {
        None => Ok(50),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=500).contains(&n) => Ok(n),
            _ => Err(AppError::BadQuery(Violations::one(
                "limit",
                Code::OutOfRange,
                "must be a whole number from 1 to 500",
            ))),
        },
    }
}
