//! The route table and its OpenAPI description are built together: a route cannot be
//! added without saying what it takes and answers, so the document covers every
//! endpoint by construction.

use axum::Router;
use axum::routing::MethodRouter;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HeaderBuilder, InfoBuilder, OpenApi, OpenApiBuilder,
    PathItem, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

use crate::problem::Problem;
use crate::state::AppState;

type Schemas = Vec<(String, RefOr<Schema>)>;

/// Collects a type's schema and every schema it refers to.
pub fn register<T: ToSchema>(schemas: &mut Schemas) -> Ref {
    let name = T::name().to_string();
    if !schemas.iter().any(|(n, _)| *n == name) {
        schemas.push((name.clone(), T::schema()));
        T::schemas(schemas);
    }
    Ref::from_schema_name(name)
}

/// Describes one operation.
pub struct Op {
    b: OperationBuilder,
    schemas: Schemas,
    authenticated: bool,
    /// The operation reads a JSON body or a query/header parameter, so it can refuse a
    /// malformed one (400), and with a body also 413, 415 and 422.
    has_body: bool,
    has_params: bool,
    /// Problem statuses already described by the route itself.
    problems: Vec<u16>,
}

fn json_content(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

impl Op {
    pub fn new(tag: &str, operation_id: &str, summary: &str) -> Op {
        Op {
            b: OperationBuilder::new()
                .tag(tag)
                .operation_id(Some(operation_id))
                .summary(Some(summary)),
            schemas: Vec::new(),
            authenticated: true,
            has_body: false,
            has_params: false,
            problems: Vec::new(),
        }
    }

    /// An endpoint that needs no token.
    pub fn public(mut self) -> Op {
        self.authenticated = false;
        self
    }

    pub fn describe(mut self, text: &str) -> Op {
        self.b = self.b.description(Some(text));
        self
    }

    pub fn path_param(mut self, name: &str, description: &str) -> Op {
        self.b = self.b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(uuid_schema())),
        );
        self
    }

    /// An optional query parameter. Its schema states what the server accepts, from the
    /// conventions every endpoint shares (see `param_schema`).
    /// A path parameter that is not an id.
    pub fn path_param_with(
        mut self,
        name: &str,
        description: &str,
        schema: impl Into<RefOr<Schema>>,
    ) -> Op {
        self.b = self.b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(schema)),
        );
        self
    }

    pub fn query(self, name: &str, description: &str) -> Op {
        let schema = param_schema(name);
        self.query_with(name, description, schema, false)
    }

    /// A query parameter with its own schema, required or not.
    pub fn query_with(
        mut self,
        name: &str,
        description: &str,
        schema: impl Into<RefOr<Schema>>,
        required: bool,
    ) -> Op {
        self.has_params = true;
        self.b = self.b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(if required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(description))
                .schema(Some(schema)),
        );
        self
    }

    pub fn header(mut self, name: &str, description: &str) -> Op {
        self.has_params = true;
        self.b = self.b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(param_schema(name))),
        );
        self
    }

    /// The list parameters of API.md "Lists".
    /// `filter[field][op]=value` takes any field the kind filters on, so it cannot be one
    /// named parameter; it is described in the operation's text (`FILTERS`), and `sort`
    /// names the sortable fields.
    pub fn list_params(self, sortable: &[&str]) -> Op {
        self.query(
            "q",
            "Full-text search, accent- and case-insensitive (`garcia` finds `García`).",
        )
        .query_with(
            "sort",
            "Up to 3 field names separated by commas, `-` for descending, e.g. `-updated_at,last_name`.",
            sort_schema(sortable),
            false,
        )
        .query("limit", "Page size, 1 to 500 (default 50).")
        .query("cursor", "The `next_cursor` of the previous page.")
        .query("trashed", "`true` lists the records in the trash instead.")
    }

    pub fn body<T: ToSchema>(mut self, description: &str) -> Op {
        let r = register::<T>(&mut self.schemas);
        self.body_schema(description, r)
    }

    pub fn body_schema(mut self, description: &str, schema: impl Into<RefOr<Schema>>) -> Op {
        self.has_body = true;
        self.b = self.b.request_body(Some(
            RequestBodyBuilder::new()
                .description(Some(description))
                .required(Some(Required::True))
                .content("application/json", json_content(schema))
                .build(),
        ));
        self
    }

    pub fn answer<T: ToSchema>(mut self, status: u16, description: &str) -> Op {
        let r = register::<T>(&mut self.schemas);
        self.answer_schema(status, description, r)
    }

    /// A JSON array of `T`.
    pub fn answer_list<T: ToSchema>(mut self, status: u16, description: &str) -> Op {
        let r = register::<T>(&mut self.schemas);
        self.answer_schema(status, description, ArrayBuilder::new().items(r))
    }

    pub fn answer_schema(
        mut self,
        status: u16,
        description: &str,
        schema: impl Into<RefOr<Schema>>,
    ) -> Op {
        self.b = self.b.response(
            status.to_string(),
            ResponseBuilder::new()
                .description(description)
                .content("application/json", json_content(schema))
                .build(),
        );
        self
    }

    /// An answer without a body (204).
    pub fn answer_empty(mut self, status: u16, description: &str) -> Op {
        self.b = self.b.response(
            status.to_string(),
            ResponseBuilder::new().description(description).build(),
        );
        self
    }

    pub fn answer_text(mut self, status: u16, description: &str, content_type: &str) -> Op {
        self.b = self.b.response(
            status.to_string(),
            ResponseBuilder::new()
                .description(description)
                .content(
                    content_type,
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .build(),
                )
                .build(),
        );
        self
    }

    /// A file in one of several formats (the request picks which).
    pub fn answer_files(mut self, status: u16, description: &str, content_types: &[&str]) -> Op {
        let mut answer = ResponseBuilder::new().description(description);
        for ct in content_types {
            answer = answer.content(
                *ct,
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build(),
            );
        }
        self.b = self.b.response(status.to_string(), answer.build());
        self
    }

    /// Problem answers this operation can give, besides the ones every operation of its
    /// shape gives (see `build`).
    pub fn problems(mut self, statuses: &[u16]) -> Op {
        self.problems.extend_from_slice(statuses);
        self
    }

    fn add_problems(mut self) -> Op {
        let r = register::<Problem>(&mut self.schemas);
        let mut all = std::mem::take(&mut self.problems);
        // Every authenticated operation refuses missing credentials and throttles a token
        // (CARTERA_TOKEN_RATE_LIMIT) or an address sending refused tokens.
        if self.authenticated {
            all.extend([401, 429]);
        }
        // A query or header parameter can be malformed; a body can also be too large, not
        // JSON, or fail validation.
        if self.has_params || self.has_body {
            all.push(400);
        }
        if self.has_body {
            all.extend([413, 415, 422]);
        }
        all.sort_unstable();
        all.dedup();
        for s in all {
            let what = match s {
                400 => "Malformed request, query or header; `errors` names the parameter",
                401 => "No or bad credentials",
                403 => "The token's scope does not allow this",
                404 => "No such record (or in the trash)",
                409 => "Conflict, e.g. a possible duplicate with its candidates",
                412 => "The record changed since the version in If-Match",
                413 => "Too large",
                415 => "Not JSON",
                422 => "Validation failed; `errors` names each field",
                429 => "Too many requests; try again after `Retry-After` seconds",
                _ => "Problem",
            };
            let mut answer = ResponseBuilder::new()
                .description(what)
                .content("application/problem+json", json_content(r.clone()));
            if s == 429 {
                answer = answer.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(0)),
                        ))
                        .description(Some("Seconds to wait before trying again"))
                        .build(),
                );
            }
            self.b = self.b.response(s.to_string(), answer.build());
        }
        self
    }

    fn build(self) -> (Operation, Schemas) {
        let op = self.add_problems();
        let mut b = op.b;
        if op.authenticated {
            b = b
                .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
                .security(SecurityRequirement::new("session", Vec::<String>::new()));
        }
        (b.build(), op.schemas)
    }
}

