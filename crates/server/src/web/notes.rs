//! Adding a note from a record page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use cartera_app::{AppError, notes};

use super::records::Editable;
use super::render::{Me, PageId};
use super::timeline::history;
use crate::state::AppState;

/// Adds a note to a contact or lead; htmx gets the notes again.
pub async fn add<D: Editable>(
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
        return Redirect::to(&format!("/{}/{id}#notes", D::SEG)).into_response();
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
            "notes_url": format!("/{}/{id}/notes", D::SEG),
            "notes": notes,
            "note_error": error,
            "note_body": if error.is_some() { body } else { String::new() },
        }),
    )
}
