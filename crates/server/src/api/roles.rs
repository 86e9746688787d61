//! Roles and the permission matrix, teams, and assigning a role to a user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use utoipa::openapi::path::HttpMethod;

use cartera_app::roles::{self, NewRole, RoleChange};
use cartera_app::teams::{self, NewTeam, TeamChange};
use cartera_app::users;
use cartera_app::users::{NewUser, UserChange};
use cartera_core::roles::{Role, Team};
use cartera_core::users::User;

use super::doc::{Api, Op, page_schema, register};
use super::extract::{Auth, IfMatch, Input, RecordId};
use super::records::Page;
use crate::problem::ApiError;
use crate::state::AppState;

async fn list(State(s): State<AppState>, Auth(actor): Auth) -> Result<Json<Page<Role>>, ApiError> {
    Ok(Json(Page {
        data: roles::list(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn read(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
) -> Result<Json<Role>, ApiError> {
    Ok(Json(roles::get(&s.app, &actor, id).await?))
}

async fn create(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewRole>,
) -> Result<(StatusCode, Json<Role>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(roles::create(&s.app, &actor, input).await?),
    ))
}

async fn update(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<RoleChange>,
) -> Result<Json<Role>, ApiError> {
    Ok(Json(
        roles::update(&s.app, &actor, id, change, version).await?,
    ))
}

async fn update_user(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    Input(change): Input<UserChange>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(users::update(&s.app, &actor, id, change).await?))
}

async fn invite_user(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(users::invite(&s.app, &actor, input).await?),
    ))
}

async fn list_teams(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Page<Team>>, ApiError> {
    Ok(Json(Page {
        data: teams::list(&s.app, &actor).await?,
        next_cursor: None,
    }))
}

async fn create_team(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Input(input): Input<NewTeam>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(teams::create(&s.app, &actor, input).await?),
    ))
}

async fn update_team(
    State(s): State<AppState>,
    Auth(actor): Auth,
    RecordId(id): RecordId,
    IfMatch(version): IfMatch,
    Input(change): Input<TeamChange>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(
        teams::update(&s.app, &actor, id, change, version).await?,
    ))
}

pub fn mount(mut api: Api) -> Api {
    let team = register::<Team>(&mut api.schemas);
    let team_page = page_schema(&mut api.schemas, "TeamPage", team.clone());
    register::<NewTeam>(&mut api.schemas);
    register::<TeamChange>(&mut api.schemas);
    let role = register::<Role>(&mut api.schemas);
    let page = page_schema(&mut api.schemas, "RolePage", role.clone());
    register::<NewRole>(&mut api.schemas);
    register::<RoleChange>(&mut api.schemas);
    register::<UserChange>(&mut api.schemas);
    super::doc::non_blank_fields(&mut api.schemas, "UserChange", &["name"]);
    register::<NewUser>(&mut api.schemas);
    let user = register::<User>(&mut api.schemas);
    api.route(
        HttpMethod::Get,
        "/api/v1/roles",
        get(list),
        Op::new("roles", "list_roles", "Roles and their permissions")
            .describe(
                "Built-in roles first. `permissions` maps a module (accounts, contacts, leads, \
                 notes, custom_fields, settings, audit) to the actions allowed in it (read, \
                 create, edit, delete, export, admin).",
            )
            .answer_schema(200, "Roles", page)
            .problems(&[403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/roles",
        post(create),
        Op::new("roles", "create_role", "Create a role")
            .body::<NewRole>("Key, name and permissions")
            .answer_schema(201, "The role", role.clone())
            .problems(&[400, 403, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/roles/{id}",
        get(read),
        Op::new("roles", "get_role", "Read a role")
            .path_param("id", "The role's id")
            .answer_schema(200, "The role", role.clone())
            .problems(&[403, 404]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/roles/{id}",
        patch(update),
        Op::new(
            "roles",
            "update_role",
            "Change a role's name or permissions",
        )
        .describe(
            "Applies to everyone holding the role from their next request. The \
                 administrator role's permissions cannot be narrowed. Taking `admin` on \
                 `settings` away from the role the last active administrators hold answers \
                 409 (`urn:cartera:problem:last-admin`).",
        )
        .path_param("id", "The role's id")
        .header("If-Match", "The version the change is based on")
        .body::<RoleChange>("The fields to change")
        .answer_schema(200, "The role", role)
        .problems(&[400, 403, 404, 409, 412, 422]),
    )
    .route(
        HttpMethod::Get,
        "/api/v1/teams",
        get(list_teams),
        Op::new(
            "teams",
            "list_teams",
            "Teams with their manager and members",
        )
        .answer_schema(200, "Teams by name", team_page)
        .problems(&[403]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/teams",
        post(create_team),
        Op::new("teams", "create_team", "Create a team")
            .describe(
                "A user whose role sees `team` sees the accounts, contacts and leads owned by \
                 the members of every team they manage or belong to.",
            )
            .body::<NewTeam>("Name, manager and members")
            .answer_schema(201, "The team", team.clone())
            .problems(&[400, 403, 422]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/teams/{id}",
        patch(update_team),
        Op::new(
            "teams",
            "update_team",
            "Change a team's name, manager or members",
        )
        .path_param("id", "The team's id")
        .header("If-Match", "The version the change is based on")
        .body::<TeamChange>("The fields to change; member_ids replaces the list")
        .answer_schema(200, "The team", team)
        .problems(&[400, 403, 404, 412, 422]),
    )
    .route(
        HttpMethod::Patch,
        "/api/v1/users/{id}",
        patch(update_user),
        Op::new(
            "users",
            "update_user",
            "Change a user's role, name, language, time zone or access",
        )
        .describe(
            "Deactivating ends the user's sessions and stops their tokens at once. A change \
             that would leave no active user able to administer (the last administrator's \
             role changed or deactivated) answers 409 (`urn:cartera:problem:last-admin`).",
        )
        .path_param("id", "The user's id")
        .body::<UserChange>("The fields to change")
        .answer_schema(200, "The user", user.clone())
        .problems(&[400, 403, 404, 409, 422]),
    )
    .route(
        HttpMethod::Post,
        "/api/v1/users",
        post(invite_user),
        Op::new("users", "invite_user", "Add a person to the team")
            .describe(
                "With a role (default sales_rep). They log in once they have a password \
                 (`cartera user password`).",
            )
            .body::<NewUser>("Email, name and optional role, language and time zone")
            .answer_schema(201, "The user", user)
            .problems(&[400, 403, 422]),
    )
}
