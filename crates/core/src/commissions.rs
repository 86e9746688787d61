//! Quotas, attainment and commissions: what a rep was asked to sell in a period, what
//! they won, and what they earned for it, explained line by line.
//!
//! Rounding happens in one place, [`line_amount`]: each commission line is rounded to
//! the cent (half away from zero) and a statement's totals are sums of rounded lines, so
//! the printed lines always add up to the printed total. Attainment percentages are
//! rounded to two decimals for display only; tiers compare the exact ratio.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::deals::{DealData, DealStatus, to_cents};
use crate::ids::Id;
use crate::money::{Currency, Money};
use crate::text::fold;
use crate::validate::{Check, Code};

/// A month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let year = |y: &str| -> Option<i32> {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse().ok())
                .flatten()
        };
        if let Some((y, rest)) = s.split_once('-') {
            let year = year(y)?;
            if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                let quarter: u32 = q.parse().ok()?;
                return (q.len() == 1 && (1..=4).contains(&quarter))
                    .then_some(Period::Quarter { year, quarter });
            }
            let month: u32 = rest.parse().ok()?;
            return (rest.len() == 2 && (1..=12).contains(&month))
                .then_some(Period::Month { year, month });
        }
        year(s).map(|year| Period::Year { year })
    }

    /// First and last day, both included.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let (y, first, last) = match *self {
            Period::Month { year, month } => (year, month, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2, quarter * 3),
            Period::Year { year } => (year, 1, 12),
        };
        let start = NaiveDate::from_ymd_opt(y, first, 1).unwrap_or_default();
        let end = if last == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, last + 1, 1)
        }
        .and_then(|d| d.pred_opt())
        .unwrap_or_default();
        (start, end)
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        let (a, b) = self.days();
        day >= a && day <= b
    }

    /// The periods of each length that contain `day`'s month: used to find quotas.
    pub fn around(day: NaiveDate) -> [Period; 3] {
        let year = day.year();
        [
            Period::Month {
                year,
                month: day.month(),
            },
            Period::Quarter {
                year,
                quarter: (day.month() - 1) / 3 + 1,
            },
            Period::Year { year },
        ]
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year { year } => write!(f, "{year:04}"),
        }
    }
}

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    /// Won revenue (deal amounts before taxes) in the quota's currency.
    Amount,
    /// Number of deals won.
    Count,
}

impl QuotaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaKind::Amount => "amount",
            QuotaKind::Count => "count",
        }
    }

    pub fn parse(s: &str) -> Option<QuotaKind> {
        [QuotaKind::Amount, QuotaKind::Count]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A rep's target for one period; one per rep and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Quota {
    pub id: Id,
    pub user_id: Id,
    /// `2026-11`, `2026-Q4` or `2026`.
    #[schema(example = "2026-Q4")]
    pub period: String,
    pub kind: QuotaKind,
    /// The target revenue (kind `amount`).
    pub amount: Option<Money>,
    /// The target number of won deals (kind `count`).
    pub count: Option<u32>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Quota {
    pub fn validate(&self, c: &mut Check) {
        if Period::parse(&self.period).is_none() {
            c.add(
                "period",
                Code::Invalid,
                "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)",
            );
        }
        match self.kind {
            QuotaKind::Amount => {
                match &self.amount {
                    None => c.add("amount", Code::Required, "an amount quota needs an amount"),
                    Some(m) if m.amount <= Decimal::ZERO => {
                        c.add("amount", Code::OutOfRange, "must be more than 0")
                    }
                    Some(m) if Money::new(m.amount, m.currency).is_err() => c.add(
                        "amount",
                        Code::Invalid,
                        "at most 4 decimal places, within range",
                    ),
                    Some(_) => {}
                }
                if self.count.is_some() {
                    c.add("count", Code::Invalid, "only count quotas have a count");
                }
            }
            QuotaKind::Count => {
                match self.count {
                    None => c.add("count", Code::Required, "a count quota needs a count"),
                    Some(0) => c.add("count", Code::OutOfRange, "must be more than 0"),
                    Some(_) => {}
                }
                if self.amount.is_some() {
                    c.add("amount", Code::Invalid, "only amount quotas have an amount");
                }
            }
        }
    }
}

/// A won deal, as quotas and commissions see it: the rep's deal that closed in the period.
pub fn won_in(deal: &DealData, period: &Period) -> bool {
    deal.status == DealStatus::Won
        && deal
            .closed_at
            .is_some_and(|t| period.contains(t.date_naive()))
}

/// How far a rep got against a quota.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attainment {
    pub quota: Quota,
    /// Won revenue in the quota's currency (amount quotas; deals in other currencies are
    /// not converted and do not count).
    pub won_amount: Option<Money>,
    pub won_deals: usize,
    /// Achieved over target, in percent, two decimals.
    #[schema(value_type = String, example = "112.50")]
    pub percent: Decimal,
    /// The exact ratio achieved / target (1 = 100 %), which commission tiers compare.
    #[serde(skip)]
    pub ratio: Decimal,
}

