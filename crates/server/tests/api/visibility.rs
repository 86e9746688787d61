//! Record visibility: a rep sees their own portfolio, a manager their team's, an admin
//! everything; nothing outside one's view can be read, listed, searched, changed or
//! reached through a related record.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(
    reps_see_their_own_and_managers_their_team,
    a_rep_reaches_nothing_of_another_reps_portfolio,
    security_events_are_for_administrators
);

async fn reps_see_their_own_and_managers_their_team(s: TestServer) {
    let (ana_id, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let (mara_id, mara) = s.member("mara@test.example.com", "manager").await;
    s.post(
        "/api/v1/teams",
        json!({"name": "Norte", "manager_id": mara_id, "member_ids": [ana_id]}),
    )
    .await
    .expect(201);

    // Ana's portfolio.
    let account = s
        .create_as(&ana, "accounts", json!({"name": "Cuenta de Ana"}))
        .await;
    let contact = s
        .create_as(
            &ana,
            "contacts",
            json!({"first_name": "Carla", "last_name": "Clienta", "account_id": account}),
        )
        .await;
    let lead = s
        .create_as(
            &ana,
            "leads",
            json!({"first_name": "Luis", "last_name": "Prospecto"}),
        )
        .await;
    let note = s
        .call(
            &ana,
            Method::POST,
            &format!("/api/v1/accounts/{account}/notes"),
            Some(json!({"body": "Visitar el lunes"})),
        )
        .await
        .expect(201)
        .id();
    // Beto's.
    let betos = s
        .create_as(&beto, "accounts", json!({"name": "Cuenta de Beto"}))
        .await;

    // Beto cannot reach Ana's records in any way.
    for path in [
        format!("/api/v1/accounts/{account}"),
        format!("/api/v1/accounts/{account}/timeline"),
        format!("/api/v1/accounts/{account}/notes"),
        format!("/api/v1/contacts/{contact}"),
        format!("/api/v1/leads/{lead}"),
        format!("/api/v1/notes/{note}"),
        format!("/api/v1/audit_events?record_id={account}"),
    ] {
        s.call(&beto, Method::GET, &path, None)
            .await
            .problem(404, "");
    }
    s.call(
        &beto,
        Method::PATCH,
        &format!("/api/v1/accounts/{account}"),
        Some(json!({"industry": "Robada"})),
    )
    .await
    .problem(404, "");
    s.call(
        &beto,
        Method::POST,
        &format!("/api/v1/accounts/{account}/notes"),
        Some(json!({"body": "hola"})),
    )
    .await
    .problem(404, "");
    s.call(
        &beto,
        Method::POST,
        &format!("/api/v1/leads/{lead}/convert"),
        Some(json!({})),
    )
    .await
    .problem(404, "");
    // Reps may not merge at all; a manager may not merge in what she cannot see.
    s.call(
        &beto,
        Method::POST,
        &format!("/api/v1/accounts/{betos}/merge"),
        Some(json!({"source_id": account})),
    )
    .await
    .problem(403, "");
    s.call(
        &mara,
        Method::POST,
        &format!("/api/v1/accounts/{account}/merge"),
        Some(json!({"source_id": betos})),
    )
    .await
    .problem(422, "source_id");
    s.call(
        &beto,
        Method::POST,
        "/api/v1/accounts/bulk",
        Some(json!({"update": [{"id": account, "industry": "Robada"}]})),
    )
    .await
    .problem(422, "update[0].id");
    // Nor link to them: they do not exist for him.
    s.call(
        &beto,
        Method::POST,
        "/api/v1/contacts",
        Some(json!({"first_name": "Intruso", "last_name": "Pérez", "account_id": account})),
    )
    .await
    .problem(422, "account_id");
    let listed = s
        .call(&beto, Method::GET, "/api/v1/accounts", None)
        .await
        .expect(200);
    assert_eq!(listed.names(), ["Cuenta de Beto"]);
    let searched = s
        .call(&beto, Method::GET, "/api/v1/accounts?q=cuenta", None)
        .await
        .expect(200);
    assert_eq!(searched.names(), ["Cuenta de Beto"]);
    let everywhere = s
        .call(&beto, Method::GET, "/api/v1/search?q=ana", None)
        .await
        .expect(200);
    assert_eq!(everywhere.body["data"], json!([]), "{}", everywhere.body);
    let contacts = s
        .call(&beto, Method::GET, "/api/v1/contacts", None)
        .await
        .expect(200);
    assert_eq!(contacts.body["data"], json!([]));
    // A duplicate still blocks, without showing whose it is.
    let dup = s
        .call(
            &beto,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({"name": "Cuenta de Ana"})),
        )
        .await
        .problem(409, "name");
    // Nor its id: the candidate is left out, the field's error still warns.
    assert!(dup.body.get("candidates").is_none(), "{}", dup.body);
    assert!(
        dup.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("a record outside your view"),
        "{}",
        dup.body
    );
    assert!(!dup.body.to_string().contains(&account), "{}", dup.body);
    assert!(
        !dup.body.to_string().contains("Cuenta de Ana"),
        "{}",
        dup.body
    );

    // Ana's manager sees her portfolio, not Beto's.
    s.call(
        &mara,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .expect(200);
    s.call(
        &mara,
        Method::GET,
        &format!("/api/v1/accounts/{account}/timeline"),
        None,
    )
    .await
    .expect(200);
    let team_list = s
        .call(&mara, Method::GET, "/api/v1/accounts", None)
        .await
        .expect(200);
    assert_eq!(team_list.names(), ["Cuenta de Ana"]);
    s.call(
        &mara,
        Method::GET,
        &format!("/api/v1/accounts/{betos}"),
        None,
    )
    .await
    .problem(404, "");

    // The admin sees everything.
    let all = s.get("/api/v1/accounts").await.expect(200);
    assert_eq!(all.names().len(), 2);

    // Widening the role's visibility applies on the next request.
    let rep_role = s.role("sales_rep").await["id"].as_str().unwrap().to_owned();
    s.patch(
        &format!("/api/v1/roles/{rep_role}"),
        json!({"visibility": "all"}),
    )
    .await
    .expect(200);
    s.call(
        &beto,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .expect(200);
    // And the admin role cannot be narrowed.
    let admin_role = s.role("admin").await["id"].as_str().unwrap().to_owned();
    s.patch(
        &format!("/api/v1/roles/{admin_role}"),
        json!({"visibility": "own"}),
    )
    .await
    .problem(422, "visibility");
}

async fn security_events_are_for_administrators(s: TestServer) {
    let (_, reader) = s.member("rita@test.example.com", "read_only").await;
    let account = s.create("accounts", json!({"name": "Aceitera Sur"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A record's history is for whoever may read the record...
    s.call(
        &reader,
        Method::GET,
        &format!("/api/v1/audit_events?record_id={account}"),
        None,
    )
    .await
    .expect(200);
    // ... but a user's (logins, password changes, tokens) only for administrators.
    let admin = s.admin_id;
    s.call(
        &reader,
        Method::GET,
        &format!("/api/v1/audit_events?record_id={admin}"),
        None,
    )
    .await
    .problem(404, "");
    s.get(&format!("/api/v1/audit_events?record_id={admin}"))
        .await
        .expect(200);
}

/// Every way into a record, tried by a rep on a colleague's account, contact and lead.
/// Their role may delete and export, so that only visibility stands in the way.
async fn a_rep_reaches_nothing_of_another_reps_portfolio(s: TestServer) {
    let mut permissions = s.role("sales_rep").await["permissions"].clone();
    for kind in ["accounts", "contacts", "leads"] {
        permissions[kind] = json!(["read", "create", "edit", "delete", "export"]);
    }
    s.post(
        "/api/v1/roles",
        json!({"key": "closer", "name": "Closer", "permissions": permissions, "visibility": "own"}),
    )
    .await
    .expect(201);
    let (_, ana) = s.member("ana@test.example.com", "closer").await;
    let (_, beto) = s.member("beto@test.example.com", "closer").await;
    let mut made = Vec::new();
    for (plural, body) in [
        ("accounts", json!({"name": "Zapatería Ñandú"})),
        (
            "contacts",
            json!({"first_name": "Zulema", "last_name": "Ñandú"}),
        ),
        ("leads", json!({"first_name": "Zoe", "last_name": "Ñandú"})),
    ] {
        let id = s
            .call(&ana, Method::POST, &format!("/api/v1/{plural}"), Some(body))
            .await
            .expect(201)
            .id();
        made.push((plural, id));
    }
    for (plural, id) in &made {
        let item = format!("/api/v1/{plural}/{id}");
        for (method, path, body) in [
            (Method::GET, item.clone(), None),
            (Method::GET, format!("{item}/timeline"), None),
            (Method::GET, format!("{item}/notes"), None),
            (Method::PATCH, item.clone(), Some(json!({"tags": ["mía"]}))),
            (Method::DELETE, item.clone(), None),
            (Method::POST, format!("{item}/restore"), None),
        ] {
            let r = s.call(&beto, method.clone(), &path, body).await;
            assert_eq!(r.status.as_u16(), 404, "{method} {path}: {}", r.body);
        }
        let listed = s
            .call(
                &beto,
                Method::GET,
                &format!("/api/v1/{plural}?q=nandu"),
                None,
            )
            .await
            .expect(200);
        assert_eq!(listed.body["data"], json!([]), "{plural}");
        let export = s
            .client
            .get(format!("{}/api/v1/{plural}/export?q=nandu", s.base))
            .bearer_auth(&beto)
            .send()
            .await
            .unwrap();
        assert_eq!(export.status().as_u16(), 200);
        let bytes = export.bytes().await.unwrap();
        let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
        let rows = csv::Reader::from_reader(text).records().count();
        assert_eq!(
            rows,
            0,
            "{plural} export leaks: {}",
            String::from_utf8_lossy(text)
        );
    }
    let found = s
        .call(&beto, Method::GET, "/api/v1/search?q=ñandu", None)
        .await
        .expect(200);
    assert_eq!(found.body["data"], json!([]));
    // Ana, for contrast, reaches all three.
    for (plural, id) in &made {
        s.call(&ana, Method::GET, &format!("/api/v1/{plural}/{id}"), None)
            .await
            .expect(200);
    }
    let hers = s
        .call(&ana, Method::GET, "/api/v1/search?q=nandu", None)
        .await
        .expect(200);
    assert_eq!(hers.body["data"].as_array().unwrap().len(), 3);
}
