//! The risk light on an account, a deal, a quote and an order: the customer's overdue
//! debt and bounced cheques read into green, amber or red, what the company's policy
//! does at that level, and the managers' approvals that let a sale go on. A leaf that
//! quotes and orders ask before a quote is sent or an order confirmed.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::billing::cheques::{Cheque, ChequeState};
use cartera_core::billing::risk::credit_used_percent;
pub use cartera_core::billing::risk::{RiskAction, RiskLevel};
use cartera_core::money::Money;
use cartera_core::roles::{Action, Module};
use cartera_store::billing::cheques::{self as cheques_store, ChequeFilter};
use cartera_store::billing::ledger as store;
use cartera_store::billing::risk as risk_store;
use cartera_store::{Conn, records as records_store};

use crate::records::load_visible;
use crate::{Actor, App, AppError, Result};

/// The risk light on an account, a deal, a quote and an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Risk {
    pub level: RiskLevel,
    /// What the customer owes, per currency.
    pub balance: Vec<Money>,
    /// What is past due, per currency.
    pub overdue: Vec<Money>,
    /// Days past due of the oldest open charge (0: nothing overdue).
    pub oldest_days_overdue: i64,
    /// The customer's cheques bounced in the last 12 months.
    pub bounced_cheques_12m: i64,
    /// The customer's cheques in the wallet, not yet deposited.
    pub cheques_on_hand: i64,
    /// What those cheques add up to, per currency.
    pub cheques_on_hand_amount: Vec<Money>,
    /// The customer's credit limit (the accounts' custom field the settings'
    /// `billing.credit_limit_field` names), if it has one.
    pub credit_limit: Option<Money>,
    /// The balance in the limit's currency, in percent of the limit (over 100: at least
    /// amber).
    #[schema(value_type = Option<String>, example = "63.50")]
    pub credit_used_percent: Option<Decimal>,
    /// What the company's policy does at this level: `warn`, or `approval` (a new quote
    /// is not sent nor an order confirmed without a manager's approval); absent when green.
    pub action: Option<RiskAction>,
    /// Until when a manager's approval covers this level, if one does.
    #[schema(value_type = Option<String>, example = "2026-12-13")]
    pub approved_until: Option<NaiveDate>,
}

impl Risk {
    /// Whether the customer owes more than its credit limit.
    pub fn over_limit(&self) -> bool {
        self.credit_limit.is_some_and(|l| {
            l.amount > Decimal::ZERO
                && self
                    .balance
                    .iter()
                    .any(|b| b.currency == l.currency && b.amount > l.amount)
        })
    }

    /// Whether a new quote or order must wait for a manager.
    pub fn blocks(&self) -> bool {
        self.action == Some(RiskAction::Approval) && self.approved_until.is_none()
    }

    /// Why, in a sentence (the 409's detail).
    pub fn why(&self) -> String {
        let mut parts = Vec::new();
        if self.oldest_days_overdue > 0 {
            parts.push(format!("{} days overdue", self.oldest_days_overdue));
        }
        if self.bounced_cheques_12m > 0 {
            parts.push(format!(
                "{} bounced cheque(s) in 12 months",
                self.bounced_cheques_12m
            ));
        }
        if let Some(p) = self
            .credit_used_percent
            .filter(|p| *p > Decimal::ONE_HUNDRED)
        {
            parts.push(format!("{p} % of the credit limit used"));
        }
        format!(
            "the customer's risk is {} ({}): a manager must approve before a quote is sent \
             or an order confirmed",
            self.level.as_str(),
            parts.join(", ")
        )
    }
}

