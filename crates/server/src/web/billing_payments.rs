//! Payment pages: the form that records a payment and applies it to the customer's open
//! invoices (amounts typed the page's way), and the list; with the allocation boxes the
//! payment's own page (`billing_receipt.rs`) uses too. They call
//! `cartera_app::billing::payments` like the API.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::AppError;
use cartera_app::billing::invoices::{self, Filter};
use cartera_app::billing::payments::{self, AllocationInput, NewPayment};
use cartera_core::billing::cheques::ChequeInput;
use cartera_core::billing::invoices::Invoice;
use cartera_core::billing::payments::PaymentMethod;
use cartera_core::money::Currency;
use cartera_core::roles::Action;
use cartera_core::{Check, Code, Id, Violations};

use super::billing_common::{may, payment_row, typed_day, word};
use super::figures::{account_names, amount, day, money};
use super::forms::{Fields, explain, typed_amount};
use super::i18n::ArgValue;
use super::render::{Me, Page};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payments", get(list).post(create))
        .route("/payments/new", get(new_form))
}

const PAGE_ROWS: i64 = 50;

/// The currencies a payment form offers besides the invoices' own.
const USUAL: [&str; 2] = ["ARS", "USD"];

/// The open charges of an account, oldest due first.
pub(crate) async fn open_charges(s: &AppState, me: &Me, account: Id) -> Vec<Invoice> {
    let filter = Filter {
        account: Some(account),
        open_only: true,
        ..Filter::default()
    };
    let mut list: Vec<Invoice> = invoices::page(&s.app, me.actor(), filter, None, 500)
        .await
        .map(|p| p.data)
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.kind.charges() && i.open > Decimal::ZERO)
        .collect();
    list.sort_by(|a, b| a.due_date.cmp(&b.due_date).then(a.number.cmp(&b.number)));
    list
}

/// One open invoice in an allocation table, with the amount typed for it.
pub(crate) fn open_row(
    page: &Page,
    i: &Invoice,
    today: chrono::NaiveDate,
    typed: Option<&String>,
    error: Option<&String>,
) -> Value {
    let c = i.currency.as_str();
    json!({
        "id": i.id,
        "number": i.number,
        "kind": word(&i.kind),
        "currency": c,
        "issue_date": day(page.locale, i.issue_date),
        "due_date": day(page.locale, i.due_date),
        "overdue": i.overdue_on(today),
        "days_overdue": (today - i.due_date).num_days().max(0),
        "total": money(page.locale, i.totals.total, c),
        "open": money(page.locale, i.open, c),
        "value": typed.cloned().unwrap_or_default(),
        "error": error,
    })
}

/// The amounts typed for invoices (`alloc_invoice` and `alloc_amount`, in pairs).
pub(crate) fn typed_allocations(f: &Fields) -> Vec<(String, String)> {
    f.all("alloc_invoice")
        .into_iter()
        .zip(f.all("alloc_amount"))
        .map(|(i, a)| (i.trim().to_owned(), a.trim().to_owned()))
        .collect()
}

/// Reads typed allocations: the non-empty, non-zero ones as inputs with the invoice of
/// each, and a message under each box that is not an amount.
pub(crate) fn read_allocations(
    page: &Page,
    typed: &[(String, String)],
    errors: &mut BTreeMap<String, String>,
) -> (Vec<AllocationInput>, Vec<Id>) {
    let mut inputs = Vec::new();
    let mut ids = Vec::new();
    for (invoice, raw) in typed {
        if raw.is_empty() {
            continue;
        }
        let Ok(id) = invoice.parse::<Id>() else {
            continue;
        };
        match typed_amount(page, raw) {
            Some(a) if a.is_zero() => {}
            Some(a) => {
                inputs.push(AllocationInput {
                    invoice_id: id,
                    amount: a,
                });
                ids.push(id);
            }
            None => {
                errors.insert(
                    format!("alloc-{id}"),
                    page.t("violation-invalid-payment-amount"),
                );
            }
        }
    }
    (inputs, ids)
}