/// Compares the won deals (already the rep's, in the period) with the quota.
pub fn attainment(quota: &Quota, won: &[&DealData]) -> Attainment {
    let won_deals = won.len();
    let (achieved, target, won_amount) = match quota.kind {
        QuotaKind::Amount => {
            let target = quota.amount.map(|m| m.amount).unwrap_or_default();
            let cur = quota.amount.map(|m| m.currency);
            let sum: Decimal = won
                .iter()
                .filter_map(|d| d.amount)
                .filter(|m| Some(m.currency) == cur)
                .map(|m| m.amount)
                .sum();
            let money = cur.map(|currency| Money {
                amount: to_cents(sum),
                currency,
            });
            (sum, target, money)
        }
        QuotaKind::Count => (
            Decimal::from(won_deals),
            Decimal::from(quota.count.unwrap_or(0)),
            None,
        ),
    };
    let ratio = if target.is_zero() {
        Decimal::ZERO
    } else {
        achieved / target
    };
    Attainment {
        quota: quota.clone(),
        won_amount,
        won_deals,
        percent: to_cents(ratio * Decimal::ONE_HUNDRED),
        ratio,
    }
}

/// A commission rate for the lines of one product category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryRate {
    pub category: String,
    /// Percent of the line's net amount, e.g. `5` or `2.5`.
    #[schema(value_type = String, example = "5")]
    pub rate: Decimal,
}

/// A tier by attainment: from `from_percent` of quota up (until the next tier's
/// `from_percent`), every commission line is multiplied by `multiplier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Attainment in percent where the tier starts (included): `0`, `80`, `100`.
    #[schema(value_type = String, example = "100")]
    pub from_percent: Decimal,
    /// `0.5` halves the commission, `1.5` adds half.
    #[schema(value_type = String, example = "1.5")]
    pub multiplier: Decimal,
}

/// What a plan pays on: the deals a rep wins, or the money their customers pay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommissionBasis {
    /// Each line of a deal won in the period.
    #[default]
    Won,
    /// What customers paid in the period on the rep's invoices, net of taxes: a payment
    /// applied to an invoice earns when it is applied, and one taken back since (a
    /// bounced cheque, an allocation reversed) earns nothing.
    Collected,
}

