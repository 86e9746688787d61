//! Quotes: priced lines for a customer, numbered per year (`P-2026-000123`), valid until
//! a date, sent, accepted or rejected, revised when changed after sending.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::money::{Currency, Money};
use crate::totals::{self, Document, Line, RoundingMode, TaxRate, Totals};
use crate::validate::{Check, Code, Violations};

/// Where a quote stands. `expired` is not stored: a draft or sent quote whose validity
/// has passed reads as expired (see [`Quote::effective_status`]), so no job has to run
/// at midnight and every server agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Expired,
}

impl QuoteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Rejected => "rejected",
            QuoteStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<QuoteStatus> {
        use QuoteStatus::*;
        [Draft, Sent, Accepted, Rejected, Expired]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The language a quote is printed and emailed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Es,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "es" => Some(Language::Es),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// `1234.5` as the language writes money: `1.234,50` or `1,234.50`.
    pub fn amount(self, value: Decimal) -> String {
        self.grouped(value.round_dp(2))
    }

    /// A price as a form shows it to be typed back: grouped like [`Language::amount`],
    /// with at least two decimals and every one it has (`10,125`), so that saving the
    /// form again changes nothing.
    pub fn price(self, value: Decimal) -> String {
        self.grouped(value.normalize())
    }

    /// `value` with thousands grouped and at least two decimals (more when it has them).
    fn grouped(self, v: Decimal) -> String {
        let (thousands, decimal) = match self {
            Language::Es => ('.', ','),
            Language::En => (',', '.'),
        };
        let places = usize::try_from(v.scale().max(2)).unwrap_or(2);
        let text = format!("{:.places$}", v.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push(thousands);
            }
            grouped.push(c);
        }
        let sign = if v.is_sign_negative() && !v.is_zero() {
            "-"
        } else {
            ""
        };
        format!("{sign}{grouped}{decimal}{frac}")
    }

    /// A quantity or percentage without trailing zeros, in the language's decimal mark.
    pub fn number(self, value: Decimal) -> String {
        let text = value.normalize().to_string();
        match self {
            Language::Es => text.replace('.', ","),
            Language::En => text,
        }
    }

    /// A date as its readers write it: `06/12/2026` in Spanish, `6 Dec 2026` in
    /// English (the pages, the PDFs and the emails alike).
    pub fn date(self, d: chrono::NaiveDate) -> String {
        match self {
            Language::Es => d.format("%d/%m/%Y").to_string(),
            Language::En => d.format("%-d %b %Y").to_string(),
        }
    }
}

/// One line of a quote or an order, priced: a catalogue product (its SKU and name are
/// copied, so later catalogue edits do not change a sent document) or free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocLine {
    pub product_id: Option<Id>,
    pub sku: Option<String>,
    pub description: String,
    /// What one unit is (`unit`, `kg`, `hour`).
    pub unit: String,
    #[schema(value_type = String, example = "3")]
    pub quantity: Decimal,
    pub unit_price: Money,
    /// Percentage off this line.
    #[schema(value_type = String, example = "10")]
    pub discount: Decimal,
    #[schema(value_type = String, example = "21")]
    pub tax_rate: TaxRate,
    /// The price list the unit price came from; absent when the price was typed on the
    /// line (or the line was written before lines recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_list_id: Option<Id>,
}

/// The document `core::totals` computes the lines' totals from.
pub fn document(
    currency: Currency,
    lines: &[DocLine],
    discount: Decimal,
    rounding: RoundingMode,
) -> Document {
    Document {
        currency,
        lines: lines
            .iter()
            .map(|l| Line {
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount: l.discount,
                tax_rate: l.tax_rate,
            })
            .collect(),
        discount,
        rounding,
    }
}

/// Longest free-text line description and notes.
pub const MAX_DESCRIPTION: usize = 2_000;
pub const MAX_NOTES: usize = 10_000;

/// A quote as stored, with its totals.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Quote {
    pub id: Id,
    /// `P-2026-000123`: per year, without gaps.
    pub number: String,
    /// 1 until the quote is changed after being sent; each such change adds one.
    pub revision: i64,
    pub account_id: Id,
    /// The deal the quote was made for, if any.
    pub deal_id: Option<Id>,
    pub contact_id: Option<Id>,
    pub owner_id: Option<Id>,
    pub currency: Currency,
    pub language: Language,
    /// The list its catalogue lines were priced from (null: none or given prices).
    pub price_list_id: Option<Id>,
    #[schema(value_type = String, example = "2026-11-26")]
    pub issue_date: NaiveDate,
    #[schema(value_type = String, example = "2026-12-26")]
    pub valid_until: NaiveDate,
    /// As read now: a draft or sent quote past its validity is `expired`.
    pub status: QuoteStatus,
    pub lines: Vec<DocLine>,
    /// Percentage off the whole quote, after the line discounts.
    #[schema(value_type = String, example = "5")]
    pub discount: Decimal,
    pub rounding: RoundingMode,
    pub notes: Option<String>,
    /// Computed by `core::totals` from the lines (read-only).
    pub totals: Totals,
    pub sent_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub rejected_at: Option<DateTime<Utc>>,
    /// The first day the quote was no longer valid, when it expired.
    #[schema(value_type = Option<String>)]
    pub expired_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A quote's number: `P-2026-000123`.
