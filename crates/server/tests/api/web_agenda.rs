//! The agenda's pages: the header's notification badge and the notifications page, an
//! activity marked done with its report, a calendar drag (the same form a phone posts),
//! the targets and the dead jobs an admin retries.

use chrono::{Duration, SecondsFormat};
use reqwest::Method;
use serde_json::json;

use cartera_app::jobs::{JobFailure, Worker};
use cartera_core::jobs::NewJob;

use crate::both;
use crate::support::TestServer;
use crate::web::{PASSWORD, get, page};

both!(
    agenda_pages_work_for_a_rep,
    dead_jobs_are_listed_and_retried_by_an_admin,
    follow_up_rules_are_changed_on_their_page,
    targets_are_set_changed_and_deleted_on_the_targets_page
);

async fn agenda_pages_work_for_a_rep(s: TestServer) {
    let (rep, token) = s.member("rita@test.example.com", "sales_rep").await;
    // At noon in the reps' zone, "today" is the same day there and in UTC.
    s.clock
        .advance_to_noon_in(chrono_tz::America::Argentina::Buenos_Aires);
    let starts = (s.app.now() + Duration::hours(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let visit = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "visit", "subject": "Visita al tambo", "starts_at": starts, "reminders": [60]}),
        )
        .await;
    let (cookie, csrf) = s.browser_login("rita@test.example.com", PASSWORD).await;

    // No badge until a reminder fires.
    let badge = get(&s, "/notifications/badge", &cookie).await;
    assert_eq!(badge.status, 200);
    assert!(!badge.text.contains("bell-count"));
    s.clock.advance(Duration::hours(2) + Duration::minutes(1));
    Worker::standard("web").run_due(&s.app).await.unwrap();
    let badge = get(&s, "/notifications/badge", &cookie).await;
    assert!(badge.text.contains(">1<"), "{}", badge.text);
    let list = get(&s, "/notifications", &cookie).await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("Visita al tambo"));
    assert!(list.text.contains("Recordatorio"));
    let read = page(
        &s,
        Method::POST,
        "/notifications/read-all",
        Some(&cookie),
        &[],
        Some(&[("csrf_token", csrf.as_str())]),
    )
    .await;
    assert_eq!(read.status, 303, "{}", read.text);
    assert!(
        !get(&s, "/notifications/badge", &cookie)
            .await
            .text
            .contains("bell-count")
    );

    // Search finds activities too, and leads to their page.
    let found = get(&s, "/search?q=tambo", &cookie).await;
    assert!(
        found.text.contains(&format!("/activities/{visit}"))
            || found
                .text
                .contains(&format!("&#x2f;activities&#x2f;{visit}")),
        "{}",
        found.text
    );

    // The activity's page, and the calendar shows it today.
    let a = get(&s, &format!("/activities/{visit}"), &cookie).await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("Visita al tambo"));
    assert!(a.text.contains("60 min antes"));
    let week = get(&s, "/calendar", &cookie).await;
    assert_eq!(week.status, 200);
    assert!(week.text.contains("Visita al tambo"));
    for view in ["day", "month"] {
        let p = get(&s, &format!("/calendar?view={view}"), &cookie).await;
        assert_eq!(p.status, 200);
        assert!(p.text.contains("Visita al tambo"), "{view}");
    }

    // Moved to tomorrow, the phone's way (a date field), keeping its time.
    let tomorrow = (s.app.now() + Duration::days(1)).date_naive().to_string();
    let before = s.get(&format!("/api/v1/activities/{visit}")).await.body;
    let moved = page(
        &s,
        Method::POST,
        &format!("/activities/{visit}/move"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("day", tomorrow.as_str()),
            ("version", "1"),
        ]),
    )
    .await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    let after = s.get(&format!("/api/v1/activities/{visit}")).await.body;
    assert_eq!(after["version"], 2);
    assert_ne!(after["starts_at"], before["starts_at"]);
    // A stale version is refused with a message, not written.
    let stale = page(
        &s,
        Method::POST,
        &format!("/activities/{visit}/move"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("day", tomorrow.as_str()),
            ("version", "1"),
        ]),
    )
    .await;
    assert_eq!(stale.status, 409);

    // Marked done with a report and next action: no prompt follows.
    let done = page(
        &s,
        Method::POST,
        &format!("/activities/{visit}/done"),
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("version", "2"),
            ("outcome", "Interesados"),
            ("report", "Quieren 20 bolsas"),
            ("next_action", "Enviar presupuesto"),
        ]),
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.text);
    let after = s.get(&format!("/api/v1/activities/{visit}")).await.body;
    assert_eq!(after["status"], "done");
    assert_eq!(after["report"], "Quieren 20 bolsas");
    assert_eq!(Worker::standard("web").run_due(&s.app).await.unwrap(), 0);

    // Targets: the month's attainment.
    let period = (s.app.now() + Duration::days(1))
        .format("%Y-%m")
        .to_string();
    s.create(
        "activity_targets",
        json!({"user_id": rep, "period": period, "visits": 4, "calls": 0}),
    )
    .await;
    let t = get(&s, &format!("/targets?period={period}"), &cookie).await;
    assert_eq!(t.status, 200);
    assert!(t.text.contains("1 / 4"), "{}", t.text);
    assert!(t.text.contains("25%"));
    // A new activity from the calendar's form, on the rep's own agenda.
    let form = get(&s, "/activities/new", &cookie).await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("name=\"subject\""));
    let made = page(
        &s,
        Method::POST,
        "/activities/new",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("kind", "call"),
            ("subject", "Llamar a Molinos"),
            ("date", tomorrow.as_str()),
            ("time", "10:30"),
            ("reminder", "15"),
        ]),
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let id = made
        .location
        .unwrap()
        .trim_start_matches("/activities/")
        .to_owned();
    let call = s
        .get(&format!("/api/v1/activities/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(call["owner_id"], json!(rep));
    assert_eq!(call["reminders"], json!([15]));
    assert!(call["starts_at"].is_string());
    let empty = page(
        &s,
        Method::POST,
        "/activities/new",
        Some(&cookie),
        &[],
        Some(&[
            ("csrf_token", csrf.as_str()),
            ("kind", "task"),
            ("subject", ""),
        ]),
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text.contains("form-alert"));

    // My day shows unread notifications: the visit prompt of a visit done without a report.
    let bare = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "visit", "subject": "Visita sin informe", "status": "done"}),
        )
        .await;
    Worker::standard("web").run_due(&s.app).await.unwrap();
    let day = get(&s, "/my-day", &cookie).await;
    assert!(
        day.text
            .contains("Informe y próximo paso de la visita: Visita sin informe"),
        "{}",
        day.text
    );
    let _ = bare;

    // Nav entries on every page.
    assert!(t.text.contains("href=\"/calendar\""));
    assert!(t.text.contains("href=\"/notifications\""));
}

