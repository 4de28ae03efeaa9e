//! Headers every answer carries: a Content-Security-Policy that allows no inline script, no
//! framing, a referrer policy, `nosniff`, `no-store` on API answers (they carry personal data),
//! and HSTS when the server is reached over HTTPS. A handler that sets one of these itself
//! (attachments: `sandbox`; downloads: their own caching) keeps its value.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::App;

/// Scripts and everything else only from this origin. Element Plus and Vant set `style`
/// attributes, hence `'unsafe-inline'` for styles only; images may be data/blob URLs (QR codes,
/// previews of uploads).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

fn set_default(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !h.contains_key(&name) {
        h.insert(name, HeaderValue::from_static(value));
    }
}

pub(crate) async fn headers(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path == "/healthz" || path == "/metrics";
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    set_default(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set_default(h, header::X_FRAME_OPTIONS, "DENY");
    set_default(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(h, header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    if api {
        set_default(h, header::CACHE_CONTROL, "no-store");
    }
    if app.https {
        set_default(h, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    res
}
