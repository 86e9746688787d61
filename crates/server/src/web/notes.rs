//! Adding a note from a record page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use cartera_app::{AppError, notes};

use super::render::{Me, PageId};
use super::shares::Shareable;
use super::timeline::history;
use crate::state::AppState;

/// Adds a note to a contact, lead or deal (any kind whose page has the shared boxes);
/// htmx gets the notes again.
pub async fn add<D: Shareable>(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let page = &me.page;
    let body = form.get("body").cloned().unwrap_or_default();
    let error = match notes::create(&s.app, me.actor(), D::KIND, id, json!({"body": body})).await {
        Ok(_) => None,
        Err(AppError::Invalid(_)) => Some(page.t("note-empty")),
        Err(e) => return page.error(e),
    };
    if !page.htmx {
        return Redirect::to(&format!("/{}/{id}#notes", <D as Shareable>::SEG)).into_response();
    }
    let (notes, _, _) = match history::<D>(&s, me.actor(), id, &[]).await {
        Ok(h) => h,
        Err(e) => return page.error(e),
    };
    let status = if error.is_some() && !page.htmx {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.render(
        status,
        "shared/notes.html",
        json!({
            "notes_url": format!("/{}/{id}/notes", <D as Shareable>::SEG),
            "notes": notes,
            "note_error": error,
            "note_body": if error.is_some() { body } else { String::new() },
        }),
    )
}
