//! Issue 17: the defects found by trying Cartera from outside (a rep's territory
//! account that vanished, reads without `ETag`, CRLF rows numbered one low, a
//! rejected-rows file that did not import back, one problem per row, a duplicate
//! warning naming a hidden record), and quotes that work by default (the general price
//! list, the list that priced each line, the customer found by typing).

use reqwest::Method;
use serde_json::{Value, json};

use cartera_app::jobs::Worker;

use crate::both;
use crate::support::{RawBody, Resp, TestServer};
use crate::web::{PASSWORD, get, page};

both!(
    reads_of_quotes_orders_products_and_price_lists_send_the_etag_patch_takes,
    crlf_rows_are_numbered_as_their_lines,
    rejected_rows_import_back_unchanged,
    a_rejected_row_names_every_problem,
    a_duplicate_outside_the_view_is_not_named,
    a_rep_keeps_the_account_they_create_in_a_territory,
    territory_rules_place_api_creates_without_owner_and_the_creator_keeps_sight,
    the_territory_owner_wins_when_the_admin_says_so,
    a_customer_without_its_own_list_is_priced_from_the_general_list,
    the_quote_editor_finds_the_customer_by_typing,
);

fn ars(amount: &str) -> Value {
    json!({"amount": amount, "currency": "ARS"})
}

async fn patch_if(s: &TestServer, path: &str, tag: &str, body: Value) -> Resp {
    s.send(
        Method::PATCH,
        path,
        Some(&s.token),
        &[("if-match", tag)],
        Some(RawBody::Json(body)),
    )
    .await
}

