-- Our control fields for dashboard apps; the defaults keep every existing app as it was: enabled,
-- a conversation tab, on every inbox, no actions, in creation order.
ALTER TABLE dashboard_apps ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE dashboard_apps ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dashboard_apps ADD COLUMN display_type TEXT NOT NULL DEFAULT 'conversation'
    CHECK (display_type IN ('conversation', 'sidebar'));
ALTER TABLE dashboard_apps ADD COLUMN inbox_ids_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dashboard_apps ADD COLUMN allowed_actions_json TEXT NOT NULL DEFAULT '[]';
UPDATE dashboard_apps SET position = (
    SELECT COUNT(*) FROM dashboard_apps AS earlier
    WHERE earlier.account_id = dashboard_apps.account_id AND earlier.id <= dashboard_apps.id
);
CREATE INDEX dashboard_apps_account_position ON dashboard_apps (account_id, position, id);