/// Places the violations of a payment's allocations under their invoice's box: an
/// amount above what is open says how much is.
pub(crate) async fn place_allocations(
    s: &AppState,
    me: &Me,
    v: &Violations,
    inputs: &[AllocationInput],
    errors: &mut BTreeMap<String, String>,
) -> Vec<cartera_core::Violation> {
    let page = &me.page;
    let mut rest = Vec::new();
    for x in &v.0 {
        if x.field == "allocations" {
            errors
                .entry("allocations".into())
                .or_insert_with(|| page.t("violation-out_of_range-payment-allocations"));
            continue;
        }
        let Some((n, field)) = x
            .field
            .strip_prefix("allocations[")
            .and_then(|r| r.split_once("]."))
        else {
            rest.push(x.clone());
            continue;
        };
        let Some(input) = n.parse::<usize>().ok().and_then(|n| inputs.get(n)) else {
            rest.push(x.clone());
            continue;
        };
        let key = format!("alloc-{}", input.invoice_id);
        if errors.contains_key(&key) {
            continue;
        }
        let text = if field == "amount" && x.code == Code::OutOfRange {
            match invoices::get(&s.app, me.actor(), input.invoice_id).await {
                Ok(i) if input.amount > i.open && input.amount.normalize().scale() <= 2 => page
                    .t_args(
                        "payment-error-above-open",
                        &[(
                            "open",
                            ArgValue::Text(money(page.locale, i.open, i.currency.as_str())),
                        )],
                    ),
                _ => explain(page, "payment-amount", x.code),
            }
        } else if field == "invoice_id" {
            explain(page, "payment-invoice", x.code)
        } else {
            explain(page, "payment-amount", x.code)
        };
        errors.insert(key, text);
    }
    rest
}

// ---------- The payment form ----------

/// The payment form as typed (or pre-filled).
#[derive(Default, Clone, serde::Serialize)]
struct PayForm {
    account_id: String,
    currency: String,
    amount: String,
    method: String,
    received_on: String,
    reference: String,
    notes: String,
    /// Invoice id -> the amount typed for it.
    allocs: HashMap<String, String>,
    /// The cheque's fields, as typed (used only when the method is a cheque).
    cheque: ChequeForm,
}

/// The cheque of a payment by cheque, as typed.
#[derive(Default, Clone, serde::Serialize)]
struct ChequeForm {
    bank: String,
    number: String,
    drawer: String,
    drawer_tax_id: String,
    issue_date: String,
    payment_date: String,
}

impl ChequeForm {
    fn parse(f: &Fields) -> ChequeForm {
        ChequeForm {
            bank: f.get("cheque_bank"),
            number: f.get("cheque_number"),
            drawer: f.get("cheque_drawer"),
            drawer_tax_id: f.get("cheque_drawer_tax_id"),
            issue_date: f.get("cheque_issue_date"),
            payment_date: f.get("cheque_payment_date"),
        }
    }

    fn is_empty(&self) -> bool {
        [
            &self.bank,
            &self.number,
            &self.drawer,
            &self.drawer_tax_id,
            &self.issue_date,
            &self.payment_date,
        ]
        .iter()
        .all(|v| v.is_empty())
    }

    /// The cheque to record, with a message under each field the page can already tell
    /// is wrong (the core's own checks, run here too so that every message shows at
    /// once even when a date is missing). `None` when it cannot be sent as it is.
    fn read(&self, page: &Page, errors: &mut BTreeMap<String, String>) -> Option<ChequeInput> {
        if self.is_empty() {
            errors.insert("cheque".into(), page.t("violation-required-payment-cheque"));
            return None;
        }
        let mut day_of = |field: &str, raw: &str| {
            let d = typed_day(raw);
            if d.is_none() {
                let key = if raw.is_empty() {
                    format!("violation-required-cheque-{field}")
                } else {
                    "violation-invalid-date".to_owned()
                };
                errors.insert(format!("cheque_{field}"), page.t(&key));
            }
            d
        };
        let issue = day_of("issue_date", &self.issue_date);
        let payment = day_of("payment_date", &self.payment_date);
        let placeholder = chrono::NaiveDate::MIN;
        let input = ChequeInput {
            bank: self.bank.clone(),
            number: self.number.clone(),
            drawer: self.drawer.clone(),
            drawer_tax_id: self.drawer_tax_id.clone(),
            issue_date: issue.unwrap_or(placeholder),
            payment_date: payment.or(issue).unwrap_or(placeholder),
        };
        let mut c = Check::new();
        input.check(&mut c);
        place_cheque(page, &c.into_violations(), errors);
        (issue.is_some() && payment.is_some()).then_some(input)
    }
}

