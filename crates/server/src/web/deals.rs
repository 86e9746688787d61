//! Deal pages: the pipeline board (a column per stage; cards dragged between columns or
//! moved with a stage select), the deal list, one deal (360°), and the forecast with
//! quota attainment.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, Months};
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::deals::DealsOf;
use cartera_app::deals::{self, MonthRange, MoveInput};
use cartera_app::records;
use cartera_app::{AppError, audit};
use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::deals::{DealData, Month, Pipeline, StageOutcome, to_cents};
use cartera_core::record::{Record, RecordData};

use super::figures::{amount, money_or_dash, number};
use super::i18n::Locale;
use super::panels::{Panel, PanelFuture};
use super::render::{Me, Page, PageId, when};
use crate::state::AppState;

/// The deal pages: the board, the list, one deal (with its "Shared with" box), the
/// forecast.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deals", get(board))
        .route("/deals/list", get(list))
        .route("/deals/{id}", get(show))
        .route("/deals/{id}/move", post(move_deal))
        .route("/deals/{id}/notes", post(super::notes::add::<DealData>))
        .merge(super::shares::routes::<DealData>())
        .route("/forecast", get(forecast))
}

/// Names of the accounts and people the deals point to.
async fn names(
    s: &AppState,
    me: &Me,
    deals: &[&Record<DealData>],
) -> (HashMap<Id, String>, HashMap<Id, String>) {
    let mut account_ids: Vec<Id> = deals.iter().filter_map(|d| d.data.account_id).collect();
    account_ids.extend(
        deals
            .iter()
            .flat_map(|d| d.data.competitors.iter().map(|c| c.account_id)),
    );
    account_ids.sort();
    account_ids.dedup();
    let mut accounts = HashMap::new();
    for part in account_ids.chunks(100) {
        let params = vec![
            (
                "filter[id][in]".to_owned(),
                part.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("limit".to_owned(), "100".to_owned()),
        ];
        if let Ok(l) = records::list::<AccountData>(&s.app, me.actor(), &params).await {
            accounts.extend(l.rows.into_iter().map(|a| (a.id, a.data.name)));
        }
    }
    let people_ids: Vec<Id> = deals.iter().filter_map(|d| d.data.owner_id).collect();
    let people = cartera_app::users::names(&s.app, &people_ids)
        .await
        .unwrap_or_default();
    (accounts, people)
}

fn card(
    locale: Locale,
    d: &Record<DealData>,
    accounts: &HashMap<Id, String>,
    people: &HashMap<Id, String>,
) -> Value {
    json!({
        "id": d.id,
        "name": d.data.name,
        "account": d.data.account_id.and_then(|a| accounts.get(&a).cloned()),
        "account_id": d.data.account_id,
        "amount": money_or_dash(locale, d.data.amount),
        "probability": d.data.probability,
        "close": d.data.expected_close_date.map(|c| super::figures::day(locale, c)),
        "owner": d.data.owner_id.and_then(|o| people.get(&o).cloned()),
        "status": d.data.status.as_str(),
        "stage_id": d.data.stage_id,
        "version": d.meta.version,
    })
}

fn stages_ctx(p: &Pipeline) -> Vec<Value> {
    p.stages
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": s.name,
                "probability": s.probability,
                "outcome": match s.outcome {
                    StageOutcome::Open => "open",
                    StageOutcome::Won => "won",
                    StageOutcome::Lost => "lost",
                },
            })
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    pipeline: Option<String>,
    /// `me`, a person's id, or empty for everyone.
    #[serde(default)]
    owner: String,
    error: Option<String>,
}

