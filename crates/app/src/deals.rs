//! Deals: placing them in a pipeline, pricing their lines from the catalogue, moving
//! them between stages; pipelines; the weighted forecast; quotas and attainment;
//! commission plans and statements.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cartera_core::commissions::{
    self, Attainment, CategoryRate, Collected, CommissionBasis, CommissionPlan,
    CommissionStatement, Period, Quota, QuotaKind, Tier,
};
use cartera_core::deals::{
    ConvertedCell, DealData, DealLine, DealStatus, Forecast, ForecastCell, Month, Pipeline, Stage,
    StageOutcome,
};
use cartera_core::money::{Currency, Money};
use cartera_core::record::{Record, RecordData, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::totals::{self, TaxRate};
use cartera_core::validate::clean_opt;
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::Conn;
use cartera_store::deals as store;
/// Which deals a list holds; the server names it, so it passes through here.
pub use cartera_store::deals::DealsOf;

use crate::records::{Kind, WriteOptions, load_visible, write_update};
use crate::totals::{named_price_list, products_of};
use crate::versioned::{self, Conflict, Removable, Versioned};
use crate::{Actor, App, AppError, Result, check_version};

fn invalid(field: &str, code: Code, message: impl Into<String>) -> AppError {
    AppError::Invalid(Violations::one(field, code, message))
}

fn add_all(c: &mut Check, v: Violations) {
    for x in v.0 {
        c.add(&x.field, x.code, x.message);
    }
}

impl Kind for DealData {
    const RESOLVES: bool = true;

    fn check_transition(old: Option<&Self>, new: &Self, c: &mut Check) {
        if let Some(old) = old {
            for (field, changed) in [
                ("stage_id", old.stage_id != new.stage_id),
                ("pipeline_id", old.pipeline_id != new.pipeline_id),
            ] {
                if changed {
                    c.add(
                        field,
                        Code::ReadOnly,
                        "a deal changes stage through POST /api/v1/deals/{id}/move",
                    );
                }
            }
        }
    }

    // Written out (not `async fn`) to match the trait, whose future must be `Send`.
    #[allow(clippy::manual_async_fn)]
    fn resolve<'a>(
        conn: &'a mut Conn,
        actor: &'a Actor,
        old: Option<&'a Self>,
        new: &'a mut Self,
        now: DateTime<Utc>,
        c: &'a mut Check,
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        async move {
            let pipeline = match new.pipeline_id {
                Some(id) => match store::pipeline(conn, id).await? {
                    Some(p) => p,
                    None => {
                        c.add(
                            "pipeline_id",
                            Code::NotFound,
                            format!("there is no pipeline with id {id}"),
                        );
                        return Ok(());
                    }
                },
                None => match store::pipelines(conn).await?.into_iter().next() {
                    Some(p) => p,
                    None => {
                        c.add(
                            "pipeline_id",
                            Code::Required,
                            "there is no pipeline yet; an administrator creates one",
                        );
                        return Ok(());
                    }
                },
            };
            if old.is_none() {
                let stage = match new.stage_id {
                    Some(id) => pipeline.stage(id),
                    None => pipeline.first_open(),
                };
                let Some(stage) = stage.cloned() else {
                    c.add(
                        "stage_id",
                        Code::Invalid,
                        format!("is not a stage of the pipeline '{}'", pipeline.name),
                    );
                    return Ok(());
                };
                let chosen = new.probability;
                new.stage_history.clear();
                let reason = new.lost_reason.take();
                new.enter_stage(pipeline.id, &stage, now, Some(actor.user_id));
                new.lost_reason = reason;
                if chosen.is_some() && stage.outcome == StageOutcome::Open {
                    new.probability = chosen;
                }
            } else if new.probability.is_none() {
                // Clearing the probability goes back to the stage's.
                new.probability = new
                    .stage_id
                    .and_then(|s| pipeline.stage(s))
                    .map(|s| s.probability);
            }
            if new.status == DealStatus::Lost && new.lost_reason.is_none() {
                c.add("lost_reason", Code::Required, "a lost deal needs a reason");
            }
            if new.status != DealStatus::Lost && new.lost_reason.is_some() && old.is_none() {
                new.lost_reason = None;
            }
            price_lines(conn, actor, new, now.date_naive(), c).await
        }
    }
}

