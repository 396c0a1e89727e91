//! Inboxes: API channels, and website channels with their widget (`channel_web_widgets`).

use crate::error::found;
use crate::events::log_events;
use crate::{json, on_pool, on_writer, Store, StoreError};
use domain::{
    password, AccountId, BusinessHours, Inbox, InboxChanges, InboxId, InboxSettings, NewInbox,
    WebWidget, WorkingHour,
};

/// The columns of an inbox with its widget, if any (`i` the inbox, `w` the widget).
macro_rules! inbox_columns {
    () => {
        "i.id, i.account_id, i.name, i.channel_type, i.webhook_url, i.inbox_identifier, \
         i.hmac_token, i.hmac_mandatory, i.enable_auto_assignment, i.greeting_enabled, \
         i.greeting_message, i.working_hours_enabled, i.out_of_office_message, i.timezone, \
         i.working_hours_json, i.created_at, w.inbox_id AS widget_inbox_id, w.website_url, \
         w.widget_color, w.welcome_title, w.welcome_tagline, w.reply_time, \
         w.pre_chat_form_enabled, w.pre_chat_form_options_json, w.allowed_domains \
         FROM inboxes i LEFT JOIN channel_web_widgets w ON w.inbox_id = i.id"
    };
}

/// Binds a widget's settings in the order `INSERT_WIDGET` (after its `inbox_id`) and
/// `UPDATE_WIDGET` list them (a macro: the query's type differs per backend). Allowed domains
/// are kept one per line.
macro_rules! bind_widget {
    ($query:expr, $widget:expr) => {{
        let widget: &WebWidget = $widget;
        $query
            .bind(widget.website_url.clone())
            .bind(widget.widget_color.clone())
            .bind(widget.welcome_title.clone())
            .bind(widget.welcome_tagline.clone())
            .bind(widget.reply_time.clone())
            .bind(widget.pre_chat_form_enabled)
            .bind(json::text(&widget.pre_chat_form_options))
            .bind(widget.allowed_domains.join("\n"))
    }};
}

const INSERT: &str = "INSERT INTO inboxes (account_id, name, channel_type, webhook_url, inbox_identifier, \
     hmac_token, hmac_mandatory, enable_auto_assignment, greeting_enabled, greeting_message, created_at, \
     working_hours_enabled, out_of_office_message, timezone, working_hours_json) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
const INSERT_WIDGET: &str = "INSERT INTO channel_web_widgets (inbox_id, website_url, widget_color, \
     welcome_title, welcome_tagline, reply_time, pre_chat_form_enabled, pre_chat_form_options_json, \
     allowed_domains) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const UPDATE_WIDGET: &str = "UPDATE channel_web_widgets SET website_url = $1, widget_color = $2, \
     welcome_title = $3, welcome_tagline = $4, reply_time = $5, pre_chat_form_enabled = $6, \
     pre_chat_form_options_json = $7, allowed_domains = $8 WHERE inbox_id = $9";
const SELECT_ALL: &str = concat!(
    "SELECT ",
    inbox_columns!(),
    " WHERE i.account_id = $1 ORDER BY i.id"
);
const SELECT_ONE: &str = concat!(
    "SELECT ",
    inbox_columns!(),
    " WHERE i.account_id = $1 AND i.id = $2"
);
const UPDATE: &str = "UPDATE inboxes SET name = $1, webhook_url = $2, hmac_mandatory = $3, \
     enable_auto_assignment = $4, greeting_enabled = $5, greeting_message = $6, \
     working_hours_enabled = $7, out_of_office_message = $8, timezone = $9, working_hours_json = $10 \
     WHERE account_id = $11 AND id = $12";
const ROTATE_HMAC: &str = "UPDATE inboxes SET hmac_token = $1 WHERE account_id = $2 AND id = $3";
const DELETE: &str = "DELETE FROM inboxes WHERE account_id = $1 AND id = $2";

