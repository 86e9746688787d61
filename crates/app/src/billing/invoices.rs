//! Invoices, credit notes and debit notes: issued by hand, from an order (which becomes
//! invoiced) or from an accepted quote, numbered without gaps per series and point of
//! sale, and never edited: a note corrects them. A credit note settles its invoice as
//! far as it is open; the rest stays on account.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use cartera_core::accounts::AccountData;
use cartera_core::billing::invoices::{
    Fiscal, Invoice, InvoiceKind, MAX_TERMS_DAYS, PaymentStatus, Series, due_date,
};
use cartera_core::billing::payments::Allocation;
use cartera_core::money::{Currency, Money};
use cartera_core::orders::OrderStatus;
use cartera_core::quotes::DocLine;
use cartera_core::quotes::{DocCursor, Language, Quote, QuoteStatus};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::totals::{self as totals, RoundingMode, TaxRate, Totals};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::billing::invoices::{self as store, BilledBy, InvoiceFilter};
use cartera_store::billing::payments::{self as applications, NewApplication};

use crate::documents::{self, Document, Page};
use crate::quotes::NewQuote;
use crate::totals::LineInput;
use crate::versioned::{self, Conflict};
use crate::{Actor, App, AppError, Result};

/// An invoice written by hand: its lines are priced and checked like a quote's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoice {
    pub account_id: Id,
    pub contact_id: Option<Id>,
    /// Whose portfolio it counts in. Default: the account's owner.
    pub owner_id: Option<Id>,
    /// Default: the price list's currency, else the first line's.
    pub currency: Option<Currency>,
    /// `es` (default) or `en`: the language of the PDF and the email.
    pub language: Option<Language>,
    pub price_list_id: Option<Id>,
    #[serde(default)]
    pub lines: Vec<LineInput>,
    /// Percentage off the whole invoice after line discounts (default 0).
    #[schema(value_type = Option<String>, example = "5")]
    pub discount: Option<Decimal>,
    pub rounding: Option<RoundingMode>,
    pub notes: Option<String>,
    /// Default today; never in the future.
    #[schema(value_type = Option<String>, example = "2026-12-06")]
    pub issue_date: Option<NaiveDate>,
    /// Days to the due date (`0`, `30`, `60`, `90` ...); default the company's.
    pub payment_terms_days: Option<u32>,
    /// The series letter (`A`); default the company's.
    pub series: Option<String>,
    /// The point of sale (`3`, printed `0003`); default the company's.
    pub point_of_sale: Option<u32>,
    /// The tax authority's fields (CAE, CFDI), as the issuing system gave them.
    #[serde(default)]
    pub fiscal: Fiscal,
}

/// How an invoice is issued; every field has the company's default (Settings, billing).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueOptions {
    /// Default today; never in the future.
    #[schema(value_type = Option<String>, example = "2026-12-06")]
    pub issue_date: Option<NaiveDate>,
    /// Days to the due date (`0`, `30`, `60`, `90` ...).
    pub payment_terms_days: Option<u32>,
    /// The series letter (`A`).
    pub series: Option<String>,
    /// The point of sale (`3`, printed `0003`).
    pub point_of_sale: Option<u32>,
    /// The tax authority's fields (CAE, CFDI), as the issuing system gave them.
    #[serde(default)]
    pub fiscal: Fiscal,
}

/// A credit or debit note on an invoice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// `credit_note` or `debit_note`.
    pub kind: InvoiceKind,
    /// Why it is issued (shown on the document and the timeline).
    pub reason: String,
    /// What it credits or charges, priced like an invoice's lines; a credit note's
    /// total may not exceed what its invoice has not been credited yet.
    pub lines: Vec<LineInput>,
    /// Default today; never in the future.
    #[schema(value_type = Option<String>, example = "2026-12-06")]
    pub issue_date: Option<NaiveDate>,
    /// Days to the due date (`0`, `30`, `60`, `90` ...); default the company's.
    pub payment_terms_days: Option<u32>,
    /// The series letter (`A`); default the company's.
    pub series: Option<String>,
    /// The point of sale (`3`, printed `0003`); default the company's.
    pub point_of_sale: Option<u32>,
    /// The tax authority's fields (CAE, CFDI), as the issuing system gave them.
    #[serde(default)]
    pub fiscal: Fiscal,
}

