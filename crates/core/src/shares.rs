//! Sharing a record with a person or a team who would not see it otherwise: a rep
//! covering a colleague's customer during holidays, a support team following an account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::record::RecordKind;

/// Who a record is shared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    User(Id),
    Team(Id),
}

impl Grantee {
    pub fn id(&self) -> Id {
        match self {
            Grantee::User(id) | Grantee::Team(id) => *id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Grantee::User(_) => "user",
            Grantee::Team(_) => "team",
        }
    }

    pub fn from_parts(kind: &str, id: Id) -> Option<Grantee> {
        match kind {
            "user" => Some(Grantee::User(id)),
            "team" => Some(Grantee::Team(id)),
            _ => None,
        }
    }
}

/// A record shared with a user or a team. The grantee sees the record as if it were in
/// their portfolio; what they may do with it is still up to their role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Share {
    pub id: Id,
    pub record_kind: RecordKind,
    pub record_id: Id,
    /// `{"user": "<id>"}` or `{"team": "<id>"}`.
    pub grantee: Grantee,
    pub created_by: Option<Id>,
    pub created_at: DateTime<Utc>,
}

/// The audit trail's change for a share given (`added`) or withdrawn.
pub fn shared_change(grantee: &Grantee, added: bool) -> crate::record::FieldChange {
    let who = serde_json::to_value(grantee).unwrap_or(serde_json::Value::Null);
    let (old, new) = if added {
        (serde_json::Value::Null, who)
    } else {
        (who, serde_json::Value::Null)
    };
    crate::record::FieldChange {
        field: "shared_with".into(),
        old,
        new,
    }
}
