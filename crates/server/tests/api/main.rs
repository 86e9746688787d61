//! Black-box tests of the HTTP API: each starts the real server on a random port with a
//! fresh database and talks to it over HTTP, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod smtp;
mod support;

mod accounts;
mod activities;
mod agenda;
mod auth;
mod backup;
mod billing;
mod billing_dunning;
mod billing_imports;
mod billing_interest;
mod billing_statements;
mod catalog;
mod contacts;
mod custom_fields;
mod dav;
mod dav_series;
mod deals;
mod decomposed;
mod export;
mod forecast;
mod hardening;
mod hardening_edges;
mod hardening_parsers;
mod imports;
mod jobs;
mod leads;
mod lists;
mod notes_audit;
mod openapi;
mod ops;
mod outside_in;
mod password_reset;
mod quotes;
mod roles;
mod sales_walk;
mod saved_views;
mod sessions;
mod shared_limits;
mod shares;
mod territories;
mod token_limits;
mod tokens;
mod totals;
mod two_factor;
mod visibility;
mod web;
mod web_activities;
mod web_agenda;
mod web_billing;
mod web_billing_admin;
mod web_billing_cheques;
mod web_deals;
mod web_my_day;
mod web_quotes;
mod web_records;
mod web_rep_day;
mod web_settings;
mod writes;
// sales-rest: quote and order pages of lists, deal shares, catalogue and commission pages
mod sales_lists;
mod web_sales;
