//! Calendar and address book sync: an activity as an iCalendar event (or a task as a
//! to-do), a contact as a vCard, both ways. Parsing goes through `calcard` (it reads what
//! iOS, DAVx5 and Thunderbird write, time zones included); iCalendar is written with
//! `icalendar` and vCards with `calcard`.

pub mod xml;

use std::fmt::Write as _;

use calcard::Entry;
use calcard::common::{IanaString, PartialDateTime};
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarProperty,
    ICalendarValue,
};
use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty,
    VCardType, VCardValue, VCardVersion,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{
    Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike, EventStatus, TodoStatus,
};

use crate::activities::{ActivityData, ActivityKind, ActivityStatus};
use crate::contacts::ContactData;
use crate::fields::{Email, Phone};
use crate::ids::Id;
use crate::recurrence::{OccurrenceOverride, Recurrence};

/// The two collections every user has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    /// The user's activities (CalDAV).
    Calendar,
    /// The contacts the user sees (CardDAV).
    Contacts,
}

impl CollectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionKind::Calendar => "calendar",
            CollectionKind::Contacts => "contacts",
        }
    }

    /// The file extension of its resources.
    pub fn extension(self) -> &'static str {
        match self {
            CollectionKind::Calendar => "ics",
            CollectionKind::Contacts => "vcf",
        }
    }
}

/// A user's collection and how many changes it has seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub id: Id,
    pub user_id: Id,
    pub kind: CollectionKind,
    pub revision: i64,
}

/// One resource of a collection: the record it shows, under the href and UID its client
/// chose (or Cartera's, `{id}.ics` and the id), the ETag last served and the revision it
/// last changed at. A removed resource stays as a tombstone for sync-collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub href: String,
    pub record_id: Id,
    pub uid: String,
    pub etag: String,
    pub revision: i64,
    pub deleted: bool,
}

/// The ETag of a record's version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Whether `name` can be a resource name (one path segment, no tricks).
pub fn valid_resource_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@+~%".contains(c))
}

/// Why a calendar object or a vCard cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// Not an iCalendar object / vCard at all, or broken.
    #[error("{0}")]
    Malformed(String),
    /// Readable, but a value is wrong (`field` names the property).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Larger than a resource may be (413).
    #[error("{0}")]
    TooLarge(String),
}

fn malformed(m: impl Into<String>) -> DataError {
    DataError::Malformed(m.into())
}

/// The largest calendar object or vCard a client may store as one resource. A vCard
/// with a photo is a few hundred kilobytes; a series with its changed occurrences less.
pub const MAX_OBJECT_BYTES: usize = 1024 * 1024;

/// The deepest components may nest. Real objects nest 3 levels (VCALENDAR > VEVENT >
/// VALARM, VCALENDAR > VTIMEZONE > STANDARD); a vCard 2.1 AGENT one more.
pub const MAX_COMPONENT_DEPTH: usize = 8;

/// The most components (`BEGIN:` lines) one calendar object may hold: a series with
/// hundreds of changed occurrences, their alarms and time zones fits.
pub const MAX_COMPONENTS: usize = 5_000;

/// Checks the shape of iCalendar or vCard text before it is parsed: its size (when
/// `max_bytes` is given), how deep its components nest and how many there are (when
/// `max_components` is given). A line that opens with `BEGIN:`/`END:` is a component
/// boundary; folded lines start with a space and never count.
fn check_shape(
    text: &str,
    max_bytes: Option<usize>,
    max_components: Option<usize>,
) -> Result<(), DataError> {
    if let Some(max) = max_bytes
        && text.len() > max
    {
        return Err(DataError::TooLarge(format!(
            "the object is {} bytes; one resource may be at most {max}",
            text.len()
        )));
    }
    if text.contains('\0') {
        return Err(malformed(format!(
            "the object {}",
            crate::text::NUL_REFUSED
        )));
    }
    let starts = |line: &str, word: &str| {
        line.get(..word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    let mut depth = 0usize;
    let mut components = 0usize;
    for line in text.lines() {
        if starts(line, "BEGIN:") {
            depth += 1;
            components += 1;
            if depth > MAX_COMPONENT_DEPTH {
                return Err(malformed(format!(
                    "components nest deeper than {MAX_COMPONENT_DEPTH} levels"
                )));
            }
            if let Some(max) = max_components
                && components > max
            {
                return Err(DataError::TooLarge(format!(
                    "the object holds more than {max} components"
                )));
            }
        } else if starts(line, "END:") {
            depth = depth.saturating_sub(1);
        }
    }
    Ok(())
}

/// Refuses an object whose values hold a NUL once decoded (a vCard 2.1 writes one as
/// quoted-printable `=00`; the raw text was checked in `check_shape`).
fn refuse_decoded_nul(uid: Option<&str>, fields: &serde_json::Value) -> Result<(), DataError> {
    let field = if uid.is_some_and(|u| u.contains('\0')) {
        Some("UID".to_owned())
    } else {
        crate::text::nul_path(fields, "")
    };
    match field {
        Some(f) => Err(malformed(format!("{f} {}", crate::text::NUL_REFUSED))),
        None => Ok(()),
    }
}

/// Whether an activity belongs in a calendar: it has a day or a start.
pub fn on_calendar(a: &ActivityData) -> bool {
    a.starts_at.is_some() || a.due_date.is_some()
}

/// What a client's calendar object says, in Cartera's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarItem {
    pub uid: String,
    /// `true` for a VTODO (a task), `false` for a VEVENT.
    pub todo: bool,
    pub subject: String,
    pub notes: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    pub due_date: Option<NaiveDate>,
    /// What STATUS says, when it says something Cartera keeps (a confirmed event leaves a
    /// done visit done).
    pub status: Option<ActivityStatus>,
    /// A recurring event's RRULE, EXDATEs and DTSTART's zone.
    pub recurrence: Option<Recurrence>,
}

impl CalendarItem {
    /// The activity fields the item decides, as a JSON merge patch (for a change) or an
    /// input (for a creation, with `kind` added).
    pub fn patch(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "subject": self.subject,
            "notes": self.notes,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "all_day": self.all_day,
            "due_date": self.due_date,
            "recurrence": self.recurrence,
        });
        if let (Some(s), Some(o)) = (self.status, v.as_object_mut()) {
            o.insert("status".into(), s.as_str().into());
        }
        v
    }

    /// The input of a new activity owned by `owner`.
    pub fn input(&self, owner: Id) -> serde_json::Value {
        let mut v = self.patch();
        if let Some(o) = v.as_object_mut() {
            let kind = if self.todo {
                ActivityKind::Task
            } else {
                ActivityKind::Meeting
            };
            o.insert("kind".into(), kind.as_str().into());
            o.insert("owner_id".into(), owner.to_string().into());
        }
        v
    }
}