/// The pipeline board.
pub async fn board(State(s): State<AppState>, me: Me, Query(q): Query<BoardQuery>) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let pipelines = match deals::pipelines(&s.app, actor).await {
        Ok(p) => p,
        Err(e) => return page.error(e),
    };
    let chosen = q.pipeline.and_then(|p| p.parse::<Id>().ok());
    let Some(pipeline) = pipelines
        .iter()
        .find(|p| Some(p.id) == chosen)
        .or(pipelines.first())
        .cloned()
    else {
        return page.render(
            StatusCode::OK,
            "deals/deals_board.html",
            json!({"nav": "deals", "pipelines": [], "columns": []}),
        );
    };
    let mut list = match deals::deals_of(&s.app, actor, DealsOf::Pipeline(pipeline.id)).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let owner = match q.owner.as_str() {
        "" => None,
        "me" => Some(actor.user_id),
        other => other.parse::<Id>().ok(),
    };
    if let Some(o) = owner {
        list.retain(|d| d.data.owner_id == Some(o));
    }
    let open: Vec<&Record<DealData>> = list
        .iter()
        .filter(|d| d.data.status == cartera_core::deals::DealStatus::Open)
        .collect();
    let open_total = cartera_core::activities::sum_by_currency(
        open.iter().filter_map(|d| d.data.amount.as_ref()),
    );
    let weighted: Vec<cartera_core::money::Money> = open
        .iter()
        .filter_map(|d| {
            let m = d.data.amount?;
            let p = rust_decimal::Decimal::from(d.data.probability.unwrap_or(0));
            Some(cartera_core::money::Money {
                amount: (m.amount * p / rust_decimal::Decimal::from(100)).round_dp(2),
                currency: m.currency,
            })
        })
        .collect();
    let weighted_total = cartera_core::activities::sum_by_currency(weighted.iter());
    let refs: Vec<&Record<DealData>> = list.iter().collect();
    let (accounts, people) = names(&s, &me, &refs).await;
    let stages = stages_ctx(&pipeline);
    let columns: Vec<Value> = pipeline
        .stages
        .iter()
        .zip(&stages)
        .map(|(stage, ctx)| {
            let in_stage: Vec<&Record<DealData>> = list
                .iter()
                .filter(|d| d.data.stage_id == Some(stage.id))
                .collect();
            // A column's total is per currency, like every sum of money.
            let totals = cartera_core::activities::sum_by_currency(
                in_stage.iter().filter_map(|d| d.data.amount.as_ref()),
            );
            json!({
                "stage": ctx,
                "count": in_stage.len(),
                "totals": totals.iter().map(|m| money_or_dash(page.locale, Some(*m))).collect::<Vec<_>>(),
                "cards": in_stage.iter().map(|d| card(page.locale, d, &accounts, &people)).collect::<Vec<_>>(),
            })
        })
        .collect();
    page.render(
        StatusCode::OK,
        "deals/deals_board.html",
        json!({
            "nav": "deals",
            "pipelines": pipelines.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
            "pipeline": {"id": pipeline.id, "name": pipeline.name},
            "stages": stages,
            "columns": columns,
            "error": q.error,
            "owner": q.owner,
            "owners": board_owners(&s, &me).await,
            "total": {
                "count": open.len(),
                "open": open_total.iter().map(|m| money_or_dash(page.locale, Some(*m))).collect::<Vec<_>>(),
                "weighted": weighted_total.iter().map(|m| money_or_dash(page.locale, Some(*m))).collect::<Vec<_>>(),
            },
        }),
    )
}

/// The people the board can be filtered by (none when the role cannot list users: the
/// filter then offers "mine" and "everyone").
async fn board_owners(s: &AppState, me: &Me) -> Vec<Value> {
    let mut list = cartera_app::users::list(&s.app, me.actor())
        .await
        .unwrap_or_default();
    list.retain(|u| u.active && u.id != me.actor().user_id);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list.iter()
        .map(|u| json!({"id": u.id, "name": u.name}))
        .collect()
}

#[derive(Deserialize)]
pub struct MoveForm {
    stage_id: String,
    #[serde(default)]
    lost_reason: String,
    /// Where to go back: `board` or `deal`.
    #[serde(default)]
    back: String,
}

