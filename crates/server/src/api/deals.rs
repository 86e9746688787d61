//! Deals beyond the generic record endpoints: moving them between stages, their stage
//! history and lines for a quote; pipelines; the forecast; quotas and attainment;
//! commission plans and statements.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::deals::{
    self, CommissionPlanChange, DealForQuote, ForecastReport, MonthRange, MoveInput,
    NewCommissionPlan, NewPipeline, NewQuota, PipelineChange, QuotaChange, StageStay,
};
use cartera_core::commissions::{Attainment, CommissionPlan, CommissionStatement, Quota};
use cartera_core::deals::{DealData, Month, Pipeline};
use cartera_core::{Code, Id};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, Input, QueryPairs, RecordId};
use super::kinds::ApiKind;
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

async fn move_deal(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    Input(input): Input<MoveInput>,
) -> Result<Response, ApiError> {
    let rec = deals::move_deal(&s.app, &actor, id, input, v).await?;
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

async fn stages(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Vec<StageStay>>, ApiError> {
    Ok(Json(deals::stage_history(&s.app, &actor, id).await?))
}

async fn quote_lines(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<DealForQuote>, ApiError> {
    Ok(Json(deals::lines_for_quote(&s.app, &actor, id).await?))
}

async fn list_pipelines(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<Pipeline>>, ApiError> {
    Ok(Json(Page {
        data: deals::pipelines(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn read_pipeline(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let p = deals::pipeline(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn create_pipeline(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewPipeline>,
) -> Result<Response, ApiError> {
    let p = deals::create_pipeline(&s.app, &actor, input).await?;
    let at = format!("/api/v1/pipelines/{}", p.id);
    Ok(record_response(
        StatusCode::CREATED,
        &p,
        p.version,
        Some(at),
    ))
}

async fn update_pipeline(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    Input(change): Input<PipelineChange>,
) -> Result<Response, ApiError> {
    let p = deals::update_pipeline(&s.app, &actor, id, change, v).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn delete_pipeline(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    deals::delete_pipeline(&s.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn month(q: &QueryPairs, key: &str) -> Result<Month, ApiError> {
    let v = q
        .get(key)
        .ok_or_else(|| ApiError::bad_field(key, Code::Required, "a month as YYYY-MM"))?;
    Month::parse(v).ok_or_else(|| ApiError::bad_field(key, Code::Invalid, "a month as YYYY-MM"))
}

async fn forecast(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<ForecastReport>, ApiError> {
    q.only(&["from", "to"])?;
    let range = MonthRange::new(month(&q, "from")?, month(&q, "to")?)?;
    Ok(Json(deals::forecast(&s.app, &actor, range).await?))
}

fn opt_id(q: &QueryPairs, key: &str) -> Result<Option<Id>, ApiError> {
    q.get(key)
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::bad_field(key, Code::Invalid, "must be an id"))
        })
        .transpose()
}

async fn list_quotas(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Quota>>, ApiError> {
    q.only(&["period", "user_id"])?;
    let user = opt_id(&q, "user_id")?;
    Ok(Json(Page {
        data: deals::quotas(&s.app, &actor, q.get("period"), user).await?,
        next_cursor: None,
    }))
}

async fn create_quota(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewQuota>,
) -> Result<Response, ApiError> {
    let qu = deals::create_quota(&s.app, &actor, input).await?;
    let at = format!("/api/v1/quotas/{}", qu.id);
    Ok(record_response(
        StatusCode::CREATED,
        &qu,
        qu.version,
        Some(at),
    ))
}

async fn update_quota(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    Input(change): Input<QuotaChange>,
) -> Result<Response, ApiError> {
    let qu = deals::update_quota(&s.app, &actor, id, change, v).await?;
    Ok(record_response(StatusCode::OK, &qu, qu.version, None))
}

async fn delete_quota(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    deals::delete_quota(&s.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn period(q: &QueryPairs) -> Result<&str, ApiError> {
    q.get("period").ok_or_else(|| {
        ApiError::bad_field(
            "period",
            Code::Required,
            "a month (2026-11), a quarter (2026-Q4) or a year (2026)",
        )
    })
}

async fn attainment(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Vec<Attainment>>, ApiError> {
    q.only(&["period"])?;
    Ok(Json(deals::attainment(&s.app, &actor, period(&q)?).await?))
}

async fn list_plans(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<CommissionPlan>>, ApiError> {
    Ok(Json(Page {
        data: deals::plans(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn read_plan(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let p = deals::plan(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn create_plan(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewCommissionPlan>,
) -> Result<Response, ApiError> {
    let p = deals::create_plan(&s.app, &actor, input).await?;
    let at = format!("/api/v1/commission_plans/{}", p.id);
    Ok(record_response(
        StatusCode::CREATED,
        &p,
        p.version,
        Some(at),
    ))
}

async fn update_plan(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    Input(change): Input<CommissionPlanChange>,
) -> Result<Response, ApiError> {
    let p = deals::update_plan(&s.app, &actor, id, change, v).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn delete_plan(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    deals::delete_plan(&s.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn commissions(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Vec<CommissionStatement>>, ApiError> {
    q.only(&["period", "user_id"])?;
    let user = opt_id(&q, "user_id")?;
    Ok(Json(
        deals::commissions(&s.app, &actor, user, period(&q)?).await?,
    ))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let deal = utoipa::openapi::Ref::from_schema_name("Deal");
    register::<MoveInput>(&mut api.schemas);
    let pipeline = register::<Pipeline>(&mut api.schemas);
    let pipeline_page = page_schema(&mut api.schemas, "PipelinePage", pipeline.clone());
    let quota = register::<Quota>(&mut api.schemas);
    let quota_page = page_schema(&mut api.schemas, "QuotaPage", quota.clone());
    let plan = register::<CommissionPlan>(&mut api.schemas);
    let plan_page = page_schema(&mut api.schemas, "CommissionPlanPage", plan.clone());
    let tag = "deals";
    api = api
        .route(
            HttpMethod::Post,
            "/api/v1/deals/{id}/move",
            post(move_deal),
            Op::new(tag, "move_deal", "Move a deal to another stage")
                .describe(
                    "The stage must belong to the deal's pipeline (else 422 naming `stage_id`). \
                     A won or lost stage closes the deal (`closed_at`); a lost one needs \
                     `lost_reason`; an open stage reopens a closed deal. The probability \
                     becomes the stage's, and the stage history gains a stay.",
                )
                .path_param("id", "The deal's id")
                .header("If-Match", "The version read; answers 412 if the deal changed since.")
                .body::<MoveInput>("The stage, and the reason when it is a lost stage")
                .answer_schema(200, "The moved deal", deal)
                .problems(&[400, 403, 404, 412, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/deals/{id}/stages",
            get(stages),
            Op::new(tag, "deal_stages", "A deal's stage history")
                .describe("Every stage the deal has been in, oldest first, with the time spent there (until now for the current one).")
                .path_param("id", "The deal's id")
                .answer_list::<StageStay>(200, "The stays")
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/deals/{id}/quote_lines",
            get(quote_lines),
            Op::new(tag, "deal_quote_lines", "A deal's lines as a quote copies them")
                .path_param("id", "The deal's id")
                .answer::<DealForQuote>(200, "Customer, currency, price list and lines")
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/pipelines",
            get(list_pipelines),
            Op::new(tag, "list_pipelines", "Pipelines")
                .describe("Every pipeline with its stages in order, the default first.")
                .answer_schema(200, "The pipelines", pipeline_page)
                .problems(&[403]),
        )
        .route(
            HttpMethod::Post,
            "/api/v1/pipelines",
            post(create_pipeline),
            Op::new(tag, "create_pipeline", "Create a pipeline")
                .describe(
                    "Needs the `deals` admin right. Stages in order, each with a name, a \
                     default probability (0 to 100) and an outcome (`open`, `won` at 100, \
                     `lost` at 0); at least one open stage.",
                )
                .body::<NewPipeline>("Name, default flag and stages")
                .answer_schema(201, "The pipeline", pipeline.clone())
                .problems(&[400, 403, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/pipelines/{id}",
            get(read_pipeline),
            Op::new(tag, "get_pipeline", "Read a pipeline")
                .path_param("id", "The pipeline's id")
                .answer_schema(200, "The pipeline", pipeline.clone())
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Patch,
            "/api/v1/pipelines/{id}",
            axum::routing::patch(update_pipeline),
            Op::new(tag, "update_pipeline", "Change a pipeline")
                .describe("`stages` replaces the list: keep a stage by sending its id; removing a stage that holds deals answers 422 naming `stages`.")
                .path_param("id", "The pipeline's id")
                .header("If-Match", "The version the change is based on")
                .body::<PipelineChange>("The fields to change")
                .answer_schema(200, "The pipeline", pipeline)
                .problems(&[400, 403, 404, 412, 415, 422]),
        )
        .route(
            HttpMethod::Delete,
            "/api/v1/pipelines/{id}",
            axum::routing::delete(delete_pipeline),
            Op::new(tag, "delete_pipeline", "Delete a pipeline")
                .describe("Only a pipeline that is not the default and that no deal uses (409 otherwise).")
                .path_param("id", "The pipeline's id")
                .answer_empty(204, "Deleted")
                .problems(&[403, 404, 409]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/forecast",
            get(forecast),
            Op::new(tag, "forecast", "Weighted forecast by month, owner, team and stage")
                .describe(
                    "Open deals count in the month of their expected close date: their \
                     amount (`open`) and amount × probability (`weighted`, summed exactly \
                     and rounded to the cent). Won deals count in the month they closed \
                     (`won`). Every figure is per currency; currencies are never added. \
                     Only deals the caller sees count. `by_stage` splits the months by \
                     pipeline stage. `totals` (per month) and `stage_totals` (per month \
                     and stage) add the currencies up in `reporting_currency` at the \
                     company settings' rate for the month (or the latest earlier month): \
                     exact sums times the rate, rounded to the cent once; a currency \
                     without a rate is left out and named in `unconverted`.",
                )
                .query_with("from", "First month, YYYY-MM", super::doc::month_schema(), true)
                .query_with("to", "Last month, YYYY-MM (included; at most 60 months)", super::doc::month_schema(), true)
                .answer::<ForecastReport>(200, "The forecast")
                .problems(&[400, 403]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/quotas",
            get(list_quotas),
            Op::new(tag, "list_quotas", "Quotas")
                .describe("The quotas of the reps the caller sees (all, or their own and their team's).")
                .query_with("period", "Only this period: 2026-11, 2026-Q4 or 2026", super::doc::period_schema(), false)
                .query("user_id", "Only this rep")
                .answer_schema(200, "The quotas", quota_page)
                .problems(&[400, 403]),
        )
        .route(
            HttpMethod::Post,
            "/api/v1/quotas",
            post(create_quota),
            Op::new(tag, "create_quota", "Set a rep's quota for a period")
                .describe("Needs the `deals` admin right. Kind `amount` (with `amount` as money) or `count` (with `count`); one quota per rep and period.")
                .body::<NewQuota>("Rep, period, kind and target")
                .answer_schema(201, "The quota", quota.clone())
                .problems(&[400, 403, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/quotas/attainment",
            get(attainment),
            Op::new(tag, "quota_attainment", "Attainment of the quotas of a period")
                .describe(
                    "For each quota of the period: the rep's deals won with `closed_at` in \
                     the period (their amounts in the quota's currency, or their number) \
                     against the target, in percent.",
                )
                .query_with("period", "2026-11, 2026-Q4 or 2026", super::doc::period_schema(), true)
                .answer_list::<Attainment>(200, "One entry per quota")
                .problems(&[400, 403]),
        )
        .route(
            HttpMethod::Patch,
            "/api/v1/quotas/{id}",
            axum::routing::patch(update_quota),
            Op::new(tag, "update_quota", "Change a quota")
                .path_param("id", "The quota's id")
                .header("If-Match", "The version the change is based on")
                .body::<QuotaChange>("The fields to change")
                .answer_schema(200, "The quota", quota)
                .problems(&[400, 403, 404, 412, 415, 422]),
        )
        .route(
            HttpMethod::Delete,
            "/api/v1/quotas/{id}",
            axum::routing::delete(delete_quota),
            Op::new(tag, "delete_quota", "Delete a quota")
                .path_param("id", "The quota's id")
                .answer_empty(204, "Deleted")
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/commission_plans",
            get(list_plans),
            Op::new(tag, "list_commission_plans", "Commission plans")
                .answer_schema(200, "The plans", plan_page)
                .problems(&[403]),
        )
        .route(
            HttpMethod::Post,
            "/api/v1/commission_plans",
            post(create_plan),
            Op::new(tag, "create_commission_plan", "Create a commission plan")
                .describe(
                    "Needs the `deals` admin right. Each line of a won deal earns its net \
                     amount × the rate of its product category (`category_rates`, else \
                     `default_rate`; a deal without lines earns on its amount at \
                     `default_rate`) × the multiplier of the tier reached: the tier with \
                     the highest `from_percent` not above the rep's attainment of the \
                     period's quota (1 without tiers, quota or a tier reached). A rep is on \
                     one plan at most.",
                )
                .body::<NewCommissionPlan>("Name, rates, tiers and reps")
                .answer_schema(201, "The plan", plan.clone())
                .problems(&[400, 403, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/commission_plans/{id}",
            get(read_plan),
            Op::new(tag, "get_commission_plan", "Read a commission plan")
                .path_param("id", "The plan's id")
                .answer_schema(200, "The plan", plan.clone())
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Patch,
            "/api/v1/commission_plans/{id}",
            axum::routing::patch(update_plan),
            Op::new(tag, "update_commission_plan", "Change a commission plan")
                .path_param("id", "The plan's id")
                .header("If-Match", "The version the change is based on")
                .body::<CommissionPlanChange>("The fields to change; lists are replaced whole")
                .answer_schema(200, "The plan", plan)
                .problems(&[400, 403, 404, 412, 415, 422]),
        )
        .route(
            HttpMethod::Delete,
            "/api/v1/commission_plans/{id}",
            axum::routing::delete(delete_plan),
            Op::new(tag, "delete_commission_plan", "Delete a commission plan")
                .path_param("id", "The plan's id")
                .answer_empty(204, "Deleted")
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Get,
            "/api/v1/commissions",
            get(commissions),
            Op::new(tag, "commissions", "Commissions earned in a period, line by line")
                .describe(
                    "One statement per rep (the one named, or every rep on a plan the caller \
                     sees): attainment, tier, multiplier, and for each line of each deal won \
                     in the period its base, rate and amount. Each line is rounded to the \
                     cent (half away from zero); totals per currency are sums of the lines.",
                )
                .query_with("period", "2026-11, 2026-Q4 or 2026", super::doc::period_schema(), true)
                .query("user_id", "Only this rep")
                .answer_list::<CommissionStatement>(200, "The statements")
                .problems(&[400, 403, 404]),
        );
    api
}

impl ApiKind for DealData {
    const SCHEMA: &'static str = "Deal";
}
