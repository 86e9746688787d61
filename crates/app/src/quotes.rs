//! Quotes: created from catalogue or free-text lines priced through the account's price
//! list, numbered per year without gaps, printed as PDF from the company's template,
//! emailed with the PDF attached (and logged on the account's timeline), accepted or
//! rejected, revised when changed after sending.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::catalog::{PriceList, Product};
use cartera_core::contacts::ContactData;
use cartera_core::money::Currency;
use cartera_core::quotes::{self as core, DocLine, Language, Quote, QuoteStatus};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::totals::{RoundingMode, TaxRate};
use cartera_core::{Check, Code, Id, Violations};
use cartera_documents::{DocumentError, Logo};
use cartera_store::Conn;
use cartera_store::quotes::{self as store, Asset};

use crate::mail::{self, Attachment};
use crate::records::{Naming, WriteOptions, event, load_visible};
use crate::totals::{LineInput, price_lines};
use crate::{Actor, App, AppError, Result};

/// Days a quote is valid when the writer does not say.
pub const DEFAULT_VALIDITY_DAYS: u64 = 30;
/// Largest logo accepted (bytes).
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// Largest template accepted (characters).
pub const MAX_TEMPLATE_CHARS: usize = 100_000;

const TEMPLATE_KEY: &str = "quote_template";
const LOGO_KEY: &str = "logo";

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

/// Where to send a quote.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// Default: the contact's first email.
    pub to: Option<String>,
    /// Default: the template's subject in the quote's language.
    pub subject: Option<String>,
    /// The email's text. Default: the template's greeting in the quote's language.
    pub message: Option<String>,
}

/// The quote and the address it went to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sent {
    pub quote: Quote,
    pub to: String,
    /// The email logged on the account's timeline.
    pub activity_id: Id,
}

