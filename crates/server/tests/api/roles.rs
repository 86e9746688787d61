//! Roles: the permission matrix limits people, and an admin's change applies at once.

use reqwest::Method;
use serde_json::json;

use cartera_core::users::Scope;

use crate::both;
use crate::support::{RawBody, TestServer};

both!(
    roles_limit_what_people_do,
    roles_are_validated,
    admins_manage_the_team
);

async fn roles_limit_what_people_do(s: TestServer) {
    let roles = s.get("/api/v1/roles").await.expect(200);
    let keys: Vec<&str> = roles.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    for k in [
        "admin",
        "manager",
        "sales_rep",
        "support_agent",
        "collections",
        "marketing",
        "logistics",
        "read_only",
    ] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    let rep_role = s.role("sales_rep").await;
    let rep_role_id = rep_role["id"].as_str().unwrap().to_owned();

    let (rep_id, rep) = s.token_for("vendedor@test.example.com", Scope::Write).await;
    let assigned = s
        .patch(
            &format!("/api/v1/users/{rep_id}"),
            json!({"role_id": rep_role_id}),
        )
        .await
        .expect(200);
    assert_eq!(assigned.body["role_id"], rep_role_id.as_str());

    // A rep creates and edits, but does not delete or configure.
    let made = s
        .call(
            &rep,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({"name": "Cliente del Vendedor"})),
        )
        .await
        .expect(201);
    let account = made.id();
    s.call(
        &rep,
        Method::DELETE,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .problem(403, "");
    s.call(
        &rep,
        Method::POST,
        "/api/v1/custom_fields",
        Some(json!({"kind": "account", "key": "zona", "label": "Zona", "type": "text"})),
    )
    .await
    .problem(403, "");
    s.call(
        &rep,
        Method::PATCH,
        &format!("/api/v1/roles/{rep_role_id}"),
        Some(json!({"name": "Yo mando"})),
    )
    .await
    .problem(403, "");
    s.call(&rep, Method::GET, "/api/v1/audit_events", None)
        .await
        .problem(403, "");

    // The admin lets reps delete accounts: it applies to the rep's next request.
    let mut permissions = rep_role["permissions"].clone();
    permissions["accounts"] = json!(["read", "create", "edit", "delete"]);
    s.patch(
        &format!("/api/v1/roles/{rep_role_id}"),
        json!({"permissions": permissions}),
    )
    .await
    .expect(200);
    s.call(
        &rep,
        Method::DELETE,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .expect(200);

    // And takes leads away: lists refuse, search leaves them out.
    s.create(
        "leads",
        json!({"first_name": "Zacarías", "last_name": "Quiroga"}),
    )
    .await;
    permissions.as_object_mut().unwrap().remove("leads");
    let changed = s
        .patch(
            &format!("/api/v1/roles/{rep_role_id}"),
            json!({"permissions": permissions}),
        )
        .await
        .expect(200);
    assert!(changed.body["permissions"].get("leads").is_none());
    s.call(&rep, Method::GET, "/api/v1/leads", None)
        .await
        .problem(403, "");
    let found = s
        .call(&rep, Method::GET, "/api/v1/search?q=zacarias", None)
        .await
        .expect(200);
    assert_eq!(found.body["data"], json!([]), "{}", found.body);
    let admin_found = s.get("/api/v1/search?q=zacarias").await.expect(200);
    assert_eq!(admin_found.body["data"][0]["kind"], "lead");

    // A browser session is limited by the role just the same.
    let (cookie, csrf) = s
        .browser_login("vendedor@test.example.com", "clave del vendedor")
        .await;
    s.send(
        Method::GET,
        "/api/v1/leads",
        None,
        &[("cookie", &cookie)],
        None,
    )
    .await
    .problem(403, "");
    s.send(
        Method::POST,
        "/api/v1/custom_fields",
        None,
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(RawBody::Json(
            json!({"kind": "account", "key": "zona", "label": "Zona", "type": "text"}),
        )),
    )
    .await
    .problem(403, "");

    // Role changes are in the audit trail.
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={rep_role_id}"))
        .await
        .expect(200);
    assert!(trail.body["data"].as_array().unwrap().len() >= 2);
}

async fn roles_are_validated(s: TestServer) {
    let admin = s.role("admin").await;
    let admin_id = admin["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/roles/{admin_id}"),
        json!({"permissions": {"accounts": ["read"]}}),
    )
    .await
    .problem(422, "permissions");
    // Renaming the admin role is fine.
    s.patch(
        &format!("/api/v1/roles/{admin_id}"),
        json!({"name": "Dirección"}),
    )
    .await
    .expect(200);

    let r = s
        .post(
            "/api/v1/roles",
            json!({"key": "auditor", "name": "Auditor", "permissions": {"planets": ["read"]}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        r.error_fields()
            .iter()
            .any(|f| f.starts_with("permissions")),
        "{}",
        r.body
    );
    s.post(
        "/api/v1/roles",
        json!({"key": "auditor", "name": "Auditor", "permissions": {"audit": ["fly"]}}),
    )
    .await
    .problem(422, "");
    s.post(
        "/api/v1/roles",
        json!({"key": "Auditor Jefe", "name": "Auditor", "permissions": {}}),
    )
    .await
    .problem(422, "key");
    let made = s
        .post(
            "/api/v1/roles",
            json!({"key": "auditor", "name": "Auditor", "permissions": {"audit": ["read", "admin"]}}),
        )
        .await
        .expect(201);
    assert_eq!(made.body["built_in"], false);
    s.post(
        "/api/v1/roles",
        json!({"key": "auditor", "name": "Otro", "permissions": {}}),
    )
    .await
    .problem(422, "key");

    let id = made.id();
    s.send(
        Method::PATCH,
        &format!("/api/v1/roles/{id}"),
        Some(&s.token),
        &[("if-match", "\"7\"")],
        Some(RawBody::Json(json!({"name": "Auditoría"}))),
    )
    .await
    .problem(412, "");
    s.patch(&format!("/api/v1/roles/{id}"), json!({"colour": "red"}))
        .await
        .problem(422, "colour");
    s.get(&format!("/api/v1/roles/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "");

    let (user, _) = s.token_for("alguien@test.example.com", Scope::Read).await;
    s.patch(
        &format!("/api/v1/users/{user}"),
        json!({"role_id": uuid::Uuid::now_v7().to_string()}),
    )
    .await
    .problem(422, "role_id");
    s.patch(
        &format!("/api/v1/users/{}", uuid::Uuid::now_v7()),
        json!({"role_id": id}),
    )
    .await
    .problem(404, "");
}

async fn admins_manage_the_team(s: TestServer) {
    let rep_role = s.role("sales_rep").await;
    let made = s
        .post(
            "/api/v1/users",
            json!({"email": "Nueva@Test.example.com", "name": "Nueva Vendedora"}),
        )
        .await
        .expect(201);
    let id = made.id();
    assert_eq!(made.body["email"], "nueva@test.example.com");
    assert_eq!(made.body["role_id"], rep_role["id"]);
    assert_eq!(made.body["locale"], "es");

    s.post(
        "/api/v1/users",
        json!({"email": "nueva@test.example.com", "name": "Otra"}),
    )
    .await
    .problem(422, "email");
    s.post(
        "/api/v1/users",
        json!({"email": "x@test.example.com", "name": "X", "time_zone": "Mars/Olympus", "locale": "fr"}),
    )
    .await
    .problem(422, "time_zone")
    .problem(422, "locale");
    s.post(
        "/api/v1/users",
        json!({"email": "y@test.example.com", "name": "Y", "role_id": uuid::Uuid::now_v7()}),
    )
    .await
    .problem(422, "role_id");

    let changed = s
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({"locale": "en", "time_zone": "Europe/Madrid", "name": "Nueva Gómez"}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["locale"], "en");
    assert_eq!(changed.body["time_zone"], "Europe/Madrid");
    assert_eq!(changed.body["name"], "Nueva Gómez");

    // Deactivating someone stops their session and their tokens at once.
    let (cookie, _) = s
        .browser_login("nueva@test.example.com", "clave de la nueva")
        .await;
    let (_, token) = s.token_for("nueva@test.example.com", Scope::Read).await;
    s.patch(&format!("/api/v1/users/{id}"), json!({"active": false}))
        .await
        .expect(200);
    s.send(
        Method::GET,
        "/api/v1/users/me",
        None,
        &[("cookie", &cookie)],
        None,
    )
    .await
    .problem(401, "");
    s.call(&token, Method::GET, "/api/v1/users/me", None)
        .await
        .problem(401, "");
    s.patch(
        &format!("/api/v1/users/{}", s.admin_id),
        json!({"active": false}),
    )
    .await
    .problem(422, "active");

    // Only admins manage the team.
    let (rep_id, rep) = s.token_for("rep2@test.example.com", Scope::Admin).await;
    s.patch(
        &format!("/api/v1/users/{rep_id}"),
        json!({"role_id": rep_role["id"]}),
    )
    .await
    .expect(200);
    s.call(
        &rep,
        Method::POST,
        "/api/v1/users",
        Some(json!({"email": "z@test.example.com", "name": "Z"})),
    )
    .await
    .problem(403, "");
    // Everyone sets their own language and time zone, and nothing else.
    let me = s
        .call(
            &rep,
            Method::PATCH,
            "/api/v1/users/me",
            Some(json!({"locale": "en", "time_zone": "America/Mexico_City"})),
        )
        .await
        .expect(200);
    assert_eq!(me.body["time_zone"], "America/Mexico_City");
    s.call(
        &rep,
        Method::PATCH,
        "/api/v1/users/me",
        Some(json!({"role_id": rep_role["id"]})),
    )
    .await
    .problem(422, "role_id");
    s.call(
        &rep,
        Method::PATCH,
        "/api/v1/users/me",
        Some(json!({"time_zone": "Nowhere/Land"})),
    )
    .await
    .problem(422, "time_zone");
}
