//! The embedded web app: files by path with cache headers, `index.html` for client-side routes,
//! and problem+json 404s for unknown API paths.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use linli_core::Code;

use crate::error::problem;

pub(crate) async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") || path == "api" || path == "healthz" {
        return problem(StatusCode::NOT_FOUND, Code::NotFound, None, vec![]);
    }
    if let Some(file) = linli_web_assets::get(path) {
        // Vite names assets by content hash: they never change under the same name.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return ([(header::CONTENT_TYPE, file.mime), (header::CACHE_CONTROL, cache)], file.bytes).into_response();
    }
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match linli_web_assets::get("index.html") {
        Some(index) => {
            ([(header::CONTENT_TYPE, index.mime), (header::CACHE_CONTROL, "no-cache")], index.bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "the web app was not built into this binary").into_response(),
    }
}
