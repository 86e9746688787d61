//! A quote on paper and by email: the data its template reads, its PDF, and sending it
//! (the email with the PDF attached, the quote marked sent, the email on the account's
//! timeline, the follow-up queued).

use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::money::Currency;
use cartera_core::quotes::{self as core, DocLine, Language, Quote, QuoteStatus};
use cartera_core::roles::{Action, Module};
use cartera_core::totals::{RoundingMode, TaxRate};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;

use super::{as_of, load, save};
use crate::documents::{Printed, print};
use crate::mail;
use crate::records::{Naming, WriteOptions};
use crate::{Actor, App, AppError, Result};

/// Where to send a quote.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// Default: the contact's first email.
    pub to: Option<String>,
    /// Default: the template's subject in the quote's language.
    pub subject: Option<String>,
    /// The email's text. Default: the template's greeting in the quote's language.
    pub message: Option<String>,
}

/// The quote and the address it went to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sent {
    pub quote: Quote,
    pub to: String,
    /// The email logged on the account's timeline.
    pub activity_id: Id,
}

/// The data a template reads (`sys.inputs`), in the quote's language.
async fn print_data(conn: &mut Conn, q: &Quote) -> Result<Value> {
    let settings = crate::settings::load(conn).await?;
    let customer = customer(conn, q.account_id, q.contact_id).await?;
    Ok(print_value(q, &settings.company, &customer, q.language))
}

/// The customer as a printed document names it: its account, and the contact when the
/// document is addressed to one.
pub(crate) async fn customer(
    conn: &mut Conn,
    account: Id,
    contact: Option<Id>,
) -> Result<Customer> {
    let account = crate::records::load_live::<AccountData>(conn, account).await?;
    let contact = match contact {
        Some(id) => crate::records::load_live::<ContactData>(conn, id)
            .await
            .ok(),
        None => None,
    };
    Ok(Customer {
        name: account.data.name.clone(),
        tax_id: account.data.tax_id.clone().unwrap_or_default(),
        address: address_line(&account.data.billing_address),
        contact: contact
            .as_ref()
            .map(|c| full_name(&c.data))
            .unwrap_or_default(),
        email: contact
            .as_ref()
            .and_then(|c| c.data.emails.first())
            .map(|e| e.address.clone())
            .unwrap_or_default(),
    })
}

/// The customer as printed.
pub(crate) struct Customer {
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub contact: String,
    pub email: String,
}

fn full_name(c: &ContactData) -> String {
    format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned()
}

fn address_line(a: &cartera_core::fields::Address) -> String {
    a.one_line()
}

pub(crate) fn print_value(
    q: &Quote,
    company: &crate::settings::Company,
    customer: &Customer,
    lang: Language,
) -> Value {
    let money = |d: Decimal| lang.amount(d);
    // `exempt` stays a key: the template names it in the document's language.
    let rate = |r: TaxRate| match r {
        TaxRate::Exempt => "exempt".to_owned(),
        TaxRate::Percent(p) => lang.number(p),
    };
    let t = &q.totals;
    json!({
        "lang": lang.as_str(),
        "company": {
            "name": company.name, "tax_id": company.tax_id, "address": company.address,
            "phone": company.phone, "email": company.email,
        },
        "number": q.number,
        "revision": q.revision,
        "status": q.status.as_str(),
        "issue_date": lang.date(q.issue_date),
        "valid_until": lang.date(q.valid_until),
        "currency": q.currency.as_str(),
        "notes": q.notes.clone().unwrap_or_default(),
        "customer": {
            "name": customer.name, "tax_id": customer.tax_id, "address": customer.address,
            "contact": customer.contact, "email": customer.email,
        },
        "lines": q.lines.iter().zip(&t.line_nets).map(|(l, net)| json!({
            "description": l.description,
            "sku": l.sku.clone().unwrap_or_default(),
            "quantity": lang.number(l.quantity),
            "unit": l.unit,
            "unit_price": money(l.unit_price.amount),
            "discount": lang.number(l.discount),
            "tax_rate": rate(l.tax_rate),
            "net": money(*net),
        })).collect::<Vec<_>>(),
        "subtotal": money(t.subtotal),
        "line_discounts": money(t.line_discounts),
        "document_discount": money(t.document_discount),
        "document_discount_rate": lang.number(q.discount),
        "discounts": money(t.discounts),
        "by_rate": t.by_rate.iter().map(|r| json!({
            "rate": rate(r.rate), "base": money(r.base), "tax": money(r.tax),
        })).collect::<Vec<_>>(),
        "taxes": money(t.taxes),
        "total": money(t.total),
    })
}

