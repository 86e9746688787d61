//! Billing through the API, on SQLite and PostgreSQL: invoices numbered per series and
//! point of sale, an order invoiced in one click, notes that correct invoices, payments
//! applied across invoices and reversed, and the statement, the ageing and the risk
//! agreeing to the cent; every bad input answers 422 naming its field with nothing
//! written, and the second of two clerks allocating one payment gets 412.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::{Setup, TestServer};

both!(
    invoices_are_numbered_per_series_and_checked,
    orders_and_accepted_quotes_are_invoiced_once,
    payments_settle_invoices_and_every_figure_agrees,
    bad_allocations_write_nothing,
    two_clerks_allocating_one_payment,
    a_bounced_cheque_reopens_invoices_and_lights_the_risk,
    a_rep_sees_the_billing_of_their_own_portfolio,
    billing_exports_are_spreadsheets,
    the_ageing_groups_by_territory_and_drills_down,
    a_plan_pays_commission_on_money_collected,
    the_light_reads_the_balance_against_the_credit_limit
);

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    an_accepted_quote_is_invoiced,
    a_red_light_waits_for_a_managers_approval,
    invoices_and_statements_on_paper_and_by_email
);

fn str(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

async fn account(s: &TestServer, name: &str) -> String {
    str(&s.create("accounts", json!({"name": name})).await["id"])
}

/// An invoice of one line `amount` + 21 % VAT, issued `ago` days back.
async fn invoice(s: &TestServer, account: &str, amount: &str, ago: i64, terms: u32) -> Value {
    s.post(
        "/api/v1/invoices",
        json!({"account_id": account, "issue_date": days_ago(ago), "payment_terms_days": terms,
               "lines": [{"description": "Semilla", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": amount, "currency": "ARS"}}]}),
    )
    .await
    .expect(201)
    .body
}

async fn invoice_now(s: &TestServer, id: &str) -> Value {
    s.get(&format!("/api/v1/invoices/{id}"))
        .await
        .expect(200)
        .body
}

async fn invoices_are_numbered_per_series_and_checked(s: TestServer) {
    let a = account(&s, "Agro Sur").await;
    let first = invoice(&s, &a, "1000", 0, 30).await;
    assert_eq!(first["number"], "A-0001-00000001");
    assert_eq!(first["kind"], "invoice");
    assert_eq!(first["totals"]["total"], "1210.00");
    assert_eq!(first["open"], "1210.00");
    assert_eq!(first["payment_status"], "unpaid");
    assert_eq!(first["due_date"], days_ago(-30));
    let other = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": a, "series": "B", "point_of_sale": 3,
                   "fiscal": {"invoice_type": "B", "cae": "74123456789012",
                              "cae_expires_on": days_ago(-10)},
                   "lines": [{"description": "Flete", "quantity": "2", "tax_rate": "21",
                              "unit_price": {"amount": "150.50", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(other["number"], "B-0003-00000001");
    assert_eq!(other["fiscal"]["cae"], "74123456789012");
    assert_eq!(
        invoice(&s, &a, "10", 0, 0).await["number"],
        "A-0001-00000002"
    );

    // Bad inputs name their field and take no number.
    s.post(
        "/api/v1/invoices",
        json!({"account_id": a, "fiscal": {"cae": "123"},
               "lines": [{"description": "x", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": "1", "currency": "ARS"}}]}),
    )
    .await
    .problem(422, "fiscal.cae");
    s.post(
        "/api/v1/invoices",
        json!({"account_id": a, "issue_date": days_ago(-1),
               "lines": [{"description": "x", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": "1", "currency": "ARS"}}]}),
    )
    .await
    .problem(422, "issue_date");
    s.post("/api/v1/invoices", json!({"account_id": a, "lines": []}))
        .await
        .problem(422, "lines");
    s.post(
        "/api/v1/invoices",
        json!({"account_id": a, "series": "a-1",
               "lines": [{"description": "x", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": "1", "currency": "ARS"}}]}),
    )
    .await
    .problem(422, "series");
    assert_eq!(
        invoice(&s, &a, "10", 0, 0).await["number"],
        "A-0001-00000003",
        "refused invoices take no number"
    );
    // An issued invoice is never edited.
    let id = str(&first["id"]);
    let r = s
        .patch(&format!("/api/v1/invoices/{id}"), json!({"notes": "x"}))
        .await;
    assert!(
        r.status.as_u16() == 404 || r.status.as_u16() == 405,
        "{}",
        r.status
    );
    // The list filters by kind and status.
    let list = s
        .get(&format!("/api/v1/invoices?account_id={a}&kind=invoice"))
        .await
        .expect(200)
        .body;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(4));
    s.get("/api/v1/invoices?status=late")
        .await
        .problem(400, "status");
}

async fn orders_and_accepted_quotes_are_invoiced_once(s: TestServer) {
    let a = account(&s, "Molinos del Plata").await;
    let order = s
        .post(
            "/api/v1/orders",
            json!({"account_id": a,
                   "lines": [{"description": "Harina 000", "quantity": "3",
                              "unit_price": {"amount": "2000", "currency": "ARS"},
                              "tax_rate": "10.5"}]}),
        )
        .await
        .expect(201)
        .body;
    let oid = str(&order["id"]);
    let inv = s
        .post(
            &format!("/api/v1/orders/{oid}/invoice"),
            json!({"payment_terms_days": 60}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(inv["order_id"], order["id"]);
    assert_eq!(inv["totals"]["total"], order["totals"]["total"]);
    assert_eq!(inv["totals"]["total"], "6630.00");
    assert_eq!(inv["due_date"], days_ago(-60));
    let order = s
        .get(&format!("/api/v1/orders/{oid}"))
        .await
        .expect(200)
        .body;
    assert_eq!(order["status"], "invoiced");
    assert!(order["invoiced_at"].is_string());
    s.post(&format!("/api/v1/orders/{oid}/invoice"), json!({}))
        .await
        .expect(409);
    // The invoiced order still records its delivery.
    s.post(
        &format!("/api/v1/orders/{oid}/deliveries"),
        json!({"lines": [{"line": 0, "quantity": "3"}]}),
    )
    .await
    .expect(200);
    let order = s
        .get(&format!("/api/v1/orders/{oid}"))
        .await
        .expect(200)
        .body;
    assert_eq!(order["status"], "invoiced");
    assert!(order["delivered_at"].is_string());
}

async fn an_accepted_quote_is_invoiced(s: TestServer) {
    let a = account(&s, "Agro Quiroga").await;
    let q = s
        .post(
            "/api/v1/quotes",
            json!({"account_id": a,
                   "lines": [{"description": "Asesoramiento", "quantity": "1", "tax_rate": "21",
                              "unit_price": {"amount": "5000", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    let qid = str(&q["id"]);
    s.post(&format!("/api/v1/quotes/{qid}/invoice"), json!({}))
        .await
        .expect(409);
    s.post(
        &format!("/api/v1/quotes/{qid}/send"),
        json!({"to": "compras@agroquiroga.example"}),
    )
    .await
    .expect(200);
    s.post(&format!("/api/v1/quotes/{qid}/accept"), json!({}))
        .await
        .expect(200);
    let inv = s
        .post(&format!("/api/v1/quotes/{qid}/invoice"), json!({}))
        .await
        .expect(201)
        .body;
    assert_eq!(inv["quote_id"], q["id"]);
    assert_eq!(inv["totals"]["total"], q["totals"]["total"]);
    s.post(&format!("/api/v1/quotes/{qid}/invoice"), json!({}))
        .await
        .expect(409);
}

async fn statement(s: &TestServer, a: &str, q: &str) -> Value {
    s.get(&format!("/api/v1/accounts/{a}/statement{q}"))
        .await
        .expect(200)
        .body
}

async fn payments_settle_invoices_and_every_figure_agrees(s: TestServer) {
    let a = account(&s, "Ferretería Rosario").await;
    // 1,210.00 due in 30 days; 605.00 issued 75 days ago at 30 days: 45 days overdue.
    let fresh = invoice(&s, &a, "1000", 0, 30).await;
    let old = invoice(&s, &a, "500", 75, 30).await;
    let (fresh_id, old_id) = (str(&fresh["id"]), str(&old["id"]));

    let pay = s
        .post(
            "/api/v1/payments",
            json!({"account_id": a, "amount": "1000.00", "method": "transfer",
                   "reference": "TRF 8812",
                   "allocations": [{"invoice_id": old_id, "amount": "605.00"},
                                   {"invoice_id": fresh_id, "amount": "300.00"}]}),
        )
        .await
        .expect(201)
        .body;
    assert!(str(&pay["number"]).starts_with("R-"), "{pay}");
    assert_eq!(pay["applied"], "905.00");
    assert_eq!(pay["unapplied"], "95.00");
    assert_eq!(invoice_now(&s, &old_id).await["payment_status"], "paid");
    let f = invoice_now(&s, &fresh_id).await;
    assert_eq!(f["payment_status"], "partially_paid");
    assert_eq!(f["open"], "910.00");

    // The money on account is applied later.
    let pid = str(&pay["id"]);
    let applied = s
        .send(
            Method::POST,
            &format!("/api/v1/payments/{pid}/allocations"),
            Some(&s.token),
            &[("If-Match", "\"1\"")],
            Some(crate::support::RawBody::Json(
                json!({"allocations": [{"invoice_id": fresh_id, "amount": "95"}]}),
            )),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(applied["unapplied"], "0.00");
    assert_eq!(invoice_now(&s, &fresh_id).await["open"], "815.00");

    // A credit note corrects the fresh invoice: 200 + 21 % settles 242 of it.
    let nc = s
        .post(
            &format!("/api/v1/invoices/{fresh_id}/notes"),
            json!({"kind": "credit_note", "reason": "Bonificación por volumen",
                   "lines": [{"description": "Bonificación", "quantity": "1", "tax_rate": "21",
                              "unit_price": {"amount": "200", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(nc["number"], "NC-A-0001-00000001");
    assert_eq!(nc["payment_status"], "credit");
    assert_eq!(invoice_now(&s, &fresh_id).await["open"], "573.00");
    // More than is left to credit (1,210 - 242 = 968) is refused.
    s.post(
        &format!("/api/v1/invoices/{fresh_id}/notes"),
        json!({"kind": "credit_note", "reason": "Error",
               "lines": [{"description": "x", "quantity": "1", "tax_rate": "21",
                          "unit_price": {"amount": "900", "currency": "ARS"}}]}),
    )
    .await
    .problem(422, "lines");
    // A debit note charges more.
    let nd = s
        .post(
            &format!("/api/v1/invoices/{fresh_id}/notes"),
            json!({"kind": "debit_note", "reason": "Flete no facturado",
                   "lines": [{"description": "Flete", "quantity": "1", "tax_rate": "exempt",
                              "unit_price": {"amount": "100.10", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(nd["number"], "ND-A-0001-00000001");

    // 1,210 + 605 + 100.10 - 1,000 - 242 = 673.10, the same everywhere.
    let st = statement(&s, &a, "").await;
    assert_eq!(st["closing_balance"], "673.10");
    assert_eq!(st["aged"]["total"], "673.10");
    assert_eq!(st["lines"].as_array().map(Vec::len), Some(5));
    let ageing = s.get("/api/v1/receivables/ageing").await.expect(200).body;
    let row = &ageing["rows"][0];
    assert_eq!(row["id"], json!(a));
    assert_eq!(row["total"], "673.10");
    assert_eq!(
        ageing["buckets"],
        json!(["current", "1-30", "31-60", "61-90", "91+"])
    );
    let risk = s
        .get(&format!("/api/v1/accounts/{a}/risk"))
        .await
        .expect(200)
        .body;
    assert_eq!(risk["balance"][0]["amount"], "673.10");
    assert_eq!(risk["level"], "green", "{risk}");

    // Taking an allocation back reopens the old invoice: 45 days overdue, red.
    let alloc = str(&applied["allocations"][0]["id"]);
    let back = s
        .post(
            &format!("/api/v1/payments/{pid}/allocations/{alloc}/reverse"),
            json!({"reason": "Imputado por error"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(back["unapplied"], "605.00");
    assert_eq!(
        back["allocations"][0]["reversal_reason"],
        "Imputado por error"
    );
    assert_eq!(invoice_now(&s, &old_id).await["open"], "605.00");
    let risk = s
        .get(&format!("/api/v1/accounts/{a}/risk"))
        .await
        .expect(200)
        .body;
    assert_eq!(risk["level"], "red");
    assert_eq!(risk["oldest_days_overdue"], 45);
    let st = statement(&s, &a, "").await;
    assert_eq!(
        st["closing_balance"], "673.10",
        "a reallocation moves no money"
    );
    assert_eq!(st["aged"]["unapplied"], "605.00");
    assert_eq!(st["aged"]["buckets"][2], "605.00", "31-60 days: {st}");

    // As of 80 days ago nothing existed; as of 70 days ago only the old invoice.
    assert_eq!(
        statement(&s, &a, &format!("?as_of={}", days_ago(80))).await["closing_balance"],
        "0.00"
    );
    assert_eq!(
        statement(&s, &a, &format!("?as_of={}", days_ago(70))).await["closing_balance"],
        "605.00"
    );
    // From today only: the opening balance carries the rest.
    let today = statement(&s, &a, &format!("?from={}", days_ago(0))).await;
    assert_eq!(today["opening_balance"], "605.00");
    s.get(&format!("/api/v1/accounts/{a}/statement?as_of=ayer"))
        .await
        .problem(400, "as_of");

    // An empty cursor is the first page; a currency that is no ISO code answers 422.
    s.get("/api/v1/accounts?cursor=").await.expect(200);
    s.get(&format!("/api/v1/accounts/{a}/statement?currency=XYZ"))
        .await
        .problem(422, "currency");
    s.get("/api/v1/receivables/ageing?currency=")
        .await
        .problem(422, "currency");
}

async fn bad_allocations_write_nothing(s: TestServer) {
    let a = account(&s, "Cliente A").await;
    let b = account(&s, "Cliente B").await;
    let mine = str(&invoice(&s, &a, "100", 0, 30).await["id"]);
    let theirs = str(&invoice(&s, &b, "100", 0, 30).await["id"]);
    let pay = |allocs: Value, amount: &str| json!({"account_id": a, "amount": amount, "method": "cash", "allocations": allocs});
    s.post(
        "/api/v1/payments",
        pay(json!([{"invoice_id": mine, "amount": "100"}]), "50"),
    )
    .await
    .problem(422, "allocations");
    s.post(
        "/api/v1/payments",
        pay(json!([{"invoice_id": theirs, "amount": "10"}]), "50"),
    )
    .await
    .problem(422, "allocations[0].invoice_id");
    s.post(
        "/api/v1/payments",
        pay(json!([{"invoice_id": mine, "amount": "121.01"}]), "500"),
    )
    .await
    .problem(422, "allocations[0].amount");
    s.post("/api/v1/payments", pay(json!([]), "0"))
        .await
        .problem(422, "amount");
    s.post("/api/v1/payments", pay(json!([]), "10.001"))
        .await
        .problem(422, "amount");
    s.post(
        "/api/v1/payments",
        json!({"account_id": a, "amount": "10", "method": "cash", "received_on": days_ago(-2)}),
    )
    .await
    .problem(422, "received_on");
    // Nothing was written.
    let list = s
        .get(&format!("/api/v1/payments?account_id={a}"))
        .await
        .expect(200)
        .body;
    assert_eq!(list["data"], json!([]));
    assert_eq!(invoice_now(&s, &mine).await["open"], "121.00");
}

async fn two_clerks_allocating_one_payment(s: TestServer) {
    let a = account(&s, "Distribuidora Norte").await;
    let i1 = str(&invoice(&s, &a, "100", 0, 30).await["id"]);
    let i2 = str(&invoice(&s, &a, "100", 0, 30).await["id"]);
    let pay = s
        .post(
            "/api/v1/payments",
            json!({"account_id": a, "amount": "121", "method": "cash"}),
        )
        .await
        .expect(201)
        .body;
    let pid = str(&pay["id"]);
    let (_, ana) = s.member("ana@example.com", "collections").await;
    let (_, luis) = s.member("luis@example.com", "collections").await;
    let alloc = |token: String, inv: String| {
        let s = &s;
        let pid = pid.clone();
        async move {
            s.send(
                Method::POST,
                &format!("/api/v1/payments/{pid}/allocations"),
                Some(&token),
                &[("If-Match", "\"1\"")],
                Some(crate::support::RawBody::Json(
                    json!({"allocations": [{"invoice_id": inv, "amount": "121"}]}),
                )),
            )
            .await
        }
    };
    let (r1, r2) = tokio::join!(alloc(ana, i1.clone()), alloc(luis, i2.clone()));
    let mut codes = [r1.status.as_u16(), r2.status.as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [200, 412], "{} / {}", r1.body, r2.body);
    let settled: Vec<String> = [i1, i2].iter().map(|i| i.to_owned()).collect();
    let mut open = Vec::new();
    for i in &settled {
        open.push(str(&invoice_now(&s, i).await["open"]));
    }
    open.sort();
    assert_eq!(open, ["0.00", "121.00"]);
}

fn cheque(cuit: &str, pay_in_days: i64) -> Value {
    json!({"bank": "Banco Nación", "number": "00012345", "drawer": "Corralón Sur S.R.L.",
           "drawer_tax_id": cuit, "issue_date": days_ago(5), "payment_date": days_ago(-pay_in_days)})
}

/// A CUIT with its right check digit, written with dashes.
fn good_cuit() -> String {
    let c = cartera_core::tax_ids::cuit_with_check_digit("3071234567").expect("a CUIT");
    format!("{}-{}-{}", &c[..2], &c[2..10], &c[10..])
}

async fn a_bounced_cheque_reopens_invoices_and_lights_the_risk(s: TestServer) {
    let (rep, rep_token) = s.member("rep@example.com", "sales_rep").await;
    let a = str(&s
        .create("accounts", json!({"name": "Corralón Sur", "owner_id": rep}))
        .await["id"]);
    let inv = str(&invoice(&s, &a, "1000", 10, 30).await["id"]);
    let payment = |cheque: Value| {
        json!({"account_id": a, "amount": "1210", "method": "cheque", "cheque": cheque,
               "allocations": [{"invoice_id": inv, "amount": "1210"}]})
    };
    // A bad CUIT, a cheque without its details, a payment date before its issue: 422.
    s.post("/api/v1/payments", payment(cheque("30-71234567-0", 0)))
        .await
        .problem(422, "cheque.drawer_tax_id");
    s.post(
        "/api/v1/payments",
        json!({"account_id": a, "amount": "10", "method": "cheque"}),
    )
    .await
    .problem(422, "cheque");
    s.post("/api/v1/payments", payment(cheque(&good_cuit(), -10)))
        .await
        .problem(422, "cheque.payment_date");
    // A post-dated cheque (payable in 20 days) and one payable today.
    let later = s
        .post(
            "/api/v1/payments",
            json!({"account_id": a, "amount": "500", "method": "cheque",
                   "cheque": cheque(&good_cuit(), 20)}),
        )
        .await
        .expect(201);
    let pay = s
        .post("/api/v1/payments", payment(cheque(&good_cuit(), 0)))
        .await
        .expect(201)
        .body;
    let wallet = s
        .get("/api/v1/cheques?state=on_hand")
        .await
        .expect(200)
        .body;
    assert_eq!(wallet["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        wallet["data"][0]["drawer_tax_id"].as_str().map(str::len),
        Some(11)
    );
    let to_deposit = s
        .get("/api/v1/cheques?to_deposit=true")
        .await
        .expect(200)
        .body;
    assert_eq!(
        to_deposit["data"].as_array().map(Vec::len),
        Some(1),
        "{to_deposit}"
    );
    let cid = str(&to_deposit["data"][0]["id"]);
    assert_eq!(to_deposit["data"][0]["payment_id"], pay["id"]);
    let risk = s
        .get(&format!("/api/v1/accounts/{a}/risk"))
        .await
        .expect(200)
        .body;
    assert_eq!(risk["level"], "green");
    assert_eq!(risk["cheques_on_hand"], 2);
    assert_eq!(risk["cheques_on_hand_amount"][0]["amount"], "1710.00");
    assert!(later.body["number"].is_string());

    // Deposited; a credited cheque cannot be credited twice... but this one bounces.
    s.post(
        &format!("/api/v1/cheques/{cid}/state"),
        json!({"state": "credited"}),
    )
    .await
    .problem(422, "state");
    s.post(
        &format!("/api/v1/cheques/{cid}/state"),
        json!({"state": "deposited"}),
    )
    .await
    .expect(200);
    s.post(
        &format!("/api/v1/cheques/{cid}/state"),
        json!({"state": "bounced"}),
    )
    .await
    .problem(422, "reason");
    let bounced = s
        .post(
            &format!("/api/v1/cheques/{cid}/state"),
            json!({"state": "bounced", "reason": "Sin fondos suficientes", "bank_fee": "1500.00"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(bounced["state"], "bounced");
    assert_eq!(bounced["bounce_reason"], "Sin fondos suficientes");
    let back = s
        .get(&format!("/api/v1/payments/{}", str(&pay["id"])))
        .await
        .expect(200)
        .body;
    assert!(back["reversed_on"].is_string());
    assert_eq!(back["unapplied"], "0.00");
    assert_eq!(invoice_now(&s, &inv).await["open"], "1210.00");
    // The bank fee is a debit note; the balance is 1,210 + 1,500 - 500 (the other cheque).
    let notes = s
        .get(&format!("/api/v1/invoices?account_id={a}&kind=debit_note"))
        .await
        .expect(200)
        .body;
    assert_eq!(notes["data"][0]["totals"]["total"], "1500.00");
    assert_eq!(notes["data"][0]["corrects_id"], json!(inv));
    let risk = s
        .get(&format!("/api/v1/accounts/{a}/risk"))
        .await
        .expect(200)
        .body;
    assert_eq!(risk["level"], "red");
    assert_eq!(risk["bounced_cheques_12m"], 1);
    assert_eq!(risk["cheques_on_hand"], 1);
    let st = statement(&s, &a, "").await;
    let kinds: Vec<&str> = st["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        // On one day, charges come before credits.
        [
            "invoice",
            "debit_note",
            "payment",
            "payment",
            "payment_reversal"
        ],
        "{st}"
    );
    assert_eq!(st["closing_balance"], "2210.00");
    assert_eq!(st["aged"]["total"], "2210.00");
    // The rep hears of it.
    let told = s
        .call(&rep_token, Method::GET, "/api/v1/notifications", None)
        .await
        .expect(200)
        .body;
    assert!(told.to_string().contains("cheque_bounced"), "{told}");
    // The payment cannot be reversed twice; the account's timeline tells the story.
    s.post(
        &format!("/api/v1/payments/{}/reverse", str(&pay["id"])),
        json!({"reason": "otra vez"}),
    )
    .await
    .expect(409);
    let tl = s
        .get(&format!("/api/v1/accounts/{a}/timeline"))
        .await
        .expect(200)
        .body;
    assert!(tl.to_string().contains("cheque"), "{tl}");
    // A transfer reversed by hand works the same way, without a wallet.
    let t = s
        .post(
            "/api/v1/payments",
            json!({"account_id": a, "amount": "10", "method": "transfer"}),
        )
        .await
        .expect(201)
        .body;
    s.post(
        &format!("/api/v1/payments/{}/reverse", str(&t["id"])),
        json!({"reason": " "}),
    )
    .await
    .problem(422, "reason");
    s.post(
        &format!("/api/v1/payments/{}/reverse", str(&t["id"])),
        json!({"reason": "Transferencia devuelta"}),
    )
    .await
    .expect(200);
}

async fn a_rep_sees_the_billing_of_their_own_portfolio(s: TestServer) {
    let (rep, token) = s.member("rep@example.com", "sales_rep").await;
    let (_, other) = s.member("otra@example.com", "sales_rep").await;
    let mine = s
        .create(
            "accounts",
            json!({"name": "Cuenta de Rep", "owner_id": rep}),
        )
        .await;
    let a = str(&mine["id"]);
    let inv = str(&invoice(&s, &a, "100", 0, 30).await["id"]);
    let not_mine = account(&s, "Cuenta ajena").await;
    invoice(&s, &not_mine, "100", 0, 30).await;
    let seen = s
        .call(&token, Method::GET, "/api/v1/invoices", None)
        .await
        .expect(200)
        .body;
    assert_eq!(seen["data"].as_array().map(Vec::len), Some(1), "{seen}");
    s.call(
        &token,
        Method::GET,
        &format!("/api/v1/invoices/{inv}"),
        None,
    )
    .await
    .expect(200);
    s.call(
        &other,
        Method::GET,
        &format!("/api/v1/invoices/{inv}"),
        None,
    )
    .await
    .expect(404);
    s.call(
        &other,
        Method::GET,
        &format!("/api/v1/accounts/{a}/statement"),
        None,
    )
    .await
    .expect(404);
    let ageing = s
        .call(&token, Method::GET, "/api/v1/receivables/ageing", None)
        .await
        .expect(200)
        .body;
    assert_eq!(ageing["rows"].as_array().map(Vec::len), Some(1), "{ageing}");
    // A rep reads billing but does not record payments.
    s.call(
        &token,
        Method::POST,
        "/api/v1/payments",
        Some(json!({"account_id": a, "amount": "1", "method": "cash"})),
    )
    .await
    .expect(403);
}

async fn a_red_light_waits_for_a_managers_approval(s: TestServer) {
    let (boss, _) = s.member("jefa@example.com", "manager").await;
    let a = str(&s
        .create(
            "accounts",
            json!({"name": "Obras del Sur", "owner_id": boss}),
        )
        .await["id"]);
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Eva", "last_name": "Paz", "account_id": a,
                                   "emails": [{"address": "eva@obras.example"}]}),
        )
        .await;
    let new_order = json!({"account_id": a,
        "lines": [{"description": "Cemento", "quantity": "10", "tax_rate": "21",
                   "unit_price": {"amount": "100", "currency": "ARS"}}]});
    // 45 days overdue: red.
    invoice(&s, &a, "500", 75, 30).await;
    let risk = s
        .get(&format!("/api/v1/accounts/{a}/risk"))
        .await
        .expect(200)
        .body;
    assert_eq!(risk["level"], "red");
    assert_eq!(risk["action"], "approval");
    let refused = s
        .post("/api/v1/orders", new_order.clone())
        .await
        .expect(409);
    assert!(
        str(&refused.body["detail"]).contains("45 days overdue"),
        "{}",
        refused.body
    );
    let q = s
        .post(
            "/api/v1/quotes",
            json!({"account_id": a, "contact_id": contact["id"],
            "lines": [{"description": "Cemento", "quantity": "1", "tax_rate": "21",
                       "unit_price": {"amount": "100", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    let qid = str(&q["id"]);
    s.post(&format!("/api/v1/quotes/{qid}/send"), json!({}))
        .await
        .expect(409);

    // A rep cannot approve; a manager can, with a reason, and it is on the trail.
    let (_, rep) = s.member("rep@example.com", "sales_rep").await;
    s.call(
        &rep,
        Method::POST,
        &format!("/api/v1/accounts/{a}/risk/approvals"),
        Some(json!({"reason": "Cliente histórico"})),
    )
    .await
    .expect(403);
    // Approving is the billing admin right, which takes an admin-scoped token.
    let (_, manager) = s
        .token_for("jefa@example.com", cartera_core::users::Scope::Admin)
        .await;
    s.call(
        &manager,
        Method::POST,
        &format!("/api/v1/accounts/{a}/risk/approvals"),
        Some(json!({"reason": " "})),
    )
    .await
    .problem(422, "reason");
    let approved = s
        .call(
            &manager,
            Method::POST,
            &format!("/api/v1/accounts/{a}/risk/approvals"),
            Some(json!({"reason": "Cliente histórico, paga la semana próxima", "days": 3})),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(approved["approved_until"], days_ago(-3));
    s.post(&format!("/api/v1/quotes/{qid}/send"), json!({}))
        .await
        .expect(200);
    s.post("/api/v1/orders", new_order.clone())
        .await
        .expect(201);
    let trail = s
        .get(&format!("/api/v1/accounts/{a}/timeline"))
        .await
        .expect(200)
        .body;
    assert!(trail.to_string().contains("risk_approval"), "{trail}");

    // A company that only warns at red stops nothing.
    let b = account(&s, "Otra obra").await;
    invoice(&s, &b, "500", 75, 30).await;
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"risk_policy": {"red": "warn"}}}),
    )
    .await
    .expect(200);
    let mut order_b = new_order.clone();
    order_b["account_id"] = json!(b);
    s.post("/api/v1/orders", order_b).await.expect(201);
    // Green needs no approval.
    let c = account(&s, "Al día").await;
    s.post(
        &format!("/api/v1/accounts/{c}/risk/approvals"),
        json!({"reason": "x"}),
    )
    .await
    .expect(409);
}

async fn bytes_of(s: &TestServer, path: &str) -> (String, Vec<u8>) {
    let r = s
        .client
        .get(format!("{}{path}", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (ct, r.bytes().await.expect("body").to_vec())
}

async fn invoices_and_statements_on_paper_and_by_email(s: TestServer) {
    use calamine::Reader;
    let a = account(&s, "Agro Pampa S.A.").await;
    s.create(
        "contacts",
        json!({"first_name": "Inés", "last_name": "Gómez", "account_id": a,
               "emails": [{"address": "ines@agropampa.example"}]}),
    )
    .await;
    let inv = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": a, "issue_date": days_ago(50), "payment_terms_days": 30,
                   "fiscal": {"invoice_type": "A", "cae": "74123456789012"},
                   "lines": [{"description": "Semilla de maíz", "quantity": "10", "tax_rate": "10.5",
                              "unit_price": {"amount": "12345.60", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    let id = str(&inv["id"]);
    assert_eq!(inv["totals"]["total"], "136418.88");
    s.post(
        "/api/v1/payments",
        json!({"account_id": a, "amount": "36418.88", "method": "transfer",
               "allocations": [{"invoice_id": id, "amount": "36418.88"}]}),
    )
    .await
    .expect(201);

    // The invoice's PDF: its kind, number, fiscal letter and CAE, total and what is owed.
    let (ct, pdf) = bytes_of(&s, &format!("/api/v1/invoices/{id}/pdf")).await;
    assert_eq!(ct, "application/pdf");
    let text = crate::quotes::pdf_text(&pdf);
    for needle in [
        "FACTURA",
        "A-0001-00000001",
        "74123456789012",
        "136.418,88",
        "100.000,00",
        "Agro Pampa",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }

    // The statement's PDF says what the statement says.
    let st = statement(&s, &a, "").await;
    assert_eq!(st["closing_balance"], "100000.00");
    let (_, pdf) = bytes_of(&s, &format!("/api/v1/accounts/{a}/statement/pdf")).await;
    let text = crate::quotes::pdf_text(&pdf);
    for needle in [
        "ESTADO DE CUENTA",
        "Factura",
        "Cobro",
        "A-0001-00000001",
        "136.418,88",
        "36.418,88",
        "100.000,00",
        "31-60 días",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    let (_, pdf) = bytes_of(
        &s,
        &format!("/api/v1/accounts/{a}/statement/pdf?language=en"),
    )
    .await;
    assert!(crate::quotes::pdf_text(&pdf).contains("STATEMENT OF ACCOUNT"));

    // The XLSX: numbers a spreadsheet sums, the closing balance last.
    let (ct, xlsx) = bytes_of(&s, &format!("/api/v1/accounts/{a}/statement/xlsx")).await;
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        ["Fecha", "Movimiento", "Número", "Debe", "Haber", "Saldo"]
    );
    assert_eq!(rows[2][1], "Factura");
    assert_eq!(rows[2][3], "136418.88");
    assert_eq!(rows.last().map(|r| r[5].clone()), Some("100000".to_owned()));

    // By email, with the PDF attached; the invoice is marked sent.
    let sent = s
        .post(&format!("/api/v1/invoices/{id}/send"), json!({}))
        .await
        .expect(200)
        .body;
    assert!(sent["sent_at"].is_string());
    s.post(
        &format!("/api/v1/accounts/{a}/statement/send"),
        json!({"to": "pagos@agropampa.example"}),
    )
    .await
    .expect(200);
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
    let invoice_mail = got
        .iter()
        .find(|m| m.subject.starts_with("Factura"))
        .expect("the invoice");
    assert_eq!(invoice_mail.to, ["ines@agropampa.example"]);
    assert!(
        invoice_mail.text.contains("136.418,88 ARS"),
        "{}",
        invoice_mail.text
    );
    assert_eq!(invoice_mail.attachments[0].0, "A-0001-00000001.pdf");
    let statement_mail = got
        .iter()
        .find(|m| m.subject.starts_with("Estado de cuenta"))
        .expect("the statement");
    assert!(
        statement_mail.text.contains("100.000,00 ARS"),
        "{}",
        statement_mail.text
    );
    assert_eq!(statement_mail.attachments[0].1, "application/pdf");
}

async fn billing_exports_are_spreadsheets(s: TestServer) {
    use calamine::Reader;
    let a = account(&s, "Exportadora Uno").await;
    let old = str(&invoice(&s, &a, "1000", 75, 30).await["id"]);
    invoice(&s, &a, "500", 0, 30).await;
    s.post(
        "/api/v1/payments",
        json!({"account_id": a, "amount": "200", "method": "cash",
               "allocations": [{"invoice_id": old, "amount": "200"}]}),
    )
    .await
    .expect(201);
    let json_ageing = s.get("/api/v1/receivables/ageing").await.expect(200).body;
    let (ct, xlsx) = bytes_of(&s, "/api/v1/receivables/ageing/xlsx").await;
    assert!(ct.contains("spreadsheetml"));
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][2..7], ["current", "1-30", "31-60", "61-90", "91+"]);
    assert_eq!(rows[1][0], "Exportadora Uno");
    // 605.00 current; 1,210 - 200 = 1,010 at 31-60 days.
    assert_eq!(rows[1][2], "605");
    assert_eq!(rows[1][4], "1010");
    assert_eq!(json_ageing["rows"][0]["total"], "1615.00");
    assert_eq!(rows.last().map(|r| r[8].clone()), Some("1615".to_owned()));

    let (ct, csv) = bytes_of(
        &s,
        &format!("/api/v1/invoices/download?format=csv&account_id={a}"),
    )
    .await;
    assert!(ct.starts_with("text/csv"));
    let text = String::from_utf8(csv).expect("utf-8");
    assert!(text.starts_with("\u{feff}number,kind,account_id"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("A-0001-00000001,invoice"));
    let (_, csv) = bytes_of(&s, "/api/v1/payments/download?format=csv").await;
    let text = String::from_utf8(csv).expect("utf-8");
    assert!(text.contains(",cash,ARS,200.00,200.00,0.00,"), "{text}");
    s.get("/api/v1/payments/download?format=pdf")
        .await
        .problem(400, "format");
}

async fn the_ageing_groups_by_territory_and_drills_down(s: TestServer) {
    let (ana, _) = s.member("ana@test.example.com", "sales_rep").await;
    let norte = s
        .post(
            "/api/v1/territories",
            json!({"name": "Norte", "owner_id": ana, "rules": {"provinces": ["Salta"]}}),
        )
        .await
        .expect(201)
        .id();
    let salta = str(&s
        .create(
            "accounts",
            json!({"name": "Finca Salteña", "billing_address": {"province": "Salta", "country": "AR"}}),
        )
        .await["id"]);
    let other = account(&s, "Ferretería Sur").await;
    invoice(&s, &salta, "100.00", 40, 30).await;
    invoice(&s, &other, "200.00", 0, 30).await;

    let by = |g: &str| format!("/api/v1/receivables/ageing?group_by={g}");
    let t = s.get(&by("territory")).await.expect(200).body;
    let rows = t["rows"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2, "{t}");
    assert_eq!(rows[0]["id"], json!(norte), "the overdue one first: {t}");
    assert_eq!(rows[0]["name"], "Norte");
    assert_eq!(rows[0]["total"], "121.00");
    assert_eq!(rows[0]["buckets"][1], "121.00", "1-30 days: {t}");
    assert_eq!(rows[1]["id"], Value::Null);
    assert_eq!(rows[1]["total"], "242.00");
    assert_eq!(t["totals"][0]["total"], "363.00");

    // A territory's row and a rep's row drill down to their customers.
    let inside = s
        .get(&format!("/api/v1/receivables/ageing?territory_id={norte}"))
        .await
        .expect(200)
        .body;
    assert_eq!(inside["rows"].as_array().map(Vec::len), Some(1));
    assert_eq!(inside["rows"][0]["id"], json!(salta));
    let reps = s.get(&by("rep")).await.expect(200).body;
    let ana_row = reps["rows"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|r| r["id"] == json!(ana.to_string()))
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(ana_row["total"], "121.00", "{reps}");
    let hers = s
        .get(&format!("/api/v1/receivables/ageing?rep_id={ana}"))
        .await
        .expect(200)
        .body;
    assert_eq!(hers["rows"][0]["name"], "Finca Salteña");
    s.get("/api/v1/receivables/ageing?group_by=zona")
        .await
        .problem(400, "group_by");
    s.get("/api/v1/receivables/ageing?territory_id=norte")
        .await
        .problem(400, "territory_id");
}

async fn a_plan_pays_commission_on_money_collected(s: TestServer) {
    let (ana, _) = s.member("ana@test.example.com", "sales_rep").await;
    let a = str(&s
        .create(
            "accounts",
            json!({"name": "Cooperativa Tambera", "owner_id": ana}),
        )
        .await["id"]);
    let inv = invoice(&s, &a, "1000.00", 10, 30).await;
    assert_eq!(inv["owner_id"], json!(ana.to_string()));
    let plan = s
        .post(
            "/api/v1/commission_plans",
            json!({"name": "Sobre lo cobrado", "default_rate": "3", "basis": "collected",
                   "user_ids": [ana]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(plan["basis"], "collected");
    s.post(
        "/api/v1/commission_plans",
        json!({"name": "Mal", "default_rate": "3", "basis": "facturado"}),
    )
    .await
    .problem(422, "basis");

    // Half the invoice is paid: 605.00 of 1,210.00, 500.00 before VAT, 3 % is 15.00.
    let pay = s
        .post(
            "/api/v1/payments",
            json!({"account_id": a, "amount": "605.00", "method": "cash",
                   "allocations": [{"invoice_id": inv["id"], "amount": "605.00"}]}),
        )
        .await
        .expect(201)
        .body;
    let period = Utc::now().format("%Y-%m").to_string();
    let path = format!("/api/v1/commissions?user_id={ana}&period={period}");
    let st = s.get(&path).await.expect(200).body;
    let line = &st[0]["lines"][0];
    assert_eq!(line["deal_id"], Value::Null, "{st}");
    assert_eq!(line["deal_name"], inv["number"]);
    assert_eq!(line["invoice_id"], inv["id"]);
    assert_eq!(line["base"]["amount"], "500.00");
    assert_eq!(line["amount"]["amount"], "15.00");
    assert_eq!(st[0]["totals"][0]["amount"], "15.00");

    // Money taken back earns nothing.
    s.post(
        &format!("/api/v1/payments/{}/reverse", str(&pay["id"])),
        json!({"reason": "Cheque rechazado"}),
    )
    .await
    .expect(200);
    let st = s.get(&path).await.expect(200).body;
    assert_eq!(st[0]["lines"].as_array().map(Vec::len), Some(0), "{st}");

    // Back to won deals: the plan reads deals again.
    let back = s
        .patch(
            &format!("/api/v1/commission_plans/{}", str(&plan["id"])),
            json!({"basis": "won"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(back["basis"], "won");
}

async fn the_light_reads_the_balance_against_the_credit_limit(s: TestServer) {
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "limite_credito", "label": "Límite de crédito",
               "field_type": "money"}),
    )
    .await
    .expect(201);
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"credit_limit_field": "limite_credito"}}),
    )
    .await
    .expect(200);
    let a = str(&s
        .create(
            "accounts",
            json!({"name": "Tambo La Esperanza",
                   "custom": {"limite_credito": {"amount": "2000.00", "currency": "ARS"}}}),
        )
        .await["id"]);
    let path = format!("/api/v1/accounts/{a}/risk");
    // 1,210.00 of 2,000.00, nothing overdue: green, 60.50 % used.
    invoice(&s, &a, "1000.00", 0, 30).await;
    let r = s.get(&path).await.expect(200).body;
    assert_eq!(r["credit_limit"]["amount"], "2000.00", "{r}");
    assert_eq!(r["credit_used_percent"], "60.50");
    assert_eq!(r["level"], "green");
    // 2,420.00 of 2,000.00: over the limit, amber though nothing is overdue.
    invoice(&s, &a, "1000.00", 0, 30).await;
    let r = s.get(&path).await.expect(200).body;
    assert_eq!(r["credit_used_percent"], "121.00");
    assert_eq!(r["level"], "amber", "{r}");
    // A customer without a limit shows none.
    let other = account(&s, "Sin Límite").await;
    let r = s
        .get(&format!("/api/v1/accounts/{other}/risk"))
        .await
        .expect(200)
        .body;
    assert_eq!(r["credit_limit"], Value::Null);
    s.patch(
        "/api/v1/settings",
        json!({"billing": {"credit_limit_field": ""}}),
    )
    .await
    .problem(422, "billing.credit_limit_field");
}
