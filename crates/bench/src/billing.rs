//! The billing phase: receivables written in bulk (see `billing_data`), then measured
//! over HTTP as collections uses them: the ageing of every customer as of a date (by
//! customer and by rep), one long customer statement, and posting late interest for
//! every overdue customer. Prints its table with issue 18's targets.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use cartera_core::Id;
use cartera_store::Db;

use crate::billing_data::{self, Scale};
use crate::{Client, Stats, latency};

/// How many requests each billing figure takes.
pub struct Samples {
    pub ageing: usize,
    pub statement: usize,
}

fn ms3(s: &Stats) -> String {
    format!("{:.0} / {:.0} / {:.0}", s.p50, s.p95, s.p99)
}

/// Loads the receivables of `accounts`, measures, and prints the table.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    client: &Client,
    db: &Db,
    backend: &str,
    accounts: &[Id],
    owner_of: &dyn Fn(usize) -> Id,
    by: Id,
    scale: &Scale,
    samples: &Samples,
) -> Result<(), String> {
    let today = chrono::Utc::now().date_naive();
    let loaded = billing_data::load(db, accounts, owner_of, by, scale, today).await?;
    println!(
        "billing written directly: {} invoices, {} credit notes, {} payments, {} applications \
         in {:.0} s; {} charges open today, {} of them overdue",
        loaded.invoices,
        loaded.credit_notes,
        loaded.payments,
        loaded.applications,
        loaded.seconds,
        loaded.open,
        loaded.overdue
    );
    // 3 % a month since before the oldest due date: the interest run has every overdue
    // day to charge.
    let from = today - Duration::days(600);
    let (status, body) = client
        .send(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            &json!({"billing": {"interest_rates": [{"from": from, "monthly_rate": "3"}]}}),
        )
        .await?;
    if status != 200 {
        return Err(format!(
            "settings: {status} {}",
            String::from_utf8_lossy(&body)
        ));
    }

    // As of today and of a few month ends before: each request reads every customer.
    let dates: Vec<NaiveDate> = (0..4).map(|m| today - Duration::days(30 * m)).collect();
    let ageing_paths = |group: &str| -> Vec<String> {
        dates
            .iter()
            .map(|d| format!("/api/v1/receivables/ageing?as_of={d}&group_by={group}"))
            .collect()
    };
    let by_customer = ageing_paths("customer");
    let by_rep = ageing_paths("rep");
    let (status, body) = client.get(&by_customer[0]).await?;
    if status != 200 {
        return Err(format!(
            "ageing: {status} {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let ageing_rows = v["rows"].as_array().map(Vec::len).unwrap_or(0);
    let ageing_mb = body.len() as f64 / 1_048_576.0;
    println!("ageing by customer: {ageing_rows} rows, {ageing_mb:.1} MB of JSON");
    let (customer, _) = latency(client, &by_customer, samples.ageing).await?;
    println!(
        "ageing by customer: {} requests, p50 / p95 / p99 {:.0} / {:.0} / {:.0} ms",
        customer.count, customer.p50, customer.p95, customer.p99
    );
    let (rep, _) = latency(client, &by_rep, samples.ageing).await?;
    println!(
        "ageing by rep: {} requests, p50 / p95 / p99 {:.0} / {:.0} / {:.0} ms",
        rep.count, rep.p50, rep.p95, rep.p99
    );

    let statement_path = format!("/api/v1/accounts/{}/statement", loaded.statement_account);
    let (status, body) = client.get(&statement_path).await?;
    if status != 200 {
        return Err(format!(
            "statement: {status} {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let movements = v["lines"].as_array().map(Vec::len).unwrap_or(0);
    println!("statement: {movements} movements");
    let (statement, _) = latency(client, &[statement_path], samples.statement).await?;
    println!(
        "statement: p50 / p95 / p99 {:.1} / {:.1} / {:.1} ms",
        statement.p50, statement.p95, statement.p99
    );

    // Once: the run writes, so a second one would find (almost) nothing to charge.
    let t = Instant::now();
    let (status, body) = client
        .send(
            reqwest::Method::POST,
            "/api/v1/receivables/interest",
            &json!({}),
        )
        .await?;
    let interest_s = t.elapsed().as_secs_f64();
    if status != 200 {
        return Err(format!(
            "interest: {status} {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let run: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    println!(
        "interest run: {} customers, {} debit notes in {interest_s:.1} s",
        run["accounts"], run["notes"]
    );

    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!();
    println!(
        "| billing, {backend}: {} accounts, {} invoices, {} payments | target | figure | |",
        accounts.len(),
        loaded.invoices + loaded.credit_notes,
        loaded.payments
    );
    println!("|---|---|---|---|");
    println!(
        "| ageing as of a date, every customer ({ageing_rows} rows), {} requests: p50 / p95 / p99 ms | p99 <= 1000 | {} | {} |",
        customer.count,
        ms3(&customer),
        verdict(customer.p99 <= 1000.0)
    );
    println!(
        "| ageing as of a date, by rep, {} requests: p50 / p95 / p99 ms | p99 <= 1000 | {} | {} |",
        rep.count,
        ms3(&rep),
        verdict(rep.p99 <= 1000.0)
    );
    println!(
        "| statement of {movements} movements, {} requests: p50 / p95 / p99 ms | <= 100 | {:.1} / {:.1} / {:.1} | {} |",
        statement.count,
        statement.p50,
        statement.p95,
        statement.p99,
        verdict(statement.p99 <= 100.0)
    );
    println!(
        "| posting interest, every overdue customer ({} customers, {} notes): s | <= 60 | {interest_s:.1} | {} |",
        run["accounts"],
        run["notes"],
        verdict(interest_s <= 60.0)
    );
    println!(
        "| billing rows written directly (not measured against a target): s | | {:.0} | |",
        loaded.seconds
    );
    Ok(())
}