/// Moves a deal from the board's drop or stage select, or from the deal page.
pub async fn move_deal(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<MoveForm>,
) -> Response {
    let page = &me.page;
    let Ok(stage_id) = f.stage_id.parse::<Id>() else {
        return page.error_page(StatusCode::UNPROCESSABLE_ENTITY, "not-found");
    };
    let input = MoveInput {
        stage_id,
        lost_reason: Some(f.lost_reason).filter(|r| !r.trim().is_empty()),
        pipeline_id: None,
    };
    let moved = deals::move_deal(&s.app, me.actor(), id, input, None).await;
    let pipeline = match &moved {
        Ok(d) => d.data.pipeline_id,
        Err(_) => None,
    };
    let error = match moved {
        Ok(_) => None,
        Err(AppError::Invalid(v)) => Some(
            v.0.first()
                .map(|x| {
                    if x.field == "lost_reason" {
                        page.t("deal-lost-needs-reason")
                    } else {
                        x.message.clone()
                    }
                })
                .unwrap_or_default(),
        ),
        Err(e) => return page.error(e),
    };
    let enc = |t: &str| -> String {
        t.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let to = if f.back == "deal" {
        match error {
            Some(e) => format!("/deals/{id}?error={}", enc(&e)),
            None => format!("/deals/{id}"),
        }
    } else {
        let mut to = String::from("/deals");
        let mut sep = '?';
        if let Some(p) = pipeline {
            to.push_str(&format!("?pipeline={p}"));
            sep = '&';
        }
        if let Some(e) = error {
            to.push_str(&format!("{sep}error={}", enc(&e)));
        }
        to
    };
    Redirect::to(&to).into_response()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
}

/// Every deal the person sees, in a table.
pub async fn list(State(s): State<AppState>, me: Me, Query(q): Query<ListQuery>) -> Response {
    let page = &me.page;
    let mut all = match deals::deals_of(&s.app, me.actor(), DealsOf::All).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    if !q.status.is_empty() {
        all.retain(|d| d.data.status.as_str() == q.status);
    }
    let pipelines = deals::pipelines(&s.app, me.actor())
        .await
        .unwrap_or_default();
    let stage_names: HashMap<Id, String> = pipelines
        .iter()
        .flat_map(|p| p.stages.iter().map(|s| (s.id, s.name.clone())))
        .collect();
    let refs: Vec<&Record<DealData>> = all.iter().collect();
    let (accounts, people) = names(&s, &me, &refs).await;
    let rows: Vec<Value> = all
        .iter()
        .map(|d| {
            let mut c = card(page.locale, d, &accounts, &people);
            c["stage"] = json!(d.data.stage_id.and_then(|s| stage_names.get(&s).cloned()));
            c
        })
        .collect();
    page.render(
        StatusCode::OK,
        "deals/deals_list.html",
        json!({"nav": "deals", "rows": rows, "status": q.status}),
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    error: Option<String>,
}

/// One deal: customer, contacts, lines, competitors, stage history and timeline.
pub async fn show(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let deal = match records::get::<DealData>(&s.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return page.error(e),
    };
    let d = &deal.data;
    let pipeline = match d.pipeline_id {
        Some(p) => deals::pipeline(&s.app, actor, p).await.ok(),
        None => None,
    };
    let stays = deals::stays(d, pipeline.as_ref(), s.app.now());
    let (accounts, mut people) = names(&s, &me, &[&deal]).await;
    let contacts: Vec<Value> = if d.contact_ids.is_empty() {
        Vec::new()
    } else {
        let params = vec![(
            "filter[id][in]".to_owned(),
            d.contact_ids
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(","),
        )];
        records::list::<ContactData>(&s.app, actor, &params)
            .await
            .map(|l| {
                l.rows
                    .iter()
                    .map(|c| json!({"id": c.id, "name": c.data.title(), "job_title": c.data.job_title}))
                    .collect()
            })
            .unwrap_or_default()
    };
    let timeline = audit::timeline::<DealData>(&s.app, actor, id, None, 20)
        .await
        .map(|t| t.items)
        .unwrap_or_default();
    let mut ids: Vec<Id> = timeline
        .iter()
        .filter_map(|i| match i {
            audit::TimelineItem::Change { event, .. } => event.actor_id,
            audit::TimelineItem::Note { note, .. } => note.meta.created_by,
            audit::TimelineItem::Activity { activity, .. } => activity.data.owner_id,
        })
        .collect();
    ids.extend(stays.iter().filter_map(|s| s.by));
    if let Ok(more) = cartera_app::users::names(&s.app, &ids).await {
        people.extend(more);
    }
    let currency = d
        .currency
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    let ctx = json!({
        "nav": "deals",
        "deal": deal,
        "card": card(me.page.locale, &deal, &accounts, &people),
        "pipeline": pipeline.as_ref().map(|p| json!({"id": p.id, "name": p.name})),
        "stages": pipeline.as_ref().map(stages_ctx).unwrap_or_default(),
        "stage_name": d.stage_id.and_then(|sid| pipeline.as_ref().and_then(|p| p.stage(sid)).map(|s| s.name.clone())),
        "contacts": contacts,
        "currency": currency,
        "lines": d.lines.iter().map(|l| json!({
            "description": l.description,
            "category": l.category,
            "quantity": number(page.locale, l.quantity),
            "unit_price": l.unit_price.map(|p| amount(page.locale, to_cents(p.amount))),
            "discount": l.discount.map(|x| number(page.locale, x)),
            "tax_rate": l.tax_rate.map(|t| match t {
                cartera_core::totals::TaxRate::Exempt => page.t("catalog-exempt"),
                cartera_core::totals::TaxRate::Percent(p) => format!("{} %", number(page.locale, p)),
            }),
            "net": l.net.map(|n| amount(page.locale, n)),
        })).collect::<Vec<_>>(),
        "totals": d.totals.as_ref().map(|t| json!({
            "net": super::figures::money(page.locale, t.net, &currency),
            "taxes": super::figures::money(page.locale, t.taxes, &currency),
            "total": super::figures::money(page.locale, t.total, &currency),
        })),
        "competitors": d.competitors.iter().map(|c| json!({
            "account_id": c.account_id,
            "name": accounts.get(&c.account_id).cloned(),
            "threat": format!("{:?}", c.threat).to_lowercase(),
            "notes": c.notes,
        })).collect::<Vec<_>>(),
        "stays": stays.iter().map(|st| json!({
            "name": st.stage_name,
            "entered": when(st.entered_at, page.time_zone(), page.locale),
            "days": st.days,
            "current": st.left_at.is_none(),
            "by": st.by.and_then(|b| people.get(&b).cloned()),
        })).collect::<Vec<_>>(),
        "timeline": super::timeline::timeline_ctx(&timeline, &people, &super::timeline::related(&s, actor, id, &timeline).await),
        "own_kind": "deal",
        "shares": super::shares::ctx::<DealData>(&s, actor, page, id).await,
        "activities": super::activities::record_ctx(&s, &me, "deal_id", id, &[("deal", id)], &format!("/deals/{id}")).await,
        "notes": super::timeline::history::<DealData>(&s, actor, id, &[]).await.map(|h| h.0).unwrap_or_default(),
        "notes_url": format!("/deals/{id}/notes"),
        "error": q.error,
        "quotes": match d.account_id {
            Some(a) => super::quotes::of_account(&s, &me, a, Some(id)).await,
            None => None,
        },
        "risk": match d.account_id {
            Some(a) => super::billing_common::risk_banner(&s, &me, a).await,
            None => None,
        },
    });
    page.render(StatusCode::OK, "deals/deal.html", ctx)
}

/// The deals of an account, for its page (none when the role does not read deals).
pub async fn of_account(s: &AppState, me: &Me, account: Id) -> Option<Vec<Value>> {
    rows_of(s, me, account, None).await
}

/// The deals a contact takes part in (among its account's), for the contact's page.
pub async fn of_contact(s: &AppState, me: &Me, account: Id, contact: Id) -> Option<Vec<Value>> {
    rows_of(s, me, account, Some(contact)).await
}

async fn rows_of(s: &AppState, me: &Me, account: Id, contact: Option<Id>) -> Option<Vec<Value>> {
    let mut list = deals::deals_of(&s.app, me.actor(), DealsOf::Account(account))
        .await
        .ok()?;
    if let Some(c) = contact {
        list.retain(|d| d.data.contact_ids.contains(&c));
    }
    let pipelines = deals::pipelines(&s.app, me.actor())
        .await
        .unwrap_or_default();
    let stage_names: HashMap<Id, String> = pipelines
        .iter()
        .flat_map(|p| p.stages.iter().map(|s| (s.id, s.name.clone())))
        .collect();
    Some(
        list.iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "name": d.data.name,
                    "amount": money_or_dash(me.page.locale, d.data.amount),
                    "status": d.data.status.as_str(),
                    "stage": d.data.stage_id.and_then(|s| stage_names.get(&s).cloned()),
                })
            })
            .collect(),
    )
}

