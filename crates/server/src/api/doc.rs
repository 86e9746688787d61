//! The route table and its OpenAPI description are built together: a route cannot be
//! added without saying what it takes and answers, so the document covers every
//! endpoint by construction.

use axum::Router;
use axum::routing::MethodRouter;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem,
    PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Schema,
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
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).format(
                    Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())),
                ))),
        );
        self
    }

    pub fn query(mut self, name: &str, description: &str) -> Op {
        self.b = self.b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
        self
    }

    pub fn header(mut self, name: &str, description: &str) -> Op {
        self.b = self.b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
        self
    }

    /// The list parameters of API.md "Lists".
    pub fn list_params(self) -> Op {
        self.query("q", "Full-text search, accent- and case-insensitive (`garcia` finds `García`).")
            .query("filter[field]", "`filter[field]=value` or `filter[field][op]=value`; op is eq, ne, gt, gte, lt, lte, in, nin, contains or null. Custom fields as `filter[custom.key]`. At most 30 filters a request, 100 values in one `in`/`nin`.")
            .query("sort", "Up to 3 field names separated by commas, `-` for descending, e.g. `-updated_at,last_name`.")
            .query("limit", "Page size, 1 to 500 (default 50).")
            .query("cursor", "The `next_cursor` of the previous page.")
            .query("trashed", "`true` lists the records in the trash instead.")
    }

    pub fn body<T: ToSchema>(mut self, description: &str) -> Op {
        let r = register::<T>(&mut self.schemas);
        self.body_schema(description, r)
    }

    pub fn body_schema(mut self, description: &str, schema: impl Into<RefOr<Schema>>) -> Op {
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

    /// Problem answers this operation can give, besides 401 which every
    /// authenticated operation gives.
    pub fn problems(mut self, statuses: &[u16]) -> Op {
        let r = register::<Problem>(&mut self.schemas);
        let mut all: Vec<u16> = statuses.to_vec();
        if self.authenticated {
            all.push(401);
        }
        all.sort_unstable();
        all.dedup();
        for s in all {
            let what = match s {
                400 => "Malformed request or query",
                401 => "No or bad credentials",
                403 => "The token's scope does not allow this",
                404 => "No such record (or in the trash)",
                409 => "Conflict, e.g. a possible duplicate with its candidates",
                412 => "The record changed since the version in If-Match",
                413 => "Too large",
                415 => "Not JSON",
                422 => "Validation failed; `errors` names each field",
                _ => "Problem",
            };
            self.b = self.b.response(
                s.to_string(),
                ResponseBuilder::new()
                    .description(what)
                    .content("application/problem+json", json_content(r.clone()))
                    .build(),
            );
        }
        self
    }

    fn build(self) -> (Operation, Schemas) {
        let mut b = self.b;
        if self.authenticated {
            b = b
                .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
                .security(SecurityRequirement::new("session", Vec::<String>::new()));
        }
        (b.build(), self.schemas)
    }
}

/// A named object schema of a stored record: its data, its bookkeeping and its id.
pub fn record_schema<D: ToSchema>(schemas: &mut Schemas, name: &str) -> Ref {
    if !schemas.iter().any(|(n, _)| n == name) {
        let data = register::<D>(schemas);
        let meta = register::<cartera_core::Meta>(schemas);
        let id = ObjectBuilder::new()
            .property("id", cartera_core::Id::schema())
            .required("id");
        let s = AllOfBuilder::new().item(data).item(meta).item(id).build();
        schemas.push((name.to_owned(), Schema::AllOf(s).into()));
    }
    Ref::from_schema_name(name)
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
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::String,
                        Type::Null,
                    ]))
                    .description(Some(
                        "Pass as `cursor` for the next page; null on the last page.",
                    )),
            )
            .required("next_cursor");
        schemas.push((name.to_owned(), s.into()));
    }
    Ref::from_schema_name(name)
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
        let (operation, schemas) = op.build();
        for s in schemas {
            if !self.schemas.iter().any(|(n, _)| *n == s.0) {
                self.schemas.push(s);
            }
        }
        self.paths = self.paths.path(path, PathItem::new(method, operation));
        self.router = self.router.route(path, handler);
        self.count += 1;
        self
    }

    /// How many operations were added (a test compares it with the document).
    pub fn operation_count(&self) -> usize {
        self.count
    }

    pub fn finish(self) -> (Router<AppState>, OpenApi) {
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
