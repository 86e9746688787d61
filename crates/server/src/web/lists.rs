//! The list page of any kind of record: search, filters, sort and keyset pages, written
//! once. Each kind says its columns, filters and sorts through `Listing`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;

use cartera_app::records::{self, Kind};
use cartera_core::Id;
use cartera_core::record::Record;

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
    /// Catalogue keys of the columns.
    fn columns() -> &'static [&'static str];
    fn filter() -> Option<EnumFilter> {
        None
    }
    fn cells(r: &Record<Self>, page: &Page, people: &HashMap<Id, String>) -> Vec<Cell>;
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
}

fn url(base: &str, q: &ListQuery, cursor: Option<&str>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
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

pub async fn list_page<D: Listing>(
    State(s): State<AppState>,
    me: Me,
    Query(q): Query<ListQuery>,
) -> Response {
    let page = &me.page;
    let base = format!("/{}", D::KIND.plural());
    let filter = D::filter();
    let mut params: Vec<(String, String)> = vec![("limit".into(), PAGE_SIZE.to_string())];
    if !q.q.trim().is_empty() {
        params.push(("q".into(), q.q.trim().to_owned()));
    }
    if let Some(f) = &filter
        && f.values.contains(&q.filter.as_str())
    {
        params.push((format!("filter[{}]", f.field), q.filter.clone()));
    }
    if !q.tag.trim().is_empty() {
        params.push(("filter[tags]".into(), q.tag.trim().to_owned()));
    }
    let sort = match q.sort.as_str() {
        "name" => D::NAME_SORT.to_owned(),
        "created" => "-created_at".to_owned(),
        // With a search and no explicit sort, the best matches come first.
        _ if !q.q.trim().is_empty() && q.sort.is_empty() => String::new(),
        _ => "-updated_at".to_owned(),
    };
    if !sort.is_empty() {
        params.push(("sort".into(), sort));
    }
    if let Some(c) = &q.cursor {
        params.push(("cursor".into(), c.clone()));
    }
    let listed = match records::list::<D>(&s.app, me.actor(), &params).await {
        Ok(l) => l,
        Err(e) => return page.error(e),
    };
    let owners: Vec<Id> = listed
        .rows
        .iter()
        .filter_map(|r| cartera_core::record::RecordData::owner_id(&r.data))
        .collect();
    let people = cartera_app::users::names(&s.app, &owners)
        .await
        .unwrap_or_default();
    let rows: Vec<_> = listed
        .rows
        .iter()
        .map(|r| json!({"id": r.id, "cells": D::cells(r, page, &people)}))
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
    let ctx = json!({
        "kind": D::KIND.plural(),
        "nav": D::KIND.plural(),
        "base": base,
        "title_key": D::TITLE,
        "columns": D::columns().iter().map(|c| page.t(c)).collect::<Vec<_>>(),
        "rows": rows,
        "query": q,
        "filter": filter_ctx,
        "sort": if q.sort.is_empty() { "updated" } else { q.sort.as_str() },
        "next_url": listed.next_cursor.as_deref().map(|c| url(&base, &q, Some(c))),
        "first_url": q.cursor.as_ref().map(|_| url(&base, &q, None)),
        "new_url": D::NEW,
        "filtered": filtered,
    });
    let template = if page.htmx && page.hx_target.as_deref() == Some("list") {
        "list_rows.html"
    } else {
        "list.html"
    };
    page.render(StatusCode::OK, template, ctx)
}
