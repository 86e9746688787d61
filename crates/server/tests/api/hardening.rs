//! Hardening (issue 16): bounded problem answers, `next` that stays on this site, a
//! lockout that does not tell which emails have accounts, an administrator always left,
//! NUL characters refused at the edge, exports an importer reads back, and the hint of
//! an import waiting for a dead worker's lease. On SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::{Map, Value, json};

use cartera_app::jobs::Worker;
use cartera_core::jobs::LEASE;

use crate::both;
use crate::support::{RawBody, Resp, TestServer};
use crate::web::{PASSWORD, Page, get, page};

both!(
    a_problem_lists_a_hundred_violations_and_counts_the_rest,
    next_after_login_stays_on_this_site,
    unknown_emails_lock_like_known_ones,
    the_last_administrator_cannot_be_removed,
    nul_characters_are_refused_at_the_edge,
    exports_write_phones_plainly_and_read_back,
    an_import_waiting_for_a_dead_workers_lease_says_so,
);

const ADMIN: &str = "admin@test.example.com";

async fn a_problem_lists_a_hundred_violations_and_counts_the_rest(s: TestServer) {
    let mut custom = Map::new();
    for i in 0..1000 {
        custom.insert(format!("no_existe_{i:04}"), json!("x"));
    }
    let r = s
        .post(
            "/api/v1/accounts",
            json!({"name": "Muchos Campos SA", "custom": custom}),
        )
        .await
        .problem(422, "custom.no_existe_0000");
    assert_eq!(r.error_fields().len(), 100, "{}", r.body["detail"]);
    assert_eq!(r.body["violations_total"], 1000);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .ends_with("(and 999 more problems)"),
        "{}",
        r.body["detail"]
    );

    // A bulk request adds its records' violations up under the same cap.
    let mut few = Map::new();
    for i in 0..60 {
        few.insert(format!("k{i}"), json!(1));
    }
    let batch: Vec<Value> = (0..5)
        .map(|i| json!({"name": format!("Lote {i}"), "custom": few}))
        .collect();
    let r = s
        .post("/api/v1/accounts/bulk", json!({"create": batch}))
        .await
        .problem(422, "create[0].custom.k0");
    assert_eq!(r.error_fields().len(), 100);
    assert_eq!(r.body["violations_total"], 300);
    assert!(s.all_pages("/api/v1/accounts").await.is_empty());

    // A short list is listed whole, without the total.
    let r = s
        .post(
            "/api/v1/accounts",
            json!({"name": "Pocos SA", "custom": {"uno": 1, "dos": 2}}),
        )
        .await
        .problem(422, "custom.dos");
    assert_eq!(r.error_fields().len(), 2);
    assert!(r.body.get("violations_total").is_none(), "{}", r.body);

    // The OpenAPI problem schema documents the field.
    let doc = s.get("/api/v1/openapi.json").await.expect(200).body;
    assert!(
        doc["components"]["schemas"]["Problem"]["properties"]["violations_total"].is_object(),
        "{}",
        doc["components"]["schemas"]["Problem"]
    );
}

async fn login_form(s: &TestServer, cookie: Option<&str>, fields: &[(&str, &str)]) -> Page {
    page(s, Method::POST, "/login", cookie, &[], Some(fields)).await
}

