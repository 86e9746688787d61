//! Dunning through the API, on SQLite and PostgreSQL, with a real SMTP server: overdue
//! invoices get the highest level they reached, once (an email in the customer's
//! language, a collections call on the collector's agenda and My day); a promise to pay
//! holds reminders back until its day passes; every run is on the account's timeline;
//! the policy is checked field by field and only admins change or run it.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::{Setup, TestServer};
use crate::web::{PASSWORD, get};

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    overdue_invoices_are_dunned_once_and_a_promise_pauses_them
);

both!(the_policy_is_checked_and_only_admins_change_or_run_it);

fn str(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// An invoice of 1000 + 21 % VAT (1.210,00), issued `ago` days back and due that day.
async fn overdue(s: &TestServer, account: &str, ago: i64) -> String {
    let r = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": account, "issue_date": (today() - Duration::days(ago)).to_string(),
                   "payment_terms_days": 0,
                   "lines": [{"description": "Semilla", "quantity": "1", "tax_rate": "21",
                              "unit_price": {"amount": "1000", "currency": "ARS"}}]}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["totals"]["total"], "1210.00");
    str(&r.body["number"])
}

async fn run(s: &TestServer) -> Value {
    s.post("/api/v1/dunning/run", json!({}))
        .await
        .expect(200)
        .body
}

fn counts(summary: &Value) -> [u64; 4] {
    [
        summary["levels_run"].as_u64().unwrap(),
        summary["emails_sent"].as_u64().unwrap(),
        summary["tasks_created"].as_u64().unwrap(),
        summary["paused"].as_u64().unwrap(),
    ]
}

/// The planned calls on `owner`'s agenda.
async fn planned_calls(s: &TestServer, owner: cartera_core::Id) -> Vec<Value> {
    let owner = owner.to_string();
    s.all_pages("/api/v1/activities?filter[kind]=call&limit=500")
        .await
        .into_iter()
        .filter(|a| a["owner_id"] == owner.as_str() && a["status"] == "planned")
        .collect()
}

/// How many of an account's promises hold reminders back today.
async fn in_force(s: &TestServer, account: &str) -> usize {
    s.get(&format!("/api/v1/accounts/{account}/promises"))
        .await
        .expect(200)
        .body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in_force"] == true)
        .count()
}

