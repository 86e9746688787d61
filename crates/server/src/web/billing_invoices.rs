//! Invoice pages: the list (all, open, overdue; by kind), one invoice or note with its
//! lines, totals, fiscal fields, where it came from and what settled it, and the form of
//! a credit or debit note. They call `cartera_app::billing::invoices` like the API.

use std::collections::BTreeMap;

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
use cartera_app::billing::invoices::{self, Filter, NewNote};
use cartera_app::billing::payments;
use cartera_app::totals::LineInput;
use cartera_core::billing::invoices::{CfdiMethod, Invoice, InvoiceKind};
use cartera_core::money::Money;
use cartera_core::roles::Action;
use cartera_core::totals::TaxRate;
use cartera_core::{Code, Id};

use super::billing_common::{contact_email, invoice_row, may, merge, payment_row, word};
use super::figures::{account_names, amount, day, language, money};
use super::forms::{Fields, explain, shown_tax_rate, typed_amount, typed_number, typed_tax_rate};
use super::render::{Me, Page, PageId};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/invoices", get(list))
        .route("/invoices/{id}", get(show))
        .route("/invoices/{id}/note", get(note_form).post(note_create))
}

const PAGE_ROWS: i64 = 50;
const SHOWS: [&str; 3] = ["all", "open", "overdue"];

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    kind: String,
    cursor: Option<String>,
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The invoices and notes the reader sees, newest first, fifty a page.
async fn list(State(s): State<AppState>, me: Me, Query(q): Query<ListQuery>) -> Response {
    let page = &me.page;
    let show = if SHOWS.contains(&q.show.as_str()) {
        q.show.as_str()
    } else {
        "all"
    };
    let kind = InvoiceKind::parse(&q.kind);
    let filter = Filter {
        account: None,
        kind,
        open_only: show == "open",
        overdue: show == "overdue",
    };
    let found =
        match invoices::page(&s.app, me.actor(), filter, q.cursor.as_deref(), PAGE_ROWS).await {
            Ok(p) => p,
            Err(e) => return page.error(e),
        };
    let names = account_names(
        &s,
        &me,
        &found.data.iter().map(|i| i.account_id).collect::<Vec<_>>(),
    )
    .await;
    let today = s.app.today();
    let rows: Vec<Value> = found
        .data
        .iter()
        .map(|i| {
            let mut r = invoice_row(page, i, today);
            r["account"] = json!(names.get(&i.account_id));
            r
        })
        .collect();
    let kind_word = kind.map(|k| k.as_str()).unwrap_or("");
    page.render(
        StatusCode::OK,
        "billing/invoices.html",
        json!({
            "nav": "receivables",
            "tab": "invoices",
            "rows": rows,
            "show": show,
            "shows": SHOWS,
            "kind": kind_word,
            "kinds": InvoiceKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "more": found.next_cursor.map(|c| format!(
                "/invoices?show={show}&kind={kind_word}&cursor={}", encode(&c)
            )),
            "first_page": q.cursor.is_none(),
            "can_import": may(&me, Action::Create),
        }),
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    error: Option<String>,
    sent: Option<String>,
}

/// An invoice's lines as the read-only lines table shows them.
fn lines_ctx(page: &Page, inv: &Invoice) -> Vec<Value> {
    let l = language(page.locale);
    inv.lines
        .iter()
        .zip(inv.totals.line_nets.iter())
        .map(|(x, net)| {
            json!({
                "sku": x.sku,
                "description": x.description,
                "quantity": l.number(x.quantity),
                "unit_price": amount(page.locale, x.unit_price.amount),
                "discount": (!x.discount.is_zero()).then(|| format!("{} %", l.number(x.discount))),
                "tax_rate": match x.tax_rate {
                    TaxRate::Exempt => page.t("quote-tax-exempt"),
                    TaxRate::Percent(p) => format!("{} %", l.number(p)),
                },
                "net": amount(page.locale, *net),
            })
        })
        .collect()
}

/// The tax authority's fields that are set, as `{label, value}`.
fn fiscal_ctx(page: &Page, inv: &Invoice) -> Vec<Value> {
    let f = &inv.fiscal;
    let mut out = Vec::new();
    let mut add = |key: &str, value: String| {
        out.push(json!({"label": page.t(key), "value": value}));
    };
    if let Some(t) = f.invoice_type {
        add("invoice-fiscal-type", format!("{t:?}"));
    }
    if let Some(cae) = &f.cae {
        add("invoice-fiscal-cae", cae.clone());
    }
    if let Some(d) = f.cae_expires_on {
        add("invoice-fiscal-cae-expires", day(page.locale, d));
    }
    if let Some(u) = &f.cfdi_uuid {
        add("invoice-fiscal-cfdi-uuid", u.clone());
    }
    if let Some(m) = f.cfdi_method {
        let key = match m {
            CfdiMethod::Pue => "invoice-fiscal-pue",
            CfdiMethod::Ppd => "invoice-fiscal-ppd",
        };
        add("invoice-fiscal-cfdi-method", page.t(key));
    }
    out
}

async fn show(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let mut extra = json!({
        "general_error": q.error.map(|e| me.page.t(&format!("invoice-error-{e}"))),
    });
    if q.sent.is_some() {
        extra["notice"] = json!(me.page.t("invoice-sent-notice"));
    }
    invoice_page(&s, &me, id, StatusCode::OK, extra).await
}

/// One invoice or note's page; `extra` adds to its context (a notice, the email form as
/// typed and why it was refused).
pub(crate) async fn invoice_page(
    s: &AppState,
    me: &Me,
    id: Id,
    status: StatusCode,
    extra: Value,
) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let inv = match invoices::get(&s.app, actor, id).await {
        Ok(i) => i,
        Err(e) => return page.error(e),
    };
    let c = inv.currency.as_str();
    let today = s.app.today();
    let accounts = account_names(s, me, &[inv.account_id]).await;
    let order = match inv.order_id {
        Some(o) => cartera_app::orders::get(&s.app, actor, o)
            .await
            .ok()
            .map(|o| json!({"id": o.id, "number": o.number})),
        None => None,
    };
    let quote = match inv.quote_id {
        Some(qid) => cartera_app::quotes::get(&s.app, actor, qid)
            .await
            .ok()
            .map(|q| json!({"id": q.id, "number": q.number})),
        None => None,
    };
    let corrects = match inv.corrects_id {
        Some(cid) => invoices::get(&s.app, actor, cid)
            .await
            .ok()
            .map(|i| json!({"id": i.id, "number": i.number, "kind": word(&i.kind)})),
        None => None,
    };
    // The notes that correct it, and the payments applied to it: among the account's.
    let of_account = Filter {
        account: Some(inv.account_id),
        ..Filter::default()
    };
    let notes: Vec<Value> = invoices::page(&s.app, actor, of_account, None, 500)
        .await
        .map(|p| p.data)
        .unwrap_or_default()
        .iter()
        .filter(|n| n.corrects_id == Some(inv.id))
        .map(|n| invoice_row(page, n, today))
        .collect();
    let settled: Vec<Value> = payments::page(&s.app, actor, Some(inv.account_id), None, 500)
        .await
        .map(|p| p.data)
        .unwrap_or_default()
        .iter()
        .flat_map(|p| {
            p.allocations
                .iter()
                .filter(|a| a.invoice_id == inv.id)
                .map(move |a| {
                    json!({
                        "payment": payment_row(page, p),
                        "amount": money(page.locale, a.amount, p.currency.as_str()),
                        "applied_on": day(page.locale, a.applied_on),
                        "reversed_on": a.reversed_on.map(|d| day(page.locale, d)),
                    })
                })
        })
        .collect();
    let overdue = inv.overdue_on(today);
    let ctx = json!({
        "nav": "receivables",
        "invoice": {
            "id": inv.id,
            "number": inv.number,
            "kind": word(&inv.kind),
            "status": word(&inv.payment_status),
            "charges": inv.kind.charges(),
            "account_id": inv.account_id,
            "currency": c,
            "issue_date": day(page.locale, inv.issue_date),
            "due_date": day(page.locale, inv.due_date),
            "terms": inv.payment_terms_days,
            "overdue": overdue,
            "days_overdue": if overdue { (today - inv.due_date).num_days() } else { 0 },
            "total": money(page.locale, inv.totals.total, c),
            "open": money(page.locale, inv.open, c),
            "is_open": inv.kind.charges() && inv.open > Decimal::ZERO,
            "reason": inv.reason,
            "notes": inv.notes,
        },
        "account": accounts.get(&inv.account_id),
        "order": order,
        "quote": quote,
        "corrects": corrects,
        "notes_issued": notes,
        "settled": settled,
        "fiscal": fiscal_ctx(page, &inv),
        "lines": lines_ctx(page, &inv),
        "totals": super::quotes::totals_ctx(page, &inv.totals),
        "can_pay": may(me, Action::Create),
        "can_note": may(me, Action::Create) && inv.kind == InvoiceKind::Invoice,
        "can_send": may(me, Action::Edit),
        "send": {
            "to": contact_email(s, me, inv.account_id, inv.contact_id).await,
            "sent_at": inv.sent_at.map(|t| super::render::when(t, page.time_zone(), page.locale)),
        },
    });
    let mut ctx = ctx;
    merge(&mut ctx, extra);
    page.render(status, "billing/invoice.html", ctx)
}

