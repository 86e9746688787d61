//! Deals and the pipelines they move through: ordered stages with a default win
//! probability, deals with their lines, competitors and stage history, and the weighted
//! forecast.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::exchange::Rates;
use crate::fields::{LONG_TEXT, normalize_tags, validate_tags};
use crate::ids::Id;
use crate::money::{Currency, Money};
pub use crate::month::Month;
use crate::query::{FieldSpec, ValueKind};
use crate::record::{CustomValues, DuplicateKey, RecordData, RecordKind, Reference};
use crate::text::SearchDoc;
use crate::totals::{Document, Line, RoundingMode, TaxRate, Totals};
use crate::validate::{Check, Code, Violations, clean, clean_opt};

/// What reaching a stage means for the deal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    /// The deal is still being worked.
    #[default]
    Open,
    /// Reaching the stage wins the deal (closes it).
    Won,
    /// Reaching the stage loses the deal (closes it; a lost reason is required).
    Lost,
}

/// One step of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Given by Cartera when a stage is added; send it back to keep a stage (deals in it
    /// stay there).
    #[serde(default = "Id::new")]
    pub id: Id,
    pub name: String,
    /// The default chance of winning a deal in this stage, in percent (0 to 100).
    pub probability: u8,
    #[serde(default)]
    pub outcome: StageOutcome,
}

/// A sales process: stages in order. A company has several; one is the default for new
/// deals that name none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Pipeline {
    pub id: Id,
    pub name: String,
    pub is_default: bool,
    /// In order, first to last.
    pub stages: Vec<Stage>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const MAX_STAGES: usize = 30;

impl Pipeline {
    pub fn normalize(&mut self) {
        clean(&mut self.name);
        for s in &mut self.stages {
            clean(&mut s.name);
        }
    }

    /// A pipeline needs a name, at least one open stage, and distinct stage names and ids;
    /// won stages are certain (100 %) and lost ones hopeless (0 %).
    pub fn validate(&self, c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, 100);
        c.max_items("stages", &self.stages, MAX_STAGES);
        if !self.stages.iter().any(|s| s.outcome == StageOutcome::Open) {
            c.add("stages", Code::Required, "needs at least one open stage");
        }
        let mut names = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for (i, s) in self.stages.iter().enumerate() {
            let at = |f: &str| format!("stages[{i}].{f}");
            c.required(&at("name"), &s.name);
            c.max_chars(&at("name"), &s.name, 60);
            if !names.insert(crate::text::fold(&s.name)) {
                c.add(&at("name"), Code::Duplicate, "another stage has this name");
            }
            if !ids.insert(s.id) {
                c.add(&at("id"), Code::Duplicate, "another stage has this id");
            }
            if s.probability > 100 {
                c.add(&at("probability"), Code::OutOfRange, "must be 0 to 100");
            }
            match s.outcome {
                StageOutcome::Won if s.probability != 100 => c.add(
                    &at("probability"),
                    Code::OutOfRange,
                    "a won stage has probability 100",
                ),
                StageOutcome::Lost if s.probability != 0 => c.add(
                    &at("probability"),
                    Code::OutOfRange,
                    "a lost stage has probability 0",
                ),
                _ => {}
            }
        }
    }

    pub fn stage(&self, id: Id) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The stage a new deal starts in: the first open one.
    pub fn first_open(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.outcome == StageOutcome::Open)
    }
}

/// The pipeline a company starts with (stage names in the company's language).
pub fn default_stages(spanish: bool) -> Vec<Stage> {
    let names: [(&str, &str, u8, StageOutcome); 5] = [
        ("Calificación", "Qualification", 10, StageOutcome::Open),
        ("Propuesta", "Proposal", 40, StageOutcome::Open),
        ("Negociación", "Negotiation", 70, StageOutcome::Open),
        ("Ganado", "Won", 100, StageOutcome::Won),
        ("Perdido", "Lost", 0, StageOutcome::Lost),
    ];
    names
        .into_iter()
        .map(|(es, en, probability, outcome)| Stage {
            id: Id::new(),
            name: if spanish { es } else { en }.to_owned(),
            probability,
            outcome,
        })
        .collect()
}

