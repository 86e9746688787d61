//! Account pages: the list, one account (key facts, contacts, notes, timeline), the
//! form to create one, and adding a note.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use cartera_app::records;
use cartera_app::{Actor, App, AppError, audit, notes};
use cartera_core::Id;
use cartera_core::accounts::{AccountData, AccountKind};
use cartera_core::contacts::ContactData;
use cartera_core::record::{Record, RecordData, RecordKind};

use super::figures::territory_name;
use super::lists::{Cell, EnumFilter, Listing, Names, list_page};
use super::panels::AccountPanel;
use super::records::{Editable, Field, Input, create, new_form};
use super::render::{Me, Page, PageId};
use super::timeline::{RECENT, notes_ctx, timeline_ctx};
use crate::state::AppState;

/// The account pages: the list, the create form, one account and its notes, and the
/// pages every record has.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/accounts",
            get(list_page::<AccountData>).post(create::<AccountData>),
        )
        .route(
            "/accounts/new",
            get(new_form::<AccountData>).post(create::<AccountData>),
        )
        .route("/accounts/{id}", get(show))
        .route("/accounts/{id}/notes", post(add_note))
        .merge(super::records::routes::<AccountData>())
        .merge(super::shares::routes::<AccountData>())
}

impl Editable for AccountData {
    const SEG: &'static str = "accounts";
    const NOUN: &'static str = "kind-account";
    fn form_fields() -> &'static [Field] {
        FIELDS
    }
    async fn merge(
        app: &App,
        actor: &Actor,
        survivor: Id,
        source: Id,
    ) -> Option<Result<(), AppError>> {
        Some(
            records::merge::<Self>(app, actor, survivor, source)
                .await
                .map(|_| ()),
        )
    }
}

impl Listing for AccountData {
    const TITLE: &'static str = "nav-accounts";
    const NAME_SORT: &'static str = "name";
    const NEW: Option<&'static str> = Some("/accounts/new");

    fn filter() -> Option<EnumFilter> {
        Some(EnumFilter {
            field: "kind",
            label: "col-kind",
            values: AccountKind::NAMES,
            value_prefix: "account-kind-",
        })
    }

    fn territory_of(r: &Record<Self>) -> Option<Id> {
        r.data.territory_id
    }

    fn cell(r: &Record<Self>, col: &str, page: &Page, names: &Names) -> Cell {
        let d = &r.data;
        let address = &d.billing_address;
        match col {
            "name" => Cell {
                text: d.name.clone(),
                href: Some(format!("/accounts/{}", r.id)),
                sub: d.tax_id.clone().filter(|_| !names.shows("tax_id")),
                tags: if names.shows("tags") {
                    Vec::new()
                } else {
                    d.tags.clone()
                },
                ..Cell::default()
            },
            "kind" => Cell {
                badge: Some(page.t(&format!("account-kind-{}", d.kind.as_str()))),
                ..Cell::default()
            },
            "tax_id" => Cell::text(d.tax_id.clone().unwrap_or_default()),
            "city" => Cell::text(address.city.clone().unwrap_or_default()),
            "province" => Cell::text(address.province.clone().unwrap_or_default()),
            "country" => Cell::text(address.country.clone().unwrap_or_default()),
            "owner" => Cell::text(names.person(d.owner_id)),
            "territory" => Cell::text(
                d.territory_id
                    .and_then(|t| names.territories.get(&t).cloned())
                    .unwrap_or_default(),
            ),
            "tags" => Cell {
                tags: d.tags.clone(),
                ..Cell::default()
            },
            "updated" => Cell::text(super::render::when(
                r.meta.updated_at,
                page.time_zone(),
                page.locale,
            )),
            _ => Cell::default(),
        }
    }
}

fn owner_name(owner: Option<Id>, people: &HashMap<Id, String>) -> String {
    owner
        .and_then(|o| people.get(&o).cloned())
        .unwrap_or_default()
}

/// The account's address on one line, with a link to find it on a map.
fn address_ctx(a: &cartera_core::fields::Address, page: &Page) -> Value {
    let country = a
        .country
        .as_deref()
        .map(|c| page.t(&format!("country-{c}")));
    let parts: Vec<String> = [
        a.street.clone(),
        a.city.clone(),
        a.province.clone(),
        a.postal_code.clone(),
        country,
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.trim().is_empty())
    .collect();
    if parts.is_empty() {
        return Value::Null;
    }
    let text = parts.join(", ");
    let query: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    json!({
        "text": text,
        "map": format!("https://www.openstreetmap.org/search?query={query}"),
    })
}

/// The cards other modules contribute to the account page, in page order.
const PANELS: &[AccountPanel] = &[
    super::deals::account_panel,
    super::quotes::account_panel,
    super::orders::account_panel,
    super::billing::account_panel,
    super::catalog::account_panel,
    super::activities::account_panel,
];

