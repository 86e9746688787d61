//! The demo company's sales: a catalogue with a price list, deals spread over the
//! default pipeline's stages, quotas and a commission plan for the reps, and two quotes
//! (one sent; one accepted whose order is partly delivered). Deterministic like the
//! rest of the demo: the same tables every run, dates counted from today.

use chrono::{Datelike, Days, NaiveDate};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::deals::{DealData, StageOutcome};
use cartera_core::orders::OrderStatus;
use cartera_core::record::Record;

use crate::mail::Mailer;
use crate::records::{WriteOptions, create};
use crate::{Actor, App, AppError, Result};

/// What the sales part of the demo made.
#[derive(Debug, Default, Clone, Copy)]
pub struct SalesReport {
    pub products: usize,
    pub deals: usize,
    pub quotes: usize,
    pub orders: usize,
}

/// (SKU, name, kind, unit, category, tax rate, price in ARS)
type ProductRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const PRODUCTS: &[ProductRow] = &[
    ("SEM-GIR-25", "Semilla de girasol alto oleico (bolsa 25 kg)", "product", "bolsa", "Semillas", "10.5", "48500"),
    ("SEM-MAI-20", "Semilla de maíz híbrido (bolsa 20 kg)", "product", "bolsa", "Semillas", "10.5", "61200"),
    ("FER-UREA-50", "Urea granulada (bolsa 50 kg)", "product", "bolsa", "Fertilizantes", "21", "27350.50"),
    ("SRV-PULV", "Pulverización terrestre", "service", "ha", "Servicios", "21", "9800"),
    ("SRV-ASES", "Asesoramiento agronómico", "service", "hora", "Servicios", "21", "18000"),
    ("SW-MAPAS", "Licencia de mapas de rinde (anual)", "service", "licencia", "Software", "21", "240000"),
];

/// (deal name, lines as (product index, quantity) or an amount, days to close)
type DealRow = (
    &'static str,
    &'static [(usize, &'static str)],
    &'static str,
    u64,
);

#[rustfmt::skip]
const DEALS: &[DealRow] = &[
    ("Campaña gruesa: semillas", &[(0, "40"), (1, "25")], "", 45),
    ("Fertilización de primavera", &[(2, "120")], "", 30),
    ("Pulverización 800 ha", &[(3, "800")], "", 20),
    ("Contrato anual de mantenimiento", &[], "1250000", 50),
    ("Renovación de servicio técnico", &[], "850000", 15),
    ("Ampliación de planta", &[], "2400000", 90),
    ("Insumos para el segundo semestre", &[(0, "15"), (2, "60")], "", 10),
    ("Asesoramiento de cosecha", &[(4, "24")], "", 25),
    ("Mapas de rinde", &[(5, "2"), (4, "10")], "", 60),
    ("Prueba piloto de sensores", &[], "380000", 35),
    ("Reposición de semillas", &[(1, "30")], "", 5),
    ("Licencias adicionales", &[(5, "1")], "", 40),
];

/// The currency each rep sells in (their first country's).
fn currency_of(countries: &[&str]) -> &'static str {
    match countries.first().copied() {
        Some("MX") => "MXN",
        Some("ES") => "EUR",
        _ => "ARS",
    }
}

/// A deal's amount in the rep's currency: the table's pesos (600,000 when it gives
/// lines instead), in round figures of about the same worth in euros or Mexican pesos.
fn amount_in(pesos: &str, currency: &str) -> String {
    let ars: u64 = pesos.parse().unwrap_or(600_000);
    match currency {
        "EUR" => (ars / 200).to_string(),
        "MXN" => (ars / 20).to_string(),
        _ => ars.to_string(),
    }
}

fn parse<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| AppError::Conflict(format!("demo input: {e}")))
}

fn ars(amount: &str) -> Value {
    json!({"amount": amount, "currency": "ARS"})
}

