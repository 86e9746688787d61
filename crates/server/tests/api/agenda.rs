//! The agenda's automations end to end, with the clock moved forward: reminders (in the
//! app and by email through a real SMTP server), the follow-up rules (quote sent, visit
//! report, no contact), the daily scheduler and the visit and call targets; on SQLite
//! and PostgreSQL.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use cartera_app::App;
use cartera_app::followups::{self, QuoteSent};
use cartera_app::jobs::Worker;
use cartera_core::Id;
use cartera_store::{ConnectOptions, Db};

use crate::both;
use crate::support::{Setup, TestServer};

both!(
    setup = Setup { smtp: true, ..Setup::default() };
    a_reminder_notifies_the_owner_in_the_app_and_by_email
);

both!(
    a_reminder_in_the_past_is_refused_and_nothing_is_written,
    rescheduling_moves_reminders_and_completing_cancels_them,
    a_series_reminds_of_each_occurrence,
    a_quote_follow_up_task_lands_days_after_sending,
    a_visit_marked_done_asks_for_its_report_and_next_step,
    an_uncontacted_account_raises_one_alert_per_period,
    two_servers_schedule_the_daily_job_once,
    follow_up_rules_are_an_admins_to_change,
    targets_and_their_attainment
);

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn worker() -> Worker {
    Worker::standard("agenda-tests")
}

async fn run_jobs(s: &TestServer) -> usize {
    worker().run_due(&s.app).await.unwrap()
}

async fn notifications(s: &TestServer, token: &str) -> Value {
    s.call(token, Method::GET, "/api/v1/notifications", None)
        .await
        .expect(200)
        .body
}

/// The rep's activities whose subject contains `words`.
async fn tasks_of(s: &TestServer, owner: Id, words: &str) -> Vec<Value> {
    s.all_pages("/api/v1/activities?filter[kind]=task&limit=500")
        .await
        .into_iter()
        .filter(|a| a["owner_id"] == json!(owner) && a["subject"].as_str().unwrap().contains(words))
        .collect()
}

async fn queued(s: &TestServer, kind: &str) -> Vec<Value> {
    s.all_pages("/api/v1/jobs?state=queued")
        .await
        .into_iter()
        .filter(|j| j["kind"] == kind)
        .collect()
}

async fn a_reminder_notifies_the_owner_in_the_app_and_by_email(s: TestServer) {
    let (rep, token) = s.member("rosa@test.example.com", "sales_rep").await;
    let starts = s.app.now() + Duration::hours(2);
    let visit = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "visit", "subject": "Visita a Agro Sur", "notes": "Llevar catálogo",
                   "starts_at": rfc(starts), "reminders": [30, 60]}),
        )
        .await;
    // Nothing is due yet.
    assert_eq!(run_jobs(&s).await, 0);
    assert_eq!(notifications(&s, &token).await["unread_count"], 0);

    s.clock.advance(Duration::minutes(61));
    assert_eq!(run_jobs(&s).await, 1, "the 60-minute reminder fires");
    let n = notifications(&s, &token).await;
    assert_eq!(n["unread_count"], 1);
    assert_eq!(n["data"][0]["kind"], "reminder");
    assert_eq!(n["data"][0]["title"], "Visita a Agro Sur");
    assert_eq!(n["data"][0]["record_kind"], "activity");
    assert_eq!(n["data"][0]["record_id"], visit.as_str());
    assert!(n["data"][0]["read_at"].is_null());

    let sink = s.smtp.as_ref().expect("an SMTP sink");
    let mut got = Vec::new();
    for _ in 0..100 {
        got = sink.messages();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(got.len(), 1, "one email");
    let m = &got[0];
    assert_eq!(m.to, vec!["rosa@test.example.com".to_owned()]);
    assert!(
        m.subject.starts_with("Recordatorio: Visita a Agro Sur"),
        "{}",
        m.subject
    );
    assert!(m.text.contains("Llevar catálogo"), "{}", m.text);
    assert_eq!(
        m.link().as_deref(),
        Some(format!("{}/activities/{visit}", s.base).as_str())
    );

    s.clock.advance(Duration::minutes(30));
    assert_eq!(run_jobs(&s).await, 1, "the 30-minute reminder fires");
    let n = notifications(&s, &token).await;
    assert_eq!(n["unread_count"], 2);
    // Another user sees none of them, and cannot mark them.
    let (_, other) = s.member("otro@test.example.com", "sales_rep").await;
    assert_eq!(notifications(&s, &other).await["unread_count"], 0);
    let first = n["data"][0]["id"].as_str().unwrap().to_owned();
    s.call(
        &other,
        Method::POST,
        &format!("/api/v1/notifications/{first}/read"),
        None,
    )
    .await
    .problem(404, "");
    let read = s
        .call(
            &token,
            Method::POST,
            &format!("/api/v1/notifications/{first}/read"),
            None,
        )
        .await
        .expect(200);
    assert!(read.body["read_at"].is_string());
    assert_eq!(notifications(&s, &token).await["unread_count"], 1);
    let unread = s
        .call(
            &token,
            Method::GET,
            "/api/v1/notifications?unread=true",
            None,
        )
        .await
        .expect(200);
    assert_eq!(unread.body["data"].as_array().unwrap().len(), 1);
    let all = s
        .call(&token, Method::POST, "/api/v1/notifications/read_all", None)
        .await
        .expect(200);
    assert_eq!(all.body["marked"], 1);
    assert_eq!(notifications(&s, &token).await["unread_count"], 0);
    assert_eq!(sink.messages().len(), 2);
    let _ = rep;
}

