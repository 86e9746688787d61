//! The printed documents' assets: each kind's template (an admin's, else the default)
//! and the company logo they all show, with the admin's use cases that change them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use cartera_core::audit::AuditAction;
use cartera_core::quotes::Language;
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Code, Violations};
use cartera_documents::Logo;
use cartera_store::Conn;
use cartera_store::documents::{self as store, Asset};

use super::printed::Printed;
use crate::events;
use crate::{Actor, App, AppError, Result};

/// Largest logo accepted (bytes).
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// Largest template accepted (characters).
pub const MAX_TEMPLATE_CHARS: usize = 100_000;

/// The company logo, one for every kind of document.
const LOGO_KEY: &str = "logo";

/// A document template as an admin sees it (quotes, invoices): the text in use and
/// whether it is the default.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateInfo {
    pub template: String,
    pub is_default: bool,
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether a logo is uploaded, and its media type.
    pub logo_type: Option<String>,
}

/// The template in use for `D`: the admin's, else the default.
pub(crate) async fn template<D: Printed>(conn: &mut Conn) -> Result<String> {
    Ok(store::asset(conn, D::TEMPLATE_KEY)
        .await?
        .map(|a| a.content)
        .unwrap_or_else(|| D::DEFAULT_TEMPLATE.to_owned()))
}

/// The logo's bytes, when one is uploaded.
pub(crate) async fn logo(conn: &mut Conn) -> Result<Option<Vec<u8>>> {
    Ok(store::asset(conn, LOGO_KEY)
        .await?
        .and_then(|a| BASE64.decode(a.content).ok()))
}

pub(crate) async fn template_info<D: Printed>(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let custom = store::asset(&mut conn, D::TEMPLATE_KEY).await?;
    let logo = store::asset(&mut conn, LOGO_KEY).await?;
    Ok(TemplateInfo {
        is_default: custom.is_none(),
        updated_at: custom.as_ref().map(|a| a.updated_at),
        template: custom
            .map(|a| a.content)
            .unwrap_or_else(|| D::DEFAULT_TEMPLATE.to_owned()),
        logo_type: logo.map(|l| l.content_type),
    })
}

/// Saves an admin's template for `D` after compiling it with sample data in both
/// languages (and the logo): a template that does not compile answers 422 naming
/// `template`, with the line and typst's message, and the one in use stays.
pub(crate) async fn set_template<D: Printed>(
    app: &App,
    actor: &Actor,
    text: String,
) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    if text.trim().is_empty() {
        return Err(
            Violations::one("template", Code::Required, "write a template, or reset it").into(),
        );
    }
    if text.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(Violations::one(
            "template",
            Code::TooLong,
            format!("at most {MAX_TEMPLATE_CHARS} characters"),
        )
        .into());
    }
    let mut conn = app.db.reader().await?;
    let logo_bytes = logo(&mut conn).await?;
    drop(conn);
    for lang in [Language::Es, Language::En] {
        let (t, l) = (text.clone(), logo_bytes.clone());
        let data = D::sample(lang)?;
        let out = tokio::task::spawn_blocking(move || {
            cartera_documents::render(&t, &data, l.as_deref().map(Logo))
        })
        .await
        .map_err(|e| AppError::Conflict(e.to_string()))?;
        if let Err(e) = out {
            return Err(Violations::one("template", Code::Invalid, e.to_string()).into());
        }
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::set_asset(
        &mut conn,
        D::TEMPLATE_KEY,
        &Asset {
            content: text,
            content_type: "text/x-typst".into(),
            updated_at: now,
        },
    )
    .await?;
    audit_setting(&mut conn, actor, now, D::TEMPLATE_KEY, json!("custom")).await?;
    conn.commit().await?;
    template_info::<D>(app, actor).await
}

/// Goes back to the default template of `D`.
pub(crate) async fn reset_template<D: Printed>(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if store::delete_asset(&mut conn, D::TEMPLATE_KEY).await? {
        audit_setting(&mut conn, actor, now, D::TEMPLATE_KEY, json!("default")).await?;
    }
    conn.commit().await?;
    template_info::<D>(app, actor).await
}

/// An asset's change, in the company settings' audit trail.
async fn audit_setting(
    conn: &mut Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    field: &str,
    new: Value,
) -> Result<()> {
    let ev = actor.at(now).event(
        AuditAction::Updated,
        RecordKind::Setting,
        crate::settings::SETTINGS_ID,
        vec![FieldChange {
            field: field.into(),
            old: Value::Null,
            new,
        }],
    );
    events::write(conn, ev).await?;
    Ok(())
}

/// What a logo's bytes are, by their signature: PNG, JPEG or SVG.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
        head.contains("<svg").then_some("image/svg+xml")
    }
}

/// Stores the company logo the documents show: PNG, JPEG or SVG up to 512 KB (422
/// naming `logo` otherwise, or when typst cannot draw it). Answers with `D`'s template
/// settings, as the admin page that uploads it shows them.
pub(crate) async fn set_logo<D: Printed>(
    app: &App,
    actor: &Actor,
    bytes: Vec<u8>,
) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    if bytes.is_empty() {
        return Err(Violations::one("logo", Code::Required, "send the image").into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(Violations::one(
            "logo",
            Code::TooLong,
            format!("at most {} KB", MAX_LOGO_BYTES / 1024),
        )
        .into());
    }
    let Some(kind) = image_type(&bytes) else {
        return Err(Violations::one("logo", Code::Invalid, "a PNG, JPEG or SVG image").into());
    };
    let check = bytes.clone();
    let drawn = tokio::task::spawn_blocking(move || {
        cartera_documents::render("#image(sys.inputs.logo)", &json!({}), Some(Logo(&check)))
    })
    .await
    .map_err(|e| AppError::Conflict(e.to_string()))?;
    if drawn.is_err() {
        return Err(Violations::one("logo", Code::Invalid, "the image cannot be read").into());
    }
    let now = app.now();
    let mut conn = app.db.begin().await?;
    store::set_asset(
        &mut conn,
        LOGO_KEY,
        &Asset {
            content: BASE64.encode(&bytes),
            content_type: kind.into(),
            updated_at: now,
        },
    )
    .await?;
    audit_setting(&mut conn, actor, now, "logo", json!(kind)).await?;
    conn.commit().await?;
    template_info::<D>(app, actor).await
}

/// Removes the company logo.
pub(crate) async fn delete_logo<D: Printed>(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    actor.permit(Module::Settings, Action::Admin)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    if store::delete_asset(&mut conn, LOGO_KEY).await? {
        audit_setting(&mut conn, actor, now, "logo", Value::Null).await?;
    }
    conn.commit().await?;
    template_info::<D>(app, actor).await
}

/// The logo's bytes and media type, for the settings page.
pub async fn logo_image(app: &App, actor: &Actor) -> Result<(String, Vec<u8>)> {
    actor.permit(Module::Settings, Action::Read)?;
    let mut conn = app.db.reader().await?;
    let a = store::asset(&mut conn, LOGO_KEY)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = BASE64.decode(a.content).map_err(|_| AppError::NotFound)?;
    Ok((a.content_type, bytes))
}
