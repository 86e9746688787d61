use serde_json::json;

use crate::both;
use crate::support::TestServer;

both!(custom_fields_are_validated_on_every_write);

async fn custom_fields_are_validated_on_every_write(s: TestServer) {
    let defs = [
        json!({"record_kind": "account", "key": "condicion_iva", "label": "Condición IVA", "field_type": "select",
               "options": ["Responsable Inscripto", "Monotributista", "Exento"]}),
        json!({"record_kind": "account", "key": "empleados", "label": "Empleados", "field_type": "number"}),
        json!({"record_kind": "account", "key": "alta_afip", "label": "Alta AFIP", "field_type": "date"}),
        json!({"record_kind": "account", "key": "rubros", "label": "Rubros", "field_type": "multi_select", "options": ["Agro", "Industria", "Comercio"]}),
        json!({"record_kind": "account", "key": "exporta", "label": "Exporta", "field_type": "boolean"}),
        json!({"record_kind": "account", "key": "limite_credito", "label": "Límite de crédito", "field_type": "money"}),
        json!({"record_kind": "account", "key": "notas_internas", "label": "Notas internas", "field_type": "text"}),
    ];
    for d in &defs {
        s.post("/api/v1/custom_fields", d.clone()).await.expect(201);
    }
    s.post("/api/v1/custom_fields", defs[0].clone())
        .await
        .problem(422, "key");
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "Mal Nombre", "label": "x", "field_type": "text"}),
    )
    .await
    .problem(422, "key");
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "sel", "label": "x", "field_type": "select"}),
    )
    .await
    .problem(422, "options");
    s.post(
        "/api/v1/custom_fields",
        json!({"record_kind": "account", "key": "t", "label": "x", "field_type": "colour"}),
    )
    .await
    .problem(422, "field_type");

    let a = s
        .create(
            "accounts",
            json!({"name": "Cerealera Pampa", "custom": {"condicion_iva": "responsable inscripto", "empleados": 40,
                   "alta_afip": "2001-03-15", "rubros": ["agro", "Comercio"], "exporta": true,
                   "limite_credito": {"amount": "1500000.50", "currency": "ars"}, "notas_internas": "  cliente histórico "}}),
        )
        .await;
    let c = &a["custom"];
    assert_eq!(
        c["condicion_iva"], "Responsable Inscripto",
        "options are stored as defined"
    );
    assert_eq!(c["rubros"], json!(["Agro", "Comercio"]));
    assert_eq!(
        c["limite_credito"],
        json!({"amount": "1500000.50", "currency": "ARS"})
    );
    assert_eq!(c["notas_internas"], "cliente histórico");

    let p = "/api/v1/accounts";
    s.post(p, json!({"name": "X", "custom": {"no_existe": 1}}))
        .await
        .problem(422, "custom.no_existe");
    s.post(p, json!({"name": "X", "custom": {"condicion_iva": "Otro"}}))
        .await
        .problem(422, "custom.condicion_iva");
    s.post(p, json!({"name": "X", "custom": {"empleados": "muchos"}}))
        .await
        .problem(422, "custom.empleados");
    s.post(
        p,
        json!({"name": "X", "custom": {"alta_afip": "15/03/2001"}}),
    )
    .await
    .problem(422, "custom.alta_afip");
    s.post(p, json!({"name": "X", "custom": {"exporta": "si"}}))
        .await
        .problem(422, "custom.exporta");
    s.post(
        p,
        json!({"name": "X", "custom": {"limite_credito": {"amount": "1.5", "currency": "XYZ"}}}),
    )
    .await
    .problem(422, "custom.limite_credito");
    s.post(
        p,
        json!({"name": "X", "custom": {"limite_credito": {"amount": 1.5, "currency": "ARS"}}}),
    )
    .await
    .problem(422, "custom.limite_credito");

    // Filters on custom fields.
    s.create("accounts", json!({"name": "Chico", "custom": {"empleados": 3, "exporta": false, "condicion_iva": "Monotributista"}})).await;
    let names = |r: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = r["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.exporta]=true")
                .await
                .body
        ),
        ["Cerealera Pampa"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.empleados][gt]=10")
                .await
                .body
        ),
        ["Cerealera Pampa"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.empleados][lte]=10")
                .await
                .body
        ),
        ["Chico"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.condicion_iva]=Monotributista")
                .await
                .body
        ),
        ["Chico"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.rubros]=Agro")
                .await
                .body
        ),
        ["Cerealera Pampa"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.alta_afip][null]=true")
                .await
                .body
        ),
        ["Chico"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/accounts?filter[custom.alta_afip][gte]=2000-01-01")
                .await
                .body
        ),
        ["Cerealera Pampa"]
    );

    // A required field is required from now on; a deleted field does not block edits.
    let list = s
        .get("/api/v1/custom_fields?record_kind=account")
        .await
        .expect(200);
    let notas = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "notas_internas")
        .unwrap()
        .clone();
    let exporta = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "exporta")
        .unwrap()
        .clone();
    s.patch(
        &format!("/api/v1/custom_fields/{}", exporta["id"].as_str().unwrap()),
        json!({"required": true}),
    )
    .await
    .expect(200);
    s.post(p, json!({"name": "Sin dato"}))
        .await
        .problem(422, "custom.exporta");
    s.patch(
        &format!("/api/v1/custom_fields/{}", exporta["id"].as_str().unwrap()),
        json!({"field_type": "text"}),
    )
    .await
    .problem(422, "field_type");
    s.delete(&format!(
        "/api/v1/custom_fields/{}",
        notas["id"].as_str().unwrap()
    ))
    .await
    .expect(200);
    let aid = a["id"].as_str().unwrap();
    let r = s
        .patch(
            &format!("/api/v1/accounts/{aid}"),
            json!({"industry": "Cereales"}),
        )
        .await
        .expect(200);
    assert_eq!(
        r.body["custom"]["notas_internas"], "cliente histórico",
        "kept, untouched"
    );
    s.patch(
        &format!("/api/v1/accounts/{aid}"),
        json!({"custom": {"notas_internas": "nuevo"}}),
    )
    .await
    .problem(422, "custom.notas_internas");
    s.patch(
        &format!("/api/v1/accounts/{aid}"),
        json!({"custom": {"empleados": null}}),
    )
    .await
    .expect(200);

    // Only admins define fields.
    let (_, writer) = s
        .token_for("w@test.example.com", cartera_core::users::Scope::Write)
        .await;
    let r = s
        .send(
            reqwest::Method::POST,
            "/api/v1/custom_fields",
            Some(&writer),
            &[],
            Some(crate::support::RawBody::Json(defs[1].clone())),
        )
        .await;
    r.problem(403, "");
}