/// Fills the lines from the catalogue (description, category, tax rate, and the price
/// on the deal's price list), checks the currencies, and computes the totals; the deal's
/// amount becomes the lines' net total.
async fn price_lines(
    conn: &mut Conn,
    actor: &Actor,
    deal: &mut DealData,
    date: NaiveDate,
    c: &mut Check,
) -> Result<()> {
    let uses_catalog =
        deal.price_list_id.is_some() || deal.lines.iter().any(|l| l.product_id.is_some());
    if uses_catalog {
        actor.permit(Module::Catalog, Action::Read)?;
    }
    let list = named_price_list(conn, deal.price_list_id, c).await?;
    if let Some(l) = &list {
        match deal.currency {
            Some(cur) if cur != l.currency => c.add(
                "currency",
                Code::Invalid,
                format!("must be the price list's currency, {}", l.currency.as_str()),
            ),
            Some(_) => {}
            None => deal.currency = Some(l.currency),
        }
    }
    let products = products_of(conn, deal.lines.iter().map(|l| l.product_id)).await?;
    for (i, l) in deal.lines.iter_mut().enumerate() {
        let Some(pid) = l.product_id else {
            l.category = None;
            continue;
        };
        let Some(p) = products.get(&pid) else {
            c.add(
                &format!("lines[{i}].product_id"),
                Code::NotFound,
                format!("there is no product with id {pid}"),
            );
            continue;
        };
        l.category = p.category.clone();
        if l.description.is_none() {
            l.description = Some(p.name.clone());
        }
        if l.tax_rate.is_none() {
            l.tax_rate = Some(p.tax_rate);
        }
        if l.unit_price.is_none()
            && let Some(list) = &list
        {
            match list.price(pid, date) {
                Ok(m) => l.unit_price = Some(m),
                Err(e) => c.add(
                    &format!("lines[{i}].unit_price"),
                    Code::Required,
                    format!("give a price: {e}"),
                ),
            }
        }
    }
    if deal.currency.is_none() {
        deal.currency = deal
            .lines
            .iter()
            .find_map(|l| l.unit_price.map(|p| p.currency));
    }
    if deal.lines.is_empty() {
        deal.totals = None;
        if let (Some(m), Some(cur)) = (deal.amount, deal.currency)
            && m.currency != cur
        {
            c.add("amount", Code::Invalid, "must be in the deal's currency");
        }
        return Ok(());
    }
    if !c.is_ok() {
        return Ok(());
    }
    let Some(currency) = deal.currency else {
        c.add("currency", Code::Required, "name the deal's currency");
        return Ok(());
    };
    match deal.document(currency).and_then(|d| totals::compute(&d)) {
        Ok(t) => deal.apply_totals(&t),
        Err(v) => add_all(c, v),
    }
    Ok(())
}

/// A deal's line as a quote copies it: product, text, quantity, price, discount and tax.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuoteLine {
    pub product_id: Option<Id>,
    pub description: Option<String>,
    #[schema(value_type = String)]
    pub quantity: rust_decimal::Decimal,
    pub unit_price: Option<Money>,
    #[schema(value_type = Option<String>)]
    pub discount: Option<rust_decimal::Decimal>,
    #[schema(value_type = Option<String>)]
    pub tax_rate: Option<TaxRate>,
}

/// What a quote made from a deal starts with.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DealForQuote {
    pub deal_id: Id,
    pub account_id: Option<Id>,
    pub contact_ids: Vec<Id>,
    pub currency: Option<Currency>,
    pub price_list_id: Option<Id>,
    pub lines: Vec<QuoteLine>,
}

/// The lines of a deal the actor sees, for the quotes code to copy into a quote.
pub async fn lines_for_quote(app: &App, actor: &Actor, id: Id) -> Result<DealForQuote> {
    actor.permit(Module::Deals, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let d = load_visible::<DealData>(&mut conn, actor, id).await?;
    Ok(DealForQuote {
        deal_id: d.id,
        account_id: d.data.account_id,
        contact_ids: d.data.contact_ids.clone(),
        currency: d.data.currency,
        price_list_id: d.data.price_list_id,
        lines: d
            .data
            .lines
            .iter()
            .map(|l: &DealLine| QuoteLine {
                product_id: l.product_id,
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount: l.discount,
                tax_rate: l.tax_rate,
            })
            .collect(),
    })
}

// ---- moving ----

/// Where to move a deal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// A stage of the deal's pipeline.
    pub stage_id: Id,
    /// Required when the stage loses the deal (unless the deal has one already).
    #[serde(default)]
    pub lost_reason: Option<String>,
    /// Moves the deal to another pipeline: `stage_id` is then one of its stages (default
    /// the deal's own pipeline).
    #[serde(default)]
    pub pipeline_id: Option<Id>,
}

