//! Accents sent decomposed (Unicode NFD: a letter, then the accent as a separate mark,
//! as macOS and some phones write them) mean the same as composed ones (NFC): they find
//! the same records, collide as duplicates, and are stored composed, whichever edge they
//! come in by (JSON, query strings, page forms, vCards).

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::dav::{ADMIN, dav};
use crate::support::TestServer;
use crate::web::{PASSWORD, page};

both!(
    a_decomposed_query_finds_the_record,
    a_decomposed_name_is_a_duplicate,
    a_decomposed_email_is_accepted_and_stored_composed,
    a_decomposed_form_post_is_stored_composed,
    a_decomposed_vcard_is_stored_composed
);

/// "Ibáñez" with its accent and tilde as combining marks.
const IBANEZ_NFD: &str = "Iba\u{301}n\u{303}ez";
/// The same, percent-encoded for a query string.
const IBANEZ_NFD_QUERY: &str = "Iba%CC%81n%CC%83ez";
const NINO_NFD: &str = "Panaderi\u{301}a Nin\u{303}o";

async fn a_decomposed_query_finds_the_record(s: TestServer) {
    let made = s
        .create(
            "contacts",
            json!({"first_name": "Rocío", "last_name": "Ibáñez"}),
        )
        .await;
    // The composed query, as a check that the record can be found at all.
    let r = s.get("/api/v1/search?q=Ib%C3%A1%C3%B1ez").await.expect(200);
    assert_eq!(r.body["data"][0]["id"], made["id"], "{}", r.body);
    let r = s
        .get(&format!("/api/v1/search?q={IBANEZ_NFD_QUERY}"))
        .await
        .expect(200);
    assert_eq!(r.body["data"][0]["id"], made["id"], "{}", r.body);
    // The lists' own search box too.
    for path in [
        format!("/api/v1/contacts?q={IBANEZ_NFD_QUERY}"),
        // And a filter on the name, which compares the stored text as it is.
        format!("/api/v1/contacts?filter[last_name]={IBANEZ_NFD_QUERY}"),
    ] {
        let r = s.get(&path).await.expect(200);
        let data = r.body["data"].as_array().unwrap();
        assert_eq!(data.len(), 1, "{path}: {}", r.body);
        assert_eq!(data[0]["id"], made["id"]);
    }
}

async fn a_decomposed_name_is_a_duplicate(s: TestServer) {
    let first = s
        .create("accounts", json!({"name": "Panadería Niño"}))
        .await;
    let r = s
        .post("/api/v1/accounts", json!({"name": NINO_NFD}))
        .await
        .problem(409, "name");
    assert_eq!(r.body["candidates"][0]["id"], first["id"]);
    // The other way round: a decomposed name stored first still catches the composed one.
    let other = s
        .post(
            "/api/v1/accounts",
            json!({"name": format!("Ferretería {IBANEZ_NFD}")}),
        )
        .await
        .expect(201);
    s.post("/api/v1/accounts", json!({"name": "Ferretería Ibáñez"}))
        .await
        .problem(409, "name");
    assert_eq!(other.body["name"], "Ferretería Ibáñez");
}

async fn a_decomposed_email_is_accepted_and_stored_composed(s: TestServer) {
    let r = s
        .post(
            "/api/v1/contacts",
            json!({
                "first_name": "José",
                "last_name": IBANEZ_NFD,
                "emails": [{"address": "jose\u{301}@panaderia.es"}]
            }),
        )
        .await
        .expect(201);
    assert_eq!(r.body["emails"][0]["address"], "josé@panaderia.es");
    assert_eq!(r.body["last_name"], "Ibáñez");
    let id = r.id();
    let stored = s.get(&format!("/api/v1/contacts/{id}")).await.expect(200);
    assert_eq!(stored.body["emails"][0]["address"], "josé@panaderia.es");
    // The composed address is the same address: a duplicate.
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "Otro", "last_name": "Nombre", "emails": [{"address": "JOSÉ@panaderia.es"}]}),
    )
    .await
    .problem(409, "emails");
}

async fn a_decomposed_form_post_is_stored_composed(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let made = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", NINO_NFD),
            ("kind", "customer"),
        ]),
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let id = made
        .location
        .unwrap()
        .trim_start_matches("/accounts/")
        .to_owned();
    let stored = s.get(&format!("/api/v1/accounts/{id}")).await.expect(200);
    assert_eq!(stored.body["name"], "Panadería Niño");
    // The page's search box, with the query decomposed.
    let found = page(
        &s,
        Method::GET,
        "/search?q=Panaderi%CC%81a",
        Some(&cookie),
        &[],
        None,
    )
    .await;
    assert_eq!(found.status, 200);
    assert!(found.text.contains(&id), "{}", found.text);
}

async fn a_decomposed_vcard_is_stored_composed(s: TestServer) {
    let card = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:nfd-1\r\nFN:Roci\u{301}o {IBANEZ_NFD}\r\n\
         N:{IBANEZ_NFD};Roci\u{301}o;;;\r\nEMAIL:roci\u{301}o@ibanez.es\r\nEND:VCARD\r\n"
    );
    let book = format!("/dav/addressbooks/{}/contacts/", s.admin_id);
    let (status, _, body) = dav(
        &s,
        Some((ADMIN, &s.token)),
        "PUT",
        &format!("{book}nfd.vcf"),
        &[("if-none-match", "*")],
        Some(card),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let r = s.get("/api/v1/contacts?q=ibanez").await.expect(200);
    assert_eq!(r.body["data"][0]["last_name"], "Ibáñez", "{}", r.body);
    assert_eq!(r.body["data"][0]["first_name"], "Rocío");
    assert_eq!(r.body["data"][0]["emails"][0]["address"], "rocío@ibanez.es");
}
