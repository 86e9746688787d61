//! Saved views of the lists: the JSON API (create, list, read, rename, delete), their
//! checks (name, columns, the query re-read with the list grammar), that they are per
//! user, and the list page showing a view's columns, on SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(
    contact_and_lead_views_show_their_own_columns,
    views_are_saved_renamed_and_deleted,
    bad_views_are_refused_naming_the_part,
    a_reps_views_are_their_own,
    the_list_page_shows_a_views_columns_and_saves_views
);

const PASSWORD: &str = "una clave bien larga";

async fn views_are_saved_renamed_and_deleted(s: TestServer) {
    let created = s
        .post(
            "/api/v1/saved_views",
            json!({"kind": "accounts", "name": "  Clientes de Córdoba ",
                   "query": "filter[kind]=customer&filter[billing_address.province]=Córdoba&sort=name",
                   "columns": ["name", "tax_id", "province"]}),
        )
        .await
        .expect(201);
    let id = created.id();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/saved_views/{id}").as_str())
    );
    assert_eq!(created.body["name"], "Clientes de Córdoba");
    assert_eq!(
        created.body["columns"],
        json!(["name", "tax_id", "province"])
    );
    assert_eq!(created.body["shared"], false);
    assert_eq!(created.body["version"], 1);

    // Without columns, the kind's usual ones.
    let usual = s
        .post(
            "/api/v1/saved_views",
            json!({"kind": "leads", "name": "Todos"}),
        )
        .await
        .expect(201);
    assert_eq!(
        usual.body["columns"],
        json!(["name", "company", "status", "owner", "updated"])
    );

    let all = s.get("/api/v1/saved_views").await.expect(200);
    assert_eq!(all.names(), ["Clientes de Córdoba", "Todos"]);
    let accounts = s.get("/api/v1/saved_views?kind=accounts").await.expect(200);
    assert_eq!(accounts.names(), ["Clientes de Córdoba"]);
    s.get("/api/v1/saved_views?kind=deals")
        .await
        .problem(400, "kind");
    s.get("/api/v1/saved_views?colour=red")
        .await
        .problem(400, "colour");

    let read = s
        .get(&format!("/api/v1/saved_views/{id}"))
        .await
        .expect(200);
    assert_eq!(read.header("etag"), Some("\"1\""));

    let renamed = s
        .patch(
            &format!("/api/v1/saved_views/{id}"),
            json!({"name": "Córdoba", "columns": ["name", "city"]}),
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["name"], "Córdoba");
    assert_eq!(renamed.body["version"], 2);
    // A stale change is refused.
    let stale = s
        .send(
            Method::PATCH,
            &format!("/api/v1/saved_views/{id}"),
            Some(&s.token),
            &[("if-match", "\"1\"")],
            Some(crate::support::RawBody::Json(json!({"name": "Otra"}))),
        )
        .await;
    assert_eq!(stale.status.as_u16(), 412, "{}", stale.body);

    s.delete(&format!("/api/v1/saved_views/{id}"))
        .await
        .expect(204);
    s.get(&format!("/api/v1/saved_views/{id}"))
        .await
        .problem(404, "");
    s.delete(&format!("/api/v1/saved_views/{id}"))
        .await
        .problem(404, "");
    assert_eq!(
        s.get("/api/v1/saved_views").await.expect(200).names(),
        ["Todos"]
    );
}

async fn bad_views_are_refused_naming_the_part(s: TestServer) {
    let post = |body| s.post("/api/v1/saved_views", body);
    post(json!({"kind": "accounts", "name": "Raros", "query": "filter[colour]=red"}))
        .await
        .problem(422, "query.filter[colour]");
    post(json!({"kind": "accounts", "name": "Raros", "query": "sort=colour"}))
        .await
        .problem(422, "query.sort");
    post(json!({"kind": "accounts", "name": "Raros", "query": "filter[kind]=martian"}))
        .await
        .problem(422, "query.filter[kind]");
    post(json!({"kind": "accounts", "name": "Raros", "query": "limit=10"}))
        .await
        .problem(422, "query.limit");
    post(json!({"kind": "accounts", "name": "Raros", "columns": ["name", "colour"]}))
        .await
        .problem(422, "columns[1]");
    post(json!({"kind": "accounts", "name": "Raros", "columns": []}))
        .await
        .problem(422, "columns");
    post(json!({"kind": "deals", "name": "Raros"}))
        .await
        .problem(422, "kind");
    post(json!({"kind": "accounts", "name": "  "}))
        .await
        .problem(422, "name");
    post(json!({"kind": "accounts", "name": "Raros", "colour": "red"}))
        .await
        .problem(422, "colour");

    post(json!({"kind": "contacts", "name": "Compras", "query": "q=compras"}))
        .await
        .expect(201);
    // Unique per user and kind, case aside; the same name on another kind is fine.
    post(json!({"kind": "contacts", "name": "COMPRAS"}))
        .await
        .problem(422, "name");
    let leads = post(json!({"kind": "leads", "name": "Compras"}))
        .await
        .expect(201);
    s.patch(
        &format!("/api/v1/saved_views/{}", leads.id()),
        json!({"query": "filter[nope]=1"}),
    )
    .await
    .problem(422, "query.filter[nope]");
}

