//! Billing and collections: invoices and their notes, payments and what they settle,
//! and the customer's current account read from them (statement, ageing, risk).

pub mod accounts;
pub mod cheques;
pub mod dunning;
pub mod exports;
pub mod imports;
pub mod interest;
pub mod invoices;
pub mod payments;
pub mod print;
mod reversal;
pub mod risk;
pub mod statements;
pub mod template;
