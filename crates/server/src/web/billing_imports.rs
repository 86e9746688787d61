//! The import pages of invoices and payments: what the columns are, a template to fill,
//! the file sent as the request body (app.js, as the generic import page sends its
//! upload), "Review" (a dry run) and "Import"; the answer is the result panel, the row
//! problems worded in the reader's language. They call `cartera_app::billing::imports`
//! like the API.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use cartera_app::billing::imports::{self, Outcome, RowIssue};
use cartera_core::billing::imports::{Problem, Sheet};
use cartera_core::roles::Action;

use super::billing_common::{may, word};
use super::figures::amount;
use super::i18n::ArgValue;
use super::render::{Me, Page};

use crate::api::billing_imports::read_options;
use crate::api::extract::QueryPairs;
use crate::api::imports::spool;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/billing/import/{sheet}", get(page).post(import))
        .route("/billing/import/{sheet}/template.csv", get(template))
}

fn sheet_of(name: &str) -> Option<Sheet> {
    match name {
        "invoices" => Some(Sheet::Invoices),
        "payments" => Some(Sheet::Payments),
        _ => None,
    }
}

async fn page(State(_): State<AppState>, me: Me, Path(name): Path<String>) -> Response {
    let Some(sheet) = sheet_of(&name) else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    if !may(&me, Action::Create) {
        return me.page.error_page(StatusCode::FORBIDDEN, "forbidden");
    }
    let columns: Vec<Value> = sheet
        .columns()
        .iter()
        .zip(sheet.template_header())
        .map(|(c, header)| json!({"key": c.as_str(), "header": header}))
        .collect();
    me.page.render(
        StatusCode::OK,
        "billing/import.html",
        json!({"nav": "receivables", "tab": name, "sheet": name, "columns": columns}),
    )
}

/// The header row to fill, as a CSV a Spanish Excel opens (`;`, with a BOM).
async fn template(me: Me, Path(name): Path<String>) -> Response {
    let Some(sheet) = sheet_of(&name) else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let body = format!("\u{feff}{}\r\n", sheet.template_header().join(";"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The file as the request body, `dry_run`, `locale` and `file_name` in the query; the
/// answer is the result panel.
async fn import(
    State(s): State<AppState>,
    me: Me,
    Path(name): Path<String>,
    q: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(sheet) = sheet_of(&name) else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let options = match read_options(&q, &headers) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let dry_run = q.get("dry_run") == Some("true");
    let tmp = match spool(&headers, body).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let file_name = q.get("file_name").unwrap_or("file").to_owned();
    let outcome = match imports::import(
        &s.app,
        me.actor(),
        sheet,
        tmp.path(),
        &file_name,
        options,
        dry_run,
    )
    .await
    {
        Ok(o) => o,
        // A file that cannot be read, too many rows: the script says so in words.
        Err(e) => return crate::problem::ApiError::from(e).into_response(),
    };
    let ctx = match outcome {
        Outcome::Done(summary) => json!({
            "sheet": name,
            "ok": true,
            "dry_run": summary.dry_run,
            "rows": summary.rows,
            "count": summary.would_create,
        }),
        Outcome::Rejected(issues) => {
            let problems: Vec<Value> = issues.iter().map(|i| in_words(&me.page, i)).collect();
            json!({"sheet": name, "ok": false, "problems": problems})
        }
    };
    me.page
        .render(StatusCode::OK, "billing/import_result.html", ctx)
}

/// One problem as a line of the result: its row, its column's name and why, in the
/// reader's language.
fn in_words(page: &Page, issue: &RowIssue) -> Value {
    let text = |s: &str| ArgValue::Text(s.to_owned());
    let money = |d| ArgValue::Text(amount(page.locale, d));
    let args: Vec<(&str, ArgValue)> = match &issue.problem {
        Problem::NotADate { value }
        | Problem::NotANumber { value }
        | Problem::NotCents { value }
        | Problem::NotPositive { value }
        | Problem::Negative { value }
        | Problem::UnknownKind { value }
        | Problem::UnknownMethod { value }
        | Problem::UnknownCurrency { value }
        | Problem::UnknownCustomer { value } => vec![("value", text(value))],
        Problem::AmbiguousCustomer { value, count } => {
            vec![
                ("value", text(value)),
                ("count", ArgValue::Number(*count as f64)),
            ]
        }
        Problem::Sum { net, tax, total } => {
            vec![
                ("net", money(*net)),
                ("tax", money(*tax)),
                ("total", money(*total)),
            ]
        }
        Problem::RepeatsRow { row } => vec![("row", ArgValue::Number(*row as f64))],
        Problem::NumberTaken { number }
        | Problem::UnknownInvoice { number }
        | Problem::OtherCustomersInvoice { number }
        | Problem::NothingOpen { number } => vec![("number", text(number))],
        Problem::TooLong { max } => vec![("max", ArgValue::Number(*max as f64))],
        _ => Vec::new(),
    };
    let message = match &issue.problem {
        // A rule of the write path: worded by its code.
        Problem::Rule { code, .. } => page.t(&format!("billing-import-rule-{}", word(code))),
        p => page.t_args(&format!("billing-import-problem-{}", p.slug()), &args),
    };
    json!({
        "row": issue.row,
        "column": page.t(&format!("billing-import-col-{}", issue.column.as_str())),
        "message": message,
    })
}
