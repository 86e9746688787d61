//! The cheque wallet's page (`/cheques`): what to take to the bank today, the cheques on
//! hand by payment date (the maturity calendar, a week at a time), those bounced in the
//! last twelve months, and all; each with the moves its state allows (deposit, credit,
//! endorse to a supplier, return, bounce with its reason and the bank's fee), and after a
//! move what happened, in words. It calls `cartera_app::billing::cheques` like the API;
//! the cheque of one payment, for its page, is here too.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::AppError;
use cartera_app::billing::cheques::{self, ChequeMove, ChequeQuery};
use cartera_app::billing::invoices::{self, Filter};
use cartera_app::billing::payments;
use cartera_core::Id;
use cartera_core::billing::cheques::{Cheque, ChequeState};
use cartera_core::billing::invoices::InvoiceKind;
use cartera_core::billing::payments::Payment;
use cartera_core::money::Money;
use cartera_core::roles::Action;

use super::billing_common::{may, monies, typed_day};
use super::figures::{account_names, day, money};
use super::forms::{Fields, explain, typed_amount};
use super::render::{Me, Page, PageId};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cheques", get(wallet))
        .route("/cheques/{id}/move", post(move_cheque))
}

/// How many cheques one page lists.
const PAGE_ROWS: i64 = 100;

/// The wallet's tabs, in order.
const SHOWS: [&str; 4] = ["to_deposit", "on_hand", "bounced", "all"];

/// Days back the "bounced" tab looks.
const BOUNCED_DAYS: i64 = 365;

/// The moves a page offers, in the order of its buttons.
const MOVES: [ChequeState; 5] = [
    ChequeState::Deposited,
    ChequeState::Credited,
    ChequeState::Endorsed,
    ChequeState::Returned,
    ChequeState::Bounced,
];

#[derive(Deserialize, Default)]
pub struct WalletQuery {
    #[serde(default)]
    show: String,
    /// `?to_deposit` (My day's link): the "to deposit today" tab.
    to_deposit: Option<String>,
    #[serde(default)]
    account: String,
    #[serde(default)]
    offset: i64,
    /// The cheque just moved: the page says what happened to it.
    done: Option<String>,
}

impl WalletQuery {
    fn show(&self) -> &str {
        if self.to_deposit.is_some() {
            return "to_deposit";
        }
        if SHOWS.contains(&self.show.as_str()) {
            self.show.as_str()
        } else {
            "on_hand"
        }
    }
}

/// A CUIT as people write it: `30-71234567-1`.
pub(crate) fn cuit(digits: &str) -> String {
    if digits.len() == 11 && digits.is_ascii() {
        format!("{}-{}-{}", &digits[..2], &digits[2..10], &digits[10..])
    } else {
        digits.to_owned()
    }
}

/// A cheque as the wallet and the payment page show it.
pub(crate) fn cheque_row(page: &Page, q: &Cheque, today: NaiveDate) -> Value {
    let state = q.state.as_str();
    json!({
        "id": q.id,
        "version": q.version,
        "account_id": q.account_id,
        "payment_id": q.payment_id,
        "bank": q.bank,
        "number": q.number,
        "drawer": q.drawer,
        "drawer_tax_id": cuit(&q.drawer_tax_id),
        "issue_date": day(page.locale, q.issue_date),
        "payment_date": day(page.locale, q.payment_date),
        "amount": money(page.locale, q.amount, q.currency.as_str()),
        "state": state,
        "state_on": day(page.locale, q.state_on),
        "bounce_reason": q.bounce_reason,
        "endorsed_to": q.endorsed_to,
        "payable": q.to_deposit_on(today),
        "deposit_by": day(page.locale, q.deposit_by()),
        "late": q.state == ChequeState::OnHand && q.deposit_by() < today,
        "moves": MOVES
            .iter()
            .filter(|m| q.state.may_move_to(**m).is_ok())
            .map(|m| m.as_str())
            .collect::<Vec<_>>(),
    })
}

