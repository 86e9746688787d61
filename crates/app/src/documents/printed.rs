//! What a printed kind of document says about itself; a leaf that printing and the
//! template admin both name.

use std::future::Future;

use serde_json::Value;

use cartera_core::quotes::Language;
use cartera_store::Conn;

use super::document::Document;
use crate::Result;

/// A document kind printed from an admin's template.
pub(crate) trait Printed: Document {
    /// What people call it, as error messages name it (`quote`).
    const NAME: &'static str;
    /// Its template's key among the document assets (`quote_template`).
    const TEMPLATE_KEY: &'static str;
    /// The template used until an admin saves their own.
    const DEFAULT_TEMPLATE: &'static str;

    /// The PDF's file name (`P-2026-000123.pdf`).
    fn file_name(&self) -> String;

    /// The data its template reads (`sys.inputs`), in the document's language.
    fn print_data(&self, conn: &mut Conn) -> impl Future<Output = Result<Value>> + Send;

    /// Data shaped like a real document's, to try a template before it is saved.
    fn sample(lang: Language) -> Result<Value>;
}
