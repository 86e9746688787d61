//! A customer's current account in one currency: what it was charged (invoices and
//! debit notes), what it was credited (payments and credit notes), and which credit
//! settles which charge (applications). Every figure is "as of" a date, so the same
//! movements answer today's balance and last quarter's.
//!
//! The identity every report relies on: for any date, the sum of the open charges minus
//! the credit not yet applied equals the balance, which equals the statement's closing
//! balance (tested as a property below).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::payments::cents;
use crate::ids::Id;

/// What a movement is, as the statement names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Invoice,
    DebitNote,
    CreditNote,
    Payment,
    /// A payment taken back (a bounced cheque, a reversed transfer): a charge again.
    PaymentReversal,
}

/// A charge: an invoice or a debit note.
#[derive(Debug, Clone, PartialEq)]
pub struct Debit {
    pub id: Id,
    pub number: String,
    pub kind: MovementKind,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Decimal,
}

/// A credit: a payment or a credit note. A reversed payment stops counting on the day
/// it is reversed.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    pub id: Id,
    pub number: String,
    pub kind: MovementKind,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub reversed_on: Option<NaiveDate>,
}

/// Part of a credit settling part of a charge, from `applied_on` until it is reversed.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub credit_id: Id,
    pub debit_id: Id,
    pub amount: Decimal,
    pub applied_on: NaiveDate,
    pub reversed_on: Option<NaiveDate>,
}

/// Whether something that started on `from` and may have ended on `until` is in force
/// on `day`.
fn in_force(from: NaiveDate, until: Option<NaiveDate>, day: NaiveDate) -> bool {
    from <= day && until.is_none_or(|u| u > day)
}

/// One customer's movements in one currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub debits: Vec<Debit>,
    pub credits: Vec<Credit>,
    pub applications: Vec<Application>,
}

/// A charge not fully settled on a date.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OpenItem {
    pub id: Id,
    pub number: String,
    pub kind: MovementKind,
    #[schema(value_type = String, example = "2026-11-01")]
    pub issue_date: NaiveDate,
    #[schema(value_type = String, example = "2026-12-01")]
    pub due_date: NaiveDate,
    #[schema(value_type = String, example = "121000.00")]
    pub amount: Decimal,
    /// What is still owed on the date.
    #[schema(value_type = String, example = "21000.00")]
    pub open: Decimal,
    /// Days past the due date (0 when not yet due).
    pub days_overdue: i64,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatementLine {
    #[schema(value_type = String, example = "2026-11-01")]
    pub date: NaiveDate,
    pub kind: MovementKind,
    pub id: Id,
    pub number: String,
    /// What it charged (zero for a credit).
    #[schema(value_type = String, example = "121000.00")]
    pub debit: Decimal,
    /// What it credited (zero for a charge).
    #[schema(value_type = String, example = "0")]
    pub credit: Decimal,
    /// The balance after it.
    #[schema(value_type = String, example = "121000.00")]
    pub balance: Decimal,
}

/// The movements between two dates with the balance before and after them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Statement {
    /// The first day listed (absent: from the first movement).
    #[schema(value_type = Option<String>, example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    /// The "as of" date: the last day counted.
    #[schema(value_type = String, example = "2026-12-06")]
    pub as_of: NaiveDate,
    /// The balance before `from`.
    #[schema(value_type = String, example = "0")]
    pub opening_balance: Decimal,
    pub lines: Vec<StatementLine>,
    #[schema(value_type = String, example = "21000.00")]
    pub closing_balance: Decimal,
}

impl Ledger {
    /// What the customer owes on `day` (negative: what we owe them).
    pub fn balance(&self, day: NaiveDate) -> Decimal {
        let charged: Decimal = self
            .debits
            .iter()
            .filter(|d| d.issue_date <= day)
            .map(|d| d.amount)
            .sum();
        let credited: Decimal = self
            .credits
            .iter()
            .filter(|c| in_force(c.date, c.reversed_on, day))
            .map(|c| c.amount)
            .sum();
        charged - credited
    }

