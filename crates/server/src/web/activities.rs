//! The activities' pages: the list (mine, overdue, today, this week, by kind, by account
//! or any other record), the one form that logs and edits an activity (record pickers,
//! time and length, cost lines priced at the company's mileage rate, outcome and next
//! action), delete with undo, and what the account, contact, lead and deal pages show
//! of them (`record_ctx`, drawn by `agenda/record_activities.html`).

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use cartera_app::records::{self, WriteOptions};
use cartera_app::{Actor, App, AppError};
use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::activities::{
    ActivityData, ActivityKind, ActivityStatus, CostLine, CostType, mileage_amount,
};
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::leads::LeadData;
use cartera_core::money::{Currency, Money};
use cartera_core::record::{Record, RecordData, RecordKind};
use cartera_core::views::default_columns;

use super::activity_query::ListQuery;
use super::figures::{account_names, amount, day as show_day, money, number};
use super::forms::{Fields, FormErrors, explain, typed_number};
use super::lists::{SaveForm, open_view, views_context_of};
use super::panels::{Panel, PanelFuture};
use super::records::{Editable, Field};
use super::render::{Me, Page, PageId, same_site_path, when};
use crate::state::AppState;

/// The activity pages this module adds to the agenda's (`/activities/{id}` and its
/// done and move forms stay in `agenda`).
pub fn routes() -> Router<AppState> {
    use super::records::{delete, restore, trash};
    Router::new()
        .route("/activities", get(list))
        .route("/activities/new", get(new_form).post(create))
        .route("/activities/trash", get(trash::<ActivityData>))
        .route("/activities/{id}/edit", get(edit_form).post(edit))
        .route("/activities/{id}/delete", post(delete::<ActivityData>))
        .route("/activities/{id}/restore", post(restore::<ActivityData>))
}

/// Delete with undo and the trash are the generic record pages; the form is this
/// module's own (times, pickers and cost lines do not fit the generic field list).
impl Editable for ActivityData {
    const SEG: &'static str = "activities";
    const NOUN: &'static str = "kind-activity";
    fn form_fields() -> &'static [Field] {
        &[]
    }
    async fn merge(_: &App, _: &Actor, _: Id, _: Id) -> Option<Result<(), AppError>> {
        None
    }
}

/// The kinds a rep logs from a record's page, in the order of its buttons.
const LOGGED: &[&str] = &["visit", "call", "task", "meeting"];
/// The lengths the form offers, in minutes.
const DURATIONS: &[i64] = &[15, 30, 45, 60, 90, 120, 180, 240, 480];
const REMINDERS: &[i64] = &[0, 15, 30, 60, 1440];
/// The cost lines the form offers: km (priced by the server), tolls, per diem, other.
const COST_TYPES: &[&str] = &["mileage", "travel", "per_diem", "other"];
/// The records an activity links to: its field prefix and the kind's path.
const LINKS: &[(&str, &str)] = &[
    ("account", "accounts"),
    ("contact", "contacts"),
    ("lead", "leads"),
    ("deal", "deals"),
];
/// Rows of the list, and activities of each part of a record's card.
const PAGE_SIZE: usize = 25;
const ON_CARD: usize = 5;
/// The currency of amounts when the company set no mileage rate (the one whose
/// currency the form otherwise uses).
const FALLBACK_CURRENCY: &str = "ARS";

fn kind_of(s: &str) -> CostType {
    match s {
        "mileage" => CostType::Mileage,
        "travel" => CostType::Travel,
        "per_diem" => CostType::PerDiem,
        _ => CostType::Other,
    }
}

fn cost_name(k: CostType) -> &'static str {
    match k {
        CostType::Mileage => "mileage",
        CostType::Travel => "travel",
        CostType::PerDiem => "per_diem",
        CostType::Other => "other",
    }
}

// ---------- The list ----------

fn link_of(d: &ActivityData, field: &str) -> Option<Id> {
    match field {
        "account_id" => d.account_id,
        "contact_id" => d.contact_id,
        "lead_id" => d.lead_id,
        "deal_id" => d.deal_id,
        _ => None,
    }
}

fn today(s: &AppState, page: &Page) -> NaiveDate {
    s.app.now().with_timezone(&page.time_zone()).date_naive()
}

/// When an activity falls, as a person reads it: its start, or the day it is due.
fn when_label(page: &Page, d: &ActivityData, start: Option<DateTime<Utc>>) -> String {
    match start.or(d.starts_at) {
        Some(t) => when(t, page.time_zone(), page.locale),
        None => d
            .due_date
            .map(|x| show_day(page.locale, x))
            .unwrap_or_default(),
    }
}

fn overdue(d: &ActivityData, today: NaiveDate, now: DateTime<Utc>) -> bool {
    d.status == ActivityStatus::Planned
        && (d.due_date.is_some_and(|x| x < today)
            || (d.due_date.is_none() && d.starts_at.is_some_and(|t| t < now)))
}