/// The fields every stored record carries besides its data, all set by the server.
const META_PROPERTIES: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "version",
    "deleted_at",
    "merged_into_id",
];

/// A named object schema of a stored record: its data, its bookkeeping and its id, as
/// one flat object, because that is how the record is written (`#[serde(flatten)]`). An
/// `allOf` of the parts would not do: the data part closes itself with
/// `additionalProperties: false`, so no stored record would match it. The answer is not
/// closed either: clients tolerate fields added later (API.md: change by extending).
pub fn record_schema<D: ToSchema>(schemas: &mut Schemas, name: &str) -> Ref {
    if !schemas.iter().any(|(n, _)| n == name) {
        let data = register::<D>(schemas);
        let mut object = match resolve(schemas, &data) {
            Some(Schema::Object(o)) => o,
            Some(other) => flattened(schemas, &other).unwrap_or_default(),
            None => ObjectBuilder::new().build(),
        };
        object.additional_properties = None;
        object
            .properties
            .insert("id".into(), cartera_core::Id::schema());
        object.required.push("id".into());
        if let RefOr::T(Schema::Object(meta)) = cartera_core::Meta::schema() {
            for (k, v) in meta.properties {
                object.properties.insert(k, v);
            }
            object.required.extend(meta.required);
        }
        let mut schema = Schema::Object(object);
        mark_read_only(&mut schema, META_PROPERTIES);
        // A type that is itself the record (`Note`) was registered under this name just
        // above: the flat schema takes its place.
        match schemas.iter_mut().find(|(n, _)| n == name) {
            Some((_, s)) => *s = schema.into(),
            None => schemas.push((name.to_owned(), schema.into())),
        }
    }
    Ref::from_schema_name(name)
}

