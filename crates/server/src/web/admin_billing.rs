//! Administration → Billing: the company's billing defaults (series, terms, ageing,
//! the risk rule, monthly statements, the credit limit), the late interest rates, the
//! dunning levels and the invoice template. Each is its own form, so saving one never
//! loses what was typed in another; a refused form comes back with a message on each
//! wrong field and what was typed kept.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use cartera_app::billing::{dunning, template};
use cartera_app::{AppError, custom_fields};
use cartera_core::billing::dunning::{DunningLevel, DunningPolicy, MAX_LEVELS};
use cartera_core::billing::ledger::Buckets;
use cartera_core::custom_fields::FieldType;
use cartera_core::record::RecordKind;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Violations};

use super::figures;
use super::forms::{Fields, explain, typed_number};
use super::render::{Me, Page};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/billing", get(page))
        .route("/admin/billing/defaults", post(save_defaults))
        .route("/admin/billing/interest", post(save_interest))
        .route("/admin/billing/dunning", post(save_dunning))
        .route("/admin/billing/template", post(save_template))
}

/// The 403 page, unless the role administers settings.
fn refused(me: &Me) -> Option<Response> {
    me.actor()
        .permit(Module::Settings, Action::Admin)
        .err()
        .map(|e| me.page.error(e))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    saved: Option<String>,
}

async fn page(State(s): State<AppState>, me: Me, Query(q): Query<PageQuery>) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let notice = q
        .saved
        .filter(|w| ["defaults", "interest", "dunning", "template"].contains(&w.as_str()))
        .map(|w| me.page.t(&format!("billing-admin-saved-{w}")));
    render(&s, &me, StatusCode::OK, json!({"notice": notice})).await
}

/// The page with what is stored; `extra` replaces the part of a form just refused.
async fn render(s: &AppState, me: &Me, status: StatusCode, extra: Value) -> Response {
    let actor = me.actor();
    let settings = match cartera_app::settings::get(&s.app, actor).await {
        Ok(x) => x,
        Err(e) => return me.page.error(e),
    };
    let policy = match dunning::policy(&s.app, actor).await {
        Ok(x) => x,
        Err(e) => return me.page.error(e),
    };
    let info = match template::template_info(&s.app, actor).await {
        Ok(x) => x,
        Err(e) => return me.page.error(e),
    };
    let fields = match custom_fields::list(&s.app, actor, Some(RecordKind::Account)).await {
        Ok(x) => x,
        Err(e) => return me.page.error(e),
    };
    let money_fields: Vec<Value> = fields
        .iter()
        .filter(|f| f.data.field_type == FieldType::Money)
        .map(|f| json!({"key": f.data.key, "label": f.data.label}))
        .collect();
    let b = &settings.billing;
    let mut ctx = json!({
        "nav": "admin",
        "tab": "billing",
        "errors": {},
        "money_fields": money_fields,
        "defaults": {
            "series": b.series,
            "point_of_sale": b.point_of_sale.to_string(),
            "payment_terms_days": b.payment_terms_days.to_string(),
            "buckets": Vec::<u32>::from(b.ageing_buckets.clone())
                .iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
            "amber": b.risk_policy.amber,
            "red": b.risk_policy.red,
            "monthly": b.statements.monthly,
            "day": b.statements.day.to_string(),
            "credit_limit_field": b.credit_limit_field.clone().unwrap_or_default(),
            "errors": {},
        },
        "interest": {
            "country": b.interest_country_default,
            "rows": b.interest_rates.iter().map(|r| json!({
                "from": r.from.to_string(),
                "to": r.to.map(|t| t.to_string()).unwrap_or_default(),
                "rate": figures::number(me.page.locale, r.monthly_rate),
                "errors": {},
            })).collect::<Vec<_>>(),
            "errors": {},
        },
        "dunning": {
            "enabled": policy.enabled,
            "levels": policy.levels.iter().map(|l| json!({
                "days": l.days_overdue.to_string(), "email": l.email, "task": l.task,
                "subject_es": l.subject_es, "body_es": l.body_es,
                "subject_en": l.subject_en, "body_en": l.body_en, "errors": {},
            })).collect::<Vec<_>>(),
            "errors": {},
        },
        "max_levels": MAX_LEVELS,
        "template": {"text": info.template, "is_default": info.is_default, "error": null},
    });
    if let (Value::Object(m), Value::Object(more)) = (&mut ctx, extra) {
        m.extend(more);
    }
    me.page.render(status, "admin/admin_billing.html", ctx)
}

/// A whole number typed in a form, or the field's message.
fn whole(page: &Page, raw: &str, field: &str, errors: &mut Map<String, Value>) -> u32 {
    raw.trim().parse().unwrap_or_else(|_| {
        errors.insert(
            field.to_owned(),
            explain(page, &format!("billing-{field}"), Code::Invalid).into(),
        );
        0
    })
}