/// Where a deal stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    #[default]
    Open,
    Won,
    Lost,
}

impl DealStatus {
    pub const NAMES: &'static [&'static str] = &["open", "won", "lost"];

    pub fn as_str(&self) -> &'static str {
        match self {
            DealStatus::Open => "open",
            DealStatus::Won => "won",
            DealStatus::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<DealStatus> {
        [DealStatus::Open, DealStatus::Won, DealStatus::Lost]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

impl From<StageOutcome> for DealStatus {
    fn from(o: StageOutcome) -> Self {
        match o {
            StageOutcome::Open => DealStatus::Open,
            StageOutcome::Won => DealStatus::Won,
            StageOutcome::Lost => DealStatus::Lost,
        }
    }
}

/// How much a competitor worries us on this deal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Threat {
    Low,
    #[default]
    Medium,
    High,
}

/// A competitor bidding for the same deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Competitor {
    /// The competitor's account (usually of kind `competitor`).
    pub account_id: Id,
    #[serde(default)]
    pub threat: Threat,
    /// What they offer: price, terms, strengths.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A product or service on the deal; priced from the catalogue or by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealLine {
    /// A catalogue product: its tax rate, category and (through the deal's
    /// `price_list_id`) its price apply unless the line gives its own.
    #[serde(default)]
    pub product_id: Option<Id>,
    /// Free text; the product's name when left out.
    #[serde(default)]
    pub description: Option<String>,
    #[schema(value_type = String, example = "3")]
    pub quantity: Decimal,
    /// Filled from the price list when the line names a product and no price.
    #[serde(default)]
    pub unit_price: Option<Money>,
    /// Percentage off this line, 0 to 100 (default 0).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "10")]
    pub discount: Option<Decimal>,
    /// `exempt` or a percentage; default the product's.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "21")]
    pub tax_rate: Option<TaxRate>,
    /// The product's category when the line was priced (read-only; commissions use it).
    #[serde(default)]
    pub category: Option<String>,
    /// The line's amount after its discount, before taxes (read-only).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2700.00")]
    pub net: Option<Decimal>,
}

/// The sums of a deal's lines (read-only), to the cent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealTotals {
    #[schema(value_type = String)]
    pub subtotal: Decimal,
    #[schema(value_type = String)]
    pub discounts: Decimal,
    /// Subtotal less discounts: the deal's `amount`.
    #[schema(value_type = String)]
    pub net: Decimal,
    #[schema(value_type = String)]
    pub taxes: Decimal,
    #[schema(value_type = String)]
    pub total: Decimal,
}

/// A stay of the deal in one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageVisit {
    pub stage_id: Id,
    pub entered_at: DateTime<Utc>,
    /// Null while the deal is in the stage.
    #[serde(default)]
    pub left_at: Option<DateTime<Utc>>,
    /// Who moved the deal there.
    #[serde(default)]
    pub by: Option<Id>,
}

/// The writable fields of a deal, plus what Cartera computes (status, totals, history).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DealData {
    pub name: String,
    /// The customer (required).
    pub account_id: Option<Id>,
    pub contact_ids: Vec<Id>,
    pub owner_id: Option<Id>,
    /// What the deal is worth, before taxes. When the deal has lines it is their net
    /// total, computed by Cartera.
    pub amount: Option<Money>,
    /// The deal's currency; default the amount's, the price list's or the first line's.
    pub currency: Option<Currency>,
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-15")]
    pub expected_close_date: Option<NaiveDate>,
    /// Default the company's default pipeline.
    pub pipeline_id: Option<Id>,
    /// Default the pipeline's first open stage. Changed afterwards only through
    /// `POST /api/v1/deals/{id}/move`.
    pub stage_id: Option<Id>,
    /// Chance of winning in percent; default the stage's, and reset to the new stage's
    /// on every move.
    pub probability: Option<u8>,
    /// Follows the stage's outcome (read-only).
    pub status: DealStatus,
    /// When the deal was won or lost (read-only).
    pub closed_at: Option<DateTime<Utc>>,
    /// Required while the deal is lost.
    pub lost_reason: Option<String>,
    pub source: Option<String>,
    pub campaign: Option<String>,
    /// Prices the lines that name a product and no price; its currency must be the deal's.
    pub price_list_id: Option<Id>,
    pub lines: Vec<DealLine>,
    /// The lines' sums (read-only; null without lines).
    pub totals: Option<DealTotals>,
    pub competitors: Vec<Competitor>,
    /// Every stage the deal has been in, oldest first (read-only).
    pub stage_history: Vec<StageVisit>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: CustomValues,
}