#[derive(sqlx::FromRow)]
struct InboxRow {
    id: i64,
    account_id: i64,
    name: String,
    channel_type: String,
    webhook_url: Option<String>,
    inbox_identifier: String,
    hmac_token: String,
    hmac_mandatory: bool,
    enable_auto_assignment: bool,
    greeting_enabled: bool,
    greeting_message: Option<String>,
    working_hours_enabled: bool,
    out_of_office_message: Option<String>,
    timezone: String,
    working_hours_json: String,
    created_at: i64,
    widget_inbox_id: Option<i64>,
    website_url: Option<String>,
    widget_color: Option<String>,
    welcome_title: Option<String>,
    welcome_tagline: Option<String>,
    reply_time: Option<String>,
    pre_chat_form_enabled: Option<bool>,
    pre_chat_form_options_json: Option<String>,
    allowed_domains: Option<String>,
}

impl From<InboxRow> for Inbox {
    fn from(row: InboxRow) -> Self {
        let web_widget = row.widget_inbox_id.map(|_| WebWidget {
            website_url: row.website_url.unwrap_or_default(),
            widget_color: row.widget_color.unwrap_or_default(),
            welcome_title: row.welcome_title,
            welcome_tagline: row.welcome_tagline,
            reply_time: row.reply_time.unwrap_or_default(),
            pre_chat_form_enabled: row.pre_chat_form_enabled.unwrap_or(false),
            pre_chat_form_options: json::object(
                row.pre_chat_form_options_json.as_deref().unwrap_or("{}"),
            ),
            allowed_domains: row
                .allowed_domains
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect(),
        });
        Inbox {
            id: InboxId(row.id),
            account_id: AccountId(row.account_id),
            name: row.name,
            channel_type: row.channel_type,
            webhook_url: row.webhook_url,
            inbox_identifier: row.inbox_identifier,
            hmac_token: row.hmac_token,
            hmac_mandatory: row.hmac_mandatory,
            settings: InboxSettings {
                enable_auto_assignment: row.enable_auto_assignment,
                greeting_enabled: row.greeting_enabled,
                greeting_message: row.greeting_message,
                business_hours: business_hours(
                    row.working_hours_enabled,
                    row.out_of_office_message,
                    row.timezone,
                    &row.working_hours_json,
                ),
            },
            web_widget,
            created_at: row.created_at,
        }
    }
}

/// Business hours from their columns; a week that is not seven days in order (the empty
/// default) reads as the default week.
fn business_hours(
    enabled: bool,
    out_of_office_message: Option<String>,
    timezone: String,
    week_json: &str,
) -> BusinessHours {
    let defaults = BusinessHours::default();
    let week: Vec<WorkingHour> = serde_json::from_str(week_json).unwrap_or_default();
    let in_order = week
        .iter()
        .enumerate()
        .all(|(day, hour)| usize::from(hour.day_of_week) == day);
    BusinessHours {
        enabled,
        out_of_office_message,
        timezone,
        week: week
            .try_into()
            .ok()
            .filter(|_| in_order)
            .unwrap_or(defaults.week),
    }
}

/// The week as `working_hours_json` keeps it.
fn week_json(hours: &BusinessHours) -> String {
    serde_json::to_string(&hours.week).expect("working hours always serialize")
}

pub struct Inboxes<'a> {
    pub(crate) store: &'a Store,
}