    fn applied_to(&self, debit: Id, day: NaiveDate) -> Decimal {
        self.applications
            .iter()
            .filter(|a| a.debit_id == debit && in_force(a.applied_on, a.reversed_on, day))
            .map(|a| a.amount)
            .sum()
    }

    /// What is still owed on one charge on `day`.
    pub fn open_of(&self, debit: &Debit, day: NaiveDate) -> Decimal {
        debit.amount - self.applied_to(debit.id, day)
    }

    /// The charges not settled on `day`, oldest due first.
    pub fn open_items(&self, day: NaiveDate) -> Vec<OpenItem> {
        // Summed per charge in one pass: `open_of` for each charge would read every
        // application once per charge (thousands squared for a long-standing customer).
        let mut applied: HashMap<Id, Decimal> = HashMap::new();
        for a in self
            .applications
            .iter()
            .filter(|a| in_force(a.applied_on, a.reversed_on, day))
        {
            *applied.entry(a.debit_id).or_default() += a.amount;
        }
        let mut items: Vec<OpenItem> = self
            .debits
            .iter()
            .filter(|d| d.issue_date <= day)
            .filter_map(|d| {
                let open = d.amount - applied.get(&d.id).copied().unwrap_or_default();
                (open != Decimal::ZERO).then(|| OpenItem {
                    id: d.id,
                    number: d.number.clone(),
                    kind: d.kind,
                    issue_date: d.issue_date,
                    due_date: d.due_date,
                    amount: d.amount,
                    open,
                    days_overdue: (day - d.due_date).num_days().max(0),
                })
            })
            .collect();
        items.sort_by(|a, b| a.due_date.cmp(&b.due_date).then(a.number.cmp(&b.number)));
        items
    }

    /// Credit in force on `day` not applied to any charge (money on account).
    pub fn unapplied(&self, day: NaiveDate) -> Decimal {
        let credited: Decimal = self
            .credits
            .iter()
            .filter(|c| in_force(c.date, c.reversed_on, day))
            .map(|c| c.amount)
            .sum();
        let applied: Decimal = self
            .applications
            .iter()
            .filter(|a| in_force(a.applied_on, a.reversed_on, day))
            .map(|a| a.amount)
            .sum();
        credited - applied
    }

    /// The movements from `from` (absent: the first) to `as_of`, oldest first, each
    /// with the balance after it. A reversed payment shows twice: as a credit on its
    /// day and as a charge on the day it was reversed.
    pub fn statement(&self, from: Option<NaiveDate>, as_of: NaiveDate) -> Statement {
        let opening = cents(match from.and_then(|f| f.pred_opt()) {
            Some(before) => self.balance(before),
            None => Decimal::ZERO,
        });
        let zero = cents(Decimal::ZERO);
        let shown = |day: NaiveDate| from.is_none_or(|f| day >= f) && day <= as_of;
        // (date, order within the day, line): charges before credits on one day, so a
        // same-day payment reads as settling the invoice above it.
        let mut moves: Vec<(NaiveDate, u8, StatementLine)> = Vec::new();
        let line = |date, kind, id, number: &str, debit, credit| StatementLine {
            date,
            kind,
            id,
            number: number.to_owned(),
            debit,
            credit,
            balance: Decimal::ZERO,
        };
        for d in self.debits.iter().filter(|d| shown(d.issue_date)) {
            moves.push((
                d.issue_date,
                0,
                line(
                    d.issue_date,
                    d.kind,
                    d.id,
                    &d.number,
                    d.amount,
                    Decimal::ZERO,
                ),
            ));
        }
        for c in &self.credits {
            if shown(c.date) {
                moves.push((
                    c.date,
                    1,
                    line(c.date, c.kind, c.id, &c.number, zero, c.amount),
                ));
            }
            if let Some(r) = c.reversed_on.filter(|r| shown(*r)) {
                moves.push((
                    r,
                    2,
                    line(
                        r,
                        MovementKind::PaymentReversal,
                        c.id,
                        &c.number,
                        c.amount,
                        zero,
                    ),
                ));
            }
        }
        moves.sort_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| a.2.number.cmp(&b.2.number))
        });
        let mut balance = opening;
        let lines = moves
            .into_iter()
            .map(|(_, _, mut l)| {
                balance += l.debit - l.credit;
                l.balance = balance;
                l
            })
            .collect();
        Statement {
            from,
            as_of,
            opening_balance: opening,
            lines,
            closing_balance: balance,
        }
    }
}

