//! The JSON side of calendar and contact sync: the secret iCalendar feed link, and
//! contacts to and from vCard 4.0. (CalDAV and CardDAV themselves live in `crate::dav`.)

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::dav as app_dav;
use cartera_core::Code;

use super::doc::{Api, Op, register};
use super::extract::Auth;
use crate::middleware::NoReplay;
use crate::problem::ApiError;
use crate::state::AppState;

/// A new feed link, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeed {
    /// The address to subscribe to in a calendar app; anyone holding it reads the
    /// user's activities, so it is shown only now.
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// What a vCard import created.
#[derive(Debug, Serialize, ToSchema)]
pub struct VcardImport {
    pub created: usize,
    /// The new contacts' ids, in the order of the cards.
    pub ids: Vec<String>,
}

/// The feed's address for a secret, under the server's public URL.
pub fn feed_url(public_url: &str, secret: &str) -> String {
    format!("{}/feeds/{secret}.ics", public_url.trim_end_matches('/'))
}

async fn rotate_feed(State(s): State<AppState>, Auth(actor): Auth) -> Result<Response, ApiError> {
    let secret = app_dav::rotate_feed(&s.app, &actor).await?;
    let mut res = (
        StatusCode::CREATED,
        Json(CalendarFeed {
            url: feed_url(s.app.public_url(), &secret),
            created_at: s.app.now(),
        }),
    )
        .into_response();
    res.extensions_mut().insert(NoReplay);
    Ok(res)
}

async fn export_vcard(State(s): State<AppState>, Auth(actor): Auth) -> Result<Response, ApiError> {
    let (text, _) = app_dav::export_vcards(&s.app, &actor).await?;
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/vcard; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"contacts.vcf\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn import_vcard(
    State(s): State<AppState>,
    Auth(actor): Auth,
    body: Bytes,
) -> Result<(StatusCode, Json<VcardImport>), ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_field("body", Code::Invalid, "must be UTF-8 vCard text"))?;
    let created = app_dav::import_vcards(&s.app, &actor, text).await?;
    Ok((
        StatusCode::CREATED,
        Json(VcardImport {
            created: created.len(),
            ids: created.iter().map(|c| c.id.to_string()).collect(),
        }),
    ))
}

pub fn mount(mut api: Api) -> Api {
    let feed = register::<CalendarFeed>(&mut api.schemas);
    let import = register::<VcardImport>(&mut api.schemas);
    api.route(
        HttpMethod::Post,
        "/api/v1/users/me/calendar_feed",
        post(rotate_feed),
        Op::new(
            "users",
            "rotate_my_calendar_feed",
            "Make or replace my calendar feed link",
        )
        .describe(
            "A read-only iCalendar (RFC 5545) address with a secret in it: every activity \
                 of mine with a due date or a start, as events and to-dos, for calendar apps that \
                 subscribe to a URL. The previous link stops working. The answer shows the link \
                 once (Cartera keeps only the secret's hash) and is not kept for Idempotency-Key \
                 replays.",
        )
        .answer_schema(201, "The feed's address", feed)
        .problems(&[403]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/contacts/export/vcard",
        get(export_vcard),
        Op::new(
            "contacts",
            "export_contacts_vcard",
            "Export contacts as vCard 4.0",
        )
        .describe(
            "Every contact the caller sees, as one vCard 4.0 (RFC 6350) file: name, emails, \
                 phones, company and department (ORG), job title, birthday, notes. Needs the \
                 `export` permission on contacts, like the CSV export, and is an audit event \
                 (`exported`, format `vcf`).",
        )
        .answer_text(
            200,
            "The file, as an attachment `contacts.vcf`",
            "text/vcard",
        )
        .problems(&[403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/contacts/import/vcard",
        post(import_vcard),
        Op::new(
            "contacts",
            "import_contacts_vcard",
            "Import contacts from vCards",
        )
        .describe(
            "The body is one or more vCards (versions 3.0 and 4.0). All or nothing: any card \
                 that cannot be read or breaks a rule answers 422 naming it (`cards[2].BDAY`, \
                 `cards[0].emails[0].address`), and no contact is created. Possible duplicates \
                 answer 409 with their candidates. Cards nested more than 8 deep answer 422 on \
                 `cards`; a body over 16 MiB answers 413. Needs `create` on contacts.",
        )
        .answer_schema(201, "The contacts created", import)
        .problems(&[400, 403, 409, 413, 422]),
    )
}
