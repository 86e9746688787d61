//! Totals preview: what a quote with these lines would come to, before anything is
//! saved (the quote editor's live totals, and integrations that price a basket).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::catalog::{PriceList, Product};
use cartera_core::money::{Currency, Money};
use cartera_core::roles::{Action, Module};
use cartera_core::totals::{self, Document, Line, RoundingMode, TaxRate, Totals};
use cartera_core::{Check, Code, Id};
use cartera_store::{Conn, catalog};

use crate::{Actor, App, Result};

/// One line of the basket: a catalogue product, or free text with its own price.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// A product: its tax rate, and its price on `price_list_id`, apply unless the line
    /// gives its own.
    pub product_id: Option<Id>,
    /// Free text shown on the document; not used in the arithmetic.
    pub description: Option<String>,
    /// Greater than zero, at most 4 decimals.
    #[schema(value_type = String, example = "3")]
    pub quantity: Decimal,
    /// Required without a product (or without a price list that prices it).
    pub unit_price: Option<Money>,
    /// Percentage off this line (0 to 100, at most 2 decimals; default 0).
    #[schema(value_type = Option<String>, example = "10")]
    pub discount: Option<Decimal>,
    /// `exempt` or a percentage such as `21` or `10.5`; default the product's.
    #[schema(value_type = Option<String>, example = "21")]
    pub tax_rate: Option<TaxRate>,
}

/// The basket to price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotalsInput {
    /// The document's currency; default the price list's, else the first line's.
    /// Every line must be in it.
    pub currency: Option<Currency>,
    /// Prices the lines that name a product and give no price.
    pub price_list_id: Option<Id>,
    /// The day the price list's prices are taken for (default today).
    #[schema(value_type = Option<String>, example = "2026-11-25")]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub lines: Vec<LineInput>,
    /// Percentage off the whole document after line discounts (default 0).
    #[schema(value_type = Option<String>, example = "2")]
    pub discount: Option<Decimal>,
    /// `per_line` (default) or `per_document`.
    pub rounding: Option<RoundingMode>,
}

/// The price list a document names (none named: `None`); one that does not exist is
/// said in `c` on `price_list_id`.
pub(crate) async fn named_price_list(
    conn: &mut Conn,
    id: Option<Id>,
    c: &mut Check,
) -> Result<Option<PriceList>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let l = catalog::price_list(conn, id).await?;
    if l.is_none() {
        c.add(
            "price_list_id",
            Code::NotFound,
            format!("there is no price list with id {id}"),
        );
    }
    Ok(l)
}

/// The catalogue's products that lines name, by id (an unknown id is left out: each
/// caller says it in its own words).
pub(crate) async fn products_of(
    conn: &mut Conn,
    ids: impl IntoIterator<Item = Option<Id>>,
) -> Result<HashMap<Id, Product>> {
    let ids: Vec<Id> = ids.into_iter().flatten().collect();
    Ok(catalog::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Longest free-text line description.
const MAX_DESCRIPTION: usize = 2_000;

/// Computes the totals; reading products and price lists needs the catalogue's read
/// right, free-text lines need nothing (they read and write nothing).
pub async fn preview(app: &App, actor: &Actor, input: TotalsInput) -> Result<Totals> {
    let uses_catalog =
        input.price_list_id.is_some() || input.lines.iter().any(|l| l.product_id.is_some());
    if uses_catalog {
        actor.permit(Module::Catalog, Action::Read)?;
    }
    let mut conn = app.db.reader().await?;
    let mut c = Check::new();
    let list = named_price_list(&mut conn, input.price_list_id, &mut c).await?;
    let date = input.date.unwrap_or_else(|| app.today());
    let products = products_of(&mut conn, input.lines.iter().map(|l| l.product_id)).await?;
    let lists: Vec<&cartera_core::catalog::PriceList> = list.iter().collect();
    let lines: Vec<Line> = price_lines(&input.lines, &products, &lists, date, &mut c)
        .into_iter()
        .map(|(_, line, _, _)| line)
        .collect();
    let currency = input
        .currency
        .or(list.as_ref().map(|l| l.currency))
        .or(lines.first().map(|l| l.unit_price.currency));
    let Some(currency) = currency else {
        // Without a currency the lines' own errors (if any) say why; else this does.
        if c.is_ok() {
            c.add("currency", Code::Required, "name a currency or give a line");
        }
        return Err(c.violations().into());
    };
    c.finish()?;
    let doc = Document {
        currency,
        lines,
        discount: input.discount.unwrap_or_default(),
        rounding: input.rounding.unwrap_or_default(),
    };
    Ok(totals::compute(&doc)?)
}

/// A line priced: its position, the line, its product and the list that priced it
/// (none for a price typed on the line).
pub(crate) type PricedLine<'a> = (usize, Line, Option<&'a Product>, Option<Id>);

/// Prices the lines: a catalogue line takes the product's tax rate and, without a price
/// of its own, the price on `date` of the first of `lists` that has one. Problems go
/// into `c` by field (`lines[2].unit_price`); the lines that could be priced come back
/// with their position, product and list. The totals preview and quotes price lines
/// through this one function.
pub(crate) fn price_lines<'a>(
    input: &[LineInput],
    products: &'a HashMap<Id, Product>,
    lists: &[&cartera_core::catalog::PriceList],
    date: NaiveDate,
    c: &mut Check,
) -> Vec<PricedLine<'a>> {
    let mut lines = Vec::with_capacity(input.len());
    for (i, l) in input.iter().enumerate() {
        let path = |f: &str| format!("lines[{i}].{f}");
        if let Some(d) = &l.description {
            c.max_chars(&path("description"), d, MAX_DESCRIPTION);
        }
        let product = match l.product_id {
            Some(id) => match products.get(&id) {
                Some(p) => Some(p),
                None => {
                    c.add(
                        &path("product_id"),
                        Code::NotFound,
                        format!("there is no product with id {id}"),
                    );
                    continue;
                }
            },
            None => None,
        };
        let mut priced_by = None;
        let price = match (l.unit_price, product, lists.first()) {
            (Some(p), _, _) => Some(p),
            (None, Some(p), Some(first)) => {
                let found = lists
                    .iter()
                    .find_map(|list| list.price(p.id, date).ok().map(|m| (m, list.id)));
                match found {
                    Some((m, by)) => {
                        priced_by = Some(by);
                        Some(m)
                    }
                    None => {
                        // The first list's reason: the one the writer chose or expects.
                        let why = first
                            .price(p.id, date)
                            .err()
                            .map_or_else(String::new, |e| e.to_string());
                        c.add(
                            &path("unit_price"),
                            Code::Required,
                            format!("give a price: {why}"),
                        );
                        None
                    }
                }
            }
            (None, _, _) => {
                c.add(
                    &path("unit_price"),
                    Code::Required,
                    "give a price, or a product and a price list",
                );
                None
            }
        };
        let rate = l.tax_rate.or(product.map(|p| p.tax_rate));
        if rate.is_none() {
            c.add(
                &path("tax_rate"),
                Code::Required,
                "give a tax rate, or a product",
            );
        }
        if let (Some(unit_price), Some(tax_rate)) = (price, rate) {
            lines.push((
                i,
                Line {
                    quantity: l.quantity,
                    unit_price,
                    discount: l.discount.unwrap_or_default(),
                    tax_rate,
                },
                product,
                priced_by,
            ));
        }
    }
    lines
}
