//! Quotes: create, change (revisions), PDF, send by email, accept or reject; the
//! conversion report; the quote template and logo.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::quotes::print::{SendInput, Sent};
use cartera_app::quotes::{self, ConversionRow, NewQuote, QuoteChange, TemplateInfo};
use cartera_core::quotes::Quote;
use cartera_core::{Code, Id};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, Input, QueryPairs, RecordId};
use super::paging::limit_param;
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Quote>>, ApiError> {
    q.only(&["account_id", "limit", "cursor"])?;
    let account = account_param(&q)?;
    let limit = limit_param(&q)?;
    let page = quotes::page(&s.app, &actor, account, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.data,
        next_cursor: page.next_cursor,
    }))
}

/// `account_id` of a list of quotes or orders.
pub(super) fn account_param(q: &QueryPairs) -> Result<Option<Id>, ApiError> {
    q.get("account_id")
        .map(|a| {
            a.parse::<Id>()
                .map_err(|_| ApiError::bad_field("account_id", Code::Invalid, "must be an id"))
        })
        .transpose()
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let q = quotes::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &q, q.version, None))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewQuote>,
) -> Result<Response, ApiError> {
    let q = quotes::create(&s.app, &actor, input).await?;
    Ok(record_response(StatusCode::CREATED, &q, q.version, None))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<QuoteChange>,
) -> Result<Response, ApiError> {
    let q = quotes::update(&s.app, &actor, id, change, version).await?;
    Ok(record_response(StatusCode::OK, &q, q.version, None))
}

