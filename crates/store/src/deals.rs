//! Deals' table; pipelines; quotas and commission plans; and the reads the board, the
//! forecast and the account page need.

use cartera_core::Id;
use cartera_core::commissions::{CommissionBasis, CommissionPlan, Quota, QuotaKind};
use cartera_core::deals::{DealData, DealStatus, Pipeline};
use cartera_core::money::{Currency, Money};
use cartera_core::record::Record;
use cartera_core::roles::View;
use cartera_core::text::fold;

use crate::db::{Arg, Conn, DbRow, Result, Sql};
use crate::error::StoreError;
use crate::records::{Table, TerritoryLink, push_view, read_record, select_columns};

fn money(amount: Option<i64>, currency: Option<String>) -> Result<Option<Money>> {
    match (amount, currency) {
        (Some(a), Some(c)) => {
            let cur: Currency = c
                .parse()
                .map_err(|_| StoreError::Decode(format!("currency: '{c}'")))?;
            let mut m = Money::from_scaled(a, cur);
            // Money reads back with cents at least (`2350.10`, not `2350.1`).
            if m.amount.scale() < 2 {
                m.amount.rescale(2);
            }
            Ok(Some(m))
        }
        _ => Ok(None),
    }
}

fn currency(c: Option<String>) -> Result<Option<Currency>> {
    c.map(|c| {
        c.parse()
            .map_err(|_| StoreError::Decode(format!("currency: '{c}'")))
    })
    .transpose()
}

impl Table for DealData {
    const TABLE: &'static str = "deals";
    const FTS: &'static str = "deals_fts";
    // A deal belongs to its account's territory, like a contact.
    const TERRITORY: TerritoryLink = TerritoryLink::ThroughAccount;
    const EMAIL_KEYS: bool = false;
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "name_sort",
        "account_id",
        "contact_ids",
        "owner_id",
        "amount",
        "currency",
        "expected_close_date",
        "pipeline_id",
        "stage_id",
        "probability",
        "status",
        "closed_at",
        "lost_reason",
        "source",
        "campaign",
        "price_list_id",
        "lines",
        "totals",
        "competitors",
        "stage_history",
        "description",
        "tags",
        "custom",
    ];

    fn bind_data(&self, out: &mut Vec<Arg>) {
        out.push((&self.name).into());
        out.push(fold(&self.name).into());
        out.push(self.account_id.into());
        out.push(Arg::json(&self.contact_ids));
        out.push(self.owner_id.into());
        out.push(Arg::Int(self.amount.and_then(|m| m.scaled().ok())));
        out.push(
            self.currency
                .or(self.amount.map(|m| m.currency))
                .map(|c| c.as_str().to_owned())
                .into(),
        );
        out.push(self.expected_close_date.into());
        out.push(self.pipeline_id.into());
        out.push(self.stage_id.into());
        out.push(Arg::Int(self.probability.map(i64::from)));
        out.push(self.status.as_str().into());
        out.push(self.closed_at.into());
        out.push((&self.lost_reason).into());
        out.push((&self.source).into());
        out.push((&self.campaign).into());
        out.push(self.price_list_id.into());
        out.push(Arg::json(&self.lines));
        // JSON `null` rather than SQL NULL, so that the column always reads as JSON.
        out.push(Arg::json(&self.totals));
        out.push(Arg::json(&self.competitors));
        out.push(Arg::json(&self.stage_history));
        out.push((&self.description).into());
        out.push(Arg::json(&self.tags));
        out.push(Arg::json(&self.custom));
    }

    fn read_data(row: &DbRow) -> Result<Self> {
        let status = row.text("status")?;
        let cur = currency(row.opt_text("currency")?)?;
        Ok(DealData {
            name: row.text("name")?,
            account_id: row.opt_id("account_id")?,
            contact_ids: row.json("contact_ids")?,
            owner_id: row.opt_id("owner_id")?,
            amount: money(row.opt_int("amount")?, cur.map(|c| c.as_str().to_owned()))?,
            currency: cur,
            expected_close_date: row.opt_date("expected_close_date")?,
            pipeline_id: row.opt_id("pipeline_id")?,
            stage_id: row.opt_id("stage_id")?,
            probability: row
                .opt_int("probability")?
                .map(|p| u8::try_from(p).unwrap_or(0)),
            status: DealStatus::parse(&status)
                .ok_or_else(|| StoreError::Decode(format!("deal status: '{status}'")))?,
            closed_at: row.opt_time("closed_at")?,
            lost_reason: row.opt_text("lost_reason")?,
            source: row.opt_text("source")?,
            campaign: row.opt_text("campaign")?,
            price_list_id: row.opt_id("price_list_id")?,
            lines: row.json("lines")?,
            totals: row.json("totals")?,
            competitors: row.json("competitors")?,
            stage_history: row.json("stage_history")?,
            description: row.opt_text("description")?,
            tags: row.json("tags")?,
            custom: row.json("custom")?,
        })
    }

    fn column(field: &str) -> Option<&'static str> {
        Some(match field {
            "name" => "name",
            "account_id" => "account_id",
            "pipeline_id" => "pipeline_id",
            "stage_id" => "stage_id",
            "status" => "status",
            "currency" => "currency",
            "amount" => "amount",
            "probability" => "probability",
            "expected_close_date" => "expected_close_date",
            "closed_at" => "closed_at",
            "source" => "source",
            "campaign" => "campaign",
            _ => return None,
        })
    }

    fn sort_column(field: &str) -> Option<&'static str> {
        match field {
            "name" => Some("name_sort"),
            f => Self::column(f),
        }
    }
}

