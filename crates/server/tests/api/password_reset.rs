//! Password reset by an emailed one-time link, delivered to a real SMTP server.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use cartera_core::users::Scope;

use crate::both;
use crate::smtp::Received;
use crate::support::{RawBody, Resp, Setup, TestServer};

const EMAIL: &str = "admin@test.example.com";
const PASSWORD: &str = "una clave bien larga";
const NEW_PASSWORD: &str = "otra clave todavía más larga";
const BAD_LINK: &str = "the reset link is not valid, has expired or was already used";

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    unknown_and_inactive_emails_get_the_same_answer_and_no_email,
    a_reset_sets_the_password_and_ends_sessions,
    a_link_works_once_and_spends_the_others,
    an_expired_link_is_refused,
    a_rejected_password_keeps_the_link,
);

both!(reset_requests_count_as_login_attempts);

async fn ask(s: &TestServer, email: &str) -> Resp {
    s.send(
        Method::POST,
        "/api/v1/auth/password_reset",
        None,
        &[],
        Some(RawBody::Json(json!({ "email": email }))),
    )
    .await
}

async fn confirm(s: &TestServer, token: &str, new_password: &str) -> Resp {
    s.send(
        Method::POST,
        "/api/v1/auth/password_reset/confirm",
        None,
        &[],
        Some(RawBody::Json(
            json!({ "token": token, "new_password": new_password }),
        )),
    )
    .await
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

fn sink(s: &TestServer) -> &crate::smtp::SmtpSink {
    s.smtp.as_ref().expect("the server has an SMTP sink")
}

/// The token of the message's link, after checking that the link leads to this server.
fn token_of(s: &TestServer, m: &Received) -> String {
    let link = m.link().unwrap_or_else(|| panic!("no link in {}", m.text));
    let prefix = format!("{}/reset-password?token=", s.base);
    let token = link
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{link} does not start with {prefix}"));
    assert!(token.starts_with("crp_") && token.len() > 40, "{token}");
    token.to_owned()
}

/// The security events on a user, oldest first, as (action, changes).
async fn events(s: &TestServer, user: impl std::fmt::Display) -> Vec<(String, Value)> {
    let r = s
        .get(&format!("/api/v1/audit_events?record_id={user}&limit=500"))
        .await
        .expect(200);
    let mut out: Vec<(String, Value)> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["changes"].clone(),
            )
        })
        .collect();
    out.reverse();
    out
}

fn change<'a>(changes: &'a Value, field: &str) -> Option<&'a Value> {
    changes
        .as_array()?
        .iter()
        .find(|c| c["field"] == field)
        .map(|c| &c["new"])
}

async fn unknown_and_inactive_emails_get_the_same_answer_and_no_email(s: TestServer) {
    let unknown = ask(&s, "nadie@test.example.com").await.expect(202);
    assert!(
        unknown.body["message"]
            .as_str()
            .unwrap()
            .contains("If an active account")
    );

    let (inactive, _) = s.token_for("baja@test.example.com", Scope::Read).await;
    s.patch(
        &format!("/api/v1/users/{inactive}"),
        json!({"active": false}),
    )
    .await
    .expect(200);
    let deactivated = ask(&s, "baja@test.example.com").await.expect(202);
    assert_eq!(deactivated.body, unknown.body);
    sink(&s).assert_quiet(Duration::from_millis(1500)).await;
    assert!(
        !events(&s, inactive)
            .await
            .iter()
            .any(|(a, _)| a == "password_reset_requested")
    );

    // A known email answers the same, and its email arrives.
    let known = ask(&s, " Admin@Test.example.com").await.expect(202);
    assert_eq!(known.body, unknown.body);
    let got = sink(&s).wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec![EMAIL.to_owned()]);

    // Malformed requests are refused by field, which reveals nothing.
    ask(&s, "  ").await.problem(422, "email");
    s.send(
        Method::POST,
        "/api/v1/auth/password_reset",
        None,
        &[],
        Some(RawBody::Json(json!({"email": EMAIL, "reset": true}))),
    )
    .await
    .problem(422, "reset");
}

async fn a_reset_sets_the_password_and_ends_sessions(s: TestServer) {
    let (cookie, _) = s.browser_login(EMAIL, PASSWORD).await;
    // Five wrong passwords lock the account; the reset lifts that.
    for _ in 0..5 {
        login(&s, EMAIL, "clave equivocada").await.problem(401, "");
    }
    login(&s, EMAIL, PASSWORD).await.problem(429, "");

    ask(&s, EMAIL).await.expect(202);
    let got = sink(&s).wait_for(1).await;
    let m = &got[0];
    assert_eq!(m.rcpt_to, EMAIL);
    assert_eq!(m.to, vec![EMAIL.to_owned()]);
    assert_eq!(m.from.as_deref(), Some("no-reply@localhost"));
    // The user's language (Spanish unless they chose English).
    assert_eq!(m.subject, "Restablece tu contraseña de Cartera");
    assert!(m.text.starts_with("Hola, Ada Admin:"), "{}", m.text);
    assert!(m.text.contains("vence en una hora"), "{}", m.text);
    assert!(
        m.text.contains("America/Argentina/Buenos_Aires"),
        "{}",
        m.text
    );
    let token = token_of(&s, m);

    confirm(&s, &token, NEW_PASSWORD).await.expect(204);

    // The session from before no longer works, nor does the old password; the new one does.
    s.send(
        Method::GET,
        "/api/v1/users/me",
        None,
        &[("cookie", &cookie)],
        None,
    )
    .await
    .problem(401, "");
    login(&s, EMAIL, PASSWORD).await.problem(401, "");
    let fresh = login(&s, EMAIL, NEW_PASSWORD).await.expect(200);
    assert!(fresh.header("set-cookie").is_some());

    let ev = events(&s, s.admin_id).await;
    let requested = ev
        .iter()
        .find(|(a, _)| a == "password_reset_requested")
        .expect("the request is recorded");
    assert_eq!(change(&requested.1, "ip"), Some(&json!("127.0.0.1")));
    let changed = ev
        .iter()
        .rev()
        .find(|(a, _)| a == "password_changed")
        .expect("the change is recorded");
    assert_eq!(change(&changed.1, "via"), Some(&json!("password_reset")));
}

