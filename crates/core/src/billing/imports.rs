//! Invoices and payments brought from another system in a spreadsheet: which column is
//! which (Spanish or English headers, any case or accents), the words a cell may hold
//! (`factura`, `nota de crédito`, `transferencia`), and what can be wrong with a row,
//! said as a code with its blanks so that a page can word it in its reader's language.
//! A leaf: the app reads the file and writes through the billing use cases.

use std::fmt;

use rust_decimal::Decimal;

use super::invoices::InvoiceKind;
use super::payments::PaymentMethod;
use crate::validate::Code;

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// What a file brings in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    Invoices,
    Payments,
}

/// A column the import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Customer,
    TaxId,
    Kind,
    Number,
    Date,
    DueDate,
    Currency,
    Net,
    Tax,
    Total,
    Description,
    Amount,
    Method,
    Reference,
    Invoice,
}

impl Column {
    /// Its name in the API's field paths (`rows[4].total`).
    pub fn as_str(self) -> &'static str {
        match self {
            Column::Customer => "customer",
            Column::TaxId => "tax_id",
            Column::Kind => "kind",
            Column::Number => "number",
            Column::Date => "date",
            Column::DueDate => "due_date",
            Column::Currency => "currency",
            Column::Net => "net",
            Column::Tax => "tax",
            Column::Total => "total",
            Column::Description => "description",
            Column::Amount => "amount",
            Column::Method => "method",
            Column::Reference => "reference",
            Column::Invoice => "invoice",
        }
    }

    /// The header names it answers to, folded (lower case, no accents, words apart).
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Customer => &["cliente", "customer", "account", "cuenta", "account id"],
            Column::TaxId => &["cuit", "tax id", "nif", "rfc", "cuit cliente"],
            Column::Kind => &["tipo", "kind", "type", "tipo de comprobante"],
            Column::Number => &["numero", "number", "nro", "comprobante"],
            Column::Date => &["fecha", "date", "issue date", "fecha de emision"],
            Column::DueDate => &["vencimiento", "due date", "due", "fecha de vencimiento"],
            Column::Currency => &["moneda", "currency"],
            Column::Net => &["neto", "net", "importe neto"],
            Column::Tax => &["iva", "tax", "impuesto", "impuestos", "vat"],
            Column::Total => &["total", "importe total"],
            Column::Description => &["descripcion", "description", "concepto", "detalle"],
            Column::Amount => &["importe", "amount", "monto", "total"],
            Column::Method => &["medio", "method", "medio de pago", "forma de pago"],
            Column::Reference => &["referencia", "reference"],
            Column::Invoice => &["factura", "invoice", "facturas", "invoices"],
        }
    }
}

impl Sheet {
    /// The columns it reads, in the order the template lists them.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Sheet::Invoices => &[
                Column::Customer,
                Column::TaxId,
                Column::Kind,
                Column::Number,
                Column::Date,
                Column::DueDate,
                Column::Currency,
                Column::Net,
                Column::Tax,
                Column::Total,
                Column::Description,
            ],
            Sheet::Payments => &[
                Column::Customer,
                Column::TaxId,
                Column::Date,
                Column::Amount,
                Column::Currency,
                Column::Method,
                Column::Reference,
                Column::Invoice,
            ],
        }
    }

    /// The columns a file must have (besides the customer, by name, id or tax id).
    fn required(self) -> &'static [Column] {
        match self {
            Sheet::Invoices => &[Column::Date, Column::Total],
            Sheet::Payments => &[Column::Date, Column::Amount],
        }
    }

    /// The template's header row, in Spanish (what a clerk in Argentina opens).
    pub fn template_header(self) -> Vec<&'static str> {
        self.columns()
            .iter()
            .map(|c| match c {
                Column::Customer => "Cliente",
                Column::TaxId => "CUIT",
                Column::Kind => "Tipo",
                Column::Number => "Número",
                Column::Date => "Fecha",
                Column::DueDate => "Vencimiento",
                Column::Currency => "Moneda",
                Column::Net => "Neto",
                Column::Tax => "IVA",
                Column::Total => "Total",
                Column::Description => "Descripción",
                Column::Amount => "Importe",
                Column::Method => "Medio",
                Column::Reference => "Referencia",
                Column::Invoice => "Factura",
            })
            .collect()
    }
}

/// A header name as the import compares it: folded, `_` and `-` as spaces, one space
/// between words, no trailing dot (`Nro.`).
fn key(name: &str) -> String {
    let folded = crate::text::fold(name).replace(['_', '-', '.'], " ");
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where each understood column is in a file; unknown columns are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    at: Vec<(Column, usize)>,
}

impl Header {
    /// The position of `column` in a row, if the file has it.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.at.iter().find(|(c, _)| *c == column).map(|(_, i)| *i)
    }

    pub fn has(&self, column: Column) -> bool {
        self.position(column).is_some()
    }
}

/// A problem of the file's header: the column it is about, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderProblem {
    pub column: Column,
    pub problem: Problem,
}

