//! Catalogue pages: products and services (a list searched and filtered by category and
//! state, a page at a time; create and edit), and price lists (the lists, a new one, and
//! one list's header and prices edited together). They call the same
//! `cartera_app::catalog` functions as `/api/v1/products` and `/api/v1/price_lists`.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::catalog::{self, NewPriceList, NewProduct, PriceListChange, ProductChange};
use cartera_app::{AppError, records};
use cartera_core::accounts::AccountData;
use cartera_core::catalog::{PriceItem, PriceList, Product, ProductKind};
use cartera_core::money::{Currency, Money};
use cartera_core::roles::{Action, Module};
use cartera_core::text::fold;
use cartera_core::totals::TaxRate;
use cartera_core::{Check, Code, Id, Violations};

use super::figures::{account_names, price};
use super::forms::{FormErrors, explain, shown_tax_rate, typed_number, typed_tax_rate};
use super::i18n::Locale;
use super::panels::{Panel, PanelFuture};
use super::render::{Me, PageId};
use crate::state::AppState;

type Fields = HashMap<String, String>;

/// Products per page of the list.
const PER_PAGE: usize = 25;

/// Currencies offered first in the price list form; any ISO 4217 code is accepted.
const CURRENCIES: &[&str] = &["ARS", "USD", "EUR", "MXN"];

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/catalog", get(products_page).post(create_product))
        .route("/catalog/new", get(new_product))
        .route("/catalog/{id}", get(edit_product).post(update_product))
        .route(
            "/price-lists",
            get(price_lists_page).post(create_price_list),
        )
        .route(
            "/price-lists/{id}",
            get(price_list_page).post(update_price_list),
        )
}

fn can(me: &Me, action: Action) -> bool {
    me.actor().permit(Module::Catalog, action).is_ok()
}

fn field(f: &Fields, key: &str) -> String {
    f.get(key).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// A price typed on the page, in the page's way (`1.234,50` on a Spanish page); `None`
/// unless a non-negative number.
fn typed_price(me: &Me, text: &str) -> Option<Decimal> {
    typed_number(&me.page, text)
        .ok()
        .filter(|d| !d.is_sign_negative() && !text.trim_start().starts_with('-'))
}

/// Places violations on the form's fields. `alias` gives the catalogue key a field's
/// messages are looked up under (`name` of a product is `product_name`), so that texts
/// written for the account form do not show here.
fn place(
    me: &Me,
    v: Violations,
    fields: &[&str],
    alias: impl Fn(&str) -> String,
    errs: &mut FormErrors,
) {
    for x in v.0 {
        let base = x.field.split(['[', '.']).next().unwrap_or("").to_owned();
        if fields.contains(&base.as_str()) {
            let text = explain(&me.page, &alias(&base), x.code);
            errs.fields.entry(base).or_insert(text);
        } else {
            let text = explain(&me.page, "", x.code);
            errs.general.get_or_insert(text);
        }
    }
}

fn errors_ctx(e: &FormErrors) -> Value {
    json!({"errors": e.fields, "general_error": e.general})
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(m), Value::Object(more)) = (&mut a, b) {
        m.extend(more);
    }
    a
}

/// The page's message for a use case's refusal that is not about a field.
fn stale(me: &Me) -> FormErrors {
    FormErrors {
        general: Some(me.page.t("catalog-stale")),
        ..FormErrors::default()
    }
}

// ---------- Products ----------

#[derive(Deserialize, Default)]
pub struct ProductQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    /// `active`, `inactive`, or empty for both.
    #[serde(default)]
    state: String,
    page: Option<usize>,
}

fn product_row(p: &Product, locale: Locale) -> Value {
    json!({
        "id": p.id, "sku": p.sku, "name": p.name, "kind": match p.kind {
            ProductKind::Product => "product",
            ProductKind::Service => "service",
        },
        "unit": p.unit, "category": p.category, "tax_rate": shown_tax_rate(locale, p.tax_rate),
        "active": p.active,
    })
}

