//! What every record page shares, for accounts, contacts and leads alike: the edit form
//! (with the version the person read), inline edit of a few fields, duplicates with
//! merge, delete with undo and the trash. A kind implements `Editable` in its own file
//! and mounts these pages with `records::routes::<D>()`.

use std::collections::HashMap;
use std::future::Future;

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Map, Value, json};

use cartera_app::records::{self, Kind, WriteOptions};
use cartera_app::{Actor, App, AppError};
use cartera_core::record::{Record, RecordData};
use cartera_core::{Id, Violations};

use super::forms::explain;
use super::render::{Me, Page, PageId, two_ids};
use super::shares::Shareable;
use crate::state::AppState;

/// How a form field is typed.
#[derive(Clone, Copy, PartialEq)]
pub enum Input {
    Text,
    Email,
    Tel,
    Url,
    Date,
    Area,
    /// One of these values; labels are `{prefix}{value}` in the catalogue.
    Choice(&'static [&'static str], &'static str),
    /// A country code of the three countries we serve.
    Country,
    /// Comma-separated tags.
    Tags,
    /// The first of the record's emails (`emails[0].address`).
    FirstEmail,
    /// The first of the record's phones (`phones[0].number`).
    FirstPhone,
}

/// A field of a record's form: its name in the form, its label, where it lives in the
/// record's JSON (dotted), and whether the record page edits it in place.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub path: &'static str,
    pub input: Input,
    pub required: bool,
    pub inline: bool,
}

impl Field {
    pub const fn new(name: &'static str, label: &'static str, path: &'static str) -> Field {
        Field {
            name,
            label,
            path,
            input: Input::Text,
            required: false,
            inline: false,
        }
    }
    pub const fn input(mut self, input: Input) -> Field {
        self.input = input;
        self
    }
    pub const fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub const fn inline(mut self) -> Field {
        self.inline = true;
        self
    }

