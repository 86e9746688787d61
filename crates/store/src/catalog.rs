//! The catalogue: products and services, price lists and their items.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::catalog::{PriceItem, PriceList, Product, ProductKind, sku_key};
use cartera_core::money::Money;

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

/// A page of products by SKU, after the SKU key `after` (exclusive).
pub async fn list_after(c: &mut Conn, after: Option<&str>, limit: i64) -> Result<Vec<Product>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM products"));
    if let Some(k) = after {
        sql.push(" WHERE sku_key > ");
        sql.push_arg(k);
    }
    sql.push(" ORDER BY sku_key LIMIT ");
    sql.push_arg(limit);
    c.fetch_all(sql).await?.iter().map(read).collect()
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Product>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM products WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// The products among `ids` (absent ones are left out).
pub async fn by_ids(c: &mut Conn, ids: &[Id]) -> Result<Vec<Product>> {
    // PostgreSQL refuses an empty `IN ()`.
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM products WHERE id IN ("));
    sql.push_args(ids);
    sql.push(")");
    c.fetch_all(sql).await?.iter().map(read).collect()
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

/// Which of `ids` are products.
pub async fn existing(c: &mut Conn, ids: &[Id]) -> Result<HashSet<Id>> {
    // PostgreSQL refuses an empty `IN ()`.
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut sql = Sql::new("SELECT id FROM products WHERE id IN (");
    sql.push_args(ids);
    sql.push(")");
    c.fetch_all(sql).await?.iter().map(|r| r.id("id")).collect()
}

const LIST_COLUMNS: &str =
    "id, name, currency, valid_from, valid_to, account_id, version, created_at, updated_at";

fn read_list(r: &DbRow) -> Result<PriceList> {
    let cur = r.text("currency")?;
    Ok(PriceList {
        id: r.id("id")?,
        name: r.text("name")?,
        currency: cur
            .parse()
            .map_err(|_| StoreError::Decode(format!("price list currency: '{cur}'")))?,
        valid_from: r.opt_date("valid_from")?,
        valid_to: r.opt_date("valid_to")?,
        account_id: r.opt_id("account_id")?,
        items: Vec::new(),
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Fills in the items of `lists`, in the order they were given.
async fn with_items(c: &mut Conn, mut lists: Vec<PriceList>) -> Result<Vec<PriceList>> {
    if lists.is_empty() {
        return Ok(lists);
    }
    let ids: Vec<Id> = lists.iter().map(|l| l.id).collect();
    let mut sql = Sql::new(
        "SELECT price_list_id, product_id, unit_price FROM price_list_items \
         WHERE price_list_id IN (",
    );
    sql.push_args(ids);
    sql.push(") ORDER BY price_list_id, position");
    let mut items: BTreeMap<Id, Vec<(Id, i64)>> = BTreeMap::new();
    for r in c.fetch_all(sql).await? {
        items
            .entry(r.id("price_list_id")?)
            .or_default()
            .push((r.id("product_id")?, r.int("unit_price")?));
    }
    for l in &mut lists {
        l.items = items
            .remove(&l.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(product_id, scaled)| PriceItem {
                product_id,
                price: Money::from_scaled(scaled, l.currency),
            })
            .collect();
    }
    Ok(lists)
}

/// Every price list with its items, by name.
pub async fn price_lists(c: &mut Conn) -> Result<Vec<PriceList>> {
    let lists = c
        .fetch_all(Sql::new(format!(
            "SELECT {LIST_COLUMNS} FROM price_lists ORDER BY name, id"
        )))
        .await?
        .iter()
        .map(read_list)
        .collect::<Result<Vec<_>>>()?;
    with_items(c, lists).await
}

pub async fn price_list(c: &mut Conn, id: Id) -> Result<Option<PriceList>> {
    let Some(row) = c
        .fetch_optional(
            Sql::new(format!(
                "SELECT {LIST_COLUMNS} FROM price_lists WHERE id = $1"
            ))
            .arg(id),
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(with_items(c, vec![read_list(&row)?]).await?.pop())
}

async fn set_items(c: &mut Conn, l: &PriceList) -> Result<()> {
    c.execute(Sql::new("DELETE FROM price_list_items WHERE price_list_id = $1").arg(l.id))
        .await?;
    for (i, item) in l.items.iter().enumerate() {
        let scaled = item
            .price
            .scaled()
            .map_err(|e| StoreError::Decode(format!("price: {e}")))?;
        c.execute(
            Sql::new(
                "INSERT INTO price_list_items (price_list_id, product_id, unit_price, position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .arg(l.id)
            .arg(item.product_id)
            .arg(scaled)
            .arg(i64::try_from(i).unwrap_or(i64::MAX)),
        )
        .await?;
    }
    Ok(())
}

pub async fn insert_price_list(c: &mut Conn, l: &PriceList) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO price_lists (id, name, currency, valid_from, valid_to, account_id, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .arg(l.id)
        .arg(&l.name)
        .arg(l.currency.as_str())
        .arg(l.valid_from)
        .arg(l.valid_to)
        .arg(l.account_id)
        .arg(l.version)
        .arg(l.created_at)
        .arg(l.updated_at),
    )
    .await?;
    set_items(c, l).await
}

/// Writes a changed list if it is still at `expected_version`; false if it moved on.
pub async fn update_price_list(c: &mut Conn, l: &PriceList, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE price_lists SET name = $1, currency = $2, valid_from = $3, \
                 valid_to = $4, account_id = $5, version = $6, updated_at = $7 \
                 WHERE id = $8 AND version = $9",
            )
            .arg(&l.name)
            .arg(l.currency.as_str())
            .arg(l.valid_from)
            .arg(l.valid_to)
            .arg(l.account_id)
            .arg(l.version)
            .arg(l.updated_at)
            .arg(l.id)
            .arg(expected_version),
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    set_items(c, l).await?;
    Ok(true)
}