static FIELDS: &[FieldSpec] = &[
    FieldSpec::new("name", ValueKind::Text)
        .sortable()
        .not_null(),
    FieldSpec::new("account_id", ValueKind::Id),
    FieldSpec::new("pipeline_id", ValueKind::Id),
    FieldSpec::new("stage_id", ValueKind::Id),
    FieldSpec::new("status", ValueKind::Enum(DealStatus::NAMES))
        .sortable()
        .not_null(),
    FieldSpec::new("currency", ValueKind::Text).sortable(),
    FieldSpec::new("amount", ValueKind::Int).sortable(),
    FieldSpec::new("probability", ValueKind::Int).sortable(),
    FieldSpec::new("expected_close_date", ValueKind::Date).sortable(),
    FieldSpec::new("closed_at", ValueKind::Time).sortable(),
    FieldSpec::new("source", ValueKind::Text).sortable(),
    FieldSpec::new("campaign", ValueKind::Text).sortable(),
];

const MAX_LINES: usize = 200;
const MAX_COMPETITORS: usize = 20;

/// Half away from zero to the cent: how every deal figure is rounded.
pub fn to_cents(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

impl DealData {
    /// The lines as `core::totals` sees them, once every line has a price and a rate.
    /// Violations name the line's field (`lines[2].unit_price`).
    pub fn document(&self, currency: Currency) -> Result<Document, Violations> {
        let mut c = Check::new();
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate() {
            let at = |f: &str| format!("lines[{i}].{f}");
            match (l.unit_price, l.tax_rate) {
                (Some(p), Some(t)) => {
                    if p.currency != currency {
                        c.add(
                            &at("unit_price"),
                            Code::Invalid,
                            format!("must be in the deal's currency, {}", currency.as_str()),
                        );
                    }
                    lines.push(Line {
                        quantity: l.quantity,
                        unit_price: p,
                        discount: l.discount.unwrap_or_default(),
                        tax_rate: t,
                    });
                }
                (p, t) => {
                    if p.is_none() {
                        c.add(
                            &at("unit_price"),
                            Code::Required,
                            "give a price, or a product and a price list that prices it",
                        );
                    }
                    if t.is_none() {
                        c.add(
                            &at("tax_rate"),
                            Code::Required,
                            "give a tax rate, or a product",
                        );
                    }
                }
            }
        }
        c.finish()?;
        Ok(Document {
            currency,
            lines,
            discount: Decimal::ZERO,
            rounding: RoundingMode::PerLine,
        })
    }

    /// Writes the lines' nets and the totals, and makes the amount their net total.
    pub fn apply_totals(&mut self, t: &Totals) {
        for (l, net) in self.lines.iter_mut().zip(&t.line_nets) {
            l.net = Some(*net);
        }
        let net = t.subtotal - t.discounts;
        self.totals = Some(DealTotals {
            subtotal: t.subtotal,
            discounts: t.discounts,
            net,
            taxes: t.taxes,
            total: t.total,
        });
        self.amount = Some(Money {
            amount: net,
            currency: t.currency,
        });
    }

    /// Enters `stage` at `now`: closes the current visit, sets status, probability and
    /// the closing time. Moving to an open stage reopens a closed deal.
    pub fn enter_stage(&mut self, pipeline: Id, stage: &Stage, now: DateTime<Utc>, by: Option<Id>) {
        if let Some(last) = self.stage_history.last_mut()
            && last.left_at.is_none()
        {
            last.left_at = Some(now);
        }
        self.stage_history.push(StageVisit {
            stage_id: stage.id,
            entered_at: now,
            left_at: None,
            by,
        });
        self.pipeline_id = Some(pipeline);
        self.stage_id = Some(stage.id);
        self.probability = Some(stage.probability);
        self.status = stage.outcome.into();
        self.closed_at = match self.status {
            DealStatus::Open => None,
            _ => Some(now),
        };
        if self.status != DealStatus::Lost {
            self.lost_reason = None;
        }
    }

    /// The expected revenue: amount × probability, exact (rounded where it is summed).
    pub fn weighted(&self) -> Option<Money> {
        let m = self.amount?;
        let p = Decimal::from(self.probability.unwrap_or(0));
        Some(Money {
            amount: m.amount * p / Decimal::ONE_HUNDRED,
            currency: m.currency,
        })
    }
}

impl RecordData for DealData {
    const KIND: RecordKind = RecordKind::Deal;
    const READ_ONLY: &'static [&'static str] = &["status", "closed_at", "totals", "stage_history"];

    fn normalize(&mut self) {
        clean(&mut self.name);
        clean_opt(&mut self.lost_reason);
        clean_opt(&mut self.source);
        clean_opt(&mut self.campaign);
        clean_opt(&mut self.description);
        normalize_tags(&mut self.tags);
        let mut seen = std::collections::HashSet::new();
        self.contact_ids.retain(|id| seen.insert(*id));
        for l in &mut self.lines {
            clean_opt(&mut l.description);
            l.quantity = l.quantity.normalize();
        }
        for c in &mut self.competitors {
            clean_opt(&mut c.notes);
        }
        if let Some(m) = &mut self.amount {
            m.amount = m.amount.normalize();
            if m.amount.scale() < 2 {
                m.amount.rescale(2);
            }
        }
        if self.currency.is_none() {
            self.currency = self.amount.map(|m| m.currency);
        }
    }

    fn validate(&self, _today: NaiveDate, c: &mut Check) {
        c.required("name", &self.name);
        c.max_chars("name", &self.name, 200);
        if self.account_id.is_none() {
            c.add("account_id", Code::Required, "is required");
        }
        c.opt_max_chars("lost_reason", &self.lost_reason, 1000);
        c.opt_max_chars("source", &self.source, 100);
        c.opt_max_chars("campaign", &self.campaign, 200);
        c.opt_max_chars("description", &self.description, LONG_TEXT);
        validate_tags("tags", &self.tags, c);
        c.max_items("contact_ids", &self.contact_ids, 100);
        c.max_items("lines", &self.lines, MAX_LINES);
        c.max_items("competitors", &self.competitors, MAX_COMPETITORS);
        if let Some(p) = self.probability
            && p > 100
        {
            c.add("probability", Code::OutOfRange, "must be 0 to 100");
        }
        if let Some(m) = &self.amount {
            if m.amount < Decimal::ZERO {
                c.add("amount", Code::OutOfRange, "must not be negative");
            } else if Money::new(m.amount, m.currency).is_err() {
                c.add(
                    "amount",
                    Code::Invalid,
                    "at most 4 decimal places, within range",
                );
            }
            if self.currency.is_some_and(|cur| cur != m.currency) && self.lines.is_empty() {
                c.add("amount", Code::Invalid, "must be in the deal's currency");
            }
        }
        for (i, l) in self.lines.iter().enumerate() {
            let at = |f: &str| format!("lines[{i}].{f}");
            c.opt_max_chars(&at("description"), &l.description, 2000);
            if l.quantity <= Decimal::ZERO {
                c.add(&at("quantity"), Code::OutOfRange, "must be more than 0");
            }
            if l.product_id.is_none() && l.description.is_none() {
                c.add(
                    &at("description"),
                    Code::Required,
                    "a line without a product needs a description",
                );
            }
            if let Some(d) = l.discount
                && (d < Decimal::ZERO || d > Decimal::ONE_HUNDRED)
            {
                c.add(&at("discount"), Code::OutOfRange, "must be 0 to 100");
            }
        }
        for (i, comp) in self.competitors.iter().enumerate() {
            c.opt_max_chars(&format!("competitors[{i}].notes"), &comp.notes, 2000);
            if Some(comp.account_id) == self.account_id {
                c.add(
                    &format!("competitors[{i}].account_id"),
                    Code::Invalid,
                    "the customer cannot be its own competitor",
                );
            }
        }
    }

    fn owner_id(&self) -> Option<Id> {
        self.owner_id
    }

    fn tags(&self) -> &[String] {
        &self.tags
    }

    fn custom(&self) -> &CustomValues {
        &self.custom
    }

    fn custom_mut(&mut self) -> &mut CustomValues {
        &mut self.custom
    }

    fn search_document(&self) -> String {
        let mut d = SearchDoc::new();
        d.push(&self.name)
            .push_opt(&self.source)
            .push_opt(&self.campaign)
            .push_opt(&self.description);
        for l in &self.lines {
            d.push_opt(&l.description);
        }
        d.finish()
    }

    fn duplicate_keys(&self) -> Vec<DuplicateKey> {
        // Two deals of the same name with one customer are normal (renewals): no keys.
        Vec::new()
    }

    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(id) = self.account_id {
            out.push(Reference {
                field: "account_id",
                target: RecordKind::Account,
                id,
            });
        }
        for id in &self.contact_ids {
            out.push(Reference {
                field: "contact_ids",
                target: RecordKind::Contact,
                id: *id,
            });
        }
        for c in &self.competitors {
            out.push(Reference {
                field: "competitors",
                target: RecordKind::Account,
                id: c.account_id,
            });
        }
        out.extend(crate::record::owner_and_territory(self.owner_id, None));
        out
    }

    fn title(&self) -> String {
        self.name.clone()
    }

    fn subtitle(&self) -> Option<String> {
        self.amount
            .map(|m| format!("{} {}", to_cents(m.amount), m.currency.as_str()))
    }

    fn fields() -> &'static [FieldSpec] {
        FIELDS
    }
}