    fn html_type(&self) -> &'static str {
        match self.input {
            Input::Email | Input::FirstEmail => "email",
            Input::Tel | Input::FirstPhone => "tel",
            Input::Url => "url",
            Input::Date => "date",
            _ => "text",
        }
    }

    /// The field as the form shows it, from the record's JSON.
    pub fn value_of(&self, rec: &Value) -> String {
        let v = match self.input {
            Input::FirstEmail => rec.pointer("/emails/0/address"),
            Input::FirstPhone => rec.pointer("/phones/0/number"),
            _ => rec.pointer(&format!("/{}", self.path.replace('.', "/"))),
        };
        match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Some(Value::Bool(b)) => if *b { "1" } else { "" }.into(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    /// The JSON merge patch that sets this field to `raw` on the record `rec`.
    pub fn patch(&self, raw: &str, rec: &Value) -> Value {
        let t = raw.trim();
        let value = match self.input {
            Input::Tags => Value::Array(
                t.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            Input::FirstEmail | Input::FirstPhone => {
                let (list, key) = if self.input == Input::FirstEmail {
                    ("emails", "address")
                } else {
                    ("phones", "number")
                };
                let mut items = rec
                    .get(list)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if t.is_empty() {
                    if !items.is_empty() {
                        items.remove(0);
                    }
                } else if let Some(first) = items.first_mut() {
                    *first = json!({ key: t });
                } else {
                    items.push(json!({ key: t }));
                }
                return json!({ list: items });
            }
            _ if t.is_empty() && !self.required => Value::Null,
            _ => Value::String(t.to_owned()),
        };
        let mut out = value;
        for part in self.path.rsplit('.') {
            let mut m = Map::new();
            m.insert(part.to_owned(), out);
            out = Value::Object(m);
        }
        out
    }

    /// Whether a violation at `path` (the app's field path) belongs to this field.
    fn owns(&self, path: &str) -> bool {
        let own = match self.input {
            Input::FirstEmail => "emails",
            Input::FirstPhone => "phones",
            _ => self.path,
        };
        path == own || path.starts_with(&format!("{own}.")) || path.starts_with(&format!("{own}["))
    }

    /// The form's view of this field: label, type, value, choices.
    fn ctx(&self, page: &Page, value: &str) -> Value {
        let options: Vec<Value> = match self.input {
            Input::Choice(values, prefix) => values
                .iter()
                .map(|v| json!({"value": v, "label": page.t(&format!("{prefix}{v}"))}))
                .collect(),
            Input::Country => std::iter::once(json!({"value": "", "label": "—"}))
                .chain(
                    ["AR", "MX", "ES"]
                        .iter()
                        .map(|c| json!({"value": c, "label": page.t(&format!("country-{c}"))})),
                )
                .collect(),
            _ => Vec::new(),
        };
        json!({
            "name": self.name,
            "label": page.t(self.label),
            "type": self.html_type(),
            "area": self.input == Input::Area,
            "select": !options.is_empty(),
            "options": options,
            "value": value,
            "help": match self.input { Input::Tags => Some(page.t("field-tags-help")), _ => None },
            "shown": self.shown(page, value),
        })
    }

    /// The value as the record page shows it.
    fn shown(&self, page: &Page, value: &str) -> String {
        match self.input {
            _ if value.is_empty() => String::new(),
            Input::Choice(_, prefix) => page.t(&format!("{prefix}{value}")),
            Input::Country => page.t(&format!("country-{value}")),
            _ => value.to_owned(),
        }
    }
}

/// A kind of record with pages of its own.
pub trait Editable: Kind + RecordData + Serialize + Send + Sync + 'static {
    /// Its path segment: `accounts`.
    const SEG: &'static str;
    /// The catalogue key of its name: `kind-account`.
    const NOUN: &'static str;
    fn form_fields() -> &'static [Field];

    /// Folds the record `source` into `survivor`; `false` for kinds without merge.
    fn merge(
        app: &App,
        actor: &Actor,
        survivor: Id,
        source: Id,
    ) -> impl Future<Output = Option<Result<(), AppError>>> + Send;
}

/// The pages every kind of record has: edit, inline edit, delete and restore, the trash.
pub fn routes<D: Editable>() -> Router<AppState> {
    let s = D::SEG;
    Router::new()
        .route(
            &format!("/{s}/{{id}}/edit"),
            get(edit_form::<D>).post(edit::<D>),
        )
        .route(
            &format!("/{s}/{{id}}/inline/{{field}}"),
            get(inline_get::<D>).post(inline_post::<D>),
        )
        .route(&format!("/{s}/{{id}}/delete"), post(delete::<D>))
        .route(&format!("/{s}/{{id}}/restore"), post(restore::<D>))
        .route(&format!("/{s}/trash"), get(trash::<D>))
}

/// Every record page has the "Shared with" box.
impl<D: Editable> Shareable for D {
    const SEG: &'static str = <D as Editable>::SEG;
}

fn record_json<D: Serialize>(rec: &Record<D>) -> Value {
    serde_json::to_value(rec).unwrap_or(Value::Null)
}

/// The form's values for a record.
fn values_of<D: Editable>(rec: &Value) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = D::form_fields()
        .iter()
        .map(|f| (f.name.to_owned(), f.value_of(rec)))
        .collect();
    super::record_extras::values_of(rec, &mut out);
    out
}

/// Violations of the app, as messages next to the form's fields (and one general).
fn place_errors<D: Editable>(
    page: &Page,
    v: Violations,
) -> (HashMap<String, String>, Option<String>) {
    let mut errors = HashMap::new();
    let mut general = None;
    for x in v.0 {
        if let Some(name) = super::record_extras::field_of(&x.field) {
            let text = explain(page, &name, x.code);
            errors.entry(name).or_insert(text);
            continue;
        }
        match D::form_fields().iter().find(|f| f.owns(&x.field)) {
            Some(f) => {
                let text = explain(page, f.name, x.code);
                errors.entry(f.name.to_owned()).or_insert(text);
            }
            None => {
                // Named as people name the field, never by its path.
                let text = explain(page, "", x.code);
                let head = x.field.split(['.', '[']).next().unwrap_or("");
                let key = format!("field-{}", head.replace('_', "-"));
                general.get_or_insert(if page.ui.catalog.has(page.locale, &key) {
                    format!("{}: {text}", page.t(&key))
                } else {
                    text
                });
            }
        }
    }
    (errors, general)
}