/// Moves a deal to another stage of its pipeline: a won or lost stage closes it, an open
/// one (re)opens it; the probability becomes the stage's.
pub async fn move_deal(
    app: &App,
    actor: &Actor,
    id: Id,
    mut input: MoveInput,
    if_match: Option<i64>,
) -> Result<Record<DealData>> {
    actor.permit(Module::Deals, Action::Edit)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let old = load_visible::<DealData>(&mut conn, actor, id).await?;
    check_version(if_match, old.meta.version)?;
    let pipeline = match input.pipeline_id {
        Some(p) => store::pipeline(&mut conn, p)
            .await?
            .ok_or_else(|| invalid("pipeline_id", Code::NotFound, "there is no such pipeline"))?,
        None => match old.data.pipeline_id {
            Some(p) => store::pipeline(&mut conn, p).await?,
            None => None,
        }
        .ok_or_else(|| invalid("stage_id", Code::Invalid, "the deal has no pipeline"))?,
    };
    let stage = pipeline.stage(input.stage_id).cloned().ok_or_else(|| {
        invalid(
            "stage_id",
            Code::Invalid,
            format!("is not a stage of the deal's pipeline '{}'", pipeline.name),
        )
    })?;
    clean_opt(&mut input.lost_reason);
    if old.data.stage_id == Some(stage.id)
        && old.data.pipeline_id == Some(pipeline.id)
        && input.lost_reason.is_none()
    {
        return Ok(old);
    }
    let mut new = old.clone();
    if old.data.stage_id != Some(stage.id) || old.data.pipeline_id != Some(pipeline.id) {
        new.data
            .enter_stage(pipeline.id, &stage, now, Some(actor.user_id));
    }
    if stage.outcome == StageOutcome::Lost {
        new.data.lost_reason = input.lost_reason.or(old.data.lost_reason.clone());
        if new.data.lost_reason.is_none() {
            return Err(invalid(
                "lost_reason",
                Code::Required,
                "a lost deal needs a reason",
            ));
        }
    }
    let mut c = Check::new();
    new.data.validate(now.date_naive(), &mut c);
    c.finish()?;
    if new.data == old.data {
        return Ok(old);
    }
    new.meta.version += 1;
    new.meta.updated_at = now;
    write_update(&mut conn, actor, now, &old, &new, WriteOptions::default()).await?;
    conn.commit().await?;
    Ok(new)
}

/// A stay in a stage, with how long it lasted (or has lasted so far).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StageStay {
    pub stage_id: Id,
    /// The stage's name (null when it was removed from the pipeline since).
    pub stage_name: Option<String>,
    pub outcome: Option<StageOutcome>,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub by: Option<Id>,
    /// Seconds in the stage, until it left or until now.
    pub seconds: i64,
    /// Whole days in the stage.
    pub days: i64,
}

/// The stages a deal went through, oldest first, with the time in each.
pub async fn stage_history(app: &App, actor: &Actor, id: Id) -> Result<Vec<StageStay>> {
    actor.permit(Module::Deals, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let d = load_visible::<DealData>(&mut conn, actor, id).await?;
    let pipeline = match d.data.pipeline_id {
        Some(p) => store::pipeline(&mut conn, p).await?,
        None => None,
    };
    Ok(stays(&d.data, pipeline.as_ref(), app.now()))
}

pub fn stays(d: &DealData, pipeline: Option<&Pipeline>, now: DateTime<Utc>) -> Vec<StageStay> {
    d.stage_history
        .iter()
        .map(|v| {
            let stage = pipeline.and_then(|p| p.stage(v.stage_id));
            let seconds = (v.left_at.unwrap_or(now) - v.entered_at)
                .num_seconds()
                .max(0);
            StageStay {
                stage_id: v.stage_id,
                stage_name: stage.map(|s| s.name.clone()),
                outcome: stage.map(|s| s.outcome),
                entered_at: v.entered_at,
                left_at: v.left_at,
                by: v.by,
                seconds,
                days: seconds / 86_400,
            }
        })
        .collect()
}

/// The live deals of an account (or of a pipeline) that the actor sees, newest first.
pub async fn deals_of(app: &App, actor: &Actor, of: DealsOf) -> Result<Vec<Record<DealData>>> {
    actor.permit(Module::Deals, Action::Read)?;
    let mut conn = app.db.reader().await?;
    Ok(
        store::list_for(&mut conn, of, actor.view.as_deref(), None, Some(2000))
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
    )
}

// ---- pipelines ----

/// A new pipeline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPipeline {
    pub name: String,
    /// Make it the default for new deals (the first pipeline always is).
    #[serde(default)]
    pub is_default: bool,
    /// In order; stage ids are given by Cartera.
    pub stages: Vec<Stage>,
}

/// A change to a pipeline: absent fields stay; `stages` is replaced whole (send a kept
/// stage with its id; a stage left out must hold no deals).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineChange {
    pub name: Option<String>,
    /// `true` makes it the default (another pipeline stops being it).
    pub is_default: Option<bool>,
    pub stages: Option<Vec<Stage>>,
}

pub async fn pipelines(app: &App, actor: &Actor) -> Result<Vec<Pipeline>> {
    versioned::list(app, actor, store::pipelines).await
}

pub async fn pipeline(app: &App, actor: &Actor, id: Id) -> Result<Pipeline> {
    versioned::get(app, actor, id).await
}

