//! Website inboxes (Chatwoot's `Channel::WebWidget`, `app/models/channel/web_widget.rb`): the
//! look and words of the chat window, the pre-chat form, and which sites may embed it. The
//! website token is the inbox's `inbox_identifier`; `hmac_token`/`hmac_mandatory` are the
//! inbox's own (`Inbox`), so neither is repeated here.

use crate::{validate, DomainError};
use serde_json::{Map, Value};

/// Chatwoot's channel type for website inboxes, as the wire spells it.
pub const WEB_WIDGET_CHANNEL: &str = "Channel::WebWidget";

/// Chatwoot's default `widget_color`.
pub const DEFAULT_COLOR: &str = "#1f93ff";

/// The reply-time expectation the window shows (Chatwoot's `reply_time` enum).
pub const REPLY_TIMES: [&str; 3] = ["in_a_few_minutes", "in_a_few_hours", "in_a_day"];

/// How many allowed domains an inbox may list.
const MAX_DOMAINS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebWidget {
    pub website_url: String,
    /// A `#rgb`/`#rrggbb` colour: the bubble and header are painted with it.
    pub widget_color: String,
    pub welcome_title: Option<String>,
    pub welcome_tagline: Option<String>,
    /// One of [`REPLY_TIMES`].
    pub reply_time: String,
    pub pre_chat_form_enabled: bool,
    /// Chatwoot's `pre_chat_form_options` (`pre_chat_message`, `pre_chat_fields`), kept as given.
    pub pre_chat_form_options: Map<String, Value>,
    /// Hosts whose pages may embed the widget (`example.com`, `*.example.com`,
    /// `127.0.0.1:8080`); empty: any site.
    pub allowed_domains: Vec<String>,
}

/// What a create or update body says about the widget; `None` leaves a setting alone.
#[derive(Debug, Clone, Default)]
pub struct WebWidgetChanges {
    pub website_url: Option<String>,
    pub widget_color: Option<String>,
    pub welcome_title: Option<Option<String>>,
    pub welcome_tagline: Option<Option<String>>,
    pub reply_time: Option<String>,
    pub pre_chat_form_enabled: Option<bool>,
    pub pre_chat_form_options: Option<Map<String, Value>>,
    pub allowed_domains: Option<Vec<String>>,
}

/// The raw settings, as a body spells them.
#[derive(Debug, Clone, Default)]
pub struct WebWidgetFields<'a> {
    pub website_url: Option<&'a str>,
    pub widget_color: Option<&'a str>,
    pub welcome_title: Option<&'a str>,
    pub welcome_tagline: Option<&'a str>,
    pub reply_time: Option<&'a str>,
    pub pre_chat_form_enabled: Option<bool>,
    pub pre_chat_form_options: Option<Value>,
    /// Comma- or newline-separated, as Chatwoot's settings form sends it.
    pub allowed_domains: Option<&'a str>,
}

impl WebWidgetChanges {
    pub fn validate(fields: WebWidgetFields<'_>) -> Result<Self, DomainError> {
        Ok(Self {
            website_url: fields
                .website_url
                .map(|u| website_url(Some(u)))
                .transpose()?,
            widget_color: fields.widget_color.map(color).transpose()?,
            welcome_title: fields
                .welcome_title
                .map(|t| validate::optional("welcome_title", Some(t), validate::MAX_SHORT_TEXT))
                .transpose()?,
            welcome_tagline: fields
                .welcome_tagline
                .map(|t| validate::optional("welcome_tagline", Some(t), validate::MAX_SHORT_TEXT))
                .transpose()?,
            reply_time: fields.reply_time.map(reply_time).transpose()?,
            pre_chat_form_enabled: fields.pre_chat_form_enabled,
            pre_chat_form_options: fields
                .pre_chat_form_options
                .map(|o| validate::object("pre_chat_form_options", Some(o)))
                .transpose()?,
            allowed_domains: fields.allowed_domains.map(domains).transpose()?,
        })
    }
}

impl WebWidget {
    /// A new widget from a create body: `website_url` is required (as Chatwoot validates it).
    pub fn create(changes: &WebWidgetChanges) -> Result<Self, DomainError> {
        let website_url = changes
            .website_url
            .clone()
            .ok_or_else(|| DomainError::blank("website_url"))?;
        let mut widget = WebWidget {
            website_url,
            widget_color: DEFAULT_COLOR.into(),
            welcome_title: None,
            welcome_tagline: None,
            reply_time: REPLY_TIMES[0].into(),
            pre_chat_form_enabled: false,
            pre_chat_form_options: Map::new(),
            allowed_domains: Vec::new(),
        };
        widget.apply(changes);
        Ok(widget)
    }

    pub fn apply(&mut self, changes: &WebWidgetChanges) {
        let c = changes.clone();
        if let Some(v) = c.website_url {
            self.website_url = v;
        }
        if let Some(v) = c.widget_color {
            self.widget_color = v;
        }
        if let Some(v) = c.welcome_title {
            self.welcome_title = v;
        }
        if let Some(v) = c.welcome_tagline {
            self.welcome_tagline = v;
        }
        if let Some(v) = c.reply_time {
            self.reply_time = v;
        }
        if let Some(v) = c.pre_chat_form_enabled {
            self.pre_chat_form_enabled = v;
        }
        if let Some(v) = c.pre_chat_form_options {
            self.pre_chat_form_options = v;
        }
        if let Some(v) = c.allowed_domains {
            self.allowed_domains = v;
        }
    }

