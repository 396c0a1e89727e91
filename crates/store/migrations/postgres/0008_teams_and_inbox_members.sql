-- Teams, team members and inbox members (Chatwoot's teams, team_members, inbox_members), and a
-- conversation's team and priority. A membership row references the account membership, so
-- removing an agent from the account removes them from its teams and inboxes too.
CREATE TABLE teams (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- lowercased, as Chatwoot stores team names
    name TEXT NOT NULL,
    description TEXT,
    allow_auto_assign BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id),
    FOREIGN KEY (account_id, user_id) REFERENCES account_users (account_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_user ON team_members (account_id, user_id);

CREATE TABLE inbox_members (
    inbox_id BIGINT NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (inbox_id, user_id),
    FOREIGN KEY (account_id, user_id) REFERENCES account_users (account_id, user_id) ON DELETE CASCADE
);
CREATE INDEX inbox_members_user ON inbox_members (account_id, user_id);

-- Chatwoot's conversations.team_id (nullified when the team is deleted) and priority
-- (NULL, or one of Chatwoot's four enum names).
ALTER TABLE conversations ADD COLUMN team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN priority TEXT
    CHECK (priority IN ('low', 'medium', 'high', 'urgent'));
CREATE INDEX conversations_team ON conversations (team_id);