fn candidates_ctx<D: Editable>(c: &[cartera_app::error::DuplicateCandidate]) -> Vec<Value> {
    c.iter()
        .map(|c| {
            json!({"id": c.id, "title": c.title, "subtitle": c.subtitle,
                "href": (c.kind == D::KIND).then(|| format!("/{}/{}", D::SEG, c.id))})
        })
        .collect()
}

/// Everything the form template reads.
#[derive(Default)]
pub struct FormView {
    pub values: HashMap<String, String>,
    pub errors: HashMap<String, String>,
    pub general: Option<String>,
    pub candidates: Option<Vec<Value>>,
    /// Editing: the record and the version the form was read at.
    pub editing: Option<(Id, i64, String)>,
    /// A stale edit: what the person had typed, by field, where it differs.
    pub mine: HashMap<String, String>,
}

async fn render_form<D: Editable>(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    v: FormView,
) -> Response {
    let page = &me.page;
    let owner = v.values.get("owner_id").and_then(|o| o.parse::<Id>().ok());
    let extras = super::record_extras::load(s, me, D::KIND, owner).await;
    let extras = extras.ctx(page, &v.values, &v.errors, v.editing.is_none());
    let fields: Vec<Value> = D::form_fields()
        .iter()
        .map(|f| {
            let value = v.values.get(f.name).cloned().unwrap_or_default();
            let mut c = f.ctx(page, &value);
            c["error"] = v.errors.get(f.name).cloned().into();
            c["mine"] = v.mine.get(f.name).map(|m| f.shown(page, m)).into();
            c
        })
        .collect();
    let (title, action, cancel) = match &v.editing {
        Some((id, _, name)) => (
            page.t_args(
                "record-edit-title",
                &[("name", super::i18n::ArgValue::Text(name.clone()))],
            ),
            format!("/{}/{id}/edit", D::SEG),
            format!("/{}/{id}", D::SEG),
        ),
        None => (
            page.t(&format!("{}-new", D::SEG)),
            format!("/{}/new", D::SEG),
            format!("/{}", D::SEG),
        ),
    };
    page.render(
        status,
        "shared/record_form.html",
        json!({
            "nav": D::SEG,
            "seg": D::SEG,
            "list_key": format!("nav-{}", D::SEG),
            "title": title,
            "action": action,
            "cancel": cancel,
            "fields": fields,
            "general_error": v.general,
            "duplicate": v.candidates.is_some(),
            "candidates": v.candidates.unwrap_or_default(),
            "can_merge": D::KIND.facts().mergeable,
            "editing": v.editing.is_some(),
            "version": v.editing.as_ref().map(|e| e.1),
            "stale": !v.mine.is_empty(),
            "extra": v.values.get("account_id"),
            "extras": extras,
        }),
    )
}

fn flag(form: &HashMap<String, String>, name: &str) -> bool {
    form.get(name).is_some_and(|v| !v.is_empty())
}

pub async fn new_form<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let mut values = HashMap::new();
    // A contact made from its account's page belongs to it.
    if let Some(a) = q.get("account_id") {
        values.insert("account_id".to_owned(), a.clone());
    }
    render_form::<D>(
        &s,
        &me,
        StatusCode::OK,
        FormView {
            values,
            ..FormView::default()
        },
    )
    .await
}

