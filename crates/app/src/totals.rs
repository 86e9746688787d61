//! Totals preview: what a quote with these lines would come to, before anything is
//! saved (the quote editor's live totals, and integrations that price a basket).

use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::money::{Currency, Money};
use cartera_core::totals::{self, Document, Line, RoundingMode, TaxRate, Totals};
use cartera_core::{Check, Code, Violations};

use crate::{Actor, Result};

/// One line of the basket: free text with its own price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// Free text shown on the document; not used in the arithmetic.
    pub description: Option<String>,
    /// Greater than zero, at most 4 decimals.
    #[schema(value_type = String, example = "3")]
    pub quantity: Decimal,
    pub unit_price: Money,
    /// Percentage off this line (0 to 100, at most 2 decimals; default 0).
    #[schema(value_type = Option<String>, example = "10")]
    pub discount: Option<Decimal>,
    /// `exempt` or a percentage such as `21` or `10.5`.
    #[schema(value_type = String, example = "21")]
    pub tax_rate: TaxRate,
}

/// The basket to price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotalsInput {
    /// The document's currency; default the first line's. Every line must be in it.
    pub currency: Option<Currency>,
    #[serde(default)]
    pub lines: Vec<LineInput>,
    /// Percentage off the whole document after line discounts (default 0).
    #[schema(value_type = Option<String>, example = "2")]
    pub discount: Option<Decimal>,
    /// `per_line` (default) or `per_document`.
    pub rounding: Option<RoundingMode>,
}

/// Longest free-text line description.
const MAX_DESCRIPTION: usize = 2_000;

/// Computes the totals. Any signed-in person may: it reads and writes nothing.
pub fn preview(_actor: &Actor, input: TotalsInput) -> Result<Totals> {
    let mut c = Check::new();
    let currency = input
        .currency
        .or_else(|| input.lines.first().map(|l| l.unit_price.currency));
    let Some(currency) = currency else {
        return Err(
            Violations::one("currency", Code::Required, "name a currency or give a line").into(),
        );
    };
    for (i, l) in input.lines.iter().enumerate() {
        if let Some(d) = &l.description {
            c.max_chars(&format!("lines[{i}].description"), d, MAX_DESCRIPTION);
        }
    }
    c.finish()?;
    let doc = Document {
        currency,
        lines: input
            .lines
            .into_iter()
            .map(|l| Line {
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount: l.discount.unwrap_or_default(),
                tax_rate: l.tax_rate,
            })
            .collect(),
        discount: input.discount.unwrap_or_default(),
        rounding: input.rounding.unwrap_or_default(),
    };
    Ok(totals::compute(&doc)?)
}
