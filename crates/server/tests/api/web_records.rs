//! The record pages from the outside: contact and lead pages, edit (errors, stale
//! versions), inline edit, lead conversion, merge of duplicates, delete with undo, the
//! trash, sharing, and what a rep may not reach, on SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, post};

both!(
    contact_and_lead_pages_open_from_their_lists,
    edit_keeps_wrong_input_and_names_the_field,
    a_stale_edit_shows_the_current_values,
    inline_edit_saves_one_field,
    converting_a_lead_lands_on_its_account,
    duplicates_merge_into_the_chosen_record,
    delete_undo_and_trash_restore,
    reps_cannot_reach_a_colleagues_contact_or_lead,
    sharing_from_the_page_lets_a_colleague_in
);

/// A page, with the slashes the template engine escapes in values (`&#x2f;`) read back.
async fn page(
    s: &TestServer,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    form: Option<&[(&str, &str)]>,
) -> crate::web::Page {
    let mut p = crate::web::page(s, method, path, cookie, headers, form).await;
    p.text = p.text.replace("&#x2f;", "/");
    p
}

async fn get(s: &TestServer, path: &str, cookie: &str) -> crate::web::Page {
    page(s, Method::GET, path, Some(cookie), &[], None).await
}

async fn htmx_post(
    s: &TestServer,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> crate::web::Page {
    page(
        s,
        Method::POST,
        path,
        Some(cookie),
        &[("hx-request", "true")],
        Some(fields),
    )
    .await
}

fn id_of(v: &serde_json::Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn contact_and_lead_pages_open_from_their_lists(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let acc = id_of(
        &s.create("accounts", json!({"name": "Ferretería Núñez"}))
            .await,
    );
    let boss = id_of(
        &s.create(
            "contacts",
            json!({"first_name": "Marta", "last_name": "Núñez", "account_id": acc}),
        )
        .await,
    );
    let c = id_of(&s.create("contacts", json!({"first_name": "Lucía", "last_name": "Gómez", "account_id": acc,
        "reports_to_id": boss, "job_title": "Compras", "emails": [{"address": "lucia@nunez.example.com"}]})).await);
    let lead = id_of(
        &s.create(
            "leads",
            json!({"first_name": "Pedro", "last_name": "Ruiz", "company_name": "Ruiz Hnos"}),
        )
        .await,
    );

    let list = get(&s, "/contacts", &cookie).await;
    assert!(
        list.text.contains(&format!("/contacts/{c}")),
        "{}",
        list.text
    );
    let list = get(&s, "/leads", &cookie).await;
    assert!(
        list.text.contains(&format!("/leads/{lead}")),
        "{}",
        list.text
    );

    let p = get(&s, &format!("/contacts/{c}"), &cookie).await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert!(p.text.contains("Lucía Gómez"));
    assert!(p.text.contains(&format!("/accounts/{acc}")), "its account");
    assert!(
        p.text.contains(&format!("/contacts/{boss}")),
        "whom she reports to"
    );
    assert!(p.text.contains("lucia@nunez.example.com"));
    let boss_page = get(&s, &format!("/contacts/{boss}"), &cookie).await;
    assert!(
        boss_page.text.contains(&format!("/contacts/{c}")),
        "her direct report"
    );

    // A note added on the contact page lands on its timeline.
    let n = htmx_post(
        &s,
        &format!("/contacts/{c}/notes"),
        &cookie,
        &[("csrf_token", &csrf), ("body", "Llamar el lunes")],
    )
    .await;
    assert_eq!(n.status, 200);
    assert!(n.text.contains("Llamar el lunes"));

    let p = get(&s, &format!("/leads/{lead}"), &cookie).await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert!(p.text.contains("Pedro Ruiz") && p.text.contains("Ruiz Hnos"));
    assert!(p.text.contains(&format!("/leads/{lead}/convert")));

    // A contact made from the account's page belongs to it.
    let form = get(&s, &format!("/contacts/new?account_id={acc}"), &cookie).await;
    assert!(
        form.text
            .contains(&format!(r#"name="account_id" value="{acc}""#)),
        "{}",
        form.text
    );
    let made = post(
        &s,
        "/contacts/new",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("account_id", &acc),
            ("first_name", "Nora"),
            ("last_name", "Paz"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let to = made.location.unwrap();
    let p = get(&s, &to, &cookie).await;
    assert!(p.text.contains("Nora Paz") && p.text.contains(&format!("/accounts/{acc}")));
}

async fn edit_keeps_wrong_input_and_names_the_field(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let c = id_of(
        &s.create(
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Gómez"}),
        )
        .await,
    );
    let form = get(&s, &format!("/contacts/{c}/edit"), &cookie).await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains(r#"name="version" value="1""#),
        "{}",
        form.text
    );
    let p = post(
        &s,
        &format!("/contacts/{c}/edit"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("first_name", "Lucía"),
            ("last_name", "Gómez"),
            ("email", "no es un correo"),
            ("job_title", "Jefa"),
        ],
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.text);
    assert!(
        p.text.contains(r#"value="no es un correo""#),
        "keeps the input"
    );
    assert!(
        p.text.contains(r#"id="email-error""#),
        "names the field: {}",
        p.text
    );
    assert!(p.text.contains(r#"value="Jefa""#));
    // Nothing was written.
    let rec = s.get(&format!("/api/v1/contacts/{c}")).await.expect(200);
    assert_eq!(rec.body["version"], 1);

    // An account's edit form says which field is wrong too, and a good edit goes through.
    let a = id_of(
        &s.create(
            "accounts",
            json!({"name": "Lácteos del Sur", "billing_address": {"country": "AR"}}),
        )
        .await,
    );
    let p = post(
        &s,
        &format!("/accounts/{a}/edit"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("name", ""),
            ("kind", "customer"),
            ("country", "AR"),
            ("city", "Rosario"),
        ],
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.text);
    assert!(p.text.contains(r#"id="name-error""#), "{}", p.text);
    assert!(p.text.contains(r#"value="Rosario""#));
    let p = post(
        &s,
        &format!("/accounts/{a}/edit"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("name", "Lácteos del Sur SA"),
            ("kind", "customer"),
            ("country", "AR"),
            ("city", "Rosario"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.text);
    let rec = s.get(&format!("/api/v1/accounts/{a}")).await.expect(200);
    assert_eq!(rec.body["name"], "Lácteos del Sur SA");
    assert_eq!(rec.body["billing_address"]["city"], "Rosario");
}

async fn a_stale_edit_shows_the_current_values(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let l = id_of(
        &s.create(
            "leads",
            json!({"first_name": "Pedro", "company_name": "Ruiz Hnos"}),
        )
        .await,
    );
    // Someone else changes the lead after the form was read at version 1.
    s.patch(
        &format!("/api/v1/leads/{l}"),
        json!({"company_name": "Ruiz y Cía"}),
    )
    .await
    .expect(200);
    let p = post(
        &s,
        &format!("/leads/{l}/edit"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("first_name", "Pedro"),
            ("company_name", "Ruiz Hermanos"),
            ("status", "new"),
        ],
    )
    .await;
    assert_eq!(p.status, 412, "{}", p.text);
    assert!(
        p.text.contains(r#"value="Ruiz y Cía""#),
        "the current value: {}",
        p.text
    );
    assert!(p.text.contains("Ruiz Hermanos"), "what they had typed");
    assert!(p.text.contains(r#"name="version" value="2""#));
    let rec = s.get(&format!("/api/v1/leads/{l}")).await.expect(200);
    assert_eq!(rec.body["company_name"], "Ruiz y Cía");
}

async fn inline_edit_saves_one_field(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let c = id_of(
        &s.create(
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Gómez", "job_title": "Compras"}),
        )
        .await,
    );
    let editor = page(
        &s,
        Method::GET,
        &format!("/contacts/{c}/inline/job_title?edit=1"),
        Some(&cookie),
        &[("hx-request", "true")],
        None,
    )
    .await;
    assert_eq!(editor.status, 200);
    assert!(
        editor.text.contains(r#"name="value""#) && editor.text.contains(r#"value="Compras""#),
        "{}",
        editor.text
    );
    let saved = htmx_post(
        &s,
        &format!("/contacts/{c}/inline/job_title"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("value", "Jefa de compras"),
        ],
    )
    .await;
    assert_eq!(saved.status, 200);
    assert!(
        saved.text.contains("Jefa de compras") && !saved.text.contains(r#"name="value""#),
        "{}",
        saved.text
    );
    let rec = s.get(&format!("/api/v1/contacts/{c}")).await.expect(200);
    assert_eq!(rec.body["job_title"], "Jefa de compras");
    assert_eq!(rec.body["last_name"], "Gómez");
    // The timeline names the changed field as people know it, not by its key.
    let shown = crate::web::get(&s, &format!("/contacts/{c}"), &cookie).await;
    assert!(
        shown
            .text
            .contains(r#"<p class="tl-fields muted">Cargo</p>"#),
        "{}",
        shown.text
    );
    // A wrong value comes back in the editor with the error; nothing is written.
    let bad = htmx_post(
        &s,
        &format!("/contacts/{c}/inline/email"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "2"),
            ("value", "sin arroba"),
        ],
    )
    .await;
    assert!(
        bad.text.contains(r#"value="sin arroba""#) && bad.text.contains("field-error"),
        "{}",
        bad.text
    );
    // A stale version says so and shows the current value.
    let stale = htmx_post(
        &s,
        &format!("/contacts/{c}/inline/job_title"),
        &cookie,
        &[("csrf_token", &csrf), ("version", "1"), ("value", "Otra")],
    )
    .await;
    assert!(
        stale.text.contains("field-error") && stale.text.contains(r#"value="Jefa de compras""#),
        "{}",
        stale.text
    );
    // A field that is not edited in place is no page.
    let none = page(
        &s,
        Method::GET,
        &format!("/contacts/{c}/inline/owner_id"),
        Some(&cookie),
        &[],
        None,
    )
    .await;
    assert_eq!(none.status, 404);
    // The lead's status is a choice.
    let l = id_of(&s.create("leads", json!({"first_name": "Pedro"})).await);
    let saved = htmx_post(
        &s,
        &format!("/leads/{l}/inline/status"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("value", "qualified"),
        ],
    )
    .await;
    assert_eq!(saved.status, 200);
    let rec = s.get(&format!("/api/v1/leads/{l}")).await.expect(200);
    assert_eq!(rec.body["status"], "qualified");
}

async fn converting_a_lead_lands_on_its_account(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let existing = id_of(&s.create("accounts", json!({"name": "Ruiz Hnos"})).await);
    let l = id_of(&s.create("leads", json!({"first_name": "Pedro", "last_name": "Ruiz", "company_name": "Ruiz Hnos", "email": "pedro@ruiz.example.com"})).await);
    let form = get(&s, &format!("/leads/{l}/convert"), &cookie).await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains(&format!(r#"value="{existing}""#)),
        "proposes the existing account: {}",
        form.text
    );
    assert!(
        form.text.contains(r#"value="Ruiz Hnos""#),
        "or a new one named after the company"
    );
    // Linked to the existing account.
    let p = post(
        &s,
        &format!("/leads/{l}/convert"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("account", &existing),
            ("account_name", "Ruiz Hnos"),
            ("first_name", "Pedro"),
            ("last_name", "Ruiz"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/accounts/{existing}").as_str())
    );
    let acc = get(&s, &format!("/accounts/{existing}"), &cookie).await;
    assert!(
        acc.text.contains("Pedro Ruiz"),
        "the new contact is on the account"
    );
    let lead = get(&s, &format!("/leads/{l}"), &cookie).await;
    assert!(
        lead.text.contains(&format!("/accounts/{existing}"))
            && !lead.text.contains(&format!("/leads/{l}/convert"))
    );
    // A converted lead's conversion page goes back to the lead.
    let again = get(&s, &format!("/leads/{l}/convert"), &cookie).await;
    assert_eq!(again.status, 303);

    // A new account, with an empty name refused next to its field.
    let l2 = id_of(
        &s.create(
            "leads",
            json!({"first_name": "Ana", "last_name": "Sosa", "company_name": "Sosa SRL"}),
        )
        .await,
    );
    let p = post(
        &s,
        &format!("/leads/{l2}/convert"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("account", "new"),
            ("account_name", ""),
            ("first_name", "Ana"),
            ("last_name", "Sosa"),
        ],
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.text);
    assert!(p.text.contains(r#"id="account_name-error""#), "{}", p.text);
    let p = post(
        &s,
        &format!("/leads/{l2}/convert"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("account", "new"),
            ("account_name", "Sosa SRL"),
            ("first_name", "Ana"),
            ("last_name", "Sosa"),
        ],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.text);
    let to = p.location.unwrap();
    assert!(to.starts_with("/accounts/") && !to.contains(&existing));
    let acc = get(&s, &to, &cookie).await;
    assert!(acc.text.contains("Sosa SRL") && acc.text.contains("Ana Sosa"));
}

async fn duplicates_merge_into_the_chosen_record(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let a = id_of(&s.create("accounts", json!({"name": "Acme", "tax_id": "20-12345678-6", "billing_address": {"country": "AR"}})).await);
    let b = id_of(
        &s.create(
            "accounts",
            json!({"name": "Otra", "billing_address": {"country": "AR"}}),
        )
        .await,
    );
    // Editing b to a's tax id warns of the duplicate and offers the merge.
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("version", "1"),
        ("name", "Otra"),
        ("kind", "customer"),
        ("country", "AR"),
        ("tax_id", "20-12345678-6"),
        ("city", "Salta"),
    ];
    let p = post(&s, &format!("/accounts/{b}/edit"), &cookie, &fields).await;
    assert_eq!(p.status, 409, "{}", p.text);
    assert!(
        p.text
            .contains(&format!(r#"name="merge_into" value="{a}""#)),
        "{}",
        p.text
    );
    assert!(p.text.contains(r#"name="allow_duplicate""#));
    let mut merge = fields.to_vec();
    merge.push(("merge_into", &a));
    let p = post(&s, &format!("/accounts/{b}/edit"), &cookie, &merge).await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/accounts/{a}").as_str())
    );
    s.get(&format!("/api/v1/accounts/{b}")).await.expect(404);
    s.get(&format!("/api/v1/accounts/{a}")).await.expect(200);

    // A new contact like an existing one merges into it.
    let c = id_of(&s.create("contacts", json!({"first_name": "Lucía", "last_name": "Gómez", "emails": [{"address": "lucia@example.com"}]})).await);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("first_name", "Lucía"),
        ("last_name", "Gómez"),
        ("email", "lucia@example.com"),
        ("job_title", "Compras"),
    ];
    let p = post(&s, "/contacts/new", &cookie, &fields).await;
    assert_eq!(p.status, 409, "{}", p.text);
    assert!(
        p.text
            .contains(&format!(r#"name="merge_into" value="{c}""#))
    );
    let mut merge = fields.to_vec();
    merge.push(("merge_into", &c));
    let p = post(&s, "/contacts/new", &cookie, &merge).await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/contacts/{c}").as_str())
    );
    let kept = s.get(&format!("/api/v1/contacts/{c}")).await.expect(200);
    assert_eq!(kept.body["job_title"], "Compras");
    let all = s.all_pages("/api/v1/contacts").await;
    assert_eq!(all.len(), 1, "one Lucía, not two");
}

async fn delete_undo_and_trash_restore(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let c = id_of(
        &s.create(
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Gómez"}),
        )
        .await,
    );
    let p = post(
        &s,
        &format!("/contacts/{c}/delete"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert!(
        p.text.contains(&format!("/contacts/{c}/restore")),
        "an Undo button: {}",
        p.text
    );
    s.get(&format!("/api/v1/contacts/{c}")).await.expect(404);
    assert_eq!(
        get(&s, &format!("/contacts/{c}"), &cookie).await.status,
        404
    );
    let undo = post(
        &s,
        &format!("/contacts/{c}/restore"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(undo.status, 303);
    assert_eq!(
        undo.location.as_deref(),
        Some(format!("/contacts/{c}").as_str())
    );
    assert_eq!(
        get(&s, &format!("/contacts/{c}"), &cookie).await.status,
        200
    );

    // The trash lists what was deleted, and restores it.
    let l = id_of(
        &s.create("leads", json!({"first_name": "Pedro", "last_name": "Ruiz"}))
            .await,
    );
    let empty = get(&s, "/leads/trash", &cookie).await;
    assert_eq!(empty.status, 200);
    assert!(!empty.text.contains("Pedro Ruiz"));
    post(
        &s,
        &format!("/leads/{l}/delete"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    let trash = get(&s, "/leads/trash", &cookie).await;
    assert!(
        trash.text.contains("Pedro Ruiz") && trash.text.contains(&format!("/leads/{l}/restore")),
        "{}",
        trash.text
    );
    let back = post(
        &s,
        &format!("/leads/{l}/restore"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(back.status, 303);
    s.get(&format!("/api/v1/leads/{l}")).await.expect(200);
    assert!(
        !get(&s, "/leads/trash", &cookie)
            .await
            .text
            .contains("Pedro Ruiz")
    );
    // Without the CSRF token nothing is deleted.
    let refused = post(&s, &format!("/leads/{l}/delete"), &cookie, &[]).await;
    assert_eq!(refused.status, 403);
    s.get(&format!("/api/v1/leads/{l}")).await.expect(200);
}

async fn reps_cannot_reach_a_colleagues_contact_or_lead(s: TestServer) {
    s.member("ana@test.example.com", "sales_rep").await;
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let c = s
        .create_as(
            &beto,
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Gómez"}),
        )
        .await;
    let l = s
        .create_as(
            &beto,
            "leads",
            json!({"first_name": "Pedro", "company_name": "Ruiz Hnos"}),
        )
        .await;
    let (cookie, csrf) = s.browser_login("ana@test.example.com", PASSWORD).await;
    for path in [
        format!("/contacts/{c}"),
        format!("/contacts/{c}/edit"),
        format!("/leads/{l}"),
        format!("/leads/{l}/edit"),
        format!("/leads/{l}/convert"),
        format!("/contacts/{c}/inline/job_title?edit=1"),
    ] {
        let p = get(&s, &path, &cookie).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(
            !p.text.contains("Lucía") && !p.text.contains("Ruiz"),
            "{path}"
        );
    }
    let posts = [
        (
            format!("/contacts/{c}/edit"),
            vec![("version", "1"), ("first_name", "X"), ("last_name", "Y")],
        ),
        (format!("/contacts/{c}/delete"), vec![]),
        (
            format!("/contacts/{c}/inline/job_title"),
            vec![("value", "X")],
        ),
        (format!("/contacts/{c}/notes"), vec![("body", "hola")]),
        (
            format!("/leads/{l}/edit"),
            vec![("version", "1"), ("first_name", "X"), ("status", "new")],
        ),
        (format!("/leads/{l}/delete"), vec![]),
        (
            format!("/leads/{l}/convert"),
            vec![("account", "new"), ("account_name", "X")],
        ),
        (
            format!("/leads/{l}/shares"),
            vec![("grantee", "user:00000000-0000-0000-0000-000000000000")],
        ),
    ];
    for (path, fields) in posts {
        let mut f = vec![("csrf_token", csrf.as_str())];
        f.extend(fields);
        let p = post(&s, &path, &cookie, &f).await;
        // A rep's role may not delete at all (403); everything else is not there (404).
        let expected = if path.ends_with("/delete") { 403 } else { 404 };
        assert_eq!(p.status, expected, "{path}: {}", p.text);
        assert!(
            !p.text.contains("Lucía") && !p.text.contains("Ruiz"),
            "{path}"
        );
    }
    let rec = s
        .call(&beto, Method::GET, &format!("/api/v1/contacts/{c}"), None)
        .await
        .expect(200);
    assert_eq!(rec.body["version"], 1, "untouched");
    let rec = s
        .call(&beto, Method::GET, &format!("/api/v1/leads/{l}"), None)
        .await
        .expect(200);
    assert_eq!(rec.body["status"], "new");
    assert_eq!(get(&s, "/contacts/trash", &cookie).await.status, 200);
}

async fn sharing_from_the_page_lets_a_colleague_in(s: TestServer) {
    let (ana_id, _) = s.member("ana@test.example.com", "sales_rep").await;
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let l = s
        .create_as(
            &beto,
            "leads",
            json!({"first_name": "Pedro", "company_name": "Ruiz Hnos"}),
        )
        .await;
    let (ana_cookie, _) = s.browser_login("ana@test.example.com", PASSWORD).await;
    assert_eq!(
        get(&s, &format!("/leads/{l}"), &ana_cookie).await.status,
        404
    );

    let (cookie, csrf) = s.browser_login("beto@test.example.com", PASSWORD).await;
    let p = get(&s, &format!("/leads/{l}"), &cookie).await;
    assert!(
        p.text.contains(&format!(r#"value="user:{ana_id}""#)),
        "Ana can be chosen: {}",
        p.text
    );
    let shared = htmx_post(
        &s,
        &format!("/leads/{l}/shares"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("grantee", &format!("user:{ana_id}")),
        ],
    )
    .await;
    assert_eq!(shared.status, 200, "{}", shared.text);
    assert!(shared.text.contains("/remove"), "{}", shared.text);
    let seen = get(&s, &format!("/leads/{l}"), &ana_cookie).await;
    assert_eq!(seen.status, 200);
    assert!(seen.text.contains("Ruiz Hnos"));
    // Nothing chosen: said in the box.
    let none = htmx_post(
        &s,
        &format!("/leads/{l}/shares"),
        &cookie,
        &[("csrf_token", &csrf), ("grantee", "")],
    )
    .await;
    assert!(none.text.contains("field-error"));
    // Removing the share closes the door again.
    let share_id = shared
        .text
        .split(&format!("/leads/{l}/shares/"))
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let removed = htmx_post(
        &s,
        &format!("/leads/{l}/shares/{share_id}/remove"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(
        get(&s, &format!("/leads/{l}"), &ana_cookie).await.status,
        404
    );
}
