//! The money figures at the top of an account's page: what the customer bought this
//! year, what is in play (open deals, quotes awaiting an answer), and orders still to
//! deliver or to invoice. Each figure is summed per currency, like every sum of money,
//! and left out where the person's role does not read its module. Billing adds the
//! balance and the overdue amount here when it lands.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use cartera_core::Id;
use cartera_core::activities::sum_by_currency;
use cartera_core::deals::DealStatus;
use cartera_core::money::Money;
use cartera_core::orders::OrderStatus;
use cartera_core::quotes::QuoteStatus;

use crate::deals::{self, DealsOf};
use crate::{Actor, App, orders, quotes};

/// A count of things and their sum per currency.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub count: usize,
    pub totals: Vec<Money>,
}

impl Tally {
    fn of<'a>(amounts: impl IntoIterator<Item = Money> + 'a) -> Tally {
        let list: Vec<Money> = amounts.into_iter().collect();
        Tally {
            count: list.len(),
            totals: sum_by_currency(list.iter()),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountFigures {
    /// Deals won since the first of January (in the reader's time zone).
    pub won_this_year: Option<Tally>,
    pub open_pipeline: Option<Tally>,
    /// Quotes sent and not yet accepted, rejected or expired.
    pub open_quotes: Option<Tally>,
    /// Orders confirmed, being picked or shipped.
    pub to_deliver: Option<Tally>,
    /// Orders delivered and not yet invoiced.
    pub to_invoice: Option<Tally>,
}

/// The figures of `account` on `today` (the reader's date; the year starts in `tz`).
pub async fn of_account(
    app: &App,
    actor: &Actor,
    account: Id,
    today: NaiveDate,
    tz: chrono_tz::Tz,
) -> AccountFigures {
    let year_start: Option<DateTime<Utc>> = NaiveDate::from_ymd_opt(today.year(), 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| tz.from_local_datetime(&d).earliest())
        .map(|d| d.with_timezone(&Utc));
    let mut out = AccountFigures::default();
    if let Ok(list) = deals::deals_of(app, actor, DealsOf::Account(account)).await {
        out.won_this_year = Some(Tally::of(list.iter().filter_map(|d| {
            let won = d.data.status == DealStatus::Won
                && d.data
                    .closed_at
                    .zip(year_start)
                    .is_some_and(|(c, y)| c >= y);
            won.then_some(d.data.amount).flatten()
        })));
        out.open_pipeline = Some(Tally::of(
            list.iter()
                .filter(|d| d.data.status == DealStatus::Open)
                .filter_map(|d| d.data.amount),
        ));
    }
    if let Ok(list) = quotes::list(app, actor, Some(account), 500).await {
        out.open_quotes = Some(Tally::of(
            list.iter()
                .filter(|q| q.status == QuoteStatus::Sent)
                .map(|q| Money {
                    amount: q.totals.total,
                    currency: q.currency,
                }),
        ));
    }
    if let Ok(list) = orders::list(app, actor, Some(account)).await {
        let tally = |wanted: &[OrderStatus]| {
            Tally::of(
                list.iter()
                    .filter(|o| wanted.contains(&o.status))
                    .map(|o| Money {
                        amount: o.totals.total,
                        currency: o.currency,
                    }),
            )
        };
        out.to_deliver = Some(tally(&[
            OrderStatus::Confirmed,
            OrderStatus::Picking,
            OrderStatus::Shipped,
        ]));
        out.to_invoice = Some(tally(&[OrderStatus::Delivered]));
    }
    out
}
