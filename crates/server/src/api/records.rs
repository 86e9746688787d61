//! The endpoints every record kind has: list, create, read, update, trash, restore,
//! bulk, notes and timeline. Written once, mounted per kind.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod;

use cartera_app::records::{self, BulkInput, Kind, Merge, WriteOptions};
use cartera_app::{audit, notes};
use cartera_core::notes::{Note, NoteData};
use cartera_core::query::COMMON_FIELDS;
use cartera_core::record::{Record, RecordData};
use cartera_core::{Code, Id, Violations};

use super::doc::{Api, Op, page_schema, read_only_fields, record_schema};
use super::extract::{Auth, IfMatch, Input, JsonBody, QueryPairs, RecordId};
use crate::problem::ApiError;
use crate::state::AppState;

/// A page of a list.
#[derive(Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// A record answer with its `ETag` (and `Location` when created).
pub fn record_response<T: Serialize>(
    status: StatusCode,
    body: &T,
    version: i64,
    location: Option<String>,
) -> Response {
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(header::ETAG, etag(version));
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(header::LOCATION, l);
    }
    res
}

fn location<D: Kind>(id: Id) -> String {
    format!("/api/v1/{}/{id}", D::KIND.plural())
}

fn write_options(q: &QueryPairs) -> Result<WriteOptions, ApiError> {
    q.only(&["allow_duplicate"])?;
    Ok(WriteOptions {
        allow_duplicate: q.flag("allow_duplicate")?,
    })
}

async fn list<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
) -> Result<Json<Page<Record<D>>>, ApiError> {
    let listed = records::list::<D>(&s.app, &actor, &q.0).await?;
    Ok(Json(Page {
        data: listed.rows,
        next_cursor: listed.next_cursor,
    }))
}

async fn create<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let opts = write_options(&q)?;
    let mut made = records::create::<D>(&s.app, &actor, vec![body], opts).await?;
    let rec = made.pop().ok_or_else(ApiError::internal)?;
    Ok(record_response(
        StatusCode::CREATED,
        &rec,
        rec.meta.version,
        Some(location::<D>(rec.id)),
    ))
}

async fn read<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let rec = records::get::<D>(&s.app, &actor, id).await?;
    let tag = etag(rec.meta.version);
    if headers.get(header::IF_NONE_MATCH) == Some(&tag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, tag);
        return Ok(res);
    }
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

async fn update<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
    q: QueryPairs,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let opts = write_options(&q)?;
    let rec = records::update::<D>(&s.app, &actor, id, body, v, opts).await?;
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

async fn trash<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(v): IfMatch,
) -> Result<Response, ApiError> {
    let rec = records::delete::<D>(&s.app, &actor, id, v).await?;
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

async fn restore<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let rec = records::restore::<D>(&s.app, &actor, id).await?;
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

/// The body of `POST /api/v1/{kind}/bulk`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BulkRequest {
    /// New records, as for a single create. Each list may be left out (or null): none.
    #[schema(value_type = Option<Vec<Object>>, required = false)]
    create: Vec<Value>,
    /// Merge patches, each with the record's `id` and optionally the `version` read.
    #[schema(value_type = Option<Vec<Object>>, required = false)]
    update: Vec<Value>,
    /// Ids of records to move to the trash.
    #[schema(value_type = Option<Vec<Id>>, required = false)]
    delete: Vec<Id>,
}

#[derive(Serialize)]
struct BulkAnswer<D> {
    created: Vec<Record<D>>,
    updated: Vec<Record<D>>,
    deleted: Vec<Id>,
}

