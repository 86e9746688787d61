use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::{RawBody, TestServer};

both!(notes_on_records, audit_trail_and_timeline);

async fn notes_on_records(s: TestServer) {
    let c = s
        .create(
            "contacts",
            json!({"first_name": "Olga", "last_name": "Ibáñez"}),
        )
        .await;
    let cid = c["id"].as_str().unwrap();
    let n = s
        .post(
            &format!("/api/v1/contacts/{cid}/notes"),
            json!({"body": "Llamó por la demora del envío;\nprometimos respuesta el lunes."}),
        )
        .await
        .expect(201);
    assert_eq!(n.body["record_kind"], "contact");
    assert_eq!(n.body["record_id"], cid);
    let nid = n.id();
    assert_eq!(
        n.header("location"),
        Some(format!("/api/v1/notes/{nid}").as_str())
    );
    s.post(
        &format!("/api/v1/contacts/{cid}/notes"),
        json!({"body": "Segunda"}),
    )
    .await
    .expect(201);
    let list = s
        .get(&format!("/api/v1/contacts/{cid}/notes"))
        .await
        .expect(200);
    assert_eq!(list.body["data"][0]["body"], "Segunda", "newest first");
    let p1 = s
        .get(&format!("/api/v1/contacts/{cid}/notes?limit=1"))
        .await
        .expect(200);
    let cur = p1.body["next_cursor"].as_str().unwrap();
    let p2 = s
        .get(&format!(
            "/api/v1/contacts/{cid}/notes?limit=1&cursor={cur}"
        ))
        .await
        .expect(200);
    assert_eq!(p2.body["data"][0]["id"], nid);

    let path = format!("/api/v1/notes/{nid}");
    let e = s
        .patch(&path, json!({"body": "Corregida"}))
        .await
        .expect(200);
    assert_eq!(e.body["version"], 2);
    s.send(
        Method::PATCH,
        &path,
        Some(&s.token),
        &[("if-match", "\"1\"")],
        Some(RawBody::Json(json!({"body": "x"}))),
    )
    .await
    .problem(412, "");
    s.delete(&path).await.expect(200);
    s.get(&path).await.problem(404, "");
    assert_eq!(
        s.get(&format!("/api/v1/contacts/{cid}/notes")).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    s.post(&format!("{path}/restore"), json!({}))
        .await
        .expect(200);
    assert_eq!(
        s.get(&format!("/api/v1/contacts/{cid}/notes")).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    s.post(
        &format!("/api/v1/contacts/{cid}/notes"),
        json!({"body": "  "}),
    )
    .await
    .problem(422, "body");
    s.post(
        &format!("/api/v1/contacts/{cid}/notes"),
        json!({"text": "x"}),
    )
    .await
    .problem(422, "text");
    s.post(
        "/api/v1/contacts/019a0000-0000-7000-8000-000000000000/notes",
        json!({"body": "x"}),
    )
    .await
    .problem(404, "");
    // A note goes on a contact through the contacts path only.
    s.post(&format!("/api/v1/leads/{cid}/notes"), json!({"body": "x"}))
        .await
        .problem(404, "");
}

async fn audit_trail_and_timeline(s: TestServer) {
    let a = s
        .create(
            "accounts",
            json!({"name": "Molinos Río", "billing_address": {"city": "CABA"}}),
        )
        .await;
    let id = a["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/accounts/{id}"),
        json!({"billing_address": {"city": "Rosario"}, "industry": "Molinos"}),
    )
    .await
    .expect(200);
    s.post(
        &format!("/api/v1/accounts/{id}/notes"),
        json!({"body": "Visita: piden cotización"}),
    )
    .await
    .expect(201);
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Ema", "last_name": "Río", "account_id": id}),
        )
        .await;
    s.post(
        &format!("/api/v1/contacts/{}/notes", contact["id"].as_str().unwrap()),
        json!({"body": "Nota de la contacto"}),
    )
    .await
    .expect(201);
    s.delete(&format!("/api/v1/accounts/{id}"))
        .await
        .expect(200);
    s.post(&format!("/api/v1/accounts/{id}/restore"), json!({}))
        .await
        .expect(200);

    let ev = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200);
    let events = ev.body["data"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["restored", "deleted", "updated", "created"]);
    let upd = &events[2];
    assert_eq!(upd["actor_id"], s.admin_id.to_string());
    assert!(upd["request_id"].is_string());
    let changes = upd["changes"].as_array().unwrap();
    let city = changes
        .iter()
        .find(|c| c["field"] == "billing_address.city")
        .unwrap();
    assert_eq!(
        (city["old"].as_str(), city["new"].as_str()),
        (Some("CABA"), Some("Rosario"))
    );
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "industry" && c["old"].is_null() && c["new"] == "Molinos")
    );
    let created = &events[3];
    assert!(
        created["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "name" && c["new"] == "Molinos Río")
    );

    let tl = s
        .get(&format!("/api/v1/accounts/{id}/timeline"))
        .await
        .expect(200);
    let items = tl.body["data"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "note").count(),
        2,
        "the account's note and its contact's"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "change").count(), 4);
    let times: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(times, sorted, "newest first");
    // Paged.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let url = if cursor.is_empty() {
            format!("/api/v1/accounts/{id}/timeline?limit=2")
        } else {
            format!("/api/v1/accounts/{id}/timeline?limit=2&cursor={cursor}")
        };
        let r = s.get(&url).await.expect(200);
        seen.extend(r.body["data"].as_array().unwrap().iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, *items);

    // The whole company's trail is for admins.
    let (_, reader) = s
        .token_for("r@test.example.com", cartera_core::users::Scope::Read)
        .await;
    s.send(
        Method::GET,
        "/api/v1/audit_events",
        Some(&reader),
        &[],
        None,
    )
    .await
    .problem(403, "");
    s.send(
        Method::GET,
        &format!("/api/v1/audit_events?record_id={id}"),
        Some(&reader),
        &[],
        None,
    )
    .await
    .expect(200);
    let all = s
        .get("/api/v1/audit_events?record_kind=note&action=created")
        .await
        .expect(200);
    assert_eq!(all.body["data"].as_array().unwrap().len(), 2);
    s.get("/api/v1/audit_events?action=exploded")
        .await
        .problem(400, "action");
}
