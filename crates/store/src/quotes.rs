//! Quotes, their earlier revisions and the conversion figures per rep (the numbering
//! series and the printed documents' assets are in `documents`).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use cartera_core::Id;
use cartera_core::money::{Currency, Money};
use cartera_core::quotes::{DocCursor, DocLine, Language, Quote, QuoteStatus, document};
use cartera_core::totals::{self, RoundingMode, Totals};

use crate::db::{Conn, DbRow, Result, Sql};
use crate::error::StoreError;

const COLUMNS: &str = "id, number, revision, account_id, contact_id, owner_id, currency, \
                       language, price_list_id, issue_date, valid_until, status, lines, \
                       discount, rounding, notes, total, sent_at, accepted_at, rejected_at, \
                       version, created_at, updated_at, deal_id";

pub fn rounding_str(r: RoundingMode) -> &'static str {
    match r {
        RoundingMode::PerLine => "per_line",
        RoundingMode::PerDocument => "per_document",
    }
}

pub fn parse_rounding(s: &str) -> Result<RoundingMode> {
    match s {
        "per_line" => Ok(RoundingMode::PerLine),
        "per_document" => Ok(RoundingMode::PerDocument),
        other => Err(StoreError::Decode(format!("rounding: '{other}'"))),
    }
}

pub fn parse_currency(s: &str) -> Result<Currency> {
    s.parse()
        .map_err(|_| StoreError::Decode(format!("currency: '{s}'")))
}

pub fn parse_decimal(col: &str, s: &str) -> Result<Decimal> {
    s.parse()
        .map_err(|_| StoreError::Decode(format!("{col}: '{s}'")))
}

/// The totals of stored lines; they were valid when written, so an error is corruption.
pub fn totals_of(
    currency: Currency,
    lines: &[DocLine],
    discount: Decimal,
    rounding: RoundingMode,
) -> Result<Totals> {
    totals::compute(&document(currency, lines, discount, rounding))
        .map_err(|e| StoreError::Decode(format!("stored lines: {e}")))
}

/// The grand total as the stored scaled integer.
pub fn scaled_total(t: &Totals) -> Result<i64> {
    Money {
        amount: t.total,
        currency: t.currency,
    }
    .scaled()
    .map_err(|e| StoreError::Decode(format!("total: {e}")))
}

fn date(r: &DbRow, col: &str) -> Result<NaiveDate> {
    r.opt_date(col)?
        .ok_or_else(|| StoreError::Decode(format!("{col} is null")))
}

fn read(r: &DbRow) -> Result<Quote> {
    let currency = parse_currency(&r.text("currency")?)?;
    let lines: Vec<DocLine> = r.json("lines")?;
    let discount = parse_decimal("discount", &r.text("discount")?)?;
    let rounding = parse_rounding(&r.text("rounding")?)?;
    let status = r.text("status")?;
    let language = r.text("language")?;
    Ok(Quote {
        id: r.id("id")?,
        number: r.text("number")?,
        revision: r.int("revision")?,
        account_id: r.id("account_id")?,
        contact_id: r.opt_id("contact_id")?,
        owner_id: r.opt_id("owner_id")?,
        currency,
        language: Language::parse(&language)
            .ok_or_else(|| StoreError::Decode(format!("language: '{language}'")))?,
        price_list_id: r.opt_id("price_list_id")?,
        issue_date: date(r, "issue_date")?,
        valid_until: date(r, "valid_until")?,
        status: QuoteStatus::parse(&status)
            .ok_or_else(|| StoreError::Decode(format!("quote status: '{status}'")))?,
        totals: totals_of(currency, &lines, discount, rounding)?,
        lines,
        discount,
        rounding,
        notes: r.opt_text("notes")?,
        sent_at: r.opt_time("sent_at")?,
        accepted_at: r.opt_time("accepted_at")?,
        rejected_at: r.opt_time("rejected_at")?,
        expired_on: None,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        deal_id: r.opt_id("deal_id")?,
    })
}

pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Quote>> {
    c.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM quotes WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// What a list of quotes may be narrowed to.
#[derive(Debug, Default, Clone)]
pub struct QuoteFilter {
    pub account_id: Option<Id>,
    /// Only these owners (a limited role's view); `None`: everyone's.
    pub owners: Option<Vec<Id>>,
}

/// Quotes, newest number first.
pub async fn list(c: &mut Conn, f: &QuoteFilter, limit: i64) -> Result<Vec<Quote>> {
    list_after(c, f, None, limit).await
}

/// Quotes, newest first, after the row `after` points at (a page of a keyset list).
pub async fn list_after(
    c: &mut Conn,
    f: &QuoteFilter,
    after: Option<&DocCursor>,
    limit: i64,
) -> Result<Vec<Quote>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM quotes WHERE 1 = 1"));
    if let Some(a) = f.account_id {
        sql.push(" AND account_id = ").push_arg(a);
    }
    if let Some(owners) = &f.owners {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND owner_id IN (").push_args(owners).push(")");
    }
    push_after(&mut sql, after);
    sql.push(" ORDER BY created_at DESC, number DESC LIMIT ")
        .push_arg(limit);
    c.fetch_all(sql).await?.iter().map(read).collect()
}

