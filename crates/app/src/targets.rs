//! Visit and call targets per rep and month, and their attainment counted from the done
//! activities. Anyone who reads activities reads targets; setting them takes the admin
//! right on activities (`activities: admin`, which administrators have and an admin can
//! give the sales managers' role).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use cartera_core::activities::{ActivityData, ActivityKind, ActivityStatus};
use cartera_core::agenda::{ActivityTarget, Month, Progress, validate_target};
use cartera_core::audit::AuditAction;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::activities::{self as activities_store, Link};
use cartera_store::{StoreError, agenda as store, users as users_store};

use crate::events;
use crate::{Actor, App, AppError, Result, check_version};

/// A target as written.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TargetInput {
    pub user_id: Option<Id>,
    /// The month, `YYYY-MM`.
    pub period: Option<String>,
    pub visits: Option<i64>,
    pub calls: Option<i64>,
}

fn bad(field: &str, code: Code, message: &str) -> AppError {
    AppError::Invalid(Violations::one(field, code, message))
}

/// Reads a month from a query (400) or a body (422).
pub fn parse_month(s: &str) -> Option<Month> {
    Month::parse(s)
}

fn input(v: Value) -> Result<TargetInput> {
    serde_json::from_value(v).map_err(|e| bad("", Code::Invalid, &e.to_string()))
}

fn audit(
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    action: AuditAction,
    id: Id,
    changes: Vec<FieldChange>,
) -> cartera_core::audit::AuditEvent {
    actor
        .at(now)
        .event(action, RecordKind::Setting, id, changes)
}

fn change(field: &str, old: impl ToString, new: impl ToString) -> FieldChange {
    FieldChange {
        field: field.into(),
        old: Value::String(old.to_string()),
        new: Value::String(new.to_string()),
    }
}

