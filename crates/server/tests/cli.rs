//! The `cartera` command as a newcomer uses it: migrate, create a token, serve, call the
//! API with the token; and clear errors for bad configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cartera");

fn cartera(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("CARTERA_DATABASE_URL")
        .output()
        .expect("cartera runs")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &std::path::Path, port: u16, extra_env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("serve starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child)
}

async fn newcomer_flow(dir: &std::path::Path, env: &[(&str, &str)]) {
    let with_env = |args: &[&str]| {
        let mut c = Command::new(BIN);
        c.args(args).current_dir(dir).env_remove("DATABASE_URL");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let m = with_env(&["migrate"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    assert!(String::from_utf8_lossy(&m.stdout).contains("up to date"));
    let t = with_env(&[
        "token",
        "create",
        "--user",
        "Dueña@Empresa.com.ar",
        "--user-name",
        "Dueña",
    ]);
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let token = String::from_utf8(t.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("crt_"), "{token}");
    assert!(String::from_utf8_lossy(&t.stderr).contains("shown only now"));
    let r = with_env(&[
        "token",
        "create",
        "--user",
        "lectora@empresa.com.ar",
        "--scope",
        "read",
    ]);
    let reader = String::from_utf8(r.stdout).unwrap().trim().to_owned();

    let port = free_port();
    let _server = serve(dir, port, env);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let made = client
        .post(format!("{base}/api/v1/accounts"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Primer Cliente"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status().as_u16(), 201);
    let listed: serde_json::Value = client
        .get(format!("{base}/api/v1/accounts"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["name"], "Primer Cliente");
    let denied = client
        .post(format!("{base}/api/v1/accounts"))
        .bearer_auth(&reader)
        .json(&serde_json::json!({"name": "No"}))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);
    let me: serde_json::Value = client
        .get(format!("{base}/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "dueña@empresa.com.ar");
}

#[tokio::test]
async fn newcomer_on_the_embedded_default() {
    let dir = tempfile::tempdir().unwrap();
    newcomer_flow(dir.path(), &[]).await;
    assert!(
        dir.path().join("data").join("cartera.db").is_file(),
        "data lives in ./data/"
    );
}

#[tokio::test]
async fn newcomer_on_postgres_through_database_url() {
    let Ok(admin) = std::env::var("CARTERA_TEST_POSTGRES") else {
        eprintln!("skipped: set CARTERA_TEST_POSTGRES to run on PostgreSQL");
        return;
    };
    let name = format!(
        "cartera_t_{}",
        cartera_core::Id::new().to_string().replace('-', "")
    );
    let url = cartera_store::admin::create_pg_database(&admin, &name)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    newcomer_flow(dir.path(), &[("DATABASE_URL", &url)]).await;
    assert!(
        !dir.path().join("data").join("cartera.db").exists(),
        "nothing in SQLite"
    );
    cartera_store::admin::drop_pg_database(&admin, &name)
        .await
        .unwrap();
}

#[test]
fn bad_configuration_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = cartera(dir.path(), &["serve", "--listen", "nowhere"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listen address 'nowhere'"), "{err}");

    std::fs::write(dir.path().join("cartera.toml"), "lisen = \"127.0.0.1:1\"\n").unwrap();
    let out = cartera(dir.path(), &["migrate"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cartera.toml") && err.contains("lisen"),
        "{err}"
    );
    std::fs::remove_file(dir.path().join("cartera.toml")).unwrap();

    let out = cartera(dir.path(), &["migrate", "--database-url", "mysql://x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite: or postgres:"));

    let out = cartera(
        dir.path(),
        &["serve", "--smtp-url", "ftp://ana:secreto@mail"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot set up email"), "{err}");
    assert!(!err.contains("secreto"), "{err}");
    let out = cartera(dir.path(), &["serve", "--public-url", "crm.example.com"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("public URL 'crm.example.com'"), "{err}");

    let out = cartera(dir.path(), &["token", "create", "--user", "not-an-email"]);
    assert!(!out.status.success());
    let out = cartera(
        dir.path(),
        &["token", "create", "--user", "a@b.com", "--scope", "god"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scope"));
}

#[test]
fn demo_company_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = cartera(dir.path(), &["demo"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        out.contains("Demo company loaded")
            && out.contains("accounts")
            && out.contains("6 products, 12 deals, 2 quotes, 1 orders, 24 activities")
            && out.contains("9 invoices, 4 payments, 3 cheques")
            && out.contains("  marta.rios@demo.cartera.local")
            && out.contains("Demo logins (password cartera-demo):")
            && out.contains("  admin@")
            && out.contains("  lucia.fernandez@demo.cartera.local"),
        "{out}"
    );
    let again = cartera(dir.path(), &["demo"]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already has data"));
}

#[test]
fn help_lists_the_environment() {
    let out = cartera(std::path::Path::new("."), &["serve", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for var in [
        "CARTERA_LISTEN",
        "CARTERA_DATABASE_URL",
        "CARTERA_DATA_DIR",
        "CARTERA_CONFIG",
        "CARTERA_LOG",
        "CARTERA_PUBLIC_URL",
        "CARTERA_SMTP_URL",
        "CARTERA_SMTP_FROM",
        "CARTERA_TOKEN_RATE_LIMIT",
    ] {
        assert!(
            text.contains(var),
            "{var} missing from serve --help:\n{text}"
        );
    }
}

/// Without an SMTP server the reset email is written to the log, and its link works.
#[tokio::test]
async fn reset_link_in_the_log_without_smtp() {
    let dir = tempfile::tempdir().unwrap();
    let added = cartera(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "jefa@empresa.com.ar",
            "--name",
            "Jefa",
        ],
    );
    assert!(added.status.success());
    let port = free_port();
    let log = dir.path().join("serve.log");
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("CARTERA_SMTP_URL")
        .env("CARTERA_PUBLIC_URL", "https://crm.example.com/")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null());
    let _server = Server(cmd.spawn().expect("serve starts"));
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let r = client
        .post(format!("{base}/api/v1/auth/password_reset"))
        .json(&serde_json::json!({"email": "jefa@empresa.com.ar"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let marker = "https://crm.example.com/reset-password?token=";
    let token = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(i) = text.find(marker) {
            let rest = &text[i + marker.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            break rest[..end].to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no reset link in the log:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let r = client
        .post(format!("{base}/api/v1/auth/password_reset/confirm"))
        .json(&serde_json::json!({"token": token, "new_password": "una clave bien larga"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "jefa@empresa.com.ar", "password": "una clave bien larga"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

fn cartera_stdin(dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("CARTERA_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cartera runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn first_admin_sets_a_password_and_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let added = cartera(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "jefa@empresa.com.ar",
            "--name",
            "Jefa",
        ],
    );
    assert!(added.status.success());
    let short = cartera_stdin(
        dir.path(),
        &["user", "password", "--email", "jefa@empresa.com.ar"],
        "corta\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
    let unknown = cartera_stdin(
        dir.path(),
        &["user", "password", "--email", "nadie@empresa.com.ar"],
        "una clave bien larga\n",
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no user"));
    let set = cartera_stdin(
        dir.path(),
        &["user", "password", "--email", "jefa@empresa.com.ar"],
        "una clave bien larga\n",
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );

    let port = free_port();
    let _server = serve(dir.path(), port, &[]);
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "jefa@empresa.com.ar", "password": "una clave bien larga"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().contains_key("set-cookie"));
}

/// "N tables, M rows" from what `backup` or `restore` printed.
fn copied(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("Backed up ") || l.starts_with("Restored "))
        .unwrap_or_else(|| panic!("no summary in: {err}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "tables,").unwrap();
    format!("{} tables, {} rows", words[at - 1], words[at + 1])
}

#[tokio::test]
async fn the_demo_company_moves_through_a_backup_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cartera(dir.path(), &["demo"]).status.success());
    let made = copied(&cartera(dir.path(), &["backup", "company.jsonl"]));

    // Into PostgreSQL when there is one, else into another SQLite file.
    let pg = std::env::var("CARTERA_TEST_POSTGRES").ok();
    let name = format!(
        "cartera_t_{}",
        cartera_core::Id::new().to_string().replace('-', "")
    );
    let target = match &pg {
        Some(admin) => cartera_store::admin::create_pg_database(admin, &name)
            .await
            .unwrap(),
        None => format!("sqlite://{}/moved.db?mode=rwc", dir.path().display()),
    };
    let restored = copied(&cartera(
        dir.path(),
        &["--database-url", &target, "restore", "company.jsonl"],
    ));
    assert_eq!(restored, made);
    // Once is enough: a second restore would mix two companies.
    let again = cartera(
        dir.path(),
        &["--database-url", &target, "restore", "company.jsonl"],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a company"));
    let back = copied(&cartera(
        dir.path(),
        &["--database-url", &target, "backup", "moved.jsonl"],
    ));
    assert_eq!(back, made);
    if let Some(admin) = &pg {
        cartera_store::admin::drop_pg_database(admin, &name)
            .await
            .unwrap();
    }
}

/// The last progress line `cartera import` wrote: "... N created, N updated, N skipped, N rejected".
fn import_counts(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .rev()
        .find(|l| l.contains(" created, "))
        .and_then(|l| l.split_once(": "))
        .map(|(_, counts)| counts.to_owned())
        .unwrap_or_else(|| panic!("no counts in: {err}"))
}

#[test]
fn contacts_are_imported_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cartera(dir.path(), &["demo"]).status.success());
    std::fs::write(
        dir.path().join("contactos.csv"),
        "Nombre;Apellido;E-mail;Teléfono\n\
         Rocío;Benítez;rocio.benitez@ejemplo.com.ar;+54 11 4555-0101\n\
         Joaquín;Ibáñez;no es un correo;+54 11 4555-0102\n\
         Valeria;Quiroga;valeria.quiroga@ejemplo.com.ar;\n",
    )
    .unwrap();
    let user = "admin@demo.cartera.local";
    let import = |extra: &[&str]| {
        let mut args = vec!["import", "contacts", "contactos.csv", "--user", user];
        args.extend_from_slice(extra);
        cartera(dir.path(), &args)
    };

    // All or nothing: the bad email stops the whole file, and says why.
    let refused = import(&["--mode", "all-or-nothing"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was written"));

    // A dry run says what would happen and writes nothing.
    let dry = import(&["--mode", "dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    assert!(String::from_utf8_lossy(&dry.stdout).contains(": checked"));
    assert_eq!(
        import_counts(&dry),
        "2 created, 0 updated, 0 skipped, 1 rejected"
    );

    // Skipping bad rows imports the two good ones and writes the bad one to a spreadsheet.
    let ran = import(&["--rejected", "rechazados.xlsx"]);
    assert!(ran.status.success(), "{ran:?}");
    let err = String::from_utf8_lossy(&ran.stderr);
    assert!(err.contains("E-mail"), "the mapping is shown: {err}");
    assert!(String::from_utf8_lossy(&ran.stdout).contains(": done"));
    assert_eq!(
        import_counts(&ran),
        "2 created, 0 updated, 0 skipped, 1 rejected"
    );
    let rejected = std::fs::read(dir.path().join("rechazados.xlsx")).unwrap();
    assert!(rejected.starts_with(b"PK"), "an XLSX is a ZIP file");

    // Again: the two are found by their email and skipped, not doubled.
    let again = import(&[]);
    assert!(again.status.success());
    assert_eq!(
        import_counts(&again),
        "0 created, 0 updated, 2 skipped, 1 rejected"
    );

    let unknown = import(&["--mode", "sometimes"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--mode"));
}