/// The account page's card of its deals (`web/panels.rs`).
pub fn account_panel<'a>(s: &'a AppState, me: &'a Me, account: Id) -> PanelFuture<'a> {
    Box::pin(async move {
        let deals = of_account(s, me, account).await?;
        Some(Panel::new(
            "deals/account_panel.html",
            json!({"deals": deals}),
        ))
    })
}

#[derive(Deserialize, Default)]
pub struct ForecastQuery {
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
}

fn quarter_of(d: chrono::NaiveDate) -> String {
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// Forecast cells as the page's language writes their amounts (`8.750,35`) and months
/// (`diciembre 2026`).
fn amounts_shown(page: &Page, mut v: Value) -> Value {
    match &mut v {
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = amounts_shown(page, item.take());
            }
        }
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let figure = ["open", "weighted", "won"].contains(&key.as_str());
                if key == "month"
                    && let Some(m) = field.as_str().and_then(Month::parse)
                {
                    *field = json!(month_label(page, m));
                    continue;
                }
                match field
                    .as_str()
                    .and_then(|t| t.parse::<rust_decimal::Decimal>().ok())
                {
                    Some(d) if figure => *field = json!(amount(page.locale, d)),
                    _ => *field = amounts_shown(page, field.take()),
                }
            }
        }
        _ => {}
    }
    v
}

