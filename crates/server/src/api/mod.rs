//! The JSON API under `/api/v1`.

pub mod activities;
pub mod agenda;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod custom_fields;
pub mod dav;
pub mod deals;
pub mod doc;
pub mod extract;
pub mod imports;
pub mod io;
pub mod jobs;
pub mod leads;
pub mod notes;
pub mod orders;
pub mod paging;
pub mod quotes;
pub mod records;
pub mod roles;
pub mod search;
pub mod settings;
pub mod shares;
pub mod territories;
pub mod totals;
pub mod users;
pub mod views;

use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::leads::LeadData;

use doc::Api;

/// Every authenticated endpoint, with its description.
pub fn api() -> Api {
    let mut api = Api::default();
    api = records::mount::<AccountData>(api, "Account");
    api = records::mount_merge::<AccountData>(api, "Account");
    api = records::mount::<ContactData>(api, "Contact");
    api = records::mount_merge::<ContactData>(api, "Contact");
    api = records::mount::<LeadData>(api, "Lead");
    api = shares::mount::<AccountData>(api);
    api = shares::mount::<ContactData>(api);
    api = shares::mount::<LeadData>(api);
    api = territories::mount(api);
    api = leads::mount(api);
    api = io::mount::<AccountData>(api);
    api = io::mount::<ContactData>(api);
    api = io::mount::<LeadData>(api);
    api = records::mount::<ActivityData>(api, "Activity");
    api = activities::mount(api);
    api = agenda::mount(api);
    api = notes::mount(api);
    api = audit::mount(api);
    api = custom_fields::mount(api);
    api = search::mount(api);
    api = settings::mount(api);
    api = auth::mount(api);
    api = roles::mount(api);
    api = views::mount(api);
    api = jobs::mount(api);
    api = totals::mount(api);
    api = catalog::mount(api);
    api = dav::mount(api);
    api = imports::mount(api);
    api = records::mount::<DealData>(api, "Deal");
    api = deals::mount(api);
    // sales-rest: deals are shared like accounts (a grantee sees the deal, not its quotes).
    api = shares::mount::<DealData>(api);
    api = quotes::mount(api);
    api = orders::mount(api);
    users::mount(api)
}

/// Endpoints that need no credentials.
pub fn public_api() -> Api {
    auth::mount_public(Api::default())
}
