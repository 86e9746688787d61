//! Sharing a record with a colleague or a team: they see it as if it were theirs until
//! the share is withdrawn; everyone else still gets 404.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(a_shared_record_is_seen_until_the_share_is_withdrawn);

async fn a_shared_record_is_seen_until_the_share_is_withdrawn(s: TestServer) {
    let (_, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (beto_id, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let (carla_id, carla) = s.member("carla@test.example.com", "support_agent").await;
    let (dora_id, dora) = s.member("dora@test.example.com", "sales_rep").await;
    // Support agents see everything; make Carla's role narrow to show team shares.
    let support = s.role("support_agent").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.patch(
        &format!("/api/v1/roles/{support}"),
        json!({"visibility": "own"}),
    )
    .await
    .expect(200);
    let team = s
        .post(
            "/api/v1/teams",
            json!({"name": "Soporte", "member_ids": [carla_id]}),
        )
        .await
        .expect(201)
        .id();

    let account = s
        .create_as(&ana, "accounts", json!({"name": "Metalúrgica Tandil"}))
        .await;
    let contact = s
        .create_as(
            &ana,
            "contacts",
            json!({"first_name": "Raúl", "last_name": "Ibáñez", "account_id": account}),
        )
        .await;
    let shares = format!("/api/v1/accounts/{account}/shares");

    // Before: Beto cannot see it, nor share it, nor read its shares.
    s.call(
        &beto,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .problem(404, "");
    s.call(&beto, Method::GET, &shares, None)
        .await
        .problem(404, "");
    s.call(
        &beto,
        Method::POST,
        &shares,
        Some(json!({"user_id": beto_id})),
    )
    .await
    .problem(404, "");

    // Ana shares it with Beto.
    let share = s
        .call(
            &ana,
            Method::POST,
            &shares,
            Some(json!({"user_id": beto_id})),
        )
        .await
        .expect(201);
    assert_eq!(share.body["grantee"], json!({"user": beto_id}));
    let share_id = share.id();
    s.call(
        &ana,
        Method::POST,
        &shares,
        Some(json!({"user_id": beto_id})),
    )
    .await
    .problem(409, "");

    for path in [
        format!("/api/v1/accounts/{account}"),
        format!("/api/v1/accounts/{account}/timeline"),
        format!("/api/v1/accounts/{account}/notes"),
        format!("/api/v1/audit_events?record_id={account}"),
    ] {
        s.call(&beto, Method::GET, &path, None).await.expect(200);
    }
    let listed = s
        .call(&beto, Method::GET, "/api/v1/accounts", None)
        .await
        .expect(200);
    assert_eq!(listed.names(), ["Metalúrgica Tandil"]);
    let found = s
        .call(&beto, Method::GET, "/api/v1/search?q=metalurgica", None)
        .await
        .expect(200);
    assert_eq!(found.body["data"][0]["id"], account.as_str());
    // His role lets him edit, so he can work the shared account.
    s.call(
        &beto,
        Method::PATCH,
        &format!("/api/v1/accounts/{account}"),
        Some(json!({"industry": "Metalurgia"})),
    )
    .await
    .expect(200);
    // The share is of the account alone, not of its contacts.
    s.call(
        &beto,
        Method::GET,
        &format!("/api/v1/contacts/{contact}"),
        None,
    )
    .await
    .problem(404, "");
    // Dora, not in on it, still sees nothing.
    s.call(
        &dora,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .problem(404, "");

    // Shared with a team: its members see the contact.
    s.call(
        &ana,
        Method::POST,
        &format!("/api/v1/contacts/{contact}/shares"),
        Some(json!({"team_id": team})),
    )
    .await
    .expect(201);
    s.call(
        &carla,
        Method::GET,
        &format!("/api/v1/contacts/{contact}"),
        None,
    )
    .await
    .expect(200);
    let carla_contacts = s
        .call(&carla, Method::GET, "/api/v1/contacts", None)
        .await
        .expect(200);
    assert_eq!(carla_contacts.body["data"].as_array().unwrap().len(), 1);

    // Bad requests write nothing.
    s.call(&ana, Method::POST, &shares, Some(json!({})))
        .await
        .problem(422, "user_id");
    s.call(
        &ana,
        Method::POST,
        &shares,
        Some(json!({"user_id": beto_id, "team_id": team})),
    )
    .await
    .problem(422, "user_id");
    s.call(
        &ana,
        Method::POST,
        &shares,
        Some(json!({"team_id": "01900000-0000-7000-8000-000000000000"})),
    )
    .await
    .problem(422, "team_id");
    let listed = s.call(&ana, Method::GET, &shares, None).await.expect(200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);

    // Withdrawn: Beto loses it from his next request.
    s.call(&ana, Method::DELETE, &format!("{shares}/{share_id}"), None)
        .await
        .expect(204);
    s.call(
        &beto,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .problem(404, "");
    let listed = s
        .call(&beto, Method::GET, "/api/v1/accounts", None)
        .await
        .expect(200);
    assert_eq!(listed.body["data"], json!([]));
    s.call(&ana, Method::DELETE, &format!("{shares}/{share_id}"), None)
        .await
        .problem(404, "");

    // Both changes are on the account's audit trail.
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={account}"))
        .await
        .expect(200);
    let actions: Vec<&str> = trail.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[0], "unshared", "{}", trail.body);
    assert!(actions.contains(&"shared"), "{}", trail.body);

    // A merge carries the duplicate's shares over to the record that stays.
    let duplicate = s
        .call(
            &ana,
            Method::POST,
            "/api/v1/accounts?allow_duplicate=true",
            Some(json!({"name": "Metalurgica Tandil SA"})),
        )
        .await
        .expect(201)
        .id();
    s.call(
        &ana,
        Method::POST,
        &format!("/api/v1/accounts/{duplicate}/shares"),
        Some(json!({"user_id": dora_id})),
    )
    .await
    .expect(201);
    s.post(
        &format!("/api/v1/accounts/{account}/merge"),
        json!({"source_id": duplicate}),
    )
    .await
    .expect(200);
    s.call(
        &dora,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .expect(200);
}
