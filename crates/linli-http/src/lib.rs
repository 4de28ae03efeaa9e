//! The HTTP API: one axum router per module, the extractors that authenticate and authorise,
//! errors as problem+json, the OpenAPI document, and the embedded web app. Handlers stay thin:
//! parse, call a service with the caller's `Authz`, shape the answer.

mod app;
mod client_ip;
mod download;
mod error;
mod extract;
mod files;
mod metrics;
mod openapi;
mod routes;
mod security;
mod web;
mod whole_numbers;

pub use app::App;
pub use client_ip::TrustedProxies;
pub use error::{ApiError, Problem};
pub use extract::{MAX_BODY, MAX_IMPORT_BODY};
pub use metrics::router as metrics_router;
pub use openapi::{api_router, openapi_document};
pub use security::CONTENT_SECURITY_POLICY;

/// The whole service: API, health, metrics and the web app.
pub fn router(app: App) -> axum::Router {
    // Outside the app's router, so the path is rewritten before it is routed.
    axum::Router::new().fallback_service(app::router(app)).layer(axum::middleware::map_request(whole_numbers::paths))
}
