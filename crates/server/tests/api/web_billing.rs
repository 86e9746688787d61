//! The billing pages, as a person uses them in Spanish: "Facturar" on an order and on an
//! accepted quote, the invoice page, the payment form (amounts typed `1.234,50`, a
//! refused payment shown again as typed), the payment page and its reversal, a credit
//! note, the statement's running balance, the ageing buckets, the account's card and
//! the risk light on the deal, quote and order pages. Black-box: pages and the API.

use chrono::Duration;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, Page, get, post_signed};

both!(
    an_order_is_invoiced_and_collected_from_the_pages,
    overdue_invoices_age_and_light_the_risk,
    money_on_account_is_applied_later_and_taken_back,
    billing_is_hidden_without_its_right,
);

pub(crate) fn ars(amount: &str) -> Value {
    json!({"amount": amount, "currency": "ARS"})
}

pub(crate) fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A Spanish-speaking admin signed in through the browser.
pub(crate) async fn spanish_admin(s: &TestServer) -> (String, String) {
    let login = s.browser_login("admin@test.example.com", PASSWORD).await;
    s.patch("/api/v1/users/me", json!({"locale": "es"}))
        .await
        .expect(200);
    login
}

/// An order of one line: 1 × 100.000,00 at 21 % (121.000,00 ARS).
pub(crate) async fn order_of(s: &TestServer, account: &str) -> String {
    let line = json!({"description": "Sembradora", "quantity": "1",
                      "unit_price": ars("100000.00"), "tax_rate": "21"});
    id_of(
        &s.create("orders", json!({"account_id": account, "lines": [line]}))
            .await,
    )
}

/// "Facturar" on the order page: the new invoice's path.
pub(crate) async fn invoice_order(s: &TestServer, login: &(String, String), order: &str) -> String {
    let page = get(s, &format!("/orders/{order}"), &login.0).await;
    assert!(
        page.text
            .contains(&format!("action=\"/orders/{order}/invoice\"")),
        "{}",
        page.text
    );
    // "Facturar" takes the place of marking it invoiced by hand.
    assert!(!page.text.contains("value=\"invoiced\""), "{}", page.text);
    let made = post_signed(s, &format!("/orders/{order}/invoice"), login, &[]).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    assert!(at.starts_with("/invoices/"), "{at}");
    at
}

