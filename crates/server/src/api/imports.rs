//! Imports of files: `/api/v1/imports`.
//!
//! The upload is the raw file as the request body (any content type), with the kind
//! and the file's name in the query: `POST /api/v1/imports?kind=contacts&file_name=clientes.csv`.
//! A raw body streams straight to a temporary file, stops at the size limit (413), and
//! needs no multipart parser; a browser form posts the same way through `fetch`.

use std::io::Write;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio_stream::StreamExt;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::AppError;
use cartera_app::imports::{self, MAX_FILE};
use cartera_app::notes::check_limit;
use cartera_core::Code;
use cartera_core::imports::read::{FileFormat, ReadOptions, TextEncoding};
use cartera_core::imports::values::Locale;
use cartera_core::imports::{
    Import, ImportMode, ImportOptions, ImportRow, ImportStatus, Mapping, MatchOn, OnMatch, Outcome,
    Target,
};

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, Input, QueryPairs, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

/// An upload's answer: the draft import, the fields its columns can fill, and the first
/// rows as text.
#[derive(Serialize, ToSchema)]
pub struct Uploaded {
    pub import: Import,
    pub targets: Vec<Target>,
    pub sample: Vec<Vec<String>>,
}

/// What a start may set; everything left out keeps the import's current choice.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// `dry_run` (the default), `skip_bad_rows` or `all_or_nothing`.
    pub mode: Option<ImportMode>,
    /// The field each column fills (`null`: not imported), one entry per column.
    pub mapping: Option<Mapping>,
    pub match_on: Option<MatchOn>,
    pub on_match: Option<OnMatch>,
    pub locale: Option<Locale>,
}

fn too_large() -> ApiError {
    AppError::TooLarge(format!(
        "a file to import may have at most {MAX_FILE} bytes"
    ))
    .into()
}

/// The read options and locale named in the query.
pub fn options_from(q: &QueryPairs) -> Result<ImportOptions, ApiError> {
    let mut o = ImportOptions::default();
    if let Some(f) = q.get("format") {
        o.read.format = Some(FileFormat::parse(f).ok_or_else(|| {
            ApiError::bad_field("format", Code::Invalid, "csv, xlsx, xls or ods")
        })?);
    }
    if let Some(e) = q.get("encoding") {
        o.read.encoding = Some(TextEncoding::parse(e).ok_or_else(|| {
            ApiError::bad_field(
                "encoding",
                Code::Invalid,
                format!("one of: {}", TextEncoding::NAMES.join(", ")),
            )
        })?);
    }
    if let Some(d) = q.get("delimiter") {
        o.read.delimiter = Some(match d {
            "," => ',',
            ";" => ';',
            "|" => '|',
            "\t" | "tab" => '\t',
            _ => {
                return Err(ApiError::bad_field(
                    "delimiter",
                    Code::Invalid,
                    "one of: , ; | tab",
                ));
            }
        });
    }
    if let Some(s) = q.get("sheet") {
        o.read.sheet = Some(s.to_owned());
    }
    if let Some(l) = q.get("locale") {
        o.locale = Locale::parse(l)
            .ok_or_else(|| ApiError::bad_field("locale", Code::Invalid, "es or en"))?;
    }
    Ok(o)
}

/// Streams a request body into a temporary file, refusing it past [`MAX_FILE`].
pub async fn spool(headers: &HeaderMap, body: Body) -> Result<tempfile::NamedTempFile, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_FILE) {
        return Err(too_large());
    }
    let mut tmp = tempfile::NamedTempFile::new().map_err(|_| ApiError::internal())?;
    let mut stream = body.into_data_stream();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::malformed("the upload was cut short"))?;
        size += chunk.len() as u64;
        if size > MAX_FILE {
            return Err(too_large());
        }
        tmp.write_all(&chunk).map_err(|_| ApiError::internal())?;
    }
    tmp.flush().map_err(|_| ApiError::internal())?;
    Ok(tmp)
}

