//! The kit for dashboard-app authors, served to anyone: the SDK module (`/sdk/dashboard-app.js`),
//! its TypeScript declarations (`/sdk/dashboard-app.d.ts`) and the context's JSON Schema
//! (`/schemas/app-context.json`).
//!
//! Unlike the workspace's own assets these are fetched by other origins (an app imports the SDK
//! from its own page, tools fetch the schema), so they are sent with
//! `Access-Control-Allow-Origin: *` — a cross-origin module import fails without it — and are
//! cacheable for a few minutes, then revalidated by ETag. The schema served is the test fixture
//! itself, so what the tests validate against is what authors download.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const SCRIPT: &str = include_str!("../assets/sdk/dashboard-app.js");
const DECLARATIONS: &str = include_str!("../assets/sdk/dashboard-app.d.ts");
const SCHEMA: &str = include_str!("../../../tests/fixtures/app-context.schema.json");

/// Five minutes: an SDK fix reaches apps soon, while an app's every page view does not refetch it.
const CACHE_CONTROL: &str = "public, max-age=300";

/// `GET /sdk/dashboard-app.js`.
pub async fn script(headers: HeaderMap) -> Response {
    publish(&headers, "text/javascript; charset=utf-8", SCRIPT)
}

/// `GET /sdk/dashboard-app.d.ts`.
pub async fn declarations(headers: HeaderMap) -> Response {
    publish(
        &headers,
        "application/typescript; charset=utf-8",
        DECLARATIONS,
    )
}

/// `GET /schemas/app-context.json`.
pub async fn schema(headers: HeaderMap) -> Response {
    publish(&headers, "application/schema+json", SCHEMA)
}