fn text_of(c: &ICalendarComponent, p: ICalendarProperty) -> Option<String> {
    c.property(&p)
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_text())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// A date-time property in UTC, or a date (an all-day value). Floating times are read
/// as UTC: clients that mean a zone send TZID or UTC.
enum When {
    Time(DateTime<Utc>),
    Day(NaiveDate),
}

fn when_of(
    ical: &ICalendar,
    c: &ICalendarComponent,
    p: ICalendarProperty,
    field: &'static str,
) -> Result<Option<When>, DataError> {
    let Some(entry) = c.property(&p) else {
        return Ok(None);
    };
    let bad = |m: &str| DataError::Invalid {
        field,
        message: m.to_owned(),
    };
    let Some(pdt) = entry.values.first().and_then(|v| v.as_partial_date_time()) else {
        return Err(bad("is not a date or date-time"));
    };
    if !pdt.has_time() {
        let day = match (pdt.year, pdt.month, pdt.day) {
            (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()),
            _ => None,
        };
        return day
            .map(|d| Some(When::Day(d)))
            .ok_or_else(|| bad("is not a valid date"));
    }
    let tz = ical
        .build_tz_resolver()
        .with_default(calcard::common::timezone::Tz::UTC)
        .resolve_or_default(entry.tz_id());
    pdt.to_date_time_with_tz(tz)
        .map(|t| Some(When::Time(t.with_timezone(&Utc))))
        .ok_or_else(|| bad("is not a valid date-time"))
}

fn duration_of(e: &ICalendarEntry) -> Option<Duration> {
    match e.values.first()? {
        ICalendarValue::Duration(d) => d.to_time_delta(),
        _ => None,
    }
}

/// Reads one client calendar object: exactly one VEVENT or VTODO (recurring series are
/// taken as their first occurrence), with a summary and an end not before its start.
pub fn parse_calendar(text: &str) -> Result<CalendarItem, DataError> {
    let item = read_calendar(text)?;
    refuse_decoded_nul(Some(&item.uid), &item.patch())?;
    Ok(item)
}