/// The cheque that paid a payment, for its page (`None`: not paid by cheque, or unseen).
pub(crate) async fn of_payment(s: &AppState, me: &Me, payment: &Payment) -> Option<Value> {
    let q = ChequeQuery {
        account: Some(payment.account_id),
        ..ChequeQuery::default()
    };
    let found = cheques::list(&s.app, me.actor(), q, 500, 0).await.ok()?;
    let c = found.iter().find(|c| c.payment_id == payment.id)?;
    Some(cheque_row(&me.page, c, s.app.today()))
}

/// My day's "Cobranzas" card, for whoever reads billing: the cheques to take to the bank
/// today (how many, what they add up to) and how many collections calls wait on the
/// person's agenda (the calls themselves are listed with the rest of the agenda).
pub async fn collections_card(s: &AppState, me: &Me, today: NaiveDate) -> Option<Value> {
    if !may(me, Action::Read) {
        return None;
    }
    let page = &me.page;
    let q = ChequeQuery {
        to_deposit: true,
        ..ChequeQuery::default()
    };
    let list = cheques::list(&s.app, me.actor(), q, 500, 0).await.ok()?;
    let mut sums = Vec::new();
    for c in &list {
        add(&mut sums, c);
    }
    let params: Vec<(String, String)> = vec![
        ("filter[owner_id]".into(), me.viewer.user.id.to_string()),
        ("filter[status]".into(), "planned".into()),
        ("filter[tags]".into(), "collections".into()),
        ("filter[due_date][lte]".into(), today.to_string()),
        ("limit".into(), "100".into()),
    ];
    let calls = cartera_app::records::list::<cartera_core::activities::ActivityData>(
        &s.app,
        me.actor(),
        &params,
    )
    .await
    .map(|l| l.rows.len())
    .unwrap_or(0);
    Some(json!({
        "cheques": list.len(),
        "cheques_total": monies(page, &sums),
        "calls": calls,
    }))
}

/// Cheques under one heading: the ones payable already, or one week of the calendar.
fn group(page: &Page, label: Option<String>, rows: Vec<Value>, sums: &[Money]) -> Value {
    json!({"label": label, "rows": rows, "total": monies(page, sums)})
}

fn add(sums: &mut Vec<Money>, q: &Cheque) {
    match sums.iter_mut().find(|m| m.currency == q.currency) {
        Some(m) => m.amount += q.amount,
        None => sums.push(Money {
            amount: q.amount,
            currency: q.currency,
        }),
    }
}

/// The on-hand cheques as a calendar: those payable by today first, then week by week
/// (Monday to Sunday) of their payment date, each with its total.
fn calendar(page: &Page, list: &[Cheque], rows: Vec<Value>, today: NaiveDate) -> Vec<Value> {
    let mut out = Vec::new();
    let mut current: Option<(Option<NaiveDate>, Vec<Value>, Vec<Money>)> = None;
    for (q, row) in list.iter().zip(rows) {
        let key = (q.payment_date > today).then(|| {
            q.payment_date
                - Duration::days(i64::from(q.payment_date.weekday().num_days_from_monday()))
        });
        if current.as_ref().is_none_or(|c| c.0 != key) {
            if let Some((k, r, sums)) = current.take() {
                out.push(group(page, Some(week_label(page, k)), r, &sums));
            }
            current = Some((key, Vec::new(), Vec::new()));
        }
        if let Some(c) = current.as_mut() {
            c.1.push(row);
            add(&mut c.2, q);
        }
    }
    if let Some((k, r, sums)) = current {
        out.push(group(page, Some(week_label(page, k)), r, &sums));
    }
    out
}

fn week_label(page: &Page, monday: Option<NaiveDate>) -> String {
    match monday {
        None => page.t("cheques-payable-now"),
        Some(d) => page.t_args(
            "cheques-week-of",
            &[("date", super::i18n::ArgValue::Text(day(page.locale, d)))],
        ),
    }
}

/// What a refused move brings back: which cheque and move, what was typed, and why.
#[derive(Default)]
struct Refused {
    cheque: Option<Id>,
    state: String,
    typed: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Option<String>,
}

async fn wallet(State(s): State<AppState>, me: Me, Query(q): Query<WalletQuery>) -> Response {
    wallet_page(&s, &me, &q, StatusCode::OK, Refused::default()).await
}

