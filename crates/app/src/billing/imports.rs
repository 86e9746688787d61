//! Open invoices and payments received, brought from another system in a spreadsheet
//! (XLSX, XLS, ODS or CSV): one file, one transaction, all or nothing. Each row goes
//! through the billing write path (`invoices::legacy`, `payments::record`), so an
//! imported document is checked, numbered, audited and counted like one typed in; any
//! bad row rolls the whole file back and every bad row is reported, naming its column.
//! Why not the generic imports: see `docs/decisions/billing.md`.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::billing::imports::{self as core, Column, Header, MAX_ROWS, Problem, Sheet};
use cartera_core::billing::invoices::{InvoiceKind, MAX_TERMS_DAYS};
use cartera_core::billing::payments::is_cents;
use cartera_core::imports::ImportOptions;
use cartera_core::imports::read::{Raw, RawRow};
use cartera_core::imports::values::{self, Locale};
use cartera_core::money::Currency;
use cartera_core::record::{DuplicateKey, KeyKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Id, Violations, text};
use cartera_store::Conn;
use cartera_store::billing::invoices as invoices_store;

use super::invoices::{self, Legacy};
use super::payments::{self, AllocationInput, NewPayment, Source};
use crate::records::load_visible;
use crate::{Actor, App, AppError, Result};

/// What a file did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    /// Data rows read.
    pub rows: usize,
    /// Documents written (0 in a dry run).
    pub created: usize,
    /// Documents a real run writes (the rows, when every row is good).
    pub would_create: usize,
    pub dry_run: bool,
    /// The documents written, in the file's order (empty in a dry run).
    pub ids: Vec<Id>,
}

/// One problem of a file: its row (the file's own numbering, the header being row 1;
/// `None` for the header itself), the column and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowIssue {
    pub row: Option<u64>,
    pub column: Column,
    pub problem: Problem,
}

impl RowIssue {
    /// Its path in the API's answer: `rows[4].amount`, or `columns.total` for the header.
    pub fn field(&self) -> String {
        match self.row {
            Some(r) => format!("rows[{r}].{}", self.column.as_str()),
            None => format!("columns.{}", self.column.as_str()),
        }
    }
}

/// A file's fate: written (or checked, in a dry run), or refused for these problems.
#[derive(Debug)]
pub enum Outcome {
    Done(Summary),
    Rejected(Vec<RowIssue>),
}

impl Outcome {
    /// The problems as the API's violations (the English sentence, the field path).
    pub fn violations(issues: &[RowIssue]) -> Violations {
        let mut c = cartera_core::Check::new();
        for i in issues {
            c.add(&i.field(), i.problem.code(), i.problem.to_string());
        }
        c.violations()
    }
}

/// Reads `path` (its format as `options` say, else detected) and, unless `dry_run`,
/// writes its invoices and notes or its payments, all or nothing.
pub async fn import(
    app: &App,
    actor: &Actor,
    sheet: Sheet,
    path: &Path,
    file_name: &str,
    options: ImportOptions,
    dry_run: bool,
) -> Result<Outcome> {
    actor.permit(Module::Billing, Action::Create)?;
    let (names, rows) = read_rows(path, file_name, &options).await?;
    let header = match core::header(sheet, &names) {
        Ok(h) => h,
        Err(problems) => {
            return Ok(Outcome::Rejected(
                problems
                    .into_iter()
                    .map(|p| RowIssue {
                        row: None,
                        column: p.column,
                        problem: p.problem,
                    })
                    .collect(),
            ));
        }
    };
    // Every event of the file carries one request id, so the trail shows what it wrote.
    let mut actor = actor.clone();
    actor.request_id = Some(format!(
        "import:{}",
        actor
            .request_id
            .clone()
            .unwrap_or_else(|| Id::new().to_string())
    ));
    let mut conn = app.db.begin().await?;
    let company_currency = crate::settings::load(&mut conn).await?.reporting_currency;
    let mut run = Run {
        app,
        actor: &actor,
        header,
        locale: options.locale,
        currency: company_currency,
        customers: HashMap::new(),
        numbers: HashMap::new(),
        issues: Vec::new(),
        ids: Vec::new(),
    };
    for row in &rows {
        let before = run.issues.len();
        for p in &row.problems {
            run.issue(
                row.number,
                Column::Customer,
                Problem::Rule {
                    code: cartera_core::Code::Invalid,
                    message: p.to_string(),
                },
            );
        }
        if run.issues.len() > before {
            continue;
        }
        match sheet {
            Sheet::Invoices => run.invoice(&mut conn, row).await?,
            Sheet::Payments => run.payment(&mut conn, row).await?,
        }
    }
    let (issues, ids) = (run.issues, run.ids);
    if !issues.is_empty() {
        // Dropped, the transaction rolls back: nothing of the file is written.
        return Ok(Outcome::Rejected(issues));
    }
    let summary = Summary {
        rows: rows.len(),
        created: if dry_run { 0 } else { ids.len() },
        would_create: ids.len(),
        dry_run,
        ids: if dry_run { Vec::new() } else { ids },
    };
    if !dry_run {
        conn.commit().await?;
    }
    Ok(Outcome::Done(summary))
}

