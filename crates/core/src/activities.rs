//! Activities: the tasks, calls, meetings, visits and logged emails of the agenda, with
//! the costs a visit ran up (travel, mileage, per diem).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{LONG_TEXT, normalize_tags, validate_tags};
use crate::ids::Id;
use crate::money::{Currency, Money};
use crate::query::{FieldSpec, ValueKind};
use crate::record::{CustomValues, DuplicateKey, RecordData, RecordKind, Reference};
use crate::recurrence::{Occurrence, Recurrence};
use crate::text::SearchDoc;
use crate::validate::{Check, Code, clean, clean_opt};

pub mod status;
pub use status::ActivityStatus;

/// What sort of activity it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    #[default]
    Task,
    Call,
    Meeting,
    Visit,
    /// An email logged by hand.
    Email,
}

impl ActivityKind {
    pub const NAMES: &'static [&'static str] = &["task", "call", "meeting", "visit", "email"];

    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityKind::Task => "task",
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Visit => "visit",
            ActivityKind::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityKind> {
        use ActivityKind::*;
        [Task, Call, Meeting, Visit, Email]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostType {
    Travel,
    /// Kilometres driven, priced at the company's rate per km.
    Mileage,
    PerDiem,
    #[default]
    Other,
}

/// One expense on an activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CostLine {
    #[serde(rename = "type")]
    pub kind: CostType,
    /// What was spent; for mileage Cartera computes it as `km` × `rate`.
    pub amount: Option<Money>,
    /// Kilometres driven (mileage only), as a decimal string.
    #[schema(value_type = Option<String>, example = "123.4")]
    pub km: Option<Decimal>,
    /// The rate per km a mileage line was priced at. Cartera fills it from the company's
    /// `mileage_rate` when the line is written without one, and keeps it afterwards so
    /// that a later change of the rate does not reprice past visits.
    pub rate: Option<Money>,
    pub description: Option<String>,
}

/// The writable fields of an activity, plus the cost totals Cartera computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ActivityData {
    pub kind: ActivityKind,
    pub subject: String,
    pub notes: Option<String>,
    /// The day a task is due.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub due_date: Option<NaiveDate>,
    /// When a meeting, visit or call starts and ends.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    /// How it repeats (a series from a phone's calendar, say); null for a one-off. The
    /// start is the series' first occurrence.
    pub recurrence: Option<Recurrence>,
    /// Whether it was on the agenda beforehand (an unplanned visit is `false`).
    pub planned: bool,
    pub status: ActivityStatus,
    pub outcome: Option<String>,
    /// What happened on a visit, written when it is marked done (the visit-report
    /// follow-up asks for it).
    pub report: Option<String>,
    pub next_action: Option<String>,
    /// Minutes before the due time (the start, or 09:00 in the owner's time zone on the
    /// due date) at which Cartera reminds the owner, in the app and by email.
    pub reminders: Vec<i64>,
    pub account_id: Option<Id>,
    pub contact_id: Option<Id>,
    pub lead_id: Option<Id>,
    /// The deal it is about; it then shows on the deal's timeline.
    pub deal_id: Option<Id>,
    pub owner_id: Option<Id>,
    /// Other users taking part.
    pub attendee_ids: Vec<Id>,
    pub costs: Vec<CostLine>,
    /// The sum of `costs` per currency (read-only).
    pub cost_totals: Vec<Money>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: CustomValues,
}

impl Default for ActivityData {
    fn default() -> Self {
        ActivityData {
            kind: ActivityKind::default(),
            subject: String::new(),
            notes: None,
            due_date: None,
            starts_at: None,
            ends_at: None,
            all_day: false,
            recurrence: None,
            // Most of what reps write down is on their agenda; unplanned visits say so.
            planned: true,
            status: ActivityStatus::default(),
            outcome: None,
            report: None,
            next_action: None,
            reminders: Vec::new(),
            account_id: None,
            contact_id: None,
            lead_id: None,
            deal_id: None,
            owner_id: None,
            attendee_ids: Vec::new(),
            costs: Vec::new(),
            cost_totals: Vec::new(),
            tags: Vec::new(),
            custom: CustomValues::new(),
        }
    }
}

/// Reminders on one activity, and how far ahead one may be (four weeks), in minutes.
const MAX_REMINDERS: usize = 10;
const MAX_REMINDER_MINUTES: i64 = 4 * 7 * 24 * 60;

