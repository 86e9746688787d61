//! Billing and collections: invoices and notes, payments and their allocations, the
//! customer's statement and risk, and the receivables ageing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use utoipa::openapi::path::HttpMethod;

use cartera_app::billing::accounts::{self, AccountStatement, Ageing, AgeingFilter, AgeingGroup};
use cartera_app::billing::cheques::{self, ChequeMove, ChequeQuery};
use cartera_app::billing::exports;
use cartera_app::billing::invoices::{self, Filter, IssueOptions, NewInvoice, NewNote};
use cartera_app::billing::payments::{self, AllocateInput, NewPayment, ReversalInput};
use cartera_app::billing::print::{self, SendInput, StatementRequest};
use cartera_app::billing::risk::{self, ApprovalInput, Risk};
use cartera_core::billing::cheques::{Cheque, ChequeState};
use cartera_core::billing::invoices::{Invoice, InvoiceKind};
use cartera_core::billing::payments::Payment;
use cartera_core::money::Currency;
use cartera_core::{Code, Id};

use super::doc::{Api, Op, date_schema, enum_schema, int_schema, page_schema, register};
use super::extract::{Auth, IfMatch, Input, QueryPairs, RecordId};
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

fn day(q: &QueryPairs, key: &str) -> Result<Option<NaiveDate>, ApiError> {
    q.get(key)
        .map(|d| {
            d.parse()
                .map_err(|_| ApiError::bad_field(key, Code::Invalid, "a date as YYYY-MM-DD"))
        })
        .transpose()
}

/// A currency named in the query; one that is no ISO 4217 code answers 422 (the
/// document cannot list the codes, so the request is well formed).
fn currency(q: &QueryPairs) -> Result<Option<Currency>, ApiError> {
    q.get("currency")
        .map(|c| {
            c.parse().map_err(|_| {
                ApiError::from(cartera_app::AppError::Invalid(
                    cartera_core::Violations::one(
                        "currency",
                        Code::Invalid,
                        "an ISO 4217 code such as ARS",
                    ),
                ))
            })
        })
        .transpose()
}

fn invoice_filter(q: &QueryPairs) -> Result<Filter, ApiError> {
    let kind = q
        .get("kind")
        .map(|k| {
            InvoiceKind::parse(k).ok_or_else(|| {
                ApiError::bad_field("kind", Code::Invalid, "invoice, credit_note or debit_note")
            })
        })
        .transpose()?;
    let (open_only, overdue) = match q.get("status") {
        None | Some("all") => (false, false),
        Some("open") => (true, false),
        Some("overdue") => (true, true),
        Some(_) => {
            return Err(ApiError::bad_field(
                "status",
                Code::Invalid,
                "all, open or overdue",
            ));
        }
    };
    Ok(Filter {
        account: super::quotes::account_param(q)?,
        kind,
        open_only,
        overdue,
    })
}

fn format_param(q: &QueryPairs) -> Result<cartera_core::io::Format, ApiError> {
    match q.get("format") {
        None => Ok(cartera_core::io::Format::Xlsx),
        Some(f) => cartera_core::io::Format::parse(f)
            .ok_or_else(|| ApiError::bad_field("format", Code::Invalid, "csv or xlsx")),
    }
}

async fn export_invoices(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    q.only(&["account_id", "kind", "status", "format"])?;
    let format = format_param(&q)?;
    let (name, bytes) = exports::invoices(&s.app, &actor, invoice_filter(&q)?, format).await?;
    Ok(file(name, format.content_type(), bytes, false))
}

async fn export_payments(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    q.only(&["account_id", "format"])?;
    let format = format_param(&q)?;
    let account = super::quotes::account_param(&q)?;
    let (name, bytes) = exports::payments(&s.app, &actor, account, format).await?;
    Ok(file(name, format.content_type(), bytes, false))
}

async fn export_ageing(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    q.only(AGEING_PARAMS)?;
    let group = group_param(&q)?;
    let (name, bytes) =
        exports::ageing(&s.app, &actor, day(&q, "as_of")?, group, ageing_filter(&q)?).await?;
    Ok(file(name, cartera_core::io::XLSX_TYPE, bytes, false))
}

async fn list_invoices(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Invoice>>, ApiError> {
    q.only(&["account_id", "kind", "status", "limit", "cursor"])?;
    let filter = invoice_filter(&q)?;
    let limit = super::paging::limit_param(&q)?;
    let page = invoices::page(&s.app, &actor, filter, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.data,
        next_cursor: page.next_cursor,
    }))
}