/// The file's header and its data rows, refusing more than [`MAX_ROWS`] (413).
async fn read_rows(
    path: &Path,
    file_name: &str,
    options: &ImportOptions,
) -> Result<(Vec<String>, Vec<RawRow>)> {
    let table =
        crate::imports::open_file(path.to_owned(), file_name.to_owned(), options.read.clone())
            .await?;
    tokio::task::spawn_blocking(move || {
        let mut t = table;
        let header = std::mem::take(&mut t.header);
        let mut rows = Vec::new();
        for row in t.by_ref() {
            let row = row.map_err(|e| {
                AppError::Invalid(Violations::one(
                    "file",
                    cartera_core::Code::Invalid,
                    e.to_string(),
                ))
            })?;
            if rows.len() == MAX_ROWS {
                return Err(AppError::TooLarge(format!(
                    "a file may hold at most {MAX_ROWS} rows; split it"
                )));
            }
            rows.push(row);
        }
        Ok((header, rows))
    })
    .await
    .map_err(|e| AppError::Conflict(format!("the file could not be read: {e}")))?
}

/// A customer as a row names it: its id, its owner.
#[derive(Debug, Clone, Copy)]
struct Customer {
    id: Id,
    owner: Option<Id>,
}

/// One file being written: what it found so far.
struct Run<'a> {
    app: &'a App,
    actor: &'a Actor,
    header: Header,
    locale: Locale,
    currency: Currency,
    /// Customers already looked up, by what the row wrote.
    customers: HashMap<(Column, String), std::result::Result<Customer, Problem>>,
    /// Legacy numbers of the file, with the row that first gave each.
    numbers: HashMap<String, u64>,
    issues: Vec<RowIssue>,
    ids: Vec<Id>,
}

