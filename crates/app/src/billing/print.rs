//! Billing on paper and by email: an invoice's or a note's PDF (the documents seam's
//! `Printed`, from an admin's template or the default one) and its email, and a
//! customer's statement of account as PDF and XLSX, emailed on demand.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use cartera_core::Id;
use cartera_core::billing::invoices::{Fiscal, Invoice, InvoiceKind, PaymentStatus};
use cartera_core::billing::ledger::MovementKind;
use cartera_core::contacts::ContactData;
use cartera_core::io::{Cell, Sheet, XlsxSheet};
use cartera_core::money::Currency;
use cartera_core::quotes::Language;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Violations};
use cartera_store::Conn;

use super::accounts::{self, AccountStatement};
use super::invoices::as_quote;
use crate::documents::{self, Printed, print};
use crate::quotes::print::{customer, print_value};
use crate::{Actor, App, AppError, Result, mail};

/// A document's name in a language, as its PDF and email call it.
pub fn document_name(kind: InvoiceKind, lang: Language) -> &'static str {
    match (kind, lang) {
        (InvoiceKind::Invoice, Language::Es) => "Factura",
        (InvoiceKind::CreditNote, Language::Es) => "Nota de crédito",
        (InvoiceKind::DebitNote, Language::Es) => "Nota de débito",
        (InvoiceKind::Invoice, Language::En) => "Invoice",
        (InvoiceKind::CreditNote, Language::En) => "Credit note",
        (InvoiceKind::DebitNote, Language::En) => "Debit note",
    }
}

fn fiscal_value(f: &Fiscal, lang: Language) -> Value {
    let text = |v: Option<String>| v.unwrap_or_default();
    json!({
        "invoice_type": text(f.invoice_type.map(|t| format!("{t:?}"))),
        "cae": text(f.cae.clone()),
        "cae_expires_on": text(f.cae_expires_on.map(|d| lang.date(d))),
        "cfdi_uuid": text(f.cfdi_uuid.clone()),
        "cfdi_method": text(f.cfdi_method.map(|m| format!("{m:?}").to_uppercase())),
    })
}

async fn invoice_data(conn: &mut Conn, inv: &Invoice) -> Result<Value> {
    let settings = crate::settings::load(conn).await?;
    let who = customer(conn, inv.account_id, inv.contact_id).await?;
    let lang = inv.language;
    let mut v = print_value(&as_quote(inv), &settings.company, &who, lang);
    let corrects = match inv.corrects_id {
        Some(id) => cartera_store::billing::invoices::get(conn, id)
            .await?
            .map(|i| i.number)
            .unwrap_or_default(),
        None => String::new(),
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("kind".into(), json!(inv.kind.as_str()));
        o.insert("due_date".into(), json!(lang.date(inv.due_date)));
        o.insert("fiscal".into(), fiscal_value(&inv.fiscal, lang));
        o.insert("corrects".into(), json!(corrects));
        o.insert(
            "reason".into(),
            json!(inv.reason.clone().unwrap_or_default()),
        );
        o.insert("open".into(), json!(lang.amount(inv.open)));
        o.insert(
            "paid".into(),
            json!((inv.payment_status == PaymentStatus::Paid).to_string()),
        );
    }
    Ok(v)
}

fn sample_invoice(lang: Language) -> Result<Value> {
    let mut v = json!({
        "lang": lang.as_str(),
        "company": {"name": "Distribuidora del Litoral S.A.", "tax_id": "30-71234567-1",
                    "address": "Bv. Oroño 1234, Rosario", "phone": "+54 341 555-0000",
                    "email": "ventas@litoral.example"},
        "number": "A-0001-00000001", "revision": 1, "status": "accepted",
        "issue_date": lang.date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()),
        "valid_until": "", "currency": "ARS", "notes": "",
        "customer": {"name": "Agro Sur S.A.", "tax_id": "30-70000000-7", "address": "Ruta 9 km 300",
                     "contact": "Ana Quiroga", "email": "ana@agrosur.example"},
        "lines": [{"description": "Semilla de girasol 25 kg", "sku": "GIR-25", "quantity": "10",
                   "unit": "bolsa", "unit_price": lang.amount(Decimal::from(900)), "discount": "0",
                   "tax_rate": "10,5", "net": lang.amount(Decimal::from(9000))}],
        "subtotal": lang.amount(Decimal::from(9000)), "line_discounts": lang.amount(Decimal::ZERO),
        "document_discount": lang.amount(Decimal::ZERO), "document_discount_rate": "0",
        "discounts": lang.amount(Decimal::ZERO),
        "by_rate": [{"rate": "10,5", "base": lang.amount(Decimal::from(9000)), "tax": lang.amount(Decimal::from(945))}],
        "taxes": lang.amount(Decimal::from(945)), "total": lang.amount(Decimal::from(9945)),
        "kind": "invoice", "due_date": lang.date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default()),
        "corrects": "", "reason": "", "open": lang.amount(Decimal::from(9945)), "paid": "false",
    });
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "fiscal".into(),
            fiscal_value(
                &Fiscal {
                    invoice_type: Some(cartera_core::billing::invoices::FiscalType::A),
                    cae: Some("74123456789012".into()),
                    ..Fiscal::default()
                },
                lang,
            ),
        );
    }
    Ok(v)
}

