//! Totals preview: a basket priced to the cent, per line and per document, and the bad
//! input a quote editor can send.

use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    worked_example_to_the_cent_in_both_rounding_modes,
    rounding_modes_differ_where_cents_accumulate,
    bad_lines_are_named,
    catalogue_lines_take_their_price_and_rate
);

fn ars(amount: &str) -> Value {
    json!({"amount": amount, "currency": "ARS"})
}

/// 3 × 1,234.50 ARS at 21 % with 10 % off, and 2 × 899.99 ARS at 10.5 % with 5 % off,
/// 2 % off the document. By hand (per line):
///
/// - Line 1: 3,703.50 gross, 370.35 off, net 3,333.15; its 2 % share 66.663 → 66.66;
///   base 3,266.49; IVA 21 % = 685.9629 → 685.96.
/// - Line 2: 1,799.98 gross, 89.999 off, net 1,709.981 → 1,709.98; share 34.1996 →
///   34.20; base 1,675.78; IVA 10.5 % = 175.9569 → 175.96.
/// - Subtotal 5,503.48; line discounts 370.35 + 90.00 = 460.35; document discount
///   66.66 + 34.20 = 100.86; discounts 561.21; taxes 861.92;
///   total 5,503.48 − 561.21 + 861.92 = 5,804.19.
///
/// Per document the exact bases 3,266.487 and 1,675.78138 and taxes 685.96227 and
/// 175.9570449 round to the same cents.
async fn worked_example_to_the_cent_in_both_rounding_modes(s: TestServer) {
    for rounding in ["per_line", "per_document"] {
        let t = s
            .post(
                "/api/v1/totals",
                json!({
                    "rounding": rounding,
                    "discount": "2",
                    "lines": [
                        {"description": "Sembradora, service kit", "quantity": "3",
                         "unit_price": ars("1234.50"), "discount": "10", "tax_rate": "21"},
                        {"description": "Semillas", "quantity": "2",
                         "unit_price": ars("899.99"), "discount": "5", "tax_rate": "10.5"}
                    ]
                }),
            )
            .await
            .expect(200)
            .body;
        assert_eq!(t["currency"], "ARS");
        assert_eq!(t["rounding"], rounding);
        assert_eq!(t["line_nets"], json!(["3333.15", "1709.98"]));
        assert_eq!(t["subtotal"], "5503.48");
        assert_eq!(t["line_discounts"], "460.35");
        assert_eq!(t["document_discount"], "100.86");
        assert_eq!(t["discounts"], "561.21");
        assert_eq!(
            t["by_rate"],
            json!([
                {"rate": "10.5", "base": "1675.78", "tax": "175.96"},
                {"rate": "21", "base": "3266.49", "tax": "685.96"}
            ])
        );
        assert_eq!(t["taxes"], "861.92");
        assert_eq!(t["total"], "5804.19");
    }
}

