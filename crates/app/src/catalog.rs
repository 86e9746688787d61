//! The catalogue: products and services that quotes and orders sell.

use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::audit::AuditAction;
use cartera_core::catalog::{Product, ProductKind};
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::totals::TaxRate;
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::catalog as store;

use crate::records::{changed_fields, event};
use crate::{Actor, App, AppError, Result};

/// What the audit trail records of a product.
const FIELDS: &[&str] = &[
    "sku",
    "name",
    "description",
    "kind",
    "unit",
    "category",
    "tax_rate",
    "active",
];

/// A new product or service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    /// Unique, case aside; no spaces.
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    /// `product` (default) or `service`.
    pub kind: Option<ProductKind>,
    /// What one unit is (`unit`, `kg`, `hour`); default `unit`.
    pub unit: Option<String>,
    pub category: Option<String>,
    /// `exempt` or a percentage such as `21` or `10.5`.
    #[schema(value_type = String, example = "21")]
    pub tax_rate: TaxRate,
    /// Default true.
    pub active: Option<bool>,
}

/// A change to a product; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductChange {
    pub sku: Option<String>,
    pub name: Option<String>,
    /// An empty text clears it.
    pub description: Option<String>,
    pub kind: Option<ProductKind>,
    pub unit: Option<String>,
    /// An empty text clears it.
    pub category: Option<String>,
    #[schema(value_type = Option<String>, example = "10.5")]
    pub tax_rate: Option<TaxRate>,
    pub active: Option<bool>,
}

/// Every product by SKU, inactive ones included (marked `active: false`).
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Product>> {
    actor.permit(Module::Catalog, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(store::list(&mut conn).await?)
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Product> {
    actor.permit(Module::Catalog, Action::Read)?;
    let mut conn = app.db.reader().await?;
    store::get(&mut conn, id).await?.ok_or(AppError::NotFound)
}

async fn check(conn: &mut cartera_store::Conn, p: &Product) -> Result<()> {
    let mut c = Check::new();
    p.validate(&mut c);
    if c.is_ok() && store::sku_taken(conn, &p.sku, Some(p.id)).await? {
        c.add("sku", Code::Duplicate, "another product has this SKU");
    }
    c.finish()?;
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, input: NewProduct) -> Result<Product> {
    actor.permit(Module::Catalog, Action::Create)?;
    let now = app.now();
    let mut p = Product {
        id: Id::new(),
        sku: input.sku,
        name: input.name,
        description: input.description,
        kind: input.kind.unwrap_or_default(),
        unit: input.unit.unwrap_or_else(|| "unit".to_owned()),
        category: input.category,
        tax_rate: input.tax_rate,
        active: input.active.unwrap_or(true),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    p.normalize();
    let mut conn = app.db.begin().await?;
    check(&mut conn, &p).await?;
    store::insert(&mut conn, &p, now).await?;
    let ev = event(
        Some(actor),
        now,
        AuditAction::Created,
        RecordKind::Product,
        p.id,
        changed_fields(None, &p, FIELDS),
    );
    cartera_store::audit::insert(&mut conn, &[ev]).await?;
    conn.commit().await?;
    Ok(p)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: ProductChange,
    if_match: Option<i64>,
) -> Result<Product> {
    actor.permit(Module::Catalog, Action::Edit)?;
    let mut conn = app.db.begin().await?;
    let old = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    crate::check_version(if_match, old.version)?;
    let mut p = old.clone();
    if let Some(v) = change.sku {
        p.sku = v;
    }
    if let Some(v) = change.name {
        p.name = v;
    }
    if let Some(v) = change.description {
        p.description = Some(v);
    }
    if let Some(v) = change.kind {
        p.kind = v;
    }
    if let Some(v) = change.unit {
        p.unit = v;
    }
    if let Some(v) = change.category {
        p.category = Some(v);
    }
    if let Some(v) = change.tax_rate {
        p.tax_rate = v;
    }
    if let Some(v) = change.active {
        p.active = v;
    }
    p.normalize();
    check(&mut conn, &p).await?;
    if p == old {
        return Ok(old);
    }
    p.version += 1;
    p.updated_at = app.now();
    if !store::update(&mut conn, &p, old.version).await? {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Conflict,
            "the product changed while this request ran; read it again",
        )));
    }
    let ev = event(
        Some(actor),
        p.updated_at,
        AuditAction::Updated,
        RecordKind::Product,
        p.id,
        changed_fields(Some(&old), &p, FIELDS),
    );
    cartera_store::audit::insert(&mut conn, &[ev]).await?;
    conn.commit().await?;
    Ok(p)
}