async fn wallet_page(
    s: &AppState,
    me: &Me,
    q: &WalletQuery,
    status: StatusCode,
    refused: Refused,
) -> Response {
    let page = &me.page;
    let show = q.show();
    let account = q.account.trim().parse::<Id>().ok();
    let mut query = ChequeQuery {
        account,
        ..ChequeQuery::default()
    };
    match show {
        "to_deposit" => query.to_deposit = true,
        "on_hand" => query.state = Some(ChequeState::OnHand),
        "bounced" => query.bounced_within_days = Some(BOUNCED_DAYS),
        _ => {}
    }
    let offset = q.offset.max(0);
    let list = match cheques::list(&s.app, me.actor(), query, PAGE_ROWS, offset).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let today = s.app.today();
    let mut ids: Vec<Id> = list.iter().map(|c| c.account_id).collect();
    ids.extend(list.iter().filter_map(|c| c.endorsed_to));
    ids.extend(account);
    let names = account_names(s, me, &ids).await;
    let rows: Vec<Value> = list
        .iter()
        .map(|c| {
            let mut r = cheque_row(page, c, today);
            r["account"] = json!(names.get(&c.account_id));
            r["endorsed_name"] = json!(c.endorsed_to.and_then(|e| names.get(&e)));
            if refused.cheque == Some(c.id) {
                r["refused"] = json!({
                    "state": refused.state,
                    "typed": refused.typed,
                    "errors": refused.errors,
                });
            }
            r
        })
        .collect();
    let mut sums = Vec::new();
    for c in &list {
        add(&mut sums, c);
    }
    let groups = if show == "on_hand" {
        calendar(page, &list, rows, today)
    } else {
        vec![group(page, None, rows, &sums)]
    };
    let done = match q.done.as_deref().and_then(|d| d.parse::<Id>().ok()) {
        Some(id) => done_ctx(s, me, id).await,
        None => None,
    };
    let base = match account {
        Some(a) => format!("/cheques?account={a}&"),
        None => "/cheques?".to_owned(),
    };
    page.render(
        status,
        "billing/cheques.html",
        json!({
            "nav": "receivables",
            "tab": "cheques",
            "show": show,
            "shows": SHOWS,
            "base": base,
            "account": account.map(|a| json!({"id": a, "name": names.get(&a)})),
            "groups": groups,
            "count": list.len(),
            "total": monies(page, &sums),
            "more": (list.len() as i64 == PAGE_ROWS)
                .then(|| format!("{base}show={show}&offset={}", offset + PAGE_ROWS)),
            "can_move": may(me, Action::Edit),
            "done": done,
            "general_error": refused.general,
        }),
    )
}

/// What happened to a cheque just moved, to say at the top of the wallet: for a bounce,
/// the payment taken back, the invoices that reopened and the debit note of the fee.
async fn done_ctx(s: &AppState, me: &Me, id: Id) -> Option<Value> {
    let page = &me.page;
    let actor = me.actor();
    let c = cheques::get(&s.app, actor, id).await.ok()?;
    let mut ctx = json!({
        "state": c.state.as_str(),
        "bank": c.bank,
        "number": c.number,
        "amount": money(page.locale, c.amount, c.currency.as_str()),
    });
    if let Some(to) = c.endorsed_to {
        ctx["endorsed_to"] = json!(account_names(s, me, &[to]).await.remove(&to));
    }
    if c.state != ChequeState::Bounced {
        return Some(ctx);
    }
    let reason = c.bounce_reason.clone().unwrap_or_default();
    if let Ok(p) = payments::get(&s.app, actor, c.payment_id).await {
        let reopened: Vec<Value> = p
            .allocations
            .iter()
            .filter(|a| {
                a.reversed_on.is_some()
                    && a.reversed_on == p.reversed_on
                    && a.reversal_reason.as_deref() == Some(reason.as_str())
            })
            .map(|a| json!({"id": a.invoice_id, "number": a.invoice_number}))
            .collect();
        ctx["payment"] =
            json!({"id": p.id, "number": p.number, "reversed": p.reversed_on.is_some()});
        ctx["reopened"] = json!(reopened);
    }
    // The fee's debit note says which cheque it charges for.
    let filter = Filter {
        account: Some(c.account_id),
        kind: Some(InvoiceKind::DebitNote),
        ..Filter::default()
    };
    let charged = format!("Cheque {} {}: {reason}", c.bank, c.number);
    if let Ok(notes) = invoices::page(&s.app, actor, filter, None, 100).await
        && let Some(n) = notes
            .data
            .iter()
            .find(|n| n.reason.as_deref() == Some(charged.as_str()))
    {
        ctx["debit_note"] = json!({
            "id": n.id,
            "number": n.number,
            "total": money(page.locale, n.totals.total, n.currency.as_str()),
        });
    }
    Some(ctx)
}

