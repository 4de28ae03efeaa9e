//! Every PATCH body reads as the document says (the fuzzer holds the server to it): a field left
//! out changes nothing, and `null` is accepted exactly where the document makes a field nullable
//! (an optional field, which it clears) and refused where it does not (a required field).

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn nullable(property: &Value) -> bool {
    let null = |t: &Value| t == "null";
    match &property["type"] {
        Value::Array(types) => types.iter().any(null),
        t => null(t) || property["oneOf"].as_array().is_some_and(|v| v.iter().any(|v| null(&v["type"]))),
    }
}

/// Checks one body type against its schema in the document; answers the schema's name.
fn check<T: DeserializeOwned + Default + Debug + utoipa::ToSchema>(doc: &Value) -> String {
    let name = T::name().to_string();
    let empty: T = serde_json::from_value(json!({})).unwrap_or_else(|e| panic!("{name} {{}}: {e}"));
    assert_eq!(format!("{empty:?}"), format!("{:?}", T::default()), "{name}: {{}} must keep every field");
    let properties = doc["components"]["schemas"][&name]["properties"].as_object().expect("properties");
    for (field, property) in properties {
        let read = serde_json::from_value::<T>(json!({ field.as_str(): null }));
        assert_eq!(read.is_ok(), nullable(property), "{name}.{field}: null accepted {read:?}, documented {property}");
    }
    name
}

#[test]
fn null_is_accepted_where_documented_and_an_empty_patch_keeps_everything() {
    let doc = serde_json::to_value(linli_http::openapi_document()).unwrap();
    let checked = [
        check::<linli_property::HousePatch>(&doc),
        check::<linli_property::BuildingPatch>(&doc),
        check::<linli_property::UnitPatch>(&doc),
        check::<linli_property::ProjectPatch>(&doc),
        check::<linli_people::PersonPatch>(&doc),
        check::<linli_auth::UserPatch>(&doc),
        check::<linli_meters::MeterPatch>(&doc),
        check::<linli_equipment::EquipmentPatch>(&doc),
    ];
    // Every PATCH route's body is among them.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(body) = ops.get("patch").map(|op| &op["requestBody"]["content"]["application/json"]["schema"]) else {
            continue;
        };
        let name = body["$ref"].as_str().and_then(|r| r.rsplit('/').next()).unwrap_or_default();
        assert!(checked.iter().any(|c| c == name), "PATCH {path} takes {body}, which this test does not check");
    }
}
