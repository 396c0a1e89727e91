//! What a website visitor's browser tells about itself, as Chatwoot's widget records it in a
//! conversation's `additional_attributes` (`api/v1/widget/base_controller.rb`: `browser`,
//! `browser_language`, `referer`, `initiated_at`). Chatwoot reads the `User-Agent` with the
//! `browser` gem; this reads the same header for the browsers and systems people use today
//! (anything else is "Unknown"), which is all the agents' sidebar shows.

use serde_json::{json, Map, Value};

/// The longest header or field value looked at; the rest is ignored.
const MAX_INPUT: usize = 1024;

/// `{browser_name, browser_version, device_name, platform_name, platform_version}`.
pub fn browser(user_agent: &str) -> Value {
    let ua = truncate(user_agent);
    let (browser_name, browser_version) = browser_of(ua);
    let (platform_name, platform_version) = platform_of(ua);
    let device_name = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else {
        "Unknown"
    };
    json!({
        "browser_name": browser_name,
        "browser_version": browser_version,
        "device_name": device_name,
        "platform_name": platform_name,
        "platform_version": platform_version,
    })
}

/// The first language of an `Accept-Language` header (`en-US,en;q=0.9` → `en-US`), if any.
pub fn language(accept_language: &str) -> Option<String> {
    let first = truncate(accept_language)
        .split(',')
        .next()?
        .split(';')
        .next()?
        .trim();
    let plain = !first.is_empty()
        && first.len() <= 35
        && first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| first.to_owned())
}

/// The visitor fields of a new widget conversation: the browser from `user_agent`, the page it
/// was started on, when the visitor's clock says it started, and the browser's language.
pub fn visitor_attributes(
    user_agent: Option<&str>,
    referer: Option<&str>,
    timestamp: Option<&str>,
    language: Option<&str>,
) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("browser".into(), browser(user_agent.unwrap_or_default()));
    if let Some(language) = language.and_then(self::language) {
        fields.insert("browser_language".into(), language.into());
    }
    if let Some(url) = referer.and_then(crate::dashboard_app::http_url) {
        fields.insert("referer".into(), url.as_str().into());
    }
    let timestamp = timestamp.map(truncate).filter(|t| !t.trim().is_empty());
    fields.insert(
        "initiated_at".into(),
        json!({ "timestamp": timestamp.unwrap_or_default() }),
    );
    fields
}

fn truncate(text: &str) -> &str {
    let mut end = text.len().min(MAX_INPUT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The version after `token/` (`Chrome/131.0.6778.85` → `131.0.6778.85`).
fn version_after<'a>(ua: &'a str, token: &str) -> Option<&'a str> {
    let start = ua.find(token)? + token.len();
    let rest = &ua[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|v| !v.is_empty())
}

/// Apple's `17_5` or `10_15_7` after `token`, written with dots.
fn underscored_version_after(ua: &str, token: &str) -> String {
    let Some(start) = ua.find(token).map(|i| i + token.len()) else {
        return String::new();
    };
    let rest = &ua[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].replace('_', ".")
}

fn browser_of(ua: &str) -> (&'static str, String) {
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
    let known: [(&str, &'static str); 6] = [
        ("Edg/", "Microsoft Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("CriOS/", "Chrome"),
        ("Version/", "Safari"),
    ];
    for (token, name) in known {
        if let Some(version) = version_after(ua, token) {
            if name != "Safari" || ua.contains("Safari/") {
                return (name, version.to_owned());
            }
        }
    }
    ("Unknown Browser", "0.0".to_owned())
}

fn platform_of(ua: &str) -> (&'static str, String) {
    if let Some(version) = version_after(ua, "Windows NT ") {
        return ("Windows", version.to_owned());
    }
    if let Some(version) = version_after(ua, "Android ") {
        return ("Android", version.to_owned());
    }
    if ua.contains("iPhone") || ua.contains("iPad") {
        return ("iOS", underscored_version_after(ua, " OS "));
    }
    if ua.contains("Mac OS X") {
        return ("Macintosh", underscored_version_after(ua, "Mac OS X "));
    }
    if ua.contains("CrOS") {
        return ("Chrome OS", String::new());
    }
    if ua.contains("Linux") {
        return ("Linux", String::new());
    }
    ("Unknown", String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_and_systems_are_named_with_their_versions() {
        let chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36";
        assert_eq!(
            browser(chrome_linux),
            json!({"browser_name": "Chrome", "browser_version": "131.0.6778.85",
                   "device_name": "Unknown", "platform_name": "Linux", "platform_version": ""})
        );
        let firefox_windows =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let b = browser(firefox_windows);
        assert_eq!(b["browser_name"], "Firefox");
        assert_eq!(b["platform_name"], "Windows");
        assert_eq!(b["platform_version"], "10.0");
        let safari_iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let b = browser(safari_iphone);
        assert_eq!(b["browser_name"], "Safari");
        assert_eq!(b["device_name"], "iPhone");
        assert_eq!(b["platform_name"], "iOS");
        assert_eq!(b["platform_version"], "17.5");
        let edge_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86";
        let b = browser(edge_mac);
        assert_eq!(b["browser_name"], "Microsoft Edge");
        assert_eq!(b["platform_name"], "Macintosh");
        assert_eq!(b["platform_version"], "10.15.7");
        assert_eq!(browser("")["browser_name"], "Unknown Browser");
    }

    #[test]
    fn visitor_fields_keep_only_a_web_referer_and_a_plain_language() {
        let fields = visitor_attributes(
            None,
            Some("javascript:alert(1)"),
            Some("Fri Dec 04 2026"),
            Some("en-US,en;q=0.9"),
        );
        assert!(fields.get("referer").is_none());
        assert_eq!(fields["browser_language"], "en-US");
        assert_eq!(
            fields["initiated_at"],
            json!({"timestamp": "Fri Dec 04 2026"})
        );
        let fields =
            visitor_attributes(None, Some("https://shop.example/p?q=1"), None, Some("<b>"));
        assert_eq!(fields["referer"], "https://shop.example/p?q=1");
        assert!(fields.get("browser_language").is_none());
    }
}