pub async fn create<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let page = &me.page;
    let empty = json!({});
    let mut body = json!({});
    for f in D::form_fields() {
        if let Some(raw) = form.get(f.name) {
            json_patch::merge(&mut body, &f.patch(raw, &empty));
        }
    }
    if let Some(a) = form.get("account_id").filter(|a| !a.is_empty()) {
        body["account_id"] = a.clone().into();
    }
    let extras = super::record_extras::load(&s, &me, D::KIND, None).await;
    match extras.patch(page, &form, &HashMap::new()) {
        Ok(more) => json_patch::merge(&mut body, &Value::Object(more)),
        Err(errors) => {
            let view = FormView {
                values: form,
                errors,
                ..FormView::default()
            };
            return render_form::<D>(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, view).await;
        }
    }
    // What a person creates is theirs unless they chose someone else: naming the owner
    // keeps the territory rules from giving it away (see `docs/decisions/access.md`).
    if body.get("owner_id").is_none_or(Value::is_null) {
        body["owner_id"] = me.actor().user_id.to_string().into();
    }
    let merge_into = form.get("merge_into").and_then(|m| m.parse::<Id>().ok());
    let opts = WriteOptions {
        allow_duplicate: flag(&form, "allow_duplicate") || merge_into.is_some(),
    };
    match records::create::<D>(&s.app, me.actor(), vec![body], opts).await {
        Ok(made) => match made.first() {
            Some(r) => finish_write::<D>(&s, &me, r.id, r.data.owner_id(), merge_into).await,
            None => page.error_page(StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        },
        Err(e) => form_failure::<D>(&s, &me, e, form, None).await,
    }
}

/// After a write: merged into the chosen duplicate, or to the record's page.
async fn finish_write<D: Editable>(
    s: &AppState,
    me: &Me,
    id: Id,
    owner: Option<Id>,
    merge_into: Option<Id>,
) -> Response {
    if let Some(survivor) = merge_into {
        match D::merge(&s.app, me.actor(), survivor, id).await {
            Some(Ok(())) => {
                return Redirect::to(&format!("/{}/{survivor}", D::SEG)).into_response();
            }
            Some(Err(e)) => return me.page.error(e),
            None => {}
        }
    }
    Redirect::to(&super::placement::created_url(me, D::SEG, id, owner)).into_response()
}

/// A write the app refused: the form again, with what was typed and why.
async fn form_failure<D: Editable>(
    s: &AppState,
    me: &Me,
    e: AppError,
    form: HashMap<String, String>,
    editing: Option<(Id, i64, String)>,
) -> Response {
    let page = &me.page;
    let values = form;
    match e {
        AppError::Invalid(v) => {
            let (errors, general) = place_errors::<D>(page, v);
            render_form::<D>(
                s,
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormView {
                    values,
                    errors,
                    general,
                    editing,
                    ..FormView::default()
                },
            )
            .await
        }
        AppError::Duplicate { candidates, .. } => {
            render_form::<D>(
                s,
                me,
                StatusCode::CONFLICT,
                FormView {
                    values,
                    candidates: Some(candidates_ctx::<D>(&candidates)),
                    editing,
                    ..FormView::default()
                },
            )
            .await
        }
        e => page.error(e),
    }
}

pub async fn edit_form<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
) -> Response {
    let rec = match records::get::<D>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let json = record_json(&rec);
    render_form::<D>(
        &s,
        &me,
        StatusCode::OK,
        FormView {
            values: values_of::<D>(&json),
            editing: Some((id, rec.meta.version, rec.data.title())),
            ..FormView::default()
        },
    )
    .await
}

/// The form of a record that changed since it was read: its current values, and what
/// the person had typed where it differs.
async fn stale_form<D: Editable>(
    s: &AppState,
    me: &Me,
    rec: &Record<D>,
    typed: &HashMap<String, String>,
) -> Response {
    let json = record_json(rec);
    let values = values_of::<D>(&json);
    let mine = D::form_fields()
        .iter()
        .filter_map(|f| {
            let t = typed.get(f.name)?;
            (t.trim() != values.get(f.name).map(String::as_str).unwrap_or("").trim())
                .then(|| (f.name.to_owned(), t.clone()))
        })
        .collect::<HashMap<_, _>>();
    let general = Some(me.page.t("record-stale"));
    render_form::<D>(
        s,
        me,
        StatusCode::PRECONDITION_FAILED,
        FormView {
            values,
            general,
            editing: Some((rec.id, rec.meta.version, rec.data.title())),
            mine: if mine.is_empty() {
                // Nothing of theirs differs; still say why the form came back.
                HashMap::from([(String::new(), String::new())])
            } else {
                mine
            },
            ..FormView::default()
        },
    )
    .await
}

