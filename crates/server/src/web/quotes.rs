//! Quote pages: the list, the editor (new quotes and drafts) with live totals, the quote
//! page (read-only lines, history, revisions, PDF preview, send dialog, the customer's
//! answer, the order), and the admin's company data, template and logo. Every action
//! calls the same `cartera_app` function as the JSON API.

use std::collections::HashMap;
use std::str::FromStr;

use axum::Form;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::quotes::print::SendInput;
use cartera_app::quotes::{self, NewQuote, QuoteChange};
use cartera_app::totals::{LineInput, TotalsInput};
use cartera_app::{AppError, catalog, notes, orders, records};
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::money::{Currency, Money};
use cartera_core::quotes::{Language, Quote, QuoteStatus};
use cartera_core::record::{RecordData, RecordKind};
use cartera_core::totals::{TaxRate, Totals};
use cartera_core::{Code, Id, Violations};

use super::billing_common::risk_refusal as blocked;
use super::figures::{account_names, amount, day, language, money, number, price};
use super::forms::{explain, shown_tax_rate, typed_number, typed_tax_rate};
use super::i18n::Locale;
use super::panels::{Panel, PanelFuture};
use super::render::{Me, Page, PageId, when};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quotes", get(list).post(create))
        .route("/quotes/new", get(new_form))
        .route("/quotes/totals", post(totals))
        .route("/quotes/line", get(line_row))
        .route("/quotes/contacts", get(contact_options))
        .route("/quotes/{id}", get(show).post(save))
        .route("/quotes/{id}/pdf", get(pdf))
        .route("/quotes/{id}/send", post(send))
        .route("/quotes/{id}/accept", post(accept))
        .route("/quotes/{id}/reject", post(reject))
        .route("/quotes/{id}/revise", post(revise))
        .route("/quotes/{id}/order", post(make_order))
        .route("/admin/quotes", get(settings_page))
        .route("/admin/quotes/company", post(save_company))
        .route("/admin/quotes/template", post(save_template))
        .route("/admin/quotes/logo", get(logo).post(upload_logo))
        .route("/admin/quotes/logo/delete", post(delete_logo))
}

/// A decimal typed by a person, written the page's way (`1.234,50` and `1,5` on a
/// Spanish page, as the editor shows them); `%` is ignored.
fn decimal(page: &Page, s: &str) -> Option<Decimal> {
    typed_number(page, s.trim().trim_end_matches('%').trim()).ok()
}

fn id_of(s: &str) -> Option<Id> {
    s.trim().parse().ok()
}

/// The editor's form: the quote's fields and one entry per line row, in order.
#[derive(Default, Clone)]
struct Editor {
    account_id: String,
    deal_id: String,
    contact_id: String,
    currency: String,
    price_list_id: String,
    language: String,
    valid_until: String,
    discount: String,
    notes: String,
    version: String,
    lines: Vec<LineForm>,
}

#[derive(Default, Clone, serde::Serialize)]
struct LineForm {
    product_id: String,
    description: String,
    quantity: String,
    unit_price: String,
    discount: String,
    tax_rate: String,
}

impl Editor {
    fn parse(pairs: &[(String, String)]) -> Editor {
        let mut e = Editor::default();
        let mut cols: HashMap<&str, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            match k.as_str() {
                "account_id" => e.account_id = v.clone(),
                "deal_id" => e.deal_id = v.clone(),
                "contact_id" => e.contact_id = v.clone(),
                "currency" => e.currency = v.trim().to_uppercase(),
                "price_list_id" => e.price_list_id = v.clone(),
                "language" => e.language = v.clone(),
                "valid_until" => e.valid_until = v.clone(),
                "discount" => e.discount = v.clone(),
                "notes" => e.notes = v.clone(),
                "version" => e.version = v.clone(),
                k if k.starts_with("line_") => cols.entry(k).or_default().push(v.clone()),
                _ => {}
            }
        }
        let rows = cols.values().map(Vec::len).max().unwrap_or(0);
        let at = |name: &str, i: usize| {
            cols.get(name)
                .and_then(|c| c.get(i))
                .cloned()
                .unwrap_or_default()
        };
        for i in 0..rows {
            let l = LineForm {
                product_id: at("line_product", i),
                description: at("line_description", i),
                quantity: at("line_quantity", i),
                unit_price: at("line_price", i),
                discount: at("line_discount", i),
                tax_rate: at("line_tax", i),
            };
            // A row left wholly empty is a row the person did not use.
            let empty = l.product_id.trim().is_empty()
                && l.description.trim().is_empty()
                && l.unit_price.trim().is_empty();
            if !empty {
                e.lines.push(l);
            }
        }
        e
    }

    /// The editor of a stored quote, its figures written as the reader writes them
    /// (which is how [`Editor::line_inputs`] reads them back).
    fn of_quote(q: &Quote, locale: Locale) -> Editor {
        let shown = |v: Decimal| number(locale, v);
        Editor {
            account_id: q.account_id.to_string(),
            deal_id: q.deal_id.map(|d| d.to_string()).unwrap_or_default(),
            contact_id: q.contact_id.map(|d| d.to_string()).unwrap_or_default(),
            currency: q.currency.as_str().to_owned(),
            price_list_id: q.price_list_id.map(|d| d.to_string()).unwrap_or_default(),
            language: q.language.as_str().to_owned(),
            valid_until: q.valid_until.to_string(),
            discount: shown(q.discount),
            notes: q.notes.clone().unwrap_or_default(),
            version: q.version.to_string(),
            lines: q
                .lines
                .iter()
                .map(|l| LineForm {
                    product_id: l.product_id.map(|p| p.to_string()).unwrap_or_default(),
                    description: l.description.clone(),
                    quantity: shown(l.quantity),
                    // A price that came from a list is left to the list (the line
                    // says which), so that the draft stays priced as it was made.
                    unit_price: if l.price_list_id.is_some() {
                        String::new()
                    } else {
                        price(locale, l.unit_price.amount)
                    },
                    discount: shown(l.discount),
                    tax_rate: shown_tax_rate(locale, l.tax_rate),
                })
                .collect(),
        }
    }

    fn currency(&self) -> Option<Currency> {
        self.currency.trim().parse().ok()
    }

    /// The lines as the app takes them; what cannot be read goes into `errors` by
    /// `lines[i].field`, as the app names its own.
    fn line_inputs(&self, page: &Page, errors: &mut Vec<(String, Code)>) -> Vec<LineInput> {
        let currency = self.currency();
        let mut out = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            let mut bad = |f: &str, code: Code| errors.push((format!("lines[{i}].{f}"), code));
            let quantity = if l.quantity.trim().is_empty() {
                Some(Decimal::ONE)
            } else {
                decimal(page, &l.quantity)
            };
            let Some(quantity) = quantity else {
                bad("quantity", Code::Invalid);
                continue;
            };
            let unit_price = if l.unit_price.trim().is_empty() {
                None
            } else {
                match (decimal(page, &l.unit_price), currency) {
                    (Some(a), Some(c)) => Some(Money {
                        amount: a,
                        currency: c,
                    }),
                    (None, _) => {
                        bad("unit_price", Code::Invalid);
                        continue;
                    }
                    (Some(_), None) => {
                        errors.push(("currency".into(), Code::Required));
                        continue;
                    }
                }
            };
            let discount = if l.discount.trim().is_empty() {
                None
            } else {
                match decimal(page, &l.discount) {
                    Some(d) => Some(d),
                    None => {
                        bad("discount", Code::Invalid);
                        continue;
                    }
                }
            };
            let tax_rate = if l.tax_rate.trim().is_empty() {
                None
            } else {
                match typed_tax_rate(page, &l.tax_rate) {
                    Some(t) => Some(t),
                    None => {
                        bad("tax_rate", Code::Invalid);
                        continue;
                    }
                }
            };
            out.push(LineInput {
                product_id: id_of(&l.product_id),
                description: Some(l.description.trim().to_owned()).filter(|d| !d.is_empty()),
                quantity,
                unit_price,
                discount,
                tax_rate,
            });
        }
        out
    }

    fn discount(&self, page: &Page, errors: &mut Vec<(String, Code)>) -> Option<Decimal> {
        if self.discount.trim().is_empty() {
            return None;
        }
        let d = decimal(page, &self.discount);
        if d.is_none() {
            errors.push(("discount".into(), Code::Invalid));
        }
        d
    }

    fn valid_until(&self, errors: &mut Vec<(String, Code)>) -> Option<NaiveDate> {
        if self.valid_until.trim().is_empty() {
            return None;
        }
        let d = NaiveDate::parse_from_str(self.valid_until.trim(), "%Y-%m-%d").ok();
        if d.is_none() {
            errors.push(("valid_until".into(), Code::Invalid));
        }
        d
    }
}

