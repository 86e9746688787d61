//! Late interest through the API, on SQLite and PostgreSQL: rates set in the settings
//! (checked, naming the period), a customer's preview, posting it as one debit note that
//! the statement carries, posting again charging nothing new, later runs charging only
//! the days since, the run over every customer, and a day without a rate answering 422
//! on `through` with nothing written.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    interest_is_previewed_and_posted_once,
    a_day_without_a_rate_writes_nothing,
    every_overdue_customer_is_charged_once
);

fn str(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

async fn account(s: &TestServer, name: &str) -> String {
    str(&s.create("accounts", json!({"name": name})).await["id"])
}

/// An invoice of 1,000.00 + 21 % VAT = 1,210.00, issued 70 days ago at 30 days: due 40
/// days ago.
async fn overdue_invoice(s: &TestServer, account: &str) -> String {
    let inv = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": account, "issue_date": days_ago(70), "payment_terms_days": 30,
                   "lines": [{"description": "Semilla", "quantity": "1", "tax_rate": "21",
                              "unit_price": {"amount": "1000", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(inv["totals"]["total"], "1210.00");
    assert_eq!(inv["due_date"], days_ago(40));
    str(&inv["id"])
}

/// 3 % a month from long ago, with no end.
async fn three_percent(s: &TestServer) {
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"interest_rates": [{"from": days_ago(400), "monthly_rate": "3"}]}}),
    )
    .await
    .expect(200);
}

async fn preview(s: &TestServer, a: &str) -> Value {
    s.get(&format!("/api/v1/accounts/{a}/interest"))
        .await
        .expect(200)
        .body
}

async fn debit_notes(s: &TestServer, a: &str) -> Vec<Value> {
    s.get(&format!("/api/v1/invoices?account_id={a}&kind=debit_note"))
        .await
        .expect(200)
        .body["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn invoice_now_number(s: &TestServer, id: &str) -> Value {
    s.get(&format!("/api/v1/invoices/{id}"))
        .await
        .expect(200)
        .body["number"]
        .clone()
}

async fn balance(s: &TestServer, a: &str) -> Value {
    s.get(&format!("/api/v1/accounts/{a}/statement"))
        .await
        .expect(200)
        .body["closing_balance"]
        .clone()
}

async fn interest_is_previewed_and_posted_once(s: TestServer) {
    // Overlapping periods are refused, naming the later one.
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"interest_rates": [
            {"from": days_ago(400), "monthly_rate": "3"},
            {"from": days_ago(100), "to": days_ago(50), "monthly_rate": "4"}]}}),
    )
    .await
    .problem(422, "billing.interest_rates[1].from");
    three_percent(&s).await;
    let settings = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(
        settings["billing"]["interest_rates"][0]["monthly_rate"],
        "3"
    );

    // 1,210.00 × 0.03 / 30 × 40 days = 48.40.
    let a = account(&s, "Agro Sur").await;
    let inv = overdue_invoice(&s, &a).await;
    let p = preview(&s, &a).await;
    assert_eq!(p["through"], days_ago(0));
    let ars = &p["previews"][0];
    assert_eq!(ars["currency"], "ARS");
    assert_eq!(ars["total"], "48.40", "{p}");
    let line = &ars["lines"][0];
    assert_eq!(line["invoice_id"], json!(inv));
    assert_eq!(line["days"], 40);
    assert_eq!(line["open"], "1210.00");
    assert_eq!(line["from"], days_ago(39));
    assert_eq!(line["rates"], json!(["3"]));

    // A partial payment 20 days ago lowers the balance from its day: 1,210.00 on the 19
    // days from 39 to 21 days ago, 510.00 on the 21 days from 20 days ago to today:
    // (1,210 × 19 + 510 × 21) × 3 / 3000 = (22,990 + 10,710) / 1000 = 33.70.
    s.post(
        "/api/v1/payments",
        json!({"account_id": a, "amount": "700.00", "method": "transfer",
               "received_on": days_ago(20),
               "allocations": [{"invoice_id": inv, "amount": "700.00"}]}),
    )
    .await
    .expect(201);
    let p = preview(&s, &a).await;
    let ars = &p["previews"][0];
    assert_eq!(ars["total"], "33.70", "{p}");
    assert_eq!(ars["lines"][0]["open"], "510.00");
    let segments = ars["lines"][0]["segments"].as_array().expect("segments");
    let stretches: Vec<(i64, String)> = segments
        .iter()
        .map(|x| (x["days"].as_i64().unwrap_or(0), str(&x["open"])))
        .collect();
    assert_eq!(
        stretches,
        [(19, "1210.00".to_owned()), (21, "510.00".to_owned())]
    );
    assert_eq!(balance(&s, &a).await, "510.00");

    // Posted: one debit note of 33.70 correcting the invoice; the balance rises by it.
    let posted = s
        .post(&format!("/api/v1/accounts/{a}/interest"), json!({}))
        .await
        .expect(201)
        .body;
    let notes = posted.as_array().expect("a list of notes");
    assert_eq!(notes.len(), 1, "{posted}");
    let nd = &notes[0];
    assert!(str(&nd["number"]).starts_with("ND-"), "{nd}");
    assert_eq!(nd["kind"], "debit_note");
    assert_eq!(nd["corrects_id"], json!(inv));
    assert_eq!(nd["totals"]["total"], "33.70");
    assert_eq!(
        nd["reason"],
        format!(
            "Intereses por mora al {}",
            Utc::now().date_naive().format("%d/%m/%Y")
        )
    );
    assert_eq!(nd["lines"][0]["tax_rate"], "exempt", "{nd}");
    let number = str(&invoice_now_number(&s, &inv).await);
    assert!(
        str(&nd["lines"][0]["description"]).contains(&format!("{number} (40 días)")),
        "{nd}"
    );
    assert_eq!(balance(&s, &a).await, "543.70");

    // Again up to the same day: nothing new.
    let again = s
        .post(
            &format!("/api/v1/accounts/{a}/interest"),
            json!({"through": days_ago(0)}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(again, json!([]));
    assert_eq!(preview(&s, &a).await["previews"], json!([]));
    assert_eq!(debit_notes(&s, &a).await.len(), 1);
    assert_eq!(balance(&s, &a).await, "543.70");
    // An earlier day is charged already; a day to come cannot be charged.
    s.post(
        &format!("/api/v1/accounts/{a}/interest"),
        json!({"through": days_ago(5)}),
    )
    .await
    .expect(200);
    s.post(
        &format!("/api/v1/accounts/{a}/interest"),
        json!({"through": days_ago(-1)}),
    )
    .await
    .problem(422, "through");

    // Ten days later only those ten days are charged, on the invoice alone (interest
    // earns no interest): 510.00 × 0.001 × 10 = 5.10.
    s.clock.advance(Duration::days(10));
    let p = preview(&s, &a).await;
    let lines = p["previews"][0]["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 1, "{p}");
    assert_eq!(lines[0]["days"], 10);
    assert_eq!(p["previews"][0]["total"], "5.10");
    s.post(&format!("/api/v1/accounts/{a}/interest"), json!({}))
        .await
        .expect(201);
    assert_eq!(balance(&s, &a).await, "548.80");

    // Bad input.
    s.get(&format!("/api/v1/accounts/{a}/interest?through=ayer"))
        .await
        .problem(400, "through");
    s.post(
        &format!("/api/v1/accounts/{a}/interest"),
        json!({"through": "ayer"}),
    )
    .await
    .problem(422, "through");
}

async fn a_day_without_a_rate_writes_nothing(s: TestServer) {
    let a = account(&s, "Ferretería Rosario").await;
    overdue_invoice(&s, &a).await;
    // No rates at all (Argentina has no default).
    s.get(&format!("/api/v1/accounts/{a}/interest"))
        .await
        .problem(422, "through");
    // A rate only for the last 10 days: the 30 days before have none.
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"interest_rates": [{"from": days_ago(9), "monthly_rate": "3"}]}}),
    )
    .await
    .expect(200);
    let r = s
        .post(&format!("/api/v1/accounts/{a}/interest"), json!({}))
        .await
        .problem(422, "through");
    let message = r.body.to_string();
    assert!(
        message.contains(&format!("{} to {}", days_ago(39), days_ago(10))),
        "names the days: {message}"
    );
    s.post("/api/v1/receivables/interest", json!({}))
        .await
        .problem(422, "through");
    assert!(debit_notes(&s, &a).await.is_empty());
    assert_eq!(balance(&s, &a).await, "1210.00");
    // Up to a day before the invoice fell due nothing is owed, so no rate is needed.
    s.post(
        &format!("/api/v1/accounts/{a}/interest"),
        json!({"through": days_ago(41)}),
    )
    .await
    .expect(200);
    // Spain's default covers 2026's second half only; Mexico's every day: 6 % a year is
    // 0.5 % a month, 1,210.00 × 0.005 / 30 × 40 = 8.07 (8.0666...).
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"interest_rates": [], "interest_country_default": "MX"}}),
    )
    .await
    .expect(200);
    assert_eq!(preview(&s, &a).await["previews"][0]["total"], "8.07");
}

