//! Invoices, credit notes and debit notes. What is still open on a charge is read with
//! it, from the applications in force.

use rust_decimal::Decimal;

use cartera_core::Id;
use cartera_core::billing::invoices::{Fiscal, Invoice, InvoiceKind, PaymentStatus};
use cartera_core::money::Money;
use cartera_core::quotes::{DocCursor, DocLine, Language};

use crate::bulk::Rows;
use crate::db::{Arg, Conn, DbRow, Result, Sql};
use crate::error::StoreError;
use crate::quotes::{
    parse_currency, parse_decimal, parse_rounding, rounding_str, scaled_total, totals_of,
};

const COLUMNS: &str = "id, kind, number, series, point_of_sale, account_id, contact_id, \
                       owner_id, order_id, quote_id, corrects_id, reason, currency, language, \
                       lines, discount, rounding, notes, total, issue_date, payment_terms_days, \
                       due_date, fiscal, sent_at, version, created_at, updated_at";

/// The applications in force on a charge, summed (ten-thousandths).
/// (PostgreSQL sums a BIGINT into a NUMERIC, hence the cast.)
pub(crate) const APPLIED: &str = "CAST(COALESCE((SELECT SUM(a.amount) FROM \
                                  billing_applications a WHERE a.debit_id = invoices.id \
                                  AND a.reversed_on IS NULL), 0) AS BIGINT)";

pub(crate) fn date(r: &DbRow, col: &str) -> Result<chrono::NaiveDate> {
    r.opt_date(col)?
        .ok_or_else(|| StoreError::Decode(format!("{col} is null")))
}

fn read(r: &DbRow) -> Result<Invoice> {
    let kind_text = r.text("kind")?;
    let kind = InvoiceKind::parse(&kind_text)
        .ok_or_else(|| StoreError::Decode(format!("invoice kind: '{kind_text}'")))?;
    let currency = parse_currency(&r.text("currency")?)?;
    let lines: Vec<DocLine> = r.json("lines")?;
    let discount = parse_decimal("discount", &r.text("discount")?)?;
    let rounding = parse_rounding(&r.text("rounding")?)?;
    let language = r.text("language")?;
    let fiscal: Fiscal = r.json("fiscal")?;
    let pos = r.int("point_of_sale")?;
    let terms = r.int("payment_terms_days")?;
    let mut inv = Invoice {
        id: r.id("id")?,
        kind,
        number: r.text("number")?,
        series: r.text("series")?,
        point_of_sale: u32::try_from(pos)
            .map_err(|_| StoreError::Decode(format!("point_of_sale: {pos}")))?,
        account_id: r.id("account_id")?,
        contact_id: r.opt_id("contact_id")?,
        owner_id: r.opt_id("owner_id")?,
        order_id: r.opt_id("order_id")?,
        quote_id: r.opt_id("quote_id")?,
        corrects_id: r.opt_id("corrects_id")?,
        reason: r.opt_text("reason")?,
        currency,
        language: Language::parse(&language)
            .ok_or_else(|| StoreError::Decode(format!("language: '{language}'")))?,
        totals: totals_of(currency, &lines, discount, rounding)?,
        lines,
        discount,
        rounding,
        notes: r.opt_text("notes")?,
        issue_date: date(r, "issue_date")?,
        payment_terms_days: u32::try_from(terms)
            .map_err(|_| StoreError::Decode(format!("payment_terms_days: {terms}")))?,
        due_date: date(r, "due_date")?,
        fiscal,
        open: Decimal::ZERO,
        payment_status: PaymentStatus::Unpaid,
        sent_at: r.opt_time("sent_at")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    };
    let open = Money::from_scaled(r.int("open")?, currency).amount;
    inv.set_open(open);
    Ok(inv)
}

