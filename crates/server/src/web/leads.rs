//! Lead pages: the list, one lead (key facts, conversion state, notes, timeline,
//! shares) and its conversion into an account and a contact.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::{Value, json};

use cartera_app::leads::ConvertInput;
use cartera_app::{Actor, App, AppError, records};
use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::{LeadData, LeadStatus};
use cartera_core::record::{Record, RecordData};

use super::figures::territory_name;
use super::forms::explain;
use super::lists::{Cell, EnumFilter, Listing, Names, list_page};
use super::records::{Editable, Field, Input, create, inline_fields, new_form};
use super::render::{Me, Page, PageId, when};
use super::timeline::history;
use crate::state::AppState;

/// The lead pages: the list, the create form, one lead and its notes, the conversion,
/// and the pages every record has.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list_page::<LeadData>))
        .route(
            "/leads/new",
            get(new_form::<LeadData>).post(create::<LeadData>),
        )
        .route("/leads/{id}", get(show))
        .route("/leads/{id}/convert", get(convert_form).post(convert))
        .route("/leads/{id}/notes", post(super::notes::add::<LeadData>))
        .merge(super::records::routes::<LeadData>())
        .merge(super::shares::routes::<LeadData>())
}

impl Editable for LeadData {
    const SEG: &'static str = "leads";
    const NOUN: &'static str = "kind-lead";
    fn form_fields() -> &'static [Field] {
        FIELDS
    }
    async fn merge(_: &App, _: &Actor, _: Id, _: Id) -> Option<Result<(), AppError>> {
        None
    }
}

