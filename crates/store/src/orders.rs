//! Orders and their deliveries.

use cartera_core::Id;
use cartera_core::orders::{Delivery, Order, OrderDates, OrderLine, OrderStatus};
use cartera_core::quotes::DocLine;

use crate::db::{Arg, Conn, DbRow, Result, Sql};
use crate::error::StoreError;
use crate::quotes::{
    parse_currency, parse_decimal, parse_rounding, rounding_str, scaled_total, totals_of,
};

const COLUMNS: &str = "id, number, quote_id, account_id, contact_id, owner_id, currency, lines, \
                       discount, rounding, notes, total, status, confirmed_at, picking_at, \
                       shipped_at, delivered_at, invoiced_at, version, created_at, updated_at";

fn read(r: &DbRow) -> Result<Order> {
    let currency = parse_currency(&r.text("currency")?)?;
    let lines: Vec<OrderLine> = r.json("lines")?;
    let discount = parse_decimal("discount", &r.text("discount")?)?;
    let rounding = parse_rounding(&r.text("rounding")?)?;
    let status = r.text("status")?;
    let priced: Vec<DocLine> = lines.iter().map(|l| l.line.clone()).collect();
    Ok(Order {
        id: r.id("id")?,
        number: r.text("number")?,
        quote_id: r.opt_id("quote_id")?,
        account_id: r.id("account_id")?,
        contact_id: r.opt_id("contact_id")?,
        owner_id: r.opt_id("owner_id")?,
        currency,
        totals: totals_of(currency, &priced, discount, rounding)?,
        lines,
        discount,
        rounding,
        notes: r.opt_text("notes")?,
        status: OrderStatus::parse(&status)
            .ok_or_else(|| StoreError::Decode(format!("order status: '{status}'")))?,
        dates: OrderDates {
            confirmed_at: r.time("confirmed_at")?,
            picking_at: r.opt_time("picking_at")?,
            shipped_at: r.opt_time("shipped_at")?,
            delivered_at: r.opt_time("delivered_at")?,
            invoiced_at: r.opt_time("invoiced_at")?,
        },
        deliveries: Vec::new(),
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// An order with its deliveries, oldest first.
pub async fn get(c: &mut Conn, id: Id) -> Result<Option<Order>> {
    let Some(mut o) = c
        .fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM orders WHERE id = $1")).arg(id))
        .await?
        .map(|r| read(&r))
        .transpose()?
    else {
        return Ok(None);
    };
    o.deliveries = c
        .fetch_all(
            Sql::new(
                "SELECT id, delivered_on, lines, created_at FROM order_deliveries \
                 WHERE order_id = $1 ORDER BY created_at, id",
            )
            .arg(id),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Delivery {
                id: r.id("id")?,
                delivered_on: r
                    .opt_date("delivered_on")?
                    .ok_or_else(|| StoreError::Decode("delivered_on is null".into()))?,
                lines: r.json("lines")?,
                created_at: r.time("created_at")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Some(o))
}

/// The order made from a quote, if any.
pub async fn for_quote(c: &mut Conn, quote: Id) -> Result<Option<Id>> {
    c.fetch_optional(Sql::new("SELECT id FROM orders WHERE quote_id = $1").arg(quote))
        .await?
        .map(|r| r.id("id"))
        .transpose()
}

/// Orders (without their deliveries), newest first.
pub async fn list(
    c: &mut Conn,
    account: Option<Id>,
    owners: Option<&[Id]>,
    limit: i64,
) -> Result<Vec<Order>> {
    list_after(c, account, owners, None, limit).await
}

/// Orders (without their deliveries), newest first, after the row `after` points at.
pub async fn list_after(
    c: &mut Conn,
    account: Option<Id>,
    owners: Option<&[Id]>,
    after: Option<&cartera_core::quotes::DocCursor>,
    limit: i64,
) -> Result<Vec<Order>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM orders WHERE 1 = 1"));
    if let Some(a) = account {
        sql.push(" AND account_id = ").push_arg(a);
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

/// The ids of an account's quotes and orders (their changes show on its timeline).
pub async fn documents_of(c: &mut Conn, account: Id) -> Result<Vec<Id>> {
    c.fetch_all(
        Sql::new(
            "SELECT id FROM orders WHERE account_id = $1 \
             UNION ALL SELECT id FROM quotes WHERE account_id = $1",
        )
        .arg(account),
    )
    .await?
    .iter()
    .map(|r| r.id("id"))
    .collect()
}

pub async fn insert(c: &mut Conn, o: &Order) -> Result<()> {
    let total = scaled_total(&o.totals)?;
    c.execute(
        Sql::new(format!(
            "INSERT INTO orders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        ))
        .arg(o.id)
        .arg(&o.number)
        .arg(o.quote_id)
        .arg(o.account_id)
        .arg(o.contact_id)
        .arg(o.owner_id)
        .arg(o.currency.as_str())
        .arg(Arg::json(&o.lines))
        .arg(o.discount.normalize().to_string())
        .arg(rounding_str(o.rounding))
        .arg(o.notes.as_deref())
        .arg(total)
        .arg(o.status.as_str())
        .arg(o.dates.confirmed_at)
        .arg(o.dates.picking_at)
        .arg(o.dates.shipped_at)
        .arg(o.dates.delivered_at)
        .arg(o.dates.invoiced_at)
        .arg(o.version)
        .arg(o.created_at)
        .arg(o.updated_at),
    )
    .await?;
    Ok(())
}

/// Writes the order's progress (lines' delivered quantities, status and dates) if it is
/// still at `expected_version`.
pub async fn update_progress(c: &mut Conn, o: &Order, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE orders SET lines = $1, status = $2, picking_at = $3, shipped_at = $4, \
                 delivered_at = $5, invoiced_at = $6, version = $7, updated_at = $8 \
                 WHERE id = $9 AND version = $10",
            )
            .arg(Arg::json(&o.lines))
            .arg(o.status.as_str())
            .arg(o.dates.picking_at)
            .arg(o.dates.shipped_at)
            .arg(o.dates.delivered_at)
            .arg(o.dates.invoiced_at)
            .arg(o.version)
            .arg(o.updated_at)
            .arg(o.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

pub async fn insert_delivery(c: &mut Conn, order: Id, d: &Delivery) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO order_deliveries (id, order_id, delivered_on, lines, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .arg(d.id)
        .arg(order)
        .arg(Some(d.delivered_on))
        .arg(Arg::json(&d.lines))
        .arg(d.created_at),
    )
    .await?;
    Ok(())
}
