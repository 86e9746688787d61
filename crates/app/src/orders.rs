//! Orders: made from an accepted quote (its lines copied) or directly, moved forward
//! through picking and shipping, delivered in parts, invoiced. Every change is an audit
//! event, which the account's timeline shows.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::orders::{
    self as core, DeliveredLine, Delivery, Order, OrderDates, OrderLine, OrderStatus,
};
use cartera_core::quotes::{DocCursor, QuoteStatus};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::orders as store;

use crate::documents::{self, Document, Page};
use crate::quotes::NewQuote;
use crate::versioned::{self, Conflict};
use crate::{Actor, App, AppError, Result};

/// A new order straight from its lines (no quote): the same fields as a quote.
pub type NewOrder = NewQuote;

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// `picking`, `shipped` or `invoiced` (`delivered` follows from the deliveries).
    pub status: OrderStatus,
}

/// A delivery of some quantities of some lines.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryInput {
    /// Default today.
    #[schema(value_type = Option<String>)]
    pub delivered_on: Option<NaiveDate>,
    pub lines: Vec<DeliveredLine>,
}

fn changes(old: Option<&Order>, new: &Order) -> Vec<FieldChange> {
    crate::records::changed_fields(
        old,
        new,
        &[
            "status",
            "lines",
            "delivered_at",
            "shipped_at",
            "picking_at",
            "invoiced_at",
        ],
    )
}

impl Document for Order {
    const SERIES: &'static str = "order";
    const MODULE: Module = Module::Orders;
    const KIND: RecordKind = RecordKind::Order;

    const CONFLICT: Conflict = Conflict::Stale;
    versioned::stamped!();
    documents::numbered!();
    // An order's lines and prices are fixed; only its progress changes.
    versioned::stored!(
        load: store::get,
        insert: store::insert,
        update: store::update_progress,
    );

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        changes(old, new)
    }

    fn format_number(year: i32, seq: i64) -> String {
        core::number(year, seq)
    }

    /// An order is numbered in the year it is confirmed (made).
    fn numbered_on(&self) -> NaiveDate {
        self.created_at.date_naive()
    }

    async fn list_after(
        conn: &mut Conn,
        account: Option<Id>,
        owners: Option<&[Id]>,
        after: Option<&DocCursor>,
        limit: i64,
    ) -> Result<Vec<Self>> {
        Ok(store::list_after(conn, account, owners, after, limit).await?)
    }
}

