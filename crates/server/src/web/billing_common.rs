//! What the billing pages share, and what the sales pages show of billing: the words of
//! kinds and states, the reader's day, invoice and payment rows, the risk light in words
//! (the account card's and the banner atop deals, quotes and orders) and the order's and
//! quote's invoice or "Facturar". A leaf of the billing pages: it names none of them, so
//! that the sales pages can use it without importing billing's routes.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use cartera_app::billing::invoices;
use cartera_app::billing::risk::{self as accounts, Risk, RiskLevel};
use cartera_app::records;
use cartera_core::Id;
use cartera_core::billing::invoices::Invoice;
use cartera_core::billing::payments::Payment;
use cartera_core::contacts::ContactData;
use cartera_core::money::Money;
use cartera_core::orders::{Order, OrderStatus};
use cartera_core::quotes::{Quote, QuoteStatus};
use cartera_core::roles::{Action, Module};

use super::figures::{day, money, number};
use super::i18n::ArgValue;
use super::render::{Me, Page};
use crate::state::AppState;

/// Whether the reader's role allows `action` on billing.
pub(crate) fn may(me: &Me, action: Action) -> bool {
    me.actor().may(Module::Billing, action)
}

/// An enum's value as its JSON spells it (`credit_note`), to build catalogue keys.
pub(crate) fn word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An ageing bucket's name in words: "A vencer", "1-30 días", "91+ días".
pub(crate) fn bucket_label(page: &Page, label: &str) -> String {
    if label == "current" {
        page.t("ageing-current")
    } else {
        page.t_args(
            "ageing-days",
            &[("range", ArgValue::Text(label.to_owned()))],
        )
    }
}

/// A date typed in a date input (`2026-12-06`); `None` when empty or not a date.
pub(crate) fn typed_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// Amounts per currency in the reader's format; `—` for none.
pub(crate) fn monies(page: &Page, list: &[Money]) -> Vec<String> {
    if list.is_empty() {
        return vec!["—".to_owned()];
    }
    list.iter()
        .map(|m| money(page.locale, m.amount, m.currency.as_str()))
        .collect()
}

/// An invoice or note as lists show it.
pub(crate) fn invoice_row(page: &Page, i: &Invoice, today: NaiveDate) -> Value {
    let c = i.currency.as_str();
    json!({
        "id": i.id,
        "number": i.number,
        "kind": word(&i.kind),
        "status": word(&i.payment_status),
        "overdue": i.overdue_on(today),
        "account_id": i.account_id,
        "issue_date": day(page.locale, i.issue_date),
        "due_date": day(page.locale, i.due_date),
        "total": money(page.locale, i.totals.total, c),
        "open": money(page.locale, i.open, c),
        "charges": i.kind.charges(),
    })
}

/// A payment as lists show it.
pub(crate) fn payment_row(page: &Page, p: &Payment) -> Value {
    let c = p.currency.as_str();
    json!({
        "id": p.id,
        "number": p.number,
        "account_id": p.account_id,
        "amount": money(page.locale, p.amount, c),
        "unapplied": money(page.locale, p.unapplied, c),
        "has_unapplied": p.unapplied > rust_decimal::Decimal::ZERO,
        "received_on": day(page.locale, p.received_on),
        "method": word(&p.method),
        "reversed": p.reversed_on.is_some(),
    })
}

/// The risk light in words: its level, why, what is owed and what is overdue.
pub(crate) fn risk_ctx(page: &Page, r: &Risk, account: Id) -> Value {
    let mut why = Vec::new();
    if r.oldest_days_overdue > 0 {
        why.push(page.t_args(
            "risk-why-oldest",
            &[("days", ArgValue::Number(r.oldest_days_overdue as f64))],
        ));
    }
    if r.bounced_cheques_12m > 0 {
        why.push(page.t_args(
            "risk-why-bounced",
            &[("n", ArgValue::Number(r.bounced_cheques_12m as f64))],
        ));
    }
    let credit = r.credit_limit.map(|limit| {
        let used = r.credit_used_percent.unwrap_or_default();
        json!({
            "used": number(page.locale, used),
            "limit": money(page.locale, limit.amount, limit.currency.as_str()),
            "over": r.over_limit(),
        })
    });
    if let Some(c) = credit.as_ref().filter(|c| c["over"] == true) {
        why.push(page.t_args(
            "risk-why-credit",
            &[(
                "used",
                ArgValue::Text(c["used"].as_str().unwrap_or_default().to_owned()),
            )],
        ));
    }
    json!({
        "level": word(&r.level),
        "credit": credit,
        "needs_approval": r.blocks(),
        "approved_until": r.approved_until.map(|d| day(page.locale, d)),
        "cheques_on_hand": r.cheques_on_hand,
        "cheques_on_hand_amount": monies(page, &r.cheques_on_hand_amount),
        "balance": monies(page, &r.balance),
        "overdue": monies(page, &r.overdue),
        "has_overdue": !r.overdue.is_empty(),
        "why": why,
        "account_id": account,
    })
}