/// ` AND (...)`: the rows after `after` in the order `created_at DESC, number DESC`,
/// which quotes and orders share.
pub(crate) fn push_after(sql: &mut Sql, after: Option<&DocCursor>) {
    if let Some(a) = after {
        sql.push(" AND (created_at < ")
            .push_arg(a.created_at)
            .push(" OR (created_at = ")
            .push_arg(a.created_at)
            .push(" AND number < ")
            .push_arg(a.number.as_str())
            .push("))");
    }
}

pub async fn insert(c: &mut Conn, q: &Quote) -> Result<()> {
    let total = scaled_total(&q.totals)?;
    c.execute(
        Sql::new(format!(
            "INSERT INTO quotes ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
        ))
        .arg(q.id)
        .arg(&q.number)
        .arg(q.revision)
        .arg(q.account_id)
        .arg(q.contact_id)
        .arg(q.owner_id)
        .arg(q.currency.as_str())
        .arg(q.language.as_str())
        .arg(q.price_list_id)
        .arg(Some(q.issue_date))
        .arg(Some(q.valid_until))
        .arg(q.status.as_str())
        .arg(crate::db::Arg::json(&q.lines))
        .arg(q.discount.normalize().to_string())
        .arg(rounding_str(q.rounding))
        .arg(q.notes.as_deref())
        .arg(total)
        .arg(q.sent_at)
        .arg(q.accepted_at)
        .arg(q.rejected_at)
        .arg(q.version)
        .arg(q.created_at)
        .arg(q.updated_at)
        .arg(q.deal_id),
    )
    .await?;
    Ok(())
}

/// Writes a changed quote if it is still at `expected_version`; false if it moved on.
pub async fn update(c: &mut Conn, q: &Quote, expected_version: i64) -> Result<bool> {
    let total = scaled_total(&q.totals)?;
    let n = c
        .execute(
            Sql::new(
                "UPDATE quotes SET revision = $1, contact_id = $2, owner_id = $3, currency = $4, \
                 language = $5, price_list_id = $6, issue_date = $7, valid_until = $8, \
                 status = $9, lines = $10, discount = $11, rounding = $12, notes = $13, \
                 total = $14, sent_at = $15, accepted_at = $16, rejected_at = $17, \
                 version = $18, updated_at = $19 WHERE id = $20 AND version = $21",
            )
            .arg(q.revision)
            .arg(q.contact_id)
            .arg(q.owner_id)
            .arg(q.currency.as_str())
            .arg(q.language.as_str())
            .arg(q.price_list_id)
            .arg(Some(q.issue_date))
            .arg(Some(q.valid_until))
            .arg(q.status.as_str())
            .arg(crate::db::Arg::json(&q.lines))
            .arg(q.discount.normalize().to_string())
            .arg(rounding_str(q.rounding))
            .arg(q.notes.as_deref())
            .arg(total)
            .arg(q.sent_at)
            .arg(q.accepted_at)
            .arg(q.rejected_at)
            .arg(q.version)
            .arg(q.updated_at)
            .arg(q.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

/// Keeps revision `q.revision` as it stood, before it is replaced by the next.
pub async fn keep_revision(c: &mut Conn, q: &Quote, now: DateTime<Utc>) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO quote_revisions (quote_id, revision, snapshot, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .arg(q.id)
        .arg(q.revision)
        .arg(crate::db::Arg::json(q))
        .arg(now),
    )
    .await?;
    Ok(())
}

/// An earlier revision, as it was (the quote's JSON of the time).
pub async fn revision(c: &mut Conn, id: Id, revision: i64) -> Result<Option<Value>> {
    c.fetch_optional(
        Sql::new("SELECT snapshot FROM quote_revisions WHERE quote_id = $1 AND revision = $2")
            .arg(id)
            .arg(revision),
    )
    .await?
    .map(|r| r.json("snapshot"))
    .transpose()
}

/// One rep's quotes sent in a period and how many of those were accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub owner_id: Option<Id>,
    pub sent: i64,
    pub accepted: i64,
}

/// Per owner: quotes first sent in `[from, to)` and, of those, the accepted ones.
pub async fn conversion(
    c: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    owners: Option<&[Id]>,
) -> Result<Vec<Conversion>> {
    let mut sql = Sql::new(
        "SELECT owner_id, COUNT(*) AS sent, \
         SUM(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END) AS accepted \
         FROM quotes WHERE sent_at >= $1 AND sent_at < $2",
    )
    .arg(from)
    .arg(to);
    if let Some(owners) = owners {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND owner_id IN (").push_args(owners).push(")");
    }
    sql.push(" GROUP BY owner_id ORDER BY owner_id");
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| {
            Ok(Conversion {
                owner_id: r.opt_id("owner_id")?,
                sent: r.int("sent")?,
                accepted: r.int("accepted")?,
            })
        })
        .collect()
}
