//! Imports: real files (LibreOffice's XLSX, ODS and XLS, a Windows-1252 `;` CSV, a
//! UTF-16 tab CSV), the guessed and remembered mapping, bad files and bad rows, the
//! duplicate modes, all-or-nothing, undo, the rejected rows as Excel; and the XLSX export.

use std::path::Path;

use calamine::{Data, Reader};
use reqwest::Method;
use serde_json::{Value, json};

use cartera_app::jobs::Worker;

use crate::both;
use crate::support::{Resp, TestServer};

both!(
    real_files_are_read_with_their_accents_numbers_and_dates,
    bad_files_and_bad_rows_get_clear_messages,
    duplicates_are_skipped_updated_or_created_and_undo_puts_things_back,
    all_or_nothing_writes_nothing_when_a_row_is_bad,
    external_ids_match_later_imports_and_mappings_are_remembered,
    rejected_rows_download_as_excel_without_formulas,
    imports_need_the_right_and_stay_private,
    lists_export_to_xlsx,
    the_import_page_previews_imports_and_undoes,
    the_import_page_says_each_problem_in_the_readers_language,
    // bulk import
    a_large_import_lists_its_created_rows_catches_repeats_and_undoes,
    // housekeeping
    a_large_undo_runs_as_a_job_and_trashes_each_record_once,
    an_undo_that_meets_a_record_out_of_view_stops_and_goes_on_later,
    uploads_never_imported_expire_and_running_imports_are_left_alone,
    bulk_created_rows_have_search_keys_tags_audit_and_undo,
    a_repeat_of_a_created_row_is_skipped_in_its_chunk_or_a_later_one,
    an_undo_whose_worker_died_goes_on_after_its_last_chunk,
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/imports")
            .join(name),
    )
    .unwrap()
}

/// Uploads `bytes` as `name` with the admin's token.
async fn upload(s: &TestServer, query: &str, bytes: Vec<u8>) -> Resp {
    upload_as(s, &s.token, query, bytes).await
}

/// Uploads a file that must be accepted; returns the new import's id.
async fn uploaded(s: &TestServer, query: &str, bytes: Vec<u8>) -> String {
    upload(s, query, bytes).await.expect(201).body["import"]["id"]
        .as_str()
        .expect("the import's id")
        .to_owned()
}

async fn upload_as(s: &TestServer, token: &str, query: &str, bytes: Vec<u8>) -> Resp {
    let path = format!("/api/v1/imports?{query}");
    s.post_bytes(token, &path, "application/octet-stream", bytes)
        .await
}

/// Starts an import and runs the job queue; returns the import as it ended.
async fn run(s: &TestServer, id: &str, start: Value) -> Value {
    s.post(&format!("/api/v1/imports/{id}/start"), start)
        .await
        .expect(202);
    let worker = Worker::standard("test");
    assert!(worker.run_due(&s.app).await.unwrap() >= 1);
    import(s, id).await
}

/// The import as `GET /api/v1/imports/{id}` shows it.
async fn import(s: &TestServer, id: &str) -> Value {
    s.get(&format!("/api/v1/imports/{id}"))
        .await
        .expect(200)
        .body
}

async fn rows(s: &TestServer, id: &str) -> Vec<Value> {
    s.all_pages(&format!("/api/v1/imports/{id}/rows")).await
}