/// When a task due on a date (with no start time) is taken to be due: 09:00 local.
pub const DUE_DATE_HOUR: u32 = 9;

/// More lines than any real visit has; a longer list is a mistake.
const MAX_COST_LINES: usize = 100;
const MAX_ATTENDEES: usize = 100;

static FIELDS: &[FieldSpec] = &[
    FieldSpec::new("kind", ValueKind::Enum(ActivityKind::NAMES))
        .sortable()
        .not_null(),
    FieldSpec::new("subject", ValueKind::Text)
        .sortable()
        .not_null(),
    FieldSpec::new("status", ValueKind::Enum(ActivityStatus::NAMES))
        .sortable()
        .not_null(),
    FieldSpec::new("due_date", ValueKind::Date).sortable(),
    FieldSpec::new("starts_at", ValueKind::Time).sortable(),
    FieldSpec::new("ends_at", ValueKind::Time).sortable(),
    FieldSpec::new("planned", ValueKind::Bool).not_null(),
    FieldSpec::new("all_day", ValueKind::Bool).not_null(),
    FieldSpec::new("account_id", ValueKind::Id),
    FieldSpec::new("contact_id", ValueKind::Id),
    FieldSpec::new("lead_id", ValueKind::Id),
    FieldSpec::new("deal_id", ValueKind::Id),
];

/// `km` × `rate`, to the cent (half away from zero, as a person rounds a receipt).
pub fn mileage_amount(km: Decimal, rate: Money) -> Money {
    Money {
        amount: (km * rate.amount)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        currency: rate.currency,
    }
}

/// Adds amounts per currency, exactly; the result is ordered by currency code and
/// written to the cent at least (`15251.20`, `0.0125`).
pub fn sum_by_currency<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Vec<Money> {
    let mut by: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for m in amounts {
        *by.entry(m.currency).or_default() += m.amount;
    }
    by.into_iter()
        .map(|(currency, amount)| {
            let mut amount = amount.normalize();
            if amount.scale() < 2 {
                amount.rescale(2);
            }
            Money { amount, currency }
        })
        .collect()
}

impl ActivityData {
    /// Prices mileage lines at the company's current `rate`. A line keeps its rate only
    /// when `old` (the stored version) already had a mileage line at that rate: the rate
    /// is the company's to set, never the writer's, and a past visit keeps the rate it
    /// was priced at when the rate changes later.
    pub fn price_mileage(&mut self, old: Option<&ActivityData>, rate: Option<Money>) {
        let priced: Vec<Money> = old
            .map(|o| {
                o.costs
                    .iter()
                    .filter(|l| l.kind == CostType::Mileage)
                    .filter_map(|l| l.rate)
                    .collect()
            })
            .unwrap_or_default();
        for line in &mut self.costs {
            if line.kind == CostType::Mileage && !line.rate.is_some_and(|r| priced.contains(&r)) {
                line.rate = rate;
            }
        }
        self.compute_costs();
    }

    /// Mileage amounts from km and rate, then the totals.
    fn compute_costs(&mut self) {
        for line in &mut self.costs {
            if line.kind == CostType::Mileage {
                line.amount = match (line.km, line.rate) {
                    (Some(km), Some(rate)) => Some(mileage_amount(km, rate)),
                    _ => None,
                };
            }
        }
        self.cost_totals = sum_by_currency(self.costs.iter().filter_map(|l| l.amount.as_ref()));
    }

