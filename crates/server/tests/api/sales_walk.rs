//! One sale from end to end, as a rep works it: a lead converted into a customer, a deal
//! priced from the catalogue, a quote made from the deal and emailed with its PDF, the
//! customer's acceptance, the deal won, and the order delivered in two parts; on SQLite
//! and PostgreSQL, with the email read back from a real SMTP server.

use serde_json::{Value, json};

use crate::both;
use crate::support::{Setup, TestServer};

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    a_lead_becomes_a_delivered_order
);

both!(activities_about_a_deal_show_on_its_timeline);

fn str(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

async fn a_lead_becomes_a_delivered_order(s: TestServer) {
    // The catalogue: seed at 10.5 % VAT, a service at 21 %.
    let seed = s
        .post(
            "/api/v1/products",
            json!({"sku": "GIR-25", "name": "Semilla de girasol 25 kg", "unit": "bolsa",
                   "category": "Semillas", "tax_rate": "10.5"}),
        )
        .await
        .expect(201)
        .id();
    let list = s
        .post(
            "/api/v1/price_lists",
            json!({"name": "Lista 2026", "currency": "ARS",
                   "items": [{"product_id": seed, "price": {"amount": "900", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .id();

    // The lead becomes a customer and its contact.
    let lead = s
        .create(
            "leads",
            json!({"first_name": "Marta", "last_name": "Quiroga", "company_name": "Agro Quiroga",
                   "email": "marta@agroquiroga.com.ar"}),
        )
        .await;
    let converted = s
        .post(
            &format!("/api/v1/leads/{}/convert", str(&lead["id"])),
            json!({}),
        )
        .await
        .expect(200)
        .body;
    let account = str(&converted["account"]["id"]);
    let contact = str(&converted["contact"]["id"]);

    // The deal, priced from the list: 10 bags at 900.00 less 5 % (8,550.00 + 10.5 % =
    // 897.75 VAT) and the sowing service at 15,000.00 less 10 % (13,500.00 + 21 % =
    // 2,835.00 VAT). Net 22,050.00; VAT 3,732.75; total 25,782.75.
    let deal = s
        .create(
            "deals",
            json!({"name": "Campaña gruesa 2026", "account_id": account, "contact_ids": [contact],
                   "price_list_id": list, "expected_close_date": "2026-12-20",
                   "lines": [
                       {"product_id": seed, "quantity": "10", "discount": "5"},
                       {"description": "Servicio de siembra", "quantity": "1", "discount": "10",
                        "unit_price": {"amount": "15000", "currency": "ARS"}, "tax_rate": "21"}]}),
        )
        .await;
    let deal_id = str(&deal["id"]);
    assert_eq!(
        deal["amount"],
        json!({"amount": "22050.00", "currency": "ARS"})
    );
    assert_eq!(deal["totals"]["total"], "25782.75");

    // The quote starts from the deal: its lines, currency and contact.
    let quote = s
        .post(
            "/api/v1/quotes",
            json!({"account_id": account, "deal_id": deal_id}),
        )
        .await
        .expect(201)
        .body;
    let qid = str(&quote["id"]);
    assert_eq!(quote["deal_id"], deal_id.as_str());
    assert_eq!(quote["contact_id"], contact.as_str());
    assert_eq!(quote["lines"].as_array().unwrap().len(), 2);
    assert_eq!(quote["totals"]["taxes"], "3732.75");
    assert_eq!(quote["totals"]["total"], "25782.75");
    // A deal of another customer cannot be quoted to this one.
    let other = s.create("accounts", json!({"name": "Otra SA"})).await;
    s.post(
        "/api/v1/quotes",
        json!({"account_id": other["id"], "deal_id": deal_id}),
    )
    .await
    .problem(422, "deal_id");

    // Sent to the contact's email with the PDF attached.
    let sent = s
        .post(&format!("/api/v1/quotes/{qid}/send"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(sent["to"], "marta@agroquiroga.com.ar");
    let mail = s.smtp.as_ref().unwrap().wait_for(1).await;
    let message = &mail[0];
    assert!(
        message.subject.contains(&str(&quote["number"])),
        "{}",
        message.subject
    );
    assert_eq!(message.to, ["marta@agroquiroga.com.ar"]);
    let (_, _, pdf) = message
        .attachments
        .iter()
        .find(|(_, media, _)| media == "application/pdf")
        .expect("the PDF is attached");
    assert!(pdf.starts_with(b"%PDF"));

    // The customer accepts; the rep wins the deal; the quote becomes an order.
    s.post(&format!("/api/v1/quotes/{qid}/accept"), json!({}))
        .await
        .expect(200);
    let pipeline = s.get("/api/v1/pipelines").await.expect(200).body["data"][0].clone();
    let won = pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|st| st["name"] == "Ganado")
        .unwrap()["id"]
        .clone();
    let closed = s
        .post(
            &format!("/api/v1/deals/{deal_id}/move"),
            json!({"stage_id": won}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(closed["status"], "won");
    let order = s
        .post(&format!("/api/v1/quotes/{qid}/order"), json!({}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/orders/{}", str(&order["id"]));
    assert_eq!(order["status"], "confirmed");

    // Delivered in two parts: 6 bags and the service, then the other 4.
    s.post(&format!("{path}/status"), json!({"status": "picking"}))
        .await
        .expect(200);
    let part = s
        .post(
            &format!("{path}/deliveries"),
            json!({"lines": [{"line": 0, "quantity": "6"}, {"line": 1, "quantity": "1"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(part["lines"][0]["delivered"], "6");
    assert_ne!(part["status"], "delivered");
    s.post(&format!("{path}/status"), json!({"status": "shipped"}))
        .await
        .expect(200);
    let done = s
        .post(
            &format!("{path}/deliveries"),
            json!({"lines": [{"line": 0, "quantity": "4"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(done["status"], "delivered");

    // The whole story is on the customer's timeline.
    let timeline = s
        .get(&format!("/api/v1/accounts/{account}/timeline?limit=200"))
        .await
        .expect(200)
        .body
        .to_string();
    for id in [&deal_id, &qid, &str(&order["id"])] {
        assert!(timeline.contains(id.as_str()), "{id} not on the timeline");
    }
}

async fn activities_about_a_deal_show_on_its_timeline(s: TestServer) {
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let (_, other_rep) = s.member("otra@test.example.com", "sales_rep").await;
    let account = s
        .create_as(&rep, "accounts", json!({"name": "Molinos del Sur"}))
        .await;
    let deal = s
        .create_as(
            &rep,
            "deals",
            json!({"name": "Silo nuevo", "account_id": account,
                   "amount": {"amount": "48000", "currency": "ARS"}}),
        )
        .await;
    let call = s
        .create_as(
            &rep,
            "activities",
            json!({"kind": "call", "subject": "Llamar por el silo", "status": "done",
                   "account_id": account, "deal_id": deal}),
        )
        .await;
    let listed = s
        .call(
            &rep,
            reqwest::Method::GET,
            &format!("/api/v1/activities?filter[deal_id]={deal}"),
            None,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(listed["data"][0]["id"], call.as_str());
    assert_eq!(listed["data"][0]["deal_id"], deal.as_str());
    let timeline = s
        .call(
            &rep,
            reqwest::Method::GET,
            &format!("/api/v1/deals/{deal}/timeline"),
            None,
        )
        .await
        .expect(200)
        .body
        .to_string();
    assert!(timeline.contains(&call), "{timeline}");

    // A deal that does not exist, or that the person does not see, is named.
    for (token, id) in [
        (&rep, "0190a5c4-7e3b-7a11-8000-000000000000".to_owned()),
        (&other_rep, deal.clone()),
    ] {
        s.call(
            token,
            reqwest::Method::POST,
            "/api/v1/activities",
            Some(json!({"kind": "task", "subject": "x", "deal_id": id})),
        )
        .await
        .problem(422, "deal_id");
    }
}