impl Run<'_> {
    fn issue(&mut self, row: u64, column: Column, problem: Problem) {
        self.issues.push(RowIssue {
            row: Some(row),
            column,
            problem,
        });
    }

    fn cell<'r>(&self, row: &'r RawRow, column: Column) -> &'r Raw {
        self.header
            .position(column)
            .and_then(|i| row.cells.get(i))
            .unwrap_or(&Raw::Empty)
    }

    fn text(&self, row: &RawRow, column: Column) -> String {
        self.cell(row, column).text().trim().to_owned()
    }

    fn date(&mut self, row: &RawRow, column: Column) -> Option<NaiveDate> {
        let cell = self.cell(row, column);
        if cell.is_empty() {
            return None;
        }
        match values::date(cell, self.locale) {
            Ok(d) => Some(d),
            Err(e) => {
                self.issue(row.number, column, Problem::NotADate { value: e.value });
                None
            }
        }
    }

    /// An amount in cents; `None` when the cell is empty or bad (bad is reported).
    fn amount(&mut self, row: &RawRow, column: Column) -> Option<Decimal> {
        let cell = self.cell(row, column);
        if cell.is_empty() {
            return None;
        }
        let value = cell.text();
        match values::decimal(cell, self.locale) {
            Err(_) => self.issue(row.number, column, Problem::NotANumber { value }),
            Ok(d) if d.is_sign_negative() => {
                self.issue(row.number, column, Problem::Negative { value });
            }
            Ok(d) if !is_cents(d) => self.issue(row.number, column, Problem::NotCents { value }),
            Ok(d) => return Some(d),
        }
        None
    }

    fn required<T>(&mut self, row: &RawRow, column: Column, v: Option<T>) -> Option<T> {
        if v.is_none() && self.cell(row, column).is_empty() {
            self.issue(row.number, column, Problem::Required);
        }
        v
    }

    fn currency(&mut self, row: &RawRow) -> Option<Option<Currency>> {
        let t = self.text(row, Column::Currency);
        if t.is_empty() {
            return Some(None);
        }
        match t.to_ascii_uppercase().parse::<Currency>() {
            Ok(c) => Some(Some(c)),
            Err(_) => {
                self.issue(
                    row.number,
                    Column::Currency,
                    Problem::UnknownCurrency { value: t },
                );
                None
            }
        }
    }

    /// The row's customer: by tax id when the row gives one, else by account id or
    /// exact name (case and accents aside), among the accounts the importer sees.
    async fn customer(&mut self, conn: &mut Conn, row: &RawRow) -> Result<Option<Customer>> {
        let tax = self.text(row, Column::TaxId);
        let (column, value) = if tax.is_empty() {
            (Column::Customer, self.text(row, Column::Customer))
        } else {
            (Column::TaxId, tax)
        };
        if value.is_empty() {
            self.issue(row.number, column, Problem::Required);
            return Ok(None);
        }
        let key = (column, value.clone());
        let found = match self.customers.get(&key) {
            Some(f) => f.clone(),
            None => {
                let f = find_customer(conn, self.actor, column, &value).await?;
                self.customers.insert(key, f.clone());
                f
            }
        };
        Ok(match found {
            Ok(c) => Some(c),
            Err(p) => {
                self.issue(row.number, column, p);
                None
            }
        })
    }

    /// Violations of the write path, on the column they come from.
    fn rule_issues(&mut self, row: u64, e: AppError, column_of: fn(&str) -> Column) -> Result<()> {
        match e {
            AppError::Invalid(v) => {
                for x in v.0 {
                    self.issue(
                        row,
                        column_of(&x.field),
                        Problem::Rule {
                            code: x.code,
                            message: x.message,
                        },
                    );
                }
                Ok(())
            }
            other => Err(other),
        }
    }

    async fn invoice(&mut self, conn: &mut Conn, row: &RawRow) -> Result<()> {
        let n = row.number;
        let before = self.issues.len();
        let customer = self.customer(conn, row).await?;
        let kind_text = self.text(row, Column::Kind);
        let kind = core::kind(&kind_text);
        if kind.is_none() {
            self.issue(n, Column::Kind, Problem::UnknownKind { value: kind_text });
        }
        let number = self.legacy_number(conn, row).await?;
        let issued = self.date(row, Column::Date);
        let issued = self.required(row, Column::Date, issued);
        let due = self.date(row, Column::DueDate);
        let terms = match (issued, due) {
            (Some(i), Some(d)) if d < i => {
                self.issue(n, Column::DueDate, Problem::DueBeforeIssue);
                None
            }
            (Some(i), Some(d)) => {
                Some(u32::try_from((d - i).num_days()).unwrap_or(MAX_TERMS_DAYS + 1))
            }
            _ => None,
        };
        let currency = self.currency(row);
        let net = self.amount(row, Column::Net);
        let tax = self.amount(row, Column::Tax);
        let total = self.amount(row, Column::Total);
        let total = self.required(row, Column::Total, total);
        if total.is_some_and(|t| t.is_zero()) {
            let value = self.text(row, Column::Total);
            self.issue(n, Column::Total, Problem::NotPositive { value });
        }
        let (net, tax) = match (net, tax, total) {
            (Some(net), Some(tax), Some(total)) => {
                if net + tax != total {
                    self.issue(n, Column::Total, Problem::Sum { net, tax, total });
                }
                (net, tax)
            }
            (None, None, Some(total)) => (total, Decimal::ZERO),
            (Some(_), None, _) | (None, Some(_), _) => {
                let column = if net.is_some() {
                    Column::Tax
                } else {
                    Column::Net
                };
                if self.cell(row, column).is_empty() {
                    self.issue(n, column, Problem::NetWithoutTax);
                }
                (Decimal::ZERO, Decimal::ZERO)
            }
            _ => (Decimal::ZERO, Decimal::ZERO),
        };
        let description = self.text(row, Column::Description);
        if description.chars().count() > 500 {
            self.issue(n, Column::Description, Problem::TooLong { max: 500 });
        }
        if self.issues.len() > before {
            return Ok(());
        }
        let (Some(customer), Some(kind), Some(issue_date), Some(currency)) =
            (customer, kind, issued, currency)
        else {
            return Ok(());
        };
        let description = if description.is_empty() {
            number.clone().unwrap_or_else(|| "—".to_owned())
        } else {
            description
        };
        let legacy = Legacy {
            account_id: customer.id,
            owner_id: customer.owner,
            kind,
            number,
            issue_date,
            terms,
            currency: currency.unwrap_or(self.currency),
            net,
            tax,
            description,
        };
        match invoices::legacy(conn, self.app, self.actor, legacy).await {
            Ok(inv) => self.ids.push(inv.id),
            Err(e) => self.rule_issues(n, e, |f| match f {
                "payment_terms_days" => Column::DueDate,
                "issue_date" => Column::Date,
                f if f.starts_with("lines") => Column::Total,
                _ => Column::Number,
            })?,
        }
        Ok(())
    }

    /// The row's own number, if it gives one: free in the file and in Cartera.
    async fn legacy_number(&mut self, conn: &mut Conn, row: &RawRow) -> Result<Option<String>> {
        let number = self.text(row, Column::Number);
        if number.is_empty() {
            return Ok(None);
        }
        if number.chars().count() > 50 {
            self.issue(row.number, Column::Number, Problem::TooLong { max: 50 });
            return Ok(None);
        }
        if let Some(first) = self.numbers.get(&number) {
            let first = *first;
            self.issue(
                row.number,
                Column::Number,
                Problem::RepeatsRow { row: first },
            );
            return Ok(None);
        }
        self.numbers.insert(number.clone(), row.number);
        if invoices_store::by_number(conn, &number).await?.is_some() {
            self.issue(row.number, Column::Number, Problem::NumberTaken { number });
            return Ok(None);
        }
        Ok(Some(number))
    }

    async fn payment(&mut self, conn: &mut Conn, row: &RawRow) -> Result<()> {
        let n = row.number;
        let before = self.issues.len();
        let customer = self.customer(conn, row).await?;
        let received = self.date(row, Column::Date);
        let received = self.required(row, Column::Date, received);
        let amount = self.amount(row, Column::Amount);
        let amount = self.required(row, Column::Amount, amount);
        if amount.is_some_and(|a| a.is_zero()) {
            let value = self.text(row, Column::Amount);
            self.issue(n, Column::Amount, Problem::NotPositive { value });
        }
        let currency = self.currency(row);
        let method_text = self.text(row, Column::Method);
        let method = core::method(&method_text);
        if method.is_none() {
            self.issue(
                n,
                Column::Method,
                Problem::UnknownMethod { value: method_text },
            );
        }
        let reference = Some(self.text(row, Column::Reference)).filter(|r| !r.is_empty());
        let (Some(customer), Some(amount)) = (customer, amount) else {
            return Ok(());
        };
        let allocations = self.allocations(conn, row, customer, amount).await?;
        if self.issues.len() > before {
            return Ok(());
        }
        let (Some(received_on), Some(currency), Some(method)) = (received, currency, method) else {
            return Ok(());
        };
        let currency = match currency {
            Some(c) => Some(c),
            // The first invoice's, as a payment typed in takes (the write path's rule).
            None if !allocations.is_empty() => None,
            None => Some(self.currency),
        };
        let input = NewPayment {
            account_id: customer.id,
            currency,
            amount,
            received_on: Some(received_on),
            method,
            reference,
            notes: None,
            allocations,
            cheque: None,
        };
        match payments::record(conn, self.app, self.actor, input, Source::Import).await {
            Ok(p) => self.ids.push(p.id),
            Err(e) => self.rule_issues(n, e, |f| match f {
                "amount" => Column::Amount,
                "received_on" => Column::Date,
                "reference" => Column::Reference,
                "currency" => Column::Currency,
                f if f.starts_with("allocations") => Column::Invoice,
                _ => Column::Customer,
            })?,
        }
        Ok(())
    }

    /// The invoices a payment row names, in its order, each given what is open on it
    /// until the amount runs out; the rest of the payment stays on account.
    async fn allocations(
        &mut self,
        conn: &mut Conn,
        row: &RawRow,
        customer: Customer,
        amount: Decimal,
    ) -> Result<Vec<AllocationInput>> {
        let mut out = Vec::new();
        let mut left = amount;
        for number in core::invoice_numbers(&self.text(row, Column::Invoice)) {
            let Some(inv) = invoices_store::by_number(conn, &number).await? else {
                self.issue(
                    row.number,
                    Column::Invoice,
                    Problem::UnknownInvoice { number },
                );
                continue;
            };
            if inv.account_id != customer.id {
                let problem = Problem::OtherCustomersInvoice { number };
                self.issue(row.number, Column::Invoice, problem);
                continue;
            }
            if inv.kind.charges() && inv.open <= Decimal::ZERO {
                self.issue(row.number, Column::Invoice, Problem::NothingOpen { number });
                continue;
            }
            // A credit note is passed on as it is: the write path refuses it in words.
            let give = if inv.kind == InvoiceKind::CreditNote {
                left
            } else {
                inv.open.min(left)
            };
            if give > Decimal::ZERO {
                out.push(AllocationInput {
                    invoice_id: inv.id,
                    amount: give,
                });
                left -= give;
            }
        }
        Ok(out)
    }
}