/// The records that audit `events` are about, sorted, each once.
fn distinct_records(events: &[Value]) -> Vec<&str> {
    let mut ids: Vec<&str> = events
        .iter()
        .map(|e| e["record_id"].as_str().expect("a record id"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn counts(i: &Value) -> (i64, i64, i64, i64) {
    let c = &i["counts"];
    (
        c["created"].as_i64().unwrap(),
        c["updated"].as_i64().unwrap(),
        c["skipped"].as_i64().unwrap(),
        c["rejected"].as_i64().unwrap(),
    )
}

async fn custom_fields(s: &TestServer) {
    for d in [
        json!({"record_kind": "account", "key": "facturacion_anual", "label": "Facturación anual", "field_type": "number"}),
        json!({"record_kind": "account", "key": "alta", "label": "Alta", "field_type": "date"}),
    ] {
        s.post("/api/v1/custom_fields", d).await.expect(201);
    }
}

async fn real_files_are_read_with_their_accents_numbers_and_dates(s: TestServer) {
    custom_fields(&s).await;
    let up = upload(
        &s,
        "kind=accounts&file_name=clientes.xlsx",
        fixture("clientes.xlsx"),
    )
    .await
    .expect(201);
    assert!(
        up.header("location")
            .unwrap()
            .starts_with("/api/v1/imports/")
    );
    let imp = &up.body["import"];
    assert_eq!(imp["status"], "draft");
    assert_eq!(imp["format"], "xlsx");
    assert_eq!(
        imp["mapping"],
        json!([
            "name",
            "tax_id",
            "phones",
            "emails",
            "billing_address.city",
            "custom.facturacion_anual",
            "custom.alta",
            "description"
        ])
    );
    assert_eq!(up.body["sample"][0][0], "Panadería Núñez S.R.L.");
    assert_eq!(up.body["sample"].as_array().unwrap().len(), 4);
    let id = imp["id"].as_str().unwrap().to_owned();

    // A dry run says what would happen and writes nothing.
    let dry = run(&s, &id, json!({"mode": "dry_run"})).await;
    assert_eq!(dry["status"], "checked");
    assert_eq!(counts(&dry), (4, 0, 0, 0));
    assert_eq!(dry["total_rows"], 4);
    assert!(s.all_pages("/api/v1/accounts").await.is_empty());

    // The same import, for real.
    let done = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(counts(&done), (4, 0, 0, 0));
    assert_eq!(done["processed_rows"], 4);
    let accounts = s.all_pages("/api/v1/accounts?sort=name").await;
    let names: Vec<&str> = accounts
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Café Álvarez",
            "Ferretería Ñandú",
            "Muñoz & Peña Asociados",
            "Panadería Núñez S.R.L."
        ]
    );
    let p = &accounts[3];
    assert_eq!(p["tax_id"], "30-70000001-6");
    assert_eq!(p["billing_address"]["city"], "Córdoba");
    assert_eq!(p["emails"][0]["address"], "ventas@panaderianunez.com.ar");
    assert_eq!(p["custom"]["facturacion_anual"], json!(1234.5));
    assert_eq!(p["custom"]["alta"], "2026-11-22");
    assert_eq!(p["description"], "Cliente desde 2019\npide factura A");
    assert_eq!(accounts[0]["custom"]["facturacion_anual"], json!(2000000));

    // Every other saving of the same file reads the same values: updating the accounts
    // from it changes nothing.
    for (file, query) in [
        ("clientes.ods", ""),
        ("clientes.xls", ""),
        ("clientes-1252.csv", ""),
        ("clientes-utf16.csv", "&locale=en"),
    ] {
        let up = upload(
            &s,
            &format!("kind=accounts&file_name={file}{query}"),
            fixture(file),
        )
        .await
        .expect(201);
        let imp = &up.body["import"];
        assert_eq!(imp["mapping"][0], "name", "{file}");
        assert_eq!(imp["mapping"][6], "custom.alta", "{file}");
        if file.ends_with(".csv") {
            let (enc, delim) = if file.contains("1252") {
                ("windows-1252", ";")
            } else {
                ("utf-16le", "\t")
            };
            assert_eq!(imp["options"]["read"]["encoding"], enc);
            assert_eq!(imp["options"]["read"]["delimiter"], delim);
        }
        let id = imp["id"].as_str().unwrap().to_owned();
        let ran = run(
            &s,
            &id,
            json!({"mode": "skip_bad_rows", "on_match": "update"}),
        )
        .await;
        assert_eq!(
            counts(&ran),
            (0, 0, 4, 0),
            "{file}: {}",
            json!(rows(&s, &id).await)
        );
        let r = rows(&s, &id).await;
        assert_eq!(r[0]["cells"][0], "Panadería Núñez S.R.L.", "{file}");
        assert_eq!(
            r[0]["problems"][0]["message"],
            "the file says nothing new about it"
        );
    }
    // Each run is in the audit trail, and each record's creation names the import.
    let audit = s.all_pages("/api/v1/audit_events?action=imported").await;
    assert_eq!(audit.len(), 6, "{}", json!(audit));
}

async fn bad_files_and_bad_rows_get_clear_messages(s: TestServer) {
    let q = "kind=contacts&file_name=x.csv";
    let r = upload(&s, q, Vec::new()).await.problem(422, "file");
    assert!(
        r.body.to_string().contains("the file is empty"),
        "{}",
        r.body
    );
    let r = upload(&s, q, b"\xEF\xBB\xBF  \r\n".to_vec())
        .await
        .problem(422, "file");
    assert!(r.body.to_string().contains("empty"), "{}", r.body);
    let r = upload(&s, q, b"Nombre;Apellido;Email\r\n".to_vec())
        .await
        .problem(422, "file");
    assert!(r.body.to_string().contains("no data rows"), "{}", r.body);
    let r = upload(
        &s,
        "kind=accounts&file_name=bomba.xlsx",
        fixture("bomba.xlsx"),
    )
    .await
    .problem(422, "file");
    assert!(r.body.to_string().contains("zip bomb"), "{}", r.body);
    upload(&s, "kind=deals&file_name=x.csv", b"a,b\n1,2\n".to_vec())
        .await
        .problem(400, "kind");
    upload(&s, "kind=contacts&encoding=klingon", b"a,b\n1,2\n".to_vec())
        .await
        .problem(400, "encoding");
    // A file larger than the limit is refused (413) without being kept.
    let huge = vec![b'a'; 64 * 1024 * 1024 + 1];
    let res = s
        .client
        .post(format!("{}/api/v1/imports?{q}", s.base))
        .bearer_auth(&s.token)
        .body(huge)
        .send()
        .await;
    if let Ok(res) = res {
        assert_eq!(res.status().as_u16(), 413);
    }
    assert!(s.all_pages("/api/v1/imports").await.is_empty());

    // Rows: duplicated headers, too many and too few cells, impossible dates, bad emails.
    let csv = "Nombre,Apellido,Email,Nombre,Cumpleaños\n\
               Ana,García,ana@example.com,Anita,22/11/1990\n\
               Luis,Pérez,luis@example.com,,31/02/2026\n\
               Eva,Díaz,eva@example.com,,01/01/1980,sobra\n\
               Juan,Soto\n\
               Marta,Ruiz,no-es-un-email,,\n";
    let up = upload(&s, q, csv.as_bytes().to_vec()).await.expect(201);
    let imp = &up.body["import"];
    // The second `Nombre` is left unmapped rather than filling first_name twice.
    assert_eq!(
        imp["mapping"],
        json!(["first_name", "last_name", "emails", null, "birthday"])
    );
    let id = imp["id"].as_str().unwrap().to_owned();
    let done = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(
        counts(&done),
        (1, 0, 0, 4),
        "{}",
        json!(rows(&s, &id).await)
    );
    let r = rows(&s, &id).await;
    let problem = |n: i64| -> String {
        let row = r.iter().find(|x| x["row_number"] == n).unwrap();
        assert_eq!(row["outcome"], "rejected");
        row["problems"].to_string()
    };
    assert!(
        problem(3).contains("Cumpleaños") && problem(3).contains("no day 31"),
        "{}",
        problem(3)
    );
    assert!(
        problem(4).contains("has 6 cells; the header has 5 columns"),
        "{}",
        problem(4)
    );
    assert!(problem(5).contains("has 2 cells"), "{}", problem(5));
    assert!(problem(6).contains("Email"), "{}", problem(6));
    let contacts = s.all_pages("/api/v1/contacts").await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["birthday"], "1990-11-22");
}

