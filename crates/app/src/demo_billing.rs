//! The demo company's collections: a clerk in the collections role, and customers in
//! every state a Monday morning shows: invoices current and overdue in every ageing
//! bucket, a partial payment, cheques on hand (one to deposit today, one post-dated), a
//! bounced cheque with its bank fee, a promise to pay, and last month's statements sent
//! (one customer taken off them).

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::billing::cheques::{ChequeInput, ChequeState};
use cartera_core::billing::dunning::PromiseInput;
use cartera_core::billing::payments::PaymentMethod;
use cartera_core::money::{Currency, Money};
use cartera_core::record::Record;

use crate::billing::cheques::{ChequeMove, ChequeQuery};
use crate::billing::invoices::NewInvoice;
use crate::billing::payments::{AllocationInput, NewPayment};
use crate::mail::Mailer;
use crate::{Actor, App, AppError, Result};

/// The collections clerk who logs in to the demo.
pub(crate) const CLERK: (&str, &str) = ("marta.rios@demo.cartera.local", "Marta Ríos");

/// What the demo's collections hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct BillingReport {
    pub invoices: usize,
    pub payments: usize,
    pub cheques: usize,
}

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| AppError::Conflict(format!("demo input: {e}")))
}

/// One invoice of `lines` (description, quantity, unit price, VAT) issued `ago` days back.
async fn invoice(
    app: &App,
    actor: &Actor,
    account: Id,
    ago: i64,
    terms: u32,
    lines: &[(&str, &str, &str, &str)],
) -> Result<cartera_core::billing::invoices::Invoice> {
    let today = app.today();
    let input: NewInvoice = parse(json!({
        "account_id": account,
        "issue_date": today - Duration::days(ago),
        "payment_terms_days": terms,
        "fiscal": {"invoice_type": "A"},
        "lines": lines.iter().map(|(d, q, p, t)| json!({
            "description": d, "quantity": q, "tax_rate": t,
            "unit_price": {"amount": p, "currency": "ARS"},
        })).collect::<Vec<_>>(),
    }))?;
    crate::billing::invoices::create(app, actor, input).await
}

fn cheque(
    bank: &str,
    number: &str,
    drawer: &str,
    issued: NaiveDate,
    pay: NaiveDate,
) -> ChequeInput {
    ChequeInput {
        bank: bank.into(),
        number: number.into(),
        drawer: drawer.into(),
        // A CUIT whose check digit holds, made from the number so each drawer differs.
        drawer_tax_id: cartera_core::tax_ids::cuit_with_check_digit(&format!(
            "30{:0>8}",
            &number[number.len().saturating_sub(8)..]
        ))
        .unwrap_or_default(),
        issue_date: issued,
        payment_date: pay,
    }
}

/// A payment in pesos received on `received_on`, settling `allocations` in full.
fn payment(
    account: Id,
    amount: Decimal,
    method: PaymentMethod,
    received_on: NaiveDate,
    allocations: Vec<(Id, Decimal)>,
    cheque: Option<ChequeInput>,
) -> NewPayment {
    NewPayment {
        account_id: account,
        currency: Some(Currency::ARS),
        amount,
        received_on: Some(received_on),
        method,
        reference: None,
        notes: None,
        allocations: allocations
            .into_iter()
            .map(|(invoice_id, amount)| AllocationInput { invoice_id, amount })
            .collect(),
        cheque,
    }
}

async fn pay(
    app: &App,
    actor: &Actor,
    input: NewPayment,
) -> Result<cartera_core::billing::payments::Payment> {
    crate::billing::payments::create(app, actor, input).await
}

