-- Each dashboard app's secret for signing its context tokens; shown once, never read back by
-- the API. Apps created before this migration get one when an administrator generates it.
ALTER TABLE dashboard_apps ADD COLUMN signing_secret TEXT;
