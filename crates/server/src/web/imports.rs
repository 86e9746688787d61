//! The import page: drop a file, check the mapping and a preview of each row's fate,
//! import with a progress bar (htmx polling), then download the rejected rows or undo.

use axum::Router;
use axum::body::Body;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use cartera_app::imports::{self, Start};
use cartera_core::imports::values::Locale;
use cartera_core::imports::{Import, ImportMode, ImportOptions, ImportStatus, MatchOn, OnMatch};

use super::import_problems::line as problem_line;
use super::render::{Me, PageId, when};
use crate::api::extract::QueryPairs;
use crate::api::imports::{options_from, spool};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(index).post(upload))
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/progress", get(progress))
        .route("/imports/{id}/start", post(start))
        .route("/imports/{id}/undo", post(undo))
        .route("/imports/{id}/rejected", get(rejected))
}

/// Whether a job is at work on the import (the page polls its progress).
fn busy(status: ImportStatus) -> bool {
    matches!(
        status,
        ImportStatus::Queued | ImportStatus::Running | ImportStatus::Undoing
    )
}

fn summary(imp: &Import, me: &Me) -> Value {
    let total = imp.total_rows.unwrap_or(0);
    let to_undo = imp.counts.created + imp.counts.updated;
    let percent = match (imp.status, total) {
        (ImportStatus::Undoing, _) if to_undo > 0 => {
            (imp.undone_rows * 100 / to_undo).clamp(0, 100)
        }
        (ImportStatus::Undoing, _) => 0,
        (
            ImportStatus::Done
            | ImportStatus::Checked
            | ImportStatus::Failed
            | ImportStatus::Undone
            | ImportStatus::Expired,
            _,
        ) => 100,
        (_, t) if t > 0 => (imp.processed_rows * 100 / t).clamp(0, 100),
        _ => 0,
    };
    json!({
        "id": imp.id,
        "kind": imp.record_kind.plural(),
        "status": imp.status.as_str(),
        "mode": imp.mode.map(|m| m.as_str()),
        "file_name": imp.file_name,
        "processed": imp.processed_rows,
        "total": imp.total_rows,
        "percent": percent,
        "counts": imp.counts,
        "error": imp.error,
        "running": busy(imp.status),
        "undone_rows": imp.undone_rows,
        "to_undo": to_undo,
        "startable": imp.status.startable(),
        "created": when(imp.created_at, me.page.time_zone(), me.page.locale),
        "stalled_until": imp
            .stalled_until
            .map(|t| when(t, me.page.time_zone(), me.page.locale)),
    })
}

async fn index(State(s): State<AppState>, me: Me) -> Response {
    let list = match imports::list(&s.app, me.actor(), None, 20).await {
        Ok(l) => l,
        Err(e) => return me.page.error(e),
    };
    let recent: Vec<Value> = list.iter().map(|i| summary(i, &me)).collect();
    me.page.render(
        StatusCode::OK,
        "imports/imports.html",
        json!({"nav": "imports", "recent": recent}),
    )
}

/// The file as the request body (sent by app.js), kind and locale in the query; answers
/// where the new import's page is.
async fn upload(
    State(s): State<AppState>,
    me: Me,
    q: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let kind = match imports::parse_kind(q.get("kind").unwrap_or("contacts")) {
        Ok(k) => k,
        Err(e) => return me.page.error(e),
    };
    let options = options_from(&q).unwrap_or_else(|_| ImportOptions::default());
    let tmp = match spool(&headers, body).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let name = q.get("file_name").unwrap_or("file").to_owned();
    match imports::upload(&s.app, me.actor(), kind, &name, tmp.path(), options).await {
        Ok(up) => {
            axum::Json(json!({"location": format!("/imports/{}", up.import.id)})).into_response()
        }
        Err(e) => crate::problem::ApiError::from(e).into_response(),
    }
}

async fn show(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    let imp = match imports::get(&s.app, me.actor(), id).await {
        Ok(i) => i,
        Err(e) => return me.page.error(e),
    };
    let targets = imports::targets(&s.app, imp.record_kind)
        .await
        .unwrap_or_default();
    let sample = if imp.status == ImportStatus::Draft {
        imports::sample(&s.app, me.actor(), id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let rows = if imp.status == ImportStatus::Draft {
        Vec::new()
    } else {
        imports::rows(&s.app, me.actor(), id, None, 0, 100)
            .await
            .unwrap_or_default()
    };
    let columns: Vec<Value> = imp
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({
                "index": i,
                "header": h,
                "target": imp.mapping.get(i).cloned().flatten(),
                "samples": sample.iter().filter_map(|r| r.get(i)).take(3).collect::<Vec<_>>(),
            })
        })
        .collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "number": r.row_number,
                "outcome": r.outcome.as_str(),
                "cells": r.cells,
                "problems": r.problems.iter().map(|p| problem_line(&me.page, p, imp.options.locale)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let keys: Vec<&str> = targets.iter().map(|t| t.key.as_str()).collect();
    me.page.render(
        StatusCode::OK,
        "imports/import.html",
        json!({
            "nav": "imports",
            "imp": summary(&imp, &me),
            "header": imp.header,
            "columns": columns,
            "targets": keys,
            "rows": rows,
            "sample": sample,
            "match_on": imp.options.match_on.map(|m| serde_json::to_value(m).unwrap_or_default()),
            "on_match": serde_json::to_value(imp.options.on_match).unwrap_or_default(),
            "locale": imp.options.locale.as_str(),
        }),
    )
}

async fn progress(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    headers: HeaderMap,
) -> Response {
    match imports::get(&s.app, me.actor(), id).await {
        Ok(imp) => {
            let finished = !busy(imp.status);
            let mut res = me.page.render(
                StatusCode::OK,
                "imports/import_progress.html",
                json!({"imp": summary(&imp, &me)}),
            );
            // The run ended while the page polled: show the whole result (rows, undo).
            if finished && headers.contains_key("hx-request") {
                res.headers_mut()
                    .insert("hx-refresh", HeaderValue::from_static("true"));
            }
            res
        }
        Err(e) => me.page.error(e),
    }
}

async fn start(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let imp = match imports::get(&s.app, me.actor(), id).await {
        Ok(i) => i,
        Err(e) => return me.page.error(e),
    };
    let mapping = (0..imp.header.len())
        .map(|i| {
            get(&format!("map_{i}"))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
        .collect();
    let start = Start {
        mode: if get("preview").is_some() {
            Some(ImportMode::DryRun)
        } else {
            get("mode").and_then(ImportMode::parse)
        },
        mapping: Some(mapping),
        match_on: get("match_on").and_then(|m| serde_json::from_value::<MatchOn>(json!(m)).ok()),
        on_match: get("on_match").and_then(|m| serde_json::from_value::<OnMatch>(json!(m)).ok()),
        locale: get("locale").and_then(Locale::parse),
    };
    match imports::start(&s.app, me.actor(), id, start).await {
        Ok(_) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(e) => me.page.error(e),
    }
}

async fn undo(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match imports::undo(&s.app, me.actor(), id, false).await {
        Ok(_) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(e) => me.page.error(e),
    }
}

async fn rejected(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    match imports::rejected_file(&s.app, me.actor(), id).await {
        Ok((name, bytes)) => {
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(cartera_core::io::XLSX_TYPE),
            );
            let ascii: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() && c != '"' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => me.page.error(e),
    }
}