/// Places the violations of a payment's cheque (`cheque`, `cheque.<field>`) under its
/// fields (`cheque_<field>`); answers the others.
fn place_cheque(
    page: &Page,
    list: &[cartera_core::Violation],
    errors: &mut BTreeMap<String, String>,
) -> Vec<cartera_core::Violation> {
    let mut rest = Vec::new();
    for x in list {
        if x.field == "cheque" {
            errors
                .entry("cheque".into())
                .or_insert_with(|| explain(page, "payment-cheque", x.code));
        } else if let Some(f) = x.field.strip_prefix("cheque.") {
            errors
                .entry(format!("cheque_{f}"))
                .or_insert_with(|| explain(page, &format!("cheque-{f}"), x.code));
        } else {
            rest.push(x.clone());
        }
    }
    rest
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    invoice_id: String,
    #[serde(default)]
    currency: String,
}

/// The form, pre-filled: the account, and the chosen invoice with its open amount (as
/// the payment's amount and its allocation).
async fn new_form(State(s): State<AppState>, me: Me, Query(q): Query<NewQuery>) -> Response {
    let page = &me.page;
    if let Err(e) = me
        .actor()
        .permit(cartera_core::roles::Module::Billing, Action::Create)
    {
        return page.error(e);
    }
    let mut form = PayForm {
        account_id: q.account_id.trim().to_owned(),
        currency: q.currency.trim().to_ascii_uppercase(),
        method: "transfer".into(),
        ..PayForm::default()
    };
    if let Ok(iid) = q.invoice_id.trim().parse::<Id>()
        && let Ok(i) = invoices::get(&s.app, me.actor(), iid).await
    {
        form.account_id = i.account_id.to_string();
        form.currency = i.currency.as_str().to_owned();
        if i.kind.charges() && i.open > Decimal::ZERO {
            let open = amount(page.locale, i.open);
            form.amount = open.clone();
            form.allocs.insert(i.id.to_string(), open);
        }
    }
    form_page(&s, &me, StatusCode::OK, form, BTreeMap::new(), None).await
}

async fn form_page(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    mut form: PayForm,
    errors: BTreeMap<String, String>,
    general: Option<String>,
) -> Response {
    let page = &me.page;
    let today = s.app.today();
    if form.received_on.is_empty() {
        form.received_on = today.to_string();
    }
    let account = form.account_id.parse::<Id>().ok();
    let (name, open) = match account {
        Some(a) => (
            account_names(s, me, &[a]).await.remove(&a),
            open_charges(s, me, a).await,
        ),
        None => (None, Vec::new()),
    };
    if form.currency.is_empty() {
        form.currency = open
            .first()
            .map(|i| i.currency.as_str().to_owned())
            .unwrap_or_else(|| "ARS".into());
    }
    let mut currencies: Vec<String> = open
        .iter()
        .map(|i| i.currency.as_str().to_owned())
        .chain(std::iter::once(form.currency.clone()))
        .chain(USUAL.iter().map(|c| (*c).to_owned()))
        .collect();
    currencies.sort();
    currencies.dedup();
    let rows: Vec<Value> = open
        .iter()
        .map(|i| {
            let key = i.id.to_string();
            open_row(
                page,
                i,
                today,
                form.allocs.get(&key),
                errors.get(&format!("alloc-{key}")),
            )
        })
        .collect();
    page.render(
        status,
        "billing/payment_form.html",
        json!({
            "nav": "receivables",
            "choose": account.is_none(),
            "account": name,
            "form": form,
            "open": rows,
            "currencies": currencies,
            "methods": PaymentMethod::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "errors": errors,
            "general_error": general,
        }),
    )
}

