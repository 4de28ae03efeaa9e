//! Every stable error code the API can answer has a message in both languages of the web app.

use std::path::PathBuf;

use linli_core::Code;

fn locale(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/locales").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_web_app_translates_every_error_code() {
    // Error messages are in the part every page loads (`*.core.ts`).
    for file in ["zh-CN.core.ts", "en.core.ts"] {
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

/// Codes no longer answered, kept because codes are never removed (ADR 0010).
const RETIRED: [&str; 3] = ["building_not_empty", "unit_not_empty", "house_in_use"];

fn sources(dir: &std::path::Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Lemmy's rule: a code in the contract is a code the server answers. Every code but the
/// retired ones is named somewhere besides its HTTP title (the declaration, `text_enum!`,
/// does not write `Code::`); a retired one nowhere else.
#[test]
fn every_error_code_is_answered_somewhere() {
    let crates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut text = String::new();
    for c in std::fs::read_dir(&crates).unwrap().flatten() {
        let src = c.path().join("src");
        if src.is_dir() {
            sources(&src, &mut text);
        }
    }
    // The HTTP titles name every code once; a use is any other mention.
    for code in Code::ALL {
        let name = format!("{code:?}");
        let uses = text.matches(&format!("Code::{name}")).count();
        let answered = uses > 1;
        if RETIRED.contains(&code.as_str()) {
            assert!(!answered, "Code::{name} is retired but answered: take it off RETIRED");
        } else {
            assert!(answered, "Code::{name} is declared but never answered");
        }
    }
}
