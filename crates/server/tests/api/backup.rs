//! Backup and restore: a company copied to a file and restored into an empty database of
//! the other backend reads the same through the API, and back again; bad files and a
//! database already in use change nothing.

use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestServer};

both!(
    a_company_moves_to_the_other_backend_and_back,
    restore_refuses_bad_files_and_a_company_in_use
);

/// A company with a bit of everything: custom fields, a territory, a team, a second
/// user, accounts in a hierarchy of contacts, a converted lead, notes, activities with
/// costs, a product with a price list, a saved view, a trashed account and the audit
/// trail they all wrote.
async fn fill(s: &TestServer) {
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "empleados", "label": "Empleados", "field_type": "number"}),
    )
    .await
    .expect(201);
    s.post(
        "/api/v1/territories",
        json!({"name": "Cuyo", "rules": {"countries": ["AR"], "provinces": ["Mendoza"]}}),
    )
    .await
    .expect(201);
    let (rep, rep_token) = s.member("rep@test.example.com", "sales_rep").await;
    s.patch(
        "/api/v1/settings",
        json!({"mileage_rate": {"amount": "85.50", "currency": "ARS"}}),
    )
    .await
    .expect(200);
    let acc = s
        .create(
            "accounts",
            json!({"name": "Bodega Ñandú", "tax_id": "30-71234567-1",
                   "billing_address": {"province": "Mendoza", "city": "Maipú", "country": "AR"},
                   "tags": ["VIP"], "custom": {"empleados": 40}, "owner_id": rep}),
        )
        .await["id"]
        .clone();
    let boss = s
        .create(
            "contacts",
            json!({"first_name": "Inés", "last_name": "Lúquez", "account_id": acc,
                   "emails": [{"address": "ines@nandu.com.ar"}]}),
        )
        .await["id"]
        .clone();
    s.create(
        "contacts",
        json!({"first_name": "Iván", "last_name": "Peña", "account_id": acc, "reports_to_id": boss}),
    )
    .await;
    s.create_as(&rep_token, "accounts", json!({"name": "Cuenta de la rep"}))
        .await;
    let lead = s
        .create(
            "leads",
            json!({"first_name": "Lía", "last_name": "Soto", "company_name": "Olivos del Sur"}),
        )
        .await["id"]
        .clone();
    s.post(&format!("/api/v1/leads/{}/convert", str(&lead)), json!({}))
        .await
        .expect(200);
    s.post(
        &format!("/api/v1/accounts/{}/notes", str(&acc)),
        json!({"body": "Prefieren entregas los martes."}),
    )
    .await
    .expect(201);
    s.create(
        "activities",
        json!({"kind": "visit", "subject": "Visita de cata", "account_id": acc, "status": "done",
               "due_date": "2026-11-20", "costs": [{"type": "mileage", "km": "123.4"}]}),
    )
    .await;
    s.post(
        "/api/v1/saved_views",
        json!({"kind": "accounts", "name": "VIP", "query": "filter[tags]=VIP"}),
    )
    .await;
    let malbec = s
        .post(
            "/api/v1/products",
            json!({"sku": "MAL-750", "name": "Malbec 750 ml", "unit": "u",
                   "category": "Vinos", "tax_rate": "21"}),
        )
        .await
        .expect(201)
        .id();
    s.post(
        "/api/v1/price_lists",
        json!({"name": "Ñandú 2026", "currency": "ARS", "account_id": acc,
               "items": [{"product_id": malbec, "price": {"amount": "8999.99", "currency": "ARS"}}]}),
    )
    .await
    .expect(201);
    let gone = s.create("accounts", json!({"name": "A la papelera"})).await["id"].clone();
    s.delete(&format!("/api/v1/accounts/{}", str(&gone)))
        .await
        .expect(200);
}

/// Asserts two snapshots are equal, naming the first place they differ.
#[track_caller]
fn same(got: &Value, want: &Value) {
    fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys()) {
                    let (va, vb) = (
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                    );
                    if let Some(d) = first_difference(&format!("{path}.{k}"), va, vb) {
                        return Some(d);
                    }
                }
                None
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (va, vb))| first_difference(&format!("{path}[{i}]"), va, vb)),
            _ if a == b => None,
            _ => Some(format!("{path}: restored {a} but the original has {b}")),
        }
    }
    if let Some(d) = first_difference("", got, want) {
        panic!("{d}");
    }
}