impl Versioned for Pipeline {
    const KIND: RecordKind = RecordKind::Pipeline;
    const MODULE: Module = Module::Deals;
    const FIELDS: &'static [&'static str] = &["name", "is_default", "stages"];
    const CONFLICT: Conflict = Conflict::Stale;
    versioned::stamped!();
    versioned::stored!(load: store::pipeline);

    fn normalize(&mut self) {
        Pipeline::normalize(self);
    }

    /// Its own rules; the first pipeline is the default; a stage that goes must hold
    /// no deals.
    async fn validate(
        conn: &mut Conn,
        old: Option<&Self>,
        p: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        p.validate(c);
        if !c.is_ok() {
            return Ok(());
        }
        let Some(old) = old else {
            if store::pipelines(conn).await?.is_empty() {
                p.is_default = true;
            }
            return Ok(());
        };
        let kept: HashSet<Id> = p.stages.iter().map(|s| s.id).collect();
        let removed: Vec<Id> = old
            .stages
            .iter()
            .map(|s| s.id)
            .filter(|s| !kept.contains(s))
            .collect();
        if let Some((stage, n)) = store::count_in_stages(conn, &removed)
            .await?
            .into_iter()
            .next()
        {
            let name = old.stage(stage).map(|s| s.name.clone()).unwrap_or_default();
            return Err(invalid(
                "stages",
                Code::Conflict,
                format!("the stage '{name}' still holds {n} deals; move them first"),
            ));
        }
        Ok(())
    }

    async fn insert(conn: &mut Conn, p: &Self, _now: DateTime<Utc>) -> Result<()> {
        store::insert_pipeline(conn, p).await?;
        if p.is_default {
            store::set_default_pipeline(conn, p.id).await?;
        }
        Ok(())
    }

    async fn update(conn: &mut Conn, p: &Self, expected: i64, _now: DateTime<Utc>) -> Result<bool> {
        if !store::update_pipeline(conn, p, expected).await? {
            return Ok(false);
        }
        if p.is_default {
            store::set_default_pipeline(conn, p.id).await?;
        }
        Ok(true)
    }
}

impl Removable for Pipeline {
    /// Only a pipeline that no deal uses and that is not the default goes.
    async fn remove(conn: &mut Conn, p: &Self, _now: DateTime<Utc>) -> Result<Self> {
        if p.is_default {
            return Err(AppError::Conflict(
                "the default pipeline cannot be deleted; make another one the default first".into(),
            ));
        }
        let n = store::count_in_pipeline(conn, p.id).await?;
        if n > 0 {
            return Err(AppError::Conflict(format!(
                "{n} deals belong to this pipeline"
            )));
        }
        store::delete_pipeline(conn, p.id).await?;
        Ok(p.clone())
    }
}