/// The ageing buckets' upper limits in days overdue: `[30, 60, 90]` makes current,
/// 1-30, 31-60, 61-90 and over 90.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<u32>", into = "Vec<u32>")]
#[schema(value_type = Vec<u32>, example = json!([30, 60, 90]))]
pub struct Buckets(Vec<u32>);

impl Default for Buckets {
    fn default() -> Self {
        Buckets(vec![30, 60, 90])
    }
}

impl TryFrom<Vec<u32>> for Buckets {
    type Error = String;

    fn try_from(limits: Vec<u32>) -> Result<Self, String> {
        if limits.is_empty() || limits.len() > 12 {
            return Err("give from 1 to 12 limits in days, e.g. [30, 60, 90]".into());
        }
        if limits[0] == 0 || limits.windows(2).any(|w| w[0] >= w[1]) {
            return Err("limits must be whole days, above 0 and increasing".into());
        }
        Ok(Buckets(limits))
    }
}

impl From<Buckets> for Vec<u32> {
    fn from(b: Buckets) -> Self {
        b.0
    }
}

impl Buckets {
    pub fn limits(&self) -> &[u32] {
        &self.0
    }

    /// The buckets' names: `current`, `1-30`, `31-60`, `61-90`, `91+`.
    pub fn labels(&self) -> Vec<String> {
        let mut out = vec!["current".to_owned()];
        let mut low = 1;
        for &high in &self.0 {
            out.push(format!("{low}-{high}"));
            low = high + 1;
        }
        out.push(format!("{low}+"));
        out
    }

    /// The bucket (index into [`Buckets::labels`]) of a charge `days` overdue.
    pub fn index(&self, days: i64) -> usize {
        if days <= 0 {
            return 0;
        }
        1 + self.0.iter().take_while(|&&h| i64::from(h) < days).count()
    }

    /// Open charges spread over the buckets, credit on account beside them.
    pub fn age(&self, items: &[OpenItem], unapplied: Decimal) -> Aged {
        self.age_open(items.iter().map(|i| (i.days_overdue, i.open)), unapplied)
    }

    /// Open parts, each with its days overdue, spread over the buckets, credit on
    /// account beside them.
    pub fn age_open(
        &self,
        open: impl IntoIterator<Item = (i64, Decimal)>,
        unapplied: Decimal,
    ) -> Aged {
        let mut amounts = vec![cents(Decimal::ZERO); self.0.len() + 2];
        for (days, amount) in open {
            amounts[self.index(days)] += amount;
        }
        let open: Decimal = amounts.iter().sum();
        Aged {
            buckets: amounts,
            unapplied: cents(unapplied),
            total: cents(open - unapplied),
        }
    }
}

/// Receivables spread over the ageing buckets.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Aged {
    /// One amount per bucket, in the order of the buckets' labels.
    #[schema(value_type = Vec<String>)]
    pub buckets: Vec<Decimal>,
    /// Credit on account not applied to any charge (subtracted from the total).
    #[schema(value_type = String)]
    pub unapplied: Decimal,
    /// The open charges minus the credit on account: the balance.
    #[schema(value_type = String)]
    pub total: Decimal,
}

impl Aged {
    pub fn zero(buckets: &Buckets) -> Aged {
        let zero = cents(Decimal::ZERO);
        Aged {
            buckets: vec![zero; buckets.limits().len() + 2],
            unapplied: zero,
            total: zero,
        }
    }

