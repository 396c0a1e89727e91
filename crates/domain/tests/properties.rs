//! Property tests of the validators that take untrusted text: dashboard-app frame URLs
//! (`dashboard_app::http_url` and the content check behind `NewDashboardApp::validate`) and URL
//! placeholders (`placeholder::check`, `placeholder::substitute`).
//!
//! `cargo test` runs 256 cases per property; for a longer run:
//! `PROPTEST_CASES=200000 cargo test --release -p switchboard-domain --test properties`.

use domain::dashboard_app::{http_url, ControlChanges, MAX_URL};
use domain::placeholder::{self, Values, NAMES};
use domain::{AccountId, NewDashboardApp};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Text that looks like a URL often enough to reach deep into the parser: schemes, slashes,
/// backslashes, credentials, ports, brackets, placeholders, whitespace and controls.
fn urlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("http".to_owned()),
        Just("https".to_owned()),
        Just("HTTPS".to_owned()),
        Just("javascript".to_owned()),
        Just("ftp".to_owned()),
        Just(":".to_owned()),
        Just("/".to_owned()),
        Just("//".to_owned()),
        Just("\\".to_owned()),
        Just("@".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("[::1]".to_owned()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e".to_owned()),
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("{{contact.identifier}}".to_owned()),
        Just("{{ contact.email }}".to_owned()),
        Just("{{inbox.id}}".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("\u{7f}".to_owned()),
        Just("\u{a0}".to_owned()),
        "[a-z0-9.-]{1,12}",
        "[0-9]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
}

/// A frame URL built to probe where a placeholder may sit: a scheme written the many ways URL
/// parsers forgive, then hosts, ports, separators and placeholders in any order.
fn frame_url() -> impl Strategy<Value = String> {
    let start = prop_oneof![
        Just("https://"),
        Just("http://"),
        Just("HTTPS://"),
        Just("https:"),
        Just("https:/"),
        Just("https:///"),
        Just("https:\\\\"),
        Just("https:/\\"),
    ];
    let piece = prop_oneof![
        Just("a.example"),
        Just(":8443"),
        Just(":"),
        Just("/"),
        Just("\\"),
        Just("?"),
        Just("#"),
        Just("@"),
        Just("."),
        Just("{{contact.identifier}}"),
        Just("{{ contact.email }}"),
        Just("{{inbox.id}}"),
    ];
    (start, prop::collection::vec(piece, 1..6))
        .prop_map(|(start, pieces)| format!("{start}{}", pieces.concat()))
}

/// A well-formed absolute http(s) URL, with its scheme and host.
fn valid_url() -> impl Strategy<Value = (String, String, String)> {
    (
        prop_oneof![Just("http"), Just("https")],
        "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?(\\.[a-z][a-z0-9]{0,8}){0,3}",
        prop::option::of(1u16..),
        prop::collection::vec("[A-Za-z0-9._~-]{0,8}", 0..4),
        prop::option::of("[a-z0-9]{1,6}=[a-z0-9]{0,6}(&[a-z0-9]{1,6}=[a-z0-9]{0,6}){0,3}"),
    )
        .prop_map(|(scheme, host, port, segments, query)| {
            let mut url = format!("{scheme}://{host}");
            if let Some(port) = port {
                url.push_str(&format!(":{port}"));
            }
            for segment in &segments {
                url.push('/');
                url.push_str(segment);
            }
            if let Some(query) = query {
                url.push_str(&format!("/?{query}"));
            }
            (url, scheme.to_owned(), host)
        })
}

fn values() -> impl Strategy<Value = Values> {
    let text = || {
        prop_oneof![
            any::<String>(),
            "[./?#@&=%{}:\\\\ a-z]{0,12}",
            Just(".".to_owned()),
            Just("..".to_owned()),
            Just("evil.example".to_owned()),
        ]
    };
    (
        any::<i64>(),
        any::<i64>(),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        any::<i64>(),
        text(),
        any::<i64>(),
        any::<i64>(),
    )
        .prop_map(
            |(
                conversation_id,
                contact_id,
                contact_email,
                contact_phone_number,
                contact_identifier,
                agent_id,
                agent_email,
                account_id,
                inbox_id,
            )| Values {
                conversation_id,
                contact_id,
                contact_email,
                contact_phone_number,
                contact_identifier,
                agent_id,
                agent_email,
                account_id,
                inbox_id,
            },
        )
}

/// The value `substitute` fills `name` with, before encoding (as `Values` documents it).
fn raw_value(values: &Values, name: &str) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match name {
        "conversation.id" => values.conversation_id.to_string(),
        "contact.id" => values.contact_id.to_string(),
        "contact.email" => text(&values.contact_email),
        "contact.phone_number" => text(&values.contact_phone_number),
        "contact.identifier" => text(&values.contact_identifier),
        "agent.id" => values.agent_id.to_string(),
        "agent.email" => values.agent_email.clone(),
        "account.id" => values.account_id.to_string(),
        "inbox.id" => values.inbox_id.to_string(),
        other => panic!("not a placeholder: {other}"),
    }
}

fn content(urls: &[String]) -> Value {
    Value::Array(
        urls.iter()
            .map(|url| json!({"type": "frame", "url": url}))
            .collect(),
    )
}

fn validate(content: &Value) -> Result<NewDashboardApp, domain::DomainError> {
    NewDashboardApp::validate(
        AccountId(1),
        Some("App"),
        Some(content),
        ControlChanges::default(),
    )
}

proptest! {
    #[test]
    fn an_accepted_url_is_http_with_a_host_and_no_credentials(text in prop_oneof![any::<String>(), urlish()]) {
        if let Some(url) = http_url(&text) {
            prop_assert!(matches!(url.scheme(), "http" | "https"), "{text:?}");
            prop_assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{text:?}");
            prop_assert!(url.username().is_empty() && url.password().is_none(), "{text:?}");
            prop_assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()), "{text:?}");
            prop_assert!(!text.is_empty() && text.len() <= MAX_URL, "{text:?}");
        }
    }

    #[test]
    fn an_accepted_url_reads_back_the_same(text in prop_oneof![any::<String>(), urlish()]) {
        if let Some(url) = http_url(&text) {
            let again = http_url(url.as_str());
            prop_assert_eq!(again.as_ref(), Some(&url), "{:?} -> {}", text, url);
        }
    }

    #[test]
    fn every_well_formed_http_url_is_accepted((text, scheme, host) in valid_url()) {
        let url = http_url(&text);
        prop_assert!(url.is_some(), "{}", text);
        let url = url.unwrap();
        prop_assert_eq!(url.scheme(), scheme);
        prop_assert_eq!(url.host_str(), Some(host.as_str()));
    }

    #[test]
    fn whitespace_controls_or_credentials_anywhere_are_refused(
        (text, _, _) in valid_url(),
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(
            (0..=0x3000u32)
                .filter_map(char::from_u32)
                .filter(|c| c.is_whitespace() || c.is_control())
                .collect::<Vec<char>>(),
        ),
        user in "[a-z]{1,6}(:[a-z]{0,6})?",
    ) {
        let boundaries: Vec<usize> = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
        let i = boundaries[at.index(boundaries.len())];
        let spoiled = format!("{}{bad}{}", &text[..i], &text[i..]);
        prop_assert!(http_url(&spoiled).is_none(), "{:?}", spoiled);
        let (scheme, rest) = text.split_once("://").unwrap();
        let with_credentials = format!("{scheme}://{user}@{rest}");
        prop_assert!(http_url(&with_credentials).is_none(), "{}", with_credentials);
    }

    #[test]
    fn arbitrary_content_never_panics_and_accepted_content_is_frames(value in arbitrary_json()) {
        if let Ok(app) = validate(&value) {
            prop_assert!((1..=10).contains(&app.content.len()));
            for frame in &app.content {
                prop_assert_eq!(&frame.kind, "frame");
                let sample = placeholder::check(&frame.url);
                prop_assert!(sample.is_ok(), "{}", frame.url);
                prop_assert!(http_url(&sample.unwrap()).is_some(), "{}", frame.url);
            }
        }
    }

    #[test]
    fn well_formed_frames_are_accepted_in_order(urls in prop::collection::vec(valid_url().prop_map(|u| u.0), 1..=10)) {
        let app = validate(&content(&urls));
        prop_assert!(app.is_ok(), "{:?}", urls);
        let kept: Vec<String> = app.unwrap().content.into_iter().map(|f| f.url).collect();
        prop_assert_eq!(kept, urls);
    }

    /// The origin the host pins its messages to (and the CSP lists) is the origin every filled
    /// frame URL really has: no placeholder value, whatever it holds, can move the frame to
    /// another origin, and a URL that validates always has an origin.
    #[test]
    fn no_placeholder_value_changes_an_accepted_frames_origin(url in prop_oneof![urlish(), frame_url()], values in values()) {
        if let Ok(app) = validate(&content(std::slice::from_ref(&url))) {
            let frame = &app.content[0];
            let pinned = frame.origin();
            prop_assert!(!pinned.is_empty(), "{:?} has no origin", url);
            let filled = placeholder::substitute(&frame.url, &values);
            let origin = url::Url::parse(&filled).map(|u| u.origin().ascii_serialization());
            prop_assert_eq!(origin.as_deref(), Ok(pinned.as_str()), "{:?} filled as {:?}", url, filled);
        }
    }

    #[test]
    fn check_substitute_and_names_in_never_panic(text in prop_oneof![any::<String>(), urlish()], values in values()) {
        let checked = placeholder::check(&text);
        let _ = placeholder::substitute(&text, &values);
        let names = placeholder::names_in(&text);
        if checked.is_ok() {
            prop_assert!(names.iter().all(|n| NAMES.contains(n)), "{:?}", text);
        }
    }

    #[test]
    fn unknown_placeholders_are_refused(name in "[ a-z._]{0,20}") {
        prop_assume!(!NAMES.contains(&name.trim()));
        let url = format!("https://a.example/p?x={{{{{name}}}}}");
        let error = placeholder::check(&url);
        prop_assert!(error.is_err(), "{}", url);
        prop_assert_eq!(error.unwrap_err().attributes, ["content"]);
    }

    #[test]
    fn text_without_placeholders_is_left_alone(text in "[^{]*", values in values()) {
        prop_assert_eq!(placeholder::substitute(&text, &values), text.clone());
        prop_assert_eq!(placeholder::check(&text).ok(), Some(text));
    }

    /// Placeholders in path segments and query values: each filled piece is unreserved
    /// characters and `%XX` only and decodes to its value, and the URL keeps its origin, its
    /// path segments (nothing climbs) and its query pairs.
    #[test]
    fn filled_values_are_percent_encoded_and_stay_in_their_place(
        (url, path, query) in template(),
        values in values(),
    ) {
        prop_assert!(placeholder::check(&url).is_ok(), "{}", url);
        let filled = placeholder::substitute(&url, &values);
        let parsed = url::Url::parse(&filled);
        prop_assert!(parsed.is_ok(), "{}", filled);
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.origin().ascii_serialization(), "https://a.example");
        prop_assert!(parsed.fragment().is_none() && parsed.username().is_empty(), "{}", filled);
        let segments: Vec<&str> = parsed.path_segments().map(Iterator::collect).unwrap_or_default();
        prop_assert_eq!(segments.len(), path.len(), "{}", filled);
        for (segment, part) in segments.iter().zip(&path) {
            prop_assert!(
                segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{:?} in {}", segment, filled
            );
            let decoded = percent_decode_str(segment).decode_utf8_lossy();
            // A whole "." or ".." would be a dot segment, which URL parsers remove whatever its
            // encoding (`%2e` too), so `substitute` leaves such a value out of a path.
            let expected = match part.expected(&values) {
                dots if dots == "." || dots == ".." => String::new(),
                other => other,
            };
            prop_assert_eq!(decoded.as_ref(), expected.as_str(), "{}", filled);
        }
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        prop_assert_eq!(pairs.len(), query.len(), "{}", filled);
        for ((key, value), (want_key, part)) in pairs.iter().zip(&query) {
            prop_assert_eq!(key, want_key);
            prop_assert_eq!(value, &part.expected(&values), "{}", filled);
        }
    }
}

