//! Activities: the five kinds, their dates and links, who sees them, their costs to the
//! cent per customer and per rep, and their place on the customer's timeline.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    each_kind_is_created_and_bad_dates_are_refused,
    links_and_visibility_follow_the_owner,
    costs_add_up_to_the_cent_per_account_and_rep,
    activities_sit_on_the_timeline_and_lists_filter_and_sort
);

/// `{"ARS": "15251.20", ...}` from a cost summary, with amounts compared as decimals.
fn totals(v: &Value) -> Vec<(String, String)> {
    v["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["currency"].as_str().unwrap().to_owned(),
                m["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn each_kind_is_created_and_bad_dates_are_refused(s: TestServer) {
    for kind in ["task", "call", "meeting", "visit", "email"] {
        let a = s
            .create(
                "activities",
                json!({"kind": kind, "subject": format!("Un {kind}"),
                       "starts_at": "2026-12-01T14:00:00Z", "ends_at": "2026-12-01T15:00:00Z"}),
            )
            .await;
        assert_eq!(a["kind"], kind);
        assert_eq!(a["status"], "planned");
        assert_eq!(a["planned"], true);
        assert_eq!(a["version"], 1);
    }
    let task = s
        .create(
            "activities",
            json!({"subject": "Llamar por la cotización", "due_date": "2026-12-03"}),
        )
        .await;
    assert_eq!(task["kind"], "task");
    assert_eq!(task["due_date"], "2026-12-03");

    // Ends before it starts.
    s.post(
        "/api/v1/activities",
        json!({"kind": "meeting", "subject": "Reunión",
               "starts_at": "2026-12-01T15:00:00Z", "ends_at": "2026-12-01T14:00:00Z"}),
    )
    .await
    .problem(422, "ends_at");
    // And when a change makes it so.
    let id = task["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/activities/{id}"),
        json!({"starts_at": "2026-12-01T15:00:00Z", "ends_at": "2026-12-01T09:00:00Z"}),
    )
    .await
    .problem(422, "ends_at");
    // No subject, an unknown kind.
    s.post("/api/v1/activities", json!({"subject": "  "}))
        .await
        .problem(422, "subject");
    s.post(
        "/api/v1/activities",
        json!({"subject": "x", "kind": "lunch"}),
    )
    .await
    .problem(422, "kind");
    // Totals are Cartera's to compute.
    s.post(
        "/api/v1/activities",
        json!({"subject": "x", "cost_totals": []}),
    )
    .await
    .problem(422, "cost_totals");
    // Custom fields are defined for activities like for any kind, and checked.
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "activity", "key": "patente", "label": "Patente del vehículo", "field_type": "text"}),
    )
    .await
    .expect(201);
    let with_custom = s
        .create(
            "activities",
            json!({"kind": "visit", "subject": "Visita", "custom": {"patente": "AB123CD"}}),
        )
        .await;
    assert_eq!(with_custom["custom"]["patente"], "AB123CD");
    s.post(
        "/api/v1/activities",
        json!({"subject": "x", "custom": {"desconocido": 1}}),
    )
    .await
    .problem(422, "custom.desconocido");
    // Nothing of the refused writes was stored.
    assert_eq!(s.all_pages("/api/v1/activities").await.len(), 7);
}

