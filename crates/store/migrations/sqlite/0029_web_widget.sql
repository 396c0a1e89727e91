-- Website live-chat inboxes (issue 15): Chatwoot's channel_web_widgets, one row per inbox whose
-- channel_type is 'Channel::WebWidget'. The website token the snippet carries is the inbox's
-- inbox_identifier (already unique and random), and hmac_token / hmac_mandatory stay on inboxes,
-- so each fact lives in one place. allowed_domains: the hosts that may embed the widget, one per
-- line (empty: any site); pre_chat_form_options_json: Chatwoot's pre_chat_form_options object.
CREATE TABLE channel_web_widgets (
    inbox_id INTEGER PRIMARY KEY REFERENCES inboxes (id) ON DELETE CASCADE,
    website_url TEXT NOT NULL,
    widget_color TEXT NOT NULL,
    welcome_title TEXT,
    welcome_tagline TEXT,
    reply_time TEXT NOT NULL,
    pre_chat_form_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    pre_chat_form_options_json TEXT NOT NULL DEFAULT '{}',
    allowed_domains TEXT NOT NULL DEFAULT ''
);