impl Printed for Invoice {
    const NAME: &'static str = "invoice";
    const TEMPLATE_KEY: &'static str = "invoice_template";
    const DEFAULT_TEMPLATE: &'static str = cartera_documents::DEFAULT_INVOICE_TEMPLATE;

    fn file_name(&self) -> String {
        format!("{}.pdf", self.number)
    }

    async fn print_data(&self, conn: &mut Conn) -> Result<Value> {
        invoice_data(conn, self).await
    }

    fn sample(lang: Language) -> Result<Value> {
        sample_invoice(lang)
    }
}

/// An invoice's PDF and its file name.
pub async fn invoice_pdf(app: &App, actor: &Actor, id: Id) -> Result<(String, Vec<u8>)> {
    let inv = super::invoices::get(app, actor, id).await?;
    print::pdf(app.db.reader().await?, &inv).await
}

/// Where to send a document.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// Default: the contact's first email.
    pub to: Option<String>,
    pub subject: Option<String>,
    pub message: Option<String>,
}

fn address(to: Option<String>, fallback: &str, what: &str) -> Result<String> {
    let to = to
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| fallback.to_owned());
    if to.is_empty() {
        return Err(Violations::one(
            "to",
            Code::Required,
            format!("give an address: the {what} has no contact with an email"),
        )
        .into());
    }
    let mut c = cartera_core::Check::new();
    cartera_core::fields::validate_email("to", &to, &mut c);
    c.finish()?;
    Ok(to)
}

fn words(email: &mut mail::Email, subject: Option<String>, message: Option<String>) {
    if let Some(s) = subject.filter(|t| !t.trim().is_empty()) {
        email.subject = s.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if let Some(m) = message.filter(|t| !t.trim().is_empty()) {
        email.body = m;
    }
}

/// Emails an invoice or note with its PDF and marks it sent (a mail server that refuses
/// answers 409 and nothing changes).
pub async fn send_invoice(app: &App, actor: &Actor, id: Id, input: SendInput) -> Result<Invoice> {
    actor.permit(Module::Billing, Action::Edit)?;
    let mut conn = app.db.reader().await?;
    let inv = super::invoices::load(&mut conn, app, actor, id).await?;
    let job = print::prepare(&mut conn, &inv).await?;
    drop(conn);
    // The invoice's contact, else the account's first contact with an email.
    let mut fallback = (
        job.data["customer"]["contact"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        job.data["customer"]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    );
    if fallback.1.is_empty()
        && let Some(found) = first_contact_email(app, actor, inv.account_id).await?
    {
        fallback = found;
    }
    let to = address(input.to, &fallback.1, "invoice")?;
    let company = job.data["company"]["name"]
        .as_str()
        .filter(|c| !c.is_empty())
        .unwrap_or("Cartera")
        .to_owned();
    let to_name = fallback.0;
    let name = job.file_name.clone();
    let pdf = job.render().await?;
    let lang = inv.language;
    let mut email = mail::invoice(
        lang.as_str(),
        &to_name,
        &to,
        document_name(inv.kind, lang),
        &inv.number,
        &company,
        &format!(
            "{} {}",
            lang.amount(inv.totals.total),
            inv.currency.as_str()
        ),
        &lang.date(inv.due_date),
    );
    words(&mut email, input.subject, input.message);
    print::email_with_pdf(app, &email, name, pdf).await?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = super::invoices::load(&mut conn, app, actor, id).await?;
    let mut inv = old.clone();
    inv.sent_at = Some(now);
    documents::save(&mut conn, actor, now, &old, &mut inv).await?;
    conn.commit().await?;
    Ok(inv)
}

/// Which statement: a customer's, in one currency, between two days.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    pub currency: Option<Currency>,
    #[schema(value_type = Option<String>)]
    pub from: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub as_of: Option<NaiveDate>,
    /// `es` (default) or `en`.
    pub language: Option<Language>,
}

fn movement_key(kind: MovementKind) -> &'static str {
    match kind {
        MovementKind::Invoice => "invoice",
        MovementKind::DebitNote => "debit_note",
        MovementKind::CreditNote => "credit_note",
        MovementKind::Payment => "payment",
        MovementKind::PaymentReversal => "payment_reversal",
    }
}