async fn a_reminder_in_the_past_is_refused_and_nothing_is_written(s: TestServer) {
    let starts = s.app.now() + Duration::minutes(10);
    s.post(
        "/api/v1/activities",
        json!({"kind": "call", "subject": "Llamar", "starts_at": rfc(starts), "reminders": [5, 60]}),
    )
    .await
    .problem(422, "reminders[1]");
    assert!(s.all_pages("/api/v1/activities").await.is_empty());
    assert!(queued(&s, "activities.reminder").await.is_empty());
    // Out of range and without a time to count from.
    s.post(
        "/api/v1/activities",
        json!({"subject": "Tarea", "reminders": [10]}),
    )
    .await
    .problem(422, "reminders");
    s.post(
        "/api/v1/activities",
        json!({"subject": "Tarea", "due_date": "2030-01-01", "reminders": [-1]}),
    )
    .await
    .problem(422, "reminders[0]");

    // A change that adds a past reminder is refused whole.
    let a = s
        .create(
            "activities",
            json!({"kind": "call", "subject": "Llamar", "starts_at": rfc(starts), "reminders": [5]}),
        )
        .await;
    let id = a["id"].as_str().unwrap();
    s.patch(
        &format!("/api/v1/activities/{id}"),
        json!({"subject": "Llamar a Ana", "reminders": [5, 30]}),
    )
    .await
    .problem(422, "reminders[1]");
    let now = s.get(&format!("/api/v1/activities/{id}")).await.expect(200);
    assert_eq!(now.body["version"], 1);
    assert_eq!(now.body["subject"], "Llamar");
    // After it fired, the activity can still be edited: the reminder is not new.
    s.clock.advance(Duration::minutes(6));
    assert_eq!(run_jobs(&s).await, 1);
    s.patch(
        &format!("/api/v1/activities/{id}"),
        json!({"notes": "Dijo que llame a las 16"}),
    )
    .await
    .expect(200);
    assert!(queued(&s, "activities.reminder").await.is_empty());
}

