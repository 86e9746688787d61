//! `cargo run --release -p cartera-bench --bin import -- --rows 1000000`
//!
//! The import benchmark: writes a 12-column CSV of contacts, imports it through the
//! same path as `cartera import contacts FILE` (reading, mapping, every record's
//! validation, the duplicate check by email, the search index and the audit trail),
//! and prints rows per second and the peak memory. It then times the floor (SQLite
//! alone writing the same rows, see [`floor`]) and SQLite's own
//! `sqlite3 .import` of the same file into a bare table and prints the ratio.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::time::Instant;

use clap::Parser;

use cartera_app::imports::{self, Start};
use cartera_app::{Actor, App};
use cartera_core::imports::{ImportMode, ImportOptions, ImportStatus};
use cartera_store::{ConnectOptions, Db};

#[derive(Parser)]
#[command(about = "Cartera import benchmark: a 12-column CSV of contacts")]
struct Args {
    /// sqlite or postgres (PostgreSQL's admin URL comes from CARTERA_BENCH_POSTGRES or CARTERA_TEST_POSTGRES).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// Then undo the import (as the job would) and time that too.
    #[arg(long)]
    undo: bool,
}

const FIRST: [&str; 12] = [
    "Ana", "Bruno", "Carla", "Diego", "Elena", "Fabián", "Gabriela", "Hernán", "Inés", "Julián",
    "Lucía", "Martín",
];
const LAST: [&str; 12] = [
    "García",
    "Pérez",
    "Núñez",
    "Gómez",
    "Rodríguez",
    "Fernández",
    "López",
    "Díaz",
    "Martínez",
    "Sánchez",
    "Romero",
    "Álvarez",
];
const CITIES: [(&str, &str, &str); 6] = [
    ("Buenos Aires", "CABA", "1001"),
    ("Córdoba", "Córdoba", "5000"),
    ("Rosario", "Santa Fe", "2000"),
    ("Mendoza", "Mendoza", "5500"),
    ("La Plata", "Buenos Aires", "1900"),
    ("Mar del Plata", "Buenos Aires", "7600"),
];

/// Writes the file; returns its size in bytes.
fn write_csv(path: &std::path::Path, rows: usize) -> std::io::Result<u64> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        w,
        "Nombre,Apellido,Email,Teléfono,Cargo,Departamento,Ciudad,Provincia,Código postal,País,Fecha de nacimiento,Etiquetas"
    )?;
    for i in 0..rows {
        let (city, prov, cp) = CITIES[i % CITIES.len()];
        writeln!(
            w,
            "{},{}-{i},persona{i}@ejemplo.com.ar,+54 11 {:04}-{:04},Compras,Administración,{city},{prov},{cp},Argentina,{:02}/{:02}/{},cliente;zona{}",
            FIRST[i % 12],
            LAST[(i / 12) % 12],
            (i / 10_000) % 10_000,
            i % 10_000,
            1 + i % 28,
            1 + i % 12,
            1950 + i % 50,
            i % 7
        )?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The resident memory now, as (anonymous, file-backed) MB: the heap and SQLite's page
/// cache against pages of the database file read through its memory map.
fn rss_now_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|k| k.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("RssAnon:"), field("RssFile:"))
}

