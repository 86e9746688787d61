//! Parsers of outside input refuse what is too deep or too large with 400/413, and the
//! server keeps answering afterwards (issue 16: a 100,000-deep PROPFIND body overflowed
//! a thread's stack and aborted the whole process).

use std::path::Path;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::dav::{ADMIN, dav};
use crate::support::{RawBody, TestServer};

both!(
    deep_and_huge_bodies_are_refused_and_the_server_keeps_answering,
    deep_json_bodies_and_filters_are_refused,
    import_files_that_expand_are_refused_or_read_sparsely
);

/// `depth` elements, each inside the one before (the body of issue 16 at 100,000).
fn deep_xml(open: &str, close: &str, depth: usize) -> String {
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

/// The server still answers, over DAV and over the API.
async fn still_answers(s: &TestServer) {
    s.send(Method::GET, "/healthz", None, &[], None)
        .await
        .expect(200);
    let (status, _, body) = dav(
        s,
        Some((ADMIN, &s.token)),
        "PROPFIND",
        "/dav/",
        &[("depth", "0")],
        Some(r#"<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#.into()),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    s.get("/api/v1/contacts").await.expect(200);
}

async fn deep_and_huge_bodies_are_refused_and_the_server_keeps_answering(s: TestServer) {
    let auth = Some((ADMIN, s.token.as_str()));
    let calendar = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let contacts = format!("/dav/addressbooks/{}/contacts/", s.admin_id);

    // The body of the issue, `<a>` 100,000 deep (about 700 KB), and 60,000 deep. Before
    // the limit the shallower one overflowed the stack when its tree was dropped (the
    // process aborted); the deeper one overflowed quick-xml's 16-bit level counter (a
    // panic in a debug build, a wrap and then the same overflow in a release build).
    for depth in [60_000, 100_000] {
        let (status, _, body) = dav(
            &s,
            auth,
            "PROPFIND",
            "/dav/",
            &[("depth", "0")],
            Some(deep_xml("<a>", "</a>", depth)),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("deeper"), "{body}");
        still_answers(&s).await;
    }

    // The same depth inside a real report and a real propfind, and unclosed.
    let report = format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><c:filter>{}</c:filter></c:calendar-query>"#,
        deep_xml(
            r#"<c:comp-filter name="VCALENDAR">"#,
            "</c:comp-filter>",
            100_000
        )
    );
    let (status, _, body) = dav(&s, auth, "REPORT", &calendar, &[], Some(report)).await;
    assert_eq!(status, 400, "{body}");
    let propfind = format!(
        r#"<d:propfind xmlns:d="DAV:"><d:prop>{}</d:prop></d:propfind>"#,
        deep_xml("<d:x>", "</d:x>", 100_000)
    );
    let (status, _, body) = dav(&s, auth, "PROPFIND", &contacts, &[], Some(propfind)).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = dav(
        &s,
        auth,
        "PROPPATCH",
        &calendar,
        &[],
        Some("<a>".repeat(100_000)),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // Too many elements, none deep: too large.
    let wide = format!(
        r#"<d:propfind xmlns:d="DAV:"><d:prop>{}</d:prop></d:propfind>"#,
        "<d:getetag/>".repeat(cartera_core::dav::xml::MAX_ELEMENTS)
    );
    let (status, _, body) = dav(&s, auth, "PROPFIND", &contacts, &[], Some(wide)).await;
    assert_eq!(status, 413, "{body}");
    still_answers(&s).await;

    // iCalendar components nested 100,000 deep (7 MB): too large for one resource; 10,000
    // deep (700 KB): 400 valid-calendar-data.
    let deep_ics = |levels: usize| {
        let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        ics.push_str(
            &"BEGIN:VEVENT\r\nUID:deep\r\nSUMMARY:x\r\nDTSTART:20261201T100000Z\r\n".repeat(levels),
        );
        ics.push_str(&"END:VEVENT\r\n".repeat(levels));
        ics.push_str("END:VCALENDAR\r\n");
        ics
    };
    for (levels, want) in [(100_000, 413), (10_000, 400)] {
        let (status, _, body) = dav(
            &s,
            auth,
            "PUT",
            &format!("{calendar}deep.ics"),
            &[("content-type", "text/calendar")],
            Some(deep_ics(levels)),
        )
        .await;
        assert_eq!(status, want, "{body}");
        if want == 400 {
            assert!(body.contains("valid-calendar-data"), "{body}");
            assert!(body.contains("nest deeper"), "{body}");
        }
    }
    // Larger than one resource may be: 413.
    let big = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:big\r\nSUMMARY:x\r\nDESCRIPTION:{}\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "x".repeat(cartera_core::dav::MAX_OBJECT_BYTES)
    );
    let (status, _, body) = dav(
        &s,
        auth,
        "PUT",
        &format!("{calendar}big.ics"),
        &[("content-type", "text/calendar")],
        Some(big),
    )
    .await;
    assert_eq!(status, 413, "{body}");

    // vCards nested 50,000 deep, over CardDAV and through the API's import.
    let card = deep_xml(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n",
        "END:VCARD\r\n",
        50_000,
    );
    let (status, _, body) = dav(
        &s,
        auth,
        "PUT",
        &format!("{contacts}deep.vcf"),
        &[("content-type", "text/vcard")],
        Some(card.clone()),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    let small = deep_xml(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n",
        "END:VCARD\r\n",
        1_000,
    );
    let (status, _, body) = dav(
        &s,
        auth,
        "PUT",
        &format!("{contacts}deep.vcf"),
        &[("content-type", "text/vcard")],
        Some(small),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("valid-address-data"), "{body}");
    let res = s
        .send(
            Method::POST,
            "/api/v1/contacts/import/vcard",
            Some(&s.token),
            &[],
            Some(RawBody::Text("text/vcard", card)),
        )
        .await;
    res.expect(422);
    still_answers(&s).await;
    // Nothing was written on the way.
    let (status, _, _) = dav(&s, auth, "GET", &format!("{calendar}deep.ics"), &[], None).await;
    assert_eq!(status, 404);
}

async fn deep_json_bodies_and_filters_are_refused(s: TestServer) {
    // JSON nested 100,000 deep, as an array and as objects: 400, not a crash.
    for body in [
        deep_xml("[", "]", 100_000),
        format!("{}1{}", r#"{"name":"#.repeat(100_000), "}".repeat(100_000)),
    ] {
        let res = s
            .send(
                Method::POST,
                "/api/v1/accounts",
                Some(&s.token),
                &[],
                Some(RawBody::Text("application/json", body)),
            )
            .await;
        assert_eq!(res.status.as_u16(), 400, "{}", res.body);
        assert!(
            res.body["detail"]
                .as_str()
                .unwrap_or("")
                .contains("deeper than 127"),
            "{}",
            res.body
        );
    }
    // Deep JSON inside a record's custom values: the same.
    let deep_custom = format!(
        r#"{{"name":"Acme","custom":{}1{}}}"#,
        r#"{"a":"#.repeat(1_000),
        "}".repeat(1_000)
    );
    let res = s
        .send(
            Method::POST,
            "/api/v1/accounts",
            Some(&s.token),
            &[],
            Some(RawBody::Text("application/json", deep_custom)),
        )
        .await;
    assert_eq!(res.status.as_u16(), 400, "{}", res.body);
    still_answers(&s).await;

    // A filter key with brackets 10,000 deep (the URL stays under the 64 KB a client sends): one bad parameter.
    let deep = format!("filter[name]{}=x", "[eq]".repeat(10_000));
    s.get(&format!("/api/v1/accounts?{deep}"))
        .await
        .problem(400, &format!("filter[name]{}", "[eq]".repeat(10_000)));
    // Thousands of filters: one error, before any reaches the database.
    let many: Vec<String> = (0..2_000)
        .map(|i| format!("filter[name][ne]=n{i}"))
        .collect();
    s.get(&format!("/api/v1/accounts?{}", many.join("&")))
        .await
        .problem(400, "filter");
    // The most filters still list.
    let most: Vec<String> = (0..cartera_core::query::MAX_FILTERS)
        .map(|i| format!("filter[name][ne]=n{i}"))
        .collect();
    s.create("accounts", json!({"name": "Acme"})).await;
    let res = s
        .get(&format!("/api/v1/accounts?{}", most.join("&")))
        .await
        .expect(200);
    assert_eq!(res.body["data"].as_array().unwrap().len(), 1);
    still_answers(&s).await;
}

/// Uploads `bytes` as an import of accounts named `name`: (status, body).
async fn upload(s: &TestServer, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let res = s
        .client
        .post(format!(
            "{}/api/v1/imports?kind=accounts&file_name={name}",
            s.base
        ))
        .bearer_auth(&s.token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json::<Value>().await.unwrap_or(Value::Null))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/imports")
            .join(name),
    )
    .unwrap()
}

async fn import_files_that_expand_are_refused_or_read_sparsely(s: TestServer) {
    // A cell at XFD1048576 besides the customers: read cell by cell, the far one is a
    // row with too many cells, not seventeen billion empty ones.
    let (status, body) = upload(&s, "lejana.xlsx", fixture("lejana.xlsx")).await;
    assert_eq!(status, 201, "{body}");
    let sample = body["sample"].as_array().unwrap();
    assert_eq!(sample.len(), 5, "{body}");
    assert!(
        sample[4].as_array().unwrap().iter().all(|c| c == ""),
        "{body}"
    );
    // A row repeated a million times over a hundred columns: refused before expanding.
    let (status, body) = upload(&s, "repetida.ods", fixture("repetida.ods")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("cells"), "{body}");
    // An XLS cell moved to row and column 65535: calamine would open a range of four
    // billion cells; refused before it does.
    let (status, body) = upload(&s, "lejana.xls", fixture("lejana.xls")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("cells"), "{body}");
    // A CSV header of two million delimiters: too many columns, named once.
    let mut csv = ",".repeat(2_000_000);
    csv.push_str("x\n1\n");
    let (status, body) = upload(&s, "ancha.csv", csv.into_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("columns"), "{body}");
    // A data row of two million cells: one row with a problem.
    let csv = format!("Razón social,CUIT\nAcme,{}x\n", ",".repeat(2_000_000));
    let (status, body) = upload(&s, "fila.csv", csv.into_bytes()).await;
    assert_eq!(status, 201, "{body}");
    still_answers(&s).await;
}