async fn next_after_login_stays_on_this_site(s: TestServer) {
    cartera_app::auth::set_password(&s.app, ADMIN, PASSWORD)
        .await
        .unwrap();
    // Browsers drop tabs and newlines from a Location: `/\t/evil` is `//evil`.
    for evil in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
    ] {
        let p = login_form(
            &s,
            None,
            &[("email", ADMIN), ("password", PASSWORD), ("next", evil)],
        )
        .await;
        assert_eq!(p.status, 303, "{evil:?}: {}", p.text);
        assert_eq!(p.location.as_deref(), Some("/my-day"), "{evil:?}");
    }
    let ok = login_form(
        &s,
        None,
        &[
            ("email", ADMIN),
            ("password", PASSWORD),
            ("next", "/accounts?q=%C3%B1and%C3%BA"),
        ],
    )
    .await;
    assert_eq!(ok.location.as_deref(), Some("/accounts?q=%C3%B1and%C3%BA"));
    // A raw non-ASCII `next` cannot be a Location header: home instead of a 500.
    let p = login_form(
        &s,
        None,
        &[
            ("email", ADMIN),
            ("password", PASSWORD),
            ("next", "/accounts?q=ñandú"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(p.location.as_deref(), Some("/my-day"));

    // Signed in already: the login page sends the browser on, and only to this site.
    let (cookie, csrf) = s.browser_login(ADMIN, PASSWORD).await;
    let p = get(&s, "/login?next=/%09/evil.example", &cookie).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/my-day"));
    let p = get(&s, "/login?next=/%0A/evil.example", &cookie).await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(p.location.as_deref(), Some("/my-day"));
    // The form does not carry such a `next` on either.
    let p = page(
        &s,
        Method::GET,
        "/login?next=/%09/evil.example",
        None,
        &[],
        None,
    )
    .await;
    assert_eq!(p.status, 200);
    assert!(!p.text.contains(r#"name="next""#), "{}", p.text);

    // The language switch's `back` follows the same rule.
    let p = page(
        &s,
        Method::POST,
        "/settings/language",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("locale", "en"),
            ("back", "/\t/evil.example"),
        ]),
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(p.location.as_deref(), Some("/my-day"));
}

async fn api_login(s: &TestServer, email: &str, password: &str) -> Resp {
    s.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(RawBody::Json(json!({"email": email, "password": password}))),
    )
    .await
}

async fn unknown_emails_lock_like_known_ones(s: TestServer) {
    cartera_app::auth::set_password(&s.app, ADMIN, PASSWORD)
        .await
        .unwrap();
    let unknown = "nadie@test.example.com";
    let mut answers: Vec<Vec<(u16, String)>> = Vec::new();
    for email in [ADMIN, unknown] {
        let mut seen = Vec::new();
        for _ in 0..5 {
            let r = api_login(&s, email, "clave equivocada")
                .await
                .problem(401, "");
            seen.push((401, r.body["detail"].as_str().unwrap().to_owned()));
        }
        // Locked now, known or not; the right password waits too.
        let r = api_login(&s, email, PASSWORD).await.problem(429, "");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=30).contains(&wait), "{email}: {wait}");
        let detail = r.body["detail"].as_str().unwrap().to_owned();
        assert!(detail.starts_with("too many failed attempts"), "{detail}");
        seen.push((429, detail.replace(&wait.to_string(), "N")));
        // The login page says the same, in the person's language.
        let p = page(
            &s,
            Method::POST,
            "/login",
            None,
            &[("accept-language", "en")],
            Some(&[("email", email), ("password", "otra")]),
        )
        .await;
        assert_eq!(p.status, 429, "{email}: {}", p.text);
        seen.push((p.status.as_u16(), String::new()));
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    // The same email in other letters is the same counter.
    api_login(&s, " NADIE@test.example.com", "x")
        .await
        .problem(429, "");

    // The lock ends with its wait, for both.
    s.clock.advance(chrono::Duration::seconds(31));
    api_login(&s, ADMIN, PASSWORD).await.expect(200);
    api_login(&s, unknown, PASSWORD).await.problem(401, "");
}

async fn role_id(s: &TestServer, key: &str) -> String {
    s.role(key).await["id"].as_str().unwrap().to_owned()
}

async fn the_last_administrator_cannot_be_removed(s: TestServer) {
    let me = format!("/api/v1/users/{}", s.admin_id);
    let read_only = role_id(&s, "read_only").await;
    let r = s
        .patch(&me, json!({"role_id": read_only}))
        .await
        .problem(409, "");
    assert_eq!(r.body["type"], "urn:cartera:problem:last-admin");
    assert_eq!(r.body["title"], "The last administrator cannot be removed");
    // Nothing changed: the admin still administers.
    s.get("/api/v1/roles").await.expect(200);
    let events = s
        .all_pages(&format!("/api/v1/audit_events?record_id={}", s.admin_id))
        .await;
    assert!(
        !events
            .iter()
            .any(|e| e["changes"].to_string().contains("read_only")),
        "{}",
        json!(events)
    );

    // With a second administrator (through a role of their own), the first may step down.
    let made = s
        .post(
            "/api/v1/roles",
            json!({"key": "jefatura", "name": "Jefatura", "permissions": {"settings": ["read", "admin"], "accounts": ["read"]}}),
        )
        .await
        .expect(201);
    let jefatura = made.id();
    let (boss, _) = s.member("jefa@test.example.com", "jefatura").await;
    let (_, boss_token) = s
        .token_for("jefa@test.example.com", cartera_core::users::Scope::Admin)
        .await;
    s.patch(&me, json!({"role_id": read_only}))
        .await
        .expect(200);
    // Now the second is the last: neither a role change nor taking admin away from
    // their role leaves nobody.
    let boss_path = format!("/api/v1/users/{boss}");
    s.call(
        &boss_token,
        Method::PATCH,
        &boss_path,
        Some(json!({"role_id": read_only})),
    )
    .await
    .problem(409, "");
    s.call(
        &boss_token,
        Method::PATCH,
        &format!("/api/v1/roles/{jefatura}"),
        Some(json!({"permissions": {"settings": ["read"], "accounts": ["read"]}})),
    )
    .await
    .problem(409, "");
    // Deactivating oneself was refused already; it still is.
    s.call(
        &boss_token,
        Method::PATCH,
        &boss_path,
        Some(json!({"active": false})),
    )
    .await
    .problem(422, "active");

    // The pages say why, in Spanish and English.
    let boss_login = s
        .browser_login("jefa@test.example.com", "otra clave bastante larga")
        .await;
    let p = page(
        &s,
        Method::POST,
        &format!("/admin/users/{boss}"),
        Some(&boss_login.0),
        &[],
        Some(&[
            ("csrf_token", boss_login.1.as_str()),
            ("role_id", read_only.as_str()),
        ]),
    )
    .await;
    assert_eq!(p.status, 409, "{}", p.text);
    assert!(
        p.text.contains("No quedaría nadie que administre Cartera"),
        "{}",
        p.text
    );
    // In English for a person who reads English.
    s.call(
        &boss_token,
        Method::PATCH,
        "/api/v1/users/me",
        Some(json!({"locale": "en"})),
    )
    .await
    .expect(200);
    let version = s
        .call(
            &boss_token,
            Method::GET,
            &format!("/api/v1/roles/{jefatura}"),
            None,
        )
        .await
        .expect(200)
        .body["version"]
        .to_string();
    let p = page(
        &s,
        Method::POST,
        &format!("/admin/roles/{jefatura}"),
        Some(&boss_login.0),
        &[],
        Some(&[
            ("csrf_token", boss_login.1.as_str()),
            ("version", version.as_str()),
            ("name", "Jefatura"),
            ("visibility", "all"),
            ("perm", "settings.read"),
        ]),
    )
    .await;
    assert_eq!(p.status, 409, "{}", p.text);
    assert!(
        p.text
            .contains("Nobody would be left to administer Cartera"),
        "{}",
        p.text
    );
    let kept = s
        .call(
            &boss_token,
            Method::GET,
            &format!("/api/v1/roles/{jefatura}"),
            None,
        )
        .await
        .expect(200);
    assert!(
        kept.body["permissions"]["settings"]
            .as_array()
            .unwrap()
            .contains(&json!("admin")),
        "{}",
        kept.body
    );
}

async fn nul_characters_are_refused_at_the_edge(s: TestServer) {
    s.post("/api/v1/accounts", json!({"name": "Ñandú\u{0}SA"}))
        .await
        .problem(422, "name");
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "Ana", "last_name": "Sosa", "emails": [{"address": "a@x.com"}, {"address": "b\u{0}@x.com"}]}),
    )
    .await
    .problem(422, "emails[1].address");
    s.post(
        "/api/v1/accounts",
        json!({"name": "Claves SA", "custom": {"nota\u{0}": "x"}}),
    )
    .await
    .problem(422, "custom.nota\u{0}");
    let created = s.create("accounts", json!({"name": "Limpia SA"})).await;
    s.patch(
        &format!("/api/v1/accounts/{}", created["id"].as_str().unwrap()),
        json!({"billing_address": {"city": "a\u{0}b"}}),
    )
    .await
    .problem(422, "billing_address.city");
    // An escaped backslash before `u0000` is no NUL.
    s.create("accounts", json!({"name": "Barra \\u0000 SA"}))
        .await;
    assert_eq!(s.all_pages("/api/v1/accounts").await.len(), 2);

    // A page's form: a 422 page naming the field, and nothing written.
    let (cookie, csrf) = s.browser_login(ADMIN, PASSWORD).await;
    let p = page(
        &s,
        Method::POST,
        "/accounts",
        Some(&cookie),
        &[],
        Some(&[("csrf_token", csrf.as_str()), ("name", "Formulario\u{0}SA")]),
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.text);
    assert!(p.text.contains("«name»"), "{}", p.text);
    assert!(p.text.contains("NUL"), "{}", p.text);
    assert_eq!(s.all_pages("/api/v1/accounts").await.len(), 2);
}

