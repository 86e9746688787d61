//! The web interface: server-rendered pages (minijinja templates, htmx for partial
//! updates) that call the same `cartera_app` use cases as the JSON API.

pub mod accounts;
pub mod assets;
pub mod auth;
pub mod contacts;
pub mod i18n;
pub mod leads;
pub mod lists;
pub mod my_day;
pub mod records;
pub mod render;
pub mod search;
pub mod shares;

use axum::Router;
use axum::routing::{get, post};

use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;

use crate::state::AppState;

pub use render::Ui;

/// Every page, behind the session layer; the static files, without it (they need no
/// database).
pub fn router(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(auth::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/my-day", get(my_day::page))
        .route("/search", get(search::page))
        .route(
            "/accounts",
            get(lists::list_page::<AccountData>).post(accounts::create),
        )
        .route("/accounts/new", get(accounts::new_form))
        .route("/accounts/{id}", get(accounts::show))
        .route("/accounts/{id}/notes", post(accounts::add_note))
        .route("/contacts", get(lists::list_page::<ContactData>))
        .route("/leads", get(lists::list_page::<LeadData>))
        .merge(records::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::session_layer,
        ));
    Router::new()
        .route("/static/{version}/{file}", get(assets::serve))
        .merge(pages)
        .route_layer(axum::middleware::from_fn(crate::middleware::tag_route))
}
