//! The agenda's automations: in-app notifications, the follow-up rules an admin sets,
//! and visit and call targets per rep and month.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::record::RecordKind;
use crate::validate::{Check, Code};

/// Why a notification was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// An activity is coming up.
    Reminder,
    /// A follow-up task was put on the agenda (e.g. after a quote was sent).
    FollowUp,
    /// A visit was marked done without its report or next step.
    VisitReport,
    /// An account nobody has contacted for too long.
    NoContact,
    /// A customer's cheque bounced.
    ChequeBounced,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 5] = [
        NotificationKind::Reminder,
        NotificationKind::FollowUp,
        NotificationKind::VisitReport,
        NotificationKind::NoContact,
        NotificationKind::ChequeBounced,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            NotificationKind::Reminder => "reminder",
            NotificationKind::FollowUp => "follow_up",
            NotificationKind::VisitReport => "visit_report",
            NotificationKind::NoContact => "no_contact",
            NotificationKind::ChequeBounced => "cheque_bounced",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A message for one user, shown in the app until they mark it read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: Id,
    pub user_id: Id,
    pub kind: NotificationKind,
    pub title: String,
    pub body: Option<String>,
    /// The record it is about, e.g. `activity` and its id.
    pub record_kind: Option<RecordKind>,
    pub record_id: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A notification to raise; `dedupe_key` keeps a job that runs twice from raising it twice.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub user_id: Id,
    pub kind: NotificationKind,
    pub title: String,
    pub body: Option<String>,
    pub record_kind: Option<RecordKind>,
    pub record_id: Option<Id>,
    pub dedupe_key: Option<String>,
}

/// The automatic follow-ups and their settings, which an admin changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUpRules {
    /// Put a follow-up task on the quote owner's agenda this many days after a quote is
    /// sent (1 to 365); `null` turns the rule off.
    pub quote_follow_up_days: Option<i64>,
    /// When a visit is marked done without a `report` or `next_action`, ask its owner
    /// for them (a notification and a task due that day).
    pub visit_report_prompt: bool,
    /// Days without a done activity after which an account raises an alert, per account
    /// `classification` (e.g. `{"A": 15, "B": 30, "C": 60}`); a class not listed uses
    /// `no_contact_default_days`.
    pub no_contact_days: BTreeMap<String, i64>,
    /// The same for accounts of any other class or none; `null`: no alert for them.
    pub no_contact_default_days: Option<i64>,
}

impl Default for FollowUpRules {
    fn default() -> Self {
        FollowUpRules {
            quote_follow_up_days: Some(3),
            visit_report_prompt: true,
            no_contact_days: [("A", 15), ("B", 30), ("C", 60)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            no_contact_default_days: None,
        }
    }
}

/// The longest any rule waits: a year.
const MAX_RULE_DAYS: i64 = 365;

impl FollowUpRules {
    pub fn validate(&self, c: &mut Check) {
        let days = |c: &mut Check, field: &str, d: i64| {
            if !(1..=MAX_RULE_DAYS).contains(&d) {
                c.add(field, Code::OutOfRange, "must be from 1 to 365 days");
            }
        };
        if let Some(d) = self.quote_follow_up_days {
            days(c, "quote_follow_up_days", d);
        }
        if let Some(d) = self.no_contact_default_days {
            days(c, "no_contact_default_days", d);
        }
        for (class, d) in &self.no_contact_days {
            if class.trim().is_empty() || class.chars().count() > 100 {
                c.add(
                    "no_contact_days",
                    Code::Invalid,
                    "a class is a non-empty name of up to 100 characters",
                );
            }
            days(c, &format!("no_contact_days.{class}"), *d);
        }
    }

