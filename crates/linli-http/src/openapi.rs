//! The OpenAPI 3.1 document, assembled from the same routers the server runs, so a route cannot
//! exist without being documented (`clippy.toml` forbids `Router::route` elsewhere).

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        (name = "equipment"), (name = "billing"), (name = "meters")
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
        .merge(routes::auth::router())
        .merge(routes::projects::router())
        .merge(routes::buildings::router())
        .merge(routes::houses::router())
        .merge(routes::people::router())
        .merge(routes::bindings::router())
        .merge(routes::imports::router())
        .merge(routes::notifications::router())
        .merge(routes::users::router())
        .merge(routes::audit::router())
        .merge(routes::equipment::router())
        .merge(routes::fees::router())
        .merge(routes::bills::router())
        .merge(routes::billing_reports::router())
        .merge(routes::attachments::router())
        .merge(routes::meters::router())
        .merge(routes::served_elsewhere::router())
}

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

/// Served by a plain route: the document describes `/api/openapi.json` in `routes::served_elsewhere`.
#[allow(clippy::disallowed_methods)]
pub(crate) fn document_route() -> Router<App> {
    Router::new().route("/api/openapi.json", get(document))
}
