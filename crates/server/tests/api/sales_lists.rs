//! Quotes and orders are listed a page at a time with cursors, as every list; deals are
//! shared with a colleague like accounts, and the colleague then sees the deal (but not
//! its quotes, which follow their owner and account).

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    quotes_and_orders_come_a_page_at_a_time,
    a_shared_deal_is_seen_by_its_grantee_until_withdrawn
);

fn line(n: usize) -> Value {
    json!({"description": format!("Servicio {n}"), "quantity": "1",
           "unit_price": {"amount": format!("{}.10", 100 + n), "currency": "ARS"},
           "tax_rate": "21"})
}

/// Follows `next_cursor` from the first page, checking each page's size.
async fn pages(s: &TestServer, path: &str, limit: usize) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut n = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let page = s.get(&url).await.expect(200).body;
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= limit);
        ids.extend(data.iter().map(|d| d["id"].as_str().unwrap().to_owned()));
        n += 1;
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(data.len(), limit, "only the last page is short");
                cursor = Some(c.to_owned());
            }
            None => return (ids, n),
        }
    }
}

async fn quotes_and_orders_come_a_page_at_a_time(s: TestServer) {
    let account = s
        .create("accounts", json!({"name": "Molinos del Sur"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut quotes = Vec::new();
    let mut orders = Vec::new();
    for i in 0..7 {
        let q = s
            .create("quotes", json!({"account_id": account, "lines": [line(i)]}))
            .await;
        quotes.push(q["id"].as_str().unwrap().to_owned());
        let o = s
            .create("orders", json!({"account_id": account, "lines": [line(i)]}))
            .await;
        orders.push(o["id"].as_str().unwrap().to_owned());
    }
    quotes.reverse();
    orders.reverse();

    // Seven in pages of three: 3 + 3 + 1, newest first, each once.
    let (got, n) = pages(&s, "/api/v1/quotes", 3).await;
    assert_eq!((got.clone(), n), (quotes.clone(), 3));
    let (got, n) = pages(&s, "/api/v1/orders", 3).await;
    assert_eq!((got, n), (orders.clone(), 3));
    // A page size that divides the list exactly ends with an empty cursor, not a blank page.
    let (got, n) = pages(&s, "/api/v1/orders", 7).await;
    assert_eq!((got.len(), n), (7, 1));
    // Narrowed to the account, the same.
    let all = s
        .all_pages(&format!("/api/v1/quotes?account_id={account}&limit=2"))
        .await;
    assert_eq!(all.len(), 7);

    // Without a limit, everything fits in the first page.
    let first = s.get("/api/v1/quotes").await.expect(200).body;
    assert_eq!(first["data"].as_array().unwrap().len(), 7);
    assert!(first["next_cursor"].is_null());

    // Bad parameters are named.
    s.get("/api/v1/quotes?cursor=nonsense")
        .await
        .problem(400, "cursor");
    s.get("/api/v1/orders?cursor=nonsense")
        .await
        .problem(400, "cursor");
    s.get("/api/v1/orders?limit=0").await.problem(400, "limit");
    s.get("/api/v1/quotes?limit=501")
        .await
        .problem(400, "limit");
    s.get("/api/v1/orders?sort=number").await.expect(400);
}

async fn a_shared_deal_is_seen_by_its_grantee_until_withdrawn(s: TestServer) {
    let (_, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (beto_id, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let account = s
        .create_as(&ana, "accounts", json!({"name": "Bodega Los Álamos"}))
        .await;
    let deal = s
        .create_as(
            &ana,
            "deals",
            json!({"name": "Barricas 2027", "account_id": account,
                   "amount": {"amount": "5400", "currency": "ARS"}}),
        )
        .await;
    let quote = s
        .call(
            &ana,
            Method::POST,
            "/api/v1/quotes",
            Some(json!({"account_id": account, "deal_id": deal, "lines": [line(1)]})),
        )
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/deals/{deal}");
    let shares = format!("{path}/shares");

    // Before: Beto sees neither the deal nor its shares, and cannot share it himself.
    s.call(&beto, Method::GET, &path, None)
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

    let share = s
        .call(
            &ana,
            Method::POST,
            &shares,
            Some(json!({"user_id": beto_id})),
        )
        .await
        .expect(201);
    assert_eq!(share.body["record_kind"], "deal");
    let share_id = share.id();
    s.call(
        &ana,
        Method::POST,
        &shares,
        Some(json!({"user_id": beto_id})),
    )
    .await
    .problem(409, "");

    // Now Beto reads it, finds it in lists and on the board's read.
    let d = s.call(&beto, Method::GET, &path, None).await.expect(200);
    assert_eq!(d.body["name"], "Barricas 2027");
    let listed = s.all_pages_as(&beto, "/api/v1/deals").await;
    assert!(listed.iter().any(|x| x["id"] == deal.as_str()));
    let who = s.call(&beto, Method::GET, &shares, None).await.expect(200);
    assert_eq!(who.body["data"][0]["grantee"], json!({"user": beto_id}));
    // A share gives sight, not the account nor the quotes (they follow owner and
    // account), nor rights beyond the role's.
    s.call(&beto, Method::GET, &format!("/api/v1/quotes/{quote}"), None)
        .await
        .problem(404, "");
    s.call(
        &beto,
        Method::GET,
        &format!("/api/v1/accounts/{account}"),
        None,
    )
    .await
    .problem(404, "");

    // The sharing is in the deal's audit trail.
    let trail = s
        .get(&format!(
            "/api/v1/audit_events?record_id={deal}&action=shared"
        ))
        .await
        .expect(200);
    assert_eq!(trail.body["data"].as_array().unwrap().len(), 1);

    // Withdrawn: gone again from the next request.
    s.call(&ana, Method::DELETE, &format!("{shares}/{share_id}"), None)
        .await
        .expect(204);
    s.call(&beto, Method::GET, &path, None)
        .await
        .problem(404, "");
    let listed = s.all_pages_as(&beto, "/api/v1/deals").await;
    assert!(!listed.iter().any(|x| x["id"] == deal.as_str()));
}
