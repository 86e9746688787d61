//! The deal pages: the board shows a column per stage with its cards, a card moves by
//! its stage select (the same form a drop submits), a lost stage without a reason is
//! refused and said; the deal page, the list, the forecast and the account's deals.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::deals::{default_pipeline, stage};
use crate::support::TestServer;
use crate::web::{PASSWORD, get, page};

both!(board_moves_deals_and_pages_show_them);

async fn board_moves_deals_and_pages_show_them(s: TestServer) {
    let p = &default_pipeline(&s).await;
    let stage = |name: &str| stage(p, name);
    let acme = s
        .create("accounts", json!({"name": "Tambo La Esperanza"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deal = s
        .create(
            "deals",
            json!({"name": "Ordeñadoras 2027", "account_id": acme,
                   "amount": {"amount": "12500.5", "currency": "ARS"},
                   "lines": [], "expected_close_date": "2027-02-10"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;

    let board = get(&s, "/deals", &cookie).await;
    assert_eq!(board.status, 200);
    for col in [
        "Calificación",
        "Propuesta",
        "Negociación",
        "Ganado",
        "Perdido",
    ] {
        assert!(board.text.contains(col), "{col}");
    }
    assert!(board.text.contains("Ordeñadoras 2027"));
    assert!(board.text.contains("12.500,50 ARS"));
    assert!(board.text.contains("draggable=\"true\""));

    // The card's stage select moves it; the browser goes back to the board.
    let moved = page(
        &s,
        Method::POST,
        &format!("/deals/{deal}/move"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("stage_id", &stage("Negociación")),
            ("back", "board"),
        ]),
    )
    .await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    let back = moved.location.unwrap();
    assert!(back.starts_with("/deals?pipeline="), "{back}");
    let d = s
        .get(&format!("/api/v1/deals/{deal}"))
        .await
        .expect(200)
        .body;
    assert_eq!(d["probability"], 70);

    // Lost without a reason: nothing moves, and the board says why.
    let refused = page(
        &s,
        Method::POST,
        &format!("/deals/{deal}/move"),
        Some(&cookie),
        &[],
        Some(&[("csrf_token", &csrf), ("stage_id", &stage("Perdido"))]),
    )
    .await;
    let back = refused.location.unwrap();
    assert!(back.contains("error="), "{back}");
    let said = get(&s, &back, &cookie).await;
    assert!(said.text.contains("indica el motivo"), "{}", said.text);
    let d = s
        .get(&format!("/api/v1/deals/{deal}"))
        .await
        .expect(200)
        .body;
    assert_eq!(d["status"], "open");
    // Without the CSRF token nothing happens.
    let forged = page(
        &s,
        Method::POST,
        &format!("/deals/{deal}/move"),
        Some(&cookie),
        &[],
        Some(&[("stage_id", &stage("Ganado"))]),
    )
    .await;
    assert_eq!(forged.status, 403);

    let show = get(&s, &format!("/deals/{deal}"), &cookie).await;
    assert_eq!(show.status, 200);
    assert!(show.text.contains("Historial de etapas"));
    assert!(show.text.contains("Negociación"));
    assert!(show.text.contains("Tambo La Esperanza"));
    let list = get(&s, "/deals/list?status=open", &cookie).await;
    assert!(list.text.contains("Ordeñadoras 2027"));
    let none = get(&s, "/deals/list?status=won", &cookie).await;
    assert!(!none.text.contains("Ordeñadoras 2027"));
    let account = get(&s, &format!("/accounts/{acme}"), &cookie).await;
    assert!(account.text.contains(&format!("/deals/{deal}")));
    let forecast = get(&s, "/forecast?from=2027-01&to=2027-03", &cookie).await;
    assert_eq!(forecast.status, 200);
    // 12500.50 × 70 % = 8750.35, in February.
    assert!(forecast.text.contains("8.750,35 ARS"), "{}", forecast.text);
    let english = page(
        &s,
        Method::GET,
        "/deals",
        Some(&cookie),
        &[("accept-language", "en")],
        None,
    )
    .await;
    assert_eq!(english.status, 200);
}