macro_rules! issue_options {
    ($t:ty) => {
        impl $t {
            fn issue(&mut self) -> IssueOptions {
                IssueOptions {
                    issue_date: self.issue_date,
                    payment_terms_days: self.payment_terms_days,
                    series: self.series.take(),
                    point_of_sale: self.point_of_sale,
                    fiscal: std::mem::take(&mut self.fiscal),
                }
            }
        }
    };
}
issue_options!(NewInvoice);
issue_options!(NewNote);

fn changes(old: Option<&Invoice>, new: &Invoice) -> Vec<FieldChange> {
    crate::records::changed_fields(
        old,
        new,
        &[
            "kind",
            "number",
            "issue_date",
            "due_date",
            "reason",
            "sent_at",
        ],
    )
}

impl Document for Invoice {
    const SERIES: &'static str = "invoice";
    const MODULE: Module = Module::Billing;
    const KIND: RecordKind = RecordKind::Invoice;
    const CONFLICT: Conflict = Conflict::Stale;
    versioned::stamped!();
    documents::numbered!();
    versioned::stored!(load: store::get, insert: store::insert, update: store::update);

    async fn insert_all(conn: &mut Conn, docs: &[Self], _now: DateTime<Utc>) -> Result<()> {
        Ok(store::insert_all(conn, docs).await?)
    }

    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        changes(old, new)
    }

    fn format_number(_year: i32, seq: i64) -> String {
        seq.to_string()
    }

    fn numbered_on(&self) -> NaiveDate {
        self.issue_date
    }

    /// Per kind, series and point of sale, never restarting with the year.
    fn counter(&self) -> (String, i32) {
        (self.series().counter(self.kind), 0)
    }

    fn take_number(&mut self, _year: i32, seq: i64) {
        self.number = self.series().number(self.kind, seq);
    }

    async fn list_after(
        conn: &mut Conn,
        account: Option<Id>,
        owners: Option<&[Id]>,
        after: Option<&DocCursor>,
        limit: i64,
    ) -> Result<Vec<Self>> {
        let f = InvoiceFilter {
            account,
            ..InvoiceFilter::default()
        };
        Ok(store::list_after(conn, &f, owners, after, limit).await?)
    }
}

trait SeriesOf {
    fn series(&self) -> Series;
}

impl SeriesOf for Invoice {
    fn series(&self) -> Series {
        Series {
            letter: self.series.clone(),
            point_of_sale: self.point_of_sale,
        }
    }
}

/// The issue options with the company's defaults filled in, checked (errors name the
/// request's fields).
#[derive(Clone)]
struct Issue {
    series: Series,
    issue_date: NaiveDate,
    terms: u32,
    fiscal: Fiscal,
}

async fn resolve(conn: &mut Conn, app: &App, o: IssueOptions, c: &mut Check) -> Result<Issue> {
    let defaults = crate::settings::load(conn).await?.billing;
    let today = app.today();
    let series = Series {
        letter: o.series.unwrap_or(defaults.series),
        point_of_sale: o.point_of_sale.unwrap_or(defaults.point_of_sale),
    };
    series.check(c);
    let issue_date = o.issue_date.unwrap_or(today);
    if issue_date > today {
        c.add(
            "issue_date",
            Code::OutOfRange,
            "an invoice is issued today or earlier",
        );
    }
    let terms = o.payment_terms_days.unwrap_or(defaults.payment_terms_days);
    if terms > MAX_TERMS_DAYS {
        c.add(
            "payment_terms_days",
            Code::OutOfRange,
            format!("at most {MAX_TERMS_DAYS} days"),
        );
    }
    o.fiscal.check(c);
    Ok(Issue {
        series,
        issue_date,
        terms,
        fiscal: o.fiscal,
    })
}

