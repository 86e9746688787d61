//! The optional second factor: an authenticator app's codes, and recovery codes.

use reqwest::Method;
use serde_json::{Value, json};

use cartera_core::auth::{totp_code_at, totp_secret_from_base32};

use crate::both;
use crate::support::{RawBody, Resp, TestServer};

const EMAIL: &str = "admin@test.example.com";
const PASSWORD: &str = "una clave bien larga";

both!(authenticator_codes_guard_the_login);

async fn login(s: &TestServer, extra: Value) -> Resp {
    let mut body = json!({"email": EMAIL, "password": PASSWORD});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    s.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(RawBody::Json(body)),
    )
    .await
}

fn code(secret: &[u8], offset: i64) -> String {
    let now = chrono::Utc::now().timestamp() + offset;
    totp_code_at(secret, u64::try_from(now).unwrap()).unwrap()
}

async fn authenticator_codes_guard_the_login(s: TestServer) {
    cartera_app::auth::set_password(&s.app, EMAIL, PASSWORD)
        .await
        .unwrap();
    login(&s, json!({})).await.expect(200);

    let setup = s.post("/api/v1/users/me/totp", json!({})).await.expect(200);
    let url = setup.body["otpauth_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/Cartera:"), "{url}");
    let secret = totp_secret_from_base32(setup.body["secret"].as_str().unwrap()).unwrap();
    // Not on until confirmed: logging in still needs no code.
    login(&s, json!({})).await.expect(200);

    let wrong = if code(&secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    s.post("/api/v1/users/me/totp/confirm", json!({"code": wrong}))
        .await
        .problem(422, "code");
    let on = s
        .post(
            "/api/v1/users/me/totp/confirm",
            json!({"code": code(&secret, 0)}),
        )
        .await
        .expect(200);
    let recovery: Vec<String> = on.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    s.post("/api/v1/users/me/totp", json!({}))
        .await
        .problem(409, "");

    login(&s, json!({})).await.problem(422, "totp_code");
    login(&s, json!({"totp_code": wrong}))
        .await
        .problem(401, "");
    let next = code(&secret, 30);
    login(&s, json!({"totp_code": next})).await.expect(200);
    login(&s, json!({"totp_code": next})).await.problem(401, "");
    login(&s, json!({"recovery_code": recovery[3].to_uppercase()}))
        .await
        .expect(200);
    login(&s, json!({"recovery_code": recovery[3]}))
        .await
        .problem(401, "");

    s.post("/api/v1/users/me/totp/disable", json!({"password": "otra"}))
        .await
        .problem(422, "password");
    s.post(
        "/api/v1/users/me/totp/disable",
        json!({"password": PASSWORD}),
    )
    .await
    .expect(204);
    login(&s, json!({})).await.expect(200);

    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={}", s.admin_id))
        .await
        .expect(200);
    let two_factor_changes = trail.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["changes"].to_string().contains("two_factor"))
        .count();
    assert_eq!(two_factor_changes, 2, "{}", trail.body);
}
