//! Billing on paper and by email from the pages: an invoice's PDF (to look at or to
//! download) and its email, a customer's statement as PDF or Excel (the page's day,
//! first day and currency, in the reader's language) and its email, and a promise to
//! pay written down from the statement. They call `cartera_app::billing::print` and
//! `cartera_app::billing::dunning` like the API; a refused form comes back on the
//! invoice's or statement's page as it was typed.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use cartera_app::AppError;
use cartera_app::billing::statements::{self, ScheduleInput};
use cartera_app::billing::{dunning, invoices, print};
use cartera_core::Violations;
use cartera_core::billing::dunning::PromiseInput;
use cartera_core::money::{Currency, Money};

use super::billing_accounts::{StatementQuery, statement_page};
use super::billing_common::typed_day;
use super::billing_invoices::invoice_page;
use super::forms::{Fields, explain, typed_amount};
use super::render::{Me, Page, PageId};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/invoices/{id}/pdf", get(invoice_pdf))
        .route("/invoices/{id}/send", post(send_invoice))
        .route("/accounts/{id}/statement/pdf", get(statement_pdf))
        .route("/accounts/{id}/statement/xlsx", get(statement_xlsx))
        .route("/accounts/{id}/statement/send", post(send_statement))
        .route("/accounts/{id}/promises", post(promise))
        .route("/accounts/{id}/statement/schedule", post(schedule))
}

/// A file for the browser: shown in place (a PDF to look at, which our own pages may
/// frame) or downloaded.
fn file(name: &str, content_type: &'static str, bytes: Vec<u8>, inline: bool) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let how = if inline { "inline" } else { "attachment" };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("{how}; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    res
}

#[derive(Deserialize, Default)]
pub struct PdfQuery {
    /// Any value: download instead of showing it.
    download: Option<String>,
}

/// "Ver PDF" / "Descargar PDF": the invoice's PDF, from the same function as the API's.
async fn invoice_pdf(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<PdfQuery>,
) -> Response {
    match print::invoice_pdf(&s.app, me.actor(), id).await {
        Ok((name, bytes)) => file(&name, "application/pdf", bytes, q.download.is_none()),
        Err(AppError::Conflict(_)) => me.page.error_page(StatusCode::CONFLICT, "invoice-pdf"),
        Err(e) => me.page.error(e),
    }
}

/// Where to send a document, as typed.
fn send_input(f: &Fields) -> print::SendInput {
    let opt = |name: &str| Some(f.get(name)).filter(|v| !v.is_empty());
    print::SendInput {
        to: opt("to"),
        subject: opt("subject"),
        message: Some(f.all("message").into_iter().next().unwrap_or_default())
            .filter(|m| !m.trim().is_empty()),
    }
}

/// Why a document was not emailed, in words: no address, a bad one, or a mail server
/// that did not take it. `None`: an error for the error page.
fn send_refusal(page: &Page, e: &AppError) -> Option<(StatusCode, String)> {
    match e {
        AppError::Invalid(v) => {
            let code = v.0.first().map(|x| x.code);
            let text = match code {
                Some(c) => explain(page, "send-to", c),
                None => page.t("violation-invalid-send-to"),
            };
            Some((StatusCode::UNPROCESSABLE_ENTITY, text))
        }
        AppError::Conflict(_) => Some((StatusCode::CONFLICT, page.t("send-error-not-sent"))),
        _ => None,
    }
}

/// The email form as typed, for a page shown again.
fn typed_send(f: &Fields) -> serde_json::Value {
    json!({
        "to": f.get("to"),
        "subject": f.get("subject"),
        "message": f.all("message").into_iter().next().unwrap_or_default(),
        "open": true,
    })
}

/// "Enviar por email": the invoice with its PDF.
async fn send_invoice(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    match print::send_invoice(&s.app, me.actor(), id, send_input(&f)).await {
        Ok(_) => Redirect::to(&format!("/invoices/{id}?sent=1")).into_response(),
        Err(e) => match send_refusal(&me.page, &e) {
            Some((status, text)) => {
                let extra = json!({"send": typed_send(&f), "send_error": text});
                invoice_page(&s, &me, id, status, extra).await
            }
            None => me.page.error(e),
        },
    }
}

/// The statement's file name is the app's; the page's language decides its words.
async fn statement_file(
    s: &AppState,
    me: &Me,
    id: cartera_core::Id,
    q: &StatementQuery,
    xlsx: bool,
) -> Response {
    let req = q.request(s, &me.page);
    let made = if xlsx {
        print::statement_xlsx(&s.app, me.actor(), id, req).await
    } else {
        print::statement_pdf(&s.app, me.actor(), id, req).await
    };
    match made {
        Ok((name, bytes)) if xlsx => file(&name, cartera_core::io::XLSX_TYPE, bytes, false),
        Ok((name, bytes)) => file(&name, "application/pdf", bytes, true),
        Err(AppError::Conflict(_)) => me.page.error_page(StatusCode::CONFLICT, "statement-file"),
        Err(e) => me.page.error(e),
    }
}

