//! The quote template and the company logo, as an admin sees and changes them: the
//! documents seam's assets (`crate::documents::assets`), for quotes.

use cartera_core::quotes::Quote;

use crate::documents::assets;
use crate::{Actor, App, Result};

pub use crate::documents::TemplateInfo;
pub use crate::documents::assets::{MAX_LOGO_BYTES, MAX_TEMPLATE_CHARS, logo_image};

pub async fn template_info(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    assets::template_info::<Quote>(app, actor).await
}

/// Saves an admin's template after compiling it with sample data in both languages (and
/// the logo): a template that does not compile answers 422 naming `template`, with the
/// line and typst's message, and the one in use stays.
pub async fn set_template(app: &App, actor: &Actor, text: String) -> Result<TemplateInfo> {
    assets::set_template::<Quote>(app, actor, text).await
}

/// Goes back to the default template.
pub async fn reset_template(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    assets::reset_template::<Quote>(app, actor).await
}

/// Stores the company logo shown on quotes: PNG, JPEG or SVG up to 512 KB (422 naming
/// `logo` otherwise, or when typst cannot draw it).
pub async fn set_logo(app: &App, actor: &Actor, bytes: Vec<u8>) -> Result<TemplateInfo> {
    assets::set_logo::<Quote>(app, actor, bytes).await
}

pub async fn delete_logo(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    assets::delete_logo::<Quote>(app, actor).await
}