/// Violations placed on the editor: the quote's own fields, and each line's by
/// position and field. Others become the message at the top.
#[derive(Default)]
struct Placed {
    fields: HashMap<String, String>,
    lines: HashMap<usize, HashMap<String, String>>,
    general: Option<String>,
    /// A confirmation at the top (saved, sent).
    notice: Option<String>,
    /// Why the quote was not sent, shown in the send dialog.
    send_error: Option<String>,
}

const QUOTE_FIELDS: [&str; 9] = [
    "account_id",
    "deal_id",
    "contact_id",
    "currency",
    "price_list_id",
    "language",
    "valid_until",
    "discount",
    "notes",
];

fn place(page: &Page, errors: &[(String, Code)]) -> Placed {
    let mut p = Placed::default();
    for (field, code) in errors {
        if let Some(rest) = field.strip_prefix("lines[")
            && let Some((n, tail)) = rest.split_once("].")
            && let Ok(n) = n.parse::<usize>()
        {
            let f = tail.split(['.', '[']).next().unwrap_or(tail);
            let f = if f == "product_id" { "product" } else { f };
            let text = explain(page, &format!("line-{f}"), *code);
            p.lines
                .entry(n)
                .or_default()
                .entry(f.to_owned())
                .or_insert(text);
            continue;
        }
        let top = field.split(['.', '[']).next().unwrap_or(field);
        if QUOTE_FIELDS.contains(&top) || top == "lines" {
            let text = explain(page, &format!("quote-{top}"), *code);
            p.fields.entry(top.to_owned()).or_insert(text);
        } else {
            p.general.get_or_insert_with(|| explain(page, "", *code));
        }
    }
    p
}

fn violations(v: &Violations) -> Vec<(String, Code)> {
    v.0.iter().map(|x| (x.field.clone(), x.code)).collect()
}

fn status_of(q: &Quote) -> &'static str {
    q.status.as_str()
}

