//! Pipelines and deals: stages with default probabilities, deals priced from the
//! catalogue, moved between stages (won and lost close them), bad input refused whole;
//! the weighted forecast, quota attainment and commissions of a worked example.

use chrono::{Datelike, Months, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    a_company_starts_with_a_default_pipeline_and_admins_shape_pipelines,
    deals_are_priced_from_the_catalogue_listed_changed_and_trashed,
    bad_deals_are_named_and_nothing_is_written,
    deals_move_between_stages_close_and_reopen,
    a_deal_moves_to_another_pipeline,
    forecast_attainment_and_commissions_match_the_worked_example
);

/// The company's first pipeline (a new company's *Ventas*).
pub(crate) async fn default_pipeline(s: &TestServer) -> Value {
    let list = s.get("/api/v1/pipelines").await.expect(200).body;
    list["data"][0].clone()
}

/// The id of the stage of `p` named `name`.
pub(crate) fn stage(p: &Value, name: &str) -> String {
    p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {p}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn account(s: &TestServer, name: &str) -> String {
    s.create("accounts", json!({"name": name})).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_company_starts_with_a_default_pipeline_and_admins_shape_pipelines(s: TestServer) {
    let p = default_pipeline(&s).await;
    assert_eq!(p["is_default"], true);
    let names: Vec<&str> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Calificación",
            "Propuesta",
            "Negociación",
            "Ganado",
            "Perdido"
        ]
    );
    assert_eq!(p["stages"][1]["probability"], 40);
    assert_eq!(p["stages"][3]["outcome"], "won");

    // A won stage is certain: 90 % is refused, naming the stage's field.
    s.post(
        "/api/v1/pipelines",
        json!({"name": "Renovaciones", "stages": [
            {"name": "Aviso", "probability": 50},
            {"name": "Renovado", "probability": 90, "outcome": "won"}]}),
    )
    .await
    .problem(422, "stages[1].probability");
    let renewals = s
        .create(
            "pipelines",
            json!({"name": "Renovaciones", "stages": [
                {"name": "Aviso", "probability": 50},
                {"name": "Renovado", "probability": 100, "outcome": "won"},
                {"name": "Baja", "probability": 0, "outcome": "lost"}]}),
        )
        .await;
    assert_eq!(renewals["is_default"], false);
    let rid = renewals["id"].as_str().unwrap().to_owned();

    // Reps read pipelines but do not shape them.
    let (_, rep) = s.member("rep@example.com", "sales_rep").await;
    s.call(&rep, Method::GET, "/api/v1/pipelines", None)
        .await
        .expect(200);
    s.call(
        &rep,
        Method::POST,
        "/api/v1/pipelines",
        Some(json!({"name": "Mío", "stages": [{"name": "A", "probability": 5}]})),
    )
    .await
    .expect(403);

    // A stage that holds a deal cannot be removed; an empty one can.
    let acme = account(&s, "Acme").await;
    s.create(
        "deals",
        json!({"name": "Renovación 2027", "account_id": acme, "pipeline_id": rid,
               "amount": {"amount": "100", "currency": "EUR"}}),
    )
    .await;
    let kept = json!([renewals["stages"][1], renewals["stages"][2]]);
    s.patch(&format!("/api/v1/pipelines/{rid}"), json!({"stages": kept}))
        .await
        .problem(422, "stages");
    let mut stages = renewals["stages"].as_array().unwrap().clone();
    stages.insert(1, json!({"name": "Propuesta enviada", "probability": 75}));
    let changed = s
        .patch(
            &format!("/api/v1/pipelines/{rid}"),
            json!({"stages": stages, "is_default": true}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["stages"][1]["probability"], 75);
    let list = s.get("/api/v1/pipelines").await.expect(200).body;
    assert_eq!(
        list["data"][0]["id"],
        rid.as_str(),
        "the default comes first"
    );
    assert_eq!(list["data"][1]["is_default"], false);

    // The default and a pipeline with deals stay; an unused one goes.
    s.delete(&format!("/api/v1/pipelines/{rid}"))
        .await
        .expect(409);
    let spare = s
        .create(
            "pipelines",
            json!({"name": "Spare", "stages": [{"name": "Only", "probability": 20}]}),
        )
        .await;
    let sid = spare["id"].as_str().unwrap();
    s.delete(&format!("/api/v1/pipelines/{sid}"))
        .await
        .expect(204);
    s.get(&format!("/api/v1/pipelines/{sid}")).await.expect(404);
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={rid}"))
        .await
        .expect(200)
        .body;
    assert_eq!(trail["data"].as_array().unwrap().len(), 2, "{trail}");
}

/// A software product (21 %) and a hardware one (10.5 %), priced on a EUR list.
async fn catalogue(s: &TestServer) -> (String, String, String) {
    let sw = s
        .create(
            "products",
            json!({"sku": "SW-1", "name": "Licencia ERP", "unit": "licencia",
                   "category": "Software", "tax_rate": "21"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hw = s
        .create(
            "products",
            json!({"sku": "HW-1", "name": "Terminal", "unit": "unidad",
                   "category": "Hardware", "tax_rate": "10.5"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = s
        .create(
            "price_lists",
            json!({"name": "General EUR", "currency": "EUR", "items": [
                {"product_id": sw, "price": {"amount": "3000", "currency": "EUR"}},
                {"product_id": hw, "price": {"amount": "812.50", "currency": "EUR"}}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (sw, hw, list)
}

async fn deals_are_priced_from_the_catalogue_listed_changed_and_trashed(s: TestServer) {
    let (sw, hw, list) = catalogue(&s).await;
    let acme = account(&s, "Acme").await;
    let rival = account(&s, "Rival SA").await;
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Ana", "last_name": "Gómez", "account_id": acme}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = s
        .post(
            "/api/v1/deals",
            json!({"name": "ERP Acme", "account_id": acme, "contact_ids": [contact],
                   "price_list_id": list, "expected_close_date": "2027-01-15",
                   "source": "referral", "campaign": "Feria 2026",
                   "lines": [
                       {"product_id": sw, "quantity": "2", "discount": "10"},
                       {"product_id": hw, "quantity": "4"},
                       {"description": "Implantación", "quantity": "1",
                        "unit_price": {"amount": "500", "currency": "EUR"}, "tax_rate": "21"}],
                   "competitors": [{"account_id": rival, "threat": "high",
                                    "notes": "10 % más barato, sin soporte local"}]}),
        )
        .await
        .expect(201);
    let loc = made.header("location").unwrap().to_owned();
    assert_eq!(made.header("etag"), Some("\"1\""));
    let d = made.body;
    // 2 × 3000 − 10 % = 5400.00; 4 × 812.50 = 3250.00; 500.00: net 9150.00.
    // Taxes: (5400 + 500) × 21 % = 1239.00, 3250 × 10.5 % = 341.25: 1580.25.
    assert_eq!(d["amount"], json!({"amount": "9150.00", "currency": "EUR"}));
    assert_eq!(d["currency"], "EUR");
    assert_eq!(d["totals"]["taxes"], "1580.25");
    assert_eq!(d["totals"]["total"], "10730.25");
    assert_eq!(d["lines"][0]["net"], "5400.00");
    assert_eq!(d["lines"][0]["category"], "Software");
    assert_eq!(d["lines"][0]["description"], "Licencia ERP");
    assert_eq!(d["lines"][1]["unit_price"]["amount"], "812.5");
    assert_eq!(d["lines"][1]["tax_rate"], "10.5");
    assert_eq!(d["status"], "open");
    assert_eq!(d["probability"], 10, "the first stage's default");
    assert_eq!(d["stage_history"].as_array().unwrap().len(), 1);
    assert_eq!(d["competitors"][0]["threat"], "high");
    assert_eq!(d["owner_id"], s.admin_id.to_string());
    let id = d["id"].as_str().unwrap().to_owned();
    let read = s.get(&loc).await.expect(200);
    assert_eq!(read.body["amount"]["amount"], "9150.00");
    assert_eq!(read.body["totals"]["total"], "10730.25");

    // The probability is the rep's to override; a stale version is refused.
    let changed = s
        .patch(&format!("/api/v1/deals/{id}"), json!({"probability": 35}))
        .await
        .expect(200)
        .body;
    assert_eq!(changed["probability"], 35);
    assert_eq!(changed["version"], 2);
    let stale = s
        .send(
            Method::PATCH,
            &format!("/api/v1/deals/{id}"),
            Some(&s.token),
            &[("If-Match", "\"1\"")],
            Some(crate::support::RawBody::Json(json!({"name": "Otro"}))),
        )
        .await;
    assert_eq!(stale.status.as_u16(), 412);
    // A stage changes only through a move.
    let other = stage(&default_pipeline(&s).await, "Propuesta");
    s.patch(&format!("/api/v1/deals/{id}"), json!({"stage_id": other}))
        .await
        .problem(422, "stage_id");
    // Lines changed: the amount follows them.
    let fewer = s
        .patch(
            &format!("/api/v1/deals/{id}"),
            json!({"lines": [{"product_id": hw, "quantity": "2"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(fewer["amount"]["amount"], "1625.00");

    // A second, plain deal; lists filter and sort like every record.
    s.create(
        "deals",
        json!({"name": "Soporte Acme", "account_id": acme,
               "amount": {"amount": "2000", "currency": "EUR"}}),
    )
    .await;
    let sorted = s
        .get("/api/v1/deals?sort=-amount&filter[status]=open")
        .await
        .expect(200)
        .body;
    let names: Vec<&str> = sorted["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Soporte Acme", "ERP Acme"]);
    let found = s.get("/api/v1/deals?q=implantacion").await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().len(), 0, "lines changed");
    let found = s.get("/api/v1/deals?q=soporte").await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let of_acme = s
        .get(&format!("/api/v1/deals?filter[account_id]={acme}"))
        .await
        .expect(200)
        .body;
    assert_eq!(of_acme["data"].as_array().unwrap().len(), 2);

    // The lines as a quote copies them.
    let q = s
        .get(&format!("/api/v1/deals/{id}/quote_lines"))
        .await
        .expect(200)
        .body;
    assert_eq!(q["lines"][0]["product_id"], hw.as_str());
    assert_eq!(q["currency"], "EUR");

    // Trash and restore, with the audit trail.
    s.delete(&format!("/api/v1/deals/{id}")).await.expect(200);
    s.get(&format!("/api/v1/deals/{id}")).await.expect(404);
    s.post(&format!("/api/v1/deals/{id}/restore"), json!({}))
        .await
        .expect(200);
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200)
        .body;
    let actions: Vec<&str> = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["restored", "deleted", "updated", "updated", "created"],
        "{trail}"
    );

    // A rep sees only their own deals.
    let (rep_id, rep) = s.member("rep@example.com", "sales_rep").await;
    let rep_account = s
        .create_as(&rep, "accounts", json!({"name": "Cliente del rep"}))
        .await;
    let theirs = s
        .create_as(
            &rep,
            "deals",
            json!({"name": "Deal del rep", "account_id": rep_account,
                   "amount": {"amount": "10", "currency": "EUR"}}),
        )
        .await;
    let seen = s
        .call(&rep, Method::GET, "/api/v1/deals", None)
        .await
        .expect(200)
        .body;
    assert_eq!(seen["data"].as_array().unwrap().len(), 1);
    assert_eq!(seen["data"][0]["owner_id"], rep_id.to_string());
    s.call(&rep, Method::GET, &format!("/api/v1/deals/{id}"), None)
        .await
        .expect(404);
    s.get(&format!("/api/v1/deals/{theirs}")).await.expect(200);
}

async fn bad_deals_are_named_and_nothing_is_written(s: TestServer) {
    let (sw, _, list) = catalogue(&s).await;
    let acme = account(&s, "Acme").await;
    let cases = [
        (
            json!({"name": "X", "account_id": acme, "currency": "EUR",
                   "lines": [{"description": "a", "quantity": "-1",
                              "unit_price": {"amount": "1", "currency": "EUR"}, "tax_rate": "21"}]}),
            "lines[0].quantity",
        ),
        (
            json!({"name": "X", "account_id": acme, "price_list_id": list,
                   "lines": [{"product_id": acme, "quantity": "1"}]}),
            "lines[0].product_id",
        ),
        (
            json!({"name": "X", "account_id": acme, "price_list_id": list, "currency": "ARS",
                   "lines": [{"product_id": sw, "quantity": "1"}]}),
            "currency",
        ),
        (
            json!({"name": "X", "account_id": acme, "currency": "EUR",
                   "lines": [{"description": "a", "quantity": "1",
                              "unit_price": {"amount": "1", "currency": "USD"}, "tax_rate": "21"}]}),
            "lines[0].unit_price",
        ),
        (
            json!({"name": "X", "account_id": acme, "stage_id": acme}),
            "stage_id",
        ),
        (json!({"name": "X"}), "account_id"),
        (
            json!({"name": "X", "account_id": acme, "probability": 101}),
            "probability",
        ),
        (
            json!({"name": "X", "account_id": acme, "competitors": [{"account_id": sw}]}),
            "competitors",
        ),
        (
            json!({"name": "X", "account_id": acme, "status": "won"}),
            "status",
        ),
    ];
    for (body, field) in cases {
        s.post("/api/v1/deals", body).await.problem(422, field);
    }
    // A stage of another pipeline.
    let other = s
        .create(
            "pipelines",
            json!({"name": "Otro", "stages": [{"name": "Uno", "probability": 5}]}),
        )
        .await;
    let foreign = other["stages"][0]["id"].as_str().unwrap();
    let p = default_pipeline(&s).await;
    s.post(
        "/api/v1/deals",
        json!({"name": "X", "account_id": acme, "pipeline_id": p["id"], "stage_id": foreign}),
    )
    .await
    .problem(422, "stage_id");
    // A lost stage needs a reason.
    s.post(
        "/api/v1/deals",
        json!({"name": "X", "account_id": acme, "stage_id": stage(&p, "Perdido")}),
    )
    .await
    .problem(422, "lost_reason");
    let all = s.get("/api/v1/deals").await.expect(200).body;
    assert_eq!(all["data"].as_array().unwrap().len(), 0, "{all}");
}

async fn deals_move_between_stages_close_and_reopen(s: TestServer) {
    let p = default_pipeline(&s).await;
    let acme = account(&s, "Acme").await;
    let d = s
        .create(
            "deals",
            json!({"name": "Flota Acme", "account_id": acme,
                   "amount": {"amount": "5000", "currency": "ARS"}}),
        )
        .await;
    let id = d["id"].as_str().unwrap().to_owned();
    let mv = |stage: String, extra: Value| {
        let mut body = json!({"stage_id": stage});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        body
    };
    s.clock.advance(chrono::Duration::days(3));
    let moved = s
        .post(
            &format!("/api/v1/deals/{id}/move"),
            mv(stage(&p, "Propuesta"), json!({})),
        )
        .await
        .expect(200);
    assert_eq!(moved.header("etag"), Some("\"2\""));
    assert_eq!(moved.body["probability"], 40);

    // A stage from another pipeline is named, and nothing changes.
    let other = s
        .create(
            "pipelines",
            json!({"name": "Otro", "stages": [{"name": "Uno", "probability": 5}]}),
        )
        .await;
    s.post(
        &format!("/api/v1/deals/{id}/move"),
        mv(
            other["stages"][0]["id"].as_str().unwrap().to_owned(),
            json!({}),
        ),
    )
    .await
    .problem(422, "stage_id");
    // Lost needs a reason.
    s.post(
        &format!("/api/v1/deals/{id}/move"),
        mv(stage(&p, "Perdido"), json!({})),
    )
    .await
    .problem(422, "lost_reason");
    s.clock.advance(chrono::Duration::days(2));
    let lost = s
        .post(
            &format!("/api/v1/deals/{id}/move"),
            mv(stage(&p, "Perdido"), json!({"lost_reason": "Precio"})),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["probability"], 0);
    assert_eq!(lost["lost_reason"], "Precio");
    assert!(lost["closed_at"].is_string());
    // Reopened by moving it to an open stage.
    let reopened = s
        .post(
            &format!("/api/v1/deals/{id}/move"),
            mv(stage(&p, "Negociación"), json!({})),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["closed_at"], Value::Null);
    assert_eq!(reopened["lost_reason"], Value::Null);
    assert_eq!(reopened["probability"], 70);
    let won = s
        .post(
            &format!("/api/v1/deals/{id}/move"),
            mv(stage(&p, "Ganado"), json!({})),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(won["status"], "won");
    assert_eq!(won["version"], 5);

    let stays = s
        .get(&format!("/api/v1/deals/{id}/stages"))
        .await
        .expect(200)
        .body;
    let names: Vec<&str> = stays
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Calificación",
            "Propuesta",
            "Perdido",
            "Negociación",
            "Ganado"
        ]
    );
    assert_eq!(stays[0]["days"], 3, "{stays}");
    assert_eq!(stays[1]["days"], 2);
    assert_eq!(stays[4]["left_at"], Value::Null);

    // The account's timeline shows the deal's moves.
    let tl = s
        .get(&format!("/api/v1/accounts/{acme}/timeline"))
        .await
        .expect(200)
        .body;
    let deal_events = tl["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "change" && i["event"]["record_kind"] == "deal")
        .count();
    assert_eq!(deal_events, 5, "{tl}");
}

/// `YYYY-MM` of a date.
fn ym(d: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

async fn forecast_attainment_and_commissions_match_the_worked_example(s: TestServer) {
    let (sw, hw, list) = catalogue(&s).await;
    let p = default_pipeline(&s).await;
    let won_stage = stage(&p, "Ganado");
    let today = Utc::now().date_naive();
    let this_month = ym(today);
    let next = today.with_day(1).unwrap() + Months::new(1);
    let next_month = ym(next);
    let close_next = format!("{next_month}-15");
    let quarter = format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1);
    let acme = account(&s, "Acme").await;
    let (ana, ana_token) = s.member("ana@example.com", "sales_rep").await;
    let (beto, _) = s.member("beto@example.com", "sales_rep").await;
    let team = s
        .create("teams", json!({"name": "Norte", "member_ids": [ana, beto]}))
        .await;
    assert_eq!(team["name"], "Norte");
    let eur = |a: &str| json!({"amount": a, "currency": "EUR"});

    // Ana's deals.
    // A1: 2 licences at 3000 less 10 % = 5400.00 (Software) + 4 terminals at 812.50 =
    //     3250.00 (Hardware): amount 8650.00, won this month.
    let a1 = s
        .create(
            "deals",
            json!({"name": "A1", "account_id": acme, "owner_id": ana, "price_list_id": list,
                   "lines": [{"product_id": sw, "quantity": "2", "discount": "10"},
                             {"product_id": hw, "quantity": "4"}]}),
        )
        .await;
    assert_eq!(a1["amount"]["amount"], "8650.00");
    s.post(
        &format!("/api/v1/deals/{}/move", a1["id"].as_str().unwrap()),
        json!({"stage_id": won_stage}),
    )
    .await
    .expect(200);
    // A2: no lines, 2350.10, created won.
    s.create(
        "deals",
        json!({"name": "A2", "account_id": acme, "owner_id": ana, "amount": eur("2350.10"),
               "stage_id": won_stage}),
    )
    .await;
    // A3: open, 1000.05 at 33 %, closing next month.
    s.create(
        "deals",
        json!({"name": "A3", "account_id": acme, "owner_id": ana, "amount": eur("1000.05"),
               "probability": 33, "expected_close_date": close_next}),
    )
    .await;
    // A4: open, 200 ARS at 50 %, closing next month (a currency of its own).
    s.create(
        "deals",
        json!({"name": "A4", "account_id": acme, "owner_id": ana,
               "amount": {"amount": "200", "currency": "ARS"},
               "probability": 50, "expected_close_date": close_next}),
    )
    .await;
    // A lost deal counts nowhere.
    s.create(
        "deals",
        json!({"name": "L", "account_id": acme, "owner_id": ana, "amount": eur("7777"),
               "stage_id": stage(&p, "Perdido"), "lost_reason": "Plazo",
               "expected_close_date": close_next}),
    )
    .await;
    // Beto's: B1 open 500 in Negociación (70 %) closing next month; B2 won 999.99.
    s.create(
        "deals",
        json!({"name": "B1", "account_id": acme, "owner_id": beto, "amount": eur("500"),
               "stage_id": stage(&p, "Negociación"), "expected_close_date": close_next}),
    )
    .await;
    s.create(
        "deals",
        json!({"name": "B2", "account_id": acme, "owner_id": beto, "amount": eur("999.99"),
               "stage_id": won_stage}),
    )
    .await;

    // Forecast, this month and next:
    // - this month, EUR: won 8650.00 + 2350.10 + 999.99 = 12000.09 (3 deals);
    // - next month, EUR: open 1000.05 + 500 = 1500.05; weighted 1000.05 × 33 % =
    //   330.0165 plus 500 × 70 % = 350, 680.0165 -> 680.02;
    // - next month, ARS: open 200.00, weighted 100.00 (never added to EUR).
    let f = s
        .get(&format!(
            "/api/v1/forecast?from={this_month}&to={next_month}"
        ))
        .await
        .expect(200)
        .body;
    let cell = |rows: &Value, month: &str, cur: &str| -> Value {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|c| c["month"] == month && c["currency"] == cur)
            .cloned()
            .unwrap_or_else(|| panic!("no {month} {cur} in {rows}"))
    };
    let m = &f["months"];
    assert_eq!(m.as_array().unwrap().len(), 3, "{f}");
    assert_eq!(cell(m, &this_month, "EUR")["won"], "12000.09");
    assert_eq!(cell(m, &this_month, "EUR")["won_deals"], 3);
    assert_eq!(cell(m, &next_month, "EUR")["open"], "1500.05");
    assert_eq!(cell(m, &next_month, "EUR")["weighted"], "680.02");
    assert_eq!(cell(m, &next_month, "ARS")["weighted"], "100.00");
    // By owner: Ana's next month EUR is 330.0165 -> 330.02; Beto's 350.00.
    let ana_rows: Value = f["by_owner"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["owner_id"] == ana.to_string())
        .cloned()
        .collect();
    assert_eq!(cell(&ana_rows, &next_month, "EUR")["weighted"], "330.02");
    assert_eq!(cell(&ana_rows, &this_month, "EUR")["won"], "11000.10");
    // By team: Norte holds both reps, so it matches the whole.
    let team_rows = &f["by_team"];
    assert_eq!(cell(team_rows, &next_month, "EUR")["weighted"], "680.02");
    assert_eq!(cell(team_rows, &this_month, "EUR")["team_name"], "Norte");
    // Ana sees her own pipeline only.
    let hers = s
        .call(
            &ana_token,
            Method::GET,
            &format!("/api/v1/forecast?from={this_month}&to={next_month}"),
            None,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(cell(&hers["months"], &this_month, "EUR")["won"], "11000.10");
    s.get("/api/v1/forecast?from=2026-13&to=2027-01")
        .await
        .problem(400, "from");

    // Quotas for the quarter: Ana 10000 EUR, Beto 2 deals.
    s.create(
        "quotas",
        json!({"user_id": ana, "period": quarter, "kind": "amount", "amount": eur("10000")}),
    )
    .await;
    s.create(
        "quotas",
        json!({"user_id": beto, "period": quarter.to_lowercase(), "kind": "count", "count": 2}),
    )
    .await;
    s.post(
        "/api/v1/quotas",
        json!({"user_id": beto, "period": quarter, "kind": "count", "count": 3}),
    )
    .await
    .problem(422, "period");
    s.post(
        "/api/v1/quotas",
        json!({"user_id": ana, "period": "2026-Q9", "kind": "count", "count": 3}),
    )
    .await
    .problem(422, "period");
    s.call(
        &ana_token,
        Method::POST,
        "/api/v1/quotas",
        Some(json!({"user_id": ana, "period": "2030", "kind": "count", "count": 1})),
    )
    .await
    .expect(403);
    // Attainment: Ana won 8650.00 + 2350.10 = 11000.10 of 10000 -> 110.00 %;
    // Beto won 1 of 2 deals -> 50.00 %.
    let att = s
        .get(&format!("/api/v1/quotas/attainment?period={quarter}"))
        .await
        .expect(200)
        .body;
    let of = |u: cartera_core::Id| -> Value {
        att.as_array()
            .unwrap()
            .iter()
            .find(|a| a["quota"]["user_id"] == u.to_string())
            .cloned()
            .unwrap()
    };
    assert_eq!(of(ana)["percent"], "110.00");
    assert_eq!(of(ana)["won_amount"], eur("11000.10"));
    assert_eq!(of(beto)["percent"], "50.00");
    assert_eq!(of(beto)["won_deals"], 1);

    // Ana's plan: 3 % by default, Software 5 %; below 80 % × 0.5, from 80 % × 1, from
    // 100 % × 1.5. At 110 % she is in the top tier:
    // - A1 line 0 (Software): 5400.00 × 5 % × 1.5 = 405.00
    // - A1 line 1 (Hardware, default rate): 3250.00 × 3 % × 1.5 = 146.25
    // - A2 (no lines, default rate): 2350.10 × 3 % × 1.5 = 105.7545 -> 105.75
    // Total: 405.00 + 146.25 + 105.75 = 657.00.
    s.create(
        "commission_plans",
        json!({"name": "Reps 2026", "default_rate": "3",
               "category_rates": [{"category": "Software", "rate": "5"}],
               "tiers": [{"from_percent": "100", "multiplier": "1.5"},
                         {"from_percent": "0", "multiplier": "0.5"},
                         {"from_percent": "80", "multiplier": "1"}],
               "user_ids": [ana]}),
    )
    .await;
    s.post(
        "/api/v1/commission_plans",
        json!({"name": "Otro", "default_rate": "2", "user_ids": [ana]}),
    )
    .await
    .problem(422, "user_ids[0]");
    let st = s
        .get(&format!(
            "/api/v1/commissions?user_id={ana}&period={quarter}"
        ))
        .await
        .expect(200)
        .body;
    let st = &st[0];
    assert_eq!(st["attainment_percent"], "110.00");
    assert_eq!(st["multiplier"], "1.5");
    let lines = st["lines"].as_array().unwrap();
    let amounts: Vec<(&str, Option<&str>, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["deal_name"].as_str().unwrap(),
                l["category"].as_str(),
                l["base"]["amount"].as_str().unwrap(),
                l["amount"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        [
            ("A1", Some("Software"), "5400.00", "405.00"),
            ("A1", Some("Hardware"), "3250.00", "146.25"),
            ("A2", None, "2350.10", "105.75"),
        ]
    );
    assert_eq!(lines[0]["rate"], "5");
    assert_eq!(st["totals"], json!([eur("657.00")]));
    // Ana sees her own statement, not Beto's.
    s.call(
        &ana_token,
        Method::GET,
        &format!("/api/v1/commissions?user_id={ana}&period={quarter}"),
        None,
    )
    .await
    .expect(200);
    s.call(
        &ana_token,
        Method::GET,
        &format!("/api/v1/commissions?user_id={beto}&period={quarter}"),
        None,
    )
    .await
    .expect(404);
    s.get("/api/v1/commissions?period=someday")
        .await
        .problem(400, "period");
}

/// `POST /deals/{id}/move` with `pipeline_id` takes the deal to a stage of another
/// pipeline (the deal form's stage select offers every pipeline's stages); a stage of
/// the wrong pipeline and an unknown pipeline are refused by name.
async fn a_deal_moves_to_another_pipeline(s: TestServer) {
    let first = default_pipeline(&s).await;
    let acct = account(&s, "Licitaciones Públicas SA").await;
    let deal = s
        .create(
            "deals",
            json!({"name": "Pliego 44/2026", "account_id": acct}),
        )
        .await;
    let id = deal["id"].as_str().unwrap().to_owned();
    let other = s
        .post(
            "/api/v1/pipelines",
            json!({"name": "Licitaciones", "stages": [
                {"name": "Pliego", "probability": 30, "outcome": "open"},
                {"name": "Adjudicada", "probability": 100, "outcome": "won"},
                {"name": "Desierta", "probability": 0, "outcome": "lost"}]}),
        )
        .await
        .expect(201)
        .body;
    let pliego = other["stages"][0]["id"].as_str().unwrap().to_owned();
    // Without pipeline_id the stage must be one of the deal's own pipeline.
    s.post(
        &format!("/api/v1/deals/{id}/move"),
        json!({"stage_id": pliego}),
    )
    .await
    .problem(422, "stage_id");
    s.post(
        &format!("/api/v1/deals/{id}/move"),
        json!({"stage_id": pliego, "pipeline_id": first["stages"][0]["id"]}),
    )
    .await
    .problem(422, "pipeline_id");
    let moved = s
        .post(
            &format!("/api/v1/deals/{id}/move"),
            json!({"stage_id": pliego, "pipeline_id": other["id"]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(moved["pipeline_id"], other["id"]);
    assert_eq!(moved["stage_id"], pliego.as_str());
    assert_eq!(moved["probability"], 30);
    let history = moved["stage_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0]["left_at"].is_string());
}
