//! The Content-Security-Policy of our pages. Every response gets [`layer`]'s policy, which frames
//! nothing (`frame-src 'none'`), unless its handler set its own. A page that shows dashboard
//! apps returns a [`Csp`] beside its HTML, naming the origins it may frame:
//!
//! ```ignore
//! let csp = Csp::with_frames(apps.iter().flat_map(|app| app.content.iter().map(|f| f.origin())));
//! Ok((csp, render(&page)?))
//! ```
//!
//! Everything else is the same on every page: scripts, styles and requests only from our own
//! origin (so templates carry no inline `<script>`, `style=` or `on…=`; server data reaches
//! scripts through `data-*`), no plugins, no `<base>`, forms post only to us, and no one may
//! frame us (`frame-ancestors 'none'`, which also stops clickjacking of the workspace).
//! `connect-src 'self'` covers the same-origin `/cable` WebSocket too (CSP 3 lets `'self'`
//! match `ws:`/`wss:` on our host and port).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponseParts, ResponseParts};
use tower_http::set_header::SetResponseHeaderLayer;

/// The widget window's directives but `img-src`, `frame-src` and `frame-ancestors`.
const COMMON: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                      connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";
/// Every directive but `frame-src`, which depends on the page.
const FIXED: &str = concat!(
    "default-src 'self'; script-src 'self'; style-src 'self'; ",
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; ",
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
);

/// A page's policy, set as its `Content-Security-Policy` header when returned from a handler
/// (it is an [`IntoResponseParts`]), which the default [`layer`] then leaves alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csp(HeaderValue);

impl Csp {
    /// The policy of a page that frames nothing (the default).
    pub fn no_frames() -> Self {
        Self::with_frame_src("'none'")
    }

    /// The policy of a page that frames exactly `origins` (`https://apps.example:8443`, as
    /// [`domain::DashboardAppFrame::origin`] spells them): duplicates are dropped, and anything
    /// that is not a plain `http(s)://host[:port]` origin is left out rather than trusted to be
    /// harmless inside the header, so a frame on it is blocked. No origins: `'none'`.
    pub fn with_frames<I>(origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut listed: Vec<String> = Vec::new();
        for origin in origins {
            let origin = origin.as_ref();
            if is_plain_origin(origin) && !listed.iter().any(|o| o == origin) {
                listed.push(origin.to_owned());
            }
        }
        if listed.is_empty() {
            Self::no_frames()
        } else {
            Self::with_frame_src(&listed.join(" "))
        }
    }

    /// For a page that hosts any web page its user names (the app authors' playground):
    /// `frame-src http: https:`. Scripts stay our own either way.
    pub fn any_web_frames() -> Self {
        Self::with_frame_src("http: https:")
    }

    /// The website widget's chat window: framed by the sites `allowed_domains` lists
    /// (`example.com`, `*.example.com`, `host:port`, each over http or https), by any site
    /// when it lists none; it frames nothing itself. Img sources also allow `blob:` for the
    /// visitor's own attachment previews.
    pub fn widget(allowed_domains: &[String]) -> Self {
        let ancestors = if allowed_domains.is_empty() {
            "http: https:".to_owned()
        } else {
            let plain = |d: &&String| {
                d.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*' | '[' | ']' | ':')
                })
            };
            let listed: Vec<String> = allowed_domains
                .iter()
                .filter(plain)
                .flat_map(|d| [format!("http://{d}"), format!("https://{d}")])
                .collect();
            if listed.is_empty() {
                "'none'".to_owned()
            } else {
                listed.join(" ")
            }
        };
        let value = format!(
            "{COMMON}; img-src 'self' data: blob:; frame-ancestors {ancestors}; frame-src 'none'"
        );
        Self(HeaderValue::from_str(&value).expect("only visible ASCII is ever put in a policy"))
    }

    fn with_frame_src(sources: &str) -> Self {
        let value = format!("{FIXED}; frame-src {sources}");
        Self(HeaderValue::from_str(&value).expect("only visible ASCII is ever put in a policy"))
    }

    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }
}

impl IntoResponseParts for Csp {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, self.0);
        Ok(res)
    }
}

/// The default policy for every response whose handler did not set one: nothing may be
/// framed. JSON answers get it too, where it is inert.
pub fn layer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, Csp::no_frames().0)
}

/// `http(s)://` then host characters (letters, digits, `.`, `-`, `_`, and `[`, `]`, `:` for
/// IPv6 and the port) only: nothing that could end a source expression (space), a directive
/// (`;`) or a policy (`,`), and no keyword or wildcard.
fn is_plain_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':')
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_src(csp: &Csp) -> String {
        let text = csp.header_value().to_str().unwrap();
        let directive = text
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("frame-src "))
            .unwrap();
        directive["frame-src ".len()..].to_owned()
    }

    #[test]
    fn pages_without_apps_frame_nothing_and_are_never_framed() {
        for csp in [Csp::no_frames(), Csp::with_frames(Vec::<String>::new())] {
            assert_eq!(frame_src(&csp), "'none'");
            let text = csp.header_value().to_str().unwrap();
            assert!(text.contains("frame-ancestors 'none'"), "{text}");
            assert!(text.contains("script-src 'self';"), "{text}");
        }
    }

    #[test]
    fn app_origins_are_listed_once_each_in_order() {
        let csp = Csp::with_frames([
            "https://apps.example",
            "http://127.0.0.1:3001",
            "https://apps.example",
            "http://[::1]:8080",
        ]);
        assert_eq!(
            frame_src(&csp),
            "https://apps.example http://127.0.0.1:3001 http://[::1]:8080"
        );
    }

    #[test]
    fn anything_but_a_plain_origin_is_left_out() {
        let csp = Csp::with_frames([
            "",
            "null",
            "*",
            "https:",
            "'self'",
            "https://a.example; script-src *",
            "https://a.example,https://b.example",
            "javascript:alert(1)",
            "https://ok.example",
        ]);
        assert_eq!(frame_src(&csp), "https://ok.example");
        assert_eq!(
            frame_src(&Csp::with_frames(["https://x.example 'unsafe-inline'"])),
            "'none'"
        );
    }

    #[test]
    fn origins_made_from_frame_urls_are_kept() {
        // Whatever a saved frame URL's origin serializes to must survive the filter, or its
        // frame would be blocked.
        for url in [
            "https://apps.example/orders?id={{contact.id}}",
            "http://127.0.0.1:3001/",
            "https://xn--bcher-kva.example:8443/a",
            "https://bücher.example/",
            "http://[2001:db8::1]:9000/",
        ] {
            let frame = domain::DashboardAppFrame {
                kind: "frame".into(),
                url: url.into(),
            };
            let origin = frame.origin();
            assert!(!origin.is_empty(), "{url}");
            assert_eq!(frame_src(&Csp::with_frames([&origin])), origin, "{url}");
        }
    }

    #[test]
    fn the_playground_frames_any_web_page() {
        assert_eq!(frame_src(&Csp::any_web_frames()), "http: https:");
    }
}