async fn duplicates_are_skipped_updated_or_created_and_undo_puts_things_back(s: TestServer) {
    let ana = s
        .create(
            "contacts",
            json!({"first_name": "Ana", "last_name": "García",
            "emails": [{"address": "ana@example.com"}], "job_title": "Compras"}),
        )
        .await;
    let ana_id = ana["id"].as_str().unwrap().to_owned();
    let csv = "First name,Last name,E-mail,Cargo\n\
               Ana,García,ANA@example.com,Gerente\n\
               Bruno,Sosa,bruno@example.com,Ventas\n";
    let file = || csv.as_bytes().to_vec();
    let q = "kind=contacts&file_name=c.csv&locale=en";

    // skip: the match is left alone.
    let id = uploaded(&s, q, file()).await;
    let dry = run(
        &s,
        &id,
        json!({"mode": "dry_run", "match_on": "email", "on_match": "skip"}),
    )
    .await;
    assert_eq!(counts(&dry), (1, 0, 1, 0));
    let r = rows(&s, &id).await;
    assert_eq!(r[0]["outcome"], "skipped");
    assert_eq!(r[0]["record_id"], ana_id.as_str());
    assert!(
        r[0]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Ana García")
    );

    // update: the match takes the row's values; the new row is created.
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows", "on_match": "update"}),
    )
    .await;
    assert_eq!(counts(&done), (1, 1, 0, 0));
    let a = s
        .get(&format!("/api/v1/contacts/{ana_id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(a["job_title"], "Gerente");
    assert_eq!(a["version"], 2);
    assert_eq!(s.all_pages("/api/v1/contacts").await.len(), 2);
    // The changed record's audit event names the import.
    let ev = s
        .all_pages(&format!("/api/v1/audit_events?record_id={ana_id}"))
        .await;
    assert!(
        ev.iter()
            .any(|e| e["action"] == "updated" && e["request_id"] == format!("import:{id}")),
        "{}",
        json!(ev)
    );
    // A finished import cannot start again.
    s.post(
        &format!("/api/v1/imports/{id}/start"),
        json!({"mode": "skip_bad_rows"}),
    )
    .await
    .expect(409);

    // Undo: the created contact goes to the trash, Ana gets her old title back.
    let undone = s
        .post(&format!("/api/v1/imports/{id}/undo"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(undone["status"], "undone");
    let a = s
        .get(&format!("/api/v1/contacts/{ana_id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(a["job_title"], "Compras");
    let live = s.all_pages("/api/v1/contacts").await;
    assert_eq!(live.len(), 1);
    assert_eq!(s.all_pages("/api/v1/contacts?trashed=true").await.len(), 1);
    s.post(&format!("/api/v1/imports/{id}/undo"), json!({}))
        .await
        .expect(409);

    // create: a new record even though the email matches.
    let id = uploaded(&s, q, file()).await;
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows", "on_match": "create"}),
    )
    .await;
    assert_eq!(counts(&done), (2, 0, 0, 0));
    assert_eq!(s.all_pages("/api/v1/contacts").await.len(), 3);

    // Accounts match on the tax id, whatever its punctuation.
    s.create(
        "accounts",
        json!({"name": "Acme", "tax_id": "30-70000001-6"}),
    )
    .await;
    let id = upload(
        &s,
        "kind=accounts&file_name=a.csv",
        "Razón social;CUIT\nAcme SA;30700000016\n"
            .as_bytes()
            .to_vec(),
    )
    .await
    .expect(201)
    .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows", "match_on": "tax_id", "on_match": "update"}),
    )
    .await;
    assert_eq!(
        counts(&done),
        (0, 1, 0, 0),
        "{}",
        json!(rows(&s, &id).await)
    );
    let accounts = s.all_pages("/api/v1/accounts").await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["name"], "Acme SA");
}

async fn all_or_nothing_writes_nothing_when_a_row_is_bad(s: TestServer) {
    let mut csv = String::from("Nombre;Apellido;Email\n");
    for i in 0..1200 {
        csv.push_str(&format!("Persona{i};Apellido{i};p{i}@example.com\n"));
    }
    // The last row is bad: nothing of the 1,200 good ones may be written.
    csv.push_str("Mala;Fila;no-email\n");
    let q = "kind=contacts&file_name=grande.csv";
    let id = uploaded(&s, q, csv.clone().into_bytes()).await;
    let failed = run(&s, &id, json!({"mode": "all_or_nothing"})).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("nothing was written")
    );
    assert_eq!(failed["counts"]["rejected"], 1);
    assert_eq!(failed["processed_rows"], 1201);
    assert!(s.all_pages("/api/v1/contacts").await.is_empty());
    let bad = s
        .all_pages(&format!("/api/v1/imports/{id}/rows?outcome=rejected"))
        .await;
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["row_number"], 1202);

    // Without the bad row it writes all of them, in one go.
    csv.truncate(csv.len() - "Mala;Fila;no-email\n".len());
    let id = uploaded(&s, q, csv.into_bytes()).await;
    let done = run(&s, &id, json!({"mode": "all_or_nothing"})).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(counts(&done), (1200, 0, 0, 0));
    assert_eq!(s.all_pages("/api/v1/contacts?q=persona1199").await.len(), 1);
}

async fn external_ids_match_later_imports_and_mappings_are_remembered(s: TestServer) {
    let csv = "Código,Empresa,Contacto,Origen\nL-1,Acme,Ana,feria\nL-2,Beta,Bruno,web\n";
    let q = "kind=leads&file_name=leads.csv";
    let up = upload(&s, q, csv.as_bytes().to_vec()).await.expect(201);
    let imp = &up.body["import"];
    assert_eq!(
        imp["mapping"],
        json!(["external_id", "company_name", null, "source"])
    );
    assert_eq!(imp["options"]["match_on"], "external_id");
    let id = imp["id"].as_str().unwrap().to_owned();
    // A mapping that names a field twice, or no field, is refused by column.
    s.post(
        &format!("/api/v1/imports/{id}/start"),
        json!({"mapping": ["external_id", "company_name", "company_name", "source"]}),
    )
    .await
    .problem(422, "mapping[2]");
    s.post(
        &format!("/api/v1/imports/{id}/start"),
        json!({"mapping": ["external_id", null]}),
    )
    .await
    .problem(422, "mapping");
    s.post(
        &format!("/api/v1/imports/{id}/start"),
        json!({"mode": "sometimes"}),
    )
    .await
    .problem(422, "mode");
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows",
        "mapping": ["external_id", "company_name", "first_name", "source"]}),
    )
    .await;
    assert_eq!(counts(&done), (2, 0, 0, 0));

    // The same source again: the edited mapping comes back, and rows match by code.
    let csv2 = "Código,Empresa,Contacto,Origen\nL-1,Acme SRL,Ana,feria\nL-3,Gama,Gabi,web\n";
    let up = upload(&s, q, csv2.as_bytes().to_vec()).await.expect(201);
    let imp = &up.body["import"];
    assert_eq!(
        imp["mapping"],
        json!(["external_id", "company_name", "first_name", "source"])
    );
    let id = imp["id"].as_str().unwrap().to_owned();
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows", "on_match": "update"}),
    )
    .await;
    assert_eq!(
        counts(&done),
        (1, 1, 0, 0),
        "{}",
        json!(rows(&s, &id).await)
    );
    let leads = s.all_pages("/api/v1/leads?sort=company_name").await;
    let names: Vec<&str> = leads
        .iter()
        .map(|l| l["company_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme SRL", "Beta", "Gama"]);
}

async fn rejected_rows_download_as_excel_without_formulas(s: TestServer) {
    let csv = "Nombre,Apellido,Email\n\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",Pérez,no-es-un-email\nBien,Hecho,b@example.com\n";
    let id = upload(
        &s,
        "kind=contacts&file_name=contactos.csv",
        csv.as_bytes().to_vec(),
    )
    .await
    .expect(201)
    .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(
        counts(&done),
        (1, 0, 0, 1),
        "{}",
        json!(rows(&s, &id).await)
    );
    let res = s
        .client
        .get(format!("{}/api/v1/imports/{id}/rejected", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("contactos-rejected.xlsx")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells[0], ["row", "Nombre", "Apellido", "Email", "problems"]);
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[1][0], "2");
    // A typed string cell: shown, never run, so written as it came, with no quote.
    assert!(cells[1][1].starts_with("=HYPERLINK"), "{:?}", cells[1]);
    assert!(cells[1][4].contains("Email"), "{:?}", cells[1]);
    assert!(!matches!(sheet.get((1, 1)), Some(Data::Error(_))));
}