/// A new document of `kind` with the priced lines of `q` (a quote, an order's quote
/// shape, or the lines typed for it).
fn document_of(app: &App, kind: InvoiceKind, q: &Quote, issue: Issue) -> Invoice {
    let now = app.now();
    let mut inv = Invoice {
        id: Id::new(),
        kind,
        number: String::new(),
        series: issue.series.letter,
        point_of_sale: issue.series.point_of_sale,
        account_id: q.account_id,
        contact_id: q.contact_id,
        owner_id: q.owner_id,
        order_id: None,
        quote_id: None,
        corrects_id: None,
        reason: None,
        currency: q.currency,
        language: q.language,
        lines: q.lines.clone(),
        discount: q.discount,
        rounding: q.rounding,
        notes: q.notes.clone(),
        totals: q.totals.clone(),
        issue_date: issue.issue_date,
        payment_terms_days: issue.terms,
        due_date: due_date(issue.issue_date, issue.terms),
        fiscal: issue.fiscal,
        open: Decimal::ZERO,
        payment_status: PaymentStatus::Unpaid,
        sent_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    inv.set_open(inv.totals.total);
    inv
}

/// A priced document from typed lines, checked like a quote (errors name `lines[i]...`).
async fn priced(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    input: NewQuote,
    c: Check,
) -> Result<Quote> {
    match crate::quotes::build(conn, app, actor, input).await {
        Ok(q) => {
            c.finish()?;
            Ok(q)
        }
        Err(AppError::Invalid(v)) => {
            let mut all = c;
            for x in v.0 {
                all.add(&x.field, x.code, x.message);
            }
            Err(all.violations().into())
        }
        Err(e) => Err(e),
    }
}

fn quote_input(account_id: Id, lines: Vec<LineInput>) -> NewQuote {
    NewQuote {
        account_id,
        deal_id: None,
        contact_id: None,
        owner_id: None,
        currency: None,
        language: None,
        price_list_id: None,
        issue_date: None,
        valid_until: None,
        lines,
        discount: None,
        rounding: None,
        notes: None,
    }
}

async fn issue(conn: &mut Conn, actor: &Actor, app: &App, mut inv: Invoice) -> Result<Invoice> {
    documents::insert(conn, actor, app.now(), &mut inv).await?;
    Ok(inv)
}

/// A document brought from another system (a row of an imported file): its figures
/// as that system gave them, and its number when it had one.
pub(crate) struct Legacy {
    pub account_id: Id,
    pub owner_id: Option<Id>,
    pub kind: InvoiceKind,
    /// Kept as the document's number; `None`: the series numbers it.
    pub number: Option<String>,
    pub issue_date: NaiveDate,
    /// Days to the due date; `None`: the company's terms.
    pub terms: Option<u32>,
    pub currency: Currency,
    pub net: Decimal,
    pub tax: Decimal,
    pub description: String,
}

/// The lines of a legacy document whose totals are its figures to the cent: the net at
/// the rate the tax makes of it when that rate (two decimals) gives the tax back, else
/// the net and the tax as two exempt lines (the total is what the ledger counts).
fn legacy_lines(l: &Legacy) -> Result<(Vec<DocLine>, Totals)> {
    let line = |description: &str, amount: Decimal, tax_rate: TaxRate| {
        one_line(description.to_owned(), amount, l.currency, tax_rate)
    };
    let priced = |lines: Vec<DocLine>| -> Result<(Vec<DocLine>, Totals)> {
        let t = totals::compute(&cartera_core::quotes::document(
            l.currency,
            &lines,
            Decimal::ZERO,
            RoundingMode::PerLine,
        ))?;
        Ok((lines, t))
    };
    if l.tax.is_zero() {
        return priced(vec![line(&l.description, l.net, TaxRate::Exempt)]);
    }
    if l.net > Decimal::ZERO {
        let rate = (l.tax * Decimal::ONE_HUNDRED / l.net).round_dp(2);
        if rate <= Decimal::ONE_HUNDRED {
            let (lines, t) = priced(vec![line(&l.description, l.net, TaxRate::Percent(rate))])?;
            if t.taxes == l.tax && t.total == l.net + l.tax {
                return Ok((lines, t));
            }
        }
    }
    priced(vec![
        line(&l.description, l.net, TaxRate::Exempt),
        line("IVA", l.tax, TaxRate::Exempt),
    ])
}

/// Issues a legacy document in the caller's transaction, through the checks of the
/// create path (issue date, terms). A given number is kept rather than taken from the
/// series; one in Cartera's own shape moves its series' counter past it, so that the
/// series never issues it again. The caller checks the number is free.
pub(crate) async fn legacy(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    l: Legacy,
) -> Result<Invoice> {
    let mut c = Check::new();
    let opts = resolve(
        conn,
        app,
        IssueOptions {
            issue_date: Some(l.issue_date),
            payment_terms_days: l.terms,
            ..IssueOptions::default()
        },
        &mut c,
    )
    .await?;
    c.finish()?;
    let (lines, totals) = legacy_lines(&l)?;
    let now = app.now();
    let shape_of = Quote {
        owner_id: l.owner_id,
        currency: l.currency,
        lines,
        ..shape(l.account_id, totals, now)
    };
    let mut inv = document_of(app, l.kind, &shape_of, opts);
    match l.number {
        None => issue(conn, actor, app, inv).await,
        Some(number) => {
            if let Some((kind, series, seq)) =
                cartera_core::billing::invoices::parse_number(&number)
            {
                cartera_store::documents::raise_counter(conn, &series.counter(kind), 0, seq)
                    .await?;
            }
            inv.number = number;
            documents::insert_numbered(conn, actor, now, &inv).await?;
            Ok(inv)
        }
    }
}

/// An invoice by hand.
pub async fn create(app: &App, actor: &Actor, mut input: NewInvoice) -> Result<Invoice> {
    actor.permit(Module::Billing, Action::Create)?;
    let mut conn = app.db.begin().await?;
    let mut c = Check::new();
    let issue_opts = resolve(&mut conn, app, input.issue(), &mut c).await?;
    let owner = input.owner_id;
    if input.lines.is_empty() {
        c.add("lines", Code::Required, "an invoice has at least one line");
    }
    let q = priced(
        &mut conn,
        app,
        actor,
        NewQuote {
            contact_id: input.contact_id,
            owner_id: input.owner_id,
            currency: input.currency,
            language: input.language,
            price_list_id: input.price_list_id,
            discount: input.discount,
            rounding: input.rounding,
            notes: input.notes,
            ..quote_input(input.account_id, input.lines)
        },
        c,
    )
    .await?;
    let mut inv = document_of(app, InvoiceKind::Invoice, &q, issue_opts);
    if owner.is_none() {
        // The account's portfolio, where a rep looks for it; else whoever issued it.
        let account =
            crate::records::load_visible::<AccountData>(&mut conn, actor, q.account_id).await?;
        inv.owner_id = account.data.owner_id.or(inv.owner_id);
    }
    let inv = issue(&mut conn, actor, app, inv).await?;
    conn.commit().await?;
    Ok(inv)
}

/// The invoice of an order, its lines copied; the order becomes invoiced (one invoice
/// per order: 409 after).
pub async fn from_order(
    app: &App,
    actor: &Actor,
    order: Id,
    options: IssueOptions,
) -> Result<Invoice> {
    actor.permit(Module::Billing, Action::Create)?;
    let o = crate::orders::get(app, actor, order).await?;
    let mut conn = app.db.begin().await?;
    if store::billing(&mut conn, BilledBy::Order, order)
        .await?
        .is_some()
        || o.status == OrderStatus::Invoiced
    {
        return Err(AppError::Conflict("the order is already invoiced".into()));
    }
    let mut c = Check::new();
    let opts = resolve(&mut conn, app, options, &mut c).await?;
    c.finish()?;
    let mut inv = document_of(app, InvoiceKind::Invoice, &order_shape(&o), opts);
    inv.order_id = Some(o.id);
    inv.quote_id = o.quote_id;
    let inv = issue(&mut conn, actor, app, inv).await?;
    crate::orders::mark_invoiced(&mut conn, app, actor, order).await?;
    conn.commit().await?;
    Ok(inv)
}

/// An order read as the quote shape an invoice copies.
fn order_shape(o: &cartera_core::orders::Order) -> Quote {
    Quote {
        contact_id: o.contact_id,
        owner_id: o.owner_id,
        lines: o.lines.iter().map(|l| l.line.clone()).collect(),
        discount: o.discount,
        notes: o.notes.clone(),
        ..shape(o.account_id, o.totals.clone(), o.created_at)
    }
}

/// The invoice of an accepted quote, its lines copied (one per quote: 409 after; a
/// quote already ordered is invoiced through its order).
pub async fn from_quote(
    app: &App,
    actor: &Actor,
    quote: Id,
    options: IssueOptions,
) -> Result<Invoice> {
    actor.permit(Module::Billing, Action::Create)?;
    let q = crate::quotes::get(app, actor, quote).await?;
    if q.status != QuoteStatus::Accepted {
        return Err(AppError::Conflict(format!(
            "only an accepted quote is invoiced; this one is {}",
            q.status.as_str()
        )));
    }
    let mut conn = app.db.begin().await?;
    if store::billing(&mut conn, BilledBy::Quote, quote)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict("the quote is already invoiced".into()));
    }
    if cartera_store::orders::for_quote(&mut conn, quote)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "the quote has an order: invoice the order".into(),
        ));
    }
    let mut c = Check::new();
    let opts = resolve(&mut conn, app, options, &mut c).await?;
    c.finish()?;
    let mut inv = document_of(app, InvoiceKind::Invoice, &q, opts);
    inv.quote_id = Some(q.id);
    let inv = issue(&mut conn, actor, app, inv).await?;
    conn.commit().await?;
    Ok(inv)
}

