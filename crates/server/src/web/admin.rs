//! Administration: users, roles (the permission matrix), teams, territories and custom
//! fields. Only for people whose role allows `admin` on `settings`; everyone else gets
//! the 403 page (and no menu entry).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};

use cartera_app::roles::RoleChange;
use cartera_app::teams::{NewTeam, TeamChange};
use cartera_app::territories::{NewTerritory, TerritoryChange};
use cartera_app::users::{NewUser, UserChange};
use cartera_app::{AppError, custom_fields, roles, teams, territories, users};
use cartera_core::Id;
use cartera_core::custom_fields::FieldType;
use cartera_core::record::RecordKind;
use cartera_core::roles::{ADMIN_KEY, Action, Module, Permissions, Visibility};
use cartera_core::territories::Rules;

use super::forms::{Fields, FormErrors, list, place};
use super::render::{Me, PageId};
use crate::state::AppState;

/// The 403 page, unless the role administers settings.
fn refused(me: &Me) -> Option<Response> {
    me.actor()
        .permit(Module::Settings, Action::Admin)
        .err()
        .map(|e| me.page.error(e))
}

/// Renders an administration page with the people and roles most pages pick from.
async fn render(
    s: &AppState,
    me: &Me,
    status: StatusCode,
    template: &str,
    tab: &str,
    extra: Value,
) -> Response {
    let actor = me.actor();
    let people = match users::list(&s.app, actor).await {
        Ok(p) => p,
        Err(e) => return me.page.error(e),
    };
    let roles = match roles::list(&s.app, actor).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let mut ctx = Map::new();
    ctx.insert("nav".into(), "admin".into());
    ctx.insert("tab".into(), tab.into());
    ctx.insert(
        "people".into(),
        people
            .iter()
            .map(|u| json!({"id": u.id, "name": u.name, "email": u.email, "active": u.active, "role_id": u.role_id, "locale": u.locale}))
            .collect::<Vec<_>>()
            .into(),
    );
    ctx.insert(
        "roles".into(),
        roles
            .iter()
            .map(|r| json!({"id": r.id, "key": r.key, "name": r.name, "visibility": r.visibility.as_str(), "built_in": r.built_in}))
            .collect::<Vec<_>>()
            .into(),
    );
    ctx.insert("errors".into(), json!({}));
    if let Value::Object(m) = extra {
        ctx.extend(m);
    }
    me.page.render(status, template, Value::Object(ctx))
}

fn errors_json(e: FormErrors) -> Value {
    json!({"errors": e.fields, "general_error": e.general})
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(m), Value::Object(more)) = (&mut a, b) {
        m.extend(more);
    }
    a
}

pub async fn home(me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    Redirect::to("/admin/users").into_response()
}

// ---------- Users ----------

pub async fn users_page(State(s): State<AppState>, me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    render(
        &s,
        &me,
        StatusCode::OK,
        "admin/admin_users.html",
        "users",
        json!({"form": {"locale": "es", "time_zone": "America/Argentina/Buenos_Aires"}}),
    )
    .await
}

