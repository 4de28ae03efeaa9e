//! The embedded web app: files by path with cache headers, `index.html` for client-side routes,
//! and problem+json 404s for unknown API paths. Files the build precompressed are answered in
//! the encoding the client prefers (brotli, then gzip), with `Vary: Accept-Encoding`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use linli_core::Code;
use linli_web_assets::Asset;

use crate::error::problem;

/// Prints the page a button with `data-print` is on. Server-rendered pages (equipment labels)
/// load it instead of an inline `onclick`, which the Content-Security-Policy forbids.
pub const PRINT_SCRIPT_PATH: &str = "_linli/print.js";
const PRINT_SCRIPT: &str = "document.querySelectorAll('[data-print]').forEach(function (b) {\n  \
    b.addEventListener('click', function () { window.print() })\n})\n";

pub(crate) async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    // Server paths are never client-side routes: `/metrics` unconfigured is a 404, not the app.
    if path.starts_with("api/") || path == "api" || path == "healthz" || path == "metrics" {
        return problem(StatusCode::NOT_FOUND, Code::NotFound, None, vec![]);
    }
    if path == PRINT_SCRIPT_PATH {
        return (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
            PRINT_SCRIPT,
        )
            .into_response();
    }
    if let Some(file) = linli_web_assets::get(path) {
        // Vite names assets by content hash: they never change under the same name.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return answer(&file, cache, &headers);
    }
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match linli_web_assets::get("index.html") {
        Some(index) => answer(&index, "no-cache", &headers),
        None => (StatusCode::NOT_FOUND, "the web app was not built into this binary").into_response(),
    }
}

fn answer(file: &Asset, cache: &'static str, request: &HeaderMap) -> Response {
    let accept = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (bytes, encoding) = match (file.brotli, file.gzip) {
        (Some(br), _) if accepts(accept, "br") => (br, Some("br")),
        (_, Some(gz)) if accepts(accept, "gzip") => (gz, Some("gzip")),
        _ => (file.bytes, None),
    };
    let mut res = ([(header::CONTENT_TYPE, file.mime), (header::CACHE_CONTROL, cache)], bytes).into_response();
    let h = res.headers_mut();
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    if file.gzip.is_some() || file.brotli.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Whether an `Accept-Encoding` value admits `coding` (by name or `*`, with a q-value above 0).
fn accepts(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts
            .any(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_by_name_star_and_q_value() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=0.8", "gzip"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("gzip;q=0", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
    }
}
