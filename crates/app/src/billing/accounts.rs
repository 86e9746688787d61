//! The customer's current account as collections reads it: the statement "as of" a
//! date, the receivables ageing of every customer, and the risk light a sales rep sees
//! before quoting. Every figure comes from `core::billing::ledger`'s one rule.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::billing::ledger::{Aged, Buckets, OpenItem, Statement};
use cartera_core::money::Currency;
use cartera_core::roles::{Action, Module};
use cartera_store::Conn;
use cartera_store::billing::ledger as store;

use crate::records::load_visible;
use crate::{Actor, App, Result};

/// One customer's statement in one currency, with what is open on the last day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountStatement {
    pub account_id: Id,
    pub account_name: String,
    pub currency: Currency,
    /// Every currency the customer has movements in (one statement each).
    pub currencies: Vec<Currency>,
    #[serde(flatten)]
    pub statement: Statement,
    /// The charges open on `as_of`, oldest due first.
    pub open_items: Vec<OpenItem>,
    /// The ageing buckets' names (`current`, `1-30`, ...).
    pub buckets: Vec<String>,
    /// The open charges spread over the buckets; `total` is the closing balance.
    pub aged: Aged,
}

async fn buckets(conn: &mut Conn) -> Result<Buckets> {
    Ok(crate::settings::load(conn).await?.billing.ageing_buckets)
}

/// A customer's statement from `from` (absent: the first movement) to `as_of` (default
/// today), in `currency` (default: its first with movements, else `ARS`).
pub async fn statement(
    app: &App,
    actor: &Actor,
    account: Id,
    currency: Option<Currency>,
    from: Option<NaiveDate>,
    as_of: Option<NaiveDate>,
) -> Result<AccountStatement> {
    actor.permit(Module::Billing, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let a = load_visible::<AccountData>(&mut conn, actor, account).await?;
    let as_of = as_of.unwrap_or_else(|| app.today());
    statement_of(&mut conn, account, a.data.name, currency, from, as_of).await
}

/// The statement of an account already known to be seen (its id and name).
pub(crate) async fn statement_of(
    conn: &mut Conn,
    account: Id,
    account_name: String,
    currency: Option<Currency>,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<AccountStatement> {
    let currencies = store::currencies(conn, account).await?;
    let currency = currency
        .or_else(|| currencies.first().copied())
        .unwrap_or(Currency::ARS);
    let ledger = store::ledger(conn, account, currency).await?;
    let buckets = buckets(conn).await?;
    let open_items = ledger.open_items(as_of);
    let aged = buckets.age(&open_items, ledger.unapplied(as_of));
    Ok(AccountStatement {
        account_id: account,
        account_name,
        currency,
        currencies,
        statement: ledger.statement(from, as_of),
        open_items,
        buckets: buckets.labels(),
        aged,
    })
}

/// How the ageing report groups customers' receivables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeingGroup {
    #[default]
    Customer,
    Rep,
    Territory,
    Currency,
}

/// Which receivables the ageing sums: one currency, one rep's customers, one
/// territory's (how a rep's or a territory's row drills down to its customers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgeingFilter {
    pub currency: Option<Currency>,
    pub rep: Option<Id>,
    pub territory: Option<Id>,
}

/// One row of the ageing report: a customer, a rep, a territory or a currency, in one
/// currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgeingRow {
    /// The account's, the rep's or the territory's id (absent for a currency row, or a
    /// rep-less or territory-less one).
    pub id: Option<Id>,
    pub name: String,
    pub currency: Currency,
    #[serde(flatten)]
    pub aged: Aged,
    /// How many open charges it sums.
    pub open_invoices: usize,
}

/// Receivables as of a date, spread over the ageing buckets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ageing {
    #[schema(value_type = String, example = "2026-12-06")]
    pub as_of: NaiveDate,
    pub group_by: AgeingGroup,
    /// The buckets' names, in the order of each row's `buckets`.
    pub buckets: Vec<String>,
    /// Largest overdue first.
    pub rows: Vec<AgeingRow>,
    /// One row per currency: the sums of every row.
    pub totals: Vec<AgeingRow>,
}

/// A customer's open parts in one currency (days overdue, amount) and the owner of its
/// invoices.
type Owing = (Vec<(i64, Decimal)>, Option<Id>);

