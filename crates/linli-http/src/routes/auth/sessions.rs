use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::Utc;
use linli_auth::{Me, OwnPasswordChange};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, CSRF_COOKIE, ClientIp, CurrentUser, SESSION_COOKIE};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Username or phone number.
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>` from API clients.
    pub token: String,
    /// Send as `X-CSRF-Token` on cookie-authenticated writes (also in the `linli_csrf` cookie).
    pub csrf_token: String,
    pub user: Me,
}

fn cookie(name: &'static str, value: String, http_only: bool, secure: bool, max_age_days: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(max_age_days))
        .build()
}

/// Sign in; answers a bearer token and sets the session cookie. Throttled by account and source
/// (429 with `Retry-After`): five failures for an account from one address, thirty from one
/// address on any accounts, or twenty for an account from everywhere (then slowed, not locked:
/// an address that has not failed still signs in). The README has the exact rule.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 429, body = Problem), (status = 422, body = Problem)))]
async fn login(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<(CookieJar, Json<LoginResponse>)> {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let done = app.auth.login(&req.username, &req.password, ip, ua, Utc::now()).await?;
    let days = linli_auth::SESSION_DAYS;
    let jar = jar.add(cookie(SESSION_COOKIE, done.token.clone(), true, app.secure_cookies, days)).add(cookie(
        CSRF_COOKIE,
        done.csrf_token.clone(),
        false,
        app.secure_cookies,
        days,
    ));
    Ok((jar, Json(LoginResponse { token: done.token, csrf_token: done.csrf_token, user: done.me })))
}

/// The signed-in user with grants, projects and permissions.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Me>> {
    Ok(Json(app.auth.me(&user.authz, &user.user).await?))
}

/// Revokes the session (cookie or bearer token) and clears the cookies.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn logout(State(app): State<App>, user: CurrentUser, jar: CookieJar) -> ApiResult<(StatusCode, CookieJar)> {
    app.auth.logout(&user.authz, &user.token).await?;
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/")).remove(Cookie::build(CSRF_COOKIE).path("/"));
    Ok((StatusCode::NO_CONTENT, jar))
}

/// Changes the signed-in user's own password: the current one is required (five wrong ones in
/// 15 minutes answer 429), the new one follows the account rules. Every other session of the
/// user ends; this one stays.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = OwnPasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn change_password(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(change): ApiJson<OwnPasswordChange>,
) -> ApiResult<StatusCode> {
    app.auth.change_own_password(&user.authz, &user.token, change, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(me))
        .routes(routes!(logout))
        .routes(routes!(change_password))
}
