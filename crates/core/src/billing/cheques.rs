//! The cheque wallet ("cartera de valores"): cheques received from customers, held,
//! deposited, credited, endorsed to a supplier, bounced or returned. A cheque comes in
//! as a payment by cheque; when it bounces, that payment is taken back.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::money::Currency;
use crate::validate::{Check, Code};

/// Where a cheque is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChequeState {
    /// In the company's hands ("en cartera").
    OnHand,
    Deposited,
    /// The bank paid it ("acreditado").
    Credited,
    /// Refused by the bank ("rechazado"), with a reason.
    Bounced,
    /// Handed to a supplier as payment ("endosado").
    Endorsed,
    /// Given back to the customer.
    Returned,
}

impl ChequeState {
    pub const ALL: [ChequeState; 6] = [
        ChequeState::OnHand,
        ChequeState::Deposited,
        ChequeState::Credited,
        ChequeState::Bounced,
        ChequeState::Endorsed,
        ChequeState::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChequeState::OnHand => "on_hand",
            ChequeState::Deposited => "deposited",
            ChequeState::Credited => "credited",
            ChequeState::Bounced => "bounced",
            ChequeState::Endorsed => "endorsed",
            ChequeState::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ChequeState> {
        ChequeState::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a cheque may go from `self` to `to`: deposited or endorsed or returned
    /// from the wallet; credited once deposited; bounced while deposited or endorsed
    /// (the supplier's bank refuses it too) or on hand (known bad before depositing);
    /// a bounced cheque is returned to the customer.
    pub fn may_move_to(self, to: ChequeState) -> Result<(), &'static str> {
        use ChequeState::*;
        match (self, to) {
            (OnHand, Deposited | Endorsed | Returned | Bounced)
            | (Deposited, Credited | Bounced)
            | (Endorsed, Bounced)
            | (Bounced, Returned) => Ok(()),
            (Credited, _) => Err("a credited cheque is final"),
            (Returned, _) => Err("a returned cheque is final"),
            _ => Err("the cheque cannot move there from where it is"),
        }
    }
}

/// A cheque as the clerk types it with the payment it pays.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChequeInput {
    /// The bank it is drawn on (`Banco Nación`).
    pub bank: String,
    /// Its number as printed.
    pub number: String,
    /// Who signed it.
    pub drawer: String,
    /// The drawer's CUIT (11 digits, check digit validated; dashes allowed).
    pub drawer_tax_id: String,
    #[schema(value_type = String, example = "2026-12-01")]
    pub issue_date: NaiveDate,
    /// When it may be cashed: later than the issue date for a post-dated cheque
    /// ("pago diferido").
    #[schema(value_type = String, example = "2027-01-15")]
    pub payment_date: NaiveDate,
}

/// Days after its payment date a cheque can still be deposited.
pub const PRESENTATION_DAYS: i64 = 30;

impl ChequeInput {
    /// Checks the fields; errors name `cheque.<field>`. Returns the CUIT as digits.
    pub fn check(&self, c: &mut Check) -> String {
        let mut inner = Check::with_prefix("cheque.");
        for (field, value, max) in [
            ("bank", &self.bank, 120),
            ("number", &self.number, 40),
            ("drawer", &self.drawer, 200),
        ] {
            inner.required(field, value.trim());
            inner.max_chars(field, value, max);
        }
        let cuit: String = self
            .drawer_tax_id
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '.'))
            .collect();
        if cuit.len() != 11 || !cuit.bytes().all(|b| b.is_ascii_digit()) {
            inner.add(
                "drawer_tax_id",
                Code::Invalid,
                "a CUIT has 11 digits, e.g. 30-71234567-1",
            );
        } else if let Err(m) = crate::tax_ids::check(Some("AR"), &cuit) {
            inner.add("drawer_tax_id", Code::Invalid, m);
        }
        if self.payment_date < self.issue_date {
            inner.add(
                "payment_date",
                Code::OutOfRange,
                "a cheque is paid on or after its issue date",
            );
        }
        c.extend(inner);
        cuit
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Cheque {
    pub id: Id,
    pub account_id: Id,
    /// The payment it made (reversed when it bounces).
    pub payment_id: Id,
    pub owner_id: Option<Id>,
    pub bank: String,
    pub number: String,
    pub drawer: String,
    pub drawer_tax_id: String,
    #[schema(value_type = String, example = "2026-12-01")]
    pub issue_date: NaiveDate,
    #[schema(value_type = String, example = "2027-01-15")]
    pub payment_date: NaiveDate,
    #[schema(value_type = String, example = "150000.00")]
    pub amount: Decimal,
    pub currency: Currency,
    pub state: ChequeState,
    /// The day it reached its state.
    #[schema(value_type = String, example = "2026-12-06")]
    pub state_on: NaiveDate,
    /// Why the bank refused it.
    pub bounce_reason: Option<String>,
    /// The supplier (an account) it was endorsed to.
    pub endorsed_to: Option<Id>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Cheque {
    /// The last day it can be deposited.
    pub fn deposit_by(&self) -> NaiveDate {
        self.payment_date + Duration::days(PRESENTATION_DAYS)
    }

    /// Whether it is on hand and may be deposited on `today` (its payment date came).
    pub fn to_deposit_on(&self, today: NaiveDate) -> bool {
        self.state == ChequeState::OnHand && self.payment_date <= today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(cuit: &str) -> ChequeInput {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        ChequeInput {
            bank: "Banco Nación".into(),
            number: "00012345".into(),
            drawer: "Agro Sur S.A.".into(),
            drawer_tax_id: cuit.into(),
            issue_date: d,
            payment_date: d + Duration::days(45),
        }
    }

    #[test]
    fn the_drawers_cuit_is_checked() {
        let good = crate::tax_ids::cuit_with_check_digit("3071234567").unwrap();
        let mut c = Check::new();
        let digits =
            input(&format!("{}-{}-{}", &good[..2], &good[2..10], &good[10..])).check(&mut c);
        assert!(c.is_ok());
        assert_eq!(digits, good);
        let bad = format!("{}{}", &good[..10], (good.as_bytes()[10] - b'0' + 1) % 10);
        let mut c = Check::new();
        input(&bad).check(&mut c);
        assert_eq!(c.into_violations()[0].field, "cheque.drawer_tax_id");
    }

    #[test]
    fn states_move_as_a_wallet_does() {
        use ChequeState::*;
        assert!(OnHand.may_move_to(Deposited).is_ok());
        assert!(Deposited.may_move_to(Credited).is_ok());
        assert!(Deposited.may_move_to(Bounced).is_ok());
        assert!(Credited.may_move_to(Bounced).is_err());
        assert!(Bounced.may_move_to(Returned).is_ok());
        assert!(OnHand.may_move_to(Credited).is_err());
    }
}