async fn imports_need_the_right_and_stay_private(s: TestServer) {
    let (_, reader) = s.member("lectora@example.com", "read_only").await;
    upload_as(
        &s,
        &reader,
        "kind=contacts&file_name=c.csv",
        b"Nombre,Apellido\nA,B\n".to_vec(),
    )
    .await
    .expect(403);
    let (_, rep) = s.member("vendedor@example.com", "sales_rep").await;
    let id = upload(
        &s,
        "kind=contacts&file_name=c.csv",
        b"Nombre,Apellido\nA,B\n".to_vec(),
    )
    .await
    .expect(201)
    .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone else's import does not exist for a non-admin.
    s.call(&rep, Method::GET, &format!("/api/v1/imports/{id}"), None)
        .await
        .expect(404);
    s.call(
        &rep,
        Method::POST,
        &format!("/api/v1/imports/{id}/undo"),
        None,
    )
    .await
    .expect(404);
    let theirs = s
        .call(&rep, Method::GET, "/api/v1/imports", None)
        .await
        .expect(200);
    assert_eq!(theirs.body["data"], json!([]));
    assert_eq!(
        s.get("/api/v1/imports").await.expect(200).body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn lists_export_to_xlsx(s: TestServer) {
    s.create(
        "accounts",
        json!({"name": "Ñandú SA", "tax_id": "30-70000001-6", "tags": ["VIP"]}),
    )
    .await;
    s.create(
        "accounts",
        json!({"name": "=cmd|' /C calc'!A0", "tags": ["otro"]}),
    )
    .await;
    let res = s
        .client
        .get(format!(
            "{}/api/v1/accounts/export?format=xlsx&sort=name",
            s.base
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 3);
    // Text is a typed string cell, which a spreadsheet never runs: no quote needed.
    assert_eq!(rows[1][col("name")], "=cmd|' /C calc'!A0");
    assert_eq!(rows[2][col("name")], "Ñandú SA");
    assert_eq!(rows[2][col("tax_id")], "30-70000001-6");
    // Filters apply as in the list, and the export is audited with its format.
    let res = s
        .client
        .get(format!(
            "{}/api/v1/accounts/export?format=xlsx&filter[tags]=VIP",
            s.base
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.worksheet_range_at(0).unwrap().unwrap().height(), 2);
    let audit = s.all_pages("/api/v1/audit_events?action=exported").await;
    assert!(
        audit
            .iter()
            .any(|e| e["changes"].to_string().contains("xlsx")),
        "{}",
        json!(audit)
    );
    // A member without the export right gets nothing.
    let (_, reader) = s.member("lectora@example.com", "read_only").await;
    s.call(
        &reader,
        Method::GET,
        "/api/v1/accounts/export?format=xlsx",
        None,
    )
    .await
    .expect(403);
}

/// Uploads a CSV as `token`'s user, runs it (skipping bad rows, matching on email) and
/// gives its id and its rows as the API lists them.
async fn imported_as(s: &TestServer, token: &str, csv: &str) -> (String, Vec<Value>) {
    let id = upload_as(s, token, "kind=contacts&file_name=equipo.csv", csv.into())
        .await
        .expect(201)
        .body["import"]["id"]
        .as_str()
        .expect("the import's id")
        .to_owned();
    s.call(
        token,
        Method::POST,
        &format!("/api/v1/imports/{id}/start"),
        Some(json!({"mode": "skip_bad_rows", "match_on": "email", "on_match": "skip"})),
    )
    .await
    .expect(202);
    assert!(Worker::standard("test").run_due(&s.app).await.unwrap() >= 1);
    let rows = s
        .call(
            token,
            Method::GET,
            &format!("/api/v1/imports/{id}/rows"),
            None,
        )
        .await
        .expect(200)
        .body["data"]
        .as_array()
        .expect("the rows")
        .clone();
    (id, rows)
}

/// Whether a page shows `text`, as written or HTML-escaped (the pages escape `'` and `/`).
fn shows(page: &str, text: &str) -> bool {
    page.contains(text) || page.contains(&text.replace('\'', "&#x27;").replace('/', "&#x2f;"))
}

async fn the_import_page_says_each_problem_in_the_readers_language(s: TestServer) {
    use crate::web::{PASSWORD, get};
    let (_, rita) = s.member("rita@test.example.com", "admin").await;
    s.call(
        &rita,
        Method::PATCH,
        "/api/v1/users/me",
        Some(json!({"locale": "es"})),
    )
    .await
    .expect(200);
    s.create_as(
        &rita,
        "contacts",
        json!({"first_name": "Ana", "last_name": "García",
            "emails": [{"address": "ana@example.com"}]}),
    )
    .await;
    // A day February lacks, an email that is none, no name at all, and Ana again.
    let csv = "Nombre,Apellido,Email,Cumpleaños\n\
               Luis,Pérez,luis@example.com,31/02/2026\n\
               Eva,Díaz,no-es-un-email,01/01/1980\n\
               ,,sin-nombre@example.com,\n\
               Ana,García,ana@example.com,\n";
    let (id, rows) = imported_as(&s, &rita, csv).await;
    let problems = |n: i64| -> Vec<Value> {
        let row = rows.iter().find(|r| r["row_number"] == n).expect("the row");
        row["problems"].as_array().expect("its problems").clone()
    };
    // The API keeps its English message and adds the code and its blanks.
    let date = &problems(2)[0];
    assert_eq!(
        (&date["column"], &date["code"], &date["value"]),
        (
            &json!("Cumpleaños"),
            &json!("no_such_day"),
            &json!("31/02/2026")
        ),
        "{date}"
    );
    assert!(date["message"].as_str().unwrap().contains("no day 31"));
    let email = &problems(3)[0];
    assert_eq!(
        (&email["code"], &email["violation"], &email["field"]),
        (
            &json!("invalid"),
            &json!("invalid"),
            &json!("emails[0].address")
        ),
        "{email}"
    );
    assert_eq!(problems(4)[0]["violation"], "required");
    let dup = &problems(5)[0];
    assert_eq!(
        (&dup["code"], &dup["field"], &dup["kind"], &dup["name"]),
        (
            &json!("same_key"),
            &json!("email"),
            &json!("contact"),
            &json!("Ana García")
        ),
        "{dup}"
    );

    let (cookie, _) = s.browser_login("rita@test.example.com", PASSWORD).await;
    let page = get(&s, &format!("/imports/{id}"), &cookie).await;
    assert_eq!(page.status, 200);
    for spanish in [
        "Cumpleaños: «31/02/2026» no es una fecha: ese mes no tiene ese día.",
        "Email: Escribe un correo válido, como nombre@empresa.com.",
        "Apellido: Escribe un nombre o un apellido.",
        "Ya hay un registro con el mismo email: Contacto «Ana García».",
    ] {
        assert!(shows(&page.text, spanish), "{spanish}\n{}", page.text);
    }
    for r in &rows {
        for p in r["problems"].as_array().unwrap() {
            let english = p["message"].as_str().unwrap();
            assert!(!shows(&page.text, english), "{english}\n{}", page.text);
        }
    }

    // A record outside the importer's view is not named, in any language.
    let (_, beto) = s.member("beto@test.example.com", "sales_rep").await;
    let (id, rows) = imported_as(
        &s,
        &beto,
        "Nombre,Apellido,Email\nAnita,G,ana@example.com\n",
    )
    .await;
    let hidden = &rows[0]["problems"][0];
    assert_eq!(hidden["code"], "same_key", "{hidden}");
    assert_eq!(hidden.get("name"), None, "{hidden}");
    let (cookie, _) = s.browser_login("beto@test.example.com", PASSWORD).await;
    let page = get(&s, &format!("/imports/{id}"), &cookie).await;
    assert!(
        page.text
            .contains("Ya hay un registro fuera de tu vista con el mismo email."),
        "{}",
        page.text
    );
    assert!(!page.text.contains("Ana García"), "{}", page.text);
}

async fn the_import_page_previews_imports_and_undoes(s: TestServer) {
    use crate::web::{PASSWORD, get, page};
    let (_, _) = s.member("rita@test.example.com", "admin").await;
    let (cookie, csrf) = s.browser_login("rita@test.example.com", PASSWORD).await;
    let index = get(&s, "/imports", &cookie).await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("data-import-upload"));
    // The page's script posts the file itself, with the CSRF token in a header.
    let csv = "Nombre;Apellido;Email;País\nAna;García;ana@example.com;Argentina\nLuis;Pérez;no-email;Chile\n";
    let res = s
        .client
        .post(format!(
            "{}/imports?kind=contacts&file_name=equipo.csv",
            s.base
        ))
        .header("cookie", &cookie)
        .body(csv.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403, "no CSRF token, no upload");
    let res = s
        .client
        .post(format!(
            "{}/imports?kind=contacts&file_name=equipo.csv",
            s.base
        ))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .body(csv.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let at = res.json::<Value>().await.unwrap()["location"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft = get(&s, &at, &cookie).await;
    assert_eq!(draft.status, 200);
    assert!(draft.text.contains("ana@example.com"), "the sample shows");
    assert!(
        draft
            .text
            .contains(r#"<option value="address.country" selected>"#)
    );
    let id = at.trim_start_matches("/imports/");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("map_0", "first_name"),
        ("map_1", "last_name"),
        ("map_2", "emails"),
        ("map_3", "address.country"),
        ("match_on", "email"),
        ("on_match", "skip"),
        ("locale", "es"),
        ("mode", "skip_bad_rows"),
        ("preview", "1"),
    ];
    let r = page(
        &s,
        Method::POST,
        &format!("{at}/start"),
        Some(&cookie),
        &[],
        Some(&form),
    )
    .await;
    assert_eq!(r.status, 303);
    let running = get(&s, &at, &cookie).await;
    assert!(
        running
            .text
            .contains(&format!(r#"hx-get="/imports/{id}/progress""#)),
        "polls while queued"
    );
    Worker::standard("t").run_due(&s.app).await.unwrap();
    let polled = page(
        &s,
        Method::GET,
        &format!("{at}/progress"),
        Some(&cookie),
        &[("hx-request", "true")],
        None,
    )
    .await;
    assert_eq!(polled.status, 200);
    let checked = get(&s, &at, &cookie).await;
    assert!(
        checked.text.contains("no-email"),
        "the rejected row shows with its problem"
    );
    assert!(
        s.all_pages("/api/v1/contacts").await.is_empty(),
        "a preview writes nothing"
    );
    let r = page(
        &s,
        Method::POST,
        &format!("{at}/start"),
        Some(&cookie),
        &[],
        Some(&form[..9]),
    )
    .await;
    assert_eq!(r.status, 303);
    Worker::standard("t").run_due(&s.app).await.unwrap();
    let contacts = s.all_pages("/api/v1/contacts").await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["address"]["country"], "AR");
    let done = get(&s, &at, &cookie).await;
    assert!(
        done.text
            .contains(&format!(r#"href="/imports/{id}/rejected""#))
    );
    let file = get(&s, &format!("{at}/rejected"), &cookie).await;
    assert_eq!(file.status, 200);
    let r = page(
        &s,
        Method::POST,
        &format!("{at}/undo"),
        Some(&cookie),
        &[],
        Some(&[("csrf_token", csrf.as_str())]),
    )
    .await;
    assert_eq!(r.status, 303);
    assert!(s.all_pages("/api/v1/contacts").await.is_empty());
}

// bulk import: a file of several chunks keeps every promise of a small one.
async fn a_large_import_lists_its_created_rows_catches_repeats_and_undoes(s: TestServer) {
    let mut csv = String::from("Nombre;Apellido;Email\n");
    for i in 0..3000 {
        csv.push_str(&format!("Persona{i};Apellido{i};p{i}@example.com\n"));
    }
    // The first row's email again, chunks later and in other letters, and a bad row.
    csv.push_str("Repetida;Otra;P0@Example.COM\nMala;Fila;no-email\n");
    let q = "kind=contacts&file_name=grande.csv";
    let id = uploaded(&s, q, csv.into_bytes()).await;
    let done = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(counts(&done), (3000, 0, 1, 1));
    assert_eq!(done["processed_rows"], 3002);

    // Every created row is listed with its record; the first rows keep their cells.
    let created = s
        .all_pages(&format!(
            "/api/v1/imports/{id}/rows?outcome=created&limit=500"
        ))
        .await;
    assert_eq!(created.len(), 3000);
    assert!(created.iter().all(|r| r["record_id"].is_string()));
    assert_eq!(created[0]["row_number"], 2);
    assert_eq!(
        created[0]["cells"],
        json!(["Persona0", "Apellido0", "p0@example.com"])
    );
    let last = &created[2999];
    assert_eq!(last["row_number"], 3001);
    let rec = s
        .get(&format!(
            "/api/v1/contacts/{}",
            last["record_id"].as_str().unwrap()
        ))
        .await
        .expect(200)
        .body;
    assert_eq!(rec["first_name"], "Persona2999");
    assert_eq!(s.all_pages("/api/v1/contacts?q=persona2999").await.len(), 1);

    // The repeat matches the first row's record and is skipped, with its cells.
    let skipped = s
        .all_pages(&format!("/api/v1/imports/{id}/rows?outcome=skipped"))
        .await;
    assert_eq!(skipped.len(), 1, "{}", json!(skipped));
    assert_eq!(skipped[0]["row_number"], 3002);
    assert_eq!(skipped[0]["record_id"], created[0]["record_id"]);
    assert_eq!(
        skipped[0]["cells"],
        json!(["Repetida", "Otra", "P0@Example.COM"])
    );
    // The bad row is rejected with its cells.
    let bad = s
        .all_pages(&format!("/api/v1/imports/{id}/rows?outcome=rejected"))
        .await;
    assert_eq!(bad.len(), 1, "{}", json!(bad));
    assert_eq!(bad[0]["row_number"], 3003);
    assert_eq!(bad[0]["cells"], json!(["Mala", "Fila", "no-email"]));

    // Undo puts every created record in the trash.
    let undone = s
        .post(&format!("/api/v1/imports/{id}/undo"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(undone["status"], "undone");
    assert!(s.all_pages("/api/v1/contacts").await.is_empty());
    assert_eq!(
        s.all_pages("/api/v1/contacts?trashed=true&limit=500")
            .await
            .len(),
        3000
    );
}

// housekeeping: an undo in the background, set-based, with its progress.
async fn a_large_undo_runs_as_a_job_and_trashes_each_record_once(s: TestServer) {
    let ana = s
        .create(
            "contacts",
            json!({"first_name": "Ana", "last_name": "García",
                   "emails": [{"address": "p0@example.com"}], "job_title": "Compras"}),
        )
        .await;
    let ana_id = ana["id"].as_str().unwrap().to_owned();
    let mut csv = String::from("Nombre;Apellido;Email;Cargo\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "Persona{i};Apellido{i};p{i}@example.com;Gerente\n"
        ));
    }
    let id = uploaded(&s, "kind=contacts&file_name=grande.csv", csv.into_bytes()).await;
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows", "match_on": "email", "on_match": "update"}),
    )
    .await;
    assert_eq!(counts(&done), (2999, 1, 0, 0), "{done}");
    assert_eq!(s.all_pages("/api/v1/contacts?q=persona2999").await.len(), 1);

    // Asked to run in the background, the undo is queued and shows where it is.
    let undo = format!("/api/v1/imports/{id}/undo");
    let queued = s
        .send(
            Method::POST,
            &undo,
            Some(&s.token),
            &[("prefer", "respond-async")],
            None,
        )
        .await
        .expect(202);
    assert_eq!(queued.header("preference-applied"), Some("respond-async"));
    assert_eq!(queued.body["status"], "undoing");
    assert_eq!(queued.body["undone_rows"], 0);
    let seen = import(&s, &id).await;
    assert_eq!(seen["status"], "undoing");
    assert_eq!(seen["undone_rows"], 0);
    // The import's page shows it and polls for the progress.
    {
        use crate::web::{PASSWORD, get};
        s.member("rita@test.example.com", "admin").await;
        let (cookie, _) = s.browser_login("rita@test.example.com", PASSWORD).await;
        let page = get(&s, &format!("/imports/{id}"), &cookie).await;
        assert!(page.text.contains("badge import-undoing"), "{}", page.text);
        assert!(
            page.text.contains("0 de 3000 registros revertidos"),
            "{}",
            page.text
        );
        assert!(
            page.text
                .contains(&format!(r#"hx-get="/imports/{id}/progress""#))
        );
        assert!(
            !page
                .text
                .contains(&format!(r#"action="/imports/{id}/undo""#))
        );
    }
    // Nothing is undone twice: a second undo waits for the first.
    let again = s.post(&undo, json!({})).await.expect(409);
    assert!(
        again.body["detail"].as_str().unwrap().contains("undoing"),
        "{}",
        again.body
    );
    assert!(Worker::standard("t").run_due(&s.app).await.unwrap() >= 1);
    let undone = import(&s, &id).await;
    assert_eq!(undone["status"], "undone", "{undone}");
    assert_eq!(undone["undone_rows"], 3000);
    assert!(undone["undone_at"].is_string());

    // Ana has her title back; every created contact is in the trash, with one
    // `deleted` event each, written by the undo.
    let a = s
        .get(&format!("/api/v1/contacts/{ana_id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(a["job_title"], "Compras");
    let live = s.all_pages("/api/v1/contacts").await;
    assert_eq!(live.len(), 1);
    let trashed = s.all_pages("/api/v1/contacts?trashed=true&limit=500").await;
    assert_eq!(trashed.len(), 2999);
    let deleted = s
        .all_pages("/api/v1/audit_events?record_kind=contact&action=deleted&limit=500")
        .await;
    assert_eq!(deleted.len(), 2999);
    let ids = distinct_records(&deleted);
    assert_eq!(ids.len(), 2999, "one event per record");
    let mut trashed_ids: Vec<&str> = trashed.iter().map(|r| r["id"].as_str().unwrap()).collect();
    trashed_ids.sort_unstable();
    assert_eq!(ids, trashed_ids);
    let undo_request = format!("import-undo:{id}");
    assert!(
        deleted
            .iter()
            .all(|e| e["request_id"] == undo_request.as_str())
    );
    assert!(trashed.iter().all(|r| r["version"] == 2));
    let undo_events = s
        .all_pages("/api/v1/audit_events?record_kind=contact&action=import_undone")
        .await;
    assert_eq!(undo_events.len(), 1);
    assert_eq!(undo_events[0]["record_id"], id.as_str());

    // Search no longer finds them; the import's rows still name them.
    assert!(
        s.all_pages("/api/v1/contacts?q=persona2999")
            .await
            .is_empty()
    );
    assert!(
        s.get("/api/v1/search?q=persona2999").await.expect(200).body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // One comes back from the trash like any deleted record.
    let last = s
        .all_pages(&format!(
            "/api/v1/imports/{id}/rows?outcome=created&limit=500"
        ))
        .await
        .pop()
        .unwrap();
    let back = last["record_id"].as_str().unwrap();
    let restored = s
        .post(&format!("/api/v1/contacts/{back}/restore"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(restored["first_name"], "Persona2999");
    assert_eq!(s.all_pages("/api/v1/contacts").await.len(), 2);
    assert_eq!(s.all_pages("/api/v1/contacts?q=persona2999").await.len(), 1);
    // An undone import stays undone.
    s.post(&undo, json!({})).await.expect(409);
}

// housekeeping: uploads left waiting lose their file after the retention.
async fn uploads_never_imported_expire_and_running_imports_are_left_alone(s: TestServer) {
    use crate::web::{PASSWORD, get};
    let csv = || b"Nombre;Apellido;Email\nAna;Sosa;ana@example.com\n".to_vec();
    let q = "kind=contacts&file_name=espera.csv";
    let new_import = |r: Resp| {
        r.expect(201).body["import"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // A draft, a preview never followed, one queued (its worker not yet at it), one done.
    let draft = new_import(upload(&s, q, csv()).await);
    let previewed = new_import(upload(&s, q, csv()).await);
    run(&s, &previewed, json!({"mode": "dry_run"})).await;
    let imported = new_import(upload(&s, q, csv()).await);
    run(&s, &imported, json!({"mode": "skip_bad_rows"})).await;
    let queued = new_import(upload(&s, q, csv()).await);
    s.post(
        &format!("/api/v1/imports/{queued}/start"),
        json!({"mode": "skip_bad_rows", "on_match": "create"}),
    )
    .await
    .expect(202);

    s.patch("/api/v1/settings", json!({"import_file_retention_days": 0}))
        .await
        .problem(422, "import_file_retention_days");
    let set = s
        .patch(
            "/api/v1/settings",
            json!({"import_file_retention_days": 10}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(set["import_file_retention_days"], 10);

    let report = cartera_app::maintenance::run(&s.app).await.unwrap();
    assert_eq!(report.expired_imports, 0, "not before the retention");
    s.clock.advance(chrono::Duration::days(8));
    let report = cartera_app::maintenance::run(&s.app).await.unwrap();
    assert_eq!(report.expired_imports, 0, "ten days, not eight");
    s.clock.advance(chrono::Duration::days(3));
    let report = cartera_app::maintenance::run(&s.app).await.unwrap();
    assert_eq!(report.expired_imports, 2);
    let again = cartera_app::maintenance::run(&s.app).await.unwrap();
    assert_eq!(again.expired_imports, 0);

    for id in [&draft, &previewed] {
        let imp = import(&s, id).await;
        assert_eq!(imp["status"], "expired", "{imp}");
        let why = imp["error"].as_str().unwrap();
        assert!(
            why.contains("10 days") && why.contains("upload it again"),
            "{why}"
        );
        // Its file is gone: it cannot start, and says why.
        let r = s
            .post(
                &format!("/api/v1/imports/{id}/start"),
                json!({"mode": "skip_bad_rows"}),
            )
            .await
            .expect(409);
        assert!(
            r.body["detail"].as_str().unwrap().contains("expired"),
            "{}",
            r.body
        );
    }
    let done = s
        .get(&format!("/api/v1/imports/{imported}"))
        .await
        .expect(200)
        .body;
    assert_eq!(done["status"], "done");
    // The queued import kept its file and still runs.
    let waiting = s
        .get(&format!("/api/v1/imports/{queued}"))
        .await
        .expect(200)
        .body;
    assert_eq!(waiting["status"], "queued");
    assert!(Worker::standard("t").run_due(&s.app).await.unwrap() >= 1);
    let ran = s
        .get(&format!("/api/v1/imports/{queued}"))
        .await
        .expect(200)
        .body;
    assert_eq!(ran["status"], "done", "{ran}");
    assert_eq!(counts(&ran), (1, 0, 0, 0));

    // The import page says what happened, in the reader's language.
    let (_, _) = s.member("rita@test.example.com", "admin").await;
    let (cookie, _) = s.browser_login("rita@test.example.com", PASSWORD).await;
    let page = get(&s, &format!("/imports/{draft}"), &cookie).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("badge import-expired"), "{}", page.text);
    assert!(
        page.text
            .contains("Este archivo esperó demasiado sin importarse"),
        "{}",
        page.text
    );
    assert!(
        !page
            .text
            .contains(&format!(r#"action="/imports/{draft}/start""#)),
        "an expired import offers no start"
    );
}

// housekeeping: the undo's rules hold in the background too.
async fn an_undo_that_meets_a_record_out_of_view_stops_and_goes_on_later(s: TestServer) {
    let (manager_id, manager) = s.member("jefa@example.com", "manager").await;
    let csv = "Nombre;Apellido;Email\nAna;Uno;a1@example.com\nBeto;Dos;b2@example.com\nCris;Tres;c3@example.com\n";
    let id = upload_as(
        &s,
        &manager,
        "kind=contacts&file_name=equipo.csv",
        csv.as_bytes().to_vec(),
    )
    .await
    .expect(201)
    .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.call(
        &manager,
        Method::POST,
        &format!("/api/v1/imports/{id}/start"),
        Some(json!({"mode": "skip_bad_rows"})),
    )
    .await
    .expect(202);
    Worker::standard("t").run_due(&s.app).await.unwrap();
    let created = s
        .all_pages(&format!("/api/v1/imports/{id}/rows?outcome=created"))
        .await;
    assert_eq!(created.len(), 3);
    // An administrator gives one of them to someone else: the manager no longer sees it.
    let moved = created[1]["record_id"].as_str().unwrap().to_owned();
    s.patch(
        &format!("/api/v1/contacts/{moved}"),
        json!({"owner_id": s.admin_id}),
    )
    .await
    .expect(200);
    let undo = format!("/api/v1/imports/{id}/undo");
    // At once, as always: refused as if the record did not exist, nothing undone.
    s.call(&manager, Method::POST, &undo, None)
        .await
        .expect(404);
    // In the background: the job stops, undoes nothing, and says why.
    s.send(
        Method::POST,
        &undo,
        Some(&manager),
        &[("prefer", "respond-async")],
        None,
    )
    .await
    .expect(202);
    Worker::standard("t").run_due(&s.app).await.unwrap();
    let stopped = import(&s, &id).await;
    assert_eq!(stopped["status"], "done", "{stopped}");
    let why = stopped["error"].as_str().unwrap();
    assert!(
        why.contains("outside your view") && why.contains("undo again"),
        "{why}"
    );
    assert_eq!(s.all_pages("/api/v1/contacts").await.len(), 3);
    // Given back, the next undo finishes the job.
    s.patch(
        &format!("/api/v1/contacts/{moved}"),
        json!({"owner_id": manager_id}),
    )
    .await
    .expect(200);
    let undone = s
        .send(
            Method::POST,
            &undo,
            Some(&manager),
            &[("prefer", "respond-async")],
            None,
        )
        .await
        .expect(202);
    assert_eq!(undone.body["error"], Value::Null);
    Worker::standard("t").run_due(&s.app).await.unwrap();
    let finished = import(&s, &id).await;
    assert_eq!(finished["status"], "undone", "{finished}");
    assert_eq!(finished["undone_rows"], 3);
    assert!(finished["error"].is_null());
    assert!(s.all_pages("/api/v1/contacts").await.is_empty());
    assert_eq!(s.all_pages("/api/v1/contacts?trashed=true").await.len(), 3);
}

/// The bulk path of created rows (prepared statements on SQLite, `COPY` on PostgreSQL)
/// writes what a single create writes: the search index, the duplicate keys, the tags,
/// one audit event per record; the rows' outcomes list them and undo trashes them.
async fn bulk_created_rows_have_search_keys_tags_audit_and_undo(s: TestServer) {
    let before = s
        .create(
            "contacts",
            json!({"first_name": "Previa", "last_name": "Existente",
            "emails": [{"address": "previa@example.com"}]}),
        )
        .await;
    let before_id = before["id"].as_str().unwrap().to_owned();
    let mut csv = String::from("Nombre,Apellido,Email,Cargo,Etiquetas\n");
    for i in 0..2500 {
        // Repeated tags within a record ("VIP;vip") are one tag.
        let tags = if i % 500 == 0 {
            "VIP;vip".to_owned()
        } else {
            format!("cliente;zona{}", i % 3)
        };
        // A tab and a backslash travel through COPY's text format unharmed.
        let title = if i == 7 {
            "Jefa\\de compras"
        } else {
            "Compras"
        };
        csv.push_str(&format!(
            "Nombre{i},Apellido{i},p{i}@example.com,{title},{tags}\n"
        ));
    }
    csv.push_str("Otra,Previa,PREVIA@example.com,Ventas,cliente\n");
    csv.push_str("Mala,Fila,no-email,Ventas,cliente\n");
    let q = "kind=contacts&file_name=bulk.csv";
    let id = uploaded(&s, q, csv.into_bytes()).await;
    let done = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(counts(&done), (2500, 0, 1, 1));

    let created = s
        .all_pages(&format!(
            "/api/v1/imports/{id}/rows?outcome=created&limit=500"
        ))
        .await;
    assert_eq!(created.len(), 2500);
    let id_of = |row: usize| created[row]["record_id"].as_str().unwrap().to_owned();

    // Records read back whole, in the file's order.
    let seventh = s
        .get(&format!("/api/v1/contacts/{}", id_of(7)))
        .await
        .expect(200)
        .body;
    assert_eq!(seventh["first_name"], "Nombre7");
    assert_eq!(seventh["job_title"], "Jefa\\de compras");
    assert_eq!(seventh["emails"][0]["address"], "p7@example.com");

    // The search index, the duplicate keys and the tags.
    // Each search finds its own record (the index rows point at the right records).
    for (query, name) in [
        ("nombre1234", "Nombre1234"),
        ("apellido2499", "Nombre2499"),
        ("p2088%40example.com", "Nombre2088"),
        ("nombre0 apellido0", "Nombre0"),
        ("previa", "Previa"),
    ] {
        let found = s.all_pages(&format!("/api/v1/contacts?q={query}")).await;
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0]["first_name"], name, "{query}");
    }
    for (query, n) in [
        ("/api/v1/contacts?filter[email]=P1500@example.com", 1),
        ("/api/v1/contacts?filter[tags]=vip&limit=100", 5),
        ("/api/v1/contacts?filter[tags]=zona2&limit=500", 831),
    ] {
        assert_eq!(s.all_pages(query).await.len(), n, "{query}");
    }
    let vip = s
        .all_pages("/api/v1/contacts?filter[tags]=vip&limit=100")
        .await;
    assert_eq!(vip[0]["tags"], json!(["VIP"]), "{}", json!(vip));
    s.post(
        "/api/v1/contacts",
        json!({"first_name": "Nueva", "last_name": "Persona",
        "emails": [{"address": "p2000@example.com"}]}),
    )
    .await
    .problem(409, "emails");

    // One audit event per created record, with the import's request id and its fields.
    for row in [0, 1999, 2000, 2499] {
        let trail = s
            .get(&format!("/api/v1/audit_events?record_id={}", id_of(row)))
            .await
            .expect(200)
            .body;
        let events = trail["data"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{trail}");
        assert_eq!(events[0]["action"], "created");
        assert_eq!(events[0]["record_kind"], "contact");
        let changes = events[0]["changes"].as_array().unwrap();
        let first = changes.iter().find(|c| c["field"] == "first_name").unwrap();
        assert_eq!(first["old"], Value::Null);
        assert_eq!(first["new"], format!("Nombre{row}"));
    }

    // Undo trashes what the import created and leaves the rest.
    s.post(&format!("/api/v1/imports/{id}/undo"), json!({}))
        .await
        .expect(200);
    let left = s.all_pages("/api/v1/contacts").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], before_id.as_str());
    assert!(
        s.all_pages("/api/v1/contacts?q=nombre1234")
            .await
            .is_empty()
    );
}

/// With `on_match=skip`, a row repeating the key of a row created earlier in the file
/// is skipped as that record, whether the two rows fall in one chunk or in two.
async fn a_repeat_of_a_created_row_is_skipped_in_its_chunk_or_a_later_one(s: TestServer) {
    let mut csv = String::from("Nombre,Apellido,Email\n");
    csv.push_str("Ana,Primera,ana@example.com\n");
    // Row 3: the same email in the same chunk.
    csv.push_str("Ana,Segunda,ANA@example.com\n");
    for i in 0..2100 {
        csv.push_str(&format!("Persona{i},Apellido{i},p{i}@example.com\n"));
    }
    // Row 2104: the same email chunks later.
    csv.push_str("Ana,Tercera,Ana@Example.com\n");
    let q = "kind=contacts&file_name=repeats.csv";
    let id = uploaded(&s, q, csv.into_bytes()).await;
    let done = run(
        &s,
        &id,
        json!({"mode": "skip_bad_rows", "match_on": "email", "on_match": "skip"}),
    )
    .await;
    assert_eq!(counts(&done), (2101, 0, 2, 0), "{done}");
    let created = s
        .all_pages(&format!(
            "/api/v1/imports/{id}/rows?outcome=created&limit=500"
        ))
        .await;
    assert_eq!(created[0]["row_number"], 2);
    let ana = created[0]["record_id"].clone();
    let skipped = s
        .all_pages(&format!("/api/v1/imports/{id}/rows?outcome=skipped"))
        .await;
    let numbers: Vec<i64> = skipped
        .iter()
        .map(|r| r["row_number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2104], "{}", json!(skipped));
    for r in &skipped {
        assert_eq!(r["record_id"], ana);
        let why = r["problems"][0]["message"].as_str().unwrap();
        assert!(
            why.contains("row 2") && why.contains("Ana Primera"),
            "{why}"
        );
    }
}

// An undo job whose worker died after committing its first chunk: once the lease runs
// out another worker takes the job over and goes on from there, so every record is
// trashed exactly once and the counts cover the whole import.
async fn an_undo_whose_worker_died_goes_on_after_its_last_chunk(s: TestServer) {
    use cartera_app::imports::{UNDO_CHUNK, UNDO_JOB_KIND};
    use cartera_core::jobs::LEASE;

    let rows = 4_500;
    let mut csv = String::from("Nombre;Apellido;Email\n");
    for i in 0..rows {
        csv.push_str(&format!("Persona{i};Apellido{i};r{i}@example.com\n"));
    }
    let id = uploaded(&s, "kind=contacts&file_name=caida.csv", csv.into_bytes()).await;
    let done = run(&s, &id, json!({"mode": "skip_bad_rows"})).await;
    assert_eq!(counts(&done), (rows, 0, 0, 0), "{done}");
    s.send(
        Method::POST,
        &format!("/api/v1/imports/{id}/undo"),
        Some(&s.token),
        &[("prefer", "respond-async")],
        None,
    )
    .await
    .expect(202);

    // A worker claims the undo job, commits one chunk and dies.
    let now = s.app.now();
    let mut conn = s.app.db.begin().await.unwrap();
    let job = cartera_store::jobs::claim(&mut conn, "crashed", now, now + LEASE)
        .await
        .unwrap()
        .expect("the undo job is due");
    conn.commit().await.unwrap();
    assert_eq!(job.kind, UNDO_JOB_KIND);
    let import_id = id.parse().unwrap();
    cartera_app::imports::run_undo_chunks(&s.app, import_id, s.admin_id, 1)
        .await
        .unwrap();
    let half = import(&s, &id).await;
    assert_eq!(half["status"], "undoing", "{half}");
    assert_eq!(half["undone_rows"], UNDO_CHUNK);
    let live = s.all_pages("/api/v1/contacts?limit=500").await;
    assert_eq!(live.len(), usize::try_from(rows - UNDO_CHUNK).unwrap());

    // Nobody takes the job while the dead worker's lease holds; then a survivor does.
    let survivor = Worker::standard("survivor");
    assert_eq!(survivor.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(LEASE + chrono::Duration::seconds(1));
    assert!(survivor.run_due(&s.app).await.unwrap() >= 1);
    let undone = import(&s, &id).await;
    assert_eq!(undone["status"], "undone", "{undone}");
    assert_eq!(undone["undone_rows"], rows);
    let job = s
        .get(&format!("/api/v1/jobs/{}", job.id))
        .await
        .expect(200)
        .body;
    assert_eq!(job["state"], "done");
    assert_eq!(job["attempts"], 2);

    assert!(s.all_pages("/api/v1/contacts?limit=500").await.is_empty());
    let trashed = s.all_pages("/api/v1/contacts?trashed=true&limit=500").await;
    assert_eq!(trashed.len(), usize::try_from(rows).unwrap());
    let deleted = s
        .all_pages("/api/v1/audit_events?record_kind=contact&action=deleted&limit=500")
        .await;
    let ids = distinct_records(&deleted);
    assert_eq!(ids.len(), deleted.len(), "one event per record");
    assert_eq!(deleted.len(), usize::try_from(rows).unwrap());
    // The import's own event counts the whole undo, the dead worker's chunk included.
    let finished = s
        .all_pages(&format!(
            "/api/v1/audit_events?record_id={id}&action=import_undone"
        ))
        .await;
    assert_eq!(finished.len(), 1, "{finished:?}");
    let trashed_count = finished[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "trashed")
        .map(|c| c["new"].clone());
    assert_eq!(trashed_count, Some(json!(rows)));
}
