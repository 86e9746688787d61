//! Roles: what the people holding them may do, module by module.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
pub use crate::module::Module;
use crate::users::Scope;
use crate::validate::{Check, Code};

/// Something one may do in a module.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Edit,
    Delete,
    Export,
    /// Configure the module (custom fields of it, settings).
    Admin,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Read,
        Action::Create,
        Action::Edit,
        Action::Delete,
        Action::Export,
        Action::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Admin => "admin",
        }
    }

    /// The API token scope an action needs; a token never does more than its scope.
    pub fn scope(self) -> Scope {
        match self {
            Action::Read | Action::Export => Scope::Read,
            Action::Create | Action::Edit | Action::Delete => Scope::Write,
            Action::Admin => Scope::Admin,
        }
    }
}

/// Whose records of accounts, contacts and leads a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Records the user owns.
    Own,
    /// Records owned by the user or by anyone on a team the user belongs to or manages.
    Team,
    /// Records the user owns, and the accounts and leads of the territories the user
    /// covers (with the contacts of those accounts).
    Territory,
    /// Every record.
    #[default]
    All,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Own => "own",
            Visibility::Team => "team",
            Visibility::Territory => "territory",
            Visibility::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        [
            Visibility::Own,
            Visibility::Team,
            Visibility::Territory,
            Visibility::All,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// The part of the company's accounts, contacts and leads someone sees when their role
/// does not see everything. This is the one policy; the store turns it into SQL for
/// lists and searches, and the app asks it about single records.
///
/// A record is in view when any of these holds:
/// - its owner is one of `owners` (the user; with `team` visibility, their team mates);
/// - it is an account or lead of one of `territories`, or a contact of such an account;
/// - it was shared with one of `grantees` (the user, or a team they belong to or manage).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub owners: Vec<Id>,
    pub territories: Vec<Id>,
    /// Empty when nothing is shared with the user or their teams, so that lists need not
    /// look for shares.
    pub grantees: Vec<Id>,
}

impl View {
    /// What a user with `visibility` sees, from the facts the store read about them:
    /// the members of their teams, the teams themselves, the territories they cover, and
    /// whether anything is shared with them or their teams. `None`: everything.
    pub fn of(
        visibility: Visibility,
        user: Id,
        team_mates: &[Id],
        teams: &[Id],
        territories: &[Id],
        has_shares: bool,
    ) -> Option<View> {
        let mut owners = vec![user];
        let mut covered = Vec::new();
        match visibility {
            Visibility::All => return None,
            Visibility::Own => {}
            Visibility::Team => owners.extend(team_mates.iter().filter(|m| **m != user)),
            Visibility::Territory => covered.extend_from_slice(territories),
        }
        let grantees = if has_shares {
            std::iter::once(user).chain(teams.iter().copied()).collect()
        } else {
            Vec::new()
        };
        Some(View {
            owners,
            territories: covered,
            grantees,
        })
    }

    /// Whether ownership or territory alone put a record in view. `false` means "ask
    /// the store": it may be shared, or be a contact of an account in a territory.
    pub fn admits(&self, owner: Option<Id>, territory: Option<Id>) -> bool {
        owner.is_some_and(|o| self.owners.contains(&o))
            || territory.is_some_and(|t| self.territories.contains(&t))
    }
}

/// What a role grants, as read with a user's credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub permissions: Permissions,
    pub visibility: Visibility,
}

impl Grant {
    /// Everything, everywhere: the administrator, and users from before roles.
    pub fn administrator() -> Grant {
        Grant {
            permissions: everything(),
            visibility: Visibility::All,
        }
    }
}

/// Module -> the actions allowed in it. A module that is absent allows nothing.
pub type Permissions = BTreeMap<Module, BTreeSet<Action>>;

pub fn allows(p: &Permissions, module: Module, action: Action) -> bool {
    p.get(&module).is_some_and(|a| a.contains(&action))
}

