//! Rate limits on API tokens: requests per token, refused tokens per address, and the
//! audit trail of refused tokens.

use reqwest::Method;
use serde_json::Value;

use cartera_core::users::Scope;
use cartera_server::state::{BEARER_FAILURES_PER_MINUTE, Limits};

use crate::both;
use crate::support::{Resp, Setup, TestServer};

both!(
    setup = Setup {
        limits: Limits {
            token_requests_per_minute: 5,
            ..Limits::default()
        },
        ..Setup::default()
    };
    each_token_has_its_own_allowance
);

both!(
    refused_tokens_are_limited_per_address,
    refused_known_tokens_are_recorded
);

both!(
    setup = Setup {
        limits: Limits {
            refused_tokens_per_minute: 0,
            ..Limits::default()
        },
        ..Setup::default()
    };
    refused_tokens_are_not_limited_when_the_limit_is_off
);

both!(
    setup = Setup {
        limits: Limits {
            refused_tokens_per_minute: 4,
            ..Limits::default()
        },
        ..Setup::default()
    };
    the_refused_token_limit_is_configurable
);

async fn me(s: &TestServer, token: &str) -> Resp {
    s.send(Method::GET, "/api/v1/users/me", Some(token), &[], None)
        .await
}

async fn each_token_has_its_own_allowance(s: TestServer) {
    // Five a minute, counted in the database, every request of so small an allowance
    // written at once: the sixth is refused until the minute that began with the first
    // is over.
    let mut limited = None;
    for i in 1..=8 {
        let r = me(&s, &s.token).await;
        if r.status.as_u16() == 429 {
            limited = Some((i, r));
            break;
        }
        r.expect(200);
    }
    let (n, r) = limited.expect("the token is limited");
    assert_eq!(n, 6, "limited at request {n}");
    let r = r.problem(429, "");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(r.body["detail"].as_str().unwrap().contains("this token"));

    // Another token, even of the same user, has its own allowance.
    let (_, other) = s.token_for("otra@test.example.com", Scope::Read).await;
    me(&s, &other).await.expect(200);
    let (_, second) = s.token_for("admin@test.example.com", Scope::Admin).await;
    me(&s, &second).await.expect(200);
    // The first one is still waiting.
    me(&s, &s.token).await.problem(429, "");
}

async fn refused_tokens_are_limited_per_address(s: TestServer) {
    // The allowance refills one attempt every two seconds, so on a loaded machine a few
    // more may pass; the burst itself must, and then the limit bites.
    let mut limited = None;
    for i in 0..300 {
        let token = if i % 2 == 0 { "garbage" } else { "crt_guess" };
        let r = me(&s, token).await;
        if r.status.as_u16() == 429 {
            limited = Some((i, r));
            break;
        }
        r.problem(401, "");
    }
    let (attempts, r) = limited.expect("the address is limited");
    assert!(
        attempts >= BEARER_FAILURES_PER_MINUTE,
        "limited after {attempts}"
    );
    let r = r.problem(429, "");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // A good token from the same address still works.
    s.get("/api/v1/users/me").await.expect(200);
}

async fn refused_tokens_are_not_limited_when_the_limit_is_off(s: TestServer) {
    // `CARTERA_REFUSED_TOKEN_RATE_LIMIT=0`: every refused token is a 401, however many
    // (well past the default 30), over the API and over DAV's Basic login.
    for i in 0..(3 * BEARER_FAILURES_PER_MINUTE) {
        let token = if i % 2 == 0 { "garbage" } else { "crt_guess" };
        let r = me(&s, token).await;
        assert_eq!(r.status.as_u16(), 401, "refused token {i}: {:?}", r.body);
    }
    for i in 0..(2 * BEARER_FAILURES_PER_MINUTE) {
        let (status, _, _) = crate::dav::dav(
            &s,
            Some((crate::dav::ADMIN, "crt_guess")),
            "PROPFIND",
            "/dav/",
            &[("depth", "0")],
            None,
        )
        .await;
        assert_eq!(status, 401, "refused DAV login {i}");
    }
    s.get("/api/v1/users/me").await.expect(200);
}

async fn the_refused_token_limit_is_configurable(s: TestServer) {
    // Four a minute: the fifth refused token from the address is answered 429.
    let mut limited = None;
    for i in 1..=10 {
        let r = me(&s, "garbage").await;
        if r.status.as_u16() == 429 {
            limited = Some(i);
            break;
        }
        r.problem(401, "");
    }
    assert_eq!(limited, Some(5));
    s.get("/api/v1/users/me").await.expect(200);
}

/// The `token_refused` events on a user, newest first, as their changes.
async fn refusals(s: &TestServer, user: impl std::fmt::Display) -> Vec<Value> {
    let r = s
        .get(&format!(
            "/api/v1/audit_events?record_id={user}&action=token_refused"
        ))
        .await
        .expect(200);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|e| assert_eq!(e["action"], "token_refused"))
        .map(|e| e["changes"].clone())
        .collect()
}

fn change(changes: &Value, field: &str) -> Value {
    changes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .map(|c| c["new"].clone())
        .unwrap_or(Value::Null)
}

async fn refused_known_tokens_are_recorded(s: TestServer) {
    let (user, _) = cartera_app::users::ensure(&s.app, "vence@test.example.com", "Vence")
        .await
        .unwrap();
    let soon = s.app.now() + chrono::Duration::hours(1);
    let (token, secret) =
        cartera_app::users::create_token(&s.app, user.id, "pronto", Scope::Read, Some(soon))
            .await
            .unwrap();
    me(&s, &secret).await.expect(200);
    assert!(refusals(&s, user.id).await.is_empty());

    s.clock.advance(chrono::Duration::hours(2));
    for _ in 0..3 {
        let r = me(&s, &secret).await.problem(401, "");
        assert!(r.body["detail"].as_str().unwrap().contains("expired"));
    }
    // Recorded once, not once per request.
    let seen = refusals(&s, user.id).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(change(&seen[0], "reason"), "expired");
    assert_eq!(change(&seen[0], "token_id"), token.id.to_string());
    assert_eq!(change(&seen[0], "ip"), "127.0.0.1");

    // A revoked token is recorded too; an unknown one has no user to record it on.
    let (_, other) = s.token_for("revocado@test.example.com", Scope::Read).await;
    let mine = s
        .call(&other, Method::GET, "/api/v1/users/me/tokens", None)
        .await
        .expect(200);
    let id = mine.body["data"][0]["id"].as_str().unwrap().to_owned();
    let owner = mine.body["data"][0]["user_id"].as_str().unwrap().to_owned();
    s.call(
        &other,
        Method::DELETE,
        &format!("/api/v1/users/me/tokens/{id}"),
        None,
    )
    .await
    .expect(200);
    me(&s, &other).await.problem(401, "");
    let seen = refusals(&s, &owner).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(change(&seen[0], "reason"), "revoked");
    me(&s, "crt_unknown").await.problem(401, "");
}