impl CommissionBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionBasis::Won => "won",
            CommissionBasis::Collected => "collected",
        }
    }

    pub fn parse(s: &str) -> Option<CommissionBasis> {
        [CommissionBasis::Won, CommissionBasis::Collected]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// How a rep is paid on won deals (or, with basis `collected`, on what is collected).
///
/// Each line of a won deal earns `net × rate × multiplier`: the rate is its product
/// category's (`category_rates`), else `default_rate` (also for deals without lines,
/// on the deal's amount); the multiplier is the tier's that the rep's attainment of the
/// period's quota reaches (the highest `from_percent` not above it). Without tiers, or
/// without a quota for the period, or below the lowest tier, the multiplier is 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommissionPlan {
    pub id: Id,
    pub name: String,
    /// Percent for lines whose category has no rate of its own.
    #[schema(value_type = String, example = "3")]
    pub default_rate: Decimal,
    pub category_rates: Vec<CategoryRate>,
    /// In ascending `from_percent`.
    pub tiers: Vec<Tier>,
    /// The reps paid by this plan (a rep is on at most one plan).
    pub user_ids: Vec<Id>,
    /// `won` (default): on the lines of won deals; `collected`: on what customers paid
    /// on the rep's invoices, at `default_rate`.
    #[serde(default)]
    pub basis: CommissionBasis,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn percent_ok(p: Decimal) -> bool {
    p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED && p.normalize().scale() <= 4
}

impl CommissionPlan {
    pub fn normalize(&mut self) {
        crate::validate::clean(&mut self.name);
        for r in &mut self.category_rates {
            crate::validate::clean(&mut r.category);
        }
        self.tiers.sort_by_key(|t| t.from_percent);
        let mut seen = std::collections::HashSet::new();
        self.user_ids.retain(|id| seen.insert(*id));
    }

    pub fn validate(&self, c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, 100);
        if !percent_ok(self.default_rate) {
            c.add(
                "default_rate",
                Code::OutOfRange,
                "must be a percentage from 0 to 100",
            );
        }
        c.max_items("category_rates", &self.category_rates, 200);
        let mut cats = std::collections::HashSet::new();
        for (i, r) in self.category_rates.iter().enumerate() {
            c.required(&format!("category_rates[{i}].category"), &r.category);
            if !cats.insert(fold(&r.category)) {
                c.add(
                    &format!("category_rates[{i}].category"),
                    Code::Duplicate,
                    "this category already has a rate",
                );
            }
            if !percent_ok(r.rate) {
                c.add(
                    &format!("category_rates[{i}].rate"),
                    Code::OutOfRange,
                    "must be a percentage from 0 to 100",
                );
            }
        }
        c.max_items("tiers", &self.tiers, 20);
        let mut froms = std::collections::HashSet::new();
        for (i, t) in self.tiers.iter().enumerate() {
            if t.from_percent < Decimal::ZERO || t.from_percent > Decimal::from(1000) {
                c.add(
                    &format!("tiers[{i}].from_percent"),
                    Code::OutOfRange,
                    "must be 0 to 1000",
                );
            }
            if !froms.insert(t.from_percent.normalize()) {
                c.add(
                    &format!("tiers[{i}].from_percent"),
                    Code::Duplicate,
                    "another tier starts here",
                );
            }
            if t.multiplier < Decimal::ZERO || t.multiplier > Decimal::from(10) {
                c.add(
                    &format!("tiers[{i}].multiplier"),
                    Code::OutOfRange,
                    "must be 0 to 10",
                );
            }
        }
        c.max_items("user_ids", &self.user_ids, 1000);
    }

    /// The rate (percent) for a line of `category`.
    pub fn rate_for(&self, category: Option<&str>) -> Decimal {
        category
            .and_then(|cat| {
                let key = fold(cat);
                self.category_rates
                    .iter()
                    .find(|r| fold(&r.category) == key)
            })
            .map_or(self.default_rate, |r| r.rate)
    }

    /// The tier an attainment ratio (1 = 100 %) reaches, if any.
    pub fn tier_for(&self, ratio: Option<Decimal>) -> Option<&Tier> {
        let pct = ratio? * Decimal::ONE_HUNDRED;
        self.tiers.iter().rev().find(|t| pct >= t.from_percent)
    }
}

