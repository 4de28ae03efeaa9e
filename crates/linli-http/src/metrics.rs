//! Prometheus metrics: request counts and latencies by route, served at `/metrics`. Route
//! names and counts tell an outsider what the office does, so `/metrics` is not open: on the app
//! port it is served only with `metrics_token` configured, to `Authorization: Bearer <token>`;
//! `metrics_bind` serves it on a listen address of its own (a scraper's network), with the same
//! token check when a token is configured.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
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

fn token_matches(headers: &HeaderMap, expected: &str) -> bool {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    crate::extract::same(sent, expected)
}

async fn render(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Some(token) = app.metrics_token.as_deref()
        && !token_matches(&headers, token)
    {
        let mut res = crate::error::problem(StatusCode::UNAUTHORIZED, linli_core::Code::Unauthenticated, None, vec![]);
        res.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        return res;
    }
    let body = app.metrics.as_ref().map(metrics_exporter_prometheus::PrometheusHandle::render).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// `/metrics` is for the scraper, not the API, so it is outside the OpenAPI document.
#[allow(clippy::disallowed_methods)]
pub(crate) fn route() -> Router<App> {
    Router::new().route("/metrics", get(render))
}

/// `/metrics` alone, for the `metrics_bind` listener.
pub fn router(app: App) -> Router {
    route().with_state(app)
}
