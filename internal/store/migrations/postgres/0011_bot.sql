-- Guided flows as a conversation, and the help bot (issue 7).

-- A message the help bot wrote says so, so the agent who takes over tells the bot's answers
-- from a colleague's.
ALTER TABLE messages ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
-- The answers a message offers as buttons (a JSON array of labels, numbered in the text too),
-- which adapters whose provider has buttons send as such: WhatsApp's reply buttons and lists.
ALTER TABLE messages ADD COLUMN choices TEXT NOT NULL DEFAULT '[]';
-- A message whose text is the customer's secret (a one-time code): delivered as written, shown
-- to agents only as "a code was sent".
ALTER TABLE messages ADD COLUMN secret INTEGER NOT NULL DEFAULT 0;

-- A guided flow a customer is going through on a chat channel (WhatsApp, Telegram, web chat):
-- one at a time per customer, kept here and not in memory so a restart or another node
-- carries on, and advanced only inside the ingest transaction of a new message, so a
-- provider's retry of the same message finds its receipt and advances nothing.
CREATE TABLE chat_flows (
    customer_id     TEXT PRIMARY KEY REFERENCES customers (id),
    service_id      TEXT NOT NULL REFERENCES services (id),
    channel_id      TEXT NOT NULL REFERENCES channels (id),
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    pos             INTEGER NOT NULL,
    answers         TEXT NOT NULL DEFAULT '{}',
    lang            TEXT NOT NULL,
    started_by      TEXT NOT NULL DEFAULT '',
    code_id         TEXT NOT NULL DEFAULT '', -- the one-time code sent for the identity-check step it is at
    started_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- What the bot last did in a conversation: asked whether its answer helped (which article and
-- service it offered, in which language, so a bare "2" is answered in it), or handed the
-- conversation to the agents, after which it is quiet.
CREATE TABLE bot_threads (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
    state           TEXT NOT NULL CHECK (state IN ('asked', 'handed')),
    article_id      TEXT NOT NULL DEFAULT '',
    service_id      TEXT NOT NULL DEFAULT '',
    query           TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL
);

-- One-time codes of a flow's identity-check step: six digits sent to the customer's phone or
-- email on a fitting channel. Only a keyed digest is kept, never the code; a code opens once,
-- before it expires, within a few attempts.
CREATE TABLE flow_codes (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    service_id  TEXT NOT NULL,
    digest      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    created_at  BIGINT NOT NULL
);