async fn dead_jobs_are_listed_and_retried_by_an_admin(s: TestServer) {
    let job = NewJob {
        max_attempts: 1,
        ..NewJob::new("test.broken", json!({}), s.app.now())
    };
    let id = cartera_app::jobs::enqueue(&s.app, &job)
        .await
        .unwrap()
        .unwrap();
    Worker::new("w")
        .handle("test.broken", |_app, _job| async {
            Err(JobFailure("the printer is on fire".into()))
        })
        .run_due(&s.app)
        .await
        .unwrap();
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = get(&s, "/admin/jobs", &cookie).await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains("test.broken"));
    assert!(p.text.contains("the printer is on fire"));
    let r = page(
        &s,
        Method::POST,
        &format!("/admin/jobs/{id}/retry"),
        Some(&cookie),
        &[],
        Some(&[("csrf_token", csrf.as_str())]),
    )
    .await;
    assert_eq!(r.status, 303);
    let j = s.get(&format!("/api/v1/jobs/{id}")).await.expect(200);
    assert_eq!(j.body["state"], "queued");
    assert!(
        !get(&s, "/admin/jobs", &cookie)
            .await
            .text
            .contains("test.broken")
    );
    // A rep is not let in.
    s.member("rita@test.example.com", "sales_rep").await;
    let (rep_cookie, _) = s.browser_login("rita@test.example.com", PASSWORD).await;
    assert_eq!(get(&s, "/admin/jobs", &rep_cookie).await.status, 403);
}

