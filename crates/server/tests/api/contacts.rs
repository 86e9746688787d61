use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(
    contacts_link_to_accounts_and_managers,
    org_chart_refuses_loops,
    contact_duplicates_and_merge,
);

async fn contacts_link_to_accounts_and_managers(s: TestServer) {
    let acc = s.create("accounts", json!({"name": "Vinos Cuyanos"})).await;
    let a = acc["id"].as_str().unwrap();
    let boss = s
        .create(
            "contacts",
            json!({"first_name": "Ángela", "last_name": "Muñoz", "account_id": a, "job_title": "Dueña",
                   "emails": [{"address": "angela@vinoscuyanos.com.ar"}, {"address": "angela.munoz@gmail.com", "label": "personal"}],
                   "phones": [{"number": "+54 9 261 555-1234", "label": "móvil"}],
                   "birthday": "1968-04-02", "marketing_consent": true,
                   "address": {"city": "Mendoza", "country": "AR"},
                   "description": "Prefiere WhatsApp antes de las 10."}),
        )
        .await;
    assert_eq!(boss["emails"].as_array().unwrap().len(), 2);
    assert_eq!(boss["birthday"], "1968-04-02");
    let b = boss["id"].as_str().unwrap();
    let rep = s
        .create(
            "contacts",
            json!({"first_name": "Iván", "last_name": "Peña", "account_id": a, "reports_to_id": b}),
        )
        .await;
    assert_eq!(rep["reports_to_id"], b);

    let by_account = s
        .get(&format!(
            "/api/v1/contacts?filter[account_id]={a}&sort=last_name"
        ))
        .await
        .expect(200);
    let names: Vec<&str> = by_account.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Muñoz", "Peña"]);

    s.post(
        "/api/v1/contacts",
        json!({"first_name": "X", "account_id": "019a0000-0000-7000-8000-000000000000"}),
    )
    .await
    .problem(422, "account_id");
    s.post(
        "/api/v1/contacts",
        json!({"emails": [{"address": "solo@mail.com"}]}),
    )
    .await
    .problem(422, "last_name");
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "Futuro", "birthday": "2999-01-01"}),
    )
    .await
    .problem(422, "birthday");
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "Fecha", "birthday": "2026-02-31"}),
    )
    .await
    .problem(422, "birthday");
    // A trashed account cannot take new contacts.
    s.delete(&format!("/api/v1/accounts/{a}")).await.expect(200);
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "Tarde", "account_id": a}),
    )
    .await
    .problem(422, "account_id");
}

async fn org_chart_refuses_loops(s: TestServer) {
    let a = s
        .create("contacts", json!({"first_name": "Ana", "last_name": "Uno"}))
        .await;
    let b = s
        .create(
            "contacts",
            json!({"first_name": "Beto", "last_name": "Dos", "reports_to_id": a["id"]}),
        )
        .await;
    let c = s
        .create(
            "contacts",
            json!({"first_name": "Caro", "last_name": "Tres", "reports_to_id": b["id"]}),
        )
        .await;
    let a_id = a["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/contacts/{a_id}"),
        json!({"reports_to_id": c["id"]}),
    )
    .await
    .problem(422, "reports_to_id");
    s.patch(
        &format!("/api/v1/contacts/{a_id}"),
        json!({"reports_to_id": a_id}),
    )
    .await
    .problem(422, "reports_to_id");
    assert_eq!(
        s.get(&format!("/api/v1/contacts/{a_id}")).await.body["reports_to_id"],
        serde_json::Value::Null
    );
}

async fn contact_duplicates_and_merge(s: TestServer) {
    let acc = s.create("accounts", json!({"name": "Textil Andina"})).await;
    let a = acc["id"].as_str().unwrap();
    let keep = s
        .create(
            "contacts",
            json!({"first_name": "José", "last_name": "García", "account_id": a,
                                     "emails": [{"address": "jose@textilandina.com"}]}),
        )
        .await;
    // The same email, any case.
    let r = s
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Pepe", "emails": [{"address": "JOSE@TextilAndina.com"}]}),
        )
        .await
        .problem(409, "emails");
    assert_eq!(r.body["candidates"][0]["id"], keep["id"]);
    // The same person at the same company, written without accents.
    let r = s
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Jose", "last_name": "GARCIA", "account_id": a}),
        )
        .await
        .problem(409, "last_name");
    assert_eq!(r.body["candidates"][0]["matched_on"], json!(["name"]));
    // At another company it is another person.
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "José", "last_name": "García"}),
    )
    .await
    .expect(201);

    let dup = s
        .create("contacts?allow_duplicate=true", json!({"first_name": "José", "last_name": "García", "account_id": a,
            "phones": [{"number": "+54 11 4444-5555"}], "job_title": "Jefe de Compras", "emails": [{"address": "jgarcia@gmail.com"}]}))
        .await;
    let report = s
        .create(
            "contacts",
            json!({"first_name": "Lola", "last_name": "Ruiz", "reports_to_id": dup["id"]}),
        )
        .await;
    let (k, d) = (keep["id"].as_str().unwrap(), dup["id"].as_str().unwrap());
    let m = s
        .post(
            &format!("/api/v1/contacts/{k}/merge"),
            json!({"source_id": d}),
        )
        .await
        .expect(200);
    assert_eq!(m.body["job_title"], "Jefe de Compras");
    assert_eq!(m.body["emails"].as_array().unwrap().len(), 2);
    assert_eq!(m.body["phones"][0]["number"], "+54 11 4444-5555");
    let r = s
        .get(&format!(
            "/api/v1/contacts/{}",
            report["id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(r.body["reports_to_id"], k, "reports follow the survivor");
    // The merged email now finds the survivor.
    let found = s
        .get("/api/v1/contacts?filter[email]=jgarcia@gmail.com")
        .await
        .expect(200);
    assert_eq!(found.body["data"][0]["id"], k);
    let events = s
        .get(&format!("/api/v1/audit_events?record_id={d}"))
        .await
        .expect(200);
    assert_eq!(events.body["data"][0]["action"], "merged_into");
}
