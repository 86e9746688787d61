use std::collections::HashSet;

use serde_json::{Value, json};

use crate::both;
use crate::support::TestServer;

both!(
    search_ignores_accents_and_case,
    filters_with_operators,
    pages_cover_everything_once_in_order,
    cursor_survives_new_data_and_refuses_other_queries,
    bad_list_parameters_are_named,
    search_across_kinds,
);

fn ids(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_ignores_accents_and_case(s: TestServer) {
    let garcia = s
        .create("contacts", json!({"first_name": "José María", "last_name": "García Núñez",
            "emails": [{"address": "jm.garcia@ferreteria-sur.com.ar"}], "phones": [{"number": "+54 9 11 4567-8901"}]}))
        .await;
    s.create(
        "contacts",
        json!({"first_name": "Juan", "last_name": "Pérez"}),
    )
    .await;
    let acc = s
        .create(
            "accounts",
            json!({"name": "Compañía Ñandú S.A.", "tax_id": "30-71234567-1"}),
        )
        .await;
    for (q, want) in [
        ("garcia", &garcia),
        ("GARCÍA", &garcia),
        ("nunez", &garcia),
        ("jose maria", &garcia),
        ("jm.garcia@ferreteria", &garcia),
        ("4567", &garcia),
        ("1145678901", &garcia),
        ("garc", &garcia),
    ] {
        let r = s
            .get(&format!("/api/v1/contacts?q={}", urlencode(q)))
            .await
            .expect(200);
        let found = ids(r.body["data"].as_array().unwrap());
        assert_eq!(
            found,
            vec![want["id"].as_str().unwrap().to_owned()],
            "q={q}"
        );
    }
    let r = s
        .get("/api/v1/accounts?q=compania%20nandu")
        .await
        .expect(200);
    assert_eq!(r.body["data"][0]["id"], acc["id"]);
    let r = s.get("/api/v1/accounts?q=30712345671").await.expect(200);
    assert_eq!(
        r.body["data"][0]["id"], acc["id"],
        "tax id without punctuation"
    );
    let r = s.get("/api/v1/accounts?q=71234567").await.expect(200);
    assert_eq!(r.body["data"][0]["id"], acc["id"], "tax id fragment");
    let r = s.get("/api/v1/contacts?q=zzzz").await.expect(200);
    assert!(r.body["data"].as_array().unwrap().is_empty());
    // Search follows edits.
    let gid = garcia["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/contacts/{gid}"),
        json!({"last_name": "Gómez"}),
    )
    .await
    .expect(200);
    assert!(
        s.get("/api/v1/contacts?q=nunez").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.get("/api/v1/contacts?q=gomez").await.body["data"][0]["id"],
        gid
    );
    // With an explicit sort as well.
    assert_eq!(
        s.get("/api/v1/contacts?q=gomez&sort=last_name").await.body["data"][0]["id"],
        gid
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn filters_with_operators(s: TestServer) {
    let (rep, _) = s
        .token_for("rep@test.example.com", cartera_core::users::Scope::Write)
        .await;
    let mk = |name: &str, kind: &str, city: &str, tags: Value| json!({"name": name, "kind": kind, "billing_address": {"city": city, "country": "AR"}, "tags": tags});
    let a = s
        .create(
            "accounts",
            mk("Alfa", "customer", "Rosario", json!(["VIP"])),
        )
        .await;
    let b = s
        .create(
            "accounts",
            mk("Beta", "prospect", "Córdoba", json!(["vip", "Zona Norte"])),
        )
        .await;
    let c = s.create("accounts", json!({"name": "Gamma", "kind": "supplier", "owner_id": rep.to_string(), "industry": "Agro"})).await;
    let list = |q: &str| {
        let q = q.to_owned();
        let s = &s;
        async move {
            let r = s.get(&format!("/api/v1/accounts?{q}")).await.expect(200);
            let mut names: Vec<String> = r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(list("filter[kind]=customer").await, ["Alfa"]);
    assert_eq!(list("filter[kind][ne]=customer").await, ["Beta", "Gamma"]);
    assert_eq!(
        list("filter[kind][in]=customer,supplier").await,
        ["Alfa", "Gamma"]
    );
    assert_eq!(list("filter[kind][nin]=customer,supplier").await, ["Beta"]);
    assert_eq!(
        list("filter[tags]=VIP").await,
        ["Alfa", "Beta"],
        "tags match without case"
    );
    assert_eq!(list("filter[tags]=zona%20norte").await, ["Beta"]);
    assert_eq!(list("filter[tags][null]=true").await, ["Gamma"]);
    assert_eq!(list("filter[tags][nin]=vip").await, ["Gamma"]);
    assert_eq!(list("filter[billing_address.city]=Rosario").await, ["Alfa"]);
    assert_eq!(list("filter[name][contains]=amm").await, ["Gamma"]);
    assert_eq!(list("filter[name][gte]=Beta").await, ["Beta", "Gamma"]);
    assert_eq!(list("filter[industry][null]=true").await, ["Alfa", "Beta"]);
    assert_eq!(list("filter[industry][null]=false").await, ["Gamma"]);
    assert_eq!(list(&format!("filter[owner_id]={rep}")).await, ["Gamma"]);
    assert_eq!(
        list(&format!("filter[owner_id][ne]={rep}")).await,
        ["Alfa", "Beta"]
    );
    assert_eq!(
        list(&format!("filter[id]={}", b["id"].as_str().unwrap())).await,
        ["Beta"]
    );
    let created = a["created_at"].as_str().unwrap();
    assert_eq!(
        list(&format!("filter[created_at][gt]={}", urlencode(created))).await,
        ["Beta", "Gamma"]
    );
    assert_eq!(
        list(&format!("filter[created_at][lte]={}", urlencode(created))).await,
        ["Alfa"]
    );
    let _ = c;
    // Contacts: booleans and dates.
    s.create(
        "contacts",
        json!({"first_name": "Uno", "birthday": "1980-05-01", "marketing_consent": true}),
    )
    .await;
    s.create(
        "contacts",
        json!({"first_name": "Dos", "birthday": "1990-05-01"}),
    )
    .await;
    s.create("contacts", json!({"first_name": "Tres"})).await;
    let names = |r: &Value| {
        let mut v: Vec<String> = r["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["first_name"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(
            &s.get("/api/v1/contacts?filter[marketing_consent]=true")
                .await
                .body
        ),
        ["Uno"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/contacts?filter[birthday][lt]=1985-01-01")
                .await
                .body
        ),
        ["Uno"]
    );
    assert_eq!(
        names(
            &s.get("/api/v1/contacts?filter[birthday][null]=true")
                .await
                .body
        ),
        ["Tres"]
    );
    assert_eq!(
        names(
            &s.get(
                "/api/v1/contacts?filter[birthday][gte]=1980-01-01&filter[birthday][lte]=1995-01-01"
            )
            .await
            .body
        ),
        ["Dos", "Uno"]
    );
}

async fn pages_cover_everything_once_in_order(s: TestServer) {
    // 23 contacts, some sharing a last name, some without birthday.
    let last = ["Álvarez", "Benítez", "alvarez", "Castro", "Díaz"];
    let mut inputs = Vec::new();
    for i in 0..23 {
        let mut c = json!({"first_name": format!("P{i:02}"), "last_name": last[i % 5]});
        if i % 3 != 0 {
            c["birthday"] = json!(format!("19{:02}-0{}-1{}", 60 + i, 1 + i % 9, i % 9));
        }
        inputs.push(c);
    }
    s.post(
        "/api/v1/contacts/bulk?allow_duplicate=true",
        json!({"create": inputs}),
    )
    .await
    .expect(200);

    for (query, check) in [
        ("sort=last_name", "last_name"),
        ("sort=-last_name", "-last_name"),
        ("sort=birthday", "birthday"),
        ("sort=-birthday,first_name", "-birthday"),
        ("", "newest"),
    ] {
        let mut got = Vec::new();
        for limit in [1, 4, 7, 50] {
            let sep = if query.is_empty() { "" } else { "&" };
            let rows = s
                .all_pages(&format!("/api/v1/contacts?{query}{sep}limit={limit}"))
                .await;
            got.push(rows);
        }
        let first = ids(&got[0]);
        assert_eq!(first.len(), 23, "{query}");
        assert_eq!(
            first.iter().collect::<HashSet<_>>().len(),
            23,
            "no row twice ({query})"
        );
        for other in &got[1..] {
            assert_eq!(
                ids(other),
                first,
                "page size does not change the order ({query})"
            );
        }
        let rows = &got[0];
        match check {
            "last_name" | "-last_name" => {
                let keys: Vec<String> = rows
                    .iter()
                    .map(|r| fold(r["last_name"].as_str().unwrap()))
                    .collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if check.starts_with('-') {
                    sorted.reverse();
                }
                assert_eq!(keys, sorted, "accent- and case-insensitive order ({query})");
            }
            "birthday" | "-birthday" => {
                let b: Vec<Option<&str>> = rows.iter().map(|r| r["birthday"].as_str()).collect();
                let firsts_null = b.iter().position(Option::is_none).unwrap();
                assert!(
                    b[firsts_null..].iter().all(Option::is_none),
                    "nulls last ({query})"
                );
                let mut dated: Vec<&str> = b[..firsts_null].iter().map(|x| x.unwrap()).collect();
                let orig = dated.clone();
                dated.sort();
                if check.starts_with('-') {
                    dated.reverse();
                }
                assert_eq!(orig, dated, "{query}");
            }
            _ => {
                let created: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
                let mut sorted = created.clone();
                sorted.sort();
                sorted.reverse();
                assert_eq!(created, sorted, "newest first by default");
            }
        }
    }
}

fn fold(s: &str) -> String {
    cartera_core::text::fold(s)
}

async fn cursor_survives_new_data_and_refuses_other_queries(s: TestServer) {
    for i in 0..6 {
        s.create("leads", json!({"company_name": format!("Empresa {i}")}))
            .await;
    }
    let p1 = s
        .get("/api/v1/leads?limit=3&sort=company_name")
        .await
        .expect(200);
    let cursor = p1.body["next_cursor"].as_str().unwrap().to_owned();
    // Data changes between pages: a record before the cursor and one after.
    s.create("leads", json!({"company_name": "Empresa 0a"}))
        .await;
    s.create("leads", json!({"company_name": "Empresa 9"}))
        .await;
    let p2 = s
        .get(&format!(
            "/api/v1/leads?limit=10&sort=company_name&cursor={cursor}"
        ))
        .await
        .expect(200);
    let names: Vec<&str> = p2.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["company_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Empresa 3", "Empresa 4", "Empresa 5", "Empresa 9"]);
    assert_eq!(p2.body["next_cursor"], Value::Null);
    // The cursor belongs to its query.
    s.get(&format!(
        "/api/v1/leads?limit=3&sort=-company_name&cursor={cursor}"
    ))
    .await
    .problem(400, "cursor");
    s.get(&format!(
        "/api/v1/leads?filter[status]=new&sort=company_name&cursor={cursor}"
    ))
    .await
    .problem(400, "cursor");
    s.get(&format!("/api/v1/accounts?sort=name&cursor={cursor}"))
        .await
        .problem(400, "cursor");
    s.get("/api/v1/leads?cursor=garbage!")
        .await
        .problem(400, "cursor");
}

async fn bad_list_parameters_are_named(s: TestServer) {
    s.get("/api/v1/contacts?filter[colour]=red")
        .await
        .problem(400, "filter[colour]");
    s.get("/api/v1/contacts?filter[birthday]=yesterday")
        .await
        .problem(400, "filter[birthday]");
    s.get("/api/v1/contacts?filter[birthday][near]=2020-01-01")
        .await
        .problem(400, "filter[birthday][near]");
    s.get("/api/v1/contacts?filter[account_id]=xyz")
        .await
        .problem(400, "filter[account_id]");
    s.get("/api/v1/contacts?sort=colour")
        .await
        .problem(400, "sort");
    s.get("/api/v1/contacts?limit=0")
        .await
        .problem(400, "limit");
    s.get("/api/v1/contacts?limit=501")
        .await
        .problem(400, "limit");
    s.get("/api/v1/contacts?page=2").await.problem(400, "page");
    s.get("/api/v1/contacts?filter[custom.nope]=1")
        .await
        .problem(400, "filter[custom.nope]");
    s.get("/api/v1/accounts?filter[kind]=martian")
        .await
        .problem(400, "filter[kind]");
    s.get("/api/v1/contacts?limit=500").await.expect(200);
}

async fn search_across_kinds(s: TestServer) {
    s.create("accounts", json!({"name": "Metalúrgica Sáenz"}))
        .await;
    s.create(
        "contacts",
        json!({"first_name": "Rosa", "last_name": "Sáenz"}),
    )
    .await;
    s.create(
        "leads",
        json!({"first_name": "Tomás", "last_name": "Saenz", "company_name": "Sáenz Hnos."}),
    )
    .await;
    s.create(
        "contacts",
        json!({"first_name": "Otra", "last_name": "Persona"}),
    )
    .await;
    let r = s.get("/api/v1/search?q=saenz").await.expect(200);
    let kinds: Vec<&str> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["account", "contact", "lead"]);
    assert_eq!(r.body["data"][0]["title"], "Metalúrgica Sáenz");
    s.get("/api/v1/search").await.problem(400, "q");
    s.get("/api/v1/search?q=x&limit=0")
        .await
        .problem(400, "limit");
}