/// One line of a commission statement.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CommissionLine {
    /// The won deal (null on a line of money collected).
    pub deal_id: Option<Id>,
    /// The deal's name, or on a line of money collected the invoice's number.
    pub deal_name: String,
    /// The invoice paid (a plan on collected money only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<Id>,
    /// When it was paid (a plan on collected money only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "2026-11-20")]
    pub collected_on: Option<NaiveDate>,
    /// The deal line's position (from 0); null for a deal without lines.
    pub line: Option<usize>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// The line's net amount (or the deal's amount).
    pub base: Money,
    /// Percent.
    #[schema(value_type = String, example = "5")]
    pub rate: Decimal,
    #[schema(value_type = String, example = "1.5")]
    pub multiplier: Decimal,
    /// `base × rate / 100 × multiplier`, rounded to the cent.
    pub amount: Money,
}

/// The one place commissions are rounded: to the cent, half away from zero.
pub fn line_amount(base: Decimal, rate: Decimal, multiplier: Decimal) -> Decimal {
    to_cents(base * rate / Decimal::ONE_HUNDRED * multiplier)
}

/// What a rep earned in a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CommissionStatement {
    pub user_id: Id,
    #[schema(example = "2026-Q4")]
    pub period: String,
    pub plan_id: Option<Id>,
    pub plan_name: Option<String>,
    /// Attainment of the period's quota in percent (null without a quota).
    #[schema(value_type = Option<String>, example = "112.50")]
    pub attainment_percent: Option<Decimal>,
    /// The tier reached (null: none, multiplier 1).
    pub tier: Option<Tier>,
    #[schema(value_type = String, example = "1.5")]
    pub multiplier: Decimal,
    pub lines: Vec<CommissionLine>,
    /// One total per currency: sums of the rounded lines.
    pub totals: Vec<Money>,
}

/// Computes a statement from the rep's won deals of the period (with their ids), the
/// plan that pays them and the attainment ratio of their quota.
pub fn statement(
    user_id: Id,
    period: &Period,
    plan: Option<&CommissionPlan>,
    attainment: Option<&Attainment>,
    won: &[(Id, &DealData)],
) -> CommissionStatement {
    let ratio = attainment.map(|a| a.ratio);
    let tier = plan.and_then(|p| p.tier_for(ratio)).cloned();
    let multiplier = tier.as_ref().map_or(Decimal::ONE, |t| t.multiplier);
    let mut lines = Vec::new();
    if let Some(plan) = plan {
        for (id, deal) in won {
            if deal.lines.is_empty() {
                let Some(base) = deal.amount else { continue };
                let rate = plan.default_rate;
                lines.push(CommissionLine {
                    deal_id: Some(*id),
                    deal_name: deal.name.clone(),
                    invoice_id: None,
                    collected_on: None,
                    line: None,
                    description: None,
                    category: None,
                    base,
                    rate,
                    multiplier,
                    amount: Money {
                        amount: line_amount(base.amount, rate, multiplier),
                        currency: base.currency,
                    },
                });
                continue;
            }
            let Some(currency) = deal.amount.map(|m| m.currency).or(deal.currency) else {
                continue;
            };
            for (i, l) in deal.lines.iter().enumerate() {
                let base = Money {
                    amount: l.net.unwrap_or_default(),
                    currency,
                };
                let rate = plan.rate_for(l.category.as_deref());
                lines.push(CommissionLine {
                    deal_id: Some(*id),
                    deal_name: deal.name.clone(),
                    invoice_id: None,
                    collected_on: None,
                    line: Some(i),
                    description: l.description.clone(),
                    category: l.category.clone(),
                    base,
                    rate,
                    multiplier,
                    amount: Money {
                        amount: line_amount(base.amount, rate, multiplier),
                        currency,
                    },
                });
            }
        }
    }
    finish(user_id, period, plan, attainment, tier, multiplier, lines)
}

/// Money paid on one of the rep's invoices: what one allocation applied, with the
/// invoice's net and grand totals that split it into net and tax.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    pub invoice_id: Id,
    pub number: String,
    pub collected_on: NaiveDate,
    /// What the allocation applied (taxes included).
    pub amount: Money,
    /// The invoice's amount before taxes.
    pub net: Decimal,
    /// The invoice's grand total.
    pub total: Decimal,
}