/// Sample data shaped like a real quote's, to try a template before saving it.
fn sample(lang: Language) -> Result<Value> {
    use cartera_core::money::Money;
    let ars: Currency = "ARS"
        .parse()
        .map_err(|_| AppError::Conflict("ARS is a currency".into()))?;
    let line = |desc: &str, qty: i64, price: i64, disc: i64, rate: TaxRate| DocLine {
        product_id: None,
        sku: Some("SKU-1".into()),
        description: desc.into(),
        unit: "unit".into(),
        quantity: Decimal::from(qty),
        unit_price: Money {
            amount: Decimal::from(price),
            currency: ars,
        },
        discount: Decimal::from(disc),
        tax_rate: rate,
        price_list_id: None,
    };
    let lines = vec![
        line("Producto", 2, 1000, 10, TaxRate::Percent(Decimal::from(21))),
        line("Libro", 1, 500, 0, TaxRate::Percent(Decimal::new(105, 1))),
    ];
    let (discount, rounding) = (Decimal::from(5), RoundingMode::PerLine);
    let totals = cartera_core::totals::compute(&core::document(ars, &lines, discount, rounding))?;
    let today = Utc::now().date_naive();
    let q = Quote {
        id: Id::new(),
        number: "P-2026-000001".into(),
        revision: 2,
        account_id: Id::new(),
        deal_id: None,
        contact_id: None,
        owner_id: None,
        currency: ars,
        language: lang,
        price_list_id: None,
        issue_date: today,
        valid_until: today,
        status: QuoteStatus::Draft,
        lines,
        discount,
        rounding,
        notes: Some("Nota".into()),
        totals,
        sent_at: None,
        accepted_at: None,
        rejected_at: None,
        expired_on: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let company = crate::settings::Company {
        name: "Empresa".into(),
        tax_id: "30-00000000-0".into(),
        address: "Calle 1".into(),
        phone: "+54 11 0000-0000".into(),
        email: "ventas@example.com".into(),
    };
    let customer = Customer {
        name: "Cliente S.A.".into(),
        tax_id: "30-11111111-1".into(),
        address: "Av. 2".into(),
        contact: "Ana".into(),
        email: "ana@example.com".into(),
    };
    Ok(print_value(&q, &company, &customer, lang))
}

/// The quote's PDF, and the file name to give it (`P-2026-000123.pdf`).
pub async fn pdf(app: &App, actor: &Actor, id: Id) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Quotes, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let q = load(&mut conn, app, actor, id).await?;
    print::pdf(conn, &q).await
}

fn file_name(q: &Quote) -> String {
    if q.revision > 1 {
        format!("{}-r{}.pdf", q.number, q.revision)
    } else {
        format!("{}.pdf", q.number)
    }
}

