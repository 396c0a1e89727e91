//! An account's labels.

use crate::error::{found, taken};
use crate::{on_pool, Store, StoreError};
use domain::{AccountId, Label, LabelChanges, LabelId, NewLabel};

const INSERT: &str = "INSERT INTO labels (account_id, title, description, color, show_on_sidebar, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, account_id, title, description, color, show_on_sidebar";
const SELECT_ALL: &str = "SELECT id, account_id, title, description, color, show_on_sidebar \
     FROM labels WHERE account_id = $1 ORDER BY title";
const SELECT_ONE: &str = "SELECT id, account_id, title, description, color, show_on_sidebar \
     FROM labels WHERE account_id = $1 AND id = $2";
const UPDATE: &str =
    "UPDATE labels SET title = $1, description = $2, color = $3, show_on_sidebar = $4 \
     WHERE account_id = $5 AND id = $6";
const DELETE: &str = "DELETE FROM labels WHERE account_id = $1 AND id = $2";

#[derive(sqlx::FromRow)]
struct LabelRow {
    id: i64,
    account_id: i64,
    title: String,
    description: Option<String>,
    color: String,
    show_on_sidebar: bool,
}

impl From<LabelRow> for Label {
    fn from(row: LabelRow) -> Self {
        Label {
            id: LabelId(row.id),
            account_id: AccountId(row.account_id),
            title: row.title,
            description: row.description,
            color: row.color,
            show_on_sidebar: row.show_on_sidebar,
        }
    }
}

pub struct Labels<'a> {
    pub(crate) store: &'a Store,
}

impl Labels<'_> {
    pub async fn create(&self, new: &NewLabel) -> Result<Label, StoreError> {
        let now = domain::time::now();
        let row: LabelRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(&new.title)
            .bind(&new.description)
            .bind(&new.color)
            .bind(new.show_on_sidebar)
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(taken("title"))?;
        Ok(row.into())
    }

    pub async fn list(&self, account_id: AccountId) -> Result<Vec<Label>, StoreError> {
        let rows: Vec<LabelRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Label::from).collect())
    }

    pub async fn find(&self, account_id: AccountId, id: LabelId) -> Result<Label, StoreError> {
        let row: Option<LabelRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Label::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: LabelId,
        changes: &LabelChanges,
    ) -> Result<Label, StoreError> {
        let mut label = self.find(account_id, id).await?;
        if let Some(title) = &changes.title {
            label.title = title.clone();
        }
        if let Some(description) = &changes.description {
            label.description = description.clone();
        }
        if let Some(color) = &changes.color {
            label.color = color.clone();
        }
        if let Some(show) = changes.show_on_sidebar {
            label.show_on_sidebar = show;
        }
        on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&label.title)
            .bind(&label.description)
            .bind(&label.color)
            .bind(label.show_on_sidebar)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(taken("title"))?;
        Ok(label)
    }

    pub async fn delete(&self, account_id: AccountId, id: LabelId) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)
    }
}
