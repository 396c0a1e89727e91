//! The website widget, served to any site: the loader Chatwoot's snippet fetches
//! (`/packs/js/sdk.js`) and the chat window it frames (`/widget?website_token=…`), a page on our
//! origin whose script talks to the Client API (`/public/api/v1/inboxes/{website_token}/…`) and
//! to `/cable` with the visitor's contact-inbox token. Which sites may frame the window is the
//! inbox's `allowed_domains`: enforced by the browser through `frame-ancestors`, and checked
//! here against the framing page's `Referer`.

use crate::csp::Csp;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use domain::{Inbox, WebWidget};
use serde::Deserialize;

const LOADER: &str = include_str!("../assets/widget/sdk.js");

/// `GET /packs/js/sdk.js`: Chatwoot's loader path, fetched cross-origin by the snippet.
pub async fn loader(headers: HeaderMap) -> Response {
    crate::sdk::publish(&headers, "text/javascript; charset=utf-8", LOADER)
}

#[derive(Debug, Deserialize)]
pub struct WindowQuery {
    website_token: Option<String>,
}

#[derive(Template)]
#[template(path = "widget/show.html")]
pub struct WindowPage {
    pub website_token: String,
    pub inbox_name: String,
    pub widget_color: String,
    pub welcome_title: String,
    pub welcome_tagline: String,
    pub reply_time: &'static str,
    pub greeting: String,
    /// The pre-chat form when enabled, as JSON for the page's script: `{"message", "fields":
    /// [{"name", "label", "type", "required", "field_type"}]}` (the enabled fields only); empty
    /// when off.
    pub pre_chat: String,
    /// Business hours are on and the inbox is closed now (Chatwoot's `out_of_office?`): the
    /// header says "We are away at the moment" instead of the reply time.
    pub away: bool,
    /// The out-of-office message shown while away (empty: none).
    pub out_of_office_message: String,
}

/// The enabled fields of Chatwoot's `pre_chat_form_options`, for the window's form.
fn pre_chat(widget: &WebWidget) -> String {
    if !widget.pre_chat_form_enabled {
        return String::new();
    }
    let options = &widget.pre_chat_form_options;
    let fields: Vec<serde_json::Value> = options
        .get("pre_chat_fields")
        .and_then(serde_json::Value::as_array)
        .map(|all| {
            all.iter()
                .filter(|f| f.get("enabled").and_then(serde_json::Value::as_bool) == Some(true))
                .map(|f| {
                    let text = |key: &str| f.get(key).and_then(serde_json::Value::as_str).unwrap_or_default();
                    serde_json::json!({
                        "name": text("name"),
                        "label": text("label"),
                        "type": text("type"),
                        "field_type": text("field_type"),
                        "required": f.get("required").and_then(serde_json::Value::as_bool).unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let message = options
        .get("pre_chat_message")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    serde_json::json!({ "message": message, "fields": fields }).to_string()
}

/// What the window says for a reply-time setting (Chatwoot's widget wording).
fn reply_time_text(reply_time: &str) -> &'static str {
    match reply_time {
        "in_a_few_hours" => "Typically replies in a few hours",
        "in_a_day" => "Typically replies in a day",
        _ => "Typically replies in a few minutes",
    }
}

/// `GET /widget?website_token=…`: the chat window of a website inbox, for the sites it allows.
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<WindowQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let token = query.website_token.unwrap_or_default();
    let (inbox, widget) = website_inbox(&state, &token).await?;
    if !frame_allowed(&widget, &headers) {
        return Ok((
            StatusCode::FORBIDDEN,
            Csp::no_frames(),
            "This site is not allowed to show this chat widget.",
        )
            .into_response());
    }
    let page = WindowPage {
        website_token: inbox.inbox_identifier.clone(),
        inbox_name: inbox.name.clone(),
        widget_color: widget.widget_color.clone(),
        welcome_title: widget.welcome_title.clone().unwrap_or_default(),
        welcome_tagline: widget.welcome_tagline.clone().unwrap_or_default(),
        reply_time: reply_time_text(&widget.reply_time),
        greeting: inbox
            .settings
            .greeting_message
            .clone()
            .filter(|_| inbox.settings.greeting_enabled)
            .unwrap_or_default(),
        pre_chat: pre_chat(&widget),
        away: inbox
            .settings
            .business_hours
            .is_away_at(domain::time::now()),
        out_of_office_message: inbox
            .settings
            .business_hours
            .out_of_office_message
            .clone()
            .unwrap_or_default(),
    };
    let html = Html(
        page.render()
            .map_err(|e| PageError::Internal(e.to_string()))?,
    );
    Ok((Csp::widget(&widget.allowed_domains), html).into_response())
}

/// `GET /widget/appearance?website_token=…`: what the loader needs before the window exists
/// (the bubble's colour), for any site (`Access-Control-Allow-Origin: *`; nothing secret).
pub async fn appearance(
    State(state): State<AppState>,
    Query(query): Query<WindowQuery>,
) -> Result<Response, ApiError> {
    let token = query.website_token.unwrap_or_default();
    let (_, widget) = website_inbox(&state, &token)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let body = axum::Json(serde_json::json!({ "widget_color": widget.widget_color }));
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], body).into_response())
}

/// The website inbox whose token this is; anything else (an API inbox's identifier too) is a
/// 404.
pub async fn website_inbox(state: &AppState, token: &str) -> Result<(Inbox, WebWidget), PageError> {
    let inbox = state
        .store
        .contact_inboxes()
        .inbox(token)
        .await
        .map_err(|_| PageError::NotFound)?;
    let widget = inbox.web_widget.clone().ok_or(PageError::NotFound)?;
    Ok((inbox, widget))
}

/// Whether the page framing the window may: any when the inbox lists no domain; else the
/// `Referer` (the framing page, or its origin under the default referrer policy) must be on a
/// listed domain. A window opened on its own (`popoutChatWindow`) has no framing page: the
/// popout is navigated to by the site itself, so its `Referer` is checked the same way.
fn frame_allowed(widget: &WebWidget, headers: &HeaderMap) -> bool {
    if widget.allowed_domains.is_empty() {
        return true;
    }
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|referer| widget.allows_origin(referer))
}

