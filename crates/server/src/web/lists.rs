//! The list page of any kind of record: search, filters, sort and keyset pages, written
//! once, with its saved views menu. Each kind says its columns, filters and sorts through
//! `Listing`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use cartera_app::records::{self, Kind};
use cartera_app::views;
use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::record::{Record, RecordKind};
use cartera_core::views::{SavedView, columns as kind_columns};

use super::render::{Me, Page};
use crate::state::AppState;

/// Rows on one page of a list.
pub const PAGE_SIZE: usize = 25;

/// One cell of a list row.
#[derive(Serialize, Default)]
pub struct Cell {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A short label drawn as a badge (kind, status).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    /// Secondary text under the main one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            ..Cell::default()
        }
    }
}

/// A select filter on an enumerated field (`filter[field]=value`).
pub struct EnumFilter {
    pub field: &'static str,
    /// Catalogue key of the select's label.
    pub label: &'static str,
    pub values: &'static [&'static str],
    /// Catalogue key prefix of each value's label (`{prefix}{value}`).
    pub value_prefix: &'static str,
}

/// What a kind's list shows.
pub trait Listing: Kind {
    /// Catalogue key of the page title.
    const TITLE: &'static str;
    /// The field "name" sorts by.
    const NAME_SORT: &'static str;
    /// Where the "new" button goes, if the kind has a form yet.
    const NEW: Option<&'static str> = None;
    fn filter() -> Option<EnumFilter> {
        None
    }
    /// The account a row links to, for an "account" column.
    fn account_of(_r: &Record<Self>) -> Option<Id> {
        None
    }
    /// The territory a row is in, for a "territory" column.
    fn territory_of(_r: &Record<Self>) -> Option<Id> {
        None
    }
    /// The cell of column `col` (one of `cartera_core::views::columns(KIND)`).
    fn cell(r: &Record<Self>, col: &str, page: &Page, names: &Names) -> Cell;
}

/// Names of what rows point to, read once per page.
#[derive(Default)]
pub struct Names {
    pub people: HashMap<Id, String>,
    pub accounts: HashMap<Id, String>,
    pub territories: HashMap<Id, String>,
    /// The columns shown (a name cell leaves out what has its own column).
    pub columns: Vec<String>,
}

impl Names {
    pub fn person(&self, id: Option<Id>) -> String {
        id.and_then(|i| self.people.get(&i).cloned())
            .unwrap_or_default()
    }

    pub fn shows(&self, col: &str) -> bool {
        self.columns.iter().any(|c| c == col)
    }
}

/// The catalogue key of a column's heading (`tax_id` -> `col-tax-id`).
pub fn column_label(col: &str) -> String {
    format!("col-{}", col.replace('_', "-"))
}

#[derive(Deserialize, Default, Serialize, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub filter: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub sort: String,
    pub cursor: Option<String>,
    /// The saved view whose columns (and, with no other choice, filters) apply.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub view: String,
}

impl ListQuery {
    /// Whether the toolbar said anything (else an open view's own query applies).
    fn chosen(&self) -> bool {
        !self.q.trim().is_empty()
            || !self.filter.is_empty()
            || !self.tag.trim().is_empty()
            || !self.sort.is_empty()
    }
}

fn url(base: &str, q: &ListQuery, cursor: Option<&str>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("view", q.view.as_str()),
        ("q", q.q.trim()),
        ("filter", q.filter.as_str()),
        ("tag", q.tag.trim()),
        ("sort", q.sort.as_str()),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    if let Some(c) = cursor {
        s.append_pair("cursor", c);
    }
    let qs = s.finish();
    if qs.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{qs}")
    }
}

/// The toolbar's choices in the API's list grammar (without `limit` and `cursor`).
/// `explicit_sort` leaves out the usual sort (latest changes first).
pub fn api_params<D: Listing>(q: &ListQuery, explicit_sort: bool) -> Vec<(String, String)> {
    let mut params = Vec::new();
    if !q.q.trim().is_empty() {
        params.push(("q".into(), q.q.trim().to_owned()));
    }
    if let Some(f) = D::filter()
        && f.values.contains(&q.filter.as_str())
    {
        params.push((format!("filter[{}]", f.field), q.filter.clone()));
    }
    if !q.tag.trim().is_empty() {
        params.push(("filter[tags]".into(), q.tag.trim().to_owned()));
    }
    let sort = match q.sort.as_str() {
        "name" => D::NAME_SORT,
        "created" => "-created_at",
        // With a search and no explicit sort, the best matches come first.
        _ if !q.q.trim().is_empty() && q.sort.is_empty() => "",
        _ if explicit_sort => "",
        _ => "-updated_at",
    };
    if !sort.is_empty() {
        params.push(("sort".into(), sort.to_owned()));
    }
    params
}

