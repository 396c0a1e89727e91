//! JSON kept as text in both backends.

use serde_json::{Map, Value};

pub(crate) fn object(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn text(map: &Map<String, Value>) -> String {
    serde_json::to_string(map).expect("a JSON map always serializes")
}

pub(crate) fn strings(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn strings_text(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings always serializes")
}
