//! Planner statistics are refreshed after large writes, even where autovacuum is off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use cartera_store::{ConnectOptions, Db, Sql, admin};

#[tokio::test]
async fn large_writes_get_their_tables_analysed_on_postgres() {
    let Some(admin_url) = std::env::var("CARTERA_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("skipped: set CARTERA_TEST_POSTGRES to run on PostgreSQL");
        return;
    };
    let name = format!("cartera_t_stats_{}", std::process::id());
    let url = admin::create_pg_database(&admin_url, &name).await.unwrap();
    let db = Db::connect(&ConnectOptions::new(url)).await.unwrap();
    let mut c = db.begin().await.unwrap();
    c.execute(Sql::new(
        "INSERT INTO record_keys (key_kind, value, record_id, record_kind) \
         SELECT 'email', 'k' || g, 'r' || g, 'contact' FROM generate_series(1, 5000) g",
    ))
    .await
    .unwrap();
    c.commit().await.unwrap();

    // The server publishes its activity counters about once a second.
    let mut analysed = Vec::new();
    for _ in 0..50 {
        analysed = db.refresh_statistics().await.unwrap();
        if !analysed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(analysed.contains(&"record_keys".to_owned()), "{analysed:?}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !db.refresh_statistics()
            .await
            .unwrap()
            .contains(&"record_keys".to_owned())
    );

    db.close().await;
    admin::drop_pg_database(&admin_url, &name).await.unwrap();
}

#[tokio::test]
async fn sqlite_needs_no_statistics_pass() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&ConnectOptions::new(url)).await.unwrap();
    assert!(db.refresh_statistics().await.unwrap().is_empty());
    db.close().await;
}