/// One object with the properties of every part of an `allOf` of objects, open to other
/// properties. utoipa writes `#[serde(flatten)]` as an `allOf`, and a part from a type
/// with `deny_unknown_fields` is closed (`additionalProperties: false`), so the `allOf`
/// would refuse every real value: the merged object says what the JSON holds.
fn flattened(schemas: &Schemas, schema: &Schema) -> Option<utoipa::openapi::schema::Object> {
    let Schema::AllOf(all) = schema else {
        return None;
    };
    let mut merged = ObjectBuilder::new().schema_type(Type::Object).build();
    merged.description = all.description.clone();
    for item in &all.items {
        let part = match item {
            RefOr::T(s) => s.clone(),
            RefOr::Ref(r) => resolve(schemas, r)?,
        };
        let part = match part {
            Schema::Object(o) => o,
            other => flattened(schemas, &other)?,
        };
        for (k, v) in part.properties {
            merged.properties.insert(k, v);
        }
        for r in part.required {
            if !merged.required.contains(&r) {
                merged.required.push(r);
            }
        }
    }
    Some(merged)
}

/// Replaces every `allOf` of objects among the schemas by its flat object.
fn flatten_all(schemas: &mut Schemas) {
    let snapshot = schemas.clone();
    for (_, s) in schemas.iter_mut() {
        if let RefOr::T(schema) = s
            && let Some(o) = flattened(&snapshot, schema)
        {
            *schema = Schema::Object(o);
        }
    }
}

fn resolve(schemas: &Schemas, r: &Ref) -> Option<Schema> {
    let name = r.ref_location.rsplit('/').next()?;
    schemas.iter().find_map(|(n, s)| match s {
        RefOr::T(s) if n == name => Some(s.clone()),
        _ => None,
    })
}

/// A text the server trims and refuses when nothing is left ("must not be empty"): at
/// least one character that is not white space as Rust's `trim` reads it (Unicode
/// `White_Space`), written out because `\S` means other things in other regex engines.
pub const NON_BLANK: &str =
    "[^\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

/// Says of the named text properties of a registered object schema that they may not be
/// blank (see [`NON_BLANK`]). Without it a fuzzer that sends `""` to a field that may be
/// left out (a product's `unit`, a merge patch's `name`) reads the server's 422
/// "must not be empty" as "this field is required", and then reports the server for
/// accepting a body without it.
pub fn non_blank_fields(schemas: &mut Schemas, name: &str, fields: &[&str]) {
    for (n, s) in schemas.iter_mut() {
        if n != name {
            continue;
        }
        let RefOr::T(Schema::Object(object)) = s else {
            continue;
        };
        for f in fields {
            if let Some(RefOr::T(Schema::Object(p))) = object.properties.get_mut(*f) {
                p.pattern = Some(NON_BLANK.to_owned());
            }
        }
    }
}

/// Marks the named properties of a registered object schema `readOnly`: the server sets
/// them and refuses them in a request (422 `read_only`).
pub fn read_only_fields(schemas: &mut Schemas, name: &str, fields: &[&str]) {
    for (n, s) in schemas.iter_mut() {
        if n == name
            && let RefOr::T(s) = s
        {
            mark_read_only(s, fields);
        }
    }
}

