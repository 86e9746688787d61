//! CalDAV and CardDAV: discovery as clients do it, both-way changes between a client and
//! the API, sync-collection with tokens, ETag preconditions, bad data refused with
//! nothing written; the iCalendar feed link; vCard export and import.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::support::{RawBody, TestServer};

both!(
    discovery_finds_the_calendar_and_the_address_book,
    calendar_changes_flow_both_ways_with_sync_tokens,
    bad_calendar_data_and_stale_etags_are_refused,
    address_book_holds_the_contacts_the_user_sees,
    feed_link_serves_the_agenda_until_rotated,
    vcards_export_and_import_all_or_nothing,
    real_clients_sync_both_ways,
    settings_page_shows_the_sync_addresses_and_the_feed_link,
    recurring_events_keep_their_rule_and_show_each_occurrence,
    bad_recurrence_rules_are_refused_with_nothing_written,
    attendees_see_the_activity_read_only,
    failed_basic_logins_are_limited_per_address
);

pub(crate) const ADMIN: &str = "admin@test.example.com";

/// A WebDAV request with Basic credentials; answers (status, headers, body text).
pub(crate) async fn dav(
    s: &TestServer,
    auth: Option<(&str, &str)>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", s.base),
    );
    if let Some((user, pass)) = auth {
        req = req.basic_auth(user, Some(pass));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

/// The text of the first `<tag>` under the `<d:response>` whose href ends with `href_end`.
fn text_between<'a>(body: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = body.find(open)? + open.len();
    let end = body[start..].find(close)? + start;
    Some(&body[start..end])
}

fn event(uid: &str, summary: &str, start: &str, end: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:{summary}\r\nDTSTART:{start}\r\nDTEND:{end}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

const PROPFIND_PRINCIPAL: &str = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#;

fn sync_body(token: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
    )
}

async fn sync(s: &TestServer, auth: (&str, &str), path: &str, token: &str) -> (u16, String) {
    let (status, _, body) = dav(s, Some(auth), "REPORT", path, &[], Some(sync_body(token))).await;
    (status, body)
}

async fn discovery_finds_the_calendar_and_the_address_book(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    for (well_known, _) in [("/.well-known/caldav", ()), ("/.well-known/carddav", ())] {
        let (status, headers, _) = dav(&s, None, "PROPFIND", well_known, &[], None).await;
        assert_eq!(status, 301);
        assert_eq!(headers["location"], "/dav/");
    }
    // No or wrong credentials: 401 with a Basic challenge.
    let (status, headers, _) = dav(&s, None, "PROPFIND", "/dav/", &[("depth", "0")], None).await;
    assert_eq!(status, 401);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let (status, _, _) = dav(
        &s,
        Some((ADMIN, "cartera_wrong")),
        "PROPFIND",
        "/dav/",
        &[],
        None,
    )
    .await;
    assert_eq!(status, 401);
    // Another user's email with this token: refused.
    s.token_for("otra@test.example.com", cartera_core::users::Scope::Write)
        .await;
    let (status, _, _) = dav(
        &s,
        Some(("otra@test.example.com", &s.token)),
        "PROPFIND",
        "/dav/",
        &[],
        None,
    )
    .await;
    assert_eq!(status, 401);

    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PROPFIND",
        "/dav/",
        &[("depth", "0")],
        Some(PROPFIND_PRINCIPAL.into()),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    let principal = format!("/dav/principals/{}/", s.admin_id);
    assert!(
        body.contains(&format!(
            "<d:current-user-principal><d:href>{principal}</d:href>"
        )),
        "{body}"
    );

    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PROPFIND",
        &principal,
        &[("depth", "0")],
        Some(r#"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><c:calendar-home-set/><card:addressbook-home-set/><d:displayname/><c:nonsense/></d:prop></d:propfind>"#.into()),
    )
    .await;
    assert_eq!(status, 207);
    let cal_home = format!("/dav/calendars/{}/", s.admin_id);
    let card_home = format!("/dav/addressbooks/{}/", s.admin_id);
    assert!(
        body.contains(&format!("<c:calendar-home-set><d:href>{cal_home}</d:href>")),
        "{body}"
    );
    assert!(body.contains(&format!(
        "<card:addressbook-home-set><d:href>{card_home}</d:href>"
    )));
    // An unknown property is reported missing, not silently dropped.
    assert!(
        body.contains("<c:nonsense/></d:prop><d:status>HTTP/1.1 404 Not Found"),
        "{body}"
    );

    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PROPFIND",
        &cal_home,
        &[("depth", "1")],
        None,
    )
    .await;
    assert_eq!(status, 207);
    assert!(
        body.contains(&format!("<d:href>{cal_home}agenda/</d:href>")),
        "{body}"
    );
    assert!(body.contains("<c:calendar/>"));
    assert!(body.contains("<c:comp name=\"VEVENT\"/><c:comp name=\"VTODO\"/>"));
    assert!(body.contains("<d:sync-token>urn:cartera:sync:"));
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PROPFIND",
        &card_home,
        &[("depth", "1")],
        None,
    )
    .await;
    assert_eq!(status, 207);
    assert!(body.contains(&format!("<d:href>{card_home}contacts/</d:href>")));
    assert!(body.contains("<card:addressbook/>"));

    // Someone else's home is not there.
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PROPFIND",
        "/dav/calendars/0190a1b2-0000-7000-8000-000000000000/",
        &[],
        None,
    )
    .await;
    assert_eq!(status, 404);
    // The principal collection lists the caller alone.
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PROPFIND",
        "/dav/principals/",
        &[("depth", "1")],
        None,
    )
    .await;
    assert_eq!(status, 207);
    assert!(
        body.contains(&format!("<d:href>{principal}</d:href>")),
        "{body}"
    );
    let (status, headers, _) = dav(&s, None, "OPTIONS", "/dav/", &[], None).await;
    assert_eq!(status, 200);
    assert!(headers["dav"].to_str().unwrap().contains("calendar-access"));
}

