//! Billing and collections: invoices and their notes, payments and how they are
//! applied, and the customer's current account computed from them (statement, open
//! items, ageing).
//!
//! The current account is one rule, in [`ledger`]: every figure a page, a PDF or a
//! report shows (balance, statement, ageing) is read from the same movements, so they
//! cannot disagree.

pub mod cheques;
pub mod dunning;
pub mod imports;
pub mod interest;
pub mod invoices;
pub mod ledger;
pub mod payments;
pub mod risk;
pub mod settings;
