//! Invoices and payments imported from files, on SQLite and PostgreSQL: a real XLSX of
//! invoices (Excel date cells, a legacy number kept and the series moved past it) and a
//! CSV of payments in Spanish (`;`, decimal commas) agree to the cent with the statement
//! and the ageing; every bad row answers 422 naming its row and column with nothing
//! written; a dry run writes nothing.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use reqwest::Method;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::json;

use crate::both;
use crate::support::{RawBody, Resp, TestServer};
use crate::web::get;
use crate::web_billing::{spanish_admin, visible};

both!(
    imported_files_agree_with_the_statement_to_the_cent,
    bad_rows_are_named_and_nothing_is_written,
    the_import_page_reviews_then_imports
);

fn day(ago: i64) -> NaiveDate {
    Utc::now().date_naive() - Duration::days(ago)
}

/// `dd/mm/yyyy`, as a Spanish spreadsheet writes a date as text.
fn es(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

async fn send_file(s: &TestServer, path: &str, content_type: &str, bytes: Vec<u8>) -> Resp {
    s.post_bytes(&s.token, path, content_type, bytes).await
}

async fn send_csv(s: &TestServer, path: &str, text: String) -> Resp {
    s.send(
        Method::POST,
        path,
        Some(&s.token.clone()),
        &[],
        Some(RawBody::Text("text/csv; charset=utf-8", text)),
    )
    .await
}

async fn count(s: &TestServer, plural: &str) -> usize {
    s.all_pages(&format!("/api/v1/{plural}")).await.len()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An XLSX of invoices as an old system exports them: Spanish headers, date cells.
fn invoices_xlsx() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let header = [
        "Cliente",
        "CUIT",
        "Tipo",
        "Número",
        "Fecha",
        "Vencimiento",
        "Moneda",
        "Neto",
        "IVA",
        "Total",
        "Descripción",
    ];
    for (i, h) in header.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    let cell_date = |d: NaiveDate| {
        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).unwrap()
    };
    // Row 2: by CUIT, a legacy number in Cartera's own shape, net + 21 % VAT.
    ws.write_string(1, 1, "30-71234567-1").unwrap();
    ws.write_string(1, 2, "Factura").unwrap();
    ws.write_string(1, 3, "A-0001-00000007").unwrap();
    ws.write_datetime_with_format(1, 4, cell_date(day(40)), &date_format)
        .unwrap();
    ws.write_datetime_with_format(1, 5, cell_date(day(10)), &date_format)
        .unwrap();
    ws.write_string(1, 6, "ARS").unwrap();
    ws.write_number(1, 7, 1000.0).unwrap();
    ws.write_number(1, 8, 210.0).unwrap();
    ws.write_number(1, 9, 1210.0).unwrap();
    ws.write_string(1, 10, "Semillas").unwrap();
    // Row 3: by name (another case, no accents), a date as text, the series numbers it.
    ws.write_string(2, 0, "FERRETERIA LOPEZ").unwrap();
    ws.write_string(2, 4, es(day(5))).unwrap();
    ws.write_number(2, 9, 500.5).unwrap();
    // Row 4: a credit note in Spanish words, with a number of the old system.
    ws.write_string(3, 0, "Agro Sur S.A.").unwrap();
    ws.write_string(3, 2, "nota de crédito").unwrap();
    ws.write_string(3, 3, "NC-0005-00000123").unwrap();
    ws.write_datetime_with_format(3, 4, cell_date(day(3)), &date_format)
        .unwrap();
    ws.write_number(3, 9, 100.0).unwrap();
    wb.save_to_buffer().unwrap()
}

