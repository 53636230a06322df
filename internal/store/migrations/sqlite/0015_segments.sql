-- Segments, personas and digital coaching. A segment is a saved rule over customers' profiles
-- and behaviour, with its channel-fit matrix, its adoption target and (for a persona) its
-- journey, each as JSON beside its id; segment_members is who is in it now and since when,
-- kept current from events and re-evaluated by a sweep job. Coaching sessions are the guided
-- walks through a flow an agent starts on a call; tutorials are the short guides agents send.

CREATE TABLE segments (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    rule         TEXT NOT NULL,
    matrix       TEXT NOT NULL DEFAULT '{}',
    target_share REAL,
    journey      TEXT NOT NULL DEFAULT '',
    builtin      INTEGER NOT NULL DEFAULT 0,
    updated_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE segment_members (
    segment_id  TEXT NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    since       BIGINT NOT NULL,
    PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_members_customer ON segment_members (customer_id);

CREATE TABLE coaching_sessions (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    service_id   TEXT NOT NULL,
    channel_id   TEXT NOT NULL DEFAULT '',
    started_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    completed_at BIGINT,
    case_id      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX coaching_sessions_customer ON coaching_sessions (customer_id, started_at);

CREATE TABLE tutorials (
    id         TEXT PRIMARY KEY,
    task       TEXT NOT NULL,
    lang       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    video_url  TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (task, lang)
);
