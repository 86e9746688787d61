//! Recurring activities. A series keeps its rule (an RFC 5545 RRULE value) as the calendar
//! that made it wrote it, the occurrences taken out of it (EXDATE) and the time zone it
//! counts in; the occurrences are expanded when a window of the calendar is shown, with
//! the `rrule` crate, never stored one by one.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::activities::status::ActivityStatus;
use crate::validate::{Check, Code, clean_opt};

/// More occurrences than a window of the calendar shows (a month of a daily series is 31).
pub const MAX_PER_WINDOW: u16 = 1000;
/// A longer rule is not one a calendar wrote.
const MAX_RULE_CHARS: usize = 500;
const MAX_EXDATES: usize = 1000;
const MAX_OVERRIDES: usize = 1000;
/// COUNT beyond this is a mistake (daily for 27 years).
const MAX_COUNT: u32 = 10_000;

/// How an activity repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Recurrence {
    /// The rule, an RFC 5545 RRULE value such as `FREQ=WEEKLY;BYDAY=MO;COUNT=10` (without
    /// `RRULE:`), kept as written and given back to calendars unchanged.
    #[schema(example = "FREQ=WEEKLY;BYDAY=MO")]
    pub rule: String,
    /// Starts of the occurrences taken out of the series (EXDATE).
    pub exdates: Vec<DateTime<Utc>>,
    /// The IANA time zone the rule counts in, so that a meeting at 09:00 stays at 09:00
    /// across daylight saving changes. Null counts in UTC.
    #[schema(example = "Europe/Madrid")]
    pub time_zone: Option<String>,
    /// Single occurrences changed on their own (a calendar's RECURRENCE-ID): moved,
    /// renamed, done or cancelled. A cancelled one does not show.
    pub overrides: Vec<OccurrenceOverride>,
}

/// One occurrence of a series changed on its own. Fields left null keep the series'.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OccurrenceOverride {
    /// The start the rule gives this occurrence (its RECURRENCE-ID), which names it.
    pub original_start: DateTime<Utc>,
    /// Where it starts now.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub subject: Option<String>,
    pub notes: Option<String>,
    pub status: Option<ActivityStatus>,
}

impl OccurrenceOverride {
    pub fn cancelled(&self) -> bool {
        self.status == Some(ActivityStatus::Cancelled)
    }
}

/// One occurrence of a series as it stands, overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The start the rule gives it, which names it.
    pub original_start: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    /// Its override, when it was changed on its own.
    pub changed: Option<OccurrenceOverride>,
}

/// Why a rule cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

impl Recurrence {
    pub fn normalize(&mut self) {
        let rule = self.rule.trim();
        let rule = match rule.get(..6) {
            Some(p) if p.eq_ignore_ascii_case("RRULE:") => &rule[6..],
            _ => rule,
        };
        self.rule = rule.trim().to_owned();
        self.exdates.sort();
        self.exdates.dedup();
        if let Some(z) = &mut self.time_zone {
            *z = z.trim().to_owned();
        }
        if self.time_zone.as_deref().is_some_and(str::is_empty) {
            self.time_zone = None;
        }
        for o in &mut self.overrides {
            clean_opt(&mut o.subject);
            clean_opt(&mut o.notes);
        }
        self.overrides.sort_by_key(|o| o.original_start);
    }

    /// The override of the occurrence the rule starts at `original`.
    pub fn override_of(&self, original: DateTime<Utc>) -> Option<&OccurrenceOverride> {
        self.overrides.iter().find(|o| o.original_start == original)
    }

    /// Whether the rule (EXDATEs taken out) gives an occurrence starting at `at`.
    pub fn has_occurrence(&self, start: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        self.occurrences(start, at, at + Duration::seconds(1))
            .contains(&at)
    }

