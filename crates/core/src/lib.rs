//! Cartera's domain: record types, their rules, money and the list grammar.
//!
//! Nothing here does I/O; the store, the app and the server build on these types.

pub mod accounts;
pub mod activities;
pub mod agenda;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod catalog;
pub mod commissions;
pub mod contacts;
pub mod custom_fields;
pub mod dav;
pub mod deals;
pub mod exchange;
pub mod fields;
pub mod ids;
pub mod imports;
pub mod io;
pub mod jobs;
pub mod kinds;
pub mod leads;
pub mod module;
pub mod money;
pub mod month;
pub mod notes;
pub mod numbers;
pub mod orders;
pub mod query;
pub mod quotes;
pub mod record;
pub mod recurrence;
pub mod roles;
pub mod shares;
pub mod tax_ids;
pub mod territories;
pub mod text;
pub mod totals;
pub mod users;
pub mod validate;
pub mod views;

pub use ids::Id;
pub use record::{Meta, Record, RecordData, RecordKind};
pub use validate::{Check, Code, Violation, Violations};
