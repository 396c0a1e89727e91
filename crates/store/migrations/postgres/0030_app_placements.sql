-- Placements (issue 14, item 2): an app may be shown in several places — a conversation tab
-- (Chatwoot's), a panel beside the conversation, the contact page, a full page — listed here as
-- a JSON array of names. `display_type` stays, naming the primary one for older clients; the
-- apps that exist are shown where their `display_type` says.
ALTER TABLE dashboard_apps ADD COLUMN placements_json TEXT NOT NULL DEFAULT '["conversation_tab"]';
UPDATE dashboard_apps SET placements_json = '["full_page"]' WHERE display_type = 'sidebar';
