//! The company's billing defaults: the series new invoices are numbered in, the payment
//! terms their due date follows, the ageing buckets receivables are read in, and the
//! late interest rates.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::interest::{InterestCountry, RatePeriod, check_rates, rates_in_force};
use super::invoices::{MAX_TERMS_DAYS, Series};
use super::ledger::Buckets;
use super::risk::RiskPolicy;
use crate::validate::{Check, Code};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BillingSettings {
    /// The series letter new invoices take unless the request names one (`A`).
    pub series: String,
    /// The point of sale new invoices take unless the request names one (`1`).
    pub point_of_sale: u32,
    /// Days from issue to due date unless the request or the order says otherwise.
    pub payment_terms_days: u32,
    /// The ageing buckets' upper limits in days overdue.
    pub ageing_buckets: Buckets,
    /// Per risk level, whether a new quote or order only warns or needs a manager's
    /// approval first (default: amber warns, red needs approval).
    pub risk_policy: RiskPolicy,
    /// Late interest: monthly rates (percent) by dated period, none overlapping. A
    /// change replaces the whole list. Empty: the country default below, if any.
    pub interest_rates: Vec<RatePeriod>,
    /// Whose statutory late interest applies while `interest_rates` is empty: `ES`
    /// (12.15 % a year for 2026 H2, ECB + 8 points), `MX` (6 % a year); `AR` has none,
    /// the company sets its own. To edit a default, write it into `interest_rates`.
    pub interest_country_default: Option<InterestCountry>,
    /// The statement every customer that owes gets by email each month.
    pub statements: StatementSchedule,
    /// The key of the accounts' custom field of type money that holds each customer's
    /// credit limit (e.g. `limite_credito`); the risk light reads the balance against it.
    pub credit_limit_field: Option<String>,
}

/// Monthly statements: on `day` of each month (from 1 to 28, default 1) every customer
/// that owes at the end of the month before, and is not taken off them, gets that
/// month's statement with its PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StatementSchedule {
    /// Default true; false sends none.
    pub monthly: bool,
    pub day: u32,
}

impl Default for StatementSchedule {
    fn default() -> Self {
        StatementSchedule {
            monthly: true,
            day: 1,
        }
    }
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            series: "A".into(),
            point_of_sale: 1,
            payment_terms_days: 30,
            ageing_buckets: Buckets::default(),
            risk_policy: RiskPolicy::default(),
            interest_rates: Vec::new(),
            interest_country_default: None,
            statements: StatementSchedule::default(),
            credit_limit_field: None,
        }
    }
}

impl BillingSettings {
    pub fn series(&self) -> Series {
        Series {
            letter: self.series.clone(),
            point_of_sale: self.point_of_sale,
        }
    }

    /// The late interest rates a run uses (the company's own, else its country's).
    pub fn interest_rates(&self) -> Vec<RatePeriod> {
        rates_in_force(&self.interest_rates, self.interest_country_default)
    }

    /// Checks the defaults; errors name `billing.<field>`.
    pub fn check(&self, c: &mut Check) {
        let mut inner = Check::with_prefix("billing.");
        self.series().check(&mut inner);
        if self.payment_terms_days > MAX_TERMS_DAYS {
            inner.add(
                "payment_terms_days",
                Code::OutOfRange,
                format!("at most {MAX_TERMS_DAYS} days"),
            );
        }
        check_rates(&self.interest_rates, &mut inner);
        if let Some(f) = &self.credit_limit_field
            && (f.trim().is_empty() || f.chars().count() > 64)
        {
            inner.add(
                "credit_limit_field",
                Code::Invalid,
                "the key of an accounts' custom field of type money",
            );
        }
        if !(1..=28).contains(&self.statements.day) {
            inner.add(
                "statements.day",
                Code::OutOfRange,
                "a day of the month from 1 to 28",
            );
        }
        c.extend(inner);
    }
}
