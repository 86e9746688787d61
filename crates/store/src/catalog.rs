//! The catalogue: products and services.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::catalog::{Product, ProductKind, sku_key};

use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "id, sku, name, description, kind, unit, category, tax_rate, active, \
                       version, created_at, updated_at";

fn kind_str(k: ProductKind) -> &'static str {
    match k {
        ProductKind::Product => "product",
        ProductKind::Service => "service",
    }
}

fn read(r: &DbRow) -> Result<Product> {
    let kind = match r.text("kind")?.as_str() {
        "service" => ProductKind::Service,
        "product" => ProductKind::Product,
        other => return Err(StoreError::Decode(format!("product kind: '{other}'"))),
    };
    let rate = r.text("tax_rate")?;
    Ok(Product {
        id: r.id("id")?,
        sku: r.text("sku")?,
        name: r.text("name")?,
        description: r.opt_text("description")?,
        kind,
        unit: r.text("unit")?,
        category: r.opt_text("category")?,
        tax_rate: rate
            .parse()
            .map_err(|_| StoreError::Decode(format!("product tax rate: '{rate}'")))?,
        active: r.bool("active")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Every product, active or not, by SKU.
pub async fn list(c: &mut Conn) -> Result<Vec<Product>> {
    c.fetch_all(Sql::new(format!(
        "SELECT {COLUMNS} FROM products ORDER BY sku_key"
    )))
    .await?
    .iter()
    .map(read)
    .collect()
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Product>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM products WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// Whether another product has this SKU (case and surrounding spaces aside).
pub async fn sku_taken(c: &mut Conn, sku: &str, except: Option<Id>) -> Result<bool> {
    let mut sql = Sql::new("SELECT id FROM products WHERE sku_key = $1").arg(sku_key(sku));
    if let Some(id) = except {
        sql = Sql::new("SELECT id FROM products WHERE sku_key = $1 AND id <> $2")
            .arg(sku_key(sku))
            .arg(id);
    }
    Ok(c.fetch_optional(sql).await?.is_some())
}

pub async fn insert(c: &mut Conn, p: &Product, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO products (id, sku, sku_key, name, description, kind, unit, category, \
             tax_rate, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .arg(p.id)
        .arg(&p.sku)
        .arg(sku_key(&p.sku))
        .arg(&p.name)
        .arg(p.description.as_deref())
        .arg(kind_str(p.kind))
        .arg(&p.unit)
        .arg(p.category.as_deref())
        .arg(p.tax_rate.to_string())
        .arg(p.active)
        .arg(p.version)
        .arg(now),
    )
    .await?;
    Ok(())
}

/// Writes a changed product if it is still at `expected_version`; false if it moved on.
pub async fn update(c: &mut Conn, p: &Product, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE products SET sku = $1, sku_key = $2, name = $3, description = $4, \
                 kind = $5, unit = $6, category = $7, tax_rate = $8, active = $9, \
                 version = $10, updated_at = $11 WHERE id = $12 AND version = $13",
            )
            .arg(&p.sku)
            .arg(sku_key(&p.sku))
            .arg(&p.name)
            .arg(p.description.as_deref())
            .arg(kind_str(p.kind))
            .arg(&p.unit)
            .arg(p.category.as_deref())
            .arg(p.tax_rate.to_string())
            .arg(p.active)
            .arg(p.version)
            .arg(p.updated_at)
            .arg(p.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}
