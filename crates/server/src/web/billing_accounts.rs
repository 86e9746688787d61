//! Collections' reading of the current accounts: the receivables ageing of every
//! customer (`/receivables`) and one customer's statement (`/accounts/{id}/statement`),
//! both "as of" a day, through `cartera_app::billing::accounts`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::billing::accounts::{self, AgeingFilter, AgeingGroup, AgeingRow};
use cartera_app::billing::print::StatementRequest;
use cartera_app::billing::{dunning, statements};
use cartera_core::billing::ledger::MovementKind;
use cartera_core::money::Currency;
use cartera_core::roles::Action;

use super::billing_common::{bucket_label, contact_email, may, merge, typed_day, word};
use super::figures::{amount, day, language, money};
use super::render::{Me, Page, PageId};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/receivables", get(receivables))
        .route("/accounts/{id}/statement", get(statement))
}

/// An amount in a table cell: `—` for nothing.
fn cell(page: &Page, v: Decimal) -> String {
    if v.is_zero() {
        "—".to_owned()
    } else {
        amount(page.locale, v)
    }
}

#[derive(Deserialize, Default)]
pub struct AgeingQuery {
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    rep: String,
    #[serde(default)]
    territory: String,
}

const GROUPS: [&str; 4] = ["customer", "rep", "territory", "currency"];

/// Receivables as of a day (default today), by customer, rep or currency, spread over
/// the ageing buckets; a customer's row opens its statement.
async fn receivables(State(s): State<AppState>, me: Me, Query(q): Query<AgeingQuery>) -> Response {
    let page = &me.page;
    let as_of = typed_day(&q.as_of).unwrap_or_else(|| s.app.today());
    let group = match q.group.as_str() {
        "rep" => AgeingGroup::Rep,
        "territory" => AgeingGroup::Territory,
        "currency" => AgeingGroup::Currency,
        _ => AgeingGroup::Customer,
    };
    let filter = AgeingFilter {
        currency: q.currency.parse::<Currency>().ok(),
        rep: q.rep.parse().ok(),
        territory: q.territory.parse().ok(),
    };
    let currency = filter.currency;
    let a = match accounts::ageing(&s.app, me.actor(), Some(as_of), group, filter).await {
        Ok(a) => a,
        Err(e) => return page.error(e),
    };
    let row = |r: &AgeingRow, total: bool| {
        let cur = r.currency.as_str();
        let name = if total {
            page.t("receivables-total")
        } else if r.name.is_empty() && group == AgeingGroup::Territory {
            page.t("receivables-no-territory")
        } else if r.name.is_empty() {
            page.t("receivables-no-rep")
        } else {
            r.name.clone()
        };
        json!({
            "name": name,
            "href": match (group, r.id, total) {
                (AgeingGroup::Customer, Some(id), false) => Some(format!(
                    "/accounts/{id}/statement?currency={cur}&as_of={as_of}"
                )),
                // A rep's or a territory's row opens its customers.
                (AgeingGroup::Rep, Some(id), false) => Some(format!(
                    "/receivables?rep={id}&currency={cur}&as_of={as_of}"
                )),
                (AgeingGroup::Territory, Some(id), false) => Some(format!(
                    "/receivables?territory={id}&currency={cur}&as_of={as_of}"
                )),
                _ => None,
            },
            "currency": cur,
            "cells": r.aged.buckets.iter().map(|b| cell(page, *b)).collect::<Vec<_>>(),
            "unapplied": cell(page, r.aged.unapplied),
            "total": money(page.locale, r.aged.total, cur),
            "overdue": r.aged.overdue() > Decimal::ZERO,
            "open_invoices": r.open_invoices,
        })
    };
    let has_unapplied = a.rows.iter().any(|r| !r.aged.unapplied.is_zero());
    page.render(
        StatusCode::OK,
        "billing/receivables.html",
        json!({
            "nav": "receivables",
            "tab": "receivables",
            "as_of": as_of.to_string(),
            "as_of_shown": day(page.locale, as_of),
            "group": word(&group),
            "groups": GROUPS,
            "currency": currency.map(|c| c.as_str().to_owned()),
            "rep": filter.rep.map(|i| i.to_string()),
            "territory": filter.territory.map(|i| i.to_string()),
            "buckets": a.buckets.iter().map(|b| bucket_label(page, b)).collect::<Vec<_>>(),
            "rows": a.rows.iter().map(|r| row(r, false)).collect::<Vec<_>>(),
            "totals": a.totals.iter().map(|r| row(r, true)).collect::<Vec<_>>(),
            "has_unapplied": has_unapplied,
        }),
    )
}

#[derive(Deserialize, Default, Clone)]
pub struct StatementQuery {
    #[serde(default)]
    pub(crate) as_of: String,
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) currency: String,
    /// Set after the statement was emailed, or a promise recorded: the page says so.
    #[serde(default)]
    pub(crate) done: String,
}

impl StatementQuery {
    /// Which statement: the currency, first day and day it is as of (default today).
    pub(crate) fn request(&self, s: &AppState, page: &Page) -> StatementRequest {
        StatementRequest {
            currency: self.currency.parse::<Currency>().ok(),
            from: typed_day(&self.from),
            as_of: Some(typed_day(&self.as_of).unwrap_or_else(|| s.app.today())),
            language: Some(language(page.locale)),
        }
    }
}

/// What a movement's number opens: the invoice or note, or the payment.
fn movement_href(kind: MovementKind, id: cartera_core::Id) -> String {
    match kind {
        MovementKind::Payment | MovementKind::PaymentReversal => format!("/payments/{id}"),
        _ => format!("/invoices/{id}"),
    }
}