/// One cell of the forecast: a month, an owner and a currency.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ForecastCell {
    #[schema(example = "2026-12")]
    pub month: String,
    pub currency: Currency,
    /// Open deals expected to close in the month: their amounts.
    #[schema(value_type = String)]
    pub open: Decimal,
    /// Open deals: amount × probability, summed exactly, then rounded to the cent.
    #[schema(value_type = String)]
    pub weighted: Decimal,
    /// Deals won in the month (by the day they closed).
    #[schema(value_type = String)]
    pub won: Decimal,
    pub open_deals: usize,
    pub won_deals: usize,
}

#[derive(Debug, Default)]
struct Sums {
    open: Decimal,
    weighted: Decimal,
    won: Decimal,
    open_deals: usize,
    won_deals: usize,
}

/// Forecast sums keyed by (month, currency) for any grouping key `K`.
#[derive(Debug)]
pub struct Forecast<K: Ord> {
    cells: BTreeMap<(K, Month, Currency), Sums>,
}

impl<K: Ord + Clone> Default for Forecast<K> {
    fn default() -> Self {
        Forecast {
            cells: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone> Forecast<K> {
    /// Counts a deal under `key` when it falls between `from` and `to` (months
    /// included): an open deal by its expected close month, a won one by the month it
    /// closed. Lost deals, and open deals without a close date or an amount, count nowhere.
    pub fn add(&mut self, key: K, deal: &DealData, from: Month, to: Month) {
        let Some(amount) = deal.amount else { return };
        let month = match deal.status {
            DealStatus::Open => deal.expected_close_date.map(Month::of),
            DealStatus::Won => deal.closed_at.map(|t| Month::of(t.date_naive())),
            DealStatus::Lost => None,
        };
        let Some(month) = month.filter(|m| *m >= from && *m <= to) else {
            return;
        };
        let s = self.cells.entry((key, month, amount.currency)).or_default();
        match deal.status {
            DealStatus::Open => {
                s.open += amount.amount;
                s.weighted += deal.weighted().map(|w| w.amount).unwrap_or_default();
                s.open_deals += 1;
            }
            DealStatus::Won => {
                s.won += amount.amount;
                s.won_deals += 1;
            }
            DealStatus::Lost => {}
        }
    }

    /// The cells in key, month and currency order, each figure rounded to the cent.
    pub fn cells(&self) -> Vec<(K, ForecastCell)> {
        self.cells
            .iter()
            .map(|((k, m, cur), s)| {
                (
                    k.clone(),
                    ForecastCell {
                        month: m.to_string(),
                        currency: *cur,
                        open: to_cents(s.open),
                        weighted: to_cents(s.weighted),
                        won: to_cents(s.won),
                        open_deals: s.open_deals,
                        won_deals: s.won_deals,
                    },
                )
            })
            .collect()
    }
}

/// A forecast cell added up in the reporting currency: each currency's exact sums times
/// its rate for the month, rounded to the cent once. Deal counts are those converted.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConvertedCell {
    #[serde(flatten)]
    pub cell: ForecastCell,
    /// Currencies with deals in this cell but no rate for its month (nor an earlier
    /// one): left out of the figures above.
    #[schema(value_type = Vec<String>)]
    pub unconverted: Vec<Currency>,
}

impl<K: Ord + Clone> Forecast<K> {
    /// The cells per key and month in `into`, the currencies without a rate left out
    /// and named. A product too large for a decimal counts as unconverted too.
    pub fn converted(&self, into: Currency, rates: &Rates) -> Vec<(K, ConvertedCell)> {
        let mut out: BTreeMap<(K, Month), (Sums, Vec<Currency>)> = BTreeMap::new();
        for ((k, m, cur), s) in &self.cells {
            let (sum, missing) = out.entry((k.clone(), *m)).or_default();
            let times = |d: Decimal, r: Decimal| d.checked_mul(r);
            let converted = rates
                .rate(*m, *cur)
                .and_then(|r| Some((times(s.open, r)?, times(s.weighted, r)?, times(s.won, r)?)));
            let added = converted.and_then(|(open, weighted, won)| {
                Some((
                    sum.open.checked_add(open)?,
                    sum.weighted.checked_add(weighted)?,
                    sum.won.checked_add(won)?,
                ))
            });
            match added {
                Some((open, weighted, won)) => {
                    sum.open = open;
                    sum.weighted = weighted;
                    sum.won = won;
                    sum.open_deals += s.open_deals;
                    sum.won_deals += s.won_deals;
                }
                None => missing.push(*cur),
            }
        }
        out.into_iter()
            .map(|((k, m), (s, unconverted))| {
                let cell = ForecastCell {
                    month: m.to_string(),
                    currency: into,
                    open: to_cents(s.open),
                    weighted: to_cents(s.weighted),
                    won: to_cents(s.won),
                    open_deals: s.open_deals,
                    won_deals: s.won_deals,
                };
                (k, ConvertedCell { cell, unconverted })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn eur(s: &str) -> Money {
        Money {
            amount: Decimal::from_str(s).unwrap(),
            currency: "EUR".parse().unwrap(),
        }
    }

    #[test]
    fn default_pipeline_is_valid_and_starts_open() {
        let p = Pipeline {
            id: Id::new(),
            name: "Ventas".into(),
            is_default: true,
            stages: default_stages(true),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let mut c = Check::new();
        p.validate(&mut c);
        assert!(c.is_ok());
        assert_eq!(p.first_open().unwrap().name, "Calificación");
    }

    #[test]
    fn won_stage_must_be_certain() {
        let mut stages = default_stages(false);
        stages[3].probability = 90;
        let p = Pipeline {
            id: Id::new(),
            name: "Sales".into(),
            is_default: false,
            stages,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let mut c = Check::new();
        p.validate(&mut c);
        let v = c.into_violations();
        assert_eq!(v[0].field, "stages[3].probability");
    }

    #[test]
    fn entering_stages_closes_and_reopens() {
        let stages = default_stages(false);
        let pid = Id::new();
        let t0 = Utc::now();
        let t1 = t0 + chrono::Duration::days(3);
        let mut d = DealData::default();
        d.enter_stage(pid, &stages[0], t0, None);
        d.lost_reason = Some("price".into());
        d.enter_stage(pid, &stages[4], t1, None);
        assert_eq!(d.status, DealStatus::Lost);
        assert_eq!(d.closed_at, Some(t1));
        assert_eq!(d.stage_history[0].left_at, Some(t1));
        d.enter_stage(pid, &stages[1], t1, None);
        assert_eq!(d.status, DealStatus::Open);
        assert_eq!(d.closed_at, None);
        assert_eq!(d.lost_reason, None);
        assert_eq!(d.probability, Some(40));
        assert_eq!(d.stage_history.len(), 3);
    }

    #[test]
    fn forecast_weights_and_never_mixes_currencies() {
        let from = Month::parse("2026-11").unwrap();
        let to = Month::parse("2026-12").unwrap();
        let mut f: Forecast<u8> = Forecast::default();
        let open = |amount: Money, p: u8, day: &str| DealData {
            amount: Some(amount),
            probability: Some(p),
            expected_close_date: Some(day.parse().unwrap()),
            ..DealData::default()
        };
        f.add(1, &open(eur("1000.05"), 33, "2026-12-01"), from, to);
        f.add(1, &open(eur("10"), 50, "2026-12-20"), from, to);
        let mut ars = open(eur("500"), 50, "2026-12-20");
        ars.amount = Some(Money {
            amount: Decimal::from(500),
            currency: "ARS".parse().unwrap(),
        });
        f.add(1, &ars, from, to);
        f.add(1, &open(eur("99"), 50, "2027-01-01"), from, to);
        let cells = f.cells();
        assert_eq!(cells.len(), 2);
        // 1000.05 × 0.33 = 330.0165, + 10 × 0.5 = 335.0165 -> 335.02
        let eur_cell = cells
            .iter()
            .find(|(_, c)| c.currency.as_str() == "EUR")
            .unwrap();
        assert_eq!(eur_cell.1.weighted.to_string(), "335.02");
        assert_eq!(eur_cell.1.open.to_string(), "1010.05");
        assert_eq!(eur_cell.1.open_deals, 2);
    }

    #[test]
    fn converted_cells_add_currencies_at_the_months_rate() {
        use crate::exchange::{ExchangeRate, Rates};
        let from = Month::parse("2026-11").unwrap();
        let to = Month::parse("2026-12").unwrap();
        let deal = |amount: &str, cur: &str, p: u8, day: &str| DealData {
            amount: Some(Money {
                amount: Decimal::from_str(amount).unwrap(),
                currency: cur.parse().unwrap(),
            }),
            probability: Some(p),
            expected_close_date: Some(day.parse().unwrap()),
            ..DealData::default()
        };
        let mut f: Forecast<()> = Forecast::default();
        f.add((), &deal("1000", "USD", 40, "2026-11-10"), from, to);
        f.add((), &deal("250.10", "ARS", 50, "2026-11-20"), from, to);
        f.add((), &deal("99", "EUR", 50, "2026-11-20"), from, to);
        f.add((), &deal("10", "USD", 100, "2026-12-01"), from, to);
        let rates = Rates::new(
            Currency::ARS,
            &[ExchangeRate {
                month: "2026-11".into(),
                currency: "USD".parse().unwrap(),
                rate: Decimal::from_str("1050.5").unwrap(),
            }],
        );
        let cells = f.converted(Currency::ARS, &rates);
        assert_eq!(cells.len(), 2);
        let nov = &cells[0].1;
        // 1000 × 1050.5 + 250.10; weighted 400 × 1050.5 + 125.05; EUR has no rate.
        assert_eq!(nov.cell.open.to_string(), "1050750.10");
        assert_eq!(nov.cell.weighted.to_string(), "420325.05");
        assert_eq!(nov.cell.open_deals, 2);
        assert_eq!(nov.unconverted, vec!["EUR".parse::<Currency>().unwrap()]);
        // December takes November's rate.
        assert_eq!(cells[1].1.cell.weighted.to_string(), "10505.00");
    }

    #[test]
    fn months_parse_strictly() {
        assert!(Month::parse("2026-13").is_none());
        assert!(Month::parse("2026-1").is_none());
        assert_eq!(Month::parse("2026-02").unwrap().to_string(), "2026-02");
        let a = Month::parse("2026-11").unwrap();
        assert_eq!(a.span(Month::parse("2027-01").unwrap()), 3);
    }
}