// ---------- Credit and debit notes ----------

/// How many empty line rows the note form offers.
const NOTE_ROWS: usize = 3;

#[derive(Default, Clone, serde::Serialize)]
struct NoteLine {
    description: String,
    quantity: String,
    unit_price: String,
    tax_rate: String,
}

/// The note form as typed: its kind, reason, "the whole invoice" and its line rows.
#[derive(Default, serde::Serialize)]
struct NoteForm {
    kind: String,
    reason: String,
    whole: bool,
    lines: Vec<NoteLine>,
}

impl NoteForm {
    fn parse(f: &Fields) -> NoteForm {
        let col = |name: &str| f.all(name);
        let (d, q, p, t) = (
            col("line_description"),
            col("line_quantity"),
            col("line_price"),
            col("line_tax"),
        );
        let n = d.len().max(q.len()).max(p.len()).max(t.len());
        let at =
            |v: &Vec<String>, i: usize| v.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
        NoteForm {
            kind: f.get("kind"),
            reason: f.get("reason"),
            whole: !f.get("whole").is_empty(),
            lines: (0..n)
                .map(|i| NoteLine {
                    description: at(&d, i),
                    quantity: at(&q, i),
                    unit_price: at(&p, i),
                    tax_rate: at(&t, i),
                })
                .collect(),
        }
    }
}