fn costs_label(page: &Page, d: &ActivityData) -> String {
    d.cost_totals
        .iter()
        .map(|m| money(page.locale, m.amount, m.currency.as_str()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One activity as a row of the list or a record's card.
fn row(
    s: &AppState,
    page: &Page,
    r: &Record<ActivityData>,
    start: Option<DateTime<Utc>>,
    accounts: &HashMap<Id, String>,
    people: &HashMap<Id, String>,
) -> Value {
    let d = &r.data;
    json!({
        "id": r.id,
        "href": format!("/activities/{}", r.id),
        "subject": d.subject,
        "kind": d.kind.as_str(),
        "kind_label": page.t(&format!("activity-kind-{}", d.kind.as_str())),
        "status": d.status.as_str(),
        "status_label": page.t(&format!("activity-status-{}", d.status.as_str())),
        "when": when_label(page, d, start),
        "overdue": overdue(d, today(s, page), s.app.now()),
        "account": d.account_id.and_then(|a| accounts.get(&a).map(|n| json!({"id": a, "name": n}))),
        "owner": d.owner_id.and_then(|o| people.get(&o).cloned()),
        "costs": costs_label(page, d),
    })
}

/// The names of the accounts and owners of `rows`.
async fn row_names(
    s: &AppState,
    me: &Me,
    rows: &[&Record<ActivityData>],
) -> (HashMap<Id, String>, HashMap<Id, String>) {
    let accounts: Vec<Id> = rows.iter().filter_map(|r| r.data.account_id).collect();
    let owners: Vec<Id> = rows.iter().filter_map(|r| r.data.owner_id).collect();
    let accounts = account_names(s, me, &accounts).await;
    let people = cartera_app::users::names(&s.app, &owners)
        .await
        .unwrap_or_default();
    (accounts, people)
}

/// The activities page: the toolbar's filters, then the rows. "Today" and "this week"
/// are the reader's agenda (their own and those they attend, each occurrence of a
/// series on its day); the other choices page through every activity they may see.
pub async fn list(State(s): State<AppState>, me: Me, Query(q): Query<ListQuery>) -> Response {
    render_list(&s, &me, q, None).await
}

/// The activities page; `save` is a refused "save view" form to show again.
pub(crate) async fn render_list(
    s: &AppState,
    me: &Me,
    q: ListQuery,
    save: Option<SaveForm>,
) -> Response {
    let page = &me.page;
    let view = match open_view(s, me, &q.view, "activities").await {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    // A view opened as saved shows its own choices; once the reader changes one, theirs.
    let q = match &view {
        Some(v) if !q.chosen() => ListQuery {
            cursor: q.cursor.clone(),
            ..ListQuery::from_saved(&v.query, me.viewer.user.id, &q.view, &q.when)
        },
        _ => q,
    };
    let me_id = me.viewer.user.id;
    let owner = q.owner_id(me_id);
    let today = today(s, page);
    let (rows, next) = if q.when == "today" || q.when == "week" {
        let first = if q.when == "today" {
            today
        } else {
            today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
        };
        let last = if q.when == "today" {
            today
        } else {
            first + Duration::days(6)
        };
        let tz = page.time_zone();
        let list = match cartera_app::activities::agenda(&s.app, me.actor(), first, last, Some(tz))
            .await
        {
            Ok(l) => l,
            Err(e) => return page.error(e),
        };
        let needle = q.q.trim().to_lowercase();
        let record = q.record();
        let kept: Vec<_> = list
            .into_iter()
            .filter(|o| o.open)
            .filter(|o| {
                let d = &o.activity.data;
                (q.kind.is_empty() || d.kind.as_str() == q.kind)
                    && (q.status.is_empty() || d.status.as_str() == q.status)
                    && (q.mine.is_empty() || !o.attending)
                    && (!q.mine.is_empty() || owner.is_none_or(|w| d.owner_id == Some(w)))
                    && record.is_none_or(|(f, id)| link_of(d, f) == Some(id))
                    && (needle.is_empty() || d.subject.to_lowercase().contains(&needle))
            })
            .collect();
        let recs: Vec<&Record<ActivityData>> = kept.iter().map(|o| &o.activity).collect();
        let (accounts, people) = row_names(s, me, &recs).await;
        let rows: Vec<Value> = kept
            .iter()
            .map(|o| row(s, page, &o.activity, o.starts_at, &accounts, &people))
            .collect();
        (rows, None)
    } else {
        let mut params: Vec<(String, String)> = vec![("limit".into(), PAGE_SIZE.to_string())];
        if !q.q.trim().is_empty() {
            params.push(("q".into(), q.q.trim().to_owned()));
        }
        if ActivityKind::parse(&q.kind).is_some() {
            params.push(("filter[kind]".into(), q.kind.clone()));
        }
        if q.when == "overdue" {
            // Overdue as "My day" counts it: planned, due before today.
            params.push(("filter[status]".into(), "planned".into()));
            params.push(("filter[due_date][lt]".into(), today.to_string()));
        } else if ActivityStatus::parse(&q.status).is_some() {
            params.push(("filter[status]".into(), q.status.clone()));
        }
        if let Some(o) = owner {
            params.push(("filter[owner_id]".into(), o.to_string()));
        }
        if let Some((f, id)) = q.record() {
            params.push((format!("filter[{f}]"), id.to_string()));
        }
        let sort = match (q.sort.as_str(), q.when.as_str()) {
            ("due", _) | ("", "overdue") => "due_date,starts_at",
            ("created", _) => "-created_at",
            ("subject", _) => "subject",
            // With a search and no sort chosen, the best matches come first.
            _ if !q.q.trim().is_empty() && q.sort.is_empty() => "",
            _ => "-updated_at",
        };
        if !sort.is_empty() {
            params.push(("sort".into(), sort.into()));
        }
        if let Some(c) = &q.cursor {
            params.push(("cursor".into(), c.clone()));
        }
        let listed = match records::list::<ActivityData>(&s.app, me.actor(), &params).await {
            Ok(l) => l,
            Err(e) => return page.error(e),
        };
        let recs: Vec<&Record<ActivityData>> = listed.rows.iter().collect();
        let (accounts, people) = row_names(s, me, &recs).await;
        let rows: Vec<Value> = listed
            .rows
            .iter()
            .map(|r| row(s, page, r, None, &accounts, &people))
            .collect();
        (rows, listed.next_cursor)
    };
    // The record the list is narrowed to, by name, so that the filter can be undone.
    let narrowed = match q.record() {
        Some((f, id)) => Some(json!({
            "name": link_name(s, me, f.trim_end_matches("_id"), id).await,
            "clear": ListQuery { account: String::new(), contact: String::new(), lead: String::new(), deal: String::new(), cursor: None, ..q.clone() }.url(None),
        })),
        None => None,
    };
    let option = |prefix: &str, v: &str, chosen: &str| json!({"value": v, "label": page.t(&format!("{prefix}{v}")), "selected": chosen == v});
    const WHENS: &[&str] = &["overdue", "today", "week"];
    const SORTS: &[&str] = &["updated", "due", "created", "subject"];
    let whens: Vec<Value> = WHENS
        .iter()
        .map(|w| option("activities-when-", w, &q.when))
        .collect();
    let sort = if q.sort.is_empty() {
        "updated"
    } else {
        q.sort.as_str()
    };
    let sorts: Vec<Value> = SORTS
        .iter()
        .map(|k| option("activities-sort-", k, sort))
        .collect();
    let shown: Vec<String> = match &view {
        Some(v) => v.columns.clone(),
        None => default_columns(RecordKind::Activity)
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
    };
    let mine_flag = if q.mine.is_empty() { "" } else { "1" };
    let hidden = [
        ("q", q.q.trim()),
        ("kind", q.kind.as_str()),
        ("status", q.status.as_str()),
        ("mine", mine_flag),
        ("owner", q.owner.as_str()),
        ("account", q.account.as_str()),
        ("contact", q.contact.as_str()),
        ("lead", q.lead.as_str()),
        ("deal", q.deal.as_str()),
        ("sort", q.sort.as_str()),
    ];
    let (mut views, refused) = views_context_of(
        s,
        me,
        RecordKind::Activity,
        &hidden,
        view.as_ref(),
        &shown,
        save,
    )
    .await;
    views["help"] = json!("view-save-help-activities");
    let ctx = json!({
        "nav": "activities",
        "base": "/activities",
        "views": views,
        "columns": shown,
        "oob_views": page.htmx && page.hx_target.as_deref() == Some("list"),
        "query": q,
        "rows": rows,
        "filtered": q.filtered(),
        "narrowed": narrowed,
        "whens": whens,
        "kinds": ActivityKind::NAMES.iter().map(|k| option("activity-kind-", k, &q.kind)).collect::<Vec<_>>(),
        "statuses": ActivityStatus::NAMES.iter().map(|k| option("activity-status-", k, &q.status)).collect::<Vec<_>>(),
        "sorts": sorts,
        "next_url": next.as_deref().map(|c| q.url(Some(c))),
        "first_url": q.cursor.as_ref().map(|_| q.url(None)),
    });
    let template = if page.htmx && page.hx_target.as_deref() == Some("list") {
        "agenda/activities_rows.html"
    } else {
        "agenda/activities.html"
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.render(status, template, ctx)
}

// ---------- A record's card ----------

/// What a record's page shows of its activities: the next ones (planned, soonest
/// first), the past ones (latest first), the "log a visit / call / task / meeting"
/// links pre-linked to it (`link` holds the query of its ids) and the filtered list.
/// `None` when the reader's role does not read activities.
pub async fn record_ctx(
    s: &AppState,
    me: &Me,
    field: &'static str,
    id: Id,
    link: &[(&str, Id)],
    back: &str,
) -> Option<Value> {
    let page = &me.page;
    let by = (format!("filter[{field}]"), id.to_string());
    let planned = vec![
        by.clone(),
        ("filter[status]".into(), "planned".into()),
        ("sort".into(), "-updated_at".into()),
        ("limit".into(), "100".into()),
    ];
    let mut next = records::list::<ActivityData>(&s.app, me.actor(), &planned)
        .await
        .ok()?
        .rows;
    // Soonest first; those with no day last.
    next.sort_by_key(|r| {
        (
            r.data.day().is_none(),
            r.data.starts_at.or(r
                .data
                .day()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())),
        )
    });
    next.truncate(ON_CARD);
    let past_q = vec![
        by,
        ("filter[status][ne]".into(), "planned".into()),
        ("sort".into(), "-updated_at".into()),
        ("limit".into(), ON_CARD.to_string()),
    ];
    let past = records::list::<ActivityData>(&s.app, me.actor(), &past_q)
        .await
        .map(|l| l.rows)
        .unwrap_or_default();
    let all: Vec<&Record<ActivityData>> = next.iter().chain(past.iter()).collect();
    let (accounts, people) = row_names(s, me, &all).await;
    let mut query: Vec<(String, String)> = link
        .iter()
        .map(|(k, v)| (format!("{k}_id"), v.to_string()))
        .collect();
    if same_site_path(back).is_some() {
        query.push(("back".into(), back.to_owned()));
    }
    let may_log = cartera_core::roles::allows(
        &me.viewer.actor.permissions,
        cartera_core::roles::Module::Activities,
        cartera_core::roles::Action::Create,
    );
    let logs: Vec<Value> = LOGGED
        .iter()
        .filter(|_| may_log)
        .map(|k| {
            let mut qs = form_urlencoded::Serializer::new(String::new());
            qs.append_pair("kind", k);
            for (a, b) in &query {
                qs.append_pair(a, b);
            }
            json!({
                "kind": k,
                "label": page.t(&format!("activity-log-{k}")),
                "href": format!("/activities/new?{}", qs.finish()),
            })
        })
        .collect();
    let short = field.trim_end_matches("_id");
    Some(json!({
        "next": next.iter().map(|r| row(s, page, r, None, &accounts, &people)).collect::<Vec<_>>(),
        "past": past.iter().map(|r| row(s, page, r, None, &accounts, &people)).collect::<Vec<_>>(),
        "logs": logs,
        "all_href": format!("/activities?{short}={id}"),
    }))
}

/// The account page's card of its activities (`accounts::PANELS`).
pub fn account_panel<'a>(s: &'a AppState, me: &'a Me, account: Id) -> PanelFuture<'a> {
    Box::pin(async move {
        let ctx = record_ctx(
            s,
            me,
            "account_id",
            account,
            &[("account", account)],
            &format!("/accounts/{account}"),
        )
        .await?;
        Some(Panel::new("agenda/account_panel.html", ctx))
    })
}

// ---------- Record pickers ----------

/// A linked record's name as the picker shows it; a record the reader may not see
/// keeps its link under a placeholder.
async fn link_name(s: &AppState, me: &Me, what: &str, id: Id) -> String {
    let a = me.actor();
    let name = match what {
        "account" => records::get::<AccountData>(&s.app, a, id)
            .await
            .ok()
            .map(|r| r.data.title()),
        "contact" => records::get::<ContactData>(&s.app, a, id)
            .await
            .ok()
            .map(|r| r.data.title()),
        "lead" => records::get::<LeadData>(&s.app, a, id)
            .await
            .ok()
            .map(|r| r.data.title()),
        "deal" => records::get::<DealData>(&s.app, a, id)
            .await
            .ok()
            .map(|r| r.data.title()),
        _ => None,
    };
    name.unwrap_or_else(|| me.page.t("activity-link-hidden"))
}

// ---------- The form ----------

/// The company's mileage rate, when it set one and the reader may read it.
async fn mileage_rate(s: &AppState, me: &Me) -> Option<Money> {
    cartera_app::settings::get(&s.app, me.actor())
        .await
        .ok()
        .and_then(|x| x.mileage_rate)
}

fn currency_of(rate: Option<Money>) -> Option<Currency> {
    rate.map(|r| r.currency)
        .or_else(|| FALLBACK_CURRENCY.parse().ok())
}

/// A stored money value as the form carries it (`85.50 ARS`), and back.
fn money_field(m: &Money) -> String {
    format!("{} {}", m.amount, m.currency.as_str())
}

fn money_of_field(s: &str) -> Option<Money> {
    let (a, c) = s.trim().split_once(' ')?;
    Some(Money {
        amount: a.parse().ok()?,
        currency: c.parse().ok()?,
    })
}

/// One cost line as the form shows it.
#[derive(Serialize, Default, Clone)]
struct CostRow {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    description: String,
    /// The rate a stored mileage line was priced at (kept when the line is saved again).
    rate: String,
    currency: String,
    /// What the server computed for a km line: `1.234,50 ARS`.
    computed: String,
}

/// The form's values, as typed or as stored.
#[derive(Serialize, Default)]
struct FormValues {
    kind: String,
    subject: String,
    date: String,
    time: String,
    end_time: String,
    duration: String,
    reminder: String,
    notes: String,
    outcome: String,
    next_action: String,
    links: HashMap<String, (String, String)>,
    costs: Vec<CostRow>,
    back: String,
}

fn rows_of(f: &Fields) -> Vec<CostRow> {
    let types = f.all("cost_type");
    let values = f.all("cost_value");
    let descs = f.all("cost_desc");
    let rates = f.all("cost_rate");
    let currencies = f.all("cost_currency");
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    (0..types.len())
        .map(|i| CostRow {
            kind: at(&types, i),
            value: at(&values, i),
            description: at(&descs, i),
            rate: at(&rates, i),
            currency: at(&currencies, i),
            computed: String::new(),
        })
        .collect()
}

fn values_of_form(f: &Fields) -> FormValues {
    let mut links = HashMap::new();
    for (w, _) in LINKS {
        links.insert(
            (*w).to_owned(),
            (f.get(&format!("{w}_id")), f.get(&format!("{w}_name"))),
        );
    }
    FormValues {
        kind: f.get("kind"),
        subject: f.get("subject"),
        date: f.get("date"),
        time: f.get("time"),
        end_time: f.get("end_time"),
        duration: f.get("duration"),
        reminder: f.get("reminder"),
        notes: f.get("notes"),
        outcome: f.get("outcome"),
        next_action: f.get("next_action"),
        links,
        costs: rows_of(f),
        back: f.get("back"),
    }
}

/// The server's own figure for a km line: km × the rate it is (or will be) priced at.
fn computed(page: &Page, row: &CostRow, rate: Option<Money>) -> String {
    if row.kind != "mileage" {
        return String::new();
    }
    let rate = money_of_field(&row.rate).or(rate);
    match (typed_number(page, &row.value), rate) {
        (Ok(km), Some(r)) => {
            let m = mileage_amount(km, r);
            money(page.locale, m.amount, m.currency.as_str())
        }
        _ => String::new(),
    }
}

struct Read {
    body: Value,
    errors: FormErrors,
    /// The form row of each cost line in `body`, for the server's messages.
    cost_rows: Vec<usize>,
}

fn text_or_null(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Null
    } else {
        Value::String(s.trim().to_owned())
    }
}

fn time_of(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .ok()
}

/// The activity the form describes, as the API's JSON, with what is wrong with what
/// was typed before the app is asked.
fn read(me: &Me, v: &FormValues, rate: Option<Money>) -> Read {
    let page = &me.page;
    let tz = page.time_zone();
    let mut errors = FormErrors::default();
    let mut bad = |field: &str, key: &str| {
        errors
            .fields
            .entry(field.to_owned())
            .or_insert_with(|| page.t(key));
    };
    let kind = ActivityKind::parse(&v.kind).unwrap_or_default();
    let mut body = json!({
        "kind": kind.as_str(),
        "subject": v.subject.trim(),
        "notes": text_or_null(&v.notes),
        "outcome": text_or_null(&v.outcome),
        "next_action": text_or_null(&v.next_action),
        "due_date": null,
        "starts_at": null,
        "ends_at": null,
    });
    let date = if v.date.is_empty() {
        None
    } else {
        let d = v.date.parse::<NaiveDate>().ok();
        if d.is_none() {
            bad("date", "activity-error-date");
        }
        d
    };
    let parse_time = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            time_of(s).map(Some).ok_or(())
        }
    };
    let start_time = parse_time(&v.time).unwrap_or_else(|_| {
        bad("time", "activity-error-time");
        None
    });
    let end_time = parse_time(&v.end_time).unwrap_or_else(|_| {
        bad("end_time", "activity-error-time");
        None
    });
    let local = |d: NaiveDate, t: NaiveTime| {
        tz.from_local_datetime(&d.and_time(t))
            .earliest()
            .map(|x| x.with_timezone(&Utc))
    };
    match (date, start_time) {
        (Some(d), Some(t)) => {
            let start = local(d, t);
            body["starts_at"] = json!(start);
            let end = match (end_time, v.duration.parse::<i64>().ok()) {
                (Some(e), _) => {
                    let end = local(d, e);
                    if end.is_some() && end <= start {
                        bad("end_time", "activity-error-end-before-start");
                    }
                    end
                }
                (None, Some(m)) if m > 0 => start.map(|s| s + Duration::minutes(m)),
                _ => None,
            };
            body["ends_at"] = json!(end);
        }
        (Some(d), None) => {
            body["due_date"] = json!(d);
            if end_time.is_some() {
                bad("time", "activity-error-time-needed");
            }
        }
        (None, Some(_)) => bad("date", "activity-error-date-needed"),
        (None, None) => {}
    }
    let reminder = v.reminder.parse::<i64>().unwrap_or(0);
    body["reminders"] = if reminder > 0 {
        json!([reminder])
    } else {
        json!([])
    };
    for (w, _) in LINKS {
        let (id, name) = v.links.get(*w).cloned().unwrap_or_default();
        let key = format!("{w}_id");
        body[key.as_str()] = if name.trim().is_empty() {
            Value::Null
        } else {
            match id.parse::<Id>() {
                Ok(id) => json!(id),
                Err(_) => {
                    bad(&format!("{w}_name"), "activity-error-pick");
                    Value::Null
                }
            }
        };
    }
    let currency = currency_of(rate);
    let mut costs = Vec::new();
    let mut cost_rows = Vec::new();
    for (i, row) in v.costs.iter().enumerate() {
        if row.value.trim().is_empty() && row.description.trim().is_empty() {
            continue;
        }
        let field = format!("cost_{i}");
        let number = match typed_number(page, &row.value) {
            Ok(n) => n,
            Err(_) => {
                bad(&field, "activity-error-cost-number");
                continue;
            }
        };
        let kind = kind_of(&row.kind);
        let mut line = CostLine {
            kind,
            description: Some(row.description.trim().to_owned()).filter(|d| !d.is_empty()),
            ..CostLine::default()
        };
        if kind == CostType::Mileage {
            line.km = Some(number);
            // A stored line keeps the rate it was priced at; the app decides.
            line.rate = money_of_field(&row.rate);
        } else {
            let cur = row.currency.parse::<Currency>().ok().or(currency);
            line.amount = cur.map(|c| Money {
                amount: number,
                currency: c,
            });
        }
        costs.push(line);
        cost_rows.push(i);
    }
    body["costs"] = serde_json::to_value(&costs).unwrap_or(json!([]));
    Read {
        body,
        errors,
        cost_rows,
    }
}

/// The form field the app's message about `path` belongs under.
fn field_of(path: &str, cost_rows: &[usize]) -> Option<String> {
    if let Some(rest) = path.strip_prefix("costs.") {
        let n: usize = rest.split('.').next()?.parse().ok()?;
        return cost_rows.get(n).map(|i| format!("cost_{i}"));
    }
    let f = match path.split('.').next()? {
        "subject" => "subject",
        "kind" => "kind",
        "due_date" => "date",
        "starts_at" => "time",
        "ends_at" => "end_time",
        "reminders" => "reminder",
        "notes" => "notes",
        "outcome" => "outcome",
        "next_action" => "next_action",
        "account_id" => "account_name",
        "contact_id" => "contact_name",
        "lead_id" => "lead_name",
        "deal_id" => "deal_name",
        _ => return None,
    };
    Some(f.to_owned())
}

struct FormPage<'a> {
    values: FormValues,
    errors: FormErrors,
    /// The activity edited and the version read.
    editing: Option<(Id, i64)>,
    rate: Option<Money>,
    status: StatusCode,
    me: &'a Me,
}