/// The status word of a lead, as the catalogue keys spell it.
pub fn lead_status(s: LeadStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Listing for LeadData {
    const TITLE: &'static str = "nav-leads";
    const NAME_SORT: &'static str = "last_name,first_name";

    fn filter() -> Option<EnumFilter> {
        Some(EnumFilter {
            field: "status",
            label: "col-status",
            values: LeadStatus::NAMES,
            value_prefix: "lead-status-",
        })
    }

    fn territory_of(r: &Record<Self>) -> Option<Id> {
        r.data.territory_id
    }

    fn cell(r: &Record<Self>, col: &str, page: &Page, names: &Names) -> Cell {
        let d = &r.data;
        match col {
            "name" => Cell {
                text: d.title(),
                href: Some(format!("/leads/{}", r.id)),
                sub: d.email.clone().filter(|_| !names.shows("email")),
                tags: if names.shows("tags") {
                    Vec::new()
                } else {
                    d.tags.clone()
                },
                ..Cell::default()
            },
            "company" => Cell::text(d.company_name.clone().unwrap_or_default()),
            "status" => {
                let status = serde_json::to_value(d.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                Cell {
                    badge: Some(page.t(&format!("lead-status-{status}"))),
                    ..Cell::default()
                }
            }
            "source" => Cell::text(
                d.source
                    .as_deref()
                    .map(|src| super::ui::source_label(&page.ui.catalog, page.locale, src))
                    .unwrap_or_default(),
            ),
            "email" => Cell::text(d.email.clone().unwrap_or_default()),
            "owner" => Cell::text(names.person(d.owner_id)),
            "tags" => Cell {
                tags: d.tags.clone(),
                ..Cell::default()
            },
            "created" => Cell::text(when(r.meta.created_at, page.time_zone(), page.locale)),
            "updated" => Cell::text(when(r.meta.updated_at, page.time_zone(), page.locale)),
            _ => Cell::default(),
        }
    }
}

/// The statuses a person may set; `converted` comes from the conversion alone.
const SETTABLE: &[&str] = &["new", "contacted", "qualified", "unqualified"];

/// The lead form's fields; company, email, phone and status are edited in place too.
pub static FIELDS: &[Field] = &[
    Field::new("first_name", "field-first-name", "first_name"),
    Field::new("last_name", "field-last-name", "last_name"),
    Field::new("company_name", "field-company", "company_name").inline(),
    Field::new("job_title", "field-job-title", "job_title"),
    Field::new("email", "field-email", "email")
        .input(Input::Email)
        .inline(),
    Field::new("phone", "field-phone", "phone")
        .input(Input::Tel)
        .inline(),
    Field::new("website", "field-website", "website").input(Input::Url),
    Field::new("status", "field-status", "status")
        .input(Input::Choice(SETTABLE, "lead-status-"))
        .required()
        .inline(),
    Field::new("source", "field-source", "source"),
    Field::new("country", "field-country", "address.country").input(Input::Country),
    Field::new("city", "field-city", "address.city"),
    Field::new("description", "field-description", "description").input(Input::Area),
    Field::new("tags", "field-tags", "tags").input(Input::Tags),
];

pub async fn show(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let lead = match records::get::<LeadData>(&s.app, actor, id).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let d = &lead.data;
    let (notes, timeline, people) =
        match history::<LeadData>(&s, actor, id, &d.owner_id.into_iter().collect::<Vec<_>>()).await
        {
            Ok(h) => h,
            Err(e) => return page.error(e),
        };
    let account = match d.converted_account_id {
        Some(a) => records::get::<AccountData>(&s.app, actor, a).await.ok(),
        None => None,
    };
    let contact = match d.converted_contact_id {
        Some(c) => records::get::<ContactData>(&s.app, actor, c).await.ok(),
        None => None,
    };
    let status = lead_status(d.status);
    let ctx = json!({
        "nav": "leads",
        "lead": lead,
        "name": d.title(),
        "status": status,
        "status_label": page.t(&format!("lead-status-{status}")),
        "converted": d.status == LeadStatus::Converted,
        "converted_account": account.as_ref().map(|a| json!({"id": a.id, "name": a.data.name})),
        "converted_contact": contact.as_ref().map(|c| json!({"id": c.id, "name": c.data.full_name()})),
        "owner": d.owner_id.and_then(|o| people.get(&o).cloned()),
        "territory": territory_name(&s, &me, d.territory_id).await,
        "placed": super::placement::notice(&s, &me, d.owner_id, d.territory_id).await,
        "inline": inline_fields(page, &lead),
        "notes_url": format!("/leads/{id}/notes"),
        "notes": notes,
        "timeline": timeline,
        "shares": super::shares::ctx::<LeadData>(&s, actor, page, id).await,
        "activities": super::activities::record_ctx(&s, &me, "lead_id", id, &[("lead", id)], &format!("/leads/{id}")).await,
        "seg": "leads",
        "id": id,
    });
    page.render(StatusCode::OK, "leads/lead.html", ctx)
}

/// What the conversion form holds.
#[derive(serde::Deserialize, serde::Serialize, Default)]
pub struct ConvertForm {
    /// `new`, or the id of an existing account.
    #[serde(default)]
    account: String,
    #[serde(default)]
    account_name: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default, skip_serializing)]
    allow_duplicate: Option<String>,
}

/// What went wrong with a conversion: messages by field, one general, and the
/// accounts it looks like.
#[derive(Default)]
struct Problems {
    errors: HashMap<&'static str, String>,
    general: Option<String>,
    duplicates: Option<Vec<Value>>,
}

async fn render_convert(
    s: &AppState,
    me: &Me,
    lead: &Record<LeadData>,
    form: &ConvertForm,
    status: StatusCode,
    problems: Problems,
) -> Response {
    let Problems {
        errors,
        general,
        duplicates,
    } = problems;
    let page = &me.page;
    // Existing accounts whose name looks like the lead's company.
    let company = lead.data.company_name.clone().unwrap_or_default();
    let mut found = Vec::new();
    if !company.trim().is_empty() {
        let params = [
            ("q".to_owned(), company.clone()),
            ("limit".to_owned(), "5".to_owned()),
        ];
        if let Ok(l) = records::list::<AccountData>(&s.app, me.actor(), &params).await {
            found = l.rows;
        }
    }
    let mut existing: Vec<Value> = found
        .iter()
        .map(|a| json!({"id": a.id, "name": a.data.name, "sub": page.subtitle(cartera_core::record::RecordKind::Account, a.data.subtitle())}))
        .collect();
    for d in duplicates.iter().flatten() {
        if !existing.iter().any(|e| e["id"] == d["id"]) {
            existing.push(d.clone());
        }
    }
    page.render(
        status,
        "leads/convert.html",
        json!({
            "nav": "leads",
            "lead": {"id": lead.id, "name": lead.data.title(), "email": lead.data.email,
                     "phone": lead.data.phone, "company": company},
            "form": form,
            "existing": existing,
            "errors": errors,
            "general_error": general,
            "duplicate": duplicates.is_some(),
        }),
    )
}

