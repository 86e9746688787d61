//! The catalogue: products with unique SKUs and tax rates, read by everyone with a role,
//! changed by admins and managers, every change in the audit trail.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(
    products_are_created_changed_and_audited,
    bad_products_are_named_and_reps_only_read
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