/// 201 with the new document, its version and where to read it.
fn created(i: Invoice) -> Result<Response, ApiError> {
    let at = format!("/api/v1/invoices/{}", i.id);
    Ok(record_response(
        StatusCode::CREATED,
        &i,
        i.version,
        Some(at),
    ))
}

async fn read_invoice(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let i = invoices::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &i, i.version, None))
}

async fn create_invoice(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewInvoice>,
) -> Result<Response, ApiError> {
    created(invoices::create(&s.app, &actor, input).await?)
}

async fn invoice_order(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<IssueOptions>,
) -> Result<Response, ApiError> {
    created(invoices::from_order(&s.app, &actor, id, input).await?)
}

async fn invoice_quote(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<IssueOptions>,
) -> Result<Response, ApiError> {
    created(invoices::from_quote(&s.app, &actor, id, input).await?)
}

async fn note(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<NewNote>,
) -> Result<Response, ApiError> {
    created(invoices::note(&s.app, &actor, id, input).await?)
}

async fn list_payments(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Payment>>, ApiError> {
    q.only(&["account_id", "limit", "cursor"])?;
    let account = super::quotes::account_param(&q)?;
    let limit = super::paging::limit_param(&q)?;
    let page = payments::page(&s.app, &actor, account, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.data,
        next_cursor: page.next_cursor,
    }))
}

async fn read_payment(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let p = payments::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn create_payment(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewPayment>,
) -> Result<Response, ApiError> {
    let p = payments::create(&s.app, &actor, input).await?;
    let at = format!("/api/v1/payments/{}", p.id);
    Ok(record_response(
        StatusCode::CREATED,
        &p,
        p.version,
        Some(at),
    ))
}

async fn allocate(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(input): Input<AllocateInput>,
) -> Result<Response, ApiError> {
    let p = payments::allocate(&s.app, &actor, id, version, input).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn reverse_allocation(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Path((id, allocation)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    Input(input): Input<ReversalInput>,
) -> Result<Response, ApiError> {
    let id: Id = id.parse().map_err(|_| ApiError::not_found())?;
    let allocation: Id = allocation.parse().map_err(|_| ApiError::not_found())?;
    let p = payments::reverse_allocation(&s.app, &actor, id, allocation, version, input).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn reverse_payment(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(input): Input<ReversalInput>,
) -> Result<Response, ApiError> {
    let p = payments::reverse(&s.app, &actor, id, version, input).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn statement(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<AccountStatement>, ApiError> {
    q.only(&["currency", "from", "as_of"])?;
    let (from, as_of) = (day(&q, "from")?, day(&q, "as_of")?);
    Ok(Json(
        accounts::statement(&s.app, &actor, id, currency(&q)?, from, as_of).await?,
    ))
}

async fn risk(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Risk>, ApiError> {
    Ok(Json(risk::risk(&s.app, &actor, id).await?))
}

async fn approve(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<ApprovalInput>,
) -> Result<(StatusCode, Json<Risk>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(risk::approve(&s.app, &actor, id, input).await?),
    ))
}

fn group_param(q: &QueryPairs) -> Result<AgeingGroup, ApiError> {
    Ok(match q.get("group_by") {
        None | Some("customer") => AgeingGroup::Customer,
        Some("rep") => AgeingGroup::Rep,
        Some("territory") => AgeingGroup::Territory,
        Some("currency") => AgeingGroup::Currency,
        Some(_) => {
            return Err(ApiError::bad_field(
                "group_by",
                Code::Invalid,
                "customer, rep, territory or currency",
            ));
        }
    })
}

const AGEING_PARAMS: &[&str] = &["as_of", "group_by", "currency", "rep_id", "territory_id"];

fn ageing_filter(q: &QueryPairs) -> Result<AgeingFilter, ApiError> {
    let id = |key: &str| {
        q.get(key)
            .map(|v| {
                v.parse::<Id>()
                    .map_err(|_| ApiError::bad_field(key, Code::Invalid, "must be an id"))
            })
            .transpose()
    };
    Ok(AgeingFilter {
        currency: currency(q)?,
        rep: id("rep_id")?,
        territory: id("territory_id")?,
    })
}

async fn ageing(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Ageing>, ApiError> {
    q.only(AGEING_PARAMS)?;
    let group = group_param(&q)?;
    Ok(Json(
        accounts::ageing(&s.app, &actor, day(&q, "as_of")?, group, ageing_filter(&q)?).await?,
    ))
}

async fn list_cheques(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Cheque>>, ApiError> {
    q.only(&[
        "account_id",
        "state",
        "to_deposit",
        "bounced_within_days",
        "limit",
        "cursor",
    ])?;
    let state = q
        .get("state")
        .map(|v| {
            ChequeState::parse(v).ok_or_else(|| {
                ApiError::bad_field(
                    "state",
                    Code::Invalid,
                    "on_hand, deposited, credited, bounced, endorsed or returned",
                )
            })
        })
        .transpose()?;
    let bounced_within_days = q
        .get("bounced_within_days")
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    ApiError::bad_field("bounced_within_days", Code::Invalid, "1 to 3650 days")
                })
        })
        .transpose()?;
    // The wallet is short-lived and ordered by payment date; its cursor is the position.
    let offset = q
        .get("cursor")
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|o| *o >= 0)
                .ok_or_else(|| ApiError::bad_field("cursor", Code::Invalid, "not a cursor"))
        })
        .transpose()?
        .unwrap_or(0);
    let limit = super::paging::limit_param(&q)?;
    let query = ChequeQuery {
        account: super::quotes::account_param(&q)?,
        state,
        // Strictly `true` or `false`, as the document's boolean says.
        to_deposit: match q.get("to_deposit") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ApiError::bad_field(
                    "to_deposit",
                    Code::Invalid,
                    "must be true or false",
                ));
            }
        },
        bounced_within_days,
    };
    let mut data = cheques::list(&s.app, &actor, query, limit + 1, offset).await?;
    let more = i64::try_from(data.len()).unwrap_or(i64::MAX) > limit;
    data.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(Json(Page {
        next_cursor: more.then(|| (offset + limit).to_string()),
        data,
    }))
}

