//! RFC 3986 percent-encoding as Aliyun's RPC signature wants it, and the reading of
//! `application/x-www-form-urlencoded` text the way an HTTP server does.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - _ . ~`) is encoded, so a space
/// is `%20` (never `+`), `*` is `%2A` and `~` stays `~`: the rules Aliyun's signature documents.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub(crate) fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// `a=1&b=x%20y` → `[("a","1"),("b","x y")]`, in order; `+` means a space as in any HTML form.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_rfc_3986_not_html_forms() {
        assert_eq!(percent_encode("a b*c~d-e_f.g"), "a%20b%2Ac~d-e_f.g");
        assert_eq!(percent_encode("/=&+:"), "%2F%3D%26%2B%3A");
        assert_eq!(percent_encode("{\"x\":\"物业\"}"), "%7B%22x%22%3A%22%E7%89%A9%E4%B8%9A%22%7D");
    }

    #[test]
    fn form_text_decodes_plus_and_percent_escapes() {
        assert_eq!(
            parse_form("a=1&b=x%20y+z&c=%E7%89%A9&d"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y z".to_owned()),
                ("c".to_owned(), "物".to_owned()),
                ("d".to_owned(), String::new()),
            ]
        );
    }
}