/// An order the actor may see: its owner is in their view, or its account is.
async fn load(conn: &mut Conn, app: &App, actor: &Actor, id: Id) -> Result<Order> {
    documents::load::<Order>(conn, app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Order> {
    documents::get(app, actor, id).await
}

pub async fn list(app: &App, actor: &Actor, account: Option<Id>) -> Result<Vec<Order>> {
    Ok(page(app, actor, account, None, 500).await?.data)
}

/// A page of orders, newest first, from `cursor` (the previous page's `next_cursor`);
/// a limited role sees them as it sees quotes (see `quotes::page`).
pub async fn page(
    app: &App,
    actor: &Actor,
    account: Option<Id>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Order>> {
    documents::page::<Order>(app, actor, account, cursor, limit).await
}

async fn insert(conn: &mut Conn, app: &App, actor: &Actor, mut o: Order) -> Result<Order> {
    documents::insert(conn, actor, app.now(), &mut o).await?;
    Ok(o)
}

fn new_order(app: &App, quote: &cartera_core::quotes::Quote, from_quote: bool) -> Order {
    let now = app.now();
    Order {
        id: Id::new(),
        number: String::new(),
        quote_id: from_quote.then_some(quote.id),
        account_id: quote.account_id,
        contact_id: quote.contact_id,
        owner_id: quote.owner_id,
        currency: quote.currency,
        lines: quote
            .lines
            .iter()
            .map(|l| OrderLine {
                line: l.clone(),
                delivered: Decimal::ZERO,
            })
            .collect(),
        discount: quote.discount,
        rounding: quote.rounding,
        notes: quote.notes.clone(),
        totals: quote.totals.clone(),
        status: OrderStatus::Confirmed,
        dates: OrderDates {
            confirmed_at: now,
            picking_at: None,
            shipped_at: None,
            delivered_at: None,
            invoiced_at: None,
        },
        deliveries: Vec::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The order of an accepted quote, its lines copied (one order per quote: 409 after).
pub async fn from_quote(app: &App, actor: &Actor, quote: Id) -> Result<Order> {
    actor.permit(Module::Orders, Action::Create)?;
    let q = crate::quotes::get(app, actor, quote).await?;
    if q.status != QuoteStatus::Accepted {
        return Err(AppError::Conflict(format!(
            "only an accepted quote becomes an order; this one is {}",
            q.status.as_str()
        )));
    }
    let mut conn = app.db.begin().await?;
    if store::for_quote(&mut conn, quote).await?.is_some() {
        return Err(AppError::Conflict("the quote already has its order".into()));
    }
    let o = insert(&mut conn, app, actor, new_order(app, &q, true)).await?;
    conn.commit().await?;
    Ok(o)
}

/// An order straight from lines: priced and checked exactly like a quote (errors name
/// `lines[i].quantity`, `lines[i].product_id`, ...), but no quote is kept.
pub async fn create(app: &App, actor: &Actor, input: NewOrder) -> Result<Order> {
    actor.permit(Module::Orders, Action::Create)?;
    let mut conn = app.db.begin().await?;
    let q = crate::quotes::build(&mut conn, app, actor, input).await?;
    let o = insert(&mut conn, app, actor, new_order(app, &q, false)).await?;
    conn.commit().await?;
    Ok(o)
}

async fn save(conn: &mut Conn, app: &App, actor: &Actor, old: &Order, o: &mut Order) -> Result<()> {
    documents::save(conn, actor, app.now(), old, o).await
}

/// Moves an order forward (409 backwards or out of turn).
pub async fn set_status(app: &App, actor: &Actor, id: Id, to: OrderStatus) -> Result<Order> {
    actor.permit(Module::Orders, Action::Edit)?;
    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, app, actor, id).await?;
    old.status
        .may_move_to(to)
        .map_err(|m| AppError::from(Violations::one("status", Code::Conflict, m)))?;
    let mut o = old.clone();
    o.status = to;
    o.dates.set(to, app.now());
    save(&mut conn, app, actor, &old, &mut o).await?;
    conn.commit().await?;
    Ok(o)
}

/// Marks an order invoiced, in the invoicing transaction (billing's one click). An order
/// may be invoiced before it is delivered; its deliveries are still recorded after.
pub(crate) async fn mark_invoiced(conn: &mut Conn, app: &App, actor: &Actor, id: Id) -> Result<()> {
    let old = load(conn, app, actor, id).await?;
    let mut o = old.clone();
    o.status = OrderStatus::Invoiced;
    o.dates.set(OrderStatus::Invoiced, app.now());
    save(conn, app, actor, &old, &mut o).await
}

/// Records a delivery; when every line is delivered in full the order is delivered.
/// More than is left, a quantity of zero or less, or an unknown line: 422 by field.
pub async fn deliver(app: &App, actor: &Actor, id: Id, input: DeliveryInput) -> Result<Order> {
    actor.permit(Module::Orders, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, app, actor, id).await?;
    let mut o = old.clone();
    o.deliver(&input.lines)?;
    if o.fully_delivered() {
        // An order invoiced first stays invoiced; it records when it was delivered.
        if o.status < OrderStatus::Delivered {
            o.status = OrderStatus::Delivered;
        }
        o.dates.set(OrderStatus::Delivered, now);
    }
    let d = Delivery {
        id: Id::new(),
        delivered_on: input.delivered_on.unwrap_or_else(|| now.date_naive()),
        lines: input.lines,
        created_at: now,
    };
    store::insert_delivery(&mut conn, id, &d).await?;
    save(&mut conn, app, actor, &old, &mut o).await?;
    conn.commit().await?;
    load(&mut app.db.reader().await?, app, actor, id).await
}

/// An account's quotes and orders tell their story (sent, accepted, shipped, delivered)
/// on its timeline through their audit events.
pub(crate) fn account_timeline<'a>(
    conn: &'a mut Conn,
    actor: &'a Actor,
    account: Id,
    sources: &'a mut crate::timeline::Sources,
) -> crate::timeline::ContributionFuture<'a> {
    Box::pin(async move {
        if actor.may(Module::Quotes, Action::Read) || actor.may(Module::Orders, Action::Read) {
            sources
                .events_of
                .extend(cartera_store::orders::documents_of(conn, account).await?);
        }
        Ok(())
    })
}
