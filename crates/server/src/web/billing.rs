//! Billing pages, the web shell of `cartera_app::billing`: receivables and the statement
//! (`billing_accounts.rs`), invoices and their notes (`billing_invoices.rs`), payments
//! and one payment's page (`billing_payments.rs`, `billing_receipt.rs`), what they share (`billing_common.rs`). Here: their routes,
//! "Facturar" on an order and an accepted quote, and the account page's card.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde_json::json;

use cartera_app::AppError;
use cartera_app::billing::invoices::{self, IssueOptions};
use cartera_app::billing::payments;
use cartera_app::billing::risk as accounts;
use cartera_core::Id;
use cartera_core::roles::Action;

use super::billing_common::{invoice_row, may, payment_row, risk_ctx};
use super::panels::{Panel, PanelFuture};
use super::render::{Me, PageId};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/invoice", post(invoice_order))
        .route("/quotes/{id}/invoice", post(invoice_quote))
        .merge(super::billing_accounts::routes())
        .merge(super::billing_invoices::routes())
        .merge(super::billing_imports::routes())
        .merge(super::billing_payments::routes())
        .merge(super::billing_receipt::routes())
        .merge(super::billing_cheques::routes())
        .merge(super::billing_print::routes())
        .merge(super::billing_risk::routes())
        .merge(super::admin_billing::routes())
}

/// "Facturar" on an order: its invoice with the company's defaults.
async fn invoice_order(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match invoices::from_order(&s.app, me.actor(), id, IssueOptions::default()).await {
        Ok(inv) => Redirect::to(&format!("/invoices/{}", inv.id)).into_response(),
        Err(AppError::Conflict(_)) => {
            Redirect::to(&format!("/orders/{id}?error=invoiced")).into_response()
        }
        Err(AppError::Invalid(_)) => {
            Redirect::to(&format!("/orders/{id}?error=not-invoiced")).into_response()
        }
        Err(e) => me.page.error(e),
    }
}

/// "Facturar" on an accepted quote without an order.
async fn invoice_quote(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match invoices::from_quote(&s.app, me.actor(), id, IssueOptions::default()).await {
        Ok(inv) => Redirect::to(&format!("/invoices/{}", inv.id)).into_response(),
        Err(AppError::Conflict(_)) => {
            Redirect::to(&format!("/quotes/{id}?error=invoiced")).into_response()
        }
        Err(AppError::Invalid(_)) => {
            Redirect::to(&format!("/quotes/{id}?error=not-invoiced")).into_response()
        }
        Err(e) => me.page.error(e),
    }
}

/// How many invoices and payments the account's card lists.
const CARD_ROWS: i64 = 5;

/// The account page's card: balance and overdue per currency, the risk light and why,
/// the latest invoices and payments (`web/panels.rs`). None without billing read.
pub fn account_panel<'a>(s: &'a AppState, me: &'a Me, account: Id) -> PanelFuture<'a> {
    Box::pin(async move {
        let actor = me.actor();
        let risk = accounts::risk(&s.app, actor, account).await.ok()?;
        let filter = invoices::Filter {
            account: Some(account),
            ..invoices::Filter::default()
        };
        let latest = invoices::page(&s.app, actor, filter, None, CARD_ROWS)
            .await
            .ok()?
            .data;
        let paid = payments::page(&s.app, actor, Some(account), None, CARD_ROWS)
            .await
            .ok()?
            .data;
        let page = &me.page;
        let today = s.app.today();
        let mut risk = risk_ctx(page, &risk, account);
        risk["can_approve"] = json!(may(me, Action::Admin));
        risk["days"] = json!(accounts::APPROVAL_DAYS);
        Some(Panel::new(
            "billing/account_panel.html",
            json!({
                "account": account,
                "risk": risk,
                "invoices": latest.iter().map(|i| invoice_row(page, i, today)).collect::<Vec<_>>(),
                "payments": paid.iter().map(|p| payment_row(page, p)).collect::<Vec<_>>(),
                "can_pay": may(me, Action::Create),
            }),
        ))
    })
}
