//! Activities: pricing their mileage at the company's rate, and summing their costs per
//! customer and per rep.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use cartera_core::accounts::AccountData;
use cartera_core::activities::{ActivityData, sum_by_currency};
use cartera_core::money::Money;
use cartera_core::record::Record;
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::activities::{self as store, Link};
use cartera_store::users as users_store;

use crate::records::{Kind, load_visible};
use crate::settings::Settings;
use crate::{Actor, App, AppError, Result};

impl Kind for ActivityData {
    const USES_SETTINGS: bool = true;

    fn complete(&mut self, old: Option<&Self>, settings: &Settings) {
        self.price_mileage(old, settings.mileage_rate);
    }

    // Reminders follow the activity; a visit marked done may ask for its report.
    async fn after_write(
        conn: &mut Conn,
        now: DateTime<Utc>,
        old: Option<&Record<Self>>,
        new: &Record<Self>,
        prefix: &str,
    ) -> Result<()> {
        crate::reminders::sync(conn, now, old, new, prefix).await?;
        crate::followups::activity_written(conn, now, old, new).await
    }
}

/// The days a cost sum covers; either end may be open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    fn check(self) -> Result<Period> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && t < f
        {
            return Err(AppError::BadQuery(Violations::one(
                "to",
                Code::OutOfRange,
                "must not be before from",
            )));
        }
        Ok(self)
    }

    fn holds(&self, r: &Record<ActivityData>) -> bool {
        // An activity with neither due date nor start falls on the day it was written.
        let day = r
            .data
            .day()
            .unwrap_or_else(|| r.meta.created_at.date_naive());
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// What the activities in a period cost.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CostSummary {
    /// One total per currency, exact, ordered by currency code.
    pub totals: Vec<Money>,
    /// How many activities with costs the totals cover.
    pub activities: usize,
}

fn summarize(rows: &[(i64, Record<ActivityData>)], period: Period) -> CostSummary {
    let counted: Vec<&Record<ActivityData>> = rows
        .iter()
        .map(|(_, r)| r)
        .filter(|r| !r.data.costs.is_empty() && period.holds(r))
        .collect();
    CostSummary {
        totals: sum_by_currency(counted.iter().flat_map(|r| r.data.cost_totals.iter())),
        activities: counted.len(),
    }
}

/// The costs of the activities on an account that the actor sees.
pub async fn account_costs(
    app: &App,
    actor: &Actor,
    account: Id,
    period: Period,
) -> Result<CostSummary> {
    actor.permit(Module::Activities, Action::Read)?;
    let period = period.check()?;
    let mut conn = app.db.reader().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    let rows = store::list_for(
        &mut conn,
        Link::Account,
        &[account],
        actor.view.as_deref(),
        None,
        None,
    )
    .await?;
    Ok(summarize(&rows, period))
}

/// The costs of a rep's activities that the actor sees.
pub async fn user_costs(app: &App, actor: &Actor, user: Id, period: Period) -> Result<CostSummary> {
    actor.permit(Module::Activities, Action::Read)?;
    let period = period.check()?;
    let mut conn = app.db.reader().await?;
    users_store::by_id(&mut conn, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::list_for(
        &mut conn,
        Link::Owner,
        &[user],
        actor.view.as_deref(),
        None,
        None,
    )
    .await?;
    Ok(summarize(&rows, period))
}