/// Loads the collections part of the demo on the first Argentine customers.
pub(crate) async fn seed(
    app: &App,
    actor: &Actor,
    accounts: &[Record<AccountData>],
) -> Result<BillingReport> {
    let (clerk, _) = crate::users::ensure(app, CLERK.0, CLERK.1).await?;
    let role = cartera_store::roles::by_key(&mut app.db.reader().await?, "collections")
        .await?
        .ok_or(AppError::NotFound)?;
    crate::roles::assign(app, actor, clerk.id, role.id).await?;
    // The demo's accounts keep their credit limit in a custom field: the light reads it.
    crate::settings::update(
        app,
        actor,
        json!({"billing": {"credit_limit_field": "limite_credito"}}),
    )
    .await?;

    let argentine: Vec<Id> = accounts
        .iter()
        .filter(|a| a.data.billing_address.country.as_deref() == Some("AR"))
        .map(|a| a.id)
        .take(6)
        .collect();
    let [current, late, promised, older, bounced, wallet] = argentine[..] else {
        return Ok(BillingReport::default());
    };
    let today = app.today();
    let mut report = BillingReport::default();
    let seeds = ("Semilla de girasol 25 kg", "40", "38500", "10.5");
    let fert = ("Fertilizante UAN 1000 l", "3", "412000", "21");
    let freight = ("Flete a campo", "1", "185000", "21");

    // Current, and 1-30 days overdue with a part paid by transfer.
    invoice(app, actor, current, 12, 30, &[seeds, freight]).await?;
    let part = invoice(app, actor, late, 48, 30, &[fert]).await?;
    pay(
        app,
        actor,
        payment(
            late,
            Decimal::from(600_000),
            PaymentMethod::Transfer,
            today - Duration::days(20),
            vec![(part.id, Decimal::from(600_000))],
            None,
        ),
    )
    .await?;
    // 31-60 days overdue, and the customer promised to pay on Friday.
    invoice(app, actor, promised, 85, 30, &[seeds, fert]).await?;
    crate::billing::dunning::promise(
        app,
        actor,
        promised,
        PromiseInput {
            promised_on: today + Duration::days(4),
            amount: Some(Money {
                amount: Decimal::from(1_500_000),
                currency: Currency::ARS,
            }),
            note: Some("Paga el viernes con transferencia".into()),
        },
    )
    .await?;
    // 61-90 and more than 90 days overdue.
    invoice(app, actor, older, 100, 30, &[freight]).await?;
    invoice(app, actor, older, 160, 30, &[fert]).await?;
    // A cheque that bounced: the invoice reopened, the bank's fee charged.
    let inv = invoice(app, actor, bounced, 40, 0, &[seeds]).await?;
    let p = pay(
        app,
        actor,
        payment(
            bounced,
            inv.totals.total,
            PaymentMethod::Cheque,
            today - Duration::days(35),
            vec![(inv.id, inv.totals.total)],
            Some(cheque(
                "Banco Galicia",
                "40012877",
                "Agroservicios del Sur S.R.L.",
                today - Duration::days(36),
                today - Duration::days(30),
            )),
        ),
    )
    .await?;
    let bounced_cheque = crate::billing::cheques::list(
        app,
        actor,
        ChequeQuery {
            account: Some(bounced),
            ..ChequeQuery::default()
        },
        10,
        0,
    )
    .await?
    .into_iter()
    .find(|c| c.payment_id == p.id)
    .ok_or(AppError::NotFound)?;
    let deposited = crate::billing::cheques::move_to(
        app,
        actor,
        bounced_cheque.id,
        None,
        ChequeMove {
            state: ChequeState::Deposited,
            reason: None,
            supplier_id: None,
            bank_fee: None,
            on: Some(today - Duration::days(29)),
        },
    )
    .await?;
    crate::billing::cheques::move_to(
        app,
        actor,
        deposited.id,
        None,
        ChequeMove {
            state: ChequeState::Bounced,
            reason: Some("Sin fondos suficientes".into()),
            supplier_id: None,
            bank_fee: Some(Decimal::from(4_850)),
            on: None,
        },
    )
    .await?;
    // Cheques on hand: one payable today (to deposit), one post-dated.
    let a = invoice(app, actor, wallet, 25, 30, &[seeds]).await?;
    let b = invoice(app, actor, wallet, 15, 45, &[fert]).await?;
    pay(
        app,
        actor,
        payment(
            wallet,
            a.totals.total,
            PaymentMethod::Cheque,
            today - Duration::days(3),
            vec![(a.id, a.totals.total)],
            Some(cheque(
                "Banco de la Nación Argentina",
                "00731552",
                "Molinos Santa Fe S.A.",
                today - Duration::days(3),
                today,
            )),
        ),
    )
    .await?;
    pay(
        app,
        actor,
        payment(
            wallet,
            b.totals.total,
            PaymentMethod::Cheque,
            today - Duration::days(1),
            vec![(b.id, b.totals.total)],
            Some(cheque(
                "Banco Santander",
                "10928374",
                "Molinos Santa Fe S.A.",
                today - Duration::days(1),
                today + Duration::days(28),
            )),
        ),
    )
    .await?;
    // Last month's statements went out (to the log: a demo writes to nobody), and one
    // customer asked not to get them.
    let quiet = app.clone().with_mailer(Mailer::Log);
    crate::billing::statements::run(&quiet, today).await?;
    crate::billing::statements::set_schedule(
        app,
        actor,
        current,
        crate::billing::statements::ScheduleInput { monthly: false },
    )
    .await?;
    report.invoices = 9;
    report.payments = 4;
    report.cheques = 3;
    Ok(report)
}
