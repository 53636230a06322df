-- The spine: users and access, channels, customers and identities, conversations and messages,
-- the event log, durable jobs. Times are Unix milliseconds (BIGINT) on both dialects so that the
-- same Go code reads and writes them without driver-specific time handling.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    languages     TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT 'offline',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE channels (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    secret     TEXT NOT NULL DEFAULT '',
    settings   TEXT NOT NULL DEFAULT '{}',
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    languages   TEXT NOT NULL DEFAULT '',
    profile     TEXT NOT NULL DEFAULT '{}',
    merged_into TEXT REFERENCES customers (id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX customers_merged_into ON customers (merged_into);

-- original_customer_id is where the identity was first seen, so that an un-merge can give each
-- identity back to the customer it came from.
CREATE TABLE identities (
    id                   TEXT PRIMARY KEY,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    original_customer_id TEXT NOT NULL REFERENCES customers (id),
    kind                 TEXT NOT NULL,
    value                TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX identities_customer ON identities (customer_id);

CREATE TABLE conversations (
    id                   TEXT PRIMARY KEY,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    original_customer_id TEXT NOT NULL REFERENCES customers (id),
    status               TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved', 'merged')),
    assignee_id          TEXT REFERENCES users (id),
    channel_id           TEXT REFERENCES channels (id),
    subject              TEXT NOT NULL DEFAULT '',
    priority             INTEGER NOT NULL DEFAULT 0,
    merged_into          TEXT REFERENCES conversations (id),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    last_message_at      BIGINT NOT NULL,
    resolved_at          BIGINT
);
-- The one-conversation-per-customer rule lives in the database, so that it holds across
-- goroutines, processes and nodes.
CREATE UNIQUE INDEX conversations_one_open ON conversations (customer_id) WHERE status IN ('open', 'pending');
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status);
CREATE INDEX conversations_customer ON conversations (customer_id, created_at);
CREATE INDEX conversations_merged_into ON conversations (merged_into);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    channel_id      TEXT REFERENCES channels (id),
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author_id       TEXT REFERENCES users (id),
    external_id     TEXT,
    text            TEXT NOT NULL DEFAULT '',
    attachments     TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    status_reason   TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
CREATE INDEX messages_external ON messages (channel_id, external_id);

-- A provider delivery is accepted once: (channel, provider id) is the key, and a replay returns
-- the event recorded the first time.
CREATE TABLE channel_receipts (
    channel_id  TEXT NOT NULL REFERENCES channels (id),
    external_id TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    message_id  TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (channel_id, external_id)
);

CREATE TABLE notes (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    author_id       TEXT NOT NULL REFERENCES users (id),
    text            TEXT NOT NULL,
    mentions        TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL
);
CREATE INDEX notes_conversation ON notes (conversation_id, created_at);

-- The event log: append-only. seq orders it; id names an event across nodes.
CREATE TABLE events (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    customer_id     TEXT,
    conversation_id TEXT,
    channel_id      TEXT,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL
);
CREATE INDEX events_customer ON events (customer_id, seq);
CREATE INDEX events_conversation ON events (conversation_id, seq);
CREATE INDEX events_kind_time ON events (kind, created_at);
CREATE INDEX events_time ON events (created_at);

CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,
    state        TEXT NOT NULL CHECK (state IN ('ready', 'running', 'done', 'failed')),
    attempt      INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    run_at       BIGINT NOT NULL,
    locked_by    TEXT NOT NULL DEFAULT '',
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_at);

CREATE TABLE branches (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    city       TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