fn read_bulk(body: Value) -> Result<BulkInput, ApiError> {
    let Value::Object(mut m) = body else {
        return Err(ApiError::from(cartera_app::AppError::Invalid(
            Violations::one(
                "",
                Code::Invalid,
                "the body must be an object with create, update and delete lists",
            ),
        )));
    };
    let mut list = |key: &str| -> Result<Vec<Value>, ApiError> {
        match m.remove(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(ApiError::from(cartera_app::AppError::Invalid(
                Violations::one(key, Code::Invalid, "must be a list"),
            ))),
        }
    };
    let create = list("create")?;
    let update = list("update")?;
    let delete_raw = list("delete")?;
    if let Some(k) = m.keys().next() {
        return Err(ApiError::from(cartera_app::AppError::Invalid(
            Violations::one(
                k.as_str(),
                Code::UnknownField,
                format!("unknown field '{k}'; a bulk request has create, update and delete"),
            ),
        )));
    }
    let mut delete = Vec::with_capacity(delete_raw.len());
    for (i, v) in delete_raw.into_iter().enumerate() {
        match v.as_str().and_then(|s| s.parse::<Id>().ok()) {
            Some(id) => delete.push(id),
            None => {
                return Err(ApiError::from(cartera_app::AppError::Invalid(
                    Violations::one(format!("delete[{i}]"), Code::Invalid, "must be a record id"),
                )));
            }
        }
    }
    Ok(BulkInput {
        create,
        update,
        delete,
    })
}

async fn bulk<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    q: QueryPairs,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let opts = write_options(&q)?;
    let input = read_bulk(body)?;
    let out = records::bulk::<D>(&s.app, &actor, input, opts).await?;
    Ok(Json(BulkAnswer {
        created: out.created,
        updated: out.updated,
        deleted: out.deleted,
    })
    .into_response())
}

async fn list_notes<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<Page<Note>>, ApiError> {
    q.only(&["limit", "cursor"])?;
    let limit = notes::check_limit(q.get("limit"))?;
    let page = notes::list::<D>(&s.app, &actor, id, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: page.notes,
        next_cursor: page.next_cursor,
    }))
}

async fn add_note<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let note = notes::create(&s.app, &actor, D::KIND, id, body).await?;
    Ok(record_response(
        StatusCode::CREATED,
        &note,
        note.meta.version,
        Some(format!("/api/v1/notes/{}", note.id)),
    ))
}

async fn timeline<D: Kind>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    q: QueryPairs,
) -> Result<Json<Page<audit::TimelineItem>>, ApiError> {
    q.only(&["limit", "cursor"])?;
    let limit = notes::check_limit(q.get("limit"))?;
    let t = audit::timeline::<D>(&s.app, &actor, id, q.get("cursor"), limit).await?;
    Ok(Json(Page {
        data: t.items,
        next_cursor: t.next_cursor,
    }))
}

/// The fields a list of `D` sorts on.
pub fn sortable<D: RecordData>() -> Vec<&'static str> {
    D::fields()
        .iter()
        .chain(COMMON_FIELDS)
        .filter(|f| f.sortable)
        .map(|f| f.name)
        .collect()
}

/// How a list of `D` filters: a family of parameters, not one named parameter.
pub fn filters_text<D: RecordData>() -> String {
    let names: Vec<&str> = D::fields()
        .iter()
        .chain(COMMON_FIELDS)
        .map(|f| f.name)
        .collect();
    format!(
        "Filters: `filter[field]=value` or `filter[field][op]=value`; op is eq, ne, gt, gte, lt, \
         lte, in, nin, contains or null. Fields: {}; custom fields as `filter[custom.key]`. \
         Another field answers 400 naming it. At most 30 filters a request and 100 values \
         in one `in`/`nin`.",
        names.join(", ")
    )
}