async fn overdue_invoices_are_dunned_once_and_a_promise_pauses_them(s: TestServer) {
    let smtp = s.smtp.as_ref().unwrap();
    let (collector, cobra) = s.member("cobra@test.example.com", "collections").await;
    let (_, rep) = s.member("rita@test.example.com", "sales_rep").await;

    // A customer with two contacts: the one whose address is for invoices is written to.
    let agro = s
        .create(
            "accounts",
            json!({"name": "Agro Sur", "owner_id": collector}),
        )
        .await["id"]
        .clone();
    let agro = str(&agro);
    s.create(
        "contacts",
        json!({"first_name": "Marta", "last_name": "Gómez", "account_id": agro,
               "emails": [{"address": "marta@agrosur.example.com", "label": "work"}]}),
    )
    .await;
    s.create(
        "contacts",
        json!({"first_name": "Lucía", "last_name": "Fernández", "account_id": agro,
               "emails": [{"address": "lucia@agrosur.example.com", "label": "Facturación"}]}),
    )
    .await;
    let eight = overdue(&s, &agro, 8).await;
    let sixteen = overdue(&s, &agro, 16).await;
    // A customer in the United States is written to in English.
    let prairie = str(&s
        .create(
            "accounts",
            json!({"name": "Prairie Grain", "billing_address": {"country": "US"}}),
        )
        .await["id"]);
    s.create(
        "contacts",
        json!({"first_name": "John", "last_name": "Smith", "account_id": prairie,
               "emails": [{"address": "john@prairie.example.com"}]}),
    )
    .await;
    let nine = overdue(&s, &prairie, 9).await;
    // A customer nobody can be emailed at still gets its call.
    let silent = str(&s.create("accounts", json!({"name": "Sin Correo"})).await["id"]);
    let silent_inv = overdue(&s, &silent, 16).await;
    // Not yet late enough for any level.
    overdue(&s, &silent, 3).await;

    let first = run(&s).await;
    assert_eq!(first["enabled"], true);
    assert_eq!(counts(&first), [4, 3, 2, 0], "{first}");
    let skipped = first["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{first}");
    assert_eq!(skipped[0]["reason"], "no_email");
    assert_eq!(skipped[0]["invoice_number"], silent_inv.as_str());
    assert_eq!(skipped[0]["level_days"], 15);

    let mail = smtp.wait_for(3).await;
    assert_eq!(mail.len(), 3);
    let to = |who: &str| -> Vec<_> {
        smtp.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == who))
            .collect()
    };
    let lucia = to("lucia@agrosur.example.com");
    let mut subjects: Vec<&str> = lucia.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            format!("Recordatorio: factura {eight} vencida"),
            format!("Segundo aviso: factura {sixteen} impaga"),
        ]
    );
    for m in &lucia {
        assert!(m.text.contains("Estimados/as Agro Sur:"), "{}", m.text);
        assert!(m.text.contains("1.210,00 ARS"), "{}", m.text);
    }
    let second_notice = lucia
        .iter()
        .find(|m| m.subject.starts_with("Segundo"))
        .unwrap();
    assert!(
        second_notice.text.contains(&format!(
            "vencida el {} (16 días de atraso)",
            (today() - Duration::days(16)).format("%d/%m/%Y")
        )),
        "{}",
        second_notice.text
    );
    assert!(to("marta@agrosur.example.com").is_empty());
    let john = to("john@prairie.example.com");
    assert_eq!(john.len(), 1);
    assert_eq!(
        john[0].subject,
        format!("Reminder: invoice {nine} is overdue")
    );
    assert!(
        john[0].text.contains("for 1,210.00 ARS"),
        "{}",
        john[0].text
    );

    // The 15-day level put a call on the collector's agenda.
    let mine = planned_calls(&s, collector).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["account_id"], agro.as_str());
    assert_eq!(
        mine[0]["subject"],
        format!("Llamar a Agro Sur por la factura {sixteen}: 1.210,00 ARS, 16 días de atraso")
    );
    assert_eq!(mine[0]["tags"], json!(["collections"]));

    // The same day again: nothing new, nothing sent.
    let again = run(&s).await;
    assert_eq!(counts(&again), [0, 0, 0, 0], "{again}");
    assert!(again["skipped"].as_array().unwrap().is_empty());
    assert_eq!(smtp.messages().len(), 3);

    // The customer promises to pay in a week: written down as a call on the account.
    let promised_on = today() + Duration::days(7);
    let r = s
        .call(
            &cobra,
            Method::POST,
            &format!("/api/v1/accounts/{agro}/promises"),
            Some(json!({"promised_on": promised_on.to_string(),
                        "amount": {"amount": "2420", "currency": "ARS"},
                        "note": "Paga con transferencia"})),
        )
        .await
        .expect(201);
    let promise_call = r.id();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/activities/{promise_call}").as_str())
    );
    assert_eq!(r.body["kind"], "call");
    assert_eq!(r.body["status"], "done");
    assert_eq!(r.body["account_id"], agro.as_str());
    assert_eq!(r.body["notes"], "Paga con transferencia");
    assert_eq!(
        r.body["subject"],
        format!(
            "Promesa de pago: {} · 2.420,00 ARS",
            promised_on.format("%d/%m/%Y")
        )
    );
    let promises = s
        .get(&format!("/api/v1/accounts/{agro}/promises"))
        .await
        .expect(200)
        .body;
    assert_eq!(promises["data"].as_array().unwrap().len(), 1);
    assert_eq!(promises["data"][0]["in_force"], true);
    assert_eq!(promises["data"][0]["promised_on"], promised_on.to_string());
    assert_eq!(promises["data"][0]["amount"]["amount"], "2420.00");
    assert_eq!(promises["data"][0]["activity_id"], promise_call.as_str());
    // A rep reads billing but does not record promises; bad ones name their field.
    s.call(
        &rep,
        Method::POST,
        &format!("/api/v1/accounts/{agro}/promises"),
        Some(json!({"promised_on": promised_on.to_string()})),
    )
    .await
    .problem(403, "");
    s.call(
        &cobra,
        Method::POST,
        &format!("/api/v1/accounts/{agro}/promises"),
        Some(json!({"promised_on": (today() - Duration::days(2)).to_string()})),
    )
    .await
    .problem(422, "promised_on");
    s.call(
        &cobra,
        Method::POST,
        &format!("/api/v1/accounts/{agro}/promises"),
        Some(json!({"promised_on": promised_on.to_string(),
                    "amount": {"amount": "-5", "currency": "ARS"}})),
    )
    .await
    .problem(422, "amount.amount");
    s.call(
        &cobra,
        Method::POST,
        &format!("/api/v1/accounts/{}/promises", cartera_core::Id::new()),
        Some(json!({"promised_on": promised_on.to_string()})),
    )
    .await
    .problem(404, "");

    // A week on, the promised day: the first invoice reached 15 days, but its customer
    // promised; the other customers' reminders go on (the one nobody can email at
    // reached 7 days: nothing to do but say so).
    s.clock.advance(Duration::days(7));
    let paused = run(&s).await;
    assert_eq!(counts(&paused), [2, 1, 1, 1], "{paused}");
    assert_eq!(paused["skipped"][0]["reason"], "no_email");
    let mail = smtp.wait_for(4).await;
    assert!(
        mail.iter()
            .any(|m| m.subject == format!("Second notice: invoice {nine} is unpaid")),
        "{mail:?}"
    );
    assert_eq!(to("lucia@agrosur.example.com").len(), 2);

    // The day after the promised one, with the invoice still open: the 15-day level.
    s.clock.advance(Duration::days(1));
    let resumed = run(&s).await;
    assert_eq!(counts(&resumed), [1, 1, 1, 0], "{resumed}");
    smtp.wait_for(5).await;
    let lucia = to("lucia@agrosur.example.com");
    assert_eq!(lucia.len(), 3);
    assert!(
        lucia
            .iter()
            .any(|m| m.subject == format!("Segundo aviso: factura {eight} impaga"))
    );
    assert_eq!(run(&s).await["levels_run"], 0);
    let promises = s
        .get(&format!("/api/v1/accounts/{agro}/promises"))
        .await
        .expect(200)
        .body;
    assert_eq!(promises["data"][0]["in_force"], false);

    // The account's timeline tells each level, the promise and the calls.
    let tl = s
        .get(&format!("/api/v1/accounts/{agro}/timeline?limit=100"))
        .await
        .expect(200)
        .body;
    let items = tl["data"].as_array().unwrap();
    let dunned: Vec<&Value> = items
        .iter()
        .filter(|i| i["type"] == "change" && i["event"]["action"] == "dunned")
        .collect();
    assert_eq!(dunned.len(), 3, "{tl}");
    let field = |e: &Value, name: &str| {
        e["event"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == name)
            .map(|c| c["new"].clone())
            .unwrap_or(Value::Null)
    };
    let mut levels: Vec<(String, u64)> = dunned
        .iter()
        .map(|e| {
            (
                str(&field(e, "invoice_number")),
                field(e, "level_days").as_u64().unwrap(),
            )
        })
        .collect();
    levels.sort();
    let mut expected = vec![
        (eight.clone(), 7),
        (sixteen.clone(), 15),
        (eight.clone(), 15),
    ];
    expected.sort();
    assert_eq!(levels, expected);
    assert!(
        dunned
            .iter()
            .all(|e| field(e, "email_to") == "lucia@agrosur.example.com"
                && field(e, "email_sent") == true)
    );
    assert!(
        dunned
            .iter()
            .all(|e| e["event"]["actor_id"] == s.admin_id.to_string()),
        "a run by hand names who ran it"
    );
    assert!(
        items
            .iter()
            .any(|i| i["type"] == "activity" && i["activity"]["id"] == promise_call.as_str())
    );
    let timeline_calls = items
        .iter()
        .filter(|i| i["type"] == "activity" && i["activity"]["tags"] == json!(["collections"]))
        .count();
    assert_eq!(timeline_calls, 2);

    // The collector's My day lists the calls due; the account's page tells the runs.
    assert_eq!(planned_calls(&s, collector).await.len(), 2);
    let (cookie, _) = s.browser_login("cobra@test.example.com", PASSWORD).await;
    let day = get(&s, "/my-day", &cookie).await;
    assert_eq!(day.status, 200);
    for n in [&eight, &sixteen] {
        assert!(
            day.text
                .contains(&format!("Llamar a Agro Sur por la factura {n}")),
            "{}",
            day.text
        );
    }
    let page = get(&s, &format!("/accounts/{agro}"), &cookie).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Cobranza: aviso de una factura vencida"),
        "{}",
        page.text
    );

    // Deleting a promise's call withdraws the promise.
    let later = today() + Duration::days(10);
    let again = s
        .call(
            &cobra,
            Method::POST,
            &format!("/api/v1/accounts/{agro}/promises"),
            Some(json!({"promised_on": later.to_string()})),
        )
        .await
        .expect(201);
    assert_eq!(
        again.body["subject"],
        format!("Promesa de pago: {}", later.format("%d/%m/%Y"))
    );
    assert_eq!(in_force(&s, &agro).await, 1);
    s.delete(&format!("/api/v1/activities/{}", again.id()))
        .await
        .expect(200);
    assert_eq!(in_force(&s, &agro).await, 0);
}

