//! Administration → Billing, as a Spanish-speaking admin uses it, and the invoice
//! template's API: the defaults (series, terms, buckets, risk rule, statements, credit
//! limit field), the late interest periods, the dunning levels and the invoice template,
//! each refused form shown again as typed with a message in Spanish and nothing saved.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::quotes::pdf_text;
use crate::support::{RawBody, TestServer};
use crate::web::{get, post_signed};
use crate::web_billing::{id_of, spanish_admin};

both!(
    the_invoice_template_is_tried_saved_and_reset,
    an_admin_sets_billing_from_its_page,
);

async fn invoice_pdf(s: &TestServer, id: &str) -> String {
    let r = s
        .client
        .get(format!("{}/api/v1/invoices/{id}/pdf", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    pdf_text(&r.bytes().await.unwrap())
}

async fn put_template(s: &TestServer, text: &str) -> crate::support::Resp {
    s.send(
        Method::PUT,
        "/api/v1/settings/invoice_template",
        Some(&s.token),
        &[],
        Some(RawBody::Json(json!({ "template": text }))),
    )
    .await
}

async fn the_invoice_template_is_tried_saved_and_reset(s: TestServer) {
    let account = id_of(&s.create("accounts", json!({"name": "Agro Sur S.A."})).await);
    let inv = s
        .post(
            "/api/v1/invoices",
            json!({"account_id": account, "lines": [{"description": "Semilla",
                   "quantity": "1", "tax_rate": "21",
                   "unit_price": {"amount": "1000", "currency": "ARS"}}]}),
        )
        .await
        .expect(201)
        .body;
    let (id, number) = (id_of(&inv), inv["number"].as_str().unwrap().to_owned());
    let info = s
        .get("/api/v1/settings/invoice_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["is_default"], true);
    assert!(info["template"].as_str().unwrap().contains("sys.inputs"));
    assert!(invoice_pdf(&s, &id).await.contains(&number));

    // A template that does not compile is refused by name, with typst's line; the one in
    // use stays.
    let r = put_template(&s, "Hola\n#sys.inputs.nada.at(3)")
        .await
        .problem(422, "template");
    assert!(r.body.to_string().contains("line 2"), "{}", r.body);
    assert!(invoice_pdf(&s, &id).await.contains(&number));

    let custom = "#set text(font: \"Liberation Sans\")\nMI FACTURA #sys.inputs.number";
    let saved = put_template(&s, custom).await.expect(200).body;
    assert_eq!(saved["is_default"], false);
    let text = invoice_pdf(&s, &id).await;
    assert!(text.contains(&format!("MI FACTURA {number}")), "{text}");
    // The quote template is another one.
    let quote = s
        .get("/api/v1/settings/quote_template")
        .await
        .expect(200)
        .body;
    assert_eq!(quote["is_default"], true);

    let reset = s
        .delete("/api/v1/settings/invoice_template")
        .await
        .expect(200)
        .body;
    assert_eq!(reset["is_default"], true);
    assert!(!invoice_pdf(&s, &id).await.contains("MI FACTURA"));

    // Only admins change it.
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let body = json!({"template": custom});
    s.call(
        &rep,
        Method::PUT,
        "/api/v1/settings/invoice_template",
        Some(body),
    )
    .await
    .expect(403);
    s.call(
        &rep,
        Method::DELETE,
        "/api/v1/settings/invoice_template",
        None,
    )
    .await
    .expect(403);
}

fn billing(s: &Value) -> &Value {
    &s["billing"]
}

async fn an_admin_sets_billing_from_its_page(s: TestServer) {
    let login = spanish_admin(&s).await;
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "limite_credito", "label": "Límite de crédito",
               "field_type": "money"}),
    )
    .await
    .expect(201);

    let page = get(&s, "/admin/billing", &login.0).await;
    assert_eq!(page.status, 200);
    for shown in [
        "aria-current=\"page\">Facturación</a>",
        "Numeración, vencimientos y riesgo",
        "Intereses por mora",
        "Avisos de cobranza",
        "Plantilla de factura",
        "Recordatorio: factura {invoice} vencida",
        "Límite de crédito",
        "value=\"30, 60, 90\"",
    ] {
        assert!(page.text.contains(shown), "{shown}: {}", page.text);
    }
    for hidden in [
        "billing-admin",
        "violation-",
        "interest_rates",
        "risk_policy",
    ] {
        assert!(!page.text.contains(hidden), "{hidden}");
    }

    // The defaults: a refused form keeps what was typed and says why in Spanish.
    let form = [
        ("series", "b"),
        ("point_of_sale", "3"),
        ("payment_terms_days", "45"),
        ("buckets", "30, 45, 90"),
        ("amber", "approval"),
        ("red", "approval"),
        ("day", "5"),
        ("credit_limit_field", "limite_credito"),
    ];
    let with = |field: &str, value: &'static str| {
        form.iter()
            .map(|&(f, v)| (f, if f == field { value } else { v }))
            .collect::<Vec<_>>()
    };
    let before = s.get("/api/v1/settings").await.expect(200).body;
    let bad = post_signed(
        &s,
        "/admin/billing/defaults",
        &login,
        &with("buckets", "90, 30"),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("Escribe de 1 a 12 límites"),
        "{}",
        bad.text
    );
    assert!(bad.text.contains("value=\"90, 30\""));
    let bad = post_signed(&s, "/admin/billing/defaults", &login, &with("day", "31")).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("Escribe un día del 1 al 28."),
        "{}",
        bad.text
    );
    let after = s.get("/api/v1/settings").await.expect(200).body;
    assert_eq!(billing(&after), billing(&before));

    // The box left unticked stops the monthly statements.
    let ok = post_signed(&s, "/admin/billing/defaults", &login, &form).await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let b = s.get("/api/v1/settings").await.expect(200).body["billing"].clone();
    assert_eq!(b["series"], "B");
    assert_eq!(b["point_of_sale"], 3);
    assert_eq!(b["payment_terms_days"], 45);
    assert_eq!(b["ageing_buckets"], json!([30, 45, 90]));
    assert_eq!(
        b["risk_policy"],
        json!({"amber": "approval", "red": "approval"})
    );
    assert_eq!(b["statements"], json!({"monthly": false, "day": 5}));
    assert_eq!(b["credit_limit_field"], "limite_credito");
    let page = get(&s, "/admin/billing?saved=defaults", &login.0).await;
    assert!(
        page.text.contains("Guardamos la numeración"),
        "{}",
        page.text
    );

    // Late interest: rates typed the Spanish way; an overlap is named on its row.
    let bad = post_signed(
        &s,
        "/admin/billing/interest",
        &login,
        &[
            ("country", "ES"),
            ("from", "2026-01-01"),
            ("to", ""),
            ("rate", "2,5"),
            ("from", "2026-06-01"),
            ("to", "2026-06-30"),
            ("rate", "3"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("se superpone"), "{}", bad.text);
    assert!(bad.text.contains("value=\"2,5\""));
    let ok = post_signed(
        &s,
        "/admin/billing/interest",
        &login,
        &[
            ("country", "ES"),
            ("from", "2026-01-01"),
            ("to", "2026-05-31"),
            ("rate", "2,5"),
            ("from", "2026-06-01"),
            ("to", ""),
            ("rate", "3"),
            ("from", ""),
            ("to", ""),
            ("rate", ""),
        ],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let b = s.get("/api/v1/settings").await.expect(200).body["billing"].clone();
    assert_eq!(b["interest_country_default"], "ES");
    assert_eq!(
        b["interest_rates"],
        json!([
            {"from": "2026-01-01", "to": "2026-05-31", "monthly_rate": "2.5"},
            {"from": "2026-06-01", "to": null, "monthly_rate": "3"},
        ])
    );
    let page = get(&s, "/admin/billing", &login.0).await;
    assert!(page.text.contains("value=\"2,5\""), "{}", page.text);

    // Dunning: levels out of order are refused on the level; then two levels are kept.
    let level = |i: usize, days: &'static str| {
        vec![
            (format!("days_{i}"), days.to_owned()),
            (format!("email_{i}"), "true".to_owned()),
            (
                format!("subject_es_{i}"),
                "Factura {invoice} vencida".to_owned(),
            ),
            (
                format!("body_es_{i}"),
                "Debe {amount} desde el {due_date}.".to_owned(),
            ),
            (
                format!("subject_en_{i}"),
                "Invoice {invoice} overdue".to_owned(),
            ),
            (
                format!("body_en_{i}"),
                "You owe {amount} since {due_date}.".to_owned(),
            ),
        ]
    };
    let form = |levels: Vec<Vec<(String, String)>>| {
        let mut f: Vec<(String, String)> = vec![
            ("enabled".into(), "true".into()),
            ("levels".into(), levels.len().to_string()),
        ];
        f.extend(levels.into_iter().flatten());
        f
    };
    let fields = form(vec![level(0, "10"), level(1, "5")]);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let bad = post_signed(&s, "/admin/billing/dunning", &login, &refs).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("Cada nivel va después del anterior"),
        "{}",
        bad.text
    );
    let policy = s.get("/api/v1/dunning_policy").await.expect(200).body;
    assert_eq!(policy["levels"].as_array().unwrap().len(), 3);

    let mut third = level(2, "");
    for (k, v) in third.iter_mut() {
        if !k.starts_with("email") {
            v.clear();
        }
    }
    let fields = form(vec![level(0, "5"), level(1, "20"), third]);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let ok = post_signed(&s, "/admin/billing/dunning", &login, &refs).await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let policy = s.get("/api/v1/dunning_policy").await.expect(200).body;
    let days: Vec<&Value> = policy["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["days_overdue"])
        .collect();
    assert_eq!(days, [&json!(5), &json!(20)]);
    assert_eq!(policy["levels"][1]["task"], false);

    // The invoice template: typst's complaint is shown with what was typed.
    let bad = post_signed(
        &s,
        "/admin/billing/template",
        &login,
        &[("template", "Hola\n#sys.inputs.nada.at(3)")],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("nada.at(3)"));
    let ok = post_signed(
        &s,
        "/admin/billing/template",
        &login,
        &[("template", "MI FACTURA #sys.inputs.number")],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let info = s
        .get("/api/v1/settings/invoice_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["template"], "MI FACTURA #sys.inputs.number");
    let ok = post_signed(&s, "/admin/billing/template", &login, &[("reset", "1")]).await;
    assert_eq!(ok.status, 303);
    let info = s
        .get("/api/v1/settings/invoice_template")
        .await
        .expect(200)
        .body;
    assert_eq!(info["is_default"], true);
}
