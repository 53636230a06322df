-- Canned responses: the answers agents send again and again, written once, with variables
-- ({{customer.first_name}}) filled in per conversation, per language and per channel.

CREATE TABLE canned_responses (
    id                TEXT PRIMARY KEY,
    shortcut          TEXT NOT NULL UNIQUE,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    lang              TEXT NOT NULL DEFAULT '',
    channel_kinds     TEXT NOT NULL DEFAULT '',
    approved_template INTEGER NOT NULL DEFAULT 0,
    updated_by        TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
