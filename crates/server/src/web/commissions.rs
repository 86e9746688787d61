//! Quotas and commissions pages: the quotas of a period with each rep's attainment
//! (managers add, change and remove them), the commission statements of a period
//! explained line by line, and the commission plans (rates by product category, tiers
//! by attainment) that administrators edit. They call the same `cartera_app::deals`
//! functions as `/api/v1/quotas`, `/api/v1/commission_plans` and `/api/v1/commissions`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::deals::{self, CommissionPlanChange, NewCommissionPlan, NewQuota, QuotaChange};
use cartera_app::{AppError, users};
use cartera_core::commissions::{CategoryRate, CommissionBasis, CommissionPlan, QuotaKind, Tier};
use cartera_core::money::{Currency, Money};
use cartera_core::roles::{Action, Module};
use cartera_core::{Id, Violations};

use super::figures::{self, amount, money_or_dash, number};
use super::forms::{Fields, FormErrors, explain, typed_amount};
use super::i18n::ArgValue;
use super::render::{Me, Page, PageId};
use crate::state::AppState;

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/quotas", get(quotas_page).post(create_quota))
        .route("/quotas/{id}", post(update_quota))
        .route("/quotas/{id}/delete", post(delete_quota))
        .route("/commissions", get(commissions_page))
        .route("/commissions/plans", get(plans_page).post(create_plan))
        .route("/commissions/plans/{id}", post(update_plan))
        .route("/commissions/plans/{id}/delete", post(delete_plan))
}

/// A percentage or multiplier as the reader writes it: `5`, `2,5` in Spanish.
fn num(page: &Page, d: Decimal) -> String {
    number(page.locale, d.normalize())
}

fn current_quarter(s: &AppState, me: &Me) -> String {
    let d = s.app.now().with_timezone(&me.page.time_zone()).date_naive();
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

fn is_admin(me: &Me) -> bool {
    me.actor().permit(Module::Deals, Action::Admin).is_ok()
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(m), Value::Object(more)) = (&mut a, b) {
        m.extend(more);
    }
    a
}

fn errors_ctx(e: &FormErrors) -> Value {
    json!({"errors": e.fields, "general_error": e.general})
}

/// Puts each violation on the form field `to_field` names for its path. A plan's `name`
/// is looked up as `plan_name`, so texts written for other forms' names do not show.
fn place(me: &Me, v: Violations, to_field: impl Fn(&str) -> Option<String>) -> FormErrors {
    let mut out = FormErrors::default();
    for x in v.0 {
        match to_field(&x.field) {
            Some(f) => {
                let key = if f == "name" { "plan_name" } else { f.as_str() };
                let text = explain(&me.page, key, x.code);
                out.fields.entry(f).or_insert(text);
            }
            None => {
                out.general
                    .get_or_insert_with(|| explain(&me.page, "", x.code));
            }
        }
    }
    out
}

/// Active colleagues to pick from, by name.
async fn people(s: &AppState, me: &Me) -> Vec<Value> {
    let mut list = users::list(&s.app, me.actor()).await.unwrap_or_default();
    list.retain(|u| u.active);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list.iter()
        .map(|u| json!({"id": u.id, "name": u.name}))
        .collect()
}

// ---------- Quotas ----------

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    period: Option<String>,
    user: Option<String>,
}

pub async fn quotas_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let period = q
        .period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| current_quarter(&s, &me));
    let form = json!({"period": period, "kind": "amount", "currency": "ARS"});
    quotas_render(
        &s,
        &me,
        StatusCode::OK,
        &period,
        form,
        None,
        FormErrors::default(),
    )
    .await
}

