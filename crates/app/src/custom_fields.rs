//! Defining custom fields (admins) and reading their definitions (everyone).

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::custom_fields::{CustomField, MAX_FIELDS_PER_KIND};
use cartera_core::record::{FieldChange, Meta, RecordKind, deserialize, diff};
use cartera_core::roles::Module;
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::custom_fields as store;
use cartera_store::{Conn, StoreError};

use crate::versioned::{self, Conflict, Removable, Versioned};
use crate::{Actor, App, AppError, Result};

fn key_taken(kind: RecordKind, key: &str) -> AppError {
    AppError::Invalid(Violations::one(
        "key",
        Code::Duplicate,
        format!("{} already has a field '{key}'", kind.plural()),
    ))
}

pub async fn list(app: &App, actor: &Actor, kind: Option<RecordKind>) -> Result<Vec<CustomField>> {
    versioned::list(app, actor, async |conn| store::list(conn, kind).await).await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<CustomField> {
    versioned::get(app, actor, id).await
}

impl Versioned for CustomField {
    const KIND: RecordKind = RecordKind::CustomField;
    const MODULE: Module = Module::CustomFields;
    const CONFLICT: Conflict = Conflict::Stale;
    /// Its data's fields, nested ones by their path: see `changes`.
    const FIELDS: &'static [&'static str] = &[];
    versioned::stamped!(meta.version, meta.updated_at);

    fn normalize(&mut self) {
        self.data.normalize();
    }

    /// A deleted definition is gone for writers too.
    async fn load(conn: &mut Conn, id: Id) -> Result<Option<Self>> {
        Ok(store::get(conn, id)
            .await?
            .filter(|f| f.meta.deleted_at.is_none()))
    }

    async fn validate(
        conn: &mut Conn,
        old: Option<&Self>,
        new: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        let data = &new.data;
        let Some(old) = old else {
            data.validate(c);
            if !c.is_ok() {
                return Ok(());
            }
            let existing = store::list(conn, Some(data.record_kind)).await?;
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
            return Ok(());
        };
        // Stored values depend on these three.
        for (field, changed) in [
            ("record_kind", data.record_kind != old.data.record_kind),
            ("key", data.key != old.data.key),
            ("field_type", data.field_type != old.data.field_type),
        ] {
            if changed {
                c.add(
                    field,
                    Code::ReadOnly,
                    "cannot change; define a new field instead",
                );
            }
        }
        data.validate(c);
        Ok(())
    }

    async fn insert(conn: &mut Conn, field: &Self, _now: DateTime<Utc>) -> Result<()> {
        store::insert(conn, field).await.map_err(|e| match e {
            StoreError::Unique(_) => key_taken(field.data.record_kind, &field.data.key),
            e => e.into(),
        })
    }

    async fn update(
        conn: &mut Conn,
        field: &Self,
        expected: i64,
        _now: DateTime<Utc>,
    ) -> Result<bool> {
        store::update(conn, field, expected).await?;
        Ok(true)
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        diff(old.map(|o| &o.data), Some(&new.data))
    }
}

impl Removable for CustomField {
    /// Marks the definition deleted: its values stay in the records.
    async fn remove(conn: &mut Conn, old: &Self, now: DateTime<Utc>) -> Result<Self> {
        let mut new = old.clone();
        new.meta.deleted_at = Some(now);
        new.stamp(old.meta.version + 1, now);
        store::update(conn, &new, old.meta.version).await?;
        Ok(new)
    }
}

pub async fn create(app: &App, actor: &Actor, body: Value) -> Result<CustomField> {
    versioned::create(app, actor, |now, _| {
        Ok(CustomField {
            id: Id::new(),
            data: deserialize(body)?,
            meta: Meta::new(now, Some(actor.user_id)),
        })
    })
    .await
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
    versioned::update(app, actor, id, if_match, |f: &mut CustomField, _| {
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
        versioned::merge(&mut f.data, &Value::Object(p), &[])
    })
    .await
}

/// Removes a definition; values already stored stay in records, untouched and unchecked,
/// and come back if the field is defined again with the same key.
pub async fn delete(app: &App, actor: &Actor, id: Id) -> Result<CustomField> {
    versioned::delete(app, actor, id).await
}
