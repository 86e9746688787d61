//! The deal form: create a deal (from the board, the list or an account's page, with the
//! account pre-filled) and edit one (amount, close date, pipeline and stage, contacts,
//! lines, competitors, owner). A change of stage or pipeline goes through the same move
//! the board makes, so the stage history and the lost reason stay right.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::deals::{self, MoveInput};
use cartera_app::records::{self, WriteOptions};
use cartera_app::{AppError, users};
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::deals::{DealData, Pipeline, StageOutcome};
use cartera_core::record::{Record, RecordData};
use cartera_core::roles::{Action, Module};
use cartera_core::{Id, Violations};

use super::forms::{Fields, FormErrors};
use super::render::{Me, Page, PageId};
use crate::state::AppState;

/// The currencies offered first; any ISO code may be typed.
const CURRENCIES: &[&str] = &["ARS", "USD", "MXN", "EUR"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deals/new", get(new_form).post(create))
        .route("/deals/{id}/edit", get(edit_form).post(save))
        .route("/deals/contacts", get(contact_choices))
}

/// The form as typed: every field a string, lines and competitors as rows.
#[derive(Default)]
struct DealForm {
    name: String,
    account_id: String,
    account_name: String,
    contact_ids: Vec<String>,
    pipeline_id: String,
    stage_id: String,
    lost_reason: String,
    amount: String,
    currency: String,
    close: String,
    probability: String,
    owner_id: String,
    source: String,
    campaign: String,
    description: String,
    tags: String,
    lines: Vec<LineRow>,
    competitors: Vec<CompetitorRow>,
    version: String,
}

#[derive(Default, serde::Serialize)]
struct LineRow {
    description: String,
    quantity: String,
    price: String,
    discount: String,
    tax: String,
    product_id: String,
}

#[derive(Default, serde::Serialize)]
struct CompetitorRow {
    account_id: String,
    name: String,
    threat: String,
    notes: String,
}

impl LineRow {
    fn blank(&self) -> bool {
        self.description.trim().is_empty()
            && self.price.trim().is_empty()
            && self.product_id.is_empty()
    }
}