/// Mounts the common endpoints of kind `D` under `/api/v1/{plural}`; `name` is the
/// schema name of its records ("Account").
pub fn mount<D: Kind + ToSchema>(mut api: Api, name: &str) -> Api {
    let plural = D::KIND.plural();
    let one = D::KIND.as_str();
    let tag = plural;
    let base = format!("/api/v1/{plural}");
    let item = format!("{base}/{{id}}");
    let rec = record_schema::<D>(&mut api.schemas, name);
    let page = page_schema(&mut api.schemas, &format!("{name}Page"), rec.clone());
    let data_name = D::name().to_string();
    read_only_fields(&mut api.schemas, &data_name, D::READ_ONLY);
    read_only_fields(&mut api.schemas, name, D::READ_ONLY);
    let data_ref = utoipa::openapi::Ref::from_schema_name(data_name);
    let note_rec = record_schema::<Note>(&mut api.schemas, "Note");
    let note_page = page_schema(&mut api.schemas, "NotePage", note_rec.clone());
    let timeline_page = {
        let item = super::doc::register::<audit::TimelineItem>(&mut api.schemas);
        page_schema(&mut api.schemas, "TimelinePage", item)
    };

    api = api
        .route(
            HttpMethod::Get,
            &base,
            get(list::<D>),
            Op::new(tag, &format!("list_{plural}"), &format!("List {plural}"))
                .describe(&filters_text::<D>())
                .list_params(&sortable::<D>())
                .answer_schema(200, "A page of records", page)
                .problems(&[400, 403]),
        )
        .route(
            HttpMethod::Post,
            &base,
            post(create::<D>),
            Op::new(tag, &format!("create_{one}"), &format!("Create a {one}"))
                .describe("Answers 409 with `candidates` when the record looks like an existing one (same email, tax id or normalised name); a match outside the caller's view is named in `errors` only, never in `candidates`. Repeat with `allow_duplicate=true` to keep both. Without `owner_id` the record is the caller's, unless territory rules place it (accounts and leads): then it goes to the territory's owner, as it does even with `owner_id` when the company setting `territory_owner_wins` is on; a caller who would not see it then gets a share of it.")
                .query("allow_duplicate", "`true` creates the record even if it looks like an existing one.")
                .header("Idempotency-Key", "The same key with the same body within 24 hours returns the first answer.")
                .body_schema("The new record's fields", data_ref.clone())
                .answer_schema(201, "Created; `Location` names it", rec.clone())
                .problems(&[400, 403, 409, 413, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            &item,
            get(read::<D>),
            Op::new(tag, &format!("get_{one}"), &format!("Read a {one}"))
                .path_param("id", "The record's id")
                .answer_schema(200, "The record; `ETag` holds its version", rec.clone())
                .problems(&[403, 404]),
        )
        .route(
            HttpMethod::Patch,
            &item,
            patch(update::<D>),
            Op::new(tag, &format!("update_{one}"), &format!("Change a {one}"))
                .describe("A JSON merge patch (RFC 7396): fields left out stay, `null` clears, nested objects merge.")
                .path_param("id", "The record's id")
                .header("If-Match", "The version read (its ETag); answers 412 if the record changed since.")
                .query("allow_duplicate", "`true` accepts a change that makes the record look like another one.")
                .body_schema("The fields to change", data_ref)
                .answer_schema(200, "The changed record", rec.clone())
                .problems(&[400, 403, 404, 409, 412, 415, 422]),
        )
        .route(
            HttpMethod::Delete,
            &item,
            delete(trash::<D>),
            Op::new(tag, &format!("delete_{one}"), &format!("Move a {one} to the trash"))
                .describe("The record can be restored until the trash is emptied (after the retention an admin sets).")
                .path_param("id", "The record's id")
                .header("If-Match", "The version read; answers 412 if the record changed since.")
                .answer_schema(200, "The record, now in the trash", rec.clone())
                .problems(&[403, 404, 412]),
        )
        .route(
            HttpMethod::Post,
            &format!("{item}/restore"),
            post(restore::<D>),
            Op::new(tag, &format!("restore_{one}"), &format!("Bring a {one} back from the trash"))
                .path_param("id", "The record's id")
                .answer_schema(200, "The restored record", rec.clone())
                .problems(&[403, 404, 409]),
        )
        .route(
            HttpMethod::Post,
            &format!("{base}/bulk"),
            post(bulk::<D>),
            Op::new(tag, &format!("bulk_{plural}"), &format!("Create, change and delete up to 1000 {plural} at once"))
                .describe("All or nothing: one wrong item refuses the whole request, and `errors` names it (`create[3].emails[0].address`).")
                .query("allow_duplicate", "`true` skips the duplicate check.")
                .body::<BulkRequest>("Lists of creates, updates and deletes")
                .answer_schema(200, "What was created, updated and deleted", ObjectSchema::bulk(rec.clone()))
                .problems(&[400, 403, 409, 412, 413, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            &format!("{item}/notes"),
            get(list_notes::<D>),
            Op::new(tag, &format!("list_{one}_notes"), &format!("Notes on a {one}"))
                .path_param("id", "The record's id")
                .query("limit", "Page size, 1 to 500 (default 50).")
                .query("cursor", "The `next_cursor` of the previous page.")
                .answer_schema(200, "Notes, newest first", note_page)
                .problems(&[400, 403, 404]),
        )
        .route(
            HttpMethod::Post,
            &format!("{item}/notes"),
            post(add_note::<D>),
            Op::new(tag, &format!("add_{one}_note"), &format!("Add a note to a {one}"))
                .path_param("id", "The record's id")
                .body::<NoteData>("The note")
                .answer_schema(201, "The note", note_rec)
                .problems(&[400, 403, 404, 415, 422]),
        )
        .route(
            HttpMethod::Get,
            &format!("{item}/timeline"),
            get(timeline::<D>),
            Op::new(tag, &format!("{one}_timeline"), &format!("Everything that happened to a {one}"))
                .describe("Notes and changes, newest first, including those of records merged into this one.")
                .path_param("id", "The record's id")
                .query("limit", "Page size, 1 to 500 (default 50).")
                .query("cursor", "The `next_cursor` of the previous page.")
                .answer_schema(200, "Timeline items", timeline_page)
                .problems(&[400, 403, 404]),
        );
    api
}

/// The body of a merge.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate to fold into the record named in the path; it goes to the trash.
    pub source_id: Id,
}

async fn merge<D: Merge>(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(req): Input<MergeRequest>,
) -> Result<Response, ApiError> {
    let rec = records::merge::<D>(&s.app, &actor, id, req.source_id).await?;
    Ok(record_response(
        StatusCode::OK,
        &rec,
        rec.meta.version,
        None,
    ))
}

/// Mounts `POST /api/v1/{plural}/{id}/merge`.
pub fn mount_merge<D: Merge + ToSchema>(api: Api, name: &str) -> Api {
    let plural = D::KIND.plural();
    let one = D::KIND.as_str();
    let rec = utoipa::openapi::Ref::from_schema_name(name);
    api.route(
        HttpMethod::Post,
        &format!("/api/v1/{plural}/{{id}}/merge"),
        post(merge::<D>),
        Op::new(plural, &format!("merge_{plural}"), &format!("Merge a duplicate {one} into this one"))
            .describe("The record in the path keeps its values and takes the duplicate's where it has none; lists and tags join; notes, links and the audit trail follow it. The duplicate goes to the trash, marked as merged.")
            .path_param("id", "The record that stays")
            .body::<MergeRequest>("The duplicate")
            .answer_schema(200, "The merged record", rec)
            .problems(&[400, 403, 404, 415, 422]),
    )
}

/// Inline schemas of small answers.
pub struct ObjectSchema;

impl ObjectSchema {
    fn bulk(rec: utoipa::openapi::Ref) -> utoipa::openapi::schema::ObjectBuilder {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder};
        ObjectBuilder::new()
            .property("created", ArrayBuilder::new().items(rec.clone()))
            .property("updated", ArrayBuilder::new().items(rec))
            .property("deleted", ArrayBuilder::new().items(Id::schema()))
    }
}

use utoipa::PartialSchema;