async fn calendar_changes_flow_both_ways_with_sync_tokens(s: TestServer) {
    let (rep_id, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let auth = ("rep@test.example.com", rep.as_str());
    let agenda = format!("/dav/calendars/{rep_id}/agenda/");

    // First sync: empty, with a token.
    let (status, body) = sync(&s, auth, &agenda, "").await;
    assert_eq!(status, 207, "{body}");
    let token0 = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();
    assert!(!body.contains("<d:response>"), "{body}");

    // An activity made through the API shows on the client; one with no day does not.
    let visit = s
        .create_as(
            &rep,
            "activities",
            json!({"kind": "visit", "subject": "Visita a Acme", "starts_at": "2026-12-02T13:00:00Z",
                   "ends_at": "2026-12-02T14:00:00Z", "owner_id": rep_id}),
        )
        .await;
    s.create_as(
        &rep,
        "activities",
        json!({"kind": "call", "subject": "Sin fecha", "owner_id": rep_id}),
    )
    .await;
    let (_, body) = sync(&s, auth, &agenda, &token0).await;
    let href = format!("{agenda}{visit}.ics");
    assert!(body.contains(&format!("<d:href>{href}</d:href>")), "{body}");
    assert_eq!(body.matches("<d:response>").count(), 1, "{body}");
    let token1 = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();
    let (status, headers, ics) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(ics.contains("SUMMARY:Visita a Acme"), "{ics}");
    assert!(ics.contains("DTSTART:20261202T130000Z"), "{ics}");
    let etag = headers["etag"].to_str().unwrap().to_owned();

    // The client creates an event in its own zone: it lands on the rep's agenda.
    let phone = format!("{agenda}phone-1.ics");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Madrid\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:phone-uid-1\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:Almuerzo con Beto\r\nDESCRIPTION:Llevar catálogo\r\nDTSTART;TZID=Europe/Madrid:20261203T130000\r\nDTEND;TZID=Europe/Madrid:20261203T143000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PUT",
        &phone,
        &[("if-none-match", "*"), ("content-type", "text/calendar")],
        Some(ics.into()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let list = s
        .call(
            &rep,
            Method::GET,
            "/api/v1/activities?filter[subject]=Almuerzo con Beto",
            None,
        )
        .await
        .expect(200);
    let made = &list.body["data"][0];
    assert_eq!(made["starts_at"], "2026-12-03T12:00:00Z");
    assert_eq!(made["ends_at"], "2026-12-03T13:30:00Z");
    assert_eq!(made["notes"], "Llevar catálogo");
    assert_eq!(made["kind"], "meeting");
    assert_eq!(made["owner_id"], rep_id.to_string());
    let made_id = made["id"].as_str().unwrap().to_owned();
    // The client reads its event back under its own name and UID.
    let (status, _, back) = dav(&s, Some(auth), "GET", &phone, &[], None).await;
    assert_eq!(status, 200);
    assert!(back.contains("UID:phone-uid-1"), "{back}");

    // Sync from token1: the new event only, not the visit again.
    let (_, body) = sync(&s, auth, &agenda, &token1).await;
    assert!(
        body.contains(&format!("<d:href>{phone}</d:href>")),
        "{body}"
    );
    assert!(!body.contains(&href), "{body}");
    let token2 = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();

    // A change in Cartera reaches the client; a change on the client reaches Cartera.
    s.call(
        &rep,
        Method::PATCH,
        &format!("/api/v1/activities/{visit}"),
        Some(json!({"subject": "Visita a Acme (confirmada)"})),
    )
    .await
    .expect(200);
    let (_, body) = sync(&s, auth, &agenda, &token2).await;
    assert!(body.contains(&format!("<d:href>{href}</d:href>")), "{body}");
    assert_eq!(body.matches("<d:response>").count(), 1);
    let token3 = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();
    // The old ETag no longer matches.
    let edited = event(
        &visit,
        "Visita a Acme, sala 2",
        "20261202T140000Z",
        "20261202T150000Z",
    );
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &href,
        &[("if-match", &etag)],
        Some(edited.clone()),
    )
    .await;
    assert_eq!(status, 412);
    let (_, headers, _) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &href,
        &[("if-match", &etag)],
        Some(edited),
    )
    .await;
    assert_eq!(status, 204);
    let a = s
        .call(
            &rep,
            Method::GET,
            &format!("/api/v1/activities/{visit}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(a.body["subject"], "Visita a Acme, sala 2");
    assert_eq!(a.body["starts_at"], "2026-12-02T14:00:00Z");
    // Cartera's own fields survive the client's edit.
    assert_eq!(a.body["kind"], "visit");

    // A rep's role may not delete activities: nor may their phone.
    let (status, _, _) = dav(&s, Some(auth), "DELETE", &phone, &[], None).await;
    assert_eq!(status, 403);
    s.call(
        &rep,
        Method::GET,
        &format!("/api/v1/activities/{made_id}"),
        None,
    )
    .await
    .expect(200);
    // Deleted in Cartera (by an admin): gone from the client.
    s.delete(&format!("/api/v1/activities/{made_id}"))
        .await
        .expect(200);
    s.delete(&format!("/api/v1/activities/{visit}"))
        .await
        .expect(200);
    let (_, body) = sync(&s, auth, &agenda, &token3).await;
    assert!(
        body.contains(&format!(
            "<d:href>{phone}</d:href><d:status>HTTP/1.1 404 Not Found"
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "<d:href>{href}</d:href><d:status>HTTP/1.1 404 Not Found"
        )),
        "{body}"
    );

    // A token from another collection, a made-up one, one from the future: refused.
    let (_, body) = sync(
        &s,
        auth,
        &format!("/dav/addressbooks/{rep_id}/contacts/"),
        "",
    )
    .await;
    let card_token = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();
    for bad in [
        card_token.as_str(),
        "urn:cartera:sync:nope:1",
        "http://example.com/1",
        &format!("{}9", &token3),
    ] {
        let (status, body) = sync(&s, auth, &agenda, bad).await;
        assert_eq!(status, 403, "{bad}: {body}");
        assert!(body.contains("<d:valid-sync-token/>"), "{body}");
    }

    // calendar-query with a time range and calendar-multiget.
    s.create_as(&rep, "activities", json!({"kind": "meeting", "subject": "Enero", "starts_at": "2027-01-10T10:00:00Z", "owner_id": rep_id}))
        .await;
    let task = s
        .create_as(&rep, "activities", json!({"kind": "task", "subject": "Enviar propuesta", "due_date": "2026-12-20", "owner_id": rep_id}))
        .await;
    let query = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20270101T000000Z" end="20270201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "REPORT",
        &agenda,
        &[("depth", "1")],
        Some(query.into()),
    )
    .await;
    assert_eq!(status, 207);
    assert_eq!(body.matches("<d:response>").count(), 1, "{body}");
    assert!(body.contains("SUMMARY:Enero"));
    let todos = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/></c:comp-filter></c:filter></c:calendar-query>"#;
    let (_, _, body) = dav(&s, Some(auth), "REPORT", &agenda, &[], Some(todos.into())).await;
    assert!(
        body.contains("BEGIN:VTODO") && body.contains("DUE;VALUE=DATE:20261220"),
        "{body}"
    );
    let multiget = format!(
        r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>{agenda}{task}.ics</d:href><d:href>{agenda}missing.ics</d:href></c:calendar-multiget>"#
    );
    let (_, _, body) = dav(&s, Some(auth), "REPORT", &agenda, &[], Some(multiget)).await;
    assert!(body.contains("SUMMARY:Enviar propuesta"), "{body}");
    assert!(body.contains(&format!(
        "<d:href>{agenda}missing.ics</d:href><d:status>HTTP/1.1 404"
    )));

    // Another rep's agenda is not theirs to read.
    let (_, other) = s.member("otro@test.example.com", "sales_rep").await;
    let (status, _, _) = dav(
        &s,
        Some(("otro@test.example.com", &other)),
        "PROPFIND",
        &agenda,
        &[],
        None,
    )
    .await;
    assert_eq!(status, 404);
}

pub(crate) async fn count(s: &TestServer) -> usize {
    s.get("/api/v1/activities").await.expect(200).body["data"]
        .as_array()
        .unwrap()
        .len()
}

async fn bad_calendar_data_and_stale_etags_are_refused(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let agenda = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let before = count(&s).await;
    for (body, what) in [
        ("this is not a calendar".to_owned(), "valid-calendar-data"),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:x\r\nDTSTART:2026120".to_owned(), "valid-calendar-data"),
        (event("e1", "Al revés", "20261201T100000Z", "20261201T090000Z"), "ends before it starts"),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:y\r\nSUMMARY:sin inicio\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".to_owned(), "DTSTART"),
    ] {
        let (status, _, answer) = dav(&s, Some(auth), "PUT", &format!("{agenda}bad.ics"), &[], Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer.contains(what), "{answer}");
    }
    assert_eq!(count(&s).await, before, "nothing was written");

    // If-None-Match: * on something that exists, If-Match on nothing.
    let ok = event("e2", "Bien", "20261201T100000Z", "20261201T110000Z");
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{agenda}ok.ics"),
        &[("if-none-match", "*")],
        Some(ok.clone()),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{agenda}ok.ics"),
        &[("if-none-match", "*")],
        Some(ok.clone()),
    )
    .await;
    assert_eq!(status, 412);
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{agenda}nada.ics"),
        &[("if-match", "\"v1\"")],
        Some(ok.clone()),
    )
    .await;
    assert_eq!(status, 412);
    // The same UID under a second name conflicts.
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{agenda}twin.ics"),
        &[],
        Some(ok),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "DELETE",
        &format!("{agenda}ok.ics"),
        &[("if-match", "\"v99\"")],
        None,
    )
    .await;
    assert_eq!(status, 412);
    assert_eq!(count(&s).await, before + 1);
    // Deleted on the client with the right ETag: in Cartera's trash.
    let (_, headers, _) = dav(&s, Some(auth), "GET", &format!("{agenda}ok.ics"), &[], None).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "DELETE",
        &format!("{agenda}ok.ics"),
        &[("if-match", &etag)],
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(count(&s).await, before);
    let (status, _, _) = dav(&s, Some(auth), "GET", &format!("{agenda}ok.ics"), &[], None).await;
    assert_eq!(status, 404);

    // A read-only token may look but not write.
    let (_, reader) = s.token_for(ADMIN, cartera_core::users::Scope::Read).await;
    let (status, _, _) = dav(
        &s,
        Some((ADMIN, &reader)),
        "PUT",
        &format!("{agenda}ro.ics"),
        &[],
        Some(event("e3", "x", "20261201T100000Z", "20261201T110000Z")),
    )
    .await;
    assert_eq!(status, 403);
}