async fn a_link_works_once_and_spends_the_others(s: TestServer) {
    // An English speaker gets the English email.
    s.patch("/api/v1/users/me", json!({"locale": "en"}))
        .await
        .expect(200);
    ask(&s, EMAIL).await.expect(202);
    sink(&s).wait_for(1).await;
    ask(&s, EMAIL).await.expect(202);
    let got = sink(&s).wait_for(2).await;
    assert_eq!(got[0].subject, "Reset your Cartera password");
    assert!(
        got[0].text.starts_with("Hello Ada Admin,"),
        "{}",
        got[0].text
    );
    let first = token_of(&s, &got[0]);
    let second = token_of(&s, &got[1]);
    assert_ne!(first, second);

    confirm(&s, &first, NEW_PASSWORD).await.expect(204);
    let again = confirm(&s, &first, "y otra más, también larga")
        .await
        .problem(401, "");
    assert_eq!(again.body["detail"], BAD_LINK);
    // Using one link spent the other.
    let other = confirm(&s, &second, "y otra más, también larga")
        .await
        .problem(401, "");
    assert_eq!(other.body["detail"], BAD_LINK);
    // Unknown and malformed tokens get the same answer.
    for t in ["crp_inventado", "basura", ""] {
        let r = confirm(&s, t, "y otra más, también larga")
            .await
            .problem(401, "");
        assert_eq!(r.body["detail"], BAD_LINK);
    }
    login(&s, EMAIL, NEW_PASSWORD).await.expect(200);

    let refused: Vec<Value> = events(&s, s.admin_id)
        .await
        .into_iter()
        .filter(|(a, _)| a == "password_reset_refused")
        .map(|(_, c)| c)
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    for c in &refused {
        assert_eq!(change(c, "reason"), Some(&json!("used")));
    }
}

async fn an_expired_link_is_refused(s: TestServer) {
    cartera_app::auth::set_password(&s.app, EMAIL, PASSWORD)
        .await
        .unwrap();
    ask(&s, EMAIL).await.expect(202);
    sink(&s).wait_for(1).await;
    s.clock.advance(chrono::Duration::minutes(30));
    ask(&s, EMAIL).await.expect(202);
    let got = sink(&s).wait_for(2).await;
    let (older, newer) = (token_of(&s, &got[0]), token_of(&s, &got[1]));

    // An hour and ten minutes after the first request, forty after the second.
    s.clock.advance(chrono::Duration::minutes(40));
    let r = confirm(&s, &older, NEW_PASSWORD).await.problem(401, "");
    assert_eq!(r.body["detail"], BAD_LINK);
    login(&s, EMAIL, PASSWORD).await.expect(200);
    let ev = events(&s, s.admin_id).await;
    let refused = ev
        .iter()
        .find(|(a, _)| a == "password_reset_refused")
        .expect("the expired link is recorded");
    assert_eq!(change(&refused.1, "reason"), Some(&json!("expired")));

    // The newer link still works until its own hour is over.
    confirm(&s, &newer, NEW_PASSWORD).await.expect(204);
    login(&s, EMAIL, NEW_PASSWORD).await.expect(200);
}

async fn a_rejected_password_keeps_the_link(s: TestServer) {
    cartera_app::auth::set_password(&s.app, EMAIL, PASSWORD)
        .await
        .unwrap();
    ask(&s, EMAIL).await.expect(202);
    let token = token_of(&s, &sink(&s).wait_for(1).await[0]);

    confirm(&s, &token, "corta")
        .await
        .problem(422, "new_password");
    confirm(&s, &token, EMAIL)
        .await
        .problem(422, "new_password");
    s.send(
        Method::POST,
        "/api/v1/auth/password_reset/confirm",
        None,
        &[],
        Some(RawBody::Json(json!({ "token": token }))),
    )
    .await
    .problem(422, "new_password");
    // Nothing changed: the old password works and the link is still good.
    login(&s, EMAIL, PASSWORD).await.expect(200);
    confirm(&s, &token, NEW_PASSWORD).await.expect(204);
    login(&s, EMAIL, NEW_PASSWORD).await.expect(200);
}

async fn reset_requests_count_as_login_attempts(s: TestServer) {
    // Logins and reset requests share one allowance per address; it refills one attempt
    // every two seconds, so on a loaded machine a few more may pass.
    for i in 0..10 {
        login(&s, &format!("usuario{i}@test.example.com"), "adivinanza")
            .await
            .problem(401, "");
    }
    let mut refused = None;
    for i in 0..300 {
        let r = ask(&s, &format!("usuario{i}@test.example.com")).await;
        if r.status.as_u16() == 429 {
            refused = Some((i + 10, r));
            break;
        }
        r.expect(202);
    }
    let (attempts, limited) = refused.expect("the address is limited");
    assert!(
        attempts >= cartera_server::state::LOGINS_PER_MINUTE,
        "limited after {attempts}"
    );
    let limited = limited.problem(429, "");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Logging in from there waits too.
    login(&s, EMAIL, PASSWORD).await.problem(429, "");
}
