//! The test harness: a real Cartera server on a random port with a fresh database
//! (a SQLite file, or a PostgreSQL database made for the test and dropped after),
//! driven over HTTP with reqwest, as a client would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use cartera_app::{App, Clock, Mailer, SystemClock};
use cartera_core::Id;
use cartera_core::users::Scope;
use cartera_server::state::Limits;
use cartera_store::{ConnectOptions, Db};

use crate::smtp::SmtpSink;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `CARTERA_TEST_POSTGRES` holds an admin URL of a PostgreSQL server; when it is set,
/// a test that cannot reach it fails.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("CARTERA_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// What a test may change about its server.
#[derive(Default)]
pub struct Setup {
    /// Start an SMTP server (aiosmtpd) and send the server's email there.
    pub smtp: bool,
    pub limits: Limits,
}

/// The machine's clock, moved forward by what the test asks for.
#[derive(Default)]
pub struct TestClock {
    ahead_micros: AtomicI64,
}

impl TestClock {
    pub fn advance(&self, by: chrono::Duration) {
        let micros = by.num_microseconds().expect("a duration in range");
        self.ahead_micros.fetch_add(micros, Ordering::SeqCst);
    }

    /// Moves the clock forward to the next noon in `tz`: for tests whose "today" must be
    /// the same day in UTC and in the users' zone, whatever the hour they run at.
    pub fn advance_to_noon_in(&self, tz: chrono_tz::Tz) {
        use chrono::TimeZone;
        let now = self.now();
        let local = now.with_timezone(&tz).date_naive();
        let noon = |d: chrono::NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(12, 0, 0).expect("noon exists"))
                .single()
                .expect("noon is never skipped")
                .with_timezone(&chrono::Utc)
        };
        let mut target = noon(local);
        if target <= now {
            target = noon(local + chrono::Duration::days(1));
        }
        self.advance(target - now);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + chrono::Duration::microseconds(self.ahead_micros.load(Ordering::SeqCst))
    }
}

enum Store {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin: String,
        name: String,
    },
    /// Handed on to the server started on the same database (see `restart`).
    Moved,
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    /// An admin token.
    pub token: String,
    pub admin_id: Id,
    pub app: App,
    /// The server's clock; `advance` it to let time pass.
    pub clock: Arc<TestClock>,
    /// The SMTP server the server sends to, with `Setup { smtp: true, .. }`.
    pub smtp: Option<SmtpSink>,
    /// The database's URL, for a second app on the same database.
    pub url: String,
    store: Store,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `field`s of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts a problem answer with this status naming this field.
    #[track_caller]
    pub fn problem(self, status: u16, field: &str) -> Resp {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "not a problem answer: {}",
            self.body
        );
        assert_eq!(self.body["status"].as_u64(), Some(u64::from(status)));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        if !field.is_empty() {
            assert!(
                self.error_fields().iter().any(|f| f == field),
                "no error on '{field}': {}",
                self.body
            );
        }
        let text = self.body.to_string();
        for leak in ["SELECT", "INSERT", "sqlx", "panicked", ".rs:", "/src/"] {
            assert!(
                !text.contains(leak),
                "the answer leaks internals ({leak}): {text}"
            );
        }
        self
    }

    /// The names (or titles) of a list answer's records, in order.
    pub fn names(&self) -> Vec<String> {
        self.body["data"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        x.get("name")
                            .or_else(|| x.get("title"))
                            .or_else(|| x.get("last_name"))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }
}

impl TestServer {
    /// A server on `backend` set up as `setup` says, or `None` for PostgreSQL when no
    /// server is configured.
    pub async fn start_with(backend: Backend, setup: Setup) -> Option<TestServer> {
        let (url, store) = Self::new_database(backend).await?;
        Some(Self::start_on(url, store, setup).await)
    }