/// Categories in use, each once (as first written), in folded order.
fn categories(all: &[Product]) -> Vec<String> {
    let mut by: BTreeMap<String, String> = BTreeMap::new();
    for c in all.iter().filter_map(|p| p.category.as_deref()) {
        by.entry(fold(c)).or_insert_with(|| c.to_owned());
    }
    by.into_values().collect()
}

fn query_url(q: &ProductQuery, page: usize) -> String {
    let mut parts = form_urlencoded::Serializer::new(String::new());
    if !q.q.is_empty() {
        parts.append_pair("q", &q.q);
    }
    if !q.category.is_empty() {
        parts.append_pair("category", &q.category);
    }
    if !q.state.is_empty() {
        parts.append_pair("state", &q.state);
    }
    if page > 1 {
        parts.append_pair("page", &page.to_string());
    }
    let s = parts.finish();
    if s.is_empty() {
        "/catalog".into()
    } else {
        format!("/catalog?{s}")
    }
}

/// Products and services, filtered and a page at a time.
pub async fn products_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ProductQuery>,
) -> Response {
    let all = match catalog::list(&s.app, me.actor()).await {
        Ok(l) => l,
        Err(e) => return me.page.error(e),
    };
    let needle = fold(q.q.trim());
    let category = fold(q.category.trim());
    let matching: Vec<&Product> = all
        .iter()
        .filter(|p| {
            needle.is_empty() || fold(&p.sku).contains(&needle) || fold(&p.name).contains(&needle)
        })
        .filter(|p| {
            category.is_empty() || p.category.as_deref().map(fold).as_deref() == Some(&category)
        })
        .filter(|p| match q.state.as_str() {
            "active" => p.active,
            "inactive" => !p.active,
            _ => true,
        })
        .collect();
    let pages = matching.len().div_ceil(PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<Value> = matching
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|p| product_row(p, me.page.locale))
        .collect();
    me.page.render(
        StatusCode::OK,
        "catalog/catalog.html",
        json!({
            "nav": "catalog",
            "rows": rows,
            "total": matching.len(),
            "any": !all.is_empty(),
            "categories": categories(&all),
            "query": {"q": q.q, "category": q.category, "state": q.state},
            "page": page,
            "pages": pages,
            "prev_url": (page > 1).then(|| query_url(&q, page - 1)),
            "next_url": (page < pages).then(|| query_url(&q, page + 1)),
            "can_create": can(&me, Action::Create),
        }),
    )
}

async fn product_form(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    id: Option<Id>,
    form: Value,
    errs: FormErrors,
) -> Response {
    let cats = catalog::list(&s.app, me.actor())
        .await
        .map(|all| categories(&all))
        .unwrap_or_default();
    let rates: Vec<String> = ["21", "10.5", "27", "0", "exempt"]
        .iter()
        .filter_map(|r| r.parse::<TaxRate>().ok())
        .map(|r| shown_tax_rate(me.page.locale, r))
        .collect();
    me.page.render(
        status,
        "catalog/product_form.html",
        merge(
            json!({
                "nav": "catalog",
                "id": id,
                "form": form,
                "categories": cats,
                "tax_rates": rates,
                "can_edit": can(me, if id.is_some() { Action::Edit } else { Action::Create }),
            }),
            errors_ctx(&errs),
        ),
    )
}

const PRODUCT_FIELDS: &[&str] = &[
    "sku",
    "name",
    "description",
    "kind",
    "unit",
    "category",
    "tax_rate",
];

fn product_alias(f: &str) -> String {
    match f {
        "name" => "product_name".into(),
        "unit" => "product_unit".into(),
        other => other.into(),
    }
}

pub async fn new_product(State(s): State<AppState>, me: Me) -> Response {
    if let Err(e) = me.actor().permit(Module::Catalog, Action::Create) {
        return me.page.error(e);
    }
    product_form(
        &s,
        &me,
        StatusCode::OK,
        None,
        json!({"kind": "product", "unit": "unit", "tax_rate": "21", "active": true}),
        FormErrors::default(),
    )
    .await
}