pub async fn create_pipeline(app: &App, actor: &Actor, input: NewPipeline) -> Result<Pipeline> {
    versioned::create(app, actor, |now, _| {
        Ok(Pipeline {
            id: Id::new(),
            name: input.name,
            is_default: input.is_default,
            stages: input.stages,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    })
    .await
}

pub async fn update_pipeline(
    app: &App,
    actor: &Actor,
    id: Id,
    change: PipelineChange,
    if_match: Option<i64>,
) -> Result<Pipeline> {
    versioned::update(app, actor, id, if_match, |p: &mut Pipeline, _| {
        versioned::given!(change => p: name, stages);
        match change.is_default {
            Some(true) => p.is_default = true,
            Some(false) if p.is_default => {
                return Err(invalid(
                    "is_default",
                    Code::Invalid,
                    "make another pipeline the default instead",
                ));
            }
            _ => {}
        }
        Ok(())
    })
    .await
}

/// Deletes a pipeline that no deal uses and that is not the default.
pub async fn delete_pipeline(app: &App, actor: &Actor, id: Id) -> Result<()> {
    versioned::delete::<Pipeline>(app, actor, id).await?;
    Ok(())
}

// ---- forecast ----

/// The months a forecast covers, both included.
#[derive(Debug, Clone, Copy)]
pub struct MonthRange {
    pub from: Month,
    pub to: Month,
}

impl MonthRange {
    /// Checks the range: `to` not before `from`, at most five years.
    pub fn new(from: Month, to: Month) -> Result<MonthRange> {
        let span = from.span(to);
        if span == 0 {
            return Err(AppError::BadQuery(Violations::one(
                "to",
                Code::OutOfRange,
                "must not be before from",
            )));
        }
        if span > 60 {
            return Err(AppError::BadQuery(Violations::one(
                "to",
                Code::OutOfRange,
                "a forecast covers at most 60 months",
            )));
        }
        Ok(MonthRange { from, to })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerCell {
    /// Null for deals nobody owns.
    pub owner_id: Option<Id>,
    #[serde(flatten)]
    pub cell: ForecastCell,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamCell {
    pub team_id: Id,
    pub team_name: String,
    #[serde(flatten)]
    pub cell: ForecastCell,
}

/// A stage as the forecast names it: its pipeline, and its place there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageName {
    /// Null for deals in a stage no pipeline has any more.
    pub stage_id: Option<Id>,
    /// Empty for such a stage.
    pub stage_name: String,
    pub pipeline_id: Option<Id>,
    pub pipeline_name: String,
}

/// One month, stage and currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageCell {
    #[serde(flatten)]
    pub stage: StageName,
    #[serde(flatten)]
    pub cell: ForecastCell,
}

/// One month and stage, every currency added up in the reporting currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageTotal {
    #[serde(flatten)]
    pub stage: StageName,
    #[serde(flatten)]
    pub total: ConvertedCell,
}

/// The weighted pipeline by month, per currency (currencies are never added together),
/// and its totals in the reporting currency at each month's exchange rate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastReport {
    #[schema(example = "2026-11")]
    pub from: String,
    #[schema(example = "2027-01")]
    pub to: String,
    /// Every deal the caller sees, by month and currency.
    pub months: Vec<ForecastCell>,
    /// By owner, month and currency.
    pub by_owner: Vec<OwnerCell>,
    /// By team (a rep on two teams counts in both), month and currency.
    pub by_team: Vec<TeamCell>,
    /// By stage (pipelines and stages in their order), month and currency: `open` is
    /// unweighted, `weighted` times each deal's probability; won deals sit in the won
    /// stage.
    pub by_stage: Vec<StageCell>,
    /// The currency of `totals` and `stage_totals` (the company settings').
    #[schema(value_type = String, example = "ARS")]
    pub reporting_currency: Currency,
    /// Currencies with deals in the range and no exchange rate for some month of theirs:
    /// those months' figures in them are left out of the totals (each total names its own).
    #[schema(value_type = Vec<String>)]
    pub unconverted: Vec<Currency>,
    /// By month, in the reporting currency: each currency's exact sums times the month's
    /// rate (or the latest earlier month's), rounded to the cent once.
    pub totals: Vec<ConvertedCell>,
    /// By stage and month, in the reporting currency.
    pub stage_totals: Vec<StageTotal>,
}

/// Pipelines and stages in their order, so the forecast lists stages as the board does.
type StageKey = (usize, usize, Option<Id>);

fn stage_key(pipelines: &[Pipeline], stage: Option<Id>) -> StageKey {
    pipelines
        .iter()
        .enumerate()
        .find_map(|(p, pl)| {
            let s = pl.stages.iter().position(|s| Some(s.id) == stage)?;
            Some((p, s, stage))
        })
        .unwrap_or((usize::MAX, usize::MAX, stage))
}

fn stage_name(pipelines: &[Pipeline], (p, s, stage_id): StageKey) -> StageName {
    let pipeline = pipelines.get(p);
    StageName {
        stage_id,
        stage_name: pipeline
            .and_then(|pl| pl.stages.get(s))
            .map(|st| st.name.clone())
            .unwrap_or_default(),
        pipeline_id: pipeline.map(|pl| pl.id),
        pipeline_name: pipeline.map(|pl| pl.name.clone()).unwrap_or_default(),
    }
}

/// The forecast of the deals the actor sees.
pub async fn forecast(app: &App, actor: &Actor, range: MonthRange) -> Result<ForecastReport> {
    actor.permit(Module::Deals, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let deals = store::list_for(&mut conn, DealsOf::All, actor.view.as_deref(), None, None).await?;
    let teams = cartera_store::teams::list(&mut conn).await?;
    let pipelines = store::pipelines(&mut conn).await?;
    // The company's rates, whoever asks: they are how the company reports, not a secret.
    let settings = crate::settings::load(&mut conn).await?;
    let mut all: Forecast<()> = Forecast::default();
    let mut by_owner: Forecast<Option<Id>> = Forecast::default();
    let mut by_team: Forecast<(String, Id)> = Forecast::default();
    let mut by_stage: Forecast<StageKey> = Forecast::default();
    for (_, d) in &deals {
        let (from, to) = (range.from, range.to);
        all.add((), &d.data, from, to);
        by_owner.add(d.data.owner_id, &d.data, from, to);
        by_stage.add(stage_key(&pipelines, d.data.stage_id), &d.data, from, to);
        if let Some(owner) = d.data.owner_id {
            for t in teams.iter().filter(|t| t.member_ids.contains(&owner)) {
                by_team.add((t.name.clone(), t.id), &d.data, from, to);
            }
        }
    }
    let (into, rates) = (settings.reporting_currency, settings.rates());
    let totals: Vec<ConvertedCell> = all
        .converted(into, &rates)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let mut unconverted: Vec<Currency> = totals
        .iter()
        .flat_map(|t| t.unconverted.iter().copied())
        .collect();
    unconverted.sort();
    unconverted.dedup();
    Ok(ForecastReport {
        from: range.from.to_string(),
        to: range.to.to_string(),
        months: all.cells().into_iter().map(|(_, c)| c).collect(),
        by_owner: by_owner
            .cells()
            .into_iter()
            .map(|(owner_id, cell)| OwnerCell { owner_id, cell })
            .collect(),
        by_team: by_team
            .cells()
            .into_iter()
            .map(|((team_name, team_id), cell)| TeamCell {
                team_id,
                team_name,
                cell,
            })
            .collect(),
        by_stage: by_stage
            .cells()
            .into_iter()
            .map(|(k, cell)| StageCell {
                stage: stage_name(&pipelines, k),
                cell,
            })
            .collect(),
        reporting_currency: into,
        unconverted,
        totals,
        stage_totals: by_stage
            .converted(into, &rates)
            .into_iter()
            .map(|(k, total)| StageTotal {
                stage: stage_name(&pipelines, k),
                total,
            })
            .collect(),
    })
}

// ---- quotas ----

/// A new quota.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuota {
    pub user_id: Id,
    /// `2026-11`, `2026-Q4` or `2026`.
    pub period: String,
    pub kind: QuotaKind,
    /// The target revenue (kind `amount`).
    #[serde(default)]
    pub amount: Option<Money>,
    /// The target number of won deals (kind `count`).
    #[serde(default)]
    pub count: Option<u32>,
}

/// A change to a quota: absent fields stay; changing `kind` drops the other kind's target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaChange {
    pub period: Option<String>,
    pub kind: Option<QuotaKind>,
    pub amount: Option<Money>,
    pub count: Option<u32>,
}