async fn links_and_visibility_follow_the_owner(s: TestServer) {
    let (_, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (beto_id, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let anas_account = s
        .create_as(&ana, "accounts", json!({"name": "Cuenta de Ana"}))
        .await;
    let betos_account = s
        .create_as(&beto, "accounts", json!({"name": "Cuenta de Beto"}))
        .await;

    // A link to an account Ana cannot see answers like one that does not exist.
    let hidden = s
        .call(
            &ana,
            Method::POST,
            "/api/v1/activities",
            Some(json!({"kind": "visit", "subject": "Visita", "account_id": betos_account})),
        )
        .await
        .problem(422, "account_id");
    let missing = s
        .call(
            &ana,
            Method::POST,
            "/api/v1/activities",
            Some(json!({"kind": "visit", "subject": "Visita",
                        "account_id": "01936f6e-0000-7000-8000-000000000000"})),
        )
        .await
        .problem(422, "account_id");
    assert_eq!(
        hidden.body["errors"][0]["code"],
        missing.body["errors"][0]["code"]
    );

    let anas = s
        .call(
            &ana,
            Method::POST,
            "/api/v1/activities",
            Some(json!({"kind": "visit", "subject": "Visita de Ana", "account_id": anas_account})),
        )
        .await
        .expect(201)
        .id();
    let betos = s
        .call(
            &beto,
            Method::POST,
            "/api/v1/activities",
            Some(
                json!({"kind": "call", "subject": "Llamada de Beto", "account_id": betos_account}),
            ),
        )
        .await
        .expect(201);
    assert_eq!(betos.body["owner_id"], beto_id.to_string());
    let betos = betos.id();

    // Ana lists, reads and changes only her own.
    let mine = s
        .call(&ana, Method::GET, "/api/v1/activities", None)
        .await
        .expect(200);
    let subjects: Vec<&str> = mine.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Visita de Ana"]);
    s.call(
        &ana,
        Method::GET,
        &format!("/api/v1/activities/{betos}"),
        None,
    )
    .await
    .problem(404, "");
    s.call(
        &ana,
        Method::PATCH,
        &format!("/api/v1/activities/{betos}"),
        Some(json!({"status": "done"})),
    )
    .await
    .problem(404, "");
    s.call(
        &ana,
        Method::GET,
        &format!("/api/v1/activities/{anas}"),
        None,
    )
    .await
    .expect(200);
    // Notes and the audit trail of her own activity are hers to read; Beto's are not.
    s.call(
        &ana,
        Method::POST,
        &format!("/api/v1/activities/{anas}/notes"),
        Some(json!({"body": "Llevar catálogo"})),
    )
    .await
    .expect(201);
    s.call(
        &ana,
        Method::GET,
        &format!("/api/v1/audit_events?record_id={anas}"),
        None,
    )
    .await
    .expect(200);
    s.call(
        &ana,
        Method::GET,
        &format!("/api/v1/audit_events?record_id={betos}"),
        None,
    )
    .await
    .problem(404, "");
    s.call(
        &ana,
        Method::POST,
        &format!("/api/v1/activities/{betos}/notes"),
        Some(json!({"body": "x"})),
    )
    .await
    .problem(404, "");
    // A rep does not delete (managers do).
    s.call(
        &ana,
        Method::DELETE,
        &format!("/api/v1/activities/{anas}"),
        None,
    )
    .await
    .problem(403, "");
    // The admin sees both.
    assert_eq!(s.all_pages("/api/v1/activities").await.len(), 2);
}

async fn costs_add_up_to_the_cent_per_account_and_rep(s: TestServer) {
    // Without a rate, a mileage line cannot be priced.
    let account = s.create("accounts", json!({"name": "Agro Norte"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post(
        "/api/v1/activities",
        json!({"kind": "visit", "subject": "Visita", "account_id": account,
               "costs": [{"type": "mileage", "km": "123.4"}]}),
    )
    .await
    .problem(422, "costs[0].km");
    s.patch(
        "/api/v1/settings",
        json!({"mileage_rate": {"amount": "-1", "currency": "ARS"}}),
    )
    .await
    .problem(422, "mileage_rate.amount");
    s.patch(
        "/api/v1/settings",
        json!({"mileage_rate": {"amount": "85.50", "currency": "ARS"}}),
    )
    .await
    .expect(200);

    let (rep_id, rep) = s.member("ana@test.example.com", "sales_rep").await;
    // The rep's account, so that the rep sees it and may link to it.
    let own_account = s
        .create_as(&rep, "accounts", json!({"name": "Cuenta de Ana"}))
        .await;
    let visit = s
        .call(
            &rep,
            Method::POST,
            "/api/v1/activities",
            Some(
                json!({"kind": "visit", "subject": "Visita a planta", "account_id": own_account,
                "starts_at": "2026-11-20T13:00:00Z", "ends_at": "2026-11-20T16:00:00Z",
                "status": "done", "outcome": "Pidió cotización",
                "costs": [
                    // The rate is the company's: one the writer sends is replaced.
                    {"type": "mileage", "km": "123.4", "rate": {"amount": "500", "currency": "ARS"}},
                    {"type": "travel", "amount": {"amount": "1500.00", "currency": "ARS"}},
                    {"type": "per_diem", "amount": {"amount": "3200.50", "currency": "ARS"}}
                ]}),
            ),
        )
        .await
        .expect(201);
    let mileage = &visit.body["costs"][0];
    assert_eq!(mileage["rate"]["amount"], "85.50");
    assert_eq!(mileage["amount"]["amount"], "10550.70");
    assert_eq!(mileage["amount"]["currency"], "ARS");
    assert_eq!(visit.body["cost_totals"][0]["amount"], "15251.20");

    // A second activity of the rep in another month and in euros.
    s.call(
        &rep,
        Method::POST,
        "/api/v1/activities",
        Some(
            json!({"kind": "meeting", "subject": "Feria", "account_id": own_account,
               "starts_at": "2026-10-05T10:00:00Z",
               "costs": [{"type": "other", "amount": {"amount": "99.99", "currency": "EUR"}}]}),
        ),
    )
    .await
    .expect(201);

    // Changing the rate does not reprice what was written.
    s.patch(
        "/api/v1/settings",
        json!({"mileage_rate": {"amount": "90", "currency": "ARS"}}),
    )
    .await
    .expect(200);
    let id = visit.id();
    let after = s
        .call(
            &rep,
            Method::PATCH,
            &format!("/api/v1/activities/{id}"),
            Some(json!({"next_action": "Enviar cotización"})),
        )
        .await
        .expect(200);
    assert_eq!(after.body["costs"][0]["amount"]["amount"], "10550.70");

    let per_account = s
        .get(&format!("/api/v1/accounts/{own_account}/activity_costs"))
        .await
        .expect(200);
    assert_eq!(
        totals(&per_account.body),
        [
            ("ARS".to_owned(), "15251.20".to_owned()),
            ("EUR".to_owned(), "99.99".to_owned())
        ]
    );
    assert_eq!(per_account.body["activities"], 2);
    let november = s
        .get(&format!(
            "/api/v1/accounts/{own_account}/activity_costs?from=2026-11-01&to=2026-11-30"
        ))
        .await
        .expect(200);
    assert_eq!(
        totals(&november.body),
        [("ARS".to_owned(), "15251.20".to_owned())]
    );
    let per_rep = s
        .call(
            &rep,
            Method::GET,
            &format!("/api/v1/users/{rep_id}/activity_costs?to=2026-11-30"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        totals(&per_rep.body),
        [
            ("ARS".to_owned(), "15251.20".to_owned()),
            ("EUR".to_owned(), "99.99".to_owned())
        ]
    );

    // Another rep sees none of it: not the account, and nothing of the first rep's costs.
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    s.call(
        &beto,
        Method::GET,
        &format!("/api/v1/accounts/{own_account}/activity_costs"),
        None,
    )
    .await
    .problem(404, "");
    let seen = s
        .call(
            &beto,
            Method::GET,
            &format!("/api/v1/users/{rep_id}/activity_costs"),
            None,
        )
        .await
        .expect(200);
    assert!(totals(&seen.body).is_empty());
    s.get(&format!(
        "/api/v1/accounts/{own_account}/activity_costs?from=2026-12-01&to=2026-11-01"
    ))
    .await
    .problem(400, "to");
    // The untouched account costs nothing.
    let none = s
        .get(&format!("/api/v1/accounts/{account}/activity_costs"))
        .await
        .expect(200);
    assert!(totals(&none.body).is_empty());
}

async fn activities_sit_on_the_timeline_and_lists_filter_and_sort(s: TestServer) {
    let account = s.create("accounts", json!({"name": "Agro Norte"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Carla", "last_name": "Paz", "account_id": account}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (subject, due, status) in [
        ("Llamar a Carla", "2026-12-05", "planned"),
        ("Enviar muestras", "2026-12-01", "planned"),
        ("Visita hecha", "2026-11-20", "done"),
        ("Cancelada", "2026-11-25", "cancelled"),
        ("Revisar stock", "2026-12-03", "planned"),
    ] {
        s.create(
            "activities",
            json!({"subject": subject, "due_date": due, "status": status,
                   "account_id": account, "contact_id": contact}),
        )
        .await;
    }

    let planned = s
        .get("/api/v1/activities?filter[status]=planned&sort=due_date")
        .await
        .expect(200);
    let subjects: Vec<&str> = planned.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Enviar muestras", "Revisar stock", "Llamar a Carla"]
    );
    let late_first = s
        .get("/api/v1/activities?filter[status]=planned&sort=-due_date&limit=2")
        .await
        .expect(200);
    assert_eq!(late_first.body["data"][0]["subject"], "Llamar a Carla");
    assert!(late_first.body["next_cursor"].is_string());
    // Search by subject.
    let found = s.get("/api/v1/activities?q=muestras").await.expect(200);
    assert_eq!(found.body["data"].as_array().unwrap().len(), 1);

    // Done, planned and cancelled alike sit on the account's and the contact's timeline.
    for path in [
        format!("/api/v1/accounts/{account}/timeline"),
        format!("/api/v1/contacts/{contact}/timeline"),
    ] {
        let tl = s.get(&path).await.expect(200);
        let on: Vec<&str> = tl.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["type"] == "activity")
            .map(|i| i["activity"]["subject"].as_str().unwrap())
            .collect();
        assert_eq!(on.len(), 5, "{path}: {}", tl.body);
        assert!(on.contains(&"Visita hecha") && on.contains(&"Llamar a Carla"));
    }
    // A call to a lead sits on the lead's timeline.
    let lead = s
        .create(
            "leads",
            json!({"first_name": "Luis", "last_name": "Prospecto"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.create(
        "activities",
        json!({"kind": "call", "subject": "Primera llamada", "lead_id": lead}),
    )
    .await;
    let tl = s
        .get(&format!("/api/v1/leads/{lead}/timeline"))
        .await
        .expect(200);
    assert!(
        tl.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["type"] == "activity" && i["activity"]["subject"] == "Primera llamada"),
        "{}",
        tl.body
    );
    // Paging through the timeline shows each activity once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/accounts/{account}/timeline?limit=2&cursor={c}"),
            None => format!("/api/v1/accounts/{account}/timeline?limit=2"),
        };
        let page = s.get(&url).await.expect(200);
        for i in page.body["data"].as_array().unwrap() {
            if i["type"] == "activity" {
                seen.push(i["activity"]["id"].as_str().unwrap().to_owned());
            }
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (5, 5));

    // A trashed activity leaves the timeline.
    let first = &planned.body["data"][0]["id"].as_str().unwrap().to_owned();
    s.delete(&format!("/api/v1/activities/{first}"))
        .await
        .expect(200);
    let tl = s
        .get(&format!("/api/v1/accounts/{account}/timeline"))
        .await
        .expect(200);
    let count = tl.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "activity")
        .count();
    assert_eq!(count, 4);
}
