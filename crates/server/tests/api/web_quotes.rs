//! The quote and order pages: the list shows a quote made in the editor, the editor's
//! live totals are the totals preview's to the cent (21 % and 10.5 % with discounts),
//! wrong fields are named next to them, the send dialog's email reaches a real SMTP
//! server, the customer's answer, the order made from the page, its status and a
//! partial delivery, and the admin's quote settings.

use chrono::Datelike;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::json;

use crate::both;
use crate::quotes::fixture;
use crate::support::{Setup, TestServer};
use crate::web::{PASSWORD, Page, get, page};

both!(
    editor_totals_list_order_and_delivery,
    settings_page_saves,
    the_editor_reads_prices_as_people_type_them,
    a_spanish_page_reads_and_shows_numbers_the_spanish_way,
);

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    send_dialog_emails_the_pdf_and_says_when_there_is_no_address,
);

async fn post(s: &TestServer, path: &str, cookie: &str, csrf: &str, form: &[(&str, &str)]) -> Page {
    let mut fields: Vec<(&str, &str)> = vec![("csrf_token", csrf)];
    fields.extend_from_slice(form);
    page(s, Method::POST, path, Some(cookie), &[], Some(&fields)).await
}

/// The worked example of the totals preview as the editor sends it: 3 × 1,234.50 at
/// 21 % with 10 % off and 2 × 899.99 at 10.5 % with 5 % off, 2 % off the quote, both
/// priced from the customer's own list (the editor's default).
fn editor_form<'a>(
    account: &'a str,
    contact: &'a str,
    kit: &'a str,
    seeds: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("account_id", account),
        ("contact_id", contact),
        ("currency", "ARS"),
        ("price_list_id", ""),
        ("valid_until", ""),
        ("language", "es"),
        ("discount", "2"),
        ("notes", ""),
        ("line_product", kit),
        ("line_description", ""),
        ("line_quantity", "3"),
        ("line_price", ""),
        ("line_discount", "10"),
        ("line_tax", ""),
        ("line_product", seeds),
        ("line_description", ""),
        ("line_quantity", "2"),
        ("line_price", ""),
        ("line_discount", "5"),
        ("line_tax", ""),
        // The empty row the person did not fill is ignored.
        ("line_product", ""),
        ("line_description", ""),
        ("line_quantity", "1"),
        ("line_price", ""),
        ("line_discount", ""),
        ("line_tax", ""),
    ]
}

