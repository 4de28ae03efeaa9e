//! Extractors: the signed-in user (session cookie or bearer token, CSRF for cookie writes),
//! and JSON and query parsing whose failures are problem+json with field paths.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use linli_auth::User;
use linli_core::{Authz, Code, Error, FieldError};
use serde::de::DeserializeOwned;

use crate::App;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "linli_session";
pub const CSRF_COOKIE: &str = "linli_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The authenticated caller. Every data endpoint takes one; services check permissions on it.
pub struct CurrentUser {
    pub authz: Authz,
    pub user: User,
    pub token: String,
}

/// The peer address, when the server was started with connect info.
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())))
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let t = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))?;
    Some(t.trim().to_string())
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Compares without an early exit, so the time taken does not reveal a matching prefix.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<App> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, app).await.unwrap_or(ClientIp(None));
        let (token, via_cookie) = if let Some(t) = bearer(parts) {
            (t, false)
        } else {
            let jar = CookieJar::from_headers(&parts.headers);
            let t = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
            (t.ok_or(Error::Unauthenticated(Code::Unauthenticated))?, true)
        };
        let session = app
            .auth
            .authenticate(&token, ip, Utc::now())
            .await?
            .ok_or(Error::Unauthenticated(Code::Unauthenticated))?;
        if via_cookie && !is_safe(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same(sent, &session.csrf_token) {
                return Err(Error::Forbidden(Code::CsrfFailed).into());
            }
        }
        Ok(CurrentUser { authz: session.authz, user: session.user, token })
    }
}

/// A JSON body; syntax errors are 400, wrong or missing fields 422 naming the field.
pub struct ApiJson<T>(pub T);

fn data_error(path: &str, inner: &serde_json::Error) -> Error {
    let msg = inner.to_string();
    let (field, code) = if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path.is_empty() || path == "." { name.to_string() } else { format!("{path}.{name}") };
        (field, "required")
    } else {
        (if path.is_empty() || path == "." { "body".to_string() } else { path.to_string() }, "invalid")
    };
    Error::Validation(vec![FieldError::new(field, code)])
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !json {
            return Err(Error::Malformed("expected Content-Type: application/json".into()).into());
        }
        let bytes =
            bytes::Bytes::from_request(req, state).await.map_err(|e| Error::Malformed(format!("reading body: {e}")))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_data() {
                    Err(data_error(&path, &inner).into())
                } else {
                    Err(Error::Malformed(format!("invalid JSON: {inner}")).into())
                }
            }
        }
    }
}

/// Query parameters; a value of the wrong type is 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let msg = e.inner().to_string();
            let field =
                msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map_or(field, str::to_string);
            ApiError(Error::Validation(vec![FieldError::new(field, "invalid")]))
        })
    }
}

/// `?page=&page_size=` to a request, defaults filled in and capped.
pub fn page(page: Option<u64>, page_size: Option<u64>) -> linli_core::PageRequest {
    let d = linli_core::PageRequest::default();
    linli_core::PageRequest { page: page.unwrap_or(d.page), page_size: page_size.unwrap_or(d.page_size) }.clamped()
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_compare_matches_only_equal_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
