//! The OpenAPI 3.1 document, assembled from the same routers the server runs, so a route cannot
//! exist without being documented (`clippy.toml` forbids `Router::route` elsewhere).

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::App;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Linli (邻里) API", description = "Property management: projects, people, billing, service, facilities and security."),
    modifiers(&Security),
    tags(
        (name = "health"), (name = "auth"), (name = "property"), (name = "people"), (name = "imports"), (name = "notifications"), (name = "users"), (name = "audit"),
        (name = "equipment"), (name = "billing"), (name = "payments"), (name = "meters")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("linli_session"))),
        );
        doc.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session_cookie", Vec::<String>::new()),
        ]);
    }
}

/// Every documented route with its handler.
pub fn api_router() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::auth::sessions::router())
        .merge(routes::property::projects::router())
        .merge(routes::property::buildings::router())
        .merge(routes::property::houses::router())
        .merge(routes::people::persons::router())
        .merge(routes::people::bindings::router())
        .merge(routes::imports::router())
        .merge(routes::notify::messages::router())
        .merge(routes::auth::users::router())
        .merge(routes::audit::router())
        .merge(routes::equipment::register::router())
        .merge(routes::billing::fees::router())
        .merge(routes::billing::bills::router())
        .merge(routes::billing::counter::router())
        .merge(routes::billing::mine::router())
        .merge(routes::payments::router())
        .merge(routes::billing::reports::router())
        .merge(routes::equipment::attachments::router())
        .merge(routes::meters::router())
        .merge(routes::served_elsewhere::router())
}

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = api_router().split_for_parts().1;
    Problems.modify(&mut doc);
    PlainText.modify(&mut doc);
    doc
}

/// Every free text in a request body holds no control character (`ApiJson` refuses one with
/// `control_character`; multi-line fields may break lines), and a required text (`minLength` ≥ 1)
/// is more than blanks (its rule trims it). Said once here for every string of every schema a
/// request body uses that has no format, enumeration or pattern of its own.
struct PlainText;

/// A day as `YYYY-MM-DD`, as `linli_core::date` reads it.
const DATE: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
/// No C0 or C1 control character, nor DEL.
const NO_CONTROL: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
/// The same with line breaks and tabs allowed.
const NO_CONTROL_MULTILINE: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// No control character, and at least one character that is not white space.
const NOT_BLANK: &str =
    r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

impl PlainText {
    fn request_schemas(doc: &utoipa::openapi::OpenApi) -> std::collections::BTreeSet<String> {
        fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                        out.extend(r.rsplit('/').next().map(str::to_string));
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut todo = Vec::new();
        for item in doc.paths.paths.values() {
            let ops = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
            for body in ops.into_iter().flatten().filter_map(|op| op.request_body.as_ref()) {
                refs(&serde_json::to_value(body).unwrap_or_default(), &mut todo);
            }
        }
        let schemas = doc.components.as_ref().map(|c| &c.schemas);
        let mut seen = std::collections::BTreeSet::new();
        while let Some(name) = todo.pop() {
            if seen.insert(name.clone())
                && let Some(s) = schemas.and_then(|s| s.get(&name))
            {
                refs(&serde_json::to_value(s).unwrap_or_default(), &mut todo);
            }
        }
        seen
    }