/// The risk light of an account (404 outside the actor's view).
pub async fn risk(app: &App, actor: &Actor, account: Id) -> Result<Risk> {
    actor.permit(Module::Billing, Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    risk_of(&mut conn, app.today(), account).await
}

/// The risk light of an account the caller already may see, or `None` when the actor
/// does not read billing (the light is simply not shown).
pub async fn light(app: &App, actor: &Actor, account: Id) -> Result<Option<Risk>> {
    if !actor.may(Module::Billing, Action::Read) {
        return Ok(None);
    }
    let mut conn = app.db.reader().await?;
    Ok(Some(risk_of(&mut conn, app.today(), account).await?))
}

pub(crate) async fn risk_of(conn: &mut Conn, today: NaiveDate, account: Id) -> Result<Risk> {
    let mut balance = Vec::new();
    let mut overdue = Vec::new();
    let mut oldest = 0;
    let since = today - Duration::days(365);
    for cur in store::currencies(conn, account).await? {
        let l = store::ledger(conn, account, cur).await?;
        let b = l.balance(today);
        if !b.is_zero() {
            balance.push(Money {
                amount: b,
                currency: cur,
            });
        }
        let items = l.open_items(today);
        let due: Decimal = items
            .iter()
            .filter(|i| i.days_overdue > 0)
            .map(|i| i.open)
            .sum();
        if due > Decimal::ZERO {
            overdue.push(Money {
                amount: due,
                currency: cur,
            });
        }
        oldest = items.iter().map(|i| i.days_overdue).fold(oldest, i64::max);
    }
    let (on_hand, bounced) = wallet_of(conn, account, since).await?;
    let on_hand_amount = cartera_core::activities::sum_by_currency(
        on_hand
            .iter()
            .map(|q| Money {
                amount: q.amount,
                currency: q.currency,
            })
            .collect::<Vec<_>>()
            .iter(),
    );
    let billing = crate::settings::load(conn).await?.billing;
    let credit_limit = match &billing.credit_limit_field {
        Some(field) => credit_limit_of(conn, account, field).await?,
        None => None,
    };
    let owed = |limit: &Money| {
        balance
            .iter()
            .find(|b| b.currency == limit.currency)
            .map_or(Decimal::ZERO, |b| b.amount)
    };
    let credit_used_percent =
        credit_limit.and_then(|limit| credit_used_percent(owed(&limit), limit.amount));
    let over_limit = credit_limit.is_some_and(|l| l.amount > Decimal::ZERO && owed(&l) > l.amount);
    let level = RiskLevel::of(oldest, bounced).with_credit(over_limit);
    let policy = billing.risk_policy;
    let action = policy.action(level);
    let approved_until = if level == RiskLevel::Green {
        None
    } else {
        risk_store::valid_on(conn, account, today)
            .await?
            .into_iter()
            .filter(|a| a.level == level.as_str() || a.level == RiskLevel::Red.as_str())
            .map(|a| a.valid_until)
            .max()
    };
    Ok(Risk {
        level,
        balance,
        overdue,
        oldest_days_overdue: oldest,
        bounced_cheques_12m: bounced,
        cheques_on_hand: i64::try_from(on_hand.len()).unwrap_or(i64::MAX),
        cheques_on_hand_amount: on_hand_amount,
        credit_limit,
        credit_used_percent,
        action,
        approved_until,
    })
}

/// The account's credit limit: its custom field `field`, when it holds an amount.
async fn credit_limit_of(conn: &mut Conn, account: Id, field: &str) -> Result<Option<Money>> {
    let Some(a) = records_store::get::<AccountData>(conn, account).await? else {
        return Ok(None);
    };
    Ok(a.data
        .custom
        .get(field)
        .and_then(|v| serde_json::from_value::<Money>(v.clone()).ok()))
}

/// Stops a new quote or order for a customer whose risk needs a manager's approval that
/// nobody gave (409 saying why); in the caller's transaction.
pub(crate) async fn gate(conn: &mut Conn, app: &App, account: Id) -> Result<()> {
    let risk = risk_of(conn, app.today(), account).await?;
    if risk.blocks() {
        return Err(AppError::Conflict(risk.why()));
    }
    Ok(())
}

/// A manager's approval.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// Why selling to this customer is fine for now.
    pub reason: String,
    /// Days it is good for (1 to 90, default 7).
    pub days: Option<i64>,
}

/// Days an approval is good for unless the manager says otherwise.
pub const APPROVAL_DAYS: i64 = 7;

/// A manager (billing admin) approves selling to a risky customer at its present level,
/// for some days: audited on the account. Green needs nothing: 409.
pub async fn approve(app: &App, actor: &Actor, account: Id, input: ApprovalInput) -> Result<Risk> {
    actor.permit(Module::Billing, Action::Admin)?;
    let reason = input.reason.trim().to_owned();
    let days = input.days.unwrap_or(APPROVAL_DAYS);
    let mut c = cartera_core::Check::new();
    c.required("reason", &reason);
    c.max_chars("reason", &reason, 500);
    if !(1..=90).contains(&days) {
        c.add("days", cartera_core::Code::OutOfRange, "from 1 to 90 days");
    }
    c.finish()?;
    let now = app.now();
    let today = now.date_naive();
    let mut conn = app.db.begin().await?;
    load_visible::<AccountData>(&mut conn, actor, account).await?;
    let risk = risk_of(&mut conn, today, account).await?;
    if risk.level == RiskLevel::Green {
        return Err(AppError::Conflict(
            "the customer's risk is green: nothing to approve".into(),
        ));
    }
    let valid_until = today + Duration::days(days);
    risk_store::insert(
        &mut conn,
        &risk_store::Approval {
            id: Id::new(),
            account_id: account,
            level: risk.level.as_str().to_owned(),
            reason: reason.clone(),
            approved_by: actor.user_id,
            approved_at: now,
            valid_until,
        },
    )
    .await?;
    let ev = actor.at(now).event(
        cartera_core::audit::AuditAction::Updated,
        cartera_core::RecordKind::Account,
        account,
        vec![cartera_core::record::FieldChange {
            field: "risk_approval".into(),
            old: serde_json::Value::Null,
            new: serde_json::json!({
                "level": risk.level.as_str(),
                "reason": reason,
                "valid_until": valid_until,
            }),
        }],
    );
    crate::events::write(&mut conn, ev).await?;
    let risk = risk_of(&mut conn, today, account).await?;
    conn.commit().await?;
    Ok(risk)
}

/// Cheques on hand and their sum, and those bounced since `since`, of one account.
pub(crate) async fn wallet_of(
    conn: &mut Conn,
    account: Id,
    since: NaiveDate,
) -> Result<(Vec<Cheque>, i64)> {
    let on_hand = cheques_store::list(
        conn,
        &ChequeFilter {
            account: Some(account),
            state: Some(ChequeState::OnHand),
            ..ChequeFilter::default()
        },
        None,
        500,
        0,
    )
    .await?;
    let bounced = cheques_store::list(
        conn,
        &ChequeFilter {
            account: Some(account),
            state: Some(ChequeState::Bounced),
            since: Some(since),
            ..ChequeFilter::default()
        },
        None,
        500,
        0,
    )
    .await?;
    Ok((on_hand, i64::try_from(bounced.len()).unwrap_or(i64::MAX)))
}
