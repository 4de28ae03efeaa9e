//! Extractors: the signed-in user (session cookie or bearer token, CSRF for cookie writes),
//! JSON and query parsing whose failures are problem+json with field paths, and the spreadsheet
//! upload of imports. Body limits: `MAX_BODY` for every route, `MAX_IMPORT_BODY` for imports,
//! `attachments::MAX_BODY` for attachments; a body over its limit answers 413 `body_too_large`.
//! Rejections of axum's own extractors (a path parameter that does not parse…) are turned into
//! problem+json by `error::problem_for_rejections`, for every route.

use std::net::SocketAddr;

use axum::extract::Multipart;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use linli_auth::User;
use linli_core::{Authz, Code, Error, FieldError};
use serde::de::DeserializeOwned;

use crate::App;
use crate::error::ApiError;

/// The largest request body an API route reads unless it says otherwise (JSON bodies).
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// The largest spreadsheet upload an import reads: a 100,000-house CSV is about 4 MB; what the
/// file unpacks to and its rows are capped again by `linli_import::read_sheet`.
pub const MAX_IMPORT_BODY: usize = 32 * 1024 * 1024;

pub const SESSION_COOKIE: &str = "linli_session";
pub const CSRF_COOKIE: &str = "linli_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The authenticated caller. Every data endpoint takes one; services check permissions on it.
pub struct CurrentUser {
    pub authz: Authz,
    pub user: User,
    pub token: String,
}

/// The client's address: the peer's, or the one a trusted proxy forwarded (`App::trusted_proxies`);
/// `None` when the server was started without connect info.
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
            return Ok(ClientIp(None));
        };
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        Ok(ClientIp(Some(app.trusted_proxies.client(peer, &forwarded).to_string())))
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
pub(crate) fn same(a: &str, b: &str) -> bool {
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

/// A JSON body; syntax errors are 400, wrong or missing fields 422 naming the field, and so is
/// a text holding a control character (`control_character`, see `linli_core::text`).
pub struct ApiJson<T>(pub T);

fn data_error(path: &str, inner: &serde_json::Error) -> Error {
    let msg = inner.to_string();
    let (field, code) = if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path.is_empty() || path == "." { name.to_string() } else { format!("{path}.{name}") };
        (field, "required")
    } else {
        let code = linli_core::date::code_of(&msg).unwrap_or("invalid");
        (if path.is_empty() || path == "." { "body".to_string() } else { path.to_string() }, code)
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
        let bytes = bytes::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge(Code::BodyTooLarge)
            } else {
                Error::Malformed(format!("reading body: {e}"))
            }
        })?;
        // Read as a document first: every text in it is checked for control characters here,
        // once for all request types, before it is read into its type. Fields the type does not
        // have are ignored, so what they hold is not checked either.
        let mut doc: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| Error::Malformed(format!("invalid JSON: {e}")))?;
        if !doc.is_object() {
            // Every request body is an object; serde would read a struct from an array too.
            return Err(Error::invalid("body", "invalid").into());
        }
        integral_numbers_as_integers(&mut doc);
        let mut stored = doc.clone();
        let mut ignored: Vec<Vec<Step>> = Vec::new();
        let mut note_ignored = |path: serde_ignored::Path<'_>| ignored.push(steps(&path));
        let read = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(doc, &mut note_ignored));
        match read {
            Ok(v) => {
                // Checked once the body was read: only then is every ignored field known.
                for path in &ignored {
                    prune(&mut stored, path);
                }
                let control = linli_core::text::control_characters(&stored);
                if control.is_empty() { Ok(ApiJson(v)) } else { Err(Error::Validation(control).into()) }
            }
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

/// One step of the way to a field that the request type ignored.
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &serde_ignored::Path<'_>) -> Vec<Step> {
    use serde_ignored::Path;
    match path {
        Path::Root => Vec::new(),
        Path::Seq { parent, index } => {
            let mut s = steps(parent);
            s.push(Step::Index(*index));
            s
        }
        Path::Map { parent, key } => {
            let mut s = steps(parent);
            s.push(Step::Key(key.clone()));
            s
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => steps(parent),
    }
}

/// Takes an ignored field out of the document, so only what is read gets checked.
fn prune(v: &mut serde_json::Value, path: &[Step]) {
    use serde_json::Value;
    match (path, v) {
        ([Step::Key(k)], Value::Object(m)) => {
            m.remove(k);
        }
        ([Step::Index(i)], Value::Array(a)) => {
            if let Some(item) = a.get_mut(*i) {
                *item = Value::Null;
            }
        }
        ([Step::Key(k), rest @ ..], Value::Object(m)) => {
            if let Some(child) = m.get_mut(k) {
                prune(child, rest);
            }
        }
        ([Step::Index(i), rest @ ..], Value::Array(a)) => {
            if let Some(child) = a.get_mut(*i) {
                prune(child, rest);
            }
        }
        _ => {}
    }
}

/// JSON does not tell `369` from `369.0` (JSON Schema's `integer` admits both), but serde's
/// integers refuse a float: whole floats become integers before the body is read.
fn integral_numbers_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    // i64's range: a float without fraction inside it is that integer (beyond 2^53 not every
    // integer is a float, but every such float is an integer). The bottom is left out: an
    // integer below i64's range (`-9223372036854775809`, which serde reads as a float) rounds to
    // exactly -2^63, and must be refused, not read as i64::MIN.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f > -LIMIT
                && f < LIMIT
            {
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *v = Value::from(i);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// The `file` field of a `multipart/form-data` import: its name and bytes. A body over the
/// route's limit (`MAX_IMPORT_BODY` on import routes) is 413 `body_too_large`, a broken form 400.
pub struct SheetUpload {
    pub file_name: String,
    pub bytes: bytes::Bytes,
}

fn multipart_error(status: StatusCode, text: &str) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge(Code::BodyTooLarge)
    } else {
        Error::Malformed(format!("multipart: {text}"))
    }
}

