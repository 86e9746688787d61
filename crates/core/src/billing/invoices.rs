//! Invoices, credit notes and debit notes: numbered per series and point of sale
//! without gaps (`A-0003-00001234`), priced by the same totals rules as quotes, due
//! after the payment terms, and never edited once issued (a note corrects them).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::payments::cents;
use crate::ids::Id;
use crate::money::Currency;
use crate::quotes::{DocLine, Language};
use crate::totals::{RoundingMode, Totals};
use crate::validate::{Check, Code};

/// What a billing document does to the customer's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// A charge.
    Invoice,
    /// A credit that corrects (part of) an invoice.
    CreditNote,
    /// A further charge: a correction, late interest, a bank fee.
    DebitNote,
}

impl InvoiceKind {
    pub const ALL: [InvoiceKind; 3] = [
        InvoiceKind::Invoice,
        InvoiceKind::CreditNote,
        InvoiceKind::DebitNote,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
            InvoiceKind::DebitNote => "debit_note",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceKind> {
        InvoiceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What its number starts with: nothing for an invoice, `NC-`/`ND-` for notes.
    fn prefix(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "",
            InvoiceKind::CreditNote => "NC-",
            InvoiceKind::DebitNote => "ND-",
        }
    }

    /// Whether it charges the customer (an invoice or a debit note).
    pub fn charges(self) -> bool {
        self != InvoiceKind::CreditNote
    }
}

/// An Argentine invoice's letter (ARCA's types A, B, C, E and M).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FiscalType {
    A,
    B,
    C,
    E,
    M,
}

/// A Mexican CFDI's payment method: paid in one go, or in parts (each payment then
/// needs its own payment CFDI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CfdiMethod {
    Pue,
    Ppd,
}

/// The tax authority's fields, stored as the issuing system (ARCA, a PAC) gave them;
/// Cartera does not talk to the authority.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fiscal {
    /// Argentina: A, B, C, E or M.
    #[serde(default)]
    pub invoice_type: Option<FiscalType>,
    /// Argentina: the authorisation code (CAE), 14 digits.
    #[serde(default)]
    pub cae: Option<String>,
    /// Argentina: the CAE's expiry.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-12-16")]
    pub cae_expires_on: Option<NaiveDate>,
    /// Mexico: the CFDI's folio fiscal (a UUID).
    #[serde(default)]
    pub cfdi_uuid: Option<String>,
    /// Mexico: PUE or PPD.
    #[serde(default)]
    pub cfdi_method: Option<CfdiMethod>,
}

impl Fiscal {
    /// Checks the fields' shapes; errors name `fiscal.<field>`.
    pub fn check(&self, c: &mut Check) {
        if let Some(cae) = &self.cae
            && (cae.len() != 14 || !cae.bytes().all(|b| b.is_ascii_digit()))
        {
            c.add("fiscal.cae", Code::Invalid, "a CAE has 14 digits");
        }
        if self.cae_expires_on.is_some() && self.cae.is_none() {
            c.add(
                "fiscal.cae_expires_on",
                Code::Invalid,
                "an expiry needs its CAE",
            );
        }
        if let Some(uuid) = &self.cfdi_uuid
            && uuid::Uuid::try_parse(uuid).is_err()
        {
            c.add(
                "fiscal.cfdi_uuid",
                Code::Invalid,
                "a CFDI folio is a UUID (8-4-4-4-12 hexadecimal digits)",
            );
        }
    }
}

/// A numbering series: a letter (or short code) and a point of sale. Each kind of
/// document counts on its own in each series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Series {
    /// `A`: one to three capital letters or digits.
    pub letter: String,
    /// `3`, printed `0003`: 1 to 99999.
    pub point_of_sale: u32,
}

impl Series {
    /// Checks the series; errors name `series` and `point_of_sale`.
    pub fn check(&self, c: &mut Check) {
        let l = &self.letter;
        if l.is_empty()
            || l.len() > 3
            || !l
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            c.add(
                "series",
                Code::Invalid,
                "a series is one to three capital letters or digits, e.g. A",
            );
        }
        if !(1..=99_999).contains(&self.point_of_sale) {
            c.add("point_of_sale", Code::OutOfRange, "from 1 to 99999");
        }
    }

    /// The counter a kind of document numbers from in this series.
    pub fn counter(&self, kind: InvoiceKind) -> String {
        format!(
            "{}:{}-{:04}",
            kind.as_str(),
            self.letter,
            self.point_of_sale
        )
    }

    /// `A-0003-00001234` (`NC-A-0003-00000012` for a credit note).
    pub fn number(&self, kind: InvoiceKind, seq: i64) -> String {
        format!(
            "{}{}-{:04}-{seq:08}",
            kind.prefix(),
            self.letter,
            self.point_of_sale
        )
    }
}

