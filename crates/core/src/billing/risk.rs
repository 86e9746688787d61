//! The risk light: how worried to be before selling more to a customer, and what the
//! company does about it (only warn, or ask a manager's approval first).

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