    /// Adds another's figures (their buckets must be the same).
    pub fn add(&mut self, other: &Aged) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.unapplied += other.unapplied;
        self.total += other.total;
    }

    /// What is past due: every bucket but the first.
    pub fn overdue(&self) -> Decimal {
        self.buckets.iter().skip(1).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn dec(cents: i64) -> Decimal {
        Decimal::new(cents, 2)
    }

    #[test]
    fn buckets_name_and_place_days() {
        let b = Buckets::default();
        assert_eq!(b.labels(), ["current", "1-30", "31-60", "61-90", "91+"]);
        assert_eq!(
            [-3, 0, 1, 30, 31, 60, 61, 90, 91, 400].map(|d| b.index(d)),
            [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
        );
        assert!(Buckets::try_from(vec![30, 30]).is_err());
        assert!(Buckets::try_from(vec![0, 30]).is_err());
        assert!(Buckets::try_from(vec![]).is_err());
    }

    #[test]
    fn a_reversed_payment_reopens_the_invoice_on_the_day_it_bounced() {
        let inv = Id::new();
        let pay = Id::new();
        let l = Ledger {
            debits: vec![Debit {
                id: inv,
                number: "A-0001-00000001".into(),
                kind: MovementKind::Invoice,
                issue_date: day(0),
                due_date: day(30),
                amount: dec(10_000),
            }],
            credits: vec![Credit {
                id: pay,
                number: "R-2026-000001".into(),
                kind: MovementKind::Payment,
                date: day(10),
                amount: dec(10_000),
                reversed_on: Some(day(40)),
            }],
            applications: vec![Application {
                credit_id: pay,
                debit_id: inv,
                amount: dec(10_000),
                applied_on: day(10),
                reversed_on: Some(day(40)),
            }],
        };
        assert_eq!(l.balance(day(20)), Decimal::ZERO);
        assert!(l.open_items(day(20)).is_empty());
        assert_eq!(l.balance(day(40)), dec(10_000));
        let open = l.open_items(day(45));
        assert_eq!(open[0].days_overdue, 15);
        let s = l.statement(None, day(45));
        let kinds: Vec<_> = s.lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                MovementKind::Invoice,
                MovementKind::Payment,
                MovementKind::PaymentReversal
            ]
        );
        assert_eq!(s.closing_balance, dec(10_000));
        let s = l.statement(Some(day(11)), day(45));
        assert_eq!(s.opening_balance, Decimal::ZERO);
        assert_eq!(s.lines.len(), 1);
    }

    /// One step of a customer's history, as the app writes it.
    #[derive(Debug, Clone)]
    enum Step {
        Invoice {
            cents: i64,
            terms: i64,
        },
        /// A credit note on the n-th charge, for part of what is open on it.
        CreditNote {
            nth: usize,
            per_mille: i64,
        },
        /// A payment, applied to charges in order of due date up to `apply_per_mille`
        /// of its amount (the rest stays on account).
        Payment {
            cents: i64,
            apply_per_mille: i64,
        },
        /// The n-th payment bounces.
        Bounce {
            nth: usize,
        },
        /// Money on account applied to the oldest open charge.
        ApplyLater,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1i64..5_000_000, 0i64..90).prop_map(|(cents, terms)| Step::Invoice { cents, terms }),
            (0usize..20, 1i64..=1000)
                .prop_map(|(nth, per_mille)| Step::CreditNote { nth, per_mille }),
            (1i64..5_000_000, 0i64..=1000).prop_map(|(cents, apply_per_mille)| Step::Payment {
                cents,
                apply_per_mille
            }),
            (0usize..10).prop_map(|nth| Step::Bounce { nth }),
            Just(Step::ApplyLater),
        ]
    }

    /// Plays `steps`, one a day, keeping the rules the app keeps: nothing applied beyond
    /// what is open or unapplied, a bounce reverses the payment and its applications.
    fn play(steps: &[Step]) -> Ledger {
        let mut l = Ledger::default();
        for (n, s) in steps.iter().enumerate() {
            let today = day(n as i64);
            let open = |l: &Ledger| -> Vec<(Id, Decimal)> {
                l.open_items(today)
                    .into_iter()
                    .filter(|i| i.open > Decimal::ZERO)
                    .map(|i| (i.id, i.open))
                    .collect()
            };
            match s {
                Step::Invoice { cents, terms } => l.debits.push(Debit {
                    id: Id::new(),
                    number: format!("A-{n:08}"),
                    kind: MovementKind::Invoice,
                    issue_date: today,
                    due_date: today + chrono::Duration::days(*terms),
                    amount: dec(*cents),
                }),
                Step::CreditNote { nth, per_mille } => {
                    let Some(d) = l.debits.get(*nth).cloned() else {
                        continue;
                    };
                    let open = l.open_of(&d, today);
                    let amount = (open * Decimal::new(*per_mille, 3)).round_dp(2);
                    if amount <= Decimal::ZERO {
                        continue;
                    }
                    let id = Id::new();
                    l.credits.push(Credit {
                        id,
                        number: format!("NC-{n:08}"),
                        kind: MovementKind::CreditNote,
                        date: today,
                        amount,
                        reversed_on: None,
                    });
                    l.applications.push(Application {
                        credit_id: id,
                        debit_id: d.id,
                        amount,
                        applied_on: today,
                        reversed_on: None,
                    });
                }
                Step::Payment {
                    cents,
                    apply_per_mille,
                } => {
                    let id = Id::new();
                    let amount = dec(*cents);
                    l.credits.push(Credit {
                        id,
                        number: format!("R-{n:08}"),
                        kind: MovementKind::Payment,
                        date: today,
                        amount,
                        reversed_on: None,
                    });
                    let mut left = (amount * Decimal::new(*apply_per_mille, 3)).round_dp(2);
                    for (debit, open) in open(&l) {
                        let take = left.min(open);
                        if take <= Decimal::ZERO {
                            break;
                        }
                        left -= take;
                        l.applications.push(Application {
                            credit_id: id,
                            debit_id: debit,
                            amount: take,
                            applied_on: today,
                            reversed_on: None,
                        });
                    }
                }
                Step::Bounce { nth } => {
                    let Some(c) = l
                        .credits
                        .iter_mut()
                        .filter(|c| c.kind == MovementKind::Payment && c.reversed_on.is_none())
                        .nth(*nth)
                    else {
                        continue;
                    };
                    c.reversed_on = Some(today);
                    let id = c.id;
                    for a in l.applications.iter_mut().filter(|a| a.credit_id == id) {
                        a.reversed_on.get_or_insert(today);
                    }
                }
                Step::ApplyLater => {
                    let mut spare = l.unapplied(today);
                    // Which credit the money comes from does not change the figures;
                    // the app names the payment.
                    let Some(credit) = l.credits.iter().find(|c| c.reversed_on.is_none()) else {
                        continue;
                    };
                    let credit = credit.id;
                    for (debit, open) in open(&l) {
                        let take = spare.min(open);
                        if take <= Decimal::ZERO {
                            break;
                        }
                        spare -= take;
                        l.applications.push(Application {
                            credit_id: credit,
                            debit_id: debit,
                            amount: take,
                            applied_on: today,
                            reversed_on: None,
                        });
                    }
                }
            }
        }
        l
    }

    proptest! {
        /// The statement, the ageing and the balance agree to the cent on every day,
        /// whatever happened before it.
        #[test]
        fn statement_ageing_and_balance_agree(steps in prop::collection::vec(step(), 1..40), probe in 0i64..60) {
            let l = play(&steps);
            let buckets = Buckets::default();
            for d in [probe, steps.len() as i64, steps.len() as i64 + 100] {
                let d = day(d);
                let balance = l.balance(d);
                let statement = l.statement(None, d);
                let aged = buckets.age(&l.open_items(d), l.unapplied(d));
                prop_assert_eq!(statement.closing_balance, balance);
                let summed: Decimal = statement.lines.iter().map(|x| x.debit - x.credit).sum();
                prop_assert_eq!(summed, balance);
                prop_assert_eq!(aged.total, balance);
                // Nothing is settled beyond its amount.
                for i in l.open_items(d) {
                    prop_assert!(i.open >= Decimal::ZERO && i.open <= i.amount);
                }
                // A statement from any day continues from the balance before it.
                let from = day(probe / 2);
                let part = l.statement(Some(from), d);
                let moved: Decimal = part.lines.iter().map(|x| x.debit - x.credit).sum();
                prop_assert_eq!(part.opening_balance + moved, balance);
            }
        }
    }
}
