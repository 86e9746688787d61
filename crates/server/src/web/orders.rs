//! Order pages: the list, and one order with its status steps and their dates, the
//! next status, a (partial) delivery form and the lines with what was delivered. The
//! actions call the same `cartera_app::orders` functions as the JSON API.

use std::collections::HashMap;

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::AppError;
use cartera_app::orders::{self, DeliveryInput};
use cartera_core::Id;
use cartera_core::orders::{DeliveredLine, Order, OrderStatus};

use super::figures::{account_names, amount, day, money, number};
use super::panels::{Panel, PanelFuture};
use super::render::{Me, Page, PageId, when};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/{id}", get(show))
        .route("/orders/{id}/status", post(status))
        .route("/orders/{id}/deliver", post(deliver))
}

fn row(page: &Page, o: &Order, accounts: &HashMap<Id, String>) -> Value {
    let delivered = o.lines.iter().filter(|l| !l.delivered.is_zero()).count();
    json!({
        "id": o.id,
        "number": o.number,
        "account": accounts.get(&o.account_id),
        "account_id": o.account_id,
        "status": o.status.as_str(),
        "partial": o.status < OrderStatus::Delivered && delivered > 0,
        "total": money(page.locale, o.totals.total, o.currency.as_str()),
        "date": day(page.locale, o.created_at.with_timezone(&page.time_zone()).date_naive()),
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
}

async fn list(State(s): State<AppState>, me: Me, Query(q): Query<ListQuery>) -> Response {
    let page = &me.page;
    let mut all = match orders::list(&s.app, me.actor(), None).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    if let Some(w) = OrderStatus::parse(&q.status) {
        all.retain(|o| o.status == w);
    }
    let accounts = account_names(
        &s,
        &me,
        &all.iter().map(|o| o.account_id).collect::<Vec<_>>(),
    )
    .await;
    page.render(
        StatusCode::OK,
        "orders/orders.html",
        json!({
            "nav": "orders",
            "rows": all.iter().map(|o| row(page, o, &accounts)).collect::<Vec<_>>(),
            "status": q.status,
            "statuses": OrderStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        }),
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    error: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let error = q.error.map(|e| me.page.t(&format!("order-error-{e}")));
    render(&s, &me, id, StatusCode::OK, json!({"general_error": error})).await
}

async fn render(s: &AppState, me: &Me, id: Id, status: StatusCode, extra: Value) -> Response {
    let page = &me.page;
    let o = match orders::get(&s.app, me.actor(), id).await {
        Ok(o) => o,
        Err(e) => return page.error(e),
    };
    let accounts = account_names(s, me, &[o.account_id]).await;
    let quote = match o.quote_id {
        Some(qid) => cartera_app::quotes::get(&s.app, me.actor(), qid)
            .await
            .ok()
            .map(|q| json!({"id": q.id, "number": q.number})),
        None => None,
    };
    let tz = page.time_zone();
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| when(t, tz, page.locale));
    let d = &o.dates;
    let steps = [
        (OrderStatus::Confirmed, Some(d.confirmed_at)),
        (OrderStatus::Picking, d.picking_at),
        (OrderStatus::Shipped, d.shipped_at),
        (OrderStatus::Delivered, d.delivered_at),
        (OrderStatus::Invoiced, d.invoiced_at),
    ];
    let steps: Vec<Value> = steps
        .iter()
        .map(|(st, t)| {
            json!({
                "status": st.as_str(),
                "done": *st <= o.status,
                "current": *st == o.status,
                "when": at(*t),
            })
        })
        .collect();
    let billing = super::billing_common::order_ctx(s, me, &o).await;
    let invoices_it = billing["can_invoice"] == true;
    // The statuses a person may move to now (`delivered` comes from the deliveries);
    // whoever may invoice the order gets "Facturar" (an invoice) instead of "invoiced".
    let next: Vec<&str> = OrderStatus::ALL
        .iter()
        .filter(|to| o.status.may_move_to(**to).is_ok())
        .filter(|to| !(invoices_it && **to == OrderStatus::Invoiced))
        .map(|s| s.as_str())
        .collect();
    let c = o.currency.as_str();
    let lines: Vec<Value> = o
        .lines
        .iter()
        .zip(o.totals.line_nets.iter())
        .enumerate()
        .map(|(i, (l, net))| {
            let left = l.line.quantity - l.delivered;
            json!({
                "index": i,
                "sku": l.line.sku,
                "description": l.line.description,
                "unit": l.line.unit,
                "quantity": number(page.locale, l.line.quantity),
                "delivered": number(page.locale, l.delivered),
                "left": number(page.locale, left),
                "left_raw": left.normalize().to_string(),
                "open": !left.is_zero() && left.is_sign_positive(),
                "unit_price": amount(page.locale, l.line.unit_price.amount),
                "net": amount(page.locale, *net),
            })
        })
        .collect();
    let deliveries: Vec<Value> = o
        .deliveries
        .iter()
        .map(|dl| {
            json!({
                "on": day(page.locale, dl.delivered_on),
                "lines": dl.lines.iter().map(|x| json!({
                    "description": o.lines.get(x.line).map(|l| l.line.description.clone()),
                    "quantity": number(page.locale, x.quantity),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut ctx = json!({
        "nav": "orders",
        "order": {
            "id": o.id,
            "number": o.number,
            "status": o.status.as_str(),
            "account_id": o.account_id,
            "currency": c,
            "notes": o.notes,
        },
        "account": accounts.get(&o.account_id),
        "quote": quote,
        "steps": steps,
        "next": next,
        "lines": lines,
        "deliveries": deliveries,
        // An order invoiced before it was delivered still records its deliveries.
        "can_deliver": o.status < OrderStatus::Delivered
            || (o.status == OrderStatus::Invoiced && !o.fully_delivered()),
        "can_edit": me.actor().permit(cartera_core::roles::Module::Orders, cartera_core::roles::Action::Edit).is_ok(),
        "today": s.app.now().with_timezone(&tz).date_naive().to_string(),
        "totals": super::quotes::totals_ctx(page, &o.totals),
        "errors": {},
        "billing": billing,
    });
    if let (Value::Object(m), Value::Object(more)) = (&mut ctx, extra) {
        m.extend(more);
    }
    page.render(status, "orders/order.html", ctx)
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn status(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<StatusForm>,
) -> Response {
    let Some(to) = OrderStatus::parse(&f.status) else {
        return Redirect::to(&format!("/orders/{id}?error=status")).into_response();
    };
    match orders::set_status(&s.app, me.actor(), id, to).await {
        Ok(_) => Redirect::to(&format!("/orders/{id}")).into_response(),
        Err(AppError::Invalid(_)) | Err(AppError::Stale { .. }) => {
            Redirect::to(&format!("/orders/{id}?error=status")).into_response()
        }
        Err(e) => me.page.error(e),
    }
}

/// A delivery from the form: one quantity per line (`qty_{index}`); empty or zero ones
/// are lines not delivered this time.
async fn deliver(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let page = &me.page;
    let mut lines = Vec::new();
    let mut bad: Vec<usize> = Vec::new();
    let mut on = None;
    for (k, v) in &pairs {
        if k == "delivered_on" {
            on = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
            continue;
        }
        let Some(i) = k.strip_prefix("qty_").and_then(|i| i.parse::<usize>().ok()) else {
            continue;
        };
        let t = v.trim().replace(',', ".");
        if t.is_empty() {
            continue;
        }
        match t.parse::<rust_decimal::Decimal>() {
            Ok(q) if q.is_zero() => {}
            Ok(q) => lines.push(DeliveredLine {
                line: i,
                quantity: q,
            }),
            Err(_) => bad.push(i),
        }
    }
    let mut errors = serde_json::Map::new();
    for i in &bad {
        errors.insert(i.to_string(), page.t("violation-invalid").into());
    }
    if errors.is_empty() {
        if lines.is_empty() {
            return render(
                &s,
                &me,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"delivery_error": page.t("order-deliver-nothing")}),
            )
            .await;
        }
        let positions: Vec<usize> = lines.iter().map(|l| l.line).collect();
        match orders::deliver(
            &s.app,
            me.actor(),
            id,
            DeliveryInput {
                delivered_on: on,
                lines,
            },
        )
        .await
        {
            Ok(_) => return Redirect::to(&format!("/orders/{id}#lines")).into_response(),
            Err(AppError::Invalid(v)) => {
                for x in &v.0 {
                    // `lines[i]` is the request's position; name the order's line.
                    let req = x
                        .field
                        .strip_prefix("lines[")
                        .and_then(|r| r.split(']').next())
                        .and_then(|n| n.parse::<usize>().ok());
                    let text = super::forms::explain(page, "delivery-quantity", x.code);
                    match req.and_then(|r| positions.get(r)) {
                        Some(line) => {
                            errors.entry(line.to_string()).or_insert(text.into());
                        }
                        None => {
                            errors.entry("general".to_owned()).or_insert(text.into());
                        }
                    }
                }
            }
            Err(e) => return page.error(e),
        }
    }
    render(
        &s,
        &me,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"errors": errors, "delivery_error": page.t("order-deliver-invalid")}),
    )
    .await
}

/// The orders of an account, for its page (none without the right).
pub async fn of_account(s: &AppState, me: &Me, account: Id) -> Option<Vec<Value>> {
    let list = orders::list(&s.app, me.actor(), Some(account)).await.ok()?;
    let names = HashMap::new();
    Some(list.iter().map(|o| row(&me.page, o, &names)).collect())
}

/// The account page's card of its orders, when it has any (`web/panels.rs`).
pub fn account_panel<'a>(s: &'a AppState, me: &'a Me, account: Id) -> PanelFuture<'a> {
    Box::pin(async move {
        let orders = of_account(s, me, account).await?;
        (!orders.is_empty())
            .then(|| Panel::new("orders/account_panel.html", json!({"orders": orders})))
    })
}
