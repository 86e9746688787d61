//! Invoices and payments brought from another system: `POST /api/v1/invoices/import`
//! and `POST /api/v1/payments/import`. The body is the file, as the generic imports
//! take their upload; the format comes from `format`, else the `Content-Type`, else the
//! file's first bytes.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use utoipa::openapi::path::HttpMethod;

use cartera_app::AppError;
use cartera_app::billing::imports::{self, Outcome, Summary};
use cartera_core::billing::imports::{MAX_ROWS, Sheet};
use cartera_core::imports::ImportOptions;
use cartera_core::imports::read::FileFormat;

use super::doc::{Api, Op, enum_schema};
use super::extract::{Auth, QueryPairs};
use super::imports::{options_from, spool};
use crate::problem::ApiError;
use crate::state::AppState;

const PARAMS: &[&str] = &[
    "format",
    "encoding",
    "delimiter",
    "sheet",
    "locale",
    "dry_run",
    "file_name",
];

/// The format a `Content-Type` names, if it names one.
fn format_of(headers: &HeaderMap) -> Option<FileFormat> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" | "application/csv" => Some(FileFormat::Csv),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Some(FileFormat::Xlsx)
        }
        "application/vnd.ms-excel" => Some(FileFormat::Xls),
        "application/vnd.oasis.opendocument.spreadsheet" => Some(FileFormat::Ods),
        _ => None,
    }
}

/// The read options of the query, with the format of the `Content-Type` when the query
/// names none.
pub fn read_options(q: &QueryPairs, headers: &HeaderMap) -> Result<ImportOptions, ApiError> {
    let mut o = options_from(q)?;
    if o.read.format.is_none() {
        o.read.format = format_of(headers);
    }
    Ok(o)
}

/// The answer of a file: 201 when written, 200 for a dry run, 422 naming rows and
/// columns when refused.
pub fn answer(outcome: Outcome) -> Result<Response, ApiError> {
    match outcome {
        Outcome::Done(s) => {
            let status = if s.dry_run {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((status, Json(s)).into_response())
        }
        Outcome::Rejected(issues) => Err(AppError::Invalid(Outcome::violations(&issues)).into()),
    }
}

async fn import_invoices(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    import(s, actor, Sheet::Invoices, q, headers, body).await
}

async fn import_payments(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    import(s, actor, Sheet::Payments, q, headers, body).await
}

async fn import(
    s: AppState,
    actor: cartera_app::Actor,
    sheet: Sheet,
    q: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    q.only(PARAMS)?;
    let options = read_options(&q, &headers)?;
    let dry_run = q.flag("dry_run")?;
    let name = q.get("file_name").unwrap_or("file").to_owned();
    let tmp = spool(&headers, body).await?;
    answer(imports::import(&s.app, &actor, sheet, tmp.path(), &name, options, dry_run).await?)
}

fn op(id: &str, summary: &str, text: &str) -> Op {
    Op::new("billing", id, summary)
        .describe(&format!(
            "{text} The request body is the file itself (XLSX, XLS, ODS or CSV; the format from \
             `format`, else the `Content-Type`, else the file's first bytes; CSV in any encoding \
             and delimiter the generic imports read). Headers in Spanish or English, any case or \
             accents; unknown columns are ignored. At most {MAX_ROWS} rows (413 beyond). All or \
             nothing in one transaction: any bad row answers 422 with every problem named \
             `rows[n].<column>` (`n` is the file's row, the header being row 1; a missing \
             column is `columns.<column>`) and nothing is written. `dry_run=true` checks \
             everything and writes nothing (200). Needs billing create; each document is \
             audited with the request id `import:<request id>`."
        ))
        .query_with(
            "dry_run",
            "true: only check",
            enum_schema(&["true", "false"]),
            false,
        )
        .query_with(
            "format",
            "`csv`, `xlsx`, `xls` or `ods`, instead of detecting it.",
            enum_schema(&["csv", "xlsx", "xls", "ods"]),
            false,
        )
        .query_with(
            "encoding",
            "A CSV's encoding, instead of detecting it.",
            enum_schema(&["utf-8", "utf-16le", "utf-16be", "windows-1252"]),
            false,
        )
        .query_with(
            "delimiter",
            "A CSV's delimiter, instead of sniffing it.",
            enum_schema(&[",", ";", "|", "tab"]),
            false,
        )
        .query("sheet", "The worksheet to read (default the first).")
        .query_with(
            "locale",
            "How dates and numbers are written: `es` (default: `22/11/2026`, `1.234,50`) or `en`.",
            enum_schema(&["es", "en"]),
            false,
        )
        .query("file_name", "The file's name (a hint to its format).")
        .answer::<Summary>(201, "Written: the documents created")
        .answer::<Summary>(200, "Dry run: what would be created")
        .problems(&[400, 403, 413, 422])
}

pub fn mount(api: Api) -> Api {
    api.route(
        HttpMethod::Post,
        "/api/v1/invoices/import",
        post(import_invoices),
        op(
            "import_invoices",
            "Import invoices and notes from a spreadsheet",
            "Columns: `cliente`/`customer`/`account` (account id or exact name) or \
             `cuit`/`tax_id`; `tipo`/`kind` (`invoice`, `credit_note`, `debit_note`, or \
             `factura`, `nota de crédito`, `nota de débito`; default invoice); `número`/`number` \
             (a legacy number, kept as the document's and never taken from the series; unique); \
             `fecha`/`date` (required); `vencimiento`/`due_date` (default: the company's terms); \
             `moneda`/`currency` (default the company's); `total` (required), optionally \
             `neto`/`net` and `iva`/`tax` adding up to it; `descripción`/`description`.",
        ),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/payments/import",
        post(import_payments),
        op(
            "import_payments",
            "Import payments received from a spreadsheet",
            "Columns: `cliente`/`customer` or `cuit`/`tax_id`; `fecha`/`date` (required); \
             `importe`/`amount` (required); `moneda`/`currency`; `medio`/`method` (`cash`, \
             `transfer`, `card`, `cheque`, `other` or `efectivo`, `transferencia`, `tarjeta`, \
             `cheque`, `otro`; default other); `referencia`/`reference`; `factura`/`invoice` \
             (invoice numbers separated by `;`, settled in that order up to the amount; the \
             rest stays on account).",
        ),
    )
}