pub async fn invite(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let input = NewUser {
        email: f.get("email"),
        name: f.get("name"),
        role_id: f.opt_id("role_id"),
        locale: Some(f.get("locale")).filter(|l| !l.is_empty()),
        time_zone: Some(f.get("time_zone")).filter(|t| !t.is_empty()),
    };
    match users::invite(&s.app, me.actor(), input).await {
        Ok(u) => {
            Redirect::to(&format!("/admin/users?invited={}#user-{}", u.id, u.id)).into_response()
        }
        Err(AppError::Invalid(v)) => {
            let e = place(&me.page, v, |p| match p {
                "email" => Some("email"),
                "name" => Some("name"),
                "role_id" => Some("role_id"),
                "locale" => Some("locale"),
                "time_zone" => Some("time_zone"),
                _ => None,
            });
            let extra = merge(
                errors_json(e),
                json!({"form": f.as_json(), "open_invite": true}),
            );
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/admin_users.html",
                "users",
                extra,
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

/// A user's role, or whether they may log in.
pub async fn change_user(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let change = UserChange {
        role_id: f.opt_id("role_id"),
        active: match f.get("active").as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        ..UserChange::default()
    };
    match users::update(&s.app, me.actor(), id, change).await {
        Ok(_) => Redirect::to(&format!("/admin/users?saved={id}#user-{id}")).into_response(),
        Err(AppError::Invalid(v)) => {
            let e = place(&me.page, v, |_| None);
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/admin_users.html",
                "users",
                merge(errors_json(e), json!({"form": {"locale": "es"}})),
            )
            .await
        }
        Err(AppError::LastAdmin) => {
            let e = FormErrors {
                general: Some(me.page.t("admin-last-admin")),
                ..FormErrors::default()
            };
            render(
                &s,
                &me,
                StatusCode::CONFLICT,
                "admin/admin_users.html",
                "users",
                merge(errors_json(e), json!({"form": {"locale": "es"}})),
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

// ---------- Roles ----------

pub async fn roles_page(State(s): State<AppState>, me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    render(
        &s,
        &me,
        StatusCode::OK,
        "admin/admin_roles.html",
        "roles",
        json!({}),
    )
    .await
}

fn matrix(p: &Permissions) -> Vec<Value> {
    Module::ALL
        .iter()
        .map(|m| {
            json!({
                "module": m.as_str(),
                "actions": Action::ALL.iter().map(|a| json!({
                    "action": a.as_str(),
                    "on": cartera_core::roles::allows(p, *m, *a),
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

async fn render_role(s: &AppState, me: &Me, id: Id, status: StatusCode, extra: Value) -> Response {
    let role = match roles::get(&s.app, me.actor(), id).await {
        Ok(r) => r,
        Err(e) => return me.page.error(e),
    };
    let ctx = merge(
        json!({
            "role": {"id": role.id, "key": role.key, "name": role.name, "version": role.version,
                     "visibility": role.visibility.as_str(), "locked": role.key == ADMIN_KEY,
                     "built_in": role.built_in},
            "matrix": matrix(&role.permissions),
            "actions": Action::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            "visibilities": ["own", "team", "territory", "all"],
        }),
        extra,
    );
    render(s, me, status, "admin/admin_role.html", "roles", ctx).await
}

pub async fn role_page(State(s): State<AppState>, me: Me, PageId(id): PageId) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let saved = me.page.target.contains("saved=1");
    render_role(&s, &me, id, StatusCode::OK, json!({"saved": saved})).await
}

/// Saves the matrix as checked: a box left empty takes the action away.
pub async fn save_role(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let mut permissions: Permissions = BTreeMap::new();
    for value in f.all("perm") {
        let Some((m, a)) = value.split_once('.') else {
            continue;
        };
        let module = Module::ALL.into_iter().find(|x| x.as_str() == m);
        let action = Action::ALL.into_iter().find(|x| x.as_str() == a);
        if let (Some(m), Some(a)) = (module, action) {
            permissions.entry(m).or_default().insert(a);
        }
    }
    let change = RoleChange {
        name: Some(f.get("name")),
        permissions: Some(permissions),
        visibility: Visibility::parse(&f.get("visibility")),
    };
    let version = f.get("version").parse::<i64>().ok();
    match roles::update(&s.app, me.actor(), id, change, version).await {
        Ok(_) => Redirect::to(&format!("/admin/roles/{id}?saved=1")).into_response(),
        Err(AppError::Invalid(v)) => {
            let e = place(&me.page, v, |p| match p {
                "name" => Some("name"),
                _ => None,
            });
            render_role(
                &s,
                &me,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors_json(e),
            )
            .await
        }
        Err(AppError::Conflict(_)) | Err(AppError::Stale { .. }) => {
            let e = FormErrors {
                general: Some(me.page.t("admin-changed-meanwhile")),
                ..FormErrors::default()
            };
            render_role(&s, &me, id, StatusCode::CONFLICT, errors_json(e)).await
        }
        Err(AppError::LastAdmin) => {
            let e = FormErrors {
                general: Some(me.page.t("admin-last-admin")),
                ..FormErrors::default()
            };
            render_role(&s, &me, id, StatusCode::CONFLICT, errors_json(e)).await
        }
        Err(e) => me.page.error(e),
    }
}

// ---------- Teams ----------

pub async fn teams_page(State(s): State<AppState>, me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    teams_render(&s, &me, StatusCode::OK, json!({})).await
}

async fn teams_render(s: &AppState, me: &Me, status: StatusCode, extra: Value) -> Response {
    let list = match teams::list(&s.app, me.actor()).await {
        Ok(t) => t,
        Err(e) => return me.page.error(e),
    };
    render(
        s,
        me,
        status,
        "admin/admin_teams.html",
        "teams",
        merge(json!({"teams": list}), extra),
    )
    .await
}

fn team_errors(me: &Me, v: cartera_core::Violations) -> FormErrors {
    place(&me.page, v, |p| match p {
        "name" => Some("name"),
        "manager_id" => Some("manager_id"),
        p if p.starts_with("member_ids") => Some("member_ids"),
        _ => None,
    })
}

pub async fn create_team(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let input = NewTeam {
        name: f.get("name"),
        manager_id: f.opt_id("manager_id"),
        member_ids: f.ids("member_ids"),
    };
    match teams::create(&s.app, me.actor(), input).await {
        Ok(_) => Redirect::to("/admin/teams").into_response(),
        Err(AppError::Invalid(v)) => {
            let e = team_errors(&me, v);
            let extra = merge(
                errors_json(e),
                json!({"form": f.as_json(), "form_members": f.all("member_ids")}),
            );
            teams_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn update_team(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let change = TeamChange {
        name: Some(f.get("name")),
        manager_id: Some(f.opt_id("manager_id")),
        member_ids: Some(f.ids("member_ids")),
    };
    match teams::update(&s.app, me.actor(), id, change, None).await {
        Ok(_) => Redirect::to(&format!("/admin/teams#team-{id}")).into_response(),
        Err(AppError::Invalid(v)) => {
            let e = team_errors(&me, v);
            let extra = merge(errors_json(e), json!({"editing": id}));
            teams_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => me.page.error(e),
    }
}

// ---------- Territories ----------

pub async fn territories_page(State(s): State<AppState>, me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    territories_render(
        &s,
        &me,
        StatusCode::OK,
        json!({"form": {"priority": "100", "active": "true"}}),
    )
    .await
}

async fn territories_render(s: &AppState, me: &Me, status: StatusCode, extra: Value) -> Response {
    let list = match territories::list(&s.app, me.actor()).await {
        Ok(t) => t,
        Err(e) => return me.page.error(e),
    };
    let rows: Vec<Value> = list
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "priority": t.priority, "active": t.active,
                "owner_id": t.owner_id, "member_ids": t.member_ids,
                "countries": t.rules.countries.join(", "),
                "provinces": t.rules.provinces.join(", "),
                "cities": t.rules.cities.join(", "),
                "postal_code_prefixes": t.rules.postal_code_prefixes.join(", "),
                "industries": t.rules.industries.join(", "),
            })
        })
        .collect();
    let owner_wins = cartera_app::settings::get(&s.app, me.actor())
        .await
        .is_ok_and(|c| c.territory_owner_wins);
    render(
        s,
        me,
        status,
        "admin/admin_territories.html",
        "territories",
        merge(
            json!({"territories": rows, "owner_wins": owner_wins}),
            extra,
        ),
    )
    .await
}

/// Who gets the records the territory rules place: the creator who named an owner
/// (default), or always the territory's owner (`territory_owner_wins`).
pub async fn save_placement(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let wins = Fields::parse(&body).get("owner_wins") == "true";
    let patch = json!({"territory_owner_wins": wins});
    match cartera_app::settings::update(&s.app, me.actor(), patch).await {
        Ok(_) => Redirect::to("/admin/territories#placement").into_response(),
        Err(e) => me.page.error(e),
    }
}

fn rules_of(f: &Fields) -> Rules {
    Rules {
        countries: list(&f.get("countries")),
        provinces: list(&f.get("provinces")),
        cities: list(&f.get("cities")),
        postal_code_prefixes: list(&f.get("postal_code_prefixes")),
        industries: list(&f.get("industries")),
    }
}

fn territory_errors(me: &Me, v: cartera_core::Violations) -> FormErrors {
    place(&me.page, v, |p| {
        let p = p.strip_prefix("rules.").unwrap_or(p);
        let base = p.split(['[', '.']).next().unwrap_or(p);
        [
            "name",
            "priority",
            "countries",
            "provinces",
            "cities",
            "postal_code_prefixes",
            "industries",
            "owner_id",
            "member_ids",
        ]
        .into_iter()
        .find(|f| *f == base)
    })
}

/// A priority as typed; `Err` when it is not a whole number.
fn priority(f: &Fields) -> Result<Option<i32>, ()> {
    let p = f.get("priority");
    if p.is_empty() {
        Ok(None)
    } else {
        p.parse().map(Some).map_err(|_| ())
    }
}

pub async fn create_territory(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let form = merge(
        f.as_json(),
        json!({"member_ids": f.all("member_ids"), "active": f.get("active")}),
    );
    let Ok(priority) = priority(&f) else {
        let e = FormErrors::one("priority", me.page.t("violation-invalid-priority"));
        let extra = merge(errors_json(e), json!({"form": form}));
        return territories_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    };
    let input = NewTerritory {
        name: f.get("name"),
        priority,
        rules: rules_of(&f),
        owner_id: f.opt_id("owner_id"),
        member_ids: f.ids("member_ids"),
        active: Some(f.get("active") == "true"),
    };
    match territories::create(&s.app, me.actor(), input).await {
        Ok(t) => Redirect::to(&format!("/admin/territories#territory-{}", t.id)).into_response(),
        Err(AppError::Invalid(v)) => {
            let e = territory_errors(&me, v);
            let extra = merge(errors_json(e), json!({"form": form}));
            territories_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => me.page.error(e),
    }
}

pub async fn update_territory(
    State(s): State<AppState>,
    me: Me,
    PageId(id): PageId,
    body: Bytes,
) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let Ok(priority) = priority(&f) else {
        let e = FormErrors::one("priority", me.page.t("violation-invalid-priority"));
        let extra = merge(
            errors_json(e),
            json!({"editing": id, "form": {"priority": "100", "active": "true"}}),
        );
        return territories_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    };
    let change = TerritoryChange {
        name: Some(f.get("name")),
        priority,
        rules: Some(rules_of(&f)),
        owner_id: Some(f.opt_id("owner_id")),
        member_ids: Some(f.ids("member_ids")),
        active: Some(f.get("active") == "true"),
    };
    match territories::update(&s.app, me.actor(), id, change, None).await {
        Ok(_) => Redirect::to(&format!("/admin/territories#territory-{id}")).into_response(),
        Err(AppError::Invalid(v)) => {
            let e = territory_errors(&me, v);
            let extra = merge(
                errors_json(e),
                json!({"editing": id, "form": {"priority": "100", "active": "true"}}),
            );
            territories_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => me.page.error(e),
    }
}

// ---------- Custom fields ----------

const FIELD_TYPES: [FieldType; 7] = [
    FieldType::Text,
    FieldType::Number,
    FieldType::Date,
    FieldType::Select,
    FieldType::MultiSelect,
    FieldType::Boolean,
    FieldType::Money,
];

pub async fn fields_page(State(s): State<AppState>, me: Me) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    fields_render(
        &s,
        &me,
        StatusCode::OK,
        json!({"form": {"record_kind": "account", "field_type": "text"}}),
    )
    .await
}

async fn fields_render(s: &AppState, me: &Me, status: StatusCode, extra: Value) -> Response {
    let defs = match custom_fields::list(&s.app, me.actor(), None).await {
        Ok(d) => d,
        Err(e) => return me.page.error(e),
    };
    let rows: Vec<Value> = defs
        .iter()
        .map(|d| {
            json!({
                "kind": d.data.record_kind.as_str(), "key": d.data.key, "label": d.data.label,
                "field_type": d.data.field_type.as_str(), "options": d.data.options.join(", "),
                "required": d.data.required,
            })
        })
        .collect();
    let ctx = merge(
        json!({
            "fields": rows,
            "kinds": RecordKind::all_where(|f| f.custom_fields).map(|k| k.as_str()).collect::<Vec<_>>(),
            "field_types": FIELD_TYPES.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        }),
        extra,
    );
    render(s, me, status, "admin/admin_fields.html", "fields", ctx).await
}

pub async fn create_field(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    if let Some(r) = refused(&me) {
        return r;
    }
    let f = Fields::parse(&body);
    let description = f.get("description");
    let body = json!({
        "record_kind": f.get("record_kind"),
        "key": f.get("key"),
        "label": f.get("label"),
        "field_type": f.get("field_type"),
        "options": list(&f.get("options")),
        "required": f.get("required") == "true",
        "description": if description.is_empty() { Value::Null } else { description.into() },
    });
    match custom_fields::create(&s.app, me.actor(), body).await {
        Ok(_) => Redirect::to("/admin/custom-fields").into_response(),
        Err(AppError::Invalid(v)) => {
            let e = place(&me.page, v, |p| {
                let base = p.split(['[', '.']).next().unwrap_or(p);
                [
                    "record_kind",
                    "key",
                    "label",
                    "field_type",
                    "options",
                    "description",
                ]
                .into_iter()
                .find(|f| *f == base)
            });
            let extra = merge(errors_json(e), json!({"form": f.as_json()}));
            fields_render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => me.page.error(e),
    }
}

/// The administration: people, roles, teams, territories, custom fields.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin", get(home))
        .route("/admin/users", get(users_page).post(invite))
        .route("/admin/users/{id}", post(change_user))
        .route("/admin/roles", get(roles_page))
        .route("/admin/roles/{id}", get(role_page).post(save_role))
        .route("/admin/teams", get(teams_page).post(create_team))
        .route("/admin/teams/{id}", post(update_team))
        .route(
            "/admin/territories",
            get(territories_page).post(create_territory),
        )
        .route("/admin/territories/{id}", post(update_territory))
        .route("/admin/territory-placement", post(save_placement))
        .route("/admin/custom-fields", get(fields_page).post(create_field))
}
