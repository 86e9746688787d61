//! The catalogue: products and services.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::catalog::{self, NewProduct, ProductChange};
use cartera_core::catalog::Product;

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, Input, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<Product>>, ApiError> {
    Ok(Json(Page {
        data: catalog::list(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(catalog::get(&s.app, &actor, id).await?))
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
) -> Result<Json<Product>, ApiError> {
    Ok(Json(
        catalog::update(&s.app, &actor, id, change, version).await?,
    ))
}

pub fn mount(api: Api) -> Api {
    let mut api = api;
    let product = register::<Product>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "ProductPage", product.clone());
    register::<NewProduct>(&mut api.schemas);
    register::<ProductChange>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/products",
        get(list),
        Op::new("catalog", "list_products", "Products and services")
            .describe("Every product and service by SKU, inactive ones included.")
            .answer_schema(200, "The products", page)
            .problems(&[403]),
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
            .answer_schema(201, "The product", product.clone())
            .problems(&[400, 403, 415, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/products/{id}",
        get(read),
        Op::new("catalog", "get_product", "Read a product")
            .path_param("id", "The product's id")
            .answer_schema(200, "The product", product.clone())
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
            .answer_schema(200, "The product", product)
            .problems(&[400, 403, 404, 412, 415, 422]),
    )
}
