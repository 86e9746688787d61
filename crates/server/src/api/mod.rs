//! The JSON API under `/api/v1`.

pub mod accounts;
pub mod activities;
pub mod agenda;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod contacts;
pub mod custom_fields;
pub mod dav;
pub mod deals;
pub mod doc;
pub mod extract;
pub mod imports;
pub mod io;
pub mod jobs;
pub mod kinds;
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
use kinds::mount_kind;

/// Every authenticated endpoint, with its description. A record kind is one `mount_kind`
/// line (its merge, shares and export as its facts and its `ApiKind` impl say).
pub fn api() -> Api {
    let mut api = Api::default();
    api = mount_kind::<AccountData>(api);
    api = mount_kind::<ContactData>(api);
    api = mount_kind::<LeadData>(api);
    api = territories::mount(api);
    api = leads::mount(api);
    api = mount_kind::<ActivityData>(api);
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
    api = mount_kind::<DealData>(api);
    api = deals::mount(api);
    api = quotes::mount(api);
    api = orders::mount(api);
    users::mount(api)
}

/// Endpoints that need no credentials.
pub fn public_api() -> Api {
    auth::mount_public(Api::default())
}
