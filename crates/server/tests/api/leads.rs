use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(converts_a_lead, conversion_rules);

async fn converts_a_lead(s: TestServer) {
    let lead = s
        .create(
            "leads",
            json!({"first_name": "Carla", "last_name": "Ruiz", "company_name": "Viñedos del Sol",
                   "email": "Carla@VinedosDelSol.com.ar", "phone": "+54 261 555-0101", "job_title": "Gerente",
                   "source": "google_ads", "campaign": "Vendimia 2026", "ad_keyword": "crm bodegas",
                   "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "vendimia", "tags": ["Mendoza"]}),
        )
        .await;
    assert_eq!(lead["status"], "new");
    assert_eq!(lead["email"], "carla@vinedosdelsol.com.ar");
    let id = lead["id"].as_str().unwrap();
    let r = s
        .post(&format!("/api/v1/leads/{id}/convert"), json!({}))
        .await
        .expect(200);
    let (l, a, c) = (&r.body["lead"], &r.body["account"], &r.body["contact"]);
    assert_eq!(l["status"], "converted");
    assert!(l["converted_at"].is_string());
    assert_eq!(a["name"], "Viñedos del Sol");
    assert_eq!(c["first_name"], "Carla");
    assert_eq!(c["account_id"], a["id"]);
    assert_eq!(c["emails"][0]["address"], "carla@vinedosdelsol.com.ar");
    assert_eq!(l["converted_account_id"], a["id"]);
    assert_eq!(l["converted_contact_id"], c["id"]);
    // Stored, not just answered.
    let got = s
        .get(&format!("/api/v1/accounts/{}", a["id"].as_str().unwrap()))
        .await
        .expect(200);
    assert_eq!(got.body["tags"], json!(["Mendoza"]));
    let converted = s
        .get("/api/v1/leads?filter[status]=converted")
        .await
        .expect(200);
    assert_eq!(converted.body["data"][0]["id"], id);
    // Once is enough.
    s.post(&format!("/api/v1/leads/{id}/convert"), json!({}))
        .await
        .problem(409, "");
    let ev = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200);
    assert_eq!(ev.body["data"][0]["action"], "converted");
}

async fn conversion_rules(s: TestServer) {
    let existing = s
        .create(
            "accounts",
            json!({"name": "Acopio Pampeano", "tax_id": "30-70000001-3"}),
        )
        .await;
    let lead = s
        .create(
            "leads",
            json!({"first_name": "Raúl", "company_name": "Acopio Pampeano SA"}),
        )
        .await;
    let id = lead["id"].as_str().unwrap();
    // The account it would make looks like one we have.
    let dup = s
        .post(&format!("/api/v1/leads/{id}/convert"), json!({}))
        .await
        .problem(409, "account.name");
    assert_eq!(dup.body["candidates"][0]["id"], existing["id"]);
    // Nothing was written: the lead is still new, no contact was made.
    assert_eq!(
        s.get(&format!("/api/v1/leads/{id}")).await.body["status"],
        "new"
    );
    assert!(
        s.get("/api/v1/contacts").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Link it to the existing account instead.
    let r = s
        .post(
            &format!("/api/v1/leads/{id}/convert"),
            json!({"account_id": existing["id"], "contact": {"job_title": "Acopiador"}}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["account"]["id"], existing["id"]);
    assert_eq!(r.body["contact"]["account_id"], existing["id"]);
    assert_eq!(r.body["contact"]["job_title"], "Acopiador");

    let other = s
        .create("leads", json!({"email": "anon@example.com"}))
        .await;
    let oid = other["id"].as_str().unwrap();
    s.post(&format!("/api/v1/leads/{oid}/convert"), json!({}))
        .await
        .problem(422, "");
    s.post(
        &format!("/api/v1/leads/{oid}/convert"),
        json!({"account_id": "019a0000-0000-7000-8000-000000000000"}),
    )
    .await
    .problem(422, "account_id");
    s.post(
        &format!("/api/v1/leads/{oid}/convert"),
        json!({"surprise": 1}),
    )
    .await
    .problem(422, "surprise");
    s.patch(
        &format!("/api/v1/leads/{oid}"),
        json!({"status": "converted"}),
    )
    .await
    .problem(422, "status");
    s.patch(
        &format!("/api/v1/leads/{oid}"),
        json!({"converted_account_id": existing["id"]}),
    )
    .await
    .problem(422, "converted_account_id");
    s.patch(
        &format!("/api/v1/leads/{oid}"),
        json!({"status": "qualified"}),
    )
    .await
    .expect(200);
    s.post("/api/v1/leads", json!({"source": "web_form"}))
        .await
        .problem(422, "last_name");
    s.post("/api/v1/leads", json!({"email": "nope"}))
        .await
        .problem(422, "email");
    s.post(
        "/api/v1/leads/019a0000-0000-7000-8000-000000000000/convert",
        json!({}),
    )
    .await
    .problem(404, "");
}
