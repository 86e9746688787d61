//! Orders: from an accepted quote or directly; status changes and deliveries.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::orders::{self, DeliveryInput, NewOrder, StatusInput};
use cartera_core::orders::Order;

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, Input, QueryPairs, RecordId};
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Order>>, ApiError> {
    q.only(&["account_id", "limit", "cursor"])?;
    let account = super::quotes::account_param(&q)?;
    let limit = super::paging::limit_param(&q)?;
    let page = orders::page(&s.app, &actor, account, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.data,
        next_cursor: page.next_cursor,
    }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let o = orders::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &o, o.version, None))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewOrder>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(orders::create(&s.app, &actor, input).await?),
    ))
}

async fn from_quote(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(orders::from_quote(&s.app, &actor, id).await?),
    ))
}

async fn status(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<StatusInput>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        orders::set_status(&s.app, &actor, id, input.status).await?,
    ))
}

async fn deliver(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(input): Input<DeliveryInput>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(orders::deliver(&s.app, &actor, id, input).await?))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let order = register::<Order>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "OrderPage", order.clone());
    register::<StatusInput>(&mut api.schemas);
    register::<DeliveryInput>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/orders",
        get(list),
        Op::new("orders", "list_orders", "Orders")
            .describe(
                "Newest first, a page at a time (`next_cursor` is null on the last page); \
                 `account_id` narrows to one customer.",
            )
            .query("account_id", "Only this account's orders")
            .query("limit", "Page size (1 to 500, default 100)")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "The orders", page)
            .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/orders",
        post(create),
        Op::new("orders", "create_order", "Create an order directly")
            .describe(
                "The same body as a quote; lines are priced and checked the same way \
                 (`lines[i].quantity`, `lines[i].product_id` name bad lines). The order \
                 starts `confirmed` and is numbered `O-2026-000123`.",
            )
            .body::<NewOrder>("Account, contact, lines, discount")
            .answer_schema(201, "The order", order.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/quotes/{id}/order",
        post(from_quote),
        Op::new(
            "orders",
            "order_quote",
            "Turn an accepted quote into an order",
        )
        .describe("Copies the quote's lines; 409 unless accepted or when it already has an order.")
        .path_param("id", "The quote's id")
        .answer_schema(201, "The order", order.clone())
        .problems(&[403, 404, 409]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/orders/{id}",
        get(read),
        Op::new("orders", "get_order", "Read an order")
            .describe("With its deliveries and the time it reached each status.")
            .path_param("id", "The order's id")
            .answer_schema(200, "The order; `ETag` holds its version", order.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/orders/{id}/status",
        post(status),
        Op::new("orders", "set_order_status", "Move an order forward")
            .describe(
                "`picking`, `shipped`, or `invoiced` once delivered; backwards or out of turn \
                 answers 422 naming `status`. Each change shows on the account's timeline.",
            )
            .path_param("id", "The order's id")
            .body::<StatusInput>("The new status")
            .answer_schema(200, "The order", order.clone())
            .problems(&[400, 403, 404, 415, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/orders/{id}/deliveries",
        post(deliver),
        Op::new("orders", "deliver_order", "Record a delivery")
            .describe(
                "Quantities per order line (`line` is its position from 0). More than is \
                 left, zero or negative, or an unknown line answers 422 naming \
                 `lines[i].quantity` or `lines[i].line`. When every line is delivered the \
                 order is `delivered`.",
            )
            .path_param("id", "The order's id")
            .body::<DeliveryInput>("The delivered quantities")
            .answer_schema(200, "The order", order)
            .problems(&[400, 403, 404, 415, 422]),
    )
}