/// Which deals a read takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealsOf {
    Account(Id),
    Pipeline(Id),
    Owner(Id),
    All,
}

/// Live deals within `view` (when the reader sees part of the records), newest first,
/// with their `seq`; at most `limit`.
pub async fn list_for(
    c: &mut Conn,
    of: DealsOf,
    view: Option<&View>,
    before_seq: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<(i64, Record<DealData>)>> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM deals t WHERE t.deleted_at IS NULL",
        select_columns::<DealData>()
    ));
    match of {
        DealsOf::Account(id) => {
            sql.push(" AND t.account_id = ");
            sql.push_arg(id);
        }
        DealsOf::Pipeline(id) => {
            sql.push(" AND t.pipeline_id = ");
            sql.push_arg(id);
        }
        DealsOf::Owner(id) => {
            sql.push(" AND t.owner_id = ");
            sql.push_arg(id);
        }
        DealsOf::All => {}
    }
    if let Some(v) = view {
        sql.push(" AND ");
        push_view::<DealData>(&mut sql, v);
    }
    if let Some(s) = before_seq {
        sql.push(" AND t.seq < ");
        sql.push_arg(s);
    }
    sql.push(" ORDER BY t.seq DESC");
    if let Some(l) = limit {
        sql.push(" LIMIT ");
        sql.push_arg(l);
    }
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| Ok((r.int("seq")?, read_record(r)?)))
        .collect()
}

/// How many live deals sit in one of `stages` (a stage removed must be empty).
pub async fn count_in_stages(c: &mut Conn, stages: &[Id]) -> Result<Vec<(Id, i64)>> {
    if stages.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT stage_id, COUNT(*) AS n FROM deals WHERE deleted_at IS NULL AND stage_id IN (",
    );
    sql.push_args(stages);
    sql.push(") GROUP BY stage_id");
    c.fetch_all(sql)
        .await?
        .iter()
        .map(|r| Ok((r.id("stage_id")?, r.int("n")?)))
        .collect()
}

/// How many deals (live or in the trash) belong to a pipeline.
pub async fn count_in_pipeline(c: &mut Conn, pipeline: Id) -> Result<i64> {
    c.fetch_one(Sql::new("SELECT COUNT(*) AS n FROM deals WHERE pipeline_id = $1").arg(pipeline))
        .await?
        .int("n")
}

// ---- pipelines ----

const PIPELINE_COLUMNS: &str = "id, name, is_default, stages, version, created_at, updated_at";