fn read_calendar(text: &str) -> Result<CalendarItem, DataError> {
    check_shape(text, Some(MAX_OBJECT_BYTES), Some(MAX_COMPONENTS))?;
    let composed = crate::text::nfc(text);
    let text: &str = &composed;
    let ical = match ICalendar::parse(text) {
        Ok(i) => i,
        Err(Entry::InvalidLine(l)) => return Err(malformed(format!("invalid line: {l}"))),
        Err(_) => return Err(malformed("not an iCalendar object (BEGIN:VCALENDAR ...)")),
    };
    let items: Vec<&ICalendarComponent> = ical
        .components
        .iter()
        .filter(|c| {
            matches!(
                c.component_type,
                ICalendarComponentType::VEvent | ICalendarComponentType::VTodo
            )
        })
        .collect();
    // A series' master (no RECURRENCE-ID) speaks for it; the occurrences changed on
    // their own (RECURRENCE-ID) are kept as its overrides.
    let (masters, changed): (Vec<&ICalendarComponent>, Vec<&ICalendarComponent>) = items
        .iter()
        .partition(|i| i.property(&ICalendarProperty::RecurrenceId).is_none());
    let Some(c) = masters.first().copied() else {
        if items.is_empty() {
            return Err(malformed("the calendar object holds no VEVENT or VTODO"));
        }
        return Err(DataError::Invalid {
            field: "RECURRENCE-ID",
            message: "an occurrence changed on its own needs its series (the VEVENT with \
                      RRULE and no RECURRENCE-ID) in the same object"
                .into(),
        });
    };
    if this_and_future(text) {
        return Err(DataError::Invalid {
            field: "RECURRENCE-ID",
            message: "RANGE=THISANDFUTURE is not supported: change the series itself (its \
                      RRULE, or split it into two series)"
                .into(),
        });
    }
    // Overrides of one recurring series share its UID; any other mix is refused.
    let uid = c
        .uid()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| DataError::Invalid {
            field: "UID",
            message: "is missing".into(),
        })?
        .to_owned();
    if items
        .iter()
        .any(|i| i.uid().map(str::trim) != Some(uid.as_str()))
    {
        return Err(malformed(
            "a calendar object holds one event or to-do (one UID)",
        ));
    }
    let todo = c.component_type == ICalendarComponentType::VTodo;
    let subject = text_of(c, ICalendarProperty::Summary).unwrap_or_else(|| "(no title)".into());
    let notes = text_of(c, ICalendarProperty::Description);
    let status = match text_of(c, ICalendarProperty::Status)
        .map(|s| s.to_ascii_uppercase())
        .as_deref()
    {
        Some("CANCELLED") => Some(ActivityStatus::Cancelled),
        Some("COMPLETED") => Some(ActivityStatus::Done),
        Some("NEEDS-ACTION") | Some("IN-PROCESS") => Some(ActivityStatus::Planned),
        _ => None,
    };
    let start = when_of(&ical, c, ICalendarProperty::Dtstart, "DTSTART")?;
    let mut item = CalendarItem {
        uid,
        todo,
        subject,
        notes,
        starts_at: None,
        ends_at: None,
        all_day: false,
        due_date: None,
        status,
        recurrence: None,
    };
    if todo {
        let due = when_of(&ical, c, ICalendarProperty::Due, "DUE")?;
        item.due_date = match (due, &start) {
            (Some(When::Day(d)), _) => Some(d),
            (Some(When::Time(t)), _) => Some(t.date_naive()),
            (None, Some(When::Day(d))) => Some(*d),
            (None, Some(When::Time(t))) => Some(t.date_naive()),
            (None, None) => None,
        };
        // A recurring to-do counts by days from its due date.
        item.recurrence = recurrence_of(text, &ical, c, &item)?.map(|mut r| {
            r.time_zone = None;
            r.exdates = r
                .exdates
                .iter()
                .filter_map(|d| d.date_naive().and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
                .collect();
            r
        });
        return Ok(item);
    }
    (item.starts_at, item.ends_at, item.all_day) = span_of(&ical, c)?;
    item.recurrence = recurrence_of(text, &ical, c, &item)?;
    if !changed.is_empty() {
        let Some(zone) = item.recurrence.as_ref().map(Recurrence::zone) else {
            return Err(DataError::Invalid {
                field: "RECURRENCE-ID",
                message: "changes an occurrence of a series, but the event has no RRULE".into(),
            });
        };
        let overrides = overrides_of(&ical, &changed, &item, zone)?;
        if let Some(r) = &mut item.recurrence {
            r.overrides = overrides;
        }
    }
    Ok(item)
}

/// An event's start, end and whether it is all-day, with an end not before its start.
#[allow(clippy::type_complexity)]
fn span_of(
    ical: &ICalendar,
    c: &ICalendarComponent,
) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>, bool), DataError> {
    let start = when_of(ical, c, ICalendarProperty::Dtstart, "DTSTART")?;
    let end = when_of(ical, c, ICalendarProperty::Dtend, "DTEND")?;
    let duration = c
        .property(&ICalendarProperty::Duration)
        .and_then(duration_of);
    match start {
        None => Err(DataError::Invalid {
            field: "DTSTART",
            message: "an event needs a start".into(),
        }),
        Some(When::Day(d)) => {
            // All-day: DTEND is the day after the last one (exclusive).
            let last = match end {
                Some(When::Day(e)) => e.pred_opt().unwrap_or(e),
                Some(When::Time(t)) => t.date_naive(),
                None => match duration {
                    Some(len) if len > Duration::days(1) => d + len - Duration::days(1),
                    _ => d,
                },
            };
            if last < d {
                return Err(DataError::Invalid {
                    field: "DTEND",
                    message: "the event ends before it starts".into(),
                });
            }
            Ok((
                d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
                last.and_hms_opt(23, 59, 59).map(|t| t.and_utc()),
                true,
            ))
        }
        Some(When::Time(s)) => {
            let e = match end {
                Some(When::Time(t)) => Some(t),
                Some(When::Day(d)) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
                None => duration.map(|d| s + d),
            };
            if e.is_some_and(|e| e < s) {
                return Err(DataError::Invalid {
                    field: "DTEND",
                    message: "the event ends before it starts".into(),
                });
            }
            Ok((Some(s), e, false))
        }
    }
}

/// Whether a RECURRENCE-ID says RANGE=THISANDFUTURE (this and every later occurrence).
fn this_and_future(text: &str) -> bool {
    unfold(text).lines().any(|l| {
        let u = l.to_ascii_uppercase();
        u.starts_with("RECURRENCE-ID")
            && u.split(':')
                .next()
                .is_some_and(|params| params.contains("RANGE=THISANDFUTURE"))
    })
}

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "")
}

