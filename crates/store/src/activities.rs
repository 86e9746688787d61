//! Activities' table, and the reads the timeline and the cost sums need.

use cartera_core::Id;
use cartera_core::activities::{ActivityData, ActivityKind, ActivityStatus};
use cartera_core::record::{Record, RecordKind};
use cartera_core::roles::View;
use cartera_core::text::fold;

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Arg, Backend, Conn, DbRow, Result, Sql};
use crate::error::StoreError;
use crate::records::{Table, TerritoryLink, push_view, read_record, select_columns};

impl Table for ActivityData {
    const TABLE: &'static str = "activities";
    const FTS: &'static str = "activities_fts";
    // An activity belongs to its account's territory, like a contact.
    const TERRITORY: TerritoryLink = TerritoryLink::ThroughAccount;
    const EMAIL_KEYS: bool = false;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "subject",
        "subject_sort",
        "notes",
        "due_date",
        "starts_at",
        "ends_at",
        "all_day",
        "planned",
        "status",
        "outcome",
        "next_action",
        "account_id",
        "contact_id",
        "lead_id",
        "deal_id",
        "owner_id",
        "attendee_ids",
        "costs",
        "cost_totals",
        "tags",
        "custom",
        "report",
        "reminders",
        "recurrence",
    ];

    fn bind_data(&self, out: &mut Vec<Arg>) {
        out.push(self.kind.as_str().into());
        out.push((&self.subject).into());
        out.push(fold(&self.subject).into());
        out.push((&self.notes).into());
        out.push(self.due_date.into());
        out.push(self.starts_at.into());
        out.push(self.ends_at.into());
        out.push(self.all_day.into());
        out.push(self.planned.into());
        out.push(self.status.as_str().into());
        out.push((&self.outcome).into());
        out.push((&self.next_action).into());
        out.push(self.account_id.into());
        out.push(self.contact_id.into());
        out.push(self.lead_id.into());
        out.push(self.deal_id.into());
        out.push(self.owner_id.into());
        out.push(Arg::json(&self.attendee_ids));
        out.push(Arg::json(&self.costs));
        out.push(Arg::json(&self.cost_totals));
        out.push(Arg::json(&self.tags));
        out.push(Arg::json(&self.custom));
        out.push((&self.report).into());
        out.push(Arg::json(&self.reminders));
        out.push(match &self.recurrence {
            Some(r) => Arg::json(r),
            None => Arg::Json(None),
        });
    }

    fn read_data(row: &DbRow) -> Result<Self> {
        let kind = row.text("kind")?;
        let status = row.text("status")?;
        Ok(ActivityData {
            kind: ActivityKind::parse(&kind)
                .ok_or_else(|| StoreError::Decode(format!("activity kind: '{kind}'")))?,
            subject: row.text("subject")?,
            notes: row.opt_text("notes")?,
            due_date: row.opt_date("due_date")?,
            starts_at: row.opt_time("starts_at")?,
            ends_at: row.opt_time("ends_at")?,
            all_day: row.bool("all_day")?,
            recurrence: row.opt_json("recurrence")?,
            planned: row.bool("planned")?,
            status: ActivityStatus::parse(&status)
                .ok_or_else(|| StoreError::Decode(format!("activity status: '{status}'")))?,
            outcome: row.opt_text("outcome")?,
            report: row.opt_text("report")?,
            reminders: row.json("reminders")?,
            next_action: row.opt_text("next_action")?,
            account_id: row.opt_id("account_id")?,
            contact_id: row.opt_id("contact_id")?,
            lead_id: row.opt_id("lead_id")?,
            deal_id: row.opt_id("deal_id")?,
            owner_id: row.opt_id("owner_id")?,
            attendee_ids: row.json("attendee_ids")?,
            costs: row.json("costs")?,
            cost_totals: row.json("cost_totals")?,
            tags: row.json("tags")?,
            custom: row.json("custom")?,
        })
    }

    fn column(field: &str) -> Option<&'static str> {
        Some(match field {
            "kind" => "kind",
            "subject" => "subject",
            "status" => "status",
            "due_date" => "due_date",
            "starts_at" => "starts_at",
            "ends_at" => "ends_at",
            "planned" => "planned",
            "all_day" => "all_day",
            "account_id" => "account_id",
            "contact_id" => "contact_id",
            "lead_id" => "lead_id",
            "deal_id" => "deal_id",
            _ => return None,
        })
    }

    fn sort_column(field: &str) -> Option<&'static str> {
        match field {
            "subject" => Some("subject_sort"),
            f => Self::column(f),
        }
    }
}

