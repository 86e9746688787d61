//! Late interest ("intereses por mora"): simple daily interest on what was overdue and
//! open on each charge, at the rate in force that day.
//!
//! The rule: for every day after a charge's due date, what was still open on it that
//! day × the monthly rate ÷ 100 ÷ 30 (a 30-day month, as Argentine practice and the
//! provincial tables count it). Simple interest: interest never earns interest, so
//! interest debit notes are not charges interest runs on. Balances change when a payment
//! or a credit note is applied (or taken back), so "from the due date or from the last
//! partial payment" is what summing day by day gives; the days are summed by segments
//! between the dates the balance or the rate changes, not one by one. The sum stays
//! exact (`open × rate × days`, divided by 3000 once) and is rounded to the cent only
//! at the end, per charge and window.
//!
//! Rates come in dated periods because they change often (Argentina: the Banco Nación
//! "tasa activa", BCRA's "Tasa de Intereses Moratorios"; Spain: ECB + 8 points per
//! half-year). A day that needs a rate and has none is an error naming the days, never a
//! silent zero.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ledger::{Application, Debit};
use super::payments::cents;
use crate::validate::{Check, Code};

/// A monthly rate (percent per month) in force from `from` to `to` (both included; no
/// `to`: until further notice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatePeriod {
    #[schema(value_type = String, example = "2026-07-01")]
    pub from: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// Percent per month, 0 to 100 (`3` is 3 % a month, 0.1 % a day).
    #[schema(value_type = String, example = "3")]
    pub monthly_rate: Decimal,
}

impl RatePeriod {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }

    fn overlaps(&self, other: &RatePeriod) -> bool {
        let ends_before = |a: &RatePeriod, b: &RatePeriod| a.to.is_some_and(|t| t < b.from);
        !ends_before(self, other) && !ends_before(other, self)
    }
}

/// Most rate periods the settings keep.
pub const MAX_RATE_PERIODS: usize = 500;
/// Most decimal places of a monthly rate (`1.0125`: 12.15 % a year).
pub const RATE_SCALE: u32 = 6;

/// Checks a list of rate periods; errors name `interest_rates[i].<field>` (the caller's
/// prefix before it). A period that overlaps an earlier one in the list is named on its
/// `from`.
pub fn check_rates(periods: &[RatePeriod], c: &mut Check) {
    c.max_items("interest_rates", periods, MAX_RATE_PERIODS);
    for (i, p) in periods.iter().enumerate() {
        let at = |leaf: &str| format!("interest_rates[{i}].{leaf}");
        let ordered = p.to.is_none_or(|t| p.from <= t);
        if !ordered {
            c.add(&at("to"), Code::OutOfRange, "must be on or after `from`");
        }
        if p.monthly_rate < Decimal::ZERO || p.monthly_rate > Decimal::ONE_HUNDRED {
            c.add(
                &at("monthly_rate"),
                Code::OutOfRange,
                "a percentage per month, from 0 to 100",
            );
        } else if p.monthly_rate.normalize().scale() > RATE_SCALE {
            c.add(
                &at("monthly_rate"),
                Code::OutOfRange,
                format!("at most {RATE_SCALE} decimal places"),
            );
        }
        if !ordered {
            continue;
        }
        if let Some((j, q)) = periods[..i]
            .iter()
            .enumerate()
            .find(|(_, q)| q.to.is_none_or(|t| q.from <= t) && p.overlaps(q))
        {
            c.add(
                &at("from"),
                Code::Conflict,
                format!(
                    "overlaps interest_rates[{j}] ({} to {}): a day has one rate",
                    q.from,
                    q.to.map_or_else(|| "no end".to_owned(), |t| t.to_string())
                ),
            );
        }
    }
}