fn can_see(actor: &Actor, owner: Option<Id>) -> bool {
    match &actor.view {
        None => true,
        Some(v) => owner.is_some_and(|o| v.owners.contains(&o)),
    }
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
    let q = store::get(conn, id).await?.ok_or(AppError::NotFound)?;
    if !can_see(actor, q.owner_id) {
        load_visible::<AccountData>(conn, actor, q.account_id).await?;
    }
    Ok(as_of(q, app.now().date_naive()))
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Quote> {
    actor.permit(Module::Quotes, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load(&mut conn, app, actor, id).await
}

/// Quotes, newest first (of one account with `account`); a limited role sees its view's.
pub async fn list(app: &App, actor: &Actor, account: Option<Id>, limit: i64) -> Result<Vec<Quote>> {
    Ok(page(app, actor, account, None, limit.clamp(1, 500))
        .await?
        .data)
}

/// One page of a list of quotes or orders, and where the next one starts.
#[derive(Debug)]
pub struct DocPage<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Reads a `cursor` parameter; a damaged one answers 400 on `cursor`.
pub(crate) fn read_cursor(cursor: Option<&str>) -> Result<Option<core::DocCursor>> {
    cursor
        .map(|c| {
            core::DocCursor::decode(c).ok_or_else(|| {
                AppError::BadQuery(Violations::one(
                    "cursor",
                    Code::Invalid,
                    "this cursor is damaged; start again without one",
                ))
            })
        })
        .transpose()
}

/// Cuts a list read with `limit + 1` rows to `limit`, with the cursor of its last row
/// when more follow.
pub(crate) fn cut<T>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> core::DocCursor,
) -> DocPage<T> {
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| key(r).encode())
    } else {
        None
    };
    DocPage {
        data: rows,
        next_cursor,
    }
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
) -> Result<DocPage<Quote>> {
    actor.permit(Module::Quotes, Action::Read)?;
    let after = read_cursor(cursor)?;
    let limit = limit.clamp(1, 500);
    let mut conn = app.db.reader().await?;
    let mut filter = store::QuoteFilter {
        account_id: account,
        owners: None,
    };
    if let Some(v) = &actor.view {
        match account {
            // Whoever sees the account sees its quotes.
            Some(a) => {
                load_visible::<AccountData>(&mut conn, actor, a).await?;
            }
            None => filter.owners = Some(v.owners.clone()),
        }
    }
    let today = app.now().date_naive();
    let rows = store::list_after(&mut conn, &filter, after.as_ref(), limit + 1)
        .await?
        .into_iter()
        .map(|q| as_of(q, today))
        .collect();
    Ok(cut(rows, limit, |q: &Quote| core::DocCursor {
        created_at: q.created_at,
        number: q.number.clone(),
    }))
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

/// The price list a quote uses: the one named, else the account's own valid on `date`
/// (in `currency` when given).
async fn pick_list(
    conn: &mut Conn,
    c: &mut Check,
    named: Option<Id>,
    account: Id,
    currency: Option<Currency>,
    date: NaiveDate,
) -> Result<Option<PriceList>> {
    if let Some(id) = named {
        let l = cartera_store::catalog::price_list(conn, id).await?;
        if l.is_none() {
            c.add(
                "price_list_id",
                Code::NotFound,
                format!("there is no price list with id {id}"),
            );
        }
        return Ok(l);
    }
    // The account's list in the quote's currency; else its list in another one, so
    // that a currency that differs from the customer's prices is named, not ignored.
    let own: Vec<PriceList> = cartera_store::catalog::price_lists(conn)
        .await?
        .into_iter()
        .filter(|l| l.account_id == Some(account) && l.valid_on(date))
        .collect();
    let same = own
        .iter()
        .position(|l| currency.is_none_or(|cur| cur == l.currency));
    Ok(own.into_iter().nth(same.unwrap_or(0)))
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
    let list = pick_list(conn, c, named_list, account, currency, date).await?;
    if let (Some(l), Some(cur)) = (&list, currency)
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
    let ids: Vec<Id> = input.iter().filter_map(|l| l.product_id).collect();
    let products: HashMap<Id, Product> = cartera_store::catalog::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
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
    let priced = price_lines(input, &products, list.as_ref(), date, c);
    let currency = currency
        .or(list.as_ref().map(|l| l.currency))
        .or(priced.first().map(|(_, l, _)| l.unit_price.currency));
    let Some(currency) = currency else {
        if c.is_ok() {
            c.add("currency", Code::Required, "name a currency or give a line");
        }
        return Ok(None);
    };
    let lines = priced
        .into_iter()
        .map(|(i, line, product)| {
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
            }
        })
        .collect();
    Ok(Some(Priced {
        currency,
        price_list_id: list.map(|l| l.id),
        lines,
    }))
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
    let year = core::number_year(q.issue_date);
    let seq = store::next_number(conn, "quote", year).await?;
    q.number = core::number(year, seq);
    store::insert(conn, &q).await?;
    let ev = event(
        Some(actor),
        q.created_at,
        AuditAction::Created,
        RecordKind::Quote,
        q.id,
        changes(None, &q),
    );
    cartera_store::audit::insert(conn, &[ev]).await?;
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

/// Writes `q` (already changed) over `old` at `expected` version, with its audit event.
async fn save(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    old: &Quote,
    q: &mut Quote,
    expected: i64,
) -> Result<()> {
    q.version = old.version + 1;
    q.updated_at = now;
    if !store::update(conn, q, expected).await? {
        return Err(AppError::Stale {
            expected,
            current: old.version,
        });
    }
    let ev = event(
        Some(actor),
        now,
        AuditAction::Updated,
        RecordKind::Quote,
        q.id,
        changes(Some(old), q),
    );
    cartera_store::audit::insert(conn, &[ev]).await?;
    Ok(())
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
    save(&mut conn, actor, now, &old, &mut q, old.version).await?;
    conn.commit().await?;
    Ok(as_of(q, now.date_naive()))
}

/// The data a template reads (`sys.inputs`), in the quote's language.
async fn print_data(conn: &mut Conn, q: &Quote) -> Result<Value> {
    let settings = crate::settings::load(conn).await?;
    let lang = q.language;
    let account = crate::records::load_live::<AccountData>(conn, q.account_id).await?;
    let contact = match q.contact_id {
        Some(id) => crate::records::load_live::<ContactData>(conn, id)
            .await
            .ok(),
        None => None,
    };
    let customer = Customer {
        name: account.data.name.clone(),
        tax_id: account.data.tax_id.clone().unwrap_or_default(),
        address: address_line(&account.data.billing_address),
        contact: contact
            .as_ref()
            .map(|c| full_name(&c.data))
            .unwrap_or_default(),
        email: contact
            .as_ref()
            .and_then(|c| c.data.emails.first())
            .map(|e| e.address.clone())
            .unwrap_or_default(),
    };
    Ok(print_value(q, &settings.company, &customer, lang))
}

/// The customer as printed.
struct Customer {
    name: String,
    tax_id: String,
    address: String,
    contact: String,
    email: String,
}

fn full_name(c: &ContactData) -> String {
    format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned()
}

fn address_line(a: &cartera_core::fields::Address) -> String {
    a.one_line()
}

fn print_value(
    q: &Quote,
    company: &crate::settings::Company,
    customer: &Customer,
    lang: Language,
) -> Value {
    let money = |d: Decimal| lang.amount(d);
    let rate = |r: TaxRate| match r {
        TaxRate::Exempt => "exempt".to_owned(),
        TaxRate::Percent(p) => lang.number(p),
    };
    let t = &q.totals;
    json!({
        "lang": lang.as_str(),
        "company": {
            "name": company.name, "tax_id": company.tax_id, "address": company.address,
            "phone": company.phone, "email": company.email,
        },
        "number": q.number,
        "revision": q.revision,
        "status": q.status.as_str(),
        "issue_date": q.issue_date.to_string(),
        "valid_until": q.valid_until.to_string(),
        "currency": q.currency.as_str(),
        "notes": q.notes.clone().unwrap_or_default(),
        "customer": {
            "name": customer.name, "tax_id": customer.tax_id, "address": customer.address,
            "contact": customer.contact, "email": customer.email,
        },
        "lines": q.lines.iter().zip(&t.line_nets).map(|(l, net)| json!({
            "description": l.description,
            "sku": l.sku.clone().unwrap_or_default(),
            "quantity": lang.number(l.quantity),
            "unit": l.unit,
            "unit_price": money(l.unit_price.amount),
            "discount": lang.number(l.discount),
            "tax_rate": rate(l.tax_rate),
            "net": money(*net),
        })).collect::<Vec<_>>(),
        "subtotal": money(t.subtotal),
        "line_discounts": money(t.line_discounts),
        "document_discount": money(t.document_discount),
        "document_discount_rate": lang.number(q.discount),
        "discounts": money(t.discounts),
        "by_rate": t.by_rate.iter().map(|r| json!({
            "rate": rate(r.rate), "base": money(r.base), "tax": money(r.tax),
        })).collect::<Vec<_>>(),
        "taxes": money(t.taxes),
        "total": money(t.total),
    })
}

/// The template in use: the admin's, else the default.
async fn template(conn: &mut Conn) -> Result<String> {
    Ok(store::asset(conn, TEMPLATE_KEY)
        .await?
        .map(|a| a.content)
        .unwrap_or_else(|| cartera_documents::DEFAULT_QUOTE_TEMPLATE.to_owned()))
}

async fn logo(conn: &mut Conn) -> Result<Option<Vec<u8>>> {
    Ok(store::asset(conn, LOGO_KEY)
        .await?
        .and_then(|a| BASE64.decode(a.content).ok()))
}

/// Compiles on the blocking pool: typst takes tens of milliseconds of CPU.
async fn render(template: String, data: Value, logo: Option<Vec<u8>>) -> Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        cartera_documents::render(&template, &data, logo.as_deref().map(Logo))
    })
    .await
    .map_err(|e| AppError::Conflict(format!("the PDF could not be made: {e}")))?
    .map_err(|e| match e {
        DocumentError::Template(m) => AppError::Conflict(format!(
            "the quote template does not compile; an admin can fix or reset it: {}",
            m.join("; ")
        )),
        other => AppError::Conflict(other.to_string()),
    })
}

