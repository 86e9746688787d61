//! The catalogue: products and services that quotes and orders sell, and the price
//! lists that price them per currency and period (a list may be one customer's own:
//! it names the account, rather than the account naming the list, so that a customer
//! can have lists in several currencies).

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::catalog::{
    NoPrice, PriceItem, PriceList, Product, ProductCursor, ProductKind, sku_key,
};
use cartera_core::money::{Currency, Money};
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::totals::TaxRate;
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::catalog as store;

use crate::documents::{Page, paging};
use crate::versioned::{self, Conflict, Step, Versioned};
use crate::{Actor, App, AppError, Result};

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
    versioned::list(app, actor, store::list).await
}

/// A page of products by SKU, inactive ones included, from `cursor` (the previous
/// page's `next_cursor`; a damaged one answers 400 on `cursor`). The documents' paging.
pub async fn page(
    app: &App,
    actor: &Actor,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Product>> {
    actor.permit(Module::Catalog, Action::Read)?;
    let after = cursor
        .map(|c| ProductCursor::decode(c).ok_or_else(paging::damaged))
        .transpose()?;
    let limit = limit.clamp(1, 500);
    let mut conn = app.db.reader().await?;
    let rows = store::list_after(
        &mut conn,
        after.as_ref().map(|c| c.sku_key.as_str()),
        limit + 1,
    )
    .await?;
    Ok(paging::cut(rows, limit, |p: &Product| {
        ProductCursor {
            sku_key: sku_key(&p.sku),
        }
        .encode()
    }))
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Product> {
    versioned::get(app, actor, id).await
}

impl Versioned for Product {
    const KIND: RecordKind = RecordKind::Product;
    const MODULE: Module = Module::Catalog;
    const FIELDS: &'static [&'static str] = &[
        "sku",
        "name",
        "description",
        "kind",
        "unit",
        "category",
        "tax_rate",
        "active",
    ];
    const CONFLICT: Conflict =
        Conflict::Violation("the product changed while this request ran; read it again");
    versioned::stamped!();
    versioned::stored!(load: store::get, insert(now): store::insert, update: store::update);

    /// Salespeople who may add to the catalogue need not be admins.
    fn action(step: Step) -> Action {
        catalog_action(step)
    }

    fn normalize(&mut self) {
        Product::normalize(self);
    }

    async fn validate(
        conn: &mut Conn,
        _old: Option<&Self>,
        p: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        p.validate(c);
        if c.is_ok() && store::sku_taken(conn, &p.sku, Some(p.id)).await? {
            c.add("sku", Code::Duplicate, "another product has this SKU");
        }
        Ok(())
    }
}

/// Creating in the catalogue needs `catalog:create`, changing it `catalog:edit`.
fn catalog_action(step: Step) -> Action {
    match step {
        Step::Create => Action::Create,
        Step::Update => Action::Edit,
        Step::Delete => Action::Delete,
    }
}

pub async fn create(app: &App, actor: &Actor, input: NewProduct) -> Result<Product> {
    versioned::create(app, actor, |now, _| {
        Ok(Product {
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
        })
    })
    .await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: ProductChange,
    if_match: Option<i64>,
) -> Result<Product> {
    versioned::update(app, actor, id, if_match, |p: &mut Product, _| {
        versioned::given!(change => p: sku, name, Some(description), kind, unit, Some(category), tax_rate, active);
        Ok(())
    })
    .await
}

/// A new price list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPriceList {
    pub name: String,
    pub currency: Currency,
    #[schema(value_type = Option<String>, example = "2026-01-01")]
    pub valid_from: Option<NaiveDate>,
    #[schema(value_type = Option<String>, example = "2026-12-31")]
    pub valid_to: Option<NaiveDate>,
    /// The customer whose own list this is.
    pub account_id: Option<Id>,
    /// Each product once, its unit price in the list's currency.
    #[serde(default)]
    pub items: Vec<PriceItem>,
}

