//! How pages write figures, days and account names: in the reader's language
//! (`1.234,50 ARS` and `22/11/2026` in Spanish, `1,234.50 ARS` and `22 Nov 2026` in English).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use cartera_app::records;
use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::money::Money;
use cartera_core::quotes::Language;

use super::i18n::Locale;
use super::render::Me;
use crate::state::AppState;

/// The documents' language for the page's locale.
pub fn language(locale: Locale) -> Language {
    match locale {
        Locale::En => Language::En,
        Locale::Es => Language::Es,
    }
}

/// An amount to the cent: `1.234,50` or `1,234.50`.
pub fn amount(locale: Locale, value: Decimal) -> String {
    language(locale).amount(value)
}

/// An amount and its currency code: `1.234,50 ARS`.
pub fn money(locale: Locale, value: Decimal, currency: &str) -> String {
    format!("{} {currency}", amount(locale, value))
}

/// A money value that may be missing: `—` then.
pub fn money_or_dash(locale: Locale, m: Option<Money>) -> String {
    m.map(|m| money(locale, m.amount, m.currency.as_str()))
        .unwrap_or_else(|| "—".into())
}

/// A price in a form's input: grouped, at least to the cent, every decimal it has
/// (`1.234,50`, `10,125`), so that it reads back as it was.
pub fn price(locale: Locale, value: Decimal) -> String {
    language(locale).price(value)
}

/// A quantity or percentage in the page's decimal mark, without trailing zeros.
pub fn number(locale: Locale, v: Decimal) -> String {
    language(locale).number(v)
}

/// A date as people read it in the page's language.
pub fn day(locale: Locale, d: NaiveDate) -> String {
    language(locale).date(d)
}

/// Names of accounts by id (the ones the person sees), read a hundred at a time.
pub async fn account_names(s: &AppState, me: &Me, ids: &[Id]) -> HashMap<Id, String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut out = HashMap::new();
    for part in ids.chunks(100) {
        let params = vec![
            (
                "filter[id][in]".to_owned(),
                part.iter().map(Id::to_string).collect::<Vec<_>>().join(","),
            ),
            ("limit".to_owned(), "100".to_owned()),
        ];
        if let Ok(l) = records::list::<AccountData>(&s.app, me.actor(), &params).await {
            out.extend(l.rows.into_iter().map(|a| (a.id, a.data.name)));
        }
    }
    out
}

/// The name of a territory, when the viewer may read territories.
pub async fn territory_name(s: &AppState, me: &Me, id: Option<Id>) -> Option<String> {
    let id = id?;
    cartera_app::territories::list(&s.app, me.actor())
        .await
        .ok()?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.name)
}

/// The account page's money figures, written in the reader's format: each one a count
/// and its sums per currency (`—` for none), left out where the role reads no such thing.
pub fn account_figures(
    locale: Locale,
    f: &cartera_app::account_figures::AccountFigures,
) -> Vec<serde_json::Value> {
    let tally = |key: &str, t: &Option<cartera_app::account_figures::Tally>, href: &str| {
        t.as_ref().map(|t| {
            serde_json::json!({
                "key": key,
                "count": t.count,
                "sums": if t.totals.is_empty() {
                    vec!["—".to_owned()]
                } else {
                    t.totals.iter().map(|m| money_or_dash(locale, Some(*m))).collect()
                },
                "href": href,
            })
        })
    };
    [
        tally("won-this-year", &f.won_this_year, "#deals-h"),
        tally("open-pipeline", &f.open_pipeline, "#deals-h"),
        tally("open-quotes", &f.open_quotes, "#account-quotes"),
        tally("to-deliver", &f.to_deliver, "#account-orders"),
        tally("to-invoice", &f.to_invoice, "#account-orders"),
    ]
    .into_iter()
    .flatten()
    .collect()
}