    /// The zone the rule counts in (UTC when none or unknown; validation refuses unknown).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::UTC)
    }

    /// Checks the rule against the series' first start (`recurrence.*` fields).
    pub fn validate(&self, starts_at: Option<DateTime<Utc>>, c: &mut Check) {
        if self.rule.chars().count() > MAX_RULE_CHARS {
            c.add("recurrence.rule", Code::TooLong, "at most 500 characters");
            return;
        }
        c.max_items("recurrence.exdates", &self.exdates, MAX_EXDATES);
        if let Some(z) = &self.time_zone
            && z.parse::<chrono_tz::Tz>().is_err()
        {
            c.add(
                "recurrence.time_zone",
                Code::Invalid,
                "not an IANA time zone (such as Europe/Madrid)",
            );
            return;
        }
        let Some(start) = starts_at else {
            c.add(
                "recurrence",
                Code::Invalid,
                "a recurring activity needs starts_at (or a to-do its due_date)",
            );
            return;
        };
        if let Err(e) = self.set(start) {
            c.add("recurrence.rule", Code::Invalid, e.0);
            return;
        }
        c.max_items("recurrence.overrides", &self.overrides, MAX_OVERRIDES);
        let mut seen = std::collections::HashSet::new();
        for (i, o) in self.overrides.iter().enumerate() {
            let at = |f: &str| format!("recurrence.overrides[{i}].{f}");
            if !seen.insert(o.original_start) {
                c.add(
                    &at("original_start"),
                    Code::Invalid,
                    "this occurrence is changed twice",
                );
            } else if !self.has_occurrence(start, o.original_start) {
                c.add(
                    &at("original_start"),
                    Code::Invalid,
                    format!(
                        "the series has no occurrence starting at {}",
                        o.original_start.to_rfc3339()
                    ),
                );
            }
            if let (Some(s), Some(e)) = (o.starts_at.or(Some(o.original_start)), o.ends_at)
                && e < s
            {
                c.add(
                    &at("ends_at"),
                    Code::OutOfRange,
                    "must not be before starts_at",
                );
            }
            c.opt_max_chars(&at("subject"), &o.subject, 200);
            c.opt_max_chars(&at("notes"), &o.notes, crate::fields::LONG_TEXT);
        }
    }

    /// The occurrences as they stand whose start (moved or not) falls from `from`
    /// (included) to `to` (excluded), in order of start: an occurrence moved into the
    /// window shows, one moved out or cancelled does not. `reach` is how far an override
    /// may have moved an occurrence (the rule is expanded that much wider).
    pub fn effective(
        &self,
        start: DateTime<Utc>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = self
            .occurrences(start, from, to)
            .into_iter()
            .filter(|s| self.override_of(*s).is_none())
            .map(|s| Occurrence {
                original_start: s,
                starts_at: s,
                changed: None,
            })
            .collect();
        for o in &self.overrides {
            let at = o.starts_at.unwrap_or(o.original_start);
            if o.cancelled() || at < from || at >= to {
                continue;
            }
            out.push(Occurrence {
                original_start: o.original_start,
                starts_at: at,
                changed: Some(o.clone()),
            });
        }
        out.sort_by_key(|o| (o.starts_at, o.original_start));
        out
    }

    /// The first occurrence as it stands that starts after `after`, searching a year at
    /// a time for at most 30 years (a series has ended or been cut by then).
    pub fn next_after(&self, start: DateTime<Utc>, after: DateTime<Utc>) -> Option<Occurrence> {
        let year = Duration::days(366);
        let mut from = after;
        for _ in 0..30 {
            let to = from + year;
            if let Some(o) = self
                .effective(start, from, to)
                .into_iter()
                .find(|o| o.starts_at > after)
            {
                return Some(o);
            }
            let last_override = self.overrides.iter().filter_map(|o| o.starts_at).max();
            if !self.occurrences_remain(start, to) && last_override.is_none_or(|l| l < to) {
                return None;
            }
            from = to;
        }
        None
    }

    /// Whether the rule gives any occurrence from `from` on.
    fn occurrences_remain(&self, start: DateTime<Utc>, from: DateTime<Utc>) -> bool {
        let Ok(set) = self.set(start) else {
            return false;
        };
        let rz = rrule::Tz::Tz(self.zone());
        !set.after(from.with_timezone(&rz)).all(1).dates.is_empty()
    }

    /// Moves a series on to its next occurrence after `current` (a recurring task done
    /// once): the new first start, with COUNT lowered by the occurrences passed and the
    /// EXDATEs and overrides before it dropped, so the rest of the series stays as it
    /// was. None when the series has no further occurrence.
    pub fn advance(&mut self, current: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let next = self.next_after(current, current)?.original_start;
        let plain = Recurrence {
            exdates: Vec::new(),
            overrides: Vec::new(),
            ..self.clone()
        };
        let passed = plain.occurrences(current, current, next).len();
        let parts: Vec<String> = self
            .rule
            .split(';')
            .map(|part| match part.split_once('=') {
                Some((n, v)) if n.trim().eq_ignore_ascii_case("COUNT") => {
                    let left = v
                        .trim()
                        .parse::<usize>()
                        .unwrap_or(1)
                        .saturating_sub(passed);
                    format!("{n}={}", left.max(1))
                }
                _ => part.to_owned(),
            })
            .collect();
        self.rule = parts.join(";");
        self.exdates.retain(|d| *d > next);
        self.overrides.retain(|o| o.original_start >= next);
        Some(next)
    }

    /// The rule ready to expand from `start`, or what is wrong with it.
    fn set(&self, start: DateTime<Utc>) -> Result<RRuleSet, RuleError> {
        if self.rule.is_empty() {
            return Err(RuleError("is required (such as FREQ=WEEKLY)".into()));
        }
        // RFC 5545 writes a rule in ASCII; the rrule crate slices its parts by byte and
        // panics inside a multi-byte letter (found by the `icalendar` fuzz target).
        if !self.rule.is_ascii() {
            return Err(RuleError(
                "not a valid RRULE: only ASCII letters, digits and punctuation".into(),
            ));
        }
        let zone = self.zone();
        let rule = until_in_utc(&self.rule, zone)?;
        let parsed: RRule<Unvalidated> = rule
            .parse()
            .map_err(|e: rrule::RRuleError| RuleError(format!("not a valid RRULE: {e}")))?;
        if matches!(
            parsed.get_freq(),
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly
        ) {
            return Err(RuleError(
                "an activity repeats daily at most often (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)"
                    .into(),
            ));
        }
        match parsed.get_count() {
            Some(0) => return Err(RuleError("COUNT must be at least 1".into())),
            Some(n) if n > MAX_COUNT => {
                return Err(RuleError(format!("COUNT must be at most {MAX_COUNT}")));
            }
            _ => {}
        }
        if parsed.get_count().is_some() && parsed.get_until().is_some() {
            return Err(RuleError(
                "COUNT and UNTIL cannot both be set (RFC 5545)".into(),
            ));
        }
        let rz = rrule::Tz::Tz(zone);
        let set = parsed
            .build(start.with_timezone(&rz))
            .map_err(|e| RuleError(format!("not a valid RRULE: {e}")))?;
        Ok(set.set_exdates(self.exdates.iter().map(|d| d.with_timezone(&rz)).collect()))
    }

    /// Starts of the occurrences from `from` (included) to `to` (excluded) of a series
    /// that first starts at `start`, at most [`MAX_PER_WINDOW`]. A rule that does not
    /// expand (it was valid when written) yields only the first start, if in the window.
    pub fn occurrences(
        &self,
        start: DateTime<Utc>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        if to <= from {
            return Vec::new();
        }
        let Ok(set) = self.set(start) else {
            return if start >= from && start < to {
                vec![start]
            } else {
                Vec::new()
            };
        };
        let rz = rrule::Tz::Tz(self.zone());
        set.after(from.with_timezone(&rz))
            .before(to.with_timezone(&rz))
            .all(MAX_PER_WINDOW)
            .dates
            .into_iter()
            .map(|d| d.with_timezone(&Utc))
            .filter(|d| *d >= from && *d < to)
            .collect()
    }
}