/// A credit or debit note correcting an invoice, in its currency and series. A credit
/// note above what the invoice has left to credit answers 422 on `lines`; what it
/// credits settles the invoice as far as it is open, the rest stays on account.
pub async fn note(app: &App, actor: &Actor, invoice: Id, mut input: NewNote) -> Result<Invoice> {
    actor.permit(Module::Billing, Action::Create)?;
    let mut conn = app.db.begin().await?;
    let base = load(&mut conn, app, actor, invoice).await?;
    let mut c = Check::new();
    if base.kind != InvoiceKind::Invoice {
        c.add(
            "",
            Code::Invalid,
            "a note corrects an invoice, not another note",
        );
    }
    if input.kind == InvoiceKind::Invoice {
        c.add("kind", Code::Invalid, "credit_note or debit_note");
    }
    let reason = input.reason.trim().to_owned();
    c.required("reason", &reason);
    c.max_chars("reason", &reason, 500);
    if input.lines.is_empty() {
        c.add("lines", Code::Required, "a note has at least one line");
    }
    let mut opts = input.issue();
    opts.series.get_or_insert(base.series.clone());
    opts.point_of_sale.get_or_insert(base.point_of_sale);
    if input.kind == InvoiceKind::CreditNote {
        opts.payment_terms_days.get_or_insert(0);
    }
    let opts = resolve(&mut conn, app, opts, &mut c).await?;
    let q = priced(
        &mut conn,
        app,
        actor,
        NewQuote {
            contact_id: base.contact_id,
            owner_id: base.owner_id,
            currency: Some(base.currency),
            language: Some(base.language),
            ..quote_input(base.account_id, input.lines)
        },
        c,
    )
    .await?;
    let mut inv = document_of(app, input.kind, &q, opts);
    inv.owner_id = base.owner_id;
    inv.corrects_id = Some(base.id);
    inv.reason = Some(reason);
    inv.order_id = base.order_id;
    if input.kind == InvoiceKind::CreditNote {
        let credited =
            Money::from_scaled(store::credited(&mut conn, base.id).await?, base.currency).amount;
        let left = base.totals.total - credited;
        if inv.totals.total > left {
            return Err(Violations::one(
                "lines",
                Code::OutOfRange,
                format!(
                    "the credit note ({}) is more than the {} left to credit on {}",
                    inv.totals.total, left, base.number
                ),
            )
            .into());
        }
    }
    let inv = issue(&mut conn, actor, app, inv).await?;
    if inv.kind == InvoiceKind::CreditNote {
        let settles = inv.totals.total.min(base.open);
        if settles > Decimal::ZERO {
            applications::insert_application(
                &mut conn,
                NewApplication {
                    account_id: inv.account_id,
                    currency: inv.currency,
                    credit_id: inv.id,
                    credit_kind: "credit_note",
                    allocation: &Allocation {
                        id: Id::new(),
                        invoice_id: base.id,
                        invoice_number: base.number.clone(),
                        amount: settles,
                        applied_on: inv.issue_date.max(base.issue_date),
                        reversed_on: None,
                        reversal_reason: None,
                        created_by: Some(actor.user_id),
                        created_at: app.now(),
                    },
                },
            )
            .await?;
        }
    }
    conn.commit().await?;
    Ok(inv)
}