async fn convertible(s: &AppState, me: &Me, id: Id) -> Result<Record<LeadData>, Response> {
    let lead = records::get::<LeadData>(&s.app, me.actor(), id)
        .await
        .map_err(|e| me.page.error(e))?;
    if lead.data.status == LeadStatus::Converted {
        return Err(Redirect::to(&format!("/leads/{id}")).into_response());
    }
    Ok(lead)
}

pub async fn convert_form(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let lead = match convertible(&s, &me, id).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let d = &lead.data;
    let form = ConvertForm {
        account: "new".into(),
        account_name: d.company_name.clone().unwrap_or_else(|| d.title()),
        first_name: d.first_name.clone().unwrap_or_default(),
        last_name: d.last_name.clone().unwrap_or_default(),
        allow_duplicate: None,
    };
    render_convert(&s, &me, &lead, &form, StatusCode::OK, Problems::default()).await
}

fn opt(s: &str) -> Value {
    let t = s.trim();
    if t.is_empty() { Value::Null } else { t.into() }
}

pub async fn convert(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(form): Form<ConvertForm>,
) -> Response {
    let lead = match convertible(&s, &me, id).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let page = &me.page;
    let existing = form.account.parse::<Id>().ok();
    let input = ConvertInput {
        account_id: existing,
        contact_id: None,
        account: existing
            .is_none()
            .then(|| json!({"name": form.account_name.trim()})),
        contact: Some(
            json!({"first_name": opt(&form.first_name), "last_name": opt(&form.last_name)}),
        ),
        allow_duplicate: form
            .allow_duplicate
            .as_deref()
            .is_some_and(|v| !v.is_empty()),
    };
    match cartera_app::leads::convert(&s.app, me.actor(), id, input).await {
        Ok(done) => {
            let to = done
                .account
                .map(|a| format!("/accounts/{}", a.id))
                .or_else(|| done.contact.map(|c| format!("/contacts/{}", c.id)))
                .unwrap_or_else(|| format!("/leads/{id}"));
            Redirect::to(&to).into_response()
        }
        Err(AppError::Invalid(v)) => {
            let mut errors = HashMap::new();
            let mut general = None;
            for x in v.0 {
                let f = x.field.as_str();
                let name = if f.starts_with("account.name") || f == "account" {
                    "account_name"
                } else if f.starts_with("contact.first_name") {
                    "first_name"
                } else if f.starts_with("contact.last_name") || f.starts_with("contact") {
                    "last_name"
                } else if f.starts_with("account") {
                    "account"
                } else {
                    ""
                };
                let text = explain(page, name, x.code);
                if name.is_empty() {
                    general.get_or_insert(text);
                } else {
                    errors.entry(name).or_insert(text);
                }
            }
            render_convert(
                &s,
                &me,
                &lead,
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
                Problems {
                    errors,
                    general,
                    duplicates: None,
                },
            )
            .await
        }
        Err(AppError::Duplicate { candidates, .. }) => {
            let accounts = candidates
                .iter()
                .filter(|c| c.kind == cartera_core::record::RecordKind::Account)
                .map(|c| json!({"id": c.id, "name": c.title, "sub": page.subtitle(c.kind, c.subtitle.clone())}))
                .collect();
            render_convert(
                &s,
                &me,
                &lead,
                &form,
                StatusCode::CONFLICT,
                Problems {
                    duplicates: Some(accounts),
                    ..Problems::default()
                },
            )
            .await
        }
        Err(e) => page.error(e),
    }
}
