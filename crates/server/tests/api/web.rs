//! The web pages, from the outside: login, sessions and CSRF, what each person sees,
//! search, notes and the create form, on SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(
    login_page_and_wrong_password,
    pages_need_a_session,
    changes_need_the_csrf_token,
    reps_see_only_their_accounts,
    search_finds_without_accents,
    search_results_open_their_pages,
    create_form_names_the_wrong_fields_and_warns_of_duplicates
);

pub(crate) const PASSWORD: &str = "una clave bien larga";

pub(crate) struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub text: String,
}

/// A browser that does not follow redirects, so tests see them.
pub(crate) async fn page(
    s: &TestServer,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    form: Option<&[(&str, &str)]>,
) -> Page {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.request(method, format!("{}{path}", s.base));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(fields) = form {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter())
            .finish();
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Page {
        status,
        location,
        text: res.text().await.unwrap(),
    }
}

pub(crate) async fn get(s: &TestServer, path: &str, cookie: &str) -> Page {
    page(s, Method::GET, path, Some(cookie), &[], None).await
}

/// Posts a form as a browser with this session sends it (the fields carry the CSRF token).
pub(crate) async fn post(
    s: &TestServer,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> Page {
    page(s, Method::POST, path, Some(cookie), &[], Some(fields)).await
}

/// Posts a form of a signed-in page: `login` is the session's cookie and CSRF token.
pub(crate) async fn post_signed(
    s: &TestServer,
    path: &str,
    login: &(String, String),
    fields: &[(&str, &str)],
) -> Page {
    let mut all = vec![("csrf_token", login.1.as_str())];
    all.extend_from_slice(fields);
    post(s, path, &login.0, &all).await
}

async fn login_page_and_wrong_password(s: TestServer) {
    let p = page(
        &s,
        Method::GET,
        "/login",
        None,
        &[("accept-language", "en")],
        None,
    )
    .await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains(r#"name="password""#), "{}", p.text);
    assert!(p.text.contains("Log in"));
    // Spanish is the default.
    let p = page(&s, Method::GET, "/login", None, &[], None).await;
    assert!(p.text.contains("Iniciar sesión"));

    cartera_app::auth::set_password(&s.app, "admin@test.example.com", PASSWORD)
        .await
        .unwrap();
    let wrong = page(
        &s,
        Method::POST,
        "/login",
        None,
        &[("accept-language", "en")],
        Some(&[("email", "admin@test.example.com"), ("password", "not it")]),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong
            .text
            .contains("The email or the password is not right"),
        "{}",
        wrong.text
    );
    assert!(wrong.text.contains(r#"value="admin@test.example.com""#));

    let ok = page(
        &s,
        Method::POST,
        "/login",
        None,
        &[],
        Some(&[
            ("email", "admin@test.example.com"),
            ("password", PASSWORD),
            ("next", "/accounts"),
        ]),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(ok.location.as_deref(), Some("/accounts"));

    // A login posted from another site is refused (login CSRF).
    let cross = page(
        &s,
        Method::POST,
        "/login",
        None,
        &[("sec-fetch-site", "cross-site")],
        Some(&[("email", "admin@test.example.com"), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(cross.status, 403);
}

async fn pages_need_a_session(s: TestServer) {
    let p = page(&s, Method::GET, "/my-day", None, &[], None).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login"));
    let p = page(&s, Method::GET, "/accounts?q=x", None, &[], None).await;
    assert_eq!(
        p.location.as_deref(),
        Some("/login?next=%2Faccounts%3Fq%3Dx")
    );
    let p = page(&s, Method::GET, "/", None, &[], None).await;
    assert_eq!(p.location.as_deref(), Some("/login"));
    // A form posted after the session ended cannot be repeated: plain login.
    let p = page(
        &s,
        Method::POST,
        "/accounts",
        None,
        &[],
        Some(&[("name", "x")]),
    )
    .await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login"));
    // htmx is told where to go instead of swapping a login page into a fragment.
    let p = page(
        &s,
        Method::GET,
        "/search?q=a",
        None,
        &[("hx-request", "true")],
        None,
    )
    .await;
    assert_eq!(p.status, 401);

    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = get(&s, "/my-day", &cookie).await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains("Ada"), "{}", p.text);
    // A new company is told what to do first.
    assert!(p.text.contains("/accounts/new"));
    let p = get(&s, "/", &cookie).await;
    assert_eq!(p.location.as_deref(), Some("/my-day"));

    // The JSON API is unchanged: no credentials is a 401 problem, not a redirect.
    let api = page(&s, Method::GET, "/api/v1/accounts", None, &[], None).await;
    assert_eq!(api.status, 401);
}

async fn changes_need_the_csrf_token(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let id = s.create("accounts", json!({"name": "Cuenta"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/accounts/{id}/notes");
    let refused = page(
        &s,
        Method::POST,
        &path,
        Some(&cookie),
        &[],
        Some(&[("body", "sin token")]),
    )
    .await;
    assert_eq!(refused.status, 403);
    let wrong = page(
        &s,
        Method::POST,
        &path,
        Some(&cookie),
        &[],
        Some(&[("body", "token falso"), ("csrf_token", "nope")]),
    )
    .await;
    assert_eq!(wrong.status, 403);
    let ok = page(
        &s,
        Method::POST,
        &path,
        Some(&cookie),
        &[],
        Some(&[("body", "Visitar el lunes"), ("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!(ok.status, 303);
    // htmx sends the token in the header and gets the notes back.
    let hx = page(
        &s,
        Method::POST,
        &path,
        Some(&cookie),
        &[("hx-request", "true"), ("x-csrf-token", &csrf)],
        Some(&[("body", "Llevar muestras")]),
    )
    .await;
    assert_eq!(hx.status, 200);
    assert!(hx.text.contains("Llevar muestras") && hx.text.contains("Visitar el lunes"));
    assert!(!hx.text.contains("<html"), "a fragment, not a page");
    let notes = s
        .get(&format!("/api/v1/accounts/{id}/notes"))
        .await
        .expect(200);
    assert_eq!(notes.body["data"].as_array().unwrap().len(), 2);

    // Logging out needs the token too, and ends the session.
    let out = page(&s, Method::POST, "/logout", Some(&cookie), &[], Some(&[])).await;
    assert_eq!(out.status, 403);
    let out = page(
        &s,
        Method::POST,
        "/logout",
        Some(&cookie),
        &[],
        Some(&[("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!(out.status, 303);
    assert_eq!(get(&s, "/my-day", &cookie).await.status, 303);
}

async fn reps_see_only_their_accounts(s: TestServer) {
    let (_, ana) = s.member("ana@test.example.com", "sales_rep").await;
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let anas = s
        .create_as(&ana, "accounts", json!({"name": "Cuenta de Ana"}))
        .await;
    let betos = s
        .create_as(&beto, "accounts", json!({"name": "Cuenta de Beto"}))
        .await;
    let (cookie, _) = s.browser_login("ana@test.example.com", PASSWORD).await;
    let list = get(&s, "/accounts", &cookie).await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("Cuenta de Ana"));
    assert!(!list.text.contains("Cuenta de Beto"), "{}", list.text);
    let mine = get(&s, &format!("/accounts/{anas}"), &cookie).await;
    assert_eq!(mine.status, 200);
    assert!(mine.text.contains("Cuenta de Ana"));
    let other = get(&s, &format!("/accounts/{betos}"), &cookie).await;
    assert_eq!(other.status, 404);
    assert!(!other.text.contains("Cuenta de Beto"));
    assert!(
        other.text.contains("<html"),
        "a page, not a problem document"
    );
    let malformed = get(&s, "/accounts/not-an-id", &cookie).await;
    assert_eq!(malformed.status, 404);
    assert!(malformed.text.contains("<html"));
    let hits = page(
        &s,
        Method::GET,
        "/search?q=cuenta",
        Some(&cookie),
        &[("hx-request", "true")],
        None,
    )
    .await;
    assert!(hits.text.contains("Cuenta de Ana") && !hits.text.contains("Cuenta de Beto"));
    let day = get(&s, "/my-day", &cookie).await;
    assert!(day.text.contains("Cuenta de Ana") && !day.text.contains("Cuenta de Beto"));
}

async fn search_finds_without_accents(s: TestServer) {
    s.create(
        "accounts",
        json!({"name": "Ferretería El Tornillo", "tags": ["VIP"]}),
    )
    .await;
    s.create("accounts", json!({"name": "Panadería Sol"})).await;
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let hits = page(
        &s,
        Method::GET,
        "/search?q=ferreteria",
        Some(&cookie),
        &[("hx-request", "true")],
        None,
    )
    .await;
    assert_eq!(hits.status, 200);
    assert!(
        hits.text.contains("Ferretería El Tornillo"),
        "{}",
        hits.text
    );
    assert!(!hits.text.contains("Panadería"));
    assert!(!hits.text.contains("<html"));
    // The list's own search and tag filter.
    let list = get(&s, "/accounts?q=tornillo", &cookie).await;
    assert!(list.text.contains("Ferretería El Tornillo") && !list.text.contains("Panadería"));
    let list = get(&s, "/accounts?tag=VIP", &cookie).await;
    assert!(list.text.contains("Ferretería El Tornillo") && !list.text.contains("Panadería"));
    let list = get(&s, "/accounts?q=zzzz", &cookie).await;
    // Nothing matches: the page says so and offers to clear the filters.
    assert!(list.text.contains("Nada coincide") && list.text.contains("Quitar filtros"));
}

async fn search_results_open_their_pages(s: TestServer) {
    // One record of each kind the search box shows, all named "Quillango".
    s.create("accounts", json!({"name": "Quillango SA"})).await;
    s.create(
        "contacts",
        json!({"first_name": "Ana", "last_name": "Quillango"}),
    )
    .await;
    s.create("leads", json!({"company_name": "Quillango Hermanos"}))
        .await;
    s.create(
        "activities",
        json!({"kind": "task", "subject": "Llamar a Quillango", "due_date": "2026-12-04", "owner_id": s.admin_id}),
    )
    .await;
    let (cookie, _) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let hits = get(&s, "/search?q=quillango", &cookie).await;
    assert_eq!(hits.status, 200);
    // The template escapes the slashes of attributes (`&#x2f;`).
    let hrefs: Vec<String> = hits
        .text
        .split("class=\"hit\" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&#x2f;", "/"))
        .collect();
    let plurals = ["accounts", "contacts", "leads", "activities"];
    // A new kind in the search box gets a record above.
    let searchable: Vec<&str> = cartera_core::RecordKind::all_where(|f| f.searchable)
        .map(|k| k.plural())
        .collect();
    assert_eq!(searchable, plurals);
    for plural in plurals {
        let href = hrefs
            .iter()
            .find(|h| h.starts_with(&format!("/{plural}/")))
            .unwrap_or_else(|| panic!("no {plural} result in {hrefs:?}"));
        let opened = get(&s, href, &cookie).await;
        assert_eq!(opened.status, 200, "{href}");
    }
}

async fn create_form_names_the_wrong_fields_and_warns_of_duplicates(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let en = [("accept-language", "en")];
    let bad = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &en,
        Some(&[
            ("csrf_token", &csrf),
            ("name", ""),
            ("kind", "customer"),
            ("country", "AR"),
            ("tax_id", "30-71234567-2"),
        ]),
    )
    .await;
    // The admin's locale is Spanish: the user's choice wins over the browser's.
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains(r#"id="name-error""#), "{}", bad.text);
    assert!(bad.text.contains(r#"id="tax_id-error""#), "{}", bad.text);
    assert!(bad.text.contains("no es válida"), "{}", bad.text);
    assert!(
        bad.text.contains(r#"value="30-71234567-2""#),
        "typed values stay"
    );

    let made = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Agropecuaria Los Álamos S.A."),
            ("kind", "customer"),
        ]),
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let first = made.location.unwrap();
    assert!(first.starts_with("/accounts/"));
    let again = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Agropecuaria Los Alamos"),
            ("kind", "customer"),
        ]),
    )
    .await;
    assert_eq!(again.status, 409);
    let first_id = first.trim_start_matches("/accounts/");
    assert!(again.text.contains(first_id), "links the existing account");
    assert!(again.text.contains(r#"name="allow_duplicate""#));
    let anyway = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", &csrf),
            ("name", "Agropecuaria Los Alamos"),
            ("kind", "customer"),
            ("allow_duplicate", "1"),
        ]),
    )
    .await;
    assert_eq!(anyway.status, 303);
    let shown = get(&s, &anyway.location.unwrap(), &cookie).await;
    assert!(shown.text.contains("Agropecuaria Los Alamos"));
}
