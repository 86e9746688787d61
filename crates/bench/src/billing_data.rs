//! The billing phase's receivables: invoices over the last 18 months, the payments and
//! credit notes that settle most of them, and one customer with a long history for the
//! statement, generated deterministically and written straight into the database.
//!
//! Why directly: the API issues one invoice or payment per request, each in its own
//! transaction with its audit event; a million invoices and a million and a half
//! payments that way would take hours, and this phase measures the reports and the
//! interest run over that history, not how fast it was typed in. The rows are what the
//! server itself writes (the same numbers from the same counters, which are left where
//! the server continues from; applications that never exceed what they settle; credit
//! notes applied to the invoice they correct, as issuing one does), without the audit
//! events of their creation.

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

use cartera_core::Id;
use cartera_core::billing::invoices::{Fiscal, InvoiceKind, Series};
use cartera_core::money::{Currency, Money};
use cartera_core::quotes::{DocLine, Language, number_year};
use cartera_core::totals::{RoundingMode, TaxRate};
use cartera_store::bulk::Rows;
use cartera_store::{Arg, Db, Sql};

use crate::data::Rng;

/// How much history to make.
pub struct Scale {
    /// Invoices and credit notes (credit notes are about 1 %).
    pub invoices: usize,
    pub payments: usize,
    /// Invoices, credit notes and payments of the statement's customer.
    pub statement_movements: usize,
}

/// What was written.
pub struct Loaded {
    pub invoices: usize,
    pub credit_notes: usize,
    pub payments: usize,
    pub applications: usize,
    /// Charges still open today, and of them those overdue.
    pub open: usize,
    pub overdue: usize,
    /// The customer whose statement has `Scale::statement_movements` movements.
    pub statement_account: Id,
    pub seconds: f64,
}

/// Days of history.
const HISTORY_DAYS: usize = 540;
const TERMS: [u32; 3] = [30, 60, 90];
/// Rows per transaction while loading.
const CHUNK: usize = 20_000;

struct Doc {
    id: Id,
    credit: bool,
    account: usize,
    issue: NaiveDate,
    terms: u32,
    /// The line's net unit price, cents.
    net: i64,
    /// The grand total, cents (computed by `core::totals` from the line).
    total: i64,
    corrects: Option<Id>,
    seq: i64,
}

struct Pay {
    id: Id,
    account: usize,
    day: NaiveDate,
    cents: i64,
    method: &'static str,
    number: String,
}

struct Application {
    credit: Id,
    credit_note: bool,
    debit: Id,
    account: usize,
    cents: i64,
    day: NaiveDate,
}

#[derive(Default)]
struct Book {
    docs: Vec<Doc>,
    pays: Vec<Pay>,
    apps: Vec<Application>,
    open: usize,
    overdue: usize,
}

/// The grand total of one line of `net` cents at 21 % VAT, as `core::totals` computes it.
fn total_of(net: i64, tax: TaxRate) -> Result<i64, String> {
    let lines = [line(net, tax)];
    let t = cartera_store::quotes::totals_of(
        Currency::ARS,
        &lines,
        Decimal::ZERO,
        RoundingMode::PerLine,
    )
    .map_err(|e| e.to_string())?;
    let scaled = cartera_store::quotes::scaled_total(&t).map_err(|e| e.to_string())?;
    Ok(scaled / 100)
}

fn line(net: i64, tax: TaxRate) -> DocLine {
    DocLine {
        product_id: None,
        sku: None,
        description: "Servicios del período".into(),
        unit: "unit".into(),
        quantity: Decimal::ONE,
        unit_price: Money {
            amount: Decimal::new(net, 2),
            currency: Currency::ARS,
        },
        discount: Decimal::ZERO,
        tax_rate: tax,
        price_list_id: None,
    }
}

fn vat() -> TaxRate {
    TaxRate::Percent(Decimal::from(21))
}

