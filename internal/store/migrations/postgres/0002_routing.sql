-- Routing: queues by language, channel, topic and segment; agents' capacity in conversation
-- weight; the weight each conversation holds of its owner's capacity.

CREATE TABLE queues (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    languages     TEXT NOT NULL DEFAULT '',
    channel_kinds TEXT NOT NULL DEFAULT '',
    topics        TEXT NOT NULL DEFAULT '',
    segments      TEXT NOT NULL DEFAULT '',
    strategy      TEXT NOT NULL DEFAULT 'least-loaded' CHECK (strategy IN ('least-loaded', 'round-robin')),
    priority      INTEGER NOT NULL DEFAULT 0,
    rr_cursor     TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE queue_members (
    queue_id TEXT NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, user_id)
);
CREATE INDEX queue_members_user ON queue_members (user_id);

ALTER TABLE users ADD COLUMN capacity DOUBLE PRECISION NOT NULL DEFAULT 3;
ALTER TABLE conversations ADD COLUMN queue_id TEXT REFERENCES queues (id);
ALTER TABLE conversations ADD COLUMN weight DOUBLE PRECISION NOT NULL DEFAULT 1;
