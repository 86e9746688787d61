//! The durable job queue: jobs survive a restart, a failing job backs off, dies after
//! its last attempt and is retried by an admin, and two servers on one database never
//! run the same job twice; on SQLite and PostgreSQL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::json;

use cartera_app::App;
use cartera_app::jobs::{JobFailure, Worker};
use cartera_core::jobs::{LEASE, NewJob};
use cartera_store::{ConnectOptions, Db};

use crate::both;
use crate::support::TestServer;

both!(
    a_job_queued_before_a_restart_runs_after_it,
    a_failing_job_backs_off_dies_and_is_retried_by_an_admin,
    a_crashed_workers_job_runs_again_after_its_lease,
    two_servers_never_run_the_same_job_twice
);

fn time(v: &serde_json::Value) -> DateTime<Utc> {
    v.as_str().expect("a time").parse().expect("RFC 3339")
}

async fn a_job_queued_before_a_restart_runs_after_it(s: TestServer) {
    let due = s.app.now() + Duration::hours(1);
    let job = NewJob {
        dedupe_key: Some("greet:2026-11-26".into()),
        ..NewJob::new("test.greet", json!({"name": "Ana"}), due)
    };
    let id = cartera_app::jobs::enqueue(&s.app, &job)
        .await
        .unwrap()
        .expect("queued");
    // The same scheduled occurrence is not queued twice.
    assert_eq!(
        cartera_app::jobs::enqueue(&s.app, &job).await.unwrap(),
        None
    );
    let queued = s.get("/api/v1/jobs?state=queued").await.expect(200);
    assert_eq!(queued.body["data"].as_array().unwrap().len(), 1);

    let s = s.restart().await;
    let greeted = Arc::new(Mutex::new(Vec::new()));
    let seen = greeted.clone();
    let worker = Worker::new("after-restart").handle("test.greet", move |_app, job| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(job.payload["name"].clone());
            Ok(())
        }
    });
    // Not due yet: nothing runs.
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(Duration::minutes(59));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(Duration::minutes(2));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 1);
    assert_eq!(*greeted.lock().unwrap(), vec![json!("Ana")]);

    let done = s.get(&format!("/api/v1/jobs/{id}")).await.expect(200);
    assert_eq!(done.body["state"], "done");
    assert_eq!(done.body["attempts"], 1);
    assert_eq!(done.body["kind"], "test.greet");
    assert_eq!(done.body["dedupe_key"], "greet:2026-11-26");
    assert!(done.body["locked_by"].is_null());
    let listed = s.get("/api/v1/jobs?state=done").await.expect(200);
    assert_eq!(listed.body["data"][0]["id"], id.to_string());
    assert!(
        s.get("/api/v1/jobs?state=queued").await.expect(200).body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Once run, it stays run.
    s.clock.advance(Duration::days(1));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    assert_eq!(greeted.lock().unwrap().len(), 1);
    // Housekeeping forgets finished jobs after a month.
    s.clock.advance(Duration::days(30));
    let report = cartera_app::maintenance::run(&s.app).await.unwrap();
    assert_eq!(report.done_jobs, 1);
    s.get(&format!("/api/v1/jobs/{id}")).await.problem(404, "");
}

async fn a_failing_job_backs_off_dies_and_is_retried_by_an_admin(s: TestServer) {
    let broken = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicUsize::new(0));
    let (b, r) = (broken.clone(), runs.clone());
    let worker = Worker::new("w1").handle("test.send", move |_app, _job| {
        let (b, r) = (b.clone(), r.clone());
        async move {
            r.fetch_add(1, Ordering::SeqCst);
            if b.load(Ordering::SeqCst) {
                Err(JobFailure("the mail server said no".into()))
            } else {
                Ok(())
            }
        }
    });
    let job = NewJob {
        max_attempts: 3,
        ..NewJob::new("test.send", json!({"to": "ana@example.com"}), s.app.now())
    };
    let id = cartera_app::jobs::enqueue(&s.app, &job)
        .await
        .unwrap()
        .expect("queued");
    let path = format!("/api/v1/jobs/{id}");

    // First attempt fails: back in the queue 30 s later.
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 1);
    let j = s.get(&path).await.expect(200).body;
    assert_eq!(j["state"], "queued");
    assert_eq!(j["attempts"], 1);
    assert_eq!(j["last_error"], "the mail server said no");
    assert_eq!(
        time(&j["run_at"]) - time(&j["updated_at"]),
        Duration::seconds(30)
    );
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(Duration::seconds(29));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(Duration::seconds(2));
    // Second attempt fails: the wait doubles.
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 1);
    let j = s.get(&path).await.expect(200).body;
    assert_eq!(j["attempts"], 2);
    assert_eq!(
        time(&j["run_at"]) - time(&j["updated_at"]),
        Duration::seconds(60)
    );
    s.clock.advance(Duration::seconds(61));
    // Third and last attempt fails: dead, kept for the admin.
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 1);
    s.clock.advance(Duration::days(1));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let dead = s.get("/api/v1/jobs?state=dead").await.expect(200);
    let data = dead.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], id.to_string());
    assert_eq!(data[0]["attempts"], 3);
    assert_eq!(data[0]["last_error"], "the mail server said no");
    assert_eq!(data[0]["payload"]["to"], "ana@example.com");

    // Only admins see or retry jobs.
    let (_, rep) = s.member("rep@test.example.com", "sales_rep").await;
    s.call(&rep, Method::GET, "/api/v1/jobs", None)
        .await
        .problem(403, "");
    s.call(&rep, Method::POST, &format!("{path}/retry"), None)
        .await
        .problem(403, "");
    // Bad questions name their part.
    s.get("/api/v1/jobs?state=sleeping")
        .await
        .problem(400, "state");
    s.get("/api/v1/jobs?cursor=nonsense")
        .await
        .problem(400, "cursor");
    s.get("/api/v1/jobs?colour=red")
        .await
        .problem(400, "colour");
    s.get(&format!("/api/v1/jobs/{}", cartera_core::Id::new()))
        .await
        .problem(404, "");

    let retried = s
        .post(&format!("{path}/retry"), json!({}))
        .await
        .expect(200);
    assert_eq!(retried.body["state"], "queued");
    assert_eq!(retried.body["attempts"], 0);
    // A job that is not dead is not retried.
    s.post(&format!("{path}/retry"), json!({}))
        .await
        .problem(409, "");
    broken.store(false, Ordering::SeqCst);
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 1);
    let j = s.get(&path).await.expect(200).body;
    assert_eq!(j["state"], "done");
    assert_eq!(j["attempts"], 1);
    assert!(j["last_error"].is_null());
    assert_eq!(runs.load(Ordering::SeqCst), 4);

    // The retry is in the audit trail, by the admin.
    let trail = s
        .get(&format!("/api/v1/audit_events?record_id={id}"))
        .await
        .expect(200);
    let events = trail.body["data"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{}", trail.body);
    assert_eq!(events[0]["action"], "updated");
    assert_eq!(events[0]["record_kind"], "job");
    assert_eq!(events[0]["actor_id"], s.admin_id.to_string());
    assert_eq!(
        events[0]["changes"],
        json!([{"field": "state", "old": "dead", "new": "queued"}])
    );
}

