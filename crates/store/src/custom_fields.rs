//! Custom field definitions.

use cartera_core::Id;
use cartera_core::custom_fields::{CustomField, CustomFieldData, FieldType};
use cartera_core::record::{Meta, RecordKind};

use crate::db::{Arg, Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "id, record_kind, key, label, field_type, options, required, description, position, \
     created_at, updated_at, created_by, version, deleted_at";

fn read(row: &DbRow) -> Result<CustomField> {
    let kind = row.text("record_kind")?;
    let ty = row.text("field_type")?;
    Ok(CustomField {
        id: row.id("id")?,
        data: CustomFieldData {
            record_kind: RecordKind::parse(&kind)
                .ok_or_else(|| StoreError::Decode(format!("record_kind: '{kind}'")))?,
            key: row.text("key")?,
            label: row.text("label")?,
            field_type: FieldType::parse(&ty)
                .ok_or_else(|| StoreError::Decode(format!("field_type: '{ty}'")))?,
            options: row.json("options")?,
            required: row.bool("required")?,
            description: row.opt_text("description")?,
            position: i32::try_from(row.int("position")?).unwrap_or(0),
        },
        meta: Meta {
            created_at: row.time("created_at")?,
            updated_at: row.time("updated_at")?,
            created_by: row.opt_id("created_by")?,
            version: row.int("version")?,
            deleted_at: row.opt_time("deleted_at")?,
            merged_into_id: None,
        },
    })
}

pub async fn insert(c: &mut Conn, f: &CustomField) -> Result<()> {
    let d = &f.data;
    c.execute(
        Sql::new(format!(
            "INSERT INTO custom_fields ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .arg(f.id)
        .arg(d.record_kind.as_str())
        .arg(&d.key)
        .arg(&d.label)
        .arg(d.field_type.as_str())
        .arg(Arg::json(&d.options))
        .arg(d.required)
        .arg(&d.description)
        .arg(i64::from(d.position))
        .arg(f.meta.created_at)
        .arg(f.meta.updated_at)
        .arg(f.meta.created_by)
        .arg(f.meta.version)
        .arg(f.meta.deleted_at),
    )
    .await?;
    Ok(())
}

pub async fn update(c: &mut Conn, f: &CustomField, expected_version: i64) -> Result<()> {
    let d = &f.data;
    let n = c
        .execute(
            Sql::new(
                "UPDATE custom_fields SET label = $1, options = $2, required = $3, description = $4, \
                 position = $5, updated_at = $6, version = $7, deleted_at = $8 WHERE id = $9 AND version = $10",
            )
            .arg(&d.label)
            .arg(Arg::json(&d.options))
            .arg(d.required)
            .arg(&d.description)
            .arg(i64::from(d.position))
            .arg(f.meta.updated_at)
            .arg(f.meta.version)
            .arg(f.meta.deleted_at)
            .arg(f.id)
            .arg(expected_version),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<CustomField>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM custom_fields WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// Live definitions, of one kind or all, in form order.
pub async fn list(c: &mut Conn, kind: Option<RecordKind>) -> Result<Vec<CustomField>> {
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM custom_fields WHERE deleted_at IS NULL"
    ));
    if let Some(k) = kind {
        sql.push(" AND record_kind = ");
        sql.push_arg(k.as_str());
    }
    sql.push(" ORDER BY record_kind, position, key");
    c.fetch_all(sql).await?.iter().map(read).collect()
}
