//! The forecast a manager uses (issue point 9): the company's reporting currency and
//! monthly exchange rates (API and settings page), the forecast's cells per stage and its
//! totals in the reporting currency, the chart on the *Previsión* page, and the visit
//! and call targets a manager sets for her own team only; on SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::{Value, json};

use cartera_core::users::Scope;

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, get, post_signed as post};

both!(
    exchange_rates_are_checked_row_by_row_and_kept,
    the_settings_page_edits_the_rates_in_the_readers_format,
    forecast_cells_per_stage_and_totals_in_the_reporting_currency,
    a_manager_sets_targets_for_her_team_only
);

const ADMIN: &str = "admin@test.example.com";

async fn exchange_rates_are_checked_row_by_row_and_kept(s: TestServer) {
    // The reporting currency starts as the company's, with no rates.
    let start = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(start["reporting_currency"], "ARS");
    assert_eq!(start["exchange_rates"], json!([]));

    let bad = s
        .patch(
            "/api/v1/settings",
            json!({"exchange_rates": [
                {"month": "2026-11", "currency": "USD", "rate": "1050.5"},
                {"month": "2026-13", "currency": "EUR", "rate": "1100"},
                {"month": "2026-11", "currency": "ARS", "rate": "1"},
                {"month": "2026-12", "currency": "USD", "rate": "0"},
                {"month": "2026-11", "currency": "USD", "rate": "1051"}
            ]}),
        )
        .await
        .problem(422, "exchange_rates[1].month");
    let fields = bad.error_fields();
    for f in [
        "exchange_rates[2].currency",
        "exchange_rates[3].rate",
        "exchange_rates[4].month",
    ] {
        assert!(fields.iter().any(|x| x == f), "no {f} in {}", bad.body);
    }
    s.patch(
        "/api/v1/settings",
        json!({"exchange_rates": [{"month": "2026-11", "currency": "XYZ", "rate": "2"}]}),
    )
    .await
    .problem(422, "exchange_rates[0].currency");
    s.patch("/api/v1/settings", json!({"reporting_currency": "PESOS"}))
        .await
        .problem(422, "reporting_currency");
    // Nothing was kept.
    let still = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(still["exchange_rates"], json!([]));

    let good = s
        .patch(
            "/api/v1/settings",
            json!({"reporting_currency": "ars", "exchange_rates": [
                {"month": "2026-11", "currency": "usd", "rate": "1050.5"},
                {"month": "2026-12", "currency": "USD", "rate": "1100.25"}
            ]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(good["reporting_currency"], "ARS");
    assert_eq!(good["exchange_rates"][0]["currency"], "USD");
    assert_eq!(good["exchange_rates"][1]["rate"], "1100.25");
    let read = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(read["exchange_rates"], good["exchange_rates"]);
    // Other settings stay as they were.
    assert_eq!(read["trash_retention_days"], start["trash_retention_days"]);
    // A rep may not change them.
    let (_, rep) = s.member("vende@test.example.com", "sales_rep").await;
    let refused = s
        .call(
            &rep,
            Method::PATCH,
            "/api/v1/settings",
            Some(json!({"exchange_rates": []})),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 403);
}

async fn the_settings_page_edits_the_rates_in_the_readers_format(s: TestServer) {
    let admin = s.browser_login(ADMIN, PASSWORD).await;
    let shown = get(&s, "/settings", &admin.0).await;
    assert_eq!(shown.status, 200);
    assert!(
        shown.text.contains("Moneda de informes y cotizaciones"),
        "{}",
        shown.text
    );

    // Two rows typed the Spanish way, and a blank row that is left out.
    let saved = post(
        &s,
        "/settings/rates",
        &admin,
        &[
            ("reporting_currency", "ARS"),
            ("month", "2026-11"),
            ("currency", "USD"),
            ("rate", "1.050,5"),
            ("month", "2026-11"),
            ("currency", "EUR"),
            ("rate", "1130"),
            ("month", ""),
            ("currency", ""),
            ("rate", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let kept = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(
        kept["exchange_rates"],
        json!([
            {"month": "2026-11", "currency": "USD", "rate": "1050.5"},
            {"month": "2026-11", "currency": "EUR", "rate": "1130"}
        ])
    );
    let back = get(&s, "/settings?saved=rates", &admin.0).await;
    assert!(back.text.contains("1050,5"), "{}", back.text);

    // Wrong cells are named in Spanish, each on its row, and nothing changes.
    let refused = post(
        &s,
        "/settings/rates",
        &admin,
        &[
            ("reporting_currency", "ARS"),
            ("month", "2026-11"),
            ("currency", "USD"),
            ("rate", "0"),
            ("month", "2026-11"),
            ("currency", "ARS"),
            ("rate", "1"),
            ("month", "2026-12"),
            ("currency", "USD"),
            ("rate", "mil"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("Escribe la cotización como número"),
        "{}",
        refused.text
    );
    let refused = post(
        &s,
        "/settings/rates",
        &admin,
        &[
            ("reporting_currency", "ARS"),
            ("month", "2026-11"),
            ("currency", "USD"),
            ("rate", "0"),
            ("month", "2026-11"),
            ("currency", "ARS"),
            ("rate", "1"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("La cotización debe ser mayor que 0"),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("Es la moneda de informes"),
        "{}",
        refused.text
    );
    assert_eq!(
        s.get("/api/v1/settings").await.expect(200).body["exchange_rates"],
        kept["exchange_rates"]
    );

    // "Quitar" drops its row (the first shown is the first kept here) and saves the rest.
    let removed = post(
        &s,
        "/settings/rates",
        &admin,
        &[
            ("reporting_currency", "ARS"),
            ("month", "2026-11"),
            ("currency", "USD"),
            ("rate", "1.050,5"),
            ("month", "2026-11"),
            ("currency", "EUR"),
            ("rate", "1.130"),
            ("remove", "1"),
        ],
    )
    .await;
    assert_eq!(removed.status, 303);
    let left = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(
        left["exchange_rates"],
        json!([{"month": "2026-11", "currency": "USD", "rate": "1050.5"}])
    );

    // A manager reads the settings but does not see the rates form, nor may post it.
    s.member("jefe@test.example.com", "manager").await;
    let boss = s.browser_login("jefe@test.example.com", PASSWORD).await;
    let hers = get(&s, "/settings", &boss.0).await;
    assert!(!hers.text.contains("Moneda de informes y cotizaciones"));
    let no = post(
        &s,
        "/settings/rates",
        &boss,
        &[("reporting_currency", "USD")],
    )
    .await;
    assert_eq!(no.status, 403);
}

fn cell<'a>(rows: &'a Value, month: &str, pick: impl Fn(&Value) -> bool) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|c| c["month"] == month && pick(c))
        .unwrap_or_else(|| panic!("no {month} cell in {rows}"))
}

async fn forecast_cells_per_stage_and_totals_in_the_reporting_currency(s: TestServer) {
    let pipeline = s.get("/api/v1/pipelines").await.expect(200).body["data"][0].clone();
    let stage = |name: &str| {
        pipeline["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|st| st["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (first, third) = (stage("Calificación"), stage("Negociación"));
    let acme = s.create("accounts", json!({"name": "Acme"})).await["id"].clone();
    let deal = |name: &str, amount: &str, cur: &str, p: u8, stage: &str, day: &str| {
        json!({"name": name, "account_id": acme, "amount": {"amount": amount, "currency": cur},
               "probability": p, "stage_id": stage, "expected_close_date": day})
    };
    // February 2030: USD 1000 at 40 % in the first stage; ARS 250.10 at 50 % and EUR 99
    // at 50 % in Negociación.
    s.create("deals", deal("D1", "1000", "USD", 40, &first, "2030-02-10"))
        .await;
    s.create(
        "deals",
        deal("D2", "250.10", "ARS", 50, &third, "2030-02-20"),
    )
    .await;
    s.create("deals", deal("D3", "99", "EUR", 50, &third, "2030-02-21"))
        .await;
    // January's rate holds in February; EUR has none.
    s.patch(
        "/api/v1/settings",
        json!({"exchange_rates": [{"month": "2030-01", "currency": "USD", "rate": "1050.5"}]}),
    )
    .await
    .expect(200);

    let f = s
        .get("/api/v1/forecast?from=2030-01&to=2030-03")
        .await
        .expect(200)
        .body;
    // The fields that were there stay as they were: per currency.
    let usd = cell(&f["months"], "2030-02", |c| c["currency"] == "USD");
    assert_eq!(usd["weighted"], "400.00");
    assert_eq!(f["months"].as_array().unwrap().len(), 3);
    // Per stage and currency.
    let in_first = cell(&f["by_stage"], "2030-02", |c| {
        c["stage_id"] == first.as_str()
    });
    assert_eq!(in_first["stage_name"], "Calificación");
    assert_eq!(in_first["pipeline_name"], pipeline["name"]);
    assert_eq!(in_first["currency"], "USD");
    assert_eq!(in_first["open"], "1000.00");
    assert_eq!(in_first["weighted"], "400.00");
    let ars_third = cell(&f["by_stage"], "2030-02", |c| {
        c["stage_id"] == third.as_str() && c["currency"] == "ARS"
    });
    assert_eq!(ars_third["weighted"], "125.05");
    // In the reporting currency: USD 1000 × 1050.5 = 1050500.00, weighted 420200.00.
    assert_eq!(f["reporting_currency"], "ARS");
    assert_eq!(f["unconverted"], json!(["EUR"]));
    let feb = cell(&f["totals"], "2030-02", |_| true);
    assert_eq!(feb["currency"], "ARS");
    assert_eq!(feb["open"], "1050750.10");
    assert_eq!(feb["weighted"], "420325.05");
    assert_eq!(feb["open_deals"], 2);
    assert_eq!(feb["unconverted"], json!(["EUR"]));
    let first_total = cell(&f["stage_totals"], "2030-02", |c| {
        c["stage_id"] == first.as_str()
    });
    assert_eq!(first_total["open"], "1050500.00");
    assert_eq!(first_total["weighted"], "420200.00");
    let third_total = cell(&f["stage_totals"], "2030-02", |c| {
        c["stage_id"] == third.as_str()
    });
    assert_eq!(third_total["weighted"], "125.05");
    assert_eq!(third_total["unconverted"], json!(["EUR"]));

    // The page: the chart with its legend, the total in Spanish, EUR named.
    let admin = s.browser_login(ADMIN, PASSWORD).await;
    let p = get(&s, "/forecast?from=2030-01&to=2030-03", &admin.0).await;
    assert_eq!(p.status, 200);
    for said in [
        "Por mes y etapa, en ARS",
        "fc-legend",
        "Calificación",
        "Negociación",
        "febrero 2030",
        "420.325,05 ARS",
        "420.200,00 ARS",
        "Sin cotización para EUR",
        r#"role="img""#,
    ] {
        assert!(p.text.contains(said), "no {said} in {}", p.text);
    }
}

async fn a_manager_sets_targets_for_her_team_only(s: TestServer) {
    let (jefa, _) = s.member("jefa@test.example.com", "manager").await;
    // Setting targets is an admin action of activities: it takes an admin-scoped token.
    let (_, jefa_token) = s.token_for("jefa@test.example.com", Scope::Admin).await;
    let (ana, _) = s.member("ana@test.example.com", "sales_rep").await;
    let (beto, _) = s.member("beto@test.example.com", "sales_rep").await;
    s.create(
        "teams",
        json!({"name": "Norte", "manager_id": jefa, "member_ids": [ana]}),
    )
    .await;
    s.create("teams", json!({"name": "Sur", "member_ids": [beto]}))
        .await;
    let period = "2030-05";

    // Through the API: Ana yes, Beto (another team's) no, with the reason.
    s.call(
        &jefa_token,
        Method::POST,
        "/api/v1/activity_targets",
        Some(json!({"user_id": ana, "period": period, "visits": 12, "calls": 20})),
    )
    .await
    .expect(201);
    let no = s
        .call(
            &jefa_token,
            Method::POST,
            "/api/v1/activity_targets",
            Some(json!({"user_id": beto, "period": period, "visits": 12})),
        )
        .await;
    assert_eq!(no.status.as_u16(), 403, "{}", no.body);
    assert!(
        no.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("teams you lead"),
        "{}",
        no.body
    );
    // An admin sets Beto's; the manager may neither change nor delete it.
    let betos = s
        .post(
            "/api/v1/activity_targets",
            json!({"user_id": beto, "period": period, "visits": 5}),
        )
        .await
        .expect(201)
        .id();
    let change = s
        .call(
            &jefa_token,
            Method::PATCH,
            &format!("/api/v1/activity_targets/{betos}"),
            Some(json!({"visits": 50})),
        )
        .await;
    assert_eq!(change.status.as_u16(), 403);
    let gone = s
        .call(
            &jefa_token,
            Method::DELETE,
            &format!("/api/v1/activity_targets/{betos}"),
            None,
        )
        .await;
    assert_eq!(gone.status.as_u16(), 403);

    // The page: her picker lists her team, not everyone; a forged post is refused.
    let boss = s.browser_login("jefa@test.example.com", PASSWORD).await;
    s.delete(&format!("/api/v1/activity_targets/{betos}"))
        .await
        .expect(204);
    let other = "2030-06";
    let t = get(&s, &format!("/targets?period={other}"), &boss.0).await;
    assert_eq!(t.status, 200);
    assert!(t.text.contains(&format!(r#"value="{ana}""#)), "{}", t.text);
    assert!(
        !t.text.contains(&format!(r#"value="{beto}""#)),
        "{}",
        t.text
    );
    assert!(!t.text.contains(&format!(r#"value="{jefa}""#)));
    let forged = post(
        &s,
        "/targets",
        &boss,
        &[
            ("period", other),
            ("user_id", &beto.to_string()),
            ("visits", "9"),
        ],
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(
        forged
            .text
            .contains("Solo fijas objetivos para los miembros de los equipos que lideras"),
        "{}",
        forged.text
    );
    let set = post(
        &s,
        "/targets",
        &boss,
        &[
            ("period", other),
            ("user_id", &ana.to_string()),
            ("visits", "9"),
        ],
    )
    .await;
    assert_eq!(set.status, 303, "{}", set.text);
    let list = s
        .get(&format!("/api/v1/activity_targets?period={other}"))
        .await
        .expect(200)
        .body;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["user_id"], ana.to_string());
    assert_eq!(list["data"][0]["visits"], 9);

    // An admin's picker lists everyone.
    let admin = s.browser_login(ADMIN, PASSWORD).await;
    let all = get(&s, &format!("/targets?period={other}"), &admin.0).await;
    assert!(all.text.contains(&format!(r#"value="{beto}""#)));
    assert!(all.text.contains(&format!(r#"value="{jefa}""#)));
}
