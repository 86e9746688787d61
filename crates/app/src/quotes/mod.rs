//! Quotes: created from catalogue or free-text lines priced through the account's price
//! list, numbered per year without gaps, printed as PDF from the company's template,
//! emailed with the PDF attached (and logged on the account's timeline), accepted or
//! rejected, revised when changed after sending.
//!
//! A quote is a [`Document`] (numbering, who sees it, paging) and is [`Printed`]
//! (template, PDF, email): those parts are the documents seam's, `crate::documents`.
//! Here: the lifecycle; `print` makes and sends the PDF; `template` is the admin's
//! template and logo.

pub mod print;
mod template;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::catalog::PriceList;
use cartera_core::contacts::ContactData;
use cartera_core::money::Currency;
use cartera_core::quotes::{self as core, DocCursor, DocLine, Language, Quote, QuoteStatus};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::totals::RoundingMode;
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::quotes as store;

use crate::documents::{self, Document, Page};
use crate::records::load_visible;
use crate::totals::{LineInput, named_price_list, price_lines, products_of};
use crate::versioned::{self, Conflict};
use crate::{Actor, App, AppError, Result};

pub use template::{
    MAX_LOGO_BYTES, MAX_TEMPLATE_CHARS, TemplateInfo, delete_logo, logo_image, reset_template,
    set_logo, set_template, template_info,
};

/// Days a quote is valid when the writer does not say.
pub const DEFAULT_VALIDITY_DAYS: u64 = 30;

/// A new quote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuote {
    pub account_id: Id,
    /// The deal this quote is for: its lines (when `lines` is empty), currency, price
    /// list and first contact are the quote's defaults. It must be the account's.
    pub deal_id: Option<Id>,
    /// The person it is addressed to (their email is where `send` writes by default).
    pub contact_id: Option<Id>,
    /// Default: the user creating it.
    pub owner_id: Option<Id>,
    /// Default: the price list's currency, else the first line's.
    pub currency: Option<Currency>,
    /// `es` (default) or `en`: the language of the PDF and the email.
    pub language: Option<Language>,
    /// Prices catalogue lines without a price of their own. Default: the account's own
    /// list valid on the issue date (in the quote's currency when one is given).
    pub price_list_id: Option<Id>,
    /// Default today.
    #[schema(value_type = Option<String>, example = "2026-11-26")]
    pub issue_date: Option<NaiveDate>,
    /// Default 30 days after the issue date.
    #[schema(value_type = Option<String>, example = "2026-12-26")]
    pub valid_until: Option<NaiveDate>,
    /// Required unless `deal_id` gives them.
    #[serde(default)]
    pub lines: Vec<LineInput>,
    /// Percentage off the whole quote after line discounts (default 0).
    #[schema(value_type = Option<String>, example = "5")]
    pub discount: Option<Decimal>,
    pub rounding: Option<RoundingMode>,
    pub notes: Option<String>,
}

/// A change to a quote; absent fields stay, `lines` is replaced whole. Changing a sent
/// quote makes its next revision (a draft again); the earlier one stays readable.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteChange {
    pub contact_id: Option<Id>,
    pub owner_id: Option<Id>,
    pub language: Option<Language>,
    #[schema(value_type = Option<String>)]
    pub valid_until: Option<NaiveDate>,
    pub lines: Option<Vec<LineInput>>,
    #[schema(value_type = Option<String>)]
    pub discount: Option<Decimal>,
    pub rounding: Option<RoundingMode>,
    /// An empty text clears them.
    pub notes: Option<String>,
}

/// The quote as read today (a draft or sent quote past its validity reads as expired).
fn as_of(mut q: Quote, today: NaiveDate) -> Quote {
    let status = Quote::effective_status(q.status, q.valid_until, today);
    if status == QuoteStatus::Expired {
        q.expired_on = q.valid_until.checked_add_days(Days::new(1));
    }
    q.status = status;
    q
}

