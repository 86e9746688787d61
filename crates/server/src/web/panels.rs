//! Panels: the parts of a record's page that other modules contribute. The account page
//! shows one card per module that hangs records on an account (deals, quotes, orders,
//! price lists, later invoices and cases); each module builds its own card in its own file
//! and template, and the list on the page's own file (`accounts::PANELS`) is the only place that names
//! them. A leaf, so that the modules need not import the pages that show their cards.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};

use cartera_core::Id;

use super::render::Me;
use crate::state::AppState;

/// One card: the template that draws it (`deals/account_panel.html`) and what it needs,
/// which the template reads as `panel`.
pub struct Panel {
    template: &'static str,
    ctx: Value,
}

impl Panel {
    pub fn new(template: &'static str, ctx: Value) -> Panel {
        Panel { template, ctx }
    }
}

pub type PanelFuture<'a> = Pin<Box<dyn Future<Output = Option<Panel>> + Send + 'a>>;

/// A module's card on account `id`'s page; `None` when the reader may not see it.
pub type AccountPanel = for<'a> fn(&'a AppState, &'a Me, Id) -> PanelFuture<'a>;

/// The cards of a record's page for this reader, as `{template, panel}` for its template.
pub async fn render(panels: &[AccountPanel], s: &AppState, me: &Me, id: Id) -> Vec<Value> {
    let mut out = Vec::new();
    for panel in panels {
        if let Some(p) = panel(s, me, id).await {
            out.push(json!({"template": p.template, "panel": p.ctx}));
        }
    }
    out
}