/// The quota periods to pick from, by year (last, this and next): the year, its
/// quarters and its months, each named in the reader's words.
fn period_choices(page: &Page, today: chrono::NaiveDate) -> Vec<Value> {
    (today.year() - 1..=today.year() + 1)
        .map(|y| {
            let mut options = vec![json!({"value": y.to_string(), "label": y.to_string()})];
            options.extend((1..=4).map(|q| {
                let v = format!("{y}-Q{q}");
                json!({"label": super::my_day_sales::period_label(page, &v), "value": v})
            }));
            options.extend((1..=12).map(|m| {
                let v = format!("{y}-{m:02}");
                json!({"label": super::my_day_sales::period_label(page, &v), "value": v})
            }));
            json!({"year": y, "options": options})
        })
        .collect()
}

/// `diciembre 2026`, `December 2026`.
fn month_label(page: &Page, m: Month) -> String {
    format!("{} {}", page.t(&format!("month-{}", m.month)), m.year)
}

/// How many colours the chart's stages take before they repeat (`fc-c0`..`fc-c7`).
const STAGE_COLOURS: usize = 8;

/// The chart per month and stage in the reporting currency, and the same figures as a
/// table: each stage's weighted open deals plus its won ones (a won deal is certain),
/// so a bar is what the month is expected to bring. Widths are shares of the largest
/// month, written with a dot for CSS whatever the reader's language.
fn stage_chart(page: &Page, report: &deals::ForecastReport, from: Month, to: Month) -> Value {
    use rust_decimal::Decimal;
    let cur = report.reporting_currency.as_str();
    let money = |d: Decimal| super::figures::money(page.locale, d, cur);
    // Stages in pipeline order, as the report lists them.
    let mut stages: Vec<&deals::StageName> = Vec::new();
    for t in &report.stage_totals {
        if !stages.iter().any(|s| s.stage_id == t.stage.stage_id) {
            stages.push(&t.stage);
        }
    }
    let several_pipelines = stages
        .iter()
        .any(|s| s.pipeline_id != stages.first().and_then(|f| f.pipeline_id));
    let stage_label = |s: &deals::StageName| {
        let name = if s.stage_name.is_empty() {
            page.t("forecast-stage-gone")
        } else {
            s.stage_name.clone()
        };
        if several_pipelines && !s.pipeline_name.is_empty() {
            format!("{} · {name}", s.pipeline_name)
        } else {
            name
        }
    };
    // Each month and stage's figure, looked up once per bar part.
    let by_cell: std::collections::HashMap<(&str, Option<Id>), Decimal> = report
        .stage_totals
        .iter()
        .map(|t| {
            (
                (t.total.cell.month.as_str(), t.stage.stage_id),
                t.total.cell.weighted + t.total.cell.won,
            )
        })
        .collect();
    let value =
        |month: &str, stage: Option<Id>| by_cell.get(&(month, stage)).copied().unwrap_or_default();
    let months: Vec<Month> = from.through(to).collect();
    let totals: Vec<Decimal> = months
        .iter()
        .map(|m| {
            let key = m.to_string();
            stages.iter().map(|s| value(&key, s.stage_id)).sum()
        })
        .collect();
    let largest = totals.iter().copied().max().unwrap_or_default();
    let share = |d: Decimal| {
        if largest.is_zero() {
            "0".to_owned()
        } else {
            (d * Decimal::from(100) / largest).round_dp(2).to_string()
        }
    };
    let rows: Vec<Value> = months
        .iter()
        .zip(&totals)
        .map(|(m, total)| {
            let key = m.to_string();
            let unconverted: Vec<&str> = report
                .totals
                .iter()
                .find(|t| t.cell.month == key)
                .map(|t| t.unconverted.iter().map(|c| c.as_str()).collect())
                .unwrap_or_default();
            let parts: Vec<Value> = stages
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let v = value(&key, s.stage_id);
                    json!({
                        "colour": i % STAGE_COLOURS,
                        "label": stage_label(s),
                        "amount": money(v),
                        "width": share(v),
                        "empty": v.is_zero(),
                    })
                })
                .collect();
            let said: Vec<String> = parts
                .iter()
                .filter(|p| p["empty"] == json!(false))
                .map(|p| {
                    format!(
                        "{}: {}",
                        p["label"].as_str().unwrap_or(""),
                        p["amount"].as_str().unwrap_or("")
                    )
                })
                .collect();
            json!({
                "month": month_label(page, *m),
                "total": money(*total),
                "parts": parts,
                "summary": if said.is_empty() {
                    format!("{}: {}", month_label(page, *m), money(*total))
                } else {
                    format!("{}: {} ({})", month_label(page, *m), money(*total), said.join("; "))
                },
                "unconverted": unconverted.join(", "),
            })
        })
        .collect();
    json!({
        "currency": cur,
        "stages": stages.iter().enumerate().map(|(i, s)| json!({
            "colour": i % STAGE_COLOURS,
            "label": stage_label(s),
        })).collect::<Vec<_>>(),
        "rows": rows,
        "total": money(totals.iter().copied().sum()),
        "unconverted": report.unconverted.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
    })
}

