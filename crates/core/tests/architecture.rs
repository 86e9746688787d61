//! Dependencies point one way: core <- store <- app <- server. Only `store` speaks SQL
//! (and imports sqlx); only `server` speaks HTTP (and imports axum); `core` does no I/O.
//! This test reads the crates' manifests and sources and fails when that drifts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn dependencies(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

fn sources(krate: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&crates_dir().join(krate).join("src"), &mut out);
    out
}

fn forbid(krate: &str, deps: &[&str], text: &[&str]) {
    let have = dependencies(krate);
    for d in deps {
        assert!(
            !have.iter().any(|h| h == d),
            "{krate} must not depend on {d}"
        );
    }
    for (path, src) in sources(krate) {
        for t in text {
            assert!(
                !src.contains(t),
                "{} contains `{t}`, which belongs in another crate",
                path.display()
            );
        }
    }
}

#[test]
fn core_does_no_io() {
    forbid(
        "core",
        &[
            "sqlx",
            "axum",
            "tokio",
            "tower",
            "tower-http",
            "reqwest",
            "hyper",
            "cartera-store",
            "cartera-app",
            "cartera-server",
        ],
        &[
            "sqlx::",
            "axum::",
            "tokio::",
            "std::fs",
            "std::net",
            "SELECT ",
            "INSERT INTO",
        ],
    );
}

#[test]
fn store_knows_no_http() {
    forbid(
        "store",
        &[
            "axum",
            "tower",
            "tower-http",
            "hyper",
            "cartera-app",
            "cartera-server",
        ],
        &["axum::"],
    );
}

#[test]
fn app_speaks_neither_sql_nor_http() {
    forbid(
        "app",
        &[
            "sqlx",
            "axum",
            "tower",
            "tower-http",
            "hyper",
            "cartera-server",
        ],
        &[
            "sqlx::",
            "axum::",
            "SELECT ",
            "INSERT INTO",
            "UPDATE ",
            "DELETE FROM",
        ],
    );
}

#[test]
fn server_leaves_sql_to_the_store() {
    forbid(
        "server",
        &["sqlx"],
        &["sqlx::", "SELECT ", "INSERT INTO", "DELETE FROM"],
    );
}
