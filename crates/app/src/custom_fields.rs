//! Defining custom fields (admins) and reading their definitions (everyone).

use serde_json::Value;

use cartera_core::audit::AuditAction;
use cartera_core::custom_fields::{CustomField, CustomFieldData, MAX_FIELDS_PER_KIND};
use cartera_core::record::{Meta, RecordKind, deserialize, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::StoreError;
use cartera_store::custom_fields as store;

use crate::records::event;
use crate::{Actor, App, AppError, Result};

fn key_taken(kind: RecordKind, key: &str) -> AppError {
    AppError::Invalid(Violations::one(
        "key",
        Code::Duplicate,
        format!("{} already has a field '{key}'", kind.plural()),
    ))
}

pub async fn list(app: &App, actor: &Actor, kind: Option<RecordKind>) -> Result<Vec<CustomField>> {
    actor.permit(Module::CustomFields, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn, kind).await?)
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<CustomField> {
    actor.permit(Module::CustomFields, Action::Read)?;
    let mut conn = app.db.reader().await?;
    match store::get(&mut conn, id).await? {
        Some(f) if f.meta.deleted_at.is_none() => Ok(f),
        _ => Err(AppError::NotFound),
    }
}

pub async fn create(app: &App, actor: &Actor, body: Value) -> Result<CustomField> {
    actor.permit(Module::CustomFields, Action::Admin)?;
    let now = app.now();
    let mut data: CustomFieldData = deserialize(body)?;
    data.normalize();
    let mut c = Check::new();
    data.validate(&mut c);
    c.finish()?;
    let mut conn = app.db.begin().await?;
    let existing = store::list(&mut conn, Some(data.record_kind)).await?;
    if existing.iter().any(|f| f.data.key == data.key) {
        return Err(key_taken(data.record_kind, &data.key));
    }
    if existing.len() >= MAX_FIELDS_PER_KIND {
        return Err(AppError::Invalid(Violations::one(
            "record_kind",
            Code::TooMany,
            format!("at most {MAX_FIELDS_PER_KIND} custom fields per kind"),
        )));
    }
    let field = CustomField {
        id: Id::new(),
        data,
        meta: Meta::new(now, Some(actor.user_id)),
    };
    store::insert(&mut conn, &field)
        .await
        .map_err(|e| match e {
            StoreError::Unique(_) => key_taken(field.data.record_kind, &field.data.key),
            e => e.into(),
        })?;
    cartera_store::audit::insert(
        &mut conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Created,
            RecordKind::CustomField,
            field.id,
            diff(None, Some(&field.data)),
        )],
    )
    .await?;
    conn.commit().await?;
    Ok(field)
}

/// Changes a definition's label, options, requiredness, description or position. Its
/// kind, key and type are fixed: stored values depend on them.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    patch: Value,
    if_match: Option<i64>,
) -> Result<CustomField> {
    actor.permit(Module::CustomFields, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = match store::get(&mut conn, id).await? {
        Some(f) if f.meta.deleted_at.is_none() => f,
        _ => return Err(AppError::NotFound),
    };
    if let Some(v) = if_match
        && v != old.meta.version
    {
        return Err(AppError::Stale {
            expected: v,
            current: old.meta.version,
        });
    }
    let Value::Object(mut p) = patch else {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Invalid,
            "the body must be a JSON object",
        )));
    };
    for meta in [
        "id",
        "created_at",
        "updated_at",
        "created_by",
        "version",
        "deleted_at",
    ] {
        p.remove(meta);
    }
    let mut merged = serde_json::to_value(&old.data).unwrap_or(Value::Null);
    json_patch::merge(&mut merged, &Value::Object(p));
    let mut data: CustomFieldData = deserialize(merged)?;
    data.normalize();
    let mut c = Check::new();
    if data.record_kind != old.data.record_kind {
        c.add(
            "record_kind",
            Code::ReadOnly,
            "cannot change; define a new field instead",
        );
    }
    if data.key != old.data.key {
        c.add(
            "key",
            Code::ReadOnly,
            "cannot change; define a new field instead",
        );
    }
    if data.field_type != old.data.field_type {
        c.add(
            "field_type",
            Code::ReadOnly,
            "cannot change; define a new field instead",
        );
    }
    data.validate(&mut c);
    c.finish()?;
    if data == old.data {
        return Ok(old);
    }
    let mut new = old.clone();
    new.data = data;
    new.meta.version += 1;
    new.meta.updated_at = now;
    store::update(&mut conn, &new, old.meta.version).await?;
    cartera_store::audit::insert(
        &mut conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Updated,
            RecordKind::CustomField,
            id,
            diff(Some(&old.data), Some(&new.data)),
        )],
    )
    .await?;
    conn.commit().await?;
    Ok(new)
}

/// Removes a definition; values already stored stay in records, untouched and unchecked,
/// and come back if the field is defined again with the same key.
pub async fn delete(app: &App, actor: &Actor, id: Id) -> Result<CustomField> {
    actor.permit(Module::CustomFields, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = match store::get(&mut conn, id).await? {
        Some(f) if f.meta.deleted_at.is_none() => f,
        _ => return Err(AppError::NotFound),
    };
    let mut new = old.clone();
    new.meta.deleted_at = Some(now);
    new.meta.version += 1;
    new.meta.updated_at = now;
    store::update(&mut conn, &new, old.meta.version).await?;
    cartera_store::audit::insert(
        &mut conn,
        &[event(
            Some(actor),
            now,
            AuditAction::Deleted,
            RecordKind::CustomField,
            id,
            Vec::new(),
        )],
    )
    .await?;
    conn.commit().await?;
    Ok(new)
}