    /// Whether a page on `origin` (`https://shop.example:8443`, as a browser's `Origin` or
    /// `Referer` gives it) may embed the widget: any when no domain is listed; else its host, or
    /// its `host:port`, is listed, or a listed `*.suffix` ends it.
    pub fn allows_origin(&self, origin: &str) -> bool {
        if self.allowed_domains.is_empty() {
            return true;
        }
        let Some((host, port)) = host_and_port(origin) else {
            return false;
        };
        let with_port = format!("{host}:{port}");
        self.allowed_domains.iter().any(|allowed| {
            allowed == &host
                || allowed == &with_port
                || allowed
                    .strip_prefix("*.")
                    .is_some_and(|suffix| host.ends_with(&format!(".{suffix}")))
        })
    }
}

/// The snippet a site pastes before `</body>`: Chatwoot's `web_widget_script`, word for word,
/// with `base_url` as `BASE_URL`. Both values are put inside JavaScript string literals, so
/// anything but a plain URL or token is escaped rather than trusted.
pub fn script(base_url: &str, website_token: &str) -> String {
    let base = js_string_body(base_url);
    let token = js_string_body(website_token);
    format!(
        r#"<script>
  (function(d,t) {{
    var BASE_URL="{base}";
    var g=d.createElement(t),s=d.getElementsByTagName(t)[0];
    g.src=BASE_URL+"/packs/js/sdk.js";
    g.async = true;
    s.parentNode.insertBefore(g,s);
    g.onload=function(){{
      window.chatwootSDK.run({{
        websiteToken: '{token}',
        baseUrl: BASE_URL
      }})
    }}
  }})(document,"script");
</script>"#
    )
}

/// `text` safe between quotes of either kind inside an inline `<script>`: only URL and token
/// characters are kept as they are, anything else as a `\uXXXX` escape.
fn js_string_body(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || ":/.-_~?=&%#+@".contains(c) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `(host, port)` of an `http(s)` origin or URL, host lowercased, port explicit.
fn host_and_port(origin: &str) -> Option<(String, u16)> {
    let url = url::Url::parse(origin).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some((
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default()?,
    ))
}

fn website_url(url: Option<&str>) -> Result<String, DomainError> {
    let text = validate::required("website_url", url, 2048)?;
    crate::dashboard_app::http_url(&text)
        .map(|_| text.clone())
        .ok_or_else(|| DomainError::invalid("website_url", "Website url must be an http(s) URL"))
}

fn color(text: &str) -> Result<String, DomainError> {
    let text = text.trim();
    let hex = text.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_owned())
    } else {
        Err(DomainError::invalid(
            "widget_color",
            "Widget color must be a hex colour like #1f93ff",
        ))
    }
}

fn reply_time(text: &str) -> Result<String, DomainError> {
    REPLY_TIMES
        .iter()
        .find(|r| **r == text)
        .map(|r| (*r).to_owned())
        .ok_or_else(|| {
            DomainError::invalid(
                "reply_time",
                "Reply time must be in_a_few_minutes, in_a_few_hours or in_a_day",
            )
        })
}

/// The listed domains: trimmed, lowercased, blank entries dropped; each a host (optionally
/// `*.`-prefixed, optionally with `:port`) made of letters, digits, `.`, `-`, `:`, `[`, `]`.
fn domains(text: &str) -> Result<Vec<String>, DomainError> {
    let list: Vec<String> = text
        .split([',', '\n'])
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    let bad = list.iter().any(|d| {
        let host = d.strip_prefix("*.").unwrap_or(d);
        host.is_empty()
            || host.len() > 255
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    });
    if bad || list.len() > MAX_DOMAINS {
        return Err(DomainError::invalid(
            "allowed_domains",
            "Allowed domains must be host names like example.com or *.example.com",
        ));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widget(domains: &str) -> WebWidget {
        let changes = WebWidgetChanges::validate(WebWidgetFields {
            website_url: Some("https://shop.example"),
            allowed_domains: Some(domains),
            ..Default::default()
        })
        .unwrap();
        WebWidget::create(&changes).unwrap()
    }

    #[test]
    fn no_listed_domain_lets_every_site_embed_the_widget() {
        assert!(widget("").allows_origin("https://anything.example"));
    }

    #[test]
    fn a_listed_host_its_port_or_a_wildcard_suffix_lets_a_site_embed_the_widget() {
        let w = widget("shop.example, *.brand.example\n127.0.0.1:4000");
        assert!(w.allows_origin("https://shop.example"));
        assert!(w.allows_origin("http://SHOP.example:8080/page"));
        assert!(w.allows_origin("https://eu.brand.example"));
        assert!(!w.allows_origin("https://brand.example"));
        assert!(w.allows_origin("http://127.0.0.1:4000"));
        assert!(!w.allows_origin("http://127.0.0.1:4001"));
        assert!(!w.allows_origin("https://evil.example"));
        assert!(!w.allows_origin("https://shop.example.evil.example"));
        assert!(!w.allows_origin("null"));
    }

    #[test]
    fn bad_settings_are_refused_naming_the_field() {
        let bad =
            |fields: WebWidgetFields| WebWidgetChanges::validate(fields).unwrap_err().attributes;
        let color = WebWidgetFields {
            widget_color: Some("red;background:url(x)"),
            ..Default::default()
        };
        assert_eq!(bad(color), ["widget_color"]);
        let reply = WebWidgetFields {
            reply_time: Some("never"),
            ..Default::default()
        };
        assert_eq!(bad(reply), ["reply_time"]);
        let domains = WebWidgetFields {
            allowed_domains: Some("ok.example, <script>"),
            ..Default::default()
        };
        assert_eq!(bad(domains), ["allowed_domains"]);
        let url = WebWidgetFields {
            website_url: Some("javascript:alert(1)"),
            ..Default::default()
        };
        assert_eq!(bad(url), ["website_url"]);
    }
}