/// A quote as a row of a list.
fn row(
    page: &Page,
    q: &Quote,
    accounts: &HashMap<Id, String>,
    people: &HashMap<Id, String>,
) -> Value {
    json!({
        "id": q.id,
        "number": q.number,
        "revision": q.revision,
        "account": accounts.get(&q.account_id),
        "account_id": q.account_id,
        "status": status_of(q),
        "total": money(page.locale, q.totals.total, q.currency.as_str()),
        "valid_until": day(page.locale, q.valid_until),
        "owner": q.owner_id.and_then(|o| people.get(&o).cloned()),
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Page size of the list.
const PAGE: i64 = 50;
/// How many quotes one request reads at most while looking for a status's rows; past
/// that, "Show more" goes on from where it stopped.
const SCAN: usize = 2000;

/// Quotes, newest first, filtered by status, a page at a time by the API's cursor.
async fn list(State(s): State<AppState>, me: Me, Query(q): Query<ListQuery>) -> Response {
    let page = &me.page;
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 500);
    let wanted = QuoteStatus::parse(&q.status);
    let key = |x: &Quote| {
        cartera_core::quotes::DocCursor {
            created_at: x.created_at,
            number: x.number.clone(),
        }
        .encode()
    };
    // A quote's status is read as of today (expiry), so the filter runs on what the app
    // gives, walking its pages until this page is full.
    let mut shown: Vec<Quote> = Vec::new();
    let mut cursor = q.cursor.clone();
    let mut read = 0;
    let next = loop {
        let batch = match quotes::page(&s.app, me.actor(), None, cursor.as_deref(), 100).await {
            Ok(b) => b,
            Err(e) => return page.error(e),
        };
        read += batch.data.len();
        let total = batch.data.len();
        let mut full_at = None;
        for (i, x) in batch.data.into_iter().enumerate() {
            if wanted.is_none_or(|w| x.status == w) {
                shown.push(x);
                if shown.len() as i64 == limit {
                    full_at = Some(i);
                    break;
                }
            }
        }
        if let Some(i) = full_at {
            // More may follow the page's last row, unless it was the very last quote.
            let at_end = i + 1 == total && batch.next_cursor.is_none();
            break if at_end { None } else { shown.last().map(key) };
        }
        match batch.next_cursor {
            None => break None,
            Some(c) if read >= SCAN => break Some(c),
            Some(c) => cursor = Some(c),
        }
    };
    let accounts = account_names(
        &s,
        &me,
        &shown.iter().map(|x| x.account_id).collect::<Vec<_>>(),
    )
    .await;
    let people = cartera_app::users::names(
        &s.app,
        &shown.iter().filter_map(|x| x.owner_id).collect::<Vec<_>>(),
    )
    .await
    .unwrap_or_default();
    let rows: Vec<Value> = shown
        .iter()
        .map(|x| row(page, x, &accounts, &people))
        .collect();
    let ctx = json!({
        "nav": "quotes",
        "rows": rows,
        "status": q.status,
        "statuses": ["draft", "sent", "accepted", "rejected", "expired"],
        "next": next,
        "limit": limit,
    });
    if page.htmx && matches!(page.hx_target.as_deref(), Some("quote-rows" | "quote-more")) {
        return page.render(StatusCode::OK, "quotes/quote_rows.html", ctx);
    }
    page.render(StatusCode::OK, "quotes/quotes.html", ctx)
}

/// What the editor offers: the chosen account's name (others are found by typing, see
/// [`account_options`]), its contacts, products, price lists.
async fn options(s: &AppState, me: &Me, account: Option<Id>) -> Value {
    let actor = me.actor();
    let account_name = match account {
        Some(a) => account_names(s, me, &[a]).await.remove(&a),
        None => None,
    };
    let contacts = match account {
        Some(a) => contacts_of(s, me, a).await,
        None => Vec::new(),
    };
    let products: Vec<Value> = catalog::list(&s.app, actor)
        .await
        .map(|l| {
            l.iter()
                .filter(|p| p.active)
                .map(|p| json!({"id": p.id, "name": p.name, "sku": p.sku, "tax_rate": p.tax_rate.to_string()}))
                .collect()
        })
        .unwrap_or_default();
    let price_lists: Vec<Value> = catalog::price_lists(&s.app, actor)
        .await
        .map(|l| {
            l.iter()
                .filter(|p| p.account_id.is_none() || p.account_id == account)
                .map(|p| json!({"id": p.id, "name": p.name, "currency": p.currency.as_str()}))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "account_name": account_name,
        "contacts": contacts,
        "products": products,
        "price_lists": price_lists,
    })
}

async fn contacts_of(s: &AppState, me: &Me, account: Id) -> Vec<Value> {
    let params = vec![
        ("filter[account_id][eq]".to_owned(), account.to_string()),
        ("limit".to_owned(), "200".to_owned()),
    ];
    records::list::<ContactData>(&s.app, me.actor(), &params)
        .await
        .map(|l| {
            l.rows
                .iter()
                .map(|c| {
                    json!({"id": c.id, "name": c.data.title(),
                           "email": c.data.emails.first().map(|e| e.address.clone())})
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The totals block's context: every figure to the cent, taxes per rate.
pub(crate) fn totals_ctx(page: &Page, t: &Totals) -> Value {
    let c = t.currency.as_str();
    json!({
        "currency": c,
        "line_nets": t.line_nets.iter().map(|n| money(page.locale, *n, c)).collect::<Vec<_>>(),
        "subtotal": money(page.locale, t.subtotal, c),
        "line_discounts": money(page.locale, t.line_discounts, c),
        "document_discount": money(page.locale, t.document_discount, c),
        "has_discounts": !t.discounts.is_zero(),
        "discounts": money(page.locale, t.discounts, c),
        "by_rate": t.by_rate.iter().map(|r| json!({
            "rate": match r.rate {
                TaxRate::Exempt => page.t("quote-tax-exempt"),
                TaxRate::Percent(p) => format!("{} %", language(page.locale).number(p)),
            },
            "base": money(page.locale, r.base, c),
            "tax": money(page.locale, r.tax, c),
        })).collect::<Vec<_>>(),
        "taxes": money(page.locale, t.taxes, c),
        "total": money(page.locale, t.total, c),
    })
}

/// The live totals of what the editor holds, and the name of the list that priced each
/// line: with a customer chosen, priced exactly as the save will price it
/// (`quotes::preview`); before that, free-text lines through the totals preview.
async fn preview(s: &AppState, me: &Me, e: &Editor) -> Preview {
    let mut errors = Vec::new();
    let lines = e.line_inputs(&me.page, &mut errors);
    let discount = e.discount(&me.page, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    if lines.is_empty() {
        return Err(vec![("lines".into(), Code::Required)]);
    }
    let answer = match id_of(&e.account_id) {
        Some(account) => {
            let draft = quotes::Draft {
                account_id: Some(account),
                currency: e.currency(),
                price_list_id: id_of(&e.price_list_id),
                issue_date: None,
                lines,
                discount,
            };
            quotes::preview(&s.app, me.actor(), draft).await.map(|p| {
                (
                    p.totals,
                    p.priced_by.into_iter().map(|b| b.map(|(_, n)| n)).collect(),
                )
            })
        }
        None => {
            let input = TotalsInput {
                currency: e.currency(),
                price_list_id: id_of(&e.price_list_id),
                date: None,
                lines,
                discount,
                rounding: None,
            };
            cartera_app::totals::preview(&s.app, me.actor(), input)
                .await
                .map(|t| (t, Vec::new()))
        }
    };
    match answer {
        Ok(t) => Ok(t),
        Err(AppError::Invalid(v)) => Err(violations(&v)),
        Err(_) => Err(vec![(String::new(), Code::Invalid)]),
    }
}

/// The editor's priced draft (totals, and the list that priced each line) or what
/// stops it being priced.
type Preview = Result<(Totals, Vec<Option<String>>), Vec<(String, Code)>>;

fn totals_block(page: &Page, result: &Preview) -> Value {
    match result {
        Ok((t, priced_by)) => json!({"totals": totals_ctx(page, t), "priced_by": priced_by}),
        Err(errors) => {
            let p = place(page, errors);
            let mut texts: Vec<String> = p.fields.values().cloned().collect();
            let mut lines: Vec<_> = p.lines.into_iter().collect();
            lines.sort_by_key(|(n, _)| *n);
            for (n, fields) in lines {
                for text in fields.values() {
                    texts.push(format!("{} {}: {text}", page.t("quote-line"), n + 1));
                }
            }
            texts.extend(p.general);
            json!({"totals": null, "totals_errors": texts})
        }
    }
}

/// The editor's live totals: the form as typed, priced like the API's totals preview.
async fn totals(
    State(s): State<AppState>,
    me: Me,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let e = Editor::parse(&pairs);
    let result = preview(&s, &me, &e).await;
    me.page.render(
        StatusCode::OK,
        "quotes/quote_totals.html",
        totals_block(&me.page, &result),
    )
}

/// One empty line row, added to the editor without a reload.
async fn line_row(State(s): State<AppState>, me: Me) -> Response {
    let products: Vec<Value> = catalog::list(&s.app, me.actor())
        .await
        .map(|l| {
            l.iter()
                .filter(|p| p.active)
                .map(|p| json!({"id": p.id, "name": p.name, "sku": p.sku}))
                .collect()
        })
        .unwrap_or_default();
    me.page.render(
        StatusCode::OK,
        "quotes/quote_line.html",
        json!({"products": products, "l": LineForm { quantity: "1".into(), ..LineForm::default() }, "errs": {}}),
    )
}

#[derive(Deserialize, Default)]
pub struct ContactsQuery {
    #[serde(default)]
    account_id: String,
}

/// The contact options of the chosen account (the editor's account select asks).
async fn contact_options(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ContactsQuery>,
) -> Response {
    let contacts = match id_of(&q.account_id) {
        Some(a) => contacts_of(&s, &me, a).await,
        None => Vec::new(),
    };
    me.page.render(
        StatusCode::OK,
        "quotes/quote_contacts.html",
        json!({"contacts": contacts, "form": {"contact_id": ""}}),
    )
}

/// Renders the editor (new quote or draft) with what was typed and its errors.
async fn editor(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    e: &Editor,
    quote: Option<&Quote>,
    placed: Placed,
) -> Response {
    let page = &me.page;
    let account = id_of(&e.account_id);
    let mut ctx = options(s, me, account).await;
    let result = if e.lines.is_empty() {
        Err(Vec::new())
    } else {
        preview(s, me, e).await
    };
    let block = match &result {
        Ok(_) => totals_block(page, &result),
        Err(_) => json!({"totals": null, "totals_errors": []}),
    };
    let priced_by: &[Option<String>] = match &result {
        Ok((_, by)) => by,
        Err(_) => &[],
    };
    let mut lines: Vec<Value> = e
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({"l": l, "errs": placed.lines.get(&i).cloned().unwrap_or_default(),
                   "priced_by": priced_by.get(i).cloned().flatten()})
        })
        .collect();
    if lines.is_empty() {
        lines.push(
            json!({"l": LineForm { quantity: "1".into(), ..LineForm::default() }, "errs": {}}),
        );
    }
    let deal_name = match id_of(&e.deal_id) {
        Some(d) => records::get::<DealData>(&s.app, me.actor(), d)
            .await
            .ok()
            .map(|d| d.data.name),
        None => None,
    };
    if let Value::Object(m) = &mut ctx {
        m.insert("nav".into(), "quotes".into());
        m.insert(
            "form".into(),
            json!({
                "account_id": e.account_id, "deal_id": e.deal_id, "contact_id": e.contact_id,
                "currency": e.currency, "price_list_id": e.price_list_id,
                "language": if e.language.is_empty() { page.locale.as_str().to_owned() } else { e.language.clone() },
                "valid_until": e.valid_until, "discount": e.discount, "notes": e.notes,
                "version": e.version,
            }),
        );
        m.insert("lines".into(), lines.into());
        m.insert("errors".into(), json!(placed.fields));
        m.insert("general_error".into(), json!(placed.general));
        m.insert("notice".into(), json!(placed.notice));
        m.insert("send_error".into(), json!(placed.send_error));
        m.insert("deal_name".into(), json!(deal_name));
        m.insert("block".into(), block);
        if let Some(q) = quote {
            m.insert("quote".into(), quote_ctx(page, q, &list_names(s, me).await));
        }
    }
    if let Some(q) = quote {
        return quote_page(s, me, status, q, ctx).await;
    }
    page.render(status, "quotes/quote_edit.html", ctx)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    deal: Option<String>,
    account: Option<String>,
}

/// The editor for a new quote, prefilled from a deal (its account, contact, currency
/// and lines) or an account.
async fn new_form(State(s): State<AppState>, me: Me, Query(q): Query<NewQuery>) -> Response {
    if let Err(e) = me.actor().permit(
        cartera_core::roles::Module::Quotes,
        cartera_core::roles::Action::Create,
    ) {
        return me.page.error(e);
    }
    let mut e = Editor {
        currency: "ARS".into(),
        ..Editor::default()
    };
    if let Some(a) = q.account.as_deref().and_then(id_of) {
        e.account_id = a.to_string();
    }
    if let Some(d) = q.deal.as_deref().and_then(id_of) {
        match records::get::<DealData>(&s.app, me.actor(), d).await {
            Ok(deal) => {
                e.deal_id = d.to_string();
                if let Some(a) = deal.data.account_id {
                    e.account_id = a.to_string();
                }
                if let Some(c) = deal.data.contact_ids.first() {
                    e.contact_id = c.to_string();
                }
                if let Some(c) = deal.data.currency {
                    e.currency = c.as_str().to_owned();
                }
                // The deal's lines as the quote will start from them (priced as the
                // deal was); the app copies them again when the quote is made.
                if let Ok(lines) = cartera_app::deals::lines_for_quote(&s.app, me.actor(), d).await
                    && let Ok(v) = serde_json::to_value(&lines)
                {
                    e.lines = editor_lines(&v, me.page.locale);
                    if let Some(pl) = v["price_list_id"].as_str() {
                        e.price_list_id = pl.to_owned();
                    }
                    if let Some(c) = v["currency"].as_str() {
                        e.currency = c.to_owned();
                    }
                }
            }
            Err(err) => return me.page.error(err),
        }
    }
    editor(&s, &me, StatusCode::OK, &e, None, Placed::default()).await
}

/// The deal's quote lines (as `GET /deals/{id}/quote_lines` gives them) as editor rows,
/// their figures written the reader's way (as the editor reads them back).
fn editor_lines(v: &Value, locale: Locale) -> Vec<LineForm> {
    let text = |x: &Value| match x {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let figure = |x: &Value, show: fn(Locale, Decimal) -> String| {
        Decimal::from_str(&text(x))
            .map(|d| show(locale, d))
            .unwrap_or_default()
    };
    v["lines"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .map(|l| LineForm {
                    product_id: text(&l["product_id"]),
                    description: text(&l["description"]),
                    quantity: figure(&l["quantity"], number),
                    unit_price: figure(&l["unit_price"]["amount"], price),
                    discount: figure(&l["discount"], number),
                    tax_rate: TaxRate::from_str(&text(&l["tax_rate"]))
                        .map(|r| shown_tax_rate(locale, r))
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Creates the quote from the editor; errors go back next to their fields (422).
async fn create(
    State(s): State<AppState>,
    me: Me,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let page = &me.page;
    let e = Editor::parse(&pairs);
    let mut errors = Vec::new();
    let account = id_of(&e.account_id);
    if account.is_none() {
        errors.push(("account_id".to_owned(), Code::Required));
    }
    let currency = if e.currency.trim().is_empty() {
        None
    } else {
        let c = e.currency();
        if c.is_none() {
            errors.push(("currency".to_owned(), Code::Invalid));
        }
        c
    };
    let lines = e.line_inputs(&me.page, &mut errors);
    let discount = e.discount(&me.page, &mut errors);
    let valid_until = e.valid_until(&mut errors);
    let deal_id = id_of(&e.deal_id);
    if lines.is_empty() && deal_id.is_none() && errors.is_empty() {
        errors.push(("lines".to_owned(), Code::Required));
    }
    if let (true, Some(account_id)) = (errors.is_empty(), account) {
        let input = NewQuote {
            account_id,
            // The editor shows the deal's lines, so what is typed is what counts.
            deal_id,
            contact_id: id_of(&e.contact_id),
            owner_id: None,
            currency,
            language: Language::parse(&e.language),
            price_list_id: id_of(&e.price_list_id),
            issue_date: None,
            valid_until,
            lines,
            discount,
            rounding: None,
            notes: Some(e.notes.clone()).filter(|n| !n.trim().is_empty()),
        };
        match quotes::create(&s.app, me.actor(), input).await {
            Ok(q) => return Redirect::to(&format!("/quotes/{}", q.id)).into_response(),
            Err(AppError::Invalid(v)) => errors = violations(&v),
            Err(err) => return page.error(err),
        }
    }
    let placed = place(page, &errors);
    editor(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, &e, None, placed).await
}

/// Saves a draft from the editor (the app makes a sent one its next revision).
async fn save(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let page = &me.page;
    let old = match quotes::get(&s.app, me.actor(), id).await {
        Ok(q) => q,
        Err(e) => return page.error(e),
    };
    let mut e = Editor::parse(&pairs);
    // What a draft cannot change is shown, not sent: keep the stored values.
    e.account_id = old.account_id.to_string();
    e.currency = old.currency.as_str().to_owned();
    e.price_list_id = old.price_list_id.map(|p| p.to_string()).unwrap_or_default();
    e.deal_id = old.deal_id.map(|p| p.to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    let lines = e.line_inputs(&me.page, &mut errors);
    let discount = e.discount(&me.page, &mut errors);
    let valid_until = e.valid_until(&mut errors);
    if lines.is_empty() && errors.is_empty() {
        errors.push(("lines".to_owned(), Code::Required));
    }
    if errors.is_empty() {
        let change = QuoteChange {
            contact_id: id_of(&e.contact_id),
            owner_id: None,
            language: Language::parse(&e.language),
            valid_until,
            lines: Some(lines),
            discount: Some(discount.unwrap_or_default()),
            rounding: None,
            notes: Some(e.notes.clone()),
        };
        let version = e.version.trim().parse::<i64>().ok();
        match quotes::update(&s.app, me.actor(), id, change, version).await {
            Ok(q) => return Redirect::to(&format!("/quotes/{}?saved=1", q.id)).into_response(),
            Err(AppError::Invalid(v)) => errors = violations(&v),
            Err(AppError::Stale { .. }) => {
                let placed = Placed {
                    general: Some(page.t("quote-stale")),
                    ..Placed::default()
                };
                return editor(&s, &me, StatusCode::CONFLICT, &e, Some(&old), placed).await;
            }
            Err(AppError::Conflict(_)) => {
                let placed = Placed {
                    general: Some(page.t("quote-final")),
                    ..Placed::default()
                };
                return editor(&s, &me, StatusCode::CONFLICT, &e, Some(&old), placed).await;
            }
            Err(err) => return page.error(err),
        }
    }
    let placed = place(page, &errors);
    editor(
        &s,
        &me,
        StatusCode::UNPROCESSABLE_ENTITY,
        &e,
        Some(&old),
        placed,
    )
    .await
}

/// The price lists' names by id, to say which list priced each line.
async fn list_names(s: &AppState, me: &Me) -> HashMap<Id, String> {
    catalog::price_lists(&s.app, me.actor())
        .await
        .map(|ls| ls.into_iter().map(|l| (l.id, l.name)).collect())
        .unwrap_or_default()
}

fn quote_ctx(page: &Page, q: &Quote, lists: &HashMap<Id, String>) -> Value {
    let c = q.currency.as_str();
    let l = language(page.locale);
    json!({
        "id": q.id,
        "number": q.number,
        "revision": q.revision,
        "status": status_of(q),
        "currency": c,
        "language": q.language.as_str(),
        "issue_date": day(page.locale, q.issue_date),
        "valid_until": day(page.locale, q.valid_until),
        "discount": l.number(q.discount),
        "notes": q.notes,
        "version": q.version,
        "deal_id": q.deal_id,
        "account_id": q.account_id,
        "contact_id": q.contact_id,
        "lines": q.lines.iter().zip(q.totals.line_nets.iter()).map(|(x, net)| json!({
            "sku": x.sku,
            "description": x.description,
            "unit": x.unit,
            "quantity": l.number(x.quantity),
            "unit_price": amount(page.locale, x.unit_price.amount),
            "discount": (!x.discount.is_zero()).then(|| format!("{} %", l.number(x.discount))),
            "tax_rate": match x.tax_rate {
                TaxRate::Exempt => page.t("quote-tax-exempt"),
                TaxRate::Percent(p) => format!("{} %", l.number(p)),
            },
            "net": amount(page.locale, *net),
            "priced_by": x.price_list_id.and_then(|p| lists.get(&p)),
        })).collect::<Vec<_>>(),
        "totals": totals_ctx(page, &q.totals),
    })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    error: Option<String>,
    sent: Option<String>,
    saved: Option<String>,
}

/// A draft opens in the editor; any other quote is shown read-only with its actions.
async fn show(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let page = &me.page;
    let quote = match quotes::get(&s.app, me.actor(), id).await {
        Ok(x) => x,
        Err(e) => return page.error(e),
    };
    let notice = if q.sent.is_some() {
        Some(page.t("quote-sent-notice"))
    } else if q.saved.is_some() {
        Some(page.t("quote-saved-notice"))
    } else {
        None
    };
    // Problems of the send dialog are shown in it; others at the top.
    let (send_error, general) = match q.error.as_deref() {
        // Refused for the customer's risk: why, in words, with the level and figures.
        Some("risk") => (
            Some(
                blocked(&s, &me, quote.account_id, "send")
                    .await
                    .unwrap_or_else(|| page.t("quote-error-not-sent")),
            ),
            None,
        ),
        Some("risk-order") => (
            None,
            Some(
                blocked(&s, &me, quote.account_id, "order")
                    .await
                    .unwrap_or_else(|| page.t("quote-error-no-order")),
            ),
        ),
        Some(e @ ("no-recipient" | "bad-recipient" | "not-sent")) => {
            (Some(page.t(&format!("quote-error-{e}"))), None)
        }
        Some(e) => (None, Some(page.t(&format!("quote-error-{e}")))),
        None => (None, None),
    };
    if quote.status == QuoteStatus::Draft {
        let e = Editor::of_quote(&quote, me.page.locale);
        let placed = Placed {
            general,
            notice,
            send_error,
            ..Placed::default()
        };
        return editor(&s, &me, StatusCode::OK, &e, Some(&quote), placed).await;
    }
    let ctx = json!({
        "nav": "quotes",
        "quote": quote_ctx(page, &quote, &list_names(&s, &me).await),
        "general_error": general,
        "send_error": send_error,
        "notice": notice,
    });
    quote_page(&s, &me, StatusCode::OK, &quote, ctx).await
}

/// The quote page: the editor or the read-only lines, with the header, history,
/// revisions, PDF preview, send dialog and the actions its status allows.
async fn quote_page(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    q: &Quote,
    mut ctx: Value,
) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let accounts = account_names(s, me, &[q.account_id]).await;
    let mut ids: Vec<Id> = q.owner_id.into_iter().collect();
    ids.push(actor.user_id);
    let people = cartera_app::users::names(&s.app, &ids)
        .await
        .unwrap_or_default();
    let contact = match q.contact_id {
        Some(c) => records::get::<ContactData>(&s.app, actor, c).await.ok(),
        None => None,
    };
    let recipient = contact
        .as_ref()
        .and_then(|c| c.data.emails.first().map(|e| e.address.clone()));
    let deal = match q.deal_id {
        Some(d) => records::get::<DealData>(&s.app, actor, d).await.ok(),
        None => None,
    };
    let order = orders::list(&s.app, actor, Some(q.account_id))
        .await
        .ok()
        .and_then(|os| os.into_iter().find(|o| o.quote_id == Some(q.id)));
    let tz = page.time_zone();
    let mut history = vec![
        json!({"what": page.t("quote-history-created"), "when": when(q.created_at, tz, page.locale)}),
    ];
    if let Some(t) = q.sent_at {
        history
            .push(json!({"what": page.t("quote-history-sent"), "when": when(t, tz, page.locale)}));
    }
    if let Some(t) = q.accepted_at {
        history.push(
            json!({"what": page.t("quote-history-accepted"), "when": when(t, tz, page.locale)}),
        );
    }
    if let Some(t) = q.rejected_at {
        history.push(
            json!({"what": page.t("quote-history-rejected"), "when": when(t, tz, page.locale)}),
        );
    }
    if let Some(d) = q.expired_on {
        history.push(json!({"what": page.t("quote-history-expired"), "when": day(page.locale, d)}));
    }
    let mut revisions = Vec::new();
    for n in (1..q.revision).rev() {
        if let Ok(r) = quotes::revision(&s.app, actor, q.id, n).await {
            revisions.push(json!({
                "revision": n,
                "total": r["totals"]["total"].as_str().and_then(|t| Decimal::from_str(t).ok())
                    .map(|t| money(page.locale, t, q.currency.as_str())),
                "sent": r["sent_at"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| when(t.with_timezone(&chrono::Utc), tz, page.locale)),
            }));
        }
    }
    let company = cartera_app::settings::get(&s.app, actor)
        .await
        .map(|st| st.company.name)
        .unwrap_or_default();
    let number = &q.number;
    let company_missing = company.trim().is_empty();
    let company_name = if company.is_empty() {
        "Cartera".to_owned()
    } else {
        company
    };
    let (subject, message) = match q.language {
        Language::Es => (
            format!("Presupuesto {number} de {company_name}"),
            format!(
                "Hola{}:\n\nLe enviamos adjunto nuestro presupuesto {number}, válido hasta el {}.\n\nQuedamos a su disposición para cualquier consulta.\n\n{company_name}\n",
                contact
                    .as_ref()
                    .map(|c| format!(", {}", c.data.title()))
                    .unwrap_or_default(),
                q.language.date(q.valid_until)
            ),
        ),
        Language::En => (
            format!("Quote {number} from {company_name}"),
            format!(
                "Hello{},\n\nPlease find attached our quote {number}, valid until {}.\n\nDo not hesitate to contact us with any question.\n\n{company_name}\n",
                contact
                    .as_ref()
                    .map(|c| format!(" {}", c.data.title()))
                    .unwrap_or_default(),
                q.language.date(q.valid_until)
            ),
        ),
    };
    let can =
        |m: cartera_core::roles::Module, a: cartera_core::roles::Action| actor.permit(m, a).is_ok();
    use cartera_core::roles::{Action, Module};
    let extra = json!({
        "nav": "quotes",
        "account": accounts.get(&q.account_id),
        "owner": q.owner_id.and_then(|o| people.get(&o).cloned()),
        "contact": contact.as_ref().map(|c| json!({"id": c.id, "name": c.data.title()})),
        "recipient": recipient,
        "deal": deal.as_ref().map(|d| json!({"id": d.id, "name": d.data.name})),
        "order": order.as_ref().map(|o| json!({"id": o.id, "number": o.number})),
        "history": history,
        "revisions": revisions,
        "send": {"subject": subject, "message": message},
        // Before a quote goes out signed "Cartera": the company's name and data are unset.
        "company_missing": company_missing,
        "can_set_company": can(Module::Settings, Action::Admin),
        "can_edit": can(Module::Quotes, Action::Edit),
        "can_order": can(Module::Orders, Action::Create),
        "editable": q.status == QuoteStatus::Draft,
        "billing": super::billing_common::quote_ctx(s, me, q, order.is_some()).await,
    });
    if let (Value::Object(m), Value::Object(more)) = (&mut ctx, extra) {
        for (k, v) in more {
            m.entry(k).or_insert(v);
        }
        if !m.contains_key("quote") {
            m.insert("quote".into(), quote_ctx(page, q, &list_names(s, me).await));
        }
    }
    page.render(status, "quotes/quote.html", ctx)
}

/// The quote's PDF, made by the same function as `GET /api/v1/quotes/{id}/pdf`; it may
/// be framed by our own pages (the preview).
async fn pdf(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match quotes::print::pdf(&s.app, me.actor(), id).await {
        Ok((name, bytes)) => {
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
            );
            h.insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            );
            res
        }
        Err(AppError::Conflict(_)) => me.page.error_page(StatusCode::CONFLICT, "quote-pdf"),
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

/// Sends the quote from the dialog: the PDF by email, the quote marked sent.
async fn send(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<SendForm>,
) -> Response {
    let page = &me.page;
    let input = SendInput {
        to: Some(f.to.trim().to_owned()).filter(|t| !t.is_empty()),
        subject: Some(f.subject.clone()),
        message: Some(f.message.clone()),
    };
    match quotes::print::send(&s.app, me.actor(), id, input).await {
        Ok(_) => Redirect::to(&format!("/quotes/{id}?sent=1")).into_response(),
        Err(AppError::Invalid(v)) => {
            let code = v.0.first().map(|x| x.code);
            let key = match code {
                Some(Code::Required) => "no-recipient",
                _ => "bad-recipient",
            };
            Redirect::to(&format!("/quotes/{id}?error={key}#send")).into_response()
        }
        Err(AppError::Conflict(_)) => {
            // The customer's risk waits for a manager, or the mail server said no.
            let key = match quotes::get(&s.app, me.actor(), id).await {
                Ok(q) if blocked(&s, &me, q.account_id, "send").await.is_some() => "risk",
                _ => "not-sent",
            };
            Redirect::to(&format!("/quotes/{id}?error={key}#send")).into_response()
        }
        Err(e) => page.error(e),
    }
}

async fn accept(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match quotes::decide(&s.app, me.actor(), id, true).await {
        Ok(_) => Redirect::to(&format!("/quotes/{id}")).into_response(),
        Err(AppError::Conflict(_)) => {
            Redirect::to(&format!("/quotes/{id}?error=not-open")).into_response()
        }
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

/// The customer said no; the reason goes on the account as a note, so it shows on the
/// timeline beside the quote's events.
async fn reject(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(f): Form<RejectForm>,
) -> Response {
    let q = match quotes::decide(&s.app, me.actor(), id, false).await {
        Ok(q) => q,
        Err(AppError::Conflict(_)) => {
            return Redirect::to(&format!("/quotes/{id}?error=not-open")).into_response();
        }
        Err(e) => return me.page.error(e),
    };
    let reason = f.reason.trim();
    if !reason.is_empty() {
        let body = format!(
            "{} {}: {reason}",
            me.page.t("quote-rejected-note"),
            q.number
        );
        if let Err(e) = notes::create(
            &s.app,
            me.actor(),
            RecordKind::Account,
            q.account_id,
            json!({ "body": body }),
        )
        .await
        {
            tracing::warn!(error = %e, "the rejection reason was not noted");
        }
    }
    Redirect::to(&format!("/quotes/{id}")).into_response()
}

/// A new revision of a sent quote: a draft again, the sent one kept.
async fn revise(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match quotes::update(&s.app, me.actor(), id, QuoteChange::default(), None).await {
        Ok(_) => Redirect::to(&format!("/quotes/{id}")).into_response(),
        Err(AppError::Conflict(_)) => {
            Redirect::to(&format!("/quotes/{id}?error=final")).into_response()
        }
        Err(e) => me.page.error(e),
    }
}

async fn make_order(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match orders::from_quote(&s.app, me.actor(), id).await {
        Ok(o) => Redirect::to(&format!("/orders/{}", o.id)).into_response(),
        Err(AppError::Conflict(_)) => {
            let key = match quotes::get(&s.app, me.actor(), id).await {
                Ok(q) if blocked(&s, &me, q.account_id, "order").await.is_some() => "risk-order",
                _ => "no-order",
            };
            Redirect::to(&format!("/quotes/{id}?error={key}")).into_response()
        }
        Err(e) => me.page.error(e),
    }
}

/// The quotes of an account or a deal, for their pages (none without the right).
pub async fn of_account(
    s: &AppState,
    me: &Me,
    account: Id,
    deal: Option<Id>,
) -> Option<Vec<Value>> {
    rows_of(s, me, account, |q| deal.is_none() || q.deal_id == deal).await
}

/// The quotes addressed to a contact (among its account's), for the contact's page.
pub async fn of_contact(s: &AppState, me: &Me, account: Id, contact: Id) -> Option<Vec<Value>> {
    rows_of(s, me, account, |q| q.contact_id == Some(contact)).await
}

async fn rows_of(
    s: &AppState,
    me: &Me,
    account: Id,
    keep: impl Fn(&Quote) -> bool,
) -> Option<Vec<Value>> {
    let list = quotes::list(&s.app, me.actor(), Some(account), 100)
        .await
        .ok()?;
    Some(
        list.iter()
            .filter(|q| keep(q))
            .map(|q| {
                json!({
                    "id": q.id,
                    "number": q.number,
                    "status": status_of(q),
                    "total": money(me.page.locale, q.totals.total, q.currency.as_str()),
                    "valid_until": day(me.page.locale, q.valid_until),
                })
            })
            .collect(),
    )
}

/// The account page's card of its quotes (`web/panels.rs`).
pub fn account_panel<'a>(s: &'a AppState, me: &'a Me, account: Id) -> PanelFuture<'a> {
    Box::pin(async move {
        let quotes = of_account(s, me, account, None).await?;
        Some(Panel::new(
            "quotes/account_panel.html",
            json!({"quotes": quotes, "account": account}),
        ))
    })
}

// ---------- Company data, template and logo (admin) ----------

fn refused(me: &Me) -> Option<Response> {
    use cartera_core::roles::{Action, Module};
    me.actor()
        .permit(Module::Settings, Action::Admin)
        .err()
        .map(|e| me.page.error(e))
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    saved: Option<String>,
}

async fn settings_render(s: &AppState, me: &Me, status: StatusCode, extra: Value) -> Response {
    let actor = me.actor();
    let settings = match cartera_app::settings::get(&s.app, actor).await {
        Ok(x) => x,
        Err(e) => return me.page.error(e),
    };
    let info = match quotes::template_info(&s.app, actor).await {
        Ok(x) => x,
        Err(e) => return me.page.error(e),
    };
    let mut ctx = json!({
        "nav": "admin",
        "tab": "quotes",
        "company": settings.company,
        "template": info.template,
        "is_default": info.is_default,
        "has_logo": info.logo_type.is_some(),
        "errors": {},
    });
    if let (Value::Object(m), Value::Object(more)) = (&mut ctx, extra) {
        m.extend(more);
    }
    me.page.render(status, "quotes/settings_quotes.html", ctx)
}

async fn settings_page(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<SettingsQuery>,
) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let notice = q
        .saved
        .map(|w| me.page.t(&format!("quote-settings-saved-{w}")));
    settings_render(&s, &me, StatusCode::OK, json!({"notice": notice})).await
}

#[derive(Deserialize)]
pub struct CompanyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tax_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

async fn save_company(State(s): State<AppState>, me: Me, Form(f): Form<CompanyForm>) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let company = json!({"name": f.name.trim(), "tax_id": f.tax_id.trim(), "address": f.address.trim(),
                         "phone": f.phone.trim(), "email": f.email.trim()});
    match cartera_app::settings::update(&s.app, me.actor(), json!({ "company": company })).await {
        Ok(_) => Redirect::to("/admin/quotes?saved=company").into_response(),
        Err(AppError::Invalid(v)) => {
            let mut errors = serde_json::Map::new();
            for x in &v.0 {
                let f = x.field.rsplit('.').next().unwrap_or(&x.field).to_owned();
                let text = explain(&me.page, &f, x.code);
                errors.entry(f).or_insert(text.into());
            }
            settings_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"errors": errors, "company_form": company}),
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    template: String,
    #[serde(default)]
    reset: String,
}

async fn save_template(State(s): State<AppState>, me: Me, Form(f): Form<TemplateForm>) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let done = if f.reset == "1" {
        quotes::reset_template(&s.app, me.actor()).await
    } else {
        quotes::set_template(&s.app, me.actor(), f.template.replace("\r\n", "\n")).await
    };
    match done {
        Ok(_) => Redirect::to("/admin/quotes?saved=template").into_response(),
        Err(AppError::Invalid(v)) => {
            let error = template_refusal(&me.page, &v);
            settings_render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"template": f.template, "template_error": error}),
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

/// Why a document template was refused: typst's own line and message say where.
pub(super) fn template_refusal(page: &super::render::Page, v: &cartera_core::Violations) -> String {
    let detail = v.0.iter().map(|x| x.message.as_str()).collect::<Vec<_>>();
    format!("{} {}", page.t("quote-template-invalid"), detail.join("; "))
}

/// The logo arrives as the request's body (the page's script sends the file).
async fn upload_logo(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    match quotes::set_logo(&s.app, me.actor(), body.to_vec()).await {
        Ok(_) => (
            StatusCode::OK,
            axum::Json(json!({"location": "/admin/quotes?saved=logo"})),
        )
            .into_response(),
        Err(AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"detail": me.page.t("quote-logo-invalid")})),
        )
            .into_response(),
        Err(e) => me.page.error(e),
    }
}

async fn delete_logo(State(s): State<AppState>, me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    match quotes::delete_logo(&s.app, me.actor()).await {
        Ok(_) => Redirect::to("/admin/quotes?saved=logo").into_response(),
        Err(e) => me.page.error(e),
    }
}

async fn logo(State(s): State<AppState>, me: Me) -> Response {
    match quotes::logo_image(&s.app, me.actor()).await {
        Ok((kind, bytes)) => {
            let mut res = bytes.into_response();
            if let Ok(v) = HeaderValue::from_str(&kind) {
                res.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            // An SVG logo is shown as an image only, never run as a document.
            res.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            res
        }
        Err(e) => me.page.error(e),
    }
}

#[cfg(test)]
mod tests {
    use cartera_core::imports::read::Raw;
    use cartera_core::imports::values::{self, Locale as FileLocale};
    use proptest::prelude::*;

    use super::*;
    use crate::web::forms::written_number;

    proptest! {
        /// What a page shows in an input (a price, or a quantity without trailing
        /// zeros) reads back as the same number on a page of that language, as does
        /// the same text in an import (in either file locale).
        #[test]
        fn the_readers_agree(
            units in 0i64..10_000_000_000_000,
            places in 0u32..5,
            es in any::<bool>(),
            as_price in any::<bool>(),
        ) {
            let value = Decimal::new(units, places);
            let locale = if es { Locale::Es } else { Locale::En };
            let text = if as_price { price(locale, value) } else { number(locale, value) };
            prop_assert_eq!(written_number(locale, &text).ok(), Some(value), "page, {}", text);
            // A lone mark before three decimals (`0,125`) is only the page's to read:
            // an import takes it for thousands.
            if places <= 2 {
                for file in [FileLocale::Es, FileLocale::En] {
                    let cell = Raw::Text(text.clone());
                    prop_assert_eq!(values::decimal(&cell, file).map_err(|e| e.message), Ok(value), "import, {}", text);
                }
            }
        }
    }
}
