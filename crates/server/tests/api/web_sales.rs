//! The catalogue, price list, quota and commission pages through a browser session:
//! forms that name their wrong fields and write nothing, filters and pages of the
//! product list, prices typed as people type them, quotas with attainment, and a
//! commission statement explained line by line.

use chrono::Datelike;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, get, post};

both!(
    catalogue_pages_list_filter_create_and_edit,
    price_list_page_edits_prices,
    quotas_and_commissions_pages_explain_the_period,
    a_deal_page_shares_the_deal
);

async fn catalogue_pages_list_filter_create_and_edit(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let empty = get(&s, "/catalog", &cookie).await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.text.contains("El catálogo está vacío"),
        "{}",
        empty.text
    );
    assert!(
        empty
            .text
            .contains("href=\"/catalog\" aria-current=\"page\"")
    );

    // Wrong fields are named, and nothing is written.
    let bad = post(
        &s,
        "/catalog",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("sku", "SEM 01"),
            ("name", ""),
            ("unit", "kg"),
            ("tax_rate", "veintiuno"),
            ("active", "true"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    for said in [
        "El SKU no lleva espacios.",
        "Escribe el nombre del producto.",
        "Escribe un porcentaje de 0 a 100",
    ] {
        assert!(bad.text.contains(said), "{said}");
    }
    assert!(
        bad.text.contains("value=\"SEM 01\""),
        "what was typed stays"
    );
    let none = s.get("/api/v1/products").await.expect(200).body;
    assert_eq!(none["data"].as_array().unwrap().len(), 0);

    let made = post(
        &s,
        "/catalog",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("sku", "sem-01"),
            ("name", "Semillas de girasol"),
            ("kind", "product"),
            ("unit", "kg"),
            ("category", "Semillas"),
            ("tax_rate", "10,5"),
            ("active", "true"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    assert!(
        at.starts_with("/catalog/") && at.ends_with("?saved=1"),
        "{at}"
    );
    let id = at
        .trim_start_matches("/catalog/")
        .trim_end_matches("?saved=1")
        .to_owned();
    let p = s
        .get(&format!("/api/v1/products/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(p["tax_rate"], "10.5");
    assert_eq!(p["category"], "Semillas");
    let shown = get(&s, &at, &cookie).await;
    assert!(shown.text.contains("Cambios guardados."));
    // The same SKU again, in other case, is refused on the SKU.
    let dup = post(
        &s,
        "/catalog",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("sku", "SEM-01"),
            ("name", "Otra"),
            ("unit", "kg"),
            ("tax_rate", "21"),
        ],
    )
    .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text.contains("Otro producto ya tiene este SKU."));

    // Edit: withdrawn from sale, with the version it was read at.
    let edited = post(
        &s,
        &format!("/catalog/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("sku", "SEM-01"),
            ("name", "Semillas de girasol alto oleico"),
            ("kind", "product"),
            ("unit", "kg"),
            ("category", "Semillas"),
            ("tax_rate", "10,5"),
        ],
    )
    .await;
    assert_eq!(edited.status, 303, "{}", edited.text);
    let p = s
        .get(&format!("/api/v1/products/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(p["active"], false);
    assert_eq!(p["name"], "Semillas de girasol alto oleico");
    // A second edit from the old version is refused and says why.
    let stale = post(
        &s,
        &format!("/catalog/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("sku", "SEM-01"),
            ("name", "Pisado"),
            ("unit", "kg"),
            ("tax_rate", "10,5"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert!(stale.text.contains("Otra persona cambió esto"));

    // Thirty more, in two categories: a page holds 25.
    for i in 0..30 {
        let cat = if i % 3 == 0 { "Servicios" } else { "Repuestos" };
        s.create(
            "products",
            json!({"sku": format!("R-{i:02}"), "name": format!("Repuesto {i:02}"),
                   "category": cat, "tax_rate": "21"}),
        )
        .await;
    }
    let first = get(&s, "/catalog", &cookie).await;
    assert!(
        first.text.contains("31 productos · página 1 de 2"),
        "{}",
        first.text
    );
    assert!(
        first.text.contains("page=2\" rel=\"next\""),
        "{}",
        first.text
    );
    let second = get(&s, "/catalog?page=2", &cookie).await;
    assert!(second.text.contains("página 2 de 2"));
    let servicios = get(&s, "/catalog?category=servicios", &cookie).await;
    assert!(
        servicios.text.contains("10 productos"),
        "{}",
        servicios.text
    );
    assert!(!servicios.text.contains("Repuesto 01"));
    let inactive = get(&s, "/catalog?state=inactive", &cookie).await;
    assert!(inactive.text.contains("1 producto"));
    assert!(inactive.text.contains("alto oleico"));
    let found = get(&s, "/catalog?q=repuesto+07", &cookie).await;
    assert!(found.text.contains("Repuesto 07") && found.text.contains("1 producto"));
    let nothing = get(&s, "/catalog?q=zzz", &cookie).await;
    assert!(nothing.text.contains("Nada coincide con el filtro"));

    // A rep reads the catalogue but may not add to it.
    let (rep_id, _) = s.member("rep@test.example.com", "sales_rep").await;
    assert!(!rep_id.to_string().is_empty());
    let (rep_cookie, rep_csrf) = s.browser_login("rep@test.example.com", PASSWORD).await;
    let read = get(&s, "/catalog", &rep_cookie).await;
    assert_eq!(read.status, 200);
    assert!(!read.text.contains("href=\"/catalog/new\""));
    let refused = post(
        &s,
        "/catalog",
        &rep_cookie,
        &[
            ("csrf_token", &rep_csrf),
            ("sku", "X-1"),
            ("name", "X"),
            ("unit", "u"),
            ("tax_rate", "21"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403);
    // Without the CSRF token nothing happens.
    let forged = post(&s, "/catalog", &cookie, &[("sku", "Y"), ("name", "Y")]).await;
    assert_eq!(forged.status, 403);
}

async fn price_list_page_edits_prices(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let product = |sku: &str, name: &str| json!({"sku": sku, "name": name, "tax_rate": "21"});
    let kit = s
        .create("products", product("KIT-1", "Kit de service"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seeds = s.create("products", product("SEM-1", "Semillas")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = s.create("accounts", json!({"name": "Agro Sur S.A."})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let none = get(&s, "/price-lists", &cookie).await;
    assert!(none.text.contains("Aún no hay listas de precios"));

    // A bad header is named on its fields.
    let bad = post(
        &s,
        "/price-lists",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", ""),
            ("currency", "PESOS"),
            ("valid_from", "2026-12-31"),
            ("valid_to", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text
            .contains("Escribe un código de moneda de tres letras")
    );
    let bad = post(
        &s,
        "/price-lists",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", ""),
            ("currency", "ars"),
            ("valid_from", "2026-12-31"),
            ("valid_to", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Ponle un nombre a la lista."));
    assert!(
        bad.text
            .contains("La lista no puede terminar antes de empezar.")
    );

    // The customer's own list, from the account's link.
    let new = get(&s, &format!("/price-lists?account_id={account}"), &cookie).await;
    assert!(
        new.text
            .contains(&format!("<option value=\"{account}\" selected>"))
    );
    let made = post(
        &s,
        "/price-lists",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", "Agro Sur 2026"),
            ("currency", "ars"),
            ("valid_from", "2026-01-01"),
            ("valid_to", ""),
            ("account_id", &account),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let at = made.location.unwrap();
    let id = at.trim_start_matches("/price-lists/").to_owned();
    let shown = get(&s, &at, &cookie).await;
    assert!(shown.text.contains("Agro Sur S.A."));
    assert!(shown.text.contains(&format!("name=\"price-{kit}\"")));

    // A price that does not read is named next to its product; nothing is saved.
    let header: Vec<(&str, &str)> = vec![
        ("csrf_token", &csrf),
        ("version", "1"),
        ("name", "Agro Sur 2026"),
        ("currency", "ARS"),
        ("valid_from", "2026-01-01"),
        ("valid_to", ""),
        ("account_id", &account),
    ];
    let kit_key = format!("price-{kit}");
    let seeds_key = format!("price-{seeds}");
    let mut bad = header.clone();
    bad.push((&kit_key, "1.234,50"));
    bad.push((&seeds_key, "mucho"));
    let refused = post(&s, &format!("/price-lists/{id}"), &cookie, &bad).await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("Escribe un precio como 1234,50"));
    assert!(refused.text.contains("value=\"mucho\""));
    let l = s
        .get(&format!("/api/v1/price_lists/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(l["items"].as_array().unwrap().len(), 0);

    // Good prices, one typed the Spanish way; a blank one leaves the product off.
    let mut good = header.clone();
    good.push((&kit_key, "1.234,50"));
    good.push((&seeds_key, ""));
    let saved = post(&s, &format!("/price-lists/{id}"), &cookie, &good).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let l = s
        .get(&format!("/api/v1/price_lists/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(
        l["items"],
        json!([{"product_id": kit, "price": {"amount": "1234.5", "currency": "ARS"}}])
    );
    assert_eq!(l["account_id"], account.as_str());
    let again = get(&s, &format!("/price-lists/{id}"), &cookie).await;
    // Shown as the reader writes it, which is how the page reads it back.
    assert!(again.text.contains("value=\"1.234,50\""), "{}", again.text);
    let lists = get(&s, "/price-lists", &cookie).await;
    assert!(lists.text.contains("Agro Sur 2026"));
    // The customer's page names its own list.
    let acc = get(&s, &format!("/accounts/{account}"), &cookie).await;
    assert!(
        acc.text.contains(&format!("href=\"/price-lists/{id}\"")),
        "{}",
        acc.text
    );
}

async fn quotas_and_commissions_pages_explain_the_period(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let today = s.app.now().date_naive();
    let quarter = format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1);
    let (ana, ana_token) = s.member("ana@test.example.com", "sales_rep").await;
    let sw = s
        .create(
            "products",
            json!({"sku": "SW-1", "name": "Licencia ERP", "category": "Software",
                   "tax_rate": "21"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = s
        .create(
            "price_lists",
            json!({"name": "EUR", "currency": "EUR",
                   "items": [{"product_id": sw, "price": {"amount": "3000", "currency": "EUR"}}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pipelines = s.get("/api/v1/pipelines").await.expect(200).body;
    let won: String = pipelines["data"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|st| st["name"] == "Ganado")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acme = s.create("accounts", json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Won this quarter: 2 licences less 10 % = 5400.00 (Software), and 2350.10 without lines.
    s.create(
        "deals",
        json!({"name": "Licencias Acme", "account_id": acme, "owner_id": ana,
               "price_list_id": list, "stage_id": won,
               "lines": [{"product_id": sw, "quantity": "2", "discount": "10"}]}),
    )
    .await;
    s.create(
        "deals",
        json!({"name": "Soporte Acme", "account_id": acme, "owner_id": ana,
               "amount": {"amount": "2350.10", "currency": "EUR"}, "stage_id": won}),
    )
    .await;

    // A quota through the page: a bad amount is named, then a good one.
    let ana_s = ana.to_string();
    let bad = post(
        &s,
        "/quotas",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("user_id", &ana_s),
            ("period", &quarter),
            ("kind", "amount"),
            ("amount", "mucho"),
            ("currency", "EUR"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Escribe un importe"));
    let bad = post(
        &s,
        "/quotas",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("user_id", &ana_s),
            ("period", "2026-Q9"),
            ("kind", "count"),
            ("count", "3"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Escribe un periodo como 2026-11"));
    let made = post(
        &s,
        "/quotas",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("user_id", &ana_s),
            ("period", &quarter),
            ("kind", "amount"),
            ("amount", "7.000"),
            ("currency", "EUR"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    // Attainment: (5400.00 + 2350.10) / 7000 = 110.72 %.
    let quotas = get(&s, &format!("/quotas?period={quarter}"), &cookie).await;
    assert!(quotas.text.contains("110,72 %"), "{}", quotas.text);
    assert!(quotas.text.contains("7.750,10 EUR / 7.000,00 EUR"));
    // `7.000` on a Spanish page is seven thousand, and its edit field says so.
    assert!(
        quotas.text.contains(r#"value="7.000,00""#),
        "{}",
        quotas.text
    );
    let q: Value = s
        .get(&format!("/api/v1/quotas?period={quarter}"))
        .await
        .expect(200)
        .body;
    let qid = q["data"][0]["id"].as_str().unwrap().to_owned();
    // The forecast links here and shows the same attainment.
    let forecast = get(&s, &format!("/forecast?period={quarter}"), &cookie).await;
    assert!(forecast.text.contains("110,72 %"));

    // A plan through the page: Software 5 %, others 3 %, × 1.5 from 100 %.
    let bad = post(
        &s,
        "/commissions/plans",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", "Reps"),
            ("default_rate", "150"),
            ("cat_0", "Software"),
            ("cat_rate_0", "5"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Un porcentaje entre 0 y 100."));
    let made = post(
        &s,
        "/commissions/plans",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("name", "Reps"),
            ("default_rate", "3"),
            ("cat_0", "Software"),
            ("cat_rate_0", "5"),
            ("tier_0", "100"),
            ("tier_mult_0", "1,5"),
            ("tier_1", "0"),
            ("tier_mult_1", "0,5"),
            ("user_ids", &ana_s),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let plans = s.get("/api/v1/commission_plans").await.expect(200).body;
    let plan = &plans["data"][0];
    assert_eq!(plan["tiers"].as_array().unwrap().len(), 2);
    assert_eq!(plan["user_ids"], json!([ana_s]));
    let multipliers: Vec<&Value> = plan["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["multiplier"])
        .collect();
    assert_eq!(multipliers, [&json!("0.5"), &json!("1.5")]);
    let plans_page = get(&s, "/commissions/plans", &cookie).await;
    assert!(
        plans_page.text.contains("Software: 5 %"),
        "{}",
        plans_page.text
    );
    // The plan's form shows its numbers as the reader writes them.
    assert!(
        plans_page.text.contains(r#"value="1,5""#),
        "{}",
        plans_page.text
    );
    assert!(
        !plans_page.text.contains(r#"value="1.5""#),
        "{}",
        plans_page.text
    );

    // The statement, line by line:
    // 5400.00 × 5 % × 1.5 = 405.00; 2350.10 × 3 % × 1.5 = 105.7545 -> 105.75; total 510.75.
    let st = get(&s, &format!("/commissions?period={quarter}"), &cookie).await;
    assert_eq!(st.status, 200);
    for said in [
        "5.400,00 EUR × 5 % × 1,5 = 405,00 EUR",
        "2.350,10 EUR × 3 % × 1,5 = 105,75 EUR",
        "510,75 EUR",
        "110,72 %",
        "desde 100 %",
        "de su categoría",
        "Licencias Acme",
    ] {
        assert!(st.text.contains(said), "{said}: {}", st.text);
    }
    // Ana sees her own statement; quotas and plans are not hers to change.
    let (ana_cookie, ana_csrf) = s.browser_login("ana@test.example.com", PASSWORD).await;
    let hers = get(&s, "/commissions", &ana_cookie).await;
    assert!(hers.text.contains("510,75 EUR"));
    let quotas = get(&s, "/quotas", &ana_cookie).await;
    assert!(!quotas.text.contains("id=\"new-quota\""));
    let refused = post(
        &s,
        &format!("/quotas/{qid}/delete"),
        &ana_cookie,
        &[("csrf_token", &ana_csrf), ("back", &quarter)],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert!(!ana_token.is_empty());

    // The manager changes the quota to a count and then removes it.
    let changed = post(
        &s,
        &format!("/quotas/{qid}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("back", &quarter),
            ("period", &quarter),
            ("kind", "count"),
            ("count", "4"),
        ],
    )
    .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    let quotas = get(&s, &format!("/quotas?period={quarter}"), &cookie).await;
    assert!(quotas.text.contains("50 %"), "2 of 4 deals");
    let gone = post(
        &s,
        &format!("/quotas/{qid}/delete"),
        &cookie,
        &[("csrf_token", &csrf), ("back", &quarter)],
    )
    .await;
    assert_eq!(gone.status, 303);
    let quotas = get(&s, &format!("/quotas?period={quarter}"), &cookie).await;
    assert!(quotas.text.contains("No hay cuotas para este periodo."));
    let bad = get(&s, "/quotas?period=someday", &cookie).await;
    assert_eq!(bad.status, 400);
}

async fn a_deal_page_shares_the_deal(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let (beto, beto_token) = s.member("beto@test.example.com", "sales_rep").await;
    let acme = s.create("accounts", json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deal = s
        .create(
            "deals",
            json!({"name": "Tractores", "account_id": acme,
                   "amount": {"amount": "100", "currency": "ARS"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = get(&s, &format!("/deals/{deal}"), &cookie).await;
    assert!(shown.text.contains("id=\"shares\""), "{}", shown.text);
    let grantee = format!("user:{beto}");
    let shared = post(
        &s,
        &format!("/deals/{deal}/shares"),
        &cookie,
        &[("csrf_token", &csrf), ("grantee", &grantee)],
    )
    .await;
    assert_eq!(shared.status, 303, "{}", shared.text);
    assert_eq!(shared.location.unwrap(), format!("/deals/{deal}#shares"));
    s.call(
        &beto_token,
        Method::GET,
        &format!("/api/v1/deals/{deal}"),
        None,
    )
    .await
    .expect(200);
    let list = s
        .get(&format!("/api/v1/deals/{deal}/shares"))
        .await
        .expect(200)
        .body;
    let share = list["data"][0]["id"].as_str().unwrap().to_owned();
    let removed = post(
        &s,
        &format!("/deals/{deal}/shares/{share}/remove"),
        &cookie,
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(removed.status, 303);
    s.call(
        &beto_token,
        Method::GET,
        &format!("/api/v1/deals/{deal}"),
        None,
    )
    .await
    .problem(404, "");
}