async fn quotas_render(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    period: &str,
    form: Value,
    editing: Option<Id>,
    errs: FormErrors,
) -> Response {
    let list = match deals::attainment(&s.app, me.actor(), period).await {
        Ok(l) => l,
        Err(AppError::BadQuery(_)) => {
            return me.page.render(
                StatusCode::BAD_REQUEST,
                "commissions/quotas.html",
                json!({"nav": "quotas", "tab": "quotas", "period": period, "bad_period": true, "rows": []}),
            );
        }
        Err(e) => return me.page.error(e),
    };
    let ids: Vec<Id> = list.iter().map(|a| a.quota.user_id).collect();
    let names = users::names(&s.app, &ids).await.unwrap_or_default();
    let mut rows: Vec<Value> = list
        .iter()
        .map(|a| {
            let q = &a.quota;
            json!({
                "id": q.id, "version": q.version, "user_id": q.user_id,
                "who": names.get(&q.user_id).cloned().unwrap_or_default(),
                "kind": q.kind.as_str(),
                "target": match q.kind {
                    QuotaKind::Amount => money_or_dash(me.page.locale, q.amount),
                    QuotaKind::Count => q.count.unwrap_or(0).to_string(),
                },
                "won": match q.kind {
                    QuotaKind::Amount => money_or_dash(me.page.locale, a.won_amount),
                    QuotaKind::Count => a.won_deals.to_string(),
                },
                "won_deals": a.won_deals,
                "percent": number(me.page.locale, a.percent),
                "bar": a.percent.round().to_string(),
                "amount": q.amount.map(|m| amount(me.page.locale, m.amount)),
                "currency": q.amount.map(|m| m.currency.as_str().to_owned()),
                "count": q.count,
            })
        })
        .collect();
    rows.sort_by(|a, b| a["who"].as_str().cmp(&b["who"].as_str()));
    let admin = is_admin(me);
    let people = if admin {
        people(s, me).await
    } else {
        Vec::new()
    };
    me.page.render(
        status,
        "commissions/quotas.html",
        merge(
            json!({
                "nav": "quotas", "tab": "quotas", "period": period, "rows": rows, "form": form,
                "people": people, "can_admin": admin, "editing": editing,
                "open": editing.is_none() && !errs.is_empty(),
            }),
            errors_ctx(&errs),
        ),
    )
}

/// The target of a quota form: an amount in a currency, or a count.
fn read_target(
    me: &Me,
    f: &Fields,
    errs: &mut FormErrors,
) -> (QuotaKind, Option<Money>, Option<u32>) {
    let kind = QuotaKind::parse(&f.get("kind")).unwrap_or(QuotaKind::Amount);
    match kind {
        QuotaKind::Amount => {
            let currency = f.get("currency").to_uppercase().parse::<Currency>().ok();
            if currency.is_none() {
                errs.fields
                    .insert("currency".into(), me.page.t("violation-invalid-currency"));
            }
            let amount = typed_amount(&me.page, &f.get("amount"));
            if amount.is_none() {
                errs.fields
                    .insert("amount".into(), me.page.t("violation-invalid-quota-amount"));
            }
            let m = match (amount, currency) {
                (Some(a), Some(c)) => Some(Money {
                    amount: a,
                    currency: c,
                }),
                _ => None,
            };
            (kind, m, None)
        }
        QuotaKind::Count => {
            let count = f.get("count").parse::<u32>().ok();
            if count.is_none() {
                errs.fields
                    .insert("count".into(), me.page.t("violation-invalid-quota-count"));
            }
            (kind, None, count)
        }
    }
}

fn quota_field(path: &str) -> Option<String> {
    let base = path.split(['[', '.']).next().unwrap_or(path);
    ["user_id", "period", "kind", "amount", "count"]
        .contains(&base)
        .then(|| base.to_owned())
}

/// The period a page shows after a post: the one given when it reads, else this quarter.
fn shown_period(s: &AppState, me: &Me, p: &str) -> String {
    cartera_core::commissions::Period::parse(p)
        .map(|p| p.to_string())
        .unwrap_or_else(|| current_quarter(s, me))
}