pub async fn edit<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let page = &me.page;
    let current = match records::get::<D>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok());
    if version.is_some_and(|v| v != current.meta.version) {
        return stale_form::<D>(&s, &me, &current, &form).await;
    }
    let json = record_json(&current);
    let mut patch = json!({});
    for f in D::form_fields() {
        if let Some(raw) = form.get(f.name)
            && raw.trim() != f.value_of(&json).trim()
        {
            json_patch::merge(&mut patch, &f.patch(raw, &json));
        }
    }
    let owner = current.data.owner_id();
    let extras = super::record_extras::load(&s, &me, D::KIND, owner).await;
    match extras.patch(page, &form, &values_of::<D>(&json)) {
        Ok(more) => json_patch::merge(&mut patch, &Value::Object(more)),
        Err(errors) => {
            let view = FormView {
                values: form,
                errors,
                editing: Some((id, current.meta.version, current.data.title())),
                ..FormView::default()
            };
            return render_form::<D>(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, view).await;
        }
    }
    let merge_into = form.get("merge_into").and_then(|m| m.parse::<Id>().ok());
    let opts = WriteOptions {
        allow_duplicate: flag(&form, "allow_duplicate") || merge_into.is_some(),
    };
    let editing = Some((id, current.meta.version, current.data.title()));
    if patch.as_object().is_some_and(Map::is_empty) {
        return finish_write::<D>(&s, &me, id, None, merge_into).await;
    }
    match records::update::<D>(&s.app, me.actor(), id, patch, version, opts).await {
        Ok(_) => finish_write::<D>(&s, &me, id, None, merge_into).await,
        Err(AppError::Stale { .. }) => match records::get::<D>(&s.app, me.actor(), id).await {
            Ok(now) => stale_form::<D>(&s, &me, &now, &form).await,
            Err(e) => page.error(e),
        },
        Err(e) => form_failure::<D>(&s, &me, e, form, editing).await,
    }
}

/// The facts a record page edits in place, with their current values.
pub fn inline_fields<D: Editable>(page: &Page, rec: &Record<D>) -> Value {
    let json = record_json(rec);
    let mut out = Map::new();
    for f in D::form_fields().iter().filter(|f| f.inline) {
        out.insert(
            f.name.to_owned(),
            inline_ctx::<D>(page, rec.id, f, &f.value_of(&json), false, None),
        );
    }
    Value::Object(out)
}

fn inline_ctx<D: Editable>(
    page: &Page,
    id: Id,
    f: &Field,
    value: &str,
    editing: bool,
    error: Option<String>,
) -> Value {
    let mut c = f.ctx(page, value);
    c["url"] = format!("/{}/{id}/inline/{}", D::SEG, f.name).into();
    c["edit_url"] = format!("/{}/{id}/edit", D::SEG).into();
    c["editing"] = editing.into();
    c["error"] = error.into();
    c["link"] = match f.input {
        Input::Email | Input::FirstEmail if !value.is_empty() => format!("mailto:{value}").into(),
        Input::Tel | Input::FirstPhone if !value.is_empty() => format!("tel:{value}").into(),
        _ => Value::Null,
    };
    c
}

fn inline_field<D: Editable>(name: &str) -> Option<&'static Field> {
    D::form_fields().iter().find(|f| f.inline && f.name == name)
}

fn render_inline(page: &Page, status: StatusCode, f: Value, version: i64) -> Response {
    // htmx swaps only successful answers; its editor shows the error itself.
    let status = if page.htmx { StatusCode::OK } else { status };
    page.render(
        status,
        "shared/inline.html",
        json!({"f": f, "version": version}),
    )
}

#[derive(serde::Deserialize)]
pub struct InlineQuery {
    #[serde(default)]
    edit: Option<String>,
}

