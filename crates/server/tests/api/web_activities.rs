//! The activities' pages as a rep uses them: logging a visit from an account's page
//! (pre-linked, km priced at the company's rate, tolls typed the Spanish way), editing
//! it (and a stale edit), deleting it and undoing, and the list's filters; the deal
//! page's notes and activities.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, Page, get, page, post};

both!(
    a_visit_is_logged_from_the_account_page_with_its_costs,
    an_activity_is_edited_deleted_and_brought_back,
    the_activities_list_filters,
    the_deal_page_takes_notes_and_logs_activities,
    contact_and_lead_pages_log_activities_pre_linked,
    the_activities_list_is_saved_as_a_view
);

/// A rep with an account of their own, the company's rate at 85.50 ARS per km, and
/// the rep's browser session.
async fn rep_with_account(s: &TestServer) -> (String, String, String, String) {
    s.patch(
        "/api/v1/settings",
        json!({"mileage_rate": {"amount": "85.50", "currency": "ARS"}}),
    )
    .await
    .expect(200);
    let (rep, token) = s.member("rita@test.example.com", "sales_rep").await;
    let account = s
        .create_as(
            &token,
            "accounts",
            json!({"name": "Tambo La Esperanza", "owner_id": rep}),
        )
        .await;
    let (cookie, csrf) = s.browser_login("rita@test.example.com", PASSWORD).await;
    (account, token, cookie, csrf)
}

async fn log_visit(s: &TestServer, account: &str, cookie: &str, csrf: &str, km: &str) -> Page {
    let back = format!("/accounts/{account}");
    let tomorrow = (s.app.now() + Duration::days(1)).date_naive().to_string();
    post(
        s,
        "/activities/new",
        cookie,
        &[
            ("csrf_token", csrf),
            ("back", back.as_str()),
            ("kind", "visit"),
            ("subject", "Visita al tambo"),
            ("account_id", account),
            ("account_name", "Tambo La Esperanza"),
            ("contact_id", ""),
            ("contact_name", ""),
            ("date", tomorrow.as_str()),
            ("time", "10:00"),
            ("duration", "90"),
            ("end_time", ""),
            ("reminder", "0"),
            ("cost_type", "mileage"),
            ("cost_value", km),
            ("cost_desc", "Ida y vuelta"),
            ("cost_rate", ""),
            ("cost_currency", ""),
            ("cost_type", "travel"),
            ("cost_value", "850,5"),
            ("cost_desc", "Peaje"),
            ("cost_rate", ""),
            ("cost_currency", ""),
            ("cost_type", "other"),
            ("cost_value", ""),
            ("cost_desc", ""),
            ("cost_rate", ""),
            ("cost_currency", ""),
            ("outcome", ""),
            ("next_action", "Mandar el presupuesto"),
        ],
    )
    .await
}

async fn activity(s: &TestServer, id: &str) -> Value {
    s.get(&format!("/api/v1/activities/{id}"))
        .await
        .expect(200)
        .body
}