/// Column `i` of repeated field `name` (a row's cell), empty past its end.
fn cell(cols: &HashMap<&str, Vec<String>>, name: &str, i: usize) -> String {
    cols.get(name)
        .and_then(|c| c.get(i))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

impl DealForm {
    fn read(f: &Fields) -> DealForm {
        let names = [
            "line_description",
            "line_quantity",
            "line_price",
            "line_discount",
            "line_tax",
            "line_product_id",
            "comp_account_id",
            "comp_threat",
            "comp_notes",
        ];
        let cols: HashMap<&str, Vec<String>> = names.iter().map(|n| (*n, f.all(n))).collect();
        let line_count = cols["line_description"].len();
        let comp_count = cols["comp_threat"].len();
        DealForm {
            name: f.get("name"),
            account_id: f.get("account_id"),
            account_name: String::new(),
            contact_ids: f.all("contact_ids"),
            pipeline_id: f.get("pipeline_id"),
            stage_id: f.get("stage_id"),
            lost_reason: f.get("lost_reason"),
            amount: f.get("amount"),
            currency: f.get("currency").to_uppercase(),
            close: f.get("expected_close_date"),
            probability: f.get("probability"),
            owner_id: f.get("owner_id"),
            source: f.get("source"),
            campaign: f.get("campaign"),
            description: f.get("description"),
            tags: f.get("tags"),
            lines: (0..line_count)
                .map(|i| LineRow {
                    description: cell(&cols, "line_description", i),
                    quantity: cell(&cols, "line_quantity", i),
                    price: cell(&cols, "line_price", i),
                    discount: cell(&cols, "line_discount", i),
                    tax: cell(&cols, "line_tax", i),
                    product_id: cell(&cols, "line_product_id", i),
                })
                .filter(|l| !l.blank())
                .collect(),
            competitors: (0..comp_count)
                .map(|i| CompetitorRow {
                    account_id: cell(&cols, "comp_account_id", i),
                    name: String::new(),
                    threat: cell(&cols, "comp_threat", i),
                    notes: cell(&cols, "comp_notes", i),
                })
                .filter(|c| !c.account_id.is_empty())
                .collect(),
            version: f.get("version"),
        }
    }

    /// The form of a stored deal, names of the accounts it points to from `names`.
    fn of(d: &Record<DealData>, page: &Page, names: &HashMap<Id, String>) -> DealForm {
        let x = &d.data;
        // Figures as the reader writes them, which is how the form reads them back.
        let money = |v: rust_decimal::Decimal| super::figures::amount(page.locale, v);
        let shown = |v: rust_decimal::Decimal| super::figures::number(page.locale, v);
        DealForm {
            name: x.name.clone(),
            account_id: x.account_id.map(|a| a.to_string()).unwrap_or_default(),
            account_name: x
                .account_id
                .and_then(|a| names.get(&a).cloned())
                .unwrap_or_default(),
            contact_ids: x.contact_ids.iter().map(Id::to_string).collect(),
            pipeline_id: x.pipeline_id.map(|p| p.to_string()).unwrap_or_default(),
            stage_id: x.stage_id.map(|p| p.to_string()).unwrap_or_default(),
            lost_reason: x.lost_reason.clone().unwrap_or_default(),
            // Without lines the amount is typed; with lines Cartera computes it.
            amount: if x.lines.is_empty() {
                x.amount.map(|m| money(m.amount)).unwrap_or_default()
            } else {
                String::new()
            },
            currency: x
                .currency
                .or(x.amount.map(|m| m.currency))
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            close: x
                .expected_close_date
                .map(|c| c.to_string())
                .unwrap_or_default(),
            probability: x.probability.map(|p| p.to_string()).unwrap_or_default(),
            owner_id: x.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            source: x.source.clone().unwrap_or_default(),
            campaign: x.campaign.clone().unwrap_or_default(),
            description: x.description.clone().unwrap_or_default(),
            tags: x.tags.join(", "),
            lines: x
                .lines
                .iter()
                .map(|l| LineRow {
                    description: l.description.clone().unwrap_or_default(),
                    quantity: shown(l.quantity),
                    price: l.unit_price.map(|p| money(p.amount)).unwrap_or_default(),
                    discount: l.discount.map(shown).unwrap_or_default(),
                    tax: l
                        .tax_rate
                        .map(|t| match t {
                            cartera_core::totals::TaxRate::Exempt => page.t("catalog-exempt"),
                            cartera_core::totals::TaxRate::Percent(p) => shown(p),
                        })
                        .unwrap_or_default(),
                    product_id: l.product_id.map(|p| p.to_string()).unwrap_or_default(),
                })
                .collect(),
            competitors: x
                .competitors
                .iter()
                .map(|c| CompetitorRow {
                    account_id: c.account_id.to_string(),
                    name: names.get(&c.account_id).cloned().unwrap_or_default(),
                    threat: format!("{:?}", c.threat).to_lowercase(),
                    notes: c.notes.clone().unwrap_or_default(),
                })
                .collect(),
            version: d.meta.version.to_string(),
        }
    }

    /// The JSON the API would receive, or the fields whose numbers cannot be read.
    fn body(&self, page: &Page, creating: bool) -> Result<Value, FormErrors> {
        let mut errors = FormErrors::default();
        let mut number = |field: &str, raw: &str| -> Option<String> {
            if raw.is_empty() {
                return None;
            }
            match super::forms::typed_number(page, raw) {
                Ok(d) => Some(d.to_string()),
                Err(_) => {
                    errors
                        .fields
                        .entry(field.to_owned())
                        .or_insert_with(|| "number".to_owned());
                    None
                }
            }
        };
        let opt = |s: &str| -> Value {
            if s.is_empty() {
                Value::Null
            } else {
                Value::String(s.to_owned())
            }
        };
        let currency = if self.currency.is_empty() {
            "ARS".to_owned()
        } else {
            self.currency.clone()
        };
        let lines: Vec<Value> = self
            .lines
            .iter()
            .map(|l| {
                let qty = number("lines", &l.quantity).unwrap_or_else(|| "1".to_owned());
                let mut v = json!({
                    "description": opt(&l.description),
                    "quantity": qty,
                });
                if let Some(p) = number("lines", &l.price) {
                    v["unit_price"] = json!({"amount": p, "currency": currency});
                }
                if let Some(d) = number("lines", &l.discount) {
                    v["discount"] = json!(d);
                }
                if !l.tax.is_empty() {
                    let exempt =
                        ["exempt", "exento", "exenta"].contains(&l.tax.to_lowercase().as_str());
                    v["tax_rate"] = if exempt {
                        json!("exempt")
                    } else {
                        number("lines", &l.tax)
                            .map(Value::String)
                            .unwrap_or(Value::Null)
                    };
                }
                if let Ok(p) = l.product_id.parse::<Id>() {
                    v["product_id"] = json!(p);
                }
                v
            })
            .collect();
        let amount = number("amount", &self.amount);
        let probability = if self.probability.is_empty() {
            None
        } else {
            match self.probability.trim_end_matches('%').trim().parse::<u8>() {
                Ok(p) if p <= 100 => Some(p),
                _ => {
                    errors
                        .fields
                        .insert("probability".to_owned(), "percent".to_owned());
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut v = json!({
            "name": self.name,
            "account_id": opt(&self.account_id),
            "contact_ids": self.contact_ids.iter().filter(|c| c.parse::<Id>().is_ok()).collect::<Vec<_>>(),
            "currency": currency,
            "amount": if lines.is_empty() { amount.map(|a| json!({"amount": a, "currency": currency})).unwrap_or(Value::Null) } else { Value::Null },
            "expected_close_date": opt(&self.close),
            "probability": probability,
            "source": opt(&self.source),
            "campaign": opt(&self.campaign),
            "description": opt(&self.description),
            "tags": super::forms::list(&self.tags),
            "lines": lines,
            "competitors": self.competitors.iter().filter_map(|c| {
                let id = c.account_id.parse::<Id>().ok()?;
                let threat = if ["low", "medium", "high"].contains(&c.threat.as_str()) { c.threat.as_str() } else { "medium" };
                Some(json!({"account_id": id, "threat": threat, "notes": opt(&c.notes)}))
            }).collect::<Vec<_>>(),
        });
        if let Ok(o) = self.owner_id.parse::<Id>() {
            v["owner_id"] = json!(o);
        }
        if creating {
            v["pipeline_id"] = opt(&self.pipeline_id);
            v["stage_id"] = opt(&self.stage_id);
            v["lost_reason"] = opt(&self.lost_reason);
        }
        Ok(v)
    }

    fn ctx(&self) -> Value {
        json!({
            "name": self.name, "account_id": self.account_id, "account_name": self.account_name,
            "contact_ids": self.contact_ids, "pipeline_id": self.pipeline_id, "stage_id": self.stage_id,
            "lost_reason": self.lost_reason, "amount": self.amount, "currency": self.currency,
            "expected_close_date": self.close, "probability": self.probability,
            "owner_id": self.owner_id, "source": self.source, "campaign": self.campaign,
            "description": self.description, "tags": self.tags, "lines": self.lines,
            "competitors": self.competitors, "version": self.version,
        })
    }
}

/// The form field of a violation's path.
fn field_of(path: &str) -> Option<&'static str> {
    let head = path.split(['.', '[']).next().unwrap_or(path);
    Some(match head {
        "name" => "name",
        "account_id" => "account_id",
        "contact_ids" => "contact_ids",
        "pipeline_id" => "pipeline_id",
        "stage_id" => "stage_id",
        "lost_reason" => "lost_reason",
        "amount" => "amount",
        "currency" => "currency",
        "expected_close_date" => "expected_close_date",
        "probability" => "probability",
        "owner_id" => "owner_id",
        "source" => "source",
        "campaign" => "campaign",
        "description" => "description",
        "tags" => "tags",
        "lines" | "price_list_id" => "lines",
        "competitors" => "competitors",
        _ => return None,
    })
}

/// Number errors found while reading the form, in the reader's words.
fn number_errors(page: &Page, e: FormErrors) -> FormErrors {
    let mut out = FormErrors::default();
    for (field, what) in e.fields {
        let key = if what == "percent" {
            "deal-form-bad-percent"
        } else {
            "deal-form-bad-number"
        };
        out.fields.insert(field, page.t(key));
    }
    out
}

fn violations(page: &Page, v: Violations) -> FormErrors {
    super::forms::place(page, v, field_of)
}

/// Active colleagues to give the deal to; a person who cannot list users sees only
/// themself (and the deal's current owner).
async fn owners(s: &AppState, me: &Me, current: Option<Id>) -> Vec<Value> {
    let mut list: Vec<(Id, String)> = users::list(&s.app, me.actor())
        .await
        .map(|l| {
            l.into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id, u.name))
                .collect()
        })
        .unwrap_or_default();
    let mut wanted = vec![me.actor().user_id];
    wanted.extend(current);
    let missing: Vec<Id> = wanted
        .into_iter()
        .filter(|w| !list.iter().any(|(id, _)| id == w))
        .collect();
    if !missing.is_empty() {
        let names = users::names(&s.app, &missing).await.unwrap_or_default();
        list.extend(names);
    }
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list.dedup_by(|a, b| a.0 == b.0);
    list.into_iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect()
}

fn pipelines_ctx(pipelines: &[Pipeline], page: &Page) -> Vec<Value> {
    pipelines
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "stages": p.stages.iter().map(|s| json!({
                    "id": s.id,
                    "label": format!("{} ({} %)", s.name, s.probability),
                    "lost": s.outcome == StageOutcome::Lost,
                    "outcome": page.t(match s.outcome {
                        StageOutcome::Open => "deal-status-open",
                        StageOutcome::Won => "deal-status-won",
                        StageOutcome::Lost => "deal-status-lost",
                    }),
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The contacts of `account` to tick, the ticked ones first.
async fn contacts_of(s: &AppState, me: &Me, account: Option<Id>, ticked: &[String]) -> Vec<Value> {
    let Some(account) = account else {
        return Vec::new();
    };
    let params = [
        ("filter[account_id]".to_owned(), account.to_string()),
        ("sort".to_owned(), "last_name".to_owned()),
        ("limit".to_owned(), "100".to_owned()),
    ];
    records::list::<ContactData>(&s.app, me.actor(), &params)
        .await
        .map(|l| {
            l.rows
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id,
                        "name": c.data.title(),
                        "job_title": c.data.job_title,
                        "checked": ticked.contains(&c.id.to_string()),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn account_names(s: &AppState, me: &Me, ids: &[Id]) -> HashMap<Id, String> {
    if ids.is_empty() {
        return HashMap::new();
    }
    let params = vec![
        (
            "filter[id][in]".to_owned(),
            ids.iter().map(Id::to_string).collect::<Vec<_>>().join(","),
        ),
        ("limit".to_owned(), "100".to_owned()),
    ];
    records::list::<AccountData>(&s.app, me.actor(), &params)
        .await
        .map(|l| l.rows.into_iter().map(|a| (a.id, a.data.name)).collect())
        .unwrap_or_default()
}

async fn render(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    editing: Option<&Record<DealData>>,
    form: &DealForm,
    errors: FormErrors,
) -> Response {
    let page = &me.page;
    let pipelines = deals::pipelines(&s.app, me.actor())
        .await
        .unwrap_or_default();
    let account = form.account_id.parse::<Id>().ok();
    // The pickers show names; a posted form carries only the ids.
    let mut ids: Vec<Id> = account.into_iter().collect();
    ids.extend(
        form.competitors
            .iter()
            .filter_map(|c| c.account_id.parse::<Id>().ok()),
    );
    let names = account_names(s, me, &ids).await;
    let name_of = |raw: &str| {
        raw.parse::<Id>()
            .ok()
            .and_then(|i| names.get(&i).cloned())
            .unwrap_or_default()
    };
    let contacts = contacts_of(s, me, account, &form.contact_ids).await;
    let current_owner = editing.and_then(|d| d.data.owner_id);
    let mut ctx = form.ctx();
    ctx["account_name"] = json!(name_of(&form.account_id));
    for (i, c) in form.competitors.iter().enumerate() {
        ctx["competitors"][i]["name"] = json!(name_of(&c.account_id));
    }
    // One spare row each, so that a line or a competitor can be added without script.
    let mut lines = ctx["lines"].as_array().cloned().unwrap_or_default();
    lines.push(json!(LineRow {
        quantity: "1".into(),
        ..LineRow::default()
    }));
    ctx["lines"] = json!(lines);
    let mut comps = ctx["competitors"].as_array().cloned().unwrap_or_default();
    comps.push(json!(CompetitorRow {
        threat: "medium".into(),
        ..CompetitorRow::default()
    }));
    ctx["competitors"] = json!(comps);
    page.render(
        status,
        "deals/deal_form.html",
        json!({
            "nav": "deals",
            "form": ctx,
            "editing": editing.map(|d| json!({"id": d.id, "name": d.data.name})),
            "pipelines": pipelines_ctx(&pipelines, page),
            "contacts": contacts,
            "owners": owners(s, me, current_owner).await,
            "may_assign": me.actor().may(Module::Deals, Action::Edit),
            "currencies": CURRENCIES,
            "threats": ["low", "medium", "high"],
            "errors": errors.fields,
            "general_error": errors.general,
        }),
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    account_id: Option<String>,
    pipeline: Option<String>,
    stage: Option<String>,
}

/// The empty form: the rep owns the deal, the account and pipeline come from where the
/// rep started (an account's page, a pipeline's board).
pub async fn new_form(State(s): State<AppState>, me: Me, Query(q): Query<NewQuery>) -> Response {
    let account = q.account_id.as_deref().and_then(|a| a.parse::<Id>().ok());
    let names = account_names(&s, &me, &account.into_iter().collect::<Vec<_>>()).await;
    let account_name = account.and_then(|a| names.get(&a).cloned());
    let form = DealForm {
        name: account_name.clone().unwrap_or_default(),
        account_id: account
            .filter(|_| account_name.is_some())
            .map(|a| a.to_string())
            .unwrap_or_default(),
        account_name: account_name.unwrap_or_default(),
        pipeline_id: q.pipeline.unwrap_or_default(),
        stage_id: q.stage.unwrap_or_default(),
        owner_id: me.actor().user_id.to_string(),
        currency: "ARS".into(),
        ..DealForm::default()
    };
    let form = DealForm {
        // The account's name is a start, not a deal's name: leave it for the rep to
        // complete ("Ferretería Sur — 40 taladros").
        name: if form.account_name.is_empty() {
            String::new()
        } else {
            format!("{} — ", form.account_name)
        },
        ..form
    };
    render(&s, &me, StatusCode::OK, None, &form, FormErrors::default()).await
}

pub async fn create(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    let page = &me.page;
    let fields = Fields::parse(&body);
    let form = DealForm::read(&fields);
    if !fields.get("more").is_empty() {
        return render(&s, &me, StatusCode::OK, None, &form, FormErrors::default()).await;
    }
    let form = with_pipeline(&s, &me, form).await;
    let json = match form.body(page, true) {
        Ok(j) => j,
        Err(e) => {
            let errors = number_errors(page, e);
            return render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form,
                errors,
            )
            .await;
        }
    };
    let made =
        records::create::<DealData>(&s.app, me.actor(), vec![json], WriteOptions::default()).await;
    match made {
        Ok(list) => match list.first() {
            Some(d) => Redirect::to(&format!("/deals/{}", d.id)).into_response(),
            None => page.error_page(StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        },
        Err(AppError::Invalid(v)) => {
            let errors = violations(page, v);
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form,
                errors,
            )
            .await
        }
        Err(e) => page.error(e),
    }
}

/// The form names a stage; its pipeline is the one that has it.
async fn with_pipeline(s: &AppState, me: &Me, mut form: DealForm) -> DealForm {
    if let Ok(stage) = form.stage_id.parse::<Id>() {
        let pipelines = deals::pipelines(&s.app, me.actor())
            .await
            .unwrap_or_default();
        if let Some(p) = pipelines.iter().find(|p| p.stage(stage).is_some()) {
            form.pipeline_id = p.id.to_string();
        }
    }
    form
}

async fn load_form(s: &AppState, me: &Me, d: &Record<DealData>) -> DealForm {
    let mut ids: Vec<Id> = d.data.account_id.into_iter().collect();
    ids.extend(d.data.competitors.iter().map(|c| c.account_id));
    let names = account_names(s, me, &ids).await;
    DealForm::of(d, &me.page, &names)
}

pub async fn edit_form(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let deal = match records::get::<DealData>(&s.app, me.actor(), id).await {
        Ok(d) => d,
        Err(e) => return me.page.error(e),
    };
    let form = load_form(&s, &me, &deal).await;
    render(
        &s,
        &me,
        StatusCode::OK,
        Some(&deal),
        &form,
        FormErrors::default(),
    )
    .await
}

/// Saves the edit: the fields, then (if it changed) the move to another stage or
/// pipeline. A deal changed by someone else since the form was opened is not
/// overwritten: the form comes back with a message.
pub async fn save(State(s): State<AppState>, me: Me, PageId(id): PageId, body: Bytes) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let deal = match records::get::<DealData>(&s.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return page.error(e),
    };
    let fields = Fields::parse(&body);
    let form = DealForm::read(&fields);
    if !fields.get("more").is_empty() {
        return render(
            &s,
            &me,
            StatusCode::OK,
            Some(&deal),
            &form,
            FormErrors::default(),
        )
        .await;
    }
    let form = with_pipeline(&s, &me, form).await;
    match write_edit(&s, &me, &deal, &form).await {
        Ok(()) => Redirect::to(&format!("/deals/{id}")).into_response(),
        Err(Refused::Form(status, errors, at)) => {
            // Saving again after reading the message must not be refused once more: the
            // form carries the version of the deal as it now is.
            let at = if status == StatusCode::CONFLICT {
                records::get::<DealData>(&s.app, actor, id)
                    .await
                    .map(Box::new)
                    .unwrap_or(at)
            } else {
                at
            };
            let mut form = form;
            form.version = at.meta.version.to_string();
            render(&s, &me, status, Some(&at), &form, errors).await
        }
        Err(Refused::Page(r)) => r,
    }
}

/// Why an edit was not saved: the form again (with the deal as it now is), or a page.
enum Refused {
    Form(StatusCode, FormErrors, Box<Record<DealData>>),
    Page(Response),
}

/// Writes the edit: the fields, then (if it changed) the move to another stage or
/// pipeline.
async fn write_edit(
    s: &AppState,
    me: &Me,
    deal: &Record<DealData>,
    form: &DealForm,
) -> Result<(), Refused> {
    let page = &me.page;
    let actor = me.actor();
    let id = deal.id;
    let again =
        |status, errors, at: &Record<DealData>| Refused::Form(status, errors, Box::new(at.clone()));
    let stale = || FormErrors {
        general: Some(page.t("deal-form-stale")),
        ..FormErrors::default()
    };
    let version = form.version.parse::<i64>().ok();
    if version.is_some_and(|v| v != deal.meta.version) {
        return Err(again(StatusCode::CONFLICT, stale(), deal));
    }
    let patch = form.body(page, false).map_err(|e| {
        again(
            StatusCode::UNPROCESSABLE_ENTITY,
            number_errors(page, e),
            deal,
        )
    })?;
    let updated =
        records::update::<DealData>(&s.app, actor, id, patch, version, WriteOptions::default())
            .await
            .map_err(|e| match e {
                AppError::Invalid(v) => {
                    again(StatusCode::UNPROCESSABLE_ENTITY, violations(page, v), deal)
                }
                AppError::Stale { .. } => again(StatusCode::CONFLICT, stale(), deal),
                e => Refused::Page(page.error(e)),
            })?;
    let stage = form.stage_id.parse::<Id>().ok();
    let pipeline = form.pipeline_id.parse::<Id>().ok();
    let moved = stage.is_some_and(|st| Some(st) != updated.data.stage_id)
        || pipeline.is_some_and(|p| Some(p) != updated.data.pipeline_id)
        || (!form.lost_reason.is_empty()
            && Some(form.lost_reason.as_str()) != updated.data.lost_reason.as_deref());
    let Some(stage_id) = stage.filter(|_| moved) else {
        return Ok(());
    };
    let input = MoveInput {
        stage_id,
        lost_reason: Some(form.lost_reason.clone()).filter(|r| !r.is_empty()),
        pipeline_id: pipeline.filter(|p| Some(*p) != updated.data.pipeline_id),
    };
    match deals::move_deal(&s.app, actor, id, input, None).await {
        Ok(_) => Ok(()),
        Err(AppError::Invalid(v)) => {
            let mut errors = violations(page, v);
            if errors.fields.contains_key("lost_reason") {
                errors
                    .fields
                    .insert("lost_reason".into(), page.t("deal-lost-needs-reason"));
            }
            Err(again(StatusCode::UNPROCESSABLE_ENTITY, errors, &updated))
        }
        Err(e) => Err(Refused::Page(page.error(e))),
    }
}

#[derive(Deserialize, Default)]
pub struct ContactsQuery {
    #[serde(default)]
    account_id: String,
}

/// The contact checkboxes of the chosen account (the form refreshes them when the
/// account changes).
pub async fn contact_choices(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ContactsQuery>,
) -> Response {
    let contacts = contacts_of(&s, &me, q.account_id.parse::<Id>().ok(), &[]).await;
    me.page.render(
        StatusCode::OK,
        "deals/deal_contacts.html",
        json!({"contacts": contacts, "form": {"account_id": q.account_id}}),
    )
}
