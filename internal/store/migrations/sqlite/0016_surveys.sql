-- Surveys: one row per CSAT or NPS question sent to a customer. A pending survey is what makes
-- the ingest path read the customer's next message on that channel as an answer rather than as
-- a new message; the answer itself is an event (survey.answered), and metrics read only events.
-- token is the signed e-mail link's key; survey_optouts holds who said "stop surveys".

CREATE TABLE surveys (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    conversation_id TEXT NOT NULL DEFAULT '',
    channel_id      TEXT NOT NULL DEFAULT '',
    agent_id        TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    score           INTEGER,
    comment         TEXT NOT NULL DEFAULT '',
    sent_at         BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    answered_at     BIGINT,
    resolved_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX surveys_pending ON surveys (customer_id, channel_id, state, expires_at);
CREATE INDEX surveys_customer_kind ON surveys (customer_id, kind, sent_at);

CREATE TABLE survey_optouts (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    created_at  BIGINT NOT NULL
);
