//! The two schemas stay twins, and a database made by an older Cartera opens in a newer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_store::{ConnectOptions, Db, Sql, admin, records};

fn pg_admin() -> Option<String> {
    std::env::var("CARTERA_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// table -> [(column, nullable)] in column order.
type Shape = BTreeMap<String, Vec<(String, bool)>>;

async fn shape(db: &Db) -> Shape {
    let mut c = db.reader().await.unwrap();
    let rows = match db.backend() {
        cartera_store::Backend::Sqlite => c
            .fetch_all(Sql::new(
                "SELECT m.name AS t, p.name AS c, p.\"notnull\" AS nn, p.pk AS pk FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%_fts%' AND m.name <> '_sqlx_migrations' \
                 ORDER BY m.name, p.cid",
            ))
            .await
            .unwrap(),
        cartera_store::Backend::Postgres => c
            .fetch_all(Sql::new(
                "SELECT table_name::text AS t, column_name::text AS c, CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END::int8 AS nn, 0::int8 AS pk \
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' \
                 ORDER BY table_name, ordinal_position",
            ))
            .await
            .unwrap(),
    };
    let mut out = Shape::new();
    for r in rows {
        let col = r.text("c").unwrap();
        // Backend-only columns: PostgreSQL keeps its search vector in the row; SQLite's
        // full-text index is a separate virtual table, excluded above.
        if col == "search" {
            continue;
        }
        // SQLite reports an INTEGER PRIMARY KEY (the rowid) as nullable; it is not.
        let not_null = r.int("nn").unwrap() == 1 || r.int("pk").unwrap() == 1 && col == "seq";
        out.entry(r.text("t").unwrap())
            .or_default()
            .push((col, !not_null));
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_are_twins() {
    let Some(admin_url) = pg_admin() else {
        eprintln!("skipped: set CARTERA_TEST_POSTGRES to compare with PostgreSQL");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lite = Db::connect(&ConnectOptions::new(format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("s.db").display()
    )))
    .await
    .unwrap();
    let name = format!("cartera_t_{}", uuid_like());
    let url = admin::create_pg_database(&admin_url, &name).await.unwrap();
    let pg = Db::connect(&ConnectOptions {
        max_connections: 2,
        ..ConnectOptions::new(url)
    })
    .await
    .unwrap();
    let (a, b) = (shape(&lite).await, shape(&pg).await);
    pg.close().await;
    admin::drop_pg_database(&admin_url, &name).await.unwrap();
    assert!(a.len() >= 10, "{a:?}");
    for (table, cols) in &a {
        assert_eq!(
            Some(cols),
            b.get(table),
            "table {table} differs between SQLite and PostgreSQL"
        );
    }
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
}

fn uuid_like() -> String {
    Id::new().to_string().replace('-', "")
}

/// The first schema Cartera shipped, with a row written the way that version wrote it.
const V1_ACCOUNT_SQLITE: &str = "INSERT INTO accounts (id, kind, name, name_sort, emails, phones, tags, custom, created_at, updated_at, version) \
     VALUES ($1, 'customer', 'Cliente Histórico', 'cliente historico', '[]', '[]', '[\"VIP\"]', '{}', '2026-01-02T03:04:05.000000Z', '2026-01-02T03:04:05.000000Z', 1)";
const V1_ACCOUNT_PG: &str = "INSERT INTO accounts (id, kind, name, name_sort, emails, phones, tags, custom, created_at, updated_at, version) \
     VALUES ($1, 'customer', 'Cliente Histórico', 'cliente historico', '[]', '[]', '[\"VIP\"]', '{}', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z', 1)";

async fn reopen_and_check(url: String) {
    let db = Db::connect(&ConnectOptions {
        max_connections: 2,
        ..ConnectOptions::new(url)
    })
    .await
    .expect("the newer binary opens the older database");
    let mut c = db.reader().await.unwrap();
    let id: Id = "019a0000-0000-7000-8000-0000000000aa".parse().unwrap();
    let acc = records::get::<AccountData>(&mut c, id)
        .await
        .unwrap()
        .expect("old row reads");
    assert_eq!(acc.data.name, "Cliente Histórico");
    assert_eq!(acc.data.tags, vec!["VIP"]);
    // What the second migration added works.
    let n = c
        .fetch_one(Sql::new("SELECT COUNT(*) AS n FROM idempotency_keys"))
        .await
        .unwrap()
        .int("n")
        .unwrap();
    assert_eq!(n, 0);
    drop(c);
    db.close().await;
}

#[tokio::test]
async fn a_database_from_the_first_release_opens_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = SqlitePoolOptions::new().connect(&url).await.unwrap();
    sqlx::migrate!("./migrations/sqlite")
        .run_to(1, &pool)
        .await
        .unwrap();
    sqlx::query(V1_ACCOUNT_SQLITE)
        .bind("019a0000-0000-7000-8000-0000000000aa")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    reopen_and_check(url).await;
}

#[tokio::test]
async fn a_database_from_the_first_release_opens_on_postgres() {
    let Some(admin_url) = pg_admin() else {
        eprintln!("skipped: set CARTERA_TEST_POSTGRES to run on PostgreSQL");
        return;
    };
    let name = format!("cartera_t_{}", uuid_like());
    let url = admin::create_pg_database(&admin_url, &name).await.unwrap();
    let pool = PgPoolOptions::new().connect(&url).await.unwrap();
    sqlx::migrate!("./migrations/postgres")
        .run_to(1, &pool)
        .await
        .unwrap();
    sqlx::query(V1_ACCOUNT_PG)
        .bind("019a0000-0000-7000-8000-0000000000aa")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    reopen_and_check(url).await;
    admin::drop_pg_database(&admin_url, &name).await.unwrap();
}
