//! One payment's page (its receipt): what it settled and how each application stands,
//! what is left on account and "Aplicar saldo" to apply it, and the reversals (of one
//! application, or of the whole payment: a bounced cheque), each with its reason and a
//! confirmation. They call `cartera_app::billing::payments` like the API.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::AppError;
use cartera_app::billing::payments::{self, AllocateInput, ReversalInput};
use cartera_core::Id;
use cartera_core::billing::invoices::Invoice;
use cartera_core::billing::payments::Payment;
use cartera_core::roles::Action;

use super::billing_common::{may, word};
use super::billing_payments::{
    open_charges, open_row, place_allocations, read_allocations, typed_allocations,
};
use super::figures::{account_names, amount, day, money};
use super::forms::{Fields, explain};
use super::render::{Me, Page, PageId};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payments/{id}", get(show))
        .route("/payments/{id}/allocate", post(allocate))
        .route("/payments/{id}/reverse", post(reverse))
        .route(
            "/payments/{id}/allocations/{allocation}/reverse",
            post(reverse_allocation),
        )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
    allocated: Option<String>,
    reversed: Option<String>,
}

/// What a refused action on the payment page brings back: the amounts typed for
/// "Aplicar saldo", the reasons typed, the messages and which confirmation to keep open.
#[derive(Default)]
struct Refused {
    allocs: Option<HashMap<String, String>>,
    errors: BTreeMap<String, String>,
    general: Option<String>,
    reasons: BTreeMap<String, String>,
}

async fn show(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let notice = if q.saved.is_some() {
        Some("payment-saved")
    } else if q.allocated.is_some() {
        Some("payment-allocated")
    } else if q.reversed.is_some() {
        Some("payment-reversed-notice")
    } else {
        None
    };
    let notice = notice.map(|k| me.page.t(k));
    payment_page(&s, &me, id, StatusCode::OK, Refused::default(), notice).await
}

/// Spreads `spare` over open charges, oldest due first: "Aplicar saldo"'s proposal.
fn proposal(open: &[Invoice], spare: Decimal, page: &Page) -> HashMap<String, String> {
    let mut left = spare;
    let mut out = HashMap::new();
    for i in open {
        if left <= Decimal::ZERO {
            break;
        }
        let take = left.min(i.open);
        left -= take;
        out.insert(i.id.to_string(), amount(page.locale, take));
    }
    out
}

