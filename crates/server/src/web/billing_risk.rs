//! A manager's approval of selling to a customer whose risk light waits for one: the
//! form sits in the risk banner of the deal, quote and order pages and on the account's
//! card; it posts here and returns to the page it came from. Refused (no reason, days
//! out of 1 to 90), it comes back on a page of its own as typed. It calls
//! `cartera_app::billing::risk::approve` like the API.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::AppError;
use cartera_app::billing::risk::{self, ApprovalInput};
use cartera_core::Id;
use cartera_core::roles::Action;

use super::billing_common::{may, risk_ctx};
use super::figures::account_names;
use super::forms::{Fields, explain, typed_number};
use super::render::{Me, PageId, same_site_path};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/accounts/{id}/risk/approve", get(form).post(approve))
}

#[derive(Deserialize, Default)]
pub struct BackQuery {
    #[serde(default)]
    back: String,
}

/// Where to return: the page the form was on, else the account's.
fn back_to(raw: &str, account: Id) -> String {
    same_site_path(raw)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("/accounts/{account}"))
}

async fn form(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<BackQuery>,
) -> Response {
    let back = back_to(&q.back, id);
    approval_page(&s, &me, id, StatusCode::OK, &back, Value::Null, None).await
}

/// The approval on a page of its own: the light and why, and the form.
async fn approval_page(
    s: &AppState,
    me: &Me,
    account: Id,
    status: StatusCode,
    back: &str,
    approve: Value,
    general: Option<String>,
) -> Response {
    let page = &me.page;
    if let Err(e) = me
        .actor()
        .permit(cartera_core::roles::Module::Billing, Action::Admin)
    {
        return page.error(e);
    }
    let r = match risk::risk(&s.app, me.actor(), account).await {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    let mut ctx = risk_ctx(page, &r, account);
    ctx["can_approve"] = json!(may(me, Action::Admin));
    ctx["days"] = json!(risk::APPROVAL_DAYS);
    let name = account_names(s, me, &[account]).await.remove(&account);
    page.render(
        status,
        "billing/risk_approve.html",
        json!({
            "nav": "receivables",
            "account": {"id": account, "name": name},
            "risk": (r.level != risk::RiskLevel::Green).then_some(ctx),
            "back": back,
            "approve": approve,
            "general_error": general,
        }),
    )
}

/// "Aprobar": the manager's reason and how many days it holds (default 7).
async fn approve(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let page = &me.page;
    let f = Fields::parse(&body);
    let back = back_to(&f.get("back"), id);
    let reason = f.all("reason").into_iter().next().unwrap_or_default();
    let raw_days = f.get("days");
    let mut errors = serde_json::Map::new();
    let days = if raw_days.is_empty() {
        None
    } else {
        match typed_number(page, &raw_days)
            .ok()
            .filter(|d| d.is_integer())
            .and_then(|d| i64::try_from(d).ok())
        {
            Some(d) => Some(d),
            None => {
                errors.insert(
                    "days".into(),
                    json!(page.t("violation-out_of_range-approval-days")),
                );
                None
            }
        }
    };
    if reason.trim().is_empty() {
        errors.insert(
            "reason".into(),
            json!(page.t("violation-required-approval-reason")),
        );
    }
    let typed = |errors: serde_json::Map<String, Value>| json!({"reason": reason, "days": raw_days, "errors": errors});
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return approval_page(&s, &me, id, status, &back, typed(errors), None).await;
    }
    let input = ApprovalInput {
        reason: reason.clone(),
        days,
    };
    match risk::approve(&s.app, me.actor(), id, input).await {
        Ok(_) => Redirect::to(&format!("{back}#risk-banner")).into_response(),
        Err(AppError::Invalid(v)) => {
            let mut errors = serde_json::Map::new();
            for x in v.0 {
                let field = if x.field == "days" { "days" } else { "reason" };
                errors
                    .entry(field)
                    .or_insert_with(|| json!(explain(page, &format!("approval-{field}"), x.code)));
            }
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            approval_page(&s, &me, id, status, &back, typed(errors), None).await
        }
        Err(AppError::Conflict(_)) => {
            let text = page.t("risk-nothing-to-approve");
            approval_page(
                &s,
                &me,
                id,
                StatusCode::CONFLICT,
                &back,
                Value::Null,
                Some(text),
            )
            .await
        }
        Err(e) => page.error(e),
    }
}
