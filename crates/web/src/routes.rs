//! Every URL, written once beside its handler. `app(state)` builds the router for `main` and for
//! every test.

use crate::state::AppState;
use crate::{api, assets, pages};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::normalize_path::NormalizePath;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn app(state: AppState) -> Router {
    // A layer on a `Router` runs after it has routed, so the trailing slash is trimmed by a
    // service around the routes, reached as the outer router's fallback.
    Router::new().fallback_service(NormalizePath::trim_trailing_slash(routes(state)))
}

/// Every route, with the layers that run once a request is routed.
fn routes(state: AppState) -> Router {
    use api::{
        agents, app_actions, app_requests, auth, availability, canned_responses, contact_inboxes,
        contact_labels, contacts, conversations, custom_attribute_definitions, dashboard_apps,
        health, inboxes, labels, messages,
    };
    Router::new()
        .route("/health", get(health::show))
        .route("/api/openapi.json", get(crate::openapi::show))
        .route("/cable", get(crate::cable::connect))
        .route("/auth/sign_in", post(auth::sign_in))
        .route("/auth/sign_out", axum::routing::delete(auth::sign_out))
        .route(
            "/api/v1/profile",
            get(auth::profile_show)
                .put(api::profile::update)
                .patch(api::profile::update),
        )
        .route(
            "/api/v1/profile/reset_access_token",
            post(api::profile::reset_access_token),
        )
        .route("/api/v1/profile/availability", post(availability::availability))
        .route("/api/v1/profile/auto_offline", post(availability::auto_offline))
        .route(
            "/api/v1/accounts/{account_id}/agents",
            get(agents::index).post(agents::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/agents/{id}",
            axum::routing::patch(agents::update)
                .put(agents::update)
                .delete(agents::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes",
            get(inboxes::index).post(inboxes::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{id}",
            get(inboxes::show)
                .patch(inboxes::update)
                .put(inboxes::update)
                .delete(inboxes::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/inboxes/{id}/rotate_hmac_token",
            post(inboxes::rotate_hmac_token),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts",
            get(contacts::index).post(contacts::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/search",
            get(contacts::search),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/filter",
            post(contacts::filter),
        )
        .route(
            "/api/v1/accounts/{account_id}/actions/contact_merge",
            post(contacts::merge),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}",
            get(contacts::show)
                .patch(contacts::update)
                .put(contacts::update)
                .delete(contacts::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/conversations",
            get(contacts::conversations),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/app_context",
            get(contacts::app_context),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/labels",
            get(contact_labels::index).post(contact_labels::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/notes",
            get(api::contact_notes::index).post(api::contact_notes::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
            get(api::contact_notes::show)
                .patch(api::contact_notes::update)
                .put(api::contact_notes::update)
                .delete(api::contact_notes::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes",
            get(contact_inboxes::contactable),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes",
            post(contact_inboxes::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/contacts/{id}/destroy_custom_attributes",
            post(contacts::destroy_custom_attributes),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations",
            get(conversations::index).post(conversations::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/meta",
            get(conversations::meta),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/search",
            get(conversations::search),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/filter",
            post(conversations::filter),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}",
            get(conversations::show)
                .patch(conversations::update)
                .put(conversations::update),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_priority",
            post(conversations::toggle_priority),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/app_context",
            get(conversations::app_context),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/app_actions",
            post(app_actions::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_status",
            post(conversations::toggle_status),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_typing_status",
            post(conversations::toggle_typing_status),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/assignments",
            post(conversations::assign),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/labels",
            get(conversations::labels_index).post(conversations::labels_create),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/custom_attributes",
            post(conversations::custom_attributes),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/update_last_seen",
            post(conversations::update_last_seen),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/messages",
            get(messages::index).post(messages::create).layer(upload_limit(&state)),
        )
        .route(
            "/api/v1/accounts/{account_id}/conversations/{display_id}/messages/{id}",
            axum::routing::delete(messages::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/teams",
            get(api::teams::index).post(api::teams::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/teams/{id}",
            get(api::teams::show)
                .patch(api::teams::update)
                .put(api::teams::update)
                .delete(api::teams::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
            get(api::team_members::index)
                .post(api::team_members::create)
                .patch(api::team_members::update)
                .delete(api::team_members::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/inbox_members",
            post(api::inbox_members::create)
                .patch(api::inbox_members::update)
                .delete(api::inbox_members::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}",
            get(api::inbox_members::show),
        )
        .route(
            "/api/v1/accounts/{account_id}/labels",
            get(labels::index).post(labels::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/labels/{id}",
            get(labels::show)
                .patch(labels::update)
                .put(labels::update)
                .delete(labels::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/canned_responses",
            get(canned_responses::index).post(canned_responses::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/canned_responses/{id}",
            axum::routing::patch(canned_responses::update)
                .put(canned_responses::update)
                .delete(canned_responses::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/custom_attribute_definitions",
            get(custom_attribute_definitions::index)
                .post(custom_attribute_definitions::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
            get(custom_attribute_definitions::show)
                .patch(custom_attribute_definitions::update)
                .put(custom_attribute_definitions::update)
                .delete(custom_attribute_definitions::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/dashboard_apps",
            get(dashboard_apps::index).post(dashboard_apps::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/dashboard_apps/{id}",
            get(dashboard_apps::show)
                .patch(dashboard_apps::update)
                .put(dashboard_apps::update)
                .delete(dashboard_apps::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/dashboard_apps/{id}/signing_secret",
            post(dashboard_apps::rotate_secret),
        )
        .route(
            "/api/v1/accounts/{account_id}/dashboard_apps/{id}/app_context",
            get(dashboard_apps::sidebar_context),
        )
        .route(
            "/api/v1/accounts/{account_id}/dashboard_apps/{id}/settings",
            axum::routing::patch(dashboard_apps::update_settings),
        )
        .route(
            "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests",
            get(app_requests::index).post(app_requests::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/webhooks",
            get(api::webhooks::index).post(api::webhooks::create),
        )
        .route(
            "/api/v1/accounts/{account_id}/webhooks/{id}",
            axum::routing::patch(api::webhooks::update)
                .put(api::webhooks::update)
                .delete(api::webhooks::destroy),
        )
        .route(
            "/api/v1/accounts/{account_id}/webhooks/{id}/deliveries",
            get(api::webhooks::deliveries),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}",
            get(api::public::inboxes::show),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts",
            post(api::public::contacts::create),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}",
            get(api::public::contacts::show)
                .patch(api::public::contacts::update)
                .put(api::public::contacts::update),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/destroy_custom_attributes",
            post(api::public::widget::destroy_contact_attributes),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/custom_attributes",
            post(api::public::widget::set_conversation_attributes),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/destroy_custom_attributes",
            post(api::public::widget::destroy_conversation_attributes),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels",
            post(api::public::widget::add_label),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels/{label}",
            axum::routing::delete(api::public::widget::remove_label),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations",
            get(api::public::conversations::index).post(api::public::conversations::create),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}",
            get(api::public::conversations::show),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_status",
            post(api::public::conversations::toggle_status),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_typing",
            post(api::public::conversations::toggle_typing),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/update_last_seen",
            post(api::public::conversations::update_last_seen),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages",
            get(api::public::messages::index)
                .post(api::public::messages::create)
                .layer(upload_limit(&state)),
        )
        .route(
            "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages/{id}",
            axum::routing::patch(api::public::messages::update).put(api::public::messages::update),
        )
        .route("/", get(pages::sessions::root))
        .route("/app", get(pages::sessions::root))
        .route(
            "/app/login",
            get(pages::sessions::new).post(pages::sessions::create),
        )
        .route("/app/logout", post(pages::sessions::destroy))
        .route("/app/invitations", get(pages::invitations::index))
        .route(
            "/app/invitations/{id}/accept",
            post(pages::invitations::accept),
        )
        .route(
            "/app/invitations/{id}/decline",
            post(pages::invitations::decline),
        )
        .route(
            "/app/accounts/{account_id}/profile/settings",
            get(pages::profile::show),
        )
        .route(
            "/app/accounts/{account_id}/profile/password",
            post(pages::profile::change_password),
        )
        .route(
            "/app/accounts/{account_id}/profile/access_token",
            post(pages::profile::reset_access_token),
        )
        .route(
            "/app/accounts/{account_id}/conversations",
            get(pages::conversations::index),
        )
        .route(
            "/app/accounts/{account_id}/conversations/_list",
            get(pages::conversations::list),
        )
        .route(
            "/app/accounts/{account_id}/conversations/{display_id}",
            get(pages::conversations::show),
        )
        .route(
            "/app/accounts/{account_id}/conversations/{display_id}/_messages",
            get(pages::conversations::messages),
        )
        .route(
            "/app/accounts/{account_id}/contacts",
            get(pages::contacts::index),
        )
        .route(
            "/app/accounts/{account_id}/contacts/{id}",
            get(pages::contacts::show),
        )
        .route(
            "/app/accounts/{account_id}/settings/integrations/dashboard_apps",
            get(pages::dashboard_apps::index),
        )
        .route(
            "/app/accounts/{account_id}/settings/integrations/dashboard_apps/playground",
            get(pages::playground::show),
        )
        .route(
            "/app/accounts/{account_id}/apps/{app_id}",
            get(pages::sidebar_apps::show),
        )
        .route(
            "/app/accounts/{account_id}/settings/inboxes",
            get(pages::inboxes::index),
        )
        .route(
            "/app/accounts/{account_id}/settings/agents",
            get(pages::agents::index),
        )
        .route(
            "/app/accounts/{account_id}/settings/teams",
            get(pages::teams::index),
        )
        .route(
            "/app/accounts/{account_id}/settings/labels",
            get(pages::labels::index),
        )
        .route(
            "/app/accounts/{account_id}/settings/canned_responses",
            get(pages::canned_responses::index),
        )
        .route(
            "/app/accounts/{account_id}/settings/custom_attributes",
            get(pages::custom_attributes::index),
        )
        .route(
            "/rails/active_storage/blobs/{id}/{variant}/{filename}",
            get(crate::files::show),
        )
        .route("/assets/{*path}", get(assets::serve))
        .route("/sdk/dashboard-app.js", get(crate::sdk::script))
        .route("/packs/js/sdk.js", get(crate::widget::loader))
        .route("/widget", get(crate::widget::show))
        .route("/widget/appearance", get(crate::widget::appearance))
        .route("/sdk/dashboard-app.d.ts", get(crate::sdk::declarations))
        .route("/schemas/app-context.json", get(crate::sdk::schema))
        .route("/.well-known/jwks.json", get(api::signing_keys::index))
        // After every route: it applies to the routes already added.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(unknown)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Website tokens: accepted only from their inbox's allowed origins, and budgeted per
        // token (inside the per-address budget below, so that one counts first).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::widget::guard,
        ))
        // The Client API's budget per client address (429 past it).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::throttle::public_api,
        ))
        // Pages that frame apps set their own policy (`csp::Csp`); the rest frame nothing.
        .layer(crate::csp::layer())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::deadline::bounded,
        ))
        // Outside the timeout, so a request cut short by it is answered `Connection: close` too.
        .layer(axum::middleware::from_fn(crate::keep_alive::close_unless_read))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::config::strict_transport,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Routes that take files read bodies up to the files' total (`extract::WithFiles` keeps JSON
/// and text parts to [`BODY_LIMIT`] itself).
fn upload_limit(state: &crate::AppState) -> DefaultBodyLimit {
    let total = usize::try_from(state.config.uploads.max_total_bytes).unwrap_or(usize::MAX);
    DefaultBodyLimit::max(total.saturating_add(BODY_LIMIT))
}

/// An unknown path: Chatwoot's JSON 404 under the API prefixes, the HTML page elsewhere. The
/// body is read first, so the connection stays open for the client's next request.
async fn unknown(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    crate::keep_alive::drain(body, BODY_LIMIT).await;
    pages::not_found(parts.uri).await
}

/// A known path with a method it lacks: under the API prefixes the JSON 404 Rails' router
/// answers (it routes by method and path together); pages keep their 405.
async fn method_not_allowed(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    crate::keep_alive::drain(body, BODY_LIMIT).await;
    if crate::error::is_api_path(parts.uri.path()) {
        crate::error::ApiError::NotFound.into_response()
    } else {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    }
}