async fn a_reps_views_are_their_own(s: TestServer) {
    let (_, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let mine = s
        .create_as(
            &ana,
            "saved_views",
            json!({"kind": "accounts", "name": "Mis clientes", "query": "filter[kind]=customer"}),
        )
        .await;
    let shared = s
        .create_as(
            &ana,
            "saved_views",
            json!({"kind": "accounts", "name": "Para todos", "shared": true}),
        )
        .await;
    // Beto may use the same name: names are per user.
    s.call(
        &beto,
        Method::POST,
        "/api/v1/saved_views",
        Some(json!({"kind": "accounts", "name": "Mis clientes"})),
    )
    .await
    .expect(201);

    let betos = s
        .call(&beto, Method::GET, "/api/v1/saved_views", None)
        .await
        .expect(200);
    assert_eq!(betos.names(), ["Mis clientes", "Para todos"]);
    assert!(
        betos.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["id"] != mine.as_str())
    );
    let path = format!("/api/v1/saved_views/{mine}");
    s.call(&beto, Method::GET, &path, None)
        .await
        .problem(404, "");
    s.call(&beto, Method::PATCH, &path, Some(json!({"name": "Robada"})))
        .await
        .problem(404, "");
    s.call(&beto, Method::DELETE, &path, None)
        .await
        .problem(404, "");
    // A shared view opens for everyone, but only its owner changes it.
    let path = format!("/api/v1/saved_views/{shared}");
    s.call(&beto, Method::GET, &path, None).await.expect(200);
    s.call(&beto, Method::PATCH, &path, Some(json!({"name": "Mía"})))
        .await
        .problem(403, "");
    s.call(&beto, Method::DELETE, &path, None)
        .await
        .problem(403, "");
    s.call(
        &ana,
        Method::GET,
        &format!("/api/v1/saved_views/{mine}"),
        None,
    )
    .await
    .expect(200);
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    text: String,
}

/// A browser that does not follow redirects.
async fn page(s: &TestServer, path: &str, cookie: &str, form: Option<&[(&str, &str)]>) -> Page {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let method = if form.is_some() {
        Method::POST
    } else {
        Method::GET
    };
    let mut req = client
        .request(method, format!("{}{path}", s.base))
        .header("cookie", cookie);
    if let Some(fields) = form {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter())
            .finish();
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
    }
    let res = req.send().await.unwrap();
    Page {
        status: res.status(),
        location: res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        text: res.text().await.unwrap(),
    }
}

/// The text of a page's table header.
fn header_row(html: &str) -> String {
    let start = html.find("<thead>").expect("a table");
    let end = html[start..].find("</thead>").unwrap() + start;
    html[start..end].to_owned()
}