async fn rescheduling_moves_reminders_and_completing_cancels_them(s: TestServer) {
    let (_, token) = s.member("rosa@test.example.com", "sales_rep").await;
    let t0 = s.app.now();
    let a = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "meeting", "subject": "Reunión", "starts_at": rfc(t0 + Duration::hours(2)), "reminders": [30]}),
        )
        .await;
    let jobs = queued(&s, "activities.reminder").await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        jobs[0]["run_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        (t0 + Duration::hours(2) - Duration::minutes(30)).with_nanosecond_zero()
    );
    // Moved three hours later: the reminder moves with it.
    s.call(
        &token,
        Method::PATCH,
        &format!("/api/v1/activities/{a}"),
        Some(json!({"starts_at": rfc(t0 + Duration::hours(5))})),
    )
    .await
    .expect(200);
    let jobs = queued(&s, "activities.reminder").await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        jobs[0]["run_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        (t0 + Duration::hours(5) - Duration::minutes(30)).with_nanosecond_zero()
    );
    s.clock.advance(Duration::hours(2));
    assert_eq!(run_jobs(&s).await, 0, "the old time passes quietly");
    s.clock.advance(Duration::minutes(2 * 60 + 31));
    assert_eq!(run_jobs(&s).await, 1);
    assert_eq!(notifications(&s, &token).await["unread_count"], 1);

    // Done before its reminder: nothing fires.
    let t1 = s.app.now();
    let b = s
        .create_as(
            &token,
            "activities",
            json!({"subject": "Enviar muestras", "due_date": (t1 + Duration::days(2)).date_naive(), "reminders": [60]}),
        )
        .await;
    assert_eq!(queued(&s, "activities.reminder").await.len(), 1);
    s.call(
        &token,
        Method::PATCH,
        &format!("/api/v1/activities/{b}"),
        Some(json!({"status": "done", "outcome": "Enviadas"})),
    )
    .await
    .expect(200);
    assert!(queued(&s, "activities.reminder").await.is_empty());
    // Deleted: the same.
    let c = s
        .create_as(
            &token,
            "activities",
            json!({"subject": "Otra", "due_date": (t1 + Duration::days(2)).date_naive(), "reminders": [60]}),
        )
        .await;
    assert_eq!(queued(&s, "activities.reminder").await.len(), 1);
    s.delete(&format!("/api/v1/activities/{c}"))
        .await
        .expect(200);
    assert!(queued(&s, "activities.reminder").await.is_empty());
    s.clock.advance(Duration::days(3));
    assert_eq!(run_jobs(&s).await, 0);
    assert_eq!(notifications(&s, &token).await["unread_count"], 1);
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap()
    }
}

/// A quote made and sent through the API by `token`; its id and number.
async fn send_quote(s: &TestServer, token: &str, account: &str) -> (String, String) {
    let q = s
        .call(
            token,
            Method::POST,
            "/api/v1/quotes",
            Some(json!({"account_id": account, "currency": "ARS",
                        "lines": [{"description": "Asesoramiento agronómico", "quantity": "1",
                                   "unit_price": {"amount": "1000", "currency": "ARS"},
                                   "tax_rate": "21"}]})),
        )
        .await
        .expect(201)
        .body;
    let id = q["id"].as_str().unwrap().to_owned();
    s.call(
        token,
        Method::POST,
        &format!("/api/v1/quotes/{id}/send"),
        Some(json!({"to": "compras@agrosur.com.ar"})),
    )
    .await
    .expect(200);
    (id, q["number"].as_str().unwrap().to_owned())
}