/// The forecast by month and owner, and the attainment of the period's quotas.
pub async fn forecast(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ForecastQuery>,
) -> Response {
    let page: &Page = &me.page;
    let actor = me.actor();
    let today = s.app.now().with_timezone(&page.time_zone()).date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let from = q
        .from
        .as_deref()
        .and_then(Month::parse)
        .unwrap_or(Month::of(first));
    let to =
        q.to.as_deref()
            .and_then(Month::parse)
            .unwrap_or(Month::of(first + Months::new(2)));
    let report = match MonthRange::new(from, to) {
        Ok(r) => deals::forecast(&s.app, actor, r).await,
        Err(e) => Err(e),
    };
    let report = match report {
        Ok(r) => r,
        Err(AppError::BadQuery(_)) => {
            return page.error_page(StatusCode::BAD_REQUEST, "not-found");
        }
        Err(e) => return page.error(e),
    };
    let period = q.period.unwrap_or_else(|| quarter_of(today));
    let attainment = deals::attainment(&s.app, actor, &period)
        .await
        .unwrap_or_default();
    let mut ids: Vec<Id> = report.by_owner.iter().filter_map(|c| c.owner_id).collect();
    ids.extend(attainment.iter().map(|a| a.quota.user_id));
    let people = cartera_app::users::names(&s.app, &ids)
        .await
        .unwrap_or_default();
    let person = |id: Option<Id>| {
        id.and_then(|i| people.get(&i).cloned())
            .unwrap_or_else(|| page.t("fact-nobody"))
    };
    page.render(
        StatusCode::OK,
        "deals/forecast.html",
        json!({
            "nav": "forecast",
            "from": report.from,
            "to": report.to,
            "range": format!("{} – {}", month_label(page, from), month_label(page, to)),
            "chart": stage_chart(page, &report, from, to),
            "months": amounts_shown(page, json!(report.months)),
            "owners": report.by_owner.iter().map(|c| {
                let mut v = serde_json::to_value(&c.cell).unwrap_or_default();
                v["who"] = json!(person(c.owner_id));
                amounts_shown(page, v)
            }).collect::<Vec<_>>(),
            "teams": amounts_shown(page, json!(report.by_team)),
            "period": period,
            "periods": period_choices(page, today),
            "period_label": super::my_day_sales::period_label(page, &period),
            "quotas": attainment.iter().map(|a| json!({
                "who": person(Some(a.quota.user_id)),
                "kind": a.quota.kind.as_str(),
                "target": match a.quota.kind {
                    cartera_core::commissions::QuotaKind::Amount => money_or_dash(page.locale, a.quota.amount),
                    cartera_core::commissions::QuotaKind::Count => a.quota.count.unwrap_or(0).to_string(),
                },
                "won": match a.quota.kind {
                    cartera_core::commissions::QuotaKind::Amount => money_or_dash(page.locale, a.won_amount),
                    cartera_core::commissions::QuotaKind::Count => a.won_deals.to_string(),
                },
                "percent": number(page.locale, a.percent),
                "bar": a.percent.round().to_string(),
            })).collect::<Vec<_>>(),
        }),
    )
}