/// Every action in every module.
pub fn everything() -> Permissions {
    Module::ALL
        .into_iter()
        .map(|m| (m, Action::ALL.into_iter().collect()))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Role {
    pub id: Id,
    /// Stable name for built-in roles (`admin`, `sales_rep`, ...) and scripts.
    pub key: String,
    pub name: String,
    #[schema(value_type = Object, example = json!({"accounts": ["read", "create", "edit"]}))]
    pub permissions: Permissions,
    pub visibility: Visibility,
    /// Shipped with Cartera; it can be edited (except `admin`) but not removed.
    pub built_in: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// The admin role can always do everything, so that nobody locks the company out.
pub const ADMIN_KEY: &str = "admin";

/// The roles every company starts with: (key, English name, permissions, visibility).
pub fn built_in() -> Vec<(&'static str, &'static str, Permissions, Visibility)> {
    use Action::*;
    use Module::*;
    let set = |entries: &[(Module, &[Action])]| -> Permissions {
        entries
            .iter()
            .map(|(m, a)| (*m, a.iter().copied().collect()))
            .collect()
    };
    let records = [Read, Create, Edit, Delete, Export];
    vec![
        (ADMIN_KEY, "Administrator", everything(), Visibility::All),
        (
            "manager",
            "Sales manager",
            set(&[
                (Accounts, &records),
                (Contacts, &records),
                (Leads, &records),
                (Notes, &[Read, Create, Edit, Delete]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Audit, &[Read]),
                // Admin of activities: the visit and call targets she sets for her team.
                (Activities, &[Read, Create, Edit, Delete, Export, Admin]),
                (Catalog, &records),
                (Deals, &[Read, Create, Edit, Delete, Export, Admin]),
                (Quotes, &records),
                (Orders, &records),
                (Billing, &[Read, Create, Edit, Export, Admin]),
            ]),
            Visibility::Team,
        ),
        (
            "sales_rep",
            "Sales rep",
            set(&[
                (Accounts, &[Read, Create, Edit]),
                (Contacts, &[Read, Create, Edit]),
                (Leads, &[Read, Create, Edit]),
                (Notes, &[Read, Create, Edit]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Catalog, &[Read]),
                (Audit, &[Read]),
                (Activities, &[Read, Create, Edit]),
                (Deals, &[Read, Create, Edit]),
                (Quotes, &[Read, Create, Edit]),
                (Orders, &[Read, Create]),
                (Billing, &[Read]),
            ]),
            Visibility::Own,
        ),
        (
            "support_agent",
            "Support agent",
            set(&[
                (Accounts, &[Read]),
                (Contacts, &[Read, Edit]),
                (Notes, &[Read, Create, Edit]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Activities, &[Read, Create]),
                (Catalog, &[Read]),
                (Quotes, &[Read]),
                (Orders, &[Read]),
            ]),
            Visibility::All,
        ),
        (
            "collections",
            "Collections",
            set(&[
                (Accounts, &[Read, Edit]),
                (Contacts, &[Read, Edit]),
                (Notes, &[Read, Create, Edit]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Activities, &[Read, Create]),
                (Catalog, &[Read]),
                (Quotes, &[Read]),
                (Orders, &[Read]),
                (Billing, &[Read, Create, Edit, Export]),
            ]),
            Visibility::All,
        ),
        (
            "marketing",
            "Marketing",
            set(&[
                (Accounts, &[Read]),
                (Contacts, &[Read, Export]),
                (Leads, &records),
                (Notes, &[Read, Create]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Catalog, &[Read]),
            ]),
            Visibility::All,
        ),
        (
            "logistics",
            "Logistics",
            set(&[
                (Accounts, &[Read]),
                (Contacts, &[Read]),
                (Notes, &[Read, Create]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Catalog, &[Read]),
                (Quotes, &[Read]),
                (Orders, &[Read, Edit]),
            ]),
            Visibility::All,
        ),
        (
            "read_only",
            "Read only",
            set(&[
                (Accounts, &[Read]),
                (Contacts, &[Read]),
                (Leads, &[Read]),
                (Notes, &[Read]),
                (CustomFields, &[Read]),
                (Settings, &[Read]),
                (Catalog, &[Read]),
                (Audit, &[Read]),
                (Activities, &[Read]),
                (Deals, &[Read]),
                (Quotes, &[Read]),
                (Orders, &[Read]),
                (Billing, &[Read]),
            ]),
            Visibility::All,
        ),
    ]
}

/// People who work together; a manager whose role sees `team` sees their records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub manager_id: Option<Id>,
    pub member_ids: Vec<Id>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// Checks a role as an admin writes it.
pub fn validate_role(key: &str, name: &str, c: &mut Check) {
    c.required("name", name);
    c.max_chars("name", name, 60);
    if key.is_empty()
        || key.len() > 40
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        c.add(
            "key",
            Code::Invalid,
            "must be 1 to 40 lowercase letters, digits or underscores",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_roles_are_distinct_and_admin_can_do_everything() {
        let roles = built_in();
        let keys: BTreeSet<_> = roles.iter().map(|r| r.0).collect();
        assert_eq!(keys.len(), roles.len());
        assert_eq!(roles.len(), 8);
        let admin = &roles[0].2;
        assert_eq!(roles[0].3, Visibility::All);
        assert_eq!(
            roles.iter().find(|r| r.0 == "sales_rep").unwrap().3,
            Visibility::Own
        );
        assert_eq!(
            roles.iter().find(|r| r.0 == "manager").unwrap().3,
            Visibility::Team
        );
        for m in Module::ALL {
            for a in Action::ALL {
                assert!(allows(admin, m, a));
            }
        }
        let manager = &roles.iter().find(|r| r.0 == "manager").unwrap().2;
        assert!(
            allows(manager, Module::Activities, Action::Admin),
            "sets targets"
        );
        let rep = &roles.iter().find(|r| r.0 == "sales_rep").unwrap().2;
        assert!(!allows(rep, Module::Activities, Action::Admin));
        assert!(allows(rep, Module::Accounts, Action::Edit));
        assert!(!allows(rep, Module::Accounts, Action::Delete));
        assert!(!allows(rep, Module::Settings, Action::Admin));
    }

    #[test]
    fn permissions_read_and_write_as_json() {
        let p: Permissions =
            serde_json::from_str(r#"{"accounts": ["read", "edit"], "leads": []}"#).unwrap();
        assert!(allows(&p, Module::Accounts, Action::Edit));
        assert!(!allows(&p, Module::Leads, Action::Read));
        assert!(!allows(&p, Module::Contacts, Action::Read));
        assert!(serde_json::from_str::<Permissions>(r#"{"planets": ["read"]}"#).is_err());
        assert!(serde_json::from_str::<Permissions>(r#"{"accounts": ["fly"]}"#).is_err());
    }

    #[test]
    fn actions_need_matching_token_scopes() {
        assert_eq!(Action::Export.scope(), Scope::Read);
        assert_eq!(Action::Delete.scope(), Scope::Write);
        assert_eq!(Action::Admin.scope(), Scope::Admin);
    }
}
