//! Recurring activities. A series keeps its rule (an RFC 5545 RRULE value) as the calendar
//! that made it wrote it, the occurrences taken out of it (EXDATE) and the time zone it
//! counts in; the occurrences are expanded when a window of the calendar is shown, with
//! the `rrule` crate, never stored one by one.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::{Check, Code};

/// More occurrences than a window of the calendar shows (a month of a daily series is 31).
pub const MAX_PER_WINDOW: u16 = 1000;
/// A longer rule is not one a calendar wrote.
const MAX_RULE_CHARS: usize = 500;
const MAX_EXDATES: usize = 1000;
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
                "a recurring activity needs starts_at",
            );
            return;
        };
        if let Err(e) = self.set(start) {
            c.add("recurrence.rule", Code::Invalid, e.0);
        }
    }

    /// The rule ready to expand from `start`, or what is wrong with it.
    fn set(&self, start: DateTime<Utc>) -> Result<RRuleSet, RuleError> {
        if self.rule.is_empty() {
            return Err(RuleError("is required (such as FREQ=WEEKLY)".into()));
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
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rec(rule: &str, zone: Option<&str>) -> Recurrence {
        let mut r = Recurrence {
            rule: rule.into(),
            exdates: Vec::new(),
            time_zone: zone.map(Into::into),
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
}
