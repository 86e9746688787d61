//! Money: an exact decimal amount and an ISO 4217 currency. Stored as a scaled integer
//! (ten-thousandths of the unit) so that SQLite and PostgreSQL sum and sort it exactly.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Ten-thousandths of the unit: enough for unit prices like 0.0125 and exact cents.
pub const SCALE: u32 = 4;
const SCALE_FACTOR: i64 = 10_000;

/// Active ISO 4217 codes.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP \
DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK \
JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP \
MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD \
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD \
TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XCD XCG XOF XPD XPF XPT XSU XUA \
YER ZAR ZMW ZWG";

/// An ISO 4217 currency code such as `ARS`, `MXN` or `EUR`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "ARS")]
pub struct Currency([u8; 3]);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MoneyError {
    #[error("unknown currency code (ISO 4217 expected, e.g. ARS, MXN, EUR)")]
    UnknownCurrency,
    #[error("not a decimal amount")]
    BadAmount,
    #[error("at most {SCALE} decimal places")]
    TooPrecise,
    #[error("amount out of range")]
    OutOfRange,
}

impl Currency {
    /// The Argentine peso: the company's currency until an admin names another (every
    /// form starts with it, and the demo company sells in it).
    pub const ARS: Currency = Currency(*b"ARS");

    pub fn as_str(&self) -> &str {
        // The bytes were checked against the ISO list, which is ASCII.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        let bytes: [u8; 3] = up
            .as_bytes()
            .try_into()
            .map_err(|_| MoneyError::UnknownCurrency)?;
        if ISO_4217.split_ascii_whitespace().any(|c| c == up) {
            Ok(Currency(bytes))
        } else {
            Err(MoneyError::UnknownCurrency)
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `{"amount": "1234.50", "currency": "ARS"}`: the amount travels as a decimal string.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    #[schema(value_type = String, example = "1234.50")]
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.normalize().scale() > SCALE {
            return Err(MoneyError::TooPrecise);
        }
        // Must fit the stored scaled integer.
        Money { amount, currency }.scaled()?;
        Ok(Money { amount, currency })
    }

    /// The stored form: ten-thousandths of the unit.
    pub fn scaled(&self) -> Result<i64, MoneyError> {
        let mut a = self.amount * Decimal::from(SCALE_FACTOR);
        a = a.normalize();
        if a.scale() != 0 {
            return Err(MoneyError::TooPrecise);
        }
        i64::try_from(a).map_err(|_| MoneyError::OutOfRange)
    }

    pub fn from_scaled(scaled: i64, currency: Currency) -> Self {
        Money {
            amount: Decimal::new(scaled, SCALE).normalize(),
            currency,
        }
    }

    /// Parses a decimal written by a person or a program: `1234.50`; never a float.
    pub fn parse_amount(s: &str) -> Result<Decimal, MoneyError> {
        Decimal::from_str(s.trim()).map_err(|_| MoneyError::BadAmount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn currencies_are_checked() {
        assert_eq!("ars".parse::<Currency>().unwrap().as_str(), "ARS");
        assert_eq!("ABC".parse::<Currency>(), Err(MoneyError::UnknownCurrency));
        assert_eq!("EURO".parse::<Currency>(), Err(MoneyError::UnknownCurrency));
    }

    #[test]
    fn scaled_round_trip_is_exact() {
        let ars = "ARS".parse().unwrap();
        let m = Money::new(Money::parse_amount("1234.50").unwrap(), ars).unwrap();
        assert_eq!(m.scaled().unwrap(), 12_345_000);
        assert_eq!(
            Money::from_scaled(12_345_000, ars).amount.to_string(),
            "1234.5"
        );
        assert_eq!(
            Money::new(Money::parse_amount("0.00001").unwrap(), ars),
            Err(MoneyError::TooPrecise)
        );
    }

    proptest! {
        #[test]
        fn any_scaled_value_round_trips(v in (i64::MIN / 2)..(i64::MAX / 2)) {
            let eur = "EUR".parse().unwrap();
            let m = Money::from_scaled(v, eur);
            prop_assert_eq!(m.scaled().unwrap(), v);
        }

        #[test]
        fn sums_of_scaled_values_equal_decimal_sums(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let usd = "USD".parse().unwrap();
            let sum = Money::from_scaled(a, usd).amount + Money::from_scaled(b, usd).amount;
            prop_assert_eq!(Money { amount: sum, currency: usd }.scaled().unwrap(), a + b);
        }
    }
}