/// Reads a header: each name is matched against the columns of `sheet`; a required
/// column missing, or one named twice, is a problem.
pub fn header(sheet: Sheet, names: &[String]) -> Result<Header, Vec<HeaderProblem>> {
    let mut h = Header::default();
    let mut problems = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let k = key(name);
        let Some(column) = sheet
            .columns()
            .iter()
            .copied()
            .find(|c| c.names().contains(&k.as_str()))
        else {
            continue;
        };
        if h.has(column) {
            problems.push(HeaderProblem {
                column,
                problem: Problem::RepeatedColumn,
            });
        } else {
            h.at.push((column, i));
        }
    }
    if !h.has(Column::Customer) && !h.has(Column::TaxId) {
        problems.push(HeaderProblem {
            column: Column::Customer,
            problem: Problem::MissingColumn,
        });
    }
    for c in sheet.required() {
        if !h.has(*c) {
            problems.push(HeaderProblem {
                column: *c,
                problem: Problem::MissingColumn,
            });
        }
    }
    if problems.is_empty() {
        Ok(h)
    } else {
        Err(problems)
    }
}

/// A document kind as a file writes it: `invoice`, `factura`, `nota de crédito`,
/// `NC`, `credit note`...; empty is an invoice.
pub fn kind(text: &str) -> Option<InvoiceKind> {
    match key(text).as_str() {
        "" | "invoice" | "factura" | "fa" | "fc" => Some(InvoiceKind::Invoice),
        "credit note" | "nota de credito" | "nc" => Some(InvoiceKind::CreditNote),
        "debit note" | "nota de debito" | "nd" => Some(InvoiceKind::DebitNote),
        _ => None,
    }
}

/// A payment method as a file writes it, in English or Spanish; empty is `other`.
pub fn method(text: &str) -> Option<PaymentMethod> {
    match key(text).as_str() {
        "" | "other" | "otro" | "otros" => Some(PaymentMethod::Other),
        "cash" | "efectivo" => Some(PaymentMethod::Cash),
        "transfer" | "transferencia" | "transferencia bancaria" => Some(PaymentMethod::Transfer),
        "card" | "tarjeta" => Some(PaymentMethod::Card),
        "cheque" | "check" => Some(PaymentMethod::Cheque),
        _ => None,
    }
}

/// The invoice numbers a payment row names: one, or several separated by `;`.
pub fn invoice_numbers(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What is wrong with a cell, a row or the header. `Display` is the English sentence
/// the API answers; a page words the same code in its reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required column is not in the header.
    MissingColumn,
    /// Two columns of the header mean the same.
    RepeatedColumn,
    /// A cell that must be filled is empty.
    Required,
    NotADate {
        value: String,
    },
    NotANumber {
        value: String,
    },
    /// An amount with more than two decimals.
    NotCents {
        value: String,
    },
    /// An amount that must be more than zero.
    NotPositive {
        value: String,
    },
    /// An amount below zero (a credit is a credit note, not a negative invoice).
    Negative {
        value: String,
    },
    UnknownKind {
        value: String,
    },
    UnknownMethod {
        value: String,
    },
    UnknownCurrency {
        value: String,
    },
    /// No customer the importer sees has this id, tax id or name.
    UnknownCustomer {
        value: String,
    },
    /// Several customers have this tax id or name.
    AmbiguousCustomer {
        value: String,
        count: usize,
    },
    /// Net plus tax is not the total.
    Sum {
        net: Decimal,
        tax: Decimal,
        total: Decimal,
    },
    /// Net given without tax, or tax without net.
    NetWithoutTax,
    /// An earlier row of the file has the same number.
    RepeatsRow {
        row: u64,
    },
    /// A document in Cartera already has the number.
    NumberTaken {
        number: String,
    },
    DueBeforeIssue,
    TooLong {
        max: usize,
    },
    UnknownInvoice {
        number: String,
    },
    OtherCustomersInvoice {
        number: String,
    },
    /// The invoice has nothing left open to apply the payment to.
    NothingOpen {
        number: String,
    },
    /// One of the create path's own rules, with its English message.
    Rule {
        code: Code,
        message: String,
    },
}

impl Problem {
    /// The code the API's violation carries.
    pub fn code(&self) -> Code {
        match self {
            Problem::MissingColumn | Problem::Required => Code::Required,
            Problem::RepeatedColumn | Problem::RepeatsRow { .. } | Problem::NumberTaken { .. } => {
                Code::Duplicate
            }
            Problem::UnknownCustomer { .. } | Problem::UnknownInvoice { .. } => Code::NotFound,
            Problem::NotPositive { .. }
            | Problem::Negative { .. }
            | Problem::DueBeforeIssue
            | Problem::NothingOpen { .. } => Code::OutOfRange,
            Problem::TooLong { .. } => Code::TooLong,
            Problem::Rule { code, .. } => *code,
            _ => Code::Invalid,
        }
    }