impl Inboxes<'_> {
    /// Creates the inbox, and its widget for a website inbox, in one transaction.
    pub async fn create(&self, new: &NewInbox) -> Result<Inbox, StoreError> {
        let identifier = password::random_token(24);
        let hmac = password::random_token(32);
        let now = domain::time::now();
        let id: i64 = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(INSERT)
                .bind(new.account_id.get())
                .bind(&new.name)
                .bind(new.channel_type())
                .bind(&new.webhook_url)
                .bind(&identifier)
                .bind(&hmac)
                .bind(new.hmac_mandatory)
                .bind(new.settings.enable_auto_assignment)
                .bind(new.settings.greeting_enabled)
                .bind(&new.settings.greeting_message)
                .bind(now)
                .bind(new.settings.business_hours.enabled)
                .bind(&new.settings.business_hours.out_of_office_message)
                .bind(&new.settings.business_hours.timezone)
                .bind(week_json(&new.settings.business_hours))
                .fetch_one(&mut *tx)
                .await?;
            if let Some(widget) = &new.web_widget {
                bind_widget!(sqlx::query(INSERT_WIDGET).bind(id), widget)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        })?;
        self.find(new.account_id, InboxId(id)).await
    }

    pub async fn list(&self, account_id: AccountId) -> Result<Vec<Inbox>, StoreError> {
        let rows: Vec<InboxRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Inbox::from).collect())
    }

    /// The inboxes of `member`'s account that they may see (Chatwoot's `GET inboxes` shows an
    /// agent only the inboxes they are a member of).
    pub async fn visible(&self, member: &domain::Member) -> Result<Vec<Inbox>, StoreError> {
        let mut inboxes = self.list(member.account_id).await?;
        inboxes.retain(|inbox| member.scope.allows(inbox.id));
        Ok(inboxes)
    }

    /// One inbox of `member`'s account that they may see, else `NotFound`.
    pub async fn find_visible(
        &self,
        member: &domain::Member,
        id: InboxId,
    ) -> Result<Inbox, StoreError> {
        if !member.scope.allows(id) {
            return Err(StoreError::NotFound);
        }
        self.find(member.account_id, id).await
    }

    pub async fn find(&self, account_id: AccountId, id: InboxId) -> Result<Inbox, StoreError> {
        let row: Option<InboxRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Inbox::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: InboxId,
        changes: &InboxChanges,
    ) -> Result<Inbox, StoreError> {
        let mut inbox = self.find(account_id, id).await?;
        if let Some(name) = &changes.name {
            inbox.name = name.clone();
        }
        if let Some(url) = &changes.webhook_url {
            inbox.webhook_url = url.clone();
        }
        if let Some(mandatory) = changes.hmac_mandatory {
            inbox.hmac_mandatory = mandatory;
        }
        inbox.settings.apply(changes);
        if let (Some(widget), Some(widget_changes)) = (&mut inbox.web_widget, &changes.web_widget) {
            widget.apply(widget_changes);
        }
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(UPDATE)
                .bind(&inbox.name)
                .bind(&inbox.webhook_url)
                .bind(inbox.hmac_mandatory)
                .bind(inbox.settings.enable_auto_assignment)
                .bind(inbox.settings.greeting_enabled)
                .bind(&inbox.settings.greeting_message)
                .bind(inbox.settings.business_hours.enabled)
                .bind(&inbox.settings.business_hours.out_of_office_message)
                .bind(&inbox.settings.business_hours.timezone)
                .bind(week_json(&inbox.settings.business_hours))
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            if let Some(widget) = &inbox.web_widget {
                bind_widget!(sqlx::query(UPDATE_WIDGET), widget)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(inbox)
    }

    /// A new HMAC token for the inbox (Chatwoot's `rotate_hmac_token`): identifier hashes made
    /// with the old one stop verifying.
    pub async fn rotate_hmac_token(
        &self,
        account_id: AccountId,
        id: InboxId,
    ) -> Result<Inbox, StoreError> {
        let token = password::random_token(32);
        let done = on_pool!(self.store, |pool| sqlx::query(ROTATE_HMAC)
            .bind(&token)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)?;
        self.find(account_id, id).await
    }

    /// Deletes the inbox with its conversations (as Chatwoot does).
    pub async fn delete(&self, account_id: AccountId, id: InboxId) -> Result<(), StoreError> {
        let event = domain::Event::InboxDeleted {
            account_id,
            inbox_id: id,
        };
        let done = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(DELETE)
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done > 0 {
                log_events!(self.store, tx, std::slice::from_ref(&event));
            }
            tx.commit().await.map(|()| done)
        })?;
        crate::error::touched(done)?;
        self.store.observe_all(std::slice::from_ref(&event));
        Ok(())
    }
}