fn render_form(mut p: FormPage<'_>) -> Response {
    let page = &p.me.page;
    for row in &mut p.values.costs {
        row.computed = computed(page, row, p.rate);
    }
    let option = |prefix: &str, v: &str, chosen: &str| json!({"value": v, "label": page.t(&format!("{prefix}{v}")), "selected": chosen == v});
    let links: Vec<Value> = LINKS
        .iter()
        .map(|(w, _)| {
            let (id, name) = p.values.links.get(*w).cloned().unwrap_or_default();
            let key = format!("{w}_name");
            json!({
                "what": w,
                "label": page.t(&format!("kind-{w}")),
                "id": id,
                "name": name,
                "error": p.errors.fields.get(&key),
            })
        })
        .collect();
    let costs: Vec<Value> = p
        .values
        .costs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "row": r,
                "index": i,
                "types": COST_TYPES.iter().map(|t| option("activity-cost-", t, &r.kind)).collect::<Vec<_>>(),
                "error": p.errors.fields.get(&format!("cost_{i}")),
            })
        })
        .collect();
    let title = if p.editing.is_some() {
        page.t("activity-edit")
    } else {
        page.t("activity-new")
    };
    let action = match p.editing {
        Some((id, _)) => format!("/activities/{id}/edit"),
        None => "/activities/new".to_owned(),
    };
    let cancel = match (p.editing, same_site_path(&p.values.back)) {
        (_, Some(b)) => b.to_owned(),
        (Some((id, _)), None) => format!("/activities/{id}"),
        (None, None) => "/activities".to_owned(),
    };
    let rate = p
        .rate
        .map(|r| money(page.locale, r.amount, r.currency.as_str()));
    let has_errors = !p.errors.is_empty();
    page.render(
        p.status,
        "agenda/activity_form.html",
        json!({
            "nav": "activities",
            "title": title,
            "action": action,
            "cancel": cancel,
            "form": p.values,
            "errors": p.errors.fields,
            "general_error": p.errors.general,
            "has_errors": has_errors,
            "version": p.editing.map(|e| e.1),
            "editing": p.editing.map(|e| e.0),
            "links": links,
            "costs": costs,
            "rate": rate,
            "kinds": ActivityKind::NAMES.iter().map(|k| option("activity-kind-", k, &p.values.kind)).collect::<Vec<_>>(),
            "durations": DURATIONS.iter().map(|m| json!({"value": m.to_string(), "label": page.t_args("activity-minutes", &[("minutes", super::i18n::ArgValue::Number(*m as f64))]), "selected": p.values.duration == m.to_string()})).collect::<Vec<_>>(),
            "reminders": REMINDERS.iter().map(|m| json!({"value": m.to_string(), "label": if *m == 0 { page.t("activity-no-reminder") } else { page.t_args("activity-reminder-minutes", &[("minutes", super::i18n::ArgValue::Number(*m as f64))]) }, "selected": p.values.reminder == m.to_string()})).collect::<Vec<_>>(),
        }),
    )
}