async fn a_visit_is_logged_from_the_account_page_with_its_costs(s: TestServer) {
    let (account, _, cookie, csrf) = rep_with_account(&s).await;
    // The account page offers to log a visit, a call, a task or a meeting, pre-linked.
    let a = get(&s, &format!("/accounts/{account}"), &cookie).await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("Registrar una actividad"), "{}", a.text);
    assert!(a.text.contains(&format!("account_id={account}")));
    assert!(a.text.contains("No hay nada planificado."));
    let form = get(
        &s,
        &format!("/activities/new?kind=visit&account_id={account}&back=/accounts/{account}"),
        &cookie,
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("value=\"Tambo La Esperanza\""));
    assert!(form.text.contains("85,50 ARS"), "the rate is shown");
    // The picker finds the account by a part of its name.
    let picked = get(&s, "/pick/accounts?q=esperanza", &cookie).await;
    assert!(picked.text.contains(&format!("data-id=\"{account}\"")));

    let made = log_visit(&s, &account, &cookie, &csrf, "12,5").await;
    assert_eq!(made.status, 303, "{}", made.text);
    assert_eq!(
        made.location.as_deref(),
        Some(&*format!("/accounts/{account}"))
    );
    let list = s
        .get(&format!("/api/v1/activities?filter[account_id]={account}"))
        .await
        .expect(200)
        .body;
    let v = &list["data"][0];
    assert_eq!(v["subject"], "Visita al tambo");
    assert_eq!(v["kind"], "visit");
    // 12.5 km × 85.50 = 1068.75, priced by the server; the toll typed as 850,5.
    assert_eq!(v["costs"][0]["amount"]["amount"], "1068.75");
    assert_eq!(v["costs"][0]["rate"]["amount"], "85.50");
    assert_eq!(v["costs"][1]["type"], "travel");
    assert_eq!(v["costs"][1]["amount"]["amount"], "850.5");
    assert_eq!(
        v["costs"].as_array().unwrap().len(),
        2,
        "blank rows are left out"
    );
    assert_eq!(v["cost_totals"][0]["amount"], "1919.25");
    assert_eq!(v["next_action"], "Mandar el presupuesto");
    let starts = chrono::DateTime::parse_from_rfc3339(v["starts_at"].as_str().unwrap()).unwrap();
    let ends = chrono::DateTime::parse_from_rfc3339(v["ends_at"].as_str().unwrap()).unwrap();
    assert_eq!(ends - starts, Duration::minutes(90));

    // The account page shows it among the next ones, with its costs.
    let a = get(&s, &format!("/accounts/{account}"), &cookie).await;
    assert!(a.text.contains("Visita al tambo"));
    assert!(a.text.contains("1.919,25 ARS"), "{}", a.text);

    // What cannot be read comes back with what was typed and why.
    let bad = post(
        &s,
        "/activities/new",
        &cookie,
        &[
            ("csrf_token", csrf.as_str()),
            ("kind", "call"),
            ("subject", ""),
            ("contact_id", ""),
            ("contact_name", "Alguien sin elegir"),
            ("date", "2026-12-01"),
            ("time", "11:00"),
            ("end_time", "10:00"),
            ("cost_type", "mileage"),
            ("cost_value", "doce"),
            ("cost_desc", ""),
            ("cost_rate", ""),
            ("cost_currency", ""),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("form-alert"));
    assert!(bad.text.contains("value=\"doce\""));
    assert!(bad.text.contains("Escribe un número"));
    assert!(bad.text.contains("Elige uno de la lista"));
    assert!(bad.text.contains("posterior a la de inicio"));
    assert!(bad.text.contains("value=\"Alguien sin elegir\""));
    // The app's own refusal (no subject) too, once the form reads.
    let empty = post(
        &s,
        "/activities/new",
        &cookie,
        &[
            ("csrf_token", csrf.as_str()),
            ("kind", "task"),
            ("subject", ""),
        ],
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text.contains("subject-error"), "{}", empty.text);

    // "Add an expense" shows the form again with one more line, unsaved.
    let more = post(
        &s,
        "/activities/new",
        &cookie,
        &[
            ("csrf_token", csrf.as_str()),
            ("kind", "visit"),
            ("subject", "Otra"),
            ("cost_type", "mileage"),
            ("cost_value", "10"),
            ("cost_desc", ""),
            ("cost_rate", ""),
            ("cost_currency", ""),
            ("cost_action", "add"),
        ],
    )
    .await;
    assert_eq!(more.status, 200);
    assert!(more.text.contains("cost-value-1"));
    assert!(
        more.text.contains("855,00 ARS"),
        "the km line's amount is shown"
    );
}

