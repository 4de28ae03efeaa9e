//! Prometheus metrics: request counts and latencies by route, served at `/metrics`.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::App;

pub(crate) async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("linli_http_requests_total", &labels).increment(1);
    metrics::histogram!("linli_http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    res
}

async fn render(State(app): State<App>) -> Response {
    let body = app.metrics.as_ref().map(metrics_exporter_prometheus::PrometheusHandle::render).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// `/metrics` is for the scraper, not the API, so it is outside the OpenAPI document.
#[allow(clippy::disallowed_methods)]
pub(crate) fn route() -> Router<App> {
    Router::new().route("/metrics", get(render))
}
