//! The audit trail: who changed what, when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::record::{FieldChange, RecordKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Created,
    Updated,
    Deleted,
    Restored,
    Purged,
    /// Another record was merged into this one.
    Merged,
    /// This record was merged into another one (`changes` names it).
    MergedInto,
    Converted,
    /// A list was exported to a file; `record_kind` is the kind exported and
    /// `record_id` the export's own id (`changes` hold format, query and rows).
    Exported,
    /// A file was imported (`record_kind` is the kind, `record_id` the import's id;
    /// `changes` hold the file, mode and counts). Each record written has its own event
    /// whose `request_id` is `import:<id>`.
    Imported,
    /// A finished import was undone.
    ImportUndone,
    /// Security events, on the user they concern.
    LoginSucceeded,
    LoginFailed,
    LoggedOut,
    PasswordChanged,
    /// The record was shared with a user or team (`changes` names them).
    Shared,
    /// A share of the record was withdrawn.
    Unshared,
    /// Someone asked for a password reset link for this user.
    PasswordResetRequested,
    /// A known reset link was refused (`reason`: expired, used or inactive_user).
    PasswordResetRefused,
    /// A known API token was refused (`reason`: expired, revoked or inactive_user).
    TokenRefused,
    /// A dunning level ran for one of an account's invoices (`changes` name the invoice,
    /// the level, where the email went and the call task made).
    Dunned,
    /// A month's statement was emailed to the customer (`changes` name the month, the
    /// currency, the balance and where it went).
    StatementSent,
}

impl AuditAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Updated => "updated",
            AuditAction::Deleted => "deleted",
            AuditAction::Restored => "restored",
            AuditAction::Purged => "purged",
            AuditAction::Merged => "merged",
            AuditAction::MergedInto => "merged_into",
            AuditAction::Converted => "converted",
            AuditAction::Exported => "exported",
            AuditAction::Imported => "imported",
            AuditAction::ImportUndone => "import_undone",
            AuditAction::LoginSucceeded => "login_succeeded",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::LoggedOut => "logged_out",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::Shared => "shared",
            AuditAction::Unshared => "unshared",
            AuditAction::PasswordResetRequested => "password_reset_requested",
            AuditAction::PasswordResetRefused => "password_reset_refused",
            AuditAction::TokenRefused => "token_refused",
            AuditAction::Dunned => "dunned",
            AuditAction::StatementSent => "statement_sent",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        use AuditAction::*;
        [
            Created,
            Updated,
            Deleted,
            Restored,
            Purged,
            Merged,
            MergedInto,
            Converted,
            Exported,
            Imported,
            ImportUndone,
            LoginSucceeded,
            LoginFailed,
            LoggedOut,
            PasswordChanged,
            Shared,
            Unshared,
            PasswordResetRequested,
            PasswordResetRefused,
            TokenRefused,
            Dunned,
            StatementSent,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: Id,
    pub occurred_at: DateTime<Utc>,
    /// The user who acted; null for Cartera itself (purges, jobs).
    pub actor_id: Option<Id>,
    pub action: AuditAction,
    pub record_kind: RecordKind,
    pub record_id: Id,
    pub changes: Vec<FieldChange>,
    /// The HTTP request that made the change, to match it with the server log.
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_by_their_names() {
        for a in [
            AuditAction::Exported,
            AuditAction::Converted,
            AuditAction::LoggedOut,
        ] {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::json!(a.as_str())
            );
        }
        assert_eq!(AuditAction::parse("exported"), Some(AuditAction::Exported));
        assert_eq!(AuditAction::parse("shredded"), None);
    }
}
