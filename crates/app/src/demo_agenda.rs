//! The demo company's day: the company's own data (printed on quotes), the mileage rate,
//! the manager's team, and each rep's agenda around today (a visit and a call planned
//! for today, a task already late, visits done last week with their outcome and
//! kilometres, a meeting next week), so that My day, the calendar and the activities
//! page have something to show on the first start.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::contacts::ContactData;
use cartera_core::record::Record;

use crate::records::{WriteOptions, create};
use crate::teams::NewTeam;
use crate::{Actor, App, Result};

/// The demo's company, as quotes print it.
const COMPANY: (&str, &str, &str, &str, &str) = (
    "Distribuidora del Litoral S.A.",
    "30-71592648-3",
    "Bv. Oroño 1250, S2000 Rosario, Santa Fe, Argentina",
    "+54 341 421-5500",
    "ventas@distribuidoradellitoral.com.ar",
);

/// The demo company's logo, on its quotes and orders.
const LOGO: &[u8] = include_bytes!("demo_logo.svg");

/// The reps work in Buenos Aires time; the demo places their day there.
const ZONE: chrono_tz::Tz = chrono_tz::America::Argentina::Buenos_Aires;

/// Makes the manager's team and fills each rep's agenda. Returns how many activities it
/// wrote.
pub async fn seed(
    app: &App,
    admin: &Actor,
    reps: &[Id],
    accounts: &[Record<AccountData>],
    contacts: &[Record<ContactData>],
) -> Result<usize> {
    if let Some((manager, members)) = reps.split_first() {
        crate::teams::create(
            app,
            admin,
            NewTeam {
                name: "Ventas".into(),
                manager_id: Some(*manager),
                member_ids: members.to_vec(),
            },
        )
        .await?;
    }
    let today = app.now().with_timezone(&ZONE).date_naive();
    let mut made = 0;
    for rep in reps {
        let theirs: Vec<&Record<AccountData>> = accounts
            .iter()
            .filter(|a| a.data.owner_id == Some(*rep))
            .take(5)
            .collect();
        let inputs = agenda_of(*rep, today, &theirs, contacts);
        made += inputs.len();
        let actor = Actor {
            scope: cartera_core::users::Scope::Write,
            ..Actor::administrator(*rep)
        };
        create::<ActivityData>(app, &actor, inputs, WriteOptions::default()).await?;
    }
    Ok(made)
}

/// The company's data and logo (quotes print them and their emails sign with the name, so
/// they come before the demo sends any), its mileage rate and its exchange rates.
pub async fn company(app: &App, admin: &Actor) -> Result<()> {
    let (name, tax_id, address, phone, email) = COMPANY;
    // Rates from a quarter ago hold for every later month, so the forecast of the demo's
    // dollar, euro and peso deals adds up in pesos.
    let since = (app.now() - chrono::Duration::days(90))
        .format("%Y-%m")
        .to_string();
    crate::settings::update(
        app,
        admin,
        json!({
            "company": {"name": name, "tax_id": tax_id, "address": address, "phone": phone, "email": email},
            "mileage_rate": {"amount": "185.00", "currency": "ARS"},
            "reporting_currency": "ARS",
            "exchange_rates": [
                {"month": since, "currency": "USD", "rate": "1050.00"},
                {"month": since, "currency": "EUR", "rate": "1130.00"},
                {"month": since, "currency": "MXN", "rate": "58.50"},
            ],
        }),
    )
    .await?;
    crate::quotes::set_logo(app, admin, LOGO.to_vec()).await?;
    Ok(())
}

/// `day` at `hour`:`minute` in the reps' zone, in UTC.
fn at(day: NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
    let local = day.and_hms_opt(hour, minute, 0)?;
    Some(
        ZONE.from_local_datetime(&local)
            .earliest()?
            .with_timezone(&Utc),
    )
}

fn contact_of(contacts: &[Record<ContactData>], account: Id) -> Option<&Record<ContactData>> {
    contacts.iter().find(|c| c.data.account_id == Some(account))
}

/// One rep's activities around `today` on their accounts.
fn agenda_of(
    rep: Id,
    today: NaiveDate,
    accounts: &[&Record<AccountData>],
    contacts: &[Record<ContactData>],
) -> Vec<Value> {
    let mut out = Vec::new();
    // Weekends have no visits: the week's days are counted from Monday.
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let plan: [(usize, &str, &str, i64, u32, bool, &str); 6] = [
        (
            0,
            "visit",
            "Visita: presentar la lista de precios nueva",
            0,
            10,
            false,
            "35",
        ),
        (
            1,
            "call",
            "Llamar para confirmar el pedido",
            0,
            15,
            false,
            "",
        ),
        (
            2,
            "task",
            "Enviar el presupuesto revisado",
            -2,
            9,
            false,
            "",
        ),
        (3, "visit", "Visita de seguimiento", -5, 11, true, "48,5"),
        (
            4,
            "meeting",
            "Reunión de cierre con compras",
            7,
            12,
            false,
            "",
        ),
        (
            0,
            "call",
            "Llamada: consulta por condiciones de pago",
            -3,
            16,
            true,
            "",
        ),
    ];
    for (i, kind, subject, offset, hour, done, km) in plan {
        let Some(account) = accounts.get(i % accounts.len().max(1)) else {
            continue;
        };
        let day = if offset >= 0 {
            today + Days::new(offset.unsigned_abs())
        } else {
            today - Days::new(offset.unsigned_abs())
        };
        // Done work lies in the past week at the latest on Friday.
        let day = if done {
            day.min(monday + Days::new(4)).min(today)
        } else {
            day
        };
        let contact = contact_of(contacts, account.id);
        let mut v = json!({
            "kind": kind,
            "subject": subject,
            "owner_id": rep,
            "account_id": account.id,
            "contact_id": contact.map(|c| c.id),
        });
        if kind == "task" {
            v["due_date"] = json!(day.to_string());
        } else {
            v["starts_at"] = json!(at(day, hour, 0));
            v["ends_at"] = json!(at(day, hour + 1, 0));
        }
        if done {
            v["status"] = json!("done");
            v["outcome"] = json!("Interesado: pide una propuesta por escrito");
            v["next_action"] = json!("Enviar la propuesta el lunes");
        }
        if !km.is_empty() {
            v["costs"] = json!([
                {"type": "mileage", "km": km.replace(',', ".")},
                {"type": "travel", "amount": {"amount": "1200.00", "currency": "ARS"}, "description": "Peaje y estacionamiento"},
            ]);
        }
        out.push(v);
    }
    out
}
