//! Visit and call targets per rep and month, and their attainment counted from the done
//! activities. Anyone who reads activities reads targets; setting them takes the admin
//! right on activities (`activities: admin`, which administrators have and an admin can
//! give the sales managers' role). A manager who is not an admin sets them for her
//! teams only: the members of the teams she leads (and of teams without a lead that she
//! belongs to); an admin (the settings' admin right) sets anyone's.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use cartera_core::activities::{ActivityData, ActivityKind, ActivityStatus};
use cartera_core::agenda::{ActivityTarget, Month, Progress, validate_target};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::activities::{self as activities_store, Link};
use cartera_store::{Conn, StoreError, agenda as store, users as users_store};

use crate::events;
use crate::versioned::{self, Conflict, Removable, Versioned};
use crate::{Actor, App, AppError, Result};

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

/// Why a manager may not set a target for someone: said to API clients as is, and
/// recognised by the page to say it in the reader's language.
pub const OUTSIDE_TEAM: &str =
    "you set targets only for the members of the teams you lead; this user is in none of them";

/// Whom the actor may set targets for: `None` for everyone (an admin), else the members
/// of the teams she leads, and of the teams without a lead she belongs to.
async fn settable_in(conn: &mut Conn, actor: &Actor) -> Result<Option<BTreeSet<Id>>> {
    if actor.may(Module::Settings, Action::Admin) {
        return Ok(None);
    }
    let me = actor.user_id;
    let teams = cartera_store::teams::list(conn).await?;
    Ok(Some(
        teams
            .into_iter()
            .filter(|t| match t.manager_id {
                Some(lead) => lead == me,
                None => t.member_ids.contains(&me),
            })
            .flat_map(|t| t.member_ids)
            .collect(),
    ))
}

/// Whom the actor may set targets for (`None`: everyone), for the page's person picker.
pub async fn settable(app: &App, actor: &Actor) -> Result<Option<BTreeSet<Id>>> {
    actor.permit(Module::Activities, Action::Admin)?;
    let mut conn = app.db.reader().await?;
    settable_in(&mut conn, actor).await
}

/// Refuses a target for someone outside the actor's teams (403).
async fn may_set_for(app: &App, actor: &Actor, user: Id) -> Result<()> {
    match settable(app, actor).await? {
        Some(ids) if !ids.contains(&user) => Err(AppError::Forbidden(OUTSIDE_TEAM.into())),
        _ => Ok(()),
    }
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

fn change(field: &str, old: impl ToString, new: impl ToString) -> FieldChange {
    events::change(field, old.to_string(), new.to_string())
}

/// Targets are settings of the activities module: its admins write them.
impl Versioned for ActivityTarget {
    const KIND: RecordKind = RecordKind::Setting;
    const MODULE: Module = Module::Activities;
    const CONFLICT: Conflict = Conflict::Stale;
    /// Said as text: see `changes`.
    const FIELDS: &'static [&'static str] = &[];
    versioned::stamped!();
    versioned::stored!(load: store::target);

    /// The rep must exist (a target's rep and month do not change afterwards).
    async fn validate(
        conn: &mut Conn,
        old: Option<&Self>,
        t: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        if old.is_none() && users_store::by_id(conn, t.user_id).await?.is_none() {
            c.add("user_id", Code::NotFound, "there is no user with this id");
        }
        Ok(())
    }

    /// One target per rep and month: another one is a conflict (409).
    async fn insert(conn: &mut Conn, t: &Self, _now: DateTime<Utc>) -> Result<()> {
        store::insert_target(conn, t).await.map_err(|e| match e {
            StoreError::Unique(_) => AppError::Conflict(format!(
                "this user already has a target for {}; change that one",
                t.period
            )),
            e => e.into(),
        })
    }

    async fn update(conn: &mut Conn, t: &Self, expected: i64, _now: DateTime<Utc>) -> Result<bool> {
        match store::update_target(conn, t, expected).await {
            Ok(()) => Ok(true),
            Err(StoreError::Stale) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Every value as text: on creation the rep, month, visits and calls (from ""), on a
    /// change the visits and calls that changed.
    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        let Some(old) = old else {
            return vec![
                change("user_id", "", new.user_id),
                change("period", "", &new.period),
                change("visits", "", new.visits),
                change("calls", "", new.calls),
            ];
        };
        let mut changes = Vec::new();
        if new.visits != old.visits {
            changes.push(change("visits", old.visits, new.visits));
        }
        if new.calls != old.calls {
            changes.push(change("calls", old.calls, new.calls));
        }
        changes
    }
}

impl Removable for ActivityTarget {
    async fn remove(conn: &mut Conn, t: &Self, _now: DateTime<Utc>) -> Result<Self> {
        if !store::delete_target(conn, t.id).await? {
            return Err(AppError::NotFound);
        }
        Ok(t.clone())
    }
}

pub async fn create(app: &App, actor: &Actor, body: Value) -> Result<ActivityTarget> {
    actor.permit(Module::Activities, Action::Admin)?;
    let i = input(body)?;
    if let Some(user) = i.user_id {
        may_set_for(app, actor, user).await?;
    }
    versioned::create(app, actor, |now, c| {
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
        validate_target(visits, calls, c);
        let Some(user_id) = i.user_id else {
            // Without a rep there is nobody to look for: what is wrong is all said.
            return Err(std::mem::replace(c, Check::new()).violations().into());
        };
        Ok(ActivityTarget {
            id: Id::new(),
            user_id,
            period: month.map(|m| m.to_string()).unwrap_or_default(),
            visits,
            calls,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    })
    .await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<ActivityTarget> {
    versioned::get(app, actor, id).await
}

pub async fn list(
    app: &App,
    actor: &Actor,
    period: Option<Month>,
    user: Option<Id>,
) -> Result<Vec<ActivityTarget>> {
    let p = period.map(|m| m.to_string());
    versioned::list(app, actor, async |conn| {
        store::targets(conn, p.as_deref(), user).await
    })
    .await
}

/// Changes a target's `visits` and `calls` (its user and month stay).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    body: Value,
    if_match: Option<i64>,
) -> Result<ActivityTarget> {
    // What was sent is read before the target is looked for.
    actor.permit(Module::Activities, Action::Admin)?;
    let i = input(body)?;
    // A target's rep never changes, so the one read now is the one written.
    let current: ActivityTarget = versioned::get(app, actor, id).await?;
    may_set_for(app, actor, current.user_id).await?;
    versioned::update(app, actor, id, if_match, |t: &mut ActivityTarget, c| {
        if i.user_id.is_some_and(|u| u != t.user_id) {
            c.add("user_id", Code::Invalid, "a target's user does not change");
        }
        if i.period.as_deref().is_some_and(|p| p != t.period) {
            c.add("period", Code::Invalid, "a target's month does not change");
        }
        versioned::given!(i => t: visits, calls);
        validate_target(t.visits, t.calls, c);
        Ok(())
    })
    .await
}

pub async fn delete(app: &App, actor: &Actor, id: Id) -> Result<()> {
    actor.permit(Module::Activities, Action::Admin)?;
    let current: ActivityTarget = versioned::get(app, actor, id).await?;
    may_set_for(app, actor, current.user_id).await?;
    versioned::delete::<ActivityTarget>(app, actor, id).await?;
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