async fn the_policy_is_checked_and_only_admins_change_or_run_it(s: TestServer) {
    let (_, rep) = s.member("rita@test.example.com", "sales_rep").await;
    // A manager administers billing; the admin right needs a token of admin scope.
    let (mara, _) = s.member("mara@test.example.com", "manager").await;
    let (_, manager) = cartera_app::users::create_token(
        &s.app,
        mara,
        "admin",
        cartera_core::users::Scope::Admin,
        None,
    )
    .await
    .unwrap();
    let (_, cobra) = s.member("cobra@test.example.com", "collections").await;

    let policy = s.get("/api/v1/dunning_policy").await.expect(200).body;
    assert_eq!(policy["enabled"], true);
    let days: Vec<u64> = policy["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["days_overdue"].as_u64().unwrap())
        .collect();
    assert_eq!(days, [7, 15, 30]);
    assert_eq!(policy["levels"][0]["email"], true);
    assert_eq!(policy["levels"][0]["task"], false);
    assert_eq!(policy["levels"][1]["task"], true);
    assert!(str(&policy["levels"][2]["subject_es"]).starts_with("Aviso final"));
    // Whoever reads billing reads it.
    s.call(&rep, Method::GET, "/api/v1/dunning_policy", None)
        .await
        .expect(200);

    // Levels out of order, a level that does nothing, an unknown blank: each named.
    let mut bad = policy.clone();
    bad["levels"][1]["days_overdue"] = json!(5);
    bad["levels"][2]["email"] = json!(false);
    bad["levels"][2]["task"] = json!(false);
    bad["levels"][0]["body_en"] = json!("Dear {client}");
    let r = s
        .send(
            Method::PUT,
            "/api/v1/dunning_policy",
            Some(&s.token),
            &[],
            Some(crate::support::RawBody::Json(bad)),
        )
        .await
        .problem(422, "levels[1].days_overdue");
    let fields = r.error_fields();
    assert!(fields.contains(&"levels[2]".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"levels[0].body_en".to_owned()),
        "{fields:?}"
    );
    assert_eq!(
        s.get("/api/v1/dunning_policy").await.expect(200).body,
        policy,
        "nothing written"
    );

    // A manager (billing admin) replaces it; reps and collectors may not, nor run it.
    let mine = json!({"enabled": true, "levels": [
        {"days_overdue": 10, "task": true},
        {"days_overdue": 45, "email": true, "task": true,
         "subject_es": "  Factura {invoice} ", "body_es": "Deben {amount}.",
         "subject_en": "Invoice {invoice}", "body_en": "You owe {amount}."}
    ]});
    let put = |token: &str, body: Value| {
        let token = token.to_owned();
        let s = &s;
        async move {
            s.send(
                Method::PUT,
                "/api/v1/dunning_policy",
                Some(&token),
                &[],
                Some(crate::support::RawBody::Json(body)),
            )
            .await
        }
    };
    put(&rep, mine.clone()).await.problem(403, "");
    put(&cobra, mine.clone()).await.problem(403, "");
    let stored = put(&manager, mine.clone()).await.expect(200).body;
    // So may whoever administers the settings, billing aside.
    s.post(
        "/api/v1/roles",
        json!({"key": "config", "name": "Configuración",
               "permissions": {"settings": ["read", "edit", "admin"]}}),
    )
    .await
    .expect(201);
    let (ines, _) = s.member("ines@test.example.com", "config").await;
    let (_, config) = cartera_app::users::create_token(
        &s.app,
        ines,
        "admin",
        cartera_core::users::Scope::Admin,
        None,
    )
    .await
    .unwrap();
    assert_eq!(put(&config, mine).await.expect(200).body, stored);
    s.call(&config, Method::GET, "/api/v1/dunning_policy", None)
        .await
        .expect(200);
    assert_eq!(stored["levels"][1]["subject_es"], "Factura {invoice}");
    assert_eq!(stored["levels"][0]["email"], false);
    assert_eq!(
        s.get("/api/v1/dunning_policy").await.expect(200).body,
        stored
    );
    s.call(&rep, Method::POST, "/api/v1/dunning/run", Some(json!({})))
        .await
        .problem(403, "");
    s.call(&cobra, Method::POST, "/api/v1/dunning/run", Some(json!({})))
        .await
        .problem(403, "");
    // The change is in the trail.
    let trail = s
        .get("/api/v1/audit_events?record_kind=setting")
        .await
        .expect(200)
        .body;
    assert!(
        trail["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "updated" && e["changes"].to_string().contains("days_overdue")),
        "{trail}"
    );

    // Turned off, a run does nothing.
    put(&s.token, json!({"enabled": false, "levels": []}))
        .await
        .expect(200);
    let a = str(&s.create("accounts", json!({"name": "Morosa"})).await["id"]);
    overdue(&s, &a, 60).await;
    let off = run(&s).await;
    assert_eq!(off["enabled"], false);
    assert_eq!(off["levels_run"], 0);

    // The daily job is queued once whoever schedules it, and runs the policy.
    put(
        &s.token,
        json!({"levels": [{"days_overdue": 30, "task": true}]}),
    )
    .await
    .expect(200);
    let worker = cartera_app::jobs::Worker::standard("test");
    cartera_app::jobs::Worker::schedule(&s.app).await.unwrap();
    cartera_app::jobs::Worker::schedule(&s.app).await.unwrap();
    let queued: Vec<Value> = s
        .all_pages("/api/v1/jobs?state=queued")
        .await
        .into_iter()
        .filter(|j| j["kind"] == "billing.dunning")
        .collect();
    assert_eq!(queued.len(), 1);
    s.clock.advance(Duration::days(1));
    assert!(worker.run_due(&s.app).await.unwrap() >= 1);
    let tl = s
        .get(&format!("/api/v1/accounts/{a}/timeline?limit=100"))
        .await
        .expect(200)
        .body;
    let event = tl["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["event"]["action"] == "dunned")
        .cloned()
        .expect("the job's run on the timeline");
    assert_eq!(
        event["event"]["actor_id"],
        Value::Null,
        "the job is Cartera's"
    );
    assert_eq!(
        run(&s).await["levels_run"],
        0,
        "what the job ran is not run again"
    );
}