/// An inline field: its value (`?edit=1` for its editor).
pub async fn inline_get<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    Path(raw): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<InlineQuery>,
) -> Response {
    let page = &me.page;
    let Some(id) = two_ids(&raw) else {
        return page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let Some(f) = inline_field::<D>(&raw.1) else {
        return page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let rec = match records::get::<D>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    let value = f.value_of(&record_json(&rec));
    let editing = q.edit.is_some_and(|e| !e.is_empty());
    render_inline(
        page,
        StatusCode::OK,
        inline_ctx::<D>(page, id, f, &value, editing, None),
        rec.meta.version,
    )
}

/// Saves an inline field; answers its new value, or the editor with the error.
pub async fn inline_post<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    Path(raw): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let page = &me.page;
    let Some(id) = two_ids(&raw) else {
        return page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let Some(f) = inline_field::<D>(&raw.1) else {
        return page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    let current = match records::get::<D>(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    let typed = form.get("value").cloned().unwrap_or_default();
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok());
    let json = record_json(&current);
    let patch = f.patch(&typed, &json);
    let answer = |status: StatusCode, value: &str, error: Option<String>, version: i64| {
        let editing = error.is_some();
        render_inline(
            page,
            status,
            inline_ctx::<D>(page, id, f, value, editing, error),
            version,
        )
    };
    match records::update::<D>(
        &s.app,
        me.actor(),
        id,
        patch,
        version,
        WriteOptions::default(),
    )
    .await
    {
        Ok(new) => {
            let value = f.value_of(&record_json(&new));
            if page.htmx {
                answer(StatusCode::OK, &value, None, new.meta.version)
            } else {
                Redirect::to(&format!("/{}/{id}", D::SEG)).into_response()
            }
        }
        Err(AppError::Stale { current: v, .. }) => answer(
            StatusCode::PRECONDITION_FAILED,
            &f.value_of(&json),
            Some(page.t("record-stale-inline")),
            v,
        ),
        Err(AppError::Invalid(v)) => {
            let (errors, general) = place_errors::<D>(page, v);
            let msg = errors.into_values().next().or(general);
            answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
                msg,
                current.meta.version,
            )
        }
        Err(AppError::Duplicate { .. }) => answer(
            StatusCode::CONFLICT,
            &typed,
            Some(page.t("record-duplicate-inline")),
            current.meta.version,
        ),
        Err(e) => page.error(e),
    }
}

/// Moves a record to the trash and says so, with an Undo button.
pub async fn delete<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
) -> Response {
    let page = &me.page;
    match records::delete::<D>(&s.app, me.actor(), id, None).await {
        Ok(rec) => page.render(
            StatusCode::OK,
            "shared/deleted.html",
            json!({
                "nav": D::SEG,
                "seg": D::SEG,
                "id": id,
                "name": rec.data.title(),
                "noun": page.t(D::NOUN),
                "list_key": format!("nav-{}", D::SEG),
            }),
        ),
        Err(e) => page.error(e),
    }
}

/// Brings a record back from the trash, to its page.
pub async fn restore<D: Editable>(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
) -> Response {
    match records::restore::<D>(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to(&format!("/{}/{id}", D::SEG)).into_response(),
        Err(AppError::Conflict(_)) => Redirect::to(&format!("/{}/{id}", D::SEG)).into_response(),
        Err(e) => me.page.error(e),
    }
}

/// The records of a kind in the trash, newest first, each with Restore.
pub async fn trash<D: Editable>(State(s): State<AppState>, me: Me) -> Response {
    let page = &me.page;
    let params = [
        ("trashed".to_owned(), "true".to_owned()),
        ("sort".to_owned(), "-updated_at".to_owned()),
        ("limit".to_owned(), "100".to_owned()),
    ];
    let rows = match records::list::<D>(&s.app, me.actor(), &params).await {
        Ok(l) => l.rows,
        Err(e) => return page.error(e),
    };
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "title": r.data.title(),
                "subtitle": page.subtitle(D::KIND, r.data.subtitle()),
                "deleted_at": r.meta.deleted_at,
                "merged": r.meta.merged_into_id.is_some(),
            })
        })
        .collect();
    page.render(
        StatusCode::OK,
        "shared/trash.html",
        json!({
            "nav": D::SEG,
            "seg": D::SEG,
            "list_key": format!("nav-{}", D::SEG),
            "rows": rows,
        }),
    )
}