/// What the form says, checked as far as the page can before the use case: the tax
/// rate must read, and the product's own rules (so every message shows at once).
fn read_product(me: &Me, f: &Fields) -> (Value, Result<(TaxRate, ProductKind), FormErrors>) {
    let form = json!({
        "sku": field(f, "sku"), "name": field(f, "name"), "description": field(f, "description"),
        "kind": field(f, "kind"), "unit": field(f, "unit"), "category": field(f, "category"),
        "tax_rate": field(f, "tax_rate"), "active": f.get("active").is_some_and(|v| v == "true"),
        "version": field(f, "version"),
    });
    let kind = if field(f, "kind") == "service" {
        ProductKind::Service
    } else {
        ProductKind::Product
    };
    // `10,5` is how a Spanish speaker writes 10.5.
    let rate = typed_tax_rate(&me.page, &field(f, "tax_rate")).ok_or(());
    let mut probe = Product {
        id: Id::new(),
        sku: field(f, "sku"),
        name: field(f, "name"),
        description: Some(field(f, "description")),
        kind,
        unit: field(f, "unit"),
        category: Some(field(f, "category")),
        tax_rate: rate.as_ref().copied().unwrap_or(TaxRate::Exempt),
        active: true,
        version: 1,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    };
    probe.normalize();
    let mut c = Check::new();
    probe.validate(&mut c);
    if rate.is_err() {
        c.add("tax_rate", Code::Invalid, "not a tax rate");
    }
    let mut errs = FormErrors::default();
    if let Err(v) = c.finish() {
        place(me, v, PRODUCT_FIELDS, product_alias, &mut errs);
    }
    match rate {
        Ok(r) if errs.is_empty() => (form, Ok((r, kind))),
        _ => (form, Err(errs)),
    }
}

