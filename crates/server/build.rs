//! Embeds the page templates and the translation catalogue as folders: every file under
//! `src/web/templates/` and `src/web/i18n/` is listed in `$OUT_DIR/embedded.rs`, so a new
//! module adds its files and registers nothing by hand.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

/// The files under `dir` whose name ends with `ext`, as paths relative to `dir` with `/`
/// separators, in a stable order.
fn files(dir: &Path, ext: &str) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        for entry in fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = rel.join(&name);
            if entry.file_type()?.is_dir() {
                todo.push(path);
            } else if name.ends_with(ext) {
                let parts: Vec<String> = path
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("src/web");
    let templates = root.join("templates");
    let i18n = root.join("i18n");
    // A directory here makes cargo look at every file in it: added and removed files
    // rebuild too (include_str! alone only tracks the files already listed).
    println!("cargo:rerun-if-changed={}", templates.display());
    println!("cargo:rerun-if-changed={}", i18n.display());

    let mut code = String::new();
    writeln!(
        code,
        "/// Every page template, by name (`<domain>/<file>.html`)."
    )?;
    writeln!(code, "pub const TEMPLATES: &[(&str, &str)] = &[")?;
    for name in files(&templates, ".html")? {
        let path = templates.join(&name);
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display())?;
    }
    writeln!(code, "];")?;
    writeln!(
        code,
        "/// Every catalogue file, by language and file (`<lang>/<domain>.ftl`)."
    )?;
    writeln!(code, "pub const CATALOGUE: &[(&str, &str)] = &[")?;
    for name in files(&i18n, ".ftl")? {
        let path = i18n.join(&name);
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display())?;
    }
    writeln!(code, "];")?;
    fs::write(
        PathBuf::from(env::var("OUT_DIR")?).join("embedded.rs"),
        code,
    )?;
    Ok(())
}