async fn run(args: Args) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let csv = dir.path().join("contactos.csv");
    let size = write_csv(&csv, args.rows).map_err(|e| e.to_string())?;
    println!(
        "file: {} rows, 12 columns, {:.1} MB",
        args.rows,
        size as f64 / 1e6
    );
    let (url, pg) = match args.backend.as_str() {
        "sqlite" => (
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            ),
            None,
        ),
        "postgres" => {
            let admin = std::env::var("CARTERA_BENCH_POSTGRES")
                .or_else(|_| std::env::var("CARTERA_TEST_POSTGRES"))
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("cartera_import_bench_{}", std::process::id());
            let url = cartera_store::admin::create_pg_database(&admin, &name)
                .await
                .map_err(|e| e.to_string())?;
            (url, Some((admin, name)))
        }
        other => return Err(format!("--backend must be sqlite or postgres, not {other}")),
    };
    let db = Db::connect(&ConnectOptions::new(url))
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let app = App::new(db.clone());
    let (user, _) = cartera_app::users::ensure(&app, "bench@example.com", "Bench")
        .await
        .map_err(|e| e.to_string())?;
    let actor = Actor::administrator(user.id);

    let rss_before = peak_rss_mb();
    let t0 = Instant::now();
    let up = imports::upload(
        &app,
        &actor,
        cartera_core::RecordKind::Contact,
        "contactos.csv",
        &csv,
        ImportOptions::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let uploaded = t0.elapsed();
    let id = up.import.id;
    imports::start(
        &app,
        &actor,
        id,
        Start {
            mode: Some(ImportMode::SkipBadRows),
            ..Start::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let t1 = Instant::now();
    imports::run(&app, id).await.map_err(|e| e.to_string())?;
    let ran = t1.elapsed();
    let total = t0.elapsed();
    let imp = imports::get(&app, &actor, id)
        .await
        .map_err(|e| e.to_string())?;
    if imp.status != ImportStatus::Done {
        return Err(format!(
            "the import ended {}: {:?}",
            imp.status.as_str(),
            imp.error
        ));
    }
    let rate = args.rows as f64 / total.as_secs_f64();
    let (anon, file) = rss_now_mb();
    println!(
        "cartera import ({}): {} created, {} rejected; upload {:.1} s + run {:.1} s = {:.1} s, {:.0} rows/s; peak RSS {:.0} MB (before: {:.0} MB; at the end {anon:.0} MB anonymous + {file:.0} MB of mapped files)",
        args.backend,
        imp.counts.created,
        imp.counts.rejected,
        uploaded.as_secs_f64(),
        ran.as_secs_f64(),
        total.as_secs_f64(),
        rate,
        peak_rss_mb(),
        rss_before,
    );
    if args.undo {
        let t = Instant::now();
        // Past `UNDO_AT_ONCE` records this only queues the job; run its handler here.
        imports::undo(&app, &actor, id, true)
            .await
            .map_err(|e| e.to_string())?;
        imports::run_undo(&app, id, user.id)
            .await
            .map_err(|e| e.to_string())?;
        let secs = t.elapsed().as_secs_f64();
        let imp = imports::get(&app, &actor, id)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "undo: {} ({} rows) in {secs:.1} s, {:.0} records/s",
            imp.status.as_str(),
            imp.undone_rows,
            imp.undone_rows as f64 / secs
        );
    }
    db.close().await;

    if pg.is_none() {
        let secs = floor(dir.path(), args.rows).await?;
        println!(
            "cartera takes {:.1}x as long as the floor",
            total.as_secs_f64() / secs
        );
    }

    {
        // SQLite's own CSV import of the same file into a bare table: the floor.
        let bare = dir.path().join("bare.db");
        let t = Instant::now();
        let out = std::process::Command::new("sqlite3")
            .arg(&bare)
            .arg(".mode csv")
            .arg(format!(".import {} contactos", csv.display()))
            .output();
        match out {
            Ok(o) if o.status.success() => {
                let secs = t.elapsed().as_secs_f64();
                println!(
                    "sqlite3 .import: {secs:.1} s, {:.0} rows/s; cartera takes {:.1}x as long",
                    args.rows as f64 / secs,
                    total.as_secs_f64() / secs
                );
            }
            Ok(o) => println!(
                "sqlite3 .import failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => println!("sqlite3 is not installed ({e}); apt-get install sqlite3"),
        }
    }
    if let Some((admin, name)) = pg {
        let _ = cartera_store::admin::drop_pg_database(&admin, &name).await;
    }
    Ok(())
}

/// What SQLite alone takes to store the records the import stored, as Cartera stores
/// them: into a fresh database with the same schema, in one transaction, each table's
/// rows are copied from the imported database (`INSERT ... SELECT`), so every index,
/// the search index (from an equivalent document), the keys, tags, audit events and
/// row outcomes are written, with no reading, mapping, checking or binding at all. No
/// import can be faster than this on the same schema and machine.
async fn floor(dir: &std::path::Path, rows: usize) -> Result<f64, String> {
    let err = |e: cartera_store::StoreError| e.to_string();
    let url = format!("sqlite://{}?mode=rwc", dir.join("floor.db").display());
    let db = Db::connect(&ConnectOptions::new(url)).await.map_err(err)?;
    db.migrate().await.map_err(err)?;
    let mut c = db.reader().await.map_err(err)?;
    let src = dir.join("bench.db");
    let steps: [(&str, String); 10] = [
        ("attach", format!("ATTACH DATABASE '{}' AS src", src.display())),
        // The records' owner, for their foreign keys.
        ("users", "INSERT INTO main.users SELECT * FROM src.users".into()),
        // The import's writer cache (`Db::bulk_writes`).
        ("cache", "PRAGMA main.cache_size = -32768".into()),
        ("begin", "BEGIN IMMEDIATE".into()),
        ("contacts", "INSERT INTO main.contacts SELECT * FROM src.contacts".into()),
        (
            "search index",
            "INSERT INTO main.contacts_fts (rowid, doc) SELECT seq, first_name || ' ' || last_name \
             || ' ' || COALESCE(email, '') || ' ' || COALESCE(json_extract(phones, '$[0].number'), '') \
             || ' ' || replace(replace(replace(COALESCE(json_extract(phones, '$[0].number'), ''), '+', ''), ' ', ''), '-', '') \
             || ' ' || COALESCE(job_title, '') FROM src.contacts"
                .into(),
        ),
        ("keys", "INSERT INTO main.record_keys SELECT * FROM src.record_keys".into()),
        ("tags", "INSERT INTO main.record_tags SELECT * FROM src.record_tags".into()),
        (
            "audit",
            "INSERT INTO main.audit_events SELECT * FROM src.audit_events WHERE record_kind = 'contact'"
                .into(),
        ),
        ("outcomes", "INSERT INTO main.import_rows SELECT * FROM src.import_rows".into()),
    ];
    let mut parts = Vec::new();
    let mut t = Instant::now();
    for (name, sql) in steps {
        let s = Instant::now();
        if name == "begin" {
            t = s;
        }
        c.execute(cartera_store::Sql::new(sql)).await.map_err(err)?;
        parts.push(format!("{name} {:.1} s", s.elapsed().as_secs_f64()));
    }
    c.execute(cartera_store::Sql::new("COMMIT"))
        .await
        .map_err(err)?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "floor (SQLite alone, the same rows copied in one transaction; {}): {secs:.1} s, {:.0} rows/s",
        parts[4..].join(", "),
        rows as f64 / secs
    );
    drop(c);
    db.close().await;
    Ok(secs)
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