async fn a_quote_follow_up_task_lands_days_after_sending(s: TestServer) {
    let (rep, token) = s.member("rosa@test.example.com", "sales_rep").await;
    let account = s
        .create_as(&token, "accounts", json!({"name": "Agro Sur"}))
        .await;
    // Sending a quote queues its follow-up in the same transaction.
    let (quote, number) = send_quote(&s, &token, &account).await;
    let sent_at: DateTime<Utc> = s.get(&format!("/api/v1/quotes/{quote}")).await.body["sent_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The same sending is queued once.
    let again = QuoteSent {
        quote_id: quote.parse().unwrap(),
        number: number.clone(),
        account_id: Some(account.parse().unwrap()),
        contact_id: None,
        owner_id: rep,
        sent_at,
    };
    assert_eq!(followups::quote_sent(&s.app, &again).await.unwrap(), None);

    s.clock.advance(Duration::days(2));
    assert_eq!(run_jobs(&s).await, 0);
    assert!(tasks_of(&s, rep, &number).await.is_empty());
    s.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(run_jobs(&s).await, 1);
    let tasks = tasks_of(&s, rep, &number).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(
        tasks[0]["subject"],
        format!("Seguimiento del presupuesto {number}")
    );
    assert_eq!(tasks[0]["account_id"], account.as_str());
    assert_eq!(tasks[0]["status"], "planned");
    // Due today where the rep is (users start in Buenos Aires, UTC-3 all year).
    assert_eq!(
        tasks[0]["due_date"],
        json!((s.app.now() - Duration::hours(3)).date_naive())
    );
    let n = notifications(&s, &token).await;
    assert_eq!(n["data"][0]["kind"], "follow_up");
    assert_eq!(n["data"][0]["record_id"], tasks[0]["id"]);
    // The account's timeline shows it.
    let timeline = s
        .call(
            &token,
            Method::GET,
            &format!("/api/v1/accounts/{account}/timeline"),
            None,
        )
        .await
        .expect(200);
    assert!(
        timeline
            .body
            .to_string()
            .contains(tasks[0]["id"].as_str().unwrap())
    );

    // A quote the customer accepted before the day needs no follow-up.
    let (accepted, accepted_number) = send_quote(&s, &token, &account).await;
    s.call(
        &token,
        Method::POST,
        &format!("/api/v1/quotes/{accepted}/accept"),
        None,
    )
    .await
    .expect(200);
    s.clock.advance(Duration::days(3) + Duration::minutes(1));
    assert_eq!(run_jobs(&s).await, 1);
    assert!(tasks_of(&s, rep, &accepted_number).await.is_empty());

    // An admin sets five days; then turns the rule off.
    s.patch(
        "/api/v1/follow_up_rules",
        json!({"quote_follow_up_days": 5}),
    )
    .await
    .expect(200);
    let (_, later) = send_quote(&s, &token, &account).await;
    s.clock.advance(Duration::days(4));
    assert_eq!(run_jobs(&s).await, 0);
    s.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(run_jobs(&s).await, 1);
    assert_eq!(tasks_of(&s, rep, &later).await.len(), 1);
    s.patch(
        "/api/v1/follow_up_rules",
        json!({"quote_follow_up_days": null}),
    )
    .await
    .expect(200);
    let (_, off) = send_quote(&s, &token, &account).await;
    s.clock.advance(Duration::days(30));
    assert_eq!(run_jobs(&s).await, 0);
    assert!(tasks_of(&s, rep, &off).await.is_empty());
}

async fn a_visit_marked_done_asks_for_its_report_and_next_step(s: TestServer) {
    let (rep, token) = s.member("rosa@test.example.com", "sales_rep").await;
    let account = s
        .create_as(&token, "accounts", json!({"name": "Agro Sur"}))
        .await;
    let visit = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "visit", "subject": "Visita a Agro Sur", "account_id": account,
                   "starts_at": rfc(s.app.now() - Duration::hours(1))}),
        )
        .await;
    s.call(
        &token,
        Method::PATCH,
        &format!("/api/v1/activities/{visit}"),
        Some(json!({"status": "done", "outcome": "Interesados"})),
    )
    .await
    .expect(200);
    assert_eq!(run_jobs(&s).await, 1);
    let tasks = tasks_of(&s, rep, "Visita a Agro Sur").await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(
        tasks[0]["subject"],
        "Informe y próximo paso de la visita: Visita a Agro Sur"
    );
    assert_eq!(tasks[0]["account_id"], account.as_str());
    let n = notifications(&s, &token).await;
    assert_eq!(n["data"][0]["kind"], "visit_report");
    // The job running again acts once.
    assert_eq!(run_jobs(&s).await, 0);

    // A visit done with its report and next action asks for nothing.
    let second = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "visit", "subject": "Segunda visita", "account_id": account,
                   "status": "done", "report": "Vimos el campo; quieren 20 bolsas.",
                   "next_action": "Enviar presupuesto el lunes"}),
        )
        .await;
    assert_eq!(run_jobs(&s).await, 0);
    let got = s
        .call(
            &token,
            Method::GET,
            &format!("/api/v1/activities/{second}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(got.body["report"], "Vimos el campo; quieren 20 bolsas.");
    assert!(tasks_of(&s, rep, "Segunda visita").await.is_empty());

    // The rule off: no prompt.
    s.patch(
        "/api/v1/follow_up_rules",
        json!({"visit_report_prompt": false}),
    )
    .await
    .expect(200);
    s.create_as(
        &token,
        "activities",
        json!({"kind": "visit", "subject": "Tercera visita", "status": "done"}),
    )
    .await;
    assert_eq!(run_jobs(&s).await, 0);
    assert!(tasks_of(&s, rep, "Tercera visita").await.is_empty());
}

async fn an_uncontacted_account_raises_one_alert_per_period(s: TestServer) {
    let (rep, token) = s.member("rosa@test.example.com", "sales_rep").await;
    let a = s
        .create_as(
            &token,
            "accounts",
            json!({"name": "Clase A", "classification": "A"}),
        )
        .await;
    let c = s
        .create_as(
            &token,
            "accounts",
            json!({"name": "Clase C", "classification": "C"}),
        )
        .await;
    s.create_as(&token, "accounts", json!({"name": "Sin clase"}))
        .await;
    followups::ensure_scheduled(&s.app).await.unwrap();
    followups::ensure_scheduled(&s.app).await.unwrap();
    assert_eq!(queued(&s, "followups.no_contact").await.len(), 1);

    // Ten days on: the day's job runs, nobody is late yet.
    s.clock.advance(Duration::days(10));
    assert_eq!(run_jobs(&s).await, 1);
    assert_eq!(notifications(&s, &token).await["unread_count"], 0);
    assert_eq!(
        queued(&s, "followups.no_contact").await.len(),
        1,
        "tomorrow's run"
    );

    // Sixteen days: the A account is alerted, once.
    s.clock.advance(Duration::days(6));
    assert!(run_jobs(&s).await >= 1);
    let n = notifications(&s, &token).await;
    assert_eq!(n["unread_count"], 1, "{n}");
    assert_eq!(n["data"][0]["kind"], "no_contact");
    let tasks = tasks_of(&s, rep, "Clase A").await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["account_id"], a.as_str());
    assert_eq!(followups::no_contact_sweep(&s.app).await.unwrap(), 0);
    s.clock.advance(Duration::days(1));
    run_jobs(&s).await;
    assert_eq!(notifications(&s, &token).await["unread_count"], 1);

    // Someone calls the A account: its count starts again.
    s.create_as(
        &token,
        "activities",
        json!({"kind": "call", "subject": "Llamada", "account_id": a, "status": "done",
               "starts_at": rfc(s.app.now())}),
    )
    .await;
    s.clock.advance(Duration::days(14));
    assert_eq!(followups::no_contact_sweep(&s.app).await.unwrap(), 0);
    // Another full period without contact: alerted again.
    s.clock.advance(Duration::days(2));
    assert_eq!(followups::no_contact_sweep(&s.app).await.unwrap(), 1);
    assert_eq!(tasks_of(&s, rep, "Clase A").await.len(), 2);
    // At sixty days the C account too; the account without a class never.
    s.clock.advance(Duration::days(30));
    let swept = followups::no_contact_sweep(&s.app).await.unwrap();
    assert!(swept >= 1);
    assert_eq!(tasks_of(&s, rep, "Clase C").await.len(), 1);
    assert!(tasks_of(&s, rep, "Sin clase").await.is_empty());
    let _ = c;
}