pub(crate) async fn load(conn: &mut Conn, app: &App, actor: &Actor, id: Id) -> Result<Invoice> {
    documents::load::<Invoice>(conn, app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: Id) -> Result<Invoice> {
    documents::get(app, actor, id).await
}

/// Which invoices a list shows (the API's and the page's filters).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub account: Option<Id>,
    pub kind: Option<InvoiceKind>,
    pub open_only: bool,
    pub overdue: bool,
}

/// A page of invoices, newest first; a limited role sees those of its view's owners,
/// or all of an account it sees.
pub async fn page(
    app: &App,
    actor: &Actor,
    filter: Filter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Invoice>> {
    actor.permit(Module::Billing, Action::Read)?;
    let after = documents::read_cursor(cursor)?;
    let limit = limit.clamp(1, 500);
    let mut conn = app.db.reader().await?;
    let owners = documents::owners_for(&mut conn, actor, filter.account).await?;
    let f = InvoiceFilter {
        account: filter.account,
        kind: filter.kind,
        open_only: filter.open_only,
        overdue_on: filter.overdue.then(|| app.today()),
    };
    let rows =
        store::list_after(&mut conn, &f, owners.as_deref(), after.as_ref(), limit + 1).await?;
    Ok(documents::cut(rows, limit, |d: &Invoice| {
        d.cursor().encode()
    }))
}

/// An account's billing tells its story (issued, paid, reversed) on its timeline.
pub(crate) fn account_timeline<'a>(
    conn: &'a mut Conn,
    actor: &'a Actor,
    account: Id,
    sources: &'a mut crate::timeline::Sources,
) -> crate::timeline::ContributionFuture<'a> {
    Box::pin(async move {
        if actor.may(Module::Billing, Action::Read) {
            sources
                .events_of
                .extend(store::documents_of(conn, account).await?);
        }
        Ok(())
    })
}

