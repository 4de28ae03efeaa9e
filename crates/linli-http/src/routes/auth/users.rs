use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_auth::{Grant, NewGrant, NewUser, PasswordChange, Role, User, UserPatch};
use linli_core::{Id, Page};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use linli_core::PageRequest;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of the username, name or phone.
    pub q: Option<String>,
}

/// Staff and resident accounts the caller may see.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery, PageRequest),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem)))]
async fn list_users(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<UserQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(app.users.list(&user.authz, q.q.as_deref(), page).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(app.users.create(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
async fn get_user(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<User>> {
    Ok(Json(app.users.get(&user.authz, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_user(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<User>> {
    Ok(Json(app.users.update(&user.authz, id, patch).await?))
}

/// Disables the account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn disable_user(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<User>> {
    Ok(Json(app.users.set_disabled(&user.authz, id, true).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
async fn enable_user(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<User>> {
    Ok(Json(app.users.set_disabled(&user.authz, id, false).await?))
}

/// Sets a new password and ends the user's sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = PasswordChange,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_user_password(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(c): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    app.users.set_password(&user.authz, id, c).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users/{id}/grants", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Grant>), (status = 404, body = Problem)))]
async fn list_user_grants(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Grant>>> {
    Ok(Json(app.users.grants(&user.authz, id).await?))
}

/// Grants a role on a project, or on every project when `project_id` is null.
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "users", params(("id" = i64, Path)), request_body = NewGrant,
    responses((status = 201, body = Grant), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_user_grant(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(g): ApiJson<NewGrant>,
) -> ApiResult<(StatusCode, Json<Grant>)> {
    Ok((StatusCode::CREATED, Json(app.users.add_grant(&user.authz, id, g).await?)))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "users",
    params(("id" = i64, Path), ("grant_id" = i64, Path)), responses((status = 204), (status = 404, body = Problem)))]
async fn remove_user_grant(
    State(app): State<App>,
    user: CurrentUser,
    Path((id, grant_id)): Path<(Id, Id)>,
) -> ApiResult<StatusCode> {
    app.users.remove_grant(&user.authz, id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roles that can be granted, with their permissions.
#[utoipa::path(get, path = "/api/v1/roles", tag = "users", responses((status = 200, body = Vec<Role>), (status = 403, body = Problem)))]
async fn list_roles(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Vec<Role>>> {
    Ok(Json(app.users.roles(&user.authz).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(set_user_password))
        .routes(routes!(list_user_grants, add_user_grant))
        .routes(routes!(remove_user_grant))
        .routes(routes!(list_roles))
}