    async fn new_database(backend: Backend) -> Option<(String, Store)> {
        Some(match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("cartera.db").display()
                );
                (url, Store::Sqlite(dir))
            }
            Backend::Postgres => {
                let admin = postgres_admin_url()?;
                let name = format!("cartera_t_{}", uuid::Uuid::now_v7().simple());
                let url = cartera_store::admin::create_pg_database(&admin, &name)
                    .await
                    .expect("CARTERA_TEST_POSTGRES is set but the server cannot create a database");
                (url, Store::Postgres { admin, name })
            }
        })
    }

    /// A server on a new database of `backend` into which `backup` was restored.
    pub async fn restored(backend: Backend, backup: &[u8]) -> Option<TestServer> {
        let (url, store) = Self::new_database(backend).await?;
        let db = Db::connect(&ConnectOptions::new(url.clone()))
            .await
            .expect("database opens");
        cartera_app::backup::restore(&db, backup, |_, _| {})
            .await
            .expect("the backup restores");
        db.close().await;
        Some(Self::start_on(url, store, Setup::default()).await)
    }

    /// A new database of `backend` with the schema and nothing else (no server, no
    /// admin), dropped with the value.
    pub async fn empty_database(backend: Backend) -> EmptyDatabase {
        let (url, store) = Self::new_database(backend)
            .await
            .expect("a database of this backend");
        let db = Db::connect(&ConnectOptions::new(url))
            .await
            .expect("database opens");
        EmptyDatabase { db, store }
    }

    pub fn backend(&self) -> Backend {
        match self.app.db.backend() {
            cartera_store::Backend::Sqlite => Backend::Sqlite,
            cartera_store::Backend::Postgres => Backend::Postgres,
        }
    }

    /// Stops this server and starts a new one on the same database (a restart), with a
    /// fresh clock and a new admin token.
    pub async fn restart(mut self) -> TestServer {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.app.db.close().await;
        let store = std::mem::replace(&mut self.store, Store::Moved);
        let url = self.url.clone();
        drop(self);
        Self::start_on(url, store, Setup::default()).await
    }

    /// Another server on this one's database, running beside it (two servers behind a
    /// load balancer), started as `setup` says, with its own clock and admin token. The
    /// database stays this server's: drop the second one first.
    pub async fn second(&self, setup: Setup) -> TestServer {
        Self::start_on(self.url.clone(), Store::Moved, setup).await
    }

    async fn start_on(url: String, store: Store, setup: Setup) -> TestServer {
        let db = Db::connect(&ConnectOptions {
            max_connections: 4,
            ..ConnectOptions::new(url.clone())
        })
        .await
        .expect("database opens");
        let clock = Arc::new(TestClock::default());
        let smtp = setup.smtp.then(SmtpSink::start);
        let mailer = match &smtp {
            Some(sink) => Mailer::new(Some(&sink.url()), cartera_app::mail::DEFAULT_FROM)
                .expect("a mailer for the SMTP sink"),
            None => Mailer::Log,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let app = App::with_clock(db, clock.clone())
            .with_mailer(mailer)
            .with_public_url(&format!("http://{addr}"));
        let (admin, _) = cartera_app::users::ensure(&app, "admin@test.example.com", "Ada Admin")
            .await
            .expect("admin user");
        let (_, token) =
            cartera_app::users::create_token(&app, admin.id, "tests", Scope::Admin, None)
                .await
                .expect("admin token");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = app.clone();
        tokio::spawn(async move {
            let _ = cartera_server::serve(listener, served, setup.limits, async {
                let _ = rx.await;
            })
            .await;
        });
        TestServer {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            token,
            admin_id: admin.id,
            app,
            clock,
            smtp,
            url,
            store,
            shutdown: Some(tx),
        }
    }

    /// A token for another user (created if new) with `scope`.
    pub async fn token_for(&self, email: &str, scope: Scope) -> (Id, String) {
        let (u, _) = cartera_app::users::ensure(&self.app, email, "Test User")
            .await
            .expect("user");
        let (_, t) = cartera_app::users::create_token(&self.app, u.id, "test", scope, None)
            .await
            .expect("token");
        (u.id, t)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<RawBody>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        match body {
            Some(RawBody::Json(v)) => req = req.json(&v),
            Some(RawBody::Text(ct, text)) => req = req.header("content-type", ct).body(text),
            None => {}
        }
        let res = req.send().await.expect("request reaches the server");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A file's bytes as the body of a POST (an upload), with `token`.
    pub async fn post_bytes(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Resp {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.json::<Value>().await.unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A request with another user's token.
    pub async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.send(method, path, Some(token), &[], body.map(RawBody::Json))
            .await
    }

    /// A user (created if new) with the built-in or custom role `role` and a write token.
    pub async fn member(&self, email: &str, role: &str) -> (Id, String) {
        let (id, token) = self.token_for(email, Scope::Write).await;
        let role = self.role(role).await["id"].clone();
        self.patch(&format!("/api/v1/users/{id}"), json!({"role_id": role}))
            .await
            .expect(200);
        (id, token)
    }

    /// The role with this key, as the API shows it.
    pub async fn role(&self, key: &str) -> Value {
        let roles = self.get("/api/v1/roles").await.expect(200);
        roles.body["data"]
            .as_array()
            .expect("roles")
            .iter()
            .find(|r| r["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no role {key}"))
    }

    /// Sets a password and logs in; returns the `Cookie` header value and CSRF token.
    pub async fn browser_login(&self, email: &str, password: &str) -> (String, String) {
        cartera_app::auth::set_password(&self.app, email, password)
            .await
            .expect("password set");
        let r = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &[],
                Some(RawBody::Json(json!({"email": email, "password": password}))),
            )
            .await
            .expect(200);
        let cookie = r
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let csrf = r.body["csrf_token"].as_str().expect("csrf").to_owned();
        (cookie, csrf)
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, Some(&self.token), &[], None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(
            Method::POST,
            path,
            Some(&self.token),
            &[],
            Some(RawBody::Json(body)),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(
            Method::PATCH,
            path,
            Some(&self.token),
            &[],
            Some(RawBody::Json(body)),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, Some(&self.token), &[], None)
            .await
    }

    /// Creates a record as the holder of `token`; returns its id.
    pub async fn create_as(&self, token: &str, plural: &str, body: Value) -> String {
        self.call(
            token,
            Method::POST,
            &format!("/api/v1/{plural}"),
            Some(body),
        )
        .await
        .expect(201)
        .id()
    }

    /// Creates a record and returns its body.
    pub async fn create(&self, plural: &str, body: Value) -> Value {
        let r = self.post(&format!("/api/v1/{plural}"), body).await;
        assert_eq!(r.status.as_u16(), 201, "create {plural}: {}", r.body);
        r.body
    }

    /// Every page of a list, following cursors.
    pub async fn all_pages(&self, path_and_query: &str) -> Vec<Value> {
        self.all_pages_as(&self.token, path_and_query).await
    }

    /// Every page of a list as another user sees it.
    pub async fn all_pages_as(&self, token: &str, path_and_query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let sep = if path_and_query.contains('?') {
                '&'
            } else {
                '?'
            };
            let url = match &cursor {
                Some(c) => format!("{path_and_query}{sep}cursor={c}"),
                None => path_and_query.to_owned(),
            };
            let r = self.call(token, Method::GET, &url, None).await.expect(200);
            out.extend(r.body["data"].as_array().cloned().unwrap_or_default());
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
        panic!("more than 1000 pages");
    }
}

pub enum RawBody {
    Json(Value),
    Text(&'static str, String),
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        release(&self.store, &self.app.db);
    }
}

/// A database with the schema only (see [`TestServer::empty_database`]).
pub struct EmptyDatabase {
    pub db: Db,
    store: Store,
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        release(&self.store, &self.db);
    }
}

/// Drops a test's PostgreSQL database (its SQLite folder goes with the `TempDir`).
fn release(store: &Store, db: &Db) {
    if let Store::Postgres { admin, name } = store {
        let (admin, name) = (admin.clone(), name.clone());
        let db = db.clone();
        // Drop runs outside async: a thread with its own runtime closes the pool
        // and drops the test's database.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(async {
                    db.close().await;
                    let _ = cartera_store::admin::drop_pg_database(&admin, &name).await;
                });
            }
        })
        .join();
    }
}

/// Runs a test body on SQLite and on PostgreSQL (when configured); with
/// `both!(setup = EXPR; a, b)` each server is started with that `Setup`.
#[macro_export]
macro_rules! both {
    (setup = $setup:expr; $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                // `$setup` is written in the test's file, with its imports.
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let s = $crate::support::TestServer::start_with(
                        $crate::support::Backend::Sqlite,
                        $setup,
                    )
                    .await
                    .expect("sqlite server");
                    super::$name(s).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::support::TestServer::start_with(
                        $crate::support::Backend::Postgres,
                        $setup,
                    )
                    .await
                    {
                        Some(s) => super::$name(s).await,
                        None => eprintln!("skipped: set CARTERA_TEST_POSTGRES to run on PostgreSQL"),
                    }
                }
            }
        )+
    };
    ($($name:ident),+ $(,)?) => {
        $crate::both!(setup = $crate::support::Setup::default(); $($name),+);
    };
}
