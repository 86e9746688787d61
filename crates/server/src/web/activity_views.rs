//! Saved views of the activities page: the toolbar's search, type, status, "only mine"
//! (saved as its owner), the record it is narrowed to and the sort, kept in the API's
//! list grammar like every view (`/api/v1/saved_views`, kind `activities`), with the
//! parts of a line it shows. The period (today, this week, overdue) is not saved: it is
//! relative to the day the view is opened, so it is chosen on top of the view.

use axum::Router;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

use cartera_app::AppError;
use cartera_app::views::{self, NewView, ViewChange};
use cartera_core::Id;

use super::activities::render_list;
use super::activity_query::{ListQuery, RECORDS};
use super::lists::SaveForm;
use super::render::Me;
use super::views::refusal;
use crate::state::AppState;

const KIND: &str = "activities";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/activities/views", post(save))
        .route("/activities/views/{id}", post(change))
        .route("/activities/views/{id}/delete", post(remove))
}

/// A view form's fields (columns repeat) and the toolbar's choices it carries.
struct ViewForm {
    name: Option<String>,
    columns: Option<Vec<String>>,
    shared: bool,
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
            "kind" => (q.kind, toolbar) = (v, true),
            "status" => (q.status, toolbar) = (v, true),
            "mine" => (q.mine, toolbar) = (v, true),
            "owner" => (q.owner, toolbar) = (v, true),
            "sort" => (q.sort, toolbar) = (v, true),
            "when" => q.when = v,
            other if RECORDS.iter().any(|(p, _)| *p == other) => {
                q.set_record(other, v);
                toolbar = true;
            }
            _ => {}
        }
    }
    if toolbar {
        f.toolbar = Some(q);
    }
    f
}

async fn save(State(s): State<AppState>, me: Me, RawForm(body): RawForm) -> Response {
    let form = read_form(&body);
    let toolbar = form.toolbar.unwrap_or_default();
    let input = NewView {
        kind: KIND.to_owned(),
        name: form.name.clone().unwrap_or_default(),
        query: toolbar.saved_query(me.viewer.user.id),
        columns: Some(form.columns.clone().unwrap_or_default()),
        shared: form.shared,
    };
    match views::create(&s.app, me.actor(), input).await {
        Ok(v) => Redirect::to(&format!("/activities?view={}", v.id)).into_response(),
        Err(e) => match refusal(&me, &e) {
            Some(errors) => {
                let again = SaveForm {
                    editing: false,
                    name: form.name.unwrap_or_default(),
                    columns: form.columns.unwrap_or_default(),
                    shared: form.shared,
                    errors,
                };
                render_list(&s, &me, toolbar, Some(again)).await
            }
            None => me.page.error(e),
        },
    }
}

async fn change(
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
        query: form
            .toolbar
            .as_ref()
            .map(|q| q.saved_query(me.viewer.user.id)),
        columns: form.columns.clone(),
        // The edit form always says whether the view is shared; a rename alone does not.
        shared: form.columns.as_ref().map(|_| form.shared),
    };
    match views::update(&s.app, me.actor(), id, change, None).await {
        Ok(v) => Redirect::to(&format!("/activities?view={}", v.id)).into_response(),
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
                render_list(&s, &me, toolbar, Some(again)).await
            }
            None => me.page.error(e),
        },
    }
}

async fn remove(State(s): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error(AppError::NotFound);
    };
    match views::delete(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to("/activities").into_response(),
        Err(e) => me.page.error(e),
    }
}
