use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::{RawBody, TestServer};

both!(
    idempotency_key_replays,
    bulk_is_all_or_nothing,
    bulk_updates_and_deletes
);

async fn idempotency_key_replays(s: TestServer) {
    let send = |key: &'static str, body: serde_json::Value| {
        let s = &s;
        async move {
            s.send(
                Method::POST,
                "/api/v1/contacts",
                Some(&s.token),
                &[("idempotency-key", key)],
                Some(RawBody::Json(body)),
            )
            .await
        }
    };
    let body = json!({"first_name": "Inés", "last_name": "Quiroga"});
    let first = send("key-1", body.clone()).await.expect(201);
    let again = send("key-1", body.clone()).await.expect(201);
    assert_eq!(again.body, first.body, "the first answer, again");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let all = s.get("/api/v1/contacts").await.expect(200);
    assert_eq!(
        all.body["data"].as_array().unwrap().len(),
        1,
        "nothing new was created"
    );
    // The same key with another body is a client mistake.
    send("key-1", json!({"first_name": "Otro"}))
        .await
        .problem(422, "");
    // A failed request does not burn its key.
    send("key-2", json!({"first_name": ""}))
        .await
        .problem(422, "last_name");
    send("key-2", json!({"first_name": "Corregido"}))
        .await
        .expect(201);
    // Keys belong to their user.
    let (_, other) = s
        .token_for("otra@test.example.com", cartera_core::users::Scope::Write)
        .await;
    s.send(
        Method::POST,
        "/api/v1/contacts?allow_duplicate=true",
        Some(&other),
        &[("idempotency-key", "key-1")],
        Some(RawBody::Json(body)),
    )
    .await
    .expect(201);
    s.send(
        Method::POST,
        "/api/v1/contacts",
        Some(&s.token),
        &[("idempotency-key", "")],
        Some(RawBody::Json(json!({"first_name": "x"}))),
    )
    .await
    .problem(400, "Idempotency-Key");
}

async fn bulk_is_all_or_nothing(s: TestServer) {
    let good = |i: usize| json!({"first_name": format!("Persona {i}"), "emails": [{"address": format!("p{i}@empresa.com")}]});
    let mut batch: Vec<_> = (0..5).map(good).collect();
    batch[3] = json!({"first_name": "Mala", "emails": [{"address": "no-mail"}]});
    let r = s
        .post("/api/v1/contacts/bulk", json!({"create": batch}))
        .await
        .problem(422, "create[3].emails[0].address");
    assert_eq!(r.error_fields(), ["create[3].emails[0].address"]);
    assert!(
        s.get("/api/v1/contacts").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing half-written"
    );

    // A repeat inside the batch is a duplicate too.
    let mut batch: Vec<_> = (0..3).map(good).collect();
    batch.push(json!({"first_name": "Repetida", "emails": [{"address": "P1@empresa.com"}]}));
    s.post("/api/v1/contacts/bulk", json!({"create": batch}))
        .await
        .problem(409, "create[3].emails");

    let batch: Vec<_> = (0..300).map(good).collect();
    let r = s
        .post("/api/v1/contacts/bulk", json!({"create": batch}))
        .await
        .expect(200);
    assert_eq!(r.body["created"].as_array().unwrap().len(), 300);
    assert_eq!(s.all_pages("/api/v1/contacts?limit=500").await.len(), 300);
    // Against stored records.
    let r = s
        .post("/api/v1/contacts/bulk", json!({"create": [good(7)]}))
        .await
        .problem(409, "create[0].emails");
    assert_eq!(r.body["candidates"][0]["input"], "create[0]");

    let too_many: Vec<_> = (0..1001)
        .map(|i| json!({"first_name": format!("X{i}")}))
        .collect();
    s.post("/api/v1/contacts/bulk", json!({"create": too_many}))
        .await
        .problem(413, "");
    s.post("/api/v1/contacts/bulk", json!({"create": {}}))
        .await
        .problem(422, "create");
    s.post("/api/v1/contacts/bulk", json!({"crate": []}))
        .await
        .problem(422, "crate");
}

async fn bulk_updates_and_deletes(s: TestServer) {
    let a = s.create("accounts", json!({"name": "Uno"})).await;
    let b = s.create("accounts", json!({"name": "Dos"})).await;
    let c = s.create("accounts", json!({"name": "Tres"})).await;
    let (ai, bi, ci) = (
        a["id"].as_str().unwrap(),
        b["id"].as_str().unwrap(),
        c["id"].as_str().unwrap(),
    );
    let r = s
        .post(
            "/api/v1/accounts/bulk",
            json!({"create": [{"name": "Cuatro"}], "update": [{"id": ai, "version": 1, "industry": "Agro"}, {"id": bi, "name": "Dos bis"}], "delete": [ci]}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["updated"][0]["industry"], "Agro");
    assert_eq!(r.body["updated"][0]["version"], 2);
    assert_eq!(r.body["deleted"], json!([ci]));
    let names: Vec<String> = s
        .all_pages("/api/v1/accounts?sort=name")
        .await
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Cuatro", "Dos bis", "Uno"]);
    // A stale version anywhere refuses everything.
    s.post("/api/v1/accounts/bulk", json!({"create": [{"name": "Cinco"}], "update": [{"id": ai, "version": 1, "industry": "x"}]}))
        .await
        .problem(412, "");
    assert_eq!(s.all_pages("/api/v1/accounts").await.len(), 3);
    s.post(
        "/api/v1/accounts/bulk",
        json!({"update": [{"name": "sin id"}]}),
    )
    .await
    .problem(422, "update[0].id");
    s.post(
        "/api/v1/accounts/bulk",
        json!({"update": [{"id": ai, "name": ""}]}),
    )
    .await
    .problem(422, "update[0].name");
    s.post("/api/v1/accounts/bulk", json!({"delete": [ci]}))
        .await
        .problem(422, "delete[0]");
    s.post("/api/v1/accounts/bulk", json!({"delete": [ai, ai]}))
        .await
        .problem(422, "delete[1]");
}
