-- Proactive help: the rules supervisors write ("2 searches without a click → offer a chat"),
-- each visitor's current visit (the row every signal of the visitor locks first, so that two
-- tabs' signals are decided one after the other), the visits, the signals of each visit, and
-- the offers — at most one per visit, which the unique visit_id makes a property of the schema.

CREATE TABLE assist_rules (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    condition  TEXT NOT NULL,
    offer      TEXT NOT NULL CHECK (offer IN ('chat', 'article', 'callback')),
    article_id TEXT NOT NULL DEFAULT '',
    priority   INTEGER NOT NULL DEFAULT 0,
    enabled    INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE assist_visits (
    id          TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL REFERENCES channels (id),
    visitor_id  TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT '',
    started_at  BIGINT NOT NULL,
    last_at     BIGINT NOT NULL
);
CREATE INDEX assist_visits_visitor ON assist_visits (channel_id, visitor_id, started_at);

CREATE TABLE assist_visitors (
    channel_id TEXT NOT NULL REFERENCES channels (id),
    visitor_id TEXT NOT NULL,
    visit_id   TEXT NOT NULL DEFAULT '',
    last_at    BIGINT NOT NULL DEFAULT 0,
    touches    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, visitor_id)
);

CREATE TABLE assist_signals (
    id         TEXT PRIMARY KEY,
    visit_id   TEXT NOT NULL REFERENCES assist_visits (id),
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    category   TEXT NOT NULL DEFAULT '',
    value      BIGINT NOT NULL DEFAULT 0,
    dedupe     TEXT NOT NULL,
    at         BIGINT NOT NULL,
    UNIQUE (visit_id, dedupe)
);

CREATE TABLE assist_offers (
    id              TEXT PRIMARY KEY,
    visit_id        TEXT NOT NULL UNIQUE REFERENCES assist_visits (id),
    rule_id         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('chat', 'article', 'callback')),
    article_id      TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('made', 'accepted', 'dismissed')),
    outcome         TEXT NOT NULL DEFAULT '',
    conversation_id TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    decided_at      BIGINT
);
CREATE INDEX assist_offers_conversation ON assist_offers (conversation_id);