fn mark_read_only(schema: &mut Schema, fields: &[&str]) {
    let Schema::Object(object) = schema else {
        return;
    };
    for f in fields {
        let Some(p) = object.properties.get_mut(*f) else {
            continue;
        };
        let marked = match std::mem::replace(p, RefOr::T(Schema::default())) {
            RefOr::T(Schema::Object(mut o)) => RefOr::T(Schema::Object({
                o.read_only = Some(true);
                o
            })),
            RefOr::Ref(mut r) => RefOr::Ref({
                r.read_only = Some(true);
                r
            }),
            // Arrays and composites have no `readOnly` of their own in utoipa's model;
            // a one-branch `oneOf` carries it without changing what is valid.
            RefOr::T(other) => {
                let mut one = OneOfBuilder::new().item(other).build();
                one.read_only = Some(true);
                RefOr::T(Schema::OneOf(one))
            }
        };
        *p = marked;
    }
}

/// `{"data": [...], "next_cursor": "..." | null}` of some item schema.
pub fn page_schema(schemas: &mut Schemas, name: &str, item: Ref) -> Ref {
    if !schemas.iter().any(|(n, _)| n == name) {
        let s = ObjectBuilder::new()
            .property("data", ArrayBuilder::new().items(item))
            .required("data")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some(
                        "Pass as `cursor` for the next page; null on the last page.",
                    )),
            )
            .required("next_cursor");
        schemas.push((name.to_owned(), s.into()));
    }
    Ref::from_schema_name(name)
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// An id in a path or a query.
pub fn uuid_schema() -> Schema {
    string()
        .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
        .into()
}

/// A day, `YYYY-MM-DD`.
pub fn date_schema() -> Schema {
    string()
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Date,
        )))
        .into()
}

/// An instant, RFC 3339.
pub fn date_time_schema() -> Schema {
    string()
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::DateTime,
        )))
        .into()
}

/// A month, `YYYY-MM`.
pub fn month_schema() -> Schema {
    string().pattern(Some("^[0-9]{4}-(0[1-9]|1[0-2])$")).into()
}

/// A sales period: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`).
pub fn period_schema() -> Schema {
    string()
        .pattern(Some("^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"))
        .into()
}

/// Text of at least `min` characters.
pub fn string_schema(min: usize) -> Schema {
    string().min_length(Some(min)).into()
}

/// One of some words.
pub fn enum_schema(values: &[&str]) -> Schema {
    string().enum_values(Some(values.iter().copied())).into()
}

/// A whole number within bounds.
pub fn int_schema(min: i64, max: i64) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

/// A `sort` parameter over these fields.
pub fn sort_schema(sortable: &[&str]) -> Schema {
    if sortable.is_empty() {
        return string().into();
    }
    let names: Vec<String> = sortable.iter().map(|f| f.replace('.', "\\.")).collect();
    let field = format!("-?({})", names.join("|"));
    // Empty: the default order.
    string()
        .pattern(Some(format!("^({field}(,{field})*)?$")))
        .into()
}

/// The shape of the parameters whose meaning is the same on every endpoint (API.md):
/// what the server accepts, so that a request valid by the document is not refused.
fn param_schema(name: &str) -> Schema {
    match name {
        "limit" => int_schema(1, 500),
        "trashed" | "unread" | "allow_duplicate" => {
            ObjectBuilder::new().schema_type(Type::Boolean).into()
        }
        // `"3"`, `W/"3"` or `*`, as an ETag names a version.
        "If-Match" => string()
            .pattern(Some(r#"^\s*(\*|(W/)?"*[+-]?[0-9]{1,18}"*)\s*$"#))
            .into(),
        // Visible ASCII, as the idempotency layer stores it.
        "Idempotency-Key" => string()
            .min_length(Some(1))
            .max_length(Some(255))
            .pattern(Some("^[!-~]+$"))
            .into(),
        n if n.ends_with("_id") => uuid_schema(),
        _ => string().into(),
    }
}

/// The router and the OpenAPI paths, grown together.
pub struct Api {
    router: Router<AppState>,
    paths: PathsBuilder,
    pub schemas: Schemas,
    count: usize,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            router: Router::new(),
            paths: PathsBuilder::new(),
            schemas: Vec::new(),
            count: 0,
        }
    }
}