    /// The days an account of `classification` may go without contact.
    pub fn no_contact_limit(&self, classification: Option<&str>) -> Option<i64> {
        classification
            .and_then(|c| self.no_contact_days.get(c.trim()))
            .copied()
            .or(self.no_contact_default_days)
    }
}

/// Whether an account last contacted at `last_contact` (or created then, if never) and
/// last alerted at `alerted_at` is due an alert at `now`, with a limit of `days`: once
/// the limit passes, and again each further `days` while nobody calls.
pub fn no_contact_due(
    last_contact: DateTime<Utc>,
    alerted_at: Option<DateTime<Utc>>,
    days: i64,
    now: DateTime<Utc>,
) -> bool {
    let limit = Duration::days(days);
    if now - last_contact < limit {
        return false;
    }
    match alerted_at {
        // An alert raised after the last contact covers one period.
        Some(a) if a >= last_contact => now - a >= limit,
        _ => true,
    }
}

/// A calendar month, `YYYY-MM`: the period targets are set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let month = Month {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        month.first_day().map(|_| month)
    }

    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first_day(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    pub fn last_day(&self) -> Option<NaiveDate> {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// How many visits and calls a rep should have done in a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActivityTarget {
    pub id: Id,
    pub user_id: Id,
    /// The month, `YYYY-MM`.
    #[schema(example = "2026-11")]
    pub period: String,
    pub visits: i64,
    pub calls: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The most visits or calls a target may ask for in a month.
pub const MAX_TARGET: i64 = 100_000;

/// Checks a target's numbers.
pub fn validate_target(visits: i64, calls: i64, c: &mut Check) {
    for (field, n) in [("visits", visits), ("calls", calls)] {
        if !(0..=MAX_TARGET).contains(&n) {
            c.add(field, Code::OutOfRange, "must be from 0 to 100000");
        }
    }
}

/// Done against target for one measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Progress {
    pub target: i64,
    pub done: i64,
    /// `done` / `target` in whole percent (rounded down); `null` when the target is 0.
    pub percent: Option<i64>,
}

impl Progress {
    pub fn new(target: i64, done: i64) -> Progress {
        Progress {
            target,
            done,
            percent: (target > 0).then(|| done.saturating_mul(100) / target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn months_parse_and_span() {
        let m = Month::parse("2026-02").unwrap();
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(
            Month::parse("2026-12").unwrap().last_day(),
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        for bad in ["2026-13", "2026-1", "26-01", "x", "2026-00"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_contact_alerts_once_per_period() {
        let last = t("2026-01-01T10:00:00Z");
        assert!(!no_contact_due(last, None, 15, t("2026-01-15T10:00:00Z")));
        assert!(no_contact_due(last, None, 15, t("2026-01-16T10:00:00Z")));
        let alerted = t("2026-01-16T10:00:00Z");
        assert!(!no_contact_due(
            last,
            Some(alerted),
            15,
            t("2026-01-20T10:00:00Z")
        ));
        assert!(no_contact_due(
            last,
            Some(alerted),
            15,
            t("2026-01-31T10:00:00Z")
        ));
        // A contact after the alert starts the count again.
        let again = t("2026-01-20T10:00:00Z");
        assert!(!no_contact_due(
            again,
            Some(alerted),
            15,
            t("2026-02-01T10:00:00Z")
        ));
    }

    #[test]
    fn rules_check_their_days() {
        let mut r = FollowUpRules::default();
        assert_eq!(r.no_contact_limit(Some("A")), Some(15));
        assert_eq!(r.no_contact_limit(Some("Z")), None);
        assert_eq!(r.no_contact_limit(None), None);
        r.no_contact_days.insert("B".into(), 0);
        r.quote_follow_up_days = Some(400);
        let mut c = Check::new();
        r.validate(&mut c);
        let fields: Vec<String> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["quote_follow_up_days", "no_contact_days.B"]);
    }

    #[test]
    fn progress_in_percent() {
        assert_eq!(Progress::new(20, 5).percent, Some(25));
        assert_eq!(Progress::new(3, 2).percent, Some(66));
        assert_eq!(Progress::new(0, 2).percent, None);
    }
}
