//! Lead pages: the list (record pages and conversion come later).

use cartera_core::Id;
use cartera_core::leads::{LeadData, LeadStatus};
use cartera_core::record::{Record, RecordData};

use super::lists::{Cell, EnumFilter, Listing, Names};
use super::render::{Page, when};

impl Listing for LeadData {
    const TITLE: &'static str = "nav-leads";
    const NAME_SORT: &'static str = "last_name,first_name";

    fn filter() -> Option<EnumFilter> {
        Some(EnumFilter {
            field: "status",
            label: "col-status",
            values: LeadStatus::NAMES,
            value_prefix: "lead-status-",
        })
    }

    fn territory_of(r: &Record<Self>) -> Option<Id> {
        r.data.territory_id
    }

    fn cell(r: &Record<Self>, col: &str, page: &Page, names: &Names) -> Cell {
        let d = &r.data;
        match col {
            "name" => Cell {
                text: d.title(),
                sub: d.email.clone().filter(|_| !names.shows("email")),
                tags: if names.shows("tags") {
                    Vec::new()
                } else {
                    d.tags.clone()
                },
                ..Cell::default()
            },
            "company" => Cell::text(d.company_name.clone().unwrap_or_default()),
            "status" => {
                let status = serde_json::to_value(d.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                Cell {
                    badge: Some(page.t(&format!("lead-status-{status}"))),
                    ..Cell::default()
                }
            }
            "source" => Cell::text(d.source.clone().unwrap_or_default()),
            "email" => Cell::text(d.email.clone().unwrap_or_default()),
            "owner" => Cell::text(names.person(d.owner_id)),
            "tags" => Cell {
                tags: d.tags.clone(),
                ..Cell::default()
            },
            "created" => Cell::text(when(r.meta.created_at, page.time_zone(), page.locale)),
            "updated" => Cell::text(when(r.meta.updated_at, page.time_zone(), page.locale)),
            _ => Cell::default(),
        }
    }
}