/// Whether the actor may see the quotas and commissions of `user`: everyone's with a
/// role that sees all records, else their own and their team mates'.
fn sees_user(actor: &Actor, user: Id) -> bool {
    actor.view.as_ref().is_none_or(|v| v.owners.contains(&user))
}

fn canonical_period(p: &str, c: &mut Check) -> Option<Period> {
    let parsed = Period::parse(p);
    if parsed.is_none() {
        c.add(
            "period",
            Code::Invalid,
            "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)",
        );
    }
    parsed
}

pub async fn quotas(
    app: &App,
    actor: &Actor,
    period: Option<&str>,
    user: Option<Id>,
) -> Result<Vec<Quota>> {
    actor.permit(Module::Deals, Action::Read)?;
    let period = match period {
        Some(p) => {
            let mut c = Check::new();
            let p = canonical_period(p, &mut c);
            c.finish().map_err(AppError::BadQuery)?;
            p.map(|p| p.to_string())
        }
        None => None,
    };
    let mut conn = app.db.reader().await?;
    Ok(store::quotas(&mut conn, period.as_deref(), user)
        .await?
        .into_iter()
        .filter(|q| sees_user(actor, q.user_id))
        .collect())
}

impl Versioned for Quota {
    const KIND: RecordKind = RecordKind::Quota;
    const MODULE: Module = Module::Deals;
    const FIELDS: &'static [&'static str] = &["user_id", "period", "kind", "amount", "count"];
    const CONFLICT: Conflict = Conflict::Stale;
    versioned::stamped!();
    versioned::stored!(
        load: store::quota,
        insert: store::insert_quota,
        update: store::update_quota,
    );

    /// Its own rules, an active rep, one quota per rep and period.
    async fn validate(
        conn: &mut Conn,
        _old: Option<&Self>,
        q: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        q.validate(c);
        if !crate::users::active_ids(conn, &[q.user_id])
            .await?
            .contains(&q.user_id)
        {
            c.add(
                "user_id",
                Code::NotFound,
                format!("there is no active user with id {}", q.user_id),
            );
        }
        if store::quotas(conn, Some(&q.period), Some(q.user_id))
            .await?
            .iter()
            .any(|o| o.id != q.id)
        {
            c.add(
                "period",
                Code::Duplicate,
                "this rep already has a quota for the period",
            );
        }
        Ok(())
    }
}

impl Removable for Quota {
    async fn remove(conn: &mut Conn, q: &Self, _now: DateTime<Utc>) -> Result<Self> {
        store::delete_quota(conn, q.id).await?;
        Ok(q.clone())
    }
}

