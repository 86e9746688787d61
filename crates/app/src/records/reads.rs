//! Reading records of any kind: one, or a page of a list.

use cartera_core::Id;
use cartera_core::query::{ListQuery, encode_cursor, parse_list};
use cartera_core::record::Record;
use cartera_core::roles::{Action, Module};
use cartera_store::custom_fields as defs_store;
use cartera_store::records as store;

use crate::{Actor, App, AppError, Result};

use super::kind::Kind;
use super::visibility::load_visible;

/// What a list returns: a page and the cursor of the next.
pub struct Listed<D> {
    pub rows: Vec<Record<D>>,
    pub next_cursor: Option<String>,
}

pub async fn get<D: Kind>(app: &App, actor: &Actor, id: Id) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<D>(&mut conn, actor, id).await
}

pub async fn list<D: Kind>(
    app: &App,
    actor: &Actor,
    params: &[(String, String)],
) -> Result<Listed<D>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    // Custom field definitions matter only to filters that name one.
    let defs = if params.iter().any(|(k, _)| k.starts_with("filter[custom.")) {
        defs_store::list(&mut conn, Some(D::KIND)).await?
    } else {
        Vec::new()
    };
    let mut q: ListQuery =
        parse_list(D::KIND.plural(), params, D::fields(), &defs).map_err(AppError::BadQuery)?;
    q.view = actor.view.clone();
    let page = store::list::<D>(&mut conn, &q).await?;
    Ok(Listed {
        next_cursor: page.next.map(|(keys, seq)| encode_cursor(&q, &keys, seq)),
        rows: page.rows,
    })
}
