//! The OpenAPI document describes what the server does: the parts that can be checked
//! without a fuzzer (`.ci/schemathesis` runs one against the real server).

use reqwest::Method;
use serde_json::Value;

use crate::both;
use crate::support::TestServer;

both!(
    record_schemas_match_stored_records,
    lists_answered_as_arrays_name_their_items,
    server_set_fields_are_read_only,
    shared_statuses_are_documented,
    parameters_state_what_the_server_accepts,
    texts_that_may_not_be_blank_say_so
);

async fn document(s: &TestServer) -> Value {
    s.send(Method::GET, "/api/v1/openapi.json", None, &[], None)
        .await
        .expect(200)
        .body
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn schemas(doc: &Value) -> &serde_json::Map<String, Value> {
    doc["components"]["schemas"].as_object().unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op));
        }
    }
    out
}

async fn record_schemas_match_stored_records(s: TestServer) {
    let doc = document(&s).await;
    // An allOf of a part that forbids other properties matches nothing: the other parts'
    // properties are "other" to it.
    for (name, schema) in schemas(&doc) {
        for part in schema["allOf"].as_array().into_iter().flatten() {
            assert_ne!(
                resolve(&doc, part)["additionalProperties"],
                Value::Bool(false),
                "{name} combines allOf with a closed part"
            );
        }
    }
    // A stored account, as the server writes it, has every property its schema names
    // required, and nothing its schema does not know.
    let created = s
        .post(
            "/api/v1/accounts",
            serde_json::json!({"name": "Los Álamos"}),
        )
        .await
        .expect(201)
        .body;
    let account = &schemas(&doc)["Account"];
    let props = account["properties"].as_object().unwrap();
    for key in created.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "Account does not describe `{key}`");
    }
    for key in account["required"].as_array().unwrap() {
        assert!(
            created.get(key.as_str().unwrap()).is_some(),
            "Account requires `{key}`, which a stored account does not carry"
        );
    }
}

async fn lists_answered_as_arrays_name_their_items(s: TestServer) {
    let doc = document(&s).await;
    for (path, item) in [
        ("/api/v1/deals/{id}/stages", "StageStay"),
        ("/api/v1/commissions", "CommissionStatement"),
        ("/api/v1/quotas/attainment", "Attainment"),
    ] {
        let schema =
            &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema["type"], "array", "{path}: {schema}");
        let items = schema["items"]["$ref"].as_str().unwrap_or_default();
        assert!(items.ends_with(&format!("/{item}")), "{path}: {schema}");
        assert_eq!(resolve(&doc, &schema["items"])["type"], "object", "{path}");
    }
}

async fn server_set_fields_are_read_only(s: TestServer) {
    let doc = document(&s).await;
    for (schema, field) in [
        ("ActivityData", "cost_totals"),
        ("Activity", "cost_totals"),
        ("DealData", "closed_at"),
        ("Account", "id"),
        ("Account", "version"),
        ("Account", "created_at"),
    ] {
        assert_eq!(
            schemas(&doc)[schema]["properties"][field]["readOnly"],
            Value::Bool(true),
            "{schema}.{field}"
        );
    }
    // And the server does refuse it in a request.
    s.post(
        "/api/v1/activities",
        serde_json::json!({"subject": "x", "cost_totals": []}),
    )
    .await
    .problem(422, "cost_totals");
}

async fn shared_statuses_are_documented(s: TestServer) {
    let doc = document(&s).await;
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        let authenticated = op["security"].as_array().is_some_and(|a| !a.is_empty());
        if authenticated {
            assert!(responses.contains_key("429"), "{method} {path}: no 429");
            assert!(
                responses["429"]["headers"]["Retry-After"].is_object(),
                "{method} {path}: 429 without Retry-After"
            );
        }
        let takes_input = op["parameters"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["in"] != "path"))
            || op["requestBody"].is_object();
        if takes_input {
            assert!(responses.contains_key("400"), "{method} {path}: no 400");
        }
        if op["requestBody"].is_object() {
            for status in ["413", "415", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
        }
    }
    // A malformed If-Match is the 400 the document now names.
    let id = s
        .post(
            "/api/v1/accounts",
            serde_json::json!({"name": "Cerealera Sur"}),
        )
        .await
        .expect(201)
        .id();
    s.send(
        Method::DELETE,
        &format!("/api/v1/accounts/{id}"),
        Some(&s.token),
        &[("if-match", "three")],
        None,
    )
    .await
    .problem(400, "If-Match");
}

async fn parameters_state_what_the_server_accepts(s: TestServer) {
    let doc = document(&s).await;
    let list = &doc["paths"]["/api/v1/accounts"]["get"]["parameters"];
    let param = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(param("limit")["schema"]["type"], "integer");
    assert_eq!(param("limit")["schema"]["maximum"], 500);
    assert_eq!(param("trashed")["schema"]["type"], "boolean");
    // `filter[field]` is a family of parameters, not one the server takes by that name.
    assert_eq!(param("filter[field]"), Value::Null);
    assert!(param("sort")["schema"]["pattern"].is_string());
    let forecast = &doc["paths"]["/api/v1/forecast"]["get"]["parameters"][0];
    assert_eq!(forecast["required"], true);
    assert!(forecast["schema"]["pattern"].is_string());
}

/// The property `field` of the named schema, through a merge patch's `anyOf`.
fn property<'a>(doc: &'a Value, schema: &str, field: &str) -> &'a Value {
    let p = &doc["components"]["schemas"][schema]["properties"][field];
    match p["anyOf"].as_array() {
        Some(items) => &items[0],
        None => p,
    }
}

async fn texts_that_may_not_be_blank_say_so(s: TestServer) {
    // A text that may be left out but not sent blank states it, or a fuzzer takes the
    // server's 422 on `""` for "required" (schemathesis did, on a product's `unit` and
    // on the `name` of PATCH /users/me).
    let doc = document(&s).await;
    for (schema, field) in [
        ("NewProduct", "sku"),
        ("NewProduct", "name"),
        ("NewProduct", "unit"),
        ("ProductChangePatch", "unit"),
        ("ProfileChangePatch", "name"),
        ("UserChangePatch", "name"),
    ] {
        let p = property(&doc, schema, field);
        assert_eq!(
            p["pattern"].as_str(),
            Some(cartera_server::api::doc::NON_BLANK),
            "{schema}.{field}: {p}"
        );
    }
    assert!(
        !doc["components"]["schemas"]["NewProduct"]["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("unit"))
    );
    // What the server does: left out, a default (or nothing changes); blank, a 422.
    let made = s
        .post(
            "/api/v1/products",
            serde_json::json!({"sku": "T-1", "name": "Tornillo", "tax_rate": "21"}),
        )
        .await
        .expect(201);
    assert_eq!(made.body["unit"], "unit");
    s.post(
        "/api/v1/products",
        serde_json::json!({"sku": "T-2", "name": "Tuerca", "tax_rate": "21", "unit": "\u{3000}"}),
    )
    .await
    .problem(422, "unit");
    s.patch("/api/v1/users/me", serde_json::json!({"locale": "en"}))
        .await
        .expect(200);
    s.patch("/api/v1/users/me", serde_json::json!({"name": " \u{a0}"}))
        .await
        .problem(422, "name");
}