async fn two_servers_schedule_the_daily_job_once(s: TestServer) {
    let other = App::new(
        Db::connect(&ConnectOptions {
            max_connections: 4,
            ..ConnectOptions::new(s.url.clone())
        })
        .await
        .expect("the second server opens the database"),
    );
    let (a, b) = tokio::join!(
        followups::ensure_scheduled(&s.app),
        followups::ensure_scheduled(&other)
    );
    a.unwrap();
    b.unwrap();
    let jobs = queued(&s, "followups.no_contact").await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let at: DateTime<Utc> = jobs[0]["run_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(at, followups::next_daily(s.app.now()));
    other.db.close().await;
}

async fn follow_up_rules_are_an_admins_to_change(s: TestServer) {
    let rules = s.get("/api/v1/follow_up_rules").await.expect(200);
    assert_eq!(rules.body["quote_follow_up_days"], 3);
    assert_eq!(rules.body["visit_report_prompt"], true);
    assert_eq!(
        rules.body["no_contact_days"],
        json!({"A": 15, "B": 30, "C": 60})
    );
    s.patch(
        "/api/v1/follow_up_rules",
        json!({"quote_follow_up_days": 0}),
    )
    .await
    .problem(422, "quote_follow_up_days");
    s.patch(
        "/api/v1/follow_up_rules",
        json!({"no_contact_days": {"B": 500}}),
    )
    .await
    .problem(422, "no_contact_days.B");
    s.patch("/api/v1/follow_up_rules", json!({"nonsense": 1}))
        .await
        .problem(422, "");
    let (_, rep) = s.member("rosa@test.example.com", "sales_rep").await;
    s.call(
        &rep,
        Method::PATCH,
        "/api/v1/follow_up_rules",
        Some(json!({"quote_follow_up_days": 7})),
    )
    .await
    .problem(403, "");
    let changed = s
        .patch(
            "/api/v1/follow_up_rules",
            json!({"no_contact_days": {"B": 45, "C": null, "VIP": 7}, "no_contact_default_days": 90}),
        )
        .await
        .expect(200);
    assert_eq!(
        changed.body["no_contact_days"],
        json!({"A": 15, "B": 45, "VIP": 7})
    );
    assert_eq!(
        s.get("/api/v1/follow_up_rules").await.expect(200).body["no_contact_default_days"],
        90
    );
}

async fn targets_and_their_attainment(s: TestServer) {
    let (rep, token) = s.member("rosa@test.example.com", "sales_rep").await;
    let today = s.app.now().date_naive();
    let period = today.format("%Y-%m").to_string();
    let t = s
        .create(
            "activity_targets",
            json!({"user_id": rep, "period": period, "visits": 4, "calls": 3}),
        )
        .await;
    assert_eq!(t["visits"], 4);
    s.post(
        "/api/v1/activity_targets",
        json!({"user_id": rep, "period": period, "visits": 1}),
    )
    .await
    .problem(409, "");
    s.post(
        "/api/v1/activity_targets",
        json!({"user_id": rep, "period": "2026-13", "visits": -1}),
    )
    .await
    .problem(422, "period");
    s.post(
        "/api/v1/activity_targets",
        json!({"user_id": Id::new(), "period": "2026-01", "visits": 1}),
    )
    .await
    .problem(422, "user_id");
    s.call(
        &token,
        Method::POST,
        "/api/v1/activity_targets",
        Some(json!({"user_id": rep, "period": "2030-01", "visits": 99})),
    )
    .await
    .problem(403, "");
    // Two visits and one call done this month, one visit planned, one last year.
    for (kind, status, day) in [
        ("visit", "done", today),
        ("visit", "done", today),
        ("visit", "planned", today),
        ("call", "done", today),
        ("visit", "done", today - Duration::days(400)),
        ("task", "done", today),
    ] {
        s.create_as(
            &token,
            "activities",
            json!({"kind": kind, "subject": "x", "status": status, "due_date": day}),
        )
        .await;
    }
    let att = s
        .call(
            &token,
            Method::GET,
            &format!("/api/v1/activity_targets/attainment?period={period}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(att.body["period"], period.as_str());
    let row = &att.body["data"][0];
    assert_eq!(row["user_id"], json!(rep));
    assert_eq!(
        row["visits"],
        json!({"target": 4, "done": 2, "percent": 50})
    );
    assert_eq!(row["calls"], json!({"target": 3, "done": 1, "percent": 33}));
    s.get("/api/v1/activity_targets/attainment?period=junio")
        .await
        .problem(400, "period");
    s.get("/api/v1/activity_targets/attainment")
        .await
        .problem(400, "period");

    let id = t["id"].as_str().unwrap();
    let changed = s
        .patch(
            &format!("/api/v1/activity_targets/{id}"),
            json!({"calls": 1}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["calls"], 1);
    assert_eq!(changed.body["version"], 2);
    s.send(
        Method::PATCH,
        &format!("/api/v1/activity_targets/{id}"),
        Some(&s.token),
        &[("if-match", "\"1\"")],
        Some(crate::support::RawBody::Json(json!({"calls": 2}))),
    )
    .await
    .problem(412, "");
    s.patch(
        &format!("/api/v1/activity_targets/{id}"),
        json!({"visits": 100001}),
    )
    .await
    .problem(422, "visits");
    let listed = s
        .get(&format!("/api/v1/activity_targets?period={period}"))
        .await
        .expect(200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    s.delete(&format!("/api/v1/activity_targets/{id}"))
        .await
        .expect(204);
    s.get(&format!("/api/v1/activity_targets/{id}"))
        .await
        .problem(404, "");
}

/// A daily series of five with a 30-minute reminder: the third occurrence is taken out
/// (EXDATE) and the fifth cancelled on its own, so the first, second and fourth remind,
/// each firing queuing the next, and the fourth at the time it was moved to.
async fn a_series_reminds_of_each_occurrence(s: TestServer) {
    let (_, token) = s.member("serie@test.example.com", "sales_rep").await;
    let first: DateTime<Utc> = rfc(s.app.now() + Duration::hours(2)).parse().unwrap();
    let day = Duration::days(1);
    let id = s
        .create_as(
            &token,
            "activities",
            json!({"kind": "meeting", "subject": "Parte diario", "starts_at": rfc(first),
                   "ends_at": rfc(first + Duration::minutes(15)), "reminders": [30],
                   "recurrence": {"rule": "FREQ=DAILY;COUNT=5", "exdates": [rfc(first + day * 2)]}}),
        )
        .await;
    let occurrence = |n: i32| {
        format!(
            "/api/v1/activities/{id}/occurrences/{}",
            rfc(first + day * (n - 1))
        )
    };
    let moved = json!({"starts_at": rfc(first + day * 3 + Duration::hours(3)),
                       "subject": "Parte diario (movido)"});
    s.call(&token, Method::PATCH, &occurrence(4), Some(moved))
        .await
        .expect(200);
    let cancel = json!({"status": "cancelled"});
    s.call(&token, Method::PATCH, &occurrence(5), Some(cancel))
        .await
        .expect(200);
    async fn unread(s: &TestServer, token: &str) -> Value {
        notifications(s, token).await["unread_count"].clone()
    }
    let at_of = |j: &Value| j["payload"]["at"].as_str().unwrap().to_owned();
    let reminders = "activities.reminder";
    assert_eq!(run_jobs(&s).await, 0);
    let q = queued(&s, reminders).await;
    assert_eq!(q.len(), 1, "only the next occurrence's reminder is queued");
    assert_eq!(at_of(&q[0]), rfc(first - Duration::minutes(30)));

    // First occurrence.
    s.clock.advance(Duration::minutes(91));
    assert_eq!(run_jobs(&s).await, 1);
    assert_eq!(unread(&s, &token).await, 1);
    let q = queued(&s, reminders).await;
    assert_eq!(at_of(&q[0]), rfc(first + day - Duration::minutes(30)));
    // Second occurrence.
    s.clock.advance(day);
    assert_eq!(run_jobs(&s).await, 1);
    assert_eq!(unread(&s, &token).await, 2, "the second occurrence reminds");
    // The third is taken out: its reminder time passes with none; the fourth is next,
    // at the time it was moved to.
    let q = queued(&s, reminders).await;
    assert_eq!(q.len(), 1);
    assert_eq!(
        at_of(&q[0]),
        rfc(first + day * 3 + Duration::hours(3) - Duration::minutes(30))
    );
    s.clock.advance(day);
    assert_eq!(run_jobs(&s).await, 0);
    assert_eq!(
        unread(&s, &token).await,
        2,
        "none for the EXDATE'd occurrence"
    );
    s.clock.advance(day);
    assert_eq!(
        run_jobs(&s).await,
        0,
        "the fourth was moved three hours later"
    );
    s.clock.advance(Duration::hours(3));
    assert_eq!(run_jobs(&s).await, 1);
    assert_eq!(
        unread(&s, &token).await,
        3,
        "the moved fourth occurrence reminds"
    );
    let n = notifications(&s, &token).await;
    assert_eq!(
        n["data"][0]["title"], "Parte diario (movido)",
        "reminded as the occurrence stands"
    );
    // The fifth is cancelled and the series ends: nothing more is queued.
    assert!(queued(&s, reminders).await.is_empty());
    s.clock.advance(day * 2);
    assert_eq!(run_jobs(&s).await, 0);
    assert_eq!(unread(&s, &token).await, 3);
}