/// A change to a price list; absent fields stay, `items` is replaced whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceListChange {
    pub name: Option<String>,
    pub currency: Option<Currency>,
    /// A date, or `null` for no start.
    #[serde(default, deserialize_with = "versioned::present")]
    #[schema(value_type = Option<String>)]
    pub valid_from: Option<Option<NaiveDate>>,
    /// A date, or `null` for no end.
    #[serde(default, deserialize_with = "versioned::present")]
    #[schema(value_type = Option<String>)]
    pub valid_to: Option<Option<NaiveDate>>,
    /// An account id, or `null` for a general list.
    #[serde(default, deserialize_with = "versioned::present")]
    #[schema(value_type = Option<String>)]
    pub account_id: Option<Option<Id>>,
    pub items: Option<Vec<PriceItem>>,
}

pub async fn price_lists(app: &App, actor: &Actor) -> Result<Vec<PriceList>> {
    versioned::list(app, actor, store::price_lists).await
}

pub async fn price_list(app: &App, actor: &Actor, id: Id) -> Result<PriceList> {
    versioned::get(app, actor, id).await
}

impl Versioned for PriceList {
    const KIND: RecordKind = RecordKind::PriceList;
    const MODULE: Module = Module::Catalog;
    const FIELDS: &'static [&'static str] = &[
        "name",
        "currency",
        "valid_from",
        "valid_to",
        "account_id",
        "items",
    ];
    const CONFLICT: Conflict =
        Conflict::Violation("the price list changed while this request ran; read it again");
    versioned::stamped!();
    versioned::stored!(
        load: store::price_list,
        insert: store::insert_price_list,
        update: store::update_price_list,
    );

    fn action(step: Step) -> Action {
        catalog_action(step)
    }

    fn normalize(&mut self) {
        PriceList::normalize(self);
    }

    /// The list's own rules, then that its products and account exist.
    async fn validate(
        conn: &mut Conn,
        _old: Option<&Self>,
        l: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        l.validate(c);
        let ids: Vec<Id> = l.items.iter().map(|i| i.product_id).collect();
        let known = store::existing(conn, &ids).await?;
        for (i, item) in l.items.iter().enumerate() {
            if !known.contains(&item.product_id) {
                c.add(
                    &format!("items[{i}].product_id"),
                    Code::NotFound,
                    format!("there is no product with id {}", item.product_id),
                );
            }
        }
        if let Some(a) = l.account_id
            && !cartera_store::records::live_ids(conn, "accounts", &[a])
                .await?
                .contains(&a)
        {
            c.add(
                "account_id",
                Code::NotFound,
                format!("there is no account with id {a}"),
            );
        }
        Ok(())
    }
}

pub async fn create_price_list(app: &App, actor: &Actor, input: NewPriceList) -> Result<PriceList> {
    versioned::create(app, actor, |now, _| {
        Ok(PriceList {
            id: Id::new(),
            name: input.name,
            currency: input.currency,
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            account_id: input.account_id,
            items: input.items,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    })
    .await
}

pub async fn update_price_list(
    app: &App,
    actor: &Actor,
    id: Id,
    change: PriceListChange,
    if_match: Option<i64>,
) -> Result<PriceList> {
    versioned::update(app, actor, id, if_match, |l: &mut PriceList, _| {
        versioned::given!(change => l: name, currency, valid_from, valid_to, account_id, items);
        Ok(())
    })
    .await
}

/// The unit price a list gives a product on `date`; a clear 422 when it gives none.
pub async fn price(
    app: &App,
    actor: &Actor,
    list: Id,
    product: Id,
    date: NaiveDate,
) -> Result<Money> {
    let l = price_list(app, actor, list).await?;
    l.price(product, date).map_err(|e| {
        let field = match e {
            NoPrice::NotValid { .. } => "date",
            NoPrice::NoItem => "product_id",
        };
        let code = match e {
            NoPrice::NotValid { .. } => Code::OutOfRange,
            NoPrice::NoItem => Code::NotFound,
        };
        AppError::Invalid(Violations::one(field, code, e.to_string()))
    })
}