impl Book {
    /// An invoice of `account` issued on `issue`, with how it was settled: unpaid, part
    /// paid, paid in one, two or three payments (most on time, some late), and now and
    /// then a credit note first. Payments that would fall after `today` are not made.
    fn invoice(
        &mut self,
        rng: &mut Rng,
        prices: &[(i64, i64)],
        account: usize,
        issue: NaiveDate,
        today: NaiveDate,
        payments_left: &mut usize,
    ) -> Result<(), String> {
        let (net, total) = prices[rng.below(prices.len())];
        let terms = TERMS[rng.below(TERMS.len())];
        let id = Id::new();
        let due = issue + Duration::days(i64::from(terms));
        self.docs.push(Doc {
            id,
            credit: false,
            account,
            issue,
            terms,
            net,
            total,
            corrects: None,
            seq: 0,
        });
        let mut open = total;
        if rng.below(100) == 0 {
            let pct = [10, 20, 25, 50][rng.below(4)];
            let cn_net = net * pct / 100;
            let cn_total = total_of(cn_net, vat())?;
            let day = (issue + Duration::days(1 + rng.below(10) as i64)).min(today);
            let cn = Id::new();
            self.docs.push(Doc {
                id: cn,
                credit: true,
                account,
                issue: day,
                terms: 0,
                net: cn_net,
                total: cn_total,
                corrects: Some(id),
                seq: 0,
            });
            self.apps.push(Application {
                credit: cn,
                credit_note: true,
                debit: id,
                account,
                cents: cn_total.min(open),
                day,
            });
            open -= cn_total.min(open);
        }
        let shares: &[i64] = match rng.below(100) {
            0..8 => &[],
            8..18 => &[[20, 40, 50, 70][rng.below(4)]],
            18..58 => &[100],
            58..88 => &[50, 100],
            _ => &[40, 70, 100],
        };
        let late = rng.below(100) < 15;
        let mut day = if late {
            due + Duration::days(1 + rng.below(90) as i64)
        } else {
            issue + Duration::days(rng.below(terms as usize / 2) as i64)
        };
        let base = open;
        let mut paid = 0;
        for &share in shares {
            if day > today || *payments_left == 0 {
                break;
            }
            // Cumulative shares of what was left after the credit note; the last one
            // pays the rest exactly.
            let upto = if share == 100 {
                base
            } else {
                base * share / 100
            };
            let cents = upto - paid;
            if cents <= 0 {
                continue;
            }
            self.pay(rng, account, day, cents, Some(id));
            *payments_left -= 1;
            paid = upto;
            open -= cents;
            day += Duration::days(10 + rng.below(20) as i64);
        }
        if open > 0 {
            self.open += 1;
            if due < today {
                self.overdue += 1;
            }
        }
        Ok(())
    }

    /// A payment, applied in full to `debit` or left on account.
    fn pay(
        &mut self,
        rng: &mut Rng,
        account: usize,
        day: NaiveDate,
        cents: i64,
        debit: Option<Id>,
    ) {
        let id = Id::new();
        self.pays.push(Pay {
            id,
            account,
            day,
            cents,
            method: ["transfer", "transfer", "transfer", "cash", "card"][rng.below(5)],
            number: String::new(),
        });
        if let Some(debit) = debit {
            self.apps.push(Application {
                credit: id,
                credit_note: false,
                debit,
                account,
                cents,
                day,
            });
        }
    }
}

fn generate(accounts: usize, scale: &Scale, today: NaiveDate) -> Result<Book, String> {
    let mut rng = Rng::new(18);
    // A few hundred prices, their totals computed once.
    let prices: Vec<(i64, i64)> = (0..400)
        .map(|k| {
            let net = 50_000 + k * 12_345;
            total_of(net, vat()).map(|t| (net, t))
        })
        .collect::<Result<_, _>>()?;
    let mut book = Book::default();
    let mut payments_left = scale.payments;
    let start = today - Duration::days(HISTORY_DAYS as i64);
    let day_of = |i: usize, n: usize| start + Duration::days((i * HISTORY_DAYS / n.max(1)) as i64);
    // The statement's customer (account 0): invoices spread over the history while one
    // more (with its credit note and up to three payments) fits, the rest on account.
    let mut i = 0;
    let per = scale.statement_movements / 5 * 2;
    while book.docs.len() + book.pays.len() + 5 <= scale.statement_movements
        && book.docs.len() < scale.invoices
    {
        let issue = day_of(i % per.max(1), per);
        book.invoice(&mut rng, &prices, 0, issue, today, &mut payments_left)?;
        i += 1;
    }
    while book.docs.len() + book.pays.len() < scale.statement_movements && payments_left > 0 {
        let day = start + Duration::days(rng.below(HISTORY_DAYS) as i64);
        let cents = 10_000 + rng.below(100_000) as i64;
        book.pay(&mut rng, 0, day, cents, None);
        payments_left -= 1;
    }
    // Everyone else's, on random customers and days; what payments are left go on
    // account.
    let others = accounts.saturating_sub(1).max(1);
    while book.docs.len() < scale.invoices {
        let account = if accounts > 1 {
            1 + rng.below(others)
        } else {
            0
        };
        let issue = start + Duration::days(rng.below(HISTORY_DAYS + 1) as i64);
        book.invoice(&mut rng, &prices, account, issue, today, &mut payments_left)?;
    }
    while payments_left > 0 {
        let account = if accounts > 1 {
            1 + rng.below(others)
        } else {
            0
        };
        let day = start + Duration::days(rng.below(HISTORY_DAYS + 1) as i64);
        let cents = 10_000 + rng.below(500_000) as i64;
        book.pay(&mut rng, account, day, cents, None);
        payments_left -= 1;
    }
    // Numbers follow the dates, as if issued day by day: invoices and credit notes in
    // their own series, receipts per year of their entry.
    let mut order: Vec<usize> = (0..book.docs.len()).collect();
    order.sort_by_key(|&k| book.docs[k].issue);
    let (mut inv_seq, mut cn_seq) = (0, 0);
    for k in order {
        let d = &mut book.docs[k];
        d.seq = if d.credit {
            cn_seq += 1;
            cn_seq
        } else {
            inv_seq += 1;
            inv_seq
        };
    }
    book.pays.sort_by_key(|p| p.day);
    let mut year = 0;
    let mut seq = 0;
    for p in &mut book.pays {
        let y = number_year(p.day);
        if y != year {
            (year, seq) = (y, 0);
        }
        seq += 1;
        p.number = cartera_core::billing::payments::number(y, seq);
    }
    Ok(book)
}

