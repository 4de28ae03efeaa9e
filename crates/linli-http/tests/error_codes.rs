//! Every stable error code the API can answer has a message in both languages of the web app.

use std::path::PathBuf;

use linli_core::Code;

fn locale(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/locales").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_web_app_translates_every_error_code() {
    for file in ["zh-CN.ts", "en.ts"] {
        let text = locale(file);
        let errors = &text[text.find("errors:").expect("an errors section")..];
        for code in Code::ALL {
            let key = format!("{}:", code.as_str());
            assert!(errors.contains(&key), "{file} has no message for error code {}", code.as_str());
        }
    }
}

#[test]
fn codes_are_unique_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for code in Code::ALL {
        let s = code.as_str();
        assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        assert!(seen.insert(s), "{s} twice");
        assert_eq!(serde_json::to_value(code).unwrap(), s, "serde and as_str agree");
    }
}
