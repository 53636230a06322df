-- The console's conversation tools: labels agents put on conversations (from a list that
-- supervisors keep, one per installation, stored normalised so "Billing " and "billing" are
-- one label), and snoozing: a conversation set aside until a time, when a durable job wakes it.

CREATE TABLE labels (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE conversation_labels (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    label_id        TEXT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    added_by        TEXT NOT NULL DEFAULT '',
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, label_id)
);
CREATE INDEX conversation_labels_label ON conversation_labels (label_id);

-- snoozed_until is set while a conversation is snoozed; the open views leave it out.
ALTER TABLE conversations ADD COLUMN snoozed_until BIGINT;
CREATE INDEX conversations_queue ON conversations (queue_id, status);
