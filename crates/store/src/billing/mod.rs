//! Billing: invoices and notes, payments, what settles what, and the ledger and ageing
//! figures read from them.

pub mod cheques;
pub mod closed;
pub mod dunning;
pub mod interest;
pub mod invoices;
pub mod ledger;
pub mod payments;
pub mod risk;
pub mod statements;