/// Emails the PDF to `to` or the contact's email, marks the quote sent and logs the
/// email on the account's timeline. Without an address: 422 naming `to`, nothing sent
/// or written.
pub async fn send(app: &App, actor: &Actor, id: Id, input: SendInput) -> Result<Sent> {
    actor.permit(Module::Quotes, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.reader().await?;
    let q = load(&mut conn, app, actor, id).await?;
    crate::billing::risk::gate(&mut conn, app, q.account_id).await?;
    match q.status {
        QuoteStatus::Draft | QuoteStatus::Sent => {}
        s => {
            return Err(AppError::Conflict(format!(
                "the quote is {}; it can no longer be sent",
                s.as_str()
            )));
        }
    }
    let contact = match q.contact_id {
        Some(id) => crate::records::load_live::<ContactData>(&mut conn, id)
            .await
            .ok(),
        None => None,
    };
    let to = match input
        .to
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
    {
        Some(t) => {
            if !email_ok(&t) {
                return Err(
                    Violations::one("to", Code::Invalid, "not a valid email address").into(),
                );
            }
            t
        }
        None => contact
            .as_ref()
            .and_then(|c| c.data.emails.first())
            .map(|e| e.address.clone())
            .ok_or_else(|| {
                AppError::from(Violations::one(
                    "to",
                    Code::Required,
                    "give an address: the quote's contact has no email",
                ))
            })?,
    };
    let to_name = contact
        .as_ref()
        .map(|c| full_name(&c.data))
        .unwrap_or_default();
    let job = print::prepare(&mut conn, &q).await?;
    let company = job.data["company"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    drop(conn);
    let pdf = job.render().await?;
    let mut email = mail::quote(
        q.language.as_str(),
        &to_name,
        &to,
        &q.number,
        if company.is_empty() {
            "Cartera"
        } else {
            &company
        },
        &q.language.date(q.valid_until),
    );
    // The writer's own words, when the send dialog gave them.
    if let Some(subject) = input.subject.filter(|t| !t.trim().is_empty()) {
        // One line: a subject is a header.
        email.subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if let Some(message) = input.message.filter(|t| !t.trim().is_empty()) {
        email.body = message;
    }
    print::email_with_pdf(app, &email, file_name(&q), pdf).await?;

    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, app, actor, id).await?;
    let mut q = old.clone();
    q.status = QuoteStatus::Sent;
    q.sent_at = old.sent_at.or(Some(now));
    save(&mut conn, actor, now, &old, &mut q).await?;
    let activity = json!({
        "kind": "email",
        "subject": email.subject,
        "notes": format!("{}\n\n{} → {to}", email.body, file_name(&q)),
        "status": "done",
        "planned": false,
        "starts_at": now,
        "account_id": q.account_id,
        "contact_id": q.contact_id,
        "owner_id": actor.user_id,
    });
    let made = crate::records::create_in::<cartera_core::activities::ActivityData>(
        &mut conn,
        now,
        actor,
        vec![activity],
        WriteOptions {
            allow_duplicate: true,
        },
        Naming::Under("activity."),
    )
    .await?;
    // The follow-up rule: a task on the owner's agenda some days later (none when the
    // rule is off), queued with the sending so that both happen or neither.
    crate::followups::quote_sent_in(
        &mut conn,
        now,
        &crate::followups::QuoteSent {
            quote_id: q.id,
            number: q.number.clone(),
            account_id: Some(q.account_id),
            contact_id: q.contact_id,
            owner_id: q.owner_id.unwrap_or(actor.user_id),
            sent_at: now,
        },
    )
    .await?;
    conn.commit().await?;
    Ok(Sent {
        quote: as_of(q, now.date_naive()),
        to,
        activity_id: made.first().map(|a| a.id).unwrap_or_default(),
    })
}

fn email_ok(s: &str) -> bool {
    let mut c = Check::new();
    cartera_core::fields::validate_email("to", s, &mut c);
    c.is_ok()
}

impl Printed for Quote {
    const NAME: &'static str = "quote";
    const TEMPLATE_KEY: &'static str = "quote_template";
    const DEFAULT_TEMPLATE: &'static str = cartera_documents::DEFAULT_QUOTE_TEMPLATE;

    fn file_name(&self) -> String {
        file_name(self)
    }

    async fn print_data(&self, conn: &mut Conn) -> Result<Value> {
        print_data(conn, self).await
    }

    fn sample(lang: Language) -> Result<Value> {
        sample(lang)
    }
}
