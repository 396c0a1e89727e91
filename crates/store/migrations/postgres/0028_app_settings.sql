-- Dashboard apps' installation settings, request proxy and visibility (issue 14, items 4 and 6).
-- `settings_schema_json`: the settings an administrator defined ([{key, label, type, required,
-- options}]); `settings_json`: their non-secret values ({key: value}), sent to the app in every
-- context; `request_hosts_json`: the hostnames the app's proxied requests may reach;
-- `roles_json` and `team_ids_json`: who sees the app (empty: everyone), beside `inbox_ids_json`.
ALTER TABLE dashboard_apps ADD COLUMN settings_schema_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dashboard_apps ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE dashboard_apps ADD COLUMN request_hosts_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dashboard_apps ADD COLUMN roles_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dashboard_apps ADD COLUMN team_ids_json TEXT NOT NULL DEFAULT '[]';

-- Secret setting values, sealed (XChaCha20-Poly1305 under the server's secret key, bound to the
-- app and the key): never read back into a browser, opened only to fill a proxied request.
CREATE TABLE dashboard_app_secrets (
    dashboard_app_id BIGINT NOT NULL REFERENCES dashboard_apps (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    sealed TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (dashboard_app_id, key)
);

-- The audit log of proxied requests: who asked which app to send what where, and how it went.
-- `path` is the URL's path as the app wrote it (placeholders unfilled, no query string), so no
-- secret is ever written here. Times are epoch seconds; `duration_ms` milliseconds.
CREATE TABLE dashboard_app_requests (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    dashboard_app_id BIGINT NOT NULL REFERENCES dashboard_apps (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    method TEXT NOT NULL,
    host TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX dashboard_app_requests_app ON dashboard_app_requests (dashboard_app_id, id);