/// Loads the sales part of the demo. `reps` are the reps' ids with the countries they
/// sell in; `accounts` and `contacts` the demo's, in their order.
pub(crate) async fn seed(
    app: &App,
    actor: &Actor,
    reps: &[(Id, &[&str])],
    accounts: &[Record<AccountData>],
    contacts: &[Record<ContactData>],
) -> Result<SalesReport> {
    let mut report = SalesReport::default();
    let today = app.today();

    // The catalogue and its general price list.
    let mut products = Vec::with_capacity(PRODUCTS.len());
    for &(sku, name, kind, unit, category, rate, _) in PRODUCTS {
        let input = parse(json!({"sku": sku, "name": name, "kind": kind, "unit": unit,
                                 "category": category, "tax_rate": rate}))?;
        products.push(crate::catalog::create(app, actor, input).await?.id);
    }
    report.products = products.len();
    let items: Vec<Value> = PRODUCTS
        .iter()
        .zip(&products)
        .map(|(row, id)| json!({"product_id": id, "price": ars(row.6)}))
        .collect();
    let year = today.year();
    let list = crate::catalog::create_price_list(
        app,
        actor,
        parse(
            json!({"name": format!("Lista general {year}"), "currency": "ARS",
                     "valid_from": NaiveDate::from_ymd_opt(year, 1, 1),
                     "valid_to": NaiveDate::from_ymd_opt(year, 12, 31),
                     "items": items}),
        )?,
    )
    .await?;

    // Deals over the default pipeline's stages, each rep on their own customers.
    let pipeline = crate::deals::pipelines(app, actor)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let stages = &pipeline.stages;
    let mut inputs = Vec::new();
    for (i, &(name, lines, amount, days)) in DEALS.iter().enumerate() {
        let (rep, countries) = reps[i % reps.len()];
        let currency = currency_of(countries);
        let Some(account) = accounts
            .iter()
            .filter(|a| a.data.owner_id == Some(rep))
            .nth(i / reps.len())
        else {
            continue;
        };
        let stage = &stages[i % stages.len()];
        // Open deals close ahead; won and lost ones were expected to close already.
        let close = if stage.outcome == StageOutcome::Open {
            today.checked_add_days(Days::new(days))
        } else {
            today.checked_sub_days(Days::new(days / 10))
        }
        .unwrap_or(today);
        let mut deal = json!({"name": name, "account_id": account.id, "owner_id": rep,
                              "stage_id": stage.id, "expected_close_date": close});
        // The customer's first person takes part.
        if let Some(c) = contacts
            .iter()
            .find(|c| c.data.account_id == Some(account.id))
        {
            deal["contact_ids"] = json!([c.id]);
        }
        // Lines from the ARS list where the rep sells in pesos; an amount elsewhere.
        if currency == "ARS" && !lines.is_empty() {
            deal["price_list_id"] = json!(list.id);
            deal["lines"] = lines
                .iter()
                .map(|(p, q)| json!({"product_id": products[*p], "quantity": q}))
                .collect();
        } else {
            deal["amount"] = json!({"amount": amount_in(amount, currency), "currency": currency});
        }
        if stage.outcome == StageOutcome::Lost {
            deal["lost_reason"] = json!("Eligió a la competencia por precio");
        }
        inputs.push(deal);
    }
    let deals = create::<DealData>(
        app,
        actor,
        inputs,
        WriteOptions {
            allow_duplicate: true,
        },
    )
    .await?;
    report.deals = deals.len();

    // This quarter's quotas and the reps' commission plan.
    let quarter = format!("{year}-Q{}", (today.month() - 1) / 3 + 1);
    for &(rep, countries) in reps {
        let target = match currency_of(countries) {
            "MXN" => "150000",
            "EUR" => "15000",
            _ => "3000000",
        };
        let input = parse(json!({"user_id": rep, "period": quarter, "kind": "amount",
                                 "amount": {"amount": target, "currency": currency_of(countries)}}))?;
        crate::deals::create_quota(app, actor, input).await?;
    }
    let plan = parse(json!({
        "name": "Comisión comercial",
        "default_rate": "3",
        "category_rates": [{"category": "Servicios", "rate": "5"}, {"category": "Software", "rate": "8"}],
        "tiers": [{"from_percent": "0", "multiplier": "0.5"},
                  {"from_percent": "80", "multiplier": "1"},
                  {"from_percent": "100", "multiplier": "1.5"}],
        "user_ids": reps.iter().map(|r| r.0).collect::<Vec<_>>(),
    }))?;
    crate::deals::create_plan(app, actor, plan).await?;

    // Two quotes to the first peso customer with an email: one sent, one accepted and
    // turned into an order that is partly delivered. The emails go to the log: a demo
    // writes to nobody, whatever mail server is configured.
    let quiet = app.clone().with_mailer(Mailer::Log);
    let Some((rep, _)) = reps.iter().find(|r| currency_of(r.1) == "ARS") else {
        return Ok(report);
    };
    let by = Actor {
        scope: cartera_core::users::Scope::Write,
        ..Actor::administrator(*rep)
    };
    let Some((account, contact)) = accounts
        .iter()
        .filter(|a| a.data.owner_id == Some(*rep))
        .find_map(|a| {
            contacts
                .iter()
                .find(|c| c.data.account_id == Some(a.id) && !c.data.emails.is_empty())
                .map(|c| (a, c))
        })
    else {
        return Ok(report);
    };
    let quote = |lines: Value, notes: &str| {
        json!({"account_id": account.id, "contact_id": contact.id, "price_list_id": list.id,
               "lines": lines, "notes": notes})
    };
    let first = crate::quotes::create(
        app,
        &by,
        parse(quote(
            json!([{"product_id": products[0], "quantity": "20"},
                   {"product_id": products[3], "quantity": "150", "discount": "5"}]),
            "Precios sujetos a disponibilidad de stock.",
        ))?,
    )
    .await?;
    crate::quotes::print::send(&quiet, &by, first.id, parse(json!({}))?).await?;
    let second = crate::quotes::create(
        app,
        &by,
        parse(quote(
            json!([{"product_id": products[2], "quantity": "80"},
                   {"product_id": products[4], "quantity": "6"}]),
            "Entrega en campo, en dos partes.",
        ))?,
    )
    .await?;
    crate::quotes::print::send(&quiet, &by, second.id, parse(json!({}))?).await?;
    crate::quotes::decide(app, &by, second.id, true).await?;
    report.quotes = 2;
    let order = crate::orders::from_quote(app, &by, second.id).await?;
    crate::orders::set_status(app, &by, order.id, OrderStatus::Picking).await?;
    crate::orders::deliver(
        app,
        &by,
        order.id,
        parse(json!({"lines": [{"line": 0, "quantity": "50"}]}))?,
    )
    .await?;
    report.orders = 1;
    Ok(report)
}
