//! The risk light: how worried to be before selling more to a customer, and what the
//! company does about it (only warn, or ask a manager's approval first).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How worried to be before selling more to a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Nothing overdue, no bounced cheque.
    Green,
    /// Something overdue, for up to [`RED_AFTER_DAYS`] days.
    Amber,
    /// Overdue more than [`RED_AFTER_DAYS`] days, or a cheque bounced in the last 12 months.
    Red,
}

/// Days overdue after which the light turns red.
pub const RED_AFTER_DAYS: i64 = 30;

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Green => "green",
            RiskLevel::Amber => "amber",
            RiskLevel::Red => "red",
        }
    }

    /// The level of a customer whose oldest open charge is `days_overdue` past due and
    /// who bounced `bounced` cheques in the last 12 months.
    pub fn of(days_overdue: i64, bounced: i64) -> RiskLevel {
        if days_overdue > RED_AFTER_DAYS || bounced > 0 {
            RiskLevel::Red
        } else if days_overdue > 0 {
            RiskLevel::Amber
        } else {
            RiskLevel::Green
        }
    }
}

/// The balance in percent of the customer's credit limit, to two decimals (`None`
/// without a positive limit).
pub fn credit_used_percent(balance: Decimal, limit: Decimal) -> Option<Decimal> {
    (limit > Decimal::ZERO).then(|| {
        let mut p = (balance * Decimal::ONE_HUNDRED / limit).round_dp(2);
        p.rescale(2);
        p
    })
}

impl RiskLevel {
    /// A customer over its credit limit is at least amber: selling more adds to a debt
    /// the company already judged too large.
    pub fn with_credit(self, over_limit: bool) -> RiskLevel {
        if over_limit {
            self.max(RiskLevel::Amber)
        } else {
            self
        }
    }
}

/// What a level means for a new quote or order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskAction {
    /// Show the light; nothing is stopped.
    Warn,
    /// A manager approves before a quote is sent or an order confirmed.
    Approval,
}

/// The company's rule per level (green never stops anything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RiskPolicy {
    pub amber: RiskAction,
    pub red: RiskAction,
}

impl Default for RiskPolicy {
    fn default() -> Self {
        RiskPolicy {
            amber: RiskAction::Warn,
            red: RiskAction::Approval,
        }
    }
}

impl RiskPolicy {
    pub fn action(&self, level: RiskLevel) -> Option<RiskAction> {
        match level {
            RiskLevel::Green => None,
            RiskLevel::Amber => Some(self.amber),
            RiskLevel::Red => Some(self.red),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_over_its_limit_is_at_least_amber() {
        let d = |v: &str| v.parse::<Decimal>().unwrap();
        assert_eq!(credit_used_percent(d("1500"), d("2000")), Some(d("75.00")));
        assert_eq!(credit_used_percent(d("1"), d("0")), None);
        // A cent over shows as 100.00 % and is over all the same.
        assert_eq!(
            credit_used_percent(d("2000.01"), d("2000")),
            Some(d("100.00"))
        );
        assert_eq!(RiskLevel::Green.with_credit(true), RiskLevel::Amber);
        assert_eq!(RiskLevel::Red.with_credit(true), RiskLevel::Red);
        assert_eq!(RiskLevel::Green.with_credit(false), RiskLevel::Green);
    }
}