/// The toolbar that shows a saved query as far as it can.
fn toolbar_of<D: Listing>(params: &[(String, String)], view: &str) -> ListQuery {
    let mut q = ListQuery {
        view: view.to_owned(),
        ..ListQuery::default()
    };
    let filter = D::filter().map(|f| format!("filter[{}]", f.field));
    for (k, v) in params {
        if k == "q" {
            q.q = v.clone();
        } else if k == "filter[tags]" {
            q.tag = v.clone();
        } else if Some(k) == filter.as_ref() {
            q.filter = v.clone();
        } else if k == "sort" {
            q.sort = match v.as_str() {
                s if s == D::NAME_SORT => "name".into(),
                "-created_at" => "created".into(),
                _ => String::new(),
            };
        }
    }
    q
}

pub async fn list_page<D: Listing>(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ListQuery>,
) -> Response {
    render_list::<D>(&s, &me, q, None).await
}

/// The saved view of `plural` a list's `view` parameter names (none when it is empty),
/// or the page that says it is not there.
pub async fn open_view(
    s: &AppState,
    me: &Me,
    view: &str,
    plural: &str,
) -> Result<Option<SavedView>, Response> {
    if view.is_empty() {
        return Ok(None);
    }
    let Ok(id) = view.parse::<Id>() else {
        return Err(me.page.error_page(StatusCode::NOT_FOUND, "not-found"));
    };
    match cartera_app::views::get(&s.app, me.actor(), id).await {
        Ok(v) if v.kind == plural => Ok(Some(v)),
        Ok(_) => Err(me.page.error_page(StatusCode::NOT_FOUND, "not-found")),
        Err(e) => Err(me.page.error(e)),
    }
}

/// The list page; `save` holds a refused "save view" form.
pub async fn render_list<D: Listing>(
    s: &AppState,
    me: &Me,
    mut q: ListQuery,
    save: Option<SaveForm>,
) -> Response {
    let page = &me.page;
    let base = format!("/{}", D::KIND.plural());
    let filter = D::filter();
    let view = match open_view(s, me, &q.view, D::KIND.plural()).await {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let mut params: Vec<(String, String)> = vec![("limit".into(), PAGE_SIZE.to_string())];
    match &view {
        // A view opened as saved: its own query, shown in the toolbar as far as it goes.
        Some(v) if !q.chosen() => {
            let saved = cartera_core::views::query_params(&v.query);
            let cursor = q.cursor.take();
            q = toolbar_of::<D>(&saved, &q.view);
            q.cursor = cursor;
            params.extend(saved);
        }
        _ => params.extend(api_params::<D>(&q, false)),
    }
    if let Some(c) = &q.cursor {
        params.push(("cursor".into(), c.clone()));
    }
    let listed = match records::list::<D>(&s.app, me.actor(), &params).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let columns: Vec<String> = match &view {
        Some(v) => v.columns.clone(),
        None => cartera_core::views::default_columns(D::KIND)
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
    };
    let names = names::<D>(s, me, &listed.rows, &columns).await;
    let rows: Vec<_> = listed
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<Cell> = columns
                .iter()
                .map(|c| D::cell(r, c, page, &names))
                .collect();
            json!({"id": r.id, "cells": cells})
        })
        .collect();
    let filtered = !q.q.trim().is_empty() || !q.filter.is_empty() || !q.tag.trim().is_empty();
    let filter_ctx = filter.map(|f| {
        json!({
            "label": page.t(f.label),
            "options": f.values.iter().map(|v| json!({
                "value": v,
                "label": page.t(&format!("{}{}", f.value_prefix, v)),
                "selected": q.filter == *v,
            })).collect::<Vec<_>>(),
        })
    });
    let views = views_context::<D>(s, me, &q, view.as_ref(), &columns, save).await;
    let ctx = json!({
        "kind": D::KIND.plural(),
        "nav": D::KIND.plural(),
        "base": base,
        "title_key": D::TITLE,
        "columns": columns.iter().map(|c| page.t(&column_label(c))).collect::<Vec<_>>(),
        "rows": rows,
        "query": q,
        "filter": filter_ctx,
        "sort": if q.sort.is_empty() { "updated" } else { q.sort.as_str() },
        "next_url": listed.next_cursor.as_deref().map(|c| url(&base, &q, Some(c))),
        "first_url": q.cursor.as_ref().map(|_| url(&base, &q, None)),
        "new_url": D::NEW,
        "filtered": filtered,
        "views": views.0,
        // An htmx refresh of the rows also refreshes the filters the view forms save.
        "oob_views": page.htmx && page.hx_target.as_deref() == Some("list"),
    });
    let template = if page.htmx && page.hx_target.as_deref() == Some("list") {
        "shared/list_rows.html"
    } else {
        "shared/list.html"
    };
    let status = if views.1 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.render(status, template, ctx)
}