/// A charge the company adds on its own account (a bank fee for a bounced cheque, late
/// interest): one exempt line of `amount`.
#[derive(Debug, Clone)]
pub(crate) struct Charge {
    pub account_id: Id,
    pub owner_id: Option<Id>,
    pub currency: Currency,
    /// The invoice it relates to, if any.
    pub corrects_id: Option<Id>,
    pub reason: String,
    pub description: String,
    pub amount: Decimal,
}

/// Issues `charge` as a debit note today, due at once, in the company's default series,
/// in the caller's transaction.
pub(crate) async fn charge(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    charge: Charge,
) -> Result<Invoice> {
    let opts = charge_options(conn, app).await?;
    let inv = charge_note(app, &opts, charge)?;
    issue(conn, actor, app, inv).await
}

/// Issues each of `charges` as [`charge`] does, numbered in their order, with the
/// company's settings read once and the notes written together: a run over every
/// customer's interest.
pub(crate) async fn charge_all(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    charges: Vec<Charge>,
) -> Result<Vec<Invoice>> {
    let opts = charge_options(conn, app).await?;
    let mut notes = charges
        .into_iter()
        .map(|c| charge_note(app, &opts, c))
        .collect::<Result<Vec<_>>>()?;
    documents::insert_all(conn, actor, app.now(), &mut notes).await?;
    Ok(notes)
}

/// How a charge is issued: the company's default series, today, due at once.
async fn charge_options(conn: &mut Conn, app: &App) -> Result<Issue> {
    let mut c = Check::new();
    let opts = resolve(
        conn,
        app,
        IssueOptions {
            payment_terms_days: Some(0),
            ..IssueOptions::default()
        },
        &mut c,
    )
    .await?;
    c.finish()?;
    Ok(opts)
}