/// The occurrences of a series changed on their own, in Cartera's terms.
fn overrides_of(
    ical: &ICalendar,
    changed: &[&ICalendarComponent],
    item: &CalendarItem,
    zone: chrono_tz::Tz,
) -> Result<Vec<OccurrenceOverride>, DataError> {
    let mut out = Vec::new();
    for c in changed {
        let original = match when_of(ical, c, ICalendarProperty::RecurrenceId, "RECURRENCE-ID")? {
            Some(When::Time(t)) => t,
            Some(When::Day(d)) => {
                day_at_series_time(d, item, zone).ok_or_else(|| DataError::Invalid {
                    field: "RECURRENCE-ID",
                    message: "is not a valid date".into(),
                })?
            }
            None => continue,
        };
        let (starts_at, ends_at, _) = span_of(ical, c)?;
        let status = match text_of(c, ICalendarProperty::Status)
            .map(|s| s.to_ascii_uppercase())
            .as_deref()
        {
            Some("CANCELLED") => Some(ActivityStatus::Cancelled),
            Some("COMPLETED") => Some(ActivityStatus::Done),
            _ => None,
        };
        out.push(OccurrenceOverride {
            original_start: original,
            starts_at,
            ends_at,
            subject: text_of(c, ICalendarProperty::Summary),
            notes: text_of(c, ICalendarProperty::Description),
            status,
        });
    }
    Ok(out)
}

/// A date naming an occurrence of a timed series: that day at the series' time of day.
fn day_at_series_time(
    day: NaiveDate,
    item: &CalendarItem,
    zone: chrono_tz::Tz,
) -> Option<DateTime<Utc>> {
    match (item.starts_at, item.all_day) {
        (Some(s), false) => day
            .and_time(s.with_timezone(&zone).time())
            .and_local_timezone(zone)
            .earliest()
            .map(|t| t.with_timezone(&Utc)),
        _ => day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
    }
}

/// The RRULE value of the series' master VEVENT exactly as the client wrote it (unfolded),
/// so that it goes back unchanged and a part a parser would drop (`COUNT=0`) is judged
/// rather than lost. Rules inside VTIMEZONE or VALARM are not the event's.
fn raw_rrule(text: &str) -> Option<String> {
    let unfolded = unfold(text);
    let mut depth: Vec<String> = Vec::new();
    let (mut rule, mut override_of) = (None, false);
    for line in unfolded.lines().map(|l| l.trim_end_matches('\r')) {
        let upper = line.to_ascii_uppercase();
        if let Some(name) = upper.strip_prefix("BEGIN:") {
            depth.push(name.trim().to_owned());
            if depth.len() == 2 {
                (rule, override_of) = (None, false);
            }
            continue;
        }
        if upper.starts_with("END:") {
            if depth.len() == 2 && is_item(&depth[1]) && !override_of && rule.is_some() {
                return rule;
            }
            depth.pop();
            continue;
        }
        if depth.len() != 2 || !is_item(&depth[1]) {
            continue;
        }
        let name_end = line.find([':', ';']).unwrap_or(line.len());
        match &upper[..name_end] {
            "RRULE" => rule = line.split_once(':').map(|(_, v)| v.trim().to_owned()),
            "RECURRENCE-ID" => override_of = true,
            _ => {}
        }
    }
    None
}

fn is_item(name: &str) -> bool {
    name == "VEVENT" || name == "VTODO"
}

/// A VEVENT's RRULE with its EXDATEs, and the zone its DTSTART counts in (an IANA name;
/// UTC, floating and fixed offsets count in UTC). The rule itself is checked when the
/// activity is validated.
fn recurrence_of(
    text: &str,
    ical: &ICalendar,
    c: &ICalendarComponent,
    item: &CalendarItem,
) -> Result<Option<Recurrence>, DataError> {
    let Some(entry) = c.property(&ICalendarProperty::Rrule) else {
        return Ok(None);
    };
    let rule = match (raw_rrule(text), entry.values.first()) {
        (Some(raw), _) => raw,
        (None, Some(ICalendarValue::RecurrenceRule(r))) => r.to_string(),
        (None, Some(v)) => v.as_text().unwrap_or_default().to_owned(),
        (None, None) => String::new(),
    };
    let resolver = ical
        .build_tz_resolver()
        .with_default(calcard::common::timezone::Tz::UTC);
    let start_tzid = c
        .property(&ICalendarProperty::Dtstart)
        .and_then(|e| e.tz_id());
    let time_zone = if item.all_day {
        None
    } else {
        match resolver.resolve_or_default(start_tzid) {
            calcard::common::timezone::Tz::Tz(z) if z != chrono_tz::UTC => {
                Some(z.name().to_owned())
            }
            _ => None,
        }
    };
    let zone: chrono_tz::Tz = time_zone
        .as_deref()
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let mut exdates = Vec::new();
    for e in c.properties(&ICalendarProperty::Exdate) {
        let tz = resolver.resolve_or_default(e.tz_id().or(start_tzid));
        for v in &e.values {
            let Some(pdt) = v.as_partial_date_time() else {
                continue;
            };
            let bad = || DataError::Invalid {
                field: "EXDATE",
                message: "is not a date or date-time".into(),
            };
            if pdt.has_time() {
                let t = pdt.to_date_time_with_tz(tz).ok_or_else(bad)?;
                exdates.push(t.with_timezone(&Utc));
                continue;
            }
            let day = match (pdt.year, pdt.month, pdt.day) {
                (Some(y), Some(m), Some(d)) => {
                    NaiveDate::from_ymd_opt(y.into(), m.into(), d.into())
                }
                _ => None,
            }
            .ok_or_else(bad)?;
            // A date takes out that day's occurrence, at the series' time of day.
            exdates.push(day_at_series_time(day, item, zone).ok_or_else(bad)?);
        }
    }
    Ok(Some(Recurrence {
        rule,
        exdates,
        time_zone,
        overrides: Vec::new(),
    }))
}

