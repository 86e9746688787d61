//! The password, settings and administration pages, from the outside, on SQLite and
//! PostgreSQL.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, get, page, post_signed as post};

both!(
    forgot_password_answers_the_same_for_every_email,
    a_bad_reset_link_says_so,
    a_bad_time_zone_is_named_next_to_its_field,
    the_language_switch_changes_the_next_page,
    a_token_secret_is_shown_once_and_revoking_stops_it,
    a_sales_rep_gets_403_on_administration,
    an_admin_edits_a_roles_matrix_and_it_applies,
    a_territory_with_a_bad_country_names_the_field
);

const ADMIN: &str = "admin@test.example.com";

async fn forgot_password_answers_the_same_for_every_email(s: TestServer) {
    let login = page(
        &s,
        Method::GET,
        "/login",
        None,
        &[("accept-language", "en")],
        None,
    )
    .await;
    assert!(
        login.text.contains(r#"href="/forgot-password""#),
        "{}",
        login.text
    );
    assert!(login.text.contains("Forgot your password?"));
    let form = page(&s, Method::GET, "/forgot-password", None, &[], None).await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains(r#"name="email""#));

    let known = page(
        &s,
        Method::POST,
        "/forgot-password",
        None,
        &[],
        Some(&[("email", ADMIN)]),
    )
    .await;
    let unknown = page(
        &s,
        Method::POST,
        "/forgot-password",
        None,
        &[],
        Some(&[("email", "nadie@test.example.com")]),
    )
    .await;
    assert_eq!(known.status, 200);
    assert_eq!(unknown.status, 200);
    assert!(known.text.contains(r#"id="forgot-sent""#), "{}", known.text);
    assert_eq!(
        known.text, unknown.text,
        "the same page for known and unknown emails"
    );
    assert!(!known.text.contains(ADMIN));

    // A form posted from another site is refused, like the login.
    let cross = page(
        &s,
        Method::POST,
        "/forgot-password",
        None,
        &[("sec-fetch-site", "cross-site")],
        Some(&[("email", ADMIN)]),
    )
    .await;
    assert_eq!(cross.status, 403);
}

async fn a_bad_reset_link_says_so(s: TestServer) {
    let none = page(&s, Method::GET, "/reset-password", None, &[], None).await;
    assert!(none.text.contains(r#"id="reset-bad-link""#));
    let form = page(
        &s,
        Method::GET,
        "/reset-password?token=crr_nope",
        None,
        &[("accept-language", "en")],
        None,
    )
    .await;
    assert_eq!(form.status, 200);
    // An unknown (or spent, or expired) link says so on opening, before any typing.
    assert!(
        form.text.contains(r#"id="reset-bad-link""#),
        "{}",
        form.text
    );
    // A live link opens the form. Kept here the way the app keeps one: its hash.
    let secret = "crp_a-live-link-for-the-page-test";
    let admin = s.admin_id;
    let now = s.app.now();
    let mut conn = s.app.db.begin().await.unwrap();
    cartera_store::sessions::insert_reset(
        &mut conn,
        &cartera_core::users::token_hash(secret),
        admin,
        now,
        now + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    conn.commit().await.unwrap();
    let live = page(
        &s,
        Method::GET,
        &format!("/reset-password?token={secret}"),
        None,
        &[],
        None,
    )
    .await;
    assert!(
        !live.text.contains(r#"id="reset-bad-link""#),
        "{}",
        live.text
    );
    assert!(live.text.contains(r#"name="new_password""#));

    // Two different passwords: said next to the field, nothing spent.
    let mismatch = page(
        &s,
        Method::POST,
        "/reset-password",
        None,
        &[("accept-language", "en")],
        Some(&[
            ("token", "crr_nope"),
            ("new_password", "otra clave bien larga"),
            ("new_password_again", "otra clave distinta"),
        ]),
    )
    .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.text.contains(r#"id="new_password_again-error""#));
    assert!(
        mismatch
            .text
            .contains("The two passwords are not the same.")
    );

    let bad = page(
        &s,
        Method::POST,
        "/reset-password",
        None,
        &[("accept-language", "en")],
        Some(&[
            ("token", "crr_nope"),
            ("new_password", "otra clave bien larga"),
            ("new_password_again", "otra clave bien larga"),
        ]),
    )
    .await;
    assert_eq!(bad.status, 401);
    assert!(
        bad.text.contains("This link is not valid any more"),
        "{}",
        bad.text
    );
    assert!(
        bad.text.contains(r#"href="/forgot-password""#),
        "offers a new link"
    );

    let cross = page(
        &s,
        Method::POST,
        "/reset-password",
        None,
        &[("sec-fetch-site", "cross-site")],
        Some(&[("token", "crr_nope")]),
    )
    .await;
    assert_eq!(cross.status, 403);
}

async fn a_bad_time_zone_is_named_next_to_its_field(s: TestServer) {
    let login = s.browser_login(ADMIN, PASSWORD).await;
    let p = get(&s, "/settings", &login.0).await;
    assert_eq!(p.status, 200);
    // Names are escaped (`/` as `&#x2f;`) but listed.
    assert!(p.text.contains("Europe&#x2f;Madrid"), "{}", p.text);
    let bad = post(
        &s,
        "/settings/profile",
        &login,
        &[
            ("name", "Ada Nueva"),
            ("locale", "en"),
            ("time_zone", "Marte/Olympus"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains(r#"id="time_zone-error""#), "{}", bad.text);
    assert!(bad.text.contains("Elige una zona horaria"), "{}", bad.text);
    // What was typed stays.
    assert!(bad.text.contains(r#"value="Ada Nueva""#));
    let ok = post(
        &s,
        "/settings/profile",
        &login,
        &[
            ("name", "Ada Nueva"),
            ("locale", "es"),
            ("time_zone", "Europe/Madrid"),
        ],
    )
    .await;
    assert_eq!(ok.status, 303);
    let me = s.get("/api/v1/users/me").await.expect(200);
    assert_eq!(me.body["time_zone"], "Europe/Madrid");
    assert_eq!(me.body["name"], "Ada Nueva");
}

async fn the_language_switch_changes_the_next_page(s: TestServer) {
    let login = s.browser_login(ADMIN, PASSWORD).await;
    let before = get(&s, "/my-day", &login.0).await;
    assert!(before.text.contains(r#"<html lang="es">"#));
    assert!(before.text.contains(r#"action="/settings/language""#));
    let switched = post(
        &s,
        "/settings/language",
        &login,
        &[("locale", "en"), ("back", "/accounts")],
    )
    .await;
    assert_eq!(switched.status, 303);
    assert_eq!(switched.location.as_deref(), Some("/accounts"));
    let after = get(&s, "/accounts", &login.0).await;
    assert!(after.text.contains(r#"<html lang="en">"#));
    assert!(after.text.contains("Settings"));
    // `back` never leaves the site.
    let away = post(
        &s,
        "/settings/language",
        &login,
        &[("locale", "es"), ("back", "//evil.example")],
    )
    .await;
    assert_eq!(away.location.as_deref(), Some("/my-day"));
    // Without the CSRF token nothing changes.
    let forged = page(
        &s,
        Method::POST,
        "/settings/language",
        Some(&login.0),
        &[],
        Some(&[("locale", "en")]),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(
        get(&s, "/my-day", &login.0)
            .await
            .text
            .contains(r#"<html lang="es">"#)
    );
}

async fn a_token_secret_is_shown_once_and_revoking_stops_it(s: TestServer) {
    let login = s.browser_login(ADMIN, PASSWORD).await;
    let made = post(
        &s,
        "/settings/tokens",
        &login,
        &[
            ("name", "Script de importación"),
            ("scope", "read"),
            ("expires", ""),
        ],
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text);
    let start = made
        .text
        .find(r#"id="new-token-secret">"#)
        .expect("the secret is shown");
    let rest = &made.text[start + r#"id="new-token-secret">"#.len()..];
    let secret = rest[..rest.find('<').unwrap()].to_owned();
    assert!(secret.starts_with("crt_"), "{secret}");
    s.call(&secret, Method::GET, "/api/v1/users/me", None)
        .await
        .expect(200);

    // Shown once: the settings page lists the token but not its secret.
    let again = get(&s, "/settings", &login.0).await;
    assert!(again.text.contains("Script de importación"));
    assert!(!again.text.contains(&secret));

    // An empty name is named next to its field.
    let unnamed = post(
        &s,
        "/settings/tokens",
        &login,
        &[("name", ""), ("scope", "read")],
    )
    .await;
    assert_eq!(unnamed.status, 422);
    assert!(unnamed.text.contains(r#"id="token_name-error""#));

    let at = again.text.find("/revoke\"").expect("a revoke form");
    let action_start = again.text[..at].rfind("/settings/tokens/").unwrap();
    let path = format!("{}/revoke", &again.text[action_start..at]);
    let revoked = post(&s, &path, &login, &[]).await;
    assert_eq!(revoked.status, 303, "{}", revoked.text);
    s.call(&secret, Method::GET, "/api/v1/users/me", None)
        .await
        .expect(401);
    let after = get(&s, "/settings?saved=token-revoked", &login.0).await;
    assert!(after.text.contains(r#"id="settings-saved""#));
    assert!(
        !after.text.contains(&path),
        "a revoked token has nothing to revoke"
    );
}

async fn a_sales_rep_gets_403_on_administration(s: TestServer) {
    s.member("rita@test.example.com", "sales_rep").await;
    let rep = s.browser_login("rita@test.example.com", PASSWORD).await;
    for path in [
        "/admin",
        "/admin/users",
        "/admin/roles",
        "/admin/teams",
        "/admin/territories",
        "/admin/custom-fields",
    ] {
        let p = get(&s, path, &rep.0).await;
        assert_eq!(p.status, 403, "{path}");
    }
    let posted = post(
        &s,
        "/admin/users",
        &rep,
        &[("email", "x@test.example.com"), ("name", "X")],
    )
    .await;
    assert_eq!(posted.status, 403);
    let day = get(&s, "/my-day", &rep.0).await;
    assert!(!day.text.contains(r#"href="/admin""#), "no menu entry");
    assert!(day.text.contains(r#"href="/settings""#));

    let admin = s.browser_login(ADMIN, PASSWORD).await;
    let day = get(&s, "/my-day", &admin.0).await;
    assert!(day.text.contains(r#"href="/admin""#));
    let users = get(&s, "/admin/users", &admin.0).await;
    assert_eq!(users.status, 200);
    assert!(users.text.contains("rita@test.example.com"));
}

async fn an_admin_edits_a_roles_matrix_and_it_applies(s: TestServer) {
    let (_, rep_token) = s.member("rita@test.example.com", "sales_rep").await;
    s.call(
        &rep_token,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"name": "Antes"})),
    )
    .await
    .expect(201);
    let role = s.role("sales_rep").await;
    let id = role["id"].as_str().unwrap();
    let admin = s.browser_login(ADMIN, PASSWORD).await;
    let form = get(&s, &format!("/admin/roles/{id}"), &admin.0).await;
    assert_eq!(form.status, 200);
    // A built-in role is named in the reader's language.
    assert!(
        form.text.contains("<span>Vendedor</span></nav>"),
        "{}",
        form.text
    );
    assert!(
        form.text.contains(r#"id="perm-accounts-create" checked"#)
            || form
                .text
                .contains(r#"value="accounts.create" id="perm-accounts-create" checked"#),
        "{}",
        form.text
    );
    let version = role["version"].to_string();
    // Accounts: read and edit only (create taken away); the rest as it was.
    let saved = post(
        &s,
        &format!("/admin/roles/{id}"),
        &admin,
        &[
            ("version", &version),
            ("name", "Sales rep"),
            ("visibility", "own"),
            ("perm", "accounts.read"),
            ("perm", "accounts.edit"),
            ("perm", "contacts.read"),
            ("perm", "settings.read"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let shown = get(&s, saved.location.as_deref().unwrap(), &admin.0).await;
    assert!(shown.text.contains(r#"id="role-saved""#));
    assert!(!shown.text.contains(r#"id="perm-accounts-create" checked"#));
    s.call(
        &rep_token,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"name": "Después"})),
    )
    .await
    .expect(403);
    // A stale version is refused with a message, and nothing changes.
    let stale = post(
        &s,
        &format!("/admin/roles/{id}"),
        &admin,
        &[
            ("version", &version),
            ("name", "Otro"),
            ("visibility", "all"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert_eq!(s.role("sales_rep").await["name"], "Sales rep");
    // The admin role cannot lose a permission.
    let admin_role = s.role("admin").await;
    let admin_id = admin_role["id"].as_str().unwrap();
    let locked = get(&s, &format!("/admin/roles/{admin_id}"), &admin.0).await;
    assert!(locked.text.contains("<fieldset class=\"plain\" disabled>"));
}

async fn a_territory_with_a_bad_country_names_the_field(s: TestServer) {
    let admin = s.browser_login(ADMIN, PASSWORD).await;
    let bad = post(
        &s,
        "/admin/territories",
        &admin,
        &[
            ("name", "Cuyo"),
            ("priority", "10"),
            ("countries", "AR, Argentina"),
            ("provinces", "Mendoza, San Juan"),
            ("active", "true"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains(r#"id="countries-error""#), "{}", bad.text);
    assert!(
        bad.text.contains(r#"value="Mendoza, San Juan""#),
        "what was typed stays"
    );
    let ok = post(
        &s,
        "/admin/territories",
        &admin,
        &[
            ("name", "Cuyo"),
            ("priority", "10"),
            ("countries", "ar"),
            ("provinces", "Mendoza, San Juan"),
            ("active", "true"),
        ],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let list = get(&s, "/admin/territories", &admin.0).await;
    assert!(list.text.contains("Mendoza, San Juan"));
    let api = s.get("/api/v1/territories").await.expect(200);
    assert_eq!(api.body["data"][0]["rules"]["countries"], json!(["AR"]));
}
