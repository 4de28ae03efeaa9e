//! JSON Schema's `integer` admits `-442.0` as well as `-442`, and the API document says the ids
//! in paths and the numbers in queries are integers: a whole number written with a zero fraction
//! is read as that integer, in paths (rewritten before routing) and in queries (`ApiQuery`
//! retries the one parameter that did not read). JSON bodies do the same in `ApiJson`.

use axum::extract::Request;
use axum::http::Uri;

/// `-442.0`, `7.00` → `-442`, `7`; anything else is not a whole number written as a fraction.
pub(crate) fn integral(text: &str) -> Option<&str> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.')?;
    let ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b == b'0');
    ok.then(|| &text[..text.len() - fraction.len() - 1])
}

/// Rewrites whole-number path segments before the router reads the path's parameters.
pub(crate) async fn paths(mut req: Request) -> Request {
    let path = req.uri().path();
    if !path.split('/').any(|s| integral(s).is_some()) {
        return req;
    }
    let rewritten: Vec<&str> = path.split('/').map(|s| integral(s).unwrap_or(s)).collect();
    let mut target = rewritten.join("/");
    if let Some(q) = req.uri().query() {
        target.push('?');
        target.push_str(q);
    }
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = target.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

#[cfg(test)]
mod tests {
    use super::integral;

    #[test]
    fn only_whole_numbers_with_a_zero_fraction_are_rewritten() {
        assert_eq!(integral("-442.0"), Some("-442"));
        assert_eq!(integral("7.000"), Some("7"));
        for other in ["7", "7.5", "7.", ".0", "-.0", "a.0", "1e3", "", "1.0.0", "--1.0"] {
            assert_eq!(integral(other), None, "{other}");
        }
    }
}
