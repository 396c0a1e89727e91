-- Business hours of an inbox (issue 15): Chatwoot's working_hours_enabled, out_of_office_message
-- and timezone columns, and its seven working_hours rows kept as one JSON list
-- (working_hours_json, Sunday first, Chatwoot's entry shape). Empty means the default week
-- (Monday to Friday 9:00 to 17:00), which the domain owns, so it is written in one place.
ALTER TABLE inboxes ADD COLUMN working_hours_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE inboxes ADD COLUMN out_of_office_message TEXT;
ALTER TABLE inboxes ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE inboxes ADD COLUMN working_hours_json TEXT NOT NULL DEFAULT '';