/// The rule with an UNTIL written as a date or a local time turned into UTC, as the
/// expansion wants when the series counts in a zone (clients write all three forms).
fn until_in_utc(rule: &str, zone: chrono_tz::Tz) -> Result<String, RuleError> {
    let parts: Vec<String> = rule
        .split(';')
        .map(|part| {
            let Some((name, value)) = part.split_once('=') else {
                return Ok(part.to_owned());
            };
            if !name.trim().eq_ignore_ascii_case("UNTIL") || value.ends_with(['Z', 'z']) {
                return Ok(part.to_owned());
            }
            let bad = || RuleError(format!("UNTIL={value} is not a date or date-time"));
            let local: NaiveDateTime = if value.len() == 8 {
                // A date: the series runs through that whole day.
                NaiveDate::parse_from_str(value, "%Y%m%d")
                    .map_err(|_| bad())?
                    .and_hms_opt(23, 59, 59)
                    .ok_or_else(bad)?
            } else {
                NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?
            };
            let utc = zone
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| local.and_utc() + Duration::hours(1));
            Ok(format!("UNTIL={}", utc.format("%Y%m%dT%H%M%SZ")))
        })
        .collect::<Result<_, RuleError>>()?;
    Ok(parts.join(";"))
}

#[cfg(test)]
mod tests {

