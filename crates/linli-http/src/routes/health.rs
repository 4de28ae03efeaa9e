use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub version: &'static str,
}

/// Liveness and the storage backend in use.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()), responses((status = 200, body = Health)))]
async fn healthz(State(app): State<App>) -> Json<Health> {
    Json(Health { status: "ok", database: app.database, version: env!("CARGO_PKG_VERSION") })
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(healthz))
}
