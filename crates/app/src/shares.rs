//! Sharing an account, contact or lead with a person or a team outside its owner's
//! portfolio. The grantee sees it like their own records; their role still decides what
//! they may do with it.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::audit::AuditAction;
use cartera_core::roles::{Action, Module};
use cartera_core::shares::{Grantee, Share, shared_change};
use cartera_core::{Code, Id, Violations};
use cartera_store::shares as store;

use crate::events;
use crate::records::{Kind, load_visible};
use crate::{Actor, App, AppError, Result};

/// Whom to share a record with: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    pub user_id: Option<Id>,
    pub team_id: Option<Id>,
}

/// The shares of a record the actor sees.
pub async fn list<D: Kind>(app: &App, actor: &Actor, record: Id) -> Result<Vec<Share>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<D>(&mut conn, actor, record).await?;
    Ok(store::of_record(&mut conn, record).await?)
}

/// Shares a record the actor may edit with a user or a team.
pub async fn create<D: Kind>(
    app: &App,
    actor: &Actor,
    record: Id,
    input: NewShare,
) -> Result<Share> {
    actor.permit(Module::of(D::KIND), Action::Edit)?;
    let grantee = match (input.user_id, input.team_id) {
        (Some(u), None) => Grantee::User(u),
        (None, Some(t)) => Grantee::Team(t),
        _ => {
            return Err(AppError::Invalid(Violations::one(
                "user_id",
                Code::Required,
                "name either user_id or team_id, not both",
            )));
        }
    };
    let now = app.now();
    let mut conn = app.db.begin().await?;
    load_visible::<D>(&mut conn, actor, record).await?;
    let exists = match grantee {
        Grantee::User(u) => crate::users::active_ids(&mut conn, &[u])
            .await?
            .contains(&u),
        Grantee::Team(t) => cartera_store::teams::get(&mut conn, t).await?.is_some(),
    };
    if !exists {
        let (field, what) = match grantee {
            Grantee::User(_) => ("user_id", "active user"),
            Grantee::Team(_) => ("team_id", "team"),
        };
        return Err(AppError::Invalid(Violations::one(
            field,
            Code::NotFound,
            format!("there is no {what} with id {}", grantee.id()),
        )));
    }
    let share = Share {
        id: Id::new(),
        record_kind: D::KIND,
        record_id: record,
        grantee,
        created_by: Some(actor.user_id),
        created_at: now,
    };
    if !store::insert(&mut conn, &share).await? {
        return Err(AppError::Conflict(format!(
            "this {} is already shared with that {}",
            D::KIND.as_str(),
            grantee.kind()
        )));
    }
    let ev = actor.at(now).event(
        AuditAction::Shared,
        D::KIND,
        record,
        vec![shared_change(&grantee, true)],
    );
    events::write(&mut conn, ev).await?;
    conn.commit().await?;
    Ok(share)
}

/// Withdraws a share: the grantee stops seeing the record from their next request.
pub async fn delete<D: Kind>(app: &App, actor: &Actor, record: Id, share: Id) -> Result<()> {
    actor.permit(Module::of(D::KIND), Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    load_visible::<D>(&mut conn, actor, record).await?;
    let Some(gone) = store::delete(&mut conn, record, share).await? else {
        return Err(AppError::NotFound);
    };
    let ev = actor.at(now).event(
        AuditAction::Unshared,
        D::KIND,
        record,
        vec![shared_change(&gone.grantee, false)],
    );
    events::write(&mut conn, ev).await?;
    conn.commit().await?;
    Ok(())
}