/// An activity as a calendar object with `uid`: a VTODO for a task with only a due
/// date, a VEVENT otherwise. `stamp` is its last change (DTSTAMP, LAST-MODIFIED).
pub fn write_calendar(uid: &str, a: &ActivityData, stamp: DateTime<Utc>, sequence: i64) -> String {
    let mut cal = new_calendar();
    push_component(&mut cal, uid, a, stamp, sequence);
    cal.to_string()
}

/// An empty calendar with Cartera's PRODID.
pub fn new_calendar() -> Calendar {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"));
    cal.append_property(("PRODID", "-//Cartera//CRM//EN"));
    cal.append_property(("CALSCALE", "GREGORIAN"));
    cal
}

/// Adds an activity's event or to-do to `cal` (the feed holds many).
pub fn push_component(
    cal: &mut Calendar,
    uid: &str,
    a: &ActivityData,
    stamp: DateTime<Utc>,
    sequence: i64,
) {
    let sequence = u32::try_from(sequence.max(0)).unwrap_or(u32::MAX);
    if a.starts_at.is_none() {
        let mut t = icalendar::Todo::new();
        t.uid(uid)
            .summary(&a.subject)
            .timestamp(stamp)
            .last_modified(stamp)
            .sequence(sequence);
        if let Some(n) = &a.notes {
            t.description(n);
        }
        if let Some(d) = a.due_date {
            t.due(DatePerhapsTime::Date(d));
        }
        // A recurring to-do needs DTSTART for its RRULE (RFC 5545): its due day.
        if let (Some(r), Some(d)) = (&a.recurrence, a.due_date) {
            t.starts(DatePerhapsTime::Date(d));
            t.add_property("RRULE", &r.rule);
            if let Some(p) = instants_property("EXDATE", &r.exdates, true, None) {
                t.append_multi_property(p);
            }
        }
        t.status(match a.status {
            ActivityStatus::Planned => TodoStatus::NeedsAction,
            ActivityStatus::Done => TodoStatus::Completed,
            ActivityStatus::Cancelled => TodoStatus::Cancelled,
        });
        cal.push(t.done());
        return;
    }
    let mut e = icalendar::Event::new();
    e.uid(uid)
        .summary(&a.subject)
        .timestamp(stamp)
        .last_modified(stamp)
        .sequence(sequence);
    if let Some(n) = &a.notes {
        e.description(n);
    }
    // A series counts in its zone, so DTSTART says it (TZID) and clients keep its local
    // time across daylight saving changes; one-offs are written in UTC.
    let zone = a
        .recurrence
        .as_ref()
        .and_then(|r| r.time_zone.as_ref().map(|_| r.zone()));
    let at = |t: DateTime<Utc>| match zone {
        Some(z) => CalendarDateTime::WithTimezone {
            date_time: t.with_timezone(&z).naive_local(),
            tzid: z.name().to_owned(),
        },
        None => CalendarDateTime::Utc(t),
    };
    if let Some(s) = a.starts_at {
        if a.all_day {
            let first = s.date_naive();
            let last = a.ends_at.map_or(first, |t| t.date_naive()).max(first);
            e.starts(DatePerhapsTime::Date(first));
            e.ends(DatePerhapsTime::Date(last + Duration::days(1)));
        } else {
            e.starts(at(s));
            // A call or visit with no end shows as an hour, as calendars expect an end.
            let end = a.ends_at.unwrap_or(s + Duration::hours(1));
            e.ends(at(end));
        }
    }
    if let Some(r) = &a.recurrence {
        e.add_property("RRULE", &r.rule);
        if let Some(p) = instants_property("EXDATE", &r.exdates, a.all_day, zone) {
            e.append_multi_property(p);
        }
    }
    e.status(match a.status {
        ActivityStatus::Cancelled => EventStatus::Cancelled,
        _ => EventStatus::Confirmed,
    });
    cal.push(e.done());
    if let (Some(r), Some(first)) = (&a.recurrence, a.starts_at) {
        let length = a.ends_at.map(|t| t - first);
        for o in &r.overrides {
            cal.push(override_event(uid, a, o, length, zone, stamp, sequence));
        }
    }
}