    /// The moment reminders count back from: the start, or [`DUE_DATE_HOUR`] on the due
    /// date in the owner's time zone `tz`.
    pub fn due_at(&self, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
        if let Some(s) = self.starts_at {
            return Some(s);
        }
        let day = self.due_date?;
        let local = day.and_hms_opt(DUE_DATE_HOUR, 0, 0)?;
        local
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Each reminder's offset with the moment it fires, for a one-off (a series' times
    /// are per occurrence: [`ActivityData::reminders_after`]).
    pub fn reminder_times(&self, tz: chrono_tz::Tz) -> Vec<(i64, DateTime<Utc>)> {
        let Some(due) = self.due_at(tz) else {
            return Vec::new();
        };
        self.reminders
            .iter()
            .map(|m| (*m, due - chrono::Duration::minutes(*m)))
            .collect()
    }

    /// Where a series' rule counts from: the start, or for a to-do with only a due date,
    /// midnight UTC of that day (a date-valued DTSTART).
    pub fn series_start(&self) -> Option<DateTime<Utc>> {
        self.starts_at.or_else(|| {
            self.due_date
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
    }

    /// The next firing of each reminder after `after`, with the start of the occurrence it
    /// is for: for a series, the first occurrence (overrides applied, cancelled ones and
    /// EXDATEs skipped) whose reminder comes after `after`; for a one-off, its reminders
    /// as [`ActivityData::reminder_times`] gives them (past ones too, the caller judges).
    pub fn reminders_after(
        &self,
        tz: chrono_tz::Tz,
        after: DateTime<Utc>,
    ) -> Vec<(i64, DateTime<Utc>, DateTime<Utc>)> {
        let (Some(r), Some(start)) = (&self.recurrence, self.starts_at) else {
            let due = self.due_at(tz);
            return self
                .reminder_times(tz)
                .into_iter()
                .filter_map(|(m, at)| due.map(|d| (m, at, d)))
                .collect();
        };
        self.reminders
            .iter()
            .filter_map(|m| {
                let lead = chrono::Duration::minutes(*m);
                let next = r.next_after(start, after + lead)?;
                Some((*m, next.starts_at - lead, next.starts_at))
            })
            .collect()
    }

    /// Whether the occurrence starting at `at` (as it stands) exists and is not
    /// cancelled: a one-off's start, or a series' occurrence.
    pub fn occurs_at(&self, at: DateTime<Utc>) -> bool {
        match (&self.recurrence, self.starts_at) {
            (Some(r), Some(start)) => r
                .effective(start, at, at + chrono::Duration::seconds(1))
                .iter()
                .any(|o| o.starts_at == at),
            _ => self.due_at(chrono_tz::UTC).is_some(),
        }
    }

    /// The occurrences, overrides applied, whose start falls from `from` (included) to
    /// `to` (excluded): a one-off's start if it falls there, or the series' occurrences.
    pub fn occurrences_within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let Some(start) = self.starts_at else {
            return Vec::new();
        };
        match &self.recurrence {
            Some(r) => r.effective(start, from, to),
            None if start >= from && start < to => vec![Occurrence {
                original_start: start,
                starts_at: start,
                changed: None,
            }],
            None => Vec::new(),
        }
    }

    /// A series moved as a whole (its start changed) with its overrides left as they were
    /// takes them along: each names the occurrence the same distance from the new start,
    /// so moving a meeting an hour later keeps the occurrences changed on their own.
    pub fn carry_overrides(&mut self, old: Option<&ActivityData>) {
        let Some(old) = old else {
            return;
        };
        let (Some(was), Some(now)) = (old.starts_at, self.starts_at) else {
            return;
        };
        let (Some(before), Some(r)) = (&old.recurrence, &mut self.recurrence) else {
            return;
        };
        if was == now || r.overrides.is_empty() || r.overrides != before.overrides {
            return;
        }
        let shift = now - was;
        for o in &mut r.overrides {
            o.original_start += shift;
        }
    }

    /// A recurring to-do marked done moves on to its next occurrence, due and planned
    /// again (as phones' reminders apps do); the last occurrence stays done. The audit
    /// keeps each completion as a change of the due date.
    pub fn complete_occurrence(&mut self, old: Option<&ActivityData>) {
        let was_done = old.is_some_and(|o| o.status == ActivityStatus::Done);
        if self.status != ActivityStatus::Done || was_done || self.starts_at.is_some() {
            return;
        }
        let Some(current) = self.series_start() else {
            return;
        };
        let Some(r) = &mut self.recurrence else {
            return;
        };
        if let Some(next) = r.advance(current) {
            self.due_date = Some(next.date_naive());
            self.status = ActivityStatus::Planned;
        }
    }

    /// The day the activity falls on: its due date, or the day it starts.
    pub fn day(&self) -> Option<NaiveDate> {
        self.due_date.or(self.starts_at.map(|t| t.date_naive()))
    }
}

impl RecordData for ActivityData {
    const KIND: RecordKind = RecordKind::Activity;
    const READ_ONLY: &'static [&'static str] = &["cost_totals"];

    fn normalize(&mut self) {
        clean(&mut self.subject);
        clean_opt(&mut self.notes);
        clean_opt(&mut self.outcome);
        clean_opt(&mut self.report);
        clean_opt(&mut self.next_action);
        // One reminder per offset; the order stays the writer's, so errors name their index.
        let mut offsets = std::collections::HashSet::new();
        self.reminders.retain(|m| offsets.insert(*m));
        normalize_tags(&mut self.tags);
        if let Some(r) = &mut self.recurrence {
            r.normalize();
        }
        let mut seen = std::collections::HashSet::new();
        self.attendee_ids.retain(|id| seen.insert(*id));
        for line in &mut self.costs {
            clean_opt(&mut line.description);
            if let Some(km) = &mut line.km {
                *km = km.normalize();
            }
        }
        self.compute_costs();
    }

    fn validate(&self, _today: NaiveDate, c: &mut Check) {
        c.required("subject", &self.subject);
        c.max_chars("subject", &self.subject, 200);
        c.opt_max_chars("notes", &self.notes, LONG_TEXT);
        c.opt_max_chars("outcome", &self.outcome, LONG_TEXT);
        c.opt_max_chars("report", &self.report, LONG_TEXT);
        c.opt_max_chars("next_action", &self.next_action, 1000);
        c.max_items("reminders", &self.reminders, MAX_REMINDERS);
        for (i, m) in self.reminders.iter().enumerate() {
            if !(0..=MAX_REMINDER_MINUTES).contains(m) {
                c.add(
                    &format!("reminders[{i}]"),
                    Code::OutOfRange,
                    "minutes before: from 0 to 40320 (four weeks)",
                );
            }
        }
        if !self.reminders.is_empty() && self.due_date.is_none() && self.starts_at.is_none() {
            c.add(
                "reminders",
                Code::Invalid,
                "a reminder needs a due date or a start",
            );
        }
        match (self.starts_at, self.ends_at) {
            (Some(s), Some(e)) if e < s => {
                c.add("ends_at", Code::OutOfRange, "must not be before starts_at")
            }
            (None, Some(_)) => c.add("ends_at", Code::Invalid, "needs starts_at"),
            _ => {}
        }
        if let Some(r) = &self.recurrence {
            r.validate(self.series_start(), c);
        }
        c.max_items("attendee_ids", &self.attendee_ids, MAX_ATTENDEES);
        c.max_items("costs", &self.costs, MAX_COST_LINES);
        for (i, line) in self.costs.iter().enumerate() {
            let at = |f: &str| format!("costs[{i}].{f}");
            c.opt_max_chars(&at("description"), &line.description, 200);
            if line.kind == CostType::Mileage {
                match line.km {
                    None => c.add(&at("km"), Code::Required, "a mileage line needs km"),
                    Some(km) if km <= Decimal::ZERO => {
                        c.add(&at("km"), Code::OutOfRange, "must be more than 0")
                    }
                    Some(_) if line.rate.is_none() => c.add(
                        &at("km"),
                        Code::Invalid,
                        "no mileage rate is set; an administrator sets mileage_rate in the settings",
                    ),
                    Some(_) => {}
                }
            } else if line.km.is_some() {
                c.add(&at("km"), Code::Invalid, "only mileage lines have km");
            }
            match &line.amount {
                None if line.kind != CostType::Mileage => {
                    c.add(&at("amount"), Code::Required, "is required")
                }
                Some(m) if m.amount < Decimal::ZERO => {
                    c.add(&at("amount"), Code::OutOfRange, "must not be negative")
                }
                Some(m) if Money::new(m.amount, m.currency).is_err() => c.add(
                    &at("amount"),
                    Code::Invalid,
                    "at most 4 decimal places, within range",
                ),
                _ => {}
            }
        }
        validate_tags("tags", &self.tags, c);
    }

    fn owner_id(&self) -> Option<Id> {
        self.owner_id
    }

    fn tags(&self) -> &[String] {
        &self.tags
    }

    fn custom(&self) -> &CustomValues {
        &self.custom
    }

    fn custom_mut(&mut self) -> &mut CustomValues {
        &mut self.custom
    }

    fn search_document(&self) -> String {
        let mut d = SearchDoc::new();
        d.push(&self.subject)
            .push_opt(&self.notes)
            .push_opt(&self.outcome)
            .push_opt(&self.report)
            .push_opt(&self.next_action);
        d.finish()
    }

    fn duplicate_keys(&self) -> Vec<DuplicateKey> {
        // Two calls with the same subject are two calls.
        Vec::new()
    }

    fn references(&self) -> Vec<Reference> {
        let links = [
            ("owner_id", RecordKind::User, self.owner_id),
            ("account_id", RecordKind::Account, self.account_id),
            ("contact_id", RecordKind::Contact, self.contact_id),
            ("lead_id", RecordKind::Lead, self.lead_id),
            ("deal_id", RecordKind::Deal, self.deal_id),
        ];
        let mut r: Vec<Reference> = links
            .into_iter()
            .filter_map(|(field, target, id)| id.map(|id| Reference { field, target, id }))
            .collect();
        r.extend(self.attendee_ids.iter().map(|id| Reference {
            field: "attendee_ids",
            target: RecordKind::User,
            id: *id,
        }));
        r
    }

    fn title(&self) -> String {
        self.subject.clone()
    }

    fn subtitle(&self) -> Option<String> {
        let when = self.day().map(|d| d.to_string());
        Some(match when {
            Some(w) => format!("{} · {} · {w}", self.kind.as_str(), self.status.as_str()),
            None => format!("{} · {}", self.kind.as_str(), self.status.as_str()),
        })
    }

    fn fields() -> &'static [FieldSpec] {
        FIELDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn activity(v: serde_json::Value) -> ActivityData {
        let mut a: ActivityData = serde_json::from_value(v).unwrap();
        a.normalize();
        a
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn mileage_is_exact_to_the_cent() {
        let ars: Currency = "ARS".parse().unwrap();
        let rate = Money {
            amount: Decimal::new(8550, 2),
            currency: ars,
        };
        let m = mileage_amount(Decimal::new(1234, 1), rate);
        assert_eq!(m.amount.to_string(), "10550.70");
        // 0.005 rounds away from zero.
        let m = mileage_amount(
            Decimal::new(1, 1),
            Money {
                amount: Decimal::new(5, 2),
                currency: ars,
            },
        );
        assert_eq!(m.amount.to_string(), "0.01");
    }

    #[test]
    fn totals_are_per_currency() {
        let mut a = activity(json!({"subject": "Visita", "costs": [
            {"type": "mileage", "km": "123.4"},
            {"type": "travel", "amount": {"amount": "1500.00", "currency": "ARS"}},
            {"type": "per_diem", "amount": {"amount": "3200.50", "currency": "ARS"}},
            {"type": "other", "amount": {"amount": "10", "currency": "USD"}},
        ]}));
        a.price_mileage(
            None,
            Some(Money {
                amount: Decimal::new(8550, 2),
                currency: "ARS".parse().unwrap(),
            }),
        );
        let t: Vec<String> = a
            .cost_totals
            .iter()
            .map(|m| format!("{} {}", m.amount, m.currency))
            .collect();
        assert_eq!(t, ["15251.20 ARS", "10.00 USD"]);
    }

    #[test]
    fn the_writer_does_not_choose_the_rate() {
        let ars: Currency = "ARS".parse().unwrap();
        let company = Money {
            amount: Decimal::new(8550, 2),
            currency: ars,
        };
        let own = json!({"amount": "1000", "currency": "ARS"});
        let mut a = activity(json!({"subject": "Visita", "costs": [
            {"type": "mileage", "km": "10", "rate": own}]}));
        a.price_mileage(None, Some(company));
        assert_eq!(a.costs[0].rate, Some(company));
        assert_eq!(a.cost_totals[0].amount.to_string(), "855.00");
        // A stored line keeps its rate after the company's changes.
        let old = a.clone();
        let mut b = a.clone();
        b.costs[0].km = Some(Decimal::new(20, 0));
        let later = Money {
            amount: Decimal::new(90, 0),
            currency: ars,
        };
        b.price_mileage(Some(&old), Some(later));
        assert_eq!(b.costs[0].amount.unwrap().amount.to_string(), "1710.00");
    }

    #[test]
    fn mileage_without_a_rate_is_refused() {
        let a = activity(json!({"subject": "Visita", "costs": [{"type": "mileage", "km": "10"}]}));
        let mut c = Check::new();
        a.validate(today(), &mut c);
        assert_eq!(c.into_violations()[0].field, "costs[0].km");
    }

    #[test]
    fn ends_before_start_is_refused() {
        let a = activity(json!({"subject": "Reunión", "kind": "meeting",
            "starts_at": "2026-12-01T15:00:00Z", "ends_at": "2026-12-01T14:00:00Z"}));
        let mut c = Check::new();
        a.validate(today(), &mut c);
        assert_eq!(c.into_violations()[0].field, "ends_at");
    }
}