/// The banner atop a deal, quote or order when the customer's light is amber or red
/// (`None` when green, or when the reader does not read billing).
pub async fn risk_banner(s: &AppState, me: &Me, account: Id) -> Option<Value> {
    let r = accounts::light(&s.app, me.actor(), account)
        .await
        .ok()
        .flatten()?;
    (r.level != RiskLevel::Green).then(|| {
        let mut ctx = risk_ctx(&me.page, &r, account);
        ctx["can_approve"] = json!(may(me, Action::Admin));
        ctx["days"] = json!(accounts::APPROVAL_DAYS);
        ctx
    })
}

/// Why a quote was not sent (`what`: `send`) or an order not made (`order`) when the
/// customer's risk waits for a manager, in the reader's words with the level and the
/// figures; `None` when that is not why (or the reader does not read billing).
pub async fn risk_refusal(s: &AppState, me: &Me, account: Id, what: &str) -> Option<String> {
    let r = accounts::light(&s.app, me.actor(), account)
        .await
        .ok()
        .flatten()?;
    if !r.blocks() {
        return None;
    }
    let page = &me.page;
    let ctx = risk_ctx(page, &r, account);
    let mut why: Vec<String> = ctx["why"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if !r.overdue.is_empty() {
        why.push(format!(
            "{}: {}",
            page.t("risk-overdue").to_lowercase(),
            monies(page, &r.overdue).join(" · ")
        ));
    }
    Some(page.t_args(
        &format!("risk-blocked-{what}"),
        &[
            (
                "level",
                ArgValue::Text(page.t(&format!("risk-{}", word(&r.level)))),
            ),
            ("why", ArgValue::Text(why.join(" · "))),
        ],
    ))
}

/// What the order page shows of billing: its invoice, or "Facturar" to whoever may
/// issue one; the customer's risk light.
pub async fn order_ctx(s: &AppState, me: &Me, o: &Order) -> Value {
    let invoice = invoices::of_order(&s.app, me.actor(), o.id)
        .await
        .ok()
        .flatten();
    json!({
        "can_invoice": invoice.is_none() && o.status != OrderStatus::Invoiced && may(me, Action::Create),
        "invoice": invoice.map(|i| json!({"id": i.id, "number": i.number})),
        "risk": risk_banner(s, me, o.account_id).await,
    })
}

/// What the quote page shows of billing: the invoice that bills it, or "Facturar" on
/// an accepted quote without an order; the customer's risk light.
pub async fn quote_ctx(s: &AppState, me: &Me, q: &Quote, has_order: bool) -> Value {
    let invoice = invoices::of_quote(&s.app, me.actor(), q.id)
        .await
        .ok()
        .flatten();
    json!({
        "can_invoice": invoice.is_none() && !has_order && q.status == QuoteStatus::Accepted
            && may(me, Action::Create),
        "invoice": invoice.map(|i| json!({"id": i.id, "number": i.number})),
        "risk": risk_banner(s, me, q.account_id).await,
    })
}

/// Where to email a customer's document unless the person says otherwise: the
/// document's contact's first address, else the account's first contact with one (what
/// `cartera_app::billing::print` falls back to when no address is given).
pub async fn contact_email(
    s: &AppState,
    me: &Me,
    account: Id,
    contact: Option<Id>,
) -> Option<String> {
    let actor = me.actor();
    if let Some(c) = contact
        && let Ok(r) = records::get::<ContactData>(&s.app, actor, c).await
        && let Some(e) = r.data.emails.first()
    {
        return Some(e.address.clone());
    }
    let params = [
        ("filter[account_id][eq]".to_owned(), account.to_string()),
        ("limit".to_owned(), "50".to_owned()),
    ];
    records::list::<ContactData>(&s.app, actor, &params)
        .await
        .ok()?
        .rows
        .into_iter()
        .find_map(|c| c.data.emails.first().map(|e| e.address.clone()))
}

/// Adds `extra` to a page's context: its objects into the page's own (a form's typed
/// values over its defaults), anything else in place.
pub(crate) fn merge(ctx: &mut Value, extra: Value) {
    if let (Value::Object(m), Value::Object(more)) = (ctx, extra) {
        for (k, v) in more {
            match (m.get_mut(&k), v) {
                (Some(Value::Object(old)), Value::Object(new)) => old.extend(new),
                (_, v) => {
                    m.insert(k, v);
                }
            }
        }
    }
}