/// Three lines of 0.333 MXN at 16 %: per line each net is 0.33 and its tax 0.0528 →
/// 0.05, so 0.99 + 0.15 = 1.14; per document the base 0.999 rounds to 1.00 and the tax
/// 0.15984 to 0.16, so 1.16. An exempt line adds its base and no tax in both.
async fn rounding_modes_differ_where_cents_accumulate(s: TestServer) {
    let line = json!({"quantity": "1", "unit_price": {"amount": "0.333", "currency": "MXN"},
                      "tax_rate": "16"});
    let exempt = json!({"quantity": "2", "unit_price": {"amount": "50", "currency": "MXN"},
                        "tax_rate": "exempt"});
    let lines = json!([line, line, line, exempt]);
    let per_line = s
        .post("/api/v1/totals", json!({"lines": lines}))
        .await
        .expect(200)
        .body;
    assert_eq!(per_line["rounding"], "per_line");
    assert_eq!(per_line["currency"], "MXN");
    assert_eq!(
        per_line["by_rate"],
        json!([
            {"rate": "exempt", "base": "100.00", "tax": "0.00"},
            {"rate": "16", "base": "0.99", "tax": "0.15"}
        ])
    );
    assert_eq!(per_line["total"], "101.14");
    let per_doc = s
        .post(
            "/api/v1/totals",
            json!({"lines": lines, "rounding": "per_document"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        per_doc["by_rate"][1],
        json!({"rate": "16", "base": "1.00", "tax": "0.16"})
    );
    assert_eq!(per_doc["subtotal"], "101.00");
    assert_eq!(per_doc["total"], "101.16");
}

async fn bad_lines_are_named(s: TestServer) {
    let good = json!({"quantity": "1", "unit_price": ars("10"), "tax_rate": "21"});
    // A negative quantity, on the second line.
    s.post(
        "/api/v1/totals",
        json!({"lines": [good, {"quantity": "-1", "unit_price": ars("10"), "tax_rate": "21"}]}),
    )
    .await
    .problem(422, "lines[1].quantity");
    // A line discount over 100 % and a document discount below zero, both named.
    let r = s
        .post(
            "/api/v1/totals",
            json!({"discount": "-1",
                   "lines": [{"quantity": "1", "unit_price": ars("10"), "discount": "150",
                              "tax_rate": "21"}]}),
        )
        .await
        .expect(422);
    assert_eq!(r.error_fields(), ["discount", "lines[0].discount"]);
    // A price in another currency than the document's.
    s.post(
        "/api/v1/totals",
        json!({"currency": "ARS",
               "lines": [good, {"quantity": "1", "unit_price": {"amount": "5", "currency": "USD"},
                                "tax_rate": "21"}]}),
    )
    .await
    .problem(422, "lines[1].unit_price.currency");
    // No lines and no currency: nothing to price in.
    s.post("/api/v1/totals", json!({"lines": []}))
        .await
        .problem(422, "currency");
    // A tax rate that is neither a percentage nor `exempt`.
    let r = s
        .post(
            "/api/v1/totals",
            json!({"lines": [{"quantity": "1", "unit_price": ars("10"), "tax_rate": "IVA"}]}),
        )
        .await;
    assert!(
        matches!(r.status.as_u16(), 400 | 422),
        "bad tax rate answered {}: {}",
        r.status,
        r.body
    );
    assert!(
        r.body.to_string().contains("lines[0].tax_rate"),
        "the problem names the field: {}",
        r.body
    );
}

/// The worked example again, its lines named by product: the 21 % and 10.5 % rates come
/// from the products, the prices from the price list; the figures are the same.
async fn catalogue_lines_take_their_price_and_rate(s: TestServer) {
    let kit = s
        .post(
            "/api/v1/products",
            json!({"sku": "KIT-01", "name": "Sembradora, service kit", "tax_rate": "21"}),
        )
        .await
        .expect(201)
        .id();
    let seeds = s
        .post(
            "/api/v1/products",
            json!({"sku": "SEM-01", "name": "Semillas", "unit": "kg", "tax_rate": "10.5"}),
        )
        .await
        .expect(201)
        .id();
    let loose = s
        .post(
            "/api/v1/products",
            json!({"sku": "SUELTO", "name": "Sin precio", "tax_rate": "21"}),
        )
        .await
        .expect(201)
        .id();
    let list = s
        .post(
            "/api/v1/price_lists",
            json!({"name": "Lista 2026", "currency": "ARS",
                   "valid_from": "2026-01-01", "valid_to": "2026-12-31",
                   "items": [{"product_id": kit, "price": ars("1234.50")},
                             {"product_id": seeds, "price": ars("899.99")}]}),
        )
        .await
        .expect(201)
        .id();
    let t = s
        .post(
            "/api/v1/totals",
            json!({"price_list_id": list, "date": "2026-11-25", "discount": "2",
                   "lines": [{"product_id": kit, "quantity": "3", "discount": "10"},
                             {"product_id": seeds, "quantity": "2", "discount": "5"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(t["currency"], "ARS");
    assert_eq!(t["subtotal"], "5503.48");
    assert_eq!(t["discounts"], "561.21");
    assert_eq!(
        t["by_rate"],
        json!([
            {"rate": "10.5", "base": "1675.78", "tax": "175.96"},
            {"rate": "21", "base": "3266.49", "tax": "685.96"}
        ])
    );
    assert_eq!(t["taxes"], "861.92");
    assert_eq!(t["total"], "5804.19");

    // An unknown product, a product the list does not price, a free line without a
    // price, and a list outside its dates: each named.
    s.post(
        "/api/v1/totals",
        json!({"lines": [{"product_id": "0190a5c4-7e3b-7a11-8000-000000000000", "quantity": "1"}]}),
    )
    .await
    .problem(422, "lines[0].product_id");
    s.post(
        "/api/v1/totals",
        json!({"price_list_id": list, "date": "2026-11-25",
               "lines": [{"product_id": kit, "quantity": "1"},
                         {"product_id": loose, "quantity": "1"}]}),
    )
    .await
    .problem(422, "lines[1].unit_price");
    s.post(
        "/api/v1/totals",
        json!({"lines": [{"quantity": "1", "tax_rate": "21"}]}),
    )
    .await
    .problem(422, "lines[0].unit_price");
    let r = s
        .post(
            "/api/v1/totals",
            json!({"price_list_id": list, "date": "2027-02-01",
                   "lines": [{"product_id": kit, "quantity": "1"}]}),
        )
        .await
        .problem(422, "lines[0].unit_price");
    assert!(
        r.body.to_string().contains("not valid on 2027-02-01"),
        "{}",
        r.body
    );
}