/// What goes wrong in the note form: by field (`reason`, `lines`), and by line row.
#[derive(Default)]
struct NoteErrors {
    fields: BTreeMap<String, String>,
    rows: BTreeMap<usize, BTreeMap<String, String>>,
    general: Option<String>,
}

impl NoteErrors {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.rows.is_empty() && self.general.is_none()
    }

    fn row(&mut self, i: usize, field: &str, text: String) {
        self.rows
            .entry(i)
            .or_default()
            .entry(field.to_owned())
            .or_insert(text);
    }
}

#[derive(Deserialize, Default)]
pub struct NoteQuery {
    #[serde(default)]
    kind: String,
}

async fn note_form(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<NoteQuery>,
) -> Response {
    let kind = match InvoiceKind::parse(&q.kind) {
        Some(InvoiceKind::DebitNote) => "debit_note",
        _ => "credit_note",
    };
    let form = NoteForm {
        kind: kind.to_owned(),
        ..NoteForm::default()
    };
    note_page(&s, &me, id, StatusCode::OK, form, NoteErrors::default()).await
}

async fn note_page(
    s: &AppState,
    me: &Me,
    id: Id,
    status: StatusCode,
    mut form: NoteForm,
    errors: NoteErrors,
) -> Response {
    let page = &me.page;
    if let Err(e) = me
        .actor()
        .permit(cartera_core::roles::Module::Billing, Action::Create)
    {
        return page.error(e);
    }
    let inv = match invoices::get(&s.app, me.actor(), id).await {
        Ok(i) => i,
        Err(e) => return page.error(e),
    };
    if inv.kind != InvoiceKind::Invoice {
        return Redirect::to(&format!("/invoices/{id}?error=note-of-note")).into_response();
    }
    // A first tax rate to offer: the invoice's first line's.
    let rate = inv
        .lines
        .first()
        .map(|l| shown_tax_rate(page.locale, l.tax_rate))
        .unwrap_or_default();
    while form.lines.len() < NOTE_ROWS {
        form.lines.push(NoteLine {
            tax_rate: rate.clone(),
            ..NoteLine::default()
        });
    }
    let rows: Vec<Value> = form
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| json!({"l": l, "errs": errors.rows.get(&i).cloned().unwrap_or_default()}))
        .collect();
    let c = inv.currency.as_str();
    page.render(
        status,
        "billing/note_form.html",
        json!({
            "nav": "receivables",
            "invoice": {
                "id": inv.id,
                "number": inv.number,
                "currency": c,
                "total": money(page.locale, inv.totals.total, c),
                "open": money(page.locale, inv.open, c),
            },
            "lines": lines_ctx(page, &inv),
            "form": form,
            "rows": rows,
            "errors": errors.fields,
            "general_error": errors.general,
        }),
    )
}

/// The lines that credit a whole invoice: its own lines when it has no discount on the
/// whole document, else one line per tax rate for its base (so the totals agree).
fn whole_lines(page: &Page, inv: &Invoice) -> Vec<LineInput> {
    if inv.discount.is_zero() {
        return inv
            .lines
            .iter()
            .map(|l| LineInput {
                product_id: l.product_id,
                description: Some(l.description.clone()),
                quantity: l.quantity,
                unit_price: Some(l.unit_price),
                discount: Some(l.discount),
                tax_rate: Some(l.tax_rate),
            })
            .collect();
    }
    inv.totals
        .by_rate
        .iter()
        .map(|r| LineInput {
            product_id: None,
            description: Some(page.t_args(
                "note-whole-line",
                &[("number", super::i18n::ArgValue::Text(inv.number.clone()))],
            )),
            quantity: Decimal::ONE,
            unit_price: Some(Money {
                amount: r.base,
                currency: inv.currency,
            }),
            discount: None,
            tax_rate: Some(r.rate),
        })
        .collect()
}