    /// Found by the `icalendar` fuzz target: rrule panicked on a multi-byte letter in BYDAY.
    #[test]
    fn a_rule_with_a_non_ascii_letter_is_refused_not_a_panic() {
        let start = "2026-03-02T09:00:00Z".parse().unwrap();
        for rule in [
            "FREQ=YEARLY;BYMONTH=10;BYDAY=-\u{3eb}U",
            "FREQ=WEEKLY;BYDAY=MÓ",
        ] {
            let r = Recurrence {
                rule: rule.into(),
                exdates: Vec::new(),
                time_zone: None,
                overrides: Vec::new(),
            };
            assert!(r.set(start).is_err(), "{rule}");
        }
    }
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rec(rule: &str, zone: Option<&str>) -> Recurrence {
        let mut r = Recurrence {
            rule: rule.into(),
            exdates: Vec::new(),
            time_zone: zone.map(Into::into),
            overrides: Vec::new(),
        };
        r.normalize();
        r
    }

    fn problems(r: &Recurrence, start: Option<DateTime<Utc>>) -> Vec<String> {
        let mut c = Check::new();
        r.validate(start, &mut c);
        c.into_violations().into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn a_weekly_meeting_keeps_its_local_time_across_dst() {
        // 09:00 in Madrid: 07:00 UTC in summer, 08:00 UTC from the end of October.
        let r = rec("RRULE:FREQ=WEEKLY;COUNT=4", Some("Europe/Madrid"));
        assert_eq!(r.rule, "FREQ=WEEKLY;COUNT=4");
        let all = r.occurrences(
            t("2026-10-13T07:00:00Z"),
            t("2026-10-01T00:00:00Z"),
            t("2026-12-01T00:00:00Z"),
        );
        let s: Vec<String> = all.iter().map(|d| d.to_rfc3339()).collect();
        assert_eq!(
            s,
            [
                "2026-10-13T07:00:00+00:00",
                "2026-10-20T07:00:00+00:00",
                "2026-10-27T08:00:00+00:00",
                "2026-11-03T08:00:00+00:00"
            ]
        );
    }

    #[test]
    fn the_window_and_exdates_cut_the_series() {
        let mut r = rec("FREQ=DAILY", None);
        r.exdates = vec![t("2026-12-03T10:00:00Z")];
        let all = r.occurrences(
            t("2026-11-01T10:00:00Z"),
            t("2026-12-02T00:00:00Z"),
            t("2026-12-05T00:00:00Z"),
        );
        let days: Vec<u32> = all
            .iter()
            .map(|d| chrono::Datelike::day(&d.date_naive()))
            .collect();
        assert_eq!(days, [2, 4]);
    }

    #[test]
    fn until_as_a_date_counts_in_the_zone() {
        let r = rec(
            "FREQ=WEEKLY;UNTIL=20261208;BYDAY=TU",
            Some("America/Argentina/Buenos_Aires"),
        );
        assert!(problems(&r, Some(t("2026-12-01T12:00:00Z"))).is_empty());
        let all = r.occurrences(
            t("2026-12-01T12:00:00Z"),
            t("2026-11-01T00:00:00Z"),
            t("2027-01-01T00:00:00Z"),
        );
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn nonsense_is_refused() {
        let start = Some(t("2026-12-01T10:00:00Z"));
        for bad in [
            "FREQ=SOMETIMES",
            "COUNT=3",
            "FREQ=WEEKLY;COUNT=0",
            "FREQ=WEEKLY;COUNT=2;UNTIL=20270101T000000Z",
            "FREQ=WEEKLY;UNTIL=20250101T000000Z",
            "FREQ=MINUTELY",
            "",
        ] {
            assert_eq!(
                problems(&rec(bad, None), start),
                ["recurrence.rule"],
                "{bad}"
            );
        }
        assert_eq!(
            problems(&rec("FREQ=DAILY", Some("Mars/Olympus")), start),
            ["recurrence.time_zone"]
        );
        assert_eq!(problems(&rec("FREQ=DAILY", None), None), ["recurrence"]);
    }

    #[test]
    fn overrides_move_and_cancel_single_occurrences() {
        let mut r = rec("FREQ=DAILY;COUNT=5", None);
        let start = t("2026-12-01T10:00:00Z");
        r.overrides = vec![
            OccurrenceOverride {
                original_start: t("2026-12-02T10:00:00Z"),
                starts_at: Some(t("2026-12-10T15:00:00Z")),
                ..Default::default()
            },
            OccurrenceOverride {
                original_start: t("2026-12-03T10:00:00Z"),
                status: Some(ActivityStatus::Cancelled),
                ..Default::default()
            },
        ];
        assert!(problems(&r, Some(start)).is_empty());
        let starts = |from: &str, to: &str| -> Vec<String> {
            r.effective(start, t(from), t(to))
                .iter()
                .map(|o| o.starts_at.to_rfc3339())
                .collect()
        };
        assert_eq!(
            starts("2026-12-01T00:00:00Z", "2026-12-06T00:00:00Z"),
            [
                "2026-12-01T10:00:00+00:00",
                "2026-12-04T10:00:00+00:00",
                "2026-12-05T10:00:00+00:00"
            ]
        );
        // Moved into a window past the series' end.
        assert_eq!(
            starts("2026-12-10T00:00:00Z", "2026-12-11T00:00:00Z"),
            ["2026-12-10T15:00:00+00:00"]
        );
        let next = r.next_after(start, t("2026-12-01T10:00:00Z")).unwrap();
        assert_eq!(next.starts_at, t("2026-12-04T10:00:00Z"));
        let last = r.next_after(start, t("2026-12-05T10:00:00Z")).unwrap();
        assert_eq!(last.original_start, t("2026-12-02T10:00:00Z"));
        assert!(r.next_after(start, t("2026-12-10T15:00:00Z")).is_none());
        // An override of no occurrence, or of one twice, is refused.
        r.overrides.push(OccurrenceOverride {
            original_start: t("2026-12-07T10:00:00Z"),
            ..Default::default()
        });
        assert_eq!(
            problems(&r, Some(start)),
            ["recurrence.overrides[2].original_start"]
        );
    }

    #[test]
    fn advancing_counts_down() {
        let mut r = rec("FREQ=WEEKLY;COUNT=3", None);
        r.exdates = vec![t("2026-12-08T00:00:00Z")];
        let next = r.advance(t("2026-12-01T00:00:00Z")).unwrap();
        // The taken-out week counts as passed.
        assert_eq!(next, t("2026-12-15T00:00:00Z"));
        assert_eq!(r.rule, "FREQ=WEEKLY;COUNT=1");
        assert!(r.exdates.is_empty());
        assert!(r.advance(next).is_none());
    }
}
