//! Rate limits that hold across servers and behind a reverse proxy: the counts live in
//! the database, so two servers on one database give a client one allowance, and the
//! client's address comes from `X-Forwarded-For` only when a trusted proxy sends it.

use reqwest::Method;
use serde_json::json;

use cartera_server::config::TrustedProxies;
use cartera_server::state::{LOGINS_PER_MINUTE, Limits};

use crate::both;
use crate::support::{RawBody, Resp, Setup, TestServer};

both!(
    two_servers_share_one_login_limit,
    forwarded_for_is_ignored_without_trusted_proxies
);

both!(
    setup = Setup {
        limits: Limits {
            trusted_proxies: TrustedProxies::parse("127.0.0.1").unwrap(),
            ..Limits::default()
        },
        ..Setup::default()
    };
    clients_behind_a_trusted_proxy_have_their_own_limits
);

both!(
    setup = Setup {
        limits: Limits {
            trusted_proxies: TrustedProxies::parse("10.0.0.0/8, 192.168.0.1").unwrap(),
            ..Limits::default()
        },
        ..Setup::default()
    };
    forwarded_for_from_an_untrusted_peer_is_ignored
);

both!(
    setup = Setup {
        limits: Limits {
            token_requests_per_minute: 5,
            ..Limits::default()
        },
        ..Setup::default()
    };
    two_servers_share_one_token_limit
);

/// A failed login for an unknown address (a new one each time, so no account's own
/// lockout plays a part), from `forwarded_for` when given.
async fn attempt(s: &TestServer, i: usize, forwarded_for: Option<&str>) -> Resp {
    let headers: Vec<(&str, &str)> = forwarded_for
        .map(|f| vec![("x-forwarded-for", f)])
        .unwrap_or_default();
    s.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &headers,
        Some(RawBody::Json(
            json!({"email": format!("nadie{i}@test.example.com"), "password": "adivinanza"}),
        )),
    )
    .await
}

/// How many attempts pass before the first 429 (at most `max`), and that answer.
async fn attempts_until_limited(
    servers: &[&TestServer],
    forwarded_for: impl Fn(usize) -> Option<String>,
    max: usize,
) -> (usize, Resp) {
    for i in 0..max {
        let s = servers[i % servers.len()];
        let r = attempt(s, i, forwarded_for(i).as_deref()).await;
        if r.status.as_u16() == 429 {
            return (i, r);
        }
        r.problem(401, "");
    }
    panic!("not limited after {max} attempts");
}

fn retry_after(r: Resp) -> u64 {
    let r = r.problem(429, "");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    wait
}

async fn two_servers_share_one_login_limit(a: TestServer) {
    let b = a.second(Setup::default()).await;
    let limit = LOGINS_PER_MINUTE as usize;
    // Turn about, as a load balancer would send them: one allowance between the two.
    let (passed, r) = attempts_until_limited(&[&a, &b], |_| None, 3 * limit).await;
    assert_eq!(passed, limit, "limited after {passed}");
    retry_after(r);
    // Both servers refuse the address now.
    attempt(&a, 1000, None).await.problem(429, "");
    attempt(&b, 1001, None).await.problem(429, "");
    // A minute later it may try again.
    a.clock.advance(chrono::Duration::seconds(61));
    attempt(&a, 1002, None).await.problem(401, "");
    drop(b);
}

async fn clients_behind_a_trusted_proxy_have_their_own_limits(s: TestServer) {
    let limit = LOGINS_PER_MINUTE as usize;
    let first = |_: usize| Some("203.0.113.1".to_owned());
    let (passed, r) = attempts_until_limited(&[&s], first, 3 * limit).await;
    assert_eq!(passed, limit);
    retry_after(r);
    // Another client behind the same proxy is not held back by the first.
    attempt(&s, 100, Some("203.0.113.2")).await.problem(401, "");
    // Nor is the proxy itself (a request without the header is the proxy's own).
    attempt(&s, 101, None).await.problem(401, "");
    // The client is the rightmost address the proxy did not add itself: what a client
    // writes in front of it changes nothing.
    attempt(&s, 102, Some("198.51.100.7, 203.0.113.1"))
        .await
        .problem(429, "");
    attempt(&s, 103, Some("203.0.113.1, 127.0.0.1"))
        .await
        .problem(429, "");
    // `Forwarded` (RFC 7239) is read when there is no X-Forwarded-For.
    let r = s
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[("forwarded", "for=203.0.113.1;proto=https")],
            Some(RawBody::Json(
                json!({"email": "nadie@test.example.com", "password": "adivinanza"}),
            )),
        )
        .await;
    r.problem(429, "");
}

/// From a peer that is not a trusted proxy, `X-Forwarded-For` is whatever the client
/// wrote: a new address in every request must not buy new attempts.
async fn spoofing_does_not_reset_the_limit(s: TestServer) {
    let limit = LOGINS_PER_MINUTE as usize;
    let spoofed = |i: usize| Some(format!("198.51.100.{}", i % 250));
    let (passed, r) = attempts_until_limited(&[&s], spoofed, 3 * limit).await;
    assert_eq!(passed, limit, "limited after {passed}");
    retry_after(r);
    attempt(&s, 500, Some("203.0.113.99"))
        .await
        .problem(429, "");
}

async fn forwarded_for_is_ignored_without_trusted_proxies(s: TestServer) {
    spoofing_does_not_reset_the_limit(s).await;
}

async fn forwarded_for_from_an_untrusted_peer_is_ignored(s: TestServer) {
    spoofing_does_not_reset_the_limit(s).await;
}

async fn two_servers_share_one_token_limit(a: TestServer) {
    let b = a
        .second(Setup {
            limits: Limits {
                token_requests_per_minute: 5,
                ..Limits::default()
            },
            ..Setup::default()
        })
        .await;
    let me = |s: &TestServer| {
        let token = a.token.clone();
        let base = s.base.clone();
        let client = s.client.clone();
        async move {
            client
                .get(format!("{base}/api/v1/users/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let mut limited = None;
    for i in 0..12 {
        let s = if i % 2 == 0 { &a } else { &b };
        let r = me(s).await;
        if r.status().as_u16() == 429 {
            let wait: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
            limited = Some(i);
            break;
        }
        assert_eq!(r.status().as_u16(), 200);
    }
    assert_eq!(
        limited,
        Some(5),
        "five requests a minute between the two servers"
    );
    assert_eq!(me(&a).await.status().as_u16(), 429);
    assert_eq!(me(&b).await.status().as_u16(), 429);
    drop(b);
}
