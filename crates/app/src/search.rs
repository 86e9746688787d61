//! One search box over every kind of record (the command palette).

use serde::Serialize;

use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};

use crate::records::registered;
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub kind: RecordKind,
    pub id: Id,
    pub title: String,
    pub subtitle: Option<String>,
}

/// Up to `per_kind` matches of each kind the search box shows (the kinds table says which:
/// accounts, then contacts, leads and activities), in the table's order.
pub async fn search(app: &App, actor: &Actor, q: &str, per_kind: usize) -> Result<Vec<Hit>> {
    // Each kind is searched only where the role may read it.
    if q.trim().is_empty() {
        return Err(AppError::BadQuery(Violations::one(
            "q",
            Code::Required,
            "type something to search for",
        )));
    }
    let mut out = Vec::new();
    for kind in RecordKind::all_where(|f| f.searchable) {
        let Some(entry) = registered(kind) else {
            continue;
        };
        if !actor.may(Module::of(kind), Action::Read) {
            continue;
        }
        for found in entry.search(app, actor, q, per_kind).await? {
            out.push(Hit {
                kind,
                id: found.id,
                title: found.title,
                subtitle: found.subtitle,
            });
        }
    }
    Ok(out)
}

/// Up to `limit` records of one kind that match `q`, for a form's record picker (a
/// type-ahead that must scale to hundreds of thousands of accounts, so it never lists
/// them all). Nothing when the role does not read that kind.
pub async fn pick(
    app: &App,
    actor: &Actor,
    kind: RecordKind,
    q: &str,
    limit: usize,
) -> Result<Vec<Hit>> {
    let Some(entry) = registered(kind) else {
        return Err(AppError::NotFound);
    };
    if q.trim().is_empty() || !actor.may(Module::of(kind), Action::Read) {
        return Ok(Vec::new());
    }
    Ok(entry
        .search(app, actor, q, limit)
        .await?
        .into_iter()
        .map(|found| Hit {
            kind,
            id: found.id,
            title: found.title,
            subtitle: found.subtitle,
        })
        .collect())
}
