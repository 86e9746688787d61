//! `cartera import contacts FILE`: the same import as the API's, run in this process
//! with a progress line on the terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use cartera_app::imports::{self, Start};
use cartera_app::{Actor, App};
use cartera_core::imports::read::{FileFormat, TextEncoding};
use cartera_core::imports::values::Locale;
use cartera_core::imports::{Import, ImportMode, ImportOptions, ImportStatus, MatchOn, OnMatch};

/// What `cartera import` was asked to do.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// accounts, contacts or leads.
    pub kind: String,
    /// The file: CSV (any of , ; tab | and UTF-8, UTF-16 or Windows-1252), XLSX, XLS or ODS.
    pub file: PathBuf,
    /// The user the records are created by (their email).
    #[arg(long, env = "CARTERA_IMPORT_USER")]
    pub user: String,
    /// dry-run (say what would happen), skip-bad-rows, or all-or-nothing.
    #[arg(long, default_value = "skip-bad-rows")]
    pub mode: String,
    /// email, tax-id or external-id (a column mapped to external_id).
    #[arg(long)]
    pub match_on: Option<String>,
    /// What to do with a row that matches a record: skip, update or create.
    #[arg(long, default_value = "skip")]
    pub on_match: String,
    /// Map a column to a field, e.g. --map "Razón social=name"; "Column=" leaves it out.
    #[arg(long = "map")]
    pub map: Vec<String>,
    /// es (22/11/2026, 1.234,50) or en (11/22/2026, 1,234.50).
    #[arg(long, default_value = "es")]
    pub locale: String,
    /// csv, xlsx, xls or ods, instead of detecting it.
    #[arg(long)]
    pub format: Option<String>,
    /// utf-8, utf-16le, utf-16be or windows-1252, instead of detecting it.
    #[arg(long)]
    pub encoding: Option<String>,
    /// , ; | or tab, instead of sniffing it.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// The worksheet to read.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Write the rejected rows to this XLSX file.
    #[arg(long)]
    pub rejected: Option<PathBuf>,
}

fn pick<T>(what: &str, v: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, String> {
    f(&v.replace('-', "_")).ok_or_else(|| format!("--{what}: '{v}' is not a choice"))
}

fn options(a: &ImportArgs) -> Result<ImportOptions, String> {
    let mut o = ImportOptions::default();
    if let Some(f) = &a.format {
        o.read.format = Some(pick("format", f, FileFormat::parse)?);
    }
    if let Some(e) = &a.encoding {
        o.read.encoding = Some(TextEncoding::parse(e).ok_or("--encoding: not a known encoding")?);
    }
    if let Some(d) = &a.delimiter {
        o.read.delimiter = Some(match d.as_str() {
            "tab" | "\t" => '\t',
            "," => ',',
            ";" => ';',
            "|" => '|',
            _ => return Err("--delimiter: one of , ; | tab".into()),
        });
    }
    o.read.sheet.clone_from(&a.sheet);
    o.locale = Locale::parse(&a.locale).ok_or("--locale: es or en")?;
    Ok(o)
}

/// Draws `imp`'s progress on one line of the terminal.
fn draw(imp: &Import, started: Instant, tty: bool) {
    let secs = started.elapsed().as_secs_f64().max(0.001);
    let rate = imp.processed_rows as f64 / secs;
    let c = imp.counts;
    let bar = match imp.total_rows {
        Some(total) if total > 0 => {
            let filled = usize::try_from(imp.processed_rows * 30 / total)
                .unwrap_or(30)
                .min(30);
            format!("[{}{}] ", "#".repeat(filled), " ".repeat(30 - filled))
        }
        _ => String::new(),
    };
    let line = format!(
        "{bar}{} rows, {rate:.0}/s: {} created, {} updated, {} skipped, {} rejected",
        imp.processed_rows, c.created, c.updated, c.skipped, c.rejected
    );
    let mut err = std::io::stderr();
    if tty {
        let _ = write!(err, "\r\x1b[2K{line}");
    } else {
        let _ = writeln!(err, "{line}");
    }
    let _ = err.flush();
}

pub async fn run(app: &App, a: ImportArgs) -> Result<(), String> {
    let kind = imports::parse_kind(&a.kind).map_err(|e| e.to_string())?;
    let mode = pick("mode", &a.mode, ImportMode::parse)?;
    let on_match = match a.on_match.as_str() {
        "skip" => OnMatch::Skip,
        "update" => OnMatch::Update,
        "create" => OnMatch::Create,
        _ => return Err("--on-match: skip, update or create".into()),
    };
    let match_on = match a.match_on.as_deref() {
        None => None,
        Some("email") => Some(MatchOn::Email),
        Some("tax-id" | "tax_id") => Some(MatchOn::TaxId),
        Some("external-id" | "external_id") => Some(MatchOn::ExternalId),
        Some(_) => return Err("--match-on: email, tax-id or external-id".into()),
    };
    let opts = options(&a)?;
    let user = cartera_app::users::by_email(app, &a.user)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no user {}", a.user))?;
    let actor = Actor::administrator(user.id);
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let up = imports::upload(app, &actor, kind, &name, &a.file, opts)
        .await
        .map_err(|e| e.to_string())?;
    let mut mapping = up.import.mapping.clone();
    for m in &a.map {
        let (col, field) = m
            .split_once('=')
            .ok_or_else(|| format!("--map '{m}': write it as Column=field"))?;
        let i = up
            .import
            .header
            .iter()
            .position(|h| h == col.trim())
            .ok_or_else(|| format!("--map: the file has no column '{col}'"))?;
        mapping[i] = Some(field.trim().to_owned()).filter(|f| !f.is_empty());
    }
    eprintln!(
        "{} ({} columns):",
        up.import.file_name,
        up.import.header.len()
    );
    for (h, m) in up.import.header.iter().zip(&mapping) {
        eprintln!("  {h:<30} -> {}", m.as_deref().unwrap_or("(not imported)"));
    }
    let id = up.import.id;
    imports::start(
        app,
        &actor,
        id,
        Start {
            mode: Some(mode),
            mapping: Some(mapping),
            match_on,
            on_match: Some(on_match),
            locale: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    // Run it here rather than wait for a server's worker; the queued job then finds it
    // finished and does nothing.
    let runner = {
        let app = app.clone();
        tokio::spawn(async move { imports::run(&app, id).await })
    };
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut last_drawn = Instant::now();
    while !runner.is_finished() {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if tty || last_drawn.elapsed() > Duration::from_secs(5) {
            if let Ok(imp) = imports::get(app, &actor, id).await {
                draw(&imp, started, tty);
            }
            last_drawn = Instant::now();
        }
    }
    runner
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let imp = imports::get(app, &actor, id)
        .await
        .map_err(|e| e.to_string())?;
    draw(&imp, started, tty);
    eprintln!();
    if imp.counts.rejected > 0 {
        if let Some(path) = &a.rejected {
            let (_, bytes) = imports::rejected_file(app, &actor, id)
                .await
                .map_err(|e| e.to_string())?;
            std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("Rejected rows written to {}", path.display());
        } else {
            eprintln!(
                "Rejected rows: GET /api/v1/imports/{id}/rejected, or run again with --rejected FILE.xlsx"
            );
        }
    }
    println!("import {id}: {}", imp.status.as_str());
    match imp.status {
        ImportStatus::Done | ImportStatus::Checked => Ok(()),
        _ => Err(imp
            .error
            .unwrap_or_else(|| format!("the import ended {}", imp.status.as_str()))),
    }
}