/// Moves a cheque from the wallet: deposit, credit, return at once; endorse with the
/// supplier; bounce with its reason and the bank's fee (typed the page's way). Anything
/// refused comes back with what was typed, the reason beside its field.
async fn move_cheque(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let page = &me.page;
    let f = Fields::parse(&body);
    let back = WalletQuery {
        show: f.get("show"),
        account: f.get("account"),
        ..WalletQuery::default()
    };
    let mut refused = Refused {
        cheque: Some(id),
        state: f.get("state"),
        ..Refused::default()
    };
    for k in ["reason", "bank_fee", "supplier_id", "supplier_label", "on"] {
        refused.typed.insert(k.to_owned(), f.get(k));
    }
    let Some(state) = ChequeState::parse(&refused.state) else {
        return page.error_page(StatusCode::BAD_REQUEST, "bad-request");
    };
    let version = f.get("version").parse::<i64>().ok();
    let reason = f.get("reason");
    if state == ChequeState::Bounced && reason.is_empty() {
        refused
            .errors
            .insert("reason".into(), page.t("violation-required-cheque-reason"));
    }
    let raw_fee = f.get("bank_fee");
    let bank_fee = if raw_fee.is_empty() {
        None
    } else {
        let fee = typed_amount(page, &raw_fee);
        if fee.is_none() {
            refused.errors.insert(
                "bank_fee".into(),
                page.t("violation-out_of_range-cheque-bank_fee"),
            );
        }
        fee
    };
    let supplier_id = f.opt_id("supplier_id");
    if state == ChequeState::Endorsed && supplier_id.is_none() {
        refused.errors.insert(
            "supplier_id".into(),
            page.t("violation-required-cheque-supplier_id"),
        );
    }
    let raw_on = f.get("on");
    let on = typed_day(&raw_on);
    if !raw_on.is_empty() && on.is_none() {
        refused
            .errors
            .insert("on".into(), page.t("violation-invalid-date"));
    }
    if !refused.errors.is_empty() {
        return wallet_page(&s, &me, &back, StatusCode::UNPROCESSABLE_ENTITY, refused).await;
    }
    let input = ChequeMove {
        state,
        reason: (!reason.is_empty()).then_some(reason),
        supplier_id: (state == ChequeState::Endorsed)
            .then_some(supplier_id)
            .flatten(),
        bank_fee: (state == ChequeState::Bounced)
            .then_some(bank_fee)
            .flatten(),
        on,
    };
    match cheques::move_to(&s.app, me.actor(), id, version, input).await {
        Ok(_) => {
            let mut to = format!("/cheques?show={}&done={id}", back.show());
            if let Ok(a) = back.account.parse::<Id>() {
                to.push_str(&format!("&account={a}"));
            }
            Redirect::to(&to).into_response()
        }
        Err(AppError::Invalid(v)) => {
            for x in v.0 {
                let field = x.field.as_str();
                if matches!(field, "reason" | "bank_fee" | "supplier_id" | "on") {
                    refused
                        .errors
                        .entry(field.to_owned())
                        .or_insert_with(|| explain(page, &format!("cheque-{field}"), x.code));
                } else {
                    refused
                        .general
                        .get_or_insert_with(|| explain(page, "cheque-state", x.code));
                }
            }
            wallet_page(&s, &me, &back, StatusCode::UNPROCESSABLE_ENTITY, refused).await
        }
        Err(AppError::Stale { .. }) => {
            let refused = Refused {
                general: Some(page.t("cheque-error-stale")),
                ..Refused::default()
            };
            wallet_page(&s, &me, &back, StatusCode::CONFLICT, refused).await
        }
        Err(e) => page.error(e),
    }
}