fn select() -> String {
    format!("SELECT {COLUMNS}, total - {APPLIED} AS open FROM invoices")
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Invoice>> {
    c.fetch_optional(Sql::new(format!("{} WHERE id = $1", select())).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// The document numbered `number`, if any (numbers are unique across kinds).
pub async fn by_number(c: &mut Conn, number: &str) -> Result<Option<Invoice>> {
    c.fetch_optional(Sql::new(format!("{} WHERE number = $1", select())).arg(number))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// Which invoices a list shows.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub account: Option<Id>,
    pub kind: Option<InvoiceKind>,
    /// Only charges with something still owed.
    pub open_only: bool,
    /// Only charges due before this day (overdue on it) and still owed.
    pub overdue_on: Option<chrono::NaiveDate>,
}

/// Invoices newest first, after the row `after` points at.
pub async fn list_after(
    c: &mut Conn,
    f: &InvoiceFilter,
    owners: Option<&[Id]>,
    after: Option<&DocCursor>,
    limit: i64,
) -> Result<Vec<Invoice>> {
    let mut sql = Sql::new(format!("{} WHERE 1 = 1", select()));
    if let Some(a) = f.account {
        sql.push(" AND account_id = ").push_arg(a);
    }
    if let Some(k) = f.kind {
        sql.push(" AND kind = ").push_arg(k.as_str());
    }
    if f.open_only || f.overdue_on.is_some() {
        sql.push(" AND kind <> 'credit_note' AND total > ")
            .push(APPLIED);
    }
    if let Some(d) = f.overdue_on {
        sql.push(" AND due_date < ").push_arg(Some(d));
    }
    if let Some(owners) = owners {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND owner_id IN (").push_args(owners).push(")");
    }
    crate::quotes::push_after(&mut sql, after);
    sql.push(" ORDER BY created_at DESC, number DESC LIMIT ")
        .push_arg(limit);
    c.fetch_all(sql).await?.iter().map(read).collect()
}

pub async fn insert(c: &mut Conn, i: &Invoice) -> Result<()> {
    insert_all(c, std::slice::from_ref(i)).await
}

/// Stores new documents in multi-row inserts (a run of interest notes).
pub async fn insert_all(c: &mut Conn, docs: &[Invoice]) -> Result<()> {
    let columns: Vec<&str> = COLUMNS.split(',').map(str::trim).collect();
    let mut rows = Rows::new("invoices", &columns);
    for i in docs {
        rows.push([
            Arg::from(i.id),
            Arg::from(i.kind.as_str()),
            Arg::from(&i.number),
            Arg::from(&i.series),
            Arg::from(i64::from(i.point_of_sale)),
            Arg::from(i.account_id),
            Arg::from(i.contact_id),
            Arg::from(i.owner_id),
            Arg::from(i.order_id),
            Arg::from(i.quote_id),
            Arg::from(i.corrects_id),
            Arg::from(i.reason.as_deref()),
            Arg::from(i.currency.as_str()),
            Arg::from(i.language.as_str()),
            Arg::json(&i.lines),
            Arg::from(i.discount.normalize().to_string()),
            Arg::from(rounding_str(i.rounding)),
            Arg::from(i.notes.as_deref()),
            Arg::from(scaled_total(&i.totals)?),
            Arg::from(Some(i.issue_date)),
            Arg::from(i64::from(i.payment_terms_days)),
            Arg::from(Some(i.due_date)),
            Arg::json(&i.fiscal),
            Arg::from(i.sent_at),
            Arg::from(i.version),
            Arg::from(i.created_at),
            Arg::from(i.updated_at),
        ]);
    }
    rows.write(c).await
}

/// An issued document never changes; only when it was sent does.
pub async fn update(c: &mut Conn, i: &Invoice, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE invoices SET sent_at = $1, version = $2, updated_at = $3 \
                 WHERE id = $4 AND version = $5",
            )
            .arg(i.sent_at)
            .arg(i.version)
            .arg(i.updated_at)
            .arg(i.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

/// The invoice that bills an order (or a quote), if any.
pub async fn billing(c: &mut Conn, column: BilledBy, id: Id) -> Result<Option<Id>> {
    let col = match column {
        BilledBy::Order => "order_id",
        BilledBy::Quote => "quote_id",
    };
    c.fetch_optional(
        Sql::new(format!(
            "SELECT id FROM invoices WHERE {col} = $1 AND kind = 'invoice'"
        ))
        .arg(id),
    )
    .await?
    .map(|r| r.id("id"))
    .transpose()
}

#[derive(Debug, Clone, Copy)]
pub enum BilledBy {
    Order,
    Quote,
}

/// What credit notes took off an invoice so far (ten-thousandths summed).
pub async fn credited(c: &mut Conn, invoice: Id) -> Result<i64> {
    let r = c
        .fetch_one(
            Sql::new(
                "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS s FROM invoices \
                 WHERE corrects_id = $1 AND kind = 'credit_note'",
            )
            .arg(invoice),
        )
        .await?;
    r.int("s")
}

/// The ids of an account's invoices and payments (their events show on its timeline).
pub async fn documents_of(c: &mut Conn, account: Id) -> Result<Vec<Id>> {
    c.fetch_all(
        Sql::new(
            "SELECT id FROM invoices WHERE account_id = $1 \
             UNION ALL SELECT id FROM payments WHERE account_id = $1 \
             UNION ALL SELECT id FROM cheques WHERE account_id = $1",
        )
        .arg(account),
    )
    .await?
    .iter()
    .map(|r| r.id("id"))
    .collect()
}
