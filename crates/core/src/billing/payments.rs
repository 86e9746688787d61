//! Payments received from a customer, and how they are applied to its charges: one
//! payment across several invoices, part of one, or left on account to apply later.
//! Each application is kept (who, when) and can be reversed with a reason.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::money::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Transfer,
    Card,
    Cheque,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Cash,
        PaymentMethod::Transfer,
        PaymentMethod::Card,
        PaymentMethod::Cheque,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Card => "card",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Part of a payment (or a credit note) settling part of a charge.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Allocation {
    pub id: Id,
    /// The invoice or debit note it settles.
    pub invoice_id: Id,
    pub invoice_number: String,
    #[schema(value_type = String, example = "50000.00")]
    pub amount: Decimal,
    #[schema(value_type = String, example = "2026-12-06")]
    pub applied_on: NaiveDate,
    /// Set when it was taken back; it then settles nothing from that day.
    #[schema(value_type = Option<String>)]
    pub reversed_on: Option<NaiveDate>,
    pub reversal_reason: Option<String>,
    pub created_by: Option<Id>,
    pub created_at: DateTime<Utc>,
}

impl Allocation {
    pub fn active(&self) -> bool {
        self.reversed_on.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Payment {
    pub id: Id,
    /// The receipt's number: `R-2026-000123`, per year without gaps.
    pub number: String,
    pub account_id: Id,
    /// The account's owner when it was received (whose portfolio it counts in).
    pub owner_id: Option<Id>,
    pub currency: Currency,
    #[schema(value_type = String, example = "150000.00")]
    pub amount: Decimal,
    #[schema(value_type = String, example = "2026-12-06")]
    pub received_on: NaiveDate,
    pub method: PaymentMethod,
    /// The bank's or card's reference, the cheque's number.
    pub reference: Option<String>,
    pub notes: Option<String>,
    pub allocations: Vec<Allocation>,
    /// What its active allocations settle (read-only).
    #[schema(value_type = String)]
    pub applied: Decimal,
    /// What is left on account (read-only).
    #[schema(value_type = String)]
    pub unapplied: Decimal,
    /// Set when the whole payment was taken back (a bounced cheque).
    #[schema(value_type = Option<String>)]
    pub reversed_on: Option<NaiveDate>,
    pub reversal_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Payment {
    /// Recomputes `applied` and `unapplied` from the allocations.
    pub fn settle(&mut self) {
        self.amount = cents(self.amount);
        for a in &mut self.allocations {
            a.amount = cents(a.amount);
        }
        self.applied = cents(
            self.allocations
                .iter()
                .filter(|a| a.active())
                .map(|a| a.amount)
                .sum(),
        );
        self.unapplied = cents(if self.reversed_on.is_some() {
            Decimal::ZERO
        } else {
            self.amount - self.applied
        });
    }
}

/// An amount as billing shows it: rounded to the cent and always with two decimals
/// (`1210.00`), whichever backend or sum it came from.
pub fn cents(amount: Decimal) -> Decimal {
    let mut d = amount.round_dp(2);
    d.rescale(2);
    d
}

/// Money as the ledger keeps it: whole cents, at most two decimals.
pub fn is_cents(amount: Decimal) -> bool {
    amount.normalize().scale() <= 2
}

/// The receipt's number: `R-2026-000123`.
pub fn number(year: i32, seq: i64) -> String {
    format!("R-{year}-{seq:06}")
}
