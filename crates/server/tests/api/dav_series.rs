//! Recurring series beyond their rule (agenda-rec): single occurrences changed on a phone
//! (RECURRENCE-ID overrides) or in Cartera (the occurrence endpoint, a calendar drag),
//! both ways; bad overrides refused with nothing written; recurring to-dos that move on
//! when done; the address book's query filter.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::dav::{ADMIN, WEEKLY, count, dav, starts_of};
use crate::support::{RawBody, TestServer};

both!(
    occurrences_changed_on_their_own_sync_both_ways,
    bad_overrides_are_refused_with_nothing_written,
    a_recurring_to_do_moves_on_when_done,
    address_book_query_honours_its_filter
);

/// The weekly series with the 10 November occurrence moved to Thursday 12 at 16:00 and
/// renamed, and the 3 November one cancelled, as a phone writes them.
fn weekly_with_overrides() -> String {
    let overrides = "BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261001T000000Z\r\nRECURRENCE-ID;TZID=Europe/Madrid:20261110T100000\r\nSUMMARY:Reunión semanal (movida)\r\nDTSTART;TZID=Europe/Madrid:20261112T160000\r\nDTEND;TZID=Europe/Madrid:20261112T170000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261001T000000Z\r\nRECURRENCE-ID;TZID=Europe/Madrid:20261103T100000\r\nSUMMARY:Reunión semanal\r\nDTSTART;TZID=Europe/Madrid:20261103T100000\r\nDTEND;TZID=Europe/Madrid:20261103T110000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n";
    WEEKLY.replace("END:VCALENDAR", &format!("{overrides}END:VCALENDAR"))
}

async fn agenda(s: &TestServer) -> Value {
    s.get("/api/v1/agenda?from=2026-10-01&to=2026-11-30&time_zone=Europe/Madrid")
        .await
        .expect(200)
        .body
}

