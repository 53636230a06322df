-- Self-service: the service catalogue (each service's channels, limits, stages and guided flow,
-- as JSON beside its id), cases moving through a service's stages, the history of those moves
-- (one row per stage entered, which is also the key that makes its notification go once), and
-- the tracker's signing key, created by the first node that needs it so every node verifies
-- the same links.

CREATE TABLE services (
    id         TEXT PRIMARY KEY,
    category   TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES services (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    stage       TEXT NOT NULL,
    stage_seq   INTEGER NOT NULL,
    answers     TEXT NOT NULL DEFAULT '{}',
    via         TEXT NOT NULL DEFAULT '',
    finish_on   TEXT NOT NULL DEFAULT '',
    limit_hit   TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    stage_at    BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX cases_customer ON cases (customer_id, created_at);
CREATE INDEX cases_created ON cases (created_at);

CREATE TABLE case_stages (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    seq        INTEGER NOT NULL,
    stage      TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    event_id   TEXT NOT NULL,
    message_id TEXT,
    channel_id TEXT,
    with_link  INTEGER NOT NULL DEFAULT 0,
    skipped    TEXT NOT NULL DEFAULT '',
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE signing_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