async fn payment_page(
    s: &AppState,
    me: &Me,
    id: Id,
    status: StatusCode,
    refused: Refused,
    notice: Option<String>,
) -> Response {
    let page = &me.page;
    let p: Payment = match payments::get(&s.app, me.actor(), id).await {
        Ok(p) => p,
        Err(e) => return page.error(e),
    };
    let c = p.currency.as_str();
    let today = s.app.today();
    let names = account_names(s, me, &[p.account_id]).await;
    let people = cartera_app::users::names(
        &s.app,
        &p.allocations
            .iter()
            .filter_map(|a| a.created_by)
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap_or_default();
    let can_edit = may(me, Action::Edit) && p.reversed_on.is_none();
    let allocations: Vec<Value> = p
        .allocations
        .iter()
        .map(|a| {
            let key = format!("reason-{}", a.id);
            json!({
                "id": a.id,
                "invoice_id": a.invoice_id,
                "invoice_number": a.invoice_number,
                "amount": money(page.locale, a.amount, c),
                "applied_on": day(page.locale, a.applied_on),
                "by": a.created_by.and_then(|b| people.get(&b).cloned()),
                "active": a.active(),
                "reversed_on": a.reversed_on.map(|d| day(page.locale, d)),
                "reason": a.reversal_reason,
                "typed_reason": refused.reasons.get(&key),
                "error": refused.errors.get(&key),
            })
        })
        .collect();
    let spare = p.unapplied;
    let open = if can_edit && spare > Decimal::ZERO {
        open_charges(s, me, p.account_id)
            .await
            .into_iter()
            .filter(|i| i.currency == p.currency)
            .collect()
    } else {
        Vec::new()
    };
    let typed = refused
        .allocs
        .clone()
        .unwrap_or_else(|| proposal(&open, spare, page));
    let open_rows: Vec<Value> = open
        .iter()
        .map(|i| {
            let key = i.id.to_string();
            open_row(
                page,
                i,
                today,
                typed.get(&key),
                refused.errors.get(&format!("alloc-{key}")),
            )
        })
        .collect();
    let cheque = super::billing_cheques::of_payment(s, me, &p).await;
    page.render(
        status,
        "billing/payment.html",
        json!({
            "nav": "receivables",
            "payment": {
                "id": p.id,
                "number": p.number,
                "version": p.version,
                "account_id": p.account_id,
                "currency": c,
                "amount": money(page.locale, p.amount, c),
                "applied": money(page.locale, p.applied, c),
                "unapplied": money(page.locale, p.unapplied, c),
                "has_unapplied": spare > Decimal::ZERO,
                "received_on": day(page.locale, p.received_on),
                "method": word(&p.method),
                "reference": p.reference,
                "notes": p.notes,
                "reversed_on": p.reversed_on.map(|d| day(page.locale, d)),
                "reversal_reason": p.reversal_reason,
            },
            "account": names.get(&p.account_id),
            "cheque": cheque,
            "allocations": allocations,
            "open": open_rows,
            "can_edit": can_edit,
            "errors": refused.errors,
            "reason": refused.reasons.get("reason"),
            "general_error": refused.general,
            "notice": notice,
        }),
    )
}

/// What a refused change of the payment says at the top: someone else changed it first,
/// or it was reversed meanwhile.
fn refusal(page: &Page, e: &AppError) -> Option<String> {
    match e {
        AppError::Stale { .. } => Some(page.t("payment-error-stale")),
        AppError::Conflict(_) => Some(page.t("payment-error-reversed")),
        _ => None,
    }
}

/// "Aplicar saldo": what is left on account, applied to open invoices.
async fn allocate(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let page = &me.page;
    let f = Fields::parse(&body);
    let typed = typed_allocations(&f);
    let version = f.get("version").parse::<i64>().ok();
    let mut refused = Refused {
        allocs: Some(typed.iter().cloned().collect()),
        ..Refused::default()
    };
    let (inputs, _) = read_allocations(page, &typed, &mut refused.errors);
    if inputs.is_empty() && refused.errors.is_empty() {
        refused.errors.insert(
            "allocations".into(),
            page.t("violation-required-payment-allocations"),
        );
    }
    if !refused.errors.is_empty() {
        return payment_page(&s, &me, id, StatusCode::UNPROCESSABLE_ENTITY, refused, None).await;
    }
    let input = AllocateInput {
        allocations: inputs.clone(),
    };
    match payments::allocate(&s.app, me.actor(), id, version, input).await {
        Ok(_) => Redirect::to(&format!("/payments/{id}?allocated=1")).into_response(),
        Err(AppError::Invalid(v)) => {
            let rest = place_allocations(&s, &me, &v, &inputs, &mut refused.errors).await;
            if let Some(x) = rest.first() {
                refused.general = Some(explain(page, "", x.code));
            }
            payment_page(&s, &me, id, StatusCode::UNPROCESSABLE_ENTITY, refused, None).await
        }
        Err(e) => match refusal(page, &e) {
            Some(text) => {
                refused.general = Some(text);
                payment_page(&s, &me, id, StatusCode::CONFLICT, refused, None).await
            }
            None => page.error(e),
        },
    }
}

/// A reversal's reason, required: `None` (and the message under `key`) when empty.
fn reason_of(page: &Page, f: &Fields, key: &str, refused: &mut Refused) -> Option<String> {
    let reason = f.get("reason");
    refused.reasons.insert(key.to_owned(), reason.clone());
    if reason.is_empty() {
        refused
            .errors
            .insert(key.to_owned(), page.t("violation-required-payment-reason"));
        return None;
    }
    Some(reason)
}

/// What a refused reversal shows: its reason's message, or the refusal at the top.
async fn reversal_refused(
    s: &AppState,
    me: &Me,
    id: Id,
    key: &str,
    e: AppError,
    mut refused: Refused,
) -> Response {
    let page = &me.page;
    let status = match &e {
        AppError::Invalid(v) => {
            for x in &v.0 {
                refused
                    .errors
                    .entry(key.to_owned())
                    .or_insert_with(|| explain(page, "payment-reason", x.code));
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        other => match refusal(page, other) {
            Some(text) => {
                refused.general = Some(text);
                StatusCode::CONFLICT
            }
            None => return page.error(e),
        },
    };
    payment_page(s, me, id, status, refused, None).await
}

/// "Revertir" the whole payment (a bounced cheque): every invoice it settled reopens.
async fn reverse(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let version = f.get("version").parse::<i64>().ok();
    let mut refused = Refused::default();
    let Some(reason) = reason_of(&me.page, &f, "reason", &mut refused) else {
        return payment_page(&s, &me, id, StatusCode::UNPROCESSABLE_ENTITY, refused, None).await;
    };
    match payments::reverse(&s.app, me.actor(), id, version, ReversalInput { reason }).await {
        Ok(_) => Redirect::to(&format!("/payments/{id}?reversed=1")).into_response(),
        Err(e) => reversal_refused(&s, &me, id, "reason", e, refused).await,
    }
}

/// "Revertir" one application: its invoice reopens, the money returns on account.
async fn reverse_allocation(
    State(s): State<AppState>,
    me: Me,
    Path((raw, allocation)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (Ok(id), Ok(allocation)) = (raw.parse::<Id>(), allocation.parse::<Id>()) else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let f = Fields::parse(&body);
    let version = f.get("version").parse::<i64>().ok();
    let key = format!("reason-{allocation}");
    let mut refused = Refused::default();
    let Some(reason) = reason_of(&me.page, &f, &key, &mut refused) else {
        return payment_page(&s, &me, id, StatusCode::UNPROCESSABLE_ENTITY, refused, None).await;
    };
    match payments::reverse_allocation(
        &s.app,
        me.actor(),
        id,
        allocation,
        version,
        ReversalInput { reason },
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/payments/{id}?reversed=1")).into_response(),
        Err(e) => reversal_refused(&s, &me, id, &key, e, refused).await,
    }
}
