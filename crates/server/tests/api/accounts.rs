use serde_json::json;

use crate::both;
use crate::support::{RawBody, TestServer};
use reqwest::Method;

both!(
    creates_and_reads_an_account,
    patch_merges_and_versions,
    trash_and_restore,
    refuses_bad_input_naming_the_field,
    duplicates_answer_409_with_candidates,
    merges_two_accounts_keeping_everything,
);

async fn creates_and_reads_an_account(s: TestServer) {
    let r = s
        .post(
            "/api/v1/accounts",
            json!({
                "name": "Agropecuaria Los Álamos S.A.",
                "kind": "prospect",
                "tax_id": "20-12345678-6",
                "industry": "Agro",
                "billing_address": {"city": "Rosario", "province": "Santa Fe", "country": "ar"},
                "emails": [{"address": " Ventas@Alamos.com.AR ", "label": "ventas"}],
                "phones": [{"number": "+54 9 341  555-0101"}],
                "website": "alamos.com.ar",
                "tags": ["VIP", "vip", "Exportador"]
            }),
        )
        .await
        .expect(201);
    let id = r.id();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/accounts/{id}").as_str())
    );
    assert_eq!(r.header("etag"), Some("\"1\""));
    let a = &r.body;
    assert_eq!(a["kind"], "prospect");
    assert_eq!(a["version"], 1);
    assert_eq!(a["emails"][0]["address"], "ventas@alamos.com.ar");
    assert_eq!(a["phones"][0]["number"], "+54 9 341 555-0101");
    assert_eq!(a["billing_address"]["country"], "AR");
    assert_eq!(a["website"], "https://alamos.com.ar");
    assert_eq!(a["tags"], json!(["VIP", "Exportador"]));
    assert_eq!(
        a["owner_id"],
        s.admin_id.to_string(),
        "the creator owns a new account"
    );
    assert_eq!(a["created_by"], s.admin_id.to_string());
    assert_eq!(a["custom"], json!({}));
    assert!(a["created_at"].as_str().unwrap().ends_with('Z'));

    let got = s.get(&format!("/api/v1/accounts/{id}")).await.expect(200);
    assert_eq!(got.body, r.body);
    assert_eq!(got.header("etag"), Some("\"1\""));
    let not_modified = s
        .send(
            Method::GET,
            &format!("/api/v1/accounts/{id}"),
            Some(&s.token),
            &[("if-none-match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(not_modified.status.as_u16(), 304);

    s.get("/api/v1/accounts/019a0000-0000-7000-8000-000000000000")
        .await
        .problem(404, "");
    s.get("/api/v1/accounts/not-an-id").await.problem(404, "");
}

async fn patch_merges_and_versions(s: TestServer) {
    let a = s
        .create(
            "accounts",
            json!({"name": "Ferretería Núñez", "legal_name": "Núñez e Hijos S.R.L.",
                   "billing_address": {"street": "Av. Corrientes 1234", "city": "CABA", "country": "AR"}}),
        )
        .await;
    let id = a["id"].as_str().unwrap();
    let path = format!("/api/v1/accounts/{id}");

    let r = s
        .patch(&path, json!({"billing_address": {"city": "La Plata"}, "legal_name": null, "industry": "Ferretería"}))
        .await
        .expect(200);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(
        r.body["billing_address"]["street"], "Av. Corrientes 1234",
        "nested objects merge"
    );
    assert_eq!(r.body["billing_address"]["city"], "La Plata");
    assert_eq!(r.body["legal_name"], serde_json::Value::Null, "null clears");
    assert_eq!(r.body["industry"], "Ferretería");

    // A stale If-Match is refused and changes nothing.
    let stale = s
        .send(
            Method::PATCH,
            &path,
            Some(&s.token),
            &[("if-match", "\"1\"")],
            Some(RawBody::Json(json!({"name": "Otro"}))),
        )
        .await
        .problem(412, "");
    assert!(stale.body["detail"].as_str().unwrap().contains("version"));
    assert_eq!(s.get(&path).await.body["name"], "Ferretería Núñez");

    let ok = s
        .send(
            Method::PATCH,
            &path,
            Some(&s.token),
            &[("if-match", "\"2\"")],
            Some(RawBody::Json(json!({"name": "Ferretería Núñez Hnos."}))),
        )
        .await
        .expect(200);
    assert_eq!(ok.body["version"], 3);

    // Sending the record back as read, unchanged, is accepted and makes no new version.
    let same = s.patch(&path, ok.body.clone()).await.expect(200);
    assert_eq!(same.body["version"], 3);
    // ... but bookkeeping fields cannot be changed.
    s.patch(&path, json!({"version": 99}))
        .await
        .problem(422, "version");
    s.patch(&path, json!({"created_at": "2020-01-01T00:00:00Z"}))
        .await
        .problem(422, "created_at");
    s.send(
        Method::PATCH,
        &path,
        Some(&s.token),
        &[("if-match", "yesterday")],
        Some(RawBody::Json(json!({}))),
    )
    .await
    .problem(400, "If-Match");
}

async fn trash_and_restore(s: TestServer) {
    let a = s
        .create("accounts", json!({"name": "Transportes Ñandú"}))
        .await;
    let id = a["id"].as_str().unwrap();
    let path = format!("/api/v1/accounts/{id}");
    let del = s.delete(&path).await.expect(200);
    assert!(del.body["deleted_at"].is_string());
    s.get(&path).await.problem(404, "");
    s.delete(&path).await.problem(404, "");
    assert!(
        s.get("/api/v1/accounts").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let trash = s.get("/api/v1/accounts?trashed=true").await.expect(200);
    assert_eq!(trash.body["data"][0]["id"], id);
    // Found by search neither while in the trash.
    assert!(
        s.get("/api/v1/accounts?q=nandu").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let back = s
        .post(&format!("{path}/restore"), json!({}))
        .await
        .expect(200);
    assert_eq!(back.body["deleted_at"], serde_json::Value::Null);
    assert_eq!(back.body["version"], 3);
    assert_eq!(
        s.get("/api/v1/accounts?q=nandu").await.body["data"][0]["id"],
        id
    );
    s.post(&format!("{path}/restore"), json!({}))
        .await
        .problem(409, "");
}

async fn refuses_bad_input_naming_the_field(s: TestServer) {
    let p = "/api/v1/accounts";
    s.post(p, json!({"kind": "customer"}))
        .await
        .problem(422, "name");
    s.post(p, json!({"name": "  "})).await.problem(422, "name");
    s.post(
        p,
        json!({"name": "A", "emails": [{"address": "no-es-un-mail"}]}),
    )
    .await
    .problem(422, "emails[0].address");
    s.post(p, json!({"name": "A", "colour": "red"}))
        .await
        .problem(422, "colour");
    s.post(p, json!({"name": "A", "billing_address": {"town": "x"}}))
        .await
        .problem(422, "billing_address.town");
    s.post(p, json!({"name": 12})).await.problem(422, "name");
    s.post(p, json!({"name": "A", "kind": "martian"}))
        .await
        .problem(422, "kind");
    s.post(p, json!({"name": "x".repeat(201)}))
        .await
        .problem(422, "name");
    s.post(
        p,
        json!({"name": "A", "tax_id": "20-12345678-5", "billing_address": {"country": "AR"}}),
    )
    .await
    .problem(422, "tax_id");
    s.post(
        p,
        json!({"name": "A", "owner_id": "019a0000-0000-7000-8000-000000000000"}),
    )
    .await
    .problem(422, "owner_id");
    s.post(
        p,
        json!({"name": "A", "id": "019a0000-0000-7000-8000-000000000000"}),
    )
    .await
    .problem(422, "id");
    s.post(p, json!([1, 2])).await.problem(422, "");
    let r = s
        .send(
            Method::POST,
            p,
            Some(&s.token),
            &[],
            Some(RawBody::Text("application/json", "{\"name\": ".into())),
        )
        .await
        .problem(400, "");
    assert!(r.body["detail"].as_str().unwrap().contains("JSON"));
    s.send(
        Method::POST,
        p,
        Some(&s.token),
        &[],
        Some(RawBody::Text("text/csv", "name\nA".into())),
    )
    .await
    .problem(415, "");
    // Several problems are all named at once.
    let many = s
        .post(
            p,
            json!({"name": "", "website": "no spaces allowed.com x", "phones": [{"number": "12"}]}),
        )
        .await
        .problem(422, "name");
    let fields = many.error_fields();
    assert!(
        fields.contains(&"phones[0].number".to_owned()) && fields.contains(&"website".to_owned()),
        "{fields:?}"
    );
    // Nothing was written by any of these.
    assert!(s.get(p).await.body["data"].as_array().unwrap().is_empty());
}

async fn duplicates_answer_409_with_candidates(s: TestServer) {
    let first = s
        .create(
            "accounts",
            json!({"name": "Distribuidora del Sur S.R.L.", "tax_id": "30-71234567-1", "emails": [{"address": "compras@delsur.com.ar"}]}),
        )
        .await;
    // Same tax id written differently.
    let r = s
        .post(
            "/api/v1/accounts",
            json!({"name": "Otra razón social", "tax_id": "30712345671"}),
        )
        .await
        .problem(409, "tax_id");
    assert_eq!(r.body["candidates"][0]["id"], first["id"]);
    assert_eq!(r.body["candidates"][0]["matched_on"], json!(["tax_id"]));
    assert_eq!(
        r.body["candidates"][0]["title"],
        "Distribuidora del Sur S.R.L."
    );
    // Same name, other legal form and case.
    let r = s
        .post(
            "/api/v1/accounts",
            json!({"name": "DISTRIBUIDORA DEL SUR SA"}),
        )
        .await
        .problem(409, "name");
    assert_eq!(r.body["candidates"][0]["matched_on"], json!(["name"]));
    // Same email, other case.
    s.post(
        "/api/v1/accounts",
        json!({"name": "X", "emails": [{"address": "Compras@DelSur.com.ar"}]}),
    )
    .await
    .problem(409, "emails");
    // The caller may insist.
    s.post(
        "/api/v1/accounts?allow_duplicate=true",
        json!({"name": "Distribuidora del Sur SA"}),
    )
    .await
    .expect(201);
    // A record in the trash is no duplicate.
    let gone = s
        .create("accounts", json!({"name": "Papelera Central"}))
        .await;
    s.delete(&format!(
        "/api/v1/accounts/{}",
        gone["id"].as_str().unwrap()
    ))
    .await
    .expect(200);
    s.post("/api/v1/accounts", json!({"name": "Papelera Central"}))
        .await
        .expect(201);
}

async fn merges_two_accounts_keeping_everything(s: TestServer) {
    let keep = s
        .create(
            "accounts",
            json!({"name": "Lácteos La Serenísima", "industry": "Alimentos", "tags": ["VIP"]}),
        )
        .await;
    let dup = s
        .create(
            "accounts?allow_duplicate=true",
            json!({"name": "Lacteos La Serenisima SA", "industry": "Lácteos", "tax_id": "30-50000000-7",
                   "emails": [{"address": "info@serenisima.com.ar"}], "tags": ["Zona Norte"]}),
        )
        .await;
    let (k, d) = (keep["id"].as_str().unwrap(), dup["id"].as_str().unwrap());
    let contact = s
        .create(
            "contacts",
            json!({"first_name": "Marta", "last_name": "Peña", "account_id": d}),
        )
        .await;
    s.post(
        &format!("/api/v1/accounts/{d}/notes"),
        json!({"body": "Nota en el duplicado"}),
    )
    .await
    .expect(201);

    let merged = s
        .post(
            &format!("/api/v1/accounts/{k}/merge"),
            json!({"source_id": d}),
        )
        .await
        .expect(200);
    let m = &merged.body;
    assert_eq!(
        m["name"], "Lácteos La Serenísima",
        "the survivor keeps its values"
    );
    assert_eq!(m["industry"], "Alimentos");
    assert_eq!(m["tax_id"], "30-50000000-7", "and takes what it lacked");
    assert_eq!(m["emails"][0]["address"], "info@serenisima.com.ar");
    assert_eq!(m["tags"], json!(["VIP", "Zona Norte"]));

    let c = s
        .get(&format!(
            "/api/v1/contacts/{}",
            contact["id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(c.body["account_id"], k, "contacts follow the survivor");
    let notes = s
        .get(&format!("/api/v1/accounts/{k}/notes"))
        .await
        .expect(200);
    assert_eq!(notes.body["data"][0]["body"], "Nota en el duplicado");
    s.get(&format!("/api/v1/accounts/{d}"))
        .await
        .problem(404, "");
    let trash = s.get("/api/v1/accounts?trashed=true").await.expect(200);
    assert_eq!(trash.body["data"][0]["merged_into_id"], k);
    s.post(&format!("/api/v1/accounts/{d}/restore"), json!({}))
        .await
        .problem(409, "");

    // The survivor's timeline holds the duplicate's history too.
    let tl = s
        .get(&format!("/api/v1/accounts/{k}/timeline?limit=100"))
        .await
        .expect(200);
    let items = tl.body["data"].as_array().unwrap();
    let has = |pred: &dyn Fn(&serde_json::Value) -> bool| items.iter().any(pred);
    assert!(has(
        &|i| i["type"] == "change" && i["event"]["action"] == "merged"
    ));
    assert!(has(&|i| i["type"] == "change"
        && i["event"]["record_id"] == d
        && i["event"]["action"] == "created"));
    assert!(has(
        &|i| i["type"] == "note" && i["note"]["body"] == "Nota en el duplicado"
    ));

    s.post(
        &format!("/api/v1/accounts/{k}/merge"),
        json!({"source_id": k}),
    )
    .await
    .problem(422, "source_id");
    s.post(
        &format!("/api/v1/accounts/{k}/merge"),
        json!({"source_id": d}),
    )
    .await
    .problem(422, "source_id");
}