/// Records the payment and what it settles; anything refused comes back as typed, with
/// the reason next to its field.
async fn create(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    let page = &me.page;
    let f = Fields::parse(&body);
    let typed = typed_allocations(&f);
    let form = PayForm {
        account_id: f.get("account_id"),
        currency: f.get("currency").to_ascii_uppercase(),
        amount: f.get("amount"),
        method: f.get("method"),
        received_on: f.get("received_on"),
        reference: f.get("reference"),
        notes: f.get("notes"),
        allocs: typed.iter().cloned().collect(),
        cheque: ChequeForm::parse(&f),
    };
    let mut errors = BTreeMap::new();
    let account = form.account_id.parse::<Id>().ok();
    if account.is_none() {
        errors.insert(
            "account_id".to_owned(),
            page.t("violation-required-payment-account_id"),
        );
    }
    let amount = typed_amount(page, &form.amount).filter(|a| !a.is_zero());
    if amount.is_none() {
        errors.insert("amount".into(), page.t("violation-invalid-payment-amount"));
    }
    let currency = form.currency.parse::<Currency>().ok();
    if currency.is_none() {
        errors.insert("currency".into(), page.t("violation-invalid-currency"));
    }
    let method = PaymentMethod::parse(&form.method);
    if method.is_none() {
        errors.insert("method".into(), page.t("violation-required-payment-method"));
    }
    let received_on = if form.received_on.is_empty() {
        None
    } else {
        let d = typed_day(&form.received_on);
        if d.is_none() {
            errors.insert("received_on".into(), page.t("violation-invalid-date"));
        }
        d
    };
    let (inputs, _) = read_allocations(page, &typed, &mut errors);
    // The cheque's fields count only for a payment by cheque.
    let cheque = match method {
        Some(PaymentMethod::Cheque) => form.cheque.read(page, &mut errors),
        _ => None,
    };
    let (Some(account_id), Some(amount), Some(method), true) =
        (account, amount, method, errors.is_empty())
    else {
        return form_page(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
            None,
        )
        .await;
    };
    let input = NewPayment {
        account_id,
        currency,
        amount,
        received_on,
        method,
        reference: Some(form.reference.clone()),
        notes: Some(form.notes.clone()),
        allocations: inputs.clone(),
        cheque,
    };
    match payments::create(&s.app, me.actor(), input).await {
        Ok(p) => Redirect::to(&format!("/payments/{}?saved=1", p.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            let rest = place_allocations(&s, &me, &v, &inputs, &mut errors).await;
            let rest = place_cheque(page, &rest, &mut errors);
            let mut general = None;
            for x in rest {
                let field = match x.field.as_str() {
                    f @ ("account_id" | "amount" | "received_on" | "reference" | "notes") => f,
                    _ => {
                        general.get_or_insert_with(|| explain(page, "", x.code));
                        continue;
                    }
                };
                errors
                    .entry(field.to_owned())
                    .or_insert_with(|| explain(page, &format!("payment-{field}"), x.code));
            }
            form_page(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                general,
            )
            .await
        }
        Err(e) => page.error(e),
    }
}

// ---------- The list ----------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    cursor: Option<String>,
}

async fn list(State(s): State<AppState>, me: Me, Query(q): Query<ListQuery>) -> Response {
    let page = &me.page;
    let found = match payments::page(&s.app, me.actor(), None, q.cursor.as_deref(), PAGE_ROWS).await
    {
        Ok(p) => p,
        Err(e) => return page.error(e),
    };
    let names = account_names(
        &s,
        &me,
        &found.data.iter().map(|p| p.account_id).collect::<Vec<_>>(),
    )
    .await;
    let rows: Vec<Value> = found
        .data
        .iter()
        .map(|p| {
            let mut r = payment_row(page, p);
            r["account"] = json!(names.get(&p.account_id));
            r
        })
        .collect();
    page.render(
        StatusCode::OK,
        "billing/payments.html",
        json!({
            "nav": "receivables",
            "tab": "payments",
            "rows": rows,
            "more": found.next_cursor.map(|c| format!(
                "/payments?cursor={}",
                form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
            )),
            "first_page": q.cursor.is_none(),
            "can_pay": may(&me, Action::Create),
        }),
    )
}