pub async fn create_quota(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let period = shown_period(&s, &me, &f.get("period"));
    let form = f.as_json();
    let mut errs = FormErrors::default();
    let (kind, amount, count) = read_target(&me, &f, &mut errs);
    let Some(user_id) = f.get("user_id").parse::<Id>().ok() else {
        errs.fields
            .insert("user_id".into(), me.page.t("violation-required"));
        return quotas_render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &period,
            form,
            None,
            errs,
        )
        .await;
    };
    if !errs.is_empty() {
        return quotas_render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &period,
            form,
            None,
            errs,
        )
        .await;
    }
    let input = NewQuota {
        user_id,
        period: f.get("period"),
        kind,
        amount,
        count,
    };
    match deals::create_quota(&s.app, me.actor(), input).await {
        Ok(q) => Redirect::to(&format!("/quotas?period={}", q.period)).into_response(),
        Err(AppError::Invalid(v)) => {
            let errs = place(&me, v, quota_field);
            quotas_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                &period,
                form,
                None,
                errs,
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn update_quota(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    let period = f.get("period");
    let back = f.get("back");
    let back = shown_period(&s, &me, if back.is_empty() { &period } else { &back });
    let form = json!({"period": back, "kind": "amount", "currency": "ARS"});
    let mut errs = FormErrors::default();
    let (kind, amount, count) = read_target(&me, &f, &mut errs);
    if !errs.is_empty() {
        return quotas_render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &back,
            form,
            Some(id),
            errs,
        )
        .await;
    }
    let change = QuotaChange {
        period: Some(period),
        kind: Some(kind),
        amount,
        count,
    };
    let version = f.get("version").parse().ok();
    match deals::update_quota(&s.app, me.actor(), id, change, version).await {
        Ok(q) => Redirect::to(&format!("/quotas?period={}", q.period)).into_response(),
        Err(AppError::Invalid(v)) => {
            let errs = place(&me, v, quota_field);
            quotas_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                &back,
                form,
                Some(id),
                errs,
            )
            .await
        }
        Err(AppError::Stale { .. }) => {
            let errs = FormErrors {
                general: Some(me.page.t("catalog-stale")),
                ..FormErrors::default()
            };
            quotas_render(&s, &me, StatusCode::CONFLICT, &back, form, Some(id), errs).await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn delete_quota(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    match deals::delete_quota(&s.app, me.actor(), id).await {
        Ok(()) => Redirect::to(&format!(
            "/quotas?period={}",
            shown_period(&s, &me, &f.get("back"))
        ))
        .into_response(),
        Err(e) => me.page.error(e),
    }
}

// ---------- Commission statements ----------

pub async fn commissions_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let page = &me.page;
    let period = q
        .period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| current_quarter(&s, &me));
    let user = q.user.as_deref().and_then(|u| u.parse::<Id>().ok());
    let statements = match deals::commissions(&s.app, me.actor(), user, &period).await {
        Ok(st) => st,
        Err(AppError::BadQuery(_)) => {
            return page.render(
                StatusCode::BAD_REQUEST,
                "commissions/commissions.html",
                json!({"nav": "quotas", "tab": "commissions", "period": period, "bad_period": true, "statements": []}),
            );
        }
        Err(e) => return page.error(e),
    };
    let plans = deals::plans(&s.app, me.actor()).await.unwrap_or_default();
    let ids: Vec<Id> = statements.iter().map(|st| st.user_id).collect();
    let names = users::names(&s.app, &ids).await.unwrap_or_default();
    let mut out: Vec<Value> = statements
        .iter()
        .map(|st| {
            let plan: Option<&CommissionPlan> = st.plan_id.and_then(|p| plans.iter().find(|x| x.id == p));
            let lines: Vec<Value> = st
                .lines
                .iter()
                .map(|l| {
                    // Where the rate comes from: the category's own, else the default.
                    let own = plan.is_some_and(|p| {
                        l.category.as_deref().is_some_and(|c| {
                            let key = cartera_core::text::fold(c);
                            p.category_rates
                                .iter()
                                .any(|r| cartera_core::text::fold(&r.category) == key)
                        })
                    });
                    // A line of money collected names the invoice and the day it was paid.
                    let what = match l.collected_on {
                        Some(day) => page.t_args("commissions-collected-on", &[("date", ArgValue::Text(figures::day(page.locale, day)))]),
                        None => l.description.clone().unwrap_or_else(|| page.t("commissions-whole-deal")),
                    };
                    json!({
                        "deal_id": l.deal_id, "deal": l.deal_name, "invoice_id": l.invoice_id,
                        "what": what,
                        "category": l.category,
                        "rate_from": if own { "category" } else { "default" },
                        "base": money_or_dash(page.locale, Some(l.base)),
                        "rate": number(page.locale, l.rate),
                        "multiplier": number(page.locale, l.multiplier),
                        "amount": money_or_dash(page.locale, Some(l.amount)),
                    })
                })
                .collect();
            json!({
                "user_id": st.user_id,
                "who": names.get(&st.user_id).cloned().unwrap_or_default(),
                "plan": st.plan_name,
                "attainment": st.attainment_percent.map(|p| number(page.locale, p)),
                "tier_from": st.tier.as_ref().map(|t| number(page.locale, t.from_percent)),
                "multiplier": number(page.locale, st.multiplier),
                "lines": lines,
                "totals": st.totals.iter().map(|m| money_or_dash(page.locale, Some(*m))).collect::<Vec<_>>(),
            })
        })
        .collect();
    out.sort_by(|a, b| a["who"].as_str().cmp(&b["who"].as_str()));
    page.render(
        StatusCode::OK,
        "commissions/commissions.html",
        json!({
            "nav": "quotas", "tab": "commissions", "period": period, "statements": out, "only_user": user,
            "can_admin": is_admin(&me), "plans": plans.len(),
        }),
    )
}

// ---------- Commission plans ----------

/// Blank rows offered under a plan's category rates and tiers for new ones.
const SPARE_ROWS: usize = 2;

fn plan_ctx(page: &Page, p: &CommissionPlan) -> Value {
    json!({
        "id": p.id, "version": p.version, "name": p.name,
        "default_rate": num(page, p.default_rate),
        "cats": p.category_rates.iter().map(|r| json!({"category": r.category, "rate": num(page, r.rate)})).collect::<Vec<_>>(),
        "tiers": p.tiers.iter().map(|t| json!({"from": num(page, t.from_percent), "multiplier": num(page, t.multiplier)})).collect::<Vec<_>>(),
        "user_ids": p.user_ids,
        "basis": p.basis.as_str(),
    })
}

pub async fn plans_page(State(s): State<AppState>, me: Me) -> Response {
    let form = json!({"default_rate": "3", "cats": [], "tiers": [], "user_ids": []});
    plans_render(&s, &me, StatusCode::OK, form, None, FormErrors::default()).await
}

async fn plans_render(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    form: Value,
    editing: Option<Id>,
    errs: FormErrors,
) -> Response {
    let plans = match deals::plans(&s.app, me.actor()).await {
        Ok(p) => p,
        Err(e) => return me.page.error(e),
    };
    let mut people = people(s, me).await;
    let mut ids: Vec<Id> = plans.iter().flat_map(|p| p.user_ids.clone()).collect();
    ids.retain(|i| !people.iter().any(|p| p["id"] == json!(i)));
    for (id, name) in users::names(&s.app, &ids).await.unwrap_or_default() {
        people.push(json!({"id": id, "name": name}));
    }
    let names: HashMap<String, String> = people
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?.to_owned(), p["name"].as_str()?.to_owned())))
        .collect();
    let rows: Vec<Value> = plans
        .iter()
        .map(|p| {
            let mut v = if Some(p.id) == editing {
                form.clone()
            } else {
                plan_ctx(&me.page, p)
            };
            v["id"] = json!(p.id);
            v["reps"] = json!(
                p.user_ids
                    .iter()
                    .filter_map(|u| names.get(&u.to_string()).cloned())
                    .collect::<Vec<_>>()
            );
            v
        })
        .collect();
    me.page.render(
        status,
        "commissions/commission_plans.html",
        merge(
            json!({
                "nav": "quotas", "tab": "plans", "period": "", "rows": rows,
                "form": if editing.is_none() { form } else { json!({"default_rate": "3"}) },
                "people": people, "can_admin": is_admin(me), "editing": editing,
                "spare": SPARE_ROWS, "open": editing.is_none() && !errs.is_empty(),
            }),
            errors_ctx(&errs),
        ),
    )
}