impl Collected {
    /// The part of the payment that is not tax: `amount × net / total`, to the cent.
    pub fn net_part(&self) -> Decimal {
        if self.total.is_zero() {
            return Decimal::ZERO;
        }
        to_cents(self.amount.amount * self.net / self.total)
    }
}

/// A statement for a plan on collected money: each payment applied in the period to the
/// rep's invoices earns `net part × default_rate × multiplier`.
pub fn collected_statement(
    user_id: Id,
    period: &Period,
    plan: &CommissionPlan,
    attainment: Option<&Attainment>,
    collected: &[Collected],
) -> CommissionStatement {
    let tier = plan.tier_for(attainment.map(|a| a.ratio)).cloned();
    let multiplier = tier.as_ref().map_or(Decimal::ONE, |t| t.multiplier);
    let rate = plan.default_rate;
    let lines = collected
        .iter()
        .map(|c| {
            let base = c.net_part();
            CommissionLine {
                deal_id: None,
                deal_name: c.number.clone(),
                invoice_id: Some(c.invoice_id),
                collected_on: Some(c.collected_on),
                line: None,
                description: None,
                category: None,
                base: Money {
                    amount: base,
                    currency: c.amount.currency,
                },
                rate,
                multiplier,
                amount: Money {
                    amount: line_amount(base, rate, multiplier),
                    currency: c.amount.currency,
                },
            }
        })
        .collect();
    finish(
        user_id,
        period,
        Some(plan),
        attainment,
        tier,
        multiplier,
        lines,
    )
}