async fn address_book_holds_the_contacts_the_user_sees(s: TestServer) {
    let (rep_id, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let auth = ("rep@test.example.com", rep.as_str());
    let book = format!("/dav/addressbooks/{rep_id}/contacts/");
    let mine = s
        .create_as(&rep, "contacts", json!({"first_name": "Lucía", "last_name": "Fernández",
            "emails": [{"address": "lucia@acme.com.ar", "label": "work"}], "job_title": "Compras", "owner_id": rep_id}))
        .await;
    // Someone else's contact, invisible to a rep who sees their own.
    s.create(
        "contacts",
        json!({"first_name": "Ajeno", "last_name": "Oculto"}),
    )
    .await;

    let (status, body) = sync(&s, auth, &book, "").await;
    assert_eq!(status, 207);
    assert_eq!(body.matches("<d:response>").count(), 1, "{body}");
    assert!(body.contains(&format!("{book}{mine}.vcf")));
    let token = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();
    let multiget = format!(
        r#"<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><d:href>{book}{mine}.vcf</d:href></card:addressbook-multiget>"#
    );
    let (_, _, body) = dav(&s, Some(auth), "REPORT", &book, &[], Some(multiget)).await;
    assert!(body.contains("FN:Lucía Fernández"), "{body}");
    assert!(
        body.contains("EMAIL;TYPE=WORK:lucia@acme.com.ar") || body.contains("lucia@acme.com.ar")
    );
    assert!(body.contains("VERSION:4.0"));

    // A card from the phone becomes a contact of the rep.
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-card-1\r\nFN:Beto Gómez\r\nN:Gómez;Beto;;;\r\nEMAIL;TYPE=INTERNET,HOME:beto@example.com\r\nTEL;TYPE=CELL:+54 9 11 5555-0000\r\nTITLE:Gerente\r\nBDAY:1980-04-02\r\nEND:VCARD\r\n";
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{book}beto.vcf"),
        &[("if-none-match", "*")],
        Some(card.into()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let found = s
        .call(
            &rep,
            Method::GET,
            "/api/v1/contacts?filter[last_name]=Gómez",
            None,
        )
        .await
        .expect(200);
    let beto = &found.body["data"][0];
    assert_eq!(beto["first_name"], "Beto");
    assert_eq!(beto["emails"][0]["address"], "beto@example.com");
    assert_eq!(beto["phones"][0]["number"], "+54 9 11 5555-0000");
    assert_eq!(beto["job_title"], "Gerente");
    assert_eq!(beto["birthday"], "1980-04-02");
    assert_eq!(beto["owner_id"], rep_id.to_string());

    // Changes in Cartera: sync lists only them.
    s.call(
        &rep,
        Method::PATCH,
        &format!("/api/v1/contacts/{mine}"),
        Some(json!({"job_title": "Jefa de compras"})),
    )
    .await
    .expect(200);
    let (_, body) = sync(&s, auth, &book, &token).await;
    assert_eq!(body.matches("<d:response>").count(), 2, "{body}");
    assert!(
        body.contains(&format!("{book}beto.vcf")) && body.contains(&format!("{book}{mine}.vcf"))
    );

    // A contact handed to someone else leaves the rep's address book.
    let token = text_between(&body, "<d:sync-token>", "</d:sync-token>")
        .unwrap()
        .to_owned();
    s.patch(
        &format!("/api/v1/contacts/{mine}"),
        json!({"owner_id": s.admin_id}),
    )
    .await
    .expect(200);
    let (_, body) = sync(&s, auth, &book, &token).await;
    assert!(
        body.contains(&format!(
            "<d:href>{book}{mine}.vcf</d:href><d:status>HTTP/1.1 404"
        )),
        "{body}"
    );

    // A card with no name and no email: 400, nothing written.
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{book}empty.vcf"),
        &[],
        Some("BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:x\r\nEND:VCARD\r\n".into()),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("valid-address-data"), "{body}");
}

async fn feed_link_serves_the_agenda_until_rotated(s: TestServer) {
    s.create("activities", json!({"kind": "visit", "subject": "Visita a Acme", "starts_at": "2026-12-02T13:00:00Z", "owner_id": s.admin_id}))
        .await;
    s.create("activities", json!({"kind": "task", "subject": "Preparar demo", "due_date": "2026-12-04", "owner_id": s.admin_id}))
        .await;
    let made = s
        .post("/api/v1/users/me/calendar_feed", json!({}))
        .await
        .expect(201);
    let url = made.body["url"].as_str().unwrap().to_owned();
    let path = &url[url.find("/feeds/").unwrap()..];
    let (status, headers, ics) = dav(&s, None, "GET", path, &[], None).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(
        ics.contains("SUMMARY:Visita a Acme") && ics.contains("BEGIN:VEVENT"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Preparar demo") && ics.contains("BEGIN:VTODO"));
    // Rotated: the old link stops working.
    s.post("/api/v1/users/me/calendar_feed", json!({}))
        .await
        .expect(201);
    let (status, _, _) = dav(&s, None, "GET", path, &[], None).await;
    assert_eq!(status, 404);
    let (status, _, _) = dav(&s, None, "GET", "/feeds/cfeed_guess.ics", &[], None).await;
    assert_eq!(status, 404);
}

async fn vcards_export_and_import_all_or_nothing(s: TestServer) {
    s.create("contacts", json!({"first_name": "Lucía", "last_name": "Fernández", "emails": [{"address": "lucia@acme.com.ar"}]}))
        .await;
    let res = s
        .send(
            Method::GET,
            "/api/v1/contacts/export/vcard",
            Some(&s.token),
            &[],
            None,
        )
        .await
        .expect(200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/vcard")
    );
    let text = res.body.as_str().unwrap().to_owned();
    assert!(
        text.contains("BEGIN:VCARD") && text.contains("FN:Lucía Fernández"),
        "{text}"
    );
    let audit = s.get("/api/v1/audit?filter[action]=exported").await;
    if audit.status.as_u16() == 200 {
        assert!(audit.body.to_string().contains("vcf"), "{}", audit.body);
    }

    // One bad card among good ones: 422 naming it, nothing created.
    let before = s.get("/api/v1/contacts").await.body["data"]
        .as_array()
        .unwrap()
        .len();
    let bad = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Uno\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:sin nombre\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Caro Tres\r\nEMAIL:no-es-un-email\r\nEND:VCARD\r\n";
    let res = s
        .send(
            Method::POST,
            "/api/v1/contacts/import/vcard",
            Some(&s.token),
            &[],
            Some(RawBody::Text("text/vcard", bad.into())),
        )
        .await;
    res.expect(422);
    let res = s
        .send(
            Method::POST,
            "/api/v1/contacts/import/vcard",
            Some(&s.token),
            &[],
            Some(RawBody::Text("text/vcard", bad.into())),
        )
        .await;
    let fields = res.error_fields();
    assert!(fields.contains(&"cards[1].N".to_owned()), "{fields:?}");
    assert_eq!(
        s.get("/api/v1/contacts").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        before
    );
    // Rule breaks found after reading (a bad email) are named by card too.
    let bad_email = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Uno\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Caro Tres\r\nEMAIL:no-es-un-email\r\nEND:VCARD\r\n";
    let res = s
        .send(
            Method::POST,
            "/api/v1/contacts/import/vcard",
            Some(&s.token),
            &[],
            Some(RawBody::Text("text/vcard", bad_email.into())),
        )
        .await
        .expect(422);
    assert!(
        res.error_fields()
            .iter()
            .any(|f| f.starts_with("cards[1].emails")),
        "{:?}",
        res.error_fields()
    );
    assert_eq!(
        s.get("/api/v1/contacts").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        before
    );

    // The export imports back (as new people, after the originals are gone).
    let good = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Pérez;Juan;;;\r\nFN:Juan Pérez\r\nORG:Acme;Ventas\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Marta Ruiz\r\nEMAIL:marta@example.com\r\nEND:VCARD\r\n";
    let res = s
        .send(
            Method::POST,
            "/api/v1/contacts/import/vcard",
            Some(&s.token),
            &[],
            Some(RawBody::Text("text/vcard", good.into())),
        )
        .await
        .expect(201);
    assert_eq!(res.body["created"], 2);
    let juan = s
        .get(&format!(
            "/api/v1/contacts/{}",
            res.body["ids"][0].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(juan.body["last_name"], "Pérez");
    assert_eq!(juan.body["department"], "Ventas");

    // Export needs the export right.
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    let res = s
        .send(
            Method::GET,
            "/api/v1/contacts/export/vcard",
            Some(&rep),
            &[],
            None,
        )
        .await;
    let csv = s
        .send(
            Method::GET,
            "/api/v1/contacts/export",
            Some(&rep),
            &[],
            None,
        )
        .await;
    assert_eq!(
        res.status, csv.status,
        "vCard and CSV exports share their permission"
    );
}

/// A client none of us wrote: the PyPI `caldav` package for the calendar, `requests` and
/// `vobject` for the address book (`tests/api/dav_client.py`; `.ci/run` installs them).
async fn real_clients_sync_both_ways(s: TestServer) {
    let (_, token) = s.member("jefa@test.example.com", "manager").await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/dav_client.py");
    let base = s.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args([script, &base, "jefa@test.example.com", &token])
            .output()
    })
    .await
    .unwrap()
    .expect("python3 runs (install the client with `python3 -m pip install caldav vobject`)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the real client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}

async fn settings_page_shows_the_sync_addresses_and_the_feed_link(s: TestServer) {
    use crate::web::{PASSWORD, get, page};
    let login = s.browser_login(ADMIN, PASSWORD).await;
    let mut settings = get(&s, "/settings", &login.0).await;
    assert_eq!(settings.status, 200);
    // minijinja writes `/` as `&#x2f;` in text; a browser shows a slash.
    settings.text = settings.text.replace("&#x2f;", "/");
    let dav_url = format!("{}/dav/", s.app.public_url().trim_end_matches('/'));
    assert!(
        settings
            .text
            .contains(&format!(r#"<code id="dav-url">{dav_url}</code>"#)),
        "{}",
        settings.text
    );
    assert!(
        settings
            .text
            .contains(&format!(r#"<code id="dav-user">{ADMIN}</code>"#))
    );
    assert!(settings.text.contains("DAVx⁵") && settings.text.contains("Thunderbird"));
    assert!(!settings.text.contains("feed-since"));

    let mut made = page(
        &s,
        Method::POST,
        "/settings/calendar-feed",
        Some(&login.0),
        &[],
        Some(&[("csrf_token", login.1.as_str())]),
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text);
    made.text = made.text.replace("&#x2f;", "/");
    let start = made
        .text
        .find(r#"id="new-feed-url">"#)
        .expect("the link is shown")
        + r#"id="new-feed-url">"#.len();
    let url = &made.text[start..start + made.text[start..].find('<').unwrap()];
    let path = &url[url.find("/feeds/").unwrap()..];
    let (status, _, _) = dav(&s, None, "GET", path, &[], None).await;
    assert_eq!(status, 200);
    // Shown once; the page then says a link exists.
    let again = get(&s, "/settings", &login.0).await;
    assert!(!again.text.replace("&#x2f;", "/").contains(url));
    assert!(again.text.contains(r#"id="feed-since""#));
}

// ---------- Recurring events and attendees (agenda-rest) ----------

pub(crate) const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:Reunión semanal\r\nDTSTART;TZID=Europe/Madrid:20261013T100000\r\nDTEND;TZID=Europe/Madrid:20261013T110000\r\nRRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU\r\nEXDATE;TZID=Europe/Madrid:20261027T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn with_rule(rule: &str) -> String {
    WEEKLY.replace("FREQ=WEEKLY;COUNT=6;BYDAY=TU", rule)
}

/// The starts of the entries of `/api/v1/agenda` named `subject`.
pub(crate) fn starts_of(agenda: &serde_json::Value, subject: &str) -> Vec<String> {
    agenda["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == subject)
        .map(|e| e["starts_at"].as_str().unwrap().to_owned())
        .collect()
}

async fn recurring_events_keep_their_rule_and_show_each_occurrence(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let agenda = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let (status, _, answer) = dav(
        &s,
        Some(auth),
        "PUT",
        &format!("{agenda}weekly.ics"),
        &[],
        Some(WEEKLY.to_owned()),
    )
    .await;
    assert_eq!(status, 201, "{answer}");

    // The activity keeps the rule, the taken-out date and the zone.
    let list = s
        .get("/api/v1/activities?filter[subject]=Reunión semanal")
        .await
        .expect(200);
    let a = &list.body["data"][0];
    assert_eq!(a["starts_at"], "2026-10-13T08:00:00Z");
    assert_eq!(a["recurrence"]["time_zone"], "Europe/Madrid");
    assert_eq!(a["recurrence"]["exdates"], json!(["2026-10-27T09:00:00Z"]));
    let mut parts: Vec<&str> = a["recurrence"]["rule"]
        .as_str()
        .unwrap()
        .split(';')
        .collect();
    parts.sort();
    assert_eq!(parts, ["BYDAY=TU", "COUNT=6", "FREQ=WEEKLY"]);
    let id = a["id"].as_str().unwrap().to_owned();

    // Each occurrence in the window, at 10:00 Madrid time on both sides of the change
    // of time; the 27th is out, COUNT ends the series on 17 November.
    let got = s
        .get("/api/v1/agenda?from=2026-10-01&to=2026-11-30&time_zone=Europe/Madrid")
        .await;
    let body = got.expect(200).body.clone();
    assert_eq!(
        starts_of(&body, "Reunión semanal"),
        [
            "2026-10-13T08:00:00Z",
            "2026-10-20T08:00:00Z",
            "2026-11-03T09:00:00Z",
            "2026-11-10T09:00:00Z",
            "2026-11-17T09:00:00Z",
        ],
        "{body}"
    );
    assert!(
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["recurring"] == true && e["attending"] == false)
    );
    // A narrower window shows only its own.
    let week = s
        .get("/api/v1/agenda?from=2026-11-09&to=2026-11-15&time_zone=Europe/Madrid")
        .await;
    assert_eq!(
        starts_of(&week.expect(200).body, "Reunión semanal"),
        ["2026-11-10T09:00:00Z"]
    );

    // Read back by the client: the same rule, DTSTART in its zone, the EXDATE.
    let (status, _, back) = dav(
        &s,
        Some(auth),
        "GET",
        &format!("{agenda}weekly.ics"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let unfolded = back.replace("\r\n ", "");
    assert!(
        unfolded.contains("DTSTART;TZID=Europe/Madrid:20261013T100000"),
        "{back}"
    );
    assert!(
        unfolded.contains("EXDATE;TZID=Europe/Madrid:20261027T100000"),
        "{back}"
    );
    let rule_line = unfolded
        .lines()
        .find(|l| l.starts_with("RRULE:"))
        .expect("RRULE is given back");
    let mut parts: Vec<&str> = rule_line["RRULE:".len()..].split(';').collect();
    parts.sort();
    assert_eq!(parts, ["BYDAY=TU", "COUNT=6", "FREQ=WEEKLY"]);

    // A time-range query finds the series through an occurrence in the range.
    let query = r#"<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20261110T000000Z" end="20261111T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let (status, _, found) = dav(
        &s,
        Some(auth),
        "REPORT",
        &agenda,
        &[("depth", "1")],
        Some(query.into()),
    )
    .await;
    assert_eq!(status, 207);
    assert!(found.contains("weekly.ics"), "{found}");
    let query = query
        .replace("20261110", "20261124")
        .replace("20261111", "20261125");
    let (_, _, none) = dav(
        &s,
        Some(auth),
        "REPORT",
        &agenda,
        &[("depth", "1")],
        Some(query),
    )
    .await;
    assert!(
        !none.contains("weekly.ics"),
        "after the last occurrence: {none}"
    );

    // The feed carries the rule too.
    let feed = s.post("/api/v1/users/me/calendar_feed", json!({})).await;
    let url = feed.expect(201).body["url"].as_str().unwrap().to_owned();
    let path = &url[url.find("/feeds/").unwrap()..];
    let (_, _, ics) = dav(&s, None, "GET", path, &[], None).await;
    assert!(ics.replace("\r\n ", "").contains("RRULE:"), "{ics}");

    // The month page shows each occurrence on its day.
    use crate::web::{PASSWORD, get};
    let (cookie, _) = s.browser_login(ADMIN, PASSWORD).await;
    let month = get(&s, "/calendar?view=month&date=2026-11-01", &cookie).await;
    assert_eq!(month.status, 200);
    assert_eq!(
        month.text.matches("Reunión semanal").count(),
        3,
        "3, 10 and 17 November"
    );
    // Through the API, a rule is set and changed like any field.
    let changed = s
        .patch(
            &format!("/api/v1/activities/{id}"),
            json!({"recurrence": {"rule": "FREQ=WEEKLY;COUNT=2", "exdates": [], "time_zone": "Europe/Madrid"}}),
        )
        .await;
    changed.expect(200);
    let week = s
        .get("/api/v1/agenda?from=2026-10-01&to=2026-11-30&time_zone=Europe/Madrid")
        .await;
    assert_eq!(
        starts_of(&week.expect(200).body, "Reunión semanal").len(),
        2
    );
}

async fn bad_recurrence_rules_are_refused_with_nothing_written(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let agenda = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let before = count(&s).await;
    for rule in [
        "FREQ=SOMETIMES",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20261201T000000Z",
        "FREQ=WEEKLY;UNTIL=20250101T000000Z",
        "FREQ=MINUTELY",
    ] {
        let (status, _, answer) = dav(
            &s,
            Some(auth),
            "PUT",
            &format!("{agenda}bad-rule.ics"),
            &[],
            Some(with_rule(rule)),
        )
        .await;
        assert_eq!(status, 400, "{rule}: {answer}");
        assert!(answer.contains("valid-calendar-data"), "{answer}");
        assert!(answer.contains("recurrence.rule"), "{rule}: {answer}");
    }
    assert_eq!(count(&s).await, before, "nothing was written");
    // The API refuses the same with a 422 naming the field.
    let res = s
        .post(
            "/api/v1/activities",
            json!({"kind": "meeting", "subject": "x", "starts_at": "2026-12-01T10:00:00Z",
                   "recurrence": {"rule": "FREQ=DAILY;COUNT=0"}}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.body);
    assert_eq!(
        res.body["errors"][0]["field"], "recurrence.rule",
        "{}",
        res.body
    );
    let res = s
        .post(
            "/api/v1/activities",
            json!({"kind": "task", "subject": "x",
                   "recurrence": {"rule": "FREQ=DAILY"}}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.body);
    assert_eq!(res.body["errors"][0]["field"], "recurrence", "{}", res.body);
    assert_eq!(count(&s).await, before);
}

async fn attendees_see_the_activity_read_only(s: TestServer) {
    use crate::web::{PASSWORD, get};
    let (rep_id, rep) = s.member("rep@test.example.com", "sales_rep").await;
    // Another rep's meeting, which the first is invited to; an hour from now, so "today".
    let (_, other) = s.member("otro@test.example.com", "sales_rep").await;
    // At noon in the reps' zone, "today" is the same day there and in UTC.
    s.clock
        .advance_to_noon_in(chrono_tz::America::Argentina::Buenos_Aires);
    let now = s.app.now();
    let start = now + chrono::Duration::minutes(5);
    let start_s = start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let meeting = s
        .create_as(
            &other,
            "activities",
            json!({"kind": "meeting", "subject": "Reunión con invitados", "starts_at": start_s,
                   "attendee_ids": [rep_id]}),
        )
        .await;
    // The rep's agenda shows it, marked as attended.
    let day = start.date_naive();
    let agenda = s
        .call(
            &rep,
            Method::GET,
            &format!("/api/v1/agenda?from={day}&to={day}&time_zone=UTC"),
            None,
        )
        .await;
    let body = agenda.expect(200).body.clone();
    let entry = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["activity_id"] == meeting.as_str())
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(entry["attending"], true);

    // In their CalDAV calendar, to read and not to change.
    let auth = ("rep@test.example.com", rep.as_str());
    let cal = format!("/dav/calendars/{rep_id}/agenda/");
    let href = format!("{cal}{meeting}.ics");
    let (status, headers, ics) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    assert_eq!(status, 200, "{ics}");
    assert!(ics.contains("Reunión con invitados"));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = dav(
        &s,
        Some(auth),
        "PUT",
        &href,
        &[("if-match", &etag)],
        Some(ics.replace("Reunión con invitados", "Cambiada")),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = dav(&s, Some(auth), "DELETE", &href, &[], None).await;
    assert_eq!(status, 403);
    let kept = s.get(&format!("/api/v1/activities/{meeting}")).await;
    assert_eq!(kept.expect(200).body["subject"], "Reunión con invitados");

    // Their calendar page and "My day" show it.
    let (cookie, _) = s.browser_login("rep@test.example.com", PASSWORD).await;
    let week = get(
        &s,
        &format!("/calendar?view=day&date={}", now.date_naive()),
        &cookie,
    )
    .await;
    assert!(week.text.contains("Reunión con invitados"), "{}", week.text);
    assert!(week.text.contains("is-attending"));
    let my_day = get(&s, "/my-day", &cookie).await;
    assert!(
        my_day.text.contains("Reunión con invitados"),
        "{}",
        my_day.text
    );
    // No longer invited: gone from the calendar.
    s.call(
        &other,
        Method::PATCH,
        &format!("/api/v1/activities/{meeting}"),
        Some(json!({"attendee_ids": []})),
    )
    .await
    .expect(200);
    let (status, _, _) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    assert_eq!(status, 404);
}

/// Failed Basic logins count per address like refused bearer tokens: 401 up to the
/// allowance, then 429 with Retry-After; a good login from the address still works, and a
/// request with no credentials (a client's first probe) does not count.
async fn failed_basic_logins_are_limited_per_address(s: TestServer) {
    use cartera_server::state::BEARER_FAILURES_PER_MINUTE;
    let me = format!("/dav/principals/{}/", s.admin_id);
    for _ in 0..(BEARER_FAILURES_PER_MINUTE + 5) {
        let (status, _, _) = dav(
            &s,
            None,
            "PROPFIND",
            &me,
            &[("depth", "0")],
            Some(PROPFIND_PRINCIPAL.into()),
        )
        .await;
        assert_eq!(status, 401);
    }
    let mut limited = None;
    for i in 0..300 {
        let guess = if i % 2 == 0 {
            "crt_guess"
        } else {
            s.token.as_str()
        };
        let who = if i % 2 == 0 {
            ADMIN
        } else {
            "otra@test.example.com"
        };
        let (status, headers, _) = dav(
            &s,
            Some((who, guess)),
            "PROPFIND",
            &me,
            &[("depth", "0")],
            Some(PROPFIND_PRINCIPAL.into()),
        )
        .await;
        if status == 429 {
            limited = Some((i, headers));
            break;
        }
        assert_eq!(status, 401);
    }
    let (attempts, headers) = limited.expect("the address is limited");
    assert!(
        attempts >= BEARER_FAILURES_PER_MINUTE,
        "limited after {attempts}"
    );
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let (status, _, _) = dav(
        &s,
        Some((ADMIN, &s.token)),
        "PROPFIND",
        &me,
        &[("depth", "0")],
        Some(PROPFIND_PRINCIPAL.into()),
    )
    .await;
    assert_eq!(status, 207, "a good login still works");
}
