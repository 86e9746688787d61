//! "My day" puts the person's planned activities due today, and the late ones first,
//! above everything else; not done ones, nor a colleague's.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, get};

both!(my_day_lists_what_is_due_and_late);

async fn my_day_lists_what_is_due_and_late(s: TestServer) {
    let (_, rita) = s.member("rita@test.example.com", "sales_rep").await;
    let (_, rosa) = s.member("rosa@test.example.com", "sales_rep").await;
    // The page's today is the user's (users start in Buenos Aires, UTC-3 all year), not
    // UTC's: between 00:00 and 03:00 UTC the two differ.
    let today = (s.app.now() - chrono::Duration::hours(3)).date_naive();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let account = s
        .create_as(&rita, "accounts", json!({"name": "Tambo La Esperanza"}))
        .await;
    for (token, subject, due, status) in [
        (&rita, "Llamar por el presupuesto", day(-3), "planned"),
        (&rita, "Enviar catálogo", day(0), "planned"),
        (&rita, "Visitar la planta", day(2), "planned"),
        (&rita, "Tarea ya hecha", day(-1), "done"),
        (&rosa, "Tarea de Rosa", day(0), "planned"),
    ] {
        let mut body =
            json!({"kind": "task", "subject": subject, "due_date": due, "status": status});
        if *token == rita {
            body["account_id"] = json!(account);
        }
        s.call(token, Method::POST, "/api/v1/activities", Some(body))
            .await
            .expect(201);
    }
    let (cookie, _) = s.browser_login("rita@test.example.com", PASSWORD).await;
    let page = get(&s, "/my-day", &cookie).await;
    assert_eq!(page.status, 200);
    let text = &page.text;
    let late = text
        .find("Llamar por el presupuesto")
        .expect("the late task");
    let due = text.find("Enviar catálogo").expect("today's task");
    assert!(late < due, "late first");
    assert!(text.contains("Atrasada desde el"), "{text}");
    assert!(text.contains("Vence hoy"));
    for absent in ["Visitar la planta", "Tarea ya hecha", "Tarea de Rosa"] {
        assert!(!text.contains(absent), "{absent} should not show");
    }
    // A task leads to its customer.
    assert!(
        text.contains(&format!("&#x2f;accounts&#x2f;{account}"))
            || text.contains(&format!("/accounts/{account}"))
    );
    // Nothing pending: the agenda says so.
    let (rosa_cookie, _) = s.browser_login("rosa@test.example.com", PASSWORD).await;
    let rosa_day = get(&s, "/my-day", &rosa_cookie).await;
    assert!(rosa_day.text.contains("Tarea de Rosa"));
    let (admin_cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let empty = get(&s, "/my-day", &admin_cookie).await;
    assert!(
        empty.text.contains("Nada pendiente para hoy ni atrasado."),
        "{}",
        empty.text
    );
}