/// The names of the people, accounts and territories the rows point to.
async fn names<D: Listing>(s: &AppState, me: &Me, rows: &[Record<D>], columns: &[String]) -> Names {
    let mut names = Names {
        columns: columns.to_vec(),
        ..Names::default()
    };
    let owners: Vec<Id> = rows
        .iter()
        .filter_map(|r| cartera_core::record::RecordData::owner_id(&r.data))
        .collect();
    names.people = cartera_app::users::names(&s.app, &owners)
        .await
        .unwrap_or_default();
    if columns.iter().any(|c| c == "account") {
        let mut ids: Vec<String> = rows
            .iter()
            .filter_map(D::account_of)
            .map(|i| i.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        if !ids.is_empty() {
            let params = [
                ("filter[id][in]".to_owned(), ids.join(",")),
                ("limit".to_owned(), PAGE_SIZE.to_string()),
            ];
            // Accounts the user may not see stay nameless.
            if let Ok(l) = records::list::<AccountData>(&s.app, me.actor(), &params).await {
                names.accounts = l.rows.into_iter().map(|a| (a.id, a.data.name)).collect();
            }
        }
    }
    if columns.iter().any(|c| c == "territory") && rows.iter().any(|r| D::territory_of(r).is_some())
    {
        // Territory names need the settings right; without it the column stays empty.
        if let Ok(ts) = cartera_app::territories::list(&s.app, me.actor()).await {
            names.territories = ts.into_iter().map(|t| (t.id, t.name)).collect();
        }
    }
    names
}

/// A refused "save view" (or "edit view") form, shown again as it was sent.
#[derive(Default)]
pub struct SaveForm {
    /// The form edits the open view rather than saving a new one.
    pub editing: bool,
    pub name: String,
    pub columns: Vec<String>,
    pub shared: bool,
    /// Message of each refused field (`name`, `columns`, `query`).
    pub errors: HashMap<&'static str, String>,
}

/// The views part of a list page's context, and whether it shows a refused form.
pub async fn views_context<D: Listing>(
    s: &AppState,
    me: &Me,
    q: &ListQuery,
    current: Option<&SavedView>,
    shown: &[String],
    save: Option<SaveForm>,
) -> (Value, bool) {
    let hidden = [
        ("q", q.q.as_str()),
        ("filter", q.filter.as_str()),
        ("tag", q.tag.as_str()),
        (
            "sort",
            if q.sort.is_empty() {
                "updated"
            } else {
                q.sort.as_str()
            },
        ),
    ];
    views_context_of(s, me, D::KIND, &hidden, current, shown, save).await
}

/// [`views_context`] of any kind with views: `hidden` are the toolbar's choices the
/// save and edit forms carry.
pub async fn views_context_of(
    s: &AppState,
    me: &Me,
    kind: RecordKind,
    hidden: &[(&str, &str)],
    current: Option<&SavedView>,
    shown: &[String],
    save: Option<SaveForm>,
) -> (Value, bool) {
    let page = &me.page;
    let plural = kind.plural();
    let mine = me.viewer.user.id;
    let list = views::list(&s.app, me.actor(), Some(plural))
        .await
        .unwrap_or_default();
    let refused = save.is_some();
    let save = save.unwrap_or_default();
    let chosen: Vec<String> = if refused {
        save.columns.clone()
    } else {
        shown.to_vec()
    };
    let columns: Vec<Value> = kind_columns(kind)
        .iter()
        .map(|c| {
            json!({
                "key": c,
                "label": page.t(&column_label(c)),
                "checked": chosen.iter().any(|x| x == c),
            })
        })
        .collect();
    let hidden: Vec<Value> = hidden
        .iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let ctx = json!({
        "list": list.iter().map(|v| json!({
            "id": v.id,
            "name": v.name,
            "href": format!("/{plural}?view={}", v.id),
            "current": current.is_some_and(|c| c.id == v.id),
            "shared": v.shared,
            "mine": v.owner_id == mine,
        })).collect::<Vec<_>>(),
        "current": current.map(|v| json!({
            "id": v.id,
            "name": v.name,
            "shared": v.shared,
            "mine": v.owner_id == mine,
        })),
        "columns": columns,
        "hidden": hidden,
        "form": {
            "open": refused,
            "editing": save.editing,
            "name": save.name,
            "shared": save.shared,
            "errors": save.errors,
        },
    });
    (ctx, refused)
}