async fn an_activity_is_edited_deleted_and_brought_back(s: TestServer) {
    let (account, _, cookie, csrf) = rep_with_account(&s).await;
    let made = log_visit(&s, &account, &cookie, &csrf, "12,5").await;
    assert_eq!(made.status, 303);
    let list = s
        .get(&format!("/api/v1/activities?filter[account_id]={account}"))
        .await
        .expect(200)
        .body;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let version = list["data"][0]["version"].to_string();

    let form = get(&s, &format!("/activities/{id}/edit"), &cookie).await;
    assert_eq!(form.status, 200);
    // Numbers come back as the reader writes them: `12,5` km, `850,50` of tolls.
    assert!(form.text.contains("value=\"12,5\""), "{}", form.text);
    assert!(form.text.contains("value=\"850,50\""), "{}", form.text);
    assert!(form.text.contains("value=\"10:00\""));
    assert!(form.text.contains("value=\"11:30\""), "the end time");
    let tomorrow = (s.app.now() + Duration::days(1)).date_naive().to_string();
    let edit = |subject: &'static str, km: &'static str, version: String| {
        let (cookie, csrf, account, tomorrow, id) = (
            cookie.clone(),
            csrf.clone(),
            account.clone(),
            tomorrow.clone(),
            id.clone(),
        );
        let s = &s;
        async move {
            post(
                s,
                &format!("/activities/{id}/edit"),
                &cookie,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("version", version.as_str()),
                    ("kind", "visit"),
                    ("subject", subject),
                    ("account_id", account.as_str()),
                    ("account_name", "Tambo La Esperanza"),
                    ("date", tomorrow.as_str()),
                    ("time", "10:00"),
                    ("end_time", "12:00"),
                    ("reminder", "0"),
                    ("cost_type", "mileage"),
                    ("cost_value", km),
                    ("cost_desc", ""),
                    ("cost_rate", "85.50 ARS"),
                    ("cost_currency", ""),
                    ("outcome", "Pidió precio"),
                ],
            )
            .await
        }
    };
    let saved = edit("Visita y degustación", "20", version.clone()).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        saved.location.as_deref(),
        Some(&*format!("/activities/{id}"))
    );
    let v = activity(&s, &id).await;
    assert_eq!(v["subject"], "Visita y degustación");
    assert_eq!(v["costs"][0]["amount"]["amount"], "1710.00");
    assert_eq!(v["costs"].as_array().unwrap().len(), 1);
    assert_eq!(v["outcome"], "Pidió precio");
    assert!(v["account_id"] == json!(account));
    // A second save from the old version is refused, keeping what was typed.
    let stale = edit("Otra cosa", "30", version).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert!(stale.text.contains("value=\"Otra cosa\""));
    assert!(stale.text.contains("Otra persona cambió esta actividad"));

    // The activity's page offers the rep to edit it; the built-in sales rep role may
    // not delete activities, so the button is the manager's (and the admin's).
    let p = get(&s, &format!("/activities/{id}"), &cookie).await;
    assert!(p.text.contains("Editar"));
    assert!(!p.text.contains("btn btn-danger"));
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = get(&s, &format!("/activities/{id}"), &cookie).await;
    assert!(p.text.contains("btn btn-danger"));
    let gone = post(
        &s,
        &format!("/activities/{id}/delete"),
        &cookie,
        &[("csrf_token", csrf.as_str())],
    )
    .await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    assert!(gone.text.contains("restore"));
    s.get(&format!("/api/v1/activities/{id}")).await.expect(404);
    let a = get(&s, &format!("/accounts/{account}"), &cookie).await;
    assert!(!a.text.contains("Visita y degustación"));
    let back = post(
        &s,
        &format!("/activities/{id}/restore"),
        &cookie,
        &[("csrf_token", csrf.as_str())],
    )
    .await;
    assert_eq!(back.status, 303);
    assert_eq!(
        back.location.as_deref(),
        Some(&*format!("/activities/{id}"))
    );
    activity(&s, &id).await;
    let trash = get(&s, "/activities/trash", &cookie).await;
    assert_eq!(trash.status, 200);
}

async fn the_activities_list_filters(s: TestServer) {
    s.clock
        .advance_to_noon_in(chrono_tz::America::Argentina::Buenos_Aires);
    let (account, token, cookie, _) = rep_with_account(&s).await;
    // Nothing yet: the empty state says how to start.
    let empty = get(&s, "/activities", &cookie).await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.text.contains("Todavía no hay actividades"),
        "{}",
        empty.text
    );

    let today = s.app.now().date_naive();
    let late = (today - Duration::days(3)).to_string();
    s.create_as(
        &token,
        "activities",
        json!({"kind": "task", "subject": "Llamar por la deuda", "due_date": late, "account_id": account}),
    )
    .await;
    s.create_as(
        &token,
        "activities",
        json!({"kind": "call", "subject": "Confirmar el pedido", "due_date": today.to_string()}),
    )
    .await;
    let (_, other) = s.member("otro@test.example.com", "sales_rep").await;
    s.create_as(
        &other,
        "activities",
        json!({"kind": "visit", "subject": "Visita de otro", "due_date": today.to_string()}),
    )
    .await;

    let all = get(&s, "/activities", &cookie).await;
    assert!(all.text.contains("Llamar por la deuda"));
    assert!(all.text.contains("Confirmar el pedido"));
    assert!(
        all.text.contains("badge badge-danger"),
        "the late one is marked"
    );
    let overdue = get(&s, "/activities?when=overdue", &cookie).await;
    assert!(overdue.text.contains("Llamar por la deuda"));
    assert!(!overdue.text.contains("Confirmar el pedido"));
    let today_list = get(&s, "/activities?when=today", &cookie).await;
    assert!(
        today_list.text.contains("Confirmar el pedido"),
        "{}",
        today_list.text
    );
    assert!(!today_list.text.contains("Llamar por la deuda"));
    let week = get(&s, "/activities?when=week&kind=call", &cookie).await;
    assert!(week.text.contains("Confirmar el pedido"));
    let calls = get(&s, "/activities?kind=task", &cookie).await;
    assert!(calls.text.contains("Llamar por la deuda"));
    assert!(!calls.text.contains("Confirmar el pedido"));
    let of_account = get(&s, &format!("/activities?account={account}"), &cookie).await;
    assert!(of_account.text.contains("Llamar por la deuda"));
    assert!(!of_account.text.contains("Confirmar el pedido"));
    assert!(
        of_account
            .text
            .contains("Actividades de Tambo La Esperanza.")
    );
    let mine = get(&s, "/activities?mine=1", &cookie).await;
    assert!(mine.text.contains("Llamar por la deuda"));
    assert!(!mine.text.contains("Visita de otro"));
    let none = get(&s, "/activities?q=zzzz", &cookie).await;
    assert!(none.text.contains("Nada coincide"));
    // htmx asks for the rows alone.
    let rows = page(
        &s,
        Method::GET,
        "/activities?when=overdue",
        Some(&cookie),
        &[("hx-request", "true"), ("hx-target", "list")],
        None,
    )
    .await;
    assert!(
        rows.text.trim_start().starts_with("<div id=\"list\""),
        "{}",
        rows.text
    );
    // English readers read English.
    let en = page(
        &s,
        Method::GET,
        "/activities?when=overdue",
        Some(&cookie),
        &[("accept-language", "en")],
        None,
    )
    .await;
    assert_eq!(en.status, 200);
}