/// A country whose statutory late interest the company takes when it sets no rates of
/// its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum InterestCountry {
    /// Argentina: no default. The rate is what the parties agreed, a special law's or
    /// BCRA's (Civil and Commercial Code art. 768); the company must set it.
    AR,
    /// Spain: the statutory rate (Ley 3/2004) is the ECB rate + 8 points, set per
    /// half-year. The default is 12.15 % a year for the second half of 2026 only; the
    /// next half-year needs its own period (until then a run answers which days lack a
    /// rate). Verify before use.
    ES,
    /// Mexico: 6 % a year when nothing was agreed (Código de Comercio art. 362), with
    /// no end. Verify before use.
    MX,
}

/// A country's default rate periods (percent per month = percent per year ÷ 12).
pub fn country_defaults(country: InterestCountry) -> Vec<RatePeriod> {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    match country {
        InterestCountry::AR => Vec::new(),
        InterestCountry::ES => vec![RatePeriod {
            from: day(2026, 7, 1),
            to: Some(day(2026, 12, 31)),
            // 12.15 % a year.
            monthly_rate: Decimal::new(10125, 4),
        }],
        InterestCountry::MX => vec![RatePeriod {
            from: day(1900, 1, 1),
            to: None,
            // 6 % a year.
            monthly_rate: Decimal::new(5, 1),
        }],
    }
}

/// The rates a run uses: the company's own periods, or, when it set none, its
/// country's defaults (none at all without a country).
pub fn rates_in_force(own: &[RatePeriod], country: Option<InterestCountry>) -> Vec<RatePeriod> {
    if own.is_empty() {
        country.map(country_defaults).unwrap_or_default()
    } else {
        own.to_vec()
    }
}

/// Days that needed a rate and had none, as ranges (first, last), in date order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissingRates(pub Vec<(NaiveDate, NaiveDate)>);

impl MissingRates {
    fn push(&mut self, from: NaiveDate, through: NaiveDate) {
        match self.0.last_mut() {
            Some(last) if last.1 + Duration::days(1) >= from => last.1 = last.1.max(through),
            _ => self.0.push((from, through)),
        }
    }

    /// Merges another's ranges into these.
    pub fn merge(&mut self, other: MissingRates) {
        let mut all = std::mem::take(&mut self.0);
        all.extend(other.0);
        all.sort();
        for (a, b) in all {
            self.push(a, b);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for MissingRates {
    /// `2026-01-01 to 2026-01-31, 2026-03-05` (the first ten ranges, then a count).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, (a, b)) in self.0.iter().take(10).enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a} to {b}")?;
            }
        }
        if self.0.len() > 10 {
            write!(f, " and {} more", self.0.len() - 10)?;
        }
        Ok(())
    }
}

/// Days in a row with the same open balance and rate.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Segment {
    #[schema(value_type = String, example = "2026-11-02")]
    pub from: NaiveDate,
    #[schema(value_type = String, example = "2026-11-21")]
    pub through: NaiveDate,
    pub days: i64,
    /// What was open on the charge on those days.
    #[schema(value_type = String, example = "1210.00")]
    pub open: Decimal,
    /// Percent per month.
    #[schema(value_type = String, example = "3")]
    pub monthly_rate: Decimal,
}

/// The interest of one charge over a window of days, before rounding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accrual {
    pub segments: Vec<Segment>,
    /// Σ open × monthly rate × days: 3000 times the interest (percent, 30-day months),
    /// exact, so that windows add up and rates scale without rounding.
    pub weighted: Decimal,
}

/// What turns `weighted` into money: 100 (percent) × 30 (days a month).
const PER_MONTH_PERCENT: i64 = 3000;

impl Accrual {
    /// The interest, unrounded.
    pub fn exact(&self) -> Decimal {
        self.weighted / Decimal::from(PER_MONTH_PERCENT)
    }

    /// The interest rounded to the cent.
    pub fn amount(&self) -> Decimal {
        cents(self.exact())
    }

    /// Days that earned interest.
    pub fn days(&self) -> i64 {
        self.segments.iter().map(|s| s.days).sum()
    }

    /// The first and last day that earned interest.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.segments.first()?.from, self.segments.last()?.through))
    }
}

