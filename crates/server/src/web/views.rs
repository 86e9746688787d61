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
        .merge(routes_of::<AccountData>())
        .merge(routes_of::<ContactData>())
        .merge(routes_of::<LeadData>())
}

/// The save, change and delete routes of one list's views, under `/{kind}/views`.
pub fn routes_of<L: ViewedList>() -> Router<AppState> {
    let base = format!("/{}/views", L::plural());
    Router::new()
        .route(&base, post(save::<L>))
        .route(&format!("{base}/{{id}}"), post(change::<L>))
        .route(&format!("{base}/{{id}}/delete"), post(remove::<L>))
}

/// A list page with saved views: what of its toolbar a view form carries, how it is
/// saved in the API's list grammar, and the page drawn again around a refused form.
pub trait ViewedList: Send + Sync + 'static {
    /// The toolbar's choices.
    type Toolbar: Default + Send;
    /// The kind's plural, as views name it: `accounts`, `activities`.
    fn plural() -> &'static str;
    /// Takes one posted field into the toolbar; `false` when it is none of its fields.
    fn take(q: &mut Self::Toolbar, key: &str, value: String) -> bool;
    /// The toolbar's choices in the API's list grammar, as `me` saves them.
    fn saved_query(q: &Self::Toolbar, me: Id) -> String;
    /// Marks the toolbar as showing the view `id` (a refused edit stays on it).
    fn set_view(q: &mut Self::Toolbar, id: Id);
    /// The list page with `save`, a refused form, open again.
    fn render<'a>(
        s: &'a AppState,
        me: &'a Me,
        q: Self::Toolbar,
        save: SaveForm,
    ) -> impl Future<Output = Response> + Send + 'a;
}

impl<D: Listing> ViewedList for D {
    type Toolbar = ListQuery;

    fn plural() -> &'static str {
        D::KIND.plural()
    }

    fn take(q: &mut ListQuery, key: &str, value: String) -> bool {
        match key {
            "q" => q.q = value,
            "filter" => q.filter = value,
            "tag" => q.tag = value,
            "sort" => q.sort = value,
            _ => return false,
        }
        true
    }

    fn saved_query(q: &ListQuery, _: Id) -> String {
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

    fn set_view(q: &mut ListQuery, id: Id) {
        q.view = id.to_string();
    }

    fn render<'a>(
        s: &'a AppState,
        me: &'a Me,
        q: ListQuery,
        save: SaveForm,
    ) -> impl Future<Output = Response> + Send + 'a {
        render_list::<D>(s, me, q, Some(save))
    }
}

/// A view form's fields; columns repeat.
struct ViewForm<Q> {
    name: Option<String>,
    columns: Option<Vec<String>>,
    shared: bool,
    /// The toolbar's choices, when the form carried them.
    toolbar: Option<Q>,
}

fn read_form<L: ViewedList>(body: &[u8]) -> ViewForm<L::Toolbar> {
    let mut f = ViewForm {
        name: None,
        columns: None,
        shared: false,
        toolbar: None,
    };
    let mut q = L::Toolbar::default();
    let mut toolbar = false;
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => f.name = Some(v),
            "columns" => f.columns.get_or_insert_with(Vec::new).push(v),
            "shared" => f.shared = v == "on" || v == "true",
            key => toolbar |= L::take(&mut q, key, v),
        }
    }
    if toolbar {
        f.toolbar = Some(q);
    }
    f
}

/// The refused fields of a view, in plain words; `None` for other failures.
fn refusal(me: &Me, e: &AppError) -> Option<HashMap<&'static str, String>> {
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

async fn save<L: ViewedList>(
    State(s): State<AppState>,
    me: Me,
    RawForm(body): RawForm,
) -> Response {
    let form = read_form::<L>(&body);
    let toolbar = form.toolbar.unwrap_or_default();
    let input = NewView {
        kind: L::plural().to_owned(),
        name: form.name.clone().unwrap_or_default(),
        query: L::saved_query(&toolbar, me.viewer.user.id),
        columns: Some(form.columns.clone().unwrap_or_default()),
        shared: form.shared,
    };
    match views::create(&s.app, me.actor(), input).await {
        Ok(v) => Redirect::to(&format!("/{}?view={}", L::plural(), v.id)).into_response(),
        Err(e) => match refusal(&me, &e) {
            Some(errors) => {
                let again = SaveForm {
                    editing: false,
                    name: form.name.unwrap_or_default(),
                    columns: form.columns.unwrap_or_default(),
                    shared: form.shared,
                    errors,
                };
                L::render(&s, &me, toolbar, again).await
            }
            None => me.page.error(e),
        },
    }
}

async fn change<L: ViewedList>(
    State(s): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error(AppError::NotFound);
    };
    let form = read_form::<L>(&body);
    let change = ViewChange {
        name: form.name.clone(),
        query: form
            .toolbar
            .as_ref()
            .map(|q| L::saved_query(q, me.viewer.user.id)),
        columns: form.columns.clone(),
        // The edit form always says whether the view is shared; a rename alone does not.
        shared: form.columns.as_ref().map(|_| form.shared),
    };
    match views::update(&s.app, me.actor(), id, change, None).await {
        Ok(v) => Redirect::to(&format!("/{}?view={}", L::plural(), v.id)).into_response(),
        Err(e) => match refusal(&me, &e) {
            Some(errors) => {
                let mut toolbar = form.toolbar.unwrap_or_default();
                L::set_view(&mut toolbar, id);
                let again = SaveForm {
                    editing: true,
                    name: form.name.unwrap_or_default(),
                    columns: form.columns.unwrap_or_default(),
                    shared: form.shared,
                    errors,
                };
                L::render(&s, &me, toolbar, again).await
            }
            None => me.page.error(e),
        },
    }
}

async fn remove<L: ViewedList>(
    State(s): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error(AppError::NotFound);
    };
    match views::delete(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to(&format!("/{}", L::plural())).into_response(),
        Err(e) => me.page.error(e),
    }
}