/// A plan as the form gives it, read; rows left blank are dropped.
struct PlanForm {
    name: String,
    default_rate: Option<Decimal>,
    cats: Vec<CategoryRate>,
    tiers: Vec<Tier>,
    user_ids: Vec<Id>,
    basis: CommissionBasis,
    /// The form as typed, to show it again.
    echo: Value,
}

fn read_plan(me: &Me, f: &Fields, errs: &mut FormErrors) -> PlanForm {
    let mut cats = Vec::new();
    let mut cats_echo = Vec::new();
    let mut tiers = Vec::new();
    let mut tiers_echo = Vec::new();
    for i in 0..220 {
        let (c, r) = (f.get(&format!("cat_{i}")), f.get(&format!("cat_rate_{i}")));
        if c.is_empty() && r.is_empty() {
            continue;
        }
        cats_echo.push(json!({"category": c, "rate": r}));
        match typed_amount(&me.page, &r) {
            Some(rate) => cats.push(CategoryRate { category: c, rate }),
            None => {
                errs.fields
                    .entry(format!("cat_{}", cats_echo.len() - 1))
                    .or_insert_with(|| me.page.t("violation-invalid-rate"));
            }
        }
    }
    for i in 0..30 {
        let (from, m) = (
            f.get(&format!("tier_{i}")),
            f.get(&format!("tier_mult_{i}")),
        );
        if from.is_empty() && m.is_empty() {
            continue;
        }
        tiers_echo.push(json!({"from": from, "multiplier": m}));
        match (typed_amount(&me.page, &from), typed_amount(&me.page, &m)) {
            (Some(from_percent), Some(multiplier)) => tiers.push(Tier {
                from_percent,
                multiplier,
            }),
            _ => {
                errs.fields
                    .entry(format!("tier_{}", tiers_echo.len() - 1))
                    .or_insert_with(|| me.page.t("violation-invalid-tier"));
            }
        }
    }
    let default_rate = typed_amount(&me.page, &f.get("default_rate"));
    if default_rate.is_none() {
        errs.fields
            .insert("default_rate".into(), me.page.t("violation-invalid-rate"));
    }
    let user_ids = f.ids("user_ids");
    let basis = CommissionBasis::parse(&f.get("basis")).unwrap_or_default();
    PlanForm {
        basis,
        name: f.get("name"),
        default_rate,
        cats,
        tiers,
        echo: json!({
            "name": f.get("name"), "default_rate": f.get("default_rate"), "version": f.get("version"),
            "cats": cats_echo, "tiers": tiers_echo, "user_ids": user_ids,
            "basis": basis.as_str(),
        }),
        user_ids,
    }
}

