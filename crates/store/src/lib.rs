//! Cartera's database layer: SQLite by default, PostgreSQL for scale, one module per
//! domain. Returns core types; knows nothing of HTTP.

pub mod accounts;
pub mod activities;
pub mod admin;
pub mod agenda;
pub mod audit;
pub mod backup;
pub mod billing;
pub mod bulk;
pub mod catalog;
pub mod contacts;
pub mod custom_fields;
pub mod dav;
pub mod db;
pub mod deals;
pub mod documents;
pub mod error;
mod groups;
pub mod idempotency;
pub mod imports;
pub mod jobs;
pub mod kinds;
pub mod leads;
pub mod limits;
pub mod notes;
pub mod orders;
pub mod quotes;
pub mod records;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod shares;
pub mod teams;
pub mod territories;
pub mod users;
pub mod views;

pub use db::{Arg, Backend, Bound, Conn, ConnectOptions, Db, DbRow, Sql};
pub use error::StoreError;
pub use records::{Page, Table};