async fn every_overdue_customer_is_charged_once(s: TestServer) {
    three_percent(&s).await;
    let a = account(&s, "Cliente A").await;
    let b = account(&s, "Cliente B").await;
    let c = account(&s, "Cliente al día").await;
    overdue_invoice(&s, &a).await;
    overdue_invoice(&s, &b).await;
    // Not due yet.
    s.post(
        "/api/v1/invoices",
        json!({"account_id": c, "payment_terms_days": 30,
               "lines": [{"description": "x", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": "1000", "currency": "ARS"}}]}),
    )
    .await
    .expect(201);
    let run = s
        .post("/api/v1/receivables/interest", json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(run["accounts"], 2, "{run}");
    assert_eq!(run["notes"], 2);
    assert_eq!(
        run["totals"],
        json!([{"amount": "96.80", "currency": "ARS"}])
    );
    assert_eq!(balance(&s, &a).await, "1258.40");
    assert!(debit_notes(&s, &c).await.is_empty());
    // The run's notes take consecutive numbers of the series, each with its audit event.
    let (na, nb) = (&debit_notes(&s, &a).await[0], &debit_notes(&s, &b).await[0]);
    let seq = |n: &Value| -> i64 {
        str(&n["number"])
            .rsplit('-')
            .next()
            .and_then(|d| d.parse().ok())
            .unwrap_or_default()
    };
    assert_eq!((seq(na) - seq(nb)).abs(), 1, "{na} {nb}");
    for n in [na, nb] {
        let events = s
            .get(&format!("/api/v1/audit_events?record_id={}", str(&n["id"])))
            .await
            .expect(200)
            .body;
        assert_eq!(events["data"][0]["action"], "created", "{events}");
        assert_eq!(events["data"][0]["record_kind"], "invoice", "{events}");
    }
    let again = s
        .post(
            "/api/v1/receivables/interest",
            json!({"through": days_ago(0)}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(again["accounts"], 0);
    assert_eq!(again["totals"], json!([]));
    // A rep reads billing but posts no interest.
    let (_, rep) = s.member("rep@example.com", "sales_rep").await;
    s.call(
        &rep,
        reqwest::Method::POST,
        "/api/v1/receivables/interest",
        Some(json!({})),
    )
    .await
    .expect(403);
}
