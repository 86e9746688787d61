use reqwest::Method;
use serde_json::json;

use cartera_core::users::Scope;

use crate::both;
use crate::support::{RawBody, TestServer};

both!(tokens_and_scopes);

async fn tokens_and_scopes(s: TestServer) {
    let r = s
        .send(Method::GET, "/api/v1/accounts", None, &[], None)
        .await
        .problem(401, "");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    s.send(
        Method::GET,
        "/api/v1/accounts",
        Some("crt_not-a-real-token"),
        &[],
        None,
    )
    .await
    .problem(401, "");
    s.send(Method::GET, "/api/v1/accounts", Some("garbage"), &[], None)
        .await
        .problem(401, "");

    let (_, reader) = s.token_for("lector@test.example.com", Scope::Read).await;
    s.send(Method::GET, "/api/v1/accounts", Some(&reader), &[], None)
        .await
        .expect(200);
    s.send(
        Method::POST,
        "/api/v1/accounts",
        Some(&reader),
        &[],
        Some(RawBody::Json(json!({"name": "X"}))),
    )
    .await
    .problem(403, "");
    let (writer_id, writer) = s.token_for("escritor@test.example.com", Scope::Write).await;
    let made = s
        .send(
            Method::POST,
            "/api/v1/accounts",
            Some(&writer),
            &[],
            Some(RawBody::Json(json!({"name": "De la escritora"}))),
        )
        .await
        .expect(201);
    assert_eq!(made.body["owner_id"], writer_id.to_string());
    s.send(
        Method::PATCH,
        "/api/v1/settings",
        Some(&writer),
        &[],
        Some(RawBody::Json(json!({"trash_retention_days": 7}))),
    )
    .await
    .problem(403, "");
    let me = s
        .send(Method::GET, "/api/v1/users/me", Some(&writer), &[], None)
        .await
        .expect(200);
    assert_eq!(me.body["email"], "escritor@test.example.com");

    // An expired token is refused.
    let (u, _) = cartera_app::users::ensure(&s.app, "vencido@test.example.com", "Vencido")
        .await
        .unwrap();
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    let (_, expired) =
        cartera_app::users::create_token(&s.app, u.id, "old", Scope::Admin, Some(past))
            .await
            .unwrap();
    let r = s
        .send(Method::GET, "/api/v1/accounts", Some(&expired), &[], None)
        .await
        .problem(401, "");
    assert!(r.body["detail"].as_str().unwrap().contains("expired"));

    // Settings.
    let r = s
        .patch("/api/v1/settings", json!({"trash_retention_days": 7}))
        .await
        .expect(200);
    assert_eq!(r.body["trash_retention_days"], 7);
    assert_eq!(
        s.get("/api/v1/settings").await.body["trash_retention_days"],
        7
    );
    s.patch("/api/v1/settings", json!({"trash_retention_days": 0}))
        .await
        .problem(422, "trash_retention_days");
    s.patch("/api/v1/settings", json!({"colour": 1}))
        .await
        .problem(422, "colour");
}