async fn the_deal_page_takes_notes_and_logs_activities(s: TestServer) {
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
                   "amount": {"amount": "12500.5", "currency": "ARS"}, "lines": []}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = get(&s, &format!("/deals/{deal}"), &cookie).await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains(&format!("deal_id={deal}")), "{}", p.text);
    assert!(p.text.contains("note-body"));
    let added = post(
        &s,
        &format!("/deals/{deal}/notes"),
        &cookie,
        &[
            ("csrf_token", csrf.as_str()),
            ("body", "Quieren entrega en marzo"),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.text);
    let p = get(&s, &format!("/deals/{deal}"), &cookie).await;
    assert!(p.text.contains("Quieren entrega en marzo"));
    // Logged from the deal, the activity is linked to the deal and its account.
    let form = get(
        &s,
        &format!("/activities/new?kind=call&deal_id={deal}"),
        &cookie,
    )
    .await;
    assert!(form.text.contains("value=\"Ordeñadoras 2027\""));
    assert!(form.text.contains("value=\"Tambo La Esperanza\""));
    assert!(form.text.contains(&format!("value=\"{acme}\"")));
}

async fn contact_and_lead_pages_log_activities_pre_linked(s: TestServer) {
    let (account, token, cookie, csrf) = rep_with_account(&s).await;
    let rep = s.get("/api/v1/users").await.expect(200).body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "rita@test.example.com")
        .unwrap()["id"]
        .clone();
    let contact = s
        .create_as(
            &token,
            "contacts",
            json!({"first_name": "Ana", "last_name": "Paz", "account_id": account, "owner_id": rep}),
        )
        .await;
    let lead = s
        .create_as(
            &token,
            "leads",
            json!({"first_name": "Luis", "last_name": "Gómez", "company_name": "Molinos del Sur", "owner_id": rep}),
        )
        .await;
    let c = get(&s, &format!("/contacts/{contact}"), &cookie).await;
    assert_eq!(c.status, 200);
    assert!(
        c.text.contains(&format!("contact_id={contact}")),
        "{}",
        c.text
    );
    assert!(c.text.contains("Registrar una actividad"));
    // From the contact, the form links the contact and its account.
    let form = get(
        &s,
        &format!("/activities/new?kind=call&contact_id={contact}"),
        &cookie,
    )
    .await;
    assert!(form.text.contains("value=\"Ana Paz\""), "{}", form.text);
    assert!(form.text.contains("value=\"Tambo La Esperanza\""));
    let l = get(&s, &format!("/leads/{lead}"), &cookie).await;
    assert!(l.text.contains(&format!("lead_id={lead}")));
    // A call logged on the lead shows on its page.
    let made = post(
        &s,
        "/activities/new",
        &cookie,
        &[
            ("csrf_token", csrf.as_str()),
            ("kind", "call"),
            ("subject", "Primer llamado"),
            ("lead_id", lead.as_str()),
            ("lead_name", "Luis Gómez"),
            ("date", "2030-01-10"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let l = get(&s, &format!("/leads/{lead}"), &cookie).await;
    assert!(l.text.contains("Primer llamado"));
}

/// A rep saves "my visits" as a view with the parts of a line she wants, opens it (her
/// visits only, the period chosen on top), renames it and deletes it; a shared one shows
/// its owner's activities to a colleague; the API checks a view's query like a list's.
async fn the_activities_list_is_saved_as_a_view(s: TestServer) {
    let (rep, token) = s.member("rita@test.example.com", "sales_rep").await;
    let (other, _) = s.member("rosa@test.example.com", "sales_rep").await;
    let today = s.app.now().date_naive().to_string();
    for (kind, subject, owner) in [
        ("visit", "Visita al molino", &rep),
        ("call", "Llamar a compras", &rep),
        ("visit", "Visita de Rosa", &other),
    ] {
        s.create(
            "activities",
            json!({"kind": kind, "subject": subject, "due_date": today, "owner_id": owner}),
        )
        .await;
    }
    let (cookie, csrf) = s.browser_login("rita@test.example.com", PASSWORD).await;
    let saved = post(
        &s,
        "/activities/views",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", "Mis visitas"),
            ("kind", "visit"),
            ("mine", "1"),
            ("sort", "due"),
            ("columns", "kind"),
            ("columns", "when"),
            ("shared", "on"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let at = saved.location.unwrap();
    let id = at.trim_start_matches("/activities?view=").to_owned();
    let view = s
        .call(
            &token,
            Method::GET,
            &format!("/api/v1/saved_views/{id}"),
            None,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(view["kind"], "activities");
    assert_eq!(
        view["query"],
        format!("filter[kind]=visit&filter[owner_id]={rep}&sort=due_date%2Cstarts_at")
            .replace("[", "%5B")
            .replace("]", "%5D")
    );

    let open = get(&s, &at, &cookie).await;
    assert_eq!(open.status, 200);
    let t = &open.text;
    assert!(
        t.contains("Mis visitas") && t.contains("Visita al molino"),
        "{t}"
    );
    assert!(
        !t.contains("Llamar a compras") && !t.contains("Visita de Rosa"),
        "{t}"
    );
    // The view's toolbar: its type, "only mine" and sort are chosen.
    assert!(t.contains(r#"<option value="visit" selected>"#), "{t}");
    // Only the chosen parts of a line: the kind and the day, not the state.
    assert!(!t.contains("status-planned"), "{t}");
    // The period is chosen on top of the view.
    let week = get(&s, &format!("{at}&when=overdue"), &cookie).await;
    assert!(
        !week.text.contains("Visita al molino"),
        "not overdue: {}",
        week.text
    );

    // Shared, it shows Rita's visits to Rosa as well.
    let (rosa, _) = s.browser_login("rosa@test.example.com", PASSWORD).await;
    let theirs = get(&s, &at, &rosa).await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.text.contains("Visita de Rosa"), "{}", theirs.text);

    // A refused save keeps the form open with the reason in Spanish.
    let refused = post(
        &s,
        "/activities/views",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", ""),
            ("kind", "call"),
            ("columns", "kind"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("Escribe un nombre para la vista."));

    // Renamed, then deleted.
    let renamed = post(
        &s,
        &format!("/activities/views/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", "Visitas"),
            ("kind", "visit"),
            ("mine", "1"),
            ("columns", "kind"),
        ],
    )
    .await;
    assert_eq!(renamed.status, 303, "{}", renamed.text);
    assert!(get(&s, &at, &cookie).await.text.contains("Visitas"));
    let gone = post(
        &s,
        &format!("/activities/views/{id}/delete"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(gone.status, 303);
    assert_eq!(get(&s, &at, &cookie).await.status, 404);

    // Through the API, an activities view's query is checked as the list's.
    let bad = s
        .call(
            &token,
            Method::POST,
            "/api/v1/saved_views",
            Some(json!({"kind": "activities", "name": "Mal", "query": "filter[nope]=1"})),
        )
        .await;
    assert_eq!(bad.status.as_u16(), 422, "{:?}", bad.body);
    let good = s
        .call(
            &token,
            Method::POST,
            "/api/v1/saved_views",
            Some(json!({"kind": "activities", "name": "Llamadas", "query": "filter[kind]=call"})),
        )
        .await
        .expect(201);
    assert_eq!(
        good.body["columns"],
        json!(["kind", "when", "account", "owner", "status", "costs"])
    );
}
