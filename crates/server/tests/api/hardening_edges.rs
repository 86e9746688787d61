//! Hardening (issue 16), the last points: decimals travel as strings and a JSON number
//! is refused naming the field; NUL characters refused in query strings, DAV bodies and
//! imported cells; the last administrator kept under concurrent demotions; every body
//! over its limit answered with a problem. On SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::{Value, json};

use cartera_app::jobs::Worker;

use crate::both;
use crate::dav::{ADMIN, dav};
use crate::support::{RawBody, Resp, TestServer};
use crate::web::{PASSWORD, get};

both!(
    decimals_travel_as_strings_and_numbers_are_refused,
    two_admins_removing_each_other_at_once_leave_one,
    nul_in_a_query_parameter_is_a_400_naming_it,
    nul_in_a_dav_body_is_refused_as_bad_data,
    nul_in_an_imported_cell_rejects_its_row,
    bodies_over_their_limit_are_answered_with_a_problem,
);

async fn decimals_travel_as_strings_and_numbers_are_refused(s: TestServer) {
    let ars = |a: Value| json!({"amount": a, "currency": "ARS"});
    let line = |quantity: Value, amount: Value| json!({"description": "Tornillos", "quantity": quantity, "unit_price": ars(amount), "tax_rate": "21"});
    // The totals preview: every decimal as a string is priced...
    let r = s
        .post(
            "/api/v1/totals",
            json!({"lines": [line(json!("2"), json!("10.50"))], "discount": "10"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["total"], "22.87");
    // ...and a JSON number in any of them is refused, naming it.
    for (body, field) in [
        (
            json!({"lines": [line(json!(2), json!("10.50"))]}),
            "lines[0].quantity",
        ),
        (
            json!({"lines": [line(json!("2"), json!(10.5))]}),
            "lines[0].unit_price.amount",
        ),
        (
            json!({"lines": [line(json!("2"), json!("10.50"))], "discount": 10}),
            "discount",
        ),
    ] {
        let r = s.post("/api/v1/totals", body).await.problem(422, field);
        assert!(
            r.body["detail"].as_str().unwrap().contains("JSON string"),
            "{}",
            r.body
        );
    }

    // Commission plans: created and changed with strings; numbers refused, nothing kept.
    for (body, field) in [
        (json!({"name": "Num", "default_rate": 3}), "default_rate"),
        (
            json!({"name": "Num", "default_rate": "3", "category_rates": [{"category": "Software", "rate": 5}]}),
            "category_rates[0].rate",
        ),
        (
            json!({"name": "Num", "default_rate": "3", "tiers": [{"from_percent": "100", "multiplier": 1.5}]}),
            "tiers[0].multiplier",
        ),
    ] {
        s.post("/api/v1/commission_plans", body)
            .await
            .problem(422, field);
    }
    let plans = s.get("/api/v1/commission_plans").await.expect(200).body;
    assert_eq!(plans["data"].as_array().unwrap().len(), 0, "{plans}");
    let plan = s
        .create(
            "commission_plans",
            json!({"name": "Reps", "default_rate": "3",
                   "tiers": [{"from_percent": "100", "multiplier": "1.5"}]}),
        )
        .await;
    let path = format!("/api/v1/commission_plans/{}", plan["id"].as_str().unwrap());
    s.patch(&path, json!({"default_rate": 4}))
        .await
        .problem(422, "default_rate");
    s.patch(
        &path,
        json!({"tiers": [{"from_percent": 80, "multiplier": "1"}]}),
    )
    .await
    .problem(422, "tiers[0].from_percent");
    let kept = s.get(&path).await.expect(200).body;
    assert_eq!(kept["default_rate"], "3");
    assert_eq!(kept["version"], 1);
    let changed = s
        .patch(&path, json!({"default_rate": "4.5"}))
        .await
        .expect(200);
    assert_eq!(changed.body["default_rate"], "4.5");

    // Like a deal's amount and a product's price on a list, which are money.
    let acme = s.create("accounts", json!({"name": "Acme"})).await;
    let acme = acme["id"].as_str().unwrap();
    s.post(
        "/api/v1/deals",
        json!({"name": "Números", "account_id": acme, "amount": ars(json!(100.5))}),
    )
    .await
    .problem(422, "amount.amount");
    let deal = s
        .create(
            "deals",
            json!({"name": "Texto", "account_id": acme, "amount": ars(json!("100.50"))}),
        )
        .await;
    assert_eq!(deal["amount"]["amount"], "100.50");
    assert_eq!(s.all_pages("/api/v1/deals").await.len(), 1);
}

/// The active users who administer: with no role (from before roles) or the built-in
/// administrator role, the only role with `settings: admin` in this test. Read from the
/// database, since with no administrator left the API could not tell.
async fn administrators(s: &TestServer, admin_role: &str) -> Vec<String> {
    let mut conn = s.app.db.reader().await.unwrap();
    cartera_store::users::list(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.active && u.role_id.is_none_or(|r| r.to_string() == admin_role))
        .map(|u| u.email)
        .collect()
}

async fn two_admins_removing_each_other_at_once_leave_one(s: TestServer) {
    let role = |key: &'static str| {
        let s = &s;
        async move { s.role(key).await["id"].as_str().unwrap().to_owned() }
    };
    let (admin, read_only) = (role("admin").await, role("read_only").await);
    let (b, b_token) = s
        .token_for("jefa@test.example.com", cartera_core::users::Scope::Admin)
        .await;
    let a = s.admin_id;
    let people = [(a, s.token.clone()), (b, b_token)];
    let set_role = |by: usize, whom: usize, role: &str| {
        let (s, people) = (&s, &people);
        let body = json!({"role_id": role});
        async move {
            s.call(
                &people[by].1,
                Method::PATCH,
                &format!("/api/v1/users/{}", people[whom].0),
                Some(body),
            )
            .await
        }
    };
    let deactivate = |by: usize, whom: usize| {
        let (s, people) = (&s, &people);
        async move {
            s.call(
                &people[by].1,
                Method::PATCH,
                &format!("/api/v1/users/{}", people[whom].0),
                Some(json!({"active": false})),
            )
            .await
        }
    };
    // Both administer to begin with.
    set_role(0, 1, &admin).await.expect(200);
    assert_eq!(administrators(&s, &admin).await.len(), 2);

    // Each round two changes race that are each fine alone but together would leave
    // nobody: A and B demote each other, each demotes themselves, or A deactivates B
    // while B demotes A. One must wait for the other and then be refused: 409
    // last-admin when both requests were let in as administrators. (When one change is
    // done before the other request is even authenticated, that request is no longer an
    // administrator's: 403 from the one demoted, 401 from the one deactivated.)
    let mut last_admin_refusals = 0;
    for round in 0..60 {
        let (first, second): (Resp, Resp) = match round % 3 {
            0 => tokio::join!(set_role(0, 1, &read_only), set_role(1, 0, &read_only)),
            1 => tokio::join!(set_role(0, 0, &read_only), set_role(1, 1, &read_only)),
            _ => tokio::join!(deactivate(0, 1), set_role(1, 0, &read_only)),
        };
        let left = administrators(&s, &admin).await;
        assert_eq!(left.len(), 1, "round {round}: administrators left {left:?}");
        let statuses = [first.status.as_u16(), second.status.as_u16()];
        let done = statuses.iter().filter(|s| **s == 200).count();
        assert_eq!(
            done, 1,
            "round {round}: {statuses:?} {} {}",
            first.body, second.body
        );
        let refused = if statuses[0] == 200 { &second } else { &first };
        match refused.status.as_u16() {
            409 => {
                assert_eq!(refused.body["type"], "urn:cartera:problem:last-admin");
                last_admin_refusals += 1;
            }
            403 if round % 3 != 1 => {}
            401 if round % 3 == 2 => {}
            other => panic!("round {round}: refused with {other}: {}", refused.body),
        }
        // The one left restores the other for the next round.
        let keeper = usize::from(!left[0].starts_with("admin@"));
        let other = 1 - keeper;
        if round % 3 == 2 {
            s.call(
                &people[keeper].1,
                Method::PATCH,
                &format!("/api/v1/users/{}", people[other].0),
                Some(json!({"active": true})),
            )
            .await
            .expect(200);
        }
        set_role(keeper, other, &admin).await.expect(200);
        assert_eq!(administrators(&s, &admin).await.len(), 2, "round {round}");
    }
    // At least the self-demotions always meet at the check.
    assert!(last_admin_refusals >= 20, "{last_admin_refusals}");
}

/// A GET with the admin's token of a path whose query is written as it travels.
async fn get_raw(s: &TestServer, path_and_query: &str) -> Resp {
    s.send(Method::GET, path_and_query, Some(&s.token), &[], None)
        .await
}

async fn nul_in_a_query_parameter_is_a_400_naming_it(s: TestServer) {
    s.create("accounts", json!({"name": "Ab SA"})).await;
    for (path, field) in [
        ("/api/v1/accounts?q=a%00b", "q"),
        ("/api/v1/accounts?filter[name]=A%00", "filter[name]"),
        (
            "/api/v1/accounts?filter%5Bname%5D%5Bin%5D=x,%00",
            "filter[name][in]",
        ),
        ("/api/v1/search?q=%00", "q"),
        ("/api/v1/contacts?limit=5&sort=name%00", "sort"),
        ("/api/v1/audit_events?action=a%00", "action"),
        ("/api/v1/forecast?period=2026%00", "period"),
        ("/api/v1/accounts?fil%00ter=1", "fil\u{0}ter"),
    ] {
        let r = get_raw(&s, path).await.problem(400, field);
        assert!(
            r.body["detail"].as_str().unwrap().contains("NUL"),
            "{path}: {}",
            r.body
        );
    }
    // The same query without the NUL is answered.
    get_raw(&s, "/api/v1/accounts?q=ab").await.expect(200);
    // A page: the 400 page names the parameter, in the person's language.
    let (cookie, _) = s.browser_login(ADMIN, PASSWORD).await;
    let p = get(&s, "/accounts?q=a%00b", &cookie).await;
    assert_eq!(p.status, 400, "{}", p.text);
    assert!(p.text.contains("«q»"), "{}", p.text);
    assert!(p.text.contains("NUL"), "{}", p.text);
    get(&s, "/accounts?q=ab", &cookie).await;
}

async fn nul_in_a_dav_body_is_refused_as_bad_data(s: TestServer) {
    let auth = Some((ADMIN, s.token.as_str()));
    let calendar = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let contacts = format!("/dav/addressbooks/{}/contacts/", s.admin_id);
    let event = |summary: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:nul-1\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:{summary}\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let card = |name: &str| {
        format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:nul-2\r\nFN:{name} Sosa\r\nN:Sosa;{name};;;\r\nEND:VCARD\r\n"
        )
    };
    // A vCard 2.1 writes a NUL as quoted-printable `=00`: it arrives decoded.
    let card21 = "BEGIN:VCARD\r\nVERSION:2.1\r\nUID:nul-3\r\nN;ENCODING=QUOTED-PRINTABLE:Sosa;Ana=00Mar=C3=ADa;;;\r\nFN:Ana Sosa\r\nEND:VCARD\r\n".to_owned();
    for (path, body, condition) in [
        (
            format!("{calendar}nul-1.ics"),
            event("Visita\0"),
            "valid-calendar-data",
        ),
        (
            format!("{contacts}nul-2.vcf"),
            card("An\0a"),
            "valid-address-data",
        ),
        (format!("{contacts}nul-3.vcf"), card21, "valid-address-data"),
    ] {
        let content_type = if condition == "valid-calendar-data" {
            "text/calendar"
        } else {
            "text/vcard"
        };
        let (status, _, text) = dav(
            &s,
            auth,
            "PUT",
            &path,
            &[("content-type", content_type)],
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "{path}: {text}");
        assert!(text.contains(condition), "{path}: {text}");
        assert!(text.contains("NUL"), "{path}: {text}");
        let (status, _, _) = dav(&s, auth, "GET", &path, &[], None).await;
        assert_eq!(status, 404, "{path} was stored");
    }
    // Without the NUL both are taken.
    let (status, _, text) = dav(
        &s,
        auth,
        "PUT",
        &format!("{calendar}nul-1.ics"),
        &[("content-type", "text/calendar")],
        Some(event("Visita")),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    // The vCard import of the API refuses it too, naming the card, and writes nothing.
    let r = s
        .send(
            Method::POST,
            "/api/v1/contacts/import/vcard",
            Some(&s.token),
            &[],
            Some(RawBody::Text(
                "text/vcard",
                format!("{}{}", card("Eva"), card("An\0a")),
            )),
        )
        .await
        .problem(422, "");
    assert!(r.body.to_string().contains("NUL"), "{}", r.body);
    assert!(s.all_pages("/api/v1/contacts").await.is_empty());
}

/// Uploads a file for an import of `kind` and runs it, skipping bad rows; answers the
/// import as it ended and its rows.
async fn import_file(
    s: &TestServer,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (Value, Vec<Value>) {
    let res = s
        .client
        .post(format!(
            "{}/api/v1/imports?kind={kind}&file_name={name}",
            s.base
        ))
        .bearer_auth(&s.token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let up: Value = res.json().await.unwrap();
    let id = up["import"]["id"].as_str().unwrap().to_owned();
    s.post(
        &format!("/api/v1/imports/{id}/start"),
        json!({"mode": "skip_bad_rows"}),
    )
    .await
    .expect(202);
    let worker = Worker::standard("test");
    assert!(worker.run_due(&s.app).await.unwrap() >= 1);
    let done = s
        .get(&format!("/api/v1/imports/{id}"))
        .await
        .expect(200)
        .body;
    let rows = s.all_pages(&format!("/api/v1/imports/{id}/rows")).await;
    (done, rows)
}

async fn nul_in_an_imported_cell_rejects_its_row(s: TestServer) {
    // A NUL in a mapped cell, in a cell no column maps, and none: the first two rows
    // are refused, saying why, and the import goes on with the third.
    let csv = "Nombre,Apellido,Email,Notas internas\n\
               Ana,Gar\0cía,ana@example.com,\n\
               Luis,Pérez,luis@example.com,nada\0aquí\n\
               Eva,Díaz,eva@example.com,\n";
    let (done, rows) = import_file(&s, "contacts", "nul.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["counts"]["created"], 1, "{done} {}", json!(rows));
    assert_eq!(done["counts"]["rejected"], 2, "{done}");
    for n in [2, 3] {
        let row = rows.iter().find(|r| r["row_number"] == n).unwrap();
        assert_eq!(row["outcome"], "rejected", "{row}");
        let problems = row["problems"].to_string();
        assert!(problems.contains("NUL"), "{row}");
        // The row is kept as it was read, the NUL shown as a replacement character.
        assert!(!row["cells"].to_string().contains("\\u0000"), "{row}");
    }
    let names: Vec<String> = s
        .all_pages("/api/v1/contacts")
        .await
        .iter()
        .map(|c| c["first_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Eva"]);
}

/// A body just over the 16 MiB every endpoint takes.
fn over_limit(fill: u8) -> Vec<u8> {
    vec![fill; cartera_server::middleware::BODY_LIMIT + 1]
}

/// Asserts a 413 problem whose detail is in the language asked for.
async fn too_large(res: reqwest::Response, spanish: bool) {
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], 413, "{body}");
    assert_eq!(body["type"], "urn:cartera:problem:too-large", "{body}");
    let detail = body["detail"].as_str().unwrap();
    if spanish {
        assert!(detail.contains("más grande"), "{body}");
    } else {
        assert!(detail.contains("larger than"), "{body}");
    }
}

async fn bodies_over_their_limit_are_answered_with_a_problem(s: TestServer) {
    for spanish in [false, true] {
        let language = if spanish { "es-AR,es;q=0.9" } else { "en" };
        // The vCard import reads its body as bytes: axum's own refusal was plain text.
        let res = s
            .client
            .post(format!("{}/api/v1/contacts/import/vcard", s.base))
            .bearer_auth(&s.token)
            .header("content-type", "text/vcard")
            .header("accept-language", language)
            .body(over_limit(b'a'))
            .send()
            .await
            .unwrap();
        too_large(res, spanish).await;
        // A JSON endpoint.
        let mut json_body = b"{\"name\": \"".to_vec();
        json_body.extend(over_limit(b'a'));
        json_body.extend(b"\"}");
        let res = s
            .client
            .post(format!("{}/api/v1/accounts", s.base))
            .bearer_auth(&s.token)
            .header("content-type", "application/json")
            .header("accept-language", language)
            .body(json_body)
            .send()
            .await
            .unwrap();
        too_large(res, spanish).await;
    }
    // A CardDAV object over the limit, and a page's form over what its CSRF check reads.
    let res = s
        .client
        .put(format!(
            "{}/dav/addressbooks/{}/contacts/big.vcf",
            s.base, s.admin_id
        ))
        .basic_auth(ADMIN, Some(&s.token))
        .header("content-type", "text/vcard")
        .body(over_limit(b'a'))
        .send()
        .await
        .unwrap();
    too_large(res, false).await;
    let (cookie, _) = s.browser_login(ADMIN, PASSWORD).await;
    let mut form = b"name=".to_vec();
    form.extend(vec![b'a'; 2 * 1024 * 1024]);
    let res = s
        .client
        .post(format!("{}/accounts", s.base))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    too_large(res, false).await;
    assert!(s.all_pages("/api/v1/accounts").await.is_empty());
    assert!(s.all_pages("/api/v1/contacts").await.is_empty());
}
