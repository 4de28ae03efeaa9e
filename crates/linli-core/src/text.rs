//! Free text from outside (names, addresses, notes): no control characters. NUL, BEL, ESC and
//! the rest of C0, DEL and C1 have no place in a name; they break printing, exports and terminals
//! and hide what a text really says. Multi-line fields (`MULTILINE_FIELDS`: notes, descriptions,
//! message texts) may hold line breaks and tabs, nothing else.
//!
//! The HTTP layer runs `control_characters` over every JSON body before it is read into its
//! request type, so no request type can forget it; spreadsheet imports check their cells with
//! `has_control_character`.

use serde_json::Value;

use crate::FieldError;

/// The field code of a text holding a control character.
pub const CONTROL_CHARACTER: &str = "control_character";

/// Fields whose text may span lines, by their name in any request.
pub const MULTILINE_FIELDS: &[&str] =
    &["note", "notes", "reason", "remark", "remarks", "description", "body", "text", "content", "comment"];

pub fn is_multiline(field: &str) -> bool {
    MULTILINE_FIELDS.contains(&field)
}

/// A control character (Unicode category Cc: C0, DEL, C1); line breaks and tabs are allowed in a
/// multi-line field.
pub fn has_control_character(s: &str, multiline: bool) -> bool {
    s.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// Every string in a JSON document that holds a control character, as field errors with the
/// same paths serde reports (`rows[2].name`). Object keys are checked as text too.
pub fn control_characters(value: &Value) -> Vec<FieldError> {
    let mut found = Vec::new();
    walk(value, "", None, &mut found);
    found
}

fn walk(value: &Value, path: &str, field: Option<&str>, found: &mut Vec<FieldError>) {
    match value {
        Value::String(s) => {
            if has_control_character(s, field.is_some_and(is_multiline)) {
                found.push(FieldError::new(if path.is_empty() { "body" } else { path }, CONTROL_CHARACTER));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{path}[{i}]"), field, found);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if has_control_character(k, false) {
                    found.push(FieldError::new(child.clone(), CONTROL_CHARACTER));
                    continue;
                }
                walk(v, &child, Some(k), found);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_refuse_every_control_character_and_notes_allow_line_breaks() {
        for bad in ["张\u{0}伟", "bell\u{7}", "\u{1b}[31mred", "tab\there", "line\nbreak", "del\u{7f}", "c1\u{85}"] {
            assert!(has_control_character(bad, false), "{bad:?}");
        }
        assert!(!has_control_character("张伟 Zhang-Wei（1栋）", false));
        assert!(!has_control_character("第一行\r\n第二行\t缩进", true));
        assert!(has_control_character("第一行\u{0}", true));
    }

    #[test]
    fn a_body_reports_each_field_with_its_path() {
        let body = json!({
            "name": "张\u{7}伟",
            "note": "两行\n备注",
            "rows": [{"meter_number": "W-1"}, {"meter_number": "W\u{1b}2", "note": "ok\n"}],
            "tags": {"description": "bad\u{0}"},
        });
        let fields: Vec<String> = control_characters(&body).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "rows[1].meter_number", "tags.description"]);
    }
}