impl<S: Send + Sync> FromRequest<S> for SheetUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut form =
            Multipart::from_request(req, state).await.map_err(|e| multipart_error(e.status(), &e.body_text()))?;
        let broken = |e: axum::extract::multipart::MultipartError| multipart_error(e.status(), &e.body_text());
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(broken)? {
            if field.name() != Some("file") {
                // The document says the form has `file` only (`deny_unknown_fields`).
                return Err(Error::invalid("form", "unknown_field").into());
            }
            let file_name = field.file_name().unwrap_or("upload.csv").to_string();
            let bytes = field.bytes().await.map_err(broken)?;
            file = Some(SheetUpload { file_name, bytes });
        }
        file.ok_or_else(|| Error::invalid("file", "required").into())
    }
}

/// Query parameters; a value of the wrong type is 422 naming the parameter (with the date
/// deserialisers' field code when one refused it).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        // A query text holds no control character either (PostgreSQL refuses a NUL in text).
        if let Some((name, _)) =
            form_urlencoded_parse(q).find(|(_, v)| linli_core::text::has_control_character(v, false))
        {
            return Err(ApiError(Error::Validation(vec![FieldError::new(
                name.chars().filter(|c| !c.is_control()).collect::<String>(),
                linli_core::text::CONTROL_CHARACTER,
            )])));
        }
        let mut pairs: Vec<(String, String)> = form_urlencoded_parse(q).into_owned().collect();
        let mut read = read_query::<T>(&pairs);
        // A whole number written with a zero fraction (`page=2.0`) is that integer: retried for
        // the one parameter that did not read, so a text like `q=1.0` is never rewritten.
        for _ in 0..pairs.len() {
            let Err(e) = &read else { break };
            let failed = e.path().to_string();
            let mut changed = false;
            for (name, value) in &mut pairs {
                if *name == failed
                    && let Some(i) = crate::whole_numbers::integral(value)
                {
                    *value = i.to_string();
                    changed = true;
                }
            }
            if !changed {
                break;
            }
            read = read_query::<T>(&pairs);
        }
        read.map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let msg = e.inner().to_string();
            let field =
                msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map_or(field, str::to_string);
            let code = linli_core::date::code_of(&msg).unwrap_or(if msg.starts_with("must be between") {
                "out_of_range"
            } else {
                "invalid"
            });
            ApiError(Error::Validation(vec![FieldError::new(field, code)]))
        })
    }
}

fn read_query<T: DeserializeOwned>(
    pairs: &[(String, String)],
) -> Result<T, serde_path_to_error::Error<serde_urlencoded::de::Error>> {
    let q = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(form_urlencoded_parse(&q)))
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