/// The quote's PDF, and the file name to give it (`P-2026-000123.pdf`).
pub async fn pdf(app: &App, actor: &Actor, id: Id) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Quotes, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let q = load(&mut conn, app, actor, id).await?;
    let data = print_data(&mut conn, &q).await?;
    let (t, l) = (template(&mut conn).await?, logo(&mut conn).await?);
    drop(conn);
    Ok((file_name(&q), render(t, data, l).await?))
}

fn file_name(q: &Quote) -> String {
    if q.revision > 1 {
        format!("{}-r{}.pdf", q.number, q.revision)
    } else {
        format!("{}.pdf", q.number)
    }
}

/// Emails the PDF to `to` or the contact's email, marks the quote sent and logs the
/// email on the account's timeline. Without an address: 422 naming `to`, nothing sent
/// or written.
pub async fn send(app: &App, actor: &Actor, id: Id, input: SendInput) -> Result<Sent> {
    actor.permit(Module::Quotes, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.reader().await?;
    let q = load(&mut conn, app, actor, id).await?;
    match q.status {
        QuoteStatus::Draft | QuoteStatus::Sent => {}
        s => {
            return Err(AppError::Conflict(format!(
                "the quote is {}; it can no longer be sent",
                s.as_str()
            )));
        }
    }
    let contact = match q.contact_id {
        Some(id) => crate::records::load_live::<ContactData>(&mut conn, id)
            .await
            .ok(),
        None => None,
    };
    let to = match input
        .to
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
    {
        Some(t) => {
            if !email_ok(&t) {
                return Err(
                    Violations::one("to", Code::Invalid, "not a valid email address").into(),
                );
            }
            t
        }
        None => contact
            .as_ref()
            .and_then(|c| c.data.emails.first())
            .map(|e| e.address.clone())
            .ok_or_else(|| {
                AppError::from(Violations::one(
                    "to",
                    Code::Required,
                    "give an address: the quote's contact has no email",
                ))
            })?,
    };
    let to_name = contact
        .as_ref()
        .map(|c| full_name(&c.data))
        .unwrap_or_default();
    let data = print_data(&mut conn, &q).await?;
    let company = data["company"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (t, l) = (template(&mut conn).await?, logo(&mut conn).await?);
    drop(conn);
    let pdf = render(t, data, l).await?;
    let mut email = mail::quote(
        q.language.as_str(),
        &to_name,
        &to,
        &q.number,
        if company.is_empty() {
            "Cartera"
        } else {
            &company
        },
        &q.valid_until.to_string(),
    );
    // The writer's own words, when the send dialog gave them.
    if let Some(subject) = input.subject.filter(|t| !t.trim().is_empty()) {
        // One line: a subject is a header.
        email.subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if let Some(message) = input.message.filter(|t| !t.trim().is_empty()) {
        email.body = message;
    }
    app.mailer()
        .send_with(
            &email,
            &[Attachment {
                filename: file_name(&q),
                content_type: "application/pdf".into(),
                content: pdf,
            }],
        )
        .await
        .map_err(|e| AppError::Conflict(format!("the email was not sent: {e}")))?;

    let mut conn = app.db.begin().await?;
    let old = load(&mut conn, app, actor, id).await?;
    let mut q = old.clone();
    q.status = QuoteStatus::Sent;
    q.sent_at = old.sent_at.or(Some(now));
    save(&mut conn, actor, now, &old, &mut q, old.version).await?;
    let activity = json!({
        "kind": "email",
        "subject": email.subject,
        "notes": format!("{}\n\n{} → {to}", email.body, file_name(&q)),
        "status": "done",
        "planned": false,
        "starts_at": now,
        "account_id": q.account_id,
        "contact_id": q.contact_id,
        "owner_id": actor.user_id,
    });
    let made = crate::records::create_in::<cartera_core::activities::ActivityData>(
        &mut conn,
        now,
        actor,
        vec![activity],
        WriteOptions {
            allow_duplicate: true,
        },
        Naming::Under("activity."),
    )
    .await?;
    // The follow-up rule: a task on the owner's agenda some days later (none when the
    // rule is off), queued with the sending so that both happen or neither.
    crate::followups::quote_sent_in(
        &mut conn,
        now,
        &crate::followups::QuoteSent {
            quote_id: q.id,
            number: q.number.clone(),
            account_id: Some(q.account_id),
            contact_id: q.contact_id,
            owner_id: q.owner_id.unwrap_or(actor.user_id),
            sent_at: now,
        },
    )
    .await?;
    conn.commit().await?;
    Ok(Sent {
        quote: as_of(q, now.date_naive()),
        to,
        activity_id: made.first().map(|a| a.id).unwrap_or_default(),
    })
}

fn email_ok(s: &str) -> bool {
    let mut c = Check::new();
    cartera_core::fields::validate_email("to", s, &mut c);
    c.is_ok()
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
    save(&mut conn, actor, now, &old, &mut q, old.version).await?;
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

/// The quote template an admin sees: the text in use and whether it is the default.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateInfo {
    pub template: String,
    pub is_default: bool,
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether a logo is uploaded, and its media type.
    pub logo_type: Option<String>,
}

pub async fn template_info(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let custom = store::asset(&mut conn, TEMPLATE_KEY).await?;
    let logo = store::asset(&mut conn, LOGO_KEY).await?;
    Ok(TemplateInfo {
        is_default: custom.is_none(),
        updated_at: custom.as_ref().map(|a| a.updated_at),
        template: custom
            .map(|a| a.content)
            .unwrap_or_else(|| cartera_documents::DEFAULT_QUOTE_TEMPLATE.to_owned()),
        logo_type: logo.map(|l| l.content_type),
    })
}

/// Sample data shaped like a real quote's, to try a template before saving it.
fn sample(lang: Language) -> Result<Value> {
    use cartera_core::money::Money;
    let ars: Currency = "ARS"
        .parse()
        .map_err(|_| AppError::Conflict("ARS is a currency".into()))?;
    let line = |desc: &str, qty: i64, price: i64, disc: i64, rate: TaxRate| DocLine {
        product_id: None,
        sku: Some("SKU-1".into()),
        description: desc.into(),
        unit: "unit".into(),
        quantity: Decimal::from(qty),
        unit_price: Money {
            amount: Decimal::from(price),
            currency: ars,
        },
        discount: Decimal::from(disc),
        tax_rate: rate,
    };
    let lines = vec![
        line("Producto", 2, 1000, 10, TaxRate::Percent(Decimal::from(21))),
        line("Libro", 1, 500, 0, TaxRate::Percent(Decimal::new(105, 1))),
    ];
    let (discount, rounding) = (Decimal::from(5), RoundingMode::PerLine);
    let totals = cartera_core::totals::compute(&core::document(ars, &lines, discount, rounding))?;
    let today = Utc::now().date_naive();
    let q = Quote {
        id: Id::new(),
        number: "P-2026-000001".into(),
        revision: 2,
        account_id: Id::new(),
        deal_id: None,
        contact_id: None,
        owner_id: None,
        currency: ars,
        language: lang,
        price_list_id: None,
        issue_date: today,
        valid_until: today,
        status: QuoteStatus::Draft,
        lines,
        discount,
        rounding,
        notes: Some("Nota".into()),
        totals,
        sent_at: None,
        accepted_at: None,
        rejected_at: None,
        expired_on: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let company = crate::settings::Company {
        name: "Empresa".into(),
        tax_id: "30-00000000-0".into(),
        address: "Calle 1".into(),
        phone: "+54 11 0000-0000".into(),
        email: "ventas@example.com".into(),
    };
    let customer = Customer {
        name: "Cliente S.A.".into(),
        tax_id: "30-11111111-1".into(),
        address: "Av. 2".into(),
        contact: "Ana".into(),
        email: "ana@example.com".into(),
    };
    Ok(print_value(&q, &company, &customer, lang))
}

/// Saves an admin's template after compiling it with sample data in both languages (and
/// the logo): a template that does not compile answers 422 naming `template`, with the
/// line and typst's message, and the one in use stays.
pub async fn set_template(app: &App, actor: &Actor, text: String) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    if text.trim().is_empty() {
        return Err(
            Violations::one("template", Code::Required, "write a template, or reset it").into(),
        );
    }
    if text.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(Violations::one(
            "template",
            Code::TooLong,
            format!("at most {MAX_TEMPLATE_CHARS} characters"),
        )
        .into());
    }
    let mut conn = app.db.reader().await?;
    let logo_bytes = logo(&mut conn).await?;
    drop(conn);
    for lang in [Language::Es, Language::En] {
        let (t, l) = (text.clone(), logo_bytes.clone());
        let data = sample(lang)?;
        let out = tokio::task::spawn_blocking(move || {
            cartera_documents::render(&t, &data, l.as_deref().map(Logo))
        })
        .await
        .map_err(|e| AppError::Conflict(e.to_string()))?;
        if let Err(e) = out {
            return Err(Violations::one("template", Code::Invalid, e.to_string()).into());
        }
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::set_asset(
        &mut conn,
        TEMPLATE_KEY,
        &Asset {
            content: text,
            content_type: "text/x-typst".into(),
            updated_at: now,
        },
    )
    .await?;
    audit_setting(&mut conn, actor, now, "quote_template", json!("custom")).await?;
    conn.commit().await?;
    template_info(app, actor).await
}

/// Goes back to the default template.
pub async fn reset_template(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if store::delete_asset(&mut conn, TEMPLATE_KEY).await? {
        audit_setting(&mut conn, actor, now, "quote_template", json!("default")).await?;
    }
    conn.commit().await?;
    template_info(app, actor).await
}

async fn audit_setting(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    field: &str,
    new: Value,
) -> Result<()> {
    let ev = event(
        Some(actor),
        now,
        AuditAction::Updated,
        RecordKind::Setting,
        crate::settings::SETTINGS_ID,
        vec![FieldChange {
            field: field.into(),
            old: Value::Null,
            new,
        }],
    );
    cartera_store::audit::insert(conn, &[ev]).await?;
    Ok(())
}

/// What a logo's bytes are, by their signature: PNG, JPEG or SVG.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
        head.contains("<svg").then_some("image/svg+xml")
    }
}

/// Stores the company logo shown on quotes: PNG, JPEG or SVG up to 512 KB (422 naming
/// `logo` otherwise, or when typst cannot draw it).
pub async fn set_logo(app: &App, actor: &Actor, bytes: Vec<u8>) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    if bytes.is_empty() {
        return Err(Violations::one("logo", Code::Required, "send the image").into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(Violations::one(
            "logo",
            Code::TooLong,
            format!("at most {} KB", MAX_LOGO_BYTES / 1024),
        )
        .into());
    }
    let Some(kind) = image_type(&bytes) else {
        return Err(Violations::one("logo", Code::Invalid, "a PNG, JPEG or SVG image").into());
    };
    let check = bytes.clone();
    let drawn = tokio::task::spawn_blocking(move || {
        cartera_documents::render("#image(sys.inputs.logo)", &json!({}), Some(Logo(&check)))
    })
    .await
    .map_err(|e| AppError::Conflict(e.to_string()))?;
    if drawn.is_err() {
        return Err(Violations::one("logo", Code::Invalid, "the image cannot be read").into());
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::set_asset(
        &mut conn,
        LOGO_KEY,
        &Asset {
            content: BASE64.encode(&bytes),
            content_type: kind.into(),
            updated_at: now,
        },
    )
    .await?;
    audit_setting(&mut conn, actor, now, "logo", json!(kind)).await?;
    conn.commit().await?;
    template_info(app, actor).await
}

pub async fn delete_logo(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if store::delete_asset(&mut conn, LOGO_KEY).await? {
        audit_setting(&mut conn, actor, now, "logo", Value::Null).await?;
    }
    conn.commit().await?;
    template_info(app, actor).await
}

/// The logo's bytes and media type, for the settings page.
pub async fn logo_image(app: &App, actor: &Actor) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let a = store::asset(&mut conn, LOGO_KEY)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = BASE64.decode(a.content).map_err(|_| AppError::NotFound)?;
    Ok((a.content_type, bytes))
}