/// Noon of `day` plus a few seconds, so that lists have a stable order.
fn at(day: NaiveDate, k: usize) -> DateTime<Utc> {
    day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc() + Duration::seconds((k % 20_000) as i64)
}

async fn write(db: &Db, chunks: Vec<Rows>) -> Result<(), String> {
    for rows in chunks {
        let mut c = db.begin().await.map_err(|e| e.to_string())?;
        rows.copy(&mut c).await.map_err(|e| format!("{e}"))?;
        c.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn chunked<T>(
    items: &[T],
    table: &str,
    columns: &[&str],
    row: impl Fn(usize, &T) -> Vec<Arg>,
) -> Vec<Rows> {
    items
        .chunks(CHUNK)
        .enumerate()
        .map(|(c, part)| {
            let mut rows = Rows::new(table, columns);
            for (k, item) in part.iter().enumerate() {
                rows.push(row(c * CHUNK + k, item));
            }
            rows
        })
        .collect()
}

/// Writes the receivables of `accounts` (owned by `owner_of` each) as `by` would have
/// entered them, the counters where the server continues from, and refreshes the
/// planner's statistics as the server's maintenance does.
pub async fn load(
    db: &Db,
    accounts: &[Id],
    owner_of: &dyn Fn(usize) -> Id,
    by: Id,
    scale: &Scale,
    today: NaiveDate,
) -> Result<Loaded, String> {
    let started = Instant::now();
    let book = generate(accounts.len(), scale, today)?;
    let series = Series {
        letter: "A".into(),
        point_of_sale: 1,
    };
    let fiscal = serde_json::to_string(&Fiscal::default()).map_err(|e| e.to_string())?;
    let docs = chunked(
        &book.docs,
        "invoices",
        &[
            "id",
            "kind",
            "number",
            "series",
            "point_of_sale",
            "account_id",
            "contact_id",
            "owner_id",
            "order_id",
            "quote_id",
            "corrects_id",
            "reason",
            "currency",
            "language",
            "lines",
            "discount",
            "rounding",
            "notes",
            "total",
            "issue_date",
            "payment_terms_days",
            "due_date",
            "fiscal",
            "sent_at",
            "version",
            "created_at",
            "updated_at",
        ],
        |k, d| {
            let kind = if d.credit {
                InvoiceKind::CreditNote
            } else {
                InvoiceKind::Invoice
            };
            let created = at(d.issue, k);
            vec![
                Arg::from(d.id),
                Arg::from(kind.as_str()),
                Arg::from(series.number(kind, d.seq)),
                Arg::from("A"),
                Arg::from(1i64),
                Arg::from(accounts[d.account]),
                Arg::from(None::<Id>),
                Arg::from(Some(owner_of(d.account))),
                Arg::from(None::<Id>),
                Arg::from(None::<Id>),
                Arg::from(d.corrects),
                Arg::from(d.credit.then_some("Bonificación comercial")),
                Arg::from("ARS"),
                Arg::from(Language::Es.as_str()),
                Arg::json(&[line(d.net, vat())]),
                Arg::from("0"),
                Arg::from("per_line"),
                Arg::from(None::<&str>),
                Arg::from(d.total * 100),
                Arg::from(Some(d.issue)),
                Arg::from(i64::from(d.terms)),
                Arg::from(Some(d.issue + Duration::days(i64::from(d.terms)))),
                Arg::Json(Some(fiscal.clone())),
                Arg::from(None::<DateTime<Utc>>),
                Arg::from(1i64),
                Arg::from(created),
                Arg::from(created),
            ]
        },
    );
    write(db, docs).await?;
    let pays = chunked(
        &book.pays,
        "payments",
        &[
            "id",
            "number",
            "account_id",
            "owner_id",
            "currency",
            "amount",
            "received_on",
            "method",
            "reference",
            "notes",
            "reversed_on",
            "reversal_reason",
            "version",
            "created_at",
            "updated_at",
        ],
        |k, p| {
            let created = at(p.day, k);
            vec![
                Arg::from(p.id),
                Arg::from(p.number.as_str()),
                Arg::from(accounts[p.account]),
                Arg::from(Some(owner_of(p.account))),
                Arg::from("ARS"),
                Arg::from(p.cents * 100),
                Arg::from(Some(p.day)),
                Arg::from(p.method),
                Arg::from(None::<&str>),
                Arg::from(None::<&str>),
                Arg::from(None::<NaiveDate>),
                Arg::from(None::<&str>),
                Arg::from(1i64),
                Arg::from(created),
                Arg::from(created),
            ]
        },
    );
    write(db, pays).await?;
    let apps = chunked(
        &book.apps,
        "billing_applications",
        &[
            "id",
            "account_id",
            "currency",
            "credit_id",
            "credit_kind",
            "debit_id",
            "amount",
            "applied_on",
            "reversed_on",
            "reversal_reason",
            "created_by",
            "created_at",
        ],
        |k, a| {
            vec![
                Arg::from(Id::new()),
                Arg::from(accounts[a.account]),
                Arg::from("ARS"),
                Arg::from(a.credit),
                Arg::from(if a.credit_note {
                    "credit_note"
                } else {
                    "payment"
                }),
                Arg::from(a.debit),
                Arg::from(a.cents * 100),
                Arg::from(Some(a.day)),
                Arg::from(None::<NaiveDate>),
                Arg::from(None::<&str>),
                Arg::from(Some(by)),
                Arg::from(at(a.day, k)),
            ]
        },
    );
    write(db, apps).await?;
    // The counters the server numbers the next documents from.
    let credit_notes = book.docs.iter().filter(|d| d.credit).count();
    let mut counters = vec![
        (
            series.counter(InvoiceKind::Invoice),
            0,
            (book.docs.len() - credit_notes) as i64,
        ),
        (
            series.counter(InvoiceKind::CreditNote),
            0,
            credit_notes as i64,
        ),
    ];
    for p in &book.pays {
        let y = number_year(p.day);
        match counters.last_mut() {
            Some((kind, year, last)) if kind == "receipt" && *year == y => *last += 1,
            _ => counters.push(("receipt".into(), y, 1)),
        }
    }
    let mut c = db.begin().await.map_err(|e| e.to_string())?;
    for (kind, year, last) in counters.into_iter().filter(|(_, _, n)| *n > 0) {
        c.execute(
            Sql::new(
                "INSERT INTO document_counters (kind, year, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (kind, year) DO UPDATE SET last = excluded.last",
            )
            .arg(kind)
            .arg(i64::from(year))
            .arg(last),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    // What is applied to each document and the day it stopped moving the balance, as
    // the store keeps them.
    cartera_store::billing::closed::refresh_all(&mut c)
        .await
        .map_err(|e| e.to_string())?;
    c.commit().await.map_err(|e| e.to_string())?;
    db.refresh_statistics().await.map_err(|e| e.to_string())?;
    if db.backend() == cartera_store::Backend::Postgres {
        // What autovacuum does on its own a little after a bulk load (PostgreSQL 13+
        // vacuums after inserts too): the visibility map that lets the covering
        // indexes answer without visiting the table. Measured before it, the reads
        // would time a state the server leaves within minutes.
        let mut c = db.autocommit().await.map_err(|e| e.to_string())?;
        c.execute(Sql::new(
            "VACUUM (ANALYZE) invoices, payments, billing_applications, accounts",
        ))
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(Loaded {
        invoices: book.docs.len() - credit_notes,
        credit_notes,
        payments: book.pays.len(),
        applications: book.apps.len(),
        open: book.open,
        overdue: book.overdue,
        statement_account: accounts[0],
        seconds: started.elapsed().as_secs_f64(),
    })
}
