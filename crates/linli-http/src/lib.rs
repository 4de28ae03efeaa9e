//! The HTTP API: one axum router per module, the extractors that authenticate and authorise,
//! errors as problem+json, the OpenAPI document, and the embedded web app. Handlers stay thin:
//! parse, call a service with the caller's `Authz`, shape the answer.

mod app;
mod download;
mod error;
mod extract;
mod files;
mod metrics;
mod openapi;
mod routes;
mod web;

pub use app::App;
pub use error::{ApiError, Problem};
pub use openapi::{api_router, openapi_document};

/// The whole service: API, health, metrics and the web app.
pub fn router(app: App) -> axum::Router {
    app::router(app)
}
