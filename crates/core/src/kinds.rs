//! The kinds of records Cartera keeps, and one table of what each kind is: its names,
//! its module, and which of the generic machinery it takes part in (custom fields,
//! search, shares, merge, export...). Whatever asks "which kinds ..." reads this table;
//! a new kind adds its variant to `RecordKind` and its row to `FACTS`, and the store's,
//! the app's and the API's registries are tested against it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::module::Module;

/// The kinds of things Cartera keeps. Audit events and notes name them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Account,
    Contact,
    Lead,
    Note,
    CustomField,
    User,
    ApiToken,
    Setting,
    Territory,
    Activity,
    Job,
    Product,
    PriceList,
    Deal,
    Pipeline,
    Quota,
    CommissionPlan,
    Quote,
    Order,
    Invoice,
    Payment,
    Cheque,
}

/// What the generic machinery needs to know about a kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub kind: RecordKind,
    /// Its name in JSON and in audit events: `account` (the `RecordKind` spelling).
    pub name: &'static str,
    /// The resource name in URLs: `accounts`.
    pub plural: &'static str,
    /// The module whose rights govern it.
    pub module: Module,
    /// Kept by the generic record machinery (the store's `records::Table`, the app's
    /// `records::Kind`): one table with a full-text index its lists search, the trash,
    /// duplicates, links and visibility. The store's and the app's kind registries hold
    /// exactly these kinds.
    pub generic: bool,
    /// Custom fields (and with them notes and tags) attach to it.
    pub custom_fields: bool,
    /// Its records show in the search box (over every kind).
    pub searchable: bool,
    /// Whoever sees one of its records may read that record's audit trail; the trail of
    /// other kinds (users, tokens, settings...) takes the audit admin right.
    pub open_trail: bool,
    /// Its records belong to an account and show on that account's timeline (a
    /// contact's notes, activities, the changes of deals, quotes and orders).
    pub account_timeline: bool,
    /// Two of its records can be merged into one (`POST /{plural}/{id}/merge`).
    pub mergeable: bool,
    /// Its records can be shared with a user or a team (`/{plural}/{id}/shares`).
    pub shareable: bool,
    /// Its lists can be exported to a file (`GET /{plural}/export`).
    pub exportable: bool,
    /// A file can be imported into it.
    pub importable: bool,
    /// Its lists have saved views.
    pub views: bool,
}

/// A kind none of the generic machinery knows: only its names and module.
const fn plain(
    kind: RecordKind,
    name: &'static str,
    plural: &'static str,
    module: Module,
) -> Facts {
    Facts {
        kind,
        name,
        plural,
        module,
        generic: false,
        custom_fields: false,
        searchable: false,
        open_trail: false,
        account_timeline: false,
        mergeable: false,
        shareable: false,
        exportable: false,
        importable: false,
        views: false,
    }
}

/// One row per kind, in the order of `RecordKind`'s variants (checked when compiling).
pub const FACTS: [Facts; 22] = [
    Facts {
        generic: true,
        custom_fields: true,
        searchable: true,
        open_trail: true,
        mergeable: true,
        shareable: true,
        exportable: true,
        importable: true,
        views: true,
        ..plain(RecordKind::Account, "account", "accounts", Module::Accounts)
    },
    Facts {
        generic: true,
        custom_fields: true,
        searchable: true,
        open_trail: true,
        account_timeline: true,
        mergeable: true,
        shareable: true,
        exportable: true,
        importable: true,
        views: true,
        ..plain(RecordKind::Contact, "contact", "contacts", Module::Contacts)
    },
    Facts {
        generic: true,
        custom_fields: true,
        searchable: true,
        open_trail: true,
        shareable: true,
        exportable: true,
        importable: true,
        views: true,
        ..plain(RecordKind::Lead, "lead", "leads", Module::Leads)
    },
    plain(RecordKind::Note, "note", "notes", Module::Notes),
    plain(
        RecordKind::CustomField,
        "custom_field",
        "custom_fields",
        Module::CustomFields,
    ),
    plain(RecordKind::User, "user", "users", Module::Settings),
    plain(
        RecordKind::ApiToken,
        "api_token",
        "tokens",
        Module::Settings,
    ),
    plain(RecordKind::Setting, "setting", "settings", Module::Settings),
    plain(
        RecordKind::Territory,
        "territory",
        "territories",
        Module::Settings,
    ),
    Facts {
        generic: true,
        custom_fields: true,
        searchable: true,
        open_trail: true,
        account_timeline: true,
        views: true,
        ..plain(
            RecordKind::Activity,
            "activity",
            "activities",
            Module::Activities,
        )
    },
    plain(RecordKind::Job, "job", "jobs", Module::Settings),
    plain(RecordKind::Product, "product", "products", Module::Catalog),
    plain(
        RecordKind::PriceList,
        "price_list",
        "price_lists",
        Module::Catalog,
    ),
    // Deals are shared like accounts (a grantee sees the deal, not its quotes).
    Facts {
        generic: true,
        custom_fields: true,
        account_timeline: true,
        shareable: true,
        ..plain(RecordKind::Deal, "deal", "deals", Module::Deals)
    },
    plain(RecordKind::Pipeline, "pipeline", "pipelines", Module::Deals),
    plain(RecordKind::Quota, "quota", "quotas", Module::Deals),
    plain(
        RecordKind::CommissionPlan,
        "commission_plan",
        "commission_plans",
        Module::Deals,
    ),
    Facts {
        account_timeline: true,
        ..plain(RecordKind::Quote, "quote", "quotes", Module::Quotes)
    },
    Facts {
        account_timeline: true,
        ..plain(RecordKind::Order, "order", "orders", Module::Orders)
    },
    Facts {
        account_timeline: true,
        ..plain(RecordKind::Invoice, "invoice", "invoices", Module::Billing)
    },
    Facts {
        account_timeline: true,
        ..plain(RecordKind::Payment, "payment", "payments", Module::Billing)
    },
    Facts {
        account_timeline: true,
        ..plain(RecordKind::Cheque, "cheque", "cheques", Module::Billing)
    },
];

