//! Monthly statements through the API and the statement page, on SQLite and PostgreSQL,
//! with a real SMTP server: each customer that owed at the end of last month gets last
//! month's statement with its PDF, once; a customer taken off them gets none; one without
//! an address is counted; each send is on the account's timeline; only admins run it.

use chrono::{Datelike, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::{Setup, TestServer};
use crate::web::{get, post_signed};
use crate::web_billing::spanish_admin;

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    last_months_statement_goes_once_to_each_customer_that_owes
);

both!(the_schedule_is_checked_and_only_admins_run_it);

fn str(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

/// The month before this one, `2026-11`.
fn last_month() -> String {
    let first = Utc::now().date_naive().with_day(1).unwrap_or_default();
    (first - Duration::days(1)).format("%Y-%m").to_string()
}

/// A customer with a contact whose address is `email` (none when empty).
async fn customer(s: &TestServer, name: &str, email: &str, country: &str) -> String {
    let id = str(&s
        .create(
            "accounts",
            json!({"name": name, "billing_address": {"country": country}}),
        )
        .await["id"]);
    if !email.is_empty() {
        s.create(
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Pérez", "account_id": id,
                   "emails": [{"address": email, "label": "Facturación"}]}),
        )
        .await;
    }
    id
}

/// An invoice of 1000 + 21 % VAT issued 40 days ago (always last month or before).
async fn old_invoice(s: &TestServer, account: &str) -> Value {
    s.post(
        "/api/v1/invoices",
        json!({"account_id": account, "issue_date": days_ago(40), "payment_terms_days": 30,
               "lines": [{"description": "Semilla", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": "1000", "currency": "ARS"}}]}),
    )
    .await
    .expect(201)
    .body
}

async fn run(s: &TestServer) -> Value {
    s.post("/api/v1/statements/run", json!({}))
        .await
        .expect(200)
        .body
}

async fn last_months_statement_goes_once_to_each_customer_that_owes(s: TestServer) {
    let smtp = s.smtp.as_ref().unwrap();
    let owes = customer(&s, "Agro Sur", "pagos@agrosur.example.com", "AR").await;
    old_invoice(&s, &owes).await;
    let english = customer(&s, "Prairie Grain", "ap@prairie.example.com", "US").await;
    old_invoice(&s, &english).await;
    let off = customer(&s, "Molino Norte", "molino@example.com", "AR").await;
    old_invoice(&s, &off).await;
    let silent = customer(&s, "Sin Correo", "", "AR").await;
    old_invoice(&s, &silent).await;
    // Paid in full last month: nothing to ask for.
    let paid = customer(&s, "Al Día", "aldia@example.com", "AR").await;
    let inv = old_invoice(&s, &paid).await;
    s.post(
        "/api/v1/payments",
        json!({"account_id": paid, "amount": "1210.00", "method": "transfer",
               "received_on": days_ago(39),
               "allocations": [{"invoice_id": inv["id"], "amount": "1210.00"}]}),
    )
    .await
    .expect(201);

    // One customer is taken off them.
    let schedule = s
        .call(
            &s.token,
            Method::PUT,
            &format!("/api/v1/accounts/{off}/statement/schedule"),
            Some(json!({"monthly": false})),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(schedule["monthly"], false);
    assert_eq!(schedule["company_monthly"], true);
    assert_eq!(schedule["day"], 1);

    let first = run(&s).await;
    assert_eq!(first["month"], last_month(), "{first}");
    assert_eq!(first["sent"], 2, "{first}");
    assert_eq!(first["without_email"], 1, "{first}");
    assert_eq!(first["opted_out"], 1, "{first}");
    assert_eq!(first["failed"], 0, "{first}");

    let mail = smtp.wait_for(2).await;
    assert_eq!(mail.len(), 2);
    let to = |who: &str| mail.iter().find(|m| m.to.iter().any(|t| t == who));
    let agro = to("pagos@agrosur.example.com").expect("Agro Sur's statement");
    assert!(
        agro.subject.starts_with("Estado de cuenta al "),
        "{}",
        agro.subject
    );
    assert!(agro.text.contains("1.210,00 ARS"), "{}", agro.text);
    let (name, kind, pdf) = &agro.attachments[0];
    assert_eq!(kind, "application/pdf");
    assert!(name.ends_with(".pdf"), "{name}");
    assert!(pdf.starts_with(b"%PDF"));
    let prairie = to("ap@prairie.example.com").expect("Prairie's statement");
    assert!(
        prairie.subject.starts_with("Statement of account as of "),
        "{}",
        prairie.subject
    );
    assert!(prairie.text.contains("1,210.00 ARS"), "{}", prairie.text);
    assert!(to("molino@example.com").is_none());
    assert!(to("aldia@example.com").is_none());

    // Again the same month: nothing new.
    let again = run(&s).await;
    assert_eq!(again["sent"], 0, "{again}");
    assert_eq!(again["without_email"], 0, "{again}");
    assert_eq!(smtp.messages().len(), 2);

    // Where it went, on the schedule and on the account's timeline.
    let schedule = s
        .get(&format!("/api/v1/accounts/{owes}/statement/schedule"))
        .await
        .expect(200)
        .body;
    assert_eq!(schedule["monthly"], true);
    assert_eq!(schedule["sent"][0]["month"], last_month());
    assert_eq!(schedule["sent"][0]["email_to"], "pagos@agrosur.example.com");
    assert!(schedule["sent"][0]["sent_at"].is_string(), "{schedule}");
    let nobody = s
        .get(&format!("/api/v1/accounts/{silent}/statement/schedule"))
        .await
        .expect(200)
        .body;
    assert_eq!(nobody["sent"][0]["email_error"], "no_email");
    let tl = s
        .get(&format!("/api/v1/accounts/{owes}/timeline?limit=100"))
        .await
        .expect(200)
        .body;
    let sent: Vec<&Value> = tl["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|i| i["event"]["action"] == "statement_sent")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sent.len(), 1, "{tl}");

    // The statement page says so, and takes the customer off in one click.
    let cookie = spanish_admin(&s).await;
    let page = get(&s, &format!("/accounts/{owes}/statement"), &cookie.0).await;
    assert!(
        page.text
            .contains("Recibe este estado de cuenta por correo el día 1 de cada mes."),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("pagos@agrosur.example.com"),
        "{}",
        page.text
    );
    let stop = post_signed(
        &s,
        &format!("/accounts/{owes}/statement/schedule"),
        &cookie,
        &[("monthly", "no"), ("currency", "ARS")],
    )
    .await;
    assert_eq!(stop.status, 303, "{}", stop.text);
    let page = get(&s, &stop.location.unwrap_or_default(), &cookie.0).await;
    assert!(
        page.text
            .contains("El cliente ya no recibirá el estado de cuenta mensual."),
        "{}",
        page.text
    );
    assert!(page.text.contains("Enviarlo cada mes"), "{}", page.text);

    // The company turns them off: a run does nothing.
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"statements": {"monthly": false}}}),
    )
    .await
    .expect(200);
    let none = run(&s).await;
    assert_eq!(none["month"], Value::Null, "{none}");
}

async fn the_schedule_is_checked_and_only_admins_run_it(s: TestServer) {
    let a = customer(&s, "Agro Sur", "", "AR").await;
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"statements": {"day": 29}}}),
    )
    .await
    .problem(422, "billing.statements.day");
    s.call(
        &s.token,
        Method::PUT,
        &format!("/api/v1/accounts/{a}/statement/schedule"),
        Some(json!({"monthly": "a veces"})),
    )
    .await
    .problem(422, "monthly");
    let (_, rep) = s.member("rita@test.example.com", "sales_rep").await;
    s.call(
        &rep,
        Method::POST,
        "/api/v1/statements/run",
        Some(json!({})),
    )
    .await
    .expect(403);
    s.call(
        &rep,
        Method::PUT,
        &format!("/api/v1/accounts/{a}/statement/schedule"),
        Some(json!({"monthly": false})),
    )
    .await
    .expect(403);
    let (_, clerk) = s.member("cobra@test.example.com", "collections").await;
    s.call(
        &clerk,
        Method::PUT,
        &format!("/api/v1/accounts/{a}/statement/schedule"),
        Some(json!({"monthly": false})),
    )
    .await
    .expect(200);
}
