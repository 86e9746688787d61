//! The catalogue's rules: products and services, price lists per currency with their
//! validity, and which price a list gives a product on a date. The store and the API
//! build on these; a product named by a price list item must exist, which the app
//! checks against the store.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Id;
use crate::money::{Currency, Money};
use crate::totals::TaxRate;
use crate::validate::{Check, Code};

/// Whether a line sells goods or work; reports and commissions tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    #[default]
    Product,
    Service,
}

/// A product or service as the catalogue sells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Product {
    pub id: Id,
    /// Unique, compared without case or surrounding spaces (`sku_key`).
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: ProductKind,
    /// What one unit is: `unit`, `kg`, `hour`, `month`.
    pub unit: String,
    pub category: Option<String>,
    /// `exempt` or a percentage such as `21` or `10.5`.
    #[schema(value_type = String, example = "21")]
    pub tax_rate: TaxRate,
    /// Inactive products stay on old documents but are not offered for new ones.
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The form of a SKU that uniqueness is checked on: `ab-12 ` and `AB-12` are one SKU.
pub fn sku_key(sku: &str) -> String {
    sku.trim().to_uppercase()
}

/// Where a page of products (by SKU) goes on: the last row's [`sku_key`], opaque to
/// clients (`next_cursor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCursor {
    #[serde(rename = "k")]
    pub sku_key: String,
}

impl ProductCursor {
    pub fn encode(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// `None` for a cursor that was not made by [`ProductCursor::encode`].
    pub fn decode(raw: &str) -> Option<ProductCursor> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw.trim())
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

impl Product {
    /// Tidies what a person typed: trimmed texts, blanks as absent.
    pub fn normalize(&mut self) {
        let opt = |v: &mut Option<String>| {
            *v = v
                .take()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty());
        };
        self.sku = self.sku.trim().to_owned();
        self.name = self.name.trim().to_owned();
        self.unit = self.unit.trim().to_owned();
        opt(&mut self.description);
        opt(&mut self.category);
    }

    pub fn validate(&self, c: &mut Check) {
        c.required("sku", &self.sku);
        c.max_chars("sku", &self.sku, 64);
        if self.sku.trim().chars().any(char::is_whitespace) {
            c.add("sku", Code::Invalid, "a SKU has no spaces");
        }
        c.required("name", &self.name);
        c.max_chars("name", &self.name, 200);
        if let Some(d) = &self.description {
            c.max_chars("description", d, 10_000);
        }
        c.required("unit", &self.unit);
        c.max_chars("unit", &self.unit, 20);
        if let Some(cat) = &self.category {
            c.max_chars("category", cat, 100);
        }
    }
}

/// One product's price on a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceItem {
    pub product_id: Id,
    /// Unit price, in the list's currency.
    pub price: Money,
}

/// A price list: prices in one currency, valid between two dates (both included; an
/// open end has no limit). A list that names an account is that customer's own list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PriceList {
    pub id: Id,
    pub name: String,
    pub currency: Currency,
    /// First day the prices apply (`YYYY-MM-DD`); null: since always.
    pub valid_from: Option<NaiveDate>,
    /// Last day the prices apply; null: until further notice.
    pub valid_to: Option<NaiveDate>,
    /// The customer whose list this is; null for a general list.
    pub account_id: Option<Id>,
    pub items: Vec<PriceItem>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a list gives no price.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoPrice {
    #[error("the price list is not valid on {date} (valid {from} to {to})")]
    NotValid {
        date: NaiveDate,
        from: String,
        to: String,
    },
    #[error("the price list has no price for this product")]
    NoItem,
}