/// An occurrence changed on its own as its VEVENT: the series' UID with RECURRENCE-ID.
fn override_event(
    uid: &str,
    a: &ActivityData,
    o: &OccurrenceOverride,
    length: Option<Duration>,
    zone: Option<chrono_tz::Tz>,
    stamp: DateTime<Utc>,
    sequence: u32,
) -> icalendar::Event {
    let mut e = icalendar::Event::new();
    e.uid(uid)
        .summary(o.subject.as_deref().unwrap_or(&a.subject))
        .timestamp(stamp)
        .last_modified(stamp)
        .sequence(sequence);
    if let Some(n) = o.notes.as_ref().or(a.notes.as_ref()) {
        e.description(n);
    }
    if let Some(p) = instants_property("RECURRENCE-ID", &[o.original_start], a.all_day, zone) {
        e.append_property(p);
    }
    let start = o.starts_at.unwrap_or(o.original_start);
    let end = o.ends_at.or(length.map(|l| start + l));
    if a.all_day {
        let first = start.date_naive();
        let last = end.map_or(first, |t| t.date_naive()).max(first);
        e.starts(DatePerhapsTime::Date(first));
        e.ends(DatePerhapsTime::Date(last + Duration::days(1)));
    } else {
        let at = |t: DateTime<Utc>| match zone {
            Some(z) => CalendarDateTime::WithTimezone {
                date_time: t.with_timezone(&z).naive_local(),
                tzid: z.name().to_owned(),
            },
            None => CalendarDateTime::Utc(t),
        };
        e.starts(at(start));
        e.ends(at(end.unwrap_or(start + Duration::hours(1))));
    }
    let status = o.status.unwrap_or(a.status);
    e.status(match status {
        ActivityStatus::Cancelled => EventStatus::Cancelled,
        _ => EventStatus::Confirmed,
    });
    e.done()
}

/// A property naming instants of a series (EXDATE, RECURRENCE-ID) the way its DTSTART is
/// written: dates for an all-day series, local times with TZID for one in a zone, UTC
/// otherwise. None for no instants.
fn instants_property(
    name: &str,
    instants: &[DateTime<Utc>],
    all_day: bool,
    zone: Option<chrono_tz::Tz>,
) -> Option<icalendar::Property> {
    if instants.is_empty() {
        return None;
    }
    let (values, params): (Vec<String>, Option<(&str, String)>) = if all_day {
        let days = instants.iter().map(|d| d.format("%Y%m%d").to_string());
        (days.collect(), Some(("VALUE", "DATE".to_owned())))
    } else if let Some(z) = zone {
        let local = instants.iter().map(|d| {
            d.with_timezone(&z)
                .naive_local()
                .format("%Y%m%dT%H%M%S")
                .to_string()
        });
        (local.collect(), Some(("TZID", z.name().to_owned())))
    } else {
        let utc = instants
            .iter()
            .map(|d| d.format("%Y%m%dT%H%M%SZ").to_string());
        (utc.collect(), None)
    };
    let mut p = icalendar::Property::new(name, values.join(","));
    if let Some((k, v)) = params {
        p.add_parameter(k, &v);
    }
    Some(p.done())
}

/// What a client's vCard says, in Cartera's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct CardItem {
    pub uid: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub description: Option<String>,
}

impl CardItem {
    /// The contact fields the card decides, as a merge patch or a creation input.
    pub fn patch(&self) -> serde_json::Value {
        serde_json::json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "emails": self.emails,
            "phones": self.phones,
            "job_title": self.job_title,
            "department": self.department,
            "birthday": self.birthday,
            "description": self.description,
        })
    }
}