/// The column an activity links to another record by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Account,
    Contact,
    Lead,
    Deal,
    Owner,
}

impl Link {
    fn column(self) -> &'static str {
        match self {
            Link::Account => "account_id",
            Link::Contact => "contact_id",
            Link::Lead => "lead_id",
            Link::Deal => "deal_id",
            Link::Owner => "owner_id",
        }
    }

    /// The link by which activities hang on a record of `kind`, if they can.
    pub fn to(kind: RecordKind) -> Option<Link> {
        match kind {
            RecordKind::Account => Some(Link::Account),
            RecordKind::Contact => Some(Link::Contact),
            RecordKind::Lead => Some(Link::Lead),
            RecordKind::Deal => Some(Link::Deal),
            _ => None,
        }
    }
}

/// Live activities linked by `link` to one of `ids`, newest first, with their `seq`
/// (the timeline's cursor), within `view` when the reader sees part of the records.
pub async fn list_for(
    c: &mut Conn,
    link: Link,
    ids: &[Id],
    view: Option<&View>,
    before_seq: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<(i64, Record<ActivityData>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(format!(
        "SELECT {} FROM activities t WHERE t.deleted_at IS NULL AND t.{} IN (",
        select_columns::<ActivityData>(),
        link.column()
    ));
    sql.push_args(ids);
    sql.push(")");
    if let Some(v) = view {
        sql.push(" AND ");
        push_view::<ActivityData>(&mut sql, v);
    }
    if let Some(s) = before_seq {
        sql.push(" AND t.seq < ");
        sql.push_arg(s);
    }
    sql.push(" ORDER BY t.seq DESC");
    if let Some(l) = limit {
        sql.push(" LIMIT ");
        sql.push_arg(l);
    }
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| Ok((r.int("seq")?, read_record(r)?)))
        .collect()
}

/// A user's live activities on their agenda: those they own and those they attend,
/// first start first. With a window (`from`..`to`, both days and instants), only those
/// due on a day of it, starting in it, or recurring series that began before its end.
pub async fn on_agenda(
    c: &mut Conn,
    user: Id,
    window: Option<(NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<Record<ActivityData>>> {
    let postgres = c.backend() == Backend::Postgres;
    let mut sql = Sql::new(format!(
        "SELECT {} FROM activities t WHERE t.deleted_at IS NULL AND (t.owner_id = ",
        select_columns::<ActivityData>(),
    ));
    sql.push_arg(user);
    if postgres {
        sql.push(" OR jsonb_exists(t.attendee_ids, ");
        sql.push_arg(user.to_string());
        sql.push("))");
    } else {
        sql.push(" OR EXISTS (SELECT 1 FROM json_each(t.attendee_ids) j WHERE j.value = ");
        sql.push_arg(user.to_string());
        sql.push("))");
    }
    if let Some((first, last, from, to)) = window {
        sql.push(" AND ((t.due_date >= ");
        sql.push_arg(Some(first));
        sql.push(" AND t.due_date <= ");
        sql.push_arg(Some(last));
        sql.push(") OR (t.starts_at >= ");
        sql.push_arg(from);
        sql.push(" AND t.starts_at < ");
        sql.push_arg(to);
        sql.push(") OR (t.recurrence IS NOT NULL AND t.starts_at < ");
        sql.push_arg(to);
        sql.push("))");
    }
    // Far more than an agenda holds in a window; the calendar of a user with more
    // shows the first ones.
    sql.push(" ORDER BY t.starts_at, t.due_date, t.seq LIMIT 5000");
    c.fetch_all(sql).await?.iter().map(read_record).collect()
}
