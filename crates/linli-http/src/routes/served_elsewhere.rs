//! Routes served by plain axum routes (see `openapi::document_route`) but documented here, so
//! the document lists every API route the server has. `/metrics` is for the scraper and is
//! served only where configured (`metrics`), so it is not part of the API document.

use utoipa::openapi::HttpMethod;
use utoipa_axum::router::OpenApiRouter;

use crate::App;

/// The OpenAPI 3.1 document of this server.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health", security(()),
    responses((status = 200, description = "OpenAPI document", content_type = "application/json")))]
#[allow(dead_code, clippy::unused_async)]
async fn openapi_json() {}

pub fn router() -> OpenApiRouter<App> {
    let mut r = OpenApiRouter::new();
    let paths = &mut r.get_openapi_mut().paths;
    paths.add_path_operation(
        "/api/openapi.json",
        vec![HttpMethod::Get],
        <__path_openapi_json as utoipa::Path>::operation(),
    );
    r
}
