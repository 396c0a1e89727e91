//! URL placeholders in dashboard-app frame URLs (`{{contact.email}}` …): checked when an app is
//! saved, substituted — percent-encoded — when a frame is created for a conversation.

use crate::DomainError;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every placeholder a frame URL may hold.
pub const NAMES: [&str; 9] = [
    "conversation.id",
    "contact.id",
    "contact.email",
    "contact.phone_number",
    "contact.identifier",
    "agent.id",
    "agent.email",
    "account.id",
    "inbox.id",
];

/// The placeholders a sidebar app (no conversation, contact or inbox) may use.
pub const SIDEBAR_NAMES: [&str; 3] = ["agent.id", "agent.email", "account.id"];

/// Everything but RFC 3986's unreserved characters is encoded, so a value can never end a
/// query parameter, start a new one, or climb the path.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The values one frame's URL is filled with; absent ones become empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub conversation_id: i64,
    pub contact_id: i64,
    pub contact_email: Option<String>,
    pub contact_phone_number: Option<String>,
    pub contact_identifier: Option<String>,
    pub agent_id: i64,
    pub agent_email: String,
    pub account_id: i64,
    pub inbox_id: i64,
}

impl Values {
    fn get(&self, name: &str) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match name {
            "conversation.id" => self.conversation_id.to_string(),
            "contact.id" => self.contact_id.to_string(),
            "contact.email" => text(&self.contact_email),
            "contact.phone_number" => text(&self.contact_phone_number),
            "contact.identifier" => text(&self.contact_identifier),
            "agent.id" => self.agent_id.to_string(),
            "agent.email" => self.agent_email.clone(),
            "account.id" => self.account_id.to_string(),
            "inbox.id" => self.inbox_id.to_string(),
            _ => String::new(),
        }
    }
}

/// The `{{…}}` tokens of `url`, as (byte range, trimmed name); `Err` for an unclosed `{{`.
fn tokens(url: &str) -> Result<Vec<(std::ops::Range<usize>, &str)>, ()> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = url[from..].find("{{").map(|i| i + from) {
        let end = url[start + 2..]
            .find("}}")
            .map(|i| i + start + 2)
            .ok_or(())?;
        found.push((start..end + 2, url[start + 2..end].trim()));
        from = end + 2;
    }
    Ok(found)
}

/// The placeholder names `url` uses, in order (none for a URL with an unclosed `{{`).
pub fn names_in(url: &str) -> Vec<&str> {
    tokens(url)
        .map(|found| found.into_iter().map(|(_, name)| name).collect())
        .unwrap_or_default()
}

/// Checks the placeholders of a frame URL: each known, none in the scheme, host or port.
/// Returns the URL with every placeholder replaced by a sample value, for the caller to
/// validate as a URL.
pub fn check(url: &str) -> Result<String, DomainError> {
    let invalid = |why: String| DomainError::invalid("content", why);
    let found =
        tokens(url).map_err(|_| invalid("Content : a placeholder is not closed with }}".into()))?;
    if found.is_empty() {
        return Ok(url.to_owned());
    }
    let origin_end = origin_end(url).ok_or_else(|| {
        invalid(
            "Content : a URL with placeholders must start with http:// or https:// and its host"
                .into(),
        )
    })?;
    let mut sample = String::with_capacity(url.len());
    let mut last = 0;
    for (range, name) in found {
        if !NAMES.contains(&name) {
            return Err(invalid(format!(
                "Content : unknown placeholder {{{{{name}}}}}; known ones are {}",
                NAMES.map(|n| format!("{{{{{n}}}}}")).join(", ")
            )));
        }
        if range.start < origin_end {
            return Err(invalid(
                "Content : placeholders may not appear in the URL's origin".into(),
            ));
        }
        sample.push_str(&url[last..range.start]);
        sample.push('0');
        last = range.end;
    }
    sample.push_str(&url[last..]);
    Ok(sample)
}

/// Where the origin of `url` ends: at the first `/`, `?`, `#` or `\` after `http(s)://` and a
/// host. `None` unless the URL starts that way: URL parsers forgive `https:/host`,
/// `https:///host` and `https:host`, and in those a placeholder value would become the host.
fn origin_end(url: &str) -> Option<usize> {
    let scheme = ["http://", "https://"].into_iter().find(|prefix| {
        url.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    })?;
    let authority = &url[scheme.len()..];
    if authority.starts_with(['/', '\\']) {
        return None;
    }
    Some(
        authority
            .find(['/', '?', '#', '\\'])
            .map_or(url.len(), |i| i + scheme.len()),
    )
}