/// A number in Cartera's own shape (`A-0003-00001234`, `NC-A-0003-00000012`): its kind,
/// series and sequence. A legacy number of this shape must move its counter past it, or
/// the series would later issue the same number again.
pub fn parse_number(number: &str) -> Option<(InvoiceKind, Series, i64)> {
    let (kind, rest) = [InvoiceKind::CreditNote, InvoiceKind::DebitNote]
        .into_iter()
        .find_map(|k| number.strip_prefix(k.prefix()).map(|r| (k, r)))
        .unwrap_or((InvoiceKind::Invoice, number));
    let mut parts = rest.split('-');
    let (letter, pos, seq) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || pos.len() != 4 || seq.len() != 8 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(pos) || !all_digits(seq) {
        return None;
    }
    let series = Series {
        letter: letter.to_owned(),
        point_of_sale: pos.parse().ok()?,
    };
    let mut c = Check::new();
    series.check(&mut c);
    c.is_ok().then_some((kind, series, seq.parse().ok()?))
}

/// Days from the issue date to the due date (`0` is cash, `30`, `60`, `90` ...).
pub const MAX_TERMS_DAYS: u32 = 3_650;

/// The due date `terms` days after `issued`.
pub fn due_date(issued: NaiveDate, terms: u32) -> NaiveDate {
    issued + Duration::days(i64::from(terms))
}

/// Where a charge stands with its customer (read from what settles it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing settled yet.
    Unpaid,
    PartiallyPaid,
    Paid,
    /// A credit note: nothing to pay.
    Credit,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Invoice {
    pub id: Id,
    pub kind: InvoiceKind,
    /// `A-0003-00001234`: gap-free per kind, series and point of sale, never reused.
    pub number: String,
    pub series: String,
    pub point_of_sale: u32,
    pub account_id: Id,
    pub contact_id: Option<Id>,
    pub owner_id: Option<Id>,
    /// The order it bills, if any.
    pub order_id: Option<Id>,
    /// The accepted quote it bills, if any.
    pub quote_id: Option<Id>,
    /// The invoice a note corrects.
    pub corrects_id: Option<Id>,
    /// Why a note was issued.
    pub reason: Option<String>,
    pub currency: Currency,
    pub language: Language,
    pub lines: Vec<DocLine>,
    #[schema(value_type = String)]
    pub discount: Decimal,
    pub rounding: RoundingMode,
    pub notes: Option<String>,
    /// Computed by `core::totals` from the lines (read-only).
    pub totals: Totals,
    #[schema(value_type = String, example = "2026-12-06")]
    pub issue_date: NaiveDate,
    pub payment_terms_days: u32,
    #[schema(value_type = String, example = "2027-01-05")]
    pub due_date: NaiveDate,
    pub fiscal: Fiscal,
    /// What is still owed on it today (read-only; zero for a credit note).
    #[schema(value_type = String, example = "21000.00")]
    pub open: Decimal,
    /// Read from `open` (read-only).
    pub payment_status: PaymentStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Invoice {
    /// The status a charge of `total` with `open` still owed reads as.
    pub fn status_of(kind: InvoiceKind, total: Decimal, open: Decimal) -> PaymentStatus {
        if !kind.charges() {
            PaymentStatus::Credit
        } else if open <= Decimal::ZERO {
            PaymentStatus::Paid
        } else if open < total {
            PaymentStatus::PartiallyPaid
        } else {
            PaymentStatus::Unpaid
        }
    }

    /// Sets `open` and the status it reads as.
    pub fn set_open(&mut self, open: Decimal) {
        self.open = cents(if self.kind.charges() {
            open
        } else {
            Decimal::ZERO
        });
        self.payment_status = Invoice::status_of(self.kind, self.totals.total, self.open);
    }

    /// Whether it is past due and still owed on `today`.
    pub fn overdue_on(&self, today: NaiveDate) -> bool {
        self.kind.charges() && self.open > Decimal::ZERO && self.due_date < today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_kind_series_and_point_of_sale() {
        let s = Series {
            letter: "A".into(),
            point_of_sale: 3,
        };
        assert_eq!(s.number(InvoiceKind::Invoice, 1234), "A-0003-00001234");
        assert_eq!(s.number(InvoiceKind::CreditNote, 12), "NC-A-0003-00000012");
        assert_eq!(
            parse_number("NC-A-0003-00000012"),
            Some((InvoiceKind::CreditNote, s.clone(), 12))
        );
        assert_eq!(
            parse_number(&s.number(InvoiceKind::Invoice, 1234)),
            Some((InvoiceKind::Invoice, s.clone(), 1234))
        );
        assert_eq!(parse_number("0003-00001234"), None);
        assert_eq!(parse_number("FA-123"), None);
        assert_ne!(
            s.counter(InvoiceKind::Invoice),
            s.counter(InvoiceKind::DebitNote)
        );
        let mut c = Check::new();
        Series {
            letter: "a".into(),
            point_of_sale: 0,
        }
        .check(&mut c);
        assert_eq!(c.into_violations().len(), 2);
    }

    #[test]
    fn fiscal_fields_are_checked_for_shape() {
        let mut c = Check::new();
        Fiscal {
            cae: Some("1234".into()),
            cfdi_uuid: Some("nope".into()),
            ..Fiscal::default()
        }
        .check(&mut c);
        let fields: Vec<_> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["fiscal.cae", "fiscal.cfdi_uuid"]);
    }
}
