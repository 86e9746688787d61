//! API tokens a user manages for themselves: create (shown once), list, revoke.

use reqwest::Method;
use serde_json::json;

use cartera_core::users::Scope;

use crate::both;
use crate::support::{RawBody, Resp, TestServer};

both!(
    tokens_are_made_listed_and_revoked,
    tokens_never_exceed_their_maker
);

async fn tokens_are_made_listed_and_revoked(s: TestServer) {
    let made = s
        .post(
            "/api/v1/users/me/tokens",
            json!({"name": "Zapier", "scope": "write", "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await
        .expect(201);
    let secret = made.body["secret"].as_str().unwrap().to_owned();
    let id = made.body["token"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("crt_"));
    assert_eq!(made.body["token"]["scope"], "write");
    assert_eq!(made.body["token"]["name"], "Zapier");

    let me = s
        .send(Method::GET, "/api/v1/users/me", Some(&secret), &[], None)
        .await
        .expect(200);
    assert_eq!(me.body["id"], s.admin_id.to_string());

    let listed = s.get("/api/v1/users/me/tokens").await.expect(200);
    assert!(
        listed.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id)
    );
    assert!(
        !listed.body.to_string().contains(&secret),
        "secrets are never listed"
    );

    // A replayed Idempotency-Key does not hand the secret out again.
    let key = [("idempotency-key", "token-once")];
    let body = || Some(RawBody::Json(json!({"name": "script", "scope": "read"})));
    let first = s
        .send(
            Method::POST,
            "/api/v1/users/me/tokens",
            Some(&s.token),
            &key,
            body(),
        )
        .await
        .expect(201);
    let second = s
        .send(
            Method::POST,
            "/api/v1/users/me/tokens",
            Some(&s.token),
            &key,
            body(),
        )
        .await
        .expect(201);
    assert!(second.header("idempotent-replayed").is_none());
    assert_ne!(first.body["secret"], second.body["secret"]);

    let revoked = s
        .delete(&format!("/api/v1/users/me/tokens/{id}"))
        .await
        .expect(200);
    assert!(revoked.body["revoked_at"].is_string());
    s.send(Method::GET, "/api/v1/users/me", Some(&secret), &[], None)
        .await
        .problem(401, "");
    s.delete(&format!("/api/v1/users/me/tokens/{id}"))
        .await
        .problem(404, "");
    let audit = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200);
    let events = audit.body["data"].as_array().unwrap();
    assert!(events.iter().any(|e| e["action"] == "deleted"));
    // The creation names who made the token.
    let created = events.iter().find(|e| e["action"] == "created").unwrap();
    assert_eq!(created["actor_id"], s.admin_id.to_string(), "{created}");
}

async fn tokens_never_exceed_their_maker(s: TestServer) {
    let (_, writer) = s
        .token_for("vendedora@test.example.com", Scope::Write)
        .await;
    make(&s, &writer, json!({"name": "más poder", "scope": "admin"}))
        .await
        .problem(422, "scope");
    make(&s, &writer, json!({"name": "", "scope": "read"}))
        .await
        .problem(422, "name");
    make(
        &s,
        &writer,
        json!({"name": "viejo", "scope": "read", "expires_at": "2001-01-01T00:00:00Z"}),
    )
    .await
    .problem(422, "expires_at");
    make(&s, &writer, json!({"name": "x", "scope": "root"}))
        .await
        .problem(422, "scope");
    make(
        &s,
        &writer,
        json!({"name": "x", "scope": "read", "owner": "me"}),
    )
    .await
    .problem(422, "owner");
    make(&s, &writer, json!({"name": "ok", "scope": "write"}))
        .await
        .expect(201);

    // Another user's token is not there to revoke.
    let admin_token = s
        .post(
            "/api/v1/users/me/tokens",
            json!({"name": "admin", "scope": "read"}),
        )
        .await
        .expect(201);
    let id = admin_token.body["token"]["id"].as_str().unwrap();
    s.send(
        Method::DELETE,
        &format!("/api/v1/users/me/tokens/{id}"),
        Some(&writer),
        &[],
        None,
    )
    .await
    .problem(404, "");
}

async fn make(s: &TestServer, token: &str, body: serde_json::Value) -> Resp {
    s.send(
        Method::POST,
        "/api/v1/users/me/tokens",
        Some(token),
        &[],
        Some(RawBody::Json(body)),
    )
    .await
}