/// The line row a violation's `lines[i]...` names, among the rows posted (`rows[i]` is
/// the form's row of the request's `i`-th line), and the field in it.
fn line_of(field: &str, rows: &[usize]) -> Option<(usize, &'static str)> {
    let rest = field.strip_prefix("lines[")?;
    let (n, rest) = rest.split_once(']')?;
    let row = *rows.get(n.parse::<usize>().ok()?)?;
    let f = match rest.trim_start_matches('.') {
        "quantity" => "quantity",
        "unit_price" | "unit_price.amount" | "unit_price.currency" => "unit_price",
        "tax_rate" => "tax_rate",
        _ => "description",
    };
    Some((row, f))
}

async fn note_create(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let page = &me.page;
    let fields = Fields::parse(&body);
    let form = NoteForm::parse(&fields);
    let inv = match invoices::get(&s.app, me.actor(), id).await {
        Ok(i) => i,
        Err(e) => return page.error(e),
    };
    let kind = match form.kind.as_str() {
        "debit_note" => InvoiceKind::DebitNote,
        _ => InvoiceKind::CreditNote,
    };
    let mut errors = NoteErrors::default();
    let mut rows: Vec<usize> = Vec::new();
    let lines = if form.whole && kind == InvoiceKind::CreditNote {
        whole_lines(page, &inv)
    } else {
        let mut out = Vec::new();
        for (i, l) in form.lines.iter().enumerate() {
            if l.description.is_empty() && l.quantity.is_empty() && l.unit_price.is_empty() {
                continue;
            }
            let quantity = if l.quantity.is_empty() {
                Some(Decimal::ONE)
            } else {
                typed_number(page, &l.quantity)
                    .ok()
                    .filter(|q| *q > Decimal::ZERO)
            };
            if quantity.is_none() {
                errors.row(i, "quantity", page.t("violation-invalid-line-quantity"));
            }
            let price = typed_amount(page, &l.unit_price);
            if price.is_none() {
                errors.row(i, "unit_price", page.t("violation-invalid-price"));
            }
            let rate = if l.tax_rate.is_empty() {
                Some(TaxRate::Exempt)
            } else {
                typed_tax_rate(page, &l.tax_rate)
            };
            if rate.is_none() {
                errors.row(i, "tax_rate", page.t("violation-invalid-tax_rate"));
            }
            if l.description.is_empty() {
                errors.row(
                    i,
                    "description",
                    page.t("violation-required-note-description"),
                );
            }
            if let (Some(q), Some(p)) = (quantity, price) {
                rows.push(i);
                out.push(LineInput {
                    product_id: None,
                    description: Some(l.description.clone()),
                    quantity: q,
                    unit_price: Some(Money {
                        amount: p,
                        currency: inv.currency,
                    }),
                    discount: None,
                    tax_rate: rate,
                });
            }
        }
        out
    };
    if errors.is_empty() {
        let input = NewNote {
            kind,
            reason: form.reason.clone(),
            lines,
            issue_date: None,
            payment_terms_days: None,
            series: None,
            point_of_sale: None,
            fiscal: Default::default(),
        };
        match invoices::note(&s.app, me.actor(), id, input).await {
            Ok(n) => return Redirect::to(&format!("/invoices/{}", n.id)).into_response(),
            Err(AppError::Invalid(v)) => {
                for x in v.0 {
                    if x.field == "reason" {
                        errors
                            .fields
                            .entry("reason".into())
                            .or_insert_with(|| explain(page, "note-reason", x.code));
                    } else if x.field == "lines" {
                        let text = if x.code == Code::OutOfRange {
                            page.t("violation-out_of_range-note-lines")
                        } else {
                            explain(page, "note-lines", x.code)
                        };
                        errors.fields.entry("lines".into()).or_insert(text);
                    } else if let Some((row, f)) = line_of(&x.field, &rows) {
                        errors.row(row, f, explain(page, "line", x.code));
                    } else {
                        errors
                            .general
                            .get_or_insert_with(|| explain(page, "", x.code));
                    }
                }
            }
            Err(e) => return page.error(e),
        }
    }
    note_page(&s, &me, id, StatusCode::UNPROCESSABLE_ENTITY, form, errors).await
}