/// The receivables ageing of every customer the actor sees (a limited role: those of
/// its view's owners), as of `as_of` (default today), grouped.
pub async fn ageing(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    group_by: AgeingGroup,
    filter: AgeingFilter,
) -> Result<Ageing> {
    actor.permit(Module::Billing, Action::Read)?;
    let as_of = as_of.unwrap_or_else(|| app.today());
    let mut conn = app.db.reader().await?;
    let buckets = buckets(&mut conn).await?;
    let owners = actor.view.as_ref().map(|v| v.owners.clone());
    let moved = store::MovedAfter::read(&mut conn, as_of, None).await?;
    let charges = store::open_amounts(&mut conn, as_of, owners.as_deref(), &moved).await?;
    let unapplied = store::unapplied(&mut conn, as_of, owners.as_deref(), &moved).await?;
    // Per customer and currency first: the rows every grouping sums.
    let mut per: BTreeMap<(Id, Currency), Owing> = BTreeMap::new();
    for ch in charges {
        let e = per
            .entry((ch.account_id, ch.currency))
            .or_insert_with(|| (Vec::new(), ch.owner_id));
        e.0.push((ch.days_overdue, ch.open));
    }
    for key in unapplied.keys() {
        per.entry(*key).or_insert_with(|| (Vec::new(), None));
    }
    let ids: Vec<Id> = per
        .keys()
        .map(|(a, _)| *a)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let accounts = store::customers(&mut conn, &ids).await?;
    drop(conn);
    let mut grouped: BTreeMap<(Option<Id>, Currency), AgeingRow> = BTreeMap::new();
    for ((account, cur), (items, invoice_owner)) in per {
        if filter.currency.is_some_and(|c| c != cur) {
            continue;
        }
        let (name, owner, territory) = accounts
            .get(&account)
            .map(|c| (c.name.clone(), c.owner_id, c.territory_id))
            .unwrap_or_else(|| (String::new(), invoice_owner, None));
        if filter.rep.is_some_and(|r| owner != Some(r))
            || filter.territory.is_some_and(|t| territory != Some(t))
        {
            continue;
        }
        let spare = unapplied.get(&(account, cur)).copied().unwrap_or_default();
        let open_invoices = items.len();
        let aged = buckets.age_open(items, spare);
        let key = match group_by {
            AgeingGroup::Customer => Some(account),
            AgeingGroup::Rep => owner,
            AgeingGroup::Territory => territory,
            AgeingGroup::Currency => None,
        };
        let row = grouped.entry((key, cur)).or_insert_with(|| AgeingRow {
            id: key,
            name: match group_by {
                AgeingGroup::Customer => name,
                _ => String::new(),
            },
            currency: cur,
            aged: Aged::zero(&buckets),
            open_invoices: 0,
        });
        row.aged.add(&aged);
        row.open_invoices += open_invoices;
    }
    let mut rows: Vec<AgeingRow> = grouped.into_values().collect();
    if group_by == AgeingGroup::Rep {
        let ids: Vec<Id> = rows.iter().filter_map(|r| r.id).collect();
        let names = crate::users::names(app, &ids).await?;
        for r in &mut rows {
            r.name =
                r.id.and_then(|i| names.get(&i).cloned())
                    .unwrap_or_default();
        }
    }
    if group_by == AgeingGroup::Territory {
        let names: HashMap<Id, String> = crate::territories::names(app).await?;
        for r in &mut rows {
            r.name =
                r.id.and_then(|i| names.get(&i).cloned())
                    .unwrap_or_default();
        }
    }
    if group_by == AgeingGroup::Currency {
        for r in &mut rows {
            r.name = r.currency.as_str().to_owned();
        }
    }
    // Each row's overdue sum once, not once per comparison (a sort of every customer
    // compares millions of times).
    let mut keyed: Vec<(Decimal, AgeingRow)> =
        rows.into_iter().map(|r| (r.aged.overdue(), r)).collect();
    keyed.sort_by(|(overdue_a, a), (overdue_b, b)| {
        overdue_b
            .cmp(overdue_a)
            .then(b.aged.total.cmp(&a.aged.total))
            .then(a.name.cmp(&b.name))
    });
    let rows: Vec<AgeingRow> = keyed.into_iter().map(|(_, r)| r).collect();
    let mut totals: BTreeMap<Currency, AgeingRow> = BTreeMap::new();
    for r in &rows {
        let t = totals.entry(r.currency).or_insert_with(|| AgeingRow {
            id: None,
            name: r.currency.as_str().to_owned(),
            currency: r.currency,
            aged: Aged::zero(&buckets),
            open_invoices: 0,
        });
        t.aged.add(&r.aged);
        t.open_invoices += r.open_invoices;
    }
    Ok(Ageing {
        as_of,
        group_by,
        buckets: buckets.labels(),
        rows,
        totals: totals.into_values().collect(),
    })
}