pub async fn create_quota(app: &App, actor: &Actor, input: NewQuota) -> Result<Quota> {
    versioned::create(app, actor, |now, c| {
        let period = canonical_period(&input.period, c)
            .map(|p| p.to_string())
            .unwrap_or(input.period);
        Ok(Quota {
            id: Id::new(),
            user_id: input.user_id,
            period,
            kind: input.kind,
            amount: input.amount,
            count: input.count,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    })
    .await
}

pub async fn update_quota(
    app: &App,
    actor: &Actor,
    id: Id,
    change: QuotaChange,
    if_match: Option<i64>,
) -> Result<Quota> {
    versioned::update(app, actor, id, if_match, |q: &mut Quota, c| {
        if let Some(p) = change.period {
            q.period = canonical_period(&p, c).map(|p| p.to_string()).unwrap_or(p);
        }
        if let Some(k) = change.kind
            && k != q.kind
        {
            q.kind = k;
            q.amount = None;
            q.count = None;
        }
        versioned::given!(change => q: Some(amount), Some(count));
        Ok(())
    })
    .await
}

pub async fn delete_quota(app: &App, actor: &Actor, id: Id) -> Result<()> {
    versioned::delete::<Quota>(app, actor, id).await?;
    Ok(())
}

/// The won deals of each rep closed in `period` (every deal, whoever the reader is:
/// a rep's attainment does not depend on who looks at it).
async fn won_by_rep(
    conn: &mut Conn,
    period: &Period,
) -> Result<BTreeMap<Id, Vec<Record<DealData>>>> {
    let mut out: BTreeMap<Id, Vec<Record<DealData>>> = BTreeMap::new();
    for (_, d) in store::list_for(conn, DealsOf::All, None, None, None).await? {
        if let Some(owner) = d.data.owner_id
            && commissions::won_in(&d.data, period)
        {
            out.entry(owner).or_default().push(d);
        }
    }
    for deals in out.values_mut() {
        deals.sort_by_key(|d| (d.data.closed_at, d.id));
    }
    Ok(out)
}

fn parse_period(p: &str) -> Result<Period> {
    Period::parse(p).ok_or_else(|| {
        AppError::BadQuery(Violations::one(
            "period",
            Code::Invalid,
            "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)",
        ))
    })
}

/// Each quota of the period (that the actor may see) against the rep's won deals.
pub async fn attainment(app: &App, actor: &Actor, period: &str) -> Result<Vec<Attainment>> {
    actor.permit(Module::Deals, Action::Read)?;
    let period = parse_period(period)?;
    let mut conn = app.db.reader().await?;
    let quotas = store::quotas(&mut conn, Some(&period.to_string()), None).await?;
    let won = won_by_rep(&mut conn, &period).await?;
    Ok(quotas
        .iter()
        .filter(|q| sees_user(actor, q.user_id))
        .map(|q| {
            let deals: Vec<&DealData> = won
                .get(&q.user_id)
                .map(|v| v.iter().map(|r| &r.data).collect())
                .unwrap_or_default();
            commissions::attainment(q, &deals)
        })
        .collect())
}

// ---- commission plans ----

/// A new commission plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommissionPlan {
    pub name: String,
    /// Percent of a line's net amount, for lines whose category has no rate.
    #[schema(value_type = String, example = "3")]
    pub default_rate: rust_decimal::Decimal,
    #[serde(default)]
    pub category_rates: Vec<CategoryRate>,
    #[serde(default)]
    pub tiers: Vec<Tier>,
    #[serde(default)]
    pub user_ids: Vec<Id>,
    /// `won` (default) or `collected`.
    #[serde(default)]
    pub basis: CommissionBasis,
}

/// A change to a plan: absent fields stay, lists are replaced whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionPlanChange {
    pub name: Option<String>,
    #[schema(value_type = Option<String>)]
    pub default_rate: Option<rust_decimal::Decimal>,
    pub category_rates: Option<Vec<CategoryRate>>,
    pub tiers: Option<Vec<Tier>>,
    pub user_ids: Option<Vec<Id>>,
    pub basis: Option<CommissionBasis>,
}

pub async fn plans(app: &App, actor: &Actor) -> Result<Vec<CommissionPlan>> {
    versioned::list(app, actor, store::plans).await
}

pub async fn plan(app: &App, actor: &Actor, id: Id) -> Result<CommissionPlan> {
    versioned::get(app, actor, id).await
}

impl Versioned for CommissionPlan {
    const KIND: RecordKind = RecordKind::CommissionPlan;
    const MODULE: Module = Module::Deals;
    const FIELDS: &'static [&'static str] = &[
        "name",
        "default_rate",
        "category_rates",
        "tiers",
        "user_ids",
    ];
    const CONFLICT: Conflict = Conflict::Stale;
    versioned::stamped!();
    versioned::stored!(
        load: store::plan,
        insert: store::insert_plan,
        update: store::update_plan,
    );

    fn normalize(&mut self) {
        CommissionPlan::normalize(self);
    }

    /// Its own rules; each rep active and paid by this plan alone.
    async fn validate(
        conn: &mut Conn,
        _old: Option<&Self>,
        p: &mut Self,
        c: &mut Check,
    ) -> Result<()> {
        p.validate(c);
        let active = crate::users::active_ids(conn, &p.user_ids).await?;
        let others = store::plans(conn).await?;
        for (i, u) in p.user_ids.iter().enumerate() {
            if !active.contains(u) {
                c.add(
                    &format!("user_ids[{i}]"),
                    Code::NotFound,
                    format!("there is no active user with id {u}"),
                );
            } else if let Some(o) = others
                .iter()
                .find(|o| o.id != p.id && o.user_ids.contains(u))
            {
                c.add(
                    &format!("user_ids[{i}]"),
                    Code::Duplicate,
                    format!("is already paid by the plan '{}'", o.name),
                );
            }
        }
        Ok(())
    }
}

impl Removable for CommissionPlan {
    async fn remove(conn: &mut Conn, p: &Self, _now: DateTime<Utc>) -> Result<Self> {
        store::delete_plan(conn, p.id).await?;
        Ok(p.clone())
    }
}