/// The debit note of `charge`, not numbered yet.
fn charge_note(app: &App, opts: &Issue, charge: Charge) -> Result<Invoice> {
    // A bank fee or late interest is a compensation, not a sale: no VAT.
    let line = one_line(
        charge.description,
        charge.amount,
        charge.currency,
        TaxRate::Exempt,
    );
    let totals = totals::compute(&cartera_core::quotes::document(
        charge.currency,
        std::slice::from_ref(&line),
        Decimal::ZERO,
        RoundingMode::PerLine,
    ))?;
    let shape = Quote {
        account_id: charge.account_id,
        contact_id: None,
        owner_id: charge.owner_id,
        currency: charge.currency,
        lines: vec![line],
        discount: Decimal::ZERO,
        rounding: RoundingMode::PerLine,
        notes: None,
        ..shape(charge.account_id, totals, app.now())
    };
    let mut inv = document_of(app, InvoiceKind::DebitNote, &shape, opts.clone());
    inv.corrects_id = charge.corrects_id;
    inv.reason = Some(charge.reason);
    Ok(inv)
}

/// One unit of `amount`: the line of a charge or of a document from another system.
fn one_line(
    description: String,
    amount: Decimal,
    currency: Currency,
    tax_rate: TaxRate,
) -> DocLine {
    DocLine {
        product_id: None,
        sku: None,
        description,
        unit: "unit".into(),
        quantity: Decimal::ONE,
        unit_price: Money { amount, currency },
        discount: Decimal::ZERO,
        tax_rate,
        price_list_id: None,
    }
}

/// The quote shape an invoice copies, for documents that do not come from a quote:
/// nothing in it but the account and the totals; the caller sets the rest.
fn shape(account_id: Id, totals: Totals, now: chrono::DateTime<chrono::Utc>) -> Quote {
    Quote {
        id: Id::new(),
        number: String::new(),
        revision: 1,
        account_id,
        contact_id: None,
        owner_id: None,
        currency: totals.currency,
        language: Language::Es,
        price_list_id: None,
        issue_date: now.date_naive(),
        valid_until: now.date_naive(),
        status: QuoteStatus::Accepted,
        lines: Vec::new(),
        discount: Decimal::ZERO,
        rounding: totals.rounding,
        notes: None,
        totals,
        sent_at: None,
        accepted_at: None,
        rejected_at: None,
        expired_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
        deal_id: None,
    }
}

/// An invoice read as the quote shape printing shares with quotes.
pub(crate) fn as_quote(inv: &Invoice) -> Quote {
    Quote {
        number: inv.number.clone(),
        contact_id: inv.contact_id,
        owner_id: inv.owner_id,
        language: inv.language,
        issue_date: inv.issue_date,
        valid_until: inv.due_date,
        lines: inv.lines.clone(),
        discount: inv.discount,
        notes: inv.notes.clone(),
        ..shape(inv.account_id, inv.totals.clone(), inv.created_at)
    }
}

/// The invoice that bills an order, if any, for the order's page (`None` too when the
/// actor does not read billing or may not see it).
pub async fn of_order(app: &App, actor: &Actor, order: Id) -> Result<Option<Invoice>> {
    billed_by(app, actor, BilledBy::Order, order).await
}

/// The invoice that bills a quote (directly, or through its order), if any, for the
/// quote's page (`None` too when the actor does not read billing or may not see it).
pub async fn of_quote(app: &App, actor: &Actor, quote: Id) -> Result<Option<Invoice>> {
    billed_by(app, actor, BilledBy::Quote, quote).await
}

async fn billed_by(app: &App, actor: &Actor, by: BilledBy, id: Id) -> Result<Option<Invoice>> {
    if !actor.may(Module::Billing, Action::Read) {
        return Ok(None);
    }
    let mut conn = app.db.reader().await?;
    let Some(invoice) = store::billing(&mut conn, by, id).await? else {
        return Ok(None);
    };
    match load(&mut conn, app, actor, invoice).await {
        Ok(i) => Ok(Some(i)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
