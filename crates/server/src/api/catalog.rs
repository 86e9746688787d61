//! The catalogue: products and services, price lists and the price a list gives.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, patch, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::catalog::{self, NewPriceList, NewProduct, PriceListChange, ProductChange};
use cartera_core::catalog::{PriceList, Product};
use cartera_core::money::Money;
use cartera_core::{Code, Id};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::{Api, Op, non_blank_fields, page_schema, register};
use super::extract::{Auth, IfMatch, Input, QueryPairs, RecordId};
use super::records::{Page, record_response};
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Product>>, ApiError> {
    q.only(&["limit", "cursor"])?;
    let limit = super::paging::limit_param(&q)?;
    let page = catalog::page(&s.app, &actor, q.get("cursor"), limit).await?;
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
    let p = catalog::get(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewProduct>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create(&s.app, &actor, input).await?),
    ))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<ProductChange>,
) -> Result<Response, ApiError> {
    let p = catalog::update(&s.app, &actor, id, change, version).await?;
    Ok(record_response(StatusCode::OK, &p, p.version, None))
}

async fn list_price_lists(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<PriceList>>, ApiError> {
    Ok(Json(Page {
        data: catalog::price_lists(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn read_price_list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let l = catalog::price_list(&s.app, &actor, id).await?;
    Ok(record_response(StatusCode::OK, &l, l.version, None))
}

async fn create_price_list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewPriceList>,
) -> Result<(StatusCode, Json<PriceList>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_price_list(&s.app, &actor, input).await?),
    ))
}

async fn update_price_list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<PriceListChange>,
) -> Result<Response, ApiError> {
    let l = catalog::update_price_list(&s.app, &actor, id, change, version).await?;
    Ok(record_response(StatusCode::OK, &l, l.version, None))
}

/// The price a list gives a product on a date.
#[derive(Serialize, ToSchema)]
struct PriceAnswer {
    price_list_id: Id,
    product_id: Id,
    #[schema(value_type = String, example = "2026-11-25")]
    date: NaiveDate,
    /// The unit price, in the list's currency.
    price: Money,
}

async fn price(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(list): RecordId,
    q: QueryPairs,
) -> Result<Json<PriceAnswer>, ApiError> {
    q.only(&["product_id", "date"])?;
    let product: Id = q
        .get("product_id")
        .ok_or_else(|| ApiError::bad_field("product_id", Code::Required, "name a product"))?
        .parse()
        .map_err(|_| ApiError::bad_field("product_id", Code::Invalid, "must be an id"))?;
    let date = match q.get("date") {
        None => s.app.today(),
        Some(d) => d
            .parse()
            .map_err(|_| ApiError::bad_field("date", Code::Invalid, "a date as YYYY-MM-DD"))?,
    };
    let price = catalog::price(&s.app, &actor, list, product, date).await?;
    Ok(Json(PriceAnswer {
        price_list_id: list,
        product_id: product,
        date,
        price,
    }))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let product = register::<Product>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "ProductPage", product.clone());
    register::<NewProduct>(&mut api.schemas);
    register::<ProductChange>(&mut api.schemas);
    for name in ["NewProduct", "ProductChange"] {
        non_blank_fields(&mut api.schemas, name, &["sku", "name", "unit"]);
    }
    let plist = register::<PriceList>(&mut api.schemas);
    let plist_page = page_schema(&mut api.schemas, "PriceListPage", plist.clone());
    register::<NewPriceList>(&mut api.schemas);
    register::<PriceListChange>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/products",
        get(list),
        Op::new("catalog", "list_products", "Products and services")
            .describe(
                "Every product and service by SKU, inactive ones included, a page at a time \
                 (`next_cursor` is null on the last page).",
            )
            .query("limit", "Page size (1 to 500, default 100)")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "The products", page)
            .problems(&[400, 403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/products",
        post(create),
        Op::new("catalog", "create_product", "Add a product or service")
            .describe(
                "The SKU is unique, case and surrounding spaces aside; a taken one answers \
                 422 naming `sku`. The tax rate is `exempt` or a percentage such as `21` or \
                 `10.5`, and applies when the product is put on a quote.",
            )
            .body::<NewProduct>("SKU, name, kind, unit, category, tax rate")
            .answer_schema(
                201,
                "The product; `ETag` holds its version",
                product.clone(),
            )
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/products/{id}",
        get(read),
        Op::new("catalog", "get_product", "Read a product")
            .path_param("id", "The product's id")
            .answer_schema(
                200,
                "The product; `ETag` holds its version",
                product.clone(),
            )
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/products/{id}",
        patch(update),
        Op::new("catalog", "update_product", "Change a product")
            .describe(
                "`active: false` withdraws a product from new documents; documents that \
                 have it keep it.",
            )
            .path_param("id", "The product's id")
            .header("If-Match", "The version the change is based on")
            .body::<ProductChange>("The fields to change")
            .answer_schema(200, "The product; `ETag` holds its version", product)
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/price_lists",
        get(list_price_lists),
        Op::new("catalog", "list_price_lists", "Price lists")
            .describe("Every price list with its items, by name.")
            .answer_schema(200, "The price lists", plist_page)
            .problems(&[403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/price_lists",
        post(create_price_list),
        Op::new("catalog", "create_price_list", "Create a price list")
            .describe(
                "Prices in one currency, valid from `valid_from` to `valid_to` (both days \
                 included; an absent end is open). Each item names a product once, its \
                 price in the list's currency: another currency answers 422 naming \
                 `items[i].price.currency`, an unknown product `items[i].product_id`. A list \
                 that names `account_id` is that customer's own list.",
            )
            .body::<NewPriceList>("Name, currency, validity, customer and items")
            .answer_schema(201, "The price list", plist.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/price_lists/{id}",
        get(read_price_list),
        Op::new("catalog", "get_price_list", "Read a price list")
            .path_param("id", "The price list's id")
            .answer_schema(
                200,
                "The price list; `ETag` holds its version",
                plist.clone(),
            )
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/price_lists/{id}",
        patch(update_price_list),
        Op::new("catalog", "update_price_list", "Change a price list")
            .path_param("id", "The price list's id")
            .header("If-Match", "The version the change is based on")
            .body::<PriceListChange>("The fields to change; `items` is replaced whole")
            .answer_schema(200, "The price list; `ETag` holds its version", plist)
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/price_lists/{id}/price",
        get(price),
        Op::new("catalog", "get_price", "The price of a product on a date")
            .describe(
                "Query `product_id` (required) and `date` (`YYYY-MM-DD`, default today). \
                 Answers 422 naming `date` when the list is not valid that day, and naming \
                 `product_id` when the list has no price for the product.",
            )
            .path_param("id", "The price list's id")
            .query_with("product_id", "The product", super::doc::uuid_schema(), true)
            .query_with(
                "date",
                "The day, YYYY-MM-DD (default today)",
                super::doc::date_schema(),
                false,
            )
            .answer::<PriceAnswer>(200, "The unit price")
            .problems(&[400, 403, 404, 422]),
    )
}