pub async fn show(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let account = match records::get::<AccountData>(&s.app, actor, id).await {
        Ok(a) => a,
        Err(e) => return page.error(e),
    };
    let params = [
        ("filter[account_id]".to_owned(), id.to_string()),
        ("sort".to_owned(), "last_name".to_owned()),
        ("limit".to_owned(), "50".to_owned()),
    ];
    // A role may see an account without its contacts or notes: those parts stay empty.
    let contacts = records::list::<ContactData>(&s.app, actor, &params)
        .await
        .map(|l| l.rows)
        .unwrap_or_default();
    let notes = notes::list::<AccountData>(&s.app, actor, id, None, RECENT)
        .await
        .map(|p| p.notes)
        .unwrap_or_default();
    let timeline = match audit::timeline::<AccountData>(&s.app, actor, id, None, RECENT).await {
        Ok(t) => t.items,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return page.error(e),
    };
    let mut people_ids: Vec<Id> = account.data.owner_id.into_iter().collect();
    people_ids.extend(notes.iter().filter_map(|n| n.meta.created_by));
    for item in &timeline {
        if let audit::TimelineItem::Change { event, .. } = item {
            people_ids.extend(event.actor_id);
        }
        if let audit::TimelineItem::Note { note, .. } = item {
            people_ids.extend(note.meta.created_by);
        }
        if let audit::TimelineItem::Activity { activity, .. } = item {
            people_ids.extend(activity.data.owner_id);
        }
    }
    let people = cartera_app::users::names(&s.app, &people_ids)
        .await
        .unwrap_or_default();
    let d = &account.data;
    let tz = page.time_zone();
    let today = s.app.now().with_timezone(&tz).date_naive();
    let figures = cartera_app::account_figures::of_account(&s.app, actor, id, today, tz).await;
    let extras = super::record_extras::load(&s, &me, RecordKind::Account, d.owner_id).await;
    let json = serde_json::to_value(&account).unwrap_or_default();
    let ctx = json!({
        "figures": super::figures::account_figures(page.locale, &figures),
        "address": address_ctx(&d.billing_address, page),
        "custom_values": extras.shown(page, &json),
        "nav": "accounts",
        "account": account,
        "kind_label": page.t(&format!("account-kind-{}", d.kind.as_str())),
        "owner": owner_name(d.owner_id, &people),
        "contacts": contacts.iter().map(|c| json!({
            "id": c.id,
            "name": c.data.title(),
            "job_title": c.data.job_title,
            "email": c.data.emails.first().map(|e| e.address.clone()),
            "phone": c.data.phones.first().map(|p| p.number.clone()),
        })).collect::<Vec<_>>(),
        "notes": notes_ctx(&notes, &people),
        "timeline": timeline_ctx(&timeline, &people, &super::timeline::related(&s, actor, id, &timeline).await),
        "inline": super::records::inline_fields(page, &account),
        "territory": territory_name(&s, &me, d.territory_id).await,
        "placed": super::placement::notice(&s, &me, d.owner_id, d.territory_id).await,
        "shares": super::shares::ctx::<AccountData>(&s, actor, page, id).await,
        "panels": super::panels::render(PANELS, &s, &me, id).await,
        "seg": "accounts",
        "id": id,
    });
    page.render(StatusCode::OK, "accounts/account.html", ctx)
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
}

/// Adds a note; htmx gets the notes again, a plain form goes back to the account.
pub async fn add_note(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(form): Form<NoteForm>,
) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let made = notes::create(
        &s.app,
        actor,
        cartera_core::record::RecordKind::Account,
        id,
        json!({"body": form.body}),
    )
    .await;
    let error = match made {
        Ok(_) => None,
        Err(AppError::Invalid(_)) => Some(page.t("note-empty")),
        Err(e) => return page.error(e),
    };
    if !page.htmx {
        return Redirect::to(&format!("/accounts/{id}#notes")).into_response();
    }
    let notes = notes::list::<AccountData>(&s.app, actor, id, None, RECENT)
        .await
        .map(|p| p.notes)
        .unwrap_or_default();
    let people = cartera_app::users::names(
        &s.app,
        &notes
            .iter()
            .filter_map(|n| n.meta.created_by)
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.render(
        status,
        "shared/notes.html",
        json!({
            "account": {"id": id},
            "notes": notes_ctx(&notes, &people),
            "note_error": error,
            "note_body": if error.is_some() { form.body } else { String::new() },
        }),
    )
}

/// The account form's fields (create and edit; the owner and the custom fields come
/// from `record_extras`); name, city, email and phone are edited in place too.
pub static FIELDS: &[Field] = &[
    Field::new("name", "field-name", "name").required().inline(),
    Field::new("kind", "field-kind", "kind")
        .input(Input::Choice(AccountKind::NAMES, "account-kind-"))
        .required(),
    Field::new("legal_name", "field-legal-name", "legal_name"),
    Field::new("tax_id", "field-tax-id", "tax_id"),
    Field::new("street", "field-street", "billing_address.street"),
    Field::new("city", "field-city", "billing_address.city").inline(),
    Field::new("province", "field-province", "billing_address.province"),
    Field::new(
        "postal_code",
        "field-postal-code",
        "billing_address.postal_code",
    ),
    Field::new("country", "field-country", "billing_address.country").input(Input::Country),
    Field::new("email", "field-email", "emails")
        .input(Input::FirstEmail)
        .inline(),
    Field::new("phone", "field-phone", "phones")
        .input(Input::FirstPhone)
        .inline(),
    Field::new("website", "field-website", "website").input(Input::Url),
    Field::new("tags", "field-tags", "tags").input(Input::Tags),
    Field::new("description", "field-description", "description").input(Input::Area),
];
