//! `cargo run --release -p cartera-bench -- --backend sqlite`
//!
//! Builds a synthetic company (by default 200,000 accounts and 1,000,000 contacts)
//! through the bulk endpoint of a real Cartera server, then measures over HTTP:
//! full-text search latency, filtered and sorted list latency, list throughput at 32
//! concurrent clients, and bulk creation speed. Prints a table to paste in the README.
//!
//! With `--billing`, then a billing phase (see [`billing`]): a million invoices and a
//! million and a half payments written directly, and the ageing, a long statement and
//! the interest run measured over HTTP. `--contacts 0` leaves the contact figures out.

mod billing;
mod billing_data;
mod data;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

use cartera_app::App;
use cartera_core::Id;
use cartera_core::users::Scope;
use cartera_store::{ConnectOptions, Db};

#[derive(Parser, Clone)]
#[command(about = "Cartera benchmark: a synthetic company measured over HTTP")]
struct Args {
    /// sqlite or postgres (PostgreSQL's admin URL comes from CARTERA_BENCH_POSTGRES or CARTERA_TEST_POSTGRES).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    #[arg(long, default_value_t = 200_000)]
    accounts: usize,
    #[arg(long, default_value_t = 1_000_000)]
    contacts: usize,
    /// Records per bulk request.
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Bulk requests in flight at once while loading.
    #[arg(long, default_value_t = 2)]
    inflight: usize,
    /// Seconds of each throughput run.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent clients of the throughput runs.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Requests of each latency run (one client).
    #[arg(long, default_value_t = 2000)]
    samples: usize,
    /// Connections of the server's pool (SQLite: readers beside the one writer).
    #[arg(long, default_value_t = 4)]
    pool: u32,
    /// Also run the billing phase (receivables ageing, statement, interest run).
    #[arg(long)]
    billing: bool,
    /// Invoices and credit notes of the billing phase.
    #[arg(long, default_value_t = 1_000_000)]
    invoices: usize,
    /// Payments of the billing phase.
    #[arg(long, default_value_t = 1_500_000)]
    payments: usize,
    /// Movements of the one customer whose statement is measured.
    #[arg(long, default_value_t = 5_000)]
    statement_movements: usize,
    /// Requests of each ageing latency run (each reads every customer).
    #[arg(long, default_value_t = 20)]
    ageing_samples: usize,
    /// Requests of the statement latency run.
    #[arg(long, default_value_t = 200)]
    statement_samples: usize,
}

struct Stats {
    count: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    Stats {
        count: ms.len(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: *ms.last().unwrap_or(&0.0),
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn get(&self, path: &str) -> Result<(u16, Vec<u8>), String> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let body = r.bytes().await.map_err(|e| e.to_string())?;
        Ok((status, body.to_vec()))
    }

    /// Sends a JSON body (`PATCH` settings, `POST` a run).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> Result<(u16, Vec<u8>), String> {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let body = r.bytes().await.map_err(|e| e.to_string())?;
        Ok((status, body.to_vec()))
    }