fn blank_row(kind: &str) -> CostRow {
    CostRow {
        kind: kind.to_owned(),
        ..CostRow::default()
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    kind: Option<String>,
    date: Option<String>,
    account_id: Option<String>,
    contact_id: Option<String>,
    lead_id: Option<String>,
    deal_id: Option<String>,
    back: Option<String>,
}

/// The form to log an activity; opened from a record's page it is linked to it (a
/// contact's or a deal's account comes along).
pub async fn new_form(State(s): State<AppState>, me: Me, Query(q): Query<NewQuery>) -> Response {
    let page = &me.page;
    let today = today(&s, page);
    let date = q
        .date
        .as_deref()
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(today);
    let kind = q
        .kind
        .as_deref()
        .and_then(ActivityKind::parse)
        .unwrap_or_default();
    let mut ids: HashMap<&str, Id> = HashMap::new();
    for (w, v) in [
        ("account", &q.account_id),
        ("contact", &q.contact_id),
        ("lead", &q.lead_id),
        ("deal", &q.deal_id),
    ] {
        if let Some(id) = v.as_deref().and_then(|x| x.parse::<Id>().ok()) {
            ids.insert(w, id);
        }
    }
    if !ids.contains_key("account") {
        let from_contact = match ids.get("contact") {
            Some(c) => records::get::<ContactData>(&s.app, me.actor(), *c)
                .await
                .ok()
                .and_then(|r| r.data.account_id),
            None => None,
        };
        let from_deal = match ids.get("deal") {
            Some(d) => records::get::<DealData>(&s.app, me.actor(), *d)
                .await
                .ok()
                .and_then(|r| r.data.account_id),
            None => None,
        };
        if let Some(a) = from_contact.or(from_deal) {
            ids.insert("account", a);
        }
    }
    let mut links = HashMap::new();
    for (w, id) in &ids {
        links.insert(
            (*w).to_owned(),
            (id.to_string(), link_name(&s, &me, w, *id).await),
        );
    }
    let timed = matches!(kind, ActivityKind::Visit | ActivityKind::Meeting);
    let values = FormValues {
        kind: kind.as_str().to_owned(),
        date: date.to_string(),
        duration: if timed { "60".into() } else { String::new() },
        reminder: "0".into(),
        links,
        costs: if kind == ActivityKind::Visit {
            vec![blank_row("mileage"), blank_row("travel")]
        } else {
            vec![blank_row("mileage")]
        },
        back: q
            .back
            .as_deref()
            .and_then(same_site_path)
            .unwrap_or("")
            .to_owned(),
        ..FormValues::default()
    };
    let rate = mileage_rate(&s, &me).await;
    render_form(FormPage {
        values,
        errors: FormErrors::default(),
        editing: None,
        rate,
        status: StatusCode::OK,
        me: &me,
    })
}

/// "Add a line" and "remove" buttons change the rows and show the form again unsaved.
fn row_action(f: &Fields, v: &mut FormValues) -> bool {
    let action = f.get("cost_action");
    if action == "add" {
        v.costs.push(blank_row("other"));
        return true;
    }
    if let Some(i) = action
        .strip_prefix("remove:")
        .and_then(|i| i.parse::<usize>().ok())
    {
        if i < v.costs.len() {
            v.costs.remove(i);
        }
        return true;
    }
    false
}

fn refused(p: FormPage<'_>, e: AppError, cost_rows: &[usize]) -> Response {
    let me = p.me;
    match e {
        AppError::Invalid(violations) => {
            let mut errors = FormErrors::default();
            for x in violations.0 {
                match field_of(&x.field, cost_rows) {
                    Some(f) => {
                        let about = f.split('_').next().unwrap_or("");
                        let text = explain(&me.page, about, x.code);
                        errors.fields.entry(f).or_insert(text);
                    }
                    None => {
                        errors
                            .general
                            .get_or_insert_with(|| explain(&me.page, "", x.code));
                    }
                }
            }
            render_form(FormPage {
                errors,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..p
            })
        }
        AppError::Stale { .. } => render_form(FormPage {
            errors: FormErrors {
                general: Some(me.page.t("activity-stale")),
                ..FormErrors::default()
            },
            status: StatusCode::PRECONDITION_FAILED,
            ..p
        }),
        e => me.page.error(e),
    }
}

fn after_save(v: &FormValues, id: Id) -> Response {
    match same_site_path(&v.back) {
        Some(b) => Redirect::to(b).into_response(),
        None => Redirect::to(&format!("/activities/{id}")).into_response(),
    }
}

pub async fn create(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let mut values = values_of_form(&f);
    let rate = mileage_rate(&s, &me).await;
    let again = |values, errors, status| FormPage {
        values,
        errors,
        editing: None,
        rate,
        status,
        me: &me,
    };
    if row_action(&f, &mut values) {
        return render_form(again(values, FormErrors::default(), StatusCode::OK));
    }
    let r = read(&me, &values, rate);
    if !r.errors.is_empty() {
        return render_form(again(values, r.errors, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let mut body = r.body;
    body["owner_id"] = json!(me.viewer.user.id);
    match records::create::<ActivityData>(&s.app, me.actor(), vec![body], WriteOptions::default())
        .await
    {
        Ok(made) => match made.first() {
            Some(a) => after_save(&values, a.id),
            None => Redirect::to("/activities").into_response(),
        },
        Err(e) => {
            let rows = r.cost_rows;
            refused(
                again(values, FormErrors::default(), StatusCode::OK),
                e,
                &rows,
            )
        }
    }
}

fn local_parts(t: DateTime<Utc>, page: &Page) -> (String, String) {
    let l = t.with_timezone(&page.time_zone());
    (
        l.date_naive().to_string(),
        l.time().format("%H:%M").to_string(),
    )
}

async fn values_of_record(s: &AppState, me: &Me, r: &Record<ActivityData>) -> FormValues {
    let page = &me.page;
    let d = &r.data;
    let (date, time) = match d.starts_at {
        Some(t) => local_parts(t, page),
        None => (
            d.due_date.map(|x| x.to_string()).unwrap_or_default(),
            String::new(),
        ),
    };
    let end_time = d
        .ends_at
        .filter(|_| d.starts_at.is_some())
        .map(|t| local_parts(t, page).1)
        .unwrap_or_default();
    let mut links = HashMap::new();
    for (w, id) in [
        ("account", d.account_id),
        ("contact", d.contact_id),
        ("lead", d.lead_id),
        ("deal", d.deal_id),
    ] {
        if let Some(id) = id {
            links.insert(
                w.to_owned(),
                (id.to_string(), link_name(s, me, w, id).await),
            );
        }
    }
    let costs = d
        .costs
        .iter()
        .map(|l| CostRow {
            kind: cost_name(l.kind).to_owned(),
            // In the reader's format, which `typed_number` reads back as itself.
            value: match l.kind {
                CostType::Mileage => l.km.map(|k| number(me.page.locale, k.normalize())),
                _ => l.amount.map(|a| amount(me.page.locale, a.amount)),
            }
            .unwrap_or_default(),
            description: l.description.clone().unwrap_or_default(),
            rate: l.rate.as_ref().map(money_field).unwrap_or_default(),
            currency: l
                .amount
                .map(|a| a.currency.as_str().to_owned())
                .unwrap_or_default(),
            computed: String::new(),
        })
        .collect::<Vec<_>>();
    FormValues {
        kind: d.kind.as_str().to_owned(),
        subject: d.subject.clone(),
        date,
        time,
        end_time,
        duration: String::new(),
        reminder: d
            .reminders
            .first()
            .map(|m| m.to_string())
            .unwrap_or_default(),
        notes: d.notes.clone().unwrap_or_default(),
        outcome: d.outcome.clone().unwrap_or_default(),
        next_action: d.next_action.clone().unwrap_or_default(),
        links,
        costs: if costs.is_empty() {
            vec![blank_row("mileage")]
        } else {
            costs
        },
        back: String::new(),
    }
}

pub async fn edit_form(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let rec = match records::get::<ActivityData>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let values = values_of_record(&s, &me, &rec).await;
    let rate = mileage_rate(&s, &me).await;
    render_form(FormPage {
        values,
        errors: FormErrors::default(),
        editing: Some((id, rec.meta.version)),
        rate,
        status: StatusCode::OK,
        me: &me,
    })
}

/// Saves the form over the activity read at `version`: a change made meanwhile by
/// someone else shows the form again with what the person typed.
pub async fn edit(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let mut values = values_of_form(&f);
    let version = f.get("version").parse::<i64>().ok();
    let current = match records::get::<ActivityData>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let rate = mileage_rate(&s, &me).await;
    let editing = Some((id, version.unwrap_or(current.meta.version)));
    let again = |values, errors, status| FormPage {
        values,
        errors,
        editing,
        rate,
        status,
        me: &me,
    };
    if row_action(&f, &mut values) {
        return render_form(again(values, FormErrors::default(), StatusCode::OK));
    }
    let r = read(&me, &values, rate);
    if !r.errors.is_empty() {
        return render_form(again(values, r.errors, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let mut patch = r.body;
    // A single reminder choice must not drop the others a phone may have set.
    let first = current.data.reminders.first().map(|m| m.to_string());
    let unchanged = first.as_deref().unwrap_or("0") == values.reminder
        || (first.is_none() && values.reminder.is_empty());
    if unchanged && let Some(o) = patch.as_object_mut() {
        o.remove("reminders");
    }
    match records::update::<ActivityData>(
        &s.app,
        me.actor(),
        id,
        patch,
        version,
        WriteOptions::default(),
    )
    .await
    {
        Ok(_) => after_save(&values, id),
        Err(e) => {
            let rows = r.cost_rows;
            refused(
                again(values, FormErrors::default(), StatusCode::OK),
                e,
                &rows,
            )
        }
    }
}
