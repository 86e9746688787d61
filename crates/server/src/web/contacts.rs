//! Contact pages: the list (record pages come later).

use std::collections::HashMap;

use cartera_core::Id;
use cartera_core::contacts::ContactData;
use cartera_core::record::Record;

use super::lists::{Cell, Listing};
use super::render::{Page, when};

impl Listing for ContactData {
    const TITLE: &'static str = "nav-contacts";
    const NAME_SORT: &'static str = "last_name,first_name";

    fn columns() -> &'static [&'static str] {
        &[
            "col-name",
            "col-job-title",
            "col-email",
            "col-phone",
            "col-updated",
        ]
    }

    fn cells(r: &Record<Self>, page: &Page, _people: &HashMap<Id, String>) -> Vec<Cell> {
        let d = &r.data;
        vec![
            Cell {
                text: d.full_name(),
                // Until contacts have their own page, a contact leads to its account.
                href: d.account_id.map(|a| format!("/accounts/{a}")),
                tags: d.tags.clone(),
                ..Cell::default()
            },
            Cell::text(d.job_title.clone().unwrap_or_default()),
            Cell::text(
                d.emails
                    .first()
                    .map(|e| e.address.clone())
                    .unwrap_or_default(),
            ),
            Cell::text(
                d.phones
                    .first()
                    .map(|p| p.number.clone())
                    .unwrap_or_default(),
            ),
            Cell::text(when(r.meta.updated_at, page.time_zone(), page.locale)),
        ]
    }
}
