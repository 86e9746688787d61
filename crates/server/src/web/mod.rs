//! The web interface: server-rendered pages (minijinja templates, htmx for partial
//! updates) that call the same `cartera_app` use cases as the JSON API.

pub mod accounts;
pub mod admin;
pub mod agenda;
pub mod assets;
pub mod auth;
pub mod catalog;
pub mod commissions;
pub mod contacts;
pub mod deals;
pub mod figures;
pub mod forms;
pub mod i18n;
pub mod imports;
pub mod leads;
pub mod lists;
pub mod my_day;
pub mod orders;
pub mod password;
pub mod qr;
pub mod quotes;
pub mod records;
pub mod render;
pub mod search;
pub mod settings;
pub mod shares;
pub mod views;

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
        .route("/deals", get(deals::board))
        .route("/deals/list", get(deals::list))
        .route("/deals/{id}", get(deals::show))
        .route("/deals/{id}/move", post(deals::move_deal))
        // sales-rest: a deal's "Shared with" box.
        .route(
            "/deals/{id}/shares",
            post(shares::add::<cartera_core::deals::DealData>),
        )
        .route(
            "/deals/{id}/shares/{share}/remove",
            post(shares::remove::<cartera_core::deals::DealData>),
        )
        .route("/forecast", get(deals::forecast))
        .merge(settings_routes())
        .merge(views::routes())
        .merge(records::routes())
        .merge(agenda::routes())
        .merge(imports::routes())
        // Quotes and orders (quote pages)
        .merge(quotes::routes())
        .merge(orders::routes())
        // sales-rest: catalogue, price lists, quotas and commissions.
        .merge(catalog::routes())
        .merge(commissions::routes())
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

/// Password pages, the person's settings and the administration.
pub fn settings_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/forgot-password",
            get(password::forgot_page).post(password::forgot),
        )
        .route(
            "/reset-password",
            get(password::reset_page).post(password::reset),
        )
        .route("/settings", get(settings::page))
        .route("/settings/profile", post(settings::profile))
        .route("/settings/language", post(settings::language))
        .route("/settings/password", post(settings::password))
        .route("/settings/totp", post(settings::totp_begin))
        .route("/settings/totp/confirm", post(settings::totp_confirm))
        .route("/settings/totp/disable", post(settings::totp_disable))
        .route("/settings/tokens", post(settings::token_create))
        .route("/settings/tokens/{id}/revoke", post(settings::token_revoke))
        .route("/settings/calendar-feed", post(settings::calendar_feed))
        .route("/admin", get(admin::home))
        .route("/admin/users", get(admin::users_page).post(admin::invite))
        .route("/admin/users/{id}", post(admin::change_user))
        .route("/admin/roles", get(admin::roles_page))
        .route(
            "/admin/roles/{id}",
            get(admin::role_page).post(admin::save_role),
        )
        .route(
            "/admin/teams",
            get(admin::teams_page).post(admin::create_team),
        )
        .route("/admin/teams/{id}", post(admin::update_team))
        .route(
            "/admin/territories",
            get(admin::territories_page).post(admin::create_territory),
        )
        .route("/admin/territories/{id}", post(admin::update_territory))
        .route(
            "/admin/custom-fields",
            get(admin::fields_page).post(admin::create_field),
        )
}