fn read_pipeline(r: &DbRow) -> Result<Pipeline> {
    Ok(Pipeline {
        id: r.id("id")?,
        name: r.text("name")?,
        is_default: r.bool("is_default")?,
        stages: r.json("stages")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Every pipeline, the default first, then in the order they were made.
pub async fn pipelines(c: &mut Conn) -> Result<Vec<Pipeline>> {
    c.fetch_all(Sql::new(format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipelines ORDER BY is_default DESC, created_at, id"
    )))
    .await?
    .iter()
    .map(read_pipeline)
    .collect()
}

pub async fn pipeline(c: &mut Conn, id: Id) -> Result<Option<Pipeline>> {
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE id = $1"
        ))
        .arg(id),
    )
    .await?
    .map(|r| read_pipeline(&r))
    .transpose()
}

pub async fn insert_pipeline(c: &mut Conn, p: &Pipeline) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO pipelines (id, name, is_default, stages, position, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7)",
        )
        .arg(p.id)
        .arg(&p.name)
        .arg(p.is_default)
        .arg(Arg::json(&p.stages))
        .arg(p.version)
        .arg(p.created_at)
        .arg(p.updated_at),
    )
    .await?;
    Ok(())
}

/// Writes a changed pipeline if it is still at `expected_version`; false if it moved on.
pub async fn update_pipeline(c: &mut Conn, p: &Pipeline, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE pipelines SET name = $1, is_default = $2, stages = $3, version = $4, \
                 updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .arg(&p.name)
            .arg(p.is_default)
            .arg(Arg::json(&p.stages))
            .arg(p.version)
            .arg(p.updated_at)
            .arg(p.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

/// Makes `id` the only default pipeline.
pub async fn set_default_pipeline(c: &mut Conn, id: Id) -> Result<()> {
    c.execute(
        Sql::new("UPDATE pipelines SET is_default = $1 WHERE id <> $2 AND is_default = $3")
            .arg(false)
            .arg(id)
            .arg(true),
    )
    .await?;
    Ok(())
}

pub async fn delete_pipeline(c: &mut Conn, id: Id) -> Result<()> {
    c.execute(Sql::new("DELETE FROM pipelines WHERE id = $1").arg(id))
        .await?;
    Ok(())
}

// ---- quotas ----

const QUOTA_COLUMNS: &str =
    "id, user_id, period, kind, amount, currency, count, version, created_at, updated_at";

fn read_quota(r: &DbRow) -> Result<Quota> {
    let kind = r.text("kind")?;
    Ok(Quota {
        id: r.id("id")?,
        user_id: r.id("user_id")?,
        period: r.text("period")?,
        kind: QuotaKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("quota kind: '{kind}'")))?,
        amount: money(r.opt_int("amount")?, r.opt_text("currency")?)?,
        count: r.opt_int("count")?.and_then(|n| u32::try_from(n).ok()),
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Quotas, optionally of one period and/or one rep, by period then rep.
pub async fn quotas(c: &mut Conn, period: Option<&str>, user: Option<Id>) -> Result<Vec<Quota>> {
    let mut sql = Sql::new(format!("SELECT {QUOTA_COLUMNS} FROM quotas WHERE 1 = 1"));
    if let Some(p) = period {
        sql.push(" AND period = ");
        sql.push_arg(p);
    }
    if let Some(u) = user {
        sql.push(" AND user_id = ");
        sql.push_arg(u);
    }
    sql.push(" ORDER BY period, user_id");
    c.fetch_all(sql).await?.iter().map(read_quota).collect()
}

pub async fn quota(c: &mut Conn, id: Id) -> Result<Option<Quota>> {
    c.fetch_optional(Sql::new(format!("SELECT {QUOTA_COLUMNS} FROM quotas WHERE id = $1")).arg(id))
        .await?
        .map(|r| read_quota(&r))
        .transpose()
}

fn quota_args(q: &Quota) -> (Arg, Arg, Arg) {
    (
        Arg::Int(q.amount.and_then(|m| m.scaled().ok())),
        q.amount.map(|m| m.currency.as_str().to_owned()).into(),
        Arg::Int(q.count.map(i64::from)),
    )
}

pub async fn insert_quota(c: &mut Conn, q: &Quota) -> Result<()> {
    let (amount, cur, count) = quota_args(q);
    c.execute(
        Sql::new(
            "INSERT INTO quotas (id, user_id, period, kind, amount, currency, count, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .arg(q.id)
        .arg(q.user_id)
        .arg(&q.period)
        .arg(q.kind.as_str())
        .arg(amount)
        .arg(cur)
        .arg(count)
        .arg(q.version)
        .arg(q.created_at)
        .arg(q.updated_at),
    )
    .await?;
    Ok(())
}

pub async fn update_quota(c: &mut Conn, q: &Quota, expected_version: i64) -> Result<bool> {
    let (amount, cur, count) = quota_args(q);
    let n = c
        .execute(
            Sql::new(
                "UPDATE quotas SET user_id = $1, period = $2, kind = $3, amount = $4, currency = $5, \
                 count = $6, version = $7, updated_at = $8 WHERE id = $9 AND version = $10",
            )
            .arg(q.user_id)
            .arg(&q.period)
            .arg(q.kind.as_str())
            .arg(amount)
            .arg(cur)
            .arg(count)
            .arg(q.version)
            .arg(q.updated_at)
            .arg(q.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

pub async fn delete_quota(c: &mut Conn, id: Id) -> Result<()> {
    c.execute(Sql::new("DELETE FROM quotas WHERE id = $1").arg(id))
        .await?;
    Ok(())
}

// ---- commission plans ----

const PLAN_COLUMNS: &str = "id, name, default_rate, category_rates, tiers, user_ids, basis, \
                            version, created_at, updated_at";

fn read_plan(r: &DbRow) -> Result<CommissionPlan> {
    let rate = r.text("default_rate")?;
    Ok(CommissionPlan {
        id: r.id("id")?,
        name: r.text("name")?,
        default_rate: Money::parse_amount(&rate)
            .map_err(|_| StoreError::Decode(format!("default rate: '{rate}'")))?,
        category_rates: r.json("category_rates")?,
        tiers: r.json("tiers")?,
        user_ids: r.json("user_ids")?,
        basis: {
            let b = r.text("basis")?;
            CommissionBasis::parse(&b)
                .ok_or_else(|| StoreError::Decode(format!("commission basis: '{b}'")))?
        },
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

pub async fn plans(c: &mut Conn) -> Result<Vec<CommissionPlan>> {
    c.fetch_all(Sql::new(format!(
        "SELECT {PLAN_COLUMNS} FROM commission_plans ORDER BY name, id"
    )))
    .await?
    .iter()
    .map(read_plan)
    .collect()
}

pub async fn plan(c: &mut Conn, id: Id) -> Result<Option<CommissionPlan>> {
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {PLAN_COLUMNS} FROM commission_plans WHERE id = $1"
        ))
        .arg(id),
    )
    .await?
    .map(|r| read_plan(&r))
    .transpose()
}

pub async fn insert_plan(c: &mut Conn, p: &CommissionPlan) -> Result<()> {
    c.execute(
        Sql::new(
            "INSERT INTO commission_plans (id, name, default_rate, category_rates, tiers, user_ids, basis, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .arg(p.id)
        .arg(&p.name)
        .arg(p.default_rate.normalize().to_string())
        .arg(Arg::json(&p.category_rates))
        .arg(Arg::json(&p.tiers))
        .arg(Arg::json(&p.user_ids))
        .arg(p.basis.as_str())
        .arg(p.version)
        .arg(p.created_at)
        .arg(p.updated_at),
    )
    .await?;
    Ok(())
}

pub async fn update_plan(c: &mut Conn, p: &CommissionPlan, expected_version: i64) -> Result<bool> {
    let n = c
        .execute(
            Sql::new(
                "UPDATE commission_plans SET name = $1, default_rate = $2, category_rates = $3, \
                 tiers = $4, user_ids = $5, basis = $6, version = $7, updated_at = $8 \
                 WHERE id = $9 AND version = $10",
            )
            .arg(&p.name)
            .arg(p.default_rate.normalize().to_string())
            .arg(Arg::json(&p.category_rates))
            .arg(Arg::json(&p.tiers))
            .arg(Arg::json(&p.user_ids))
            .arg(p.basis.as_str())
            .arg(p.version)
            .arg(p.updated_at)
            .arg(p.id)
            .arg(expected_version),
        )
        .await?;
    Ok(n > 0)
}

pub async fn delete_plan(c: &mut Conn, id: Id) -> Result<()> {
    c.execute(Sql::new("DELETE FROM commission_plans WHERE id = $1").arg(id))
        .await?;
    Ok(())
}
