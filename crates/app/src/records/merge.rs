//! Merging duplicates into one record.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::audit::AuditAction;
use cartera_core::record::{Record, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::records as store;

use crate::events::event;
use crate::{Actor, App, AppError, Result};

use super::batch::today;
use super::kind::Kind;
use super::visibility::load_visible;

/// Kinds whose duplicates can be merged.
pub trait Merge: Kind {
    /// Folds the data of `gone` (id `source`) into `self`; `self`'s own values win.
    fn absorb(&mut self, gone: &Self, source: Id);

    /// Re-points the records that refer to `from` at `to`, with their audit events.
    fn relink<'a>(
        conn: &'a mut Conn,
        actor: &'a Actor,
        now: DateTime<Utc>,
        from: Id,
        to: Id,
    ) -> impl Future<Output = Result<()>> + Send + 'a;
}

/// Folds `source` into `survivor`: the survivor absorbs the source's data, notes move
/// over, links are re-pointed, the source goes to the trash marked as merged.
pub async fn merge<D: Merge>(
    app: &App,
    actor: &Actor,
    survivor: Id,
    source: Id,
) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Edit)?;
    actor.permit(Module::of(D::KIND), Action::Delete)?;
    if survivor == source {
        return Err(AppError::Invalid(Violations::one(
            "source_id",
            Code::Invalid,
            "a record cannot be merged into itself",
        )));
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let keep = load_visible::<D>(&mut conn, actor, survivor).await?;
    let gone = match load_visible::<D>(&mut conn, actor, source).await {
        Err(AppError::NotFound) => {
            return Err(AppError::Invalid(Violations::one(
                "source_id",
                Code::NotFound,
                format!("there is no {} with id {source}", D::KIND.as_str()),
            )));
        }
        other => other?,
    };
    let mut merged = keep.clone();
    merged.data.absorb(&gone.data, source);
    let mut c = Check::new();
    merged.data.validate(today(now), &mut c);
    c.finish()?;
    merged.meta.version += 1;
    merged.meta.updated_at = now;

    // The source leaves first, so that its keys no longer count as duplicates.
    let mut trashed = gone.clone();
    trashed.meta.deleted_at = Some(now);
    trashed.meta.merged_into_id = Some(survivor);
    trashed.meta.updated_at = now;
    trashed.meta.version += 1;
    store::update(&mut conn, &gone, &trashed).await?;
    store::update(&mut conn, &keep, &merged).await?;
    cartera_store::notes::repoint(&mut conn, source, survivor, D::KIND).await?;
    cartera_store::shares::repoint(&mut conn, source, survivor).await?;
    D::relink(&mut conn, actor, now, source, survivor).await?;
    let mut changes = diff(Some(&keep.data), Some(&merged.data));
    changes.push(cartera_core::record::FieldChange {
        field: "merged_from".into(),
        old: Value::Null,
        new: Value::String(source.to_string()),
    });
    cartera_store::audit::insert(
        &mut conn,
        &[
            event(
                Some(actor),
                now,
                AuditAction::Merged,
                D::KIND,
                survivor,
                changes,
            ),
            event(
                Some(actor),
                now,
                AuditAction::MergedInto,
                D::KIND,
                source,
                vec![cartera_core::record::FieldChange {
                    field: "merged_into_id".into(),
                    old: Value::Null,
                    new: Value::String(survivor.to_string()),
                }],
            ),
        ],
    )
    .await?;
    conn.commit().await?;
    Ok(merged)
}