async fn occurrences_changed_on_their_own_sync_both_ways(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let cal = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let href = format!("{cal}weekly.ics");
    let (status, _, answer) = dav(
        &s,
        Some(auth),
        "PUT",
        &href,
        &[],
        Some(weekly_with_overrides()),
    )
    .await;
    assert_eq!(status, 201, "{answer}");

    // The agenda shows the moved occurrence at its new time only, and not the
    // cancelled one.
    let body = agenda(&s).await;
    assert_eq!(
        starts_of(&body, "Reunión semanal"),
        [
            "2026-10-13T08:00:00Z",
            "2026-10-20T08:00:00Z",
            "2026-11-17T09:00:00Z"
        ],
        "{body}"
    );
    assert_eq!(
        starts_of(&body, "Reunión semanal (movida)"),
        ["2026-11-12T15:00:00Z"]
    );
    let moved = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject"] == "Reunión semanal (movida)")
        .unwrap();
    assert_eq!(moved["original_start"], "2026-11-10T09:00:00Z");
    assert_eq!(moved["ends_at"], "2026-11-12T16:00:00Z");
    assert_eq!(moved["day"], "2026-11-12");
    let id = moved["activity_id"].as_str().unwrap().to_owned();
    let a = s
        .get(&format!("/api/v1/activities/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(a["recurrence"]["overrides"].as_array().unwrap().len(), 2);

    // The client reads back the master with its rule and each override.
    let (status, headers, back) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    assert_eq!(status, 200);
    let unfolded = back.replace("\r\n ", "");
    assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 3, "{back}");
    assert_eq!(unfolded.matches("RRULE:").count(), 1, "{back}");
    for line in [
        "EXDATE;TZID=Europe/Madrid:20261027T100000",
        "RECURRENCE-ID;TZID=Europe/Madrid:20261110T100000",
        "DTSTART;TZID=Europe/Madrid:20261112T160000",
        "SUMMARY:Reunión semanal (movida)",
        "RECURRENCE-ID;TZID=Europe/Madrid:20261103T100000",
        "STATUS:CANCELLED",
    ] {
        assert!(unfolded.contains(line), "{line} in {back}");
    }
    // What the client read goes back unchanged (a phone saves what it has).
    let etag = headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let (status, _, answer) = dav(
        &s,
        Some(auth),
        "PUT",
        &href,
        &[("if-match", etag.as_str())],
        Some(back.clone()),
    )
    .await;
    assert_eq!(status, 204, "{answer}");
    assert_eq!(agenda(&s).await["data"], body["data"]);

    // A time-range query finds the series on the day an occurrence was moved to.
    let query = r#"<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20261112T000000Z" end="20261113T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let (_, _, found) = dav(
        &s,
        Some(auth),
        "REPORT",
        &cal,
        &[("depth", "1")],
        Some(query.into()),
    )
    .await;
    assert!(found.contains("weekly.ics"), "{found}");

    // Cartera moves another occurrence: the client reads it as an override.
    let moved = s
        .call(
            &s.token,
            Method::PATCH,
            &format!("/api/v1/activities/{id}/occurrences/2026-10-20T08:00:00Z"),
            Some(json!({"starts_at": "2026-10-21T14:00:00Z"})),
        )
        .await;
    let changed = moved.expect(200).body;
    assert_eq!(
        changed["recurrence"]["overrides"].as_array().unwrap().len(),
        3
    );
    let body = agenda(&s).await;
    assert_eq!(
        starts_of(&body, "Reunión semanal"),
        [
            "2026-10-13T08:00:00Z",
            "2026-10-21T14:00:00Z",
            "2026-11-17T09:00:00Z"
        ],
        "{body}"
    );
    let (_, _, back) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    let unfolded = back.replace("\r\n ", "");
    assert!(
        unfolded.contains("RECURRENCE-ID;TZID=Europe/Madrid:20261020T100000"),
        "{back}"
    );
    assert!(
        unfolded.contains("DTSTART;TZID=Europe/Madrid:20261021T160000")
            && unfolded.contains("DTEND;TZID=Europe/Madrid:20261021T170000"),
        "the end moves with the start: {back}"
    );
    // An If-Match naming an older version of the series is refused.
    let res = s
        .send(
            Method::PATCH,
            &format!("/api/v1/activities/{id}/occurrences/2026-11-17T09:00:00Z"),
            Some(&s.token),
            &[("if-match", "\"1\"")],
            Some(RawBody::Json(json!({"status": "cancelled"}))),
        )
        .await;
    assert_eq!(res.status.as_u16(), 412, "{}", res.body);

    // The feed carries the overrides too.
    let feed = s.post("/api/v1/users/me/calendar_feed", json!({})).await;
    let url = feed.expect(201).body["url"].as_str().unwrap().to_owned();
    let path = &url[url.find("/feeds/").unwrap()..];
    let (_, _, ics) = dav(&s, None, "GET", path, &[], None).await;
    assert_eq!(ics.replace("\r\n ", "").matches("RECURRENCE-ID").count(), 3);

    // Dragging an occurrence in the calendar moves it alone, keeping its time of day.
    use crate::web::{PASSWORD, get, page};
    let (cookie, csrf) = s.browser_login(ADMIN, PASSWORD).await;
    let month = get(&s, "/calendar?view=month&date=2026-11-01", &cookie).await;
    assert!(
        month
            .text
            .contains(r#"data-occurrence="2026-11-17T09:00:00Z""#),
        "{}",
        month.text
    );
    let dragged = page(
        &s,
        Method::POST,
        &format!("/activities/{id}/move"),
        Some(&cookie),
        &[("hx-request", "true")],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("day", "2026-11-19"),
            ("occurrence", "2026-11-17T09:00:00Z"),
        ]),
    )
    .await;
    assert_eq!(dragged.status, 204, "{}", dragged.text);
    assert_eq!(
        starts_of(&agenda(&s).await, "Reunión semanal"),
        [
            "2026-10-13T08:00:00Z",
            "2026-10-21T14:00:00Z",
            "2026-11-19T09:00:00Z"
        ]
    );
    // Cancelling an occurrence takes it off the agenda, and the client reads it so.
    s.patch(
        &format!("/api/v1/activities/{id}/occurrences/2026-10-13T08:00:00Z"),
        json!({"status": "cancelled"}),
    )
    .await
    .expect(200);
    assert_eq!(
        starts_of(&agenda(&s).await, "Reunión semanal"),
        ["2026-10-21T14:00:00Z", "2026-11-19T09:00:00Z"]
    );
    let (_, _, back) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    assert_eq!(back.matches("STATUS:CANCELLED").count(), 2, "{back}");
}