async fn statement_pdf(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<StatementQuery>,
) -> Response {
    statement_file(&s, &me, id, &q, false).await
}

async fn statement_xlsx(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<StatementQuery>,
) -> Response {
    statement_file(&s, &me, id, &q, true).await
}

/// The statement a form was posted from: its hidden currency, first day and day.
fn statement_of(f: &Fields) -> StatementQuery {
    StatementQuery {
        currency: f.get("currency"),
        from: f.get("from"),
        as_of: f.get("as_of"),
        done: String::new(),
    }
}

/// The statement's address with `done` saying what was just done.
fn statement_url(id: cartera_core::Id, q: &StatementQuery, done: &str) -> String {
    let mut url = format!("/accounts/{id}/statement?done={done}");
    for (k, v) in [
        ("currency", &q.currency),
        ("from", &q.from),
        ("as_of", &q.as_of),
    ] {
        if !v.is_empty() {
            url.push_str(&format!(
                "&{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    url
}

/// "Enviar por email": the statement as the page shows it, with its PDF.
async fn send_statement(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    let q = statement_of(&f);
    let req = q.request(&s, &me.page);
    match print::send_statement(&s.app, me.actor(), id, req, send_input(&f)).await {
        Ok(_) => Redirect::to(&statement_url(id, &q, "sent")).into_response(),
        Err(e) => match send_refusal(&me.page, &e) {
            Some((status, text)) => {
                let extra = json!({"send": typed_send(&f), "send_error": text});
                statement_page(&s, &me, id, &q, status, extra).await
            }
            None => me.page.error(e),
        },
    }
}

/// "Registrar promesa de pago": the day the customer said they would pay by, what (in
/// the statement's currency, typed the page's way) and a note.
async fn promise(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let page = &me.page;
    let f = Fields::parse(&body);
    let q = statement_of(&f);
    let typed = json!({
        "promised_on": f.get("promised_on"),
        "amount": f.get("amount"),
        "note": f.all("note").into_iter().next().unwrap_or_default(),
        "open": true,
    });
    let mut errors = serde_json::Map::new();
    let raw_day = f.get("promised_on");
    let promised_on = typed_day(&raw_day);
    if promised_on.is_none() {
        let key = if raw_day.is_empty() {
            "violation-required-promise-promised_on"
        } else {
            "violation-invalid-date"
        };
        errors.insert("promised_on".into(), json!(page.t(key)));
    }
    let raw_amount = f.get("amount");
    let amount = if raw_amount.is_empty() {
        None
    } else {
        let a = typed_amount(page, &raw_amount).filter(|a| !a.is_zero());
        if a.is_none() {
            errors.insert(
                "amount".into(),
                json!(page.t("violation-out_of_range-promise-amount")),
            );
        }
        a
    };
    let currency = match q.currency.parse::<Currency>() {
        Ok(c) => Some(c),
        Err(_) => invoices::page(
            &s.app,
            me.actor(),
            invoices::Filter {
                account: Some(id),
                ..invoices::Filter::default()
            },
            None,
            1,
        )
        .await
        .ok()
        .and_then(|p| p.data.first().map(|i| i.currency)),
    };
    let refused = |status: StatusCode, errors: serde_json::Map<String, serde_json::Value>| {
        let extra = json!({"promise_form": typed, "promise_errors": errors});
        (status, extra)
    };
    let Some(promised_on) = promised_on.filter(|_| errors.is_empty()) else {
        let (status, extra) = refused(StatusCode::UNPROCESSABLE_ENTITY, errors);
        return statement_page(&s, &me, id, &q, status, extra).await;
    };
    let input = PromiseInput {
        promised_on,
        amount: match (amount, currency) {
            (Some(amount), Some(currency)) => Some(Money { amount, currency }),
            _ => None,
        },
        note: Some(f.all("note").into_iter().next().unwrap_or_default()),
    };
    match dunning::promise(&s.app, me.actor(), id, input).await {
        Ok(_) => Redirect::to(&statement_url(id, &q, "promised")).into_response(),
        Err(AppError::Invalid(Violations(list, _))) => {
            let mut errors = serde_json::Map::new();
            for x in list {
                let field = match x.field.as_str() {
                    "promised_on" => "promised_on",
                    "note" => "note",
                    _ => "amount",
                };
                errors
                    .entry(field)
                    .or_insert_with(|| json!(explain(page, &format!("promise-{field}"), x.code)));
            }
            let (status, extra) = refused(StatusCode::UNPROCESSABLE_ENTITY, errors);
            statement_page(&s, &me, id, &q, status, extra).await
        }
        Err(e) => page.error(e),
    }
}

/// Takes the customer off the monthly statements, or back on (`monthly` is `yes` or
/// `no`, the form's two buttons).
async fn schedule(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let q = statement_of(&f);
    let monthly = f.get("monthly") == "yes";
    match statements::set_schedule(&s.app, me.actor(), id, ScheduleInput { monthly }).await {
        Ok(_) => {
            let done = if monthly { "monthly-on" } else { "monthly-off" };
            Redirect::to(&statement_url(id, &q, done)).into_response()
        }
        Err(e) => me.page.error(e),
    }
}
