use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use linli_people::PersonHouses;
use linli_people::binding::{BindingConfirm, BindingRequest, CodeSent};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, CurrentUser};

/// Sends a one-time code to the owner's phone (when it belongs to an owner; the answer, its
/// limits and its timing are the same either way). One request a minute per phone, three an
/// hour per account and phone, five an hour per account; 429 with `Retry-After` beyond.
#[utoipa::path(post, path = "/api/v1/bindings/code", tag = "people", request_body = BindingRequest,
    responses((status = 202, body = CodeSent), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn request_binding_code(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(req): ApiJson<BindingRequest>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    Ok((StatusCode::ACCEPTED, Json(app.people.request_binding(&user.authz, req, Utc::now()).await?)))
}

/// Binds the signed-in account to the owner's houses with the code; grants `resident` there.
/// Five tries an hour per account and phone, ten per account, twenty per phone; 429 beyond.
#[utoipa::path(post, path = "/api/v1/bindings", tag = "people", request_body = BindingConfirm,
    responses((status = 200, body = PersonHouses), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn confirm_binding(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(req): ApiJson<BindingConfirm>,
) -> ApiResult<Json<PersonHouses>> {
    Ok(Json(app.people.confirm_binding(&user.authz, req, Utc::now()).await?))
}

/// The houses the signed-in resident is bound to.
#[utoipa::path(get, path = "/api/v1/bindings", tag = "people",
    responses((status = 200, body = PersonHouses), (status = 401, body = Problem)))]
async fn my_houses(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<PersonHouses>> {
    Ok(Json(app.people.my_houses(&user.authz).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(request_binding_code)).routes(routes!(my_houses, confirm_binding))
}