/// Whether a Client API request naming a website inbox comes from where its token is accepted:
/// anywhere when the inbox lists no domain; else the widget window on our own origin (its
/// `Origin` names the `Host` it was sent to), a listed site, or no browser at all (no `Origin`,
/// as server-side clients send).
pub fn origin_allowed(widget: &WebWidget, headers: &HeaderMap) -> bool {
    if widget.allowed_domains.is_empty() {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let same_origin = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|host| {
            let url = url::Url::parse(origin).ok()?;
            let authority = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str()?),
                None => url.host_str()?.to_owned(),
            };
            Some(authority.eq_ignore_ascii_case(host))
        })
        .unwrap_or(false);
    same_origin || widget.allows_origin(origin)
}

/// The answer to a website token used from a site its inbox does not list.
const ORIGIN_REFUSED: &str = "This website token is not accepted from this origin";

/// Around requests that name a website token (the Client API under
/// `/public/api/v1/inboxes/{website_token}/…`, and `/widget`): a Client API call from a site
/// the inbox does not allow is a 401, and each token has its budget
/// (`Limits::widget_per_website_token`, 429 past it). Anything else passes untouched.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some((token, is_api)) = website_token_of(&request) else {
        return next.run(request).await;
    };
    let Ok(inbox) = state.store.contact_inboxes().inbox(&token).await else {
        return next.run(request).await;
    };
    let Some(widget) = &inbox.web_widget else {
        return next.run(request).await;
    };
    if is_api && !origin_allowed(widget, request.headers()) {
        return ApiError::Unauthorized(ORIGIN_REFUSED).into_response();
    }
    let key = format!("widget/inbox:{}", inbox.id.get());
    let limit = state.config.limits.widget_per_website_token;
    match crate::throttle::count(&state, &key, limit).await {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

/// The website token a request names, and whether it is a Client API call.
fn website_token_of(request: &Request) -> Option<(String, bool)> {
    let uri = request.uri();
    if let Some(rest) = uri.path().strip_prefix("/public/api/v1/inboxes/") {
        let token = rest.split('/').next().filter(|t| !t.is_empty())?;
        let decoded = percent_encoding::percent_decode_str(token)
            .decode_utf8()
            .ok()?;
        return Some((decoded.into_owned(), true));
    }
    if uri.path() == "/widget" || uri.path() == "/widget/appearance" {
        let query = uri.query()?;
        let token = url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "website_token")
            .map(|(_, value)| value.into_owned())?;
        return Some((token, false));
    }
    None
}
