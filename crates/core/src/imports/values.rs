//! Cell values in the way people write them: dates as `22/11/2026`, decimals as
//! `1.234,50` (Spanish) or `1,234.50` (English), yes/no as `Sí`.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::problems::{BadCell, ProblemCode};
use super::read::Raw;

pub use crate::numbers::Locale;
use crate::numbers::{Hint, parse_decimal};

/// A date from a cell: a spreadsheet date, ISO `2026-11-22`, or day/month/year in the
/// locale's order with `/`, `-` or `.` between (two-digit years are 19xx from 50 on).
pub fn date(cell: &Raw, locale: Locale) -> Result<NaiveDate, BadCell> {
    let text = match cell {
        Raw::Date(d) => return Ok(*d),
        Raw::DateTime(t) => return Ok(t.date()),
        Raw::Text(s) => s.trim(),
        other => {
            let t = other.text();
            let message = format!("'{t}' is not a date");
            return Err(BadCell::new(ProblemCode::NotADate, t, message));
        }
    };
    let not_a_date = || {
        BadCell::new(
            ProblemCode::NotADate,
            text,
            format!("'{text}' is not a date; write it as {}", example(locale)),
        )
    };
    let head = text.split(['T', ' ']).next().unwrap_or(text);
    let parts: Vec<&str> = head.split(['/', '-', '.']).collect();
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse::<u32>().ok()).collect();
    let (Some(nums), 3) = (nums, parts.len()) else {
        return Err(not_a_date());
    };
    let (y, m, d) = if parts[0].len() == 4 {
        (nums[0], nums[1], nums[2])
    } else {
        let (d, m) = match locale {
            Locale::Es => (nums[0], nums[1]),
            Locale::En => (nums[1], nums[0]),
        };
        let y = match (parts[2].len(), nums[2]) {
            (2, y) if y >= 50 => 1900 + y,
            (2, y) => 2000 + y,
            (4, y) => y,
            _ => return Err(not_a_date()),
        };
        (y, m, d)
    };
    let year = i32::try_from(y).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| {
        if (1..=12).contains(&m) {
            BadCell::new(
                ProblemCode::NoSuchDay,
                text,
                format!("'{text}' is not a date: month {m} of {y} has no day {d}"),
            )
        } else {
            BadCell::new(
                ProblemCode::NoSuchMonth,
                text,
                format!("'{text}' is not a date: there is no month {m}"),
            )
        }
    })
}

fn example(locale: Locale) -> &'static str {
    match locale {
        Locale::Es => "22/11/2026",
        Locale::En => "11/22/2026",
    }
}

/// A decimal from a cell, in the grammar of [`crate::numbers`]: when both `.` and `,`
/// appear, the last one is the decimal mark; a lone one followed by three digits is the
/// locale's thousands separator when it is one (`1.234` in Spanish), else the decimal
/// mark. Currency signs and apostrophes (`$ 2.000.000`, `1'000`) are dropped first.
pub fn decimal(cell: &Raw, locale: Locale) -> Result<Decimal, BadCell> {
    let text = match cell {
        Raw::Number(s) => {
            return Decimal::from_str(s)
                .or_else(|_| Decimal::from_scientific(s))
                .map_err(|_| {
                    BadCell::new(ProblemCode::NotANumber, s, format!("'{s}' is not a number"))
                });
        }
        Raw::Text(s) => s.trim(),
        other => {
            let t = other.text();
            let message = format!("'{t}' is not a number");
            return Err(BadCell::new(ProblemCode::NotANumber, t, message));
        }
    };
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '$' | '€' | '\''))
        .collect();
    parse_decimal(&cleaned, Hint::Written(locale)).map_err(|_| {
        BadCell::new(
            ProblemCode::NotANumber,
            text,
            format!(
                "'{text}' is not a number; write it as {}",
                match locale {
                    Locale::Es => "1.234,50",
                    Locale::En => "1,234.50",
                }
            ),
        )
    })
}

/// Yes or no, in Spanish or English; an empty cell is no.
pub fn boolean(cell: &Raw) -> Result<bool, BadCell> {
    match cell {
        Raw::Bool(b) => Ok(*b),
        Raw::Empty => Ok(false),
        Raw::Number(n) => Ok(n != "0"),
        other => {
            let t = crate::text::fold(&other.text());
            match t.trim() {
                "si" | "s" | "yes" | "y" | "true" | "verdadero" | "1" | "x" => Ok(true),
                "no" | "n" | "false" | "falso" | "0" | "" => Ok(false),
                _ => {
                    let t = other.text();
                    let message = format!("'{t}' is not yes or no");
                    Err(BadCell::new(ProblemCode::NotYesNo, t, message))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Raw {
        Raw::Text(s.into())
    }

    #[test]
    fn dates_in_both_orders_and_impossible_ones() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(date(&t("22/11/2026"), Locale::Es), Ok(d));
        assert_eq!(date(&t("11/22/2026"), Locale::En), Ok(d));
        assert_eq!(date(&t("2026-11-22"), Locale::En), Ok(d));
        assert_eq!(date(&t("22.11.26"), Locale::Es), Ok(d));
        let e = date(&t("31/02/2026"), Locale::Es).unwrap_err();
        assert!(e.message.contains("no day 31"), "{e}");
        assert_eq!(
            (e.code, e.value.as_str()),
            (ProblemCode::NoSuchDay, "31/02/2026")
        );
        assert!(date(&t("mañana"), Locale::Es).is_err());
        assert!(
            date(&t("1/13/2026"), Locale::Es)
                .unwrap_err()
                .message
                .contains("no month 13")
        );
    }

    #[test]
    fn decimals_in_both_locales() {
        let d = |s: &str, l| decimal(&t(s), l).map(|d| d.to_string());
        assert_eq!(d("1.234,50", Locale::Es).unwrap(), "1234.50");
        assert_eq!(d("1,234.50", Locale::En).unwrap(), "1234.50");
        assert_eq!(d("1.234,50", Locale::En).unwrap(), "1234.50");
        assert_eq!(d("1234,5", Locale::Es).unwrap(), "1234.5");
        assert_eq!(d("1.234", Locale::Es).unwrap(), "1234");
        assert_eq!(d("1.5", Locale::Es).unwrap(), "1.5");
        assert_eq!(d("$ 2.000.000", Locale::Es).unwrap(), "2000000");
        assert_eq!(d("-12,75", Locale::Es).unwrap(), "-12.75");
        assert!(d("doce", Locale::Es).is_err());
        assert_eq!(
            decimal(&Raw::Number("1234.5".into()), Locale::Es)
                .unwrap()
                .to_string(),
            "1234.5"
        );
    }

    #[test]
    fn yes_and_no() {
        assert_eq!(boolean(&t("Sí")), Ok(true));
        assert_eq!(boolean(&t("no")), Ok(false));
        assert!(boolean(&t("quizás")).is_err());
    }
}
