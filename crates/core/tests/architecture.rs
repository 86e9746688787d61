//! Dependencies point one way: core <- store <- app <- server. Only `store` speaks SQL
//! (and imports sqlx); only `server` speaks HTTP (and imports axum); `core` does no I/O.
//! The server reaches the database only through the app: it never names `cartera_store`.
//! Inside `core` and `app`, no file imports a file that (through others) imports it back.
//! This test reads the crates' manifests and sources and fails when that drifts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
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
        &["sqlx", "cartera-store"],
        &[
            "sqlx::",
            "SELECT ",
            "INSERT INTO",
            "DELETE FROM",
            "cartera_store",
        ],
    );
}

/// A file's module path inside its crate: `src/query/spec.rs` is `["query", "spec"]`,
/// `lib.rs` is `[]` (a `mod.rs` is its folder's module).
fn module_of(krate: &str, path: &Path) -> Vec<String> {
    let rel = path
        .strip_prefix(crates_dir().join(krate).join("src"))
        .unwrap()
        .with_extension("");
    let mut m: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(m.last().map(String::as_str), Some("lib" | "main" | "mod")) {
        m.pop();
    }
    m
}

/// Every path a `use` item names, its `{...}` groups spelled out:
/// `crate::{a, b::{c, d}}` gives `crate::a`, `crate::b::c`, `crate::b::d`.
fn use_paths(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.to_owned()];
    };
    let close = tree.rfind('}').filter(|c| *c > open).unwrap_or(tree.len());
    let (prefix, inner) = (&tree[..open], &tree[open + 1..close]);
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| use_paths(&format!("{prefix}{p}")))
        .collect()
}

/// Which files of `krate` each file names, through `use crate::...`, `use super::...`,
/// `use child::...` or a `crate::x::`/`super::x::` path in its code. A path counts for the deepest module file it reaches.
/// The crate root (`lib.rs`) is left out: it declares every module and holds what all of
/// them share (the app's `App` and `Actor`), so every file names it.
fn module_graph(krate: &str) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files: Vec<(Vec<String>, String)> = sources(krate)
        .into_iter()
        .map(|(p, src)| (module_of(krate, &p), src))
        .collect();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = BTreeMap::new();
    for (module, src) in &files {
        if module.is_empty() {
            continue;
        }
        // Comments are not imports, and neither is a file's test module (by convention
        // its last item), whose `super` is the file itself.
        let src = src
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        let code: String = src
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let mut paths = Vec::new();
        // `use` items start a line (after `pub` or `pub(crate)`) and run to their `;`.
        let lines: Vec<&str> = code.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let item = line.trim_start();
            let item = item
                .strip_prefix("pub ")
                .or_else(|| item.strip_prefix("pub(crate) "))
                .unwrap_or(item);
            let Some(rest) = item.strip_prefix("use ") else {
                continue;
            };
            let mut text = rest.to_owned();
            for next in &lines[i + 1..] {
                if text.contains(';') {
                    break;
                }
                text.push_str(next);
            }
            let tree: String = text
                .chars()
                .take_while(|c| *c != ';')
                .filter(|c| !c.is_whitespace())
                .collect();
            paths.extend(use_paths(&tree));
        }
        for start in ["crate::", "super::"] {
            for (i, _) in code.match_indices(start) {
                let path: String = code[i..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                paths.push(path);
            }
        }
        let mut names = BTreeSet::new();
        for path in paths {
            let mut segments = path.split("::").filter(|s| !s.is_empty() && *s != "self");
            let mut full: Vec<String> = match segments.next() {
                Some("crate") => Vec::new(),
                Some("super") => module[..module.len() - 1].to_vec(),
                // `use spec::FieldSpec` in `query.rs` names its own child module.
                Some(child)
                    if modules.contains(&[module.as_slice(), &[child.to_owned()]].concat()) =>
                {
                    [module.as_slice(), &[child.to_owned()]].concat()
                }
                _ => continue,
            };
            for s in segments {
                if s == "super" {
                    full.pop();
                } else {
                    full.push(s.to_owned());
                }
            }
            while !full.is_empty() && !modules.contains(&full) {
                full.pop();
            }
            if !full.is_empty() && &full != module {
                names.insert(full);
            }
        }
        graph.insert(module.clone(), names);
    }
    graph
}

/// The groups of files that import one another (strongly connected, more than one file),
/// each as a circle of `a -> b` edges that shows it.
fn import_circles(krate: &str) -> Vec<Vec<String>> {
    let graph = module_graph(krate);
    let name = |m: &Vec<String>| m.join("::");
    // Tarjan's algorithm; the graphs have a few dozen files, so recursion is fine.
    struct Walk<'a> {
        graph: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, (usize, usize)>,
        stack: Vec<&'a Vec<String>>,
        groups: Vec<Vec<&'a Vec<String>>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a Vec<String>) {
        let n = w.index.len();
        w.index.insert(v, (n, n));
        w.stack.push(v);
        for u in w.graph.get(v).into_iter().flatten() {
            if !w.graph.contains_key(u) {
                continue;
            }
            if !w.index.contains_key(u) {
                visit(w, u);
                let low = w.index[u].1.min(w.index[v].1);
                w.index.get_mut(v).unwrap().1 = low;
            } else if w.stack.contains(&u) {
                let low = w.index[u].0.min(w.index[v].1);
                w.index.get_mut(v).unwrap().1 = low;
            }
        }
        if w.index[v].0 == w.index[v].1 {
            let mut group = Vec::new();
            while let Some(u) = w.stack.pop() {
                group.push(u);
                if u == v {
                    break;
                }
            }
            if group.len() > 1 {
                w.groups.push(group);
            }
        }
    }
    let mut w = Walk {
        graph: &graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        groups: Vec::new(),
    };
    for v in graph.keys() {
        if !w.index.contains_key(v) {
            visit(&mut w, v);
        }
    }
    w.groups
        .iter()
        .map(|group| {
            let mut edges = Vec::new();
            for v in group {
                for u in &graph[*v] {
                    if group.contains(&u) {
                        edges.push(format!("{} -> {}", name(v), name(u)));
                    }
                }
            }
            edges.sort();
            edges
        })
        .collect()
}

fn no_import_circles(krate: &str) {
    let circles = import_circles(krate);
    assert!(
        circles.is_empty(),
        "{krate}: {} group(s) of files import one another; move what they share into a \
         leaf module:\n{}",
        circles.len(),
        circles
            .iter()
            .map(|c| format!("  {}", c.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn core_files_import_no_circle() {
    no_import_circles("core");
}

#[test]
fn app_files_import_no_circle() {
    no_import_circles("app");
}

#[test]
fn server_files_import_no_circle() {
    no_import_circles("server");
}

#[test]
fn the_circle_finder_reads_use_trees() {
    let tree = "crate::{a,b::{c,self},d}";
    assert_eq!(
        use_paths(tree),
        ["crate::a", "crate::b::c", "crate::b::self", "crate::d"]
    );
}
