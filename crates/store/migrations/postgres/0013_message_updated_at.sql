-- When a message last changed (Message#push_event_data's updated_at): set when it is deleted
-- (its content replaced) or its form answered (submitted_values). NULL for a message never
-- changed since it was written, which reads as its created_at.
ALTER TABLE messages ADD COLUMN updated_at BIGINT;