/// The one customer the importer sees with this tax id, account id or exact name.
async fn find_customer(
    conn: &mut Conn,
    actor: &Actor,
    column: Column,
    value: &str,
) -> Result<std::result::Result<Customer, Problem>> {
    let unknown = || Problem::UnknownCustomer {
        value: value.to_owned(),
    };
    let by_id = match column {
        Column::Customer => value.parse::<Id>().ok(),
        _ => None,
    };
    let candidates: Vec<Id> = match by_id {
        Some(id) => vec![id],
        _ => {
            let (kind, key) = if column == Column::TaxId {
                (KeyKind::TaxId, text::tax_id_key(value))
            } else {
                (KeyKind::Name, text::company_key(value))
            };
            let keys = [DuplicateKey { kind, value: key }];
            let mut ids: Vec<Id> =
                cartera_store::records::find_duplicates::<AccountData>(conn, &keys)
                    .await?
                    .into_iter()
                    .map(|h| h.record_id)
                    .collect();
            ids.sort();
            ids.dedup();
            ids
        }
    };
    let folded = text::fold(value);
    let mut seen = Vec::new();
    for id in candidates {
        match load_visible::<AccountData>(conn, actor, id).await {
            // The name key drops legal forms (`S.A.`); the name itself must match.
            Ok(a) if by_id.is_some() || column == Column::TaxId => seen.push(a),
            Ok(a) if text::fold(&a.data.name) == folded => seen.push(a),
            Ok(_) | Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(match seen.as_slice() {
        [] => Err(unknown()),
        [a] => Ok(Customer {
            id: a.id,
            owner: a.data.owner_id,
        }),
        many => Err(Problem::AmbiguousCustomer {
            value: value.to_owned(),
            count: many.len(),
        }),
    })
}
