//! The invoice template, as an admin sees and changes it: the documents seam's assets
//! (`crate::documents::assets`), for invoices and their notes. The logo is the company's
//! one, shared with quotes.

use cartera_core::billing::invoices::Invoice;

use crate::documents::{TemplateInfo, assets};
use crate::{Actor, App, Result};

pub async fn template_info(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    assets::template_info::<Invoice>(app, actor).await
}

/// Saves an admin's template after compiling it with a sample invoice in both languages
/// (and the logo): one that does not compile answers 422 naming `template`, with typst's
/// line and message, and the one in use stays.
pub async fn set_template(app: &App, actor: &Actor, text: String) -> Result<TemplateInfo> {
    assets::set_template::<Invoice>(app, actor, text).await
}

/// Goes back to the default template.
pub async fn reset_template(app: &App, actor: &Actor) -> Result<TemplateInfo> {
    assets::reset_template::<Invoice>(app, actor).await
}