// Row `i` is the kind whose discriminant is `i`, so that `facts` is one index; the unit
// tests check that every variant has its row.
const _: () = {
    let mut i = 0;
    while i < FACTS.len() {
        assert!(
            FACTS[i].kind as usize == i,
            "FACTS must follow RecordKind's order"
        );
        i += 1;
    }
};

impl RecordKind {
    /// Every kind, in the table's order.
    pub const ALL: [RecordKind; FACTS.len()] = {
        let mut all = [RecordKind::Account; FACTS.len()];
        let mut i = 0;
        while i < FACTS.len() {
            all[i] = FACTS[i].kind;
            i += 1;
        }
        all
    };

    /// This kind's row of the table.
    pub const fn facts(self) -> &'static Facts {
        &FACTS[self as usize]
    }

    /// The kinds whose facts say `pick`, in the table's order:
    /// `RecordKind::all_where(|f| f.searchable)`.
    pub fn all_where(pick: impl Fn(&Facts) -> bool) -> impl Iterator<Item = RecordKind> {
        FACTS.iter().filter(move |f| pick(f)).map(|f| f.kind)
    }

    pub fn as_str(&self) -> &'static str {
        self.facts().name
    }

    /// The resource name in URLs: `accounts`.
    pub fn plural(&self) -> &'static str {
        self.facts().plural
    }

    /// The kind named `s`, singular or plural.
    pub fn parse(s: &str) -> Option<RecordKind> {
        FACTS
            .iter()
            .find(|f| f.name == s || f.plural == s)
            .map(|f| f.kind)
    }

    /// Whether custom fields, notes and tags attach to this kind.
    pub fn has_custom_fields(self) -> bool {
        self.facts().custom_fields
    }
}

impl Module {
    /// The module a kind of record belongs to.
    pub fn of(kind: RecordKind) -> Module {
        kind.facts().module
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use utoipa::PartialSchema;
    use utoipa::openapi::{RefOr, Schema};

    /// Every variant's JSON spelling, from the enum itself (its OpenAPI schema), not from
    /// the table.
    fn spellings() -> Vec<String> {
        let RefOr::T(Schema::Object(o)) = RecordKind::schema() else {
            panic!("RecordKind's schema is an enum of strings");
        };
        o.enum_values
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn every_kind_has_exactly_one_row() {
        let spelled = spellings();
        assert_eq!(spelled.len(), FACTS.len(), "one row per variant");
        for s in &spelled {
            let kind: RecordKind = serde_json::from_value(serde_json::json!(s)).unwrap();
            let rows: Vec<&Facts> = FACTS.iter().filter(|f| f.kind == kind).collect();
            assert_eq!(rows.len(), 1, "{s}");
            // The table's name is the JSON spelling.
            assert_eq!(rows[0].name, s, "{s}");
            assert_eq!(kind.facts().kind, kind);
        }
    }

    #[test]
    fn names_and_plurals_are_unique() {
        let mut seen = HashSet::new();
        for f in &FACTS {
            assert!(seen.insert(f.name), "{} twice", f.name);
            assert!(seen.insert(f.plural), "{} twice", f.plural);
        }
    }

    #[test]
    fn parse_round_trips() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
            assert_eq!(RecordKind::parse(k.plural()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(RecordKind::parse("no_such_kind"), None);
        assert_eq!(RecordKind::parse(""), None);
    }

    #[test]
    fn generic_machinery_needs_a_generic_kind() {
        // Custom fields, search, shares, merge, export, import and saved views all go
        // through the generic record storage.
        for f in &FACTS {
            let needs = f.custom_fields
                || f.searchable
                || f.open_trail
                || f.mergeable
                || f.shareable
                || f.exportable
                || f.importable
                || f.views;
            assert!(!needs || f.generic, "{} is not a generic kind", f.name);
        }
    }
}
