use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    security_headers_on_every_answer,
    health_metrics_and_errors,
    openapi_describes_every_endpoint,
    trash_is_emptied_after_retention
);

async fn health_metrics_and_errors(s: TestServer) {
    let h = s
        .send(Method::GET, "/healthz", None, &[], None)
        .await
        .expect(200);
    assert_eq!(h.body, Value::String("ok".into()));
    assert!(h.header("x-request-id").is_some());
    s.send(Method::GET, "/readyz", None, &[], None)
        .await
        .expect(200);
    let r = s
        .send(
            Method::GET,
            "/api/v1/accounts",
            Some(&s.token),
            &[("x-request-id", "abc-123")],
            None,
        )
        .await;
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let m = s
        .send(Method::GET, "/metrics", None, &[], None)
        .await
        .expect(200);
    let text = m.body.as_str().unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/accounts\""));
    s.get("/api/v1/nothing-here").await.problem(404, "");
    s.send(Method::PUT, "/api/v1/accounts", Some(&s.token), &[], None)
        .await
        .problem(405, "");
    let home = s.send(Method::GET, "/", None, &[], None).await.expect(200);
    assert!(home.body.as_str().unwrap().contains("Cartera"));
    let docs = s
        .send(Method::GET, "/api/docs/", None, &[], None)
        .await
        .expect(200);
    assert!(
        docs.body
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("swagger")
    );
    let _ = json!({});
}

async fn openapi_describes_every_endpoint(s: TestServer) {
    let r = s
        .send(Method::GET, "/api/v1/openapi.json", None, &[], None)
        .await
        .expect(200);
    let doc = r.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut ops = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            ops += 1;
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
        }
    }
    let expected = cartera_server::api::api().operation_count()
        + cartera_server::ops::mount(Default::default()).operation_count()
        + cartera_server::api::public_api().operation_count();
    assert_eq!(ops, expected, "every route is in the document");
    for p in [
        "/api/v1/accounts",
        "/api/v1/contacts/{id}/merge",
        "/api/v1/leads/{id}/convert",
        "/api/v1/search",
        "/api/v1/audit_events",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/users/me/password",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    // Every schema reference resolves.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for part in text.split("#/components/schemas/").skip(1) {
        let name: String = part.chars().take_while(|c| *c != '"').collect();
        assert!(schemas.contains_key(&name), "dangling reference to {name}");
    }
}

async fn trash_is_emptied_after_retention(s: TestServer) {
    let a = s.create("accounts", json!({"name": "Se va"})).await;
    let id = a["id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/accounts/{id}/notes"),
        json!({"body": "adiós"}),
    )
    .await
    .expect(201);
    s.delete(&format!("/api/v1/accounts/{id}"))
        .await
        .expect(200);
    let report = cartera_app::maintenance::run(&s.app).await.unwrap();
    assert_eq!(report.accounts, 0, "not before the retention");
    // Run the housekeeping with a clock a month ahead.
    struct Later;
    impl cartera_app::Clock for Later {
        fn now(&self) -> chrono::DateTime<chrono::Utc> {
            chrono::Utc::now() + chrono::Duration::days(31)
        }
    }
    let later = cartera_app::App::with_clock(s.app.db.clone(), std::sync::Arc::new(Later));
    let report = cartera_app::maintenance::run(&later).await.unwrap();
    assert_eq!(report.accounts, 1);
    assert!(
        s.get("/api/v1/accounts?trashed=true").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    s.post(&format!("/api/v1/accounts/{id}/restore"), json!({}))
        .await
        .problem(404, "");
    let ev = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200);
    assert_eq!(ev.body["data"][0]["action"], "purged");
}

async fn security_headers_on_every_answer(s: TestServer) {
    let answers = [
        s.get("/api/v1/accounts").await,
        s.send(Method::GET, "/healthz", None, &[], None).await,
        s.send(Method::GET, "/api/v1/accounts", None, &[], None)
            .await,
        s.send(Method::GET, "/nowhere", None, &[], None).await,
    ];
    for r in answers {
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            r.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
    }
}