async fn a_crashed_workers_job_runs_again_after_its_lease(s: TestServer) {
    let id = cartera_app::jobs::enqueue(&s.app, &NewJob::new("test.work", json!({}), s.app.now()))
        .await
        .unwrap()
        .expect("queued");
    // A worker claims the job and dies before finishing it.
    let now = s.app.now();
    let mut conn = s.app.db.begin().await.unwrap();
    let claimed = cartera_store::jobs::claim(&mut conn, "crashed", now, now + LEASE)
        .await
        .unwrap()
        .expect("a due job");
    conn.commit().await.unwrap();
    assert_eq!(claimed.id, id);
    let running = s.get(&format!("/api/v1/jobs/{id}")).await.expect(200);
    assert_eq!(running.body["state"], "running");
    assert_eq!(running.body["locked_by"], "crashed");

    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let worker = Worker::new("survivor").handle("test.work", move |_app, _job| {
        let r = r.clone();
        async move {
            r.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    // While the lease holds, nobody else takes it.
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(LEASE - Duration::seconds(1));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 0);
    s.clock.advance(Duration::seconds(2));
    assert_eq!(worker.run_due(&s.app).await.unwrap(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let j = s.get(&format!("/api/v1/jobs/{id}")).await.expect(200).body;
    assert_eq!(j["state"], "done");
    assert_eq!(j["attempts"], 2);
    // The crashed worker, should it wake, no longer holds the job.
    let mut conn = s.app.db.begin().await.unwrap();
    assert!(
        !cartera_store::jobs::complete(&mut conn, id, "crashed", s.app.now())
            .await
            .unwrap()
    );
    conn.commit().await.unwrap();
}

const JOBS: i64 = 200;

/// Runs due jobs until none is left to claim; the handler counts runs per job.
async fn drain(app: App, worker: Worker) -> usize {
    worker.run_due(&app).await.expect("worker runs")
}

async fn two_servers_never_run_the_same_job_twice(s: TestServer) {
    let now = s.app.now();
    for n in 0..JOBS {
        cartera_app::jobs::enqueue(&s.app, &NewJob::new("test.count", json!({"n": n}), now))
            .await
            .unwrap()
            .expect("queued");
    }
    // A second server: its own connection pool on the same database.
    let other = App::new(
        Db::connect(&ConnectOptions {
            max_connections: 4,
            ..ConnectOptions::new(s.url.clone())
        })
        .await
        .expect("the second server opens the database"),
    );
    let runs: Arc<Mutex<HashMap<i64, usize>>> = Arc::default();
    let worker = |name: &str| {
        let runs = runs.clone();
        Worker::new(name).handle("test.count", move |_app, job| {
            let runs = runs.clone();
            async move {
                let n = job.payload["n"].as_i64().expect("n");
                *runs.lock().unwrap().entry(n).or_default() += 1;
                // Let the other workers in between claim and completion.
                tokio::task::yield_now().await;
                Ok(())
            }
        })
    };
    // Two workers in each server, all at once.
    let tasks = [
        tokio::spawn(drain(s.app.clone(), worker("a1"))),
        tokio::spawn(drain(s.app.clone(), worker("a2"))),
        tokio::spawn(drain(other.clone(), worker("b1"))),
        tokio::spawn(drain(other.clone(), worker("b2"))),
    ];
    let mut total = 0;
    let mut per_worker = Vec::new();
    for t in tasks {
        let n = t.await.expect("worker task");
        per_worker.push(n);
        total += n;
    }
    eprintln!("jobs run per worker: {per_worker:?}");
    // Each worker stops when nothing is left to claim, and finishes what it claimed
    // first: every job has run by now, each exactly once.
    assert_eq!(total, JOBS as usize);
    let runs = runs.lock().unwrap().clone();
    assert_eq!(runs.len(), JOBS as usize);
    assert!(
        runs.values().all(|&c| c == 1),
        "some job ran more than once: {:?}",
        runs.iter().filter(|(_, c)| **c != 1).collect::<Vec<_>>()
    );
    let done = s.all_pages("/api/v1/jobs?state=done&limit=70").await;
    assert_eq!(done.len(), JOBS as usize);
    assert!(done.iter().all(|j| j["attempts"] == 1));
    other.db.close().await;
}