async fn reads_of_quotes_orders_products_and_price_lists_send_the_etag_patch_takes(s: TestServer) {
    let account = s
        .create("accounts", json!({"name": "Molinos del Sur"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let product = s
        .create(
            "products",
            json!({"sku": "HAR-1", "name": "Harina", "tax_rate": "21", "unit": "u"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = s
        .create(
            "price_lists",
            json!({"name": "General", "currency": "ARS",
                   "items": [{"product_id": product, "price": ars("100")}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line =
        json!({"description": "Flete", "quantity": "1", "unit_price": ars("50"), "tax_rate": "21"});
    let quote = s
        .create("quotes", json!({"account_id": account, "lines": [line]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = s
        .create("orders", json!({"account_id": account, "lines": [line]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for path in [
        format!("/api/v1/quotes/{quote}"),
        format!("/api/v1/orders/{order}"),
        format!("/api/v1/products/{product}"),
        format!("/api/v1/price_lists/{list}"),
    ] {
        let got = s.get(&path).await.expect(200);
        assert_eq!(got.header("etag"), Some("\"1\""), "{path}");
    }
    // The ETag read is what PATCH takes; a stale one is refused.
    for (path, body) in [
        (
            format!("/api/v1/quotes/{quote}"),
            json!({"notes": "Entrega en planta"}),
        ),
        (
            format!("/api/v1/products/{product}"),
            json!({"name": "Harina 000"}),
        ),
        (
            format!("/api/v1/price_lists/{list}"),
            json!({"name": "General 2027"}),
        ),
    ] {
        let tag = s
            .get(&path)
            .await
            .expect(200)
            .header("etag")
            .unwrap()
            .to_owned();
        let changed = patch_if(&s, &path, &tag, body.clone()).await.expect(200);
        assert_eq!(changed.header("etag"), Some("\"2\""), "{path}");
        assert_eq!(s.get(&path).await.header("etag"), Some("\"2\""), "{path}");
        patch_if(&s, &path, &tag, body).await.problem(412, "");
    }
}

async fn upload_csv(s: &TestServer, kind: &str, name: &str, bytes: Vec<u8>) -> String {
    upload_file(s, &format!("kind={kind}&file_name={name}"), bytes).await
}

async fn upload_file(s: &TestServer, query: &str, bytes: Vec<u8>) -> String {
    let res = s
        .client
        .post(format!("{}/api/v1/imports?{query}", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().await.unwrap();
    body["import"]["id"].as_str().unwrap().to_owned()
}

/// Starts an import, runs the job queue; returns its rows.
async fn run(s: &TestServer, id: &str, start: Value) -> Vec<Value> {
    s.post(&format!("/api/v1/imports/{id}/start"), start)
        .await
        .expect(202);
    let worker = Worker::standard("test");
    assert!(worker.run_due(&s.app).await.unwrap() >= 1);
    s.all_pages(&format!("/api/v1/imports/{id}/rows")).await
}

async fn rejected_xlsx(s: &TestServer, id: &str) -> Vec<u8> {
    let res = s
        .client
        .get(format!("{}/api/v1/imports/{id}/rejected", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.bytes().await.unwrap().to_vec()
}

fn numbers_and_outcomes(rows: &[Value]) -> Vec<(i64, String)> {
    rows.iter()
        .map(|r| {
            (
                r["row_number"].as_i64().unwrap(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn crlf_rows_are_numbered_as_their_lines(s: TestServer) {
    // As Excel on Windows saves it: CRLF line ends, one row spanning two lines.
    let csv = "Nombre,Apellido,Email\r\nAna,García,ana@example.com\r\nBeto,Paz,no-es-un-email\r\n\"Carla\r\nInés\",Díaz,carla@example.com\r\nDora,Sosa,tampoco\r\n";
    let id = upload_csv(&s, "contacts", "contactos.csv", csv.as_bytes().to_vec()).await;
    let rows = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(
        numbers_and_outcomes(&rows),
        [
            (2, "created".to_owned()),
            (3, "rejected".to_owned()),
            (4, "created".to_owned()),
            (6, "rejected".to_owned()),
        ],
        "{}",
        json!(rows)
    );
    // The rejected-rows file says the same numbers.
    let bytes = rejected_xlsx(&s, &id).await;
    let cells = sheet_cells(bytes);
    assert_eq!(cells[1][0], "3");
    assert_eq!(cells[2][0], "6");
}

fn sheet_cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn rejected_rows_import_back_unchanged(s: TestServer) {
    let csv = "Nombre,Apellido,Email,Teléfono\nAna,García,no-es-un-email,+54 11 5555-0000\n";
    let id = upload_csv(&s, "contacts", "contactos.csv", csv.as_bytes().to_vec()).await;
    let rows = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(rows[0]["outcome"], "rejected");
    let file = rejected_xlsx(&s, &id).await;
    let cells = sheet_cells(file.clone());
    assert_eq!(cells[1][4], "+54 11 5555-0000", "{cells:?}");

    // The file as downloaded, nothing fixed: the same email problem, and no other.
    let again = upload_file(&s, "kind=contacts&file_name=contactos-rejected.xlsx", file).await;
    let rows = run(&s, &again, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(rows[0]["outcome"], "rejected", "{}", json!(rows));
    let problems = rows[0]["problems"].as_array().unwrap();
    assert!(
        problems.iter().all(|p| p["column"] == "Email"),
        "{}",
        json!(rows)
    );

    // A phone behind a spreadsheet's formula guard (older exports wrote one) imports
    // as the number.
    use cartera_core::io::{Cell, Sheet, XlsxSheet};
    let mut sheet = XlsxSheet::new(&["Nombre".into(), "Apellido".into(), "Teléfono".into()]);
    sheet
        .push(&[vec![
            Cell::Text("Beto".into()),
            Cell::Text("Paz".into()),
            Cell::Text("'+54 11 5555-0000".into()),
        ]])
        .unwrap();
    let guarded = upload_file(
        &s,
        "kind=contacts&file_name=guardado.xlsx",
        sheet.finish().unwrap(),
    )
    .await;
    let rows = run(&s, &guarded, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(rows[0]["outcome"], "created", "{}", json!(rows));
    let contact = s
        .get(&format!(
            "/api/v1/contacts/{}",
            rows[0]["record_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(contact.body["phones"][0]["number"], "+54 11 5555-0000");
}

async fn a_rejected_row_names_every_problem(s: TestServer) {
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "contact", "key": "alta", "label": "Alta", "field_type": "date"}),
    )
    .await
    .expect(201);
    // A date that is no date, and an email that is no email: both named.
    let csv = "Nombre,Apellido,Email,Alta\nAna,García,no-es-un-email,31/02/2026\n";
    let id = upload_csv(&s, "contacts", "contactos.csv", csv.as_bytes().to_vec()).await;
    let rows = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(rows[0]["outcome"], "rejected");
    let mut columns: Vec<String> = rows[0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["column"].as_str().unwrap().to_owned())
        .collect();
    columns.sort();
    assert_eq!(columns, ["Alta", "Email"], "{}", json!(rows));
    // Nothing was written.
    let listed = s.get("/api/v1/contacts").await.expect(200);
    assert_eq!(listed.body["data"], json!([]));
}

async fn a_duplicate_outside_the_view_is_not_named(s: TestServer) {
    let (_, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let anas = s
        .create_as(
            &ana,
            "accounts",
            json!({"name": "Aceitera Sur", "tax_id": "30-71234567-1", "billing_address": {"country": "AR"}}),
        )
        .await;
    let dup = s
        .call(
            &beto,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({"name": "Aceitera del Sur", "tax_id": "30-71234567-1", "billing_address": {"country": "AR"}})),
        )
        .await
        .problem(409, "tax_id");
    let text = dup.body.to_string();
    assert!(!text.contains(&anas), "{text}");
    assert!(!text.contains("Aceitera Sur"), "{text}");
    assert!(
        dup.body["detail"]
            .as_str()
            .unwrap()
            .contains("outside your view")
    );
    // The same on the page: the warning, no link or merge button to the hidden record.
    let (cookie, csrf) = s.browser_login("beto@test.example.com", PASSWORD).await;
    let form = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Aceitera del Sur"),
            ("kind", "customer"),
            ("country", "AR"),
            ("tax_id", "30-71234567-1"),
        ]),
    )
    .await;
    assert_eq!(form.status, 409);
    assert!(form.text.contains("duplicate-warning"));
    assert!(!form.text.contains(&anas), "{}", form.text);
}

async fn territory(s: &TestServer, name: &str, owner: cartera_core::Id) -> String {
    s.post(
        "/api/v1/territories",
        json!({"name": name, "owner_id": owner, "rules": {"countries": ["AR"]}}),
    )
    .await
    .expect(201)
    .id()
}

async fn a_rep_keeps_the_account_they_create_in_a_territory(s: TestServer) {
    let (ana, _) = s.member("ana@test.example.com", "sales_rep").await;
    let (rita, _) = s.member("rita@test.example.com", "sales_rep").await;
    let argentina = territory(&s, "Argentina", ana).await;
    let (cookie, csrf) = s.browser_login("rita@test.example.com", PASSWORD).await;
    // The form shows the owner: Rita herself, and only her (a rep sees only her own).
    let form = get(&s, "/accounts/new", &cookie).await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains(r#"name="owner_id""#), "{}", form.text);
    assert!(form.text.contains(&rita.to_string()), "{}", form.text);
    assert!(!form.text.contains(&ana.to_string()), "{}", form.text);
    let made = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Panadería La Espiga"),
            ("kind", "customer"),
            ("country", "AR"),
            ("owner_id", &rita.to_string()),
        ]),
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    let shown = get(&s, &at, &cookie).await;
    assert_eq!(shown.status, 200, "{at}");
    assert!(shown.text.contains("Panadería La Espiga"));
    let id = at.trim_start_matches("/accounts/");
    let got = s.get(&format!("/api/v1/accounts/{id}")).await.expect(200);
    assert_eq!(got.body["owner_id"], rita.to_string());
    assert_eq!(got.body["territory_id"], argentina.as_str());
    // A lead made on its form is hers too.
    let lead = page(
        &s,
        Method::POST,
        "/leads/new",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("first_name", "Lucía"),
            ("last_name", "Paz"),
            ("status", "new"),
            ("country", "AR"),
        ]),
    )
    .await;
    assert_eq!(lead.status, 303, "{}", lead.text);
    let at = lead.location.unwrap();
    assert_eq!(get(&s, &at, &cookie).await.status, 200, "{at}");
}

async fn territory_rules_place_api_creates_without_owner_and_the_creator_keeps_sight(
    s: TestServer,
) {
    let (ana, _) = s.member("ana@test.example.com", "sales_rep").await;
    let (_, rita) = s.member("rita@test.example.com", "sales_rep").await;
    territory(&s, "Argentina", ana).await;
    // No owner named: a record nobody placed, so the territory's owner gets it; its
    // creator still sees it.
    let made = s
        .call(
            &rita,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({"name": "Molino Harinero", "billing_address": {"country": "AR"}})),
        )
        .await
        .expect(201);
    assert_eq!(made.body["owner_id"], ana.to_string());
    let id = made.id();
    s.call(&rita, Method::GET, &format!("/api/v1/accounts/{id}"), None)
        .await
        .expect(200);
    let shares = s
        .get(&format!("/api/v1/accounts/{id}/shares"))
        .await
        .expect(200);
    assert_eq!(
        shares.body["data"].as_array().unwrap().len(),
        1,
        "{}",
        shares.body
    );
}

async fn the_territory_owner_wins_when_the_admin_says_so(s: TestServer) {
    let (ana, _) = s.member("ana@test.example.com", "sales_rep").await;
    let (rita, rita_token) = s.member("rita@test.example.com", "sales_rep").await;
    territory(&s, "Argentina", ana).await;
    // Only an admin chooses it.
    s.call(
        &rita_token,
        Method::PATCH,
        "/api/v1/settings",
        Some(json!({"territory_owner_wins": true})),
    )
    .await
    .problem(403, "");
    let set = s
        .patch("/api/v1/settings", json!({"territory_owner_wins": true}))
        .await
        .expect(200);
    assert_eq!(set.body["territory_owner_wins"], true);

    // The API: even a named owner gives way to the territory's.
    let named = s
        .call(
            &rita_token,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({"name": "Granja Sur", "owner_id": rita, "billing_address": {"country": "AR"}})),
        )
        .await
        .expect(201);
    assert_eq!(named.body["owner_id"], ana.to_string());

    // The page: the save lands on the account (not a 404), which says who got it.
    let (cookie, csrf) = s.browser_login("rita@test.example.com", PASSWORD).await;
    let made = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Panadería La Espiga"),
            ("kind", "customer"),
            ("country", "AR"),
            ("owner_id", &rita.to_string()),
        ]),
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    assert!(at.ends_with("?placed=1"), "{at}");
    let shown = get(&s, &at, &cookie).await;
    assert_eq!(shown.status, 200, "{at}");
    assert!(
        shown.text.contains(r#"id="placed-notice""#),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("Test User"), "{}", shown.text);

    // The admin makes the choice on the territories page too.
    let (admin, admin_csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let territories = get(&s, "/admin/territories", &admin).await;
    assert!(territories.text.contains(r#"id="placement""#));
    let saved = page(
        &s,
        Method::POST,
        "/admin/territory-placement",
        Some(&admin),
        &[],
        Some(&[("csrf_token", &admin_csrf), ("owner_wins", "false")]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let now = s.get("/api/v1/settings").await.expect(200);
    assert_eq!(now.body["territory_owner_wins"], false);
}

async fn a_customer_without_its_own_list_is_priced_from_the_general_list(s: TestServer) {
    let bakery = s
        .create("accounts", json!({"name": "Panadería Núñez"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mill = s.create("accounts", json!({"name": "Molino Sur"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let product = |sku: &str| json!({"sku": sku, "name": sku, "tax_rate": "21", "unit": "u"});
    let flour = s.create("products", product("HAR-000")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let yeast = s.create("products", product("LEV-1")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A general list in dollars (another currency) and one in pesos; an old one expired.
    s.create(
        "price_lists",
        json!({"name": "General USD", "currency": "USD",
               "items": [{"product_id": flour, "price": {"amount": "9", "currency": "USD"}}]}),
    )
    .await;
    s.create(
        "price_lists",
        json!({"name": "General 2020", "currency": "ARS", "valid_to": "2020-12-31",
               "items": [{"product_id": flour, "price": ars("1")}]}),
    )
    .await;
    let general = s
        .create(
            "price_lists",
            json!({"name": "General", "currency": "ARS",
                   "items": [{"product_id": flour, "price": ars("15000")},
                             {"product_id": yeast, "price": ars("800")}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = s
        .create(
            "price_lists",
            json!({"name": "Molino Sur", "currency": "ARS", "account_id": mill,
                   "items": [{"product_id": flour, "price": ars("14000")}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // No list of its own: the general list in the quote's currency, valid today.
    let q = s
        .post(
            "/api/v1/quotes",
            json!({"account_id": bakery, "currency": "ARS",
                   "lines": [{"product_id": flour, "quantity": "2"}]}),
        )
        .await
        .expect(201);
    assert_eq!(q.body["price_list_id"], general.as_str());
    assert_eq!(q.body["lines"][0]["unit_price"], ars("15000"));
    assert_eq!(q.body["lines"][0]["price_list_id"], general.as_str());
    // Its own list first; what the own list lacks comes from the general list; a price
    // typed on the line names no list.
    let q = s
        .post(
            "/api/v1/quotes",
            json!({"account_id": mill, "lines": [
                {"product_id": flour, "quantity": "1"},
                {"product_id": yeast, "quantity": "1"},
                {"description": "Flete", "quantity": "1", "unit_price": ars("500"), "tax_rate": "21"}]}),
        )
        .await
        .expect(201);
    assert_eq!(q.body["price_list_id"], own.as_str());
    assert_eq!(q.body["lines"][0]["price_list_id"], own.as_str());
    assert_eq!(q.body["lines"][1]["price_list_id"], general.as_str());
    assert_eq!(q.body["lines"][1]["unit_price"], ars("800"));
    assert!(q.body["lines"][2].get("price_list_id").is_none());
    // A revision reprices the same way.
    let id = q.id();
    let revised = patch_if(
        &s,
        &format!("/api/v1/quotes/{id}"),
        "\"1\"",
        json!({"lines": [{"product_id": yeast, "quantity": "3"}]}),
    )
    .await
    .expect(200);
    assert_eq!(revised.body["lines"][0]["price_list_id"], general.as_str());
    // Without a list that prices it, the clear error stays.
    let none = s.create("products", product("SAL-1")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post(
        "/api/v1/quotes",
        json!({"account_id": bakery, "lines": [{"product_id": none, "quantity": "1"}]}),
    )
    .await
    .problem(422, "lines[0].unit_price");

    // The quote's page names the list on its line.
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let shown = get(&s, &format!("/quotes/{id}"), &cookie).await;
    assert_eq!(shown.status, 200);
    assert!(
        shown.text.contains("Precio según General"),
        "{}",
        shown.text
    );
}

async fn the_quote_editor_finds_the_customer_by_typing(s: TestServer) {
    for i in 0..30 {
        s.create("accounts", json!({"name": format!("Panificadora {i:02}")}))
            .await;
    }
    let bakery = s
        .create("accounts", json!({"name": "Panadería Núñez"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    // The editor no longer lists every account.
    let editor = get(&s, "/quotes/new", &cookie).await;
    assert_eq!(editor.status, 200);
    assert!(editor.text.contains(r#"id="f-account_q""#));
    assert!(!editor.text.contains("Panificadora 07"), "{}", editor.text);
    let found = |q: &str| {
        let path = format!("/pick/accounts?q={q}");
        let cookie = cookie.clone();
        let s = &s;
        async move {
            page(
                s,
                Method::GET,
                &path,
                Some(&cookie),
                &[("hx-request", "true")],
                None,
            )
            .await
        }
    };
    let hits = found("panaderia%20nunez").await;
    assert_eq!(hits.status, 200);
    assert!(
        hits.text.contains(&format!(r#"data-id="{bakery}""#)),
        "{}",
        hits.text
    );
    assert!(hits.text.contains("Panadería Núñez"));
    let many = found("panificadora").await;
    assert_eq!(many.text.matches("data-id=").count(), 10, "{}", many.text);
    let none = found("zapateria").await;
    assert!(none.text.contains("Nada coincide"), "{}", none.text);
}