/// The interest of `debit` on the days after `after` (and after its due date) through
/// `through`, on what was open each day as `applications` say (those of other charges
/// are ignored), at the rate of `rates` in force that day. A day with something open
/// and no rate makes it an error naming those days.
pub fn accrue(
    debit: &Debit,
    applications: &[Application],
    after: NaiveDate,
    through: NaiveDate,
    rates: &[RatePeriod],
) -> Result<Accrual, MissingRates> {
    let mut out = Accrual::default();
    let Some(start) = after.max(debit.due_date).succ_opt() else {
        return Ok(out);
    };
    if start > through {
        return Ok(out);
    }
    let mine: Vec<&Application> = applications
        .iter()
        .filter(|a| a.debit_id == debit.id)
        .collect();
    // The days a segment may start on: where the balance or the rate changes.
    let mut cuts = vec![start];
    for a in &mine {
        cuts.push(a.applied_on);
        cuts.extend(a.reversed_on);
    }
    for r in rates {
        cuts.push(r.from);
        cuts.extend(r.to.and_then(|t| t.succ_opt()));
    }
    cuts.retain(|d| *d >= start && *d <= through);
    cuts.sort_unstable();
    cuts.dedup();
    let open_on = |day: NaiveDate| -> Decimal {
        let applied: Decimal = mine
            .iter()
            .filter(|a| a.applied_on <= day && a.reversed_on.is_none_or(|r| r > day))
            .map(|a| a.amount)
            .sum();
        debit.amount - applied
    };
    let mut missing = MissingRates::default();
    for (i, &from) in cuts.iter().enumerate() {
        let last = cuts
            .get(i + 1)
            .and_then(|next| next.pred_opt())
            .unwrap_or(through);
        let open = open_on(from);
        if open <= Decimal::ZERO {
            continue;
        }
        let Some(rate) = rates.iter().find(|r| r.covers(from)) else {
            missing.push(from, last);
            continue;
        };
        let days = (last - from).num_days() + 1;
        out.weighted += open * rate.monthly_rate * Decimal::from(days);
        match out.segments.last_mut() {
            Some(s)
                if s.open == open
                    && s.monthly_rate == rate.monthly_rate
                    && s.through.succ_opt() == Some(from) =>
            {
                s.through = last;
                s.days += days;
            }
            _ => out.segments.push(Segment {
                from,
                through: last,
                days,
                open,
                monthly_rate: rate.monthly_rate,
            }),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::ledger::MovementKind;
    use crate::ids::Id;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(n)
    }

    fn dec(cents: i64) -> Decimal {
        Decimal::new(cents, 2)
    }

    /// Cents from an amount as people write it (`"1210.00"`).
    fn money(amount: &str) -> i64 {
        use rust_decimal::prelude::ToPrimitive;
        let d: Decimal = amount.parse().unwrap();
        (d * Decimal::ONE_HUNDRED).to_i64().unwrap()
    }

    fn charge(cents: i64, due: i64) -> Debit {
        Debit {
            id: Id::new(),
            number: "A-0001-00000001".into(),
            kind: MovementKind::Invoice,
            issue_date: day(due - 30),
            due_date: day(due),
            amount: dec(cents),
        }
    }

    fn paid(d: &Debit, cents: i64, on: i64, back: Option<i64>) -> Application {
        Application {
            credit_id: Id::new(),
            debit_id: d.id,
            amount: dec(cents),
            applied_on: day(on),
            reversed_on: back.map(day),
        }
    }

    fn flat(rate: &str) -> Vec<RatePeriod> {
        vec![RatePeriod {
            from: day(-1000),
            to: None,
            monthly_rate: rate.parse().unwrap(),
        }]
    }

    #[test]
    fn forty_days_at_three_percent_a_month() {
        // 1,210.00 × 0.03 / 30 × 40 = 48.40.
        let d = charge(money("1210.00"), 0);
        let a = accrue(&d, &[], d.due_date, day(40), &flat("3")).unwrap();
        assert_eq!(a.amount(), dec(money("48.40")));
        assert_eq!(a.days(), 40);
        assert_eq!(a.span(), Some((day(1), day(40))));
    }

    #[test]
    fn a_partial_payment_lowers_the_balance_from_its_day() {
        // Open 1,210.00 on days 1-19, 510.00 on days 20-40:
        // (1210 × 19 + 510 × 21) × 3 / 3000 = (22,990 + 10,710) / 1000 = 33.70.
        let d = charge(money("1210.00"), 0);
        let apps = [paid(&d, money("700.00"), 20, None)];
        let a = accrue(&d, &apps, d.due_date, day(40), &flat("3")).unwrap();
        assert_eq!(a.amount(), dec(money("33.70")));
        assert_eq!(a.segments.len(), 2);
        assert_eq!((a.segments[0].days, a.segments[1].days), (19, 21));
        // A payment before the due date counts from the start; one taken back reopens.
        let apps = [paid(&d, money("1210.00"), -5, Some(10))];
        let a = accrue(&d, &apps, d.due_date, day(40), &flat("3")).unwrap();
        assert_eq!(a.days(), 31);
        assert_eq!(a.span(), Some((day(10), day(40))));
    }

    #[test]
    fn rates_change_by_period_and_a_gap_is_named() {
        let d = charge(money("1000.00"), 0);
        let rates = vec![
            RatePeriod {
                from: day(-100),
                to: Some(day(15)),
                monthly_rate: "3".parse().unwrap(),
            },
            RatePeriod {
                from: day(16),
                to: None,
                monthly_rate: "6".parse().unwrap(),
            },
        ];
        // 1000 × (3 × 15 + 6 × 15) / 3000 = 45.00.
        let a = accrue(&d, &[], d.due_date, day(30), &rates).unwrap();
        assert_eq!(a.amount(), dec(money("45.00")));
        let gap = vec![rates[0].clone()];
        let err = accrue(&d, &[], d.due_date, day(30), &gap).unwrap_err();
        assert_eq!(err.0, vec![(day(16), day(30))]);
        assert_eq!(err.to_string(), "2026-01-17 to 2026-01-31");
        // Days with nothing open need no rate.
        let apps = [paid(&d, money("1000.00"), 10, None)];
        assert!(accrue(&d, &apps, d.due_date, day(30), &gap).is_ok());
    }

    #[test]
    fn rate_lists_are_checked_naming_the_period() {
        let p = |from: i64, to: Option<i64>, rate: &str| RatePeriod {
            from: day(from),
            to: to.map(day),
            monthly_rate: rate.parse().unwrap(),
        };
        let mut c = Check::with_prefix("billing.");
        check_rates(
            &[
                p(0, None, "3"),
                p(10, Some(20), "3"),
                p(50, Some(40), "3"),
                p(-30, Some(-1), "101"),
                p(-60, Some(-40), "0.0000001"),
            ],
            &mut c,
        );
        let fields: Vec<_> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            [
                "billing.interest_rates[1].from",
                "billing.interest_rates[2].to",
                "billing.interest_rates[3].monthly_rate",
                "billing.interest_rates[4].monthly_rate",
            ]
        );
        let mut c = Check::new();
        check_rates(&[p(0, Some(9), "3"), p(10, None, "2")], &mut c);
        assert!(c.is_ok());
    }

    #[test]
    fn country_defaults_are_monthly_rates() {
        let es = country_defaults(InterestCountry::ES);
        assert_eq!(
            es[0].monthly_rate * Decimal::from(12),
            "12.15".parse().unwrap()
        );
        let mx = country_defaults(InterestCountry::MX);
        assert_eq!(mx[0].monthly_rate * Decimal::from(12), Decimal::from(6));
        assert!(country_defaults(InterestCountry::AR).is_empty());
        assert_eq!(rates_in_force(&[], Some(InterestCountry::MX)), mx);
        assert_eq!(
            rates_in_force(&flat("2"), Some(InterestCountry::MX)),
            flat("2")
        );
        let mut c = Check::new();
        check_rates(&es, &mut c);
        check_rates(&mx, &mut c);
        assert!(c.is_ok());
    }

    /// A charge with payments applied (some taken back) and rate periods that change.
    fn history() -> impl Strategy<Value = (Debit, Vec<Application>, Vec<RatePeriod>)> {
        (
            1i64..10_000_000,
            -20i64..40,
            prop::collection::vec(
                (1i64..3_000_000, 0i64..120, prop::option::of(1i64..60)),
                0..6,
            ),
            prop::collection::vec((1i64..60, 0i64..500), 1..5),
        )
            .prop_map(|(cents, due, pays, periods)| {
                let d = charge(cents, due);
                let mut left = cents;
                let apps = pays
                    .into_iter()
                    .filter_map(|(amount, on, back)| {
                        let amount = amount.min(left);
                        (amount > 0).then(|| {
                            left -= amount;
                            paid(&d, amount, on - 10, back.map(|b| on - 10 + b))
                        })
                    })
                    .collect();
                // Back-to-back periods covering every day from day -100 on.
                let mut from = day(-100);
                let mut rates = Vec::new();
                let n = periods.len();
                for (k, (len, rate)) in periods.into_iter().enumerate() {
                    let to = (k + 1 < n).then(|| from + Duration::days(len));
                    rates.push(RatePeriod {
                        from,
                        to,
                        monthly_rate: Decimal::new(rate, 2),
                    });
                    from = to.map_or(from, |t| t + Duration::days(1));
                }
                (d, apps, rates)
            })
    }

    proptest! {
        /// Nothing overdue (the window ends by the due date, or everything was settled
        /// before it) earns nothing.
        #[test]
        fn nothing_overdue_earns_nothing((d, _apps, rates) in history(), before in 0i64..30) {
            let through = d.due_date - Duration::days(before);
            let a = accrue(&d, &[], d.issue_date, through, &rates).unwrap();
            prop_assert_eq!(a.weighted, Decimal::ZERO);
            let settled = [Application {
                credit_id: Id::new(),
                debit_id: d.id,
                amount: d.amount,
                applied_on: d.due_date,
                reversed_on: None,
            }];
            let a = accrue(&d, &settled, d.issue_date, d.due_date + Duration::days(90), &rates)
                .unwrap();
            prop_assert_eq!(a.weighted, Decimal::ZERO);
            prop_assert_eq!(a.amount(), cents(Decimal::ZERO));
        }

        /// Twice the rate, twice the interest (exactly, before rounding).
        #[test]
        fn linear_in_the_rate((d, apps, rates) in history(), k in 0i64..7, span in 0i64..200) {
            let through = d.due_date + Duration::days(span);
            let base = accrue(&d, &apps, d.due_date, through, &rates).unwrap();
            let scaled: Vec<RatePeriod> = rates
                .iter()
                .map(|r| RatePeriod { monthly_rate: r.monthly_rate * Decimal::from(k), ..r.clone() })
                .collect();
            let more = accrue(&d, &apps, d.due_date, through, &scaled).unwrap();
            prop_assert_eq!(more.weighted, base.weighted * Decimal::from(k));
        }

        /// Adjacent windows add up to the window they make (exactly, before rounding),
        /// and the rounded whole is within a cent per window of the rounded parts.
        #[test]
        fn additive_over_adjacent_windows(
            (d, apps, rates) in history(),
            first in 0i64..150,
            second in 0i64..150,
        ) {
            let a = d.issue_date;
            let b = d.issue_date + Duration::days(first);
            let c = b + Duration::days(second);
            let whole = accrue(&d, &apps, a, c, &rates).unwrap();
            let left = accrue(&d, &apps, a, b, &rates).unwrap();
            let right = accrue(&d, &apps, b, c, &rates).unwrap();
            prop_assert_eq!(whole.weighted, left.weighted + right.weighted);
            prop_assert_eq!(whole.days(), left.days() + right.days());
            let drift = (whole.amount() - left.amount() - right.amount()).abs();
            prop_assert!(drift <= dec(1));
        }
    }
}