async fn the_list_page_shows_a_views_columns_and_saves_views(s: TestServer) {
    s.create(
        "accounts",
        json!({"name": "Agro Pampa", "kind": "customer", "tax_id": "30-71234567-1",
               "billing_address": {"province": "Córdoba", "country": "AR"}}),
    )
    .await;
    s.create(
        "accounts",
        json!({"name": "Molinos Sur", "kind": "prospect",
               "billing_address": {"province": "Santa Fe", "country": "AR"}}),
    )
    .await;
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let view = s
        .post(
            "/api/v1/saved_views",
            json!({"kind": "accounts", "name": "Clientes", "query": "filter[kind]=customer",
                   "columns": ["name", "tax_id", "province"]}),
        )
        .await
        .expect(201)
        .id();

    let list = page(&s, "/accounts", &cookie, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    // The usual columns, and the view in the list of views.
    assert!(header_row(&list.text).contains("Ciudad"), "{}", list.text);
    assert!(list.text.contains(&format!("?view={view}")));
    assert!(list.text.contains("Clientes"));

    let opened = page(&s, &format!("/accounts?view={view}"), &cookie, None).await;
    assert_eq!(opened.status, 200);
    let head = header_row(&opened.text);
    assert!(
        head.contains("CUIT") || head.contains("Id. fiscal"),
        "{head}"
    );
    assert!(head.contains("Provincia"), "{head}");
    assert!(!head.contains("Ciudad"), "{head}");
    assert!(opened.text.contains("Agro Pampa"));
    assert!(opened.text.contains("30-71234567-1"));
    // The view's filter applies: a prospect is not a customer.
    assert!(!opened.text.contains("Molinos Sur"));

    // Another user's view does not open.
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let betos = s
        .create_as(
            &beto,
            "saved_views",
            json!({"kind": "accounts", "name": "De Beto"}),
        )
        .await;
    let foreign = page(&s, &format!("/accounts?view={betos}"), &cookie, None).await;
    assert_eq!(foreign.status, 404);

    // Saving from the page: the current filters and the chosen columns.
    let saved = page(
        &s,
        "/accounts/views",
        &cookie,
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Santafesinos"),
            ("q", ""),
            ("filter", "prospect"),
            ("tag", ""),
            ("sort", "name"),
            ("columns", "name"),
            ("columns", "country"),
        ]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let to = saved.location.expect("a redirect");
    assert!(to.starts_with("/accounts?view="), "{to}");
    let views = s.get("/api/v1/saved_views?kind=accounts").await.expect(200);
    let new = views.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "Santafesinos")
        .cloned()
        .expect("saved");
    assert_eq!(new["columns"], json!(["name", "country"]));
    assert_eq!(new["query"], "filter[kind]=prospect&sort=name");
    let shown = page(&s, &to, &cookie, None).await;
    assert!(header_row(&shown.text).contains("País"));
    assert!(shown.text.contains("Molinos Sur"));
    assert!(!shown.text.contains("Agro Pampa"));

    // A name already taken is said next to the field, and the choice is kept.
    let again = page(
        &s,
        "/accounts/views",
        &cookie,
        Some(&[
            ("csrf_token", &csrf),
            ("name", "clientes"),
            ("columns", "name"),
        ]),
    )
    .await;
    assert_eq!(again.status, 422);
    assert!(
        again.text.contains("aria-invalid=\"true\""),
        "{}",
        again.text
    );
    assert!(again.text.contains("value=\"clientes\""));

    // Rename, then delete after confirming.
    let id = new["id"].as_str().unwrap();
    let renamed = page(
        &s,
        &format!("/accounts/views/{id}"),
        &cookie,
        Some(&[("csrf_token", &csrf), ("name", "Santa Fe")]),
    )
    .await;
    assert_eq!(renamed.status, 303, "{}", renamed.text);
    let read = s
        .get(&format!("/api/v1/saved_views/{id}"))
        .await
        .expect(200);
    assert_eq!(read.body["name"], "Santa Fe");
    assert_eq!(read.body["columns"], json!(["name", "country"]));
    let deleted = page(
        &s,
        &format!("/accounts/views/{id}/delete"),
        &cookie,
        Some(&[("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!(deleted.status, 303);
    s.get(&format!("/api/v1/saved_views/{id}"))
        .await
        .problem(404, "");
}

async fn contact_and_lead_views_show_their_own_columns(s: TestServer) {
    let account = s.create("accounts", json!({"name": "Agro Pampa"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.create(
        "contacts",
        json!({"first_name": "Lucía", "last_name": "Gómez", "account_id": account,
               "job_title": "Compras"}),
    )
    .await;
    s.create(
        "leads",
        json!({"first_name": "Pablo", "last_name": "Ruiz", "company_name": "Vinos Ruiz",
               "source": "feria"}),
    )
    .await;
    let contacts = s
        .post(
            "/api/v1/saved_views",
            json!({"kind": "contacts", "name": "Con cuenta", "columns": ["name", "account", "owner"]}),
        )
        .await
        .expect(201)
        .id();
    let leads = s
        .post(
            "/api/v1/saved_views",
            json!({"kind": "leads", "name": "Por origen", "query": "sort=source",
                   "columns": ["company", "source", "created"]}),
        )
        .await
        .expect(201)
        .id();
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = page(&s, &format!("/contacts?view={contacts}"), &cookie, None).await;
    assert_eq!(p.status, 200);
    let head = header_row(&p.text);
    assert!(
        head.contains("Cuenta") && head.contains("Responsable"),
        "{head}"
    );
    assert!(!head.contains("Cargo"), "{head}");
    // The account column names the contact's account and links to it.
    assert!(p.text.contains("Agro Pampa"), "{}", p.text);
    assert!(p.text.contains(&account));
    let p = page(&s, &format!("/leads?view={leads}"), &cookie, None).await;
    assert_eq!(p.status, 200);
    let head = header_row(&p.text);
    assert!(head.contains("Origen") && head.contains("Creado"), "{head}");
    assert!(p.text.contains("feria") && p.text.contains("Vinos Ruiz"));
    // A contacts view does not open on the accounts list.
    let wrong = page(&s, &format!("/accounts?view={contacts}"), &cookie, None).await;
    assert_eq!(wrong.status, 404);
}
