//! Company-wide settings.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use cartera_core::billing::settings::BillingSettings;
use cartera_core::exchange::{ExchangeRate, Rates, check_rates};
use cartera_core::money::{Currency, Money};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::{Conn, settings as store};

use crate::versioned::{self, Singleton};
use crate::{Actor, App, AppError, Result};

/// What an admin can set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Days a record stays in the trash before it is deleted for good (1 to 3650).
    pub trash_retention_days: i64,
    /// Days an uploaded file waits to be imported (a draft, a preview, a failed run)
    /// before housekeeping drops it and marks its import expired (1 to 365).
    pub import_file_retention_days: i64,
    /// What a kilometre driven to a customer is paid at (`{"amount": "85.50",
    /// "currency": "ARS"}`); mileage cost lines on activities are priced with it.
    pub mileage_rate: Option<Money>,
    /// The company as its printed documents (quotes) show it.
    pub company: Company,
    /// When on, the territory rules give every new account and lead in a territory to
    /// the territory's owner, even one its creator placed (the creator keeps sight of
    /// it through a share). Off (default): they place only the records nobody placed,
    /// such as imports without an owner column and API creates without `owner_id`.
    pub territory_owner_wins: bool,
    /// The currency reports add every currency up in (the forecast's totals); default
    /// the company's currency, `ARS`.
    #[schema(value_type = String, example = "ARS")]
    pub reporting_currency: Currency,
    /// What a unit of each other currency is worth in the reporting currency, per month
    /// (`{"month": "2026-11", "currency": "USD", "rate": "1050.5"}`). A month without
    /// its own rate takes the latest earlier one; a currency without any is left
    /// unconverted. A change replaces the whole list.
    pub exchange_rates: Vec<ExchangeRate>,
    /// Billing defaults: the series and point of sale new invoices take, the payment
    /// terms, and the ageing buckets.
    pub billing: BillingSettings,
}

/// The company's name and contact data, printed on quotes and named in their emails.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Company {
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    pub email: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            trash_retention_days: 30,
            import_file_retention_days: 7,
            mileage_rate: None,
            company: Company::default(),
            territory_owner_wins: false,
            reporting_currency: Currency::ARS,
            exchange_rates: Vec::new(),
            billing: BillingSettings::default(),
        }
    }
}

/// Settings are one record in the audit trail, under a fixed id.
pub(crate) const SETTINGS_ID: Id = Id::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0001);

pub(crate) async fn load(conn: &mut Conn) -> Result<Settings> {
    let defaults = Settings::default();
    // Read field by field: keys written by a newer version must not break this one.
    Ok(match store::get(conn, Settings::KEY).await? {
        Some(v) => Settings {
            trash_retention_days: v
                .get("trash_retention_days")
                .and_then(Value::as_i64)
                .unwrap_or(defaults.trash_retention_days),
            import_file_retention_days: v
                .get("import_file_retention_days")
                .and_then(Value::as_i64)
                .unwrap_or(defaults.import_file_retention_days),
            mileage_rate: v
                .get("mileage_rate")
                .and_then(|r| serde_json::from_value(r.clone()).ok())
                .unwrap_or(defaults.mileage_rate),
            company: v
                .get("company")
                .and_then(|r| serde_json::from_value(r.clone()).ok())
                .unwrap_or(defaults.company),
            territory_owner_wins: v
                .get("territory_owner_wins")
                .and_then(Value::as_bool)
                .unwrap_or(defaults.territory_owner_wins),
            reporting_currency: v
                .get("reporting_currency")
                .and_then(|r| serde_json::from_value(r.clone()).ok())
                .unwrap_or(defaults.reporting_currency),
            exchange_rates: v
                .get("exchange_rates")
                .and_then(|r| serde_json::from_value(r.clone()).ok())
                .unwrap_or(defaults.exchange_rates),
            billing: v
                .get("billing")
                .and_then(|r| serde_json::from_value(r.clone()).ok())
                .unwrap_or(defaults.billing),
        },
        None => defaults,
    })
}

impl Settings {
    /// The rates as reports look them up.
    pub fn rates(&self) -> Rates {
        Rates::new(self.reporting_currency, &self.exchange_rates)
    }
}

pub async fn get(app: &App, actor: &Actor) -> Result<Settings> {
    versioned::read(app, actor).await
}

/// The company settings are one object, without versions: `If-Match` does not apply.
impl Singleton for Settings {
    const KEY: &'static str = "company";
    const ID: Id = SETTINGS_ID;
    const CONFLICT_MESSAGE: &'static str =
        "the settings changed while this request ran; read them again";

    async fn read(conn: &mut Conn) -> Result<Self> {
        load(conn).await
    }

    fn check(&self, c: &mut Check) -> Result<()> {
        if !(1..=3650).contains(&self.trash_retention_days) {
            return Err(AppError::Invalid(Violations::one(
                "trash_retention_days",
                Code::OutOfRange,
                "must be from 1 to 3650 days",
            )));
        }
        if !(1..=365).contains(&self.import_file_retention_days) {
            return Err(AppError::Invalid(Violations::one(
                "import_file_retention_days",
                Code::OutOfRange,
                "must be from 1 to 365 days",
            )));
        }
        if let Some(rate) = self.mileage_rate
            && (rate.amount.is_zero()
                || rate.amount.is_sign_negative()
                || Money::new(rate.amount, rate.currency).is_err())
        {
            return Err(AppError::Invalid(Violations::one(
                "mileage_rate.amount",
                Code::OutOfRange,
                "must be more than 0, with at most 4 decimal places",
            )));
        }
        for (field, value, max) in [
            ("company.name", &self.company.name, 200),
            ("company.tax_id", &self.company.tax_id, 50),
            ("company.address", &self.company.address, 500),
            ("company.phone", &self.company.phone, 50),
            ("company.email", &self.company.email, 254),
        ] {
            if value.chars().count() > max {
                return Err(AppError::Invalid(Violations::one(
                    field,
                    Code::TooLong,
                    format!("at most {max} characters"),
                )));
            }
        }
        // Every bad row is named at once: the settings page shows each by its row.
        check_rates(&self.exchange_rates, self.reporting_currency, c);
        self.billing.check(c);
        Ok(())
    }
}

pub async fn update(app: &App, actor: &Actor, patch: Value) -> Result<Settings> {
    versioned::patch(app, actor, patch).await
}
