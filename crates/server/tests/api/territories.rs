//! Territories: rules place new accounts and leads and give them to the territory's
//! owner; people whose role sees `territory` see the records of the territories they
//! cover, and nothing else of their colleagues'.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    rules_place_new_records_and_give_them_an_owner,
    territory_visibility_covers_accounts_leads_and_their_contacts,
    territories_refuse_bad_rules_and_outsiders
);

async fn territory(s: &TestServer, body: Value) -> String {
    s.post("/api/v1/territories", body).await.expect(201).id()
}

async fn rules_place_new_records_and_give_them_an_owner(s: TestServer) {
    let (ana, ana_token) = s.member("ana@test.example.com", "sales_rep").await;
    let (beto, _) = s.member("beto@test.example.com", "sales_rep").await;
    let cordoba = territory(
        &s,
        json!({"name": "Córdoba", "priority": 10, "owner_id": ana,
               "rules": {"countries": ["ar"], "provinces": ["Cordoba"]}}),
    )
    .await;
    let madrid = territory(
        &s,
        json!({"name": "Madrid", "owner_id": beto,
               "rules": {"countries": ["ES"], "postal_code_prefixes": ["280"]}}),
    )
    .await;
    // A wider territory with a later priority loses to the narrower one.
    territory(
        &s,
        json!({"name": "Argentina", "priority": 50, "rules": {"countries": ["AR"]}}),
    )
    .await;

    let placed = s
        .create(
            "accounts",
            json!({"name": "Agro Los Álamos", "billing_address": {"province": "CÓRDOBA", "country": "AR"}}),
        )
        .await;
    assert_eq!(placed["territory_id"], cordoba.as_str());
    assert_eq!(placed["owner_id"], ana.to_string());
    // The creator's choice of owner wins; the territory is still set.
    let named = s
        .create(
            "accounts",
            json!({"name": "Molino Río Cuarto", "owner_id": beto,
                   "billing_address": {"province": "Córdoba", "country": "AR"}}),
        )
        .await;
    assert_eq!(named["territory_id"], cordoba.as_str());
    assert_eq!(named["owner_id"], beto.to_string());
    let spain = s
        .create(
            "accounts",
            json!({"name": "Ferretería Chamberí", "shipping_address": {"postal_code": "28 010", "country": "ES"}}),
        )
        .await;
    assert_eq!(spain["territory_id"], madrid.as_str());
    assert_eq!(spain["owner_id"], beto.to_string());
    let nowhere = s
        .create(
            "accounts",
            json!({"name": "Importadora Lima", "billing_address": {"country": "PE"}}),
        )
        .await;
    assert_eq!(nowhere["territory_id"], Value::Null);
    assert_eq!(nowhere["owner_id"], s.admin_id.to_string());
    // Leads are placed by their address, in bulk too.
    let bulk = s
        .post(
            "/api/v1/leads/bulk",
            json!({"create": [
                {"first_name": "Lucía", "last_name": "Paz", "address": {"province": "córdoba", "country": "AR"}},
                {"first_name": "Pablo", "last_name": "Sanz", "address": {"postal_code": "28001", "country": "ES"}}
            ]}),
        )
        .await
        .expect(200);
    assert_eq!(bulk.body["created"][0]["owner_id"], ana.to_string());
    assert_eq!(bulk.body["created"][1]["owner_id"], beto.to_string());
    // A rep's own new account in the territory lands in the territory owner's portfolio
    // (Ana's, here: she made it herself).
    let own = s
        .call(
            &ana_token,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({"name": "Tambo La Esperanza", "billing_address": {"province": "Córdoba", "country": "AR"}})),
        )
        .await
        .expect(201);
    assert_eq!(own.body["territory_id"], cordoba.as_str());

    // The list filters by territory.
    let in_cordoba = s
        .get(&format!(
            "/api/v1/accounts?filter[territory_id]={cordoba}&sort=name"
        ))
        .await
        .expect(200);
    assert_eq!(
        in_cordoba.names(),
        ["Agro Los Álamos", "Molino Río Cuarto", "Tambo La Esperanza"]
    );

    // An owner who leaves the company no longer receives the territory's new records;
    // they stay with their creator rather than being refused.
    s.patch(&format!("/api/v1/users/{beto}"), json!({"active": false}))
        .await
        .expect(200);
    let after_beto = s
        .create(
            "accounts",
            json!({"name": "Librería Malasaña", "billing_address": {"postal_code": "28004", "country": "ES"}}),
        )
        .await;
    assert_eq!(after_beto["territory_id"], madrid.as_str());
    assert_eq!(after_beto["owner_id"], s.admin_id.to_string());

    // An inactive territory takes no new records; the ones it has keep it.
    s.patch(
        &format!("/api/v1/territories/{cordoba}"),
        json!({"active": false}),
    )
    .await
    .expect(200);
    let later = s
        .create(
            "accounts",
            json!({"name": "Granja Villa María", "billing_address": {"province": "Córdoba", "country": "AR"}}),
        )
        .await;
    assert_ne!(later["territory_id"], cordoba.as_str());
    assert_eq!(later["owner_id"], s.admin_id.to_string());
    let kept = s
        .get(&format!(
            "/api/v1/accounts/{}",
            placed["id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(kept.body["territory_id"], cordoba.as_str());

    // The audit trail shows who changed the territory.
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={cordoba}"))
        .await
        .expect(200);
    let actions: Vec<&str> = trail.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["updated", "created"], "{}", trail.body);
}

async fn territory_visibility_covers_accounts_leads_and_their_contacts(s: TestServer) {
    // A regional manager's role sees the territories she covers.
    let rep = s.role("sales_rep").await;
    s.post(
        "/api/v1/roles",
        json!({"key": "regional", "name": "Regional manager",
               "permissions": rep["permissions"], "visibility": "territory"}),
    )
    .await
    .expect(201);
    let (rosa, rosa_token) = s.member("rosa@test.example.com", "regional").await;
    let (_, ana_token) = s.member("ana@test.example.com", "sales_rep").await;
    let norte = territory(
        &s,
        json!({"name": "Norte", "member_ids": [rosa], "rules": {"provinces": ["Salta", "Jujuy"]}}),
    )
    .await;
    territory(
        &s,
        json!({"name": "Sur", "rules": {"provinces": ["Neuquén"]}}),
    )
    .await;

    let salta = s
        .create(
            "accounts",
            json!({"name": "Finca Cafayate", "billing_address": {"province": "Salta"}}),
        )
        .await;
    assert_eq!(salta["territory_id"], norte.as_str());
    let salta_id = salta["id"].as_str().unwrap().to_owned();
    let neuquen = s
        .create(
            "accounts",
            json!({"name": "Frutícola Centenario", "billing_address": {"province": "Neuquén"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Elena", "last_name": "Güemes", "account_id": salta_id}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_contact = s
        .create(
            "contacts",
            json!({"first_name": "Tomás", "last_name": "Sapag", "account_id": neuquen}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.create(
        "leads",
        json!({"first_name": "Jorge", "last_name": "Quispe", "address": {"province": "Jujuy"}}),
    )
    .await;
    s.create(
        "leads",
        json!({"first_name": "Marta", "last_name": "Roca", "address": {"province": "Neuquén"}}),
    )
    .await;
    // Rosa's own record, outside her territory, is hers all the same.
    s.call(
        &rosa_token,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"name": "Cuenta de Rosa"})),
    )
    .await
    .expect(201);

    let accounts = s
        .call(&rosa_token, Method::GET, "/api/v1/accounts?sort=name", None)
        .await
        .expect(200);
    assert_eq!(accounts.names(), ["Cuenta de Rosa", "Finca Cafayate"]);
    let contacts = s
        .call(&rosa_token, Method::GET, "/api/v1/contacts", None)
        .await
        .expect(200);
    assert_eq!(contacts.names(), ["Güemes"]);
    let leads = s
        .call(&rosa_token, Method::GET, "/api/v1/leads", None)
        .await
        .expect(200);
    assert_eq!(leads.names(), ["Quispe"]);
    let found = s
        .call(&rosa_token, Method::GET, "/api/v1/search?q=guemes", None)
        .await
        .expect(200);
    assert_eq!(found.body["data"][0]["id"], contact.as_str());
    for (path, status) in [
        (format!("/api/v1/accounts/{salta_id}"), 200),
        (format!("/api/v1/contacts/{contact}"), 200),
        (format!("/api/v1/accounts/{salta_id}/timeline"), 200),
        (format!("/api/v1/accounts/{neuquen}"), 404),
        (format!("/api/v1/contacts/{other_contact}"), 404),
        (format!("/api/v1/accounts/{neuquen}/timeline"), 404),
    ] {
        let r = s.call(&rosa_token, Method::GET, &path, None).await;
        assert_eq!(r.status.as_u16(), status, "{path}: {}", r.body);
    }
    // She works the territory's records, not the others.
    s.call(
        &rosa_token,
        Method::PATCH,
        &format!("/api/v1/contacts/{contact}"),
        Some(json!({"job_title": "Enóloga"})),
    )
    .await
    .expect(200);
    s.call(
        &rosa_token,
        Method::PATCH,
        &format!("/api/v1/accounts/{neuquen}"),
        Some(json!({"industry": "Fruta"})),
    )
    .await
    .problem(404, "");
    // A plain rep sees none of it.
    let ana_sees = s
        .call(&ana_token, Method::GET, "/api/v1/accounts", None)
        .await
        .expect(200);
    assert_eq!(ana_sees.body["data"], json!([]));

    // Taking Rosa off the territory applies from her next request.
    s.patch(
        &format!("/api/v1/territories/{norte}"),
        json!({"member_ids": []}),
    )
    .await
    .expect(200);
    s.call(
        &rosa_token,
        Method::GET,
        &format!("/api/v1/accounts/{salta_id}"),
        None,
    )
    .await
    .problem(404, "");
}

async fn territories_refuse_bad_rules_and_outsiders(s: TestServer) {
    let (_, rep) = s.member("ana@test.example.com", "sales_rep").await;
    s.call(
        &rep,
        Method::POST,
        "/api/v1/territories",
        Some(json!({"name": "Mío", "rules": {"countries": ["AR"]}})),
    )
    .await
    .problem(403, "");
    s.post(
        "/api/v1/territories",
        json!({"name": "Patagonia", "rules": {"countries": ["Argentina"]}}),
    )
    .await
    .problem(422, "rules.countries[0]");
    s.post(
        "/api/v1/territories",
        json!({"name": "Cuyo", "owner_id": "01900000-0000-7000-8000-000000000000"}),
    )
    .await
    .problem(422, "owner_id");
    s.post(
        "/api/v1/territories",
        json!({"name": "Cuyo", "rules": {"planets": ["Mars"]}}),
    )
    .await
    .problem(422, "rules.planets");
    let cuyo = territory(
        &s,
        json!({"name": "Cuyo", "rules": {"provinces": ["Mendoza"]}}),
    )
    .await;
    s.post("/api/v1/territories", json!({"name": "Cuyo"}))
        .await
        .problem(422, "name");
    let listed = s.get("/api/v1/territories").await.expect(200);
    assert_eq!(listed.names(), ["Cuyo"]);
    // A record cannot be put in a territory that does not exist.
    s.post(
        "/api/v1/accounts",
        json!({"name": "Bodega", "territory_id": "01900000-0000-7000-8000-000000000000"}),
    )
    .await
    .problem(422, "territory_id");
    // Nothing was written by the refused requests.
    let accounts = s.get("/api/v1/accounts").await.expect(200);
    assert_eq!(accounts.body["data"], json!([]));
    s.get(&format!("/api/v1/territories/{cuyo}"))
        .await
        .expect(200);
    s.get("/api/v1/territories/01900000-0000-7000-8000-000000000000")
        .await
        .problem(404, "");
}