pub fn number(year: i32, seq: i64) -> String {
    format!("P-{year}-{seq:06}")
}

/// The year a document dated `date` is numbered in.
pub fn number_year(date: NaiveDate) -> i32 {
    date.year()
}

impl Quote {
    /// The status on `today`: drafts and sent quotes past `valid_until` are expired.
    pub fn effective_status(
        stored: QuoteStatus,
        valid_until: NaiveDate,
        today: NaiveDate,
    ) -> QuoteStatus {
        match stored {
            QuoteStatus::Draft | QuoteStatus::Sent if valid_until < today => QuoteStatus::Expired,
            s => s,
        }
    }
}

/// Checks the fields a writer gives; lines are checked by `core::totals::validate`.
pub fn validate(
    issue_date: NaiveDate,
    valid_until: NaiveDate,
    lines: &[DocLine],
    notes: Option<&str>,
    doc: &Document,
) -> Result<(), Violations> {
    let mut c = Check::new();
    if valid_until < issue_date {
        c.add(
            "valid_until",
            Code::OutOfRange,
            "must not be before the issue date",
        );
    }
    if lines.is_empty() {
        c.add("lines", Code::Required, "a quote needs at least one line");
    }
    for (i, l) in lines.iter().enumerate() {
        let path = format!("lines[{i}].description");
        c.required(&path, &l.description);
        c.max_chars(&path, &l.description, MAX_DESCRIPTION);
    }
    if let Some(n) = notes {
        c.max_chars("notes", n, MAX_NOTES);
    }
    let mut all = c.violations();
    if let Err(v) = totals::validate(doc) {
        all.0.extend(v.0);
        all.1 = all.1.saturating_add(v.1);
    }
    if all.0.is_empty() { Ok(()) } else { Err(all) }
}

/// Where a list of quotes or orders (newest first: creation time, then number) goes on:
/// the last row's creation time and number, opaque to clients (`next_cursor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocCursor {
    #[serde(rename = "t")]
    pub created_at: DateTime<Utc>,
    #[serde(rename = "n")]
    pub number: String,
}

impl DocCursor {
    pub fn encode(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// `None` for a cursor that was not made by [`DocCursor::encode`].
    pub fn decode(raw: &str) -> Option<DocCursor> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw.trim())
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn numbers_are_padded_per_year() {
        assert_eq!(number(2026, 123), "P-2026-000123");
        assert_eq!(number(2027, 1), "P-2027-000001");
    }

    #[test]
    fn amounts_are_written_as_each_language_does() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(Language::Es.amount(d("1234567.5")), "1.234.567,50");
        assert_eq!(Language::En.amount(d("1234567.5")), "1,234,567.50");
        assert_eq!(Language::Es.amount(d("0")), "0,00");
        assert_eq!(Language::En.amount(d("999.999")), "1,000.00");
        assert_eq!(Language::Es.number(d("10.50")), "10,5");
        // A price keeps every decimal it has: shown in a form, it saves back the same.
        assert_eq!(Language::Es.price(d("1234.5")), "1.234,50");
        assert_eq!(Language::Es.price(d("10.1250")), "10,125");
        assert_eq!(Language::En.price(d("1234567.1234")), "1,234,567.1234");
    }

    #[test]
    fn a_sent_quote_past_its_validity_is_expired() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        use QuoteStatus::*;
        assert_eq!(Quote::effective_status(Sent, day(10), day(10)), Sent);
        assert_eq!(Quote::effective_status(Sent, day(10), day(11)), Expired);
        assert_eq!(Quote::effective_status(Draft, day(10), day(11)), Expired);
        assert_eq!(
            Quote::effective_status(Accepted, day(10), day(11)),
            Accepted
        );
    }

    #[test]
    fn list_cursors_round_trip_and_refuse_garbage() {
        let c = DocCursor {
            created_at: "2026-11-25T10:00:00.123456Z".parse().unwrap(),
            number: "P-2026-000012".into(),
        };
        assert_eq!(DocCursor::decode(&c.encode()), Some(c));
        assert_eq!(DocCursor::decode("not a cursor"), None);
        assert_eq!(DocCursor::decode("e30"), None);
    }
}
