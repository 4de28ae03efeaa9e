use utoipa_axum::router::OpenApiRouter;

use crate::App;

/// The OpenAPI 3.1 document of this server.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health", security(()),
    responses((status = 200, description = "OpenAPI document", content_type = "application/json")))]
#[allow(dead_code)]
async fn openapi_json() {}

/// Documents the route only; `openapi::document_route` serves it (the document cannot contain itself
/// as a handler without a cycle).
pub fn router() -> OpenApiRouter<App> {
    let mut r = OpenApiRouter::new();
    r.get_openapi_mut().paths.add_path_operation(
        "/api/openapi.json",
        vec![utoipa::openapi::HttpMethod::Get],
        <__path_openapi_json as utoipa::Path>::operation(),
    );
    r
}