async fn read_cheque(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let q = cheques::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &q, q.version, None))
}

async fn move_cheque(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(input): Input<ChequeMove>,
) -> Result<Response, ApiError> {
    let q = cheques::move_to(&s.app, &actor, id, version, input).await?;
    Ok(record_response(StatusCode::OK, &q, q.version, None))
}

fn file(name: String, content_type: &str, bytes: Vec<u8>, inline: bool) -> Response {
    let how = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{how}; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn invoice_pdf(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let (name, bytes) = print::invoice_pdf(&s.app, &actor, id).await?;
    Ok(file(name, "application/pdf", bytes, true))
}

async fn send_invoice(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<SendInput>,
) -> Result<Json<Invoice>, ApiError> {
    Ok(Json(print::send_invoice(&s.app, &actor, id, input).await?))
}

fn statement_request(q: &QueryPairs) -> Result<StatementRequest, ApiError> {
    q.only(&["currency", "from", "as_of", "language"])?;
    let language = q
        .get("language")
        .map(|l| {
            cartera_core::quotes::Language::parse(l)
                .ok_or_else(|| ApiError::bad_field("language", Code::Invalid, "es or en"))
        })
        .transpose()?;
    Ok(StatementRequest {
        currency: currency(q)?,
        from: day(q, "from")?,
        as_of: day(q, "as_of")?,
        language,
    })
}

async fn statement_pdf(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let (name, bytes) = print::statement_pdf(&s.app, &actor, id, statement_request(&q)?).await?;
    Ok(file(name, "application/pdf", bytes, true))
}

async fn statement_xlsx(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let (name, bytes) = print::statement_xlsx(&s.app, &actor, id, statement_request(&q)?).await?;
    Ok(file(name, cartera_core::io::XLSX_TYPE, bytes, false))
}

/// Where a statement went.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StatementSent {
    pub to: String,
}