pub async fn create_plan(
    app: &App,
    actor: &Actor,
    input: NewCommissionPlan,
) -> Result<CommissionPlan> {
    versioned::create(app, actor, |now, _| {
        Ok(CommissionPlan {
            id: Id::new(),
            name: input.name,
            default_rate: input.default_rate,
            category_rates: input.category_rates,
            tiers: input.tiers,
            user_ids: input.user_ids,
            basis: input.basis,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    })
    .await
}

pub async fn update_plan(
    app: &App,
    actor: &Actor,
    id: Id,
    change: CommissionPlanChange,
    if_match: Option<i64>,
) -> Result<CommissionPlan> {
    versioned::update(app, actor, id, if_match, |p: &mut CommissionPlan, _| {
        versioned::given!(change => p: name, default_rate, category_rates, tiers, user_ids, basis);
        Ok(())
    })
    .await
}

pub async fn delete_plan(app: &App, actor: &Actor, id: Id) -> Result<()> {
    versioned::delete::<CommissionPlan>(app, actor, id).await?;
    Ok(())
}

/// The commission statements of a period: of one rep, or of every rep on a plan that
/// the actor may see.
pub async fn commissions(
    app: &App,
    actor: &Actor,
    user: Option<Id>,
    period: &str,
) -> Result<Vec<CommissionStatement>> {
    actor.permit(Module::Deals, Action::Read)?;
    let period = parse_period(period)?;
    if let Some(u) = user
        && !sees_user(actor, u)
    {
        return Err(AppError::NotFound);
    }
    let mut conn = app.db.reader().await?;
    let plans = store::plans(&mut conn).await?;
    let quotas = store::quotas(&mut conn, Some(&period.to_string()), None).await?;
    let won = won_by_rep(&mut conn, &period).await?;
    let collected = collected_by_rep(&mut conn, &plans, &period).await?;
    let reps: Vec<Id> = match user {
        Some(u) => vec![u],
        None => {
            let mut v: Vec<Id> = plans
                .iter()
                .flat_map(|p| p.user_ids.iter().copied())
                .filter(|u| sees_user(actor, *u))
                .collect();
            v.sort();
            v.dedup();
            v
        }
    };
    let mut out = Vec::with_capacity(reps.len());
    for rep in reps {
        let plan = plans.iter().find(|p| p.user_ids.contains(&rep));
        let deals: Vec<&Record<DealData>> = won
            .get(&rep)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let data: Vec<&DealData> = deals.iter().map(|r| &r.data).collect();
        let att = quotas
            .iter()
            .find(|q| q.user_id == rep)
            .map(|q| commissions::attainment(q, &data));
        if let Some(plan) = plan.filter(|p| p.basis == CommissionBasis::Collected) {
            let paid = collected.get(&rep).map(Vec::as_slice).unwrap_or_default();
            out.push(commissions::collected_statement(
                rep,
                &period,
                plan,
                att.as_ref(),
                paid,
            ));
            continue;
        }
        let pairs: Vec<(Id, &DealData)> = deals.iter().map(|r| (r.id, &r.data)).collect();
        out.push(commissions::statement(
            rep,
            &period,
            plan,
            att.as_ref(),
            &pairs,
        ));
    }
    Ok(out)
}

/// What customers paid in the period on each rep's invoices, when a plan pays on it.
async fn collected_by_rep(
    conn: &mut Conn,
    plans: &[CommissionPlan],
    period: &Period,
) -> Result<BTreeMap<Id, Vec<Collected>>> {
    let mut out: BTreeMap<Id, Vec<Collected>> = BTreeMap::new();
    if !plans.iter().any(|p| p.basis == CommissionBasis::Collected) {
        return Ok(out);
    }
    let (from, to) = period.days();
    let rows = cartera_store::billing::payments::collected(conn, from, to).await?;
    let mut invoices = HashMap::new();
    for r in rows {
        let i = match invoices.entry(r.invoice_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                match cartera_store::billing::invoices::get(conn, r.invoice_id).await? {
                    Some(i) => e.insert(i),
                    None => continue,
                }
            }
        };
        out.entry(r.owner_id).or_default().push(Collected {
            invoice_id: i.id,
            number: i.number.clone(),
            collected_on: r.applied_on,
            amount: Money {
                amount: r.amount,
                currency: r.currency,
            },
            net: i.totals.total - i.totals.taxes,
            total: i.totals.total,
        });
    }
    Ok(out)
}

/// An account's deals show on its timeline: their creation, stage moves and closing.
pub(crate) fn account_timeline<'a>(
    conn: &'a mut Conn,
    actor: &'a Actor,
    account: Id,
    sources: &'a mut crate::timeline::Sources,
) -> crate::timeline::ContributionFuture<'a> {
    Box::pin(async move {
        if actor.may(Module::Deals, Action::Read) {
            let deals = cartera_store::deals::list_for(
                conn,
                cartera_store::deals::DealsOf::Account(account),
                actor.view.as_deref(),
                None,
                Some(500),
            )
            .await?;
            sources
                .events_of
                .extend(deals.into_iter().map(|(_, d)| d.id));
        }
        Ok(())
    })
}
