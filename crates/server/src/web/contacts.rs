//! Contact pages: the list and one contact (key facts, its account, its place in the
//! customer's org chart, notes, timeline, shares).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use cartera_app::{Actor, App, AppError, records};
use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::record::Record;

use super::lists::{Cell, Listing, Names, list_page};
use super::records::{Editable, Field, Input, create, inline_fields, new_form};
use super::render::{Me, Page, PageId, when};
use super::timeline::history;
use crate::state::AppState;

/// The contact pages: the list, the create form, one contact and its notes, and the
/// pages every record has.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list_page::<ContactData>))
        .route(
            "/contacts/new",
            get(new_form::<ContactData>).post(create::<ContactData>),
        )
        .route("/contacts/{id}", get(show))
        .route(
            "/contacts/{id}/notes",
            post(super::notes::add::<ContactData>),
        )
        .merge(super::records::routes::<ContactData>())
        .merge(super::shares::routes::<ContactData>())
}

impl Editable for ContactData {
    const SEG: &'static str = "contacts";
    const NOUN: &'static str = "kind-contact";
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

impl Listing for ContactData {
    const TITLE: &'static str = "nav-contacts";
    const NAME_SORT: &'static str = "last_name,first_name";

    fn account_of(r: &Record<Self>) -> Option<Id> {
        r.data.account_id
    }

    fn cell(r: &Record<Self>, col: &str, page: &Page, names: &Names) -> Cell {
        let d = &r.data;
        match col {
            "name" => Cell {
                text: d.full_name(),
                href: Some(format!("/contacts/{}", r.id)),
                tags: if names.shows("tags") {
                    Vec::new()
                } else {
                    d.tags.clone()
                },
                ..Cell::default()
            },
            "account" => Cell {
                text: d
                    .account_id
                    .and_then(|a| names.accounts.get(&a).cloned())
                    .unwrap_or_default(),
                href: d
                    .account_id
                    .filter(|a| names.accounts.contains_key(a))
                    .map(|a| format!("/accounts/{a}")),
                ..Cell::default()
            },
            "job_title" => Cell::text(d.job_title.clone().unwrap_or_default()),
            "email" => Cell::text(
                d.emails
                    .first()
                    .map(|e| e.address.clone())
                    .unwrap_or_default(),
            ),
            "phone" => Cell::text(
                d.phones
                    .first()
                    .map(|p| p.number.clone())
                    .unwrap_or_default(),
            ),
            "owner" => Cell::text(names.person(d.owner_id)),
            "tags" => Cell {
                tags: d.tags.clone(),
                ..Cell::default()
            },
            "updated" => Cell::text(when(r.meta.updated_at, page.time_zone(), page.locale)),
            _ => Cell::default(),
        }
    }
}

/// The contact form's fields; job title, email and phone are edited in place too.
pub static FIELDS: &[Field] = &[
    Field::new("first_name", "field-first-name", "first_name").required(),
    Field::new("last_name", "field-last-name", "last_name").required(),
    Field::new("job_title", "field-job-title", "job_title").inline(),
    Field::new("department", "field-department", "department"),
    Field::new("email", "field-email", "emails")
        .input(Input::FirstEmail)
        .inline(),
    Field::new("phone", "field-phone", "phones")
        .input(Input::FirstPhone)
        .inline(),
    Field::new("birthday", "field-birthday", "birthday").input(Input::Date),
    Field::new("country", "field-country", "address.country").input(Input::Country),
    Field::new("city", "field-city", "address.city"),
    Field::new("description", "field-description", "description").input(Input::Area),
    Field::new("tags", "field-tags", "tags").input(Input::Tags),
];

pub async fn show(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let contact = match records::get::<ContactData>(&s.app, actor, id).await {
        Ok(c) => c,
        Err(e) => return page.error(e),
    };
    let d = &contact.data;
    // Related records the viewer may not see stay out.
    let account = match d.account_id {
        Some(a) => records::get::<AccountData>(&s.app, actor, a).await.ok(),
        None => None,
    };
    let manager = match d.reports_to_id {
        Some(m) => records::get::<ContactData>(&s.app, actor, m).await.ok(),
        None => None,
    };
    let params = [
        ("filter[reports_to_id]".to_owned(), id.to_string()),
        ("sort".to_owned(), "last_name,first_name".to_owned()),
        ("limit".to_owned(), "50".to_owned()),
    ];
    let reports = records::list::<ContactData>(&s.app, actor, &params)
        .await
        .map(|l| l.rows)
        .unwrap_or_default();
    let (notes, timeline, people) =
        match history::<ContactData>(&s, actor, id, &d.owner_id.into_iter().collect::<Vec<_>>())
            .await
        {
            Ok(h) => h,
            Err(e) => return page.error(e),
        };
    let (deals, quotes) = match d.account_id {
        Some(a) => (
            super::deals::of_contact(&s, &me, a, id).await,
            super::quotes::of_contact(&s, &me, a, id).await,
        ),
        None => (None, None),
    };
    let person = |c: &Record<ContactData>| json!({"id": c.id, "name": c.data.full_name(), "job_title": c.data.job_title});
    let ctx = json!({
        "nav": "contacts",
        "contact": contact,
        "name": d.full_name(),
        "owner": d.owner_id.and_then(|o| people.get(&o).cloned()),
        "account": account.as_ref().map(|a| json!({"id": a.id, "name": a.data.name, "city": a.data.billing_address.city})),
        "manager": manager.as_ref().map(person),
        "reports": reports.iter().map(person).collect::<Vec<_>>(),
        "inline": inline_fields(page, &contact),
        "notes_url": format!("/contacts/{id}/notes"),
        "notes": notes,
        "timeline": timeline,
        "shares": super::shares::ctx::<ContactData>(&s, actor, page, id).await,
        "deals": deals,
        "quotes": quotes,
        "activities": super::activities::record_ctx(&s, &me, "contact_id", id, &[("contact", id)], &format!("/contacts/{id}")).await,
        "seg": "contacts",
        "id": id,
    });
    page.render(StatusCode::OK, "contacts/contact.html", ctx)
}
