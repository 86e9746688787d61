//! Lead pages: the list (record pages and conversion come later).

use std::collections::HashMap;

use cartera_core::Id;
use cartera_core::leads::{LeadData, LeadStatus};
use cartera_core::record::{Record, RecordData};

use super::lists::{Cell, EnumFilter, Listing};
use super::render::{Page, when};

impl Listing for LeadData {
    const TITLE: &'static str = "nav-leads";
    const NAME_SORT: &'static str = "last_name,first_name";

    fn columns() -> &'static [&'static str] {
        &[
            "col-name",
            "col-company",
            "col-status",
            "col-owner",
            "col-updated",
        ]
    }

    fn filter() -> Option<EnumFilter> {
        Some(EnumFilter {
            field: "status",
            label: "col-status",
            values: LeadStatus::NAMES,
            value_prefix: "lead-status-",
        })
    }

    fn cells(r: &Record<Self>, page: &Page, people: &HashMap<Id, String>) -> Vec<Cell> {
        let d = &r.data;
        let status = serde_json::to_value(d.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        vec![
            Cell {
                text: d.title(),
                sub: d.email.clone(),
                tags: d.tags.clone(),
                ..Cell::default()
            },
            Cell::text(d.company_name.clone().unwrap_or_default()),
            Cell {
                badge: Some(page.t(&format!("lead-status-{status}"))),
                ..Cell::default()
            },
            Cell::text(
                d.owner_id
                    .and_then(|o| people.get(&o).cloned())
                    .unwrap_or_default(),
            ),
            Cell::text(when(r.meta.updated_at, page.time_zone(), page.locale)),
        ]
    }
}