/// The text a person reads: the page without its tags.
pub(crate) fn visible(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut out = String::new();
    // Inside the body's own tag first.
    let mut in_tag = true;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// No English word of the billing pages, no catalogue key and no enum value on a
/// Spanish page.
pub(crate) fn all_spanish(what: &str, p: &Page) {
    let text = visible(&p.text);
    assert!(!text.contains("/api/"), "{what} names the API: {text}");
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    for english in [
        "Invoice",
        "Payment",
        "Statement",
        "Balance",
        "Overdue",
        "Current",
        "Receivables",
        "Record",
        "Reverse",
        "Apply",
        "Collections",
        "Credit",
        "Debit",
        "Unpaid",
        "Paid",
        "days",
        "Due",
        "Open",
        "credit_note",
        "debit_note",
        "partially_paid",
        "unpaid",
        "transfer",
        "payment_reversal",
        "cash",
        "card",
        "other",
        "Bounced",
        "Deposit",
        "Deposited",
        "Approve",
        "Send",
        "Download",
        "View",
        "Promise",
        "on_hand",
        "bounced",
    ] {
        assert!(
            !words.contains(&english),
            "{what} says {english:?} in Spanish: {text}"
        );
    }
    for key in [
        "billing-",
        "invoice-",
        "invoices-",
        "payment-",
        "payments-",
        "statement-",
        "risk-",
        "receivables-",
        "movement-",
        "ageing-",
        "note-",
        "violation-",
        "cheque-",
        "cheques-",
        "promise-",
        "send-",
    ] {
        assert!(
            !text.contains(key),
            "{what} shows a catalogue key {key}…: {text}"
        );
    }
}

async fn an_order_is_invoiced_and_collected_from_the_pages(s: TestServer) {
    let login = spanish_admin(&s).await;
    let cookie = login.0.clone();
    let account = id_of(&s.create("accounts", json!({"name": "Agro Sur S.A."})).await);
    let order = order_of(&s, &account).await;

    // "Facturar": the invoice, numbered in the default series and point of sale.
    let at = invoice_order(&s, &login, &order).await;
    let invoice = at.trim_start_matches("/invoices/").to_owned();
    let page = get(&s, &at, &cookie).await;
    assert_eq!(page.status, 200);
    for shown in [
        "A-0001-00000001",
        "121.000,00 ARS",
        "100.000,00",
        "Impaga",
        "Factura",
        "Registrar cobro",
        "Nota de crédito",
    ] {
        assert!(page.text.contains(shown), "{shown}: {}", page.text);
    }
    all_spanish("the invoice", &page);
    // The order is invoiced now: it links to its invoice instead of offering it again.
    let o = get(&s, &format!("/orders/{order}"), &cookie).await;
    assert!(
        !o.text.contains(&format!("/orders/{order}/invoice")),
        "{}",
        o.text
    );
    assert!(o.text.contains(&format!("href=\"{at}\"")), "{}", o.text);
    // Invoiced before it was delivered, it still records its deliveries.
    assert!(o.text.contains("Registrar la entrega"), "{}", o.text);
    let again = post_signed(&s, &format!("/orders/{order}/invoice"), &login, &[]).await;
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/orders/{order}?error=invoiced").as_str())
    );

    // The payment form comes pre-filled with the invoice and what is open on it.
    let form = get(
        &s,
        &format!("/payments/new?account_id={account}&invoice_id={invoice}"),
        &cookie,
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("Agro Sur S.A."), "{}", form.text);
    assert!(form.text.contains("value=\"121.000,00\""), "{}", form.text);
    for method in ["Efectivo", "Transferencia", "Tarjeta", "Cheque", "Otro"] {
        assert!(form.text.contains(method), "{method}");
    }
    all_spanish("the payment form", &form);

    // Applying more than is open is refused in words, and nothing typed is lost.
    let bad = post_signed(
        &s,
        "/payments",
        &login,
        &[
            ("account_id", &account),
            ("currency", "ARS"),
            ("amount", "200.000,00"),
            ("method", "transfer"),
            ("received_on", ""),
            ("reference", "Transferencia 4471"),
            ("notes", "Pago a cuenta"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "150.000,00"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text
            .contains("Es más de lo pendiente en esta factura (121.000,00 ARS)."),
        "{}",
        bad.text
    );
    for kept in [
        "value=\"200.000,00\"",
        "value=\"150.000,00\"",
        "value=\"Transferencia 4471\"",
        "Pago a cuenta",
    ] {
        assert!(bad.text.contains(kept), "{kept}: {}", bad.text);
    }
    all_spanish("the refused payment", &bad);
    // An amount that is not one says so next to it.
    let typo = post_signed(
        &s,
        "/payments",
        &login,
        &[
            ("account_id", &account),
            ("currency", "ARS"),
            ("amount", "mil"),
            ("method", "cash"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", ""),
        ],
    )
    .await;
    assert_eq!(typo.status, 422);
    assert!(
        typo.text
            .contains("Escribe un importe mayor que cero, como 1.234,50."),
        "{}",
        typo.text
    );
    assert!(typo.text.contains("value=\"mil\""), "{}", typo.text);

    // A first payment of 50.000,50 settles part of the invoice.
    let paid = post_signed(
        &s,
        "/payments",
        &login,
        &[
            ("account_id", &account),
            ("currency", "ARS"),
            ("amount", "50.000,50"),
            ("method", "transfer"),
            ("received_on", ""),
            ("reference", "Transferencia 4471"),
            ("notes", ""),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "50.000,50"),
        ],
    )
    .await;
    assert_eq!(paid.status, 303, "{}", paid.text);
    let first = paid.location.unwrap();
    assert!(first.starts_with("/payments/"), "{first}");
    let receipt = get(&s, &first, &cookie).await;
    assert!(
        receipt.text.contains("Cobro registrado."),
        "{}",
        receipt.text
    );
    assert!(receipt.text.contains("50.000,50 ARS"), "{}", receipt.text);
    assert!(receipt.text.contains("A-0001-00000001"), "{}", receipt.text);
    assert!(receipt.text.contains("Vigente"), "{}", receipt.text);
    all_spanish("the payment", &receipt);
    let page = get(&s, &at, &cookie).await;
    assert!(page.text.contains("Pagada en parte"), "{}", page.text);
    assert!(page.text.contains("70.999,50 ARS"), "{}", page.text);

    // A second one of 1.234,50 more than what is left: the invoice is paid and the rest
    // stays on account.
    let today = s.app.now().date_naive().to_string();
    let cuit = cartera_core::tax_ids::cuit_with_check_digit("3071234567").unwrap();
    let rest = post_signed(
        &s,
        "/payments",
        &login,
        &[
            ("account_id", &account),
            ("currency", "ARS"),
            ("amount", "72.234,00"),
            ("method", "cheque"),
            ("reference", "Cheque 0012"),
            ("cheque_bank", "Banco Galicia"),
            ("cheque_number", "0012"),
            ("cheque_drawer", "Agro Sur S.A."),
            ("cheque_drawer_tax_id", &cuit),
            ("cheque_issue_date", &today),
            ("cheque_payment_date", &today),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "70.999,50"),
        ],
    )
    .await;
    assert_eq!(rest.status, 303, "{}", rest.text);
    let second = rest.location.unwrap().replace("?saved=1", "");
    let page = get(&s, &at, &cookie).await;
    assert!(page.text.contains(">Pagada<"), "{}", page.text);
    let receipt = get(&s, &second, &cookie).await;
    assert!(receipt.text.contains("1.234,50 ARS"), "{}", receipt.text);

    // The statement: each movement with the balance after it, in Spanish.
    let st = get(&s, &format!("/accounts/{account}/statement"), &cookie).await;
    assert_eq!(st.status, 200);
    let text = visible(&st.text);
    let balances = ["121.000,00 ARS", "70.999,50 ARS", "-1.234,50 ARS"];
    let mut from = 0;
    for b in balances {
        let at = text[from..]
            .find(b)
            .unwrap_or_else(|| panic!("{b} after {from}: {text}"));
        from += at + b.len();
    }
    for shown in [
        "Estado de cuenta",
        "Factura",
        "Cobro",
        "Debe",
        "Haber",
        "Saldo a favor del cliente.",
    ] {
        assert!(st.text.contains(shown), "{shown}: {}", st.text);
    }
    all_spanish("the statement", &st);

    // The cheque bounces: reversing needs a reason, then the invoice is open again.
    let version = s.get(&format!("/api/v1/orders/{order}")).await.expect(200);
    assert_eq!(version.body["status"], "invoiced");
    let no_reason = post_signed(
        &s,
        &format!("{second}/reverse"),
        &login,
        &[("version", "1"), ("reason", " ")],
    )
    .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    assert!(
        no_reason
            .text
            .contains("Escribe el motivo de la reversión."),
        "{}",
        no_reason.text
    );
    // The bank refuses it: bounced from the wallet, which takes the payment back.
    let cheque = crate::web_billing_cheques::cheque_on(&s, &cookie, "/cheques?show=all").await;
    let bounced = post_signed(
        &s,
        &format!("/cheques/{cheque}/move"),
        &login,
        &[
            ("version", "1"),
            ("state", "bounced"),
            ("reason", "Cheque rechazado por falta de fondos"),
        ],
    )
    .await;
    assert_eq!(bounced.status, 303, "{}", bounced.text);
    let receipt = get(&s, &second, &cookie).await;
    assert!(receipt.text.contains("Revertido el"), "{}", receipt.text);
    assert!(
        receipt
            .text
            .contains("Cheque rechazado por falta de fondos"),
        "{}",
        receipt.text
    );
    let page = get(&s, &at, &cookie).await;
    assert!(page.text.contains("Pagada en parte"), "{}", page.text);
    let st = get(&s, &format!("/accounts/{account}/statement"), &cookie).await;
    assert!(st.text.contains("Reversión de cobro"), "{}", st.text);
    // A bounced cheque turns the light red, with the reason in words.
    let card = get(&s, &format!("/accounts/{account}"), &cookie).await;
    assert!(card.text.contains("Riesgo alto"), "{}", card.text);
    assert!(
        card.text
            .contains("1 cheque rechazado en los últimos 12 meses"),
        "{}",
        card.text
    );

    // A credit note for part of the invoice, from its form; a missing reason is named.
    let form = get(&s, &format!("{at}/note?kind=credit_note"), &cookie).await;
    assert_eq!(form.status, 200);
    all_spanish("the note form", &form);
    let note = [
        ("kind", "credit_note"),
        ("reason", ""),
        ("line_description", "Bonificación"),
        ("line_quantity", "1"),
        ("line_price", "1.000,00"),
        ("line_tax", "21"),
    ];
    let refused = post_signed(&s, &format!("{at}/note"), &login, &note).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("Escribe el motivo de la nota."),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("value=\"1.000,00\""),
        "{}",
        refused.text
    );
    let mut note = note.to_vec();
    note[1] = ("reason", "Bonificación comercial");
    let made = post_signed(&s, &format!("{at}/note"), &login, &note).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let credit = get(&s, &made.location.unwrap(), &cookie).await;
    for shown in [
        "NC-A-0001-00000001",
        "Nota de crédito",
        "1.210,00 ARS",
        "A-0001-00000001",
    ] {
        assert!(credit.text.contains(shown), "{shown}: {}", credit.text);
    }
    let page = get(&s, &at, &cookie).await;
    assert!(page.text.contains("69.789,50 ARS"), "{}", page.text);

    // The lists.
    let list = get(&s, "/invoices?show=open", &cookie).await;
    assert!(list.text.contains("A-0001-00000001"), "{}", list.text);
    all_spanish("the invoices", &list);
    let list = get(&s, "/payments", &cookie).await;
    assert!(list.text.contains("Revertido"), "{}", list.text);
    all_spanish("the payments", &list);

    // A commission plan on money collected, from its form: what is still paid earns.
    let admin = s.admin_id.to_string();
    let made = post_signed(
        &s,
        "/commissions/plans",
        &login,
        &[
            ("name", "Cobranza"),
            ("default_rate", "3"),
            ("basis", "collected"),
            ("user_ids", &admin),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let plans = get(&s, "/commissions/plans", &cookie).await;
    assert!(plans.text.contains("Lo cobrado"), "{}", plans.text);
    let period = s.app.now().format("%Y-%m").to_string();
    let earned = get(&s, &format!("/commissions?period={period}"), &cookie).await;
    assert!(earned.text.contains("Cobrado el"), "{}", earned.text);
    assert!(earned.text.contains("A-0001-00000001"), "{}", earned.text);
    all_spanish("the commissions", &earned);
}

async fn overdue_invoices_age_and_light_the_risk(s: TestServer) {
    let login = spanish_admin(&s).await;
    let account = id_of(
        &s.create("accounts", json!({"name": "Campo Verde SRL"}))
            .await,
    );
    let contact = id_of(
        &s.create(
            "contacts",
            json!({"first_name": "Ana", "last_name": "Paz", "account_id": account,
                   "emails": [{"address": "ana@campoverde.example"}]}),
        )
        .await,
    );
    let order = order_of(&s, &account).await;
    let at = invoice_order(&s, &login, &order).await;

    // An accepted quote without an order is invoiced from its page.
    let line = json!({"description": "Flete", "quantity": "2", "unit_price": ars("5000"), "tax_rate": "21"});
    let quote = id_of(
        &s.create(
            "quotes",
            json!({"account_id": account, "contact_id": contact, "lines": [line]}),
        )
        .await,
    );
    s.post(&format!("/api/v1/quotes/{quote}/send"), json!({}))
        .await
        .expect(200);
    s.post(&format!("/api/v1/quotes/{quote}/accept"), json!({}))
        .await
        .expect(200);
    let q = get(&s, &format!("/quotes/{quote}"), &login.0).await;
    assert!(
        q.text
            .contains(&format!("action=\"/quotes/{quote}/invoice\"")),
        "{}",
        q.text
    );
    assert!(q.text.contains("Facturar"), "{}", q.text);
    let made = post_signed(&s, &format!("/quotes/{quote}/invoice"), &login, &[]).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let from_quote = get(&s, &made.location.unwrap(), &login.0).await;
    assert!(
        from_quote.text.contains("A-0001-00000002"),
        "{}",
        from_quote.text
    );
    assert!(
        from_quote.text.contains("12.100,00 ARS"),
        "{}",
        from_quote.text
    );

    // Today nothing is overdue: both invoices are current, the light green.
    let ageing = get(&s, "/receivables", &login.0).await;
    assert_eq!(ageing.status, 200);
    assert!(ageing.text.contains("Campo Verde SRL"), "{}", ageing.text);
    assert!(
        ageing
            .text
            .contains("data-label=\"A vencer\">133.100,00</td>"),
        "{}",
        ageing.text
    );
    all_spanish("the ageing", &ageing);
    let card = get(&s, &format!("/accounts/{account}"), &login.0).await;
    for shown in [
        "Cuenta corriente",
        "Al día",
        "133.100,00 ARS",
        "A-0001-00000002",
    ] {
        assert!(card.text.contains(shown), "{shown}: {}", card.text);
    }
    let o = get(&s, &format!("/orders/{order}"), &login.0).await;
    assert!(!o.text.contains("risk-banner"), "{}", o.text);

    // Forty days later the 30-day terms are 10 days past: the 1-30 bucket, amber.
    s.clock.advance(Duration::days(40));
    let login = s.browser_login("admin@test.example.com", PASSWORD).await;
    let ageing = get(&s, "/receivables", &login.0).await;
    assert!(
        ageing
            .text
            .contains("data-label=\"1-30 días\">133.100,00</td>"),
        "{}",
        ageing.text
    );
    // The customer's row opens its statement (the template writes `/` as `&#x2f;`).
    assert!(
        ageing
            .text
            .contains(&format!("{account}&#x2f;statement?currency=ARS")),
        "{}",
        ageing.text
    );
    // Grouped by currency, the same sum.
    let by_currency = get(&s, "/receivables?group=currency", &login.0).await;
    assert!(
        by_currency
            .text
            .contains("data-label=\"1-30 días\">133.100,00</td>"),
        "{}",
        by_currency.text
    );
    // By territory (none here) and by rep, whose row opens their customers.
    let by_territory = get(&s, "/receivables?group=territory", &login.0).await;
    assert!(
        by_territory.text.contains("Sin territorio"),
        "{}",
        by_territory.text
    );
    let by_rep = get(&s, "/receivables?group=rep", &login.0).await;
    assert!(by_rep.text.contains("receivables?rep="), "{}", by_rep.text);
    let drilled = by_rep
        .text
        .split("receivables?rep=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .unwrap_or_default()
        .to_owned();
    let hers = get(&s, &format!("/receivables?rep={drilled}"), &login.0).await;
    assert!(hers.text.contains("Campo Verde SRL"), "{}", hers.text);
    assert!(hers.text.contains("Todos los clientes"), "{}", hers.text);
    // As of the day they were issued, nothing was overdue yet.
    let before = (s.app.now() - Duration::days(40)).date_naive();
    let then = get(&s, &format!("/receivables?as_of={before}"), &login.0).await;
    assert!(
        then.text
            .contains("data-label=\"A vencer\">133.100,00</td>"),
        "{}",
        then.text
    );

    let st = get(&s, &format!("/accounts/{account}/statement"), &login.0).await;
    for shown in [
        "Vencida hace 10 días",
        "1-30 días",
        "133.100,00 ARS",
        "Registrar cobro",
    ] {
        assert!(st.text.contains(shown), "{shown}: {}", st.text);
    }
    let card = get(&s, &format!("/accounts/{account}"), &login.0).await;
    assert!(card.text.contains("Con deuda vencida"), "{}", card.text);
    assert!(
        card.text
            .contains("la deuda más antigua venció hace 10 días"),
        "{}",
        card.text
    );
    all_spanish("the account's card", &card);

    // The rep sees the light before selling more: on the deal, the quote and the order.
    let deal = id_of(
        &s.create(
            "deals",
            json!({"name": "Ampliación", "account_id": account}),
        )
        .await,
    );
    for path in [
        format!("/deals/{deal}"),
        format!("/quotes/{quote}"),
        format!("/orders/{order}"),
    ] {
        let p = get(&s, &path, &login.0).await;
        assert_eq!(p.status, 200, "{path}");
        assert!(p.text.contains("id=\"risk-banner\""), "{path}: {}", p.text);
        assert!(p.text.contains("Con deuda vencida"), "{path}: {}", p.text);
        assert!(p.text.contains("133.100,00 ARS"), "{path}: {}", p.text);
        assert!(
            p.text.contains(&format!("/accounts/{account}/statement")),
            "{path}"
        );
    }
    let inv = get(&s, &at, &login.0).await;
    assert!(inv.text.contains("Vencida hace 10 días"), "{}", inv.text);

    // The same pages in English.
    s.patch("/api/v1/users/me", json!({"locale": "en"}))
        .await
        .expect(200);
    let ageing = get(&s, "/receivables", &login.0).await;
    assert!(
        ageing
            .text
            .contains("data-label=\"1-30 days\">133,100.00</td>"),
        "{}",
        ageing.text
    );
    assert!(ageing.text.contains(">Current<"), "{}", ageing.text);
    let card = get(&s, &format!("/accounts/{account}"), &login.0).await;
    for shown in [
        "Current account",
        "Overdue debt",
        "the oldest debt fell due 10 days ago",
        "133,100.00 ARS",
    ] {
        assert!(card.text.contains(shown), "{shown}: {}", card.text);
    }
    let inv = get(&s, &at, &login.0).await;
    for shown in ["Unpaid", "10 days overdue", "Record payment", "Credit note"] {
        assert!(inv.text.contains(shown), "{shown}: {}", inv.text);
    }
}

async fn money_on_account_is_applied_later_and_taken_back(s: TestServer) {
    let login = spanish_admin(&s).await;
    let cookie = login.0.clone();
    let account = id_of(&s.create("accounts", json!({"name": "Agro Sur S.A."})).await);
    let order = order_of(&s, &account).await;
    let at = invoice_order(&s, &login, &order).await;
    let invoice = at.trim_start_matches("/invoices/").to_owned();

    // A payment applied to nothing stays on account.
    let made = post_signed(
        &s,
        "/payments",
        &login,
        &[
            ("account_id", &account),
            ("currency", "ARS"),
            ("amount", "10.000,00"),
            ("method", "cash"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", ""),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let payment = made.location.unwrap().replace("?saved=1", "");
    let page = get(&s, &payment, &cookie).await;
    assert!(
        page.text
            .contains("Este cobro no se aplicó a ninguna factura"),
        "{}",
        page.text
    );
    // "Aplicar saldo" proposes the spare money for the oldest open invoice.
    assert!(page.text.contains("Aplicar saldo"), "{}", page.text);
    assert!(page.text.contains("value=\"10.000,00\""), "{}", page.text);
    all_spanish("the payment on account", &page);

    // More than is left on account is refused in words, the typed amount kept.
    let over = post_signed(
        &s,
        &format!("{payment}/allocate"),
        &login,
        &[
            ("version", "1"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "20.000,00"),
        ],
    )
    .await;
    assert_eq!(over.status, 422, "{}", over.text);
    assert!(
        over.text
            .contains("Lo aplicado suma más que el importe del cobro."),
        "{}",
        over.text
    );
    assert!(over.text.contains("value=\"20.000,00\""), "{}", over.text);
    let applied = post_signed(
        &s,
        &format!("{payment}/allocate"),
        &login,
        &[
            ("version", "1"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "10.000,00"),
        ],
    )
    .await;
    assert_eq!(applied.status, 303, "{}", applied.text);
    let inv = get(&s, &at, &cookie).await;
    assert!(inv.text.contains("Pagada en parte"), "{}", inv.text);
    assert!(inv.text.contains("111.000,00 ARS"), "{}", inv.text);
    // A second clerk working from the page as it was is told, not applied twice.
    let stale = post_signed(
        &s,
        &format!("{payment}/allocate"),
        &login,
        &[
            ("version", "1"),
            ("alloc_invoice", &invoice),
            ("alloc_amount", "1,00"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(
        stale.text.contains("Alguien cambió este cobro"),
        "{}",
        stale.text
    );

    // Taking the application back: a reason first, then the invoice is open again.
    let p = s
        .get(&format!(
            "/api/v1/payments/{}",
            payment.trim_start_matches("/payments/")
        ))
        .await;
    let (allocation, version) = if p.status == 200 {
        (
            p.body["allocations"][0]["id"].as_str().unwrap().to_owned(),
            p.body["version"].to_string(),
        )
    } else {
        // Without the JSON API yet: the page's own form names the application.
        let page = get(&s, &payment, &cookie).await;
        let start = page.text.find("/allocations/").expect("a reversal form") + 13;
        let id = page.text[start..start + 36].to_owned();
        let v = page
            .text
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        (id, v)
    };
    let path = format!("{payment}/allocations/{allocation}/reverse");
    let no_reason = post_signed(&s, &path, &login, &[("version", &version), ("reason", "")]).await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    assert!(
        no_reason
            .text
            .contains("Escribe el motivo de la reversión."),
        "{}",
        no_reason.text
    );
    let back = post_signed(
        &s,
        &path,
        &login,
        &[
            ("version", &version),
            ("reason", "Imputado a la factura equivocada"),
        ],
    )
    .await;
    assert_eq!(back.status, 303, "{}", back.text);
    let page = get(&s, &payment, &cookie).await;
    assert!(
        page.text.contains("Imputado a la factura equivocada"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Revertido el"), "{}", page.text);
    let inv = get(&s, &at, &cookie).await;
    assert!(inv.text.contains(">Impaga<"), "{}", inv.text);

    // "Acreditar la factura completa": a credit note copying its lines settles it.
    let whole = post_signed(
        &s,
        &format!("{at}/note"),
        &login,
        &[
            ("kind", "credit_note"),
            ("reason", "Devolución de la mercadería"),
            ("whole", "1"),
            ("line_description", ""),
            ("line_quantity", ""),
            ("line_price", ""),
            ("line_tax", "21"),
        ],
    )
    .await;
    assert_eq!(whole.status, 303, "{}", whole.text);
    let note = get(&s, &whole.location.unwrap(), &cookie).await;
    for shown in [
        "NC-A-0001-00000001",
        "Sembradora",
        "121.000,00 ARS",
        "Devolución de la mercadería",
    ] {
        assert!(note.text.contains(shown), "{shown}: {}", note.text);
    }
    let inv = get(&s, &at, &cookie).await;
    assert!(inv.text.contains(">Pagada<"), "{}", inv.text);
    assert!(inv.text.contains("NC-A-0001-00000001"), "{}", inv.text);
}

async fn billing_is_hidden_without_its_right(s: TestServer) {
    let account = id_of(&s.create("accounts", json!({"name": "Agro Sur S.A."})).await);
    let order = order_of(&s, &account).await;
    s.member("soporte@test.example.com", "support_agent").await;
    let login = s.browser_login("soporte@test.example.com", PASSWORD).await;
    let page = get(&s, &format!("/accounts/{account}"), &login.0).await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("account-billing"), "{}", page.text);
    assert!(!page.text.contains("/receivables"), "{}", page.text);
    for path in ["/receivables", "/invoices", "/payments", "/payments/new"] {
        let p = get(&s, path, &login.0).await;
        assert_eq!(p.status, 403, "{path}");
    }
    let refused = post_signed(&s, &format!("/orders/{order}/invoice"), &login, &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    // The admin sees the menu entry.
    let admin = s.browser_login("admin@test.example.com", PASSWORD).await;
    let page = get(&s, "/my-day", &admin.0).await;
    assert!(page.text.contains("href=\"/receivables\""), "{}", page.text);
}
