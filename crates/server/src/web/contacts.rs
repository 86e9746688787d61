//! Contact pages: the list (record pages come later).

use cartera_core::Id;
use cartera_core::contacts::ContactData;
use cartera_core::record::Record;

use super::lists::{Cell, Listing, Names};
use super::render::{Page, when};

impl Listing for ContactData {
    const TITLE: &'static str = "nav-contacts";
    const NAME_SORT: &'static str = "last_name,first_name";

    fn account_of(r: &Record<Self>) -> Option<Id> {
        r.data.account_id
    }

    fn cell(r: &Record<Self>, col: &str, page: &Page, names: &Names) -> Cell {
        let d = &r.data;
        match col {
            "name" => Cell {
                text: d.full_name(),
                // Until contacts have their own page, a contact leads to its account.
                href: d.account_id.map(|a| format!("/accounts/{a}")),
                tags: if names.shows("tags") {
                    Vec::new()
                } else {
                    d.tags.clone()
                },
                ..Cell::default()
            },
            "account" => Cell {
                text: d
                    .account_id
                    .and_then(|a| names.accounts.get(&a).cloned())
                    .unwrap_or_default(),
                href: d
                    .account_id
                    .filter(|a| names.accounts.contains_key(a))
                    .map(|a| format!("/accounts/{a}")),
                ..Cell::default()
            },
            "job_title" => Cell::text(d.job_title.clone().unwrap_or_default()),
            "email" => Cell::text(
                d.emails
                    .first()
                    .map(|e| e.address.clone())
                    .unwrap_or_default(),
            ),
            "phone" => Cell::text(
                d.phones
                    .first()
                    .map(|p| p.number.clone())
                    .unwrap_or_default(),
            ),
            "owner" => Cell::text(names.person(d.owner_id)),
            "tags" => Cell {
                tags: d.tags.clone(),
                ..Cell::default()
            },
            "updated" => Cell::text(when(r.meta.updated_at, page.time_zone(), page.locale)),
            _ => Cell::default(),
        }
    }
}
