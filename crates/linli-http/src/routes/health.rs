use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;

/// How long `/healthz` waits for the database: a load balancer's probe must not hang.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub version: &'static str,
}

/// Liveness and readiness: the storage backend in use, and whether it answers a query within
/// two seconds (503 with `Retry-After` when it does not).
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, body = Health), (status = 503, description = "The database does not answer", body = Health)))]
async fn healthz(State(app): State<App>) -> Response {
    let (status, text) = match app.probe.ping(DATABASE_TIMEOUT).await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = Health { status: text, database: app.database, version: env!("CARGO_PKG_VERSION") };
    let mut res = (status, Json(body)).into_response();
    if status != StatusCode::OK {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    res
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(healthz))
}