async fn bad_overrides_are_refused_with_nothing_written(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let cal = format!("/dav/calendars/{}/agenda/", s.admin_id);
    let before = count(&s).await;
    let good = weekly_with_overrides();
    let cases = [
        (
            // Wednesday 11 November is not an occurrence of a Tuesday series.
            good.replace(
                "RECURRENCE-ID;TZID=Europe/Madrid:20261110T100000",
                "RECURRENCE-ID;TZID=Europe/Madrid:20261111T100000",
            ),
            "recurrence.overrides",
        ),
        (
            // An override alone, without its series.
            good.replace("RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU\r\n", "")
                .replacen("BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:Reunión semanal\r\nDTSTART;TZID=Europe/Madrid:20261013T100000\r\nDTEND;TZID=Europe/Madrid:20261013T110000\r\nEXDATE;TZID=Europe/Madrid:20261027T100000\r\nEND:VEVENT\r\n", "", 1),
            "RECURRENCE-ID",
        ),
        (
            // An override of an event that does not repeat.
            good.replace("RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU\r\n", ""),
            "RECURRENCE-ID",
        ),
        (
            good.replace(
                "RECURRENCE-ID;TZID=Europe/Madrid:20261110T100000",
                "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Madrid:20261110T100000",
            ),
            "THISANDFUTURE",
        ),
        (
            good.replace(
                "DTEND;TZID=Europe/Madrid:20261112T170000",
                "DTEND;TZID=Europe/Madrid:20261112T150000",
            ),
            "DTEND",
        ),
    ];
    for (ics, said) in cases {
        let (status, _, answer) = dav(
            &s,
            Some(auth),
            "PUT",
            &format!("{cal}bad-override.ics"),
            &[],
            Some(ics.clone()),
        )
        .await;
        assert_eq!(status, 400, "{said}: {answer}\n{ics}");
        assert!(answer.contains("valid-calendar-data"), "{answer}");
        assert!(answer.contains(said), "{said}: {answer}");
    }
    assert_eq!(count(&s).await, before, "nothing was written");

    // Through the API.
    let series = s
        .post(
            "/api/v1/activities",
            json!({"kind": "meeting", "subject": "Serie", "starts_at": "2026-12-01T10:00:00Z",
                   "ends_at": "2026-12-01T11:00:00Z", "recurrence": {"rule": "FREQ=DAILY;COUNT=5"}}),
        )
        .await
        .expect(201)
        .body;
    let id = series["id"].as_str().unwrap();
    let one_off = s
        .post(
            "/api/v1/activities",
            json!({"kind": "meeting", "subject": "Suelta", "starts_at": "2026-12-01T10:00:00Z"}),
        )
        .await
        .expect(201)
        .body;
    let path = |id: &str, at: &str| format!("/api/v1/activities/{id}/occurrences/{at}");
    s.patch(
        &path(id, "2026-12-01T10:30:00Z"),
        json!({"status": "cancelled"}),
    )
    .await
    .problem(422, "original_start");
    s.patch(
        &path(id, "2026-12-09T10:00:00Z"),
        json!({"status": "cancelled"}),
    )
    .await
    .problem(422, "original_start");
    s.patch(&path(id, "mañana"), json!({"status": "cancelled"}))
        .await
        .problem(400, "original_start");
    s.patch(
        &path(id, "2026-12-02T10:00:00Z"),
        json!({"ends_at": "2026-12-02T09:00:00Z"}),
    )
    .await
    .problem(422, "recurrence.overrides[0].ends_at");
    s.patch(&path(id, "2026-12-02T10:00:00Z"), json!({"colour": "red"}))
        .await
        .problem(422, "colour");
    s.patch(
        &path(one_off["id"].as_str().unwrap(), "2026-12-01T10:00:00Z"),
        json!({"status": "cancelled"}),
    )
    .await
    .problem(422, "recurrence");
    let after = s
        .get(&format!("/api/v1/activities/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(after["version"], series["version"], "nothing was written");
    assert_eq!(after["recurrence"]["overrides"], json!([]));
    // Overrides written as a field are checked the same way.
    s.patch(
        &format!("/api/v1/activities/{id}"),
        json!({"recurrence": {"rule": "FREQ=DAILY;COUNT=5",
               "overrides": [{"original_start": "2026-12-10T10:00:00Z", "subject": "x"}]}}),
    )
    .await
    .problem(422, "recurrence.overrides[0].original_start");

    // The series moved as a whole an hour later takes its overrides along.
    s.patch(
        &path(id, "2026-12-03T10:00:00Z"),
        json!({"status": "cancelled"}),
    )
    .await
    .expect(200);
    let moved = s
        .patch(
            &format!("/api/v1/activities/{id}"),
            json!({"starts_at": "2026-12-01T11:00:00Z", "ends_at": "2026-12-01T12:00:00Z"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        moved["recurrence"]["overrides"][0]["original_start"],
        "2026-12-03T11:00:00Z"
    );
    let week = s
        .get("/api/v1/agenda?from=2026-12-01&to=2026-12-07&time_zone=UTC")
        .await
        .expect(200)
        .body;
    assert_eq!(
        starts_of(&week, "Serie"),
        [
            "2026-12-01T11:00:00Z",
            "2026-12-02T11:00:00Z",
            "2026-12-04T11:00:00Z",
            "2026-12-05T11:00:00Z"
        ]
    );
}

const WEEKLY_TODO: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTODO\r\nUID:todo-weekly\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:Enviar informe semanal\r\nDTSTART;VALUE=DATE:20261201\r\nDUE;VALUE=DATE:20261201\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

async fn a_recurring_to_do_moves_on_when_done(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let href = format!("/dav/calendars/{}/agenda/todo.ics", s.admin_id);
    let (status, _, answer) =
        dav(&s, Some(auth), "PUT", &href, &[], Some(WEEKLY_TODO.into())).await;
    assert_eq!(status, 201, "{answer}");
    let list = s
        .get("/api/v1/activities?filter[subject]=Enviar informe semanal")
        .await
        .expect(200)
        .body;
    let task = &list["data"][0];
    assert_eq!(task["kind"], "task");
    assert_eq!(task["due_date"], "2026-12-01");
    assert_eq!(task["recurrence"]["rule"], "FREQ=WEEKLY;COUNT=3");
    let id = task["id"].as_str().unwrap().to_owned();
    let (_, _, back) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    let unfolded = back.replace("\r\n ", "");
    assert!(unfolded.contains("RRULE:FREQ=WEEKLY;COUNT=3"), "{back}");
    assert!(unfolded.contains("DTSTART;VALUE=DATE:20261201"), "{back}");

    // Done in Cartera: the next occurrence is due, the rule counts one fewer.
    let done = s
        .patch(
            &format!("/api/v1/activities/{id}"),
            json!({"status": "done"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(done["status"], "planned");
    assert_eq!(done["due_date"], "2026-12-08");
    assert_eq!(done["recurrence"]["rule"], "FREQ=WEEKLY;COUNT=2");

    // Done on the phone: the same.
    let (_, headers, back) = dav(&s, Some(auth), "GET", &href, &[], None).await;
    assert!(back.contains("DUE;VALUE=DATE:20261208"), "{back}");
    let etag = headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let completed = back.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED");
    let (status, _, answer) = dav(
        &s,
        Some(auth),
        "PUT",
        &href,
        &[("if-match", etag.as_str())],
        Some(completed),
    )
    .await;
    assert_eq!(status, 204, "{answer}");
    let t = s
        .get(&format!("/api/v1/activities/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(t["status"], "planned");
    assert_eq!(t["due_date"], "2026-12-15");
    assert_eq!(t["recurrence"]["rule"], "FREQ=WEEKLY;COUNT=1");

    // The last occurrence done: the task stays done.
    let last = s
        .patch(
            &format!("/api/v1/activities/{id}"),
            json!({"status": "done"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(last["status"], "done");
    assert_eq!(last["due_date"], "2026-12-15");
}

fn query(filter: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop>{filter}</card:addressbook-query>"#
    )
}

async fn address_book_query_honours_its_filter(s: TestServer) {
    let auth = (ADMIN, s.token.as_str());
    let book = format!("/dav/addressbooks/{}/contacts/", s.admin_id);
    let lucia = s
        .create(
            "contacts",
            json!({"first_name": "Lucía", "last_name": "Fernández",
                   "emails": [{"address": "lucia@acme.com.ar"}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let beto = s
        .create(
            "contacts",
            json!({"first_name": "Beto", "last_name": "Gómez",
                   "emails": [{"address": "beto@example.com"}],
                   "phones": [{"number": "+54 9 11 5555-0000"}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hits = |body: &str| -> Vec<&'static str> {
        let mut v = Vec::new();
        if body.contains(&format!("{lucia}.vcf")) {
            v.push("lucia");
        }
        if body.contains(&format!("{beto}.vcf")) {
            v.push("beto");
        }
        v
    };
    let cases = [
        (
            r#"<card:filter><card:prop-filter name="EMAIL"><card:text-match match-type="contains">ACME</card:text-match></card:prop-filter></card:filter>"#,
            vec!["lucia"],
        ),
        (
            r#"<card:filter><card:prop-filter name="EMAIL"><card:text-match match-type="equals">beto@example.com</card:text-match></card:prop-filter></card:filter>"#,
            vec!["beto"],
        ),
        (
            r#"<card:filter><card:prop-filter name="FN"><card:text-match match-type="starts-with" negate-condition="yes">luc</card:text-match></card:prop-filter></card:filter>"#,
            vec!["beto"],
        ),
        (
            r#"<card:filter><card:prop-filter name="TEL"><card:text-match match-type="ends-with">0000</card:text-match></card:prop-filter></card:filter>"#,
            vec!["beto"],
        ),
        (
            r#"<card:filter test="allof"><card:prop-filter name="FN"><card:text-match>e</card:text-match></card:prop-filter><card:prop-filter name="TEL"><card:is-not-defined/></card:prop-filter></card:filter>"#,
            vec!["lucia"],
        ),
        (
            r#"<card:filter test="anyof"><card:prop-filter name="EMAIL"><card:text-match>acme</card:text-match></card:prop-filter><card:prop-filter name="TEL"/></card:filter>"#,
            vec!["lucia", "beto"],
        ),
        (
            r#"<card:filter><card:prop-filter name="EMAIL"><card:text-match>nadie</card:text-match></card:prop-filter></card:filter>"#,
            vec![],
        ),
        ("", vec!["lucia", "beto"]),
    ];
    for (filter, want) in cases {
        let (status, _, body) = dav(
            &s,
            Some(auth),
            "REPORT",
            &book,
            &[("depth", "1")],
            Some(query(filter)),
        )
        .await;
        assert_eq!(status, 207, "{body}");
        assert_eq!(hits(&body), want, "{filter}: {body}");
    }
    let (status, _, body) = dav(
        &s,
        Some(auth),
        "REPORT",
        &book,
        &[("depth", "1")],
        Some(query(
            r#"<card:filter><card:prop-filter name="FN"><card:text-match match-type="regex">.*</card:text-match></card:prop-filter></card:filter>"#,
        )),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("supported-filter"), "{body}");
}