impl PriceList {
    pub fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
    }

    pub fn validate(&self, c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, 200);
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            c.add(
                "valid_to",
                Code::OutOfRange,
                "must not be before valid_from",
            );
        }
        let mut seen = HashSet::new();
        for (i, item) in self.items.iter().enumerate() {
            if !seen.insert(item.product_id) {
                c.add(
                    &format!("items[{i}].product_id"),
                    Code::Duplicate,
                    "this product already has a price on the list",
                );
            }
            if item.price.currency != self.currency {
                c.add(
                    &format!("items[{i}].price.currency"),
                    Code::Invalid,
                    format!(
                        "{} differs from the list's currency {}",
                        item.price.currency, self.currency
                    ),
                );
            }
            if item.price.amount.is_sign_negative() && !item.price.amount.is_zero() {
                c.add(
                    &format!("items[{i}].price.amount"),
                    Code::OutOfRange,
                    "must not be negative",
                );
            }
        }
    }

    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    /// The product's unit price on `date`, or why there is none.
    pub fn price(&self, product: Id, date: NaiveDate) -> Result<Money, NoPrice> {
        if !self.valid_on(date) {
            let show =
                |d: Option<NaiveDate>| d.map_or_else(|| "any time".to_owned(), |d| d.to_string());
            return Err(NoPrice::NotValid {
                date,
                from: show(self.valid_from),
                to: show(self.valid_to),
            });
        }
        self.items
            .iter()
            .find(|i| i.product_id == product)
            .map(|i| i.price)
            .ok_or(NoPrice::NoItem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_cursors_round_trip_and_refuse_garbage() {
        let c = ProductCursor {
            sku_key: "TORN-8X40".into(),
        };
        assert_eq!(ProductCursor::decode(&c.encode()), Some(c));
        assert_eq!(ProductCursor::decode("not a cursor"), None);
        assert_eq!(ProductCursor::decode("e30"), None);
    }
    use rust_decimal::Decimal;

    fn ars(a: &str) -> Money {
        Money::new(a.parse::<Decimal>().unwrap(), "ARS".parse().unwrap()).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn list(items: Vec<PriceItem>) -> PriceList {
        PriceList {
            id: Id::new(),
            name: "Mayorista 2026".into(),
            currency: "ARS".parse().unwrap(),
            valid_from: Some(date("2026-01-01")),
            valid_to: Some(date("2026-12-31")),
            account_id: None,
            items,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_valid_list_prices_its_products_within_its_dates() {
        let (seeds, kit) = (Id::new(), Id::new());
        let l = list(vec![PriceItem {
            product_id: seeds,
            price: ars("899.99"),
        }]);
        assert_eq!(l.price(seeds, date("2026-01-01")), Ok(ars("899.99")));
        assert_eq!(l.price(seeds, date("2026-12-31")), Ok(ars("899.99")));
        assert_eq!(l.price(kit, date("2026-06-01")), Err(NoPrice::NoItem));
        let err = l.price(seeds, date("2027-01-01")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the price list is not valid on 2027-01-01 (valid 2026-01-01 to 2026-12-31)"
        );
        let open = PriceList {
            valid_from: None,
            valid_to: None,
            ..l
        };
        assert!(open.valid_on(date("1999-01-01")));
    }

    #[test]
    fn bad_lists_name_each_field() {
        let p = Id::new();
        let mut usd = ars("5");
        usd.currency = "USD".parse().unwrap();
        let mut l = list(vec![
            PriceItem {
                product_id: p,
                price: ars("10"),
            },
            PriceItem {
                product_id: p,
                price: usd,
            },
        ]);
        l.valid_to = Some(date("2025-12-31"));
        let mut c = Check::new();
        l.validate(&mut c);
        let fields: Vec<String> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            ["valid_to", "items[1].product_id", "items[1].price.currency"]
        );
    }

    #[test]
    fn products_need_a_sku_without_spaces_a_name_and_a_unit() {
        let p = Product {
            id: Id::new(),
            sku: "SEM 01".into(),
            name: " ".into(),
            description: None,
            kind: ProductKind::Service,
            unit: "hora".into(),
            category: None,
            tax_rate: TaxRate::Exempt,
            active: true,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let mut c = Check::new();
        p.validate(&mut c);
        let fields: Vec<String> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["sku", "name"]);
        assert_eq!(sku_key(" sem-01 "), "SEM-01");
    }
}
