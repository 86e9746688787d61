//! One search box over every kind of record (the command palette).

use serde::Serialize;

use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};

use crate::records::{Kind, list};
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub kind: RecordKind,
    pub id: Id,
    pub title: String,
    pub subtitle: Option<String>,
}

async fn hits<D: Kind>(
    app: &App,
    actor: &Actor,
    q: &str,
    per_kind: usize,
    out: &mut Vec<Hit>,
) -> Result<()> {
    if !actor.may(Module::of(D::KIND), Action::Read) {
        return Ok(());
    }
    let params = [
        ("q".to_owned(), q.to_owned()),
        ("limit".to_owned(), per_kind.to_string()),
    ];
    for r in list::<D>(app, actor, &params).await?.rows {
        out.push(Hit {
            kind: D::KIND,
            id: r.id,
            title: r.data.title(),
            subtitle: r.data.subtitle(),
        });
    }
    Ok(())
}

/// Up to `per_kind` matches of each kind: accounts, then contacts, leads and activities.
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
    hits::<AccountData>(app, actor, q, per_kind, &mut out).await?;
    hits::<ContactData>(app, actor, q, per_kind, &mut out).await?;
    hits::<LeadData>(app, actor, q, per_kind, &mut out).await?;
    hits::<ActivityData>(app, actor, q, per_kind, &mut out).await?;
    Ok(out)
}
