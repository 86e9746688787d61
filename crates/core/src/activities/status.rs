//! An activity's status, a leaf of its own: `recurrence` names it for a cancelled
//! occurrence, and `activities` reads `recurrence`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    #[default]
    Planned,
    Done,
    Cancelled,
}

impl ActivityStatus {
    pub const NAMES: &'static [&'static str] = &["planned", "done", "cancelled"];

    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityStatus::Planned => "planned",
            ActivityStatus::Done => "done",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityStatus> {
        use ActivityStatus::*;
        [Planned, Done, Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}