async fn revision(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Path((id, n)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let id: Id = id.parse().map_err(|_| ApiError::not_found())?;
    let n: i64 = n.parse().map_err(|_| ApiError::not_found())?;
    Ok(Json(quotes::revision(&s.app, &actor, id, n).await?))
}

async fn pdf(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let (name, bytes) = quotes::print::pdf(&s.app, &actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn send(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    body: Bytes,
) -> Result<Json<Sent>, ApiError> {
    // The body is optional: no body sends to the contact.
    let bad = |e: serde_json::Error| {
        ApiError::bad_field(
            "to",
            Code::Invalid,
            format!("the body must be {{\"to\": \"address\"}}: {e}"),
        )
    };
    let input: SendInput = if body.iter().all(u8::is_ascii_whitespace) {
        SendInput::default()
    } else {
        match serde_json::from_slice::<Value>(&body)
            .map(super::extract::nfc_value)
            .map_err(bad)?
        {
            Value::Null => SendInput::default(),
            v => serde_json::from_value(v).map_err(bad)?,
        }
    };
    Ok(Json(quotes::print::send(&s.app, &actor, id, input).await?))
}

async fn accept(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Quote>, ApiError> {
    Ok(Json(quotes::decide(&s.app, &actor, id, true).await?))
}

async fn reject(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Quote>, ApiError> {
    Ok(Json(quotes::decide(&s.app, &actor, id, false).await?))
}

/// The conversion report.
#[derive(Serialize, ToSchema)]
struct Conversion {
    #[schema(value_type = String)]
    from: chrono::NaiveDate,
    #[schema(value_type = String)]
    to: chrono::NaiveDate,
    data: Vec<ConversionRow>,
}

fn date_param(q: &QueryPairs, name: &str) -> Result<chrono::NaiveDate, ApiError> {
    q.get(name)
        .ok_or_else(|| ApiError::bad_field(name, Code::Required, "a date as YYYY-MM-DD"))?
        .parse()
        .map_err(|_| ApiError::bad_field(name, Code::Invalid, "a date as YYYY-MM-DD"))
}

async fn conversion(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Conversion>, ApiError> {
    q.only(&["from", "to"])?;
    let (from, to) = (date_param(&q, "from")?, date_param(&q, "to")?);
    Ok(Json(Conversion {
        from,
        to,
        data: quotes::conversion(&s.app, &actor, from, to).await?,
    }))
}

/// An admin's document template (quotes, invoices).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TemplateInput {
    /// typst source; see the default for the data it receives.
    pub(super) template: String,
}

async fn get_template(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(quotes::template_info(&s.app, &actor).await?))
}

async fn put_template(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<TemplateInput>,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(
        quotes::set_template(&s.app, &actor, input.template).await?,
    ))
}

async fn reset_template(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(quotes::reset_template(&s.app, &actor).await?))
}

async fn put_logo(
    State(s): State<AppState>,
    Auth(actor): Auth,
    body: Bytes,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(quotes::set_logo(&s.app, &actor, body.to_vec()).await?))
}

async fn get_logo(State(s): State<AppState>, Auth(actor): Auth) -> Result<Response, ApiError> {
    let (kind, bytes) = quotes::logo_image(&s.app, &actor).await?;
    Ok(([(header::CONTENT_TYPE, kind)], bytes).into_response())
}

async fn delete_logo(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<TemplateInfo>, ApiError> {
    Ok(Json(quotes::delete_logo(&s.app, &actor).await?))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let quote = register::<Quote>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "QuotePage", quote.clone());
    register::<NewQuote>(&mut api.schemas);
    register::<QuoteChange>(&mut api.schemas);
    register::<SendInput>(&mut api.schemas);
    register::<TemplateInput>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/quotes",
        get(list),
        Op::new("quotes", "list_quotes", "Quotes")
            .describe(
                "Newest first, a page at a time (`next_cursor` is null on the last page); \
                 `account_id` narrows to one customer. A role that sees only its own (or its team's) records sees \
                 the quotes those people own.",
            )
            .query("account_id", "Only this account's quotes")
            .query("limit", "Page size (1 to 500, default 100)")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "The quotes", page)
            .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/quotes",
        post(create),
        Op::new("quotes", "create_quote", "Create a quote")
            .describe(
                "Lines name a catalogue `product_id` (its name, SKU, unit and tax rate are \
                 copied; its price comes from `price_list_id`, else the account's own list \
                 valid on the issue date) or are free text with `description`, \
                 `unit_price` and `tax_rate`. Totals come from the same arithmetic as \
                 `POST /api/v1/totals/preview`. The number is the next of the issue year \
                 (`P-2026-000123`), without gaps. Errors name their field: \
                 `lines[1].quantity`, `lines[0].product_id`, `currency` (differs from the \
                 price list), `account_id`, `contact_id`.",
            )
            .body::<NewQuote>("Account, contact, lines, discount, validity")
            .answer_schema(201, "The quote; `ETag` holds its version", quote.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/quotes/{id}",
        get(read),
        Op::new("quotes", "get_quote", "Read a quote")
            .describe(
                "`status` is as of today: a draft or sent quote past `valid_until` reads as \
                 `expired` (with `expired_on`).",
            )
            .path_param("id", "The quote's id")
            .answer_schema(200, "The quote; `ETag` holds its version", quote.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/quotes/{id}",
        axum::routing::patch(update),
        Op::new("quotes", "update_quote", "Change a quote")
            .describe(
                "A draft changes in place. A sent (or expired) quote becomes its next \
                 revision, a draft again; the revision the customer has stays readable at \
                 `/api/v1/quotes/{id}/revisions/{n}`. Accepted and rejected quotes answer \
                 409. `lines` replaces the lines whole.",
            )
            .path_param("id", "The quote's id")
            .header("If-Match", "The version the change is based on")
            .body::<QuoteChange>("The fields to change")
            .answer_schema(200, "The quote; `ETag` holds its version", quote.clone())
            .problems(&[400, 403, 404, 409, 412, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/quotes/{id}/revisions/{revision}",
        get(revision),
        Op::new("quotes", "get_quote_revision", "Read a revision of a quote")
            .path_param("id", "The quote's id")
            .path_param("revision", "The revision number, from 1")
            .answer_schema(200, "The quote as that revision stood", quote.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/quotes/{id}/pdf",
        get(pdf),
        Op::new("quotes", "get_quote_pdf", "The quote as PDF")
            .describe(
                "Printed from the company's quote template (Settings) in the quote's \
                 language, with the company's data and logo.",
            )
            .path_param("id", "The quote's id")
            .answer_text(200, "The PDF", "application/pdf")
            .problems(&[403, 404, 409]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/quotes/{id}/send",
        post(send),
        Op::new("quotes", "send_quote", "Email a quote with its PDF")
            .describe(
                "Sends the PDF to `to`, else to the contact's first email; with neither, \
                 422 naming `to` and nothing is sent or written. Marks the quote sent and \
                 logs the email as an activity (kind `email`) on the account's timeline. \
                 The body is optional.",
            )
            .path_param("id", "The quote's id")
            .body::<SendInput>("The recipient (optional)")
            .answer::<Sent>(200, "The quote, the address and the logged activity")
            .problems(&[400, 403, 404, 409, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/quotes/{id}/accept",
        post(accept),
        Op::new("quotes", "accept_quote", "The customer accepts the quote")
            .describe("Only a sent quote within its validity; otherwise 409.")
            .path_param("id", "The quote's id")
            .answer_schema(200, "The quote", quote.clone())
            .problems(&[403, 404, 409]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/quotes/{id}/reject",
        post(reject),
        Op::new("quotes", "reject_quote", "The customer rejects the quote")
            .describe("Only a sent quote within its validity; otherwise 409.")
            .path_param("id", "The quote's id")
            .answer_schema(200, "The quote", quote)
            .problems(&[403, 404, 409]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/reports/quote_conversion",
        get(conversion),
        Op::new(
            "quotes",
            "quote_conversion",
            "Quote-to-sale conversion per rep",
        )
        .describe(
            "Per owner: the quotes first sent from `from` to `to` (both days \
                 included, UTC), how many of them were accepted, and the rate.",
        )
        .query_with("from", "First day, YYYY-MM-DD", super::doc::date_schema(), true)
        .query_with("to", "Last day, YYYY-MM-DD", super::doc::date_schema(), true)
        .answer::<Conversion>(200, "The figures per owner")
        .problems(&[400, 403, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/settings/quote_template",
        get(get_template),
        Op::new("quotes", "get_quote_template", "The quote template")
            .describe("The typst template in use (the default until an admin saves one).")
            .answer::<TemplateInfo>(200, "The template")
            .problems(&[403]),
    )
    .route(
        HttpMethod::Put,
        "/api/v1/settings/quote_template",
        put(put_template),
        Op::new("quotes", "set_quote_template", "Save the quote template")
            .describe(
                "Admins only. The template is compiled with sample data in Spanish and \
                 English first; if it does not compile the answer is 422 naming \
                 `template` with typst's message and line, and the one in use stays.",
            )
            .body::<TemplateInput>("The typst source")
            .answer::<TemplateInfo>(200, "The template")
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/settings/quote_template",
        delete(reset_template),
        Op::new(
            "quotes",
            "reset_quote_template",
            "Go back to the default template",
        )
        .answer::<TemplateInfo>(200, "The template")
        .problems(&[403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/settings/logo",
        get(get_logo),
        Op::new("quotes", "get_logo", "The company logo")
            .answer_text(200, "The image", "image/png")
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Put,
        "/api/v1/settings/logo",
        put(put_logo),
        Op::new("quotes", "set_logo", "Upload the company logo")
            .describe(
                "Admins only. The body is the image itself: PNG, JPEG or SVG, up to 512 KB; \
                 anything else answers 422 naming `logo`.",
            )
            .answer::<TemplateInfo>(200, "The template settings")
            .problems(&[403, 422]),
    )
    .route(
        HttpMethod::Delete,
        "/api/v1/settings/logo",
        delete(delete_logo),
        Op::new("quotes", "delete_logo", "Remove the company logo")
            .answer::<TemplateInfo>(200, "The template settings")
            .problems(&[403]),
    )
}