fn plan_field(path: &str) -> Option<String> {
    let base = path.split(['[', '.']).next().unwrap_or(path);
    let index = || {
        path.strip_prefix(base)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.split(']').next())
            .map(str::to_owned)
    };
    match base {
        "name" | "default_rate" | "user_ids" => Some(base.to_owned()),
        "category_rates" => index().map(|i| format!("cat_{i}")),
        "tiers" => index().map(|i| format!("tier_{i}")),
        _ => None,
    }
}

pub async fn create_plan(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let mut errs = FormErrors::default();
    let p = read_plan(&me, &f, &mut errs);
    let Some(default_rate) = p.default_rate.filter(|_| errs.is_empty()) else {
        return plans_render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            p.echo,
            None,
            errs,
        )
        .await;
    };
    let input = NewCommissionPlan {
        name: p.name,
        default_rate,
        category_rates: p.cats,
        tiers: p.tiers,
        user_ids: p.user_ids,
        basis: p.basis,
    };
    match deals::create_plan(&s.app, me.actor(), input).await {
        Ok(plan) => Redirect::to(&format!("/commissions/plans#plan-{}", plan.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            let errs = place(&me, v, plan_field);
            plans_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                p.echo,
                None,
                errs,
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn update_plan(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    let mut errs = FormErrors::default();
    let p = read_plan(&me, &f, &mut errs);
    let Some(default_rate) = p.default_rate.filter(|_| errs.is_empty()) else {
        return plans_render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            p.echo,
            Some(id),
            errs,
        )
        .await;
    };
    let change = CommissionPlanChange {
        name: Some(p.name),
        default_rate: Some(default_rate),
        category_rates: Some(p.cats),
        tiers: Some(p.tiers),
        user_ids: Some(p.user_ids),
        basis: Some(p.basis),
    };
    let version = f.get("version").parse().ok();
    match deals::update_plan(&s.app, me.actor(), id, change, version).await {
        Ok(plan) => Redirect::to(&format!("/commissions/plans#plan-{}", plan.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            let errs = place(&me, v, plan_field);
            plans_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                p.echo,
                Some(id),
                errs,
            )
            .await
        }
        Err(AppError::Stale { .. }) => {
            let errs = FormErrors {
                general: Some(me.page.t("catalog-stale")),
                ..FormErrors::default()
            };
            plans_render(&s, &me, StatusCode::CONFLICT, p.echo, Some(id), errs).await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn delete_plan(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match deals::delete_plan(&s.app, me.actor(), id).await {
        Ok(()) => Redirect::to("/commissions/plans").into_response(),
        Err(e) => me.page.error(e),
    }
}