/// A movement's name in a language (the XLSX's cells; the PDF names them itself).
fn movement_name(kind: MovementKind, lang: Language) -> &'static str {
    match (kind, lang) {
        (MovementKind::Invoice, l) => document_name(InvoiceKind::Invoice, l),
        (MovementKind::DebitNote, l) => document_name(InvoiceKind::DebitNote, l),
        (MovementKind::CreditNote, l) => document_name(InvoiceKind::CreditNote, l),
        (MovementKind::Payment, Language::Es) => "Cobro",
        (MovementKind::Payment, Language::En) => "Payment",
        (MovementKind::PaymentReversal, Language::Es) => "Reversión de cobro",
        (MovementKind::PaymentReversal, Language::En) => "Payment reversed",
    }
}

async fn statement_data(conn: &mut Conn, st: &AccountStatement, lang: Language) -> Result<Value> {
    let settings = crate::settings::load(conn).await?;
    let who = customer(conn, st.account_id, None).await?;
    let m = |d: Decimal| lang.amount(d);
    let blank_zero = |d: Decimal| if d.is_zero() { String::new() } else { m(d) };
    Ok(json!({
        "lang": lang.as_str(),
        "company": {
            "name": settings.company.name, "tax_id": settings.company.tax_id,
            "address": settings.company.address, "phone": settings.company.phone,
            "email": settings.company.email,
        },
        "customer": {"name": who.name, "tax_id": who.tax_id, "address": who.address},
        "currency": st.currency.as_str(),
        "from": st.statement.from.map(|d| lang.date(d)).unwrap_or_default(),
        "as_of": lang.date(st.statement.as_of),
        "opening": m(st.statement.opening_balance),
        "closing": m(st.statement.closing_balance),
        "lines": st.statement.lines.iter().map(|l| json!({
            "date": lang.date(l.date), "kind": movement_key(l.kind), "number": l.number,
            "debit": blank_zero(l.debit), "credit": blank_zero(l.credit), "balance": m(l.balance),
        })).collect::<Vec<_>>(),
        "open_items": st.open_items.iter().map(|i| json!({
            "number": i.number, "due_date": lang.date(i.due_date),
            "days": i.days_overdue.to_string(), "open": m(i.open),
        })).collect::<Vec<_>>(),
        "buckets": st.buckets.iter().zip(&st.aged.buckets).map(|(label, amount)| json!({
            "label": label, "amount": m(*amount),
        })).collect::<Vec<_>>(),
        "unapplied": m(st.aged.unapplied),
        "total": m(st.aged.total),
    }))
}

fn statement_file(st: &AccountStatement, ext: &str) -> String {
    let safe: String = st
        .account_name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "estado-de-cuenta-{}-{}-{}.{ext}",
        safe.trim_matches('-'),
        st.currency.as_str(),
        st.statement.as_of
    )
}

/// A customer's statement as PDF, with its file name.
pub async fn statement_pdf(
    app: &App,
    actor: &Actor,
    account: Id,
    req: StatementRequest,
) -> Result<(String, Vec<u8>)> {
    let st = accounts::statement(app, actor, account, req.currency, req.from, req.as_of).await?;
    render_statement(app, &st, req.language.unwrap_or_default()).await
}

pub(crate) async fn render_statement(
    app: &App,
    st: &AccountStatement,
    lang: Language,
) -> Result<(String, Vec<u8>)> {
    let mut conn = app.db.reader().await?;
    let data = statement_data(&mut conn, st, lang).await?;
    let logo = crate::documents::assets::logo(&mut conn).await?;
    drop(conn);
    let pdf = tokio::task::spawn_blocking(move || {
        cartera_documents::render(
            cartera_documents::STATEMENT_TEMPLATE,
            &data,
            logo.as_deref().map(cartera_documents::Logo),
        )
    })
    .await
    .map_err(|e| AppError::Conflict(format!("the PDF could not be made: {e}")))?
    .map_err(|e| AppError::Conflict(format!("the statement could not be printed: {e}")))?;
    Ok((statement_file(st, "pdf"), pdf))
}

