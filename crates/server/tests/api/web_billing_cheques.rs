//! Collections in the pages, in Spanish: an invoice paid by cheque through the payment
//! form (a bad CUIT first, told beside its field with nothing lost), the cheque in the
//! wallet "to deposit today", deposited, then bounced with its reason and the bank's fee
//! (the invoice open again, the fee's debit note named, the light red); a quote's send
//! stopped by the risk with the reason in words, a manager's approval from the page and
//! the send going through; the statement's PDF saying the page's closing balance, the
//! invoice's PDF and both emails, and a promise to pay. Black-box: pages and the API.

use chrono::Duration;
use serde_json::json;

use crate::both;
use crate::support::{Setup, TestServer};
use crate::web::{PASSWORD, Page, get, post_signed};
use crate::web_billing::{
    all_spanish, ars, id_of, invoice_order, order_of, spanish_admin, visible,
};

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    a_cheque_bounces_and_a_manager_approves_the_next_sale,
    the_statement_and_the_invoice_on_paper_and_by_email,
);

both!(the_wallet_is_a_calendar_and_cheques_leave_it);

/// The first cheque's id on a wallet page (its row is `id="cheque-<id>"`).
pub(crate) async fn cheque_on(s: &TestServer, cookie: &str, path: &str) -> String {
    let page = get(s, path, cookie).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let at = page.text.find("id=\"cheque-").expect("a cheque's row") + 11;
    page.text[at..at + 36].to_owned()
}

/// A CUIT with its right check digit, and the same with a wrong one.
fn cuits() -> (String, String) {
    let good = cartera_core::tax_ids::cuit_with_check_digit("3071234567").unwrap();
    let last = good.as_bytes()[10] - b'0';
    let bad = format!("{}{}", &good[..10], (last + 1) % 10);
    let dashed = |c: &str| format!("{}-{}-{}", &c[..2], &c[2..10], &c[10..]);
    (dashed(&good), dashed(&bad))
}

/// A page's HTML with the template's escapes read back (`&#x2f;` is `/`).
fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn has(p: &Page, what: &str, shown: &[&str]) {
    let text = unescaped(&p.text);
    for x in shown {
        assert!(
            text.contains(x),
            "{what} lacks {x:?}: {}",
            main_text(&p.text)
        );
    }
}