async fn customers(s: &TestServer) -> (String, String) {
    let agro = s
        .create(
            "accounts",
            json!({"name": "Agro Sur S.A.", "tax_id": "30-71234567-1"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ferre = s
        .create("accounts", json!({"name": "Ferretería López"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (agro, ferre)
}

async fn imported_files_agree_with_the_statement_to_the_cent(s: TestServer) {
    let (agro, ferre) = customers(&s).await;

    // A dry run checks every row and writes nothing.
    let dry = send_file(
        &s,
        "/api/v1/invoices/import?dry_run=true",
        XLSX,
        invoices_xlsx(),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(dry["rows"], 3);
    assert_eq!(dry["created"], 0);
    assert_eq!(dry["would_create"], 3);
    assert_eq!(count(&s, "invoices").await, 0);

    let done = send_file(&s, "/api/v1/invoices/import", XLSX, invoices_xlsx())
        .await
        .expect(201)
        .body;
    assert_eq!(done["created"], 3);
    let ids: Vec<String> = done["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let paths: Vec<String> = ids
        .iter()
        .map(|i| format!("/api/v1/invoices/{i}"))
        .collect();
    let first = s.get(&paths[0]).await.expect(200).body;
    assert_eq!(first["number"], "A-0001-00000007");
    assert_eq!(first["account_id"], json!(agro));
    assert_eq!(first["issue_date"], day(40).to_string());
    assert_eq!(first["due_date"], day(10).to_string());
    assert_eq!(first["totals"]["taxes"], "210.00");
    assert_eq!(first["totals"]["total"], "1210.00");
    // No number in the file: the series numbers it, after the legacy number it passed.
    let second = s.get(&paths[1]).await.expect(200).body;
    assert_eq!(second["account_id"], json!(ferre));
    assert_eq!(second["number"], "A-0001-00000008");
    assert_eq!(second["totals"]["total"], "500.50");
    let third = s.get(&paths[2]).await.expect(200).body;
    assert_eq!(third["kind"], "credit_note");
    assert_eq!(third["number"], "NC-0005-00000123");
    // A hand-written invoice continues the series.
    let by_hand = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": ferre, "lines": [{"description": "Flete", "quantity": "1",
                   "tax_rate": "21", "unit_price": {"amount": "100", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(by_hand["number"], "A-0001-00000009");

    // Payments in a Spanish CSV: `;` between fields, decimal commas.
    let csv = format!(
        "Cliente;CUIT;Fecha;Importe;Medio;Referencia;Factura\n\
         ;30-71234567-1;{};1.000,00;Transferencia;TR-881;A-0001-00000007\n\
         Ferretería López;;{};600,50;efectivo;;A-0001-00000008\n",
        es(day(2)),
        es(day(1)),
    );
    let paid = send_csv(&s, "/api/v1/payments/import", csv)
        .await
        .expect(201)
        .body;
    assert_eq!(paid["created"], 2);
    let p = s
        .get(&format!(
            "/api/v1/payments/{}",
            paid["ids"][1].as_str().unwrap()
        ))
        .await
        .expect(200)
        .body;
    assert_eq!(p["amount"], "600.50");
    assert_eq!(p["method"], "cash");
    assert_eq!(p["applied"], "500.50");
    assert_eq!(p["unapplied"], "100.00");

    // Agro Sur: 1,210.00 − 100.00 (credit note) − 1,000.00 = 110.00.
    let st = s
        .get(&format!("/api/v1/accounts/{agro}/statement"))
        .await
        .expect(200)
        .body;
    assert_eq!(st["closing_balance"], "110.00");
    assert_eq!(st["aged"]["total"], "110.00");
    // Ferretería: 500.50 + 121.00 (by hand) − 600.50 = 21.00.
    let st = s
        .get(&format!("/api/v1/accounts/{ferre}/statement"))
        .await
        .expect(200)
        .body;
    assert_eq!(st["closing_balance"], "21.00");
    let ageing = s.get("/api/v1/receivables/ageing").await.expect(200).body;
    let row = |id: &str| {
        ageing["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(id))
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&agro)["total"], "110.00");
    assert_eq!(row(&ferre)["total"], "21.00");
    assert_eq!(ageing["totals"][0]["total"], "131.00");

    // The imported documents tell their story on the account's timeline, under the
    // import's request id.
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={}", ids[0]))
        .await
        .body;
    let rid = trail["data"][0]["request_id"].as_str().unwrap_or_default();
    assert!(rid.starts_with("import:"), "{trail}");
}

async fn bad_rows_are_named_and_nothing_is_written(s: TestServer) {
    let (agro, ferre) = customers(&s).await;
    let taken = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": agro, "issue_date": day(20).to_string(),
                   "lines": [{"description": "Semilla", "quantity": "1", "tax_rate": "21",
                              "unit_price": {"amount": "100", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    let taken_number = taken["number"].as_str().unwrap().to_owned();
    let invoices_before = count(&s, "invoices").await;

    let csv = format!(
        "cliente;numero;fecha;neto;iva;total\n\
         Nadie SRL;;{d};;;100\n\
         Agro Sur S.A.;;31/02/2026;;;100\n\
         Agro Sur S.A.;;{d};100;21;120\n\
         Agro Sur S.A.;X-1;{d};;;50\n\
         Agro Sur S.A.;X-1;{d};;;60\n\
         Agro Sur S.A.;{taken_number};{d};;;70\n\
         Agro Sur S.A.;X-2;{d};;;80\n",
        d = es(day(4)),
    );
    let r = send_csv(&s, "/api/v1/invoices/import", csv)
        .await
        .problem(422, "rows[2].customer")
        .problem(422, "rows[3].date")
        .problem(422, "rows[4].total")
        .problem(422, "rows[6].number")
        .problem(422, "rows[7].number");
    assert_eq!(r.error_fields().len(), 5, "{}", r.body);
    assert_eq!(count(&s, "invoices").await, invoices_before);

    // A missing required column is named.
    send_csv(
        &s,
        "/api/v1/invoices/import",
        "cliente;fecha\nAgro Sur S.A.;01/02/2026\n".into(),
    )
    .await
    .problem(422, "columns.total");

    // Payments: an invoice with nothing left open, another customer's invoice.
    s.post(
        "/api/v1/payments",
        json!({"account_id": agro, "amount": "121.00", "method": "cash",
               "allocations": [{"invoice_id": taken["id"], "amount": "121.00"}]}),
    )
    .await
    .expect(201);
    let payments_before = count(&s, "payments").await;
    let csv = format!(
        "cliente;fecha;importe;medio;factura\n\
         Agro Sur S.A.;{d};10,00;cheque;{taken_number}\n\
         Ferretería López;{d};10,00;otro;{taken_number}\n\
         Ferretería López;{d};10,00;bitcoin;\n",
        d = es(day(1)),
    );
    let r = send_csv(&s, "/api/v1/payments/import", csv)
        .await
        .problem(422, "rows[2].invoice")
        .problem(422, "rows[3].invoice")
        .problem(422, "rows[4].method");
    assert_eq!(r.error_fields().len(), 3, "{}", r.body);
    assert_eq!(count(&s, "payments").await, payments_before);
    let _ = ferre;

    // More rows than a file may hold: 413, nothing read further.
    let mut big = String::from("cliente;fecha;total\n");
    for _ in 0..20_001 {
        big.push_str("Agro Sur S.A.;01/02/2026;1\n");
    }
    send_csv(&s, "/api/v1/invoices/import", big)
        .await
        .problem(413, "");
    assert_eq!(count(&s, "invoices").await, invoices_before);

    // Without billing's create right: 403.
    let (_, viewer) = s.member("mirona@example.com", "read_only").await;
    let r = s
        .send(
            Method::POST,
            "/api/v1/payments/import",
            Some(&viewer),
            &[],
            Some(RawBody::Text(
                "text/csv",
                "cliente;fecha;importe\nx;01/01/2026;1\n".into(),
            )),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
}

/// The page flow in Spanish: "Importar" on the invoices list, the columns and the
/// template, "Revisar" naming a bad row in words, then "Importar".
async fn the_import_page_reviews_then_imports(s: TestServer) {
    let (agro, _) = customers(&s).await;
    let login = spanish_admin(&s).await;
    let list = get(&s, "/invoices", &login.0).await;
    assert!(
        list.text.contains("href=\"/billing/import/invoices\""),
        "{}",
        list.text
    );
    let payments = get(&s, "/payments", &login.0).await;
    assert!(payments.text.contains("href=\"/billing/import/payments\""));

    let page = get(&s, "/billing/import/invoices", &login.0).await;
    assert_eq!(page.status, 200);
    let words = visible(&page.text);
    for w in [
        "Importar facturas",
        "Descargar plantilla",
        "Revisar",
        "Vencimiento",
        "nota de crédito",
    ] {
        assert!(words.contains(w), "{w}: {words}");
    }
    let template = get(&s, "/billing/import/invoices/template.csv", &login.0).await;
    assert!(
        template.text.contains(
            "Cliente;CUIT;Tipo;Número;Fecha;Vencimiento;Moneda;Neto;IVA;Total;Descripción"
        ),
        "{}",
        template.text
    );

    let send = |dry: &'static str, csv: &'static str| {
        let (cookie, csrf) = login.clone();
        let s = &s;
        async move {
            let res = s
                .client
                .post(format!(
                    "{}/billing/import/invoices?dry_run={dry}&locale=es&file_name=f.csv",
                    s.base
                ))
                .header("cookie", cookie)
                .header("x-csrf-token", csrf)
                .body(csv.as_bytes().to_vec())
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let bad = "Cliente;Fecha;Total\nNadie SRL;01/02/2026;100\nAgro Sur S.A.;01/02/2026;1.210,00\n";
    let (status, html) = send("true", bad).await;
    assert_eq!(status, 200, "{html}");
    let words = visible(&html);
    assert!(
        words.contains("No se importó nada: hay 1 problema."),
        "{words}"
    );
    assert!(words.contains("Fila 2"), "{words}");
    assert!(words.contains("cliente"), "{words}");
    assert!(words.contains("ningún cliente es «Nadie SRL»"), "{words}");

    let good = "Cliente;Fecha;Total\nAgro Sur S.A.;01/02/2026;1.210,00\n";
    let (_, html) = send("true", good).await;
    assert!(
        visible(&html).contains("Todo en orden: se creará 1 comprobante."),
        "{html}"
    );
    assert_eq!(count(&s, "invoices").await, 0, "a review writes nothing");
    let (_, html) = send("false", good).await;
    assert!(visible(&html).contains("Se creó 1 comprobante."), "{html}");
    let all = s.all_pages("/api/v1/invoices").await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["account_id"], json!(agro));
    assert_eq!(all[0]["totals"]["total"], "1210.00");
}