/// A customer's statement in one currency: the balance before `from`, each movement
/// with the balance after it, the closing balance; what is open on `as_of` with its
/// days overdue, and its ageing.
async fn statement(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<StatementQuery>,
) -> Response {
    let extra = match q.done.as_str() {
        "sent" => json!({"notice": me.page.t("statement-sent-notice")}),
        "promised" => json!({"notice": me.page.t("promise-saved-notice")}),
        "monthly-on" => json!({"notice": me.page.t("statement-monthly-on-notice")}),
        "monthly-off" => json!({"notice": me.page.t("statement-monthly-off-notice")}),
        _ => json!({}),
    };
    statement_page(&s, &me, id, &q, StatusCode::OK, extra).await
}

/// The statement's page; `extra` adds to its context (a notice, the email or promise
/// form as typed, and why it was refused).
pub(crate) async fn statement_page(
    s: &AppState,
    me: &Me,
    id: cartera_core::Id,
    q: &StatementQuery,
    status: StatusCode,
    extra: Value,
) -> Response {
    let page = &me.page;
    let req = q.request(s, page);
    let as_of = req.as_of.unwrap_or_else(|| s.app.today());
    let from = req.from;
    let currency = req.currency;
    let st = match accounts::statement(&s.app, me.actor(), id, currency, from, Some(as_of)).await {
        Ok(st) => st,
        Err(e) => return page.error(e),
    };
    let c = st.currency.as_str();
    let m = |v: Decimal| money(page.locale, v, c);
    let lines: Vec<Value> = st
        .statement
        .lines
        .iter()
        .map(|l| {
            json!({
                "date": day(page.locale, l.date),
                "kind": word(&l.kind),
                "number": l.number,
                "href": movement_href(l.kind, l.id),
                "debit": (!l.debit.is_zero()).then(|| amount(page.locale, l.debit)),
                "credit": (!l.credit.is_zero()).then(|| amount(page.locale, l.credit)),
                "balance": m(l.balance),
            })
        })
        .collect();
    let open: Vec<Value> = st
        .open_items
        .iter()
        .map(|i| {
            json!({
                "number": i.number,
                "kind": word(&i.kind),
                "href": movement_href(i.kind, i.id),
                "issue_date": day(page.locale, i.issue_date),
                "due_date": day(page.locale, i.due_date),
                "amount": m(i.amount),
                "open": m(i.open),
                "days_overdue": i.days_overdue,
            })
        })
        .collect();
    let ageing: Vec<Value> = st
        .buckets
        .iter()
        .zip(st.aged.buckets.iter())
        .map(|(b, v)| json!({"label": bucket_label(page, b), "amount": m(*v), "overdue": b != "current" && !v.is_zero()}))
        .collect();
    let link = |cur: &str| {
        let mut url = format!("/accounts/{id}/statement?currency={cur}&as_of={as_of}");
        if let Some(f) = from {
            url.push_str(&format!("&from={f}"));
        }
        url
    };
    let closing = st.statement.closing_balance;
    let mut query = format!("currency={c}&as_of={as_of}");
    if let Some(f) = from {
        query.push_str(&format!("&from={f}"));
    }
    let promise = dunning::promises(&s.app, me.actor(), id)
        .await
        .ok()
        .and_then(|list| list.into_iter().find(|p| p.in_force))
        .map(|p| {
            json!({
                "promised_on": day(page.locale, p.promised_on),
                "amount": p.amount.map(|m| money(page.locale, m.amount, m.currency.as_str())),
                "note": p.note,
            })
        });
    // The monthly statements: whether this customer gets them, and the last one sent.
    let monthly = statements::schedule(&s.app, me.actor(), id)
        .await
        .ok()
        .map(|sc| {
            let last = sc.sent.first().map(|l| {
                json!({
                    "month": l.month,
                    "to": l.email_to,
                    "sent": l.sent_at.is_some(),
                    "when": l.sent_at.map(|t| day(page.locale, t.date_naive())),
                })
            });
            json!({"on": sc.monthly, "company": sc.company_monthly, "day": sc.day, "last": last})
        });
    let mut ctx = json!({
            "monthly": monthly,
            "nav": "receivables",
            "account": {"id": st.account_id, "name": st.account_name},
            "currency": c,
            "currencies": if st.currencies.len() > 1 {
                st.currencies.iter().map(|cur| json!({
                    "code": cur.as_str(), "href": link(cur.as_str()), "current": *cur == st.currency,
                })).collect::<Vec<_>>()
            } else {
                Vec::new()
            },
            "as_of": as_of.to_string(),
            "as_of_shown": day(page.locale, as_of),
            "from": from.map(|f| f.to_string()),
            "from_shown": from.map(|f| day(page.locale, f)),
            "opening": m(st.statement.opening_balance),
            "closing": m(closing),
            "in_favour": closing < Decimal::ZERO,
            "lines": lines,
            "open_items": open,
            "ageing": ageing,
            "unapplied": (!st.aged.unapplied.is_zero()).then(|| m(st.aged.unapplied)),
            "aged_total": m(st.aged.total),
            "can_pay": may(me, Action::Create),
            "can_send": may(me, Action::Edit),
            "query": query,
            "promise": promise,
            "send": {"to": contact_email(s, me, id, None).await},
            "promise_form": {"promised_on": "", "amount": "", "note": ""},
    });
    merge(&mut ctx, extra);
    page.render(status, "billing/statement.html", ctx)
}