fn str(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// What the company looks like through the API, in an order both backends agree on.
async fn snapshot(s: &TestServer) -> Value {
    let mut out = serde_json::Map::new();
    for path in [
        "/api/v1/accounts?sort=name",
        "/api/v1/contacts?sort=last_name",
        "/api/v1/leads?sort=created_at",
        "/api/v1/activities?sort=created_at",
        "/api/v1/custom_fields",
        "/api/v1/territories",
        "/api/v1/users",
        "/api/v1/audit_events",
        "/api/v1/accounts?trashed=true",
        "/api/v1/search?q=nandu",
        "/api/v1/search?q=olivos",
        "/api/v1/products",
        "/api/v1/price_lists",
        "/api/v1/saved_views",
    ] {
        let r = s.get(path).await;
        out.insert(
            path.to_owned(),
            json!({"status": r.status.as_u16(), "body": r.body}),
        );
    }
    let accounts = s.all_pages("/api/v1/accounts").await;
    for a in accounts {
        let id = str(&a["id"]).to_owned();
        for sub in ["notes", "timeline"] {
            let path = format!("/api/v1/accounts/{id}/{sub}");
            out.insert(path.clone(), s.get(&path).await.body);
        }
    }
    let mut v = Value::Object(out);
    forget_volatile(&mut v);
    v
}

/// Each test server makes itself a new admin token (audited), and a token's last use is
/// when it was used: neither is company data.
fn forget_volatile(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("last_used_at");
            m.remove("last_seen_at");
            for x in m.values_mut() {
                forget_volatile(x);
            }
        }
        Value::Array(a) => {
            a.retain(|x| x["record_kind"] != "api_token");
            a.iter_mut().for_each(forget_volatile);
        }
        _ => {}
    }
}

async fn backup_of(s: &TestServer) -> Vec<u8> {
    let mut file = Vec::new();
    let summary = cartera_app::backup::write(&s.app.db, &mut file, |_, _| {})
        .await
        .expect("backup");
    assert!(summary.rows > 20, "{summary}");
    file
}

fn other(b: Backend) -> Backend {
    match b {
        Backend::Sqlite if crate::support::postgres_admin_url().is_some() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

async fn a_company_moves_to_the_other_backend_and_back(s: TestServer) {
    fill(&s).await;
    let before = snapshot(&s).await;
    // The search index is rebuilt on restore: these must find something to compare.
    for q in ["nandu", "olivos"] {
        let found = before[&format!("/api/v1/search?q={q}")]["body"].to_string();
        assert!(
            found.contains("Bodega Ñandú") || found.contains("Olivos del Sur"),
            "{found}"
        );
    }
    let file = backup_of(&s).await;

    let there = TestServer::restored(other(s.backend()), &file)
        .await
        .expect("the other backend");
    same(&snapshot(&there).await, &before);

    // Records made after a restore get new numbers and land beside the old ones.
    let next = there.create("accounts", json!({"name": "Después"})).await;
    let back_file = backup_of(&there).await;
    let back = TestServer::restored(s.backend(), &back_file)
        .await
        .expect("this backend");
    let mut expected = snapshot(&there).await;
    forget_volatile(&mut expected);
    same(&snapshot(&back).await, &expected);
    assert!(
        back.all_pages("/api/v1/accounts")
            .await
            .iter()
            .any(|a| a["id"] == next["id"])
    );

    // The restored company logs in and works: the rep's own view still applies.
    let (_, rep) = back.member("rep@test.example.com", "sales_rep").await;
    let theirs = back.all_pages_as(&rep, "/api/v1/accounts").await;
    let names: Vec<&str> = theirs.iter().map(|a| str(&a["name"])).collect();
    assert!(names.contains(&"Cuenta de la rep"), "{names:?}");
    assert!(!names.contains(&"Después"), "{names:?}");
}

async fn restore_refuses_bad_files_and_a_company_in_use(s: TestServer) {
    fill(&s).await;
    let file = backup_of(&s).await;

    // Into a database that has a company: refused, nothing touched.
    let before = snapshot(&s).await;
    let err = cartera_app::backup::restore(&s.app.db, &file[..], |_, _| {})
        .await
        .expect_err("a company in use");
    assert!(err.to_string().contains("already holds a company"), "{err}");
    assert_eq!(snapshot(&s).await, before);

    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = lines[..lines.len() / 2].join("\n");
    let bad_count = text.replacen("\"rows\":", "\"rows\":9", 1);
    let wrong_schema = text.replacen("\"schema\":", "\"schema\":9", 1);
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("not a backup", "Razón social;CUIT\nBodega;30-1\n".into()),
        ("cut short", cut),
        ("rows miscounted", bad_count),
        ("another schema", wrong_schema),
    ];
    for (what, body) in cases {
        let target = TestServer::empty_database(s.backend()).await;
        let err = cartera_app::backup::restore(&target.db, body.as_bytes(), |_, _| {})
            .await
            .expect_err(what);
        // Nothing half-written: the database is as empty as before.
        let mut c = target.db.reader().await.unwrap();
        assert_eq!(
            cartera_store::backup::company_rows(&mut c).await.unwrap(),
            0,
            "{what}: {err}"
        );
        drop(c);
    }
}