pub async fn create(app: &App, actor: &Actor, body: Value) -> Result<ActivityTarget> {
    actor.permit(Module::Activities, Action::Admin)?;
    let i = input(body)?;
    let mut c = Check::new();
    if i.user_id.is_none() {
        c.add("user_id", Code::Required, "is required");
    }
    let month = match i.period.as_deref() {
        None => {
            c.add("period", Code::Required, "is required");
            None
        }
        Some(p) => {
            let m = Month::parse(p);
            if m.is_none() {
                c.add("period", Code::Invalid, "a month, YYYY-MM");
            }
            m
        }
    };
    let (visits, calls) = (i.visits.unwrap_or(0), i.calls.unwrap_or(0));
    validate_target(visits, calls, &mut c);
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if let Some(u) = i.user_id
        && users_store::by_id(&mut conn, u).await?.is_none()
    {
        c.add("user_id", Code::NotFound, "there is no user with this id");
    }
    c.finish().map_err(AppError::Invalid)?;
    let (Some(user_id), Some(month)) = (i.user_id, month) else {
        return Err(bad("", Code::Invalid, "invalid"));
    };
    let t = ActivityTarget {
        id: Id::new(),
        user_id,
        period: month.to_string(),
        visits,
        calls,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert_target(&mut conn, &t)
        .await
        .map_err(|e| match e {
            StoreError::Unique(_) => AppError::Conflict(format!(
                "this user already has a target for {month}; change that one"
            )),
            e => e.into(),
        })?;
    events::write(
        &mut conn,
        audit(
            actor,
            now,
            AuditAction::Created,
            t.id,
            vec![
                change("user_id", "", user_id),
                change("period", "", &t.period),
                change("visits", "", visits),
                change("calls", "", calls),
            ],
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(t)
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<ActivityTarget> {
    actor.permit(Module::Activities, Action::Read)?;
    let mut conn = app.db.reader().await?;
    store::target(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn list(
    app: &App,
    actor: &Actor,
    period: Option<Month>,
    user: Option<Id>,
) -> Result<Vec<ActivityTarget>> {
    actor.permit(Module::Activities, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let p = period.map(|m| m.to_string());
    Ok(store::targets(&mut conn, p.as_deref(), user).await?)
}

/// Changes a target's `visits` and `calls` (its user and month stay).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    body: Value,
    if_match: Option<i64>,
) -> Result<ActivityTarget> {
    actor.permit(Module::Activities, Action::Admin)?;
    let i = input(body)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = store::target(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_version(if_match, old.version)?;
    let mut c = Check::new();
    if i.user_id.is_some_and(|u| u != old.user_id) {
        c.add("user_id", Code::Invalid, "a target's user does not change");
    }
    if i.period.as_deref().is_some_and(|p| p != old.period) {
        c.add("period", Code::Invalid, "a target's month does not change");
    }
    let mut new = old.clone();
    new.visits = i.visits.unwrap_or(old.visits);
    new.calls = i.calls.unwrap_or(old.calls);
    validate_target(new.visits, new.calls, &mut c);
    c.finish().map_err(AppError::Invalid)?;
    if new.visits == old.visits && new.calls == old.calls {
        return Ok(old);
    }
    new.version += 1;
    new.updated_at = now;
    store::update_target(&mut conn, &new, old.version)
        .await
        .map_err(|e| match e {
            StoreError::Stale => AppError::Stale {
                expected: old.version,
                current: old.version + 1,
            },
            e => e.into(),
        })?;
    let mut changes = Vec::new();
    if new.visits != old.visits {
        changes.push(change("visits", old.visits, new.visits));
    }
    if new.calls != old.calls {
        changes.push(change("calls", old.calls, new.calls));
    }
    events::write(
        &mut conn,
        audit(actor, now, AuditAction::Updated, id, changes),
    )
    .await?;
    conn.commit().await?;
    Ok(new)
}

pub async fn delete(app: &App, actor: &Actor, id: Id) -> Result<()> {
    actor.permit(Module::Activities, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if !store::delete_target(&mut conn, id).await? {
        return Err(AppError::NotFound);
    }
    events::write(
        &mut conn,
        audit(actor, now, AuditAction::Deleted, id, Vec::new()),
    )
    .await?;
    conn.commit().await?;
    Ok(())
}

/// One rep's attainment in a month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attainment {
    pub user_id: Id,
    pub user_name: String,
    pub visits: Progress,
    pub calls: Progress,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttainmentReport {
    /// The month, `YYYY-MM`.
    pub period: String,
    pub data: Vec<Attainment>,
}

/// For each rep with a target in `month`: done visits and calls that fall in the month
/// (by due date or start) against the target.
pub async fn attainment(app: &App, actor: &Actor, month: Month) -> Result<AttainmentReport> {
    actor.permit(Module::Activities, Action::Read)?;
    let (Some(first), Some(last)) = (month.first_day(), month.last_day()) else {
        return Err(AppError::BadQuery(Violations::one(
            "period",
            Code::Invalid,
            "a month, YYYY-MM",
        )));
    };
    let mut conn = app.db.reader().await?;
    let targets = store::targets(&mut conn, Some(&month.to_string()), None).await?;
    let users: Vec<Id> = targets.iter().map(|t| t.user_id).collect();
    // Counts cover every activity of the rep, whatever the reader sees of them.
    let rows = activities_store::list_for(&mut conn, Link::Owner, &users, None, None, None).await?;
    let mut done: BTreeMap<(Id, bool), i64> = BTreeMap::new();
    for (_, r) in &rows {
        let a: &ActivityData = &r.data;
        if a.status != ActivityStatus::Done {
            continue;
        }
        let is_visit = match a.kind {
            ActivityKind::Visit => true,
            ActivityKind::Call => false,
            _ => continue,
        };
        let day = a.day().unwrap_or_else(|| r.meta.updated_at.date_naive());
        if day < first || day > last {
            continue;
        }
        if let Some(owner) = a.owner_id {
            *done.entry((owner, is_visit)).or_default() += 1;
        }
    }
    let mut data = Vec::with_capacity(targets.len());
    for t in targets {
        let name = users_store::by_id(&mut conn, t.user_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        data.push(Attainment {
            user_id: t.user_id,
            user_name: name,
            visits: Progress::new(t.visits, done.get(&(t.user_id, true)).copied().unwrap_or(0)),
            calls: Progress::new(t.calls, done.get(&(t.user_id, false)).copied().unwrap_or(0)),
        });
    }
    data.sort_by(|a, b| a.user_name.cmp(&b.user_name));
    Ok(AttainmentReport {
        period: month.to_string(),
        data,
    })
}
