//! The JSON API under `/api/v1`.

pub mod accounts;
pub mod activities;
pub mod agenda;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod billing_dunning;
pub mod billing_imports;
pub mod billing_interest;
pub mod billing_statements;
pub mod billing_template;
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
    api = billing::mount(api);
    api = billing_dunning::mount(api);
    api = billing_statements::mount(api);
    api = billing_interest::mount(api);
    api = billing_imports::mount(api);
    api = billing_template::mount(api);
    users::mount(api)
}

/// Endpoints that need no credentials.
pub fn public_api() -> Api {
    auth::mount_public(Api::default())
}

/// The kinds' routes agree with the kinds table (`kinds::mount_kind`).
#[cfg(test)]
mod kind_routes {
    use cartera_core::record::RecordKind;
    use utoipa::openapi::PathItem;

    fn has(paths: &std::collections::BTreeMap<String, PathItem>, path: &str, post: bool) -> bool {
        paths.get(path).is_some_and(|p| {
            if post {
                p.post.is_some()
            } else {
                p.get.is_some()
            }
        })
    }

    #[test]
    fn the_mounted_routes_agree_with_the_facts() {
        let (_, doc) = super::api().finish();
        let paths = &doc.paths.paths;
        for kind in RecordKind::ALL {
            let f = kind.facts();
            let base = format!("/api/v1/{}", f.plural);
            let item = format!("{base}/{{id}}");
            if f.generic {
                assert!(
                    has(paths, &format!("{item}/restore"), true),
                    "{}: the generic kinds are mounted with mount_kind",
                    f.name
                );
            }
            assert_eq!(
                has(paths, &format!("{item}/merge"), true),
                f.mergeable,
                "{}: merge routes and the facts' mergeable",
                f.name
            );
            assert_eq!(
                has(paths, &format!("{item}/shares"), false),
                f.shareable,
                "{}: share routes and the facts' shareable",
                f.name
            );
            assert_eq!(
                has(paths, &format!("{base}/export"), false),
                f.exportable,
                "{}: export routes and the facts' exportable",
                f.name
            );
        }
    }
}