pub async fn create_product(State(s): State<AppState>, me: Me, Form(f): Form<Fields>) -> Response {
    let (form, checked) = read_product(&me, &f);
    let (tax_rate, kind) = match checked {
        Ok(x) => x,
        Err(errs) => {
            return product_form(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, None, form, errs).await;
        }
    };
    let input = NewProduct {
        sku: field(&f, "sku"),
        name: field(&f, "name"),
        description: Some(field(&f, "description")),
        kind: Some(kind),
        unit: Some(field(&f, "unit")),
        category: Some(field(&f, "category")),
        tax_rate,
        active: Some(f.get("active").is_some_and(|v| v == "true")),
    };
    match catalog::create(&s.app, me.actor(), input).await {
        Ok(p) => Redirect::to(&format!("/catalog/{}?saved=1", p.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            let mut errs = FormErrors::default();
            place(&me, v, PRODUCT_FIELDS, product_alias, &mut errs);
            product_form(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, None, form, errs).await
        }
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn edit_product(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<SavedQuery>,
) -> Response {
    let p = match catalog::get(&s.app, me.actor(), id).await {
        Ok(p) => p,
        Err(e) => return me.page.error(e),
    };
    let mut form = product_row(&p, me.page.locale);
    form["description"] = json!(p.description);
    form["version"] = json!(p.version);
    form["saved"] = json!(q.saved.is_some());
    product_form(
        &s,
        &me,
        StatusCode::OK,
        Some(id),
        form,
        FormErrors::default(),
    )
    .await
}

pub async fn update_product(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<Fields>,
) -> Response {
    let (form, checked) = read_product(&me, &f);
    let (tax_rate, kind) = match checked {
        Ok(x) => x,
        Err(errs) => {
            return product_form(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                form,
                errs,
            )
            .await;
        }
    };
    let change = ProductChange {
        sku: Some(field(&f, "sku")),
        name: Some(field(&f, "name")),
        description: Some(field(&f, "description")),
        kind: Some(kind),
        unit: Some(field(&f, "unit")),
        category: Some(field(&f, "category")),
        tax_rate: Some(tax_rate),
        active: Some(f.get("active").is_some_and(|v| v == "true")),
    };
    let version = field(&f, "version").parse().ok();
    match catalog::update(&s.app, me.actor(), id, change, version).await {
        Ok(p) => Redirect::to(&format!("/catalog/{}?saved=1", p.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            let mut errs = FormErrors::default();
            place(&me, v, PRODUCT_FIELDS, product_alias, &mut errs);
            product_form(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                form,
                errs,
            )
            .await
        }
        Err(AppError::Stale { .. }) => {
            product_form(&s, &me, StatusCode::CONFLICT, Some(id), form, stale(&me)).await
        }
        Err(e) => me.page.error(e),
    }
}

// ---------- Price lists ----------

/// The account page's box: the customer's own lists (none when the role does not read
/// the catalogue).
pub async fn of_account(s: &AppState, me: &Me, account: Id) -> Option<Value> {
    let lists = catalog::price_lists(&s.app, me.actor()).await.ok()?;
    let today = s.app.now().with_timezone(&me.page.time_zone()).date_naive();
    let mine: Vec<Value> = lists
        .iter()
        .filter(|l| l.account_id == Some(account))
        .map(|l| {
            let v = validity(l);
            json!({"id": l.id, "name": l.name, "currency": l.currency.as_str(),
                   "from": v["from"], "to": v["to"], "valid_today": l.valid_on(today)})
        })
        .collect();
    Some(json!({"lists": mine, "can_create": can(me, Action::Create)}))
}

/// The account page's card of its own price lists (`web/panels.rs`).
pub fn account_panel<'a>(s: &'a AppState, me: &'a Me, account: Id) -> PanelFuture<'a> {
    Box::pin(async move {
        let mut lists = of_account(s, me, account).await?;
        lists["account"] = json!(account);
        Some(Panel::new("catalog/account_panel.html", lists))
    })
}

fn validity(l: &PriceList) -> Value {
    json!({
        "from": l.valid_from.map(|d| d.to_string()),
        "to": l.valid_to.map(|d| d.to_string()),
    })
}

/// Accounts a list may be for: the first 200 by name, and the one already chosen.
async fn account_choices(s: &AppState, me: &Me, chosen: Option<Id>) -> Vec<Value> {
    let params = vec![
        ("sort".to_owned(), "name".to_owned()),
        ("limit".to_owned(), "200".to_owned()),
    ];
    let mut out: Vec<Value> = records::list::<AccountData>(&s.app, me.actor(), &params)
        .await
        .map(|l| {
            l.rows
                .iter()
                .map(|a| json!({"id": a.id, "name": a.data.name}))
                .collect()
        })
        .unwrap_or_default();
    if let Some(c) = chosen
        && !out.iter().any(|v| v["id"] == json!(c))
        && let Some(name) = account_names(s, me, &[c]).await.remove(&c)
    {
        out.insert(0, json!({"id": c, "name": name}));
    }
    out
}

#[derive(Deserialize, Default)]
pub struct ListsQuery {
    account_id: Option<String>,
}

pub async fn price_lists_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ListsQuery>,
) -> Response {
    let account = q.account_id.and_then(|a| a.parse::<Id>().ok());
    let form = json!({"currency": "ARS", "account_id": account});
    price_lists_render(&s, &me, StatusCode::OK, form, FormErrors::default()).await
}

async fn price_lists_render(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    form: Value,
    errs: FormErrors,
) -> Response {
    let lists = match catalog::price_lists(&s.app, me.actor()).await {
        Ok(l) => l,
        Err(e) => return me.page.error(e),
    };
    let ids: Vec<Id> = lists.iter().filter_map(|l| l.account_id).collect();
    let names = account_names(s, me, &ids).await;
    let today = s.app.now().with_timezone(&me.page.time_zone()).date_naive();
    let rows: Vec<Value> = lists
        .iter()
        .map(|l| {
            json!({
                "id": l.id, "name": l.name, "currency": l.currency.as_str(),
                "validity": validity(l), "valid_today": l.valid_on(today),
                "account_id": l.account_id,
                "account": l.account_id.map(|a| names.get(&a).cloned().unwrap_or_else(|| me.page.t("catalog-hidden-account"))),
                "items": l.items.len(),
            })
        })
        .collect();
    let can_create = can(me, Action::Create);
    let chosen = form["account_id"].as_str().and_then(|a| a.parse().ok());
    let accounts = if can_create {
        account_choices(s, me, chosen).await
    } else {
        Vec::new()
    };
    let open = !errs.is_empty() || chosen.is_some();
    me.page.render(
        status,
        "catalog/price_lists.html",
        merge(
            json!({
                "nav": "catalog", "lists": rows, "form": form, "currencies": CURRENCIES,
                "accounts": accounts, "can_create": can_create, "open": open,
            }),
            errors_ctx(&errs),
        ),
    )
}

const LIST_FIELDS: &[&str] = &["name", "currency", "valid_from", "valid_to", "account_id"];

fn list_alias(f: &str) -> String {
    match f {
        "name" => "list_name".into(),
        other => other.into(),
    }
}

/// The header fields of a price list form, read; what does not read is put on `errs`.
struct Header {
    name: String,
    currency: Option<Currency>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    account_id: Option<Id>,
}

fn read_header(me: &Me, f: &Fields, errs: &mut FormErrors) -> Header {
    let mut bad = |name: &str, key: &str| {
        errs.fields
            .entry(name.to_owned())
            .or_insert_with(|| me.page.t(key));
    };
    let currency = field(f, "currency").to_uppercase().parse::<Currency>().ok();
    if currency.is_none() {
        bad("currency", "violation-invalid-currency");
    }
    let mut date = |name: &str| -> Option<NaiveDate> {
        let v = field(f, name);
        if v.is_empty() {
            return None;
        }
        let d = v.parse().ok();
        if d.is_none() {
            bad(name, "violation-invalid-date");
        }
        d
    };
    let valid_from = date("valid_from");
    let valid_to = date("valid_to");
    Header {
        name: field(f, "name"),
        currency,
        valid_from,
        valid_to,
        account_id: field(f, "account_id").parse().ok(),
    }
}

fn header_form(f: &Fields) -> Value {
    json!({
        "name": field(f, "name"), "currency": field(f, "currency").to_uppercase(),
        "valid_from": field(f, "valid_from"), "valid_to": field(f, "valid_to"),
        "account_id": field(f, "account_id"), "version": field(f, "version"),
    })
}

pub async fn create_price_list(
    State(s): State<AppState>,
    me: Me,
    Form(f): Form<Fields>,
) -> Response {
    let mut errs = FormErrors::default();
    let h = read_header(&me, &f, &mut errs);
    let form = header_form(&f);
    let Some(currency) = h.currency.filter(|_| errs.is_empty()) else {
        return price_lists_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, form, errs).await;
    };
    let input = NewPriceList {
        name: h.name,
        currency,
        valid_from: h.valid_from,
        valid_to: h.valid_to,
        account_id: h.account_id,
        items: Vec::new(),
    };
    match catalog::create_price_list(&s.app, me.actor(), input).await {
        Ok(l) => Redirect::to(&format!("/price-lists/{}", l.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            place(&me, v, LIST_FIELDS, list_alias, &mut errs);
            price_lists_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, form, errs).await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn price_list_page(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<SavedQuery>,
) -> Response {
    let l = match catalog::price_list(&s.app, me.actor(), id).await {
        Ok(l) => l,
        Err(e) => return me.page.error(e),
    };
    let form = json!({
        "name": l.name, "currency": l.currency.as_str(),
        "valid_from": l.valid_from.map(|d| d.to_string()).unwrap_or_default(),
        "valid_to": l.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        "account_id": l.account_id, "version": l.version, "saved": q.saved.is_some(),
    });
    let prices: HashMap<Id, String> = l
        .items
        .iter()
        .map(|i| (i.product_id, price(me.page.locale, i.price.amount)))
        .collect();
    price_list_render(
        &s,
        &me,
        StatusCode::OK,
        &l,
        form,
        prices,
        FormErrors::default(),
    )
    .await
}

async fn price_list_render(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    l: &PriceList,
    form: Value,
    prices: HashMap<Id, String>,
    errs: FormErrors,
) -> Response {
    let products = catalog::list(&s.app, me.actor()).await.unwrap_or_default();
    let on_list: Vec<Id> = l.items.iter().map(|i| i.product_id).collect();
    // Withdrawn products show only while the list still prices them.
    let rows: Vec<Value> = products
        .iter()
        .filter(|p| p.active || on_list.contains(&p.id) || prices.contains_key(&p.id))
        .map(|p| {
            let key = format!("price-{}", p.id);
            let mut r = product_row(p, me.page.locale);
            r["price"] = json!(prices.get(&p.id));
            r["error"] = json!(errs.fields.get(&key));
            r
        })
        .collect();
    let chosen = form["account_id"].as_str().and_then(|a| a.parse().ok());
    let can_edit = can(me, Action::Edit);
    let accounts = if can_edit {
        account_choices(s, me, chosen).await
    } else {
        Vec::new()
    };
    let account_name = match chosen {
        Some(a) => account_names(s, me, &[a]).await.remove(&a),
        None => None,
    };
    let today = s.app.now().with_timezone(&me.page.time_zone()).date_naive();
    me.page.render(
        status,
        "catalog/price_list.html",
        merge(
            json!({
                "nav": "catalog", "list": {"id": l.id, "name": l.name, "currency": l.currency.as_str(),
                    "validity": validity(l), "valid_today": l.valid_on(today), "items": l.items.len()},
                "form": form, "rows": rows, "currencies": CURRENCIES, "accounts": accounts,
                "account_name": account_name, "can_edit": can_edit,
            }),
            errors_ctx(&errs),
        ),
    )
}

pub async fn update_price_list(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<Fields>,
) -> Response {
    let old = match catalog::price_list(&s.app, me.actor(), id).await {
        Ok(l) => l,
        Err(e) => return me.page.error(e),
    };
    let mut errs = FormErrors::default();
    let h = read_header(&me, &f, &mut errs);
    let currency = h.currency.unwrap_or(old.currency);
    // Prices as typed, by product; a blank leaves the product off the list.
    let mut typed: Vec<(Id, String)> = f
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("price-")?.parse::<Id>().ok()?;
            let v = v.trim();
            (!v.is_empty()).then(|| (id, v.to_owned()))
        })
        .collect();
    typed.sort();
    let mut items = Vec::new();
    for (pid, text) in &typed {
        // As the page writes prices: `1.234,50` on a Spanish page.
        let amount = typed_price(&me, text);
        match amount.and_then(|a| Money::new(a, currency).ok()) {
            Some(price) => items.push(PriceItem {
                product_id: *pid,
                price,
            }),
            None => {
                errs.fields
                    .insert(format!("price-{pid}"), me.page.t("violation-invalid-price"));
            }
        }
    }
    let prices: HashMap<Id, String> = typed.iter().cloned().collect();
    let form = header_form(&f);
    if !errs.is_empty() {
        return price_list_render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &old,
            form,
            prices,
            errs,
        )
        .await;
    }
    let order: Vec<Id> = items.iter().map(|i| i.product_id).collect();
    let change = PriceListChange {
        name: Some(h.name),
        currency: Some(currency),
        valid_from: Some(h.valid_from),
        valid_to: Some(h.valid_to),
        account_id: Some(h.account_id),
        items: Some(items),
    };
    let version = field(&f, "version").parse().ok();
    match catalog::update_price_list(&s.app, me.actor(), id, change, version).await {
        Ok(l) => Redirect::to(&format!("/price-lists/{}?saved=1", l.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            // An item's problem goes next to its product's price.
            let (items_v, rest): (Vec<_>, Vec<_>) =
                v.0.into_iter().partition(|x| x.field.starts_with("items["));
            for x in items_v {
                let i: Option<usize> = x
                    .field
                    .strip_prefix("items[")
                    .and_then(|r| r.split(']').next())
                    .and_then(|n| n.parse().ok());
                if let Some(pid) = i.and_then(|i| order.get(i)) {
                    let text = explain(&me.page, "price", x.code);
                    errs.fields.entry(format!("price-{pid}")).or_insert(text);
                }
            }
            if !rest.is_empty() {
                place(
                    &me,
                    Violations::new(rest),
                    LIST_FIELDS,
                    list_alias,
                    &mut errs,
                );
            }
            price_list_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                &old,
                form,
                prices,
                errs,
            )
            .await
        }
        Err(AppError::Stale { .. }) => {
            price_list_render(
                &s,
                &me,
                StatusCode::CONFLICT,
                &old,
                form,
                prices,
                stale(&me),
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}