    fn constrain(field: Option<&str>, schema: &mut serde_json::Value) {
        let Some(m) = schema.as_object_mut() else { return };
        let is_string = match m.get("type") {
            Some(serde_json::Value::String(t)) => t == "string",
            Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string && m.get("format").is_some_and(|f| f == "date") && !m.contains_key("pattern") {
            // `format` only annotates in OpenAPI 3.1; the pattern is what the strict parser takes.
            m.insert("pattern".into(), DATE.into());
        }
        // A password is free text too (`format: password` only tells a form to hide it).
        let free_text = m.get("format").is_none_or(|f| f == "password");
        if is_string && free_text && !m.contains_key("enum") && !m.contains_key("pattern") {
            let required = m.get("minLength").and_then(serde_json::Value::as_u64).is_some_and(|n| n >= 1);
            let pattern = if required {
                NOT_BLANK
            } else if field.is_some_and(linli_core::text::is_multiline) {
                NO_CONTROL_MULTILINE
            } else {
                NO_CONTROL
            };
            m.insert("pattern".into(), pattern.into());
        }
        if let Some(serde_json::Value::Object(props)) = m.get_mut("properties") {
            for (name, p) in props.iter_mut() {
                Self::constrain(Some(name), p);
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(inner) = m.get_mut(key) {
                Self::constrain(field, inner);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(serde_json::Value::Array(variants)) = m.get_mut(key) {
                for v in variants.iter_mut() {
                    Self::constrain(field, v);
                }
            }
        }
    }
}

impl Modify for PlainText {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        // Query texts too: `ApiQuery` refuses a control character in any of them.
        for item in doc.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                for p in op.parameters.iter_mut().flatten() {
                    if !matches!(p.parameter_in, ParameterIn::Query) {
                        continue;
                    }
                    let Some(schema) = p.schema.as_mut() else { continue };
                    let Ok(mut value) = serde_json::to_value(&*schema) else { continue };
                    Self::constrain(None, &mut value);
                    if let Ok(changed) = serde_json::from_value(value) {
                        *schema = changed;
                    }
                }
            }
        }
        let names = Self::request_schemas(doc);
        let Some(components) = doc.components.as_mut() else { return };
        for name in names {
            let Some(schema) = components.schemas.get_mut(&name) else { continue };
            let Ok(mut value) = serde_json::to_value(&*schema) else { continue };
            Self::constrain(None, &mut value);
            if let Ok(changed) = serde_json::from_value(value) {
                *schema = changed;
            }
        }
    }
}

/// Every error answer is `application/problem+json` with the `Problem` schema, and every operation
/// documents the errors the shared layers can give it whatever its handler does: 400 (a request
/// that does not parse), 401/403 (signed out, CSRF, no grant) when it is not public, 404 when its
/// path names something, 413/422 when it takes a body or query, 503 (database unreachable). The
/// handlers' annotations add their own (409, 429…). Applied after the routers are merged, so a
/// route cannot forget it.
struct Problems;

const PROBLEM_JSON: &str = "application/problem+json";

impl Problems {
    fn standard(path: &str, op: &Operation) -> Vec<(&'static str, &'static str)> {
        let public = op.security.as_ref().is_some_and(|reqs| {
            reqs.iter()
                .all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(serde_json::Map::is_empty)))
        });
        let has_query = op.parameters.iter().flatten().any(|p| matches!(p.parameter_in, ParameterIn::Query));
        let has_body = op.request_body.is_some();
        let mut out = vec![("400", "The request could not be read (code malformed_request)")];
        if !public {
            out.push(("401", "Not signed in (code unauthenticated)"));
            out.push(("403", "Not permitted, or a cookie write without its CSRF token"));
        }
        if !public && (path.contains('{') || has_body || has_query) {
            out.push(("404", "Not found, or not in the caller's projects (the path's or a referenced id)"));
        }
        if has_body {
            out.push(("413", "The body is over its limit (code body_too_large)"));
        }
        if has_body || has_query {
            out.push(("422", "Some fields are invalid (code validation_failed, with field errors)"));
        }
        out.push(("503", "The database is unreachable; retry after Retry-After seconds"));
        out
    }

    fn problem_content() -> Content {
        Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
    }
}

impl Modify for Problems {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(RefOr::T(Schema::Object(field_error))) =
            doc.components.as_mut().and_then(|c| c.schemas.get_mut("FieldError"))
        {
            let codes = serde_json::json!(linli_core::error::RULE_FIELD_CODES);
            field_error.extensions.get_or_insert_with(Default::default).insert("x-rule-codes".into(), codes);
        }
        for (path, item) in &mut doc.paths.paths {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
            ];
            for op in ops.into_iter().flatten() {
                for (status, description) in Self::standard(path, op) {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(description).build()));
                }
                for (status, response) in &mut op.responses.responses {
                    let RefOr::T(response) = response else { continue };
                    if status.starts_with(['4', '5']) {
                        let schema = response.content.shift_remove("application/json");
                        response.content.clear();
                        let content = schema.unwrap_or_else(Self::problem_content);
                        response.content.insert(PROBLEM_JSON.to_string(), content);
                    }
                }
            }
        }
    }
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

/// Served by a plain route: the document describes `/api/openapi.json` in `routes::served_elsewhere`.
#[allow(clippy::disallowed_methods)]
pub(crate) fn document_route() -> Router<App> {
    Router::new().route("/api/openapi.json", get(document))
}