/// `url` with each placeholder replaced by its percent-encoded value.
pub fn substitute(url: &str, values: &Values) -> String {
    let Ok(found) = tokens(url) else {
        return url.to_owned();
    };
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let mut out = String::with_capacity(url.len());
    let mut last = 0;
    for (range, name) in found {
        out.push_str(&url[last..range.start]);
        let value = values.get(name);
        // A path segment "." or ".." climbs however it is encoded (parsers decode `%2e` there
        // too), so in a path such a value is left out rather than let it move the frame.
        let climbs = range.start < path_end && (value == "." || value == "..");
        if !climbs {
            out.extend(utf8_percent_encode(&value, VALUE));
        }
        last = range.end;
    }
    out.push_str(&url[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            conversation_id: 7,
            contact_id: 42,
            contact_email: Some("maria+vip@northwind.example".into()),
            contact_phone_number: Some("+1 415 555 0100".into()),
            contact_identifier: None,
            agent_id: 3,
            agent_email: "sam@support.example".into(),
            account_id: 1,
            inbox_id: 2,
        }
    }

    #[test]
    fn every_placeholder_is_substituted_percent_encoded() {
        let url = "https://crm.example/c/{{contact.id}}?email={{ contact.email }}&phone={{contact.phone_number}}&id={{contact.identifier}}&conv={{conversation.id}}&a={{agent.id}}&ae={{agent.email}}&acct={{account.id}}&inbox={{inbox.id}}";
        assert_eq!(
            substitute(url, &values()),
            "https://crm.example/c/42?email=maria%2Bvip%40northwind.example&phone=%2B1%20415%20555%200100&id=&conv=7&a=3&ae=sam%40support.example&acct=1&inbox=2"
        );
    }

    #[test]
    fn hostile_values_stay_inside_their_parameter() {
        let mut hostile = values();
        hostile.contact_email = Some("x&admin=true#frag/../../?q=}}{{agent.email}}".into());
        hostile.contact_identifier = Some("名前 <script>".into());
        let out = substitute(
            "https://a.example/p?e={{contact.email}}&i={{contact.identifier}}",
            &hostile,
        );
        assert_eq!(
            out,
            "https://a.example/p?e=x%26admin%3Dtrue%23frag%2F..%2F..%2F%3Fq%3D%7D%7D%7B%7Bagent.email%7D%7D&i=%E5%90%8D%E5%89%8D%20%3Cscript%3E"
        );
        let parsed = url::Url::parse(&out).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs[0].1, "x&admin=true#frag/../../?q=}}{{agent.email}}");
        assert_eq!(pairs.len(), 2);
    }

    #[test]
    fn a_dot_segment_value_cannot_climb_the_path() {
        let mut dots = values();
        dots.contact_identifier = Some("..".into());
        dots.contact_email = Some(".".into());
        assert_eq!(
            substitute(
                "https://a.example/c/{{contact.identifier}}/{{contact.email}}/x?i={{contact.identifier}}",
                &dots
            ),
            "https://a.example/c///x?i=.."
        );
    }

    #[test]
    fn unknown_unclosed_and_origin_placeholders_are_refused() {
        for url in [
            "https://a.example/?x={{contact.password}}",
            "https://a.example/?x={{contact.email",
            "https://{{contact.id}}.a.example/",
            "https://a.example:{{inbox.id}}/",
            "{{account.id}}://a.example/",
            // Forgiven spellings of "https://" in which a value would become the host.
            "https:/{{contact.identifier}}",
            "https:///{{contact.identifier}}/",
            "https:{{contact.identifier}}",
            "https:\\\\{{contact.identifier}}/",
            "https://a.example@{{contact.identifier}}/",
        ] {
            let error = check(url).unwrap_err();
            assert_eq!(error.attributes, ["content"], "{url}");
        }
        assert_eq!(
            check("https://a.example/{{contact.id}}/x?y={{agent.id}}").unwrap(),
            "https://a.example/0/x?y=0"
        );
        assert_eq!(
            check("https://a.example/plain").unwrap(),
            "https://a.example/plain"
        );
    }
}
