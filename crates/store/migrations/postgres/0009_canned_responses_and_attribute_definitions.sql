-- Canned responses, custom attribute definitions and contact labels (issue 10). Times are epoch
-- seconds; *_json columns hold JSON text.

-- Chatwoot's canned_responses: a reply an agent inserts by its short code.
CREATE TABLE canned_responses (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    short_code TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, short_code)
);

-- Chatwoot's custom_attribute_definitions: how a custom attribute of a conversation or a contact
-- is shown and validated. The enums are stored by name ('conversation_attribute', 'list').
CREATE TABLE custom_attribute_definitions (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    attribute_model TEXT NOT NULL,
    attribute_key TEXT NOT NULL,
    attribute_display_name TEXT NOT NULL,
    attribute_display_type TEXT NOT NULL,
    attribute_description TEXT,
    attribute_values_json TEXT NOT NULL DEFAULT '[]',
    regex_pattern TEXT,
    regex_cue TEXT,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, attribute_model, attribute_key)
);

-- A contact's labels by title (Chatwoot tags contacts with label titles).
CREATE TABLE contact_labels (
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (contact_id, title)
);
CREATE INDEX contact_labels_title ON contact_labels (account_id, title, contact_id);