impl Api {
    pub fn route(
        mut self,
        method: HttpMethod,
        path: &str,
        handler: MethodRouter<AppState>,
        op: Op,
    ) -> Api {
        let (mut operation, schemas) = op.build();
        for s in schemas {
            if !self.schemas.iter().any(|(n, _)| *n == s.0) {
                self.schemas.push(s);
            }
        }
        if matches!(method, HttpMethod::Patch) {
            self.patch_body(&mut operation);
        }
        self.paths = self.paths.path(path, PathItem::new(method, operation));
        self.router = self.router.route(path, handler);
        self.count += 1;
        self
    }

    /// A PATCH body is a merge patch (RFC 7396): every field may be left out, and null
    /// stands for "leave as it is" or "clear", never for a wrong type. The body's schema
    /// becomes `<Name>Patch`: the same properties, none required, each also null.
    fn patch_body(&mut self, operation: &mut Operation) {
        let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
            return;
        };
        for content in body.content.values_mut() {
            let RefOr::T(content) = content else {
                continue;
            };
            let Some(RefOr::Ref(r)) = content.schema.clone() else {
                continue;
            };
            let Some(name) = r.ref_location.rsplit('/').next().map(str::to_owned) else {
                continue;
            };
            let patch_name = format!("{name}Patch");
            if !self.schemas.iter().any(|(n, _)| *n == patch_name) {
                let object = match resolve(&self.schemas, &r) {
                    Some(Schema::Object(o)) => Some(o),
                    Some(other) => flattened(&self.schemas, &other),
                    None => None,
                };
                let Some(mut object) = object else {
                    continue;
                };
                object.required.clear();
                for p in object.properties.values_mut() {
                    let original = std::mem::replace(p, RefOr::T(Schema::default()));
                    // anyOf, not oneOf: a field that is already nullable matches both.
                    *p = RefOr::T(Schema::AnyOf(
                        AnyOfBuilder::new()
                            .item(original)
                            .item(ObjectBuilder::new().schema_type(Type::Null))
                            .build(),
                    ));
                }
                self.schemas
                    .push((patch_name.clone(), Schema::Object(object).into()));
            }
            content.schema = Some(Ref::from_schema_name(patch_name).into());
        }
    }

    /// How many operations were added (a test compares it with the document).
    pub fn operation_count(&self) -> usize {
        self.count
    }

    pub fn finish(mut self) -> (Router<AppState>, OpenApi) {
        flatten_all(&mut self.schemas);
        let mut components = ComponentsBuilder::new()
            .security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            )
            .security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    cartera_core::auth::SESSION_COOKIE,
                    "The browser session from POST /api/v1/auth/login. Requests that change \
                     something also send the session's csrf_token in X-CSRF-Token.",
                ))),
            );
        for (name, schema) in self.schemas {
            components = components.schema(name, schema);
        }
        let doc = OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("Cartera API")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some(
                        "The HTTP API of Cartera, a self-hosted CRM. JSON in and out; errors as RFC 9457 problem details; \
                         authenticate with `Authorization: Bearer <token>` (create one with `cartera token create`) \
                         or with the session cookie of `POST /api/v1/auth/login`.",
                    )),
            )
            .paths(self.paths.build())
            .components(Some(components.build()))
            .build();
        (self.router, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::NON_BLANK;

    /// The characters `[^...]` leaves out, read from its escapes and ranges.
    fn excluded(class: &str) -> Vec<(char, char)> {
        let body = class
            .strip_prefix("[^")
            .and_then(|c| c.strip_suffix(']'))
            .unwrap();
        let mut chars: Vec<char> = Vec::new();
        let mut it = body.chars().peekable();
        let mut ranges = Vec::new();
        let mut range_next = false;
        while let Some(c) = it.next() {
            if c == '-' {
                range_next = true;
                continue;
            }
            let ch = if c == '\\' {
                match it.next().unwrap() {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    e @ ('x' | 'u') => {
                        let n = if e == 'x' { 2 } else { 4 };
                        let hex: String = (0..n).map(|_| it.next().unwrap()).collect();
                        char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap()
                    }
                    other => panic!("unexpected escape \\{other}"),
                }
            } else {
                c
            };
            if range_next {
                let start = chars.pop().unwrap();
                ranges.push((start, ch));
                range_next = false;
            } else {
                chars.push(ch);
            }
        }
        ranges.extend(chars.into_iter().map(|c| (c, c)));
        ranges
    }

    #[test]
    fn non_blank_leaves_out_what_trim_takes_off() {
        let out = excluded(NON_BLANK);
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let listed = out.iter().any(|(a, b)| (*a..=*b).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }
}
