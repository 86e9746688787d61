//! The parts of the product that permissions are given for. A leaf: the kinds table
//! (`kinds`) names each kind's module, and the roles (`roles`) grant rights per module.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A part of the product that permissions are given for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Accounts,
    Contacts,
    Leads,
    /// Notes on any record (reading them also needs the record).
    Notes,
    /// Custom field definitions (values are part of their records).
    CustomFields,
    /// Company settings, roles and the team.
    Settings,
    /// The audit trail across records.
    Audit,
    /// The agenda: tasks, calls, meetings, visits and their costs.
    Activities,
    /// Products, services and price lists.
    Catalog,
    /// Pipelines, deals, forecast, quotas and commissions (`admin`: pipelines, quotas
    /// and commission plans).
    Deals,
    /// Quotes and their PDF documents.
    Quotes,
    /// Orders, their deliveries and tracking.
    Orders,
    /// Invoices and notes, payments, the customer's current account and collections.
    Billing,
}

impl Module {
    pub const ALL: [Module; 13] = [
        Module::Accounts,
        Module::Contacts,
        Module::Leads,
        Module::Notes,
        Module::CustomFields,
        Module::Settings,
        Module::Audit,
        Module::Activities,
        Module::Catalog,
        Module::Deals,
        Module::Quotes,
        Module::Orders,
        Module::Billing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Accounts => "accounts",
            Module::Contacts => "contacts",
            Module::Leads => "leads",
            Module::Notes => "notes",
            Module::CustomFields => "custom_fields",
            Module::Settings => "settings",
            Module::Audit => "audit",
            Module::Activities => "activities",
            Module::Catalog => "catalog",
            Module::Deals => "deals",
            Module::Quotes => "quotes",
            Module::Orders => "orders",
            Module::Billing => "billing",
        }
    }
}
