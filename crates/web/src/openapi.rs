//! The OpenAPI 3.1 document of the JSON API, generated from the code: each handler carries its
//! `#[utoipa::path]`, each body its `ToSchema` (the `domain::wire` types and the handlers' own
//! params), and `ApiDoc` lists the handlers. Served at `GET /api/openapi.json`;
//! `tests/it/api/openapi.rs` checks that every API route of `routes.rs` is in it, and
//! `scripts/schemathesis.sh` throws generated requests at the running server from it.
//!
//! The errors every handler shares are added by one rule (`SharedErrors`) rather than repeated
//! on fifty handlers: they come from the extractors, not from the handler's own logic.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::wire;
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi};

/// The header scheme's name in the document (and the header itself, as Chatwoot spells it).
pub const TOKEN_SCHEME: &str = "api_access_token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        description = "Chatwoot-compatible Application API (`/api/v1`), Client API \
                       (`/public/api/v1`) and Switchboard's own additions. Authenticate with \
                       the `api_access_token` header (`POST /auth/sign_in` or the profile \
                       page gives it). Bodies of writes may also be wrapped in the resource's \
                       key, as Chatwoot accepts (`{\"label\": {...}}`), and sent as form or \
                       multipart fields in Rails' bracket notation (`label[title]=x`)."
    ),
    paths(
        crate::api::health::show,
        show,
        crate::api::auth::sign_in,
        crate::api::auth::sign_out,
        crate::api::auth::profile_show,
        crate::api::profile::update,
        crate::api::profile::reset_access_token,
        crate::api::availability::availability,
        crate::api::availability::auto_offline,
        crate::api::agents::index,
        crate::api::agents::create,
        crate::api::agents::update,
        crate::api::agents::destroy,
        crate::api::inboxes::index,
        crate::api::inboxes::create,
        crate::api::inboxes::show,
        crate::api::inboxes::update,
        crate::api::inboxes::destroy,
        crate::api::inboxes::rotate_hmac_token,
        crate::api::contacts::index,
        crate::api::contacts::create,
        crate::api::contacts::search,
        crate::api::contacts::filter,
        crate::api::contacts::merge,
        crate::api::contacts::show,
        crate::api::contacts::update,
        crate::api::contacts::destroy,
        crate::api::contacts::conversations,
        crate::api::contacts::app_context,
        crate::api::contacts::destroy_custom_attributes,
        crate::api::contact_labels::index,
        crate::api::contact_labels::create,
        crate::api::contact_notes::index,
        crate::api::contact_notes::create,
        crate::api::contact_notes::show,
        crate::api::contact_notes::update,
        crate::api::contact_notes::destroy,
        crate::api::contact_inboxes::contactable,
        crate::api::contact_inboxes::create,
        crate::api::conversations::index,
        crate::api::conversations::search,
        crate::api::conversations::filter,
        crate::api::conversations::create,
        crate::api::conversations::meta,
        crate::api::conversations::show,
        crate::api::conversations::update,
        crate::api::conversations::toggle_priority,
        crate::api::conversations::app_context,
        crate::api::app_actions::create,
        crate::api::conversations::toggle_status,
        crate::api::conversations::toggle_typing_status,
        crate::api::conversations::assign,
        crate::api::conversations::labels_index,
        crate::api::conversations::labels_create,
        crate::api::conversations::custom_attributes,
        crate::api::conversations::update_last_seen,
        crate::api::messages::index,
        crate::api::messages::create,
        crate::api::messages::destroy,
        crate::api::teams::index,
        crate::api::teams::create,
        crate::api::teams::show,
        crate::api::teams::update,
        crate::api::teams::destroy,
        crate::api::team_members::index,
        crate::api::team_members::create,
        crate::api::team_members::update,
        crate::api::team_members::destroy,
        crate::api::inbox_members::show,
        crate::api::inbox_members::create,
        crate::api::inbox_members::update,
        crate::api::inbox_members::destroy,
        crate::api::labels::index,
        crate::api::labels::create,
        crate::api::labels::show,
        crate::api::labels::update,
        crate::api::labels::destroy,
        crate::api::canned_responses::index,
        crate::api::canned_responses::create,
        crate::api::canned_responses::update,
        crate::api::canned_responses::destroy,
        crate::api::custom_attribute_definitions::index,
        crate::api::custom_attribute_definitions::show,
        crate::api::custom_attribute_definitions::create,
        crate::api::custom_attribute_definitions::update,
        crate::api::custom_attribute_definitions::destroy,
        crate::api::dashboard_apps::index,
        crate::api::dashboard_apps::create,
        crate::api::dashboard_apps::show,
        crate::api::dashboard_apps::update,
        crate::api::dashboard_apps::destroy,
        crate::api::dashboard_apps::rotate_secret,
        crate::api::dashboard_apps::sidebar_context,
        crate::api::dashboard_apps::update_settings,
        crate::api::app_requests::create,
        crate::api::app_requests::index,
        crate::api::webhooks::index,
        crate::api::webhooks::create,
        crate::api::webhooks::update,
        crate::api::webhooks::destroy,
        crate::api::webhooks::deliveries,
        crate::api::public::inboxes::show,
        crate::api::public::contacts::create,
        crate::api::public::contacts::show,
        crate::api::public::contacts::update,
        crate::api::public::conversations::index,
        crate::api::public::conversations::create,
        crate::api::public::conversations::show,
        crate::api::public::conversations::toggle_status,
        crate::api::public::conversations::update_last_seen,
        crate::api::public::conversations::toggle_typing,
        crate::api::public::messages::index,
        crate::api::public::messages::create,
        crate::api::public::messages::update,
        crate::api::public::widget::destroy_contact_attributes,
        crate::api::public::widget::set_conversation_attributes,
        crate::api::public::widget::destroy_conversation_attributes,
        crate::api::public::widget::add_label,
        crate::api::public::widget::remove_label,
    ),
    components(schemas(wire::Failure, wire::Invalid)),
    modifiers(&SharedErrors)
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`: this document. Built once; it only changes with the binary.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "openapi",
    security(()),
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn show() -> Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let json = DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .expect("the generated document is plain data and always serializes")
    });
    ([(header::CONTENT_TYPE, "application/json")], json.as_str()).into_response()
}

/// The token scheme, the default security of every operation that does not say `security(())`,
/// operation ids unique across modules, and the error answers the extractors give:
/// - an operation needing a token answers 401 `{error}` without one (or as a non-member, or in
///   the wrong role);
/// - one with path parameters answers 404 `{error}` for an id that is not there (a path that is
///   no number included, see `api::path_id`);
/// - one with a body takes it as JSON, form or multipart (`rails_encodings`), and answers 400
///   for a body that cannot be read, 413 beyond `routes::BODY_LIMIT` and 422
///   `{message, attributes}` for a value it cannot take (`extract.rs`);
/// - one with query parameters answers 422 for a value it cannot take.
struct SharedErrors;

impl Modify for SharedErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            TOKEN_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                TOKEN_SCHEME,
                "The user's access token (`access_token` of `POST /auth/sign_in`)",
            ))),
        );
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                shared_errors(operation);
            }
        }
    }
}

fn shared_errors(operation: &mut Operation) {
    // Tags name the module; handlers are named after Chatwoot's actions (`index`, `show`), so
    // the module makes them unique.
    if let (Some(tag), Some(id)) = (
        operation.tags.as_ref().and_then(|tags| tags.first()),
        operation.operation_id.as_mut(),
    ) {
        *id = format!("{tag}_{id}");
    }
    let security = operation
        .security
        .get_or_insert_with(|| vec![SecurityRequirement::new::<_, _, &str>(TOKEN_SCHEME, [])]);
    let needs_token = security
        .iter()
        .any(|r| *r != SecurityRequirement::default());
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let has_query = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = operation.request_body.is_some();
    if let Some(body) = operation.request_body.as_mut() {
        rails_encodings(body);
    }
    let mut add = |status: &str, description: &str, schema: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name(schema)))
                                .build(),
                        )
                        .build(),
                )
            });
    };
    if needs_token {
        add(
            "401",
            "No valid token, not a member of the account, or not allowed in this role",
            "Failure",
        );
    }
    if has_path {
        add("404", "Resource could not be found", "Failure");
    }
    if has_body {
        add(
            "400",
            "The body cannot be read (malformed JSON, form or multipart)",
            "Invalid",
        );
        add("413", "The body is over 1 MiB", "Invalid");
    }
    if has_body || has_query {
        add(
            "422",
            "A value that cannot be taken, named in `attributes`",
            "Invalid",
        );
    }
}

/// The body encodings Rails reads beside JSON (`extract.rs`), with the same schema: form and
/// multipart fields in Rails' bracket notation (`custom_attributes[plan]=pro`), numbers and
/// booleans as strings.
fn rails_encodings(body: &mut utoipa::openapi::request_body::RequestBody) {
    let Some(json) = body.content.get("application/json").cloned() else {
        return;
    };
    for kind in FORM_ENCODINGS {
        body.content
            .entry(kind.to_owned())
            .or_insert_with(|| json.clone());
    }
}

/// The media types every write also accepts.
const FORM_ENCODINGS: [&str; 2] = ["application/x-www-form-urlencoded", "multipart/form-data"];

/// `/api/v1/accounts/{account_id}/…`. Doc-only: handlers read the path as text (anything that
/// is not a member's account is a 401 or 404, never a plain-text 400).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct AccountPath {
    /// The account's id.
    account_id: i64,
}

/// `/api/v1/accounts/{account_id}/<resource>/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ResourcePath {
    /// The account's id.
    account_id: i64,
    /// The resource's id.
    id: i64,
}