/// Puts each violation on the field `to_field` names (the catalogue's key is
/// `violation-<code>-billing-<field>`), else on the form as a whole.
fn place(
    page: &Page,
    v: Violations,
    to_field: impl Fn(&str) -> Option<String>,
) -> (Map<String, Value>, Option<String>) {
    let mut fields = Map::new();
    let mut general = None;
    for x in v.0 {
        match to_field(&x.field) {
            Some(f) => {
                let text = explain(page, &format!("billing-{f}"), x.code);
                fields.entry(f).or_insert(text.into());
            }
            None => {
                general.get_or_insert_with(|| explain(page, "billing", x.code));
            }
        }
    }
    (fields, general)
}

async fn save_defaults(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let page = &me.page;
    let f = Fields::parse(&body);
    let mut errors = Map::new();
    let series = f.get("series").trim().to_uppercase();
    let pos = whole(page, &f.get("point_of_sale"), "point_of_sale", &mut errors);
    let terms = whole(
        page,
        &f.get("payment_terms_days"),
        "payment_terms_days",
        &mut errors,
    );
    let day = whole(page, &f.get("day"), "day", &mut errors);
    let limits: Result<Vec<u32>, _> = f
        .get("buckets")
        .split([',', ';', ' '])
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .collect();
    let buckets = limits.ok().and_then(|l| Buckets::try_from(l).ok());
    if buckets.is_none() {
        errors.insert(
            "buckets".into(),
            explain(page, "billing-buckets", Code::Invalid).into(),
        );
    }
    let action = |name: &str| match f.get(name).as_str() {
        "approval" => "approval",
        _ => "warn",
    };
    let credit = f.get("credit_limit_field");
    let shown = |errors: Map<String, Value>| {
        let mut form = f.as_json();
        if let Some(o) = form.as_object_mut() {
            o.insert("monthly".into(), (f.get("monthly") == "true").into());
            o.insert("errors".into(), errors.into());
        }
        json!({ "defaults": form })
    };
    let Some(buckets) = buckets.filter(|_| errors.is_empty()) else {
        return render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, shown(errors)).await;
    };
    let patch = json!({"billing": {
        "series": series,
        "point_of_sale": pos,
        "payment_terms_days": terms,
        "ageing_buckets": Vec::<u32>::from(buckets),
        "risk_policy": {"amber": action("amber"), "red": action("red")},
        "statements": {"monthly": f.get("monthly") == "true", "day": day},
        "credit_limit_field": if credit.trim().is_empty() { Value::Null } else { credit.trim().into() },
    }});
    match cartera_app::settings::update(&s.app, me.actor(), patch).await {
        Ok(_) => Redirect::to("/admin/billing?saved=defaults").into_response(),
        Err(AppError::Invalid(v)) => {
            let (errors, general) = place(page, v, |p| {
                let leaf = p.strip_prefix("billing.")?;
                Some(match leaf {
                    "ageing_buckets" => "buckets".to_owned(),
                    "statements.day" => "day".to_owned(),
                    "series" | "point_of_sale" | "payment_terms_days" | "credit_limit_field" => {
                        leaf.to_owned()
                    }
                    _ => return None,
                })
            });
            let mut extra = shown(errors);
            extra["general_error"] = general.into();
            render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => page.error(e),
    }
}

async fn save_interest(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let page = &me.page;
    let f = Fields::parse(&body);
    let removed: Option<usize> = f.get("remove").parse().ok();
    let (froms, tos, rates) = (f.all("from"), f.all("to"), f.all("rate"));
    let mut rows: Vec<Value> = Vec::new();
    let mut sent: Vec<Value> = Vec::new();
    let mut unreadable = false;
    for (i, from) in froms.iter().enumerate() {
        let from = from.trim();
        let to = tos.get(i).map_or("", |t| t.trim());
        let rate = rates.get(i).map_or("", |r| r.trim());
        if removed == Some(i) || (from.is_empty() && to.is_empty() && rate.is_empty()) {
            continue;
        }
        let mut errors = Map::new();
        let from_day = from.parse::<NaiveDate>().ok();
        if from_day.is_none() {
            errors.insert(
                "from".into(),
                explain(page, "billing-rate-from", Code::Required).into(),
            );
        }
        let to_day = if to.is_empty() {
            Some(None)
        } else {
            to.parse::<NaiveDate>().ok().map(Some)
        };
        if to_day.is_none() {
            errors.insert(
                "to".into(),
                explain(page, "billing-rate-to", Code::Invalid).into(),
            );
        }
        let typed = typed_number(page, rate);
        if typed.is_err() {
            errors.insert(
                "rate".into(),
                explain(page, "billing-rate-rate", Code::Invalid).into(),
            );
        }
        unreadable |= !errors.is_empty();
        rows.push(json!({"from": from, "to": to, "rate": rate, "errors": errors}));
        sent.push(json!({
            "from": from,
            "to": to_day.flatten(),
            "monthly_rate": typed.map(|d| d.to_string()).unwrap_or_default(),
        }));
    }
    let country = match f.get("country").as_str() {
        c @ ("AR" | "ES" | "MX") => Value::from(c),
        _ => Value::Null,
    };
    let shown = |rows: Vec<Value>, general: Option<String>| json!({"interest": {"country": country, "rows": rows, "errors": {}}, "general_error": general});
    if unreadable {
        return render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, shown(rows, None)).await;
    }
    let patch = json!({"billing": {"interest_country_default": country, "interest_rates": sent}});
    match cartera_app::settings::update(&s.app, me.actor(), patch).await {
        Ok(_) => Redirect::to("/admin/billing?saved=interest#interest").into_response(),
        Err(AppError::Invalid(v)) => {
            let general = place_rows(page, v, "billing.interest_rates[", "rate", &mut rows);
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                shown(rows, general),
            )
            .await
        }
        Err(e) => page.error(e),
    }
}

