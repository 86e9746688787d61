//! The web interface: server-rendered pages (minijinja templates, htmx for partial
//! updates) that call the same `cartera_app` use cases as the JSON API.

pub mod accounts;
pub mod activities;
pub mod activity_query;
pub mod activity_views;
pub mod admin;
pub mod admin_billing;
pub mod agenda;
pub mod assets;
pub mod auth;
pub mod billing;
pub mod billing_accounts;
pub mod billing_cheques;
pub mod billing_common;
pub mod billing_imports;
pub mod billing_invoices;
pub mod billing_payments;
pub mod billing_print;
pub mod billing_receipt;
pub mod billing_risk;
pub mod catalog;
pub mod commissions;
pub mod contacts;
pub mod deal_form;
pub mod deals;
pub mod embedded;
pub mod figures;
pub mod forms;
pub mod i18n;
pub mod import_problems;
pub mod imports;
pub mod leads;
pub mod lists;
pub mod my_day;
pub mod my_day_sales;
pub mod notes;
pub mod orders;
pub mod panels;
pub mod password;
pub mod pickers;
pub mod placement;
pub mod qr;
pub mod quotes;
pub mod record_extras;
pub mod records;
pub mod render;
pub mod search;
pub mod settings;
pub mod shares;
pub mod timeline;
pub mod ui;
pub mod views;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub use ui::Ui;

/// Every page, behind the session layer; the static files, without it (they need no
/// database). Each area's module says its own routes.
pub fn router(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .merge(auth::routes())
        .merge(password::routes())
        .merge(my_day::routes())
        .merge(search::routes())
        .merge(pickers::routes())
        .merge(accounts::routes())
        .merge(contacts::routes())
        .merge(leads::routes())
        .merge(deals::routes())
        .merge(deal_form::routes())
        .merge(views::routes())
        .merge(settings::routes())
        .merge(admin::routes())
        .merge(agenda::routes())
        .merge(activities::routes())
        .merge(activity_views::routes())
        .merge(imports::routes())
        .merge(quotes::routes())
        .merge(orders::routes())
        .merge(catalog::routes())
        .merge(commissions::routes())
        .merge(billing::routes())
        // Inside the session layer, so that the refusal page speaks the person's language.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forms::refuse_nul,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::session_layer,
        ));
    Router::new()
        .route("/static/{version}/{file}", get(assets::serve))
        .merge(pages)
        .route_layer(axum::middleware::from_fn(crate::middleware::tag_route))
}
