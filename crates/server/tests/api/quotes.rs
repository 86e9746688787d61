//! Quotes: priced from the account's price list, totals to the cent, numbered per year
//! without gaps (also under concurrent writers), printed as a real PDF whose text is
//! read back, emailed through a real SMTP server with the PDF attached, revised,
//! expired, accepted; the conversion per rep; the admin's template and logo.

use chrono::Datelike;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::{Setup, TestServer};

both!(
    catalogue_quote_totals_to_the_cent_and_its_pdf_shows_them,
    bad_quotes_are_named_and_nothing_is_written,
    numbers_have_no_gaps_under_concurrent_writers,
    revisions_keep_what_the_customer_has_and_validity_expires,
    template_and_logo_are_checked_before_they_are_saved
);

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    sending_emails_the_pdf_marks_it_sent_and_logs_it,
);

/// The text a reader would copy from the PDF (poppler's `pdftotext`; `.ci/run`
/// installs poppler-utils).
pub fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout".as_ref(), path.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (apt-get install poppler-utils) reads the PDF");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

async fn pdf_of(s: &TestServer, id: &str) -> String {
    let r = s
        .client
        .get(format!("{}/api/v1/quotes/{id}/pdf", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    pdf_text(&r.bytes().await.unwrap())
}

fn ars(amount: &str) -> Value {
    json!({"amount": amount, "currency": "ARS"})
}

pub(crate) struct Fixture {
    pub account: String,
    pub contact: String,
    pub kit: String,
    pub seeds: String,
}

/// A customer with a contact, two products (21 % and 10.5 %) and the customer's own ARS
/// price list; the company's data in the settings.
pub(crate) async fn fixture(s: &TestServer, contact_email: Option<&str>) -> Fixture {
    s.patch(
        "/api/v1/settings",
        json!({"company": {"name": "Semillas del Plata S.A.", "tax_id": "30-71234567-8",
                           "address": "Ruta 8 km 200, Pergamino", "phone": "+54 2477 400000",
                           "email": "ventas@semillas.example"}}),
    )
    .await
    .expect(200);
    let account = s.create("accounts", json!({"name": "Agro Sur S.A."})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let emails = match contact_email {
        Some(e) => json!([{"address": e}]),
        None => json!([]),
    };
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Fernández", "account_id": account,
                   "emails": emails}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let product = |sku: &str, name: &str, rate: &str| json!({"sku": sku, "name": name, "tax_rate": rate, "unit": "u"});
    let kit = s
        .create(
            "products",
            product("KIT-1", "Sembradora, kit de service", "21"),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seeds = s
        .create("products", product("SEM-1", "Semillas de girasol", "10.5"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.create(
        "price_lists",
        json!({"name": "Agro Sur 2026", "currency": "ARS", "account_id": account,
               "items": [{"product_id": kit, "price": ars("1234.50")},
                         {"product_id": seeds, "price": ars("899.99")}]}),
    )
    .await;
    Fixture {
        account,
        contact,
        kit,
        seeds,
    }
}

fn year(s: &TestServer) -> i32 {
    s.app.now().year()
}

/// The worked example of the totals preview, priced from the customer's list: 3 ×
/// 1,234.50 at 21 % with 10 % off and 2 × 899.99 at 10.5 % with 5 % off, 2 % off the
/// quote. By hand: nets 3,333.15 and 1,709.98; document discount 66.66 + 34.20; bases
/// 3,266.49 and 1,675.78; IVA 685.96 and 175.96; subtotal 5,503.48, discounts 561.21,
/// taxes 861.92, total 5,804.19.
async fn catalogue_quote_totals_to_the_cent_and_its_pdf_shows_them(s: TestServer) {
    let f = fixture(&s, Some("lucia@agrosur.example")).await;
    let q = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": f.contact, "discount": "2",
                   "lines": [{"product_id": f.kit, "quantity": "3", "discount": "10"},
                             {"product_id": f.seeds, "quantity": "2", "discount": "5"}]}),
        )
        .await;
    let y = year(&s);
    assert_eq!(q["number"], format!("P-{y}-000001"));
    assert_eq!(q["status"], "draft");
    assert_eq!(q["revision"], 1);
    assert_eq!(q["currency"], "ARS");
    assert_eq!(q["lines"][0]["unit_price"], ars("1234.5"));
    assert_eq!(q["lines"][0]["description"], "Sembradora, kit de service");
    assert_eq!(q["lines"][1]["tax_rate"], "10.5");
    let t = &q["totals"];
    assert_eq!(t["line_nets"], json!(["3333.15", "1709.98"]));
    assert_eq!(t["subtotal"], "5503.48");
    assert_eq!(t["discounts"], "561.21");
    assert_eq!(
        t["by_rate"],
        json!([{"rate": "10.5", "base": "1675.78", "tax": "175.96"},
               {"rate": "21", "base": "3266.49", "tax": "685.96"}])
    );
    assert_eq!(t["taxes"], "861.92");
    assert_eq!(t["total"], "5804.19");
    let id = q["id"].as_str().unwrap();
    assert_eq!(
        s.get(&format!("/api/v1/quotes/{id}"))
            .await
            .expect(200)
            .body["totals"],
        *t
    );

    // The PDF, in Spanish: number, customer, company, lines and totals as printed.
    let text = pdf_of(&s, id).await;
    for want in [
        "PRESUPUESTO",
        &format!("P-{y}-000001"),
        "Agro Sur S.A.",
        "Semillas del Plata S.A.",
        "30-71234567-8",
        "Lucía Fernández",
        "3.333,15",
        "1.709,98",
        "175,96",
        "685,96",
        "5.804,19",
    ] {
        assert!(text.contains(want), "{want} not in the PDF:\n{text}");
    }

    // A second quote, in English, with a free-text line: the next number.
    let q2 = s
        .create(
            "quotes",
            json!({"account_id": f.account, "language": "en", "currency": "ARS",
                   "lines": [{"description": "Installation", "quantity": "1.5",
                              "unit_price": ars("1000"), "tax_rate": "21"}]}),
        )
        .await;
    assert_eq!(q2["number"], format!("P-{y}-000002"));
    assert_eq!(q2["totals"]["total"], "1815.00");
    let text = pdf_of(&s, q2["id"].as_str().unwrap()).await;
    for want in ["QUOTE", "Installation", "1,500.00", "1,815.00", "VAT 21 %"] {
        assert!(text.contains(want), "{want} not in the PDF:\n{text}");
    }
    let list = s
        .get(&format!("/api/v1/quotes?account_id={}", f.account))
        .await
        .expect(200)
        .body;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
}

async fn bad_quotes_are_named_and_nothing_is_written(s: TestServer) {
    let f = fixture(&s, None).await;
    let line = |extra: Value| {
        let mut l = json!({"product_id": f.kit, "quantity": "1"});
        l.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        l
    };
    let bad = [
        (
            json!({"lines": [line(json!({"quantity": "-2"}))]}),
            "lines[0].quantity",
        ),
        (
            json!({"lines": [line(json!({})), line(json!({"product_id": "0190a5c4-7e3b-7a11-8000-000000000000"}))]}),
            "lines[1].product_id",
        ),
        (
            json!({"currency": "EUR", "lines": [line(json!({}))]}),
            "currency",
        ),
        (json!({"lines": []}), "lines"),
        (
            json!({"lines": [{"quantity": "1", "unit_price": ars("10"), "tax_rate": "21"}]}),
            "lines[0].description",
        ),
        (
            json!({"lines": [line(json!({"discount": "120"}))]}),
            "lines[0].discount",
        ),
        (
            json!({"valid_until": "2000-01-01", "lines": [line(json!({}))]}),
            "valid_until",
        ),
    ];
    for (body, field) in bad {
        let mut b = body.clone();
        b["account_id"] = json!(f.account);
        s.post("/api/v1/quotes", b).await.problem(422, field);
    }
    s.post(
        "/api/v1/quotes",
        json!({"account_id": "0190a5c4-7e3b-7a11-8000-000000000000", "lines": [line(json!({}))]}),
    )
    .await
    .problem(422, "account_id");
    // Nothing was written: no quotes, and the first good one still takes number 1.
    let list = s.get("/api/v1/quotes").await.expect(200).body;
    assert_eq!(list["data"], json!([]));
    let q = s
        .create(
            "quotes",
            json!({"account_id": f.account, "lines": [line(json!({}))]}),
        )
        .await;
    assert_eq!(q["number"], format!("P-{}-000001", year(&s)));
    // With no recipient (the contact has no email) sending is refused, naming `to`.
    let id = q["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/quotes/{id}"),
        json!({"contact_id": f.contact}),
    )
    .await
    .expect(200);
    s.post(&format!("/api/v1/quotes/{id}/send"), json!({}))
        .await
        .problem(422, "to");
    let after = s
        .get(&format!("/api/v1/quotes/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(after["status"], "draft");
    assert_eq!(after["sent_at"], Value::Null);
    // A rep without rights on the account's quotes may not create them for others.
    let (_, reader) = s.member("ro@test.example.com", "read_only").await;
    s.call(
        &reader,
        Method::POST,
        "/api/v1/quotes",
        Some(json!({"account_id": f.account, "lines": [line(json!({}))]})),
    )
    .await
    .expect(403);
}

async fn numbers_have_no_gaps_under_concurrent_writers(s: TestServer) {
    let f = fixture(&s, None).await;
    let body = json!({"account_id": f.account,
                      "lines": [{"product_id": f.seeds, "quantity": "1"}]});
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (client, base, token, body) = (
            s.client.clone(),
            s.base.clone(),
            s.token.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(format!("{base}/api/v1/quotes"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201);
            r.json::<Value>().await.unwrap()["number"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    let y = year(&s);
    let want: Vec<String> = (1..=12).map(|n| format!("P-{y}-{n:06}")).collect();
    assert_eq!(numbers, want);
}

async fn revisions_keep_what_the_customer_has_and_validity_expires(s: TestServer) {
    let f = fixture(&s, Some("lucia@agrosur.example")).await;
    let q = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": f.contact,
                   "lines": [{"product_id": f.kit, "quantity": "1"}]}),
        )
        .await;
    let id = q["id"].as_str().unwrap();
    // A draft changes in place.
    let d = s
        .patch(
            &format!("/api/v1/quotes/{id}"),
            json!({"lines": [{"product_id": f.kit, "quantity": "2"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(d["revision"], 1);
    assert_eq!(d["totals"]["total"], "2987.49");
    let sent = s
        .post(&format!("/api/v1/quotes/{id}/send"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(sent["quote"]["status"], "sent");
    assert_eq!(sent["to"], "lucia@agrosur.example");
    // Changing the sent quote makes revision 2, a draft; revision 1 stays as sent.
    let r2 = s
        .patch(
            &format!("/api/v1/quotes/{id}"),
            json!({"lines": [{"product_id": f.kit, "quantity": "3"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(r2["revision"], 2);
    assert_eq!(r2["status"], "draft");
    assert_eq!(r2["number"], q["number"]);
    let r1 = s
        .get(&format!("/api/v1/quotes/{id}/revisions/1"))
        .await
        .expect(200)
        .body;
    assert_eq!(r1["revision"], 1);
    assert_eq!(r1["status"], "sent");
    assert_eq!(r1["totals"]["total"], "2987.49");
    s.get(&format!("/api/v1/quotes/{id}/revisions/7"))
        .await
        .expect(404);
    // Accepting a draft is refused; after sending it is accepted, and then final.
    s.post(&format!("/api/v1/quotes/{id}/accept"), json!({}))
        .await
        .expect(409);
    s.post(
        &format!("/api/v1/quotes/{id}/send"),
        json!({"to": "compras@agrosur.example"}),
    )
    .await
    .expect(200);

    // Another sent quote passes its validity: it reads as expired and cannot be accepted.
    let other = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": f.contact,
                   "lines": [{"product_id": f.seeds, "quantity": "1"}]}),
        )
        .await;
    let other = other["id"].as_str().unwrap();
    s.post(&format!("/api/v1/quotes/{other}/send"), json!({}))
        .await
        .expect(200);
    s.post(&format!("/api/v1/quotes/{id}/accept"), json!({}))
        .await
        .expect(200);
    s.clock.advance(chrono::Duration::days(31));
    let expired = s
        .get(&format!("/api/v1/quotes/{other}"))
        .await
        .expect(200)
        .body;
    assert_eq!(expired["status"], "expired");
    assert!(expired["expired_on"].is_string(), "{expired}");
    s.post(&format!("/api/v1/quotes/{other}/accept"), json!({}))
        .await
        .expect(409);
    let accepted = s
        .get(&format!("/api/v1/quotes/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(accepted["status"], "accepted");
    s.patch(&format!("/api/v1/quotes/{id}"), json!({"notes": "x"}))
        .await
        .expect(409);

    // Conversion: the admin sent two quotes, one accepted.
    let today = s.app.now().date_naive();
    let from = today - chrono::Duration::days(60);
    let report = s
        .get(&format!(
            "/api/v1/reports/quote_conversion?from={from}&to={today}"
        ))
        .await
        .expect(200)
        .body;
    assert_eq!(
        report["data"],
        json!([{"owner_id": s.admin_id.to_string(), "sent": 2, "accepted": 1, "rate": "0.5"}])
    );
    s.get("/api/v1/reports/quote_conversion?from=2026-01-01")
        .await
        .problem(400, "to");
}

async fn sending_emails_the_pdf_marks_it_sent_and_logs_it(s: TestServer) {
    let f = fixture(&s, Some("lucia@agrosur.example")).await;
    let q = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": f.contact,
                   "lines": [{"product_id": f.kit, "quantity": "3", "discount": "10"}]}),
        )
        .await;
    let id = q["id"].as_str().unwrap();
    let number = q["number"].as_str().unwrap().to_owned();
    let sent = s
        .post(&format!("/api/v1/quotes/{id}/send"), Value::Null)
        .await
        .expect(200)
        .body;
    assert_eq!(sent["quote"]["status"], "sent");
    assert!(sent["quote"]["sent_at"].is_string());
    let sink = s.smtp.as_ref().unwrap();
    let got = sink.wait_for(1).await;
    let m = &got[0];
    assert_eq!(
        m.subject,
        format!("Presupuesto {number} de Semillas del Plata S.A.")
    );
    assert_eq!(m.to, ["lucia@agrosur.example"]);
    assert!(m.rcpt_to.contains("lucia@agrosur.example"), "{}", m.rcpt_to);
    assert!(m.text.contains(&number), "{}", m.text);
    assert_eq!(
        m.attachments.len(),
        1,
        "{:?}",
        m.attachments.iter().map(|a| &a.0).collect::<Vec<_>>()
    );
    let (name, kind, bytes) = &m.attachments[0];
    assert_eq!(name, &format!("{number}.pdf"));
    assert_eq!(kind, "application/pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let text = pdf_text(bytes);
    assert!(
        text.contains(&number) && text.contains("Agro Sur S.A."),
        "{text}"
    );
    // 3 × 1,234.50 − 10 % = 3,333.15; IVA 699.96; total 4,033.11.
    assert!(text.contains("4.033,11"), "{text}");

    // The email is an activity of kind email on the account's timeline.
    let timeline = s
        .get(&format!("/api/v1/accounts/{}/timeline", f.account))
        .await
        .expect(200)
        .body;
    let items = timeline["data"].as_array().unwrap();
    let email = items
        .iter()
        .find(|i| i["type"] == "activity")
        .unwrap_or_else(|| panic!("no activity on {timeline}"));
    assert_eq!(email["activity"]["kind"], "email");
    assert_eq!(email["activity"]["status"], "done");
    assert_eq!(email["activity"]["id"], sent["activity_id"]);
    assert!(
        email["activity"]["subject"]
            .as_str()
            .unwrap()
            .contains(&number)
    );
    // A `to` that is not an address is refused by name, and nothing more is sent.
    s.post(
        &format!("/api/v1/quotes/{id}/send"),
        json!({"to": "no es correo"}),
    )
    .await
    .problem(422, "to");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
}

async fn template_and_logo_are_checked_before_they_are_saved(s: TestServer) {
    let f = fixture(&s, None).await;
    let q = s
        .create(
            "quotes",
            json!({"account_id": f.account, "lines": [{"product_id": f.seeds, "quantity": "1"}]}),
        )
        .await;
    let id = q["id"].as_str().unwrap().to_owned();
    let info = s
        .get("/api/v1/settings/quote_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["is_default"], true);
    assert!(info["template"].as_str().unwrap().contains("sys.inputs"));

    let r = s
        .send(
            Method::PUT,
            "/api/v1/settings/quote_template",
            Some(&s.token),
            &[],
            Some(crate::support::RawBody::Json(
                json!({"template": "Hola\n#sys.inputs.nada.at(3)"}),
            )),
        )
        .await
        .problem(422, "template");
    assert!(r.body.to_string().contains("line 2"), "{}", r.body);
    // The one in use stays.
    assert!(pdf_of(&s, &id).await.contains("PRESUPUESTO"));

    let custom = "#set text(font: \"Liberation Sans\")\nMI PLANTILLA #sys.inputs.number TOTAL #sys.inputs.total";
    s.send(
        Method::PUT,
        "/api/v1/settings/quote_template",
        Some(&s.token),
        &[],
        Some(crate::support::RawBody::Json(json!({"template": custom}))),
    )
    .await
    .expect(200);
    let text = pdf_of(&s, &id).await;
    assert!(
        text.contains("MI PLANTILLA") && text.contains("TOTAL 994,49"),
        "{text}"
    );
    let reset = s
        .delete("/api/v1/settings/quote_template")
        .await
        .expect(200)
        .body;
    assert_eq!(reset["is_default"], true);
    assert!(pdf_of(&s, &id).await.contains("PRESUPUESTO"));

    // Logos: an SVG is taken; text that is no image, or too big, is refused by name.
    let put_logo = |bytes: Vec<u8>, token: String| {
        let (client, base) = (s.client.clone(), s.base.clone());
        async move {
            client
                .put(format!("{base}/api/v1/settings/logo"))
                .bearer_auth(token)
                .header("content-type", "application/octet-stream")
                .body(bytes)
                .send()
                .await
                .unwrap()
        }
    };
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><rect width="80" height="30" fill="#1f4e79"/></svg>"##;
    let r = put_logo(svg.to_vec(), s.token.clone()).await;
    assert_eq!(r.status().as_u16(), 200);
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["logo_type"], "image/svg+xml");
    assert!(pdf_of(&s, &id).await.contains("PRESUPUESTO"));
    let r = put_logo(b"hello".to_vec(), s.token.clone()).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("\"logo\""));
    let r = put_logo(vec![0x89; 600 * 1024], s.token.clone()).await;
    assert_eq!(r.status().as_u16(), 422);
    // Only admins change them.
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let r = put_logo(svg.to_vec(), rep.clone()).await;
    assert_eq!(r.status().as_u16(), 403);
    s.call(
        &rep,
        Method::DELETE,
        "/api/v1/settings/quote_template",
        None,
    )
    .await
    .expect(403);
}

both!(an_accepted_quote_becomes_an_order_delivered_in_parts);

async fn an_accepted_quote_becomes_an_order_delivered_in_parts(s: TestServer) {
    let f = fixture(&s, Some("lucia@agrosur.example")).await;
    let q = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": f.contact,
                   "lines": [{"product_id": f.kit, "quantity": "3"},
                             {"product_id": f.seeds, "quantity": "2"}]}),
        )
        .await;
    let qid = q["id"].as_str().unwrap();
    // Not accepted yet: no order.
    s.post(&format!("/api/v1/quotes/{qid}/order"), json!({}))
        .await
        .expect(409);
    s.post(&format!("/api/v1/quotes/{qid}/send"), json!({}))
        .await
        .expect(200);
    s.post(&format!("/api/v1/quotes/{qid}/accept"), json!({}))
        .await
        .expect(200);
    let o = s
        .post(&format!("/api/v1/quotes/{qid}/order"), json!({}))
        .await
        .expect(201)
        .body;
    assert_eq!(o["number"], format!("O-{}-000001", year(&s)));
    assert_eq!(o["status"], "confirmed");
    assert_eq!(o["quote_id"], q["id"]);
    assert_eq!(o["totals"]["total"], q["totals"]["total"]);
    assert_eq!(o["lines"][0]["quantity"], "3");
    let oid = o["id"].as_str().unwrap();
    s.post(&format!("/api/v1/quotes/{qid}/order"), json!({}))
        .await
        .expect(409);
    let path = format!("/api/v1/orders/{oid}");
    s.post(&format!("{path}/status"), json!({"status": "picking"}))
        .await
        .expect(200);
    // Bad deliveries are named and change nothing.
    s.post(
        &format!("{path}/deliveries"),
        json!({"lines": [{"line": 0, "quantity": "4"}]}),
    )
    .await
    .problem(422, "lines[0].quantity");
    s.post(
        &format!("{path}/deliveries"),
        json!({"lines": [{"line": 1, "quantity": "-1"}]}),
    )
    .await
    .problem(422, "lines[0].quantity");
    s.post(
        &format!("{path}/deliveries"),
        json!({"lines": [{"line": 5, "quantity": "1"}]}),
    )
    .await
    .problem(422, "lines[0].line");
    let part = s
        .post(
            &format!("{path}/deliveries"),
            json!({"lines": [{"line": 0, "quantity": "3"}, {"line": 1, "quantity": "1"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(part["status"], "picking");
    assert_eq!(part["lines"][1]["delivered"], "1");
    s.post(&format!("{path}/status"), json!({"status": "invoiced"}))
        .await
        .problem(422, "status");
    s.post(&format!("{path}/status"), json!({"status": "shipped"}))
        .await
        .expect(200);
    let done = s
        .post(
            &format!("{path}/deliveries"),
            json!({"lines": [{"line": 1, "quantity": "1"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(done["status"], "delivered");
    assert!(done["delivered_at"].is_string());
    assert_eq!(done["deliveries"].as_array().unwrap().len(), 2);
    let inv = s
        .post(&format!("{path}/status"), json!({"status": "invoiced"}))
        .await
        .expect(200)
        .body;
    assert!(inv["invoiced_at"].is_string() && inv["shipped_at"].is_string());
    // The tracking is on the account's timeline.
    let timeline = s
        .get(&format!(
            "/api/v1/accounts/{}/timeline?limit=100",
            f.account
        ))
        .await
        .expect(200)
        .body;
    let order_changes = timeline["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "change" && i["event"]["record_kind"] == "order")
        .count();
    assert_eq!(order_changes, 6, "{timeline}");
    // An order made directly, with an unknown product: named, nothing written.
    s.post(
        "/api/v1/orders",
        json!({"account_id": f.account,
               "lines": [{"product_id": "0190a5c4-7e3b-7a11-8000-000000000000", "quantity": "1"}]}),
    )
    .await
    .problem(422, "lines[0].product_id");
    let direct = s
        .create(
            "orders",
            json!({"account_id": f.account, "lines": [{"product_id": f.seeds, "quantity": "2"}]}),
        )
        .await;
    assert_eq!(direct["number"], format!("O-{}-000002", year(&s)));
    assert_eq!(direct["quote_id"], Value::Null);
    let list = s.get("/api/v1/orders").await.expect(200).body;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
}