/// A customer's statement as an XLSX workbook: one row per movement with numbers a
/// spreadsheet sums, the opening and closing balances around them.
pub async fn statement_xlsx(
    app: &App,
    actor: &Actor,
    account: Id,
    req: StatementRequest,
) -> Result<(String, Vec<u8>)> {
    let st = accounts::statement(app, actor, account, req.currency, req.from, req.as_of).await?;
    let lang = req.language.unwrap_or_default();
    let heads: Vec<String> = match lang {
        Language::Es => ["Fecha", "Movimiento", "Número", "Debe", "Haber", "Saldo"],
        Language::En => ["Date", "Movement", "Number", "Debit", "Credit", "Balance"],
    }
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let num = |d: Decimal| {
        d.to_string()
            .parse::<serde_json::Number>()
            .map(Cell::Number)
            .unwrap_or(Cell::Text(d.to_string()))
    };
    let (opening, closing) = match lang {
        Language::Es => ("Saldo anterior", "Saldo final"),
        Language::En => ("Opening balance", "Closing balance"),
    };
    let mut rows = vec![vec![
        Cell::Empty,
        Cell::Text(opening.into()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        num(st.statement.opening_balance),
    ]];
    for l in &st.statement.lines {
        rows.push(vec![
            Cell::Text(l.date.to_string()),
            Cell::Text(movement_name(l.kind, lang).into()),
            Cell::Text(l.number.clone()),
            num(l.debit),
            num(l.credit),
            num(l.balance),
        ]);
    }
    rows.push(vec![
        Cell::Text(st.statement.as_of.to_string()),
        Cell::Text(closing.into()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        num(st.statement.closing_balance),
    ]);
    let mut sheet = XlsxSheet::new(&heads);
    let fail = |e: cartera_core::io::SheetError| AppError::Conflict(e.to_string());
    sheet.push(&rows).map_err(fail)?;
    let bytes = sheet.finish().map_err(fail)?;
    Ok((statement_file(&st, "xlsx"), bytes))
}

/// Emails a customer's statement with its PDF, to its first contact with an email
/// unless `to` says otherwise.
pub async fn send_statement(
    app: &App,
    actor: &Actor,
    account: Id,
    req: StatementRequest,
    input: SendInput,
) -> Result<String> {
    actor.permit(Module::Billing, Action::Edit)?;
    let st = accounts::statement(app, actor, account, req.currency, req.from, req.as_of).await?;
    let lang = req.language.unwrap_or_default();
    let contact = first_contact_email(app, actor, account).await?;
    let mut conn = app.db.reader().await?;
    let company = crate::settings::load(&mut conn).await?.company.name;
    drop(conn);
    let (fallback_name, fallback_to) = contact.unwrap_or_default();
    let to = address(input.to, &fallback_to, "account")?;
    let (name, pdf) = render_statement(app, &st, lang).await?;
    let mut email = mail::statement(
        lang.as_str(),
        &fallback_name,
        &to,
        if company.is_empty() {
            "Cartera"
        } else {
            &company
        },
        &lang.date(st.statement.as_of),
        &format!(
            "{} {}",
            lang.amount(st.statement.closing_balance),
            st.currency.as_str()
        ),
    );
    words(&mut email, input.subject, input.message);
    print::email_with_pdf(app, &email, name, pdf).await?;
    Ok(to)
}

/// The account's first contact with an email the actor sees: (name, address).
async fn first_contact_email(
    app: &App,
    actor: &Actor,
    account: Id,
) -> Result<Option<(String, String)>> {
    let params = [
        ("filter[account_id][eq]".to_owned(), account.to_string()),
        ("limit".to_owned(), "50".to_owned()),
    ];
    let contacts = crate::records::list::<ContactData>(app, actor, &params).await?;
    Ok(contacts.rows.into_iter().find_map(|c| {
        c.data.emails.first().map(|e| {
            (
                format!("{} {}", c.data.first_name, c.data.last_name)
                    .trim()
                    .to_owned(),
                e.address.clone(),
            )
        })
    }))
}
