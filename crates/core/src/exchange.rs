//! Exchange rates per month, for reports that add money of several currencies in one
//! reporting currency (the forecast's totals). Money itself is never converted: deals,
//! quotes and quotas keep their own currency; only a report's total is.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::money::Currency;
use crate::month::Month;
use crate::validate::{Check, Code};

/// Decimal places a rate may have: enough for `0.000952` (one peso in dollars).
pub const RATE_SCALE: u32 = 6;
/// The most rates kept: fifty years of a dozen currencies and then some.
pub const MAX_RATES: usize = 1000;

/// What one unit of `currency` is worth in the reporting currency during `month`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// The month, `2026-11`; it holds until a later month names another rate.
    #[schema(example = "2026-11")]
    pub month: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    /// Units of the reporting currency one unit of `currency` is worth (more than 0,
    /// at most 6 decimal places), e.g. `"1050.5"`.
    #[schema(value_type = String, example = "1050.5")]
    pub rate: Decimal,
}

/// Checks a list of rates against the reporting currency: a month, a rate above 0, no
/// rate for the reporting currency itself (it is worth 1), one rate per month and
/// currency. Violations name the row: `exchange_rates[2].rate`.
pub fn check_rates(rates: &[ExchangeRate], reporting: Currency, c: &mut Check) {
    c.max_items("exchange_rates", rates, MAX_RATES);
    let mut seen = BTreeSet::new();
    for (i, r) in rates.iter().enumerate() {
        let at = |leaf: &str| format!("exchange_rates[{i}].{leaf}");
        let month = Month::parse(&r.month);
        if month.is_none() {
            c.add(&at("month"), Code::Invalid, "must be a month, YYYY-MM");
        }
        if r.currency == reporting {
            c.add(
                &at("currency"),
                Code::Conflict,
                "is the reporting currency, which needs no rate",
            );
        }
        if r.rate <= Decimal::ZERO {
            c.add(&at("rate"), Code::OutOfRange, "must be more than 0");
        } else if r.rate.normalize().scale() > RATE_SCALE {
            c.add(
                &at("rate"),
                Code::OutOfRange,
                format!("at most {RATE_SCALE} decimal places"),
            );
        } else if r.rate > Decimal::from(1_000_000_000_u32) {
            c.add(&at("rate"), Code::OutOfRange, "at most 1000000000");
        }
        if let Some(m) = month
            && !seen.insert((m, r.currency))
        {
            c.add(
                &at("month"),
                Code::Duplicate,
                format!("a second rate for {} in {m}", r.currency),
            );
        }
    }
}

/// The rates as a report looks them up.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    by_currency: BTreeMap<Currency, BTreeMap<Month, Decimal>>,
    reporting: Option<Currency>,
}

impl Rates {
    /// Rates into `reporting`; rows with a month that does not parse are left out (the
    /// settings refuse them, so only a hand-edited database has any).
    pub fn new(reporting: Currency, rates: &[ExchangeRate]) -> Rates {
        let mut by_currency: BTreeMap<Currency, BTreeMap<Month, Decimal>> = BTreeMap::new();
        for r in rates {
            if let Some(m) = Month::parse(&r.month)
                && r.rate > Decimal::ZERO
            {
                by_currency.entry(r.currency).or_default().insert(m, r.rate);
            }
        }
        Rates {
            by_currency,
            reporting: Some(reporting),
        }
    }

    /// The rate of `currency` in `month`: that month's, else the latest earlier month's;
    /// 1 for the reporting currency; `None` when no month up to this one has a rate.
    pub fn rate(&self, month: Month, currency: Currency) -> Option<Decimal> {
        if self.reporting == Some(currency) {
            return Some(Decimal::ONE);
        }
        self.by_currency
            .get(&currency)?
            .range(..=month)
            .next_back()
            .map(|(_, r)| *r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(month: &str, cur: &str, r: &str) -> ExchangeRate {
        ExchangeRate {
            month: month.into(),
            currency: cur.parse().unwrap(),
            rate: r.parse().unwrap(),
        }
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn a_month_takes_its_rate_or_the_latest_earlier_one() {
        let usd: Currency = "USD".parse().unwrap();
        let rates = Rates::new(
            Currency::ARS,
            &[
                rate("2026-11", "USD", "1050.5"),
                rate("2027-01", "USD", "1100"),
            ],
        );
        assert_eq!(rates.rate(m("2026-10"), usd), None);
        assert_eq!(
            rates.rate(m("2026-11"), usd),
            Some("1050.5".parse().unwrap())
        );
        assert_eq!(
            rates.rate(m("2026-12"), usd),
            Some("1050.5".parse().unwrap())
        );
        assert_eq!(rates.rate(m("2027-03"), usd), Some("1100".parse().unwrap()));
        assert_eq!(rates.rate(m("2020-01"), Currency::ARS), Some(Decimal::ONE));
        assert_eq!(rates.rate(m("2026-12"), "EUR".parse().unwrap()), None);
    }

    #[test]
    fn rates_are_checked_row_by_row() {
        let mut c = Check::new();
        check_rates(
            &[
                rate("2026-11", "USD", "1050.5"),
                rate("2026-13", "USD", "1"),
                rate("2026-11", "ARS", "1"),
                rate("2026-12", "EUR", "0"),
                rate("2026-11", "USD", "1.0000001"),
            ],
            Currency::ARS,
            &mut c,
        );
        let fields: Vec<String> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            [
                "exchange_rates[1].month",
                "exchange_rates[2].currency",
                "exchange_rates[3].rate",
                "exchange_rates[4].rate",
                "exchange_rates[4].month",
            ]
        );
    }
}
