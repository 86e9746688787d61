//! Bulk writes (fixed-size `INSERT`s, and `COPY` on PostgreSQL) store the same
//! values as a plain insert: nulls, tabs, line breaks, backslashes, accents, JSON, times;
//! and rows read packed come back as they were.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};

use cartera_core::Id;
use cartera_core::audit::{AuditAction, AuditEvent};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_store::audit::{self, AuditQuery};
use cartera_store::{ConnectOptions, Db, Sql, admin};

fn events(n: usize) -> Vec<AuditEvent> {
    let t =
        Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap() + chrono::Duration::microseconds(7);
    (0..n)
        .map(|i| AuditEvent {
            id: Id::new(),
            occurred_at: t + chrono::Duration::seconds(i as i64),
            actor_id: (i % 2 == 0).then(Id::new),
            action: AuditAction::Created,
            record_kind: RecordKind::Contact,
            record_id: Id::new(),
            changes: vec![FieldChange {
                field: "job_title".into(),
                old: serde_json::Value::Null,
                new: format!("Jefa\tde\\compras\nnº {i} \"ñ\"").into(),
            }],
            request_id: (i % 3 != 0).then(|| format!("import:\\{i}\t\r")),
        })
        .collect()
}

async fn round_trip(db: &Db) {
    // 341 = 256 + 64 + 16 + 4 + 1: every statement shape on SQLite; then a `COPY`.
    let written = events(341 + 200);
    let mut c = db.begin().await.unwrap();
    let mut rows = audit::rows();
    for e in &written[..341] {
        rows.push(audit::encode(db.backend(), e));
    }
    assert_eq!(rows.len(), 341);
    rows.write(&mut c).await.unwrap();
    let mut rows = audit::rows();
    for e in &written[341..] {
        rows.push(audit::encode(db.backend(), e));
    }
    rows.copy(&mut c).await.unwrap();
    c.commit().await.unwrap();

    let mut c = db.reader().await.unwrap();
    let mut read: Vec<AuditEvent> = audit::list(
        &mut c,
        &AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|(_, e)| e)
    .filter(|e| e.record_kind == RecordKind::Contact)
    .collect();
    read.reverse();
    assert_eq!(read.len(), written.len());
    for (r, w) in read.iter().zip(&written) {
        assert_eq!(r.id, w.id);
        assert_eq!(r.occurred_at, w.occurred_at);
        assert_eq!(r.actor_id, w.actor_id);
        assert_eq!(r.record_id, w.record_id);
        assert_eq!(r.changes, w.changes);
        assert_eq!(r.request_id, w.request_id);
    }
}

/// Rows packed into one JSON value come back as they were: text with quotes, tabs and
/// accents, nulls, integers past 2^53 to the unit, no rows at all.
async fn packed(db: &Db) {
    let mut c = db.reader().await.unwrap();
    let text = "Pérez \"y\" Cía.\tnº 1\\";
    let big = 9_007_199_254_740_993_i64;
    let sql = Sql::new(
        "SELECT CAST($1 AS TEXT) AS t, CAST(NULL AS TEXT) AS n, CAST($2 AS BIGINT) AS i \
         UNION ALL SELECT 'b', 'x', -1",
    )
    .arg(text)
    .arg(big);
    let rows: Vec<(String, Option<String>, i64)> =
        c.fetch_packed(&["t", "n", "i"], sql).await.unwrap();
    assert_eq!(
        rows,
        vec![
            (text.to_owned(), None, big),
            ("b".to_owned(), Some("x".to_owned()), -1)
        ]
    );
    let none: Vec<(i64,)> = c
        .fetch_packed(
            &["i"],
            Sql::new("SELECT CAST(1 AS BIGINT) AS i WHERE 1 = 0"),
        )
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn bulk_rows_round_trip_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&ConnectOptions::new(url)).await.unwrap();
    round_trip(&db).await;
    packed(&db).await;
    db.close().await;
}

#[tokio::test]
async fn bulk_rows_round_trip_on_postgres() {
    let Some(admin_url) = std::env::var("CARTERA_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("skipped: set CARTERA_TEST_POSTGRES to run on PostgreSQL");
        return;
    };
    let name = format!("cartera_t_bulk_{}", std::process::id());
    let url = admin::create_pg_database(&admin_url, &name).await.unwrap();
    let db = Db::connect(&ConnectOptions::new(url)).await.unwrap();
    round_trip(&db).await;
    packed(&db).await;
    db.close().await;
    admin::drop_pg_database(&admin_url, &name).await.unwrap();
}