/// A path segment or query value of a template: literal text or a known placeholder.
#[derive(Debug, Clone)]
enum Part {
    Literal(String),
    Placeholder(&'static str),
}

impl Part {
    fn text(&self, pad: &str) -> String {
        match self {
            Part::Literal(text) => text.clone(),
            Part::Placeholder(name) => format!("{{{{{pad}{name}{pad}}}}}"),
        }
    }

    fn expected(&self, values: &Values) -> String {
        match self {
            Part::Literal(text) => text.clone(),
            Part::Placeholder(name) => raw_value(values, name),
        }
    }
}

/// `https://a.example/<segments>?<pairs>`, each segment and value either literal or a known
/// placeholder (written `{{name}}` or `{{ name }}`).
fn template() -> impl Strategy<Value = (String, Vec<Part>, Vec<(String, Part)>)> {
    let part = || {
        prop_oneof![
            "[a-z0-9]{0,6}".prop_map(Part::Literal),
            prop::sample::select(NAMES.to_vec()).prop_map(Part::Placeholder),
        ]
    };
    (
        prop::collection::vec(part(), 1..5),
        prop::collection::vec(("[a-z]{1,4}", part()), 0..4),
        prop_oneof![Just(""), Just(" ")],
    )
        .prop_map(|(path, query, pad)| {
            let mut url = "https://a.example".to_owned();
            for part in &path {
                url.push('/');
                url.push_str(&part.text(pad));
            }
            for (i, (key, part)) in query.iter().enumerate() {
                url.push(if i == 0 { '?' } else { '&' });
                url.push_str(&format!("{key}={}", part.text(pad)));
            }
            (url, path, query)
        })
}

/// Any JSON, with frame-shaped objects and URL-ish strings common enough to matter.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        urlish().prop_map(Value::from),
    ];
    let frame = (
        prop_oneof![Just(json!("frame")), Just(json!("link")), leaf.clone()],
        prop_oneof![urlish().prop_map(Value::from), leaf.clone()],
    )
        .prop_map(|(kind, url)| json!({"type": kind, "url": url}));
    let element = prop_oneof![frame, leaf.clone()];
    prop_oneof![
        leaf.clone(),
        prop::collection::vec(element, 0..12).prop_map(Value::Array),
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        }),
    ]
}

#[test]
fn the_origin_of_a_frame_is_its_urls() {
    // A fixed example beside the properties, so a broken generator cannot hide everything.
    let app = validate(&content(&[
        "https://a.example:8443/{{ contact.email }}".to_owned()
    ]))
    .expect("a valid frame");
    assert_eq!(app.content[0].origin(), "https://a.example:8443");
}
