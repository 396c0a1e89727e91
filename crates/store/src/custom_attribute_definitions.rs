//! An account's custom attribute definitions. New definitions go to the end of their model's
//! list (`position`: the largest so far plus 10, as Chatwoot's `set_position`).

use crate::error::{found, taken, touched};
use crate::json;
use crate::{on_pool, Store, StoreError};
use domain::{
    AccountId, AttributeDisplayType, AttributeModel, CustomAttributeDefinition,
    CustomAttributeDefinitionId, DefinitionChanges, NewCustomAttributeDefinition,
};

const INSERT: &str = "INSERT INTO custom_attribute_definitions (account_id, attribute_model, \
     attribute_key, attribute_display_name, attribute_display_type, attribute_description, \
     attribute_values_json, regex_pattern, regex_cue, position, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
     (SELECT COALESCE(MAX(position), 0) + 10 FROM custom_attribute_definitions \
      WHERE account_id = $1 AND attribute_model = $2), $10, $10) \
     RETURNING id, account_id, attribute_model, attribute_key, attribute_display_name, \
     attribute_display_type, attribute_description, attribute_values_json, regex_pattern, \
     regex_cue, position, created_at, updated_at";
const SELECT_ALL: &str = "SELECT id, account_id, attribute_model, attribute_key, \
     attribute_display_name, attribute_display_type, attribute_description, attribute_values_json, \
     regex_pattern, regex_cue, position, created_at, updated_at \
     FROM custom_attribute_definitions WHERE account_id = $1 \
     ORDER BY position, id";
const SELECT_MODEL: &str = "SELECT id, account_id, attribute_model, attribute_key, \
     attribute_display_name, attribute_display_type, attribute_description, attribute_values_json, \
     regex_pattern, regex_cue, position, created_at, updated_at \
     FROM custom_attribute_definitions WHERE account_id = $1 AND attribute_model = $2 \
     ORDER BY position, id";
const SELECT_ONE: &str = "SELECT id, account_id, attribute_model, attribute_key, \
     attribute_display_name, attribute_display_type, attribute_description, attribute_values_json, \
     regex_pattern, regex_cue, position, created_at, updated_at \
     FROM custom_attribute_definitions WHERE account_id = $1 AND id = $2";
const UPDATE: &str = "UPDATE custom_attribute_definitions SET attribute_model = $1, \
     attribute_key = $2, attribute_display_name = $3, attribute_display_type = $4, \
     attribute_description = $5, attribute_values_json = $6, regex_pattern = $7, regex_cue = $8, \
     updated_at = $9, position = $10 WHERE account_id = $11 AND id = $12";
const NEXT_POSITION: &str = "SELECT COALESCE(MAX(position), 0) + 10 \
     FROM custom_attribute_definitions WHERE account_id = $1 AND attribute_model = $2";
const DELETE: &str = "DELETE FROM custom_attribute_definitions WHERE account_id = $1 AND id = $2";

#[derive(sqlx::FromRow)]
struct DefinitionRow {
    id: i64,
    account_id: i64,
    attribute_model: String,
    attribute_key: String,
    attribute_display_name: String,
    attribute_display_type: String,
    attribute_description: Option<String>,
    attribute_values_json: String,
    regex_pattern: Option<String>,
    regex_cue: Option<String>,
    position: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<DefinitionRow> for CustomAttributeDefinition {
    fn from(row: DefinitionRow) -> Self {
        let name = |text: &str| serde_json::Value::String(text.to_owned());
        CustomAttributeDefinition {
            id: CustomAttributeDefinitionId(row.id),
            account_id: AccountId(row.account_id),
            // Only our own writes put names here; a row of an unknown name reads as the default.
            attribute_model: AttributeModel::parse(&name(&row.attribute_model))
                .unwrap_or(AttributeModel::ConversationAttribute),
            attribute_key: row.attribute_key,
            attribute_display_name: row.attribute_display_name,
            attribute_display_type: AttributeDisplayType::parse(&name(&row.attribute_display_type))
                .unwrap_or(AttributeDisplayType::Text),
            attribute_description: row.attribute_description,
            attribute_values: json::strings(&row.attribute_values_json),
            regex_pattern: row.regex_pattern,
            regex_cue: row.regex_cue,
            position: row.position,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct CustomAttributeDefinitions<'a> {
    pub(crate) store: &'a Store,
}

impl CustomAttributeDefinitions<'_> {
    pub async fn create(
        &self,
        new: &NewCustomAttributeDefinition,
    ) -> Result<CustomAttributeDefinition, StoreError> {
        let row: DefinitionRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(new.attribute_model.as_str())
            .bind(&new.attribute_key)
            .bind(&new.attribute_display_name)
            .bind(new.attribute_display_type.as_str())
            .bind(&new.attribute_description)
            .bind(json::strings_text(&new.attribute_values))
            .bind(&new.regex_pattern)
            .bind(&new.regex_cue)
            .bind(domain::time::now())
            .fetch_one(pool)
            .await)
        .map_err(taken("attribute_key"))?;
        Ok(row.into())
    }

    /// The account's definitions, of one model or of both, in display order.
    pub async fn list(
        &self,
        account_id: AccountId,
        model: Option<AttributeModel>,
    ) -> Result<Vec<CustomAttributeDefinition>, StoreError> {
        let rows: Vec<DefinitionRow> = match model {
            None => on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
                .bind(account_id.get())
                .fetch_all(pool)
                .await)?,
            Some(model) => on_pool!(self.store, |pool| sqlx::query_as(SELECT_MODEL)
                .bind(account_id.get())
                .bind(model.as_str())
                .fetch_all(pool)
                .await)?,
        };
        Ok(rows
            .into_iter()
            .map(CustomAttributeDefinition::from)
            .collect())
    }

    pub async fn find(
        &self,
        account_id: AccountId,
        id: CustomAttributeDefinitionId,
    ) -> Result<CustomAttributeDefinition, StoreError> {
        let row: Option<DefinitionRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(CustomAttributeDefinition::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: CustomAttributeDefinitionId,
        changes: &DefinitionChanges,
    ) -> Result<CustomAttributeDefinition, StoreError> {
        let mut d = self.find(account_id, id).await?;
        let model_before = d.attribute_model;
        changes.apply(&mut d)?;
        d.updated_at = domain::time::now();
        // A definition moved to the other model goes to the end of that model's list.
        if d.attribute_model != model_before {
            d.position = on_pool!(self.store, |pool| sqlx::query_scalar(NEXT_POSITION)
                .bind(account_id.get())
                .bind(d.attribute_model.as_str())
                .fetch_one(pool)
                .await)?;
        }
        let done = on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(d.attribute_model.as_str())
            .bind(&d.attribute_key)
            .bind(&d.attribute_display_name)
            .bind(d.attribute_display_type.as_str())
            .bind(&d.attribute_description)
            .bind(json::strings_text(&d.attribute_values))
            .bind(&d.regex_pattern)
            .bind(&d.regex_cue)
            .bind(d.updated_at)
            .bind(d.position)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(taken("attribute_key"))?;
        touched(done)?;
        Ok(d)
    }

    pub async fn delete(
        &self,
        account_id: AccountId,
        id: CustomAttributeDefinitionId,
    ) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        touched(done)
    }
}
