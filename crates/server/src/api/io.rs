//! Exports of lists to files: `GET /api/v1/{accounts|contacts|leads}/export`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::openapi::path::HttpMethod;

use cartera_app::AppError;
use cartera_app::io;
use cartera_app::records::Kind;

use super::doc::{Api, Op};
use super::extract::{Auth, QueryPairs};
use crate::problem::ApiError;
use crate::state::AppState;

/// Parts of the file waiting to be sent; a slow client holds back the reading, so at
/// most this many pages (and the one being written) are in memory.
const PARTS_IN_FLIGHT: usize = 2;

async fn export<D: Kind + Default>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let mut export = io::start::<D>(&s.app, &actor, &q.0).await?;
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    let content_type = export.content_type();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, AppError>>(PARTS_IN_FLIGHT);
    // The answer's headers go out now; the rows follow page by page. An error midway
    // ends the body with an error, so the client sees a broken transfer rather than a
    // file that looks complete.
    tokio::spawn(async move {
        loop {
            match export.next_chunk().await {
                Ok(Some(part)) => {
                    if tx.send(Ok(part)).await.is_err() {
                        tracing::info!(export_id = %export.id, rows = export.rows(), "export abandoned by the client");
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(export_id = %export.id, error = %e, "export failed midway");
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
        }
    });
    let mut res = Body::from_stream(ReceiverStream::new(rx)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // The file holds customer data: no shared cache may keep a copy.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Mounts `GET /api/v1/{plural}/export` for kind `D`.
pub fn mount<D: Kind + Default>(api: Api) -> Api {
    let plural = D::KIND.plural();
    api.route(
        HttpMethod::Get,
        &format!("/api/v1/{plural}/export"),
        get(export::<D>),
        Op::new(plural, &format!("export_{plural}"), &format!("Export {plural} to a file"))
            .describe(&format!(
                "Every {one} the list with the same `q`, `filter[...]`, `sort` and `trashed` shows the caller, \
                 as a CSV file (UTF-8 with a byte order mark, a header row, one column per field: `id`, the \
                 bookkeeping fields, the data fields with addresses as `billing_address.city`, then custom fields \
                 as `custom.<key>`; lists joined with `; `, money as `1234.50 ARS`). Text that a spreadsheet \
                 would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed \
                 with `'`; numbers of custom number fields are written as they are. `limit` and `cursor` are \
                 refused (400): the file holds every matching row, streamed as it is read. Needs the `export` \
                 permission on {plural} (and `read`); each export is an audit event (`exported`) written before \
                 the first row is sent.",
                one = D::KIND.as_str()
            ))
            .query_with("format", "`csv` (the default) or `xlsx` (one worksheet, a bold frozen header row).", super::doc::enum_schema(&["csv", "xlsx"]), false)
            .query("q", "Full-text search, accent- and case-insensitive, as in the list.")
            .query_with("sort", "As in the list, e.g. `-updated_at`.", super::doc::sort_schema(&super::records::sortable::<D>()), false)
            .query("trashed", "`true` exports the records in the trash instead.")
            .answer_files(
                200,
                "The file, as an attachment named like `accounts-2026-11-25.csv`",
                &[
                    cartera_core::io::Format::Csv.content_type(),
                    cartera_core::io::Format::Xlsx.content_type(),
                ],
            )
            .problems(&[400, 403]),
    )
}
