//! Exports of lists to CSV: every matching row within the caller's view, readable by a
//! spreadsheet (BOM, accents, no formulas), refused without the export permission, and
//! written to the audit trail.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use cartera_core::Id;
use cartera_core::users::Scope;

use crate::both;
use crate::support::TestServer;

both!(
    admin_exports_a_filtered_list_as_csv,
    long_lists_stream_every_row_once,
    exports_stay_within_the_view_and_need_the_permission,
);

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV answer, read with the csv crate.
struct Exported {
    content_type: String,
    disposition: String,
    raw: Vec<u8>,
    header: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

impl Exported {
    fn column(&self, name: &str) -> Vec<&str> {
        self.rows.iter().map(|r| r[name].as_str()).collect()
    }

    fn row(&self, name: &str) -> &HashMap<String, String> {
        self.rows
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no row named {name}"))
    }
}

async fn export(s: &TestServer, token: &str, path_and_query: &str) -> Exported {
    let res = s
        .client
        .get(format!("{}{path_and_query}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let header = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let raw = res.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&raw));
    assert!(raw.starts_with(BOM), "no byte order mark");
    let mut reader = csv::Reader::from_reader(&raw[BOM.len()..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    Exported {
        content_type,
        disposition,
        raw,
        header,
        rows,
    }
}

/// The export events the admin sees, newest first.
async fn export_events(s: &TestServer, query: &str) -> Vec<Value> {
    s.get(&format!("/api/v1/audit_events?action=exported{query}"))
        .await
        .expect(200)
        .body["data"]
        .as_array()
        .unwrap()
        .clone()
}

fn change<'a>(event: &'a Value, field: &str) -> &'a Value {
    event["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .map(|c| &c["new"])
        .unwrap_or_else(|| panic!("no change {field} in {event}"))
}

async fn admin_exports_a_filtered_list_as_csv(s: TestServer) {
    for def in [
        json!({"record_kind": "account", "key": "limite", "label": "Límite", "field_type": "money", "position": 1}),
        json!({"record_kind": "account", "key": "empleados", "label": "Empleados", "field_type": "number", "position": 2}),
        json!({"record_kind": "account", "key": "nota", "label": "Nota", "field_type": "text", "position": 3}),
    ] {
        s.post("/api/v1/custom_fields", def).await.expect(201);
    }
    let nandu = s
        .create(
            "accounts",
            json!({"name": "Ferretería Ñandú", "kind": "customer", "tags": ["VIP", "Zona Norte"],
                "billing_address": {"city": "Córdoba", "country": "AR"},
                "emails": [{"address": "ventas@nandu.com.ar", "label": "work"}, {"address": "pagos@nandu.com.ar"}],
                "phones": [{"number": "+54 351 123-4567"}],
                "custom": {"limite": {"amount": "1500.50", "currency": "ARS"}, "empleados": -3,
                           "nota": "-10% de descuento"}}),
        )
        .await;
    s.create(
        "accounts",
        json!({"name": "Compañía Álamo", "tags": ["vip"]}),
    )
    .await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"clic\")";
    s.create("accounts", json!({"name": evil, "tags": ["VIP"]}))
        .await;
    s.create(
        "accounts",
        json!({"name": "Otra S.R.L.", "tags": ["Mayorista"]}),
    )
    .await;

    // The file is dated in the user's time zone (UTC+14 here, ahead of everyone).
    s.patch(
        "/api/v1/users/me",
        json!({"time_zone": "Pacific/Kiritimati"}),
    )
    .await
    .expect(200);
    let day = || cartera_core::io::local_day(chrono::Utc::now(), "Pacific/Kiritimati").to_string();
    let before = day();
    let query = "filter[tags]=VIP&sort=name";
    let file = export(
        &s,
        &s.token,
        &format!("/api/v1/accounts/export?format=csv&{query}"),
    )
    .await;
    let after = day();
    assert_eq!(file.content_type, "text/csv; charset=utf-8");
    assert!(
        [before, after]
            .iter()
            .any(|d| file.disposition == format!("attachment; filename=\"accounts-{d}.csv\"")),
        "{}",
        file.disposition
    );

    // Exactly the tagged accounts, as the list shows them, accents intact.
    let listed: Vec<String> = s
        .all_pages(&format!("/api/v1/accounts?{query}"))
        .await
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(file.column("id"), listed);
    let mut names = file.column("name");
    names.sort();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example\",\"clic\")",
            "Compañía Álamo",
            "Ferretería Ñandú"
        ]
    );
    assert!(
        String::from_utf8(file.raw.clone())
            .unwrap()
            .contains("Ferretería Ñandú"),
        "UTF-8 text"
    );
    assert_eq!(
        &file.header[..6],
        [
            "id",
            "created_at",
            "updated_at",
            "created_by",
            "version",
            "deleted_at"
        ]
    );
    // Custom fields last, in the order of their forms.
    assert_eq!(
        &file.header[file.header.len() - 3..],
        ["custom.limite", "custom.empleados", "custom.nota"]
    );
    let row = file.row("Ferretería Ñandú");
    assert_eq!(row["id"], nandu["id"].as_str().unwrap());
    assert_eq!(row["created_by"], s.admin_id.to_string());
    assert_eq!(row["version"], "1");
    assert_eq!(row["kind"], "customer");
    assert_eq!(row["billing_address.city"], "Córdoba");
    assert_eq!(row["emails"], "ventas@nandu.com.ar; pagos@nandu.com.ar");
    // International numbers start with `+` but are only digits and punctuation: they
    // call nothing, so they are written as they are, with no quote in front.
    assert_eq!(row["phones"], "+54 351 123-4567");
    assert_eq!(row["tags"], "VIP; Zona Norte");
    assert_eq!(row["custom.limite"], "1500.50 ARS");
    // A number stays a number; text that starts like a formula does not.
    assert_eq!(row["custom.empleados"], "-3");
    assert_eq!(row["custom.nota"], "'-10% de descuento");
    assert_eq!(file.row("Compañía Álamo")["custom.limite"], "");

    // One audit event, for the admin to find.
    let events = export_events(&s, "").await;
    assert_eq!(events.len(), 1, "{events:?}");
    let ev = &events[0];
    assert_eq!(ev["actor_id"], s.admin_id.to_string());
    assert_eq!(ev["record_kind"], "account");
    assert!(ev["request_id"].is_string());
    assert_eq!(change(ev, "format"), "csv");
    assert_eq!(change(ev, "query"), query);
    assert_eq!(change(ev, "rows"), 3);
    let same = export_events(&s, "&record_kind=account").await;
    assert_eq!(same.len(), 1);

    // Refusals name the parameter and export nothing.
    for (q, field) in [
        ("limit=10", "limit"),
        ("cursor=abc", "cursor"),
        ("format=pdf", "format"),
        ("filter[planet]=Marte", "filter[planet]"),
        ("sort=colour", "sort"),
    ] {
        s.get(&format!("/api/v1/accounts/export?{q}"))
            .await
            .problem(400, field);
    }
    assert_eq!(export_events(&s, "").await.len(), 1);

    // No match: a file with its header alone. `csv` is the default format.
    let empty = export(&s, &s.token, "/api/v1/accounts/export?q=zzzz").await;
    assert!(empty.rows.is_empty());
    assert_eq!(empty.header, file.header);
    let events = export_events(&s, "").await;
    assert_eq!(events.len(), 2);
    assert_eq!(change(&events[0], "rows"), 0);
    assert_eq!(change(&events[0], "query"), "q=zzzz");

    // Contacts and leads export the same way.
    let c = s
        .create(
            "contacts",
            json!({"first_name": "José", "last_name": "Núñez", "birthday": "1980-05-01",
                "account_id": nandu["id"], "marketing_consent": true}),
        )
        .await;
    let contacts = export(&s, &s.token, "/api/v1/contacts/export").await;
    assert_eq!(contacts.column("id"), [c["id"].as_str().unwrap()]);
    assert_eq!(contacts.rows[0]["last_name"], "Núñez");
    assert_eq!(
        contacts.rows[0]["account_id"],
        nandu["id"].as_str().unwrap()
    );
    assert_eq!(contacts.rows[0]["birthday"], "1980-05-01");
    assert_eq!(contacts.rows[0]["marketing_consent"], "true");
    s.create(
        "leads",
        json!({"first_name": "Luisa", "company_name": "Agro Sur", "source": "web"}),
    )
    .await;
    let leads = export(&s, &s.token, "/api/v1/leads/export?filter[source]=web").await;
    assert_eq!(leads.column("company_name"), ["Agro Sur"]);
    assert_eq!(leads.rows[0]["status"], "new");
    let kinds: Vec<String> = export_events(&s, "")
        .await
        .iter()
        .map(|e| e["record_kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["lead", "contact", "account", "account"]);
}

async fn long_lists_stream_every_row_once(s: TestServer) {
    // More than two pages of 500, so the file is written from several reads.
    for part in 0..2 {
        let create: Vec<Value> = (0..600)
            .map(|i| json!({"name": format!("Cliente {part}-{i:03}"), "tags": ["lote"]}))
            .collect();
        s.post("/api/v1/accounts/bulk", json!({ "create": create }))
            .await
            .expect(200);
    }
    s.create("accounts", json!({"name": "Fuera del lote"}))
        .await;
    let file = export(
        &s,
        &s.token,
        "/api/v1/accounts/export?filter[tags]=lote&sort=-name",
    )
    .await;
    assert_eq!(file.rows.len(), 1200);
    let mut ids: Vec<&str> = file.column("id");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1200, "every row once");
    let names = file.column("name");
    assert_eq!(names[0], "Cliente 1-599");
    assert_eq!(names[1199], "Cliente 0-000");
    assert!(
        names.windows(2).all(|w| w[0] > w[1]),
        "in the requested order"
    );
    // The event was written before the rows were counted.
    let events = export_events(&s, "").await;
    assert_eq!(events.len(), 1);
    assert_eq!(change(&events[0], "rows"), &Value::Null);
    assert_eq!(change(&events[0], "query"), "filter[tags]=lote&sort=-name");
}

async fn person(s: &TestServer, email: &str, role: &Value) -> (Id, String) {
    let (id, token) = s.token_for(email, Scope::Read).await;
    s.patch(
        &format!("/api/v1/users/{id}"),
        json!({"role_id": role["id"]}),
    )
    .await
    .expect(200);
    (id, token)
}

async fn exports_stay_within_the_view_and_need_the_permission(s: TestServer) {
    let rep = s.role("sales_rep").await;
    let (ana_id, ana) = person(&s, "ana@test.example.com", &rep).await;
    let (beto_id, beto) = person(&s, "beto@test.example.com", &rep).await;
    for (owner, name) in [
        (ana_id, "Cuenta de Ana"),
        (ana_id, "Otra de Ana"),
        (beto_id, "Cuenta de Beto"),
    ] {
        s.create("accounts", json!({"name": name, "owner_id": owner}))
            .await;
    }
    s.create("leads", json!({"first_name": "Lía", "owner_id": beto_id}))
        .await;

    // Sales reps read their portfolio but may not take it away.
    for plural in ["accounts", "contacts", "leads"] {
        s.call(
            &beto,
            Method::GET,
            &format!("/api/v1/{plural}/export"),
            None,
        )
        .await
        .problem(403, "");
    }

    // A role that may export, seeing its own records only.
    let exporter = s
        .post(
            "/api/v1/roles",
            json!({"key": "rep_exporter", "name": "Sales rep who exports", "visibility": "own",
                "permissions": {"accounts": ["read", "export"], "leads": ["read"], "audit": ["read"]}}),
        )
        .await
        .expect(201)
        .body;
    s.patch(
        &format!("/api/v1/users/{ana_id}"),
        json!({"role_id": exporter["id"]}),
    )
    .await
    .expect(200);
    // A read-scoped token is enough: exporting is reading.
    let file = export(&s, &ana, "/api/v1/accounts/export?sort=name").await;
    assert_eq!(file.column("name"), ["Cuenta de Ana", "Otra de Ana"]);
    assert!(
        file.column("owner_id")
            .iter()
            .all(|o| *o == ana_id.to_string())
    );
    let searched = export(&s, &ana, "/api/v1/accounts/export?q=cuenta").await;
    assert_eq!(searched.column("name"), ["Cuenta de Ana"]);
    // Export is given per module.
    s.call(&ana, Method::GET, "/api/v1/leads/export", None)
        .await
        .problem(403, "");

    // The admin sees who exported what.
    let events = export_events(&s, &format!("&actor_id={ana_id}")).await;
    assert_eq!(events.len(), 2);
    assert_eq!(change(&events[1], "rows"), 2);
    assert_eq!(change(&events[0], "query"), "q=cuenta");
    let ana_export = events[0]["record_id"].as_str().unwrap().to_owned();

    // Nobody else reads someone's exports: not a limited viewer with audit read...
    probe_as_limited_viewer(&s, &ana, &ana_export, ana_id).await;
    // ...nor someone who sees every record but is not an administrator.
    let reader = s.role("read_only").await;
    let (_, olga) = person(&s, "olga@test.example.com", &reader).await;
    s.call(
        &olga,
        Method::GET,
        "/api/v1/audit_events?action=exported",
        None,
    )
    .await
    .problem(403, "");
    // A user's trail (logins, exports) is not a record she may read.
    s.call(
        &olga,
        Method::GET,
        &format!("/api/v1/audit_events?record_id={ana_id}"),
        None,
    )
    .await
    .problem(404, "");
}

/// The admin exports; a limited viewer finds neither that export nor her own in the
/// trail, by id, by user or by action.
async fn probe_as_limited_viewer(s: &TestServer, limited: &str, own_export: &str, own_id: Id) {
    export(s, &s.token, "/api/v1/accounts/export").await;
    let admins = export_events(s, &format!("&actor_id={}", s.admin_id)).await;
    let admin_export = admins[0]["record_id"].as_str().unwrap().to_owned();
    for path in [
        format!("/api/v1/audit_events?record_id={admin_export}"),
        format!("/api/v1/audit_events?record_id={own_export}"),
        format!("/api/v1/audit_events?record_id={}", s.admin_id),
        format!("/api/v1/audit_events?record_id={own_id}"),
    ] {
        s.call(limited, Method::GET, &path, None)
            .await
            .problem(404, "");
    }
    s.call(
        limited,
        Method::GET,
        "/api/v1/audit_events?action=exported",
        None,
    )
    .await
    .problem(403, "");
}