    /// A short name of the problem, the key a page translates it by.
    pub fn slug(&self) -> &'static str {
        match self {
            Problem::MissingColumn => "missing-column",
            Problem::RepeatedColumn => "repeated-column",
            Problem::Required => "required",
            Problem::NotADate { .. } => "not-a-date",
            Problem::NotANumber { .. } => "not-a-number",
            Problem::NotCents { .. } => "not-cents",
            Problem::NotPositive { .. } => "not-positive",
            Problem::Negative { .. } => "negative",
            Problem::UnknownKind { .. } => "unknown-kind",
            Problem::UnknownMethod { .. } => "unknown-method",
            Problem::UnknownCurrency { .. } => "unknown-currency",
            Problem::UnknownCustomer { .. } => "unknown-customer",
            Problem::AmbiguousCustomer { .. } => "ambiguous-customer",
            Problem::Sum { .. } => "sum",
            Problem::NetWithoutTax => "net-without-tax",
            Problem::RepeatsRow { .. } => "repeats-row",
            Problem::NumberTaken { .. } => "number-taken",
            Problem::DueBeforeIssue => "due-before-issue",
            Problem::TooLong { .. } => "too-long",
            Problem::UnknownInvoice { .. } => "unknown-invoice",
            Problem::OtherCustomersInvoice { .. } => "other-customers-invoice",
            Problem::NothingOpen { .. } => "nothing-open",
            Problem::Rule { .. } => "rule",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingColumn => write!(f, "the file has no such column"),
            Problem::RepeatedColumn => write!(f, "two columns of the file mean this one"),
            Problem::Required => write!(f, "required"),
            Problem::NotADate { value } => {
                write!(
                    f,
                    "'{value}' is not a date; write it as 22/11/2026 or 2026-11-22"
                )
            }
            Problem::NotANumber { value } => write!(f, "'{value}' is not a number"),
            Problem::NotCents { value } => write!(f, "'{value}' has more than two decimals"),
            Problem::NotPositive { value } => write!(f, "'{value}' must be more than zero"),
            Problem::Negative { value } => write!(f, "'{value}' may not be negative"),
            Problem::UnknownKind { value } => write!(
                f,
                "'{value}' is not a kind of document: invoice, credit_note or debit_note"
            ),
            Problem::UnknownMethod { value } => write!(
                f,
                "'{value}' is not a payment method: cash, transfer, card, cheque or other"
            ),
            Problem::UnknownCurrency { value } => {
                write!(f, "'{value}' is not a currency code such as ARS")
            }
            Problem::UnknownCustomer { value } => write!(f, "no customer is '{value}'"),
            Problem::AmbiguousCustomer { value, count } => write!(
                f,
                "{count} customers are '{value}'; give the tax id or the account id"
            ),
            Problem::Sum { net, tax, total } => {
                write!(f, "net {net} plus tax {tax} is not the total {total}")
            }
            Problem::NetWithoutTax => write!(f, "give both net and tax, or neither"),
            Problem::RepeatsRow { row } => write!(f, "row {row} has the same number"),
            Problem::NumberTaken { number } => write!(f, "{number} is already a document's number"),
            Problem::DueBeforeIssue => write!(f, "the due date is before the issue date"),
            Problem::TooLong { max } => write!(f, "at most {max} characters"),
            Problem::UnknownInvoice { number } => write!(f, "no invoice is numbered {number}"),
            Problem::OtherCustomersInvoice { number } => {
                write!(f, "{number} is another customer's invoice")
            }
            Problem::NothingOpen { number } => write!(f, "nothing is left open on {number}"),
            Problem::Rule { message, .. } => write!(f, "{message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_in_either_language_any_case_or_accents() {
        let h = header(
            Sheet::Invoices,
            &names(&[
                "CLIENTE", "Número", "Fecha", "Due_Date", "Neto", "IVA", "Total", "Otra",
            ]),
        )
        .unwrap();
        assert_eq!(h.position(Column::Number), Some(1));
        assert_eq!(h.position(Column::DueDate), Some(3));
        assert_eq!(h.position(Column::Tax), Some(5));
        assert!(!h.has(Column::Description));

        let p = header(Sheet::Payments, &names(&["cuit", "fecha", "Medio"])).unwrap_err();
        assert_eq!(
            p,
            vec![HeaderProblem {
                column: Column::Amount,
                problem: Problem::MissingColumn
            }]
        );
        let p = header(Sheet::Invoices, &names(&["Fecha", "Total", "date"])).unwrap_err();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].problem, Problem::RepeatedColumn);
        assert_eq!(p[1].column, Column::Customer);
    }

    #[test]
    fn words_for_kinds_and_methods() {
        assert_eq!(kind("Nota de Crédito"), Some(InvoiceKind::CreditNote));
        assert_eq!(kind(""), Some(InvoiceKind::Invoice));
        assert_eq!(kind("debit_note"), Some(InvoiceKind::DebitNote));
        assert_eq!(kind("recibo"), None);
        assert_eq!(method("Transferencia"), Some(PaymentMethod::Transfer));
        assert_eq!(method("EFECTIVO"), Some(PaymentMethod::Cash));
        assert_eq!(method("bitcoin"), None);
        assert_eq!(
            invoice_numbers(" A-1 ; A-2;"),
            vec!["A-1".to_owned(), "A-2".to_owned()]
        );
    }
}
