//! A sales rep's day in the pages (issue 17): a deal created from an account's page with
//! its lines and contacts, edited and moved to another pipeline; the board filtered by
//! owner with its total; the account's 360° page with its address, figures and custom
//! values; the contact's deals and quotes; the timeline naming the contact a note is on
//! and the fields in the reader's language; the record picker's matches.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::deals::{default_pipeline, stage};
use crate::support::TestServer;
use crate::web::{PASSWORD, get, page};

both!(deal_form_creates_edits_and_moves);

async fn deal_form_creates_edits_and_moves(s: TestServer) {
    let account = s
        .create(
            "accounts",
            json!({"name": "Ferretería del Puerto", "billing_address": {"country": "AR"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ana = s
        .create(
            "contacts",
            json!({"first_name": "Ana", "last_name": "Paz", "account_id": account}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rival = s
        .create(
            "accounts",
            json!({"name": "Hierros Rivales", "kind": "competitor"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;

    // The form opened from the account's page knows the customer and its contacts.
    let form = get(&s, &format!("/deals/new?account_id={account}"), &cookie).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(form.text.contains("Ferretería del Puerto"));
    assert!(
        form.text.contains(&format!(r#"value="{ana}""#)),
        "the account's contacts to tick"
    );

    // A typed amount in the Spanish way, a line, a competitor; an unreadable number is
    // refused next to its field and keeps what was typed.
    let bad = page(
        &s,
        Method::POST,
        "/deals/new",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Taladros 2027"),
            ("account_id", &account),
            ("amount", "doce"),
            ("currency", "ARS"),
        ]),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains(r#"id="amount-error""#), "{}", bad.text);
    assert!(bad.text.contains(r#"value="Taladros 2027""#));

    let made = page(
        &s,
        Method::POST,
        "/deals/new",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Taladros 2027"),
            ("account_id", &account),
            ("contact_ids", &ana),
            ("currency", "ARS"),
            ("expected_close_date", "2027-03-31"),
            ("line_description", "Taladro percutor"),
            ("line_quantity", "4"),
            ("line_price", "1.234,50"),
            ("line_discount", ""),
            ("line_tax", "21"),
            ("line_product_id", ""),
            ("line_description", ""),
            ("line_quantity", "1"),
            ("line_price", ""),
            ("line_discount", ""),
            ("line_tax", ""),
            ("line_product_id", ""),
            ("comp_account_id", &rival),
            ("comp_threat", "high"),
            ("comp_notes", "10 % menos"),
        ]),
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let to = made.location.unwrap();
    let id = to.trim_start_matches("/deals/").to_owned();
    let d = s.get(&format!("/api/v1/deals/{id}")).await.expect(200).body;
    assert_eq!(d["account_id"], account.as_str());
    assert_eq!(d["contact_ids"], json!([ana]));
    assert_eq!(
        d["lines"].as_array().unwrap().len(),
        1,
        "the blank row is left out"
    );
    assert_eq!(d["amount"]["amount"], "4938.00", "4 x 1.234,50");
    assert_eq!(d["competitors"][0]["threat"], "high");
    assert!(d["owner_id"].as_str().is_some(), "the creator owns it");

    // The deal page offers the edit; the edit form shows the values as typed in Spanish.
    let shown = get(&s, &to, &cookie).await;
    assert!(shown.text.contains(&format!("/deals/{id}/edit")));
    let edit = get(&s, &format!("/deals/{id}/edit"), &cookie).await;
    assert_eq!(edit.status, 200);
    assert!(edit.text.contains(r#"value="1.234,50""#), "{}", edit.text);
    assert!(
        edit.text.contains("Hierros Rivales"),
        "the competitor by name"
    );

    // Another pipeline's stage moves the deal there (the API's move with `pipeline_id`).
    let other = s
        .post(
            "/api/v1/pipelines",
            json!({"name": "Licitaciones", "stages": [
                {"name": "Pliego", "probability": 20, "outcome": "open"},
                {"name": "Adjudicada", "probability": 100, "outcome": "won"},
                {"name": "Desierta", "probability": 0, "outcome": "lost"}]}),
        )
        .await
        .expect(201)
        .body;
    let pliego = other["stages"][0]["id"].as_str().unwrap().to_owned();
    let version = d["version"].to_string();
    let saved = page(
        &s,
        Method::POST,
        &format!("/deals/{id}/edit"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("version", &version),
            ("name", "Taladros 2027 (licitación)"),
            ("account_id", &account),
            ("contact_ids", &ana),
            ("currency", "ARS"),
            ("stage_id", &pliego),
            ("amount", "9.999,99"),
        ]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let d = s.get(&format!("/api/v1/deals/{id}")).await.expect(200).body;
    assert_eq!(d["name"], "Taladros 2027 (licitación)");
    assert_eq!(d["pipeline_id"], other["id"]);
    assert_eq!(d["stage_id"], pliego.as_str());
    assert_eq!(
        d["amount"]["amount"], "9999.99",
        "no lines: the typed amount"
    );
    assert!(d["lines"].as_array().unwrap().is_empty());
    assert_eq!(d["competitors"], json!([]));

    // A form read before that change does not overwrite it.
    let stale = page(
        &s,
        Method::POST,
        &format!("/deals/{id}/edit"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("version", &version),
            ("name", "Pisado"),
            ("account_id", &account),
        ]),
    )
    .await;
    assert_eq!(stale.status, 409);
    assert!(stale.text.contains("Otra persona cambió"), "{}", stale.text);

    // The board of that pipeline, filtered to my deals, totals the open ones.
    let board = get(
        &s,
        &format!("/deals?pipeline={}&owner=me", other["id"].as_str().unwrap()),
        &cookie,
    )
    .await;
    assert!(
        board.text.contains("1 oportunidad abierta"),
        "{}",
        board.text
    );
    assert!(board.text.contains("9.999,99 ARS"));
    assert!(board.text.contains("/deals/new?pipeline="));
    let nobody = s.member("nadie@test.example.com", "sales_rep").await.0;
    let theirs = get(
        &s,
        &format!(
            "/deals?pipeline={}&owner={nobody}",
            other["id"].as_str().unwrap()
        ),
        &cookie,
    )
    .await;
    assert!(
        theirs.text.contains("0 oportunidades abiertas"),
        "{}",
        theirs.text
    );
}

both!(account_page_is_360_and_timeline_speaks_spanish);

async fn account_page_is_360_and_timeline_speaks_spanish(s: TestServer) {
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "rubro_fiscal", "label": "Rubro fiscal",
               "field_type": "select", "options": ["Monotributo", "Responsable inscripto"]}),
    )
    .await
    .expect(201);
    let account = s
        .create(
            "accounts",
            json!({"name": "Molinos del Sur", "website": "molinos.example.com",
                   "description": "Cliente desde 2019.\nCompra harina a granel.",
                   "billing_address": {"street": "Av. Colón 1234", "city": "Córdoba",
                                       "province": "Córdoba", "country": "AR"},
                   "custom": {"rubro_fiscal": "Responsable inscripto"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ana = s
        .create(
            "contacts",
            json!({"first_name": "Ana", "last_name": "Quiroga", "account_id": account}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post(
        &format!("/api/v1/contacts/{ana}/notes"),
        json!({"body": "Prefiere que la llamen a la tarde"}),
    )
    .await
    .expect(201);
    s.create(
        "deals",
        json!({"name": "Harina 2027", "account_id": account, "contact_ids": [ana],
               "amount": {"amount": "150000", "currency": "ARS"}}),
    )
    .await;
    s.patch(
        &format!("/api/v1/accounts/{account}"),
        json!({"billing_address": {"postal_code": "5000"}}),
    )
    .await
    .expect(200);
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;

    let p = get(&s, &format!("/accounts/{account}"), &cookie).await;
    assert_eq!(p.status, 200);
    let t = &p.text;
    assert!(
        t.contains("Av. Colón 1234, Córdoba, Córdoba, 5000, Argentina"),
        "{t}"
    );
    // Attributes are HTML-escaped (`/` as `&#x2f;`).
    let t = &t.replace("&#x2f;", "/");
    assert!(
        t.contains("https://www.openstreetmap.org/search?query=Av.+Col"),
        "{t}"
    );
    assert!(t.contains("https://molinos.example.com"));
    assert!(t.contains("Compra harina a granel."));
    assert!(t.contains("Rubro fiscal") && t.contains("Responsable inscripto"));
    assert!(
        t.contains("En negociación") && t.contains("150.000,00 ARS"),
        "{t}"
    );
    assert!(t.contains(&format!("/deals/new?account_id={account}")));
    // The note is on Ana: the timeline says so, and names the changed field in Spanish.
    assert!(
        t.contains("sobre") && t.contains(&format!("/contacts/{ana}")),
        "{t}"
    );
    assert!(t.contains("Código postal"), "{t}");
    assert!(!t.contains("postal_code"), "{t}");

    // The contact's page lists the deals she is in.
    let c = get(&s, &format!("/contacts/{ana}"), &cookie).await;
    assert!(c.text.contains("Harina 2027"), "{}", c.text);

    // The edit form has the address, the description, the owner and the custom field.
    let edit = get(&s, &format!("/accounts/{account}/edit"), &cookie).await;
    for needle in [
        r#"name="street""#,
        r#"name="postal_code""#,
        r#"name="description""#,
        r#"name="owner_id""#,
        r#"name="custom__rubro_fiscal""#,
    ] {
        assert!(edit.text.contains(needle), "{needle}");
    }
    let version = s
        .get(&format!("/api/v1/accounts/{account}"))
        .await
        .expect(200)
        .body["version"]
        .to_string();
    let saved = page(
        &s,
        Method::POST,
        &format!("/accounts/{account}/edit"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("version", &version),
            ("name", "Molinos del Sur"),
            ("kind", "customer"),
            ("street", "Bv. San Juan 50"),
            ("custom__rubro_fiscal", "Monotributo"),
        ]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let a = s
        .get(&format!("/api/v1/accounts/{account}"))
        .await
        .expect(200)
        .body;
    assert_eq!(a["billing_address"]["street"], "Bv. San Juan 50");
    assert_eq!(a["custom"]["rubro_fiscal"], "Monotributo");
    assert_eq!(
        a["billing_address"]["city"], "Córdoba",
        "fields not on the post stay"
    );

    // The record picker finds the account without its accents, and nothing for noise.
    let hits = get(&s, "/pick/accounts?q=molinos", &cookie).await;
    assert!(
        hits.text.contains(&format!(r#"data-id="{account}""#)),
        "{}",
        hits.text
    );
    let none = get(&s, "/pick/accounts?q=zzzz", &cookie).await;
    assert!(none.text.contains("Nada coincide"), "{}", none.text);
    assert_eq!(get(&s, "/pick/orders?q=x", &cookie).await.status, 404);
}

both!(my_day_shows_the_week_and_the_team);

/// A rep's My day lists the deals closing this week (a late one flagged); the manager's
/// shows the team: its open pipeline, who logged nothing this week, its overdue tasks.
async fn my_day_shows_the_week_and_the_team(s: TestServer) {
    let (ana_id, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (beto_id, _) = s.member("beto@test.example.com", "sales_rep").await;
    let (mara_id, _) = s.member("mara@test.example.com", "manager").await;
    for (id, name) in [
        (ana_id, "Ana Paz"),
        (beto_id, "Beto Ruiz"),
        (mara_id, "Mara Gil"),
    ] {
        s.patch(&format!("/api/v1/users/{id}"), json!({"name": name}))
            .await
            .expect(200);
    }
    s.post(
        "/api/v1/teams",
        json!({"name": "Norte", "manager_id": mara_id, "member_ids": [ana_id, beto_id]}),
    )
    .await
    .expect(201);
    let today = chrono::Utc::now().date_naive();
    let account = s
        .create_as(&ana, "accounts", json!({"name": "Cuenta de Ana"}))
        .await;
    s.create_as(
        &ana,
        "deals",
        json!({"name": "Cierra hoy", "account_id": account, "expected_close_date": today.to_string(),
               "amount": {"amount": "1500", "currency": "ARS"}}),
    )
    .await;
    s.create_as(
        &ana,
        "deals",
        json!({"name": "Cierra el año que viene", "account_id": account,
               "expected_close_date": (today + chrono::Days::new(400)).to_string()}),
    )
    .await;
    s.create_as(
        &ana,
        "activities",
        json!({"kind": "call", "subject": "Llamar a Cuenta de Ana",
               "due_date": (today - chrono::Days::new(3)).to_string()}),
    )
    .await;

    let (cookie, _) = s.browser_login("ana@test.example.com", PASSWORD).await;
    let day = get(&s, "/my-day", &cookie).await;
    assert_eq!(day.status, 200);
    assert!(
        day.text.contains("Oportunidades que cierran esta semana"),
        "{}",
        day.text
    );
    assert!(day.text.contains("Cierra hoy"));
    assert!(!day.text.contains("Cierra el año que viene"));
    assert!(!day.text.contains("Tu equipo"), "a rep oversees no one");

    let (cookie, _) = s.browser_login("mara@test.example.com", PASSWORD).await;
    let day = get(&s, "/my-day", &cookie).await;
    assert!(day.text.contains("Tu equipo"), "{}", day.text);
    assert!(
        day.text.contains("2 oportunidades abiertas en el equipo"),
        "{}",
        day.text
    );
    assert!(day.text.contains("1.500,00 ARS"));
    // Beto logged nothing this week; Ana did (her call).
    let idle = day
        .text
        .split("Sin actividad registrada esta semana")
        .nth(1)
        .unwrap_or("");
    let idle = idle.split("Tareas atrasadas").next().unwrap_or("");
    assert!(idle.contains("Beto Ruiz"), "{idle}");
    assert!(!idle.contains("Ana Paz"), "{idle}");
    assert!(
        day.text.contains("Llamar a Cuenta de Ana"),
        "the team's overdue task"
    );
}

both!(sending_a_quote_without_company_data_warns);

/// Before the first quote goes out signed "Cartera", its page says the company's data is
/// missing (and where an admin sets it); once set, the warning is gone.
async fn sending_a_quote_without_company_data_warns(s: TestServer) {
    let account = s
        .create("accounts", json!({"name": "Ferretería Sin Datos"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = s
        .create(
            "quotes",
            json!({"account_id": account, "currency": "ARS", "lines": [
                {"description": "Instalación", "quantity": "1",
                 "unit_price": {"amount": "100", "currency": "ARS"}, "tax_rate": "21"}]}),
        )
        .await;
    let id = q["id"].as_str().unwrap().to_owned();
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let before = get(&s, &format!("/quotes/{id}"), &cookie).await;
    assert!(
        before.text.contains(r#"id="no-company""#),
        "{}",
        before.text
    );
    assert!(before.text.contains("Cargar los datos de la empresa"));
    s.patch(
        "/api/v1/settings",
        json!({"company": {"name": "Distribuidora Norte S.R.L."}}),
    )
    .await
    .expect(200);
    let after = get(&s, &format!("/quotes/{id}"), &cookie).await;
    assert!(!after.text.contains(r#"id="no-company""#));
    assert!(after.text.contains("Distribuidora Norte S.R.L."));
}

both!(timeline_spells_out_states_and_stages);

/// A deal's move and a lead's progress read as words on the timeline: "Etapa:
/// Calificación → Propuesta", "Estado: Nuevo → Contactado", never ids or `contacted`.
async fn timeline_spells_out_states_and_stages(s: TestServer) {
    let pipeline = default_pipeline(&s).await;
    let account = s
        .create("accounts", json!({"name": "Molinos del Sur"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deal = s
        .create(
            "deals",
            json!({"name": "Harina 2027", "account_id": account,
                   "amount": {"amount": "1000", "currency": "ARS"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post(
        &format!("/api/v1/deals/{deal}/move"),
        json!({"stage_id": stage(&pipeline, "Propuesta")}),
    )
    .await
    .expect(200);
    let lead = s
        .create("leads", json!({"first_name": "Luis", "last_name": "Paz"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.patch(
        &format!("/api/v1/leads/{lead}"),
        json!({"status": "contacted"}),
    )
    .await
    .expect(200);
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let words = |html: &str| {
        let mut out = String::new();
        let mut tag = false;
        for c in html.chars() {
            match c {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    for path in [format!("/deals/{deal}"), format!("/accounts/{account}")] {
        let t = words(&get(&s, &path, &cookie).await.text);
        assert!(t.contains("Etapa: Calificación → Propuesta"), "{path}: {t}");
        assert!(!t.contains("stage_id"), "{t}");
    }
    let t = words(&get(&s, &format!("/leads/{lead}"), &cookie).await.text);
    assert!(t.contains("Estado: Nuevo → Contactado"), "{t}");
    assert!(!t.contains("contacted"), "{t}");
}
