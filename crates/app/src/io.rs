//! Exports: every record of a list, with the caller's filters and within the caller's
//! view, written to a file a page at a time so that memory stays flat however long the
//! list is.
//!
//! The audit event is written when the export starts, before any row leaves: the rows
//! are streamed afterwards, so waiting for the end would let a dropped connection or a
//! crash hide an export. Its `rows` change is the count when the whole list fit in the
//! first page (500); for longer lists it is null, and the count goes to the log line
//! that ends the export.

use chrono::{DateTime, Utc};
use serde_json::Value;

use cartera_core::audit::AuditAction;
use cartera_core::io::{
    Columns, Format, PAGE, Sheet, file_name, local_day, query_text, record_cells,
};
use cartera_core::record::{Record, RecordKind};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id};
use cartera_store::custom_fields as defs_store;

use crate::events;
use crate::records::{self, Kind};
use crate::{Actor, App, AppError, Result};

/// Records an export of `kind` (the CSV and XLSX exports, the vCard one): its format,
/// its query and how many rows it holds (`null` when it is not known yet), in a
/// transaction of its own, since an export changes nothing else. Returns the export's id.
pub(crate) async fn record_export(
    app: &App,
    actor: &Actor,
    now: DateTime<Utc>,
    kind: RecordKind,
    format: &str,
    query: &str,
    rows: Value,
) -> Result<Id> {
    let id = Id::new();
    let facts = vec![
        events::set("format", format),
        events::set("query", query),
        events::set("rows", rows),
    ];
    let mut tx = app.db.begin().await?;
    events::write(
        &mut tx,
        actor.at(now).event(AuditAction::Exported, kind, id, facts),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An export under way: its file's name and type, and the parts still to write.
pub struct Export<D> {
    /// The export's id: the `record_id` of its audit event.
    pub id: Id,
    pub format: Format,
    /// `accounts-2026-11-25.csv`, dated in the user's time zone.
    pub file_name: String,
    app: App,
    actor: Actor,
    /// The list's parameters with the page size; the cursor is added per page.
    params: Vec<(String, String)>,
    columns: Columns,
    sheet: Box<dyn Sheet + Send>,
    /// The first page, read before the export started (to refuse a bad query).
    pending: Option<Vec<Record<D>>>,
    cursor: Option<String>,
    rows: u64,
    finished: bool,
}

/// Starts exporting kind `D`. `params` are the list's (`q`, `filter[...]`, `sort`,
/// `trashed`) plus `format` (`csv`, the default); `limit` and `cursor` are refused,
/// since an export holds every matching row. Needs `export` on the kind's module, and
/// `read` like any list; the rows are those the list shows the actor.
pub async fn start<D: Kind + Default>(
    app: &App,
    actor: &Actor,
    params: &[(String, String)],
) -> Result<Export<D>> {
    actor.permit(Module::of(D::KIND), Action::Export)?;
    let mut format = Format::Csv;
    let mut list = Vec::with_capacity(params.len() + 1);
    let mut c = Check::new();
    for (k, v) in params {
        match k.as_str() {
            "format" => match Format::parse(v) {
                Some(f) => format = f,
                None => c.add(
                    "format",
                    Code::Invalid,
                    format!("must be one of: {}", Format::NAMES.join(", ")),
                ),
            },
            "limit" | "cursor" => c.add(
                k,
                Code::UnknownField,
                "an export holds every matching row; leave out limit and cursor",
            ),
            _ => list.push((k.clone(), v.clone())),
        }
    }
    c.finish().map_err(AppError::BadQuery)?;
    let query = query_text(&list);
    list.push(("limit".into(), PAGE.to_string()));
    // The first page checks the query and the actor's right to read before we answer.
    let first = records::list::<D>(app, actor, &list).await?;

    let mut conn = app.db.reader().await?;
    let defs = defs_store::list(&mut conn, Some(D::KIND)).await?;
    let time_zone = cartera_store::users::by_id(&mut conn, actor.user_id)
        .await?
        .map(|u| u.time_zone)
        .unwrap_or_default();
    drop(conn);
    let keys: Vec<&str> = defs.iter().map(|d| d.data.key.as_str()).collect();
    let columns = Columns::of::<D>(&keys)?;

    let now = app.now();
    let whole = first.next_cursor.is_none().then_some(first.rows.len());
    let rows = whole.map_or(Value::Null, Value::from);
    let id = record_export(app, actor, now, D::KIND, format.as_str(), &query, rows).await?;

    Ok(Export {
        id,
        format,
        file_name: file_name(D::KIND.plural(), local_day(now, &time_zone), format),
        app: app.clone(),
        actor: actor.clone(),
        params: list,
        sheet: format.writer(&columns),
        columns,
        pending: Some(first.rows),
        cursor: first.next_cursor,
        rows: 0,
        finished: false,
    })
}

impl<D: Kind> Export<D> {
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// The next part of the file, `None` once it is complete. The first part holds the
    /// header even when no row matched.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        while !self.finished {
            let page = match (self.pending.take(), self.cursor.take()) {
                (Some(rows), cursor) => {
                    self.cursor = cursor;
                    rows
                }
                (None, Some(cursor)) => {
                    let mut params = self.params.clone();
                    params.push(("cursor".into(), cursor));
                    let listed = records::list::<D>(&self.app, &self.actor, &params).await?;
                    self.cursor = listed.next_cursor;
                    listed.rows
                }
                (None, None) => {
                    self.finished = true;
                    tracing::info!(
                        export_id = %self.id,
                        kind = D::KIND.as_str(),
                        rows = self.rows,
                        "export finished"
                    );
                    let tail = self.sheet.finish()?;
                    if tail.is_empty() {
                        break;
                    }
                    return Ok(Some(tail));
                }
            };
            let mut rows = Vec::with_capacity(page.len());
            for r in &page {
                rows.push(self.columns.arrange(record_cells(r)?));
            }
            self.rows += rows.len() as u64;
            let bytes = self.sheet.write(&rows)?;
            if !bytes.is_empty() {
                return Ok(Some(bytes));
            }
        }
        Ok(None)
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}