fn finish(
    user_id: Id,
    period: &Period,
    plan: Option<&CommissionPlan>,
    attainment: Option<&Attainment>,
    tier: Option<Tier>,
    multiplier: Decimal,
    lines: Vec<CommissionLine>,
) -> CommissionStatement {
    let mut by: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for l in &lines {
        *by.entry(l.amount.currency).or_default() += l.amount.amount;
    }
    CommissionStatement {
        user_id,
        period: period.to_string(),
        plan_id: plan.map(|p| p.id),
        plan_name: plan.map(|p| p.name.clone()),
        attainment_percent: attainment.map(|a| a.percent),
        tier,
        multiplier,
        lines,
        totals: by
            .into_iter()
            .map(|(currency, amount)| Money {
                amount: to_cents(amount),
                currency,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deals::DealLine;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn eur(s: &str) -> Money {
        Money {
            amount: d(s),
            currency: "EUR".parse().unwrap(),
        }
    }

    #[test]
    fn periods_parse_and_span_their_days() {
        let q = Period::parse("2026-Q4").unwrap();
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.days().0.to_string(), "2026-10-01");
        assert_eq!(q.days().1.to_string(), "2026-12-31");
        let m = Period::parse("2024-02").unwrap();
        assert_eq!(m.days().1.to_string(), "2024-02-29");
        assert_eq!(
            Period::parse("2026").unwrap().days().1.to_string(),
            "2026-12-31"
        );
        for bad in ["2026-Q5", "2026-13", "26", "2026-1", "x"] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }

    fn plan() -> CommissionPlan {
        CommissionPlan {
            id: Id::new(),
            name: "Reps".into(),
            default_rate: d("3"),
            category_rates: vec![CategoryRate {
                category: "Software".into(),
                rate: d("5"),
            }],
            tiers: vec![
                Tier {
                    from_percent: d("0"),
                    multiplier: d("0.5"),
                },
                Tier {
                    from_percent: d("80"),
                    multiplier: d("1"),
                },
                Tier {
                    from_percent: d("100"),
                    multiplier: d("1.5"),
                },
            ],
            basis: CommissionBasis::Won,
            user_ids: vec![],
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn tiers_pick_the_highest_reached() {
        let p = plan();
        assert_eq!(p.tier_for(Some(d("0.79"))).unwrap().multiplier, d("0.5"));
        assert_eq!(p.tier_for(Some(d("0.8"))).unwrap().multiplier, d("1"));
        assert_eq!(p.tier_for(Some(d("1.2"))).unwrap().multiplier, d("1.5"));
        assert!(p.tier_for(None).is_none());
        assert_eq!(p.rate_for(Some("software")), d("5"));
        assert_eq!(p.rate_for(Some("Hardware")), d("3"));
        assert_eq!(p.rate_for(None), d("3"));
    }

    #[test]
    fn statement_explains_each_line_and_rounds_once_per_line() {
        let p = plan();
        let quota = Quota {
            id: Id::new(),
            user_id: Id::new(),
            period: "2026-Q4".into(),
            kind: QuotaKind::Amount,
            amount: Some(eur("1000")),
            count: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let line = |cat: Option<&str>, net: &str| DealLine {
            product_id: None,
            description: Some("x".into()),
            quantity: Decimal::ONE,
            unit_price: Some(eur(net)),
            discount: None,
            tax_rate: None,
            category: cat.map(str::to_owned),
            net: Some(d(net)),
        };
        let with_lines = DealData {
            name: "A".into(),
            amount: Some(eur("1000.10")),
            lines: vec![line(Some("Software"), "900.10"), line(None, "100.00")],
            status: DealStatus::Won,
            ..DealData::default()
        };
        let plain = DealData {
            name: "B".into(),
            amount: Some(eur("250.55")),
            status: DealStatus::Won,
            ..DealData::default()
        };
        let won = [&with_lines, &plain];
        let a = attainment(&quota, &won);
        // (1000.10 + 250.55) / 1000 = 125.065 % -> 125.07 shown, tier 100 % (× 1.5)
        assert_eq!(a.percent, d("125.07"));
        let period = Period::parse("2026-Q4").unwrap();
        let s = statement(
            quota.user_id,
            &period,
            Some(&p),
            Some(&a),
            &[(Id::new(), &with_lines), (Id::new(), &plain)],
        );
        assert_eq!(s.multiplier, d("1.5"));
        // 900.10 × 5 % × 1.5 = 67.5075 -> 67.51
        assert_eq!(s.lines[0].amount.amount, d("67.51"));
        // 100.00 × 3 % × 1.5 = 4.50
        assert_eq!(s.lines[1].amount.amount, d("4.50"));
        // 250.55 × 3 % × 1.5 = 11.27475 -> 11.27
        assert_eq!(s.lines[2].amount.amount, d("11.27"));
        assert_eq!(s.totals[0].amount.to_string(), "83.28");
    }

    #[test]
    fn count_quota_attainment() {
        let quota = Quota {
            id: Id::new(),
            user_id: Id::new(),
            period: "2026".into(),
            kind: QuotaKind::Count,
            amount: None,
            count: Some(4),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let deal = DealData::default();
        let a = attainment(&quota, &[&deal, &deal, &deal]);
        assert_eq!(a.percent.to_string(), "75.00");
    }

    #[test]
    fn collected_money_earns_on_its_net_part() {
        let mut p = plan();
        p.basis = CommissionBasis::Collected;
        p.tiers.clear();
        let paid = |amount: &str| Collected {
            invoice_id: Id::new(),
            number: "A-0001-00000001".into(),
            collected_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            amount: eur(amount),
            net: d("1000.00"),
            total: d("1210.00"),
        };
        // Half of a 1,000 + 21 % invoice paid: 500 net at 3 % is 15.00.
        let period = Period::parse("2026-11").unwrap();
        let st = collected_statement(
            Id::new(),
            &period,
            &p,
            None,
            &[paid("605.00"), paid("0.01")],
        );
        assert_eq!(st.lines[0].base, eur("500.00"));
        assert_eq!(st.lines[0].amount, eur("15.00"));
        assert_eq!(st.lines[0].deal_id, None);
        assert_eq!(st.lines[0].deal_name, "A-0001-00000001");
        // A cent paid is a cent of net to the cent, which earns nothing.
        assert_eq!(st.lines[1].base, eur("0.01"));
        assert_eq!(st.lines[1].amount, eur("0.00"));
        assert_eq!(st.totals, vec![eur("15.00")]);
    }
}