pub(crate) fn publish(
    request: &HeaderMap,
    content_type: &'static str,
    body: &'static str,
) -> Response {
    let etag = etag(body);
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// A strong ETag from the body's FNV-1a hash: the bodies are compiled in, so it changes exactly
/// when a new build serves different bytes.
fn etag(body: &str) -> String {
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

#[cfg(test)]
mod tests {
    //! The declarations are written by hand for readability; these tests hold them to the schema
    //! so they cannot drift: every object the schema describes is an interface with exactly its
    //! properties, each with the TypeScript type and optionality the schema implies.

    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// Interfaces of the `.d.ts` that describe the SDK itself, not the payload.
    const SDK_INTERFACES: &[&str] = &[
        "ConnectOptions",
        "NotifyOptions",
        "AppRequest",
        "AppResponse",
        "ActionPayloads",
        "ActionResult",
    ];

    /// An interface's properties: name → (optional, TypeScript type).
    type Properties = BTreeMap<String, (bool, String)>;

    /// Every `export interface` of `source`, by name.
    fn interfaces(source: &str) -> BTreeMap<String, Properties> {
        let mut all = BTreeMap::new();
        let mut current: Option<(String, Properties)> = None;
        for line in source.lines() {
            if let Some(rest) = line.strip_prefix("export interface ") {
                let name = rest.split_whitespace().next().expect("an interface name");
                current = Some((name.to_owned(), BTreeMap::new()));
            } else if line == "}" {
                if let Some((name, properties)) = current.take() {
                    all.insert(name, properties);
                }
            } else if let Some((_, properties)) = current.as_mut() {
                let line = line.trim();
                if line.is_empty() || line.starts_with("/*") || line.starts_with("//") {
                    continue;
                }
                let (name, ty) = line
                    .split_once(':')
                    .unwrap_or_else(|| panic!("a property line: {line}"));
                let ty = ty.trim().strip_suffix(';').expect("ends with ;").trim();
                let (name, optional) = match name.strip_suffix('?') {
                    Some(name) => (name, true),
                    None => (name, false),
                };
                properties.insert(name.to_owned(), (optional, ty.to_owned()));
            }
        }
        all
    }

    /// `conversationMeta` → `ConversationMeta`; the root is `AppContext`.
    fn interface_name(def: &str) -> String {
        let mut chars = def.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    /// The TypeScript type the schema node means.
    fn ts_type(node: &Value) -> String {
        if let Some(reference) = node["$ref"].as_str() {
            let def = reference
                .strip_prefix("#/$defs/")
                .expect("a local reference");
            return interface_name(def);
        }
        if let Some(constant) = node.get("const") {
            return constant.to_string();
        }
        if let Some(values) = node["enum"].as_array() {
            return values
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ");
        }
        if node.get("if").is_some() {
            return format!("{} | {}", ts_type(&node["then"]), ts_type(&node["else"]));
        }
        let types: Vec<&str> = match &node["type"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            other => panic!("a schema node without a type: {node} ({other})"),
        };
        types
            .iter()
            .map(|ty| match *ty {
                "integer" | "number" => "number".to_owned(),
                "string" | "boolean" | "null" => (*ty).to_owned(),
                "object" => {
                    assert!(
                        node.get("properties").is_none(),
                        "an object with properties must be a $def (so an interface): {node}"
                    );
                    "Record<string, unknown>".to_owned()
                }
                "array" => {
                    let item = ts_type(&node["items"]);
                    if item.contains(' ') {
                        format!("({item})[]")
                    } else {
                        format!("{item}[]")
                    }
                }
                other => panic!("no TypeScript type for {other}"),
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// What the interface for an object schema must say.
    fn expected(object: &Value) -> Properties {
        let required: Vec<&str> = object["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        object["properties"]
            .as_object()
            .expect("an object schema with properties")
            .iter()
            .map(|(name, node)| {
                let optional = !required.contains(&name.as_str());
                (name.clone(), (optional, ts_type(node)))
            })
            .collect()
    }

    #[test]
    fn the_declarations_match_the_schema_property_for_property() {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
        let declared = interfaces(DECLARATIONS);
        let mut objects = vec![("AppContext".to_owned(), &schema)];
        for (def, node) in schema["$defs"].as_object().expect("$defs") {
            assert!(node.get("properties").is_some(), "{def} is an object");
            objects.push((interface_name(def), node));
        }
        for (name, object) in &objects {
            let Some(properties) = declared.get(name) else {
                panic!("the .d.ts has no interface {name}");
            };
            assert_eq!(properties, &expected(object), "interface {name}");
        }
        let payload: Vec<&String> = objects.iter().map(|(name, _)| name).collect();
        for name in declared.keys() {
            assert!(
                payload.contains(&name) || SDK_INTERFACES.contains(&name.as_str()),
                "interface {name} describes nothing in the schema"
            );
        }
    }

    /// The protocol's action lists in `app-protocol.js`, which the pages parse frames with.
    const PROTOCOL: &str = include_str!("../assets/js/app-protocol.js");
    /// The author's guide, whose table of actions is the registry's.
    const GUIDE: &str = include_str!("../../../docs/dashboard-apps.md");

    fn quoted(names: impl Iterator<Item = &'static str>) -> String {
        names
            .map(|name| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn the_declarations_type_every_action_of_the_registry() {
        let expected = domain::app_capability::typescript_payloads();
        assert!(
            DECLARATIONS.contains(&expected),
            "the .d.ts must declare the registry's actions exactly as:\n{expected}"
        );
    }

    #[test]
    fn the_protocol_parser_knows_every_action_of_the_registry() {
        use domain::app_capability::{Runs, CAPABILITIES};
        let all = format!(
            "export const ACTIONS = Object.freeze([{}]);",
            quoted(CAPABILITIES.iter().map(|c| c.name()))
        );
        let server = format!(
            "export const SERVER_ACTIONS = Object.freeze([{}]);",
            quoted(
                CAPABILITIES
                    .iter()
                    .filter(|c| c.runs == Runs::Server)
                    .map(|c| c.name())
            )
        );
        for line in [all, server] {
            assert!(
                PROTOCOL.contains(&line),
                "app-protocol.js must say:\n{line}"
            );
        }
    }

    #[test]
    fn the_guide_tabulates_every_action_of_the_registry() {
        let expected = domain::app_capability::markdown_table();
        assert!(
            GUIDE.contains(&expected),
            "docs/dashboard-apps.md must hold the registry's table:\n{expected}"
        );
    }

    #[test]
    fn the_guide_tabulates_every_placement_of_the_registry() {
        let expected = domain::app_placement::markdown_table();
        assert!(
            GUIDE.contains(&expected),
            "docs/dashboard-apps.md must hold the placements' table:\n{expected}"
        );
    }

    #[test]
    fn the_reader_notices_a_drift() {
        // The check above is only worth something if the parser sees properties at all.
        let declared = interfaces(DECLARATIONS);
        assert_eq!(
            declared["Agent"]["email"],
            (false, "string".to_owned()),
            "{declared:#?}"
        );
        let schema: Value = serde_json::from_str(SCHEMA).expect("JSON");
        let mut drifted = schema["$defs"]["agent"].clone();
        drifted["properties"]["phone"] = serde_json::json!({"type": "string"});
        assert_ne!(declared["Agent"], expected(&drifted));
    }

    #[test]
    fn a_matching_etag_answers_304_and_every_answer_allows_other_origins() {
        let tag = etag(SCRIPT);
        let mut request = HeaderMap::new();
        let full = publish(&request, "text/javascript; charset=utf-8", SCRIPT);
        assert_eq!(full.status(), StatusCode::OK);
        assert_eq!(full.headers()[header::ETAG], tag.as_str());
        assert_eq!(full.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        request.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&tag).unwrap());
        let cached = publish(&request, "text/javascript; charset=utf-8", SCRIPT);
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(cached.headers()[header::CACHE_CONTROL], CACHE_CONTROL);
        assert_ne!(etag(SCRIPT), etag(DECLARATIONS));
    }
}