    /// Posts a bulk request and reads back only the ids of what it created.
    async fn post_bulk(&self, path: &str, body: Vec<u8>) -> Result<Vec<String>, String> {
        #[derive(serde::Deserialize)]
        struct Created {
            id: String,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            created: Vec<Created>,
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let bytes = r.bytes().await.map_err(|e| e.to_string())?;
        if status >= 300 {
            return Err(format!(
                "{path}: {status} {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        let a: Answer = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        Ok(a.created.into_iter().map(|c| c.id).collect())
    }
}

/// Request bodies of `{"create": [...]}` batches, made before the clock starts: the
/// benchmark measures the server, not the generation of synthetic data.
fn bodies(total: usize, batch: usize, make: &dyn Fn(usize) -> Value) -> Vec<Vec<u8>> {
    (0..total)
        .step_by(batch.max(1))
        .map(|from| {
            let items: Vec<Value> = (from..(from + batch).min(total)).map(make).collect();
            serde_json::to_vec(&json!({"create": items})).unwrap_or_default()
        })
        .collect()
}

/// Sends the batches to `/api/v1/{plural}/bulk`, `inflight` requests at a time so that
/// the client's work overlaps the server's. Returns the ids in order and the rate.
async fn load(
    client: Arc<Client>,
    plural: &'static str,
    batches: Vec<Vec<u8>>,
    inflight: usize,
) -> Result<(Vec<String>, f64), String> {
    let started = Instant::now();
    let count = batches.len();
    let mut results: Vec<Vec<String>> = vec![Vec::new(); count];
    let mut pending = tokio::task::JoinSet::new();
    let mut queue = batches.into_iter().enumerate();
    let mut done = 0usize;
    let mut last_print = Instant::now();
    loop {
        while pending.len() < inflight.max(1) {
            let Some((i, body)) = queue.next() else { break };
            let c = client.clone();
            pending.spawn(async move {
                c.post_bulk(&format!("/api/v1/{plural}/bulk"), body)
                    .await
                    .map(|ids| (i, ids))
            });
        }
        let Some(res) = pending.join_next().await else {
            break;
        };
        let (i, ids) = res.map_err(|e| e.to_string())??;
        done += ids.len();
        results[i] = ids;
        if last_print.elapsed() > Duration::from_secs(10) {
            last_print = Instant::now();
            eprintln!(
                "  {plural}: {done} ({:.0}/s)",
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let rate = done as f64 / started.elapsed().as_secs_f64();
    Ok((results.into_iter().flatten().collect(), rate))
}

/// One client, one request at a time: the latency a person feels.
async fn latency(
    client: &Client,
    paths: &[String],
    samples: usize,
) -> Result<(Stats, usize), String> {
    let mut ms = Vec::with_capacity(samples);
    let mut rows = 0usize;
    for i in 0..samples {
        let p = &paths[i % paths.len()];
        let t = Instant::now();
        let (status, body) = client.get(p).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if status != 200 {
            return Err(format!("{p}: {status} {}", String::from_utf8_lossy(&body)));
        }
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            rows += v["data"].as_array().map(Vec::len).unwrap_or(0);
        }
    }
    Ok((stats(ms), rows))
}

/// `clients` clients as fast as they can for `seconds`: requests per second.
async fn throughput(
    client: Arc<Client>,
    paths: Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
) -> Result<(f64, Stats), String> {
    let stop = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    for k in 0..clients {
        let (c, p, n) = (client.clone(), paths.clone(), counter.clone());
        tasks.spawn(async move {
            let mut ms = Vec::new();
            let mut i = k * 7919;
            while Instant::now() < stop {
                let path = &p[i % p.len()];
                i += 1;
                let t = Instant::now();
                let (status, _) = c.get(path).await?;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                if status != 200 {
                    return Err(format!("{path}: {status}"));
                }
                n.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, String>(ms)
        });
    }
    let mut all = Vec::new();
    while let Some(r) = tasks.join_next().await {
        all.extend(r.map_err(|e| e.to_string())??);
    }
    let rps = counter.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    Ok((rps, stats(all)))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn run(args: Args) -> Result<(), String> {
    let (url, _tmp, pg) = match args.backend.as_str() {
        "sqlite" => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            );
            (url, Some(dir), None)
        }
        "postgres" => {
            let admin = std::env::var("CARTERA_BENCH_POSTGRES")
                .or_else(|_| std::env::var("CARTERA_TEST_POSTGRES"))
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("cartera_bench_{}", std::process::id());
            let url = cartera_store::admin::create_pg_database(&admin, &name)
                .await
                .map_err(|e| e.to_string())?;
            (url, None, Some((admin, name)))
        }
        other => return Err(format!("--backend must be sqlite or postgres, not {other}")),
    };
    let slow_ms = std::env::var("BENCH_SLOW_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250);
    let db = Db::connect(&ConnectOptions {
        max_connections: args.pool,
        slow_statement: Duration::from_millis(slow_ms),
        ..ConnectOptions::new(url)
    })
    .await
    .map_err(|e| e.to_string())?;
    let app = App::new(db.clone());
    let (admin, _) = cartera_app::users::ensure(&app, "bench@example.com", "Bench")
        .await
        .map_err(|e| e.to_string())?;
    let (_, token) = cartera_app::users::create_token(&app, admin.id, "bench", Scope::Admin, None)
        .await
        .map_err(|e| e.to_string())?;
    let mut owners = Vec::new();
    for i in 0..20 {
        let (u, _) =
            cartera_app::users::ensure(&app, &format!("rep{i}@example.com"), &format!("Rep {i}"))
                .await
                .map_err(|e| e.to_string())?;
        owners.push(u.id.to_string());
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let served = app.clone();
    // What `cartera serve` runs beside the server (statistics, trash) runs here too.
    cartera_server::spawn_maintenance(app.clone());
    tokio::spawn(async move {
        // One token drives the server as hard as it can: no per-token limit.
        let limits = cartera_server::state::Limits {
            token_requests_per_minute: 0,
            ..cartera_server::state::Limits::default()
        };
        let _ = cartera_server::serve(listener, served, limits, std::future::pending()).await;
    });
    let client = Arc::new(Client {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| e.to_string())?,
        base: format!("http://{addr}"),
        token,
    });

    println!(
        "Cartera benchmark: {} backend, {} accounts, {} contacts, {} cores",
        args.backend,
        args.accounts,
        args.contacts,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let account_bodies = bodies(args.accounts, args.batch, &|i| {
        data::account(i, &owners[i % owners.len()])
    });
    let (accounts, account_rate) =
        load(client.clone(), "accounts", account_bodies, args.inflight).await?;
    println!(
        "accounts created: {} at {account_rate:.0}/s",
        accounts.len()
    );
    if accounts.len() != args.accounts {
        return Err("not every account was created".into());
    }
    let contact_bodies = bodies(args.contacts, args.batch, &|i| {
        data::contact(
            i,
            args.accounts,
            &accounts[i % accounts.len()],
            &owners[(i / 3) % owners.len()],
        )
    });
    let (contact_ids, contact_rate) =
        load(client.clone(), "contacts", contact_bodies, args.inflight).await?;
    println!(
        "contacts created: {} at {contact_rate:.0}/s (bulk endpoint, {} per request)",
        contact_ids.len(),
        args.batch
    );
    if args.contacts > 0 {
        contact_figures(
            &args,
            &client,
            &accounts,
            &owners,
            &_tmp,
            account_rate,
            contact_rate,
        )
        .await?;
    }
    if args.billing {
        let account_ids: Vec<Id> = accounts
            .iter()
            .map(|a| a.parse().map_err(|_| format!("account id {a}")))
            .collect::<Result<_, String>>()?;
        let owner_ids: Vec<Id> = owners
            .iter()
            .map(|o| o.parse().map_err(|_| format!("user id {o}")))
            .collect::<Result<_, String>>()?;
        billing::run(
            &client,
            &db,
            &args.backend,
            &account_ids,
            // As `data::account` gave them.
            &|i| owner_ids[i % owner_ids.len()],
            admin.id,
            &billing_data::Scale {
                invoices: args.invoices,
                payments: args.payments,
                statement_movements: args.statement_movements,
            },
            &billing::Samples {
                ageing: args.ageing_samples,
                statement: args.statement_samples,
            },
        )
        .await?;
    }

    db.close().await;
    if let Some((admin, name)) = pg {
        cartera_store::admin::drop_pg_database(&admin, &name)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The contact figures: search and list latency and throughput, and the loading rates.
async fn contact_figures(
    args: &Args,
    client: &Arc<Client>,
    accounts: &[String],
    owners: &[String],
    tmp: &Option<tempfile::TempDir>,
    account_rate: f64,
    contact_rate: f64,
) -> Result<(), String> {
    // Queries people type: surnames with and without accents, first + last names,
    // prefixes, email and phone fragments.
    let mut rng = data::Rng::new(42);
    let mut search_paths = Vec::new();
    for _ in 0..400 {
        let q = match rng.below(6) {
            0 => rng.pick(data::LAST).to_owned(),
            1 => cartera_core::text::fold(rng.pick(data::LAST)),
            2 => format!("{} {}", rng.pick(data::FIRST), rng.pick(data::LAST)),
            3 => cartera_core::text::fold(rng.pick(data::LAST))
                .chars()
                .take(4)
                .collect(),
            4 => format!(
                "{}.{}",
                cartera_core::text::fold(rng.pick(data::FIRST)),
                cartera_core::text::fold(rng.pick(data::LAST))
            ),
            _ => format!("{:04}-{:04}", rng.below(10000), rng.below(10000)),
        };
        search_paths.push(format!("/api/v1/contacts?q={}", enc(&q)));
    }
    // A rep's portfolio by last name, and an account's people: first pages and later
    // pages reached through their cursor.
    let mut list_paths = Vec::new();
    for i in 0..200 {
        let owner = &owners[i % owners.len()];
        list_paths.push(format!(
            "/api/v1/contacts?filter[owner_id]={owner}&sort=last_name&limit=50"
        ));
        let acc = &accounts[rng.below(accounts.len())];
        list_paths.push(format!(
            "/api/v1/contacts?filter[account_id]={acc}&sort=last_name&limit=50"
        ));
    }
    let mut paged = Vec::new();
    for p in list_paths.iter().step_by(2).take(50) {
        let (_, body) = client.get(p).await?;
        let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if let Some(c) = v["next_cursor"].as_str() {
            paged.push(format!("{p}&cursor={c}"));
        }
    }
    list_paths.extend(paged);

    // Warm the caches as a running server's would be.
    latency(client, &search_paths, 200).await?;
    latency(client, &list_paths, 200).await?;

    let (search, hits) = latency(client, &search_paths, args.samples).await?;
    println!(
        "search latency: {} requests, {:.1} rows/request",
        search.count,
        hits as f64 / search.count as f64
    );
    let (list, rows) = latency(client, &list_paths, args.samples).await?;
    println!(
        "list latency: {} requests, {:.1} rows/request",
        list.count,
        rows as f64 / list.count as f64
    );
    let (list_rps, list_load) = throughput(
        client.clone(),
        Arc::new(list_paths.clone()),
        args.clients,
        args.seconds,
    )
    .await?;
    let (search_rps, search_load) = throughput(
        client.clone(),
        Arc::new(search_paths.clone()),
        args.clients,
        args.seconds,
    )
    .await?;

    let size = match tmp {
        Some(d) => std::fs::read_dir(d.path())
            .map(|it| {
                it.filter_map(|e| e.ok()?.metadata().ok())
                    .map(|m| m.len())
                    .sum::<u64>()
            })
            .unwrap_or(0),
        None => 0,
    };
    println!();
    println!("| {} | figure |", args.backend);
    println!("|---|---|");
    println!(
        "| bulk create, contacts/s ({} per request) | {contact_rate:.0} |",
        args.batch
    );
    println!("| bulk create, accounts/s | {account_rate:.0} |");
    println!(
        "| full-text `q` search, 1 client: p50 / p95 / p99 ms | {:.2} / {:.2} / {:.2} |",
        search.p50, search.p95, search.p99
    );
    println!(
        "| filtered, sorted list page of 50, 1 client: p50 / p95 / p99 ms | {:.2} / {:.2} / {:.2} |",
        list.p50, list.p95, list.p99
    );
    println!(
        "| list page, {} clients: requests/s | {list_rps:.0} |",
        args.clients
    );
    println!(
        "| list page, {} clients: p50 / p99 ms | {:.2} / {:.2} |",
        args.clients, list_load.p50, list_load.p99
    );
    println!(
        "| search, {} clients: requests/s | {search_rps:.0} |",
        args.clients
    );
    println!(
        "| search, {} clients: p50 / p99 ms | {:.2} / {:.2} |",
        args.clients, search_load.p50, search_load.p99
    );
    println!(
        "| max latency seen (search / list, 1 client) ms | {:.1} / {:.1} |",
        search.max, list.max
    );
    if size > 0 {
        println!(
            "| database size on disk | {:.0} MB |",
            size as f64 / 1_048_576.0
        );
    }
    println!(
        "| peak memory of the process (server + client) | {:.0} MB |",
        peak_rss_mb()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    // BENCH_LOG=warn shows slow statements (threshold BENCH_SLOW_MS).
    if let Ok(filter) = std::env::var("BENCH_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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
