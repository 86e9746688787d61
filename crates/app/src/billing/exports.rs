//! Billing's spreadsheets: the receivables ageing as XLSX, and the invoices and payments
//! lists as CSV or XLSX (English column names, like every export, so that a file reads
//! back the same in any company; amounts as numbers a spreadsheet sums).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use cartera_core::Id;
use cartera_core::io::{Cell, Format, Sheet, SheetError, XlsxSheet};
use cartera_core::roles::{Action, Module};

use super::accounts::{self, AgeingFilter, AgeingGroup};
use super::invoices::{self, Filter};
use super::payments;
use crate::{Actor, App, AppError, Result};

/// The most rows a billing export holds; more asks for a narrower filter.
pub const MAX_ROWS: usize = 100_000;

/// An amount: a number cell in a workbook (a spreadsheet sums it), the exact decimal
/// text in a CSV file (`200.00`, never a float's `200.0`).
fn amount(d: Decimal, format: Format) -> Cell {
    match format {
        Format::Csv => Cell::Text(d.to_string()),
        Format::Xlsx => d
            .to_string()
            .parse::<serde_json::Number>()
            .map(Cell::Number)
            .unwrap_or_else(|_| Cell::Text(d.to_string())),
    }
}

fn num(d: Decimal) -> Cell {
    amount(d, Format::Xlsx)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn fail(e: SheetError) -> AppError {
    AppError::Conflict(e.to_string())
}

fn file(format: Format, heads: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>> {
    let heads: Vec<String> = heads.iter().map(|h| (*h).to_owned()).collect();
    let mut sheet: Box<dyn Sheet> = match format {
        Format::Csv => Box::new(cartera_core::io::CsvSheet::new(&heads)),
        Format::Xlsx => Box::new(XlsxSheet::new(&heads)),
    };
    let mut out = sheet.write(rows).map_err(fail)?;
    out.extend(sheet.finish().map_err(fail)?);
    Ok(out)
}

/// The ageing as of a day, one row per customer, rep or currency, with its totals.
pub async fn ageing(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    group: AgeingGroup,
    filter: AgeingFilter,
) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Billing, Action::Export)?;
    let a = accounts::ageing(app, actor, as_of, group, filter).await?;
    let mut heads: Vec<String> = vec!["name".into(), "currency".into()];
    heads.extend(a.buckets.iter().cloned());
    heads.extend(["unapplied".into(), "total".into(), "open_invoices".into()]);
    let row = |r: &accounts::AgeingRow| {
        let mut cells = vec![text(r.name.clone()), text(r.currency.as_str())];
        cells.extend(r.aged.buckets.iter().map(|b| num(*b)));
        cells.push(num(r.aged.unapplied));
        cells.push(num(r.aged.total));
        cells.push(num(Decimal::from(r.open_invoices)));
        cells
    };
    let mut rows: Vec<Vec<Cell>> = a.rows.iter().map(row).collect();
    for t in &a.totals {
        let mut cells = row(t);
        cells[0] = text(format!("TOTAL {}", t.currency.as_str()));
        rows.push(cells);
    }
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    Ok((
        format!("ageing-{}.xlsx", a.as_of),
        file(Format::Xlsx, &heads, &rows)?,
    ))
}

/// Every invoice and note the actor sees (through `filter`), newest first.
pub async fn invoices(
    app: &App,
    actor: &Actor,
    filter: Filter,
    format: Format,
) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Billing, Action::Export)?;
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = invoices::page(app, actor, filter.clone(), cursor.as_deref(), 500).await?;
        for i in &page.data {
            rows.push(vec![
                text(i.number.clone()),
                text(i.kind.as_str()),
                text(i.account_id.to_string()),
                text(i.issue_date.to_string()),
                text(i.due_date.to_string()),
                text(i.currency.as_str()),
                amount(i.totals.total, format),
                amount(i.open, format),
                text(format!("{:?}", i.payment_status).to_lowercase()),
                text(i.corrects_id.map(|c| c.to_string()).unwrap_or_default()),
                text(i.id.to_string()),
            ]);
        }
        if rows.len() > MAX_ROWS {
            return Err(AppError::Conflict(format!(
                "more than {MAX_ROWS} invoices: narrow the export (an account, a status)"
            )));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let heads = [
        "number",
        "kind",
        "account_id",
        "issue_date",
        "due_date",
        "currency",
        "total",
        "open",
        "payment_status",
        "corrects_id",
        "id",
    ];
    Ok((
        format!("invoices.{}", format.as_str()),
        file(format, &heads, &rows)?,
    ))
}

/// Every payment the actor sees (of `account` when given), newest first.
pub async fn payments(
    app: &App,
    actor: &Actor,
    account: Option<Id>,
    format: Format,
) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Billing, Action::Export)?;
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = payments::page(app, actor, account, cursor.as_deref(), 500).await?;
        for p in &page.data {
            rows.push(vec![
                text(p.number.clone()),
                text(p.account_id.to_string()),
                text(p.received_on.to_string()),
                text(p.method.as_str()),
                text(p.currency.as_str()),
                amount(p.amount, format),
                amount(p.applied, format),
                amount(p.unapplied, format),
                text(p.reference.clone().unwrap_or_default()),
                text(p.reversed_on.map(|d| d.to_string()).unwrap_or_default()),
                text(p.id.to_string()),
            ]);
        }
        if rows.len() > MAX_ROWS {
            return Err(AppError::Conflict(format!(
                "more than {MAX_ROWS} payments: narrow the export to an account"
            )));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let heads = [
        "number",
        "account_id",
        "received_on",
        "method",
        "currency",
        "amount",
        "applied",
        "unapplied",
        "reference",
        "reversed_on",
        "id",
    ];
    Ok((
        format!("payments.{}", format.as_str()),
        file(format, &heads, &rows)?,
    ))
}
