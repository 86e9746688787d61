//! Saved views: a user's named search, filters, sort and columns on the accounts,
//! contacts, leads and activities lists. A view belongs to its owner; one marked `shared` is open to
//! everyone who may read the kind, and only its owner changes or deletes it.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::roles::{Action, Module};
use cartera_core::users::Scope;
use cartera_core::views::{SavedView, kind_of};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::custom_fields as defs_store;
use cartera_store::views as store;

use crate::{Actor, App, AppError, Result};

/// A new saved view.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    /// `accounts`, `contacts`, `leads` or `activities`.
    pub kind: String,
    /// Unique among the owner's views of the kind.
    pub name: String,
    /// The list's parameters in the API list grammar (`q`, `filter[...]`, `sort`).
    #[serde(default)]
    pub query: String,
    /// Columns in order; absent for the kind's usual ones.
    pub columns: Option<Vec<String>>,
    /// Open to everyone (default false).
    #[serde(default)]
    pub shared: bool,
}

/// A change to a saved view; absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewChange {
    pub name: Option<String>,
    pub query: Option<String>,
    pub columns: Option<Vec<String>>,
    pub shared: Option<bool>,
}

/// Whether the actor may read the kind a view lists.
fn may_read(actor: &Actor, kind: &str) -> bool {
    kind_of(kind).is_some_and(|k| actor.may(Module::of(k), Action::Read))
}

/// The views the actor may open, of one kind (`accounts` ...) or every kind.
pub async fn list(app: &App, actor: &Actor, kind: Option<&str>) -> Result<Vec<SavedView>> {
    if let Some(k) = kind
        && kind_of(k).is_none()
    {
        return Err(AppError::BadQuery(Violations::one(
            "kind",
            Code::Invalid,
            format!("must be one of: {}", cartera_core::views::kind_names()),
        )));
    }
    let mut conn = app.db.reader().await?;
    Ok(store::visible_to(&mut conn, actor.user_id, kind)
        .await?
        .into_iter()
        .filter(|v| may_read(actor, &v.kind))
        .collect())
}

/// A view the actor may open.
pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<SavedView> {
    let mut conn = app.db.reader().await?;
    match store::get(&mut conn, id).await? {
        Some(v) if (v.owner_id == actor.user_id || v.shared) && may_read(actor, &v.kind) => Ok(v),
        _ => Err(AppError::NotFound),
    }
}

async fn check(conn: &mut cartera_store::Conn, v: &SavedView) -> Result<()> {
    let mut c = Check::new();
    let defs = match kind_of(&v.kind) {
        Some(k) if v.query.contains("filter[custom.") => defs_store::list(conn, Some(k)).await?,
        _ => Vec::new(),
    };
    v.validate(&defs, &mut c);
    if kind_of(&v.kind).is_some() {
        let lower = v.name.to_lowercase();
        let taken = store::owned_by(conn, v.owner_id, &v.kind)
            .await?
            .iter()
            .any(|o| o.id != v.id && o.name.to_lowercase() == lower);
        if taken {
            c.add(
                "name",
                Code::Duplicate,
                "you already have a view of this list with this name",
            );
        }
    }
    c.finish()?;
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, input: NewView) -> Result<SavedView> {
    actor.require(Scope::Write)?;
    if let Some(k) = kind_of(&input.kind) {
        actor.permit(Module::of(k), Action::Read)?;
    }
    let now = app.now();
    let mut v = SavedView {
        id: Id::new(),
        owner_id: actor.user_id,
        columns: input.columns.unwrap_or_else(|| {
            kind_of(&input.kind)
                .map(|k| {
                    cartera_core::views::default_columns(k)
                        .iter()
                        .map(|c| (*c).to_owned())
                        .collect()
                })
                .unwrap_or_default()
        }),
        kind: input.kind,
        name: input.name,
        query: input.query,
        shared: input.shared,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    v.normalize();
    let mut conn = app.db.begin().await?;
    check(&mut conn, &v).await?;
    store::insert(&mut conn, &v).await?;
    conn.commit().await?;
    Ok(v)
}

/// The actor's own view, for a change.
async fn own(conn: &mut cartera_store::Conn, actor: &Actor, id: Id) -> Result<SavedView> {
    match store::get(conn, id).await? {
        Some(v) if v.owner_id == actor.user_id => Ok(v),
        Some(v) if v.shared && may_read(actor, &v.kind) => Err(AppError::Forbidden(
            "only the person who saved a view changes it".into(),
        )),
        _ => Err(AppError::NotFound),
    }
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: ViewChange,
    if_match: Option<i64>,
) -> Result<SavedView> {
    actor.require(Scope::Write)?;
    let mut conn = app.db.begin().await?;
    let old = own(&mut conn, actor, id).await?;
    crate::check_version(if_match, old.version)?;
    let mut v = old.clone();
    if let Some(n) = change.name {
        v.name = n;
    }
    if let Some(q) = change.query {
        v.query = q;
    }
    if let Some(c) = change.columns {
        v.columns = c;
    }
    if let Some(s) = change.shared {
        v.shared = s;
    }
    v.normalize();
    check(&mut conn, &v).await?;
    if v == old {
        return Ok(old);
    }
    v.version += 1;
    v.updated_at = app.now();
    if !store::update(&mut conn, &v, old.version).await? {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Conflict,
            "the view changed while this request ran; read it again",
        )));
    }
    conn.commit().await?;
    Ok(v)
}

/// Deletes one of the actor's views and answers it (a client can save it again to undo).
pub async fn delete(app: &App, actor: &Actor, id: Id) -> Result<SavedView> {
    actor.require(Scope::Write)?;
    let mut conn = app.db.begin().await?;
    let v = own(&mut conn, actor, id).await?;
    store::delete(&mut conn, id).await?;
    conn.commit().await?;
    Ok(v)
}
