//! Saved views on the list pages: saving one from the "save view" form with its column
//! choice, renaming and deleting (after a confirmation); `lists` draws the menu. The use cases are
//! `cartera_app::views`, the same as `/api/v1/saved_views`.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

use cartera_app::AppError;
use cartera_app::views::{self, NewView, ViewChange};
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_core::{Code, Id};

use super::lists::{ListQuery, Listing, SaveForm, api_params, render_list};
use super::render::Me;
use crate::state::AppState;

/// The pages' routes for saved views.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/views", post(save::<AccountData>))
        .route("/accounts/views/{id}", post(change::<AccountData>))
        .route("/accounts/views/{id}/delete", post(remove::<AccountData>))
        .route("/contacts/views", post(save::<ContactData>))
        .route("/contacts/views/{id}", post(change::<ContactData>))
        .route("/contacts/views/{id}/delete", post(remove::<ContactData>))
        .route("/leads/views", post(save::<LeadData>))
        .route("/leads/views/{id}", post(change::<LeadData>))
        .route("/leads/views/{id}/delete", post(remove::<LeadData>))
}

/// A view form's fields; columns repeat.
struct ViewForm {
    name: Option<String>,
    columns: Option<Vec<String>>,
    shared: bool,
    /// The toolbar's choices, when the form carried them.
    toolbar: Option<ListQuery>,
}

fn read_form(body: &[u8]) -> ViewForm {
    let mut f = ViewForm {
        name: None,
        columns: None,
        shared: false,
        toolbar: None,
    };
    let mut q = ListQuery::default();
    let mut toolbar = false;
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => f.name = Some(v),
            "columns" => f.columns.get_or_insert_with(Vec::new).push(v),
            "shared" => f.shared = v == "on" || v == "true",
            "q" => (q.q, toolbar) = (v, true),
            "filter" => (q.filter, toolbar) = (v, true),
            "tag" => (q.tag, toolbar) = (v, true),
            "sort" => (q.sort, toolbar) = (v, true),
            _ => {}
        }
    }
    if toolbar {
        f.toolbar = Some(q);
    }
    f
}

/// The saved query of the toolbar's choices, in the API's list grammar.
fn query_of<D: Listing>(q: &ListQuery) -> String {
    api_params::<D>(q, true)
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The refused fields of a view, in plain words; `None` for other failures.
pub(crate) fn refusal(me: &Me, e: &AppError) -> Option<HashMap<&'static str, String>> {
    let AppError::Invalid(v) = e else {
        return None;
    };
    let mut errors = HashMap::new();
    for bad in &v.0 {
        let (field, key) = if bad.field == "name" {
            let key = match bad.code {
                Code::Duplicate => "view-error-name-taken",
                Code::TooLong => "view-error-name-long",
                _ => "view-error-name-required",
            };
            ("name", key)
        } else if bad.field.starts_with("columns") {
            ("columns", "view-error-columns")
        } else {
            ("query", "view-error-query")
        };
        errors.entry(field).or_insert_with(|| me.page.t(key));
    }
    Some(errors)
}

async fn save<D: Listing>(State(s): State<AppState>, me: Me, RawForm(body): RawForm) -> Response {
    let form = read_form(&body);
    let toolbar = form.toolbar.unwrap_or_default();
    let input = NewView {
        kind: D::KIND.plural().to_owned(),
        name: form.name.clone().unwrap_or_default(),
        query: query_of::<D>(&toolbar),
        columns: Some(form.columns.clone().unwrap_or_default()),
        shared: form.shared,
    };
    match views::create(&s.app, me.actor(), input).await {
        Ok(v) => Redirect::to(&format!("/{}?view={}", D::KIND.plural(), v.id)).into_response(),
        Err(e) => match refusal(&me, &e) {
            Some(errors) => {
                let again = SaveForm {
                    editing: false,
                    name: form.name.unwrap_or_default(),
                    columns: form.columns.unwrap_or_default(),
                    shared: form.shared,
                    errors,
                };
                render_list::<D>(&s, &me, toolbar, Some(again)).await
            }
            None => me.page.error(e),
        },
    }
}

async fn change<D: Listing>(
    State(s): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error(AppError::NotFound);
    };
    let form = read_form(&body);
    let change = ViewChange {
        name: form.name.clone(),
        query: form.toolbar.as_ref().map(query_of::<D>),
        columns: form.columns.clone(),
        // The edit form always says whether the view is shared; a rename alone does not.
        shared: form.columns.as_ref().map(|_| form.shared),
    };
    let back = |id: Id| format!("/{}?view={id}", D::KIND.plural());
    match views::update(&s.app, me.actor(), id, change, None).await {
        Ok(v) => Redirect::to(&back(v.id)).into_response(),
        Err(e) => match refusal(&me, &e) {
            Some(errors) => {
                let mut toolbar = form.toolbar.unwrap_or_default();
                toolbar.view = id.to_string();
                let again = SaveForm {
                    editing: true,
                    name: form.name.unwrap_or_default(),
                    columns: form.columns.unwrap_or_default(),
                    shared: form.shared,
                    errors,
                };
                render_list::<D>(&s, &me, toolbar, Some(again)).await
            }
            None => me.page.error(e),
        },
    }
}

async fn remove<D: Listing>(State(s): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error(AppError::NotFound);
    };
    match views::delete(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to(&format!("/{}", D::KIND.plural())).into_response(),
        Err(e) => me.page.error(e),
    }
}