fn card_text(e: &VCardEntry) -> Option<String> {
    e.values
        .first()
        .and_then(|v| v.as_text())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn card_label(e: &VCardEntry) -> Option<String> {
    e.params
        .iter()
        .filter(|p| p.name == VCardParameterName::Type)
        .filter_map(|p| match &p.value {
            VCardParameterValue::Type(t) => Some(t.as_str().to_ascii_lowercase()),
            VCardParameterValue::Text(t) => Some(t.to_ascii_lowercase()),
            _ => None,
        })
        .find(|l| l != "internet" && l != "pref" && l != "voice")
}

/// Splits a whole text into the values of every vCard it holds. Anything else in the
/// text (a stray line, a half card) is an error naming the card by its position.
///
/// The whole text is as large as the request body may be (an address book's export);
/// only how deep its cards nest is checked here.
pub fn parse_cards(text: &str) -> Result<Vec<Result<CardItem, DataError>>, DataError> {
    check_shape(text, None, None)?;
    // Composed text (see `text::nfc`): a card written with separate accent marks names
    // the same person as one typed on an ordinary keyboard.
    let text = crate::text::nfc(text);
    let mut parser = calcard::Parser::new(&text);
    let mut out = Vec::new();
    loop {
        match parser.entry() {
            Entry::VCard(card) => out.push(read_card(&card).and_then(|c| {
                refuse_decoded_nul(c.uid.as_deref(), &c.patch())?;
                Ok(c)
            })),
            Entry::Eof => break,
            Entry::ICalendar(_) => out.push(Err(malformed("an iCalendar object, not a vCard"))),
            Entry::InvalidLine(l) => out.push(Err(malformed(format!("invalid line: {l}")))),
            _ => out.push(Err(malformed("an unfinished or misplaced vCard"))),
        }
    }
    if out.is_empty() {
        return Err(malformed("no vCard (BEGIN:VCARD ... END:VCARD)"));
    }
    Ok(out)
}

/// Reads exactly one vCard.
pub fn parse_card(text: &str) -> Result<CardItem, DataError> {
    check_shape(text, Some(MAX_OBJECT_BYTES), None)?;
    let mut all = parse_cards(text)?;
    if all.len() != 1 {
        return Err(malformed("a contact resource holds exactly one vCard"));
    }
    all.remove(0)
}

fn read_card(card: &VCard) -> Result<CardItem, DataError> {
    let mut item = CardItem {
        uid: card
            .uid()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty()),
        first_name: String::new(),
        last_name: String::new(),
        emails: Vec::new(),
        phones: Vec::new(),
        job_title: None,
        department: None,
        birthday: None,
        description: None,
    };
    if let Some(n) = card.property(&VCardProperty::N) {
        let part = |i: usize| {
            n.values
                .get(i)
                .and_then(|v| match v {
                    VCardValue::Text(t) => Some(t.trim().to_owned()),
                    VCardValue::Component(c) => Some(c.join(" ").trim().to_owned()),
                    _ => None,
                })
                .unwrap_or_default()
        };
        item.last_name = part(0);
        item.first_name = part(1);
    }
    if item.first_name.is_empty() && item.last_name.is_empty() {
        // No structured name: the formatted one, split at its last space.
        let full = card.property(&VCardProperty::Fn).and_then(card_text);
        match full.as_deref().and_then(|f| f.rsplit_once(' ')) {
            Some((first, last)) => {
                item.first_name = first.trim().to_owned();
                item.last_name = last.trim().to_owned();
            }
            None => item.first_name = full.unwrap_or_default(),
        }
    }
    for e in card.properties(&VCardProperty::Email) {
        if let Some(address) = card_text(e) {
            item.emails.push(Email {
                address,
                label: card_label(e),
            });
        }
    }
    for e in card.properties(&VCardProperty::Tel) {
        if let Some(number) = card_text(e) {
            let number = number.strip_prefix("tel:").unwrap_or(&number).to_owned();
            item.phones.push(Phone {
                number,
                label: card_label(e),
            });
        }
    }
    item.job_title = card.property(&VCardProperty::Title).and_then(card_text);
    item.department = card.property(&VCardProperty::Org).and_then(|e| {
        e.values
            .get(1)
            .and_then(|v| v.as_text())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    });
    item.description = card.property(&VCardProperty::Note).and_then(card_text);
    if let Some(b) = card.property(&VCardProperty::Bday) {
        let pdt = b.values.first().and_then(|v| v.as_partial_date_time());
        item.birthday = match pdt {
            Some(PartialDateTime {
                year: Some(y),
                month: Some(m),
                day: Some(d),
                ..
            }) => Some(
                NaiveDate::from_ymd_opt((*y).into(), (*m).into(), (*d).into()).ok_or(
                    DataError::Invalid {
                        field: "BDAY",
                        message: "is not a valid date".into(),
                    },
                )?,
            ),
            // A birthday without a year (--0314) has no place in a date column.
            _ => None,
        };
    }
    if item.first_name.is_empty() && item.last_name.is_empty() && item.emails.is_empty() {
        return Err(DataError::Invalid {
            field: "N",
            message: "the card has no name (N or FN) and no email".into(),
        });
    }
    Ok(item)
}