/// Puts each violation named `<prefix>i].<leaf>` (or `<prefix>i]`) on row `i`'s cell
/// (the catalogue's key is `violation-<code>-billing-<what>-<leaf>`); returns the
/// message for the form as a whole, if any.
fn place_rows(
    page: &Page,
    v: Violations,
    prefix: &str,
    what: &str,
    rows: &mut [Value],
) -> Option<String> {
    let mut general = None;
    for x in v.0 {
        let at_row = x.field.strip_prefix(prefix).and_then(|rest| {
            let (i, leaf) = rest.split_once(']')?;
            let leaf = leaf.strip_prefix('.').unwrap_or("level");
            Some((i.parse::<usize>().ok()?, leaf.to_owned()))
        });
        match at_row {
            Some((i, leaf)) if i < rows.len() => {
                let cell = if leaf == "monthly_rate" {
                    "rate".to_owned()
                } else {
                    leaf
                };
                let text = explain(page, &format!("billing-{what}-{cell}"), x.code);
                if let Some(errors) = rows[i]["errors"].as_object_mut() {
                    errors.entry(cell).or_insert(text.into());
                }
            }
            _ => {
                general.get_or_insert_with(|| explain(page, &format!("billing-{what}s"), x.code));
            }
        }
    }
    general
}

async fn save_dunning(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let page = &me.page;
    let f = Fields::parse(&body);
    let removed: Option<usize> = f.get("remove").parse().ok();
    let count = f
        .get("levels")
        .parse::<usize>()
        .unwrap_or(0)
        .min(MAX_LEVELS + 1);
    let mut rows: Vec<Value> = Vec::new();
    let mut levels: Vec<DunningLevel> = Vec::new();
    let mut unreadable = false;
    for i in 0..count {
        let at = |name: &str| f.get(&format!("{name}_{i}"));
        let days = at("days");
        let texts = ["subject_es", "body_es", "subject_en", "body_en"].map(&at);
        let blank = days.trim().is_empty() && texts.iter().all(|t| t.trim().is_empty());
        if removed == Some(i) || blank {
            continue;
        }
        let mut errors = Map::new();
        let days_overdue = match days.trim().parse::<u32>() {
            Ok(d) => d,
            Err(_) => {
                unreadable = true;
                errors.insert(
                    "days_overdue".into(),
                    explain(page, "billing-level-days_overdue", Code::OutOfRange).into(),
                );
                0
            }
        };
        let [subject_es, body_es, subject_en, body_en] =
            texts.map(|t| t.replace("\r\n", "\n").trim().to_owned());
        let (email, task) = (at("email") == "true", at("task") == "true");
        rows.push(json!({
            "days": days, "email": email, "task": task, "subject_es": subject_es,
            "body_es": body_es, "subject_en": subject_en, "body_en": body_en, "errors": errors,
        }));
        levels.push(DunningLevel {
            days_overdue,
            email,
            task,
            subject_es,
            body_es,
            subject_en,
            body_en,
        });
    }
    let enabled = f.get("enabled") == "true";
    let shown = |rows: Vec<Value>, general: Option<String>| json!({"dunning": {"enabled": enabled, "levels": rows, "errors": {}}, "general_error": general});
    if unreadable {
        return render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, shown(rows, None)).await;
    }
    match dunning::set_policy(&s.app, me.actor(), DunningPolicy { enabled, levels }).await {
        Ok(_) => Redirect::to("/admin/billing?saved=dunning#dunning").into_response(),
        Err(AppError::Invalid(v)) => {
            let general = place_rows(page, v, "levels[", "level", &mut rows);
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                shown(rows, general),
            )
            .await
        }
        Err(e) => page.error(e),
    }
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    template: String,
    #[serde(default)]
    reset: String,
}

async fn save_template(
    State(s): State<AppState>,
    me: Me,
    axum::Form(f): axum::Form<TemplateForm>,
) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let done = if f.reset == "1" {
        template::reset_template(&s.app, me.actor()).await
    } else {
        template::set_template(&s.app, me.actor(), f.template.replace("\r\n", "\n")).await
    };
    match done {
        Ok(_) => Redirect::to("/admin/billing?saved=template#template").into_response(),
        Err(AppError::Invalid(v)) => {
            let error = super::quotes::template_refusal(&me.page, &v);
            let extra =
                json!({"template": {"text": f.template, "is_default": false, "error": error}});
            render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => me.page.error(e),
    }
}