/// A price typed the Spanish way (`1.234,50`) or the English way (`1,234.50`) is saved
/// as 1234.50, as the catalogue pages read it.
async fn the_editor_reads_prices_as_people_type_them(s: TestServer) {
    let f = fixture(&s, None).await;
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    for (locale, typed) in [("es", "1.234,50"), ("en", "1,234.50")] {
        s.patch("/api/v1/users/me", json!({"locale": locale}))
            .await
            .expect(200);
        let form = [
            ("account_id", f.account.as_str()),
            ("contact_id", ""),
            ("currency", "ARS"),
            ("price_list_id", ""),
            ("valid_until", ""),
            ("language", locale),
            ("discount", ""),
            ("notes", ""),
            ("line_product", ""),
            ("line_description", "Siembra directa"),
            ("line_quantity", "1"),
            ("line_price", typed),
            ("line_discount", ""),
            ("line_tax", "21"),
        ];
        let made = post(&s, "/quotes", &cookie, &csrf, &form).await;
        assert_eq!(made.status, 303, "{locale}: {}", made.text);
        let at = made.location.unwrap();
        let q = s.get(&format!("/api/v1{at}")).await.expect(200).body;
        let price: Decimal = q["lines"][0]["unit_price"]["amount"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(price, Decimal::new(123450, 2), "{locale}: {typed}");
    }
}

/// "A typed `1,5` comes back `1.5`": on a Spanish page the price list and the quote
/// editor read `1.234,5` and `1,5` as a Spanish speaker means them, show what is stored
/// the same way, and a refused save keeps what was typed.
async fn a_spanish_page_reads_and_shows_numbers_the_spanish_way(s: TestServer) {
    let f = fixture(&s, None).await;
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    s.patch("/api/v1/users/me", json!({"locale": "es"}))
        .await
        .expect(200);

    // The catalogue: a product's price on a list.
    let list = s
        .create("price_lists", json!({"name": "General", "currency": "ARS"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let price_key = format!("price-{}", f.seeds);
    let saved = post(
        &s,
        &format!("/price-lists/{list}"),
        &cookie,
        &csrf,
        &[
            ("version", "1"),
            ("name", "General"),
            ("currency", "ARS"),
            ("valid_from", ""),
            ("valid_to", ""),
            ("account_id", ""),
            (&price_key, "1.234,5"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let l = s
        .get(&format!("/api/v1/price_lists/{list}"))
        .await
        .expect(200)
        .body;
    assert_eq!(l["items"][0]["price"]["amount"], "1234.5", "{l}");
    let shown = get(&s, &format!("/price-lists/{list}"), &cookie).await;
    assert!(shown.text.contains("value=\"1.234,50\""), "{}", shown.text);

    // The quote editor: a line's quantity, price, discount and tax.
    let line = |quantity: &'static str| {
        [
            ("account_id", f.account.clone()),
            ("contact_id", String::new()),
            ("currency", "ARS".into()),
            ("price_list_id", String::new()),
            ("valid_until", String::new()),
            ("language", "es".into()),
            ("discount", "1,25".into()),
            ("notes", String::new()),
            ("line_product", String::new()),
            ("line_description", "Flete".into()),
            ("line_quantity", quantity.into()),
            ("line_price", "1.234,5".into()),
            ("line_discount", "2,5".into()),
            ("line_tax", "10,5".into()),
        ]
    };
    let form = line("1,5");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = post(&s, "/quotes", &cookie, &csrf, &pairs).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    let q = s.get(&format!("/api/v1{at}")).await.expect(200).body;
    let l = &q["lines"][0];
    assert_eq!(
        (
            &l["quantity"],
            &l["unit_price"]["amount"],
            &l["discount"],
            &l["tax_rate"],
            &q["discount"]
        ),
        (
            &json!("1.5"),
            &json!("1234.5"),
            &json!("2.5"),
            &json!("10.5"),
            &json!("1.25")
        ),
        "{q}"
    );
    let editor = get(&s, &at, &cookie).await;
    for shown in ["1,5", "1.234,50", "2,5", "10,5", "1,25"] {
        assert!(
            editor.text.contains(&format!("value=\"{shown}\"")),
            "{shown}: {}",
            editor.text
        );
    }
    // A refused save keeps what was typed, the Spanish way.
    let version = q["version"].to_string();
    let form = line("uno y medio");
    let mut pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.push(("version", &version));
    let refused = post(&s, &at, &cookie, &csrf, &pairs).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    for typed in ["uno y medio", "1.234,5", "2,5", "10,5", "1,25"] {
        assert!(
            refused.text.contains(&format!("value=\"{typed}\"")),
            "{typed}: {}",
            refused.text
        );
    }
}

async fn editor_totals_list_order_and_delivery(s: TestServer) {
    let f = fixture(&s, Some("lucia@agrosur.example")).await;
    let y = s.app.now().year();
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;

    // Nothing yet: the empty state offers the editor.
    let list = get(&s, "/quotes", &cookie).await;
    assert_eq!(list.status, 200);
    assert!(
        list.text.contains("Todavía no hay presupuestos"),
        "{}",
        list.text
    );
    assert!(list.text.contains("href=\"/quotes/new\""));
    assert!(
        list.text.contains("href=\"/quotes\""),
        "the nav has the entry"
    );

    // The live totals, to the cent, with the tax per rate.
    let form = editor_form(&f.account, &f.contact, &f.kit, &f.seeds);
    let totals = page(
        &s,
        Method::POST,
        "/quotes/totals",
        Some(&cookie),
        &[("x-csrf-token", &csrf), ("hx-request", "true")],
        Some(&form),
    )
    .await;
    assert_eq!(totals.status, 200, "{}", totals.text);
    for want in [
        "5.503,48 ARS",
        "460,35 ARS",
        "100,86 ARS",
        "IVA 10,5 %",
        "1.675,78 ARS",
        "175,96 ARS",
        "IVA 21 %",
        "3.266,49 ARS",
        "685,96 ARS",
        "5.804,19 ARS",
    ] {
        assert!(totals.text.contains(want), "{want} not in {}", totals.text);
    }
    assert!(!totals.text.contains("<html"), "a fragment, not a page");

    // Wrong fields are named next to them, and nothing is made.
    let mut bad = form.clone();
    bad[0] = ("account_id", "");
    bad[10] = ("line_quantity", "tres");
    let refused = post(&s, "/quotes", &cookie, &csrf, &bad).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("Elige la cuenta del cliente."),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("Escribe un número mayor que cero."));
    assert!(
        refused.text.contains("value=\"tres\""),
        "what was typed stays"
    );
    assert_eq!(
        s.get("/api/v1/quotes").await.expect(200).body["data"],
        json!([])
    );

    // Created from the editor; the list shows it.
    let made = post(&s, "/quotes", &cookie, &csrf, &form).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    let id = at.trim_start_matches("/quotes/").to_owned();
    let q = s
        .get(&format!("/api/v1/quotes/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(q["totals"]["total"], "5804.19");
    assert_eq!(q["lines"].as_array().unwrap().len(), 2);
    let number = format!("P-{y}-000001");
    let list = get(&s, "/quotes", &cookie).await;
    for want in [number.as_str(), "Agro Sur S.A.", "Borrador", "5.804,19 ARS"] {
        assert!(list.text.contains(want), "{want} not in the list");
    }
    let drafts = get(&s, "/quotes?status=sent", &cookie).await;
    assert!(!drafts.text.contains(&number), "filtered by status");

    // A draft opens in the editor, with the PDF preview beside it.
    let draft = get(&s, &at, &cookie).await;
    assert_eq!(draft.status, 200);
    assert!(draft.text.contains("Guardar borrador"));
    assert!(draft.text.contains(&format!("src=\"/quotes/{id}/pdf\"")));
    assert!(
        draft.text.contains("value=\"lucia@agrosur.example\""),
        "recipient prefilled"
    );
    let pdf = reqwest::Client::new()
        .get(format!("{}/quotes/{id}/pdf", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(pdf.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    // Saving the draft with one line fewer changes it in place.
    let mut fewer = form.clone();
    fewer.truncate(14);
    fewer.push(("version", "1"));
    let saved = post(&s, &at, &cookie, &csrf, &fewer).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let q = s
        .get(&format!("/api/v1/quotes/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(q["lines"].as_array().unwrap().len(), 1);
    assert_eq!(q["revision"], 1);
    // 3 × 1,234.50 − 10 % = 3,333.15, − 2 % = 3,266.49; IVA 685.96.
    assert_eq!(q["totals"]["total"], "3952.45");

    // Sent (the log mailer here), accepted, made an order, all from the page.
    let sent = post(
        &s,
        &format!("/quotes/{id}/send"),
        &cookie,
        &csrf,
        &[("to", ""), ("subject", ""), ("message", "")],
    )
    .await;
    assert_eq!(sent.status, 303);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("/quotes/{id}?sent=1").as_str())
    );
    let shown = get(&s, &at, &cookie).await;
    assert!(shown.text.contains("Enviado"));
    assert!(shown.text.contains("Marcar aceptado"));
    assert!(
        !shown.text.contains("Guardar borrador"),
        "a sent quote is read-only"
    );
    let ok = post(&s, &format!("/quotes/{id}/accept"), &cookie, &csrf, &[]).await;
    assert_eq!(ok.status, 303);
    let shown = get(&s, &at, &cookie).await;
    assert!(shown.text.contains("Generar el pedido"));
    let ordered = post(&s, &format!("/quotes/{id}/order"), &cookie, &csrf, &[]).await;
    assert_eq!(ordered.status, 303, "{}", ordered.text);
    let order_at = ordered.location.unwrap();
    assert!(order_at.starts_with("/orders/"), "{order_at}");
    let oid = order_at.trim_start_matches("/orders/").to_owned();
    let order_number = format!("O-{y}-000001");
    let orders = get(&s, "/orders", &cookie).await;
    assert!(orders.text.contains(&order_number), "{}", orders.text);
    let o = get(&s, &order_at, &cookie).await;
    assert_eq!(o.status, 200);
    assert!(
        o.text.contains("Confirmado") && o.text.contains(&number),
        "links back to the quote"
    );

    // The next status, then a partial delivery of one of the three units.
    let moved = post(
        &s,
        &format!("/orders/{oid}/status"),
        &cookie,
        &csrf,
        &[("status", "picking")],
    )
    .await;
    assert_eq!(moved.status, 303);
    let back = post(
        &s,
        &format!("/orders/{oid}/status"),
        &cookie,
        &csrf,
        &[("status", "confirmed")],
    )
    .await;
    assert_eq!(
        back.location.as_deref(),
        Some(format!("/orders/{oid}?error=status").as_str())
    );
    let delivered = post(
        &s,
        &format!("/orders/{oid}/deliver"),
        &cookie,
        &csrf,
        &[("qty_0", "1"), ("delivered_on", "")],
    )
    .await;
    assert_eq!(delivered.status, 303, "{}", delivered.text);
    let api = s
        .get(&format!("/api/v1/orders/{oid}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "picking");
    assert!(api["picking_at"].is_string());
    assert_eq!(api["lines"][0]["delivered"], "1");
    assert_eq!(api["deliveries"].as_array().unwrap().len(), 1);
    let o = get(&s, &order_at, &cookie).await;
    assert!(o.text.contains("faltan 2"), "{}", o.text);
    // More than is left is named on its line, and nothing is recorded.
    let over = post(
        &s,
        &format!("/orders/{oid}/deliver"),
        &cookie,
        &csrf,
        &[("qty_0", "5")],
    )
    .await;
    assert_eq!(over.status, 422);
    assert!(
        over.text.contains("Es más de lo que falta entregar"),
        "{}",
        over.text
    );
    let api = s
        .get(&format!("/api/v1/orders/{oid}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["deliveries"].as_array().unwrap().len(), 1);
    // The rest delivers it.
    let rest = post(
        &s,
        &format!("/orders/{oid}/deliver"),
        &cookie,
        &csrf,
        &[("qty_0", "2")],
    )
    .await;
    assert_eq!(rest.status, 303);
    let api = s
        .get(&format!("/api/v1/orders/{oid}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "delivered");

    // The account lists its quotes and orders; a deal offers to make a quote from it.
    let acc = get(&s, &format!("/accounts/{}", f.account), &cookie).await;
    assert!(acc.text.contains(&number) && acc.text.contains(&order_number));
    let deal = s
        .create(
            "deals",
            json!({"name": "Siembra 2027", "account_id": f.account,
                   "lines": [{"product_id": f.seeds, "quantity": "4", "unit_price": {"amount": "900", "currency": "ARS"}}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dp = get(&s, &format!("/deals/{deal}"), &cookie).await;
    assert!(
        dp.text.contains(&format!("/quotes/new?deal={deal}")),
        "{}",
        dp.text
    );
    let from_deal = get(&s, &format!("/quotes/new?deal={deal}"), &cookie).await;
    assert_eq!(from_deal.status, 200);
    assert!(from_deal.text.contains("Siembra 2027"));
    assert!(
        from_deal.text.contains("value=\"900,00\""),
        "the deal's line is prefilled, as the reader writes prices"
    );
}

async fn send_dialog_emails_the_pdf_and_says_when_there_is_no_address(s: TestServer) {
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
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let shown = get(&s, &format!("/quotes/{id}"), &cookie).await;
    assert!(shown.text.contains("value=\"lucia@agrosur.example\""));
    assert!(
        shown
            .text
            .contains(&format!("Presupuesto {number} de Semillas del Plata S.A."))
    );

    let sent = post(
        &s,
        &format!("/quotes/{id}/send"),
        &cookie,
        &csrf,
        &[
            ("to", "lucia@agrosur.example"),
            ("subject", "Su presupuesto de service"),
            (
                "message",
                "Hola Lucía:\n\nVa adjunto el presupuesto que conversamos.\n",
            ),
        ],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let got = s.smtp.as_ref().unwrap().wait_for(1).await;
    let m = &got[0];
    assert_eq!(m.subject, "Su presupuesto de service");
    assert_eq!(m.to, ["lucia@agrosur.example"]);
    assert!(
        m.text
            .contains("Va adjunto el presupuesto que conversamos."),
        "{}",
        m.text
    );
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].0, format!("{number}.pdf"));
    assert!(m.attachments[0].2.starts_with(b"%PDF"));
    let api = s
        .get(&format!("/api/v1/quotes/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "sent");
    let shown = get(&s, &format!("/quotes/{id}?sent=1"), &cookie).await;
    assert!(shown.text.contains("Enviado. El cliente tiene el PDF"));

    // Rejected with a reason: the reason is a note on the account.
    let no = post(
        &s,
        &format!("/quotes/{id}/reject"),
        &cookie,
        &csrf,
        &[("reason", "Eligieron otro proveedor")],
    )
    .await;
    assert_eq!(no.status, 303);
    let api = s
        .get(&format!("/api/v1/quotes/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "rejected");
    let acc = get(&s, &format!("/accounts/{}", f.account), &cookie).await;
    assert!(
        acc.text.contains("Eligieron otro proveedor"),
        "{}",
        acc.text
    );

    // A contact without email: the page says so, and sending without an address is
    // refused with a clear message; nothing is sent.
    let mute = s
        .create(
            "contacts",
            json!({"first_name": "Ramiro", "last_name": "Paz", "account_id": f.account}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q2 = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": mute,
                   "lines": [{"product_id": f.seeds, "quantity": "1"}]}),
        )
        .await;
    let id2 = q2["id"].as_str().unwrap();
    let shown = get(&s, &format!("/quotes/{id2}"), &cookie).await;
    assert!(shown.text.contains("El contacto no tiene correo"));
    let refused = post(
        &s,
        &format!("/quotes/{id2}/send"),
        &cookie,
        &csrf,
        &[("to", ""), ("subject", ""), ("message", "")],
    )
    .await;
    assert_eq!(refused.status, 303);
    let to = refused.location.unwrap();
    assert!(to.contains("error=no-recipient"), "{to}");
    let shown = get(&s, &to, &cookie).await;
    assert!(
        shown.text.contains("No hay a quién enviarlo"),
        "{}",
        shown.text
    );
    let api = s
        .get(&format!("/api/v1/quotes/{id2}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "draft");
    assert_eq!(s.smtp.as_ref().unwrap().messages().len(), 1);

    // The API takes the same subject and message (optional, beside `to`).
    let q3 = s
        .create(
            "quotes",
            json!({"account_id": f.account, "contact_id": f.contact, "language": "en",
                   "lines": [{"product_id": f.seeds, "quantity": "2"}]}),
        )
        .await;
    let id3 = q3["id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/quotes/{id3}/send"),
        json!({"subject": "Your seeds\r\nBcc: someone@else.example", "message": "Here it is."}),
    )
    .await
    .expect(200);
    let got = s.smtp.as_ref().unwrap().wait_for(2).await;
    let m = got.iter().find(|m| m.text.contains("Here it is.")).unwrap();
    assert_eq!(
        m.subject, "Your seeds Bcc: someone@else.example",
        "one line"
    );
    assert_eq!(m.to, ["lucia@agrosur.example"]);
    assert!(!m.rcpt_to.contains("someone@else.example"), "{}", m.rcpt_to);

    // Newest first, a page at a time: "Show more" brings the next rows in place.
    let first = get(&s, "/quotes?limit=1", &cookie).await;
    let n3 = q3["number"].as_str().unwrap();
    assert!(first.text.contains(n3) && !first.text.contains(&number));
    assert!(first.text.contains("Ver más"));
    let cursor = first
        .text
        .split("cursor=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .to_owned();
    let more = page(
        &s,
        Method::GET,
        &format!("/quotes?status=&limit=50&cursor={cursor}"),
        Some(&cookie),
        &[("hx-request", "true"), ("hx-target", "quote-more")],
        None,
    )
    .await;
    assert!(!more.text.contains("<html"), "rows only");
    assert!(more.text.contains(&number), "the older quote comes next");
    assert!(!more.text.contains(n3), "the first page is not repeated");
    assert!(!more.text.contains("cursor="), "the last page says so");
    // A status filter reads on through the pages.
    let sent = get(&s, "/quotes?status=draft&limit=50", &cookie).await;
    assert_eq!(sent.status, 200);
    let damaged = get(&s, "/quotes?cursor=not-a-cursor", &cookie).await;
    assert_eq!(damaged.status, 400);
}

async fn settings_page_saves(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = get(&s, "/admin/quotes", &cookie).await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains("Plantilla de presupuesto") && p.text.contains("Datos de la empresa"));

    let saved = post(
        &s,
        "/admin/quotes/company",
        &cookie,
        &csrf,
        &[
            ("name", "Semillas del Plata S.A."),
            ("tax_id", "30-71234567-8"),
            ("address", "Ruta 8 km 200"),
            ("phone", "+54 2477 400000"),
            ("email", "ventas@semillas.example"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let st = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(st["company"]["name"], "Semillas del Plata S.A.");
    assert_eq!(st["company"]["email"], "ventas@semillas.example");
    let p = get(&s, "/admin/quotes?saved=company", &cookie).await;
    assert!(
        p.text.contains("Datos de la empresa guardados.")
            && p.text.contains("value=\"30-71234567-8\"")
    );

    // A template that does not compile is refused with typst's message and kept as typed.
    let bad = post(
        &s,
        "/admin/quotes/template",
        &cookie,
        &csrf,
        &[("template", "#let x = (")],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("La plantilla no compila"), "{}", bad.text);
    let info = s
        .get("/api/v1/settings/quote_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["is_default"], true);
    let mut good = info["template"].as_str().unwrap().to_owned();
    good.push_str("\n// Condiciones: pago a 30 días.\n");
    let ok = post(
        &s,
        "/admin/quotes/template",
        &cookie,
        &csrf,
        &[("template", &good)],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let info = s
        .get("/api/v1/settings/quote_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["is_default"], false);
    assert!(
        info["template"]
            .as_str()
            .unwrap()
            .contains("pago a 30 días")
    );

    // The logo goes up as the body; a file that is no image is refused.
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><rect width="80" height="30" fill="#1f4e79"/></svg>"##;
    let up = |bytes: Vec<u8>| {
        reqwest::Client::new()
            .post(format!("{}/admin/quotes/logo", s.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .body(bytes)
            .send()
    };
    let r = up(svg.to_vec()).await.unwrap();
    assert_eq!(r.status(), 200);
    let r = up(b"hello".to_vec()).await.unwrap();
    assert_eq!(r.status(), 422);
    let info = s
        .get("/api/v1/settings/quote_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["logo_type"], "image/svg+xml");
    let p = get(&s, "/admin/quotes", &cookie).await;
    assert!(p.text.contains("src=\"/admin/quotes/logo\""));
}
