//! The catalogue: products with unique SKUs and tax rates, price lists per currency and
//! period, read by everyone with a role, changed by admins and managers, every change in
//! the audit trail.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(
    products_are_created_changed_and_audited,
    bad_products_are_named_and_reps_only_read,
    price_lists_price_products_in_their_currency_and_dates,
    products_list_a_page_at_a_time
);

async fn products_are_created_changed_and_audited(s: TestServer) {
    let seeds = s
        .post(
            "/api/v1/products",
            json!({"sku": " SEM-001 ", "name": "Semilla de girasol", "unit": "kg",
                   "category": "Semillas", "tax_rate": "10.5"}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(seeds["sku"], "SEM-001");
    assert_eq!(seeds["kind"], "product");
    assert_eq!(seeds["tax_rate"], "10.5");
    assert_eq!(seeds["active"], true);
    assert_eq!(seeds["version"], 1);
    let id = seeds["id"].as_str().unwrap().to_owned();
    s.post(
        "/api/v1/products",
        json!({"sku": "SRV-INST", "name": "Instalación", "kind": "service", "unit": "hora",
               "tax_rate": "21"}),
    )
    .await
    .expect(201);

    let changed = s
        .patch(
            &format!("/api/v1/products/{id}"),
            json!({"tax_rate": "21", "active": false}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["tax_rate"], "21");
    assert_eq!(changed["active"], false);
    assert_eq!(changed["version"], 2);

    let list = s.get("/api/v1/products").await.expect(200).body;
    let skus: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["SEM-001", "SRV-INST"]);
    s.get(&format!("/api/v1/products/{id}")).await.expect(200);

    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200)
        .body;
    let events = trail["data"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["updated", "created"], "{trail}");
    assert_eq!(events[0]["record_kind"], "product");
    let fields: Vec<&str> = events[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tax_rate", "active"], "{trail}");
}

async fn bad_products_are_named_and_reps_only_read(s: TestServer) {
    s.post(
        "/api/v1/products",
        json!({"sku": "SEM-001", "name": "Semilla", "tax_rate": "10.5"}),
    )
    .await
    .expect(201);
    // The same SKU in other case is taken.
    s.post(
        "/api/v1/products",
        json!({"sku": "sem-001", "name": "Otra", "tax_rate": "21"}),
    )
    .await
    .problem(422, "sku");
    s.post(
        "/api/v1/products",
        json!({"sku": "X-1", "name": "", "tax_rate": "21"}),
    )
    .await
    .problem(422, "name");
    let r = s
        .post(
            "/api/v1/products",
            json!({"sku": "X-2", "name": "Algo", "tax_rate": "IVA"}),
        )
        .await;
    assert!(matches!(r.status.as_u16(), 400 | 422), "{}", r.body);
    assert!(r.body.to_string().contains("tax_rate"), "{}", r.body);
    s.get("/api/v1/products/0190a5c4-7e3b-7a11-8000-000000000000")
        .await
        .expect(404);

    // A sales rep reads the catalogue but does not change it.
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let list = s
        .call(&rep, Method::GET, "/api/v1/products", None)
        .await
        .expect(200)
        .body;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    s.call(
        &rep,
        Method::POST,
        "/api/v1/products",
        Some(json!({"sku": "R-1", "name": "Rep's", "tax_rate": "21"})),
    )
    .await
    .expect(403);
}

async fn price_lists_price_products_in_their_currency_and_dates(s: TestServer) {
    let product =
        |sku: &str| json!({"sku": sku, "name": format!("Producto {sku}"), "tax_rate": "21"});
    let seeds = s
        .post("/api/v1/products", product("SEM-001"))
        .await
        .expect(201)
        .id();
    let kit = s
        .post("/api/v1/products", product("KIT-002"))
        .await
        .expect(201)
        .id();
    let customer = s
        .create("accounts", json!({"name": "Agro Los Álamos"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = s
        .post(
            "/api/v1/price_lists",
            json!({"name": "Agro Los Álamos 2026", "currency": "ARS",
                   "valid_from": "2026-01-01", "valid_to": "2026-12-31",
                   "account_id": customer,
                   "items": [{"product_id": seeds,
                              "price": {"amount": "899.99", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(list["currency"], "ARS");
    assert_eq!(list["account_id"], customer.as_str());
    assert_eq!(list["items"][0]["price"]["amount"], "899.99");
    let id = list["id"].as_str().unwrap().to_owned();

    // The valid price, on the first and the last day.
    for date in ["2026-01-01", "2026-12-31"] {
        let p = s
            .get(&format!(
                "/api/v1/price_lists/{id}/price?product_id={seeds}&date={date}"
            ))
            .await
            .expect(200)
            .body;
        assert_eq!(p["price"], json!({"amount": "899.99", "currency": "ARS"}));
        assert_eq!(p["date"], date);
    }
    // Outside its dates, and for a product it does not price: 422 with the reason.
    let r = s
        .get(&format!(
            "/api/v1/price_lists/{id}/price?product_id={seeds}&date=2027-01-01"
        ))
        .await
        .problem(422, "date");
    assert!(
        r.body.to_string().contains("not valid on 2027-01-01"),
        "{}",
        r.body
    );
    s.get(&format!(
        "/api/v1/price_lists/{id}/price?product_id={kit}&date=2026-06-01"
    ))
    .await
    .problem(422, "product_id");
    s.get(&format!(
        "/api/v1/price_lists/0190a5c4-7e3b-7a11-8000-000000000000/price?product_id={kit}"
    ))
    .await
    .expect(404);

    // Bad items are named; nothing is written.
    s.post(
        "/api/v1/price_lists",
        json!({"name": "Mixta", "currency": "ARS",
               "items": [{"product_id": seeds, "price": {"amount": "1", "currency": "ARS"}},
                         {"product_id": kit, "price": {"amount": "5", "currency": "USD"}}]}),
    )
    .await
    .problem(422, "items[1].price.currency");
    s.post(
        "/api/v1/price_lists",
        json!({"name": "Fantasma", "currency": "ARS",
               "items": [{"product_id": "0190a5c4-7e3b-7a11-8000-000000000000",
                          "price": {"amount": "1", "currency": "ARS"}}]}),
    )
    .await
    .problem(422, "items[0].product_id");
    s.post(
        "/api/v1/price_lists",
        json!({"name": "Al revés", "currency": "ARS",
               "valid_from": "2026-12-31", "valid_to": "2026-01-01"}),
    )
    .await
    .problem(422, "valid_to");
    let all = s.get("/api/v1/price_lists").await.expect(200).body;
    assert_eq!(all["data"].as_array().unwrap().len(), 1, "{all}");

    // A change replaces the items and opens the end; the trail has both events.
    let changed = s
        .patch(
            &format!("/api/v1/price_lists/{id}"),
            json!({"valid_to": null,
                   "items": [{"product_id": kit, "price": {"amount": "1234.5", "currency": "ARS"}},
                             {"product_id": seeds, "price": {"amount": "950", "currency": "ARS"}}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["valid_to"], serde_json::Value::Null);
    let p = s
        .get(&format!(
            "/api/v1/price_lists/{id}/price?product_id={kit}&date=2030-01-01"
        ))
        .await
        .expect(200)
        .body;
    assert_eq!(p["price"]["amount"], "1234.5");
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200)
        .body;
    let actions: Vec<&str> = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["updated", "created"], "{trail}");
    assert_eq!(trail["data"][0]["record_kind"], "price_list");

    // A rep reads price lists but does not write them.
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    s.call(
        &rep,
        Method::GET,
        &format!("/api/v1/price_lists/{id}"),
        None,
    )
    .await
    .expect(200);
    s.call(
        &rep,
        Method::PATCH,
        &format!("/api/v1/price_lists/{id}"),
        Some(json!({"name": "Mía"})),
    )
    .await
    .expect(403);
}

async fn products_list_a_page_at_a_time(s: TestServer) {
    // Created out of order: pages follow the SKU, case aside.
    for sku in ["C-3", "a-1", "G-7", "E-5", "b-2", "F-6", "D-4"] {
        s.post(
            "/api/v1/products",
            json!({"sku": sku, "name": format!("Producto {sku}"), "unit": "u", "tax_rate": "21"}),
        )
        .await
        .expect(201);
    }
    let mut skus = Vec::new();
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/products?limit=3&cursor={c}"),
            None => "/api/v1/products?limit=3".to_owned(),
        };
        let page = s.get(&path).await.expect(200).body;
        let data = page["data"].as_array().unwrap();
        sizes.push(data.len());
        skus.extend(data.iter().map(|p| p["sku"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(skus, ["a-1", "b-2", "C-3", "D-4", "E-5", "F-6", "G-7"]);
    // Without a limit, one page of up to 100 holds them all.
    let all = s.get("/api/v1/products").await.expect(200).body;
    assert_eq!(all["data"].as_array().unwrap().len(), 7);
    assert!(all["next_cursor"].is_null());
    s.get("/api/v1/products?limit=3&cursor=not-a-cursor")
        .await
        .problem(400, "cursor");
    s.get("/api/v1/products?limit=0")
        .await
        .problem(400, "limit");
    s.get("/api/v1/products?sort=sku").await.expect(400);
    // The OpenAPI document names the parameters.
    let doc = s.get("/api/v1/openapi.json").await.expect(200).body;
    let params = doc["paths"]["/api/v1/products"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(params, ["limit", "cursor"]);
}