/// A quote the actor may see: its owner is in their view, or its account is.
async fn load(conn: &mut Conn, app: &App, actor: &Actor, id: Id) -> Result<Quote> {
    documents::load::<Quote>(conn, app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Quote> {
    documents::get(app, actor, id).await
}

/// Quotes, newest first (of one account with `account`); a limited role sees its view's.
pub async fn list(app: &App, actor: &Actor, account: Option<Id>, limit: i64) -> Result<Vec<Quote>> {
    Ok(page(app, actor, account, None, limit.clamp(1, 500))
        .await?
        .data)
}

/// A page of quotes, newest first, from `cursor` (the previous page's `next_cursor`).
/// Which quotes a limited role lists: with `account`, all of that account's when the
/// account is in its view; without, the quotes it owns or its view's owners own.
pub async fn page(
    app: &App,
    actor: &Actor,
    account: Option<Id>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Quote>> {
    documents::page::<Quote>(app, actor, account, cursor, limit).await
}

/// An earlier revision as it stood when it was replaced.
pub async fn revision(app: &App, actor: &Actor, id: Id, revision: i64) -> Result<Value> {
    actor.permit(Module::Quotes, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let q = load(&mut conn, app, actor, id).await?;
    if revision == q.revision {
        return Ok(serde_json::to_value(&q).unwrap_or(Value::Null));
    }
    store::revision(&mut conn, id, revision)
        .await?
        .ok_or(AppError::NotFound)
}

/// Lines priced and checked, ready for a quote: errors name `lines[i].field`.
struct Priced {
    currency: Currency,
    price_list_id: Option<Id>,
    lines: Vec<DocLine>,
}

/// The price lists a quote is priced from, in the order they are asked: the one named;
/// else the account's own valid on `date` (in `currency` when given), then the general
/// list (tied to no account) valid on `date` in the quote's currency. A customer
/// without a list of its own is priced from the general list, and a product missing
/// from its own list too; each line records the list that priced it.
async fn pick_lists(
    conn: &mut Conn,
    c: &mut Check,
    named: Option<Id>,
    account: Id,
    currency: Option<Currency>,
    date: NaiveDate,
) -> Result<Vec<PriceList>> {
    let valid: Vec<PriceList> = cartera_store::catalog::price_lists(conn)
        .await?
        .into_iter()
        .filter(|l| l.valid_on(date))
        .collect();
    let general_in = |currency: Option<Currency>| {
        valid
            .iter()
            .filter(|l| l.account_id.is_none())
            .find(|l| currency.is_none_or(|cur| cur == l.currency))
            .cloned()
    };
    if named.is_some() {
        let Some(list) = named_price_list(conn, named, c).await? else {
            return Ok(Vec::new());
        };
        // The account's own list, named (a revised quote names the list it was priced
        // from), still falls back to the general list for what it lacks.
        let fallback = (list.account_id == Some(account))
            .then(|| general_in(Some(list.currency)))
            .flatten();
        return Ok(std::iter::once(list).chain(fallback).collect());
    }
    // The account's list in the quote's currency; else its list in another one, so
    // that a currency that differs from the customer's prices is named, not ignored.
    let own: Vec<&PriceList> = valid
        .iter()
        .filter(|l| l.account_id == Some(account))
        .collect();
    let own = own
        .iter()
        .find(|l| currency.is_none_or(|cur| cur == l.currency))
        .or(own.first())
        .copied();
    let general = general_in(currency.or(own.map(|l| l.currency)));
    Ok(own.cloned().into_iter().chain(general).collect())
}

#[allow(clippy::too_many_arguments)]
async fn price(
    conn: &mut Conn,
    c: &mut Check,
    input: &[LineInput],
    named_list: Option<Id>,
    account: Id,
    currency: Option<Currency>,
    date: NaiveDate,
) -> Result<Option<Priced>> {
    let lists = pick_lists(conn, c, named_list, account, currency, date).await?;
    let list = lists.first();
    if let (Some(l), Some(cur)) = (list, currency)
        && l.currency != cur
    {
        c.add(
            "currency",
            Code::Invalid,
            format!(
                "{cur} differs from the price list's currency {}",
                l.currency
            ),
        );
    }
    let products = products_of(conn, input.iter().map(|l| l.product_id)).await?;
    for (i, l) in input.iter().enumerate() {
        if let Some(p) = l.product_id.and_then(|id| products.get(&id))
            && !p.active
        {
            c.add(
                &format!("lines[{i}].product_id"),
                Code::Invalid,
                "the product is withdrawn (inactive)",
            );
        }
        if l.product_id.is_none() && l.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
            c.add(
                &format!("lines[{i}].description"),
                Code::Required,
                "a free-text line needs a description",
            );
        }
    }
    let asked: Vec<&PriceList> = lists.iter().collect();
    let priced = price_lines(input, &products, &asked, date, c);
    let currency = currency
        .or(list.map(|l| l.currency))
        .or(priced.first().map(|(_, l, _, _)| l.unit_price.currency));
    let Some(currency) = currency else {
        if c.is_ok() {
            c.add("currency", Code::Required, "name a currency or give a line");
        }
        return Ok(None);
    };
    let lines = priced
        .into_iter()
        .map(|(i, line, product, priced_by)| {
            let given = input.get(i).and_then(|l| l.description.clone());
            DocLine {
                product_id: product.map(|p| p.id),
                sku: product.map(|p| p.sku.clone()),
                description: given
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty())
                    .or(product.map(|p| p.name.clone()))
                    .unwrap_or_default(),
                unit: product.map_or_else(|| "unit".to_owned(), |p| p.unit.clone()),
                quantity: line.quantity,
                unit_price: line.unit_price,
                discount: line.discount,
                tax_rate: line.tax_rate,
                price_list_id: priced_by,
            }
        })
        .collect();
    Ok(Some(Priced {
        currency,
        price_list_id: list.map(|l| l.id),
        lines,
    }))
}

/// A quote as its editor holds it, before it is saved.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub account_id: Option<Id>,
    pub currency: Option<Currency>,
    pub price_list_id: Option<Id>,
    pub issue_date: Option<NaiveDate>,
    pub lines: Vec<LineInput>,
    pub discount: Option<Decimal>,
}

/// A draft priced: its totals, and per line the list that priced it (id and name).
#[derive(Debug, Clone)]
pub struct Pricing {
    pub totals: cartera_core::totals::Totals,
    pub priced_by: Vec<Option<(Id, String)>>,
}

/// What a draft comes to, priced exactly as [`create`] prices a quote (the editor's
/// live totals, so that what it shows is what the save will store).
pub async fn preview(app: &App, actor: &Actor, d: Draft) -> Result<Pricing> {
    actor.permit(Module::Quotes, Action::Read)?;
    let mut c = Check::new();
    let Some(account) = d.account_id else {
        return Err(Violations::one("account_id", Code::Required, "choose the customer").into());
    };
    let mut conn = app.db.reader().await?;
    let date = d.issue_date.unwrap_or_else(|| app.today());
    let priced = price(
        &mut conn,
        &mut c,
        &d.lines,
        d.price_list_id,
        account,
        d.currency,
        date,
    )
    .await?;
    let Some(priced) = priced.filter(|_| c.is_ok()) else {
        return Err(c.violations().into());
    };
    let totals = cartera_core::totals::compute(&core::document(
        priced.currency,
        &priced.lines,
        d.discount.unwrap_or_default(),
        RoundingMode::default(),
    ))?;
    let lists = cartera_store::catalog::price_lists(&mut conn).await?;
    let priced_by = priced
        .lines
        .iter()
        .map(|l| {
            let id = l.price_list_id?;
            lists
                .iter()
                .find(|p| p.id == id)
                .map(|p| (p.id, p.name.clone()))
        })
        .collect();
    Ok(Pricing { totals, priced_by })
}

/// Checks a contact (it must exist, be visible and belong to the account) and an owner.
async fn check_people(
    conn: &mut Conn,
    actor: &Actor,
    c: &mut Check,
    account: Id,
    contact: Option<Id>,
    owner: Option<Id>,
) -> Result<()> {
    if let Some(id) = contact {
        match load_visible::<ContactData>(conn, actor, id).await {
            Ok(r) if r.data.account_id == Some(account) => {}
            Ok(_) => c.add(
                "contact_id",
                Code::Invalid,
                "the contact is not of this account",
            ),
            Err(AppError::NotFound) => c.add(
                "contact_id",
                Code::NotFound,
                format!("there is no contact with id {id}"),
            ),
            Err(e) => return Err(e),
        }
    }
    crate::users::check_people(conn, c, ("owner_id", owner), &[]).await
}

/// Adds the quote's own rules to what `c` found; all of them, or nothing to say.
fn finish(
    c: Check,
    issue_date: NaiveDate,
    valid_until: NaiveDate,
    doc: &cartera_core::totals::Document,
    lines: &[DocLine],
    notes: Option<&str>,
) -> Result<()> {
    c.finish()?;
    core::validate(issue_date, valid_until, lines, notes, doc)?;
    Ok(())
}

fn totals_of(q: &Quote) -> Result<cartera_core::totals::Totals> {
    Ok(cartera_core::totals::compute(&core::document(
        q.currency, &q.lines, q.discount, q.rounding,
    ))?)
}

/// What the audit trail records of a quote.
fn changes(old: Option<&Quote>, new: &Quote) -> Vec<FieldChange> {
    let fields = [
        "status",
        "revision",
        "contact_id",
        "owner_id",
        "language",
        "valid_until",
        "lines",
        "discount",
        "rounding",
        "notes",
    ];
    let mut v = crate::records::changed_fields(old, new, &fields);
    let total = |q: &Quote| json!(q.totals.total.to_string());
    if old.is_none_or(|o| o.totals.total != new.totals.total) {
        v.push(FieldChange {
            field: "total".into(),
            old: old.map(total).unwrap_or(Value::Null),
            new: total(new),
        });
    }
    v
}

/// Creates a quote inside the caller's transaction: the use case behind
/// `POST /api/v1/quotes`, and what another module (deals) calls to turn its lines into
/// a quote. Checks everything before writing; takes the next number of the issue year.
pub async fn create_in(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    input: NewQuote,
) -> Result<Quote> {
    actor.permit(Module::Quotes, Action::Create)?;
    let mut q = build(conn, app, actor, input).await?;
    let now = q.created_at;
    documents::insert(conn, actor, now, &mut q).await?;
    Ok(q)
}

/// A quote priced and checked from its input, not yet numbered or stored (orders made
/// directly are priced the same way).
pub(crate) async fn build(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    mut input: NewQuote,
) -> Result<Quote> {
    let now = app.now();
    let mut c = Check::new();
    if let Some(deal_id) = input.deal_id {
        match crate::deals::lines_for_quote(app, actor, deal_id).await {
            Ok(deal) => {
                if deal.account_id != Some(input.account_id) {
                    c.add(
                        "deal_id",
                        Code::Invalid,
                        "the deal is another account's: quote the deal's account",
                    );
                }
                if input.lines.is_empty() {
                    input.lines = deal
                        .lines
                        .into_iter()
                        .map(|l| LineInput {
                            product_id: l.product_id,
                            description: l.description,
                            quantity: l.quantity,
                            unit_price: l.unit_price,
                            discount: l.discount,
                            tax_rate: l.tax_rate,
                        })
                        .collect();
                }
                input.currency = input.currency.or(deal.currency);
                input.price_list_id = input.price_list_id.or(deal.price_list_id);
                input.contact_id = input.contact_id.or(deal.contact_ids.first().copied());
            }
            Err(AppError::NotFound) => c.add(
                "deal_id",
                Code::NotFound,
                format!("there is no deal with id {deal_id}"),
            ),
            Err(e) => return Err(e),
        }
    }
    match load_visible::<AccountData>(conn, actor, input.account_id).await {
        Ok(_) => {}
        Err(AppError::NotFound) => c.add(
            "account_id",
            Code::NotFound,
            format!("there is no account with id {}", input.account_id),
        ),
        Err(e) => return Err(e),
    }
    let owner = input.owner_id.or(Some(actor.user_id));
    check_people(
        conn,
        actor,
        &mut c,
        input.account_id,
        input.contact_id,
        input.owner_id,
    )
    .await?;
    let issue_date = input.issue_date.unwrap_or_else(|| now.date_naive());
    let valid_until = input.valid_until.unwrap_or_else(|| {
        issue_date
            .checked_add_days(Days::new(DEFAULT_VALIDITY_DAYS))
            .unwrap_or(issue_date)
    });
    let priced = price(
        conn,
        &mut c,
        &input.lines,
        input.price_list_id,
        input.account_id,
        input.currency,
        issue_date,
    )
    .await?;
    let Some(priced) = priced else {
        return Err(c.violations().into());
    };
    if input.lines.len() != priced.lines.len() && c.is_ok() {
        c.add("lines", Code::Invalid, "some lines could not be priced");
    }
    let discount = input.discount.unwrap_or_default();
    let rounding = input.rounding.unwrap_or_default();
    let notes = input
        .notes
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    finish(
        c,
        issue_date,
        valid_until,
        &core::document(priced.currency, &priced.lines, discount, rounding),
        &priced.lines,
        notes.as_deref(),
    )?;
    let totals = cartera_core::totals::compute(&core::document(
        priced.currency,
        &priced.lines,
        discount,
        rounding,
    ))?;
    Ok(Quote {
        id: Id::new(),
        number: String::new(),
        revision: 1,
        account_id: input.account_id,
        deal_id: input.deal_id,
        contact_id: input.contact_id,
        owner_id: owner,
        currency: priced.currency,
        language: input.language.unwrap_or_default(),
        price_list_id: priced.price_list_id,
        issue_date,
        valid_until,
        status: QuoteStatus::Draft,
        lines: priced.lines,
        discount,
        rounding,
        notes,
        totals,
        sent_at: None,
        accepted_at: None,
        rejected_at: None,
        expired_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

pub async fn create(app: &App, actor: &Actor, input: NewQuote) -> Result<Quote> {
    actor.permit(Module::Quotes, Action::Create)?;
    let mut conn = app.db.begin().await?;
    let q = create_in(&mut conn, app, actor, input).await?;
    conn.commit().await?;
    Ok(q)
}

/// Writes `q` (already changed) over `old` as its next version, with its audit event.
async fn save(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    old: &Quote,
    q: &mut Quote,
) -> Result<()> {
    documents::save(conn, actor, now, old, q).await
}

/// Loads a quote for a change in the write transaction, checking the version.
async fn load_for_change(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    id: Id,
    version: Option<i64>,
) -> Result<Quote> {
    let q = load(conn, app, actor, id).await?;
    if let Some(v) = version
        && v != q.version
    {
        return Err(AppError::Stale {
            expected: v,
            current: q.version,
        });
    }
    Ok(q)
}

/// Changes a quote. A draft changes in place; a sent (or expired) one becomes its next
/// revision, a draft again, and the revision it was stays readable. Accepted and
/// rejected quotes are final (409).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Id,
    change: QuoteChange,
    version: Option<i64>,
) -> Result<Quote> {
    actor.permit(Module::Quotes, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load_for_change(&mut conn, app, actor, id, version).await?;
    let stored_status = store::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?
        .status;
    if matches!(stored_status, QuoteStatus::Accepted | QuoteStatus::Rejected) {
        return Err(AppError::Conflict(format!(
            "the quote is {}; make a new one",
            stored_status.as_str()
        )));
    }
    let mut q = old.clone();
    q.status = stored_status;
    let mut c = Check::new();
    check_people(
        &mut conn,
        actor,
        &mut c,
        q.account_id,
        change.contact_id,
        change.owner_id,
    )
    .await?;
    if let Some(v) = change.contact_id {
        q.contact_id = Some(v);
    }
    if let Some(v) = change.owner_id {
        q.owner_id = Some(v);
    }
    if let Some(v) = change.language {
        q.language = v;
    }
    if let Some(v) = change.valid_until {
        q.valid_until = v;
    }
    if let Some(v) = change.discount {
        q.discount = v;
    }
    if let Some(v) = change.rounding {
        q.rounding = v;
    }
    if let Some(n) = change.notes {
        q.notes = Some(n.trim().to_owned()).filter(|n| !n.is_empty());
    }
    if let Some(lines) = &change.lines {
        let priced = price(
            &mut conn,
            &mut c,
            lines,
            q.price_list_id,
            q.account_id,
            Some(q.currency),
            q.issue_date,
        )
        .await?;
        if let Some(p) = priced {
            if p.lines.len() != lines.len() && c.is_ok() {
                c.add("lines", Code::Invalid, "some lines could not be priced");
            }
            q.lines = p.lines;
        }
    }
    finish(
        c,
        q.issue_date,
        q.valid_until,
        &core::document(q.currency, &q.lines, q.discount, q.rounding),
        &q.lines,
        q.notes.as_deref(),
    )?;
    q.totals = totals_of(&q)?;
    if stored_status == QuoteStatus::Sent {
        // The customer has revision n: keep it as it was, and make n + 1.
        let mut kept = old.clone();
        kept.status = stored_status;
        store::keep_revision(&mut conn, &kept, now).await?;
        q.revision = old.revision + 1;
        q.status = QuoteStatus::Draft;
    }
    save(&mut conn, actor, now, &old, &mut q).await?;
    conn.commit().await?;
    Ok(as_of(q, now.date_naive()))
}

/// The customer's answer: a sent quote, still valid, is accepted or rejected (409
/// otherwise).
pub async fn decide(app: &App, actor: &Actor, id: Id, accept: bool) -> Result<Quote> {
    actor.permit(Module::Quotes, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, app, actor, id).await?;
    if old.status != QuoteStatus::Sent {
        return Err(AppError::Conflict(format!(
            "only a sent quote within its validity can be {}; this one is {}",
            if accept { "accepted" } else { "rejected" },
            old.status.as_str()
        )));
    }
    let mut q = old.clone();
    if accept {
        q.status = QuoteStatus::Accepted;
        q.accepted_at = Some(now);
    } else {
        q.status = QuoteStatus::Rejected;
        q.rejected_at = Some(now);
    }
    save(&mut conn, actor, now, &old, &mut q).await?;
    conn.commit().await?;
    Ok(q)
}

/// One rep's quote-to-sale conversion in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversionRow {
    pub owner_id: Option<Id>,
    /// Quotes first sent in the period.
    pub sent: i64,
    /// Of those, the accepted ones.
    pub accepted: i64,
    /// `accepted / sent`, four decimals (`0.6667`).
    #[schema(value_type = String, example = "0.6667")]
    pub rate: Decimal,
}

/// Per owner, quotes first sent from `from` to `to` (both days included), how many of
/// them were accepted, and the rate.
pub async fn conversion(
    app: &App,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ConversionRow>> {
    actor.permit(Module::Quotes, Action::Read)?;
    if to < from {
        return Err(Violations::one("to", Code::OutOfRange, "must not be before from").into());
    }
    let start = from.and_time(chrono::NaiveTime::MIN).and_utc();
    let end = to
        .checked_add_days(Days::new(1))
        .unwrap_or(to)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let mut conn = app.db.reader().await?;
    let owners = actor.view.as_ref().map(|v| v.owners.clone());
    Ok(store::conversion(&mut conn, start, end, owners.as_deref())
        .await?
        .into_iter()
        .map(|r| ConversionRow {
            owner_id: r.owner_id,
            sent: r.sent,
            accepted: r.accepted,
            rate: if r.sent == 0 {
                Decimal::ZERO
            } else {
                (Decimal::from(r.accepted) / Decimal::from(r.sent))
                    .round_dp(4)
                    .normalize()
            },
        })
        .collect())
}

impl Document for Quote {
    const SERIES: &'static str = "quote";
    const MODULE: Module = Module::Quotes;
    const KIND: RecordKind = RecordKind::Quote;

    /// Quotes have always answered a lost race with the version the writer read.
    const CONFLICT: Conflict = Conflict::StaleAsRead;
    versioned::stamped!();
    documents::numbered!();
    versioned::stored!(load: store::get, insert: store::insert, update: store::update);

    fn format_number(year: i32, seq: i64) -> String {
        core::number(year, seq)
    }

    /// A quote is numbered in its issue year.
    fn numbered_on(&self) -> NaiveDate {
        self.issue_date
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        changes(old, new)
    }

    async fn list_after(
        conn: &mut Conn,
        account: Option<Id>,
        owners: Option<&[Id]>,
        after: Option<&DocCursor>,
        limit: i64,
    ) -> Result<Vec<Self>> {
        let filter = store::QuoteFilter {
            account_id: account,
            owners: owners.map(<[Id]>::to_vec),
        };
        Ok(store::list_after(conn, &filter, after, limit).await?)
    }

    fn read_on(self, today: NaiveDate) -> Self {
        as_of(self, today)
    }
}