async fn exports_write_phones_plainly_and_read_back(s: TestServer) {
    s.create(
        "contacts",
        json!({"first_name": "Ana", "last_name": "=Sosa", "phones": [{"number": "+54 11 5555-0000"}, {"number": "+34 91 123 45 67"}]}),
    )
    .await;
    let csv = s
        .client
        .get(format!("{}/api/v1/contacts/export?format=csv", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.contains(",+54 11 5555-0000; +34 91 123 45 67,"),
        "{text}"
    );
    assert!(text.contains(",'=Sosa,"), "{text}");

    let xlsx = s
        .client
        .get(format!("{}/api/v1/contacts/export?format=xlsx", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    // Cartera's importer reads both files back as they were written.
    for (name, bytes) in [("vuelta.csv", csv), ("vuelta.xlsx", xlsx)] {
        let r = s
            .client
            .post(format!(
                "{}/api/v1/imports?kind=contacts&file_name={name}",
                s.base
            ))
            .bearer_auth(&s.token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{name}");
        let body: Value = r.json().await.unwrap();
        let header: Vec<&str> = body["import"]["header"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        let row = &body["sample"][0];
        let cell = |col: &str| {
            let i = header.iter().position(|h| *h == col).unwrap();
            row[i].as_str().unwrap().to_owned()
        };
        assert_eq!(cell("last_name"), "=Sosa", "{name}: {body}");
        assert_eq!(
            cell("phones"),
            "+54 11 5555-0000; +34 91 123 45 67",
            "{name}: {body}"
        );
    }
}

async fn an_import_waiting_for_a_dead_workers_lease_says_so(s: TestServer) {
    let r = s
        .client
        .post(format!(
            "{}/api/v1/imports?kind=contacts&file_name=caida.csv",
            s.base
        ))
        .bearer_auth(&s.token)
        .header("content-type", "application/octet-stream")
        .body("Nombre;Apellido;Email\nAna;Sosa;ana@example.com\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    let id = body["import"]["id"].as_str().unwrap().to_owned();
    s.post(
        &format!("/api/v1/imports/{id}/start"),
        json!({"mode": "skip_bad_rows"}),
    )
    .await
    .expect(202);

    // A worker claims the job, marks the import running and dies.
    let now = s.app.now();
    let mut conn = s.app.db.begin().await.unwrap();
    let job = cartera_store::jobs::claim(&mut conn, "crashed", now, now + LEASE)
        .await
        .unwrap()
        .expect("the import's job is due");
    let mut imp = cartera_store::imports::get(&mut conn, id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    imp.status = cartera_core::imports::ImportStatus::Running;
    cartera_store::imports::save(&mut conn, &imp).await.unwrap();
    conn.commit().await.unwrap();
    let lease_end = job.locked_until.unwrap();

    let get_import = || async {
        s.get(&format!("/api/v1/imports/{id}"))
            .await
            .expect(200)
            .body
    };
    // At work a moment ago: no hint yet.
    let fresh = get_import().await;
    assert_eq!(fresh["status"], "running");
    assert!(fresh.get("stalled_until").is_none(), "{fresh}");

    // Minutes without progress: the answer says when the lease ends.
    s.clock.advance(chrono::Duration::minutes(2));
    let stalled = get_import().await;
    assert_eq!(stalled["status"], "running");
    let until: chrono::DateTime<chrono::Utc> =
        stalled["stalled_until"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, lease_end, "{stalled}");
    let doc = s.get("/api/v1/openapi.json").await.expect(200).body;
    assert!(
        doc["components"]["schemas"]["Import"]["properties"]["stalled_until"].is_object(),
        "the Import schema documents stalled_until"
    );
    // The page says it, in Spanish and English.
    let (cookie, _) = s.browser_login(ADMIN, PASSWORD).await;
    let p = get(&s, &format!("/imports/{id}/progress"), &cookie).await;
    assert!(p.text.contains(r#"id="import-stalled""#), "{}", p.text);
    assert!(p.text.contains("Sin avances"), "{}", p.text);
    let p = page(
        &s,
        Method::GET,
        &format!("/imports/{id}/progress"),
        Some(&cookie),
        &[],
        None,
    )
    .await;
    assert!(p.text.contains("último paso guardado"), "{}", p.text);

    // After the lease another worker goes on, and the hint is gone.
    s.clock.advance(LEASE);
    let survivor = Worker::standard("survivor");
    assert!(survivor.run_due(&s.app).await.unwrap() >= 1);
    let done = get_import().await;
    assert_eq!(done["status"], "done", "{done}");
    assert!(done.get("stalled_until").is_none(), "{done}");
}
