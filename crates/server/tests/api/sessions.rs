//! Browser sessions: login, cookie, CSRF, logout, lockout, password change.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::{RawBody, Resp, TestServer};

const EMAIL: &str = "admin@test.example.com";
const PASSWORD: &str = "una clave bien larga";

both!(
    login_cookie_csrf_and_logout,
    repeated_failures_lock_the_account,
    changing_the_password_ends_other_sessions,
    bad_login_bodies,
    one_address_cannot_guess_across_accounts
);

async fn with_password(s: &TestServer) {
    cartera_app::auth::set_password(&s.app, EMAIL, PASSWORD)
        .await
        .expect("password set");
}

async fn login(s: &TestServer, email: &str, password: &str) -> Resp {
    s.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(RawBody::Json(json!({"email": email, "password": password}))),
    )
    .await
}

/// Logs in and returns the `Cookie` header value and the CSRF token.
async fn session(s: &TestServer, password: &str) -> (String, String) {
    let r = login(s, EMAIL, password).await.expect(200);
    let set = r.header("set-cookie").expect("a session cookie").to_owned();
    let pair = set.split(';').next().unwrap().trim().to_owned();
    (pair, r.body["csrf_token"].as_str().unwrap().to_owned())
}

async fn as_browser(
    s: &TestServer,
    method: Method,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> Resp {
    let mut headers = vec![("cookie", cookie)];
    if let Some(c) = csrf {
        headers.push(("x-csrf-token", c));
    }
    s.send(method, path, None, &headers, body.map(RawBody::Json))
        .await
}

async fn security_actions(s: &TestServer) -> Vec<String> {
    let r = s
        .get(&format!("/api/v1/audit_events?record_id={}", s.admin_id))
        .await
        .expect(200);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn login_cookie_csrf_and_logout(s: TestServer) {
    with_password(&s).await;
    let wrong = login(&s, EMAIL, "no es la clave").await.problem(401, "");
    assert!(wrong.header("set-cookie").is_none());

    let r = login(&s, "ADMIN@test.example.com ", PASSWORD)
        .await
        .expect(200);
    let set = r.header("set-cookie").unwrap().to_owned();
    assert!(set.starts_with("cartera_session=crs_"), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    assert_eq!(r.body["user"]["email"], EMAIL);
    assert!(r.body["expires_at"].is_string());
    let cookie = set.split(';').next().unwrap().to_owned();
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();

    let me = as_browser(&s, Method::GET, "/api/v1/users/me", &cookie, None, None)
        .await
        .expect(200);
    assert_eq!(me.body["email"], EMAIL);

    // Changes need the CSRF token, and the right one.
    let body = json!({"kind": "customer", "name": "Sesiones SRL"});
    as_browser(
        &s,
        Method::POST,
        "/api/v1/accounts",
        &cookie,
        None,
        Some(body.clone()),
    )
    .await
    .problem(403, "");
    as_browser(
        &s,
        Method::POST,
        "/api/v1/accounts",
        &cookie,
        Some("not-the-token"),
        Some(body.clone()),
    )
    .await
    .problem(403, "");
    let created = as_browser(
        &s,
        Method::POST,
        "/api/v1/accounts",
        &cookie,
        Some(&csrf),
        Some(body),
    )
    .await
    .expect(201);
    assert_eq!(created.body["created_by"], s.admin_id.to_string());

    // A made-up cookie is refused.
    as_browser(
        &s,
        Method::GET,
        "/api/v1/users/me",
        "cartera_session=crs_made-up",
        None,
        None,
    )
    .await
    .problem(401, "");

    let out = as_browser(
        &s,
        Method::POST,
        "/api/v1/auth/logout",
        &cookie,
        Some(&csrf),
        None,
    )
    .await
    .expect(204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    // The same cookie, copied before logout, no longer works.
    as_browser(&s, Method::GET, "/api/v1/users/me", &cookie, None, None)
        .await
        .problem(401, "");

    let actions = security_actions(&s).await;
    for a in [
        "login_failed",
        "login_succeeded",
        "logged_out",
        "password_changed",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn repeated_failures_lock_the_account(s: TestServer) {
    with_password(&s).await;
    // An unknown email answers exactly like a wrong password.
    let unknown = login(&s, "nadie@test.example.com", PASSWORD)
        .await
        .problem(401, "");
    for _ in 0..5 {
        let r = login(&s, EMAIL, "clave equivocada").await.problem(401, "");
        assert_eq!(r.body["detail"], unknown.body["detail"]);
    }
    // Now even the right password waits.
    let locked = login(&s, EMAIL, PASSWORD).await.problem(429, "");
    let wait: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(
        locked.body["detail"]
            .as_str()
            .unwrap()
            .contains("try again")
    );

    // An admin resetting the password lifts the lock.
    with_password(&s).await;
    login(&s, EMAIL, PASSWORD).await.expect(200);
}

async fn changing_the_password_ends_other_sessions(s: TestServer) {
    with_password(&s).await;
    let (laptop, laptop_csrf) = session(&s, PASSWORD).await;
    let (stolen, _) = session(&s, PASSWORD).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    as_browser(
        &s,
        Method::POST,
        "/api/v1/users/me/password",
        &laptop,
        Some(&laptop_csrf),
        Some(change("otra cosa distinta", "nueva clave larguísima")),
    )
    .await
    .problem(422, "current_password");
    as_browser(
        &s,
        Method::POST,
        "/api/v1/users/me/password",
        &laptop,
        Some(&laptop_csrf),
        Some(change(PASSWORD, "corta")),
    )
    .await
    .problem(422, "new_password");
    as_browser(
        &s,
        Method::POST,
        "/api/v1/users/me/password",
        &laptop,
        Some(&laptop_csrf),
        Some(change(PASSWORD, "nueva clave larguísima")),
    )
    .await
    .expect(204);

    as_browser(&s, Method::GET, "/api/v1/users/me", &stolen, None, None)
        .await
        .problem(401, "");
    as_browser(&s, Method::GET, "/api/v1/users/me", &laptop, None, None)
        .await
        .expect(200);
    login(&s, EMAIL, PASSWORD).await.problem(401, "");
    login(&s, EMAIL, "nueva clave larguísima").await.expect(200);
    // API tokens are not sessions: they keep working.
    s.get("/api/v1/users/me").await.expect(200);
}

async fn bad_login_bodies(s: TestServer) {
    with_password(&s).await;
    let send = |body: RawBody| s.send(Method::POST, "/api/v1/auth/login", None, &[], Some(body));
    send(RawBody::Json(json!({"email": EMAIL})))
        .await
        .problem(422, "password");
    send(RawBody::Json(
        json!({"email": EMAIL, "password": PASSWORD, "remember": true}),
    ))
    .await
    .problem(422, "remember");
    send(RawBody::Json(json!({"email": "", "password": "x"})))
        .await
        .problem(422, "email");
    send(RawBody::Text("application/json", "{\"email\": ".into()))
        .await
        .problem(400, "");
    // A token-less change never reaches a handler.
    s.send(Method::POST, "/api/v1/auth/logout", None, &[], None)
        .await
        .problem(401, "");
    // Logging out needs a session, not a token.
    s.post("/api/v1/auth/logout", json!({}))
        .await
        .problem(409, "");
}

async fn one_address_cannot_guess_across_accounts(s: TestServer) {
    // The allowance refills as time passes (one attempt every two seconds), so on a
    // loaded machine a few more may pass; the burst itself must, and then the limit bites.
    let mut refused = None;
    for i in 0..300 {
        let r = login(&s, &format!("usuario{i}@test.example.com"), "adivinanza").await;
        if r.status.as_u16() == 429 {
            refused = Some((i, r));
            break;
        }
        r.problem(401, "");
    }
    let (attempts, limited) = refused.expect("the address is limited");
    assert!(
        attempts >= cartera_server::state::LOGINS_PER_MINUTE,
        "limited after {attempts}"
    );
    let limited = limited.problem(429, "");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}