// ---------- Follow-up rules and target editing (agenda-rest) ----------

async fn post_form(
    s: &TestServer,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> crate::web::Page {
    page(s, Method::POST, path, Some(cookie), &[], Some(form)).await
}

async fn follow_up_rules_are_changed_on_their_page(s: TestServer) {
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let p = get(&s, "/follow-up-rules", &cookie).await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains("Reglas de seguimiento"));
    assert!(
        p.text
            .contains(r#"name="quote_follow_up_days" inputmode="numeric" value="3""#),
        "{}",
        p.text
    );
    assert!(p.text.contains(r#"value="A""#) && p.text.contains(r#"value="15""#));
    assert!(p.text.contains("checked"));

    // Quote days 5, prompt off, B removed, a new class VIP, no default.
    let saved = post_form(
        &s,
        "/follow-up-rules",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("quote_follow_up_days", "5"),
            ("class_0", "A"),
            ("days_0", "10"),
            ("class_1", "B"),
            ("days_1", ""),
            ("class_2", "C"),
            ("days_2", "60"),
            ("class_3", "VIP"),
            ("days_3", "7"),
            ("no_contact_default_days", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let rules = s
        .get("/api/v1/follow_up_rules")
        .await
        .expect(200)
        .body
        .clone();
    assert_eq!(rules["quote_follow_up_days"], 5);
    assert_eq!(rules["visit_report_prompt"], false);
    assert_eq!(
        rules["no_contact_days"],
        json!({"A": 10, "C": 60, "VIP": 7})
    );
    assert_eq!(rules["no_contact_default_days"], serde_json::Value::Null);
    let shown = get(&s, "/follow-up-rules?saved=1", &cookie).await;
    assert!(shown.text.contains("Reglas guardadas"));
    assert!(shown.text.contains(r#"value="VIP""#));

    // Out of range and not a number: messages by field, nothing changed.
    let bad = post_form(
        &s,
        "/follow-up-rules",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("quote_follow_up_days", "400"),
            ("visit_report_prompt", "on"),
            ("class_0", "A"),
            ("days_0", "10"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Entre 1 y 365 días"), "{}", bad.text);
    assert!(bad.text.contains(r#"value="400""#), "the typed value stays");
    let bad = post_form(
        &s,
        "/follow-up-rules",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("quote_follow_up_days", "5"),
            ("class_0", "A"),
            ("days_0", "diez"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("Escribe un número entero de días"),
        "{}",
        bad.text
    );
    let bad = post_form(
        &s,
        "/follow-up-rules",
        &cookie,
        &[("csrf_token", &csrf), ("class_0", "A"), ("days_0", "0")],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Entre 1 y 365 días"), "{}", bad.text);
    assert_eq!(
        s.get("/api/v1/follow_up_rules").await.expect(200).body,
        rules
    );

    // A manager reads them (in English here) but does not change them.
    s.member("jefe@test.example.com", "manager").await;
    let (mc, mcsrf) = s.browser_login("jefe@test.example.com", PASSWORD).await;
    let read = page(
        &s,
        Method::GET,
        "/follow-up-rules",
        Some(&mc),
        &[("accept-language", "en")],
        None,
    )
    .await;
    assert_eq!(read.status, 200);
    assert!(
        read.text.contains("only an administrator can change them")
            || read.text.contains("solo un administrador"),
        "{}",
        read.text
    );
    assert!(read.text.contains("disabled"));
    let refused = post_form(
        &s,
        "/follow-up-rules",
        &mc,
        &[("csrf_token", &mcsrf), ("quote_follow_up_days", "9")],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        s.get("/api/v1/follow_up_rules").await.expect(200).body,
        rules
    );
}

async fn targets_are_set_changed_and_deleted_on_the_targets_page(s: TestServer) {
    let (rep, _) = s.member("rita@test.example.com", "sales_rep").await;
    let (cookie, csrf) = s.browser_login("admin@test.example.com", PASSWORD).await;
    let period = "2026-11";
    let t = get(&s, &format!("/targets?period={period}"), &cookie).await;
    assert_eq!(t.status, 200);
    assert!(t.text.contains("Agregar objetivo"));
    assert!(
        t.text.contains(&format!(r#"<option value="{rep}""#)),
        "{}",
        t.text
    );
    let rep_s = rep.to_string();

    let made = post_form(
        &s,
        "/targets",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("period", period),
            ("user_id", &rep_s),
            ("visits", "12"),
            ("calls", "30"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let list = s
        .get(&format!("/api/v1/activity_targets?period={period}"))
        .await
        .expect(200)
        .body
        .clone();
    assert_eq!(list["data"][0]["visits"], 12);
    assert_eq!(list["data"][0]["calls"], 30);
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let shown = get(&s, &format!("/targets?period={period}&saved=1"), &cookie).await;
    assert!(shown.text.contains("Objetivo guardado"));
    assert!(
        shown.text.contains(&format!(r#"action="/targets/{id}""#))
            || shown.text.contains(&format!("&#x2f;targets&#x2f;{id}")),
        "{}",
        shown.text
    );

    // Refused: a second target for the same month, a number out of range, not a number.
    let twin = post_form(
        &s,
        "/targets",
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("period", period),
            ("user_id", &rep_s),
            ("visits", "1"),
        ],
    )
    .await;
    assert_eq!(twin.status, 422);
    let none = post_form(
        &s,
        "/targets",
        &cookie,
        &[("csrf_token", &csrf), ("period", period), ("visits", "1")],
    )
    .await;
    assert_eq!(none.status, 422);
    assert!(none.text.contains("Elige un vendedor"), "{}", none.text);
    let bad = post_form(
        &s,
        &format!("/targets/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("period", period),
            ("visits", "-1"),
            ("calls", "30"),
            ("version", "1"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Entre 0 y 100000."), "{}", bad.text);
    let bad = post_form(
        &s,
        &format!("/targets/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("period", period),
            ("visits", "doce"),
            ("calls", "30"),
            ("version", "1"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("Escribe un número entero."),
        "{}",
        bad.text
    );
    assert!(bad.text.contains(r#"value="doce""#));

    let changed = post_form(
        &s,
        &format!("/targets/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("period", period),
            ("visits", "15"),
            ("calls", "30"),
            ("version", "1"),
        ],
    )
    .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    let one = s
        .get(&format!("/api/v1/activity_targets/{id}"))
        .await
        .expect(200)
        .body
        .clone();
    assert_eq!(one["visits"], 15);
    // A stale version is refused.
    let stale = post_form(
        &s,
        &format!("/targets/{id}"),
        &cookie,
        &[
            ("csrf_token", &csrf),
            ("period", period),
            ("visits", "16"),
            ("calls", "30"),
            ("version", "1"),
        ],
    )
    .await;
    assert_eq!(stale.status, 422);

    // A manager sets her team's targets in the page (issue 17); a rep sees the bars, not
    // the editor, and may not change them.
    s.member("jefe@test.example.com", "manager").await;
    let (jc, _) = s.browser_login("jefe@test.example.com", PASSWORD).await;
    let editor = get(&s, &format!("/targets?period={period}"), &jc).await;
    assert!(editor.text.contains("Cambiar objetivos"), "{}", editor.text);
    s.member("vende@test.example.com", "sales_rep").await;
    let (mc, mcsrf) = s.browser_login("vende@test.example.com", PASSWORD).await;
    let read = get(&s, &format!("/targets?period={period}"), &mc).await;
    assert_eq!(read.status, 200);
    assert!(!read.text.contains("Cambiar objetivos"));
    let refused = post_form(
        &s,
        &format!("/targets/{id}/delete"),
        &mc,
        &[("csrf_token", &mcsrf), ("period", period)],
    )
    .await;
    assert_eq!(refused.status, 403);

    let gone = post_form(
        &s,
        &format!("/targets/{id}/delete"),
        &cookie,
        &[("csrf_token", &csrf), ("period", period)],
    )
    .await;
    assert_eq!(gone.status, 303);
    let list = s
        .get(&format!("/api/v1/activity_targets?period={period}"))
        .await
        .expect(200)
        .body
        .clone();
    assert_eq!(list["data"], json!([]));
}
