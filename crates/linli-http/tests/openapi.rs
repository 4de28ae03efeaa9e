//! The committed `openapi.json` is the server's document, so API changes show up in review.
//! `LINLI_UPDATE_OPENAPI=1 cargo test -p linli-http --test openapi` rewrites it.

use std::path::PathBuf;

fn committed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json")
}

#[test]
fn the_committed_document_matches_the_server() {
    let doc = linli_http::openapi_document();
    let json = doc.to_pretty_json().unwrap() + "\n";
    if std::env::var("LINLI_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(committed(), &json).unwrap();
    }
    let on_disk = std::fs::read_to_string(committed()).unwrap_or_default();
    assert!(
        on_disk == json,
        "openapi.json is out of date: run LINLI_UPDATE_OPENAPI=1 cargo test -p linli-http --test openapi and commit it"
    );
}

#[test]
fn the_document_is_openapi_3_1_and_every_operation_answers_problems() {
    let doc: serde_json::Value = serde_json::to_value(linli_http::openapi_document()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 12, "{} paths", paths.len());
    let mut ids = std::collections::HashSet::new();
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(ids.insert(id.clone()), "operationId {id} of {method} {path} is not unique");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
            if path.starts_with("/api/v1/") && !path.ends_with("/login") {
                let has_problem = op["responses"].as_object().unwrap().keys().any(|s| s.starts_with('4'));
                assert!(has_problem, "{method} {path} documents no error response");
            }
        }
    }
}

#[test]
fn every_schema_reference_resolves() {
    let doc: serde_json::Value = serde_json::to_value(linli_http::openapi_document()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling $ref to {name}");
    }
}