/// A contact as a vCard 4.0 with `uid`; `account` is the name of its company (ORG).
pub fn write_card(uid: &str, c: &ContactData, account: Option<&str>, rev: DateTime<Utc>) -> String {
    let text = |p: VCardProperty, v: &str| VCardEntry::new(p).with_value(v.to_owned());
    let mut entries = vec![
        text(VCardProperty::Uid, uid),
        text(VCardProperty::Fn, &c.full_name()),
        VCardEntry::new(VCardProperty::N).with_values(vec![
            VCardValue::Text(c.last_name.clone()),
            VCardValue::Text(c.first_name.clone()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
        ]),
    ];
    for e in &c.emails {
        let mut entry = text(VCardProperty::Email, &e.address);
        if let Some(l) = &e.label {
            entry = entry.with_param(type_param(l));
        }
        entries.push(entry);
    }
    for p in &c.phones {
        let mut entry = text(VCardProperty::Tel, &p.number);
        if let Some(l) = &p.label {
            entry = entry.with_param(type_param(l));
        }
        entries.push(entry);
    }
    if account.is_some() || c.department.is_some() {
        entries.push(VCardEntry::new(VCardProperty::Org).with_values(vec![
            VCardValue::Text(account.unwrap_or_default().to_owned()),
            VCardValue::Text(c.department.clone().unwrap_or_default()),
        ]));
    }
    if let Some(t) = &c.job_title {
        entries.push(text(VCardProperty::Title, t));
    }
    if let Some(b) = c.birthday {
        entries.push(text(VCardProperty::Bday, &b.format("%Y%m%d").to_string()));
    }
    if let Some(n) = &c.description {
        entries.push(text(VCardProperty::Note, n));
    }
    entries.push(text(
        VCardProperty::Rev,
        &rev.format("%Y%m%dT%H%M%SZ").to_string(),
    ));
    let card = VCard { entries };
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = card.write_to(&mut out, VCardVersion::V4_0);
    out
}

fn type_param(label: &str) -> VCardParameter {
    match label.to_ascii_lowercase().as_str() {
        "work" | "office" => VCardParameter::typ(VCardParameterValue::Type(VCardType::Work)),
        "home" => VCardParameter::typ(VCardParameterValue::Type(VCardType::Home)),
        "mobile" | "cell" => VCardParameter::typ(VCardParameterValue::Type(VCardType::Cell)),
        other => VCardParameter::typ(VCardParameterValue::Text(other.to_owned())),
    }
}

/// Escapes text for an XML element or attribute.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => {
                let _ = write!(out, "{c}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_event_in_a_time_zone() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:abc\r\nSUMMARY:Visita\r\nDTSTART;TZID=Europe/Madrid:20261201T100000\r\nDTEND;TZID=Europe/Madrid:20261201T113000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let i = parse_calendar(ics).unwrap();
        assert_eq!(i.uid, "abc");
        assert_eq!(
            i.starts_at.unwrap().to_rfc3339(),
            "2026-12-01T09:00:00+00:00"
        );
        assert_eq!(i.ends_at.unwrap().to_rfc3339(), "2026-12-01T10:30:00+00:00");
    }

    #[test]
    fn a_series_keeps_its_rule_as_written() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Madrid\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Serie\r\nDTSTART;TZID=Europe/Madrid:20261013T100000\r\nRRULE:FREQ=WEEKLY;COUNT=0;\r\n BYDAY=TU\r\nEXDATE:20261020\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let r = parse_calendar(ics).unwrap().recurrence.unwrap();
        assert_eq!(r.rule, "FREQ=WEEKLY;COUNT=0;BYDAY=TU");
        assert_eq!(r.time_zone.as_deref(), Some("Europe/Madrid"));
        // A date in EXDATE takes out that day's occurrence at the series' time.
        assert_eq!(r.exdates[0].to_rfc3339(), "2026-10-20T08:00:00+00:00");
    }

    #[test]
    fn refuses_an_event_ending_before_it_starts() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:abc\r\nSUMMARY:x\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert!(matches!(
            parse_calendar(ics),
            Err(DataError::Invalid { field: "DTEND", .. })
        ));
        assert!(parse_calendar("hello").is_err());
    }

    #[test]
    fn a_card_round_trips() {
        let c = ContactData {
            first_name: "Lucía".into(),
            last_name: "Fernández".into(),
            emails: vec![Email {
                address: "lucia@acme.com".into(),
                label: Some("work".into()),
            }],
            job_title: Some("Compras".into()),
            ..ContactData::default()
        };
        let text = write_card("u1", &c, Some("Acme"), Utc::now());
        let back = parse_card(&text).unwrap();
        assert_eq!(back.first_name, "Lucía");
        assert_eq!(back.last_name, "Fernández");
        assert_eq!(back.emails[0].address, "lucia@acme.com");
        assert_eq!(back.uid.as_deref(), Some("u1"));
    }

    fn nested(word: &str, levels: usize) -> String {
        let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        for _ in 0..levels {
            s.push_str(&format!(
                "BEGIN:{word}\r\nUID:x\r\nSUMMARY:x\r\nDTSTART:20261201T100000Z\r\n"
            ));
        }
        for _ in 0..levels {
            s.push_str(&format!("END:{word}\r\n"));
        }
        s.push_str("END:VCALENDAR\r\n");
        s
    }

    #[test]
    fn deeply_nested_components_are_refused_before_parsing() {
        // VCALENDAR is the first level.
        assert!(!matches!(
            parse_calendar(&nested("VALARM", MAX_COMPONENT_DEPTH - 1)),
            Err(DataError::Malformed(m)) if m.contains("nest")
        ));
        for levels in [MAX_COMPONENT_DEPTH, 10_000] {
            assert!(matches!(
                parse_calendar(&nested("VEVENT", levels)),
                Err(DataError::Malformed(m)) if m.contains("nest deeper")
            ));
        }
        let card = format!(
            "{}{}",
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n".repeat(50_000),
            "END:VCARD\r\n".repeat(50_000)
        );
        assert!(
            matches!(parse_cards(&card), Err(DataError::Malformed(m)) if m.contains("nest deeper"))
        );
        assert!(matches!(parse_card(&card), Err(DataError::TooLarge(_))));
    }

    #[test]
    fn oversized_objects_are_refused_as_too_large() {
        let big = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "x".repeat(MAX_OBJECT_BYTES)
        );
        assert!(matches!(parse_calendar(&big), Err(DataError::TooLarge(_))));
        let many = format!(
            "BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n",
            "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n".repeat(MAX_COMPONENTS)
        );
        assert!(
            matches!(parse_calendar(&many), Err(DataError::TooLarge(m)) if m.contains("components"))
        );
        // A folded line that happens to start with BEGIN: after its space is not one.
        let folded = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:abc\r\nSUMMARY:a\r\n BEGIN:VEVENT\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert!(
            parse_calendar(folded)
                .unwrap()
                .subject
                .ends_with("BEGIN:VEVENT")
        );
    }
}
