//! Orders: what a customer bought (from an accepted quote or directly), followed from
//! confirmation through picking, shipping and delivery (possibly in parts) to invoicing.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::money::Currency;
use crate::quotes::DocLine;
use crate::totals::{RoundingMode, Totals};
use crate::validate::{Check, Code, Violations};

/// The stages of an order, in order. Each is reached once and its time kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Confirmed,
    Picking,
    Shipped,
    /// Reached when every line is delivered in full (see deliveries), not set by hand.
    Delivered,
    Invoiced,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Confirmed,
        OrderStatus::Picking,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Invoiced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Picking => "picking",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Invoiced => "invoiced",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a person may move an order from `self` to `to`: only forward, and
    /// `delivered` comes from the deliveries, `invoiced` only after it.
    pub fn may_move_to(self, to: OrderStatus) -> Result<(), &'static str> {
        match to {
            _ if to <= self => Err("an order only moves forward"),
            OrderStatus::Delivered => {
                Err("an order is delivered when its deliveries cover every line")
            }
            OrderStatus::Invoiced if self != OrderStatus::Delivered => {
                Err("an order is invoiced after it is delivered")
            }
            _ => Ok(()),
        }
    }
}

/// A line of an order: the priced line and how much of it has been delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrderLine {
    #[serde(flatten)]
    pub line: DocLine,
    #[schema(value_type = String, example = "2")]
    pub delivered: Decimal,
}

/// When an order reached each status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrderDates {
    pub confirmed_at: DateTime<Utc>,
    pub picking_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub invoiced_at: Option<DateTime<Utc>>,
}

impl OrderDates {
    pub fn set(&mut self, status: OrderStatus, at: DateTime<Utc>) {
        match status {
            OrderStatus::Confirmed => self.confirmed_at = at,
            OrderStatus::Picking => self.picking_at = Some(at),
            OrderStatus::Shipped => self.shipped_at = Some(at),
            OrderStatus::Delivered => self.delivered_at = Some(at),
            OrderStatus::Invoiced => self.invoiced_at = Some(at),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Order {
    pub id: Id,
    /// `O-2026-000123`: per year, without gaps.
    pub number: String,
    /// The accepted quote it came from, if any.
    pub quote_id: Option<Id>,
    pub account_id: Id,
    pub contact_id: Option<Id>,
    pub owner_id: Option<Id>,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    #[schema(value_type = String)]
    pub discount: Decimal,
    pub rounding: RoundingMode,
    pub notes: Option<String>,
    /// Computed by `core::totals` from the lines (read-only).
    pub totals: Totals,
    pub status: OrderStatus,
    #[serde(flatten)]
    pub dates: OrderDates,
    pub deliveries: Vec<Delivery>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An order's number: `O-2026-000123`.
pub fn number(year: i32, seq: i64) -> String {
    format!("O-{year}-{seq:06}")
}

/// One delivered quantity of one order line (by its position, from 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliveredLine {
    pub line: usize,
    #[schema(value_type = String, example = "2")]
    pub quantity: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: Id,
    #[schema(value_type = String, example = "2026-11-26")]
    pub delivered_on: NaiveDate,
    pub lines: Vec<DeliveredLine>,
    pub created_at: DateTime<Utc>,
}

impl Order {
    /// Whether every line is delivered in full.
    pub fn fully_delivered(&self) -> bool {
        self.lines.iter().all(|l| l.delivered >= l.line.quantity)
    }

    /// Adds a delivery's quantities to the lines; each must be more than zero and at most
    /// what is still to deliver on its line (errors name `lines[i].quantity` and
    /// `lines[i].line`, the request's positions).
    pub fn deliver(&mut self, delivered: &[DeliveredLine]) -> Result<(), Violations> {
        let mut c = Check::new();
        if delivered.is_empty() {
            c.add("lines", Code::Required, "deliver at least one line");
        }
        if self.status == OrderStatus::Delivered || self.fully_delivered() {
            c.add("lines", Code::Conflict, "the order is already delivered");
        }
        let mut pending: Vec<Decimal> = self
            .lines
            .iter()
            .map(|l| l.line.quantity - l.delivered)
            .collect();
        for (i, d) in delivered.iter().enumerate() {
            let Some(left) = pending.get_mut(d.line) else {
                c.add(
                    &format!("lines[{i}].line"),
                    Code::NotFound,
                    format!("the order has no line {}", d.line),
                );
                continue;
            };
            if d.quantity <= Decimal::ZERO {
                c.add(
                    &format!("lines[{i}].quantity"),
                    Code::OutOfRange,
                    "must be greater than zero",
                );
            } else if d.quantity > *left {
                c.add(
                    &format!("lines[{i}].quantity"),
                    Code::OutOfRange,
                    format!("more than the {left} still to deliver on line {}", d.line),
                );
            } else {
                *left -= d.quantity;
            }
        }
        c.finish()?;
        for (line, left) in self.lines.iter_mut().zip(pending) {
            line.delivered = line.line.quantity - left;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn orders_move_forward_and_are_delivered_by_deliveries() {
        assert!(Confirmed.may_move_to(Picking).is_ok());
        assert!(Confirmed.may_move_to(Shipped).is_ok());
        assert!(Shipped.may_move_to(Picking).is_err());
        assert!(Shipped.may_move_to(Delivered).is_err());
        assert!(Shipped.may_move_to(Invoiced).is_err());
        assert!(Delivered.may_move_to(Invoiced).is_ok());
    }
}