/// The words of a page's main part, for a failing test to show.
fn main_text(html: &str) -> String {
    let main = html.split("id=\"main\"").nth(1).unwrap_or(html);
    visible(&format!("<body{main}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page's bytes and headers, with the session's cookie.
async fn download(s: &TestServer, path: &str, cookie: &str) -> (u16, String, String, Vec<u8>) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (ty, disposition) = (header("content-type"), header("content-disposition"));
    let status = r.status().as_u16();
    (status, ty, disposition, r.bytes().await.unwrap().to_vec())
}

async fn a_cheque_bounces_and_a_manager_approves_the_next_sale(s: TestServer) {
    let login = spanish_admin(&s).await;
    let cookie = login.0.clone();
    let (boss, _) = s.member("jefa@test.example.com", "manager").await;
    let account = id_of(
        &s.create(
            "accounts",
            json!({"name": "Agro Sur S.A.", "owner_id": boss.to_string()}),
        )
        .await,
    );
    let contact = id_of(
        &s.create(
            "contacts",
            json!({"first_name": "Eva", "last_name": "Paz", "account_id": account,
                   "emails": [{"address": "eva@agrosur.example"}]}),
        )
        .await,
    );
    let order = order_of(&s, &account).await;
    let at = invoice_order(&s, &login, &order).await;
    let invoice = at.trim_start_matches("/invoices/").to_owned();
    // A quote the customer accepted while all was well: its order waits for later.
    let line = json!({"description": "Flete", "quantity": "2", "unit_price": ars("5000"), "tax_rate": "21"});
    let accepted = id_of(
        &s.create(
            "quotes",
            json!({"account_id": account, "contact_id": contact, "lines": [line]}),
        )
        .await,
    );
    s.post(&format!("/api/v1/quotes/{accepted}/send"), json!({}))
        .await
        .expect(200);
    s.post(&format!("/api/v1/quotes/{accepted}/accept"), json!({}))
        .await
        .expect(200);

    // The payment form offers the cheque's fields.
    let form = get(
        &s,
        &format!("/payments/new?account_id={account}&invoice_id={invoice}"),
        &cookie,
    )
    .await;
    has(
        &form,
        "the payment form",
        &[
            "Datos del cheque",
            "CUIT del librador",
            "Fecha de pago",
            "Librador",
        ],
    );
    all_spanish("the payment form", &form);

    let today = s.app.now().date_naive();
    let (good, bad) = cuits();
    let issued = (today - Duration::days(5)).to_string();
    let pay = |cuit: String, issue: String, payment: String| {
        vec![
            ("account_id", account.clone()),
            ("currency", "ARS".into()),
            ("amount", "121.000,00".into()),
            ("method", "cheque".into()),
            ("received_on", String::new()),
            ("reference", "Recibo 881".into()),
            ("cheque_bank", "Banco Nación".into()),
            ("cheque_number", "00012345".into()),
            ("cheque_drawer", "Corralón Sur S.R.L.".into()),
            ("cheque_drawer_tax_id", cuit),
            ("cheque_issue_date", issue),
            ("cheque_payment_date", payment),
            ("alloc_invoice", invoice.clone()),
            ("alloc_amount", "121.000,00".into()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let s = &s;
        let login = &login;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_signed(s, "/payments", login, &pairs).await
        }
    };

    // A bad CUIT: told in Spanish beside it, everything typed still there.
    let refused = post(pay(bad.clone(), issued.clone(), today.to_string())).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    has(
        &refused,
        "the refused cheque",
        &[
            "Revisa el CUIT: son 11 dígitos y el último es el dígito verificador.",
            &format!("value=\"{bad}\""),
            "value=\"121.000,00\"",
            "value=\"Banco Nación\"",
            "value=\"00012345\"",
            "value=\"Corralón Sur S.R.L.\"",
            &format!("value=\"{issued}\""),
            "value=\"Recibo 881\"",
        ],
    );
    all_spanish("the refused cheque", &refused);
    // Paid before it was issued, and a cheque without its details.
    let early = post(pay(
        good.clone(),
        issued.clone(),
        (today - Duration::days(9)).to_string(),
    ))
    .await;
    assert_eq!(early.status, 422, "{}", early.text);
    has(
        &early,
        "a cheque paid before its issue",
        &["La fecha de pago no puede ser anterior a la de emisión."],
    );
    let mut bare = pay(String::new(), String::new(), String::new());
    bare.retain(|(k, _)| !k.starts_with("cheque_"));
    let bare = post(bare).await;
    assert_eq!(bare.status, 422, "{}", bare.text);
    has(
        &bare,
        "a cheque without its details",
        &["Completa los datos del cheque: banco, número, librador, su CUIT y las fechas."],
    );
    let paid = post(pay(good.clone(), issued.clone(), today.to_string())).await;
    assert_eq!(paid.status, 303, "{}", paid.text);
    let receipt = paid.location.unwrap().replace("?saved=1", "");
    let page = get(&s, &receipt, &cookie).await;
    has(
        &page,
        "the payment",
        &[
            "Banco Nación",
            "00012345",
            "En cartera",
            &good,
            "Corralón Sur S.R.L.",
        ],
    );
    all_spanish("the payment by cheque", &page);
    let inv = get(&s, &at, &cookie).await;
    assert!(inv.text.contains(">Pagada<"), "{}", inv.text);

    // To deposit today: in the wallet, on My day, on the account's card.
    let wallet = get(&s, "/cheques?show=to_deposit", &cookie).await;
    assert_eq!(wallet.status, 200);
    has(
        &wallet,
        "the wallet",
        &[
            "Para depositar hoy",
            "Agro Sur S.A.",
            "121.000,00 ARS",
            "Banco Nación",
            "En cartera",
            "Depositar",
            "Rechazar",
            "Endosar",
        ],
    );
    all_spanish("the wallet", &wallet);
    let day = get(&s, "/my-day", &cookie).await;
    has(
        &day,
        "My day",
        &[
            "1 cheque para depositar hoy",
            "121.000,00 ARS",
            "/cheques?show=to_deposit",
        ],
    );
    let card = get(&s, &format!("/accounts/{account}"), &cookie).await;
    has(&card, "the card", &["Cheques en cartera", "1 cheque"]);
    let receivables = get(&s, "/receivables", &cookie).await;
    assert!(
        receivables.text.contains("href=\"/cheques\""),
        "{}",
        receivables.text
    );

    // Deposited.
    let cheque = cheque_on(&s, &cookie, "/cheques?show=to_deposit").await;
    let moved = post_signed(
        &s,
        &format!("/cheques/{cheque}/move"),
        &login,
        &[
            ("version", "1"),
            ("state", "deposited"),
            ("show", "to_deposit"),
        ],
    )
    .await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    let after = get(&s, moved.location.as_deref().unwrap(), &cookie).await;
    has(
        &after,
        "the deposit",
        &["Cheque Banco Nación 00012345 (121.000,00 ARS) depositado."],
    );
    let all = get(&s, "/cheques?show=all", &cookie).await;
    has(
        &all,
        "all cheques",
        &["Depositado", "Acreditar", "Rechazar"],
    );

    // Bounced: the reason is required (the fee typed is kept), then the payment goes back.
    let no_reason = post_signed(
        &s,
        &format!("/cheques/{cheque}/move"),
        &login,
        &[
            ("version", "2"),
            ("state", "bounced"),
            ("show", "all"),
            ("reason", " "),
            ("bank_fee", "1.500,00"),
        ],
    )
    .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    has(
        &no_reason,
        "a bounce without reason",
        &["Escribe por qué lo rechazó el banco.", "value=\"1.500,00\""],
    );
    let bounced = post_signed(
        &s,
        &format!("/cheques/{cheque}/move"),
        &login,
        &[
            ("version", "2"),
            ("state", "bounced"),
            ("show", "all"),
            ("reason", "Sin fondos suficientes"),
            ("bank_fee", "1.500,00"),
        ],
    )
    .await;
    assert_eq!(bounced.status, 303, "{}", bounced.text);
    let note = s
        .get("/api/v1/invoices?kind=debit_note")
        .await
        .expect(200)
        .body["data"][0]
        .clone();
    let note_number = note["number"].as_str().unwrap().to_owned();
    assert!(note_number.starts_with("ND-"), "{note}");
    let told = get(&s, bounced.location.as_deref().unwrap(), &cookie).await;
    has(
        &told,
        "the bounce",
        &[
            "Cheque Banco Nación 00012345 (121.000,00 ARS) rechazado.",
            "Se revirtió su cobro",
            "Vuelve a quedar pendiente la factura",
            "A-0001-00000001",
            "Los gastos bancarios (1.500,00 ARS) se cargaron al cliente con la nota de débito",
            &note_number,
            "Rechazado",
            "Sin fondos suficientes",
        ],
    );
    all_spanish("the wallet after the bounce", &told);
    let bounced_tab = get(&s, "/cheques?show=bounced", &cookie).await;
    has(
        &bounced_tab,
        "the bounced tab",
        &[
            "Rechazados (12 meses)",
            "Sin fondos suficientes",
            "Devolver",
        ],
    );
    let inv = get(&s, &at, &cookie).await;
    assert!(inv.text.contains(">Impaga<"), "{}", inv.text);
    let card = get(&s, &format!("/accounts/{account}"), &cookie).await;
    has(
        &card,
        "the red card",
        &[
            "Riesgo alto",
            "1 cheque rechazado en los últimos 12 meses",
            "Se necesita la aprobación de un gerente para enviar presupuestos o confirmar pedidos.",
            &note_number,
        ],
    );

    // A new quote: its send stops at the risk, told in Spanish with the level and why.
    let line = json!({"description": "Flete", "quantity": "2", "unit_price": ars("5000"), "tax_rate": "21"});
    let quote = id_of(
        &s.create(
            "quotes",
            json!({"account_id": account, "contact_id": contact, "lines": [line]}),
        )
        .await,
    );
    let qpage = get(&s, &format!("/quotes/{quote}"), &cookie).await;
    has(
        &qpage,
        "the quote",
        &["Riesgo alto", "Se necesita la aprobación de un gerente"],
    );
    let send = [
        ("to", "eva@agrosur.example"),
        ("subject", "Presupuesto"),
        ("message", "Hola"),
    ];
    let stopped = post_signed(&s, &format!("/quotes/{quote}/send"), &login, &send).await;
    assert_eq!(stopped.status, 303, "{}", stopped.text);
    let loc = stopped.location.unwrap();
    assert!(loc.contains("error=risk"), "{loc}");
    let qpage = get(&s, &loc, &cookie).await;
    has(
        &qpage,
        "the stopped send",
        &[
            "No se envió el presupuesto: el cliente está en «Riesgo alto» (",
            "1 cheque rechazado en los últimos 12 meses",
            "Se necesita la aprobación de un gerente para enviar presupuestos o confirmar pedidos.",
        ],
    );
    assert!(
        !qpage.text.contains("manager must approve"),
        "{}",
        qpage.text
    );
    let api = s
        .get(&format!("/api/v1/quotes/{quote}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "draft");

    // Nor is the accepted quote's order made, and the page says why.
    let stopped = post_signed(&s, &format!("/quotes/{accepted}/order"), &login, &[]).await;
    assert_eq!(stopped.status, 303, "{}", stopped.text);
    let loc = stopped.location.unwrap();
    assert!(loc.contains("error=risk-order"), "{loc}");
    let qpage = get(&s, &loc, &cookie).await;
    has(
        &qpage,
        "the stopped order",
        &[
            "No se creó el pedido: el cliente está en «Riesgo alto» (1 cheque rechazado en los últimos 12 meses).",
        ],
    );

    // Collections read the light but do not approve; the manager does, from the page.
    s.member("cobra@test.example.com", "collections").await;
    let cobra = s.browser_login("cobra@test.example.com", PASSWORD).await;
    let card = get(&s, &format!("/accounts/{account}"), &cobra.0).await;
    assert!(
        card.text.contains("Se necesita la aprobación"),
        "{}",
        card.text
    );
    assert!(
        !unescaped(&card.text).contains("/risk/approve"),
        "{}",
        card.text
    );
    let jefa = s.browser_login("jefa@test.example.com", PASSWORD).await;
    s.call(
        &s.token_for("jefa@test.example.com", cartera_core::users::Scope::Admin)
            .await
            .1,
        reqwest::Method::PATCH,
        "/api/v1/users/me",
        Some(json!({"locale": "es"})),
    )
    .await
    .expect(200);
    let qpage = get(&s, &format!("/quotes/{quote}"), &jefa.0).await;
    assert_eq!(qpage.status, 200);
    has(
        &qpage,
        "the manager's quote",
        &[
            &format!("/accounts/{account}/risk/approve"),
            "Aprobar",
            "Días de validez",
            "value=\"7\"",
        ],
    );
    all_spanish("the quote with the approval", &qpage);
    let back = format!("/quotes/{quote}");
    let path = format!("/accounts/{account}/risk/approve");
    let no_reason = post_signed(
        &s,
        &path,
        &jefa,
        &[("reason", ""), ("days", "7"), ("back", &back)],
    )
    .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    has(
        &no_reason,
        "an approval without reason",
        &["Escribe por qué se puede seguir vendiéndole."],
    );
    let too_long = post_signed(
        &s,
        &path,
        &jefa,
        &[
            ("reason", "Paga el lunes"),
            ("days", "120"),
            ("back", &back),
        ],
    )
    .await;
    assert_eq!(too_long.status, 422, "{}", too_long.text);
    has(
        &too_long,
        "an approval too long",
        &[
            "Escribe un número de días entre 1 y 90.",
            "Paga el lunes",
            "value=\"120\"",
        ],
    );
    let approved = post_signed(
        &s,
        &path,
        &jefa,
        &[
            ("reason", "Cliente histórico, paga el lunes"),
            ("days", "7"),
            ("back", &back),
        ],
    )
    .await;
    assert_eq!(approved.status, 303, "{}", approved.text);
    assert_eq!(
        approved.location.as_deref(),
        Some(format!("{back}#risk-banner").as_str())
    );
    let until = day_es(today + Duration::days(7));
    let qpage = get(&s, &back, &cookie).await;
    has(
        &qpage,
        "the approved quote",
        &[&format!(
            "Un gerente aprobó seguir vendiéndole hasta el {until}."
        )],
    );
    assert!(
        !qpage.text.contains("Se necesita la aprobación"),
        "{}",
        qpage.text
    );

    // Now the send goes through.
    let sent = post_signed(&s, &format!("/quotes/{quote}/send"), &login, &send).await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("/quotes/{quote}?sent=1").as_str())
    );
    let api = s
        .get(&format!("/api/v1/quotes/{quote}"))
        .await
        .expect(200)
        .body;
    assert_eq!(api["status"], "sent");
    let made = post_signed(&s, &format!("/quotes/{accepted}/order"), &login, &[]).await;
    assert_eq!(made.status, 303, "{}", made.text);
    assert!(made.location.unwrap().starts_with("/orders/"));
}

/// A day as a Spanish page writes it.
fn day_es(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

async fn the_statement_and_the_invoice_on_paper_and_by_email(s: TestServer) {
    let login = spanish_admin(&s).await;
    let cookie = login.0.clone();
    let account = id_of(
        &s.create("accounts", json!({"name": "Campo Verde SRL"}))
            .await,
    );
    s.create(
        "contacts",
        json!({"first_name": "Ana", "last_name": "Paz", "account_id": account,
               "emails": [{"address": "ana@campoverde.example"}]}),
    )
    .await;
    let order = order_of(&s, &account).await;
    let at = invoice_order(&s, &login, &order).await;
    let invoice = at.trim_start_matches("/invoices/").to_owned();
    let paid = post_signed(
        &s,
        "/payments",
        &login,
        &[
            ("account_id", &account),
            ("currency", "ARS"),
            ("amount", "50.000,50"),
            ("method", "transfer"),
            // Cheque fields left on the form count only for a cheque.
            ("cheque_bank", "Banco Nación"),
            ("cheque_drawer_tax_id", "123"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "50.000,50"),
        ],
    )
    .await;
    assert_eq!(paid.status, 303, "{}", paid.text);

    // The invoice's PDF, to look at and to download; its email, pre-addressed.
    let page = get(&s, &at, &cookie).await;
    has(
        &page,
        "the invoice",
        &[
            "Ver PDF",
            "Descargar PDF",
            "Enviar por email",
            "value=\"ana@campoverde.example\"",
        ],
    );
    all_spanish("the invoice with its PDF", &page);
    let (status, ty, how, pdf) = download(&s, &format!("{at}/pdf"), &cookie).await;
    assert_eq!((status, ty.as_str()), (200, "application/pdf"));
    assert!(how.starts_with("inline"), "{how}");
    assert!(crate::quotes::pdf_text(&pdf).contains("A-0001-00000001"));
    let (_, _, how, _) = download(&s, &format!("{at}/pdf?download=1"), &cookie).await;
    assert!(how.starts_with("attachment"), "{how}");
    let wrong = post_signed(
        &s,
        &format!("{at}/send"),
        &login,
        &[
            ("to", "ana@"),
            ("subject", "Su factura"),
            ("message", "Adjunta."),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    has(
        &wrong,
        "a bad address",
        &[
            "Esa dirección de email no es válida.",
            "value=\"ana@\"",
            "value=\"Su factura\"",
            "Adjunta.",
        ],
    );
    let sent = post_signed(
        &s,
        &format!("{at}/send"),
        &login,
        &[("to", ""), ("subject", ""), ("message", "")],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let page = get(&s, sent.location.as_deref().unwrap(), &cookie).await;
    has(
        &page,
        "the sent invoice",
        &["Comprobante enviado por email.", "Enviado por email:"],
    );

    // The statement: its PDF's closing balance is the page's.
    let st = get(&s, &format!("/accounts/{account}/statement"), &cookie).await;
    has(
        &st,
        "the statement",
        &[
            "PDF",
            "Excel",
            "Enviar por email",
            "Registrar promesa de pago",
        ],
    );
    all_spanish("the statement with its files", &st);
    let closing = st
        .text
        .split("id=\"closing-balance\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(closing, "70.999,50 ARS");
    let as_of = s.app.now().date_naive();
    let (status, ty, _, pdf) = download(
        &s,
        &format!("/accounts/{account}/statement/pdf?currency=ARS&as_of={as_of}"),
        &cookie,
    )
    .await;
    assert_eq!((status, ty.as_str()), (200, "application/pdf"));
    let text = crate::quotes::pdf_text(&pdf);
    let figure = closing.trim_end_matches(" ARS");
    let label = format!("Saldo al {}", day_es(as_of));
    let last = text
        .lines()
        .find(|l| l.contains(&label))
        .unwrap_or_else(|| panic!("{label}: {text}"));
    assert!(last.contains(figure), "{last:?} in {text}");
    let (status, ty, how, xlsx) = download(
        &s,
        &format!("/accounts/{account}/statement/xlsx?currency=ARS&as_of={as_of}"),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert!(ty.contains("spreadsheetml"), "{ty}");
    assert!(how.starts_with("attachment"), "{how}");
    assert!(xlsx.starts_with(b"PK"));

    // The statement by email.
    let sent = post_signed(
        &s,
        &format!("/accounts/{account}/statement/send"),
        &login,
        &[
            ("currency", "ARS"),
            ("as_of", &as_of.to_string()),
            ("from", ""),
            ("to", "pagos@campoverde.example"),
            ("subject", ""),
            ("message", ""),
        ],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let page = get(&s, sent.location.as_deref().unwrap(), &cookie).await;
    has(
        &page,
        "the sent statement",
        &["Estado de cuenta enviado por email."],
    );
    let sink = s.smtp.as_ref().expect("smtp");
    let mut got = Vec::new();
    for _ in 0..50 {
        got = sink.messages();
        if got.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter()
            .any(|m| m.to == ["ana@campoverde.example"] && m.subject.starts_with("Factura"))
    );
    assert!(
        got.iter()
            .any(|m| m.to == ["pagos@campoverde.example"] && m.text.contains("70.999,50 ARS"))
    );

    // A promise to pay: a day is required; the one recorded shows on the statement.
    let path = format!("/accounts/{account}/promises");
    let empty = post_signed(
        &s,
        &path,
        &login,
        &[
            ("currency", "ARS"),
            ("promised_on", ""),
            ("amount", "50.000,00"),
            ("note", "Llamó Ana"),
        ],
    )
    .await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    has(
        &empty,
        "a promise without a day",
        &[
            "Escribe el día en que el cliente dice que paga.",
            "value=\"50.000,00\"",
            "Llamó Ana",
        ],
    );
    let by = as_of + Duration::days(7);
    let made = post_signed(
        &s,
        &path,
        &login,
        &[
            ("currency", "ARS"),
            ("promised_on", &by.to_string()),
            ("amount", "50.000,00"),
            ("note", "Llamó Ana"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let page = get(&s, made.location.as_deref().unwrap(), &cookie).await;
    has(
        &page,
        "the promise",
        &[
            "Promesa de pago registrada.",
            &format!("Promesa de pago para el {} · 50.000,00 ARS", day_es(by)),
            "Llamó Ana",
        ],
    );
    let promises = s
        .get(&format!("/api/v1/accounts/{account}/promises"))
        .await
        .expect(200)
        .body;
    assert_eq!(
        promises.to_string().matches("promised_on").count(),
        1,
        "{promises}"
    );
}

/// Pays `amount` of the account's money on account by cheque, payable `in_days` from
/// today: the payment's page.
async fn by_cheque(
    s: &TestServer,
    login: &(String, String),
    account: &str,
    number: &str,
    amount: &str,
    in_days: i64,
) -> String {
    let today = s.app.now().date_naive();
    let (good, _) = cuits();
    let paid = post_signed(
        s,
        "/payments",
        login,
        &[
            ("account_id", account),
            ("currency", "ARS"),
            ("amount", amount),
            ("method", "cheque"),
            ("cheque_bank", "Banco Galicia"),
            ("cheque_number", number),
            ("cheque_drawer", "Campo Verde SRL"),
            ("cheque_drawer_tax_id", &good),
            ("cheque_issue_date", &today.to_string()),
            (
                "cheque_payment_date",
                &(today + Duration::days(in_days)).to_string(),
            ),
        ],
    )
    .await;
    assert_eq!(paid.status, 303, "{}", paid.text);
    paid.location.unwrap().replace("?saved=1", "")
}

async fn the_wallet_is_a_calendar_and_cheques_leave_it(s: TestServer) {
    let login = spanish_admin(&s).await;
    let cookie = login.0.clone();
    let account = id_of(
        &s.create("accounts", json!({"name": "Campo Verde SRL"}))
            .await,
    );
    let supplier = id_of(
        &s.create("accounts", json!({"name": "Semillas del Sur SA"}))
            .await,
    );
    by_cheque(&s, &login, &account, "0001", "1.000,00", 0).await;
    by_cheque(&s, &login, &account, "0002", "2.500,50", 10).await;
    by_cheque(&s, &login, &account, "0003", "700,00", 11).await;

    // On hand: those payable now, then week by week with each week's total.
    let today = s.app.now().date_naive();
    let week = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
    };
    let later = [today + Duration::days(10), today + Duration::days(11)];
    let on_hand = get(&s, "/cheques", &cookie).await;
    let text = unescaped(&visible(&on_hand.text));
    let now_at = text.find("Ya se pueden depositar").expect("payable now");
    let week_at = text
        .find(&format!("Semana del {}", day_es(week(later[0]))))
        .unwrap_or_else(|| panic!("the week: {text}"));
    assert!(now_at < week_at, "{text}");
    if week(later[0]) == week(later[1]) {
        assert!(text.contains("3.200,50 ARS"), "{text}");
    }
    has(
        &on_hand,
        "the calendar",
        &["4.200,50 ARS", "3 cheques", "0001", "0002", "0003"],
    );
    all_spanish("the calendar", &on_hand);
    // Only what is payable today is to deposit.
    let to_deposit = get(&s, "/cheques?to_deposit", &cookie).await;
    let text = visible(&to_deposit.text);
    assert!(text.contains("0001") && !text.contains("0002"), "{text}");

    // Endorsed to a supplier: the supplier is required, then named.
    let first = cheque_on(&s, &cookie, "/cheques?show=to_deposit").await;
    let nobody = post_signed(
        &s,
        &format!("/cheques/{first}/move"),
        &login,
        &[
            ("version", "1"),
            ("state", "endorsed"),
            ("supplier_id", ""),
            ("supplier_label", "Semi"),
        ],
    )
    .await;
    assert_eq!(nobody.status, 422, "{}", nobody.text);
    has(
        &nobody,
        "an endorsement to nobody",
        &["Elige el proveedor al que se endosa.", "value=\"Semi\""],
    );
    let endorsed = post_signed(
        &s,
        &format!("/cheques/{first}/move"),
        &login,
        &[
            ("version", "1"),
            ("state", "endorsed"),
            ("supplier_id", &supplier),
            ("show", "all"),
        ],
    )
    .await;
    assert_eq!(endorsed.status, 303, "{}", endorsed.text);
    let page = get(&s, endorsed.location.as_deref().unwrap(), &cookie).await;
    has(
        &page,
        "the endorsement",
        &[
            "Cheque Banco Galicia 0001 (1.000,00 ARS) endosado a Semillas del Sur SA.",
            "Endosado",
        ],
    );
    // A stale page's move is refused in words.
    let stale = post_signed(
        &s,
        &format!("/cheques/{first}/move"),
        &login,
        &[("version", "1"), ("state", "bounced"), ("reason", "x")],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    has(
        &stale,
        "a stale move",
        &["Alguien movió este cheque mientras lo mirabas"],
    );

    // Given back to the customer: it leaves the wallet, and the card counts two on hand.
    let card = get(&s, &format!("/accounts/{account}"), &cookie).await;
    has(
        &card,
        "the card",
        &["Cheques en cartera", "2 cheques", "3.200,50 ARS"],
    );
    let all = get(
        &s,
        &format!("/cheques?account={account}&show=on_hand"),
        &cookie,
    )
    .await;
    has(&all, "the account's wallet", &["Campo Verde SRL", "0002"]);
    let second = cheque_on(
        &s,
        &cookie,
        &format!("/cheques?account={account}&show=on_hand"),
    )
    .await;
    let back = post_signed(
        &s,
        &format!("/cheques/{second}/move"),
        &login,
        &[
            ("version", "1"),
            ("state", "returned"),
            ("show", "on_hand"),
            ("account", &account),
        ],
    )
    .await;
    assert_eq!(back.status, 303, "{}", back.text);
    let loc = back.location.unwrap();
    assert!(loc.contains(&format!("account={account}")), "{loc}");
    let page = get(&s, &loc, &cookie).await;
    has(&page, "the return", &["(2.500,50 ARS) devuelto."]);
    assert!(
        !page.text.contains(&format!("id=\"cheque-{second}\"")),
        "{}",
        page.text
    );

    // The same wallet in English.
    s.patch("/api/v1/users/me", json!({"locale": "en"}))
        .await
        .expect(200);
    let page = get(&s, "/cheques?show=all", &cookie).await;
    has(
        &page,
        "the English wallet",
        &[
            "To deposit today",
            "Bounced (12 months)",
            "Endorsed",
            "Returned",
            "On hand",
            "1,000.00 ARS",
        ],
    );
    let day = get(&s, "/my-day", &cookie).await;
    has(&day, "the English My day", &["No cheque to deposit today"]);
}