async fn send_statement(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
    Input(input): Input<SendInput>,
) -> Result<Json<StatementSent>, ApiError> {
    let to = print::send_statement(&s.app, &actor, id, statement_request(&q)?, input).await?;
    Ok(Json(StatementSent { to }))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let invoice = register::<Invoice>(&mut api.schemas);
    let invoice_page = page_schema(&mut api.schemas, "InvoicePage", invoice.clone());
    let payment = register::<Payment>(&mut api.schemas);
    let payment_page = page_schema(&mut api.schemas, "PaymentPage", payment.clone());
    let statement_schema = register::<AccountStatement>(&mut api.schemas);
    let ageing_schema = register::<Ageing>(&mut api.schemas);
    let risk_schema = register::<Risk>(&mut api.schemas);
    let cheque = register::<Cheque>(&mut api.schemas);
    let cheque_page = page_schema(&mut api.schemas, "ChequePage", cheque.clone());
    register::<ChequeMove>(&mut api.schemas);
    register::<ApprovalInput>(&mut api.schemas);
    register::<SendInput>(&mut api.schemas);
    for r in [
        register::<NewInvoice>,
        register::<IssueOptions>,
        register::<NewNote>,
        register::<NewPayment>,
        register::<AllocateInput>,
        register::<ReversalInput>,
    ] {
        r(&mut api.schemas);
    }
    api.route(
        HttpMethod::Get,
        "/api/v1/invoices",
        get(list_invoices),
        Op::new("billing", "list_invoices", "Invoices and notes")
            .describe(
                "Newest first, a page at a time. `status=open` keeps the charges with \
                 something owed, `status=overdue` those past their due date; `kind` narrows \
                 to invoices, credit notes or debit notes. A sales rep sees their own \
                 portfolio's.",
            )
            .query("account_id", "Only this account's")
            .query_with(
                "kind",
                "invoice, credit_note or debit_note",
                enum_schema(&["invoice", "credit_note", "debit_note"]),
                false,
            )
            .query_with(
                "status",
                "all (default), open or overdue",
                enum_schema(&["all", "open", "overdue"]),
                false,
            )
            .query("limit", "Page size (1 to 500, default 100)")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "The invoices", invoice_page)
            .problems(&[400, 403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/invoices",
        post(create_invoice),
        Op::new("billing", "create_invoice", "Issue an invoice by hand")
            .describe(
                "Lines are priced and checked like a quote's (`lines[i].quantity`, \
                 `lines[i].product_id` name bad lines). Numbered in its series and point of \
                 sale without gaps (`A-0001-00000001`); due `payment_terms_days` after \
                 `issue_date` (the company's defaults in settings `billing`). An issued \
                 invoice is never edited: a credit or debit note corrects it.",
            )
            .body::<NewInvoice>("Account, lines, series, terms, fiscal fields")
            .answer_schema(201, "The invoice", invoice.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/invoices/{id}",
        get(read_invoice),
        Op::new("billing", "get_invoice", "Read an invoice or a note")
            .describe("With what is still open on it and its payment status.")
            .path_param("id", "The invoice's id")
            .answer_schema(
                200,
                "The invoice; `ETag` holds its version",
                invoice.clone(),
            )
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/orders/{id}/invoice",
        post(invoice_order),
        Op::new("billing", "invoice_order", "Invoice an order")
            .describe(
                "Copies the order's lines into a new invoice and marks the order \
                 `invoiced`; `{}` takes every default. 409 when the order is already \
                 invoiced.",
            )
            .path_param("id", "The order's id")
            .body::<IssueOptions>("Issue date, terms, series, fiscal fields (all optional)")
            .answer_schema(201, "The invoice", invoice.clone())
            .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/quotes/{id}/invoice",
        post(invoice_quote),
        Op::new("billing", "invoice_quote", "Invoice an accepted quote")
            .describe(
                "Copies the quote's lines; 409 unless the quote is accepted, already \
                 invoiced, or has an order (invoice the order then).",
            )
            .path_param("id", "The quote's id")
            .body::<IssueOptions>("Issue date, terms, series, fiscal fields (all optional)")
            .answer_schema(201, "The invoice", invoice.clone())
            .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/invoices/{id}/notes",
        post(note),
        Op::new(
            "billing",
            "create_invoice_note",
            "Correct an invoice with a note",
        )
        .describe(
            "A `credit_note` or `debit_note` on the invoice, in its currency and series \
                 (numbered `NC-A-0001-00000001`, `ND-...`). A credit note above what the \
                 invoice has left to credit answers 422 on `lines`; it settles the invoice \
                 as far as it is open and leaves the rest on account.",
        )
        .path_param("id", "The invoice's id")
        .body::<NewNote>("Kind, reason and lines")
        .answer_schema(201, "The note", invoice.clone())
        .problems(&[400, 403, 404, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/payments",
        get(list_payments),
        Op::new("billing", "list_payments", "Payments")
            .describe("Newest first, a page at a time, with what each left on account.")
            .query("account_id", "Only this account's")
            .query("limit", "Page size (1 to 500, default 100)")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "The payments", payment_page)
            .problems(&[400, 403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/payments",
        post(create_payment),
        Op::new("billing", "create_payment", "Record a payment")
            .describe(
                "Numbered `R-2026-000001`. `allocations` settle invoices or debit notes of \
                 the same customer and currency, each at most what is open on it and all \
                 together at most the amount; the rest stays on account. Any of these \
                 broken answers 422 naming `allocations[i].invoice_id`, \
                 `allocations[i].amount` or `allocations`, with nothing written.",
            )
            .body::<NewPayment>("Account, amount, method, allocations")
            .answer_schema(
                201,
                "The payment; `ETag` holds its version",
                payment.clone(),
            )
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/payments/{id}",
        get(read_payment),
        Op::new("billing", "get_payment", "Read a payment")
            .describe("With its allocations, reversed ones included.")
            .path_param("id", "The payment's id")
            .answer_schema(
                200,
                "The payment; `ETag` holds its version",
                payment.clone(),
            )
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/payments/{id}/allocations",
        post(allocate),
        Op::new("billing", "allocate_payment", "Apply money on account")
            .describe(
                "Allocates what the payment left on account to invoices, checked as when \
                 it was recorded. Send the payment's version in `If-Match`: when two \
                 clerks allocate the same payment at once, the second answers 412.",
            )
            .path_param("id", "The payment's id")
            .header(
                "If-Match",
                "The payment's version the allocation is based on",
            )
            .body::<AllocateInput>("The allocations")
            .answer_schema(200, "The payment", payment.clone())
            .problems(&[400, 403, 404, 409, 412, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/payments/{id}/allocations/{allocation_id}/reverse",
        post(reverse_allocation),
        Op::new("billing", "reverse_allocation", "Take back an allocation")
            .describe(
                "The invoice reopens from today and the money returns to the payment's \
                 balance on account; the reason is kept and audited.",
            )
            .path_param("id", "The payment's id")
            .path_param("allocation_id", "The allocation's id")
            .header("If-Match", "The payment's version")
            .body::<ReversalInput>("Why")
            .answer_schema(200, "The payment", payment.clone())
            .problems(&[400, 403, 404, 409, 412, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/payments/{id}/reverse",
        post(reverse_payment),
        Op::new("billing", "reverse_payment", "Take back a whole payment")
            .describe(
                "For a returned transfer or a bounced cheque: the payment stops counting \
                 from today and every invoice it settled reopens. 409 when already reversed.",
            )
            .path_param("id", "The payment's id")
            .header("If-Match", "The payment's version")
            .body::<ReversalInput>("Why")
            .answer_schema(200, "The payment", payment)
            .problems(&[400, 403, 404, 409, 412, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/statement",
        get(statement),
        Op::new(
            "billing",
            "account_statement",
            "A customer's current account statement",
        )
        .describe(
            "The balance before `from`, every invoice, note, payment and reversal to \
                 `as_of` (default today) with the running balance, the charges open on \
                 `as_of` and their ageing. One currency at a time (`currencies` lists the \
                 customer's). The statement's closing balance, the ageing's total and the \
                 risk's balance always agree.",
        )
        .path_param("id", "The account's id")
        .query("currency", "Default: the customer's first currency")
        .query_with(
            "from",
            "First day listed (default: from the start)",
            date_schema(),
            false,
        )
        .query_with(
            "as_of",
            "Last day counted (default today)",
            date_schema(),
            false,
        )
        .answer_schema(200, "The statement", statement_schema)
        .problems(&[400, 403, 404, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/risk",
        get(risk),
        Op::new("billing", "account_risk", "A customer's risk light")
            .describe(
                "`green`: nothing overdue; `amber`: overdue up to 30 days; `red`: overdue \
                 more than 30 days or a cheque bounced in the last 12 months. `action` is \
                 what the company's policy (settings `billing.risk_policy`, default amber \
                 `warn`, red `approval`) does at that level: with `approval` and no \
                 `approved_until`, sending a quote or confirming an order for the customer \
                 answers 409 saying why.",
            )
            .path_param("id", "The account's id")
            .answer_schema(200, "The risk", risk_schema.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/accounts/{id}/risk/approvals",
        post(approve),
        Op::new(
            "billing",
            "approve_risk",
            "A manager approves selling to a risky customer",
        )
        .describe(
            "Covers the customer's present level (and below) for `days` (default 7): \
                 quotes can be sent and orders confirmed meanwhile. Needs billing admin (the \
                 manager and admin roles); audited on the account. 409 when the light is \
                 green.",
        )
        .path_param("id", "The account's id")
        .body::<ApprovalInput>("Why, and for how many days")
        .answer_schema(201, "The risk, now approved", risk_schema)
        .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/receivables/ageing",
        get(ageing),
        Op::new("billing", "receivables_ageing", "Receivables ageing")
            .describe(
                "What every customer owes as of a date, spread over the ageing buckets \
                 (settings `billing.ageing_buckets`, default current, 1-30, 31-60, 61-90, \
                 91+), by customer, rep, territory or currency, largest overdue first, with totals per \
                 currency. Money on account is `unapplied` and subtracted from `total`.",
            )
            .query_with("as_of", "Default today", date_schema(), false)
            .query_with(
                "group_by",
                "customer (default), rep, territory or currency",
                enum_schema(&["customer", "rep", "territory", "currency"]),
                false,
            )
            .query("currency", "Only this currency")
            .query("rep_id", "Only the customers of this rep (a rep's row, drilled down)")
            .query(
                "territory_id",
                "Only the customers in this territory (a territory's row, drilled down)",
            )
            .answer_schema(200, "The ageing", ageing_schema)
            .problems(&[400, 403, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/cheques",
        get(list_cheques),
        Op::new("billing", "list_cheques", "The cheque wallet")
            .describe(
                "Cheques received, by payment date (the maturity calendar). \
                 `to_deposit=true`: on hand and payable today or earlier; `state` narrows \
                 to one state; `bounced_within_days=N`: bounced in the last N days.",
            )
            .query("account_id", "Only this account's")
            .query_with(
                "state",
                "on_hand, deposited, credited, bounced, endorsed or returned",
                enum_schema(&[
                    "on_hand",
                    "deposited",
                    "credited",
                    "bounced",
                    "endorsed",
                    "returned",
                ]),
                false,
            )
            .query_with(
                "to_deposit",
                "true: what to take to the bank today",
                enum_schema(&["true", "false"]),
                false,
            )
            .query_with("bounced_within_days", "1 to 3650", int_schema(1, 3650), false)
            .query("limit", "Page size (1 to 500, default 100)")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "The cheques", cheque_page)
            .problems(&[400, 403, 404]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/cheques/{id}",
        get(read_cheque),
        Op::new("billing", "get_cheque", "Read a cheque")
            .path_param("id", "The cheque's id")
            .answer_schema(200, "The cheque; `ETag` holds its version", cheque.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/cheques/{id}/state",
        post(move_cheque),
        Op::new(
            "billing",
            "move_cheque",
            "Deposit, credit, endorse, bounce or return a cheque",
        )
        .describe(
            "A cheque enters the wallet `on_hand` with a payment by cheque \
                 (`POST /api/v1/payments` with `method: cheque` and `cheque`). From there: \
                 `deposited` then `credited`; `endorsed` to a supplier (`supplier_id`); \
                 `returned`; `bounced` (with `reason`) from on hand, deposited or endorsed. A \
                 bounce takes its payment back (the invoices it settled reopen), charges \
                 `bank_fee` as a debit note when given, and notifies the account's rep and \
                 the collections team. A move the wallet does not allow answers 422 on \
                 `state`.",
        )
        .path_param("id", "The cheque's id")
        .header("If-Match", "The cheque's version")
        .body::<ChequeMove>("The new state and its details")
        .answer_schema(200, "The cheque", cheque)
        .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/invoices/{id}/pdf",
        get(invoice_pdf),
        Op::new("billing", "get_invoice_pdf", "An invoice or note as PDF")
            .describe("Printed from the company's invoice template in the document's language.")
            .path_param("id", "The invoice's id")
            .answer_text(200, "The PDF", "application/pdf")
            .problems(&[403, 404, 409]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/invoices/{id}/send",
        post(send_invoice),
        Op::new(
            "billing",
            "send_invoice",
            "Email an invoice or note with its PDF",
        )
        .describe(
            "To `to`, or the contact's first email; the subject and message default to \
                 the document's language. Marks it sent. A mail server that refuses it \
                 answers 409 and nothing changes.",
        )
        .path_param("id", "The invoice's id")
        .body::<SendInput>("The recipient, subject and message (all optional)")
        .answer_schema(200, "The invoice", invoice)
        .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/statement/pdf",
        get(statement_pdf),
        Op::new(
            "billing",
            "account_statement_pdf",
            "A customer's statement as PDF",
        )
        .describe(
            "The same figures as `GET .../statement`, printed; `language` es (default) or en.",
        )
        .path_param("id", "The account's id")
        .query("currency", "Default: the customer's first currency")
        .query_with("from", "First day listed", date_schema(), false)
        .query_with(
            "as_of",
            "Last day counted (default today)",
            date_schema(),
            false,
        )
        .query_with(
            "language",
            "es (default) or en",
            enum_schema(&["es", "en"]),
            false,
        )
        .answer_text(200, "The PDF", "application/pdf")
        .problems(&[400, 403, 404, 409, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/accounts/{id}/statement/xlsx",
        get(statement_xlsx),
        Op::new(
            "billing",
            "account_statement_xlsx",
            "A customer's statement as XLSX",
        )
        .describe("One row per movement with numeric debit, credit and balance columns.")
        .path_param("id", "The account's id")
        .query("currency", "Default: the customer's first currency")
        .query_with("from", "First day listed", date_schema(), false)
        .query_with(
            "as_of",
            "Last day counted (default today)",
            date_schema(),
            false,
        )
        .query_with(
            "language",
            "es (default) or en",
            enum_schema(&["es", "en"]),
            false,
        )
        .answer_text(200, "The workbook", cartera_core::io::XLSX_TYPE)
        .problems(&[400, 403, 404, 409, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/accounts/{id}/statement/send",
        post(send_statement),
        Op::new(
            "billing",
            "send_account_statement",
            "Email a customer's statement",
        )
        .describe(
            "The statement's PDF to `to`, or the account's first contact with an \
                 email; answers the address it went to. 409 when the mail server refuses.",
        )
        .path_param("id", "The account's id")
        .query("currency", "Default: the customer's first currency")
        .query_with("from", "First day listed", date_schema(), false)
        .query_with(
            "as_of",
            "Last day counted (default today)",
            date_schema(),
            false,
        )
        .query_with(
            "language",
            "es (default) or en",
            enum_schema(&["es", "en"]),
            false,
        )
        .body::<SendInput>("The recipient, subject and message (all optional)")
        .answer::<StatementSent>(200, "Where it went")
        .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/receivables/ageing/xlsx",
        get(export_ageing),
        Op::new("billing", "export_ageing", "Receivables ageing as XLSX")
            .describe("The rows of `GET /api/v1/receivables/ageing` and a total per currency; needs billing export.")
            .query_with("as_of", "Default today", date_schema(), false)
            .query_with(
                "group_by",
                "customer (default), rep, territory or currency",
                enum_schema(&["customer", "rep", "territory", "currency"]),
                false,
            )
            .query("currency", "Only this currency")
            .query("rep_id", "Only the customers of this rep (a rep's row, drilled down)")
            .query(
                "territory_id",
                "Only the customers in this territory (a territory's row, drilled down)",
            )
            .answer_text(200, "The workbook", cartera_core::io::XLSX_TYPE)
            .problems(&[400, 403, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/invoices/download",
        get(export_invoices),
        Op::new("billing", "export_invoices", "Invoices and notes as CSV or XLSX")
            .describe("The same filters as the list; at most 100,000 rows (409 beyond: narrow it).")
            .query("account_id", "Only this account's")
            .query_with("kind", "invoice, credit_note or debit_note", enum_schema(&["invoice", "credit_note", "debit_note"]), false)
            .query_with("status", "all (default), open or overdue", enum_schema(&["all", "open", "overdue"]), false)
            .query_with("format", "xlsx (default) or csv", enum_schema(&["xlsx", "csv"]), false)
            .answer_files(200, "The file", &[cartera_core::io::XLSX_TYPE, "text/csv; charset=utf-8"])
            .problems(&[400, 403, 404, 409]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/payments/download",
        get(export_payments),
        Op::new("billing", "export_payments", "Payments as CSV or XLSX")
            .describe("At most 100,000 rows (409 beyond: narrow it to an account).")
            .query("account_id", "Only this account's")
            .query_with("format", "xlsx (default) or csv", enum_schema(&["xlsx", "csv"]), false)
            .answer_files(200, "The file", &[cartera_core::io::XLSX_TYPE, "text/csv; charset=utf-8"])
            .problems(&[400, 403, 404, 409]),
    )
}
