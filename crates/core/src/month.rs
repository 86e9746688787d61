//! A calendar month (`2026-11`): what forecasts, quotas and exchange rates are counted
//! by. A leaf, so that the modules that count by month need not import one another.

use chrono::{Datelike, NaiveDate};

/// A calendar month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Month { year, month })
    }

    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The months from `self` to `to`, both included (none when `to` is before).
    pub fn through(self, to: Month) -> impl Iterator<Item = Month> {
        std::iter::successors(Some(self), |m| Some(m.next())).take_while(move |m| *m <= to)
    }

    /// How many months from `self` to `other`, both included (0 when `other` is before).
    pub fn span(self, other: Month) -> i64 {
        let a = i64::from(self.year) * 12 + i64::from(self.month);
        let b = i64::from(other.year) * 12 + i64::from(other.month);
        (b - a + 1).max(0)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::Month;

    #[test]
    fn months_run_through_the_new_year() {
        let m = |s: &str| Month::parse(s).unwrap();
        let run: Vec<String> = m("2026-11")
            .through(m("2027-02"))
            .map(|x| x.to_string())
            .collect();
        assert_eq!(run, ["2026-11", "2026-12", "2027-01", "2027-02"]);
        assert_eq!(m("2027-01").through(m("2026-12")).count(), 0);
    }
}
