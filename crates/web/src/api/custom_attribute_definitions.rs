//! `/api/v1/accounts/{account_id}/custom_attribute_definitions`
//! (`custom_attribute_definitions_controller.rb`): bare arrays and objects, `?attribute_model=`
//! (0 or `conversation_attribute`, 1 or `contact_attribute`) filters the list; writes for
//! administrators (`CustomAttributeDefinitionPolicy`); a delete answers 204 as Chatwoot's.

use super::{path_id, query_param};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use domain::custom_attribute_definition::DefinitionFields;
use domain::{
    wire, AttributeModel, CustomAttributeDefinitionId, DefinitionChanges, Member,
    NewCustomAttributeDefinition,
};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CustomAttributeDefinitionParams {
    attribute_display_name: Option<String>,
    attribute_description: Option<String>,
    /// `text`, `number`, `currency`, `percent`, `link`, `date`, `list`, `checkbox`, or 0–7.
    #[schema(value_type = Option<String>)]
    attribute_display_type: Option<Value>,
    attribute_key: Option<String>,
    /// `conversation_attribute` (0) or `contact_attribute` (1).
    #[schema(value_type = Option<String>)]
    attribute_model: Option<Value>,
    /// The choices of a `list`.
    #[schema(value_type = Option<Vec<String>>)]
    attribute_values: Option<Value>,
    /// `/pattern/flags` or a bare pattern that text values must match.
    regex_pattern: Option<String>,
    regex_cue: Option<String>,
}

impl Resource for CustomAttributeDefinitionParams {
    const KEY: &'static str = "custom_attribute_definition";
}

impl CustomAttributeDefinitionParams {
    fn fields(&self) -> DefinitionFields<'_> {
        DefinitionFields {
            attribute_display_name: self.attribute_display_name.as_deref(),
            attribute_description: self.attribute_description.as_deref(),
            attribute_display_type: self.attribute_display_type.as_ref(),
            attribute_key: self.attribute_key.as_deref(),
            attribute_model: self.attribute_model.as_ref(),
            attribute_values: self.attribute_values.as_ref(),
            regex_pattern: self.regex_pattern.as_deref(),
            regex_cue: self.regex_cue.as_deref(),
        }
    }
}

/// `?attribute_model=`: 0 / `conversation_attribute` or 1 / `contact_attribute`; both without.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ModelQuery {
    attribute_model: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    tag = "custom_attribute_definitions",
    params(AccountPath, ModelQuery),
    responses((status = 200, body = Vec<wire::CustomAttributeDefinition>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<wire::CustomAttributeDefinition>>, ApiError> {
    let model = match query_param(query.as_deref(), "attribute_model") {
        None => None,
        Some(text) if text.is_empty() => None,
        Some(text) => Some(AttributeModel::parse(&Value::String(text))?),
    };
    let definitions = state
        .store
        .custom_attribute_definitions()
        .list(member.account_id, model)
        .await?;
    Ok(Json(
        definitions
            .iter()
            .map(wire::CustomAttributeDefinition::from)
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    tag = "custom_attribute_definitions",
    params(ResourcePath),
    responses((status = 200, body = wire::CustomAttributeDefinition))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::CustomAttributeDefinition>, ApiError> {
    let definition = state
        .store
        .custom_attribute_definitions()
        .find(
            member.account_id,
            CustomAttributeDefinitionId(path_id(&id)?),
        )
        .await?;
    Ok(Json(wire::CustomAttributeDefinition::from(&definition)))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    tag = "custom_attribute_definitions",
    params(AccountPath),
    request_body = CustomAttributeDefinitionParams,
    responses((status = 200, body = wire::CustomAttributeDefinition))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(p): Wrapped<CustomAttributeDefinitionParams>,
) -> Result<Json<wire::CustomAttributeDefinition>, ApiError> {
    let new = NewCustomAttributeDefinition::validate(member.account_id, p.fields())?;
    let definition = state
        .store
        .custom_attribute_definitions()
        .create(&new)
        .await?;
    announce(&state, &member);
    Ok(Json(wire::CustomAttributeDefinition::from(&definition)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    tag = "custom_attribute_definitions",
    params(ResourcePath),
    request_body = CustomAttributeDefinitionParams,
    responses((status = 200, body = wire::CustomAttributeDefinition))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(p): Wrapped<CustomAttributeDefinitionParams>,
) -> Result<Json<wire::CustomAttributeDefinition>, ApiError> {
    let changes = DefinitionChanges::validate(p.fields())?;
    let definition = state
        .store
        .custom_attribute_definitions()
        .update(
            member.account_id,
            CustomAttributeDefinitionId(path_id(&id)?),
            &changes,
        )
        .await?;
    announce(&state, &member);
    Ok(Json(wire::CustomAttributeDefinition::from(&definition)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    tag = "custom_attribute_definitions",
    params(ResourcePath),
    responses((status = 204, description = "Deleted"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .custom_attribute_definitions()
        .delete(
            member.account_id,
            CustomAttributeDefinitionId(path_id(&id)?),
        )
        .await?;
    announce(&state, &member);
    Ok(StatusCode::NO_CONTENT)
}

/// Tells the account's open pages that its definitions changed: dashboard apps get them anew.
fn announce(state: &AppState, member: &domain::Member) {
    state.bus.publish_by(
        member.user.id,
        vec![domain::Event::CustomAttributeDefinitionsChanged {
            account_id: member.account_id,
        }],
    );
}