async fn upload(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    q.only(&[
        "kind",
        "file_name",
        "format",
        "encoding",
        "delimiter",
        "sheet",
        "locale",
    ])?;
    let kind = q.get("kind").ok_or_else(|| {
        ApiError::bad_field("kind", Code::Required, "accounts, contacts or leads")
    })?;
    let kind = imports::parse_kind(kind)
        .map_err(|_| ApiError::bad_field("kind", Code::Invalid, "accounts, contacts or leads"))?;
    let options = options_from(&q)?;
    let file_name = q.get("file_name").unwrap_or("file").to_owned();
    let tmp = spool(&headers, body).await?;
    let up = imports::upload(&s.app, &actor, kind, &file_name, tmp.path(), options).await?;
    let location = format!("/api/v1/imports/{}", up.import.id);
    let mut res = (
        StatusCode::CREATED,
        Json(Uploaded {
            import: up.import,
            targets: up.targets,
            sample: up.sample,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

async fn list(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Import>>, ApiError> {
    q.only(&["limit", "cursor"])?;
    let limit = check_limit(q.get("limit"))?;
    let before = q
        .get("cursor")
        .map(|c| {
            c.parse()
                .map_err(|_| ApiError::bad_field("cursor", Code::Invalid, "a damaged cursor"))
        })
        .transpose()?;
    let mut data = imports::list(&s.app, &actor, before, limit + 1).await?;
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(limit as usize);
        data.last().map(|i| i.id.to_string())
    } else {
        None
    };
    Ok(Json(Page { data, next_cursor }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Import>, ApiError> {
    Ok(Json(imports::get(&s.app, &actor, id).await?))
}

async fn start(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(body): Input<StartInput>,
) -> Result<(StatusCode, Json<Import>), ApiError> {
    let imp = imports::start(
        &s.app,
        &actor,
        id,
        imports::Start {
            mode: body.mode,
            mapping: body.mapping,
            match_on: body.match_on,
            on_match: body.on_match,
            locale: body.locale,
        },
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(imp)))
}

async fn rows(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<Page<ImportRow>>, ApiError> {
    q.only(&["outcome", "limit", "cursor"])?;
    let outcome = q
        .get("outcome")
        .map(|o| {
            Outcome::parse(o).ok_or_else(|| {
                ApiError::bad_field(
                    "outcome",
                    Code::Invalid,
                    "created, updated, skipped or rejected",
                )
            })
        })
        .transpose()?;
    let limit = check_limit(q.get("limit"))?;
    let after = q
        .get("cursor")
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::bad_field("cursor", Code::Invalid, "a damaged cursor"))
        })
        .transpose()?
        .unwrap_or(0);
    let mut data = imports::rows(&s.app, &actor, id, outcome, after, limit + 1).await?;
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(limit as usize);
        data.last().map(|r| r.row_number.to_string())
    } else {
        None
    };
    Ok(Json(Page { data, next_cursor }))
}

async fn rejected(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let (name, bytes) = imports::rejected_file(&s.app, &actor, id).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(cartera_core::io::XLSX_TYPE),
    );
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Whether the request says `Prefer: respond-async` (RFC 7240).
fn prefers_async(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| {
            p.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("respond-async"))
        })
}

async fn undo(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let background = prefers_async(&headers);
    let imp = imports::undo(&s.app, &actor, id, background).await?;
    if imp.status == ImportStatus::Undoing {
        let mut res = (StatusCode::ACCEPTED, Json(imp)).into_response();
        if background {
            res.headers_mut().insert(
                "preference-applied",
                HeaderValue::from_static("respond-async"),
            );
        }
        return Ok(res);
    }
    Ok(Json(imp).into_response())
}

pub fn mount(mut api: Api) -> Api {
    let import = register::<Import>(&mut api.schemas);
    let row = register::<ImportRow>(&mut api.schemas);
    register::<ReadOptions>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "ImportPage", import.clone());
    let rows_page = page_schema(&mut api.schemas, "ImportRowPage", row);
    api.route(
        HttpMethod::Post,
        "/api/v1/imports",
        post(upload),
        Op::new("imports", "upload_import", "Upload a file to import")
            .describe(&format!(
                "The request body is the file itself, as it was saved (any content type): CSV with `,` `;` \
                 tab or `|` between fields (sniffed), in UTF-8 with or without BOM, UTF-16 with BOM or \
                 Windows-1252 (detected; `encoding` overrides), quoted fields with line breaks; or XLSX, XLS, \
                 ODS (the first sheet unless `sheet` names one). At most {MAX_FILE} bytes (413 beyond, \
                 also while streaming). The file is read at once: a file that cannot be read (empty, a header \
                 without rows, a zip bomb, more than 500 columns, a spreadsheet of more than 5,000,000 cells \
                 once its repeated rows are expanded, a missing sheet) answers 422 on `file`. The answer is a `draft` \
                 import with the header, the mapping (remembered from the last file with the same header, \
                 else guessed from Spanish and English names such as `Razón social`, `CUIT`, `Teléfono`, \
                 `E-mail`), the fields a column can fill, and the first rows. Nothing is written until \
                 `POST /api/v1/imports/{{id}}/start`. Needs `create` on the kind."
            ))
            .query_with("kind", "`accounts`, `contacts` or `leads`.", super::doc::enum_schema(&["accounts", "contacts", "leads"]), true)
            .query("file_name", "The file's name, e.g. `clientes.xlsx` (shown, and a hint to the format).")
            .query_with("format", "`csv`, `xlsx`, `xls` or `ods`, instead of detecting it.", super::doc::enum_schema(&["csv", "xlsx", "xls", "ods"]), false)
            .query_with("encoding", "`utf-8`, `utf-16le`, `utf-16be` or `windows-1252`, instead of detecting it.", super::doc::enum_schema(&["utf-8", "utf-16le", "utf-16be", "windows-1252"]), false)
            .query_with("delimiter", "`,` `;` `|` or `tab`, instead of sniffing it.", super::doc::enum_schema(&[",", ";", "|", "tab"]), false)
            .query("sheet", "The worksheet to read.")
            .query_with("locale", "`es` (the default: `22/11/2026`, `1.234,50`) or `en` (`11/22/2026`, `1,234.50`).", super::doc::enum_schema(&["es", "en"]), false)
            .answer::<Uploaded>(201, "The draft import")
            .problems(&[400, 403, 413, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/imports",
        get(list),
        Op::new("imports", "list_imports", "Imports")
            .describe("The caller's imports (everybody's for an administrator), newest first.")
            .query("limit", "Page size, 1 to 500 (default 50).")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "Imports", page)
            .problems(&[400]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/imports/{id}",
        get(read),
        Op::new("imports", "get_import", "An import and its progress")
            .describe(
                "`status` is draft, queued, running, checked (a dry run ended), done, failed, undoing, \
                 undone or expired; `processed_rows` of `total_rows` is the progress; `counts` says how many \
                 rows were (or, after a dry run, would be) created, updated, skipped and rejected. While \
                 `undoing`, `undone_rows` of `counts.created + counts.updated` is the undo's progress. An \
                 import never started (a draft, a preview not followed, a failed run) whose file waited \
                 longer than the `import_file_retention_days` setting (7 by default) has its file deleted \
                 and becomes `expired`, the reason in `error`; upload the file again to import it.",
            )
            .path_param("id", "The import's id.")
            .answer_schema(200, "The import", import.clone())
            .problems(&[404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/imports/{id}/start",
        post(start),
        Op::new("imports", "start_import", "Run an import (or a dry run)")
            .describe(
                "Queues the import as a job. `dry_run` records what would happen to every row and writes no \
                 record; `skip_bad_rows` writes the good rows and lists the bad; `all_or_nothing` writes \
                 nothing if any row is bad. Rows are matched to existing records on `match_on` (`email`, \
                 `tax_id` or `external_id`: a column mapped to `external_id`, remembered from earlier \
                 imports); a match is skipped, updated with the row's non-empty cells, or created anyway \
                 (`on_match`). A row that looks like another record on a key not matched on (or repeats an \
                 earlier row) is rejected unless `on_match` is `create`. The mapping given is remembered for \
                 files with the same header. A draft, checked or failed import can start; others answer 409. \
                 Needs `create` on the kind (and `edit` to update matches).",
            )
            .path_param("id", "The import's id.")
            .body::<StartInput>("Mode, mapping and matching")
            .answer_schema(202, "The queued import", import.clone())
            .problems(&[403, 404, 409, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/imports/{id}/rows",
        get(rows),
        Op::new("imports", "list_import_rows", "What became of each row")
            .describe(
                "The rows of the last run in file order, with their outcome, the record, and the problems \
                 (the column and the reason). `row_number` is the row's line in a CSV file (the header is 1) \
                 or its spreadsheet row.",
            )
            .path_param("id", "The import's id.")
            .query_with("outcome", "Only rows with this outcome: created, updated, skipped or rejected.", super::doc::enum_schema(&["created", "updated", "skipped", "rejected"]), false)
            .query("limit", "Page size, 1 to 500 (default 50).")
            .query("cursor", "The `next_cursor` of the previous page.")
            .answer_schema(200, "Rows", rows_page)
            .problems(&[400, 404]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/imports/{id}/rejected",
        get(rejected),
        Op::new("imports", "download_rejected_rows", "The rejected rows as Excel")
            .describe(
                "An XLSX file with the rejected rows of the last run: the row number, the cells as the file \
                 had them, and the problems. Text that a spreadsheet would run as a formula is prefixed with `'`.",
            )
            .path_param("id", "The import's id.")
            .answer_text(200, "The file, named like `clientes-rejected.xlsx`", cartera_core::io::XLSX_TYPE)
            .problems(&[404]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/imports/{id}/undo",
        post(undo),
        Op::new("imports", "undo_import", "Undo a finished import")
            .describe(&format!(
                "The records the import created go to the trash (each with its `deleted` audit event; \
                 restorable from the trash), and the records it updated get back the values they had \
                 before (from the audit trail). Records already in the trash stay there. An import of at \
                 most {at_once} records (created plus updated) is undone in one transaction and answers \
                 200 with the `undone` import. A larger one, or any with `Prefer: respond-async`, is \
                 queued as a job and answers 202 with the import `undoing`; follow `undone_rows` with \
                 `GET /api/v1/imports/{{id}}`. A job that meets a record it may no longer change stops, \
                 puts the import back to `done` with the reason in `error`, and a new undo goes on. Only \
                 a `done` import (409 otherwise, also while `undoing`). Needs `delete` on the kind (and \
                 `edit` if it updated records).",
                at_once = imports::UNDO_AT_ONCE
            ))
            .path_param("id", "The import's id.")
            .header("Prefer", "`respond-async`: always run the undo as a job (202).")
            .answer_schema(200, "The undone import", import.clone())
            .answer_schema(202, "The import being undone", import)
            .problems(&[403, 404, 409, 422]),
    )
}
