//! The activities page's query: its toolbar's choices (search, period, type, status,
//! "only mine", the record it is narrowed to, sort, the saved view open), their address,
//! and their form in the API's list grammar, which a saved view keeps. The period is
//! never saved: it is relative to the day a view is opened.

use serde::{Deserialize, Serialize};

use cartera_core::Id;
use cartera_core::activities::{ActivityKind, ActivityStatus};
use cartera_core::views::query_params;

/// The page's sorts and the API's.
const SORTS: &[(&str, &str)] = &[
    ("due", "due_date,starts_at"),
    ("created", "-created_at"),
    ("subject", "subject"),
    ("updated", "-updated_at"),
];

/// The record filters of the page and their fields.
pub const RECORDS: &[(&str, &str)] = &[
    ("account", "account_id"),
    ("contact", "contact_id"),
    ("lead", "lead_id"),
    ("deal", "deal_id"),
];

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub(crate) q: String,
    /// `overdue`, `today`, `week` or empty.
    #[serde(default)]
    pub(crate) when: String,
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) status: String,
    /// `1`: only the reader's own.
    #[serde(default)]
    pub(crate) mine: String,
    /// Someone else's only (a shared view saved with "only mine" by its owner).
    #[serde(default)]
    pub(crate) owner: String,
    #[serde(default)]
    pub(crate) account: String,
    #[serde(default)]
    pub(crate) contact: String,
    #[serde(default)]
    pub(crate) lead: String,
    #[serde(default)]
    pub(crate) deal: String,
    #[serde(default)]
    pub(crate) sort: String,
    /// The saved view open, by id.
    #[serde(default)]
    pub(crate) view: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cursor: Option<String>,
}

impl ListQuery {
    pub(crate) fn url(&self, cursor: Option<&str>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("view", self.view.as_str()),
            ("q", self.q.trim()),
            ("when", &self.when),
            ("kind", &self.kind),
            ("status", &self.status),
            ("mine", &self.mine),
            ("owner", &self.owner),
            ("account", &self.account),
            ("contact", &self.contact),
            ("lead", &self.lead),
            ("deal", &self.deal),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if let Some(c) = cursor {
            s.append_pair("cursor", c);
        }
        let qs = s.finish();
        if qs.is_empty() {
            "/activities".into()
        } else {
            format!("/activities?{qs}")
        }
    }

    /// The id a record filter holds (`account`, `contact`, `lead`, `deal`).
    pub(crate) fn record_value(&self, which: &str) -> Option<&str> {
        match which {
            "account" => Some(&self.account),
            "contact" => Some(&self.contact),
            "lead" => Some(&self.lead),
            "deal" => Some(&self.deal),
            _ => None,
        }
        .map(String::as_str)
        .filter(|v| !v.is_empty())
    }

    pub(crate) fn set_record(&mut self, which: &str, id: String) {
        match which {
            "account" => self.account = id,
            "contact" => self.contact = id,
            "lead" => self.lead = id,
            "deal" => self.deal = id,
            _ => {}
        }
    }

    /// Whether the reader chose anything in the toolbar beyond the period (an open view
    /// then shows their choices, not its own).
    pub(crate) fn chosen(&self) -> bool {
        !self.q.trim().is_empty()
            || !self.kind.is_empty()
            || !self.status.is_empty()
            || !self.mine.is_empty()
            || !self.owner.is_empty()
            || !self.sort.is_empty()
            || self.record().is_some()
    }

    /// The owner the list is narrowed to: the reader for "only mine", else `owner`.
    pub(crate) fn owner_id(&self, me: Id) -> Option<Id> {
        if self.mine.is_empty() {
            self.owner.parse().ok()
        } else {
            Some(me)
        }
    }

    pub(crate) fn filtered(&self) -> bool {
        !self.when.is_empty() || self.chosen()
    }

    /// The record the list is narrowed to: `(field, id)`.
    pub(crate) fn record(&self) -> Option<(&'static str, Id)> {
        [
            ("account_id", &self.account),
            ("contact_id", &self.contact),
            ("lead_id", &self.lead),
            ("deal_id", &self.deal),
        ]
        .into_iter()
        .find_map(|(f, v)| v.parse::<Id>().ok().map(|id| (f, id)))
    }

    /// The toolbar's choices in the API's list grammar. "Only mine" is saved as the saver's
    /// id, so that a shared view shows the same activities to whoever opens it.
    pub fn saved_query(&self, me: Id) -> String {
        let q = self;
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !q.q.trim().is_empty() {
            out.append_pair("q", q.q.trim());
        }
        if ActivityKind::parse(&q.kind).is_some() {
            out.append_pair("filter[kind]", &q.kind);
        }
        if ActivityStatus::parse(&q.status).is_some() {
            out.append_pair("filter[status]", &q.status);
        }
        let owner = if q.mine.is_empty() {
            q.owner.parse::<Id>().ok()
        } else {
            Some(me)
        };
        if let Some(o) = owner {
            out.append_pair("filter[owner_id]", &o.to_string());
        }
        for (page, field) in RECORDS {
            if let Some(v) = q.record_value(page).filter(|v| v.parse::<Id>().is_ok()) {
                out.append_pair(&format!("filter[{field}]"), v);
            }
        }
        if let Some((_, api)) = SORTS.iter().find(|(p, _)| *p == q.sort) {
            out.append_pair("sort", api);
        }
        out.finish()
    }

    /// The toolbar a saved query shows: the inverse of [`ListQuery::saved_query`]. What the
    /// page has no control for is left out.
    pub fn from_saved(saved: &str, me: Id, view: &str, when: &str) -> ListQuery {
        let mut q = ListQuery {
            view: view.to_owned(),
            when: when.to_owned(),
            ..ListQuery::default()
        };
        for (k, v) in query_params(saved) {
            match k.as_str() {
                "q" => q.q = v,
                "filter[kind]" => q.kind = v,
                "filter[status]" => q.status = v,
                "filter[owner_id]" if v == me.to_string() => q.mine = "1".into(),
                "filter[owner_id]" => q.owner = v,
                "sort" => {
                    if let Some((page, _)) = SORTS.iter().find(|(_, api)| *api == v) {
                        q.sort = (*page).to_owned();
                    }
                }
                other => {
                    if let Some((page, _)) = RECORDS
                        .iter()
                        .find(|(_, f)| other == format!("filter[{f}]"))
                    {
                        q.set_record(page, v);
                    }
                }
            }
        }
        q
    }
}