/// `/api/v1/accounts/{account_id}/conversations/{display_id}/…`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ConversationPath {
    /// The account's id.
    account_id: i64,
    /// The conversation's per-account number (what Chatwoot's API calls its id).
    display_id: i64,
}

/// `/api/v1/accounts/{account_id}/conversations/{display_id}/messages/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct MessagePath {
    /// The account's id.
    account_id: i64,
    /// The conversation's per-account number.
    display_id: i64,
    /// The message's id.
    id: i64,
}

/// `/public/api/v1/inboxes/{inbox_identifier}/contacts`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct InboxPath {
    /// The API inbox's public identifier.
    inbox_identifier: String,
}

/// `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ContactInboxPath {
    /// The API inbox's public identifier.
    inbox_identifier: String,
    /// The contact's id in this inbox, as `POST …/contacts` answered it.
    source_id: String,
}

/// `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct PublicMessagePath {
    /// The API inbox's public identifier.
    inbox_identifier: String,
    /// The contact's id in this inbox.
    source_id: String,
    /// The conversation's per-account number.
    conversation_id: i64,
    /// The message's id.
    id: i64,
}

/// `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct PublicConversationPath {
    /// The API inbox's public identifier.
    inbox_identifier: String,
    /// The contact's id in this inbox.
    source_id: String,
    /// The conversation's per-account number.
    conversation_id: i64,
}

/// `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels/{label}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct PublicLabelPath {
    /// The inbox's public identifier (a website inbox's website token).
    inbox_identifier: String,
    /// The contact's id in this inbox.
    source_id: String,
    /// The conversation's per-account number.
    conversation_id: i64,
    /// The label's title.
    label: String,
}

/// `?page=`: a 1-based page (`domain::conversation::parse_page`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
}

/// `?before=`: the thread's 20 messages before this message id (the newest 20 without it).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct BeforeQuery {
    before: Option<i64>,
}
